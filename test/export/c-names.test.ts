/**
 * Case names: a trace file's name as a C identifier, unique within a file.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CASE_PREFIX, caseNames, isCIdentifier, sanitizeIdentifier, traceStem } from '../../src/export/c-names.ts';

describe('sanitizeIdentifier', () => {
  test.each([
    ['keep-flag-7d6a4e', 'keep_flag_7d6a4e'],
    ['Case 01: Identical!', 'case_01_identical'],
    ['munmap-style-unbind-many-all', 'munmap_style_unbind_many_all'],
    ['--a--b--', 'a_b'],
    ['7d6a4e', 'trace_7d6a4e'],
    ['', 'trace'],
    ['---', 'trace'],
    ['int', 'int_trace'],
    ['über-größe', 'ber_gr_e'],
    ['a.b', 'a_b'],
  ])('%j -> %j', (input, want) => {
    expect(sanitizeIdentifier(input)).toBe(want);
  });

  test('always a lowercase C identifier without repeated or edge underscores (pinned seed)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const id = sanitizeIdentifier(s);
        expect(isCIdentifier(id)).toBe(true);
        expect(id).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
      }),
      { seed: 11, numRuns: 500 },
    );
  });
});

describe('caseNames', () => {
  test('named after the file: the stem without its directory and extension, behind the drm test prefix', () => {
    expect(traceStem('corpus/zoo/keep-flag-7d6a4e.json')).toBe('keep-flag-7d6a4e');
    expect(caseNames(['corpus/zoo/keep-flag-7d6a4e.json'])).toEqual([`${CASE_PREFIX}keep_flag_7d6a4e`]);
  });

  test('names that collide get _2, _3, ... in input order', () => {
    expect(caseNames(['a/x-y.json', 'b/x_y.json', 'x.y.json', 'c/x-y.json', 'z.json'])).toEqual([
      'drm_test_gpuvm_x_y',
      'drm_test_gpuvm_x_y_2',
      'drm_test_gpuvm_x_y_3',
      'drm_test_gpuvm_x_y_4',
      'drm_test_gpuvm_z',
    ]);
  });

  test('a name a suffix already took is not reused', () => {
    expect(caseNames(['x.json', 'x-2.json', 'x.json'])).toEqual(['drm_test_gpuvm_x', 'drm_test_gpuvm_x_2', 'drm_test_gpuvm_x_3']);
  });

  test('isCIdentifier rejects keywords, leading digits and punctuation', () => {
    expect(isCIdentifier('drm_gpuvm')).toBe(true);
    expect(isCIdentifier('static')).toBe(false);
    expect(isCIdentifier('9lives')).toBe(false);
    expect(isCIdentifier('a-b')).toBe(false);
    expect(isCIdentifier('')).toBe(false);
  });
});
