/**
 * The exported KUnit suite in a real kernel: applies `export kunit --patch`
 * to a copy of a full kernel tree, builds and runs the suite on UML with the
 * tree's tools/testing/kunit/kunit.py, and compares each case's outcome with
 * the same suite run in userspace against the same drm_gpuvm.c (they must
 * agree: pass, fail at the same command, or skip).
 *
 *   npx tsx scripts/kunit-uml.ts [--tree DIR] [--work DIR] [--jobs N] [TRACE...]
 *
 * --tree   a full kernel tree (default .cache/kernel/linux-7.3, which
 *          `scripts/fetch-kernel-trees.sh --full 7.3` extracts; ~1.5 GB)
 * --work   where the patched copy and its build live (default
 *          .cache/kunit-uml/linux-VERSION); reused by the next run, which then
 *          rebuilds only what changed
 * --jobs   make's -j (default: the number of cores)
 * TRACE    the traces (default: every corpus/**\/*.json and, when present,
 *          the traces of kernel/findings/VERSION/)
 *
 * Needs a C toolchain with flex and bison (the kernel's kconfig) and
 * python3. Prints kunit.py's timing, each case's outcome, and a summary line;
 * exits 0 when UML and userspace agree on every case, 1 when they do not,
 * 2 on bad input.
 */

import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { loadTraceFile, listTraceFiles } from '../src/corpus/store.ts';
import { caseNames } from '../src/export/c-names.ts';
import { exportKunit, type ExportInput } from '../src/export/kunit.ts';
import { parseKtap, type KtapCase } from '../src/export/ktap.ts';
import { applyPatch, makePatch, KCONFIG_SYMBOL } from '../src/export/patch.ts';
import { runUserspaceKunit } from '../src/export/userspace.ts';
import { resolveTree } from '../src/export/variant.ts';
import { TRACE_FORMAT, TraceInputError } from '../src/protocol/index.ts';
import { ExportError } from '../src/export/errors.ts';

const REPO = resolve(import.meta.dirname, '..');

function fail(message: string): never {
  process.stderr.write(`kunit-uml: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv: readonly string[]): { tree: string; work: string | null; jobs: number; traces: string[] } {
  let tree = join(REPO, '.cache/kernel/linux-7.3');
  let work: string | null = null;
  let jobs = cpus().length;
  const traces: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = (): string => argv[++i] ?? fail(`${a} needs a value`);
    if (a === '--tree') tree = resolve(value());
    else if (a === '--work') work = resolve(value());
    else if (a === '--jobs') jobs = Number(value());
    else if (a === '-h' || a === '--help') {
      process.stdout.write(`${readFileSync(import.meta.filename, 'utf8').split('*/')[0]}*/\n`);
      process.exit(0);
    } else if (a.startsWith('-')) fail(`unknown option ${a}`);
    else traces.push(a);
  }
  if (!Number.isInteger(jobs) || jobs < 1) fail('--jobs needs a positive integer');
  return { tree, work, jobs, traces };
}

/** The files the patch touches, relative to the tree's top. */
const PATCHED = ['drivers/gpu/drm/Kconfig', 'drivers/gpu/drm/Kconfig.debug', 'drivers/gpu/drm/tests/Makefile', 'drivers/gpu/drm/tests/.kunitconfig'];

/** A copy of `tree` at `work`: made once, then its patched files are restored from the tree. */
function prepareCopy(tree: string, work: string, testFile: string): void {
  if (!existsSync(join(work, 'Makefile'))) {
    const t = Date.now();
    process.stderr.write(`kunit-uml: copying ${tree} to ${work} ...\n`);
    mkdirSync(work, { recursive: true });
    cpSync(tree, work, { recursive: true });
    process.stderr.write(`kunit-uml: copied in ${((Date.now() - t) / 1000).toFixed(0)} s\n`);
    return;
  }
  for (const rel of PATCHED) if (existsSync(join(tree, rel))) cpSync(join(tree, rel), join(work, rel));
  if (!existsSync(join(tree, testFile))) rmSync(join(work, testFile), { force: true });
}

function run(cmd: string, args: readonly string[], cwd: string): Promise<{ code: number; stdout: string }> {
  return new Promise((done) => {
    const child = spawn(cmd, [...args], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      stdout += d;
    });
    child.on('close', (code) => done({ code: code ?? 1, stdout }));
  });
}

/** Whether a JSON file is a trace (and not, say, a known-findings list). */
function isTraceFile(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown }).format === TRACE_FORMAT;
  } catch {
    return true; // let the loader name what is wrong with it
  }
}

function outcome(c: KtapCase | undefined): string {
  if (c === undefined) return 'no result';
  if (c.status === 'fail') return `fail${c.failedCommand === null ? '' : ` at command ${c.failedCommand}`}`;
  return c.status;
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(join(opts.tree, 'tools/testing/kunit/kunit.py'))) {
    fail(`${opts.tree} is not a full kernel tree (no tools/testing/kunit/kunit.py; scripts/fetch-kernel-trees.sh --full 7.3 extracts one)`);
  }
  for (const tool of ['flex', 'bison', 'python3', 'make']) {
    if (spawnSync(tool, ['--version']).status !== 0) fail(`${tool} is needed to build a kernel`);
  }
  const source = await resolveTree(opts.tree);
  if (source.tree === null || source.probes === null) fail(`${opts.tree}: not a kernel tree`);
  const version = `${source.tree.version.version}.${source.tree.version.patchlevel}`;
  const work = opts.work ?? join(REPO, '.cache/kunit-uml', `linux-${version}`);

  let files = opts.traces;
  if (files.length === 0) {
    files = await listTraceFiles(join(REPO, 'corpus'));
    const findings = join(REPO, 'kernel/findings', version);
    // The traces of the findings; known.json (gpuvm-findings/1) only lists them.
    if (existsSync(findings)) {
      files.push(
        ...readdirSync(findings)
          .filter((f) => f.endsWith('.json') && isTraceFile(join(findings, f)))
          .sort()
          .map((f) => join(findings, f)),
      );
    }
    files = files.map((f) => relative(REPO, f));
  }
  const inputs: ExportInput[] = [];
  for (const file of files) inputs.push({ file, trace: await loadTraceFile(resolve(REPO, file)) });
  const names = caseNames(files);
  const suite = 'drm_gpuvm';
  const testFile = `drivers/gpu/drm/tests/${suite}_test.c`;

  prepareCopy(opts.tree, work, testFile);
  const copy = await resolveTree(work);
  if (copy.tree === null) fail(`${work}: the copy is not a kernel tree`);
  const text = exportKunit(inputs, { variant: copy.variant, suite });
  writeFileSync(join(work, '.gpuvm-kunit.patch'), makePatch({ tree: copy.tree, source: text, suite, cases: inputs.map((i, k) => ({ name: names[k] as string, file: i.file })) }));
  applyPatch(work, '.gpuvm-kunit.patch');
  const kunitconfig = join(work, '.gpuvm-kunitconfig');
  writeFileSync(kunitconfig, `CONFIG_KUNIT=y\nCONFIG_DRM=y\nCONFIG_${KCONFIG_SYMBOL}=y\n`);

  process.stderr.write(`kunit-uml: ${inputs.length} cases, Linux ${copy.tree.version.text} on UML, make -j${opts.jobs}\n`);
  const started = Date.now();
  const uml = await run(
    'python3',
    ['tools/testing/kunit/kunit.py', 'run', `--kunitconfig=${kunitconfig}`, '--build_dir=.kunit', `--jobs=${opts.jobs}`, '--raw_output=kunit', suite],
    work,
  );
  const seconds = (Date.now() - started) / 1000;
  writeFileSync(join(work, '.gpuvm-kunit.ktap'), uml.stdout);
  const umlCases = parseKtap(uml.stdout);
  if (umlCases.length === 0) {
    process.stdout.write(uml.stdout);
    fail(`kunit.py reported no case (exit ${uml.code}); its output is above`);
  }

  const user = await runUserspaceKunit({ tree: source.tree, probes: source.probes, source: text, fileName: `${suite}_test.c` });
  const byName = (cs: readonly KtapCase[]): Map<string, KtapCase> => new Map(cs.map((c) => [c.name, c] as const));
  const u = byName(user.cases);
  const k = byName(umlCases);
  let mismatches = 0;
  for (const name of names) {
    const a = outcome(k.get(name));
    const b = outcome(u.get(name));
    if (a !== b) mismatches++;
    process.stdout.write(`${a === b ? 'agree   ' : 'MISMATCH'} ${name}: UML ${a}; userspace ${b}\n`);
  }
  const count = (s: string): number => umlCases.filter((c) => c.status === s).length;
  const totals = /^# Totals: .*$/m.exec(uml.stdout)?.[0] ?? '';
  process.stdout.write(
    `kunit-uml: Linux ${copy.tree.version.text} on UML: ${count('pass')} pass, ${count('fail')} fail, ${count('skip')} skip of ${umlCases.length} ` +
      `(kunit.py build and run ${seconds.toFixed(0)} s, make -j${opts.jobs}); ${totals}; ` +
      `${mismatches === 0 ? 'UML and userspace agree on every case' : `${mismatches} cases differ between UML and userspace`}\n`,
  );
  return mismatches === 0 ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (e) {
  // Bad input (a trace that does not parse, a tree the export cannot use): one line, exit 2.
  if (e instanceof TraceInputError || e instanceof ExportError) fail(e.message);
  throw e;
}
