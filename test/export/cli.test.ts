/**
 * `gpuvm-check export kunit` on the command line: the file on stdout or in
 * -o, the patch, the userspace run agreeing with the harness, and bad input
 * (exit 2, one line naming it, nothing written).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { lastJson, REPO, removeTempDirs, runCli, tempDir } from '../cli/run-cli.ts';
import { skipReason, titled, treeOf } from '../kernel/trees.ts';

afterAll(removeTempDirs);

const ZOO = ['corpus/zoo/keep-ignores-offset.json', 'corpus/zoo/zero-length-range.json'];

describe('export kunit', () => {
  test('writes the file to stdout', () => {
    const r = runCli(['export', 'kunit', ...ZOO]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith('// SPDX-License-Identifier: GPL-2.0-only OR MIT\n')).toBe(true);
    expect(r.stdout).toContain('\tKUNIT_CASE(drm_test_gpuvm_keep_ignores_offset),\n\tKUNIT_CASE(drm_test_gpuvm_zero_length_range),\n');
  });

  test('-o writes it (and says so on stderr); --suite, --license and --tree VERSION are honoured', () => {
    const dir = tempDir();
    const out = join(dir, 'sub', 'drm_gpuvm_test.c');
    const r = runCli(['export', 'kunit', ...ZOO, '-o', out, '--suite', 'gpuvm_corpus', '--license', 'GPL-2.0-only', '--tree', '6.12']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`export kunit: 2 cases (6.12) written to ${out}\n`);
    const text = readFileSync(out, 'utf8');
    expect(text.startsWith('// SPDX-License-Identifier: GPL-2.0-only\n')).toBe(true);
    expect(text).toContain('\t.name = "gpuvm_corpus",');
    expect(text).toContain('MODULE_LICENSE("GPL");');
    expect(text).toContain('drm_gpuvm_bo_obtain(&t->vm, &o->gem)');
  });

  test('--json: one object on the last line', () => {
    const r = runCli(['export', 'kunit', ...ZOO, '-o', join(tempDir(), 'x.c'), '--json']);
    expect(r.status).toBe(0);
    expect(lastJson(r)).toMatchObject({ status: 'written', cases: ['drm_test_gpuvm_keep_ignores_offset', 'drm_test_gpuvm_zero_length_range'] });
  });

  describe('bad input: exit 2, one line, nothing written', () => {
    const cases: [string, (dir: string) => string[], RegExp][] = [
      [
        'a trace that does not parse',
        (dir) => {
          writeFileSync(join(dir, 'broken.json'), '{"format": "gpuvm-trace/1", "vm": ');
          return [join(dir, 'broken.json')];
        },
        /^gpuvm-check: .*broken\.json: .*\n$/,
      ],
      [
        'a trace with an unknown command',
        (dir) => {
          writeFileSync(join(dir, 'unknown.json'), JSON.stringify({ format: 'gpuvm-trace/1', vm: { start: '0x0', range: '0x10' }, objects: [], commands: [{ cmd: 'mmap' }] }));
          return [join(dir, 'unknown.json')];
        },
        /^gpuvm-check: .*unknown\.json: command 0: field "cmd": .*\n$/,
      ],
      ['an unknown --tree variant', () => [...ZOO, '--tree', '5.4'], /^gpuvm-check: export kunit: --tree 5\.4: unknown API variant \(known: 6\.12, 7\.3; or give the directory of a kernel tree\)\n$/],
      ['a directory that is not a kernel tree', (dir) => [...ZOO, '--tree', dir], /^gpuvm-check: export kunit: --tree .*: .* is not a kernel tree \(no top-level Makefile with VERSION and PATCHLEVEL\)\n$/],
      ['--patch without a tree', () => [...ZOO, '--patch', '--tree', '7.3'], /^gpuvm-check: export kunit: --patch needs --tree PATH, the directory of a kernel tree \(7\.3 names an API variant, not a tree\)\n$/],
      ['a bad suite name', () => [...ZOO, '--suite', '1st'], /^gpuvm-check: export kunit: --suite "1st": the suite's name must be a C identifier/],
      ['a licence it cannot carry', () => [...ZOO, '--license', 'BSD-3-Clause'], /^gpuvm-check: export kunit: --license "BSD-3-Clause": not a licence the test can use/],
      ['--sanitize without --run', () => [...ZOO, '--sanitize'], /^gpuvm-check: export kunit: --sanitize applies to --run only\n$/],
      ['no trace', () => [], /^gpuvm-check: export kunit: no trace file given/],
      ['a missing trace file', (dir) => [join(dir, 'missing.json')], /missing\.json/],
    ];
    for (const [what, args, message] of cases) {
      test(what, () => {
        const dir = tempDir();
        const out = join(dir, 'out', 'test.c');
        const r = runCli(['export', 'kunit', ...args(dir), '-o', out]);
        expect(r.stderr).toMatch(message);
        expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
        expect(r.status).toBe(2);
        expect(r.stdout).toBe('');
        expect(existsSync(out)).toBe(false);
        expect(existsSync(join(dir, 'out'))).toBe(false);
      });
    }

    test('an unwritable output (its directory is a file)', () => {
      const dir = tempDir();
      writeFileSync(join(dir, 'file'), 'x');
      const r = runCli(['export', 'kunit', ...ZOO, '-o', join(dir, 'file', 'test.c')]);
      expect(r.stderr).toMatch(/^gpuvm-check: export kunit: cannot write .*file\/test\.c: .*\n$/);
      expect(r.status).toBe(2);
      expect(readdirSync(dir)).toEqual(['file']);
      expect(readFileSync(join(dir, 'file'), 'utf8')).toBe('x');
    });

    test('an existing output is not touched when the input is bad', () => {
      const dir = tempDir();
      const out = join(dir, 'test.c');
      writeFileSync(out, 'old');
      mkdirSync(join(dir, 'x'));
      const r = runCli(['export', 'kunit', ...ZOO, '--tree', '4.19', '-o', out]);
      expect(r.status).toBe(2);
      expect(readFileSync(out, 'utf8')).toBe('old');
      expect(readdirSync(dir).sort()).toEqual(['test.c', 'x']);
    });

    test('an unknown format', () => {
      const r = runCli(['export', 'tap', ...ZOO]);
      expect(r.stderr).toBe("gpuvm-check: export: unknown format 'tap' (known: kunit)\n");
      expect(r.status).toBe(2);
    });
  });
});

describe.skipIf(skipReason('7.3') !== null)(titled('7.3', 'export kunit --run and --patch on a tree'), () => {
  test('--run: every case agrees with the harness (exit 0), in JSON too', () => {
    const tree = treeOf('7.3') as string;
    const r = runCli(['export', 'kunit', ...ZOO, 'corpus/zoo/find-closed-windows.json', '--tree', tree, '--run', '--json']);
    expect(r.status).toBe(0);
    const j = lastJson(r);
    expect(j).toMatchObject({ status: 'agree', pass: 1, fail: 1, skip: 1, warnings: [] });
    expect((j['cases'] as { name: string; kunit: unknown; harness: unknown; agrees: boolean }[]).map((c) => [c.name, c.kunit, c.harness, c.agrees])).toEqual([
      ['drm_test_gpuvm_keep_ignores_offset', { status: 'pass', command: null, reason: '' }, { status: 'pass' }, true],
      ['drm_test_gpuvm_zero_length_range', { status: 'fail', command: 0, reason: '' }, expect.objectContaining({ status: 'fail', step: 0 }), true],
      ['drm_test_gpuvm_find_closed_windows', expect.objectContaining({ status: 'skip', command: null }), expect.objectContaining({ status: 'skip' }), true],
    ]);
  }, 180_000);

  test('--run -v prints the KTAP report and one line per case', () => {
    const tree = treeOf('7.3') as string;
    const r = runCli(['export', 'kunit', ...ZOO, '--tree', tree, '--run', '-v']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('    # drm_test_gpuvm_zero_length_range: EXPECTATION FAILED at drivers/gpu/drm/tests/drm_gpuvm_test.c:');
    expect(r.stdout).toMatch(/^PASS {5}drm_test_gpuvm_keep_ignores_offset: KUnit passes; the harness: passes \(corpus\/zoo\/keep-ignores-offset\.json\)$/m);
    expect(r.stdout).toMatch(/^FAIL {5}drm_test_gpuvm_zero_length_range: KUnit fails at command 0; the harness: no-overlap at command 0 /m);
    expect(r.stdout).toMatch(/every case agrees with the harness$/m);
  }, 180_000);
});

describe('scripts/kunit-uml.ts', () => {
  test('a tree that is not a full kernel tree is bad input (exit 2, one line)', () => {
    const dir = tempDir();
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'scripts/kunit-uml.ts'), '--tree', dir], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe(`kunit-uml: ${dir} is not a full kernel tree (no tools/testing/kunit/kunit.py; scripts/fetch-kernel-trees.sh --full 7.3 extracts one)\n`);
    expect(r.status).toBe(2);
  });

  test('a trace that does not parse is bad input, in one line', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'kunit.py'), '');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format": "gpuvm-findings/1"}');
    const tree = treeOf('7.3');
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'scripts/kunit-uml.ts'), '--tree', tree ?? dir, bad], { encoding: 'utf8', timeout: 120_000 });
    if (tree === null || !existsSync(join(tree, 'tools/testing/kunit/kunit.py'))) {
      expect(r.stderr).toMatch(/^kunit-uml: .* is not a full kernel tree/);
    } else {
      expect(r.stderr).toMatch(/^kunit-uml: .*bad\.json: field "format": expected "gpuvm-trace\/1", got "gpuvm-findings\/1"\n$/);
    }
    expect(r.status).toBe(2);
  });

  test('an unknown option is bad input', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'scripts/kunit-uml.ts'), '--fast'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('kunit-uml: unknown option --fast\n');
    expect(r.status).toBe(2);
  });
});
