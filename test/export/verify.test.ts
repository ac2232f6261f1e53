/**
 * When a KUnit case agrees with the harness's verdict on its trace.
 */
import { describe, expect, test } from 'vitest';
import type { KtapCase } from '../../src/export/ktap.ts';
import { NAMED_VARIANTS, type KunitVariant } from '../../src/export/variant.ts';
import { agrees, describeVerdict, type HarnessVerdict } from '../../src/export/verify.ts';

const V73 = NAMED_VARIANTS['7.3'] as KunitVariant;
const V612 = NAMED_VARIANTS['6.12'] as KunitVariant;

const kunit = (status: KtapCase['status'], failedCommand: number | null = null, crash = false): KtapCase => ({
  suite: 'drm_gpuvm',
  name: 'drm_test_gpuvm_x',
  status,
  reason: '',
  failures: status === 'fail' ? [{ kind: crash ? 'crash' : 'EXPECTATION', where: '', text: [], command: failedCommand }] : [],
  failedCommand,
});
const fail = (invariant: string, step: number): HarnessVerdict => ({ status: 'fail', step, invariant, message: '' });

describe('agrees', () => {
  test('a pass is a pass, a skip a skip', () => {
    expect(agrees({ status: 'pass' }, kunit('pass'), V73)).toBe(true);
    expect(agrees({ status: 'pass' }, kunit('fail', 0), V73)).toBe(false);
    expect(agrees({ status: 'skip', reason: 'x' }, kunit('skip'), V73)).toBe(true);
    expect(agrees({ status: 'skip', reason: 'x' }, kunit('pass'), V73)).toBe(false);
    expect(agrees({ status: 'pass' }, undefined, V73)).toBe(false);
  });

  test('a finding fails the case at the same command, and only there', () => {
    expect(agrees(fail('keep-flag', 1), kunit('fail', 1), V73)).toBe(true);
    expect(agrees(fail('keep-flag', 1), kunit('fail', 2), V73)).toBe(false);
    expect(agrees(fail('keep-flag', 1), kunit('fail', null), V73)).toBe(false);
    expect(agrees(fail('keep-flag', 1), kunit('pass'), V73)).toBe(false);
    expect(agrees(fail('keep-flag', 1), kunit('skip'), V73)).toBe(false);
  });

  test('a WARN: counted on 7.x, so strict there; before, a passing case agrees too', () => {
    expect(agrees(fail('kernel-warn', 0), kunit('pass'), V73)).toBe(false);
    expect(agrees(fail('kernel-warn', 0), kunit('fail', 0), V73)).toBe(true);
    expect(agrees(fail('kernel-warn', 0), kunit('pass'), V612)).toBe(true);
    expect(agrees(fail('kernel-warn', 0), kunit('fail', 1), V612)).toBe(false);
  });

  test('a leak: the case may pass (a kmalloc the test cannot see) or fail at that command (an op)', () => {
    expect(agrees(fail('alloc-leak', 1), kunit('pass'), V73)).toBe(true);
    expect(agrees(fail('alloc-leak', 1), kunit('fail', 1), V73)).toBe(true);
    expect(agrees(fail('alloc-leak', 1), kunit('fail', 0), V73)).toBe(false);
  });

  test('a crash or hang of the subject fails the case, wherever', () => {
    expect(agrees(fail('subject-crashed', 3), kunit('fail', null, true), V73)).toBe(true);
    expect(agrees(fail('subject-hung', 3), kunit('fail', 1), V73)).toBe(true);
    expect(agrees(fail('subject-crashed', 3), kunit('pass'), V73)).toBe(false);
  });
});

describe('describeVerdict', () => {
  test('one line: the tag, both outcomes and the file', () => {
    const line = (h: HarnessVerdict, k: KtapCase, v: KunitVariant): string =>
      describeVerdict({ file: 't.json', name: 'drm_test_gpuvm_x', harness: h, kunit: k, agrees: agrees(h, k, v) });
    expect(line(fail('keep-flag', 1), kunit('fail', 1), V73)).toBe('FAIL     drm_test_gpuvm_x: KUnit fails at command 1; the harness: keep-flag at command 1 (t.json)');
    expect(line(fail('keep-flag', 1), kunit('pass'), V73)).toBe('MISMATCH drm_test_gpuvm_x: KUnit passes; the harness: keep-flag at command 1 (t.json)');
    expect(line(fail('kernel-warn', 0), kunit('pass'), V612)).toBe(
      'PASS     drm_test_gpuvm_x: KUnit passes; the harness: kernel-warn at command 0, which a KUnit test cannot see on this tree (t.json)',
    );
  });
});
