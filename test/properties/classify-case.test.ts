/**
 * The classifier on the fifteen canonical old/req geometries of the
 * split/merge documentation, plus the folds and the non-overlapping pairs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BoRef, VaRecord } from '../../src/protocol/types.ts';
import { MADVISE_CASE_KEYS, classifyCase, classifyMadviseCase, type CaseRequest } from '../../properties/classify-case.ts';
import { madviseSplits } from '../../properties/geometry.ts';

const G = 0x1000n;
const n = 0x40n * G;

function va(from: number, to: number, bo: BoRef, offset: bigint): VaRecord {
  return { addr: BigInt(from) * G, range: BigInt(to - from) * G, bo, offset };
}
function req(from: number, to: number, bo: BoRef, offset: bigint): CaseRequest {
  return { addr: BigInt(from) * G, range: BigInt(to - from) * G, bo, offset };
}

const canonical: [number, string, VaRecord, CaseRequest][] = [
  [1, 'identical request', va(0, 2, 1, n), req(0, 2, 1, n)],
  [2, 'identical except the offset', va(0, 2, 1, n), req(0, 2, 1, n + 5n * G)],
  [3, 'identical except the object', va(0, 2, 1, n), req(0, 2, 2, n)],
  [4, 'VA is a left-aligned subset of the request', va(0, 1, 1, n), req(0, 2, 1, n)],
  [5, 'request is a left-aligned subset, other object', va(0, 2, 1, n), req(0, 1, 2, n)],
  [6, 'VA is a left-aligned superset, contiguous', va(0, 2, 1, n), req(0, 1, 1, n)],
  [7, 'request is a right-aligned subset, other object', va(0, 2, 1, n), req(1, 2, 2, n)],
  [8, 'VA is a right-aligned superset, contiguous', va(0, 2, 1, n), req(1, 2, 1, n + G)],
  [9, "request overlaps the VA's end, other object", va(0, 2, 1, n), req(1, 3, 2, n)],
  [10, "request overlaps the VA's end, contiguous", va(0, 2, 1, n), req(1, 3, 1, n + G)],
  [11, 'request is a centred subset, other object', va(0, 3, 1, n), req(1, 2, 2, n)],
  [12, 'request is a centred subset, contiguous', va(0, 3, 1, n), req(1, 2, 1, n + G)],
  [13, 'VA is a right-aligned subset of the request', va(1, 2, 1, n + G), req(0, 2, 1, n)],
  [14, 'VA is a centred subset of the request', va(1, 2, 1, n + G), req(0, 3, 1, n)],
  [15, "request overlaps the VA's start, other object", va(1, 3, 1, n), req(0, 2, 2, n)],
];

describe('classifyCase', () => {
  for (const [k, what, v, r] of canonical) {
    it(`case ${k}: ${what}`, () => {
      expect(classifyCase(v, r)).toBe(k);
    });
  }

  it('cases 4, 13, 14 and 15 fold every object and offset onto one case', () => {
    expect(classifyCase(va(0, 1, 1, n), req(0, 2, 2, 0n))).toBe(4);
    expect(classifyCase(va(0, 1, null, 0n), req(0, 2, null, 0n))).toBe(4);
    expect(classifyCase(va(1, 2, 2, 0n), req(0, 2, 1, n))).toBe(13);
    expect(classifyCase(va(1, 2, 1, 7n * G), req(0, 3, 1, n))).toBe(14);
    expect(classifyCase(va(1, 3, 1, n + G), req(0, 2, 1, n))).toBe(15);
  });

  it('a NULL VA under a NULL request is not "the same object"', () => {
    expect(classifyCase(va(0, 2, null, 0n), req(0, 2, null, 0n))).toBe(3);
    expect(classifyCase(va(0, 2, null, 0n), req(0, 1, null, 0n))).toBe(5);
    expect(classifyCase(va(0, 3, null, 0n), req(1, 2, null, G))).toBe(11);
  });

  it('"contiguous" means the same translation, not the same offset', () => {
    expect(classifyCase(va(0, 2, 1, n), req(1, 2, 1, n))).toBe(7);
    expect(classifyCase(va(0, 3, 1, n), req(1, 2, 1, n))).toBe(11);
  });

  it('pairs that do not overlap (including adjacent ones) have no case', () => {
    expect(classifyCase(va(0, 1, 1, n), req(1, 2, 1, n + G))).toBeNull();
    expect(classifyCase(va(2, 3, 1, n), req(0, 2, 1, n))).toBeNull();
    expect(classifyCase(va(0, 1, 1, n), req(0, 0, 1, n))).toBeNull();
  });

  it('classifies every overlapping pair to exactly one case, and no other pair', () => {
    const small = fc.integer({ min: 0, max: 6 });
    const bo = fc.constantFrom<BoRef>(null, 1, 2);
    const off = fc.integer({ min: 0, max: 4 }).map((x) => BigInt(x) * G);
    fc.assert(
      fc.property(small, fc.integer({ min: 1, max: 4 }), bo, off, small, fc.integer({ min: 1, max: 4 }), bo, off, (a, al, ab, ao, r, rl, rb, ro) => {
        const v = va(a, a + al, ab, ao);
        const q = req(r, r + rl, rb, ro);
        const overlap = a < r + rl && r < a + al;
        const k = classifyCase(v, q);
        if (!overlap) return k === null;
        return k !== null && Number.isInteger(k) && k >= 1 && k <= 15;
      }),
      { seed: 7, numRuns: 2000 },
    );
  });
});

describe('classifyMadviseCase', () => {
  const shapes: [string, string, VaRecord, CaseRequest][] = [
    ['m1', 'starts inside a NULL VA and ends at its end', va(0, 4, null, 0n), req(1, 4, null, 0n)],
    ['m2', 'starts inside a NULL VA and ends after it', va(0, 4, null, 0n), req(2, 6, null, 0n)],
    ['m3', 'starts at a NULL VA and ends inside it', va(0, 4, null, 0n), req(0, 3, null, 0n)],
    ['m4', 'starts before a NULL VA and ends inside it', va(2, 6, null, 0n), req(0, 4, null, 0n)],
    ['m5', 'lies inside one NULL VA', va(0, 6, null, 0n), req(2, 4, null, 0n)],
    ['m6', 'covers a NULL VA whole (or exactly)', va(2, 4, null, 0n), req(0, 6, null, 0n)],
    ['m7', 'overlaps a VA with an object, whatever the shape', va(0, 6, 1, n), req(2, 4, null, 0n)],
  ];
  for (const [k, what, v, r] of shapes) {
    it(`${k}: the request ${what}`, () => {
      expect(classifyMadviseCase(v, r)).toBe(k);
    });
  }

  it('the exact request is m6; no overlap has no case; each key is a MADVISE_CASE_KEYS entry', () => {
    expect(classifyMadviseCase(va(0, 4, null, 0n), req(0, 4, null, 0n))).toBe('m6');
    expect(classifyMadviseCase(va(0, 4, null, 0n), req(4, 6, null, 0n))).toBeNull();
    expect(classifyMadviseCase(va(0, 4, 1, n), req(4, 6, null, 0n))).toBeNull();
    expect(MADVISE_CASE_KEYS).toEqual(shapes.map(([k]) => k));
  });

  it('a case of m1..m5 exactly when madvise splits the VA (two ops), m6 / m7 exactly when it leaves it', () => {
    const small = fc.integer({ min: 0, max: 6 });
    fc.assert(
      fc.property(small, fc.integer({ min: 1, max: 4 }), fc.constantFrom<BoRef>(null, 1), small, fc.integer({ min: 1, max: 4 }), (a, al, ab, r, rl) => {
        const v = va(a, a + al, ab, 0n);
        const q = req(r, r + rl, null, 0n);
        const k = classifyMadviseCase(v, q);
        if (!(a < r + rl && r < a + al)) return k === null;
        return madviseSplits(v, q.addr, q.addr + q.range) === ['m1', 'm2', 'm3', 'm4', 'm5'].includes(k ?? '');
      }),
      { seed: 8, numRuns: 2000 },
    );
  });
});
