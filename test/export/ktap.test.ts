/**
 * Reading KTAP reports: the kernel's format (as kunit.py's raw output has
 * it) and the userspace runner's, with failures, crashes and skips.
 */
import { describe, expect, test } from 'vitest';
import { parseKtap } from '../../src/export/ktap.ts';

const KERNEL_STYLE = `KTAP version 1
1..2
    KTAP version 1
    # Subtest: drm_gpuvm
    # module: drm_gpuvm_test
    1..4
    ok 1 drm_test_gpuvm_case_01_identical
    # drm_test_gpuvm_zero_length_range: EXPECTATION FAILED at drivers/gpu/drm/tests/drm_gpuvm_test.c:169
    Expected got == want, but
        got == 0 (0x0)
        want == -22 (0xffffffffffffffea)
    command 0 (map): the result
    # drm_test_gpuvm_zero_length_range: EXPECTATION FAILED at drivers/gpu/drm/tests/drm_gpuvm_test.c:169
    Expected got == want, but
        got == 1 (0x1)
        want == 0 (0x0)
    command 0 (map): the number of ops
    not ok 2 drm_test_gpuvm_zero_length_range
    ok 3 drm_test_gpuvm_find_closed_windows # SKIP command 1 (find_next): this tree has no drm_gpuva_find_next()
    # drm_test_gpuvm_later: ASSERTION FAILED at drivers/gpu/drm/tests/drm_gpuvm_test.c:600
    Expected t->failed to be false, but is true
    command 3 (unmap) differs from the reference model
    not ok 4 drm_test_gpuvm_later
# drm_gpuvm: pass:1 fail:2 skip:1 total:4
# Totals: pass:1 fail:2 skip:1 total:4
not ok 1 drm_gpuvm
    KTAP version 1
    # Subtest: other
    1..1
    # other_crash: crashed (signal 11: Segmentation fault)
    not ok 1 other_crash
not ok 2 other
`;

describe('parseKtap', () => {
  const cases = parseKtap(KERNEL_STYLE);

  test('one entry per case, suites apart', () => {
    expect(cases.map((c) => [c.suite, c.name, c.status])).toEqual([
      ['drm_gpuvm', 'drm_test_gpuvm_case_01_identical', 'pass'],
      ['drm_gpuvm', 'drm_test_gpuvm_zero_length_range', 'fail'],
      ['drm_gpuvm', 'drm_test_gpuvm_find_closed_windows', 'skip'],
      ['drm_gpuvm', 'drm_test_gpuvm_later', 'fail'],
      ['other', 'other_crash', 'fail'],
    ]);
  });

  test('failures keep their place, their lines and the command they name', () => {
    const z = cases[1];
    expect(z?.failures).toHaveLength(2);
    expect(z?.failures[0]).toEqual({
      kind: 'EXPECTATION',
      where: 'drivers/gpu/drm/tests/drm_gpuvm_test.c:169',
      text: ['Expected got == want, but', 'got == 0 (0x0)', 'want == -22 (0xffffffffffffffea)', 'command 0 (map): the result'],
      command: 0,
    });
    expect(z?.failedCommand).toBe(0);
    expect(cases[3]?.failures[0]?.kind).toBe('ASSERTION');
    expect(cases[3]?.failedCommand).toBe(3);
  });

  test('a skip keeps its reason; a crash is a failure without a command', () => {
    expect(cases[2]?.reason).toBe('command 1 (find_next): this tree has no drm_gpuva_find_next()');
    expect(cases[4]?.failures).toEqual([{ kind: 'crash', where: '', text: ['crashed (signal 11: Segmentation fault)'], command: null }]);
    expect(cases[4]?.failedCommand).toBeNull();
  });

  test("the kernel's own layout: the message unindented (as kunit.py --raw_output=kunit prints a UML run)", () => {
    const uml = [
      '    ok 52 drm_test_gpuvm_walk_end_as_range',
      '    # drm_test_gpuvm_zero_length_range: EXPECTATION FAILED at drivers/gpu/drm/tests/drm_gpuvm_test.c:169',
      '    Expected got == want, but',
      '        got == 0 (0x0)',
      '        want == -22 (0xffffffffffffffea)',
      'command 0 (map): the result',
      '    # drm_test_gpuvm_zero_length_range: EXPECTATION FAILED at drivers/gpu/drm/tests/drm_gpuvm_test.c:169',
      '    Expected got == want, but',
      '        got == 1 (0x1)',
      '        want == 0 (0x0)',
      'command 0 (map): the number of ops',
      '    not ok 53 drm_test_gpuvm_zero_length_range',
      '# drm_gpuvm: pass:51 fail:1 skip:1 total:53',
      '[10:58:50] Elapsed time: 807.265s total, 4.386s configuring, 802.551s building, 0.310s running',
    ].join('\n');
    const c = parseKtap(`    KTAP version 1\n    # Subtest: drm_gpuvm\n    1..53\n${uml}`);
    expect(c.map((x) => [x.name, x.status, x.failedCommand])).toEqual([
      ['drm_test_gpuvm_walk_end_as_range', 'pass', null],
      ['drm_test_gpuvm_zero_length_range', 'fail', 0],
    ]);
    expect(c[1]?.failures.map((f) => f.text.at(-1))).toEqual(['command 0 (map): the result', 'command 0 (map): the number of ops']);
  });

  test('nothing to read gives no cases', () => {
    expect(parseKtap('')).toEqual([]);
    expect(parseKtap('KTAP version 1\n1..0\n# Totals: pass:0 fail:0 skip:0 total:0\n')).toEqual([]);
  });
});
