/**
 * Injected failures: `failAt` in ops mode unwinds to exactly the state before
 * the command; in steps mode it leaves exactly the steps before k; `allocFailAt`
 * fails the k-th op allocation with ENOMEM and changes nothing.
 */

import { describe, expect, it } from 'vitest';
import type { Command, OpRecord, Snapshot } from '../../src/protocol/types.ts';
import { header, map, mapOp, piece, plainSnapshot, remapOp, setup, subjectFor, unmap, unmapOp, va } from './helpers.ts';

/** VAs [1,3) bo1, [3,5) bo2, [5,7) bo1 (pages); a request over [2,6) touches all three. */
const threeVas: readonly Command[] = [map(1n, 2n, 1, 0n), map(3n, 2n, 2, 0n), map(5n, 2n, 1, 4n)];

const mapOverThree: OpRecord[] = [
  remapOp(va(1n, 2n, 1, 0n), false, piece(1n, 1n, 1, 0n), null, [2n, 1n]),
  unmapOp(va(3n, 2n, 2, 0n), false),
  remapOp(va(5n, 2n, 1, 4n), false, null, piece(6n, 1n, 1, 5n), [5n, 1n]),
  mapOp(2n, 4n, null, 0n),
];

describe('ops mode: failAt unwinds', () => {
  it.each([1, 2, 3, 4])('failAt %i reports the first k ops and restores the VM exactly', (k) => {
    const subject = subjectFor();
    setup(subject, ...threeVas);
    const before = subject.snapshot();
    expect(subject.exec(map(2n, 4n, null, 0n, { failAt: k }))).toEqual({
      ok: false,
      error: 'EIO',
      ops: mapOverThree.slice(0, k),
    });
    expect(subject.snapshot()).toEqual(before);
  });

  it('failAt beyond the last op has no effect', () => {
    const subject = subjectFor();
    setup(subject, ...threeVas);
    expect(subject.exec(map(2n, 4n, null, 0n, { failAt: 5 }))).toEqual({ ok: true, ops: mapOverThree });
    expect(subject.snapshot()).toEqual(plainSnapshot([va(1n, 1n, 1, 0n), va(2n, 4n, null, 0n), va(6n, 1n, 1, 5n)]));
  });

  it('restores vm_bo references, evicted flags and the order of both lists', () => {
    // Objects 1 and 2 are external (extobj list), 3 is private; 2 and 1 are evicted in that order,
    // the driver holds an extra reference on 1, and object 4 has no vm_bo until the request maps it.
    const subject = subjectFor(header([{ bo: 1, ext: true }, { bo: 2, ext: true }, 3, { bo: 4, ext: true }]));
    setup(
      subject,
      map(1n, 2n, 1, 0n),
      map(3n, 2n, 2, 0n),
      map(5n, 2n, 1, 4n),
      map(9n, 1n, 3, 0n),
      { cmd: 'bo_get', bo: 1 },
      { cmd: 'evict', bo: 2, evict: true },
      { cmd: 'evict', bo: 1, evict: true },
    );
    const before = subject.snapshot();
    expect(before.evictList).toEqual([2, 1]);
    expect(before.extobjList).toEqual([1, 2]);
    expect(before.vmBos.map((b) => [b.bo, b.refs, b.evicted])).toEqual([
      [1, 3, true],
      [2, 1, true],
      [3, 1, false],
    ]);
    for (let k = 1; k <= 4; k++) {
      const observation = subject.exec(map(2n, 4n, 4, 0n, { failAt: k }));
      expect(observation.ok).toBe(false);
      expect(observation.ops).toHaveLength(k);
      expect(subject.snapshot()).toEqual(before);
    }
  });

  it('an unmap with failAt is unwound too', () => {
    const subject = subjectFor();
    setup(subject, ...threeVas);
    const before = subject.snapshot();
    const observation = subject.exec(unmap(2n, 4n, { failAt: 3 }));
    expect(observation).toEqual({ ok: false, error: 'EIO', ops: mapOverThree.slice(0, 3) });
    expect(subject.snapshot()).toEqual(before);
  });
});

describe('steps mode: failAt leaves the prefix', () => {
  const afterSteps: Record<number, Snapshot> = {
    1: plainSnapshot([va(1n, 2n, 1, 0n), va(3n, 2n, 2, 0n), va(5n, 2n, 1, 4n)]),
    2: plainSnapshot([va(1n, 1n, 1, 0n), va(3n, 2n, 2, 0n), va(5n, 2n, 1, 4n)]),
    3: plainSnapshot([va(1n, 1n, 1, 0n), va(5n, 2n, 1, 4n)]),
    4: plainSnapshot([va(1n, 1n, 1, 0n), va(6n, 1n, 1, 5n)]),
  };

  it.each([1, 2, 3, 4])('failAt %i reports steps 1..k and keeps steps 1..k-1 applied', (k) => {
    const subject = subjectFor();
    setup(subject, ...threeVas);
    expect(subject.exec(map(2n, 4n, null, 0n, { via: 'steps', failAt: k }))).toEqual({
      ok: false,
      error: 'EIO',
      ops: mapOverThree.slice(0, k),
    });
    expect(subject.snapshot()).toEqual(afterSteps[k]);
  });

  it('failAt beyond the last step has no effect', () => {
    const subject = subjectFor();
    setup(subject, ...threeVas);
    expect(subject.exec(map(2n, 4n, null, 0n, { via: 'steps', failAt: 5 }))).toEqual({ ok: true, ops: mapOverThree });
  });

  it('a failed map step still puts the preallocated vm_bo (no leaked reference)', () => {
    const subject = subjectFor(header([{ bo: 1, ext: true }]));
    expect(subject.exec(map(1n, 1n, 1, 0n, { via: 'steps', failAt: 1 }))).toEqual({
      ok: false,
      error: 'EIO',
      ops: [mapOp(1n, 1n, 1, 0n)],
    });
    expect(subject.snapshot()).toEqual({
      vas: [],
      kernel: null,
      vmBos: [],
      objects: [{ bo: 1, refs: 1 }],
      evictList: [],
      extobjList: [],
      deferred: [],
    });
  });
});

describe('allocFailAt', () => {
  it.each([1, 2, 3, 4])('the %i-th op allocation failing gives ENOMEM, frees what was allocated, changes nothing', (k) => {
    const subject = subjectFor();
    setup(subject, ...threeVas);
    const before = subject.snapshot();
    expect(subject.exec(map(2n, 4n, null, 0n, { allocFailAt: k }))).toEqual({ ok: false, error: 'ENOMEM' });
    expect(subject.snapshot()).toEqual(before);
    expect(subject.accounting()).toMatchObject({
      opsAllocated: k - 1,
      opsFreedByBuilder: k - 1,
      opsReturned: 0,
      opsFreedByDriver: 0,
      opsPure: null,
    });
  });

  it('allocFailAt beyond the last op has no effect and the list is freed by the driver', () => {
    const subject = subjectFor();
    setup(subject, ...threeVas);
    expect(subject.exec(map(2n, 4n, null, 0n, { allocFailAt: 5 }))).toEqual({ ok: true, ops: mapOverThree });
    expect(subject.accounting()).toMatchObject({ opsAllocated: 4, opsFreedByBuilder: 0, opsReturned: 4, opsFreedByDriver: 4 });
  });

  it('an unmap with allocFailAt is ENOMEM too', () => {
    const subject = subjectFor();
    setup(subject, ...threeVas);
    const before = subject.snapshot();
    expect(subject.exec(unmap(2n, 4n, { allocFailAt: 2 }))).toEqual({ ok: false, error: 'ENOMEM' });
    expect(subject.snapshot()).toEqual(before);
  });

  it('is refused in steps mode (the codec never produces it)', () => {
    const subject = subjectFor();
    expect(() => subject.exec(map(1n, 1n, 1, 0n, { via: 'steps', allocFailAt: 1 }))).toThrow(/ops mode only/);
  });
});
