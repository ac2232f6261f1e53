/**
 * vm_bo and GEM object reference counts, and the order of the evict and extobj
 * lists, across map / unmap / insert / remove / bo_get / bo_put / evict /
 * validate / bo_unmap. Objects 1 and 2 are internal, 3 and 4 external.
 */

import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/protocol/index.ts';
import { B, P, freshModel, mapCmd, objectRefs, opUnmap, unmapCmd, va, vmBo } from './helpers.ts';

const get = (bo: number): Command => ({ cmd: 'bo_get', bo });
const put = (bo: number): Command => ({ cmd: 'bo_put', bo });
const evict = (bo: number, flag: boolean): Command => ({ cmd: 'evict', bo, evict: flag });
const VALIDATE: Command = { cmd: 'validate' };

describe('reference counts', () => {
  it('a fresh model: every object holds only the driver reference, no vm_bos, empty lists', () => {
    const s = freshModel().snapshot();
    expect(s).toStrictEqual({
      vas: [],
      kernel: { addr: 0n, range: P },
      vmBos: [],
      objects: objectRefs(),
      evictList: [],
      extobjList: [],
      deferred: [],
    });
  });

  it('each VA of an object is one vm_bo reference; the object gets one reference per live vm_bo', () => {
    const m = freshModel([mapCmd(B, P, 1, 0n), mapCmd(B + 2n * P, P, 1, 0n), mapCmd(B + 4n * P, P, 1, 0n)]);
    expect(m.snapshot().vmBos).toStrictEqual([vmBo(1, 3, [[B, P], [B + 2n * P, P], [B + 4n * P, P]])]);
    expect(m.snapshot().objects).toStrictEqual(objectRefs(1));
  });

  it('NULL mappings have no vm_bo', () => {
    const m = freshModel([mapCmd(B, P, null, 0n)]);
    expect(m.snapshot().vmBos).toStrictEqual([]);
    expect(m.snapshot().objects).toStrictEqual(objectRefs());
  });

  it('unmapping the last VA destroys the vm_bo and drops its object reference', () => {
    const m = freshModel([mapCmd(B, P, 1, 0n), mapCmd(B + P, P, 2, 0n)]);
    m.exec(unmapCmd(B, P));
    expect(m.snapshot().vmBos).toStrictEqual([vmBo(2, 1, [[B + P, P]])]);
    expect(m.snapshot().objects).toStrictEqual(objectRefs(2));
  });

  it('bo_get creates a vm_bo with no VAs; the held references count; bo_put drops them one by one', () => {
    const m = freshModel();
    expect(m.exec(get(1))).toStrictEqual({ ok: true });
    expect(m.exec(get(1))).toStrictEqual({ ok: true });
    expect(m.snapshot().vmBos).toStrictEqual([vmBo(1, 2, [])]);
    expect(m.snapshot().objects).toStrictEqual(objectRefs(1));
    m.exec(mapCmd(B, P, 1, 0n));
    expect(m.snapshot().vmBos).toStrictEqual([vmBo(1, 3, [[B, P]])]);
    expect(m.exec(put(1))).toStrictEqual({ ok: true });
    expect(m.exec(put(1))).toStrictEqual({ ok: true });
    expect(m.snapshot().vmBos).toStrictEqual([vmBo(1, 1, [[B, P]])]);
    expect(m.exec(put(1))).toStrictEqual({ ok: false, error: 'ENOENT' });
    m.exec(unmapCmd(B, P));
    expect(m.snapshot().vmBos).toStrictEqual([]);
    expect(m.snapshot().objects).toStrictEqual(objectRefs());
  });

  it('a held reference keeps the vm_bo (and its evicted flag) alive when its last VA goes', () => {
    const m = freshModel([mapCmd(B, P, 1, 0n), get(1), evict(1, true)]);
    m.exec(unmapCmd(B, P));
    expect(m.snapshot().vmBos).toStrictEqual([vmBo(1, 1, [], true)]);
    expect(m.snapshot().evictList).toStrictEqual([1]);
    m.exec(put(1));
    expect(m.snapshot().vmBos).toStrictEqual([]);
    expect(m.snapshot().evictList).toStrictEqual([]);
  });

  it('bo_put without a held reference is ENOENT even when the vm_bo exists through VAs', () => {
    const m = freshModel([mapCmd(B, P, 1, 0n)]);
    expect(m.exec(put(1))).toStrictEqual({ ok: false, error: 'ENOENT' });
    expect(m.exec(put(2))).toStrictEqual({ ok: false, error: 'ENOENT' });
    expect(m.snapshot().vmBos).toStrictEqual([vmBo(1, 1, [[B, P]])]);
  });

  it('insert links the new VA to the object (creating the vm_bo); remove unlinks it', () => {
    const m = freshModel();
    expect(m.exec({ cmd: 'insert', addr: B, range: P, bo: 3, offset: 0n })).toStrictEqual({ ok: true });
    expect(m.exec({ cmd: 'insert', addr: B + P, range: P, bo: null, offset: 0n })).toStrictEqual({ ok: true });
    expect(m.snapshot().vas).toStrictEqual([va(B, P, 3, 0n), va(B + P, P, null, 0n)]);
    expect(m.snapshot().vmBos).toStrictEqual([vmBo(3, 1, [[B, P]])]);
    expect(m.snapshot().extobjList).toStrictEqual([3]);
    expect(m.exec({ cmd: 'remove', addr: B, range: P })).toStrictEqual({ ok: true });
    expect(m.snapshot().vas).toStrictEqual([va(B + P, P, null, 0n)]);
    expect(m.snapshot().vmBos).toStrictEqual([]);
    expect(m.snapshot().extobjList).toStrictEqual([]);
    expect(m.snapshot().objects).toStrictEqual(objectRefs());
  });
});

describe('the extobj list', () => {
  it('holds external objects only, in the order their vm_bos came to exist', () => {
    const m = freshModel([mapCmd(B, P, 4, 0n), mapCmd(B + P, P, 1, 0n), mapCmd(B + 2n * P, P, 3, 0n), mapCmd(B + 3n * P, P, 4, 0n)]);
    expect(m.snapshot().extobjList).toStrictEqual([4, 3]);
  });

  it('a vm_bo that dies leaves it; a new one is appended at the end', () => {
    const m = freshModel([mapCmd(B, P, 3, 0n), mapCmd(B + P, P, 4, 0n)]);
    m.exec(unmapCmd(B, P));
    expect(m.snapshot().extobjList).toStrictEqual([4]);
    m.exec(mapCmd(B, P, 3, 0n));
    expect(m.snapshot().extobjList).toStrictEqual([4, 3]);
  });

  it('splitting an external object\'s VA keeps its vm_bo and its place', () => {
    const m = freshModel([mapCmd(B, 3n * P, 3, 0n), mapCmd(B + 4n * P, P, 4, 0n)]);
    m.exec(mapCmd(B + P, P, 2, 0n));
    expect(m.snapshot().extobjList).toStrictEqual([3, 4]);
    expect(m.snapshot().vmBos).toStrictEqual([vmBo(2, 1, [[B + P, P]]), vmBo(3, 2, [[B, P], [B + 2n * P, P]]), vmBo(4, 1, [[B + 4n * P, P]])]);
  });

  it('replacing an external object\'s only VA with a mapping of the same object keeps its place', () => {
    const m = freshModel([mapCmd(B, P, 3, 0n), mapCmd(B + P, P, 4, 0n)]);
    m.exec(mapCmd(B, P, 3, 0x9000n));
    expect(m.snapshot().extobjList).toStrictEqual([3, 4]);
  });

  it('bo_get adds an external object once', () => {
    const m = freshModel([get(4), get(3), get(4)]);
    expect(m.snapshot().extobjList).toStrictEqual([4, 3]);
    expect(m.snapshot().vmBos).toStrictEqual([vmBo(3, 1, []), vmBo(4, 2, [])]);
  });
});

describe('the evict list and validate', () => {
  it('evict appends once, keeps the first position, and un-evict removes', () => {
    const m = freshModel([mapCmd(B, P, 1, 0n), mapCmd(B + P, P, 2, 0n), mapCmd(B + 2n * P, P, 3, 0n)]);
    expect(m.exec(evict(2, true))).toStrictEqual({ ok: true });
    m.exec(evict(3, true));
    m.exec(evict(2, true));
    expect(m.snapshot().evictList).toStrictEqual([2, 3]);
    m.exec(evict(2, false));
    expect(m.snapshot().evictList).toStrictEqual([3]);
    m.exec(evict(2, true));
    expect(m.snapshot().evictList).toStrictEqual([3, 2]);
    expect(m.snapshot().vmBos.map((b) => [b.bo, b.evicted])).toStrictEqual([
      [1, false],
      [2, true],
      [3, true],
    ]);
  });

  it('evicting an object without a vm_bo does nothing, and a later vm_bo starts un-evicted', () => {
    const m = freshModel();
    const before = m.snapshot();
    expect(m.exec(evict(1, true))).toStrictEqual({ ok: true });
    expect(m.snapshot()).toStrictEqual(before);
    m.exec(mapCmd(B, P, 1, 0n));
    expect(m.snapshot().vmBos).toStrictEqual([vmBo(1, 1, [[B, P]], false)]);
    expect(m.snapshot().evictList).toStrictEqual([]);
  });

  it('a destroyed vm_bo leaves the evict list and forgets it was evicted', () => {
    const m = freshModel([mapCmd(B, P, 1, 0n), evict(1, true)]);
    m.exec(unmapCmd(B, P));
    expect(m.snapshot().evictList).toStrictEqual([]);
    m.exec(mapCmd(B, P, 1, 0n));
    expect(m.snapshot().vmBos).toStrictEqual([vmBo(1, 1, [[B, P]], false)]);
    expect(m.snapshot().evictList).toStrictEqual([]);
  });

  it('validate visits the evict list in order, un-evicting each', () => {
    const m = freshModel([mapCmd(B, P, 1, 0n), mapCmd(B + P, P, 2, 0n), mapCmd(B + 2n * P, P, 3, 0n), evict(3, true), evict(1, true)]);
    expect(m.exec(VALIDATE)).toStrictEqual({ ok: true, validated: [3, 1] });
    expect(m.snapshot().evictList).toStrictEqual([]);
    expect(m.snapshot().vmBos.every((b) => !b.evicted)).toBe(true);
    expect(m.exec(VALIDATE)).toStrictEqual({ ok: true, validated: [] });
  });

  it('validate leaves reference counts and VAs alone', () => {
    const m = freshModel([mapCmd(B, P, 1, 0n), get(1), evict(1, true)]);
    m.exec(VALIDATE);
    expect(m.snapshot().vmBos).toStrictEqual([vmBo(1, 2, [[B, P]], false)]);
    expect(m.snapshot().vas).toStrictEqual([va(B, P, 1, 0n)]);
  });
});

describe('bo_unmap', () => {
  it('unmaps every VA of the object in ascending order with keep=false; the vm_bo dies', () => {
    const m = freshModel([
      mapCmd(B + 4n * P, P, 3, 0x4000n),
      mapCmd(B, P, 3, 0n),
      mapCmd(B + 2n * P, P, 1, 0n),
      mapCmd(B + 6n * P, 2n * P, 3, 0x9000n),
      mapCmd(B + 9n * P, P, 4, 0n),
      evict(3, true),
    ]);
    expect(m.exec({ cmd: 'bo_unmap', bo: 3 })).toStrictEqual({
      ok: true,
      ops: [
        opUnmap(va(B, P, 3, 0n), false),
        opUnmap(va(B + 4n * P, P, 3, 0x4000n), false),
        opUnmap(va(B + 6n * P, 2n * P, 3, 0x9000n), false),
      ],
    });
    const s = m.snapshot();
    expect(s.vas).toStrictEqual([va(B + 2n * P, P, 1, 0n), va(B + 9n * P, P, 4, 0n)]);
    expect(s.vmBos).toStrictEqual([vmBo(1, 1, [[B + 2n * P, P]]), vmBo(4, 1, [[B + 9n * P, P]])]);
    expect(s.extobjList).toStrictEqual([4]);
    expect(s.evictList).toStrictEqual([]);
    expect(s.objects).toStrictEqual(objectRefs(1, 4));
  });

  it('a held reference keeps the vm_bo, now without VAs', () => {
    const m = freshModel([mapCmd(B, P, 3, 0n), get(3)]);
    expect(m.exec({ cmd: 'bo_unmap', bo: 3 })).toStrictEqual({ ok: true, ops: [opUnmap(va(B, P, 3, 0n), false)] });
    expect(m.snapshot().vmBos).toStrictEqual([vmBo(3, 1, [])]);
    expect(m.snapshot().extobjList).toStrictEqual([3]);
  });

  it('an object without a vm_bo, or with one but no VAs, gives an empty ops list', () => {
    const m = freshModel([mapCmd(B, P, 1, 0n)]);
    expect(m.exec({ cmd: 'bo_unmap', bo: 2 })).toStrictEqual({ ok: true, ops: [] });
    m.exec(get(2));
    expect(m.exec({ cmd: 'bo_unmap', bo: 2 })).toStrictEqual({ ok: true, ops: [] });
    expect(m.snapshot().vas).toStrictEqual([va(B, P, 1, 0n)]);
    expect(m.snapshot().vmBos).toStrictEqual([vmBo(1, 1, [[B, P]]), vmBo(2, 1, [])]);
  });
});

describe('snapshots', () => {
  it('objects and vm_bos ascend by bo whatever the declaration order', () => {
    const m = freshModel([mapCmd(B, P, 9, 0n), mapCmd(B + P, P, 5, 0n)], undefined, [{ bo: 9 }, { bo: 0 }, { bo: 5, external: true }]);
    const s = m.snapshot();
    expect(s.objects).toStrictEqual([
      { bo: 0, refs: 1 },
      { bo: 5, refs: 2 },
      { bo: 9, refs: 2 },
    ]);
    expect(s.vmBos.map((b) => b.bo)).toStrictEqual([5, 9]);
    expect(s.extobjList).toStrictEqual([5]);
  });

  it('a VM without a reserve has kernel null; a zero-range reserve makes no kernel node', () => {
    expect(freshModel([], { start: 0n, range: 0x10000n }).snapshot().kernel).toBeNull();
    const m = freshModel([], { start: 0n, range: 0x10000n, reserve: { addr: 0x1000n, range: 0n } });
    expect(m.snapshot().kernel).toBeNull();
    expect(m.currentVas()).toStrictEqual([]);
  });

  it('currentVas includes the kernel node and is not changed by later commands', () => {
    const m = freshModel([mapCmd(B, P, 1, 0n)]);
    const seen = m.currentVas();
    expect(seen).toStrictEqual([{ addr: 0n, range: P, bo: null, offset: 0n, kernel: true }, va(B, P, 1, 0n)]);
    m.exec(unmapCmd(B, P));
    expect(seen).toStrictEqual([{ addr: 0n, range: P, bo: null, offset: 0n, kernel: true }, va(B, P, 1, 0n)]);
    expect(m.currentVas()).toStrictEqual([{ addr: 0n, range: P, bo: null, offset: 0n, kernel: true }]);
  });

  it('reset starts over', () => {
    const m = freshModel([mapCmd(B, P, 3, 0n), get(1), evict(3, true)]);
    m.reset({ vm: { start: 0n, range: 0x10000n }, objects: [{ bo: 1 }] });
    expect(m.snapshot()).toStrictEqual({ vas: [], kernel: null, vmBos: [], objects: [{ bo: 1, refs: 1 }], evictList: [], extobjList: [], deferred: [] });
  });
});
