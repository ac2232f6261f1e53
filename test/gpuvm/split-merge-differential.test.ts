/**
 * Random map / unmap requests against a naive array implementation of
 * SEMANTICS.md section 4 (a filter over a plain list, no tree): the ops lists,
 * the callback form and the resulting VAs must all agree, and the VA tree must
 * stay structurally sound.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { GemObject, GpuVa, GpuVm, U64_LIMIT } from '../../src/gpuvm/index.ts';
import type { GpuVaOp, OpMap, OpRemap, OpUnmap } from '../../src/gpuvm/index.ts';
import { applyOps, recOps, vaRecs } from './helpers.ts';
import type { OpRec, PieceRec } from './helpers.ts';

interface NaiveVa {
  addr: bigint;
  end: bigint;
  obj: string | null;
  offset: bigint;
}

type Req = { kind: 'map'; addr: bigint; range: bigint; obj: string | null; offset: bigint } | { kind: 'unmap'; addr: bigint; range: bigint };

const rec = (v: NaiveVa): PieceRec => ({ addr: v.addr, range: v.end - v.addr, obj: v.obj, offset: v.offset });

/** SEMANTICS.md section 4, written directly over a sorted list. */
function naive(vas: NaiveVa[], req: Req): { ops: OpRec[]; after: NaiveVa[] } {
  const ra = req.addr;
  const re = req.addr + req.range;
  const ops: OpRec[] = [];
  const kept: NaiveVa[] = [];
  for (const v of vas) {
    if (!(v.addr < re && v.end > ra)) {
      kept.push(v);
      continue;
    }
    const keep = req.kind === 'map' && v.obj !== null && v.obj === req.obj && v.offset - v.addr === req.offset - ra;
    const prev = v.addr < ra ? { addr: v.addr, end: ra, obj: v.obj, offset: v.offset } : null;
    const next = v.end > re ? { addr: re, end: v.end, obj: v.obj, offset: v.offset + (re - v.addr) } : null;
    if (prev === null && next === null) ops.push({ kind: 'unmap', va: rec(v), keep });
    else ops.push({ kind: 'remap', prev: prev && rec(prev), next: next && rec(next), unmap: { va: rec(v), keep } });
    if (prev) kept.push(prev);
    if (next) kept.push(next);
  }
  if (req.kind === 'map') {
    const m = { addr: ra, end: re, obj: req.obj, offset: req.offset };
    ops.push({ kind: 'map', ...rec(m) });
    kept.push(m);
  }
  kept.sort((x, y) => (x.addr < y.addr ? -1 : 1));
  return { ops, after: kept };
}

const U = 0x1000n;
const SLOTS = 48n;
const HIGH_START = U64_LIMIT - SLOTS * U;

const reqArb = (base: bigint): fc.Arbitrary<Req> =>
  fc.oneof(
    fc.record({
      kind: fc.constant('map' as const),
      addr: fc.bigInt({ min: 1n, max: SLOTS - 1n }).map((u) => base + u * U),
      range: fc.bigInt({ min: 1n, max: 12n }).map((u) => u * U),
      obj: fc.constantFrom('a', 'b', null),
      offset: fc.bigInt({ min: 0n, max: 8n }).map((u) => u * U),
    }),
    fc.record({
      kind: fc.constant('unmap' as const),
      addr: fc.bigInt({ min: 1n, max: SLOTS - 1n }).map((u) => base + u * U + (u % 3n === 0n ? 0x800n : 0n)),
      range: fc.bigInt({ min: 1n, max: 16n }).map((u) => u * U),
    }),
  );

function check(base: bigint, reqs: readonly Req[], via: 'ops' | 'steps'): void {
  const vm = new GpuVm({ start: base, range: SLOTS * U, reserveOffset: base, reserveRange: U });
  const objs = new Map<string, GemObject>([['a', new GemObject({ name: 'a' })], ['b', new GemObject({ name: 'b' })]]);
  const names = new Map([...objs].map(([k, v]) => [v, k] as const));
  let model: NaiveVa[] = [];
  for (const req of reqs) {
    if (req.addr + req.range > base + SLOTS * U) continue; // outside the VM: covered by the validation tests
    const expected = naive(model, req);
    if (via === 'ops') {
      const ops =
        req.kind === 'map'
          ? vm.smMapOpsCreate({ addr: req.addr, range: req.range, obj: req.obj === null ? null : (objs.get(req.obj) as GemObject), offset: req.offset })
          : vm.smUnmapOpsCreate(req.addr, req.range);
      expect(recOps(ops, names)).toEqual(expected.ops);
      applyOps(vm, ops);
    } else {
      const seen: GpuVaOp[] = [];
      const ctx = {
        smStepMap: (op: OpMap) => {
          seen.push(op);
          vm.map(new GpuVa(), op);
        },
        smStepRemap: (op: OpRemap) => {
          seen.push(op);
          vm.remap(op.prev ? new GpuVa() : null, op.next ? new GpuVa() : null, op);
        },
        smStepUnmap: (op: OpUnmap) => {
          seen.push(op);
          vm.unmap(op);
        },
      };
      if (req.kind === 'map') {
        vm.smMap({ addr: req.addr, range: req.range, obj: req.obj === null ? null : (objs.get(req.obj) as GemObject), offset: req.offset }, ctx);
      } else {
        vm.smUnmap(req.addr, req.range, ctx);
      }
      expect(recOps(seen, names)).toEqual(expected.ops);
    }
    model = expected.after;
    expect(vaRecs(vm, names)).toEqual(model.map(rec));
  }
  expect((vm as unknown as { tree: { checkStructure(): string[] } }).tree.checkStructure()).toEqual([]);
}

describe('split/merge against a naive list implementation', () => {
  test('ops lists and resulting VAs agree for random requests (low addresses)', () => {
    fc.assert(
      fc.property(fc.array(reqArb(0x100000n), { minLength: 1, maxLength: 40 }), (reqs) => check(0x100000n, reqs, 'ops')),
      { seed: 42, numRuns: 200 },
    );
  });

  test('the callback form applied at once agrees too (addresses right below 2^64)', () => {
    fc.assert(
      fc.property(fc.array(reqArb(HIGH_START), { minLength: 1, maxLength: 40 }), (reqs) => check(HIGH_START, reqs, 'steps')),
      { seed: 43, numRuns: 200 },
    );
  });
});
