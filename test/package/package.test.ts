/**
 * The npm package end to end, as a new user gets it: `npm pack` (which builds
 * dist/ through `prepare`), the tarball installed offline from npm's cache into a
 * fresh project, and there: the CLI through npx, the library from a plain `.mjs`
 * file, a strict `tsc --noEmit` of a TypeScript consumer against the shipped
 * declarations, a vitest suite using `gpuvm-check/vitest` (a faulty subject's test
 * must fail with the report), `.js` and `.ts` subjects through `--subject`, tsx
 * loaded only for the `.ts` one, and the tarball's file list.
 *
 * Slow-ish (a build, an install, a nested vitest run): everything is packed and
 * installed once, in `beforeAll`.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REPO, removeTempDirs, tempDir, type CliResult } from '../cli/run-cli.ts';
import { consumerProject } from './consumer-lock.ts';

const FIXTURES = join(REPO, 'test/package/consumer');
/** Tools the consumer project installs beside the package (at the versions of this repository's lock). */
const TOOLS = ['vitest', 'typescript', '@types/node'];
const FAULTY_JS = './node_modules/gpuvm-check/examples/subjects/keep-ignores-offset.mjs';
const SETUP_TIMEOUT_MS = 600_000;
const TEST_TIMEOUT_MS = 180_000;

interface PackedFile {
  readonly path: string;
}
interface PackResult {
  readonly filename: string;
  readonly entryCount: number;
  readonly size: number;
  readonly files: readonly PackedFile[];
}

/** The environment of child processes: this one's, without what the vitest running this file set for itself. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('VITEST') && k !== 'NODE_OPTIONS' && k !== 'TEST') env[k] = v;
  return env;
}

function run(command: string, args: readonly string[], cwd: string): CliResult {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', env: childEnv(), timeout: TEST_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  if (r.error !== undefined) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `run`, failing with the command's output unless it exits 0. */
function runOk(command: string, args: readonly string[], cwd: string): CliResult {
  const r = run(command, args, cwd);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${String(r.status)}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

let work = '';
let project = '';
let packed: PackResult;

/** `npx gpuvm-check ...args` in the consumer project. */
function cli(...args: string[]): CliResult {
  return run('npx', ['--no', '--', 'gpuvm-check', ...args], project);
}

beforeAll(() => {
  work = tempDir('gpuvm-check-package-');
  const out = runOk('npm', ['pack', '--json', '--pack-destination', work], REPO).stdout;
  const results = JSON.parse(out) as PackResult[];
  expect(results).toHaveLength(1);
  packed = results[0] as PackResult;

  project = join(work, 'consumer');
  mkdirSync(project);
  const tarballSpec = `file:../${packed.filename}`;
  const { dependencies, lock } = consumerProject({
    repoLock: join(REPO, 'package-lock.json'),
    repoManifest: join(REPO, 'package.json'),
    tarballSpec,
    tarballFile: join(work, packed.filename),
    tools: TOOLS,
  });
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }, null, 2)}\n`);
  writeFileSync(join(project, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  runOk('npm', ['ci', '--offline', '--no-audit', '--no-fund'], project);

  for (const f of ['consumer.mjs', 'consumer.ts', 'tsconfig.json']) copyFileSync(join(FIXTURES, f), join(project, f));
  copyFileSync(join(FIXTURES, 'subjects.vitest.ts'), join(project, 'subjects.test.ts'));
  // The user's own subject: the package's TypeScript example, copied into the project.
  copyFileSync(join(project, 'node_modules/gpuvm-check/examples/subjects/counting-vm.ts'), join(project, 'counting-vm.ts'));
}, SETUP_TIMEOUT_MS);

afterAll(() => removeTempDirs());

describe('the tarball', () => {
  test('holds the build, the launcher, the examples, the docs, README, LICENSE and package.json, and no tests or sources', () => {
    const paths = packed.files.map((f) => f.path).sort();
    const allowed = /^(dist\/(src|model|properties|bench)\/.+\.(js|d\.ts|js\.map)|bin\/gpuvm-check\.mjs|examples\/.+|docs\/.+\.md|kernel\/.+|README\.md|LICENSE|package\.json)$/;
    expect(paths.filter((p) => !allowed.test(p))).toEqual([]);
    expect(paths.filter((p) => /(^|\/)test\/|\.test\.|^src\/|^reports\/|^corpus\//.test(p))).toEqual([]);
    for (const p of [
      'LICENSE',
      'README.md',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/index.js.map',
      'dist/src/vitest/index.js',
      'dist/src/vitest/index.d.ts',
      'dist/src/subject-api.d.ts',
      'dist/src/campaign/worker.js',
      'dist/bench/run.js',
      'examples/keep-flag-long.json',
      'examples/subjects/counting-vm.ts',
      'examples/subjects/keep-ignores-offset.mjs',
      'docs/subject-protocol.md',
    ]) {
      expect(paths).toContain(p);
    }
    expect(paths.filter((p) => /^dist\/bench\/faults\/[^/]+\.js$/.test(p))).toHaveLength(readdirSync(join(REPO, 'bench/faults')).filter((f) => f.endsWith('.ts')).length);
    expect(packed.entryCount).toBe(paths.length);
  });

  test('its package.json names the compiled entry points, each of which exists', () => {
    const installed = join(project, 'node_modules/gpuvm-check');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    const targets = Object.values(manifest.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e as Record<string, string>)));
    expect(targets.length).toBeGreaterThanOrEqual(11);
    for (const t of targets) expect(existsSync(join(installed, t)), t).toBe(true);
    expect(Object.keys(manifest.exports)).toEqual(['.', './protocol', './gpuvm', './subject', './vitest', './package.json']);
  });
});

describe('in a fresh project', () => {
  test('npx gpuvm-check runs the compiled CLI: --help, and a 50-run campaign that passes', () => {
    const help = cli('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: gpuvm-check <command>');
    const fuzz = cli('fuzz', '--runs', '50', '--seed', '1', '--out', 'corpus');
    expect(fuzz.stderr).not.toMatch(/error/i);
    expect(fuzz.status).toBe(0);
    expect(fuzz.stdout).toMatch(/^done: 50 runs, \d+ commands/m);
    expect(fuzz.stdout).toContain('failures: none');
  }, TEST_TIMEOUT_MS);

  test('a .mjs file imports every entry point and replays a trace with the library', () => {
    const r = runOk('node', ['consumer.mjs'], project);
    expect(JSON.parse(r.stdout.trim())).toEqual({
      sameManager: true,
      format: 'gpuvm-trace/1',
      invariants: expect.any(Number),
      roundTrip: true,
      real: true,
      bad: { invariant: 'keep-flag', step: 8 },
      checked: 30,
      packageRoot: true,
    });
  }, TEST_TIMEOUT_MS);

  test('a strict TypeScript consumer type-checks against the shipped declarations', () => {
    const r = run('node', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], project);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, TEST_TIMEOUT_MS);

  test('a vitest suite using the helper: the passing subjects pass, the faulty one fails with the report and its replay command works', () => {
    const r = run('node', ['node_modules/vitest/vitest.mjs', 'run', '--reporter=json', '--outputFile=vitest.json'], project);
    expect(r.status).toBe(1);
    const report = JSON.parse(readFileSync(join(project, 'vitest.json'), 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
    };
    const results = report.testResults.flatMap((f) => f.assertionResults);
    expect(Object.fromEntries(results.map((a) => [a.title, a.status]))).toEqual({
      'the production manager passes': 'passed',
      'a TypeScript factory of this project passes': 'passed',
      'the faulty example subject fails': 'failed',
      'checkSubject resolves with what it ran': 'passed',
    });
    const message = results.find((a) => a.status === 'failed')?.failureMessages.join('\n') ?? '';
    expect(message).toMatch(/FAILURE: keep-flag at command \d+ \(map\)/);
    for (const part of ['Program', '  expected: ok', '  actual:   ok', 'Address space before and after command', `--subject ${FAULTY_JS}`, 'Campaign: gpuvm-check fuzz']) {
      expect(message).toContain(part);
    }
    const saved = readdirSync(join(project, 'failures'));
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatch(/^keep-flag-[0-9a-f]{6}\.json$/);
    const replayLine = /Replay: gpuvm-check (replay \S+ --subject \S+)/.exec(message);
    expect(replayLine?.[1]).toBe(`replay failures/${saved[0]} --subject ${FAULTY_JS}`);
    const replay = cli(...(replayLine?.[1] ?? '').split(' '));
    expect(replay.status).toBe(1);
    expect(replay.stdout).toMatch(/^FAILURE: keep-flag/m);
  }, TEST_TIMEOUT_MS);

  test('--subject loads a plain .js subject (which fails) and a .ts subject (which passes, on two workers)', () => {
    const js = cli('fuzz', '--subject', FAULTY_JS, '--seed', '7', '--runs', '300', '--out', 'found-js');
    expect(js.status).toBe(1);
    expect(js.stdout).toMatch(/^FAILURE: keep-flag/m);
    expect(readdirSync(join(project, 'found-js')).filter((f) => f.startsWith('keep-flag-'))).toHaveLength(1);
    const ts = cli('fuzz', '--subject', 'counting-vm.ts', '--seed', '1', '--runs', '50', '--workers', '2', '--out', 'found-ts');
    expect(ts.stderr).not.toMatch(/error/i);
    expect(ts.status).toBe(0);
    expect(ts.stdout).toMatch(/^done: 50 runs, .*2 workers, counting-vm\.ts\)$/m);
  }, TEST_TIMEOUT_MS);

  test('tsx is loaded only for a TypeScript subject: without it, everything else still runs', () => {
    const tsx = join(project, 'node_modules/tsx');
    const aside = join(project, 'node_modules/.tsx-aside');
    renameSync(tsx, aside);
    try {
      expect(cli('--help').status).toBe(0);
      const fuzz = cli('fuzz', '--runs', '50', '--seed', '2', '--workers', '2', '--out', 'corpus');
      expect(fuzz.stderr).not.toMatch(/error/i);
      expect(fuzz.status).toBe(0);
      expect(cli('fuzz', '--subject', FAULTY_JS, '--seed', '7', '--runs', '300', '--out', 'found-js').status).toBe(1);
      expect(runOk('node', ['consumer.mjs'], project).stdout).toContain('"real":true');
      const ts = cli('fuzz', '--subject', 'counting-vm.ts', '--runs', '10');
      expect(ts.status).toBe(2);
      expect(ts.stderr).toMatch(/^gpuvm-check: subject "counting-vm\.ts": the module failed to load: loading a TypeScript module needs tsx, which failed to load/m);
    } finally {
      renameSync(aside, tsx);
    }
  }, TEST_TIMEOUT_MS);

  test('the fault zoo runs from the compiled modules, and a compiled fault module works as a subject', () => {
    const zoo = cli('zoo', '1', '--seeds', '1', '--budget', '10s');
    expect(zoo.status).toBe(0);
    expect(zoo.stdout).toMatch(/keep-ignores-offset .*1\/1/);
    const fault = cli('fuzz', '--subject', 'node_modules/gpuvm-check/dist/bench/faults/remap-hole-full-range.js', '--seed', '1', '--runs', '200', '--out', 'found-zoo');
    expect(fault.status).toBe(1);
    expect(fault.stdout).toMatch(/^FAILURE: remap-hole/m);
  }, TEST_TIMEOUT_MS);
});
