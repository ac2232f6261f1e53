/**
 * The invariants of the VM modes, madvise and deferred cleanup, on hand-made
 * steps (fixtures.ts): each bad step must fail exactly the check named, and
 * where several checks could see a bug, the first one reported must be the
 * one that names its root cause.
 */
import { describe, expect, it } from 'vitest';
import type { Command, Observation, OpRecord, Snapshot, TraceHeader } from '../../src/protocol/types.ts';
import type { InvariantName } from '../../properties/invariant-names.ts';
import { firstViolation, violationAfterThrow } from '../../properties/step-checker.ts';
import type { StepContext } from '../../properties/step-context.ts';
import { A, B, C, before, ctx, failing, header, immediateHeader, madviseAfter, madviseCmd, madviseObs, zombieBefore } from './fixtures.ts';

const protectedHeader: TraceHeader = { ...header, flags: { immediate: true, resvProtected: true } };
const CLEANUP: Command = { cmd: 'deferred_cleanup' };
const VALIDATE: Command = { cmd: 'validate' };
const OK: Observation = { ok: true };

/** `before` with object 2's live vm_bo gone (its VA B unmapped) and a zombie of it instead. */
function zombieOf2(evicted = false): Snapshot {
  return {
    ...before,
    vas: [A, C],
    vmBos: [before.vmBos[0]!],
    deferred: [{ bo: 2, evicted }],
  };
}

const deferUnmapB: Command = { cmd: 'unmap', addr: B.addr, range: B.range, via: 'steps', defer: true };
const unmapBObs: Observation = { ok: true, ops: [{ op: 'unmap', va: B, keep: false }] };

function only(c: StepContext, name: InvariantName): void {
  expect(failing(c)).toEqual([name]);
}

describe('zombies', () => {
  it('accepts the zombie a deferred unmap of the last VA leaves (non-protected: off both lists)', () => {
    expect(failing(ctx(deferUnmapB, unmapBObs, { ...zombieOf2(), extobjList: [] }, { header: immediateHeader }))).toEqual([]);
  });

  it('a zombie made by a command that drops no reference deferred', () => {
    const plainUnmap: Command = { cmd: 'unmap', addr: B.addr, range: B.range, via: 'steps' };
    only(ctx(plainUnmap, unmapBObs, { ...zombieOf2(), extobjList: [] }, { header: immediateHeader }), 'zombies');
  });

  it('zombies in a VM that is not in immediate mode', () => {
    only(ctx(deferUnmapB, unmapBObs, { ...zombieOf2(), extobjList: [] }), 'zombies');
  });

  it('a zombie of an undeclared object', () => {
    const after = { ...before, objects: before.objects, deferred: [{ bo: 9, evicted: false }] };
    expect(firstViolation(ctx({ cmd: 'bo_put_deferred', bo: 1 }, OK, after, { header: immediateHeader }))?.invariant).toBe('zombies');
  });

  it('a zombie still reachable from its object (listed with no reference): zombies, before vm-bo-unique', () => {
    const after: Snapshot = { ...zombieBefore, vmBos: [...before.vmBos, { bo: 2, refs: 0, vas: [], evicted: false }] };
    const v = firstViolation(ctx({ cmd: 'bo_put_deferred', bo: 2 }, OK, after, { header: immediateHeader }));
    expect(v?.invariant).toBe('zombies');
    expect(v?.reason).toMatch(/still reachable/);
  });

  it('a command other than cleanup that frees (or changes) a zombie', () => {
    only(ctx({ cmd: 'evict', bo: 1, evict: false }, OK, before, { header: immediateHeader, before: zombieBefore }), 'zombies');
    const flipped: Snapshot = { ...zombieBefore, deferred: [{ bo: 2, evicted: true }] };
    expect(firstViolation(ctx({ cmd: 'bo_put_deferred', bo: 1 }, OK, flipped, { header: immediateHeader, before: zombieBefore }))?.invariant).toBe('zombies');
  });

  it('a deferring command adds new zombies in front of the old ones', () => {
    const after: Snapshot = { ...zombieBefore, vas: [B, C], vmBos: [before.vmBos[1]!], objects: [{ bo: 1, refs: 2 }, { bo: 2, refs: 3 }] };
    const cmd: Command = { cmd: 'unmap', addr: A.addr, range: A.range, via: 'steps', defer: true };
    const obs: Observation = { ok: true, ops: [{ op: 'unmap', va: A, keep: false }] };
    expect(failing(ctx(cmd, obs, { ...after, deferred: [{ bo: 1, evicted: false }, { bo: 2, evicted: false }] }, { header: immediateHeader, before: zombieBefore }))).toEqual([]);
    expect(firstViolation(ctx(cmd, obs, { ...after, deferred: [{ bo: 2, evicted: false }, { bo: 1, evicted: false }] }, { header: immediateHeader, before: zombieBefore }))?.invariant).toBe('zombies');
  });

  it('cleanup that frees a zombie twice: zombies, before gem-refcount', () => {
    const doubleFree: Snapshot = { ...before, objects: [{ bo: 1, refs: 2 }, { bo: 2, refs: 1 }] };
    const c = ctx(CLEANUP, OK, doubleFree, { header: immediateHeader, before: zombieBefore });
    expect(failing(c)).toEqual(['zombies', 'gem-refcount']);
    expect(firstViolation(c)?.reason).toMatch(/freed exactly once/);
  });

  it('cleanup that changes a live vm_bo', () => {
    const after: Snapshot = { ...before, vmBos: [{ ...before.vmBos[0]!, evicted: true }, before.vmBos[1]!] };
    expect(firstViolation(ctx(CLEANUP, OK, after, { header: immediateHeader, before: zombieBefore }))?.invariant).toBe('zombies');
  });

  it('validate that calls back an object that only has a zombie, or one object twice', () => {
    const zombieOnly: Snapshot = { ...zombieOf2(true), extobjList: [] };
    only(ctx(VALIDATE, { ok: true, validated: [2] }, zombieOnly, { header: immediateHeader, before: zombieOnly }), 'zombies');
    const both: Snapshot = { ...zombieBefore, vmBos: [before.vmBos[0]!, { ...before.vmBos[1]!, evicted: true }], deferred: [{ bo: 2, evicted: true }] };
    const validated: Snapshot = { ...both, vmBos: [before.vmBos[0]!, before.vmBos[1]!] };
    expect(failing(ctx(VALIDATE, { ok: true, validated: [2] }, validated, { header: immediateHeader, before: both }))).toEqual([]);
    expect(firstViolation(ctx(VALIDATE, { ok: true, validated: [2, 2] }, validated, { header: immediateHeader, before: both }))?.invariant).toBe('zombies');
  });

  it('after a subject threw, the state-only part still names a zombie left reachable', () => {
    const after: Snapshot = { ...zombieBefore, vmBos: [...before.vmBos, { bo: 2, refs: 0, vas: [], evicted: false }] };
    expect(violationAfterThrow({ header: immediateHeader, after, held: new Map() }, 0, CLEANUP, new Error('boom')).invariant).toBe('zombies');
  });
});

describe('gem-refcount and vm-bo-unique count zombies', () => {
  it('a zombie holds one object reference; a zombie next to the live vm_bo is no duplicate', () => {
    const keep = { header: immediateHeader, before: zombieBefore };
    expect(failing(ctx({ cmd: 'evict', bo: 1, evict: false }, OK, zombieBefore, keep))).toEqual([]);
    only(ctx({ cmd: 'evict', bo: 1, evict: false }, OK, { ...zombieBefore, objects: before.objects }, keep), 'gem-refcount');
  });
});

describe('lists with zombies and resv protection', () => {
  const protectedZombie: Snapshot = { ...zombieOf2(), extobjList: [2] };

  it('resv-protected: a zombie of an external object stays on the extobj list; not protected: it must leave', () => {
    expect(failing(ctx(deferUnmapB, unmapBObs, protectedZombie, { header: protectedHeader }))).toEqual([]);
    only(ctx(deferUnmapB, unmapBObs, protectedZombie, { header: immediateHeader }), 'lists');
    only(ctx(deferUnmapB, unmapBObs, { ...protectedZombie, extobjList: [] }, { header: protectedHeader }), 'lists');
  });

  it('resv-protected: the zombie and the new live vm_bo of one object are both on the extobj list, once each', () => {
    const twice: Snapshot = { ...zombieBefore, extobjList: [2, 2] };
    const keep = { header: protectedHeader, before: twice };
    const cmd: Command = { cmd: 'evict', bo: 1, evict: false };
    expect(failing(ctx(cmd, OK, twice, keep))).toEqual([]);
    only(ctx(cmd, OK, { ...twice, extobjList: [2, 2, 2] }, keep), 'lists');
    only(ctx(cmd, OK, { ...twice, extobjList: [2] }, keep), 'lists');
  });

  it('resv-protected: an evicted external vm_bo is off the evict list, an evicted private one on it', () => {
    const evicted: Snapshot = { ...before, vmBos: before.vmBos.map((b) => ({ ...b, evicted: true })), evictList: [1] };
    const cmd: Command = { cmd: 'evict', bo: 2, evict: true };
    const h: TraceHeader = { ...header, flags: { resvProtected: true } };
    expect(failing(ctx(cmd, OK, evicted, { header: h }))).toEqual([]);
    only(ctx(cmd, OK, { ...evicted, evictList: [1, 2] }, { header: h }), 'lists');
    only(ctx(cmd, OK, evicted), 'lists');
  });

  it('resv-protected: an evicted zombie of a private object stays on the evict list', () => {
    const a: Snapshot = {
      ...before,
      vas: [B, C],
      vmBos: [before.vmBos[1]!],
      objects: [{ bo: 1, refs: 2 }, { bo: 2, refs: 2 }],
      deferred: [{ bo: 1, evicted: true }],
      evictList: [1],
    };
    const cmd: Command = { cmd: 'unmap', addr: A.addr, range: A.range, via: 'steps', defer: true };
    const obs: Observation = { ok: true, ops: [{ op: 'unmap', va: A, keep: false }] };
    expect(failing(ctx(cmd, obs, a, { header: protectedHeader }))).toEqual([]);
    only(ctx(cmd, obs, { ...a, evictList: [] }, { header: protectedHeader }), 'lists');
  });
});

describe('madvise-split-only', () => {
  const remapC = madviseObs.ops![0]!;
  const mapPiece = madviseObs.ops![1]! as Extract<OpRecord, { op: 'map' }>;

  it('accepts the split of C', () => {
    expect(failing(ctx(madviseCmd, madviseObs, madviseAfter))).toEqual([]);
  });

  it('an UNMAP op is madvise-split-only, reported before ops-shape', () => {
    const cmd: Command = { ...madviseCmd, addr: C.addr, range: C.range } as Command;
    const c = ctx(cmd, { ok: true, ops: [{ op: 'unmap', va: C, keep: false }] }, { ...before, vas: [A, B] });
    expect(firstViolation(c)?.invariant).toBe('madvise-split-only');
    expect(failing(c)).toContain('ops-shape');
  });

  it('a REMAP of a VA with an object', () => {
    const cmd: Command = { cmd: 'madvise', addr: 0x2000n, range: 0x800n, bo: null, offset: 0n };
    const ops: OpRecord[] = [
      { op: 'remap', unmap: { va: A, keep: false }, prev: { addr: 0x1000n, range: 0x1000n, bo: 1, offset: 0n }, next: { addr: 0x2800n, range: 0x800n, bo: 1, offset: 0x1800n }, hole: [0x2000n, 0x800n] },
      { op: 'map', addr: 0x2000n, range: 0x800n, bo: null, offset: 0n },
    ];
    const v = firstViolation(ctx(cmd, { ok: true, ops }, before));
    expect(v?.invariant).toBe('madvise-split-only');
    expect(v?.reason).toMatch(/leaves VAs with an object/);
  });

  it('a MAP that maps an object', () => {
    const ops = [remapC, { ...mapPiece, bo: 1 }];
    const after = { ...madviseAfter, vas: madviseAfter.vas.map((v) => (v.addr === 0x7800n ? { ...v, bo: 1 } : v)) };
    expect(firstViolation(ctx(madviseCmd, { ok: true, ops }, after))?.invariant).toBe('madvise-split-only');
  });

  it('a MAP that is not the split part inside the request', () => {
    const ops = [remapC, { ...mapPiece, addr: 0x7c00n, range: 0x400n }];
    only(ctx(madviseCmd, { ok: true, ops }, madviseAfter, { expectedObservation: { ok: true, ops } }), 'madvise-split-only');
  });

  it('a VA with an object changed by a madvise that reported nothing about it', () => {
    const after = { ...madviseAfter, vas: madviseAfter.vas.map((v) => (v === B ? { ...v, range: 0x1000n } : v)) };
    const v = firstViolation(ctx(madviseCmd, madviseObs, after));
    expect(v?.invariant).toBe('madvise-split-only');
    expect(v?.reason).toMatch(/a VA with an object changed/);
  });

  it('checks only the reported prefix after an injected failure (and unwind-restores the state)', () => {
    const cmd: Command = { ...madviseCmd, failAt: 1 } as Command;
    expect(failing(ctx(cmd, { ok: false, error: 'EIO', ops: [remapC] }, before))).toEqual([]);
    only(ctx(cmd, { ok: false, error: 'EIO', ops: [remapC] }, madviseAfter), 'unwind-restores');
  });
});

describe('the generic op checks know madvise', () => {
  const remapC = madviseObs.ops![0]!;
  const mapPiece = madviseObs.ops![1]!;

  it('ops-shape: a MAP that follows no REMAP, and fewer MAPs than REMAPs', () => {
    only(ctx(madviseCmd, { ok: true, ops: [mapPiece, remapC] }, madviseAfter), 'ops-shape');
    only(ctx(madviseCmd, { ok: true, ops: [remapC] }, madviseAfter), 'ops-shape');
  });

  it('ops-shape: failAt and allocFailAt count two ops per split VA', () => {
    only(ctx({ ...madviseCmd, failAt: 2 } as Command, { ok: true, ops: madviseObs.ops }, madviseAfter), 'ops-shape');
    expect(failing(ctx({ ...madviseCmd, failAt: 3 } as Command, madviseObs, madviseAfter))).toEqual([]);
    expect(failing(ctx({ ...madviseCmd, allocFailAt: 2 } as Command, { ok: false, error: 'ENOMEM' }, before))).toEqual([]);
    only(ctx({ ...madviseCmd, allocFailAt: 3 } as Command, { ok: false, error: 'ENOMEM' }, before), 'ops-shape');
  });

  it('exact-coverage: a NULL VA the request cuts must be split', () => {
    only(ctx(madviseCmd, { ok: true, ops: [] }, before), 'exact-coverage');
  });

  it('remap-offsets: the halves follow section 4 at the request edges', () => {
    const bad = { ...remapC, prev: { addr: 0x7000n, range: 0x800n, bo: null, offset: 0x1000n } } as OpRecord;
    const after = { ...madviseAfter, vas: madviseAfter.vas.map((v) => (v.addr === 0x7000n ? { ...v, offset: 0x1000n } : v)) };
    only(ctx(madviseCmd, { ok: true, ops: [bad, madviseObs.ops![1]!] }, after), 'remap-offsets');
  });

  it('keep-flag: always false for madvise', () => {
    const kept = { ...remapC, unmap: { va: C, keep: true } } as OpRecord;
    only(ctx(madviseCmd, { ok: true, ops: [kept, madviseObs.ops![1]!] }, madviseAfter), 'keep-flag');
  });
});
