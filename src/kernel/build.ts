/**
 * The kernel subject's build: the user's tree's drm_gpuvm.c and
 * tools/lib/rbtree.c, compiled in place, linked with gpuvm-check's compat
 * layer and driver (kernel/) into one program that speaks the subject
 * protocol.
 *
 * Builds are cached in `<cache>/kernel-build/<key>/`, the key a hash of every
 * tree file the compile reads (found with the compiler's -M; by path within
 * the tree and content, so an identical copy elsewhere hits the cache), of
 * gpuvm-check's C sources, of the compiler and of the flags; a second build of
 * the same inputs is a lookup. The cache root is `defaultCacheDir()`.
 */

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { homedir } from 'node:os';
import { PACKAGE_ROOT, RUNNING_FROM_SOURCE } from '../module-loader.ts';
import { findCompiler, firstCompilerError, runCompiler, type Compiler } from './compiler.ts';
import { KernelBuildError } from './errors.ts';
import { commonFlags, KERNEL_DIR, probeApi, probeDefines, type ApiProbes } from './probes.ts';
import { inspectTree, type KernelTree, type KernelVersion } from './tree.ts';

/** The program's file name inside a build directory. */
export const SUBJECT_PROGRAM = 'gpuvm-kernel-subject';

/** What `buildKernelSubject` needs. */
export interface KernelBuildOptions {
  /** The kernel tree's top directory. */
  readonly tree: string;
  /** AddressSanitizer + UndefinedBehaviorSanitizer, a report aborting the program. */
  readonly sanitize?: boolean;
  /** The cache root (default `defaultCacheDir()`). */
  readonly cacheDir?: string;
  /** Progress lines (a build takes seconds). */
  readonly log?: (line: string) => void;
}

/** A built kernel subject. */
export interface KernelBuild {
  /** Absolute path of the program. */
  readonly program: string;
  readonly dir: string;
  /** Whether the cache already had it. */
  readonly cached: boolean;
  readonly tree: KernelTree;
  readonly version: KernelVersion;
  readonly compiler: Compiler;
  readonly probes: ApiProbes;
  readonly sanitize: boolean;
  /** Wall time of the build (0 when cached). */
  readonly buildMs: number;
  /** Compiler warnings, `file:line: text` (none on the tested trees: the build is -Wall -Wextra clean). */
  readonly warnings: readonly string[];
}

/** What a build directory records about itself (`build.json`). */
interface BuildRecord {
  readonly format: 'gpuvm-kernel-build/1';
  readonly tree: string;
  readonly version: KernelVersion;
  readonly compiler: string;
  readonly probes: ApiProbes;
  readonly sanitize: boolean;
  readonly treeFiles: readonly string[];
  readonly warnings: readonly string[];
}

const PACKAGE_DIR = PACKAGE_ROOT;

/**
 * The cache root: $GPUVM_CHECK_CACHE; else `.cache/` of the checkout when
 * running from source (where scripts/fetch-kernel-trees.sh puts the trees);
 * else the user's cache directory ($XDG_CACHE_HOME or ~/.cache) /gpuvm-check.
 */
export function defaultCacheDir(): string {
  const env = process.env['GPUVM_CHECK_CACHE'];
  if (env !== undefined && env !== '') return env;
  if (RUNNING_FROM_SOURCE) return join(PACKAGE_DIR, '.cache');
  const xdg = process.env['XDG_CACHE_HOME'];
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'gpuvm-check');
}

/** Flags of the tree's own files: the kernel's W=1 set (-Wextra without -Wunused-parameter, as the kernel builds them). */
export const TREE_WARNINGS = ['-Wall', '-Wextra', '-Wno-unused-parameter'];
/** Our own C: -Wall -Wextra, no exceptions. */
export const OWN_WARNINGS = ['-Wall', '-Wextra'];

export function optimisation(sanitize: boolean): string[] {
  return sanitize
    ? ['-O1', '-g', '-fno-omit-frame-pointer', '-fsanitize=address,undefined', '-fno-sanitize-recover=all']
    : ['-O2', '-g'];
}

/** Every file of ours the build uses: kernel/compat and kernel/driver, sorted. */
function ownSources(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.[ch]$/.test(name)) out.push(path);
    }
  };
  walk(join(KERNEL_DIR, 'compat'));
  walk(join(KERNEL_DIR, 'driver'));
  return out;
}

/** The tree files a compile of `source` reads (the compiler's -M), sorted. */
async function treeDependencies(compiler: Compiler, tree: KernelTree, source: string, flags: readonly string[]): Promise<string[]> {
  const r = await runDeps(compiler, [...flags, '-M', source]);
  if (!r.ok) {
    throw new KernelBuildError(compileError(relative(tree.root, source), firstCompilerError(r.stderr, tree.root)));
  }
  const files = r.stdout
    .replace(/\\\n/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '' && !w.endsWith(':'))
    .map((w) => (w.startsWith('/') ? w : join(process.cwd(), w)))
    .filter((w) => !relative(tree.root, w).startsWith('..'));
  return [...new Set(files)].sort();
}

function runDeps(compiler: Compiler, args: readonly string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    execFile(compiler.command, [...args], { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolvePromise({ ok: err === null, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Hashes each file's path relative to `base` and its content (so a copy of a tree elsewhere has the same key). */
function hashFiles(hash: ReturnType<typeof createHash>, base: string, files: readonly string[]): void {
  for (const f of files) {
    hash.update(`\0${relative(base, f)}\0`);
    hash.update(readFileSync(f));
  }
}

/** Runs `jobs` with at most `limit` at a time, in order of submission. */
export async function inParallel<T>(jobs: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await (jobs[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

/**
 * Builds (or finds in the cache) the kernel subject for a tree. Throws
 * `KernelBuildError` with one line for every way it can fail: not a kernel
 * tree or files missing (inspectTree), no C compiler, an API variant we do not
 * know (probeApi), a compile or link error (the first error and its file).
 */
export async function buildKernelSubject(opts: KernelBuildOptions): Promise<KernelBuild> {
  const started = Date.now();
  const tree = inspectTree(opts.tree);
  const compiler = findCompiler();
  const sanitize = opts.sanitize === true;
  const log = opts.log ?? (() => {});

  // The key: everything the compile reads, the compiler and the flags. The
  // dependency scan uses the 7.x assert form; our headers include the same
  // files whichever form the tree uses.
  const scanFlags = commonFlags(tree, 2);
  const treeFiles = [
    ...new Set([
      ...(await treeDependencies(compiler, tree, tree.gpuvmC, scanFlags)),
      ...(await treeDependencies(compiler, tree, tree.rbtreeC, [`-I${tree.toolsInclude}`])),
    ]),
  ].sort();
  const own = ownSources();
  const hash = createHash('sha256');
  hash.update(`gpuvm-kernel-build/1\0${compiler.command}\0${compiler.version}\0${sanitize}\0${optimisation(sanitize).join(' ')}\0`);
  hashFiles(hash, tree.root, treeFiles);
  hashFiles(hash, PACKAGE_DIR, own);
  const key = hash.digest('hex').slice(0, 20);
  const cacheRoot = join(opts.cacheDir ?? defaultCacheDir(), 'kernel-build');
  const dir = join(cacheRoot, key);
  const program = join(dir, SUBJECT_PROGRAM);
  const recordFile = join(dir, 'build.json');

  if (existsSync(program) && existsSync(recordFile)) {
    const record = JSON.parse(readFileSync(recordFile, 'utf8')) as BuildRecord;
    return {
      program,
      dir,
      cached: true,
      tree,
      version: tree.version,
      compiler,
      probes: record.probes,
      sanitize,
      buildMs: 0,
      warnings: record.warnings,
    };
  }

  log(`kernel: building the subject for Linux ${tree.version.text} (${tree.root})${sanitize ? ' with ASan+UBSan' : ''}`);
  const probes = await probeApi(compiler, tree);
  const flags = [...commonFlags(tree, probes.assertLockArgs), ...probeDefines(probes), ...optimisation(sanitize)];
  flags.push(`-DGPUVM_TREE_NAME="Linux ${tree.version.text}"`);

  mkdirSync(cacheRoot, { recursive: true });
  let warnings: string[] = [];
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, { recursive: true });
  try {
    const units: { source: string; warnings: readonly string[] }[] = [
      { source: tree.gpuvmC, warnings: TREE_WARNINGS },
      { source: tree.rbtreeC, warnings: TREE_WARNINGS },
      ...own.filter((f) => f.endsWith('.c')).map((source) => ({ source, warnings: OWN_WARNINGS })),
    ];
    const objects = units.map((u, i) => join(tmp, `${i}-${basename(u.source, '.c')}.o`));
    const results = await inParallel(
      units.map((u, i) => () => runCompiler(compiler, [...flags, ...u.warnings, '-c', u.source, '-o', objects[i] as string])),
      2,
    );
    for (let i = 0; i < units.length; i++) {
      const r = results[i] as { ok: boolean; stderr: string };
      const u = units[i] as { source: string };
      const where = relative(u.source.startsWith(tree.root) ? tree.root : PACKAGE_DIR, u.source);
      if (!r.ok) throw new KernelBuildError(compileError(where, firstCompilerError(r.stderr, tree.root)));
      warnings.push(...compilerWarnings(r.stderr, tree.root));
    }
    const link = await runCompiler(compiler, [...optimisation(sanitize), ...objects, '-o', join(tmp, SUBJECT_PROGRAM)]);
    if (!link.ok) {
      throw new KernelBuildError(
        `link error${sanitize ? ' (is the sanitizer runtime, libasan / libubsan, installed?)' : ''}: ${firstCompilerError(link.stderr, tree.root)}`,
      );
    }
    const record: BuildRecord = {
      format: 'gpuvm-kernel-build/1',
      tree: tree.root,
      version: tree.version,
      compiler: compiler.version,
      probes,
      sanitize,
      treeFiles: treeFiles.map((f) => relative(tree.root, f)),
      warnings,
    };
    writeFileSync(join(tmp, 'build.json'), `${JSON.stringify(record, null, 2)}\n`);
    for (const o of objects) rmSync(o, { force: true });
    try {
      renameSync(tmp, dir);
    } catch {
      // Another process built the same key meanwhile: use its build.
      if (!existsSync(program)) throw new KernelBuildError(`could not create the build directory ${dir}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return {
    program,
    dir,
    cached: false,
    tree,
    version: tree.version,
    compiler,
    probes,
    sanitize,
    buildMs: Date.now() - started,
    warnings,
  };
}

/** `compile error: FILE:LINE: message`, naming the unit compiled when the error is in a header it includes. */
function compileError(unit: string, first: string): string {
  return first.startsWith(`${unit}:`) ? `compile error: ${first}` : `compile error: ${first} (compiling ${unit})`;
}

/** The compiler's warnings as `file:line: text`, files relative to `base` when inside it. */
export function compilerWarnings(stderr: string, base: string): string[] {
  const out: string[] = [];
  for (const line of stderr.split('\n')) {
    const m = /^(.+?):(\d+)(?::\d+)?: warning: (.*)$/.exec(line);
    if (m === null) continue;
    const rel = relative(base, m[1] as string);
    out.push(`${rel.startsWith('..') ? m[1] : rel}:${m[2]}: ${(m[3] as string).trim()}`);
  }
  return out;
}
