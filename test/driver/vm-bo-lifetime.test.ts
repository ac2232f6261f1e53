/**
 * vm_bo lifetimes as the driver manages them across map, unmap, bo_unmap,
 * bo_get / bo_put, insert / remove, and the evict / validate lists.
 */

import { describe, expect, it } from 'vitest';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import { header, insert, map, setup, subjectFor, unmap, unmapOp, va } from './helpers.ts';

const P = 0x1000n;

describe('map and unmap', () => {
  it('one vm_bo per object, with one reference per linked VA; the last unmap destroys it', () => {
    const subject = subjectFor(header([1]));
    setup(subject, map(1n, 1n, 1, 0n), map(4n, 2n, 1, 8n));
    let snap = subject.snapshot();
    expect(snap.vmBos).toEqual([{ bo: 1, refs: 2, vas: [[P, P], [4n * P, 2n * P]], evicted: false }]);
    expect(snap.objects).toEqual([{ bo: 1, refs: 2 }]);

    setup(subject, unmap(1n, 1n));
    expect(subject.snapshot().vmBos).toEqual([{ bo: 1, refs: 1, vas: [[4n * P, 2n * P]], evicted: false }]);

    setup(subject, unmap(4n, 2n, { via: 'steps' }));
    snap = subject.snapshot();
    expect(snap.vmBos).toEqual([]);
    expect(snap.objects).toEqual([{ bo: 1, refs: 1 }]);
  });

  it.each(['ops', 'steps'] as const)('a remap of the only VA of a vm_bo keeps the vm_bo alive (%s mode)', (via) => {
    const subject = subjectFor(header([1, 2]));
    setup(subject, map(1n, 3n, 1, 0n));
    setup(subject, map(2n, 1n, 2, 0n, { via }));
    expect(subject.snapshot().vmBos).toEqual([
      { bo: 1, refs: 2, vas: [[P, P], [3n * P, P]], evicted: false },
      { bo: 2, refs: 1, vas: [[2n * P, P]], evicted: false },
    ]);
  });

  it('an external object goes on the extobj list once, in first-map order, and leaves with its vm_bo', () => {
    const subject = subjectFor(header([{ bo: 1, ext: true }, { bo: 2, ext: true }, 3]));
    setup(subject, map(1n, 1n, 2, 0n), map(2n, 1n, 3, 0n), map(3n, 1n, 1, 0n), map(4n, 1n, 2, 1n, { via: 'steps' }));
    expect(subject.snapshot().extobjList).toEqual([2, 1]);
    setup(subject, unmap(1n, 1n), unmap(4n, 1n));
    expect(subject.snapshot().extobjList).toEqual([1]);
  });

  it('a NULL mapping has no vm_bo and takes no object reference', () => {
    const subject = subjectFor(header([1]));
    setup(subject, map(1n, 4n, null, 0n, { via: 'steps' }), map(6n, 1n, null, 0n));
    const snap = subject.snapshot();
    expect(snap.vas).toEqual([va(1n, 4n, null, 0n), va(6n, 1n, null, 0n)]);
    expect(snap.vmBos).toEqual([]);
    expect(snap.objects).toEqual([{ bo: 1, refs: 1 }]);
  });
});

describe('bo_get / bo_put', () => {
  it('bo_get creates the vm_bo without VAs and holds it; bo_put drops it; a second bo_put is ENOENT', () => {
    const subject = subjectFor(header([{ bo: 1, ext: true }]));
    expect(subject.exec({ cmd: 'bo_get', bo: 1 })).toEqual({ ok: true });
    let snap = subject.snapshot();
    expect(snap.vmBos).toEqual([{ bo: 1, refs: 1, vas: [], evicted: false }]);
    expect(snap.objects).toEqual([{ bo: 1, refs: 2 }]);
    expect(snap.extobjList).toEqual([1]);

    expect(subject.exec({ cmd: 'bo_put', bo: 1 })).toEqual({ ok: true });
    snap = subject.snapshot();
    expect(snap.vmBos).toEqual([]);
    expect(snap.extobjList).toEqual([]);
    expect(subject.exec({ cmd: 'bo_put', bo: 1 })).toEqual({ ok: false, error: 'ENOENT' });
  });

  it('held references add to the VA references and keep the vm_bo after its last VA goes', () => {
    const subject = subjectFor(header([1]));
    setup(subject, { cmd: 'bo_get', bo: 1 }, { cmd: 'bo_get', bo: 1 }, map(1n, 1n, 1, 0n));
    expect(subject.snapshot().vmBos).toEqual([{ bo: 1, refs: 3, vas: [[P, P]], evicted: false }]);
    setup(subject, unmap(1n, 1n), { cmd: 'bo_put', bo: 1 });
    expect(subject.snapshot().vmBos).toEqual([{ bo: 1, refs: 1, vas: [], evicted: false }]);
    setup(subject, { cmd: 'bo_put', bo: 1 });
    expect(subject.snapshot().vmBos).toEqual([]);
  });
});

describe('bo_unmap', () => {
  it('unmaps every VA of the object in ascending order (keep false) and destroys its vm_bo', () => {
    const subject = subjectFor(header([1, 2]));
    setup(subject, map(7n, 1n, 1, 3n), map(1n, 2n, 1, 0n), map(4n, 1n, 2, 0n), map(5n, 1n, 1, 9n, { via: 'steps' }));
    expect(subject.exec({ cmd: 'bo_unmap', bo: 1 })).toEqual({
      ok: true,
      ops: [unmapOp(va(1n, 2n, 1, 0n), false), unmapOp(va(5n, 1n, 1, 9n), false), unmapOp(va(7n, 1n, 1, 3n), false)],
    });
    const snap = subject.snapshot();
    expect(snap.vas).toEqual([va(4n, 1n, 2, 0n)]);
    expect(snap.vmBos.map((b) => b.bo)).toEqual([2]);
    expect(snap.objects).toEqual([
      { bo: 1, refs: 1 },
      { bo: 2, refs: 2 },
    ]);
  });

  it('is ok with no ops when the object has no vm_bo', () => {
    const subject = subjectFor(header([1]));
    expect(subject.exec({ cmd: 'bo_unmap', bo: 1 })).toEqual({ ok: true, ops: [] });
    expect(subject.snapshot().vmBos).toEqual([]);
  });

  it('leaves a vm_bo the driver holds alive, without VAs', () => {
    const subject = subjectFor(header([1]));
    setup(subject, { cmd: 'bo_get', bo: 1 }, map(1n, 1n, 1, 0n));
    setup(subject, { cmd: 'bo_unmap', bo: 1 });
    expect(subject.snapshot().vmBos).toEqual([{ bo: 1, refs: 1, vas: [], evicted: false }]);
  });
});

describe('evict and validate', () => {
  it('the evict list keeps first-eviction order; validate un-evicts in that order', () => {
    const subject = subjectFor(header([{ bo: 1, ext: true }, 2, 3]));
    setup(
      subject,
      map(1n, 1n, 1, 0n),
      map(2n, 1n, 2, 0n),
      map(3n, 1n, 3, 0n),
      { cmd: 'evict', bo: 3, evict: true },
      { cmd: 'evict', bo: 1, evict: true },
      { cmd: 'evict', bo: 3, evict: true },
    );
    let snap = subject.snapshot();
    expect(snap.evictList).toEqual([3, 1]);
    expect(snap.vmBos.map((b) => [b.bo, b.evicted])).toEqual([
      [1, true],
      [2, false],
      [3, true],
    ]);

    expect(subject.exec({ cmd: 'validate' })).toEqual({ ok: true, validated: [3, 1] });
    snap = subject.snapshot();
    expect(snap.evictList).toEqual([]);
    expect(snap.vmBos.every((b) => !b.evicted)).toBe(true);
    expect(subject.exec({ cmd: 'validate' })).toEqual({ ok: true, validated: [] });
  });

  it('evict false takes a vm_bo off the list; evicting an object without vm_bo changes nothing', () => {
    const subject = subjectFor(header([1, 2]));
    setup(subject, map(1n, 1n, 1, 0n), { cmd: 'evict', bo: 1, evict: true }, { cmd: 'evict', bo: 2, evict: true });
    expect(subject.snapshot().evictList).toEqual([1]);
    setup(subject, { cmd: 'evict', bo: 1, evict: false });
    expect(subject.snapshot().evictList).toEqual([]);
  });

  it('destroying an evicted vm_bo takes it off the evict list', () => {
    const subject = subjectFor(header([1]));
    setup(subject, map(1n, 1n, 1, 0n), { cmd: 'evict', bo: 1, evict: true }, unmap(1n, 1n));
    expect(subject.snapshot().evictList).toEqual([]);
  });
});

describe('insert and remove', () => {
  const h = header([{ bo: 1, ext: true }], [0n, 2n * P]);

  it('insert links the VA to its object vm_bo (and extobj-adds it); remove unlinks and destroys it', () => {
    const subject = subjectFor(h);
    expect(subject.exec(insert(4n, 2n, 1, 3n))).toEqual({ ok: true });
    let snap = subject.snapshot();
    expect(snap.vas).toEqual([va(4n, 2n, 1, 3n)]);
    expect(snap.vmBos).toEqual([{ bo: 1, refs: 1, vas: [[4n * P, 2n * P]], evicted: false }]);
    expect(snap.extobjList).toEqual([1]);
    expect(snap.kernel).toEqual({ addr: 0n, range: 2n * P });

    expect(subject.exec({ cmd: 'remove', addr: 4n * P, range: 2n * P })).toEqual({ ok: true });
    snap = subject.snapshot();
    expect(snap.vas).toEqual([]);
    expect(snap.vmBos).toEqual([]);
    expect(snap.extobjList).toEqual([]);
    expect(snap.objects).toEqual([{ bo: 1, refs: 1 }]);
  });

  it('insert over an existing VA is EEXIST, over the kernel node EINVAL, and neither changes anything', () => {
    const subject = subjectFor(h);
    setup(subject, insert(4n, 2n, null, 0n));
    const before = subject.snapshot();
    expect(subject.exec(insert(5n, 2n, 1, 0n))).toEqual({ ok: false, error: 'EEXIST' });
    expect(subject.exec(insert(1n, 2n, 1, 0n))).toEqual({ ok: false, error: 'EINVAL' });
    expect(subject.snapshot()).toEqual(before);
  });

  it('remove needs an exact match (ENOENT otherwise) and refuses the kernel node (EINVAL)', () => {
    const subject = subjectFor(h);
    setup(subject, map(4n, 2n, 1, 0n));
    const before = subject.snapshot();
    expect(subject.exec({ cmd: 'remove', addr: 4n * P, range: P })).toEqual({ ok: false, error: 'ENOENT' });
    expect(subject.exec({ cmd: 'remove', addr: 0n, range: 2n * P })).toEqual({ ok: false, error: 'EINVAL' });
    expect(subject.snapshot()).toEqual(before);
  });
});

describe('queries', () => {
  const h = header([1], [0n, 2n * P]);

  it('the kernel node is reported with kernel: true by queries and prefetch, and left out of snapshot.vas', () => {
    const subject = subjectFor(h);
    setup(subject, map(2n, 1n, 1, 5n));
    const kernelVa = { addr: 0n, range: 2n * P, bo: null, offset: 0n, kernel: true as const };
    expect(subject.exec({ cmd: 'find', addr: 0n, range: 2n * P })).toEqual({ ok: true, va: kernelVa });
    expect(subject.exec({ cmd: 'find_prev', start: 2n * P })).toEqual({ ok: true, va: kernelVa });
    expect(subject.exec({ cmd: 'prefetch', addr: P, range: 4n * P })).toEqual({
      ok: true,
      ops: [
        { op: 'prefetch', va: kernelVa },
        { op: 'prefetch', va: va(2n, 1n, 1, 5n) },
      ],
    });
    expect(subject.snapshot().vas).toEqual([va(2n, 1n, 1, 5n)]);
  });

  it('find, find_first, find_next and interval_empty answer from the tree', () => {
    const subject = subjectFor(h);
    setup(subject, map(4n, 2n, 1, 0n), map(6n, 1n, null, 0n));
    expect(subject.exec({ cmd: 'find', addr: 4n * P, range: P })).toEqual({ ok: true, va: null });
    expect(subject.exec({ cmd: 'find_first', addr: 3n * P, range: 4n * P })).toEqual({ ok: true, va: va(4n, 2n, 1, 0n) });
    expect(subject.exec({ cmd: 'find_next', end: 6n * P })).toEqual({ ok: true, va: va(6n, 1n, null, 0n) });
    expect(subject.exec({ cmd: 'find_next', end: 5n * P })).toEqual({ ok: true, va: null });
    expect(subject.exec({ cmd: 'interval_empty', addr: 2n * P, range: 2n * P })).toEqual({ ok: true, empty: true });
    expect(subject.exec({ cmd: 'interval_empty', addr: 2n * P, range: 3n * P })).toEqual({ ok: true, empty: false });
  });

  it('prefetch outside the VM is EINVAL', () => {
    const subject = subjectFor(h);
    expect(subject.exec({ cmd: 'prefetch', addr: 255n * P, range: 2n * P })).toEqual({ ok: false, error: 'EINVAL' });
  });
});

describe('bad input', () => {
  it('a command naming an undeclared object throws a clear error', () => {
    const subject = subjectFor(header([1]));
    expect(() => subject.exec(map(1n, 1n, 7, 0n))).toThrow(/bo 7 is not declared/);
  });

  it('exec before reset throws a clear error', () => {
    const subject = new GpuVmSubject();
    expect(() => subject.exec({ cmd: 'validate' })).toThrow(/before reset/);
    expect(() => subject.snapshot()).toThrow(/before reset/);
  });
});
