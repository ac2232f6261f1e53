/**
 * Running an exported KUnit test without building a kernel: the test file,
 * the tree's drm_gpuvm.c and tools/lib/rbtree.c (compiled in place), the
 * kernel subject's compat layer (kernel/compat) and gpuvm-check's userspace
 * KUnit (kernel/kunit), linked into one program whose KTAP report is read
 * back. The compile flags and helpers are src/kernel's.
 */

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { compilerWarnings, inParallel, optimisation, OWN_WARNINGS, TREE_WARNINGS } from '../kernel/build.ts';
import { findCompiler, firstCompilerError, runCompiler } from '../kernel/compiler.ts';
import { KernelBuildError } from '../kernel/errors.ts';
import { commonFlags, KERNEL_DIR, type ApiProbes } from '../kernel/probes.ts';
import type { KernelTree } from '../kernel/tree.ts';
import { ExportError } from './errors.ts';
import { parseKtap, type KtapCase } from './ktap.ts';

/** What {@link runUserspaceKunit} needs. */
export interface UserspaceRunOptions {
  readonly tree: KernelTree;
  /** The tree's probed API (for the compat headers' assert form). */
  readonly probes: ApiProbes;
  /** The exported test's C text. */
  readonly source: string;
  /** The test file's name in reports (default `drm_gpuvm_test.c`). */
  readonly fileName?: string;
  /** AddressSanitizer + UndefinedBehaviorSanitizer. */
  readonly sanitize?: boolean;
  /** Seconds a case may take before it counts as hung (the runner's GPUVM_KUNIT_TIMEOUT; default 60). */
  readonly caseTimeoutSeconds?: number;
}

/** The outcome of a userspace run. */
export interface UserspaceRun {
  /** The KTAP report, as printed. */
  readonly ktap: string;
  readonly cases: readonly KtapCase[];
  /** The runner's exit status (0: no case failed). */
  readonly exitCode: number;
  /** Compiler warnings of the test file itself (`file:line: text`). */
  readonly warnings: readonly string[];
  /** What drm_gpuvm printed on standard error (its WARNs). */
  readonly stderr: string;
  readonly buildMs: number;
  readonly runMs: number;
}

function cFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.c'))
    .sort()
    .map((n) => join(dir, n));
}

function run(program: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.on('data', (d: string) => {
      if (stderr.length < 1 << 20) stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code: code ?? (signal !== null ? 128 : 1), stdout, stderr }));
  });
}

/**
 * Compiles the test with the tree and runs it. Throws ExportError when it
 * does not compile or link (the first compiler error, with its file); a
 * failing case is a result, not an error.
 */
export async function runUserspaceKunit(opts: UserspaceRunOptions): Promise<UserspaceRun> {
  const started = Date.now();
  const { tree, probes } = opts;
  const sanitize = opts.sanitize === true;
  let compiler;
  try {
    compiler = findCompiler();
  } catch (e) {
    if (e instanceof KernelBuildError) throw new ExportError(e.message);
    throw e;
  }
  const dir = mkdtempSync(join(tmpdir(), 'gpuvm-kunit-'));
  try {
    // Where the kernel keeps it, and named so in reports (__FILE__ relative to the top).
    const testRel = `drivers/gpu/drm/tests/${opts.fileName ?? 'drm_gpuvm_test.c'}`;
    const testFile = join(dir, testRel);
    mkdirSync(dirname(testFile), { recursive: true });
    writeFileSync(testFile, opts.source);
    const flags = [...commonFlags(tree, probes.assertLockArgs), ...optimisation(sanitize), `-fmacro-prefix-map=${dir}/=`];
    const units = [
      { source: tree.gpuvmC, warnings: TREE_WARNINGS },
      { source: tree.rbtreeC, warnings: TREE_WARNINGS },
      ...cFiles(join(KERNEL_DIR, 'compat', 'src')).map((source) => ({ source, warnings: OWN_WARNINGS })),
      ...cFiles(join(KERNEL_DIR, 'kunit')).map((source) => ({ source, warnings: OWN_WARNINGS })),
      { source: testFile, warnings: OWN_WARNINGS },
    ];
    const objects = units.map((u, i) => join(dir, `${i}-${basename(u.source, '.c')}.o`));
    const results = await inParallel(
      units.map((u, i) => () => runCompiler(compiler, [...flags, ...u.warnings, '-c', u.source, '-o', objects[i] as string])),
      2,
    );
    let warnings: string[] = [];
    results.forEach((r, i) => {
      const u = units[i] as { source: string };
      const where = u.source === testFile ? testRel : relative(u.source.startsWith(tree.root) ? tree.root : KERNEL_DIR, u.source);
      if (!r.ok) throw new ExportError(`the exported test does not build: ${where}: ${firstCompilerError(r.stderr, dir)}`);
      if (u.source === testFile) warnings = compilerWarnings(r.stderr, dir);
    });
    const program = join(dir, 'drm_gpuvm_kunit');
    const link = await runCompiler(compiler, [...optimisation(sanitize), ...objects, '-o', program]);
    if (!link.ok) throw new ExportError(`the exported test does not link: ${firstCompilerError(link.stderr, dir)}`);
    const buildMs = Date.now() - started;
    const env = { ...process.env, GPUVM_KUNIT_TIMEOUT: String(opts.caseTimeoutSeconds ?? 60) };
    const runStarted = Date.now();
    const r = await run(program, env);
    return {
      ktap: r.stdout,
      cases: parseKtap(r.stdout),
      exitCode: r.code,
      warnings,
      stderr: r.stderr,
      buildMs,
      runMs: Date.now() - runStarted,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The compiler's diagnostics (`file:line: text`, warnings and errors) on
 * the test file alone (-fsyntax-only, our -Wall -Wextra), against the tree's
 * headers and the compat layer. Empty: it compiles cleanly.
 */
export async function checkTestSource(tree: KernelTree, probes: ApiProbes, source: string): Promise<string[]> {
  const compiler = findCompiler();
  const dir = mkdtempSync(join(tmpdir(), 'gpuvm-kunit-check-'));
  try {
    const file = join(dir, 'drm_gpuvm_test.c');
    writeFileSync(file, source);
    const r = await runCompiler(compiler, [...commonFlags(tree, probes.assertLockArgs), ...OWN_WARNINGS, '-fsyntax-only', file]);
    const out = compilerWarnings(r.stderr, dir);
    return r.ok ? out : [...out, firstCompilerError(r.stderr, dir)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
