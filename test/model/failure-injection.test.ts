/**
 * Injected failures: `failAt` in both via modes and `allocFailAt` (ops mode).
 * ops mode: the driver unwinds, so the VM is exactly as before.
 * steps mode: steps 1..k-1 stay applied, step k did nothing.
 */

import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/protocol/index.ts';
import { B, P, freshModel, mapCmd, objectRefs, opMap, opRemap, opUnmap, piece, unmapCmd, va, vmBo } from './helpers.ts';

// X = [0, 2) bo 1 @0, Y = [2, 3) bo 2 @0x20000, Z = [3, 5) bo 2 @0.
// Request: map [1, 4) to the external bo 3 at offset 0 -> REMAP X, UNMAP Y, REMAP Z, MAP (n = 4).
const X = va(B, 2n * P, 1, 0n);
const Y = va(B + 2n * P, P, 2, 0x20000n);
const Z = va(B + 3n * P, 2n * P, 2, 0n);
const SETUP = [mapCmd(B, 2n * P, 1, 0n), mapCmd(B + 2n * P, P, 2, 0x20000n), mapCmd(B + 3n * P, 2n * P, 2, 0n)];
const OPS = [
  opRemap(X, false, piece(B, P, 1, 0n), null, [B + P, P]),
  opUnmap(Y, false),
  opRemap(Z, false, null, piece(B + 4n * P, P, 2, P), [B + 3n * P, P]),
  opMap(B + P, 3n * P, 3, 0n),
];
const REQ = (extra: object) => mapCmd(B + P, 3n * P, 3, 0n, extra);

function snap(vas: Snapshot['vas'], vmBos: Snapshot['vmBos'], withVmBo: number[], extobjList: number[] = []): Snapshot {
  return { vas, kernel: { addr: 0n, range: P }, vmBos, objects: objectRefs(...withVmBo), evictList: [], extobjList, deferred: [] };
}

const BEFORE = snap([X, Y, Z], [vmBo(1, 1, [[B, 2n * P]]), vmBo(2, 2, [[B + 2n * P, P], [B + 3n * P, 2n * P]])], [1, 2]);
const AFTER = snap(
  [va(B, P, 1, 0n), va(B + P, 3n * P, 3, 0n), va(B + 4n * P, P, 2, P)],
  [vmBo(1, 1, [[B, P]]), vmBo(2, 1, [[B + 4n * P, P]]), vmBo(3, 1, [[B + P, 3n * P]])],
  [1, 2, 3],
  [3],
);

describe('ops mode failAt', () => {
  it('the setup is what the tests assume', () => {
    expect(freshModel(SETUP).snapshot()).toStrictEqual(BEFORE);
  });

  for (const k of [1, 2, 3, 4]) {
    it(`failAt ${k} of 4: EIO with the first ${k} ops and the VM exactly as before`, () => {
      const m = freshModel(SETUP);
      expect(m.exec(REQ({ failAt: k }))).toStrictEqual({ ok: false, error: 'EIO', ops: OPS.slice(0, k) });
      expect(m.snapshot()).toStrictEqual(BEFORE);
    });
  }

  it('failAt beyond the last op has no effect', () => {
    const m = freshModel(SETUP);
    expect(m.exec(REQ({ failAt: 5 }))).toStrictEqual({ ok: true, ops: OPS });
    expect(m.snapshot()).toStrictEqual(AFTER);
  });

  it('"via: ops" written out is the default', () => {
    const m = freshModel(SETUP);
    expect(m.exec(REQ({ via: 'ops', failAt: 2 }))).toStrictEqual({ ok: false, error: 'EIO', ops: OPS.slice(0, 2) });
    expect(m.snapshot()).toStrictEqual(BEFORE);
  });

  it('an unwound unmap keeps a vm_bo that lost its last VA, with its evicted flag and list place', () => {
    const m = freshModel([mapCmd(B, P, 1, 0n), mapCmd(B + P, P, 2, 0n), { cmd: 'evict', bo: 1, evict: true }]);
    expect(m.exec(unmapCmd(B, 2n * P, { failAt: 2 }))).toStrictEqual({
      ok: false,
      error: 'EIO',
      ops: [opUnmap(va(B, P, 1, 0n), false), opUnmap(va(B + P, P, 2, 0n), false)],
    });
    const s = m.snapshot();
    expect(s.vmBos).toStrictEqual([vmBo(1, 1, [[B, P]], true), vmBo(2, 1, [[B + P, P]])]);
    expect(s.evictList).toStrictEqual([1]);
  });
});

describe('steps mode failAt', () => {
  it('failAt 1: step 1 did nothing, so nothing changed (the preallocated vm_bo of bo 3 is gone again)', () => {
    const m = freshModel(SETUP);
    expect(m.exec(REQ({ via: 'steps', failAt: 1 }))).toStrictEqual({ ok: false, error: 'EIO', ops: OPS.slice(0, 1) });
    expect(m.snapshot()).toStrictEqual(BEFORE);
  });

  it('failAt 2: the REMAP of X stays applied', () => {
    const m = freshModel(SETUP);
    expect(m.exec(REQ({ via: 'steps', failAt: 2 }))).toStrictEqual({ ok: false, error: 'EIO', ops: OPS.slice(0, 2) });
    expect(m.snapshot()).toStrictEqual(
      snap([va(B, P, 1, 0n), Y, Z], [vmBo(1, 1, [[B, P]]), vmBo(2, 2, [[B + 2n * P, P], [B + 3n * P, 2n * P]])], [1, 2]),
    );
  });

  it('failAt 3: the REMAP of X and the UNMAP of Y stay applied', () => {
    const m = freshModel(SETUP);
    expect(m.exec(REQ({ via: 'steps', failAt: 3 }))).toStrictEqual({ ok: false, error: 'EIO', ops: OPS.slice(0, 3) });
    expect(m.snapshot()).toStrictEqual(snap([va(B, P, 1, 0n), Z], [vmBo(1, 1, [[B, P]]), vmBo(2, 1, [[B + 3n * P, 2n * P]])], [1, 2]));
  });

  it('failAt 4 (the MAP): every cut is applied but nothing is mapped, and bo 3 has no vm_bo', () => {
    const m = freshModel(SETUP);
    expect(m.exec(REQ({ via: 'steps', failAt: 4 }))).toStrictEqual({ ok: false, error: 'EIO', ops: OPS });
    expect(m.snapshot()).toStrictEqual(
      snap([va(B, P, 1, 0n), va(B + 4n * P, P, 2, P)], [vmBo(1, 1, [[B, P]]), vmBo(2, 1, [[B + 4n * P, P]])], [1, 2]),
    );
  });

  it('failAt beyond the last step has no effect: same result as ops mode', () => {
    const m = freshModel(SETUP);
    expect(m.exec(REQ({ via: 'steps', failAt: 9 }))).toStrictEqual({ ok: true, ops: OPS });
    expect(m.snapshot()).toStrictEqual(AFTER);
  });

  it('a step prefix that unmaps an object\'s last VA destroys its vm_bo, taking it off the evict list', () => {
    const m = freshModel([mapCmd(B, P, 1, 0n), mapCmd(B + P, P, 2, 0n), { cmd: 'evict', bo: 1, evict: true }]);
    expect(m.exec(unmapCmd(B, 2n * P, { via: 'steps', failAt: 2 }))).toStrictEqual({
      ok: false,
      error: 'EIO',
      ops: [opUnmap(va(B, P, 1, 0n), false), opUnmap(va(B + P, P, 2, 0n), false)],
    });
    const s = m.snapshot();
    expect(s.vas).toStrictEqual([va(B + P, P, 2, 0n)]);
    expect(s.vmBos).toStrictEqual([vmBo(2, 1, [[B + P, P]])]);
    expect(s.evictList).toStrictEqual([]);
    expect(s.objects).toStrictEqual(objectRefs(2));
  });

  it('an unmap with nothing to cut ignores failAt', () => {
    const m = freshModel(SETUP);
    expect(m.exec(unmapCmd(B + 9n * P, P, { via: 'steps', failAt: 1 }))).toStrictEqual({ ok: true, ops: [] });
    expect(m.exec(unmapCmd(B + 9n * P, P, { failAt: 1 }))).toStrictEqual({ ok: true, ops: [] });
    expect(m.snapshot()).toStrictEqual(BEFORE);
  });
});

describe('allocFailAt (ops mode)', () => {
  for (const k of [1, 4]) {
    it(`allocFailAt ${k} of 4: ENOMEM without ops, nothing changes`, () => {
      const m = freshModel(SETUP);
      expect(m.exec(REQ({ allocFailAt: k }))).toStrictEqual({ ok: false, error: 'ENOMEM' });
      expect(m.snapshot()).toStrictEqual(BEFORE);
    });
  }

  it('allocFailAt beyond the last op has no effect', () => {
    const m = freshModel(SETUP);
    expect(m.exec(REQ({ allocFailAt: 5 }))).toStrictEqual({ ok: true, ops: OPS });
    expect(m.snapshot()).toStrictEqual(AFTER);
  });

  it('the allocation failure comes first: allocFailAt <= n wins over failAt', () => {
    const m = freshModel(SETUP);
    expect(m.exec(REQ({ allocFailAt: 2, failAt: 1 }))).toStrictEqual({ ok: false, error: 'ENOMEM' });
    expect(m.snapshot()).toStrictEqual(BEFORE);
  });

  it('allocFailAt beyond n lets failAt act', () => {
    const m = freshModel(SETUP);
    expect(m.exec(REQ({ allocFailAt: 5, failAt: 3 }))).toStrictEqual({ ok: false, error: 'EIO', ops: OPS.slice(0, 3) });
    expect(m.snapshot()).toStrictEqual(BEFORE);
  });

  it('applies to unmap too', () => {
    const m = freshModel(SETUP);
    expect(m.exec(unmapCmd(B, 5n * P, { allocFailAt: 3 }))).toStrictEqual({ ok: false, error: 'ENOMEM' });
    expect(m.snapshot()).toStrictEqual(BEFORE);
    expect(m.exec(unmapCmd(B, 5n * P, { allocFailAt: 4 }))).toStrictEqual({
      ok: true,
      ops: [opUnmap(X, false), opUnmap(Y, false), opUnmap(Z, false)],
    });
    expect(m.snapshot().vas).toStrictEqual([]);
  });

  it('a validation failure comes before any injected failure', () => {
    const m = freshModel(SETUP);
    expect(m.exec(mapCmd(B, 0n, 1, 0n, { allocFailAt: 1 }))).toStrictEqual({ ok: false, error: 'EINVAL' });
    expect(m.exec(mapCmd(B, 0n, 1, 0n, { failAt: 1, via: 'steps' }))).toStrictEqual({ ok: false, error: 'EINVAL' });
    expect(m.snapshot()).toStrictEqual(BEFORE);
  });

  it('the model refuses allocFailAt with via "steps" (the codec never produces it)', () => {
    const m = freshModel(SETUP);
    expect(() => m.exec(REQ({ via: 'steps', allocFailAt: 1 }))).toThrow(/allocFailAt/);
  });
});
