/**
 * The reference model on the VM modes alone (no manager involved): the
 * madvise plan of the kernel-doc shapes, the zombie book-keeping with list
 * entries kept apart by vm_bo identity, and the order zombies queue up in.
 */
import { describe, expect, it } from 'vitest';
import { ReferenceModel } from '../../model/index.ts';
import { planMadvise } from '../../model/split-merge.ts';
import type { Command, TraceHeader, VaRecord } from '../../src/protocol/index.ts';
import { B, P, mapCmd, unmapCmd, va } from './helpers.ts';

const at = (u: number): bigint => B + BigInt(u) * P;
const len = (u: number): bigint => BigInt(u) * P;
const nul = (from: number, units: number, offset = 0n): VaRecord => va(at(from), len(units), null, offset);

function model(flags: TraceHeader['flags'], external = [false, true]): ReferenceModel {
  const m = new ReferenceModel();
  m.reset({ vm: { start: 0n, range: 0x100000n }, flags, objects: external.map((e, i) => (e ? { bo: i + 1, external: true } : { bo: i + 1 })) });
  return m;
}

function run(m: ReferenceModel, commands: readonly Command[]): void {
  for (const c of commands) expect(m.exec(c).ok, JSON.stringify(c, (_k, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))).toBe(true);
}

const steps = { via: 'steps', defer: true } as const;

describe('planMadvise', () => {
  const req = (from: number, units: number) => ({ addr: at(from), range: len(units), bo: null, offset: 0n });

  it('one VA around the request: REMAP with both halves, then the middle as a NULL MAP at offset 0', () => {
    const old = nul(0, 8, 0x7000n);
    expect(planMadvise([old], req(2, 3))).toEqual([
      { op: 'remap', unmap: { va: old, keep: false }, prev: nul(0, 2, 0x7000n), next: nul(5, 3, 0x7000n + len(5)), hole: [at(2), len(3)] },
      { op: 'map', addr: at(2), range: len(3), bo: null, offset: 0n },
    ]);
  });

  it('VAs with an object, VAs the request covers whole and requests on VA edges give nothing', () => {
    const vas = [va(at(0), len(4), 1, 0n), nul(4, 2), nul(6, 2)];
    expect(planMadvise(vas, req(2, 6))).toEqual([]);
    expect(planMadvise(vas, req(4, 2))).toEqual([]);
    expect(planMadvise([], req(0, 2))).toEqual([]);
  });

  it('two cut VAs: each REMAP followed by its MAP, ascending', () => {
    const a = nul(0, 4);
    const c = nul(8, 4);
    expect(planMadvise([a, nul(4, 4), c], req(2, 8)).map((op) => op.op + (op.op === 'map' ? `@${(op.addr - B) / P}+${op.range / P}` : ''))).toEqual([
      'remap',
      'map@2+2',
      'remap',
      'map@8+2',
    ]);
  });
});

describe('zombies in the model', () => {
  it('queue up newest first, in the order the steps of one unmap dropped them', () => {
    const m = model({ immediate: true });
    run(m, [mapCmd(at(0), P, 1, 0n), mapCmd(at(1), P, 2, 0n), unmapCmd(at(0), len(2), steps)]);
    expect(m.snapshot().deferred).toEqual([
      { bo: 2, evicted: false },
      { bo: 1, evicted: false },
    ]);
  });

  it('resv-protected: the zombie keeps its own place on the extobj list next to a new vm_bo of its object, and cleanup takes exactly it off', () => {
    const m = model({ immediate: true, resvProtected: true }, [true, true]);
    run(m, [mapCmd(at(0), P, 1, 0n), mapCmd(at(1), P, 2, 0n), unmapCmd(at(0), P, steps), mapCmd(at(2), P, 1, 0n)]);
    expect(m.snapshot().extobjList).toEqual([1, 2, 1]);
    run(m, [{ cmd: 'deferred_cleanup' }]);
    expect(m.snapshot().extobjList).toEqual([2, 1]);
    expect(m.snapshot().objects).toEqual([
      { bo: 1, refs: 2 },
      { bo: 2, refs: 2 },
    ]);
  });

  it('bo_put_deferred: ENOENT without a held reference, EINVAL outside immediate mode, a zombie otherwise', () => {
    const plain = model(undefined);
    expect(plain.exec({ cmd: 'bo_put_deferred', bo: 1 })).toEqual({ ok: false, error: 'ENOENT' });
    run(plain, [{ cmd: 'bo_get', bo: 1 }]);
    expect(plain.exec({ cmd: 'bo_put_deferred', bo: 1 })).toEqual({ ok: false, error: 'EINVAL' });
    const imm = model({ immediate: true });
    run(imm, [{ cmd: 'bo_get', bo: 1 }, { cmd: 'bo_get', bo: 1 }, { cmd: 'bo_put_deferred', bo: 1 }]);
    expect(imm.snapshot().deferred).toEqual([]);
    run(imm, [{ cmd: 'bo_put_deferred', bo: 1 }]);
    expect([imm.snapshot().deferred, imm.snapshot().vmBos]).toEqual([[{ bo: 1, evicted: false }], []]);
  });

  it('validate: an evicted private zombie stays on the resv-protected evict list and is not validated', () => {
    const m = model({ immediate: true, resvProtected: true }, [false, false]);
    run(m, [mapCmd(at(0), P, 1, 0n), { cmd: 'evict', bo: 1, evict: true }, unmapCmd(at(0), P, steps), mapCmd(at(1), P, 1, 0n), { cmd: 'evict', bo: 1, evict: true }]);
    expect(m.snapshot().evictList).toEqual([1, 1]);
    expect(m.exec({ cmd: 'validate' })).toEqual({ ok: true, validated: [1] });
    expect(m.snapshot().evictList).toEqual([1]);
  });
});
