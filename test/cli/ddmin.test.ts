/**
 * ddmin over an abstract predicate: the result still fails, and is
 * 1-minimal (dropping any single element makes the failure go away).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ddmin, splitChunks } from '../../src/minimize/ddmin.ts';

describe('splitChunks', () => {
  it('splits into n nearly equal chunks in order, covering everything', () => {
    expect(splitChunks([0, 1, 2, 3, 4, 5, 6], 3)).toEqual([[0, 1], [2, 3], [4, 5, 6]]);
    expect(splitChunks([0, 1], 4)).toEqual([[0], [1]]);
  });
});

describe('ddmin', () => {
  it('finds the two culprits among ten', async () => {
    const r = await ddmin([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], (c) => c.includes(3) && c.includes(7));
    expect(r.items).toEqual([3, 7]);
  });

  it('keeps the order of the culprits', async () => {
    const r = await ddmin(['a', 'x', 'b', 'y', 'c'], (c) => c.join('').replace(/[xy]/g, '') === 'abc');
    expect(r.items).toEqual(['a', 'b', 'c']);
  });

  it('gives a 1-minimal failing subsequence for random "contains these" predicates', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 30 }), fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 4 }), async (input, needed) => {
        const must = needed.filter((n) => input.includes(n));
        const fails = (c: readonly number[]): boolean => c.length > 0 && must.every((n) => c.includes(n));
        const r = await ddmin(input, fails);
        expect(fails(r.items)).toBe(true);
        for (let i = 0; i < r.items.length; i++) {
          expect(fails(r.items.filter((_, j) => j !== i))).toBe(false);
        }
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('counts each distinct candidate once (cache)', async () => {
    const seen = new Set<string>();
    let calls = 0;
    const r = await ddmin([1, 2, 3, 4, 5, 6, 7, 8], (c) => {
      calls++;
      seen.add(c.join(','));
      return c.includes(5);
    });
    expect(r.items).toEqual([5]);
    expect(calls).toBe(seen.size);
    expect(r.tests).toBe(calls);
  });
});
