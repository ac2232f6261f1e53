/**
 * The harness's driver in the VM modes, with madvise and deferred cleanup:
 * each example states what the driver observes and shows, and the reference
 * model must answer exactly the same (observation and snapshot, command by
 * command).
 */
import { describe, expect, it } from 'vitest';
import { ReferenceModel } from '../../model/index.ts';
import { GpuVm, type GemObject, type GpuVmBo } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { Command, Observation, Snapshot, TraceHeader, VmFlags } from '../../src/protocol/types.ts';
import { P, header, map, mapOp, piece, remapOp, unmap, unmapOp, va } from './helpers.ts';

function withFlags(flags: VmFlags, objects: Parameters<typeof header>[0] = [1, { bo: 2, ext: true }]): TraceHeader {
  return { ...header(objects), flags };
}

/** Runs `commands` on the driver and on the model; every observation and snapshot must agree. Returns the driver's. */
function both(h: TraceHeader, commands: readonly Command[], subject = new GpuVmSubject()): { obs: Observation[]; snap: Snapshot } {
  const model = new ReferenceModel();
  subject.reset(h);
  model.reset(h);
  const obs: Observation[] = [];
  commands.forEach((c, i) => {
    const got = subject.exec(c);
    expect(got, `command ${i}`).toEqual(model.exec(c));
    expect(subject.snapshot(), `snapshot after command ${i}`).toEqual(model.snapshot());
    obs.push(got);
  });
  return { obs, snap: subject.snapshot() };
}

const IMMEDIATE: VmFlags = { immediate: true };
const BOTH: VmFlags = { immediate: true, resvProtected: true };
const steps = { via: 'steps' as const };
const deferred = { via: 'steps' as const, defer: true };
const CLEANUP: Command = { cmd: 'deferred_cleanup' };

/** A VM that counts which obtain path the driver takes. */
class CountingVm extends GpuVm {
  obtained = 0;
  preallocated = 0;
  override boObtain(obj: GemObject): GpuVmBo {
    this.obtained++;
    return super.boObtain(obj);
  }
  override boObtainPrealloc(pre: GpuVmBo): GpuVmBo {
    this.preallocated++;
    return super.boObtainPrealloc(pre);
  }
}

describe('the obtain path follows the VM mode, whatever via', () => {
  for (const [name, flags, path] of [
    ['a plain VM obtains', {}, 'obtained'],
    ['an immediate VM preallocates', IMMEDIATE, 'preallocated'],
  ] as const) {
    it(name, () => {
      let vm: CountingVm | null = null;
      const subject = new GpuVmSubject({ createVm: (cfg) => (vm = new CountingVm(cfg)) });
      both(withFlags(flags), [map(0n, 1n, 1, 0n), map(1n, 1n, 1, 1n, steps), { cmd: 'insert', addr: 4n * P, range: P, bo: 2, offset: 0n }, { cmd: 'bo_get', bo: 2 }], subject);
      const counted = vm as unknown as CountingVm;
      expect(counted[path]).toBe(4);
      expect(counted[path === 'obtained' ? 'preallocated' : 'obtained']).toBe(0);
    });
  }
});

describe('bo_put_deferred', () => {
  it('ENOENT without a held reference; EINVAL in a VM that is not immediate, keeping the reference', () => {
    const { obs, snap } = both(withFlags({ resvProtected: true }), [
      { cmd: 'bo_put_deferred', bo: 1 },
      { cmd: 'bo_get', bo: 1 },
      { cmd: 'bo_put_deferred', bo: 1 },
    ]);
    expect(obs.map((o) => o.error ?? 'ok')).toEqual(['ENOENT', 'ok', 'EINVAL']);
    expect(snap.vmBos).toEqual([{ bo: 1, refs: 1, vas: [], evicted: false }]);
    expect(snap.deferred).toEqual([]);
  });

  it("in an immediate VM the last one leaves a zombie holding its object's reference until cleanup", () => {
    const { snap } = both(withFlags(IMMEDIATE), [{ cmd: 'bo_get', bo: 2 }, { cmd: 'evict', bo: 2, evict: true }, { cmd: 'bo_put_deferred', bo: 2 }]);
    expect(snap).toEqual({
      vas: [],
      kernel: null,
      vmBos: [],
      objects: [
        { bo: 1, refs: 1 },
        { bo: 2, refs: 2 },
      ],
      evictList: [],
      extobjList: [],
      deferred: [{ bo: 2, evicted: true }],
    });
    const after = both(withFlags(IMMEDIATE), [{ cmd: 'bo_get', bo: 2 }, { cmd: 'bo_put_deferred', bo: 2 }, CLEANUP]).snap;
    expect([after.deferred, after.objects[1]]).toEqual([[], { bo: 2, refs: 1 }]);
  });
});

describe('map / unmap with defer', () => {
  it('EINVAL in a VM that is not immediate, before anything is done', () => {
    const { obs, snap } = both(withFlags({}), [map(0n, 2n, 1, 0n), unmap(0n, 2n, deferred), map(4n, 1n, 2, 0n, deferred)]);
    expect(obs.map((o) => o.error ?? 'ok')).toEqual(['ok', 'EINVAL', 'EINVAL']);
    expect(snap.vas).toEqual([va(0n, 2n, 1, 0n)]);
  });

  it('an unmap of the last VA leaves a zombie; the VAs are gone at once', () => {
    const { obs, snap } = both(withFlags(IMMEDIATE), [map(0n, 2n, 1, 0n), map(2n, 1n, 2, 0n), unmap(0n, 3n, deferred)]);
    expect(obs[2]).toEqual({ ok: true, ops: [unmapOp(va(0n, 2n, 1, 0n), false), unmapOp(va(2n, 1n, 2, 0n), false)] });
    expect(snap.vas).toEqual([]);
    expect(snap.vmBos).toEqual([]);
    expect(snap.deferred).toEqual([
      { bo: 2, evicted: false },
      { bo: 1, evicted: false },
    ]);
    expect(snap.objects).toEqual([
      { bo: 1, refs: 2 },
      { bo: 2, refs: 2 },
    ]);
  });

  it('a map over the last VA of another object leaves that one a zombie; the mapped vm_bo lives', () => {
    const { obs, snap } = both(withFlags(BOTH), [map(0n, 2n, 2, 0n), map(0n, 2n, 1, 0n, deferred)]);
    expect(obs[1]).toEqual({ ok: true, ops: [unmapOp(va(0n, 2n, 2, 0n), false), mapOp(0n, 2n, 1, 0n)] });
    expect(snap.vmBos).toEqual([{ bo: 1, refs: 1, vas: [[0n, 2n * P]], evicted: false }]);
    expect(snap.deferred).toEqual([{ bo: 2, evicted: false }]);
    expect(snap.extobjList).toEqual([2]); // resv-protected: the zombie stays on the extobj list until cleanup
  });

  it("a remap step never kills: the halves keep the old VA's vm_bo", () => {
    const { obs, snap } = both(withFlags(IMMEDIATE), [map(0n, 4n, 2, 0n), unmap(1n, 2n, deferred)]);
    expect(obs[1]).toEqual({
      ok: true,
      ops: [remapOp(va(0n, 4n, 2, 0n), false, piece(0n, 1n, 2, 0n), piece(3n, 1n, 2, 3n), [1n, 2n])],
    });
    expect(snap.deferred).toEqual([]);
    expect(snap.vmBos[0]!.refs).toBe(2);
  });

  it('a failure at step 1 of a map of a new object puts its fresh vm_bo deferred: a zombie of the request', () => {
    const { obs, snap } = both(withFlags(IMMEDIATE), [map(0n, 1n, 1, 0n), map(0n, 1n, 2, 0n, { ...deferred, failAt: 1 })]);
    expect(obs[1]).toEqual({ ok: false, error: 'EIO', ops: [unmapOp(va(0n, 1n, 1, 0n), false)] });
    expect(snap.vas).toEqual([va(0n, 1n, 1, 0n)]);
    expect(snap.deferred).toEqual([{ bo: 2, evicted: false }]);
  });

  it('a request the manager rejects puts the vm_bo at once: no zombie, nothing changed', () => {
    const { obs, snap } = both(withFlags(IMMEDIATE), [{ cmd: 'map', addr: P, range: 0n, bo: 2, offset: 0n, ...deferred }]);
    expect(obs[0]).toEqual({ ok: false, error: 'EINVAL' });
    expect([snap.deferred, snap.vmBos, snap.extobjList]).toEqual([[], [], []]);
  });

  it('the driver refuses a hand-built defer in ops mode', () => {
    const subject = new GpuVmSubject();
    subject.reset(withFlags(IMMEDIATE));
    expect(() => subject.exec({ cmd: 'unmap', addr: 0n, range: P, defer: true })).toThrow(/steps mode only/);
  });
});

describe('zombies and the lists', () => {
  it('resv-protected: a zombie and the new live vm_bo of one object are both on the extobj list; cleanup takes the zombie off', () => {
    const h = withFlags(BOTH, [{ bo: 1, ext: true }, { bo: 2, ext: true }]);
    const { snap } = both(h, [map(0n, 1n, 1, 0n), map(1n, 1n, 2, 0n), unmap(0n, 1n, deferred), map(2n, 1n, 1, 0n)]);
    expect(snap.extobjList).toEqual([1, 2, 1]);
    expect(snap.deferred).toEqual([{ bo: 1, evicted: false }]);
    const after = both(h, [map(0n, 1n, 1, 0n), map(1n, 1n, 2, 0n), unmap(0n, 1n, deferred), map(2n, 1n, 1, 0n), CLEANUP]).snap;
    expect(after.extobjList).toEqual([2, 1]);
  });

  it('resv-protected: an evicted zombie stays on the evict list and validate skips it', () => {
    const h = withFlags(BOTH, [1, 2]);
    const { obs, snap } = both(h, [
      map(0n, 1n, 1, 0n),
      map(1n, 1n, 2, 0n),
      { cmd: 'evict', bo: 1, evict: true },
      { cmd: 'evict', bo: 2, evict: true },
      unmap(0n, 1n, deferred),
      { cmd: 'validate' },
    ]);
    expect(obs[5]).toEqual({ ok: true, validated: [2] });
    expect(snap.evictList).toEqual([1]);
    expect(snap.deferred).toEqual([{ bo: 1, evicted: true }]);
  });

  it('not resv-protected: the zombie leaves both lists at once', () => {
    const { snap } = both(withFlags(IMMEDIATE), [map(0n, 1n, 2, 0n), { cmd: 'evict', bo: 2, evict: true }, unmap(0n, 1n, deferred)]);
    expect([snap.evictList, snap.extobjList, snap.deferred]).toEqual([[], [], [{ bo: 2, evicted: true }]]);
  });
});

describe('validate in a resv-protected VM', () => {
  it('an evicted external object is not on the evict list, yet validate validates it (through the extobj list)', () => {
    const h = withFlags({ resvProtected: true });
    const evicted = both(h, [map(0n, 1n, 1, 0n), map(1n, 1n, 2, 0n), { cmd: 'evict', bo: 2, evict: true }, { cmd: 'evict', bo: 1, evict: true }]);
    expect(evicted.snap.evictList).toEqual([1]);
    expect(evicted.snap.vmBos.map((b) => b.evicted)).toEqual([true, true]);
    const { obs, snap } = both(h, [
      map(0n, 1n, 1, 0n),
      map(1n, 1n, 2, 0n),
      { cmd: 'evict', bo: 2, evict: true },
      { cmd: 'evict', bo: 1, evict: true },
      { cmd: 'validate' },
    ]);
    expect(obs[4]).toEqual({ ok: true, validated: [1, 2] });
    expect(snap.evictList).toEqual([]);
    expect(snap.vmBos.map((b) => b.evicted)).toEqual([false, false]);
  });
});

describe('madvise', () => {
  it('splits a NULL VA at the request edges and leaves an object VA alone', () => {
    const { obs, snap } = both(withFlags({}), [map(0n, 4n, null, 0n), map(4n, 4n, 1, 0n), { cmd: 'madvise', addr: 2n * P, range: 4n * P, bo: null, offset: 0n }]);
    expect(obs[2]).toEqual({ ok: true, ops: [remapOp(va(0n, 4n, null, 0n), false, piece(0n, 2n, null, 0n), null, [2n, 2n]), mapOp(2n, 2n, null, 0n)] });
    expect(snap.vas).toEqual([va(0n, 2n, null, 0n), va(2n, 2n, null, 0n), va(4n, 4n, 1, 0n)]);
  });

  it('failAt unwinds, allocFailAt is ENOMEM, an invalid request EINVAL: nothing changes', () => {
    const setupCmds: Command[] = [map(0n, 8n, null, 0n)];
    const req = { cmd: 'madvise' as const, addr: 2n * P, range: 2n * P, bo: null, offset: 0n };
    const { obs, snap } = both(withFlags({}), [...setupCmds, { ...req, failAt: 2 }, { ...req, allocFailAt: 1 }, { ...req, range: 0n }]);
    expect(obs.slice(1).map((o) => [o.error, o.ops?.length])).toEqual([
      ['EIO', 2],
      ['ENOMEM', undefined],
      ['EINVAL', undefined],
    ]);
    expect(snap.vas).toEqual([va(0n, 8n, null, 0n)]);
  });
});
