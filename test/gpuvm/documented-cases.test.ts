/**
 * The fifteen split/merge cases documented in the drm_gpuva_mgr kernel-doc
 * (seed 000, "Split and Merge"), each as an exact ops list plus the resulting
 * VAs. Positions are in units of U from base B; offsets n and m are in bytes,
 * "n+1" meaning n + 1 unit. Expected values follow SEMANTICS.md section 4.
 */
import { describe, expect, test } from 'vitest';
import { GemObject, GpuVm } from '../../src/gpuvm/index.ts';
import type { GpuVa, GpuVaOp } from '../../src/gpuvm/index.ts';
import { applyOps, put, recOps, vaRecs } from './helpers.ts';
import type { OpRec, PieceRec } from './helpers.ts';

const U = 0x1000n;
const B = 0x100000n;
const N = 0x40000n;
const M = 0x900000n;
const at = (u: number): bigint => B + BigInt(u) * U;
const len = (u: number): bigint => BigInt(u) * U;
const n = (k: number): bigint => N + BigInt(k) * U;

interface Setup {
  vm: GpuVm;
  a: GemObject;
  b: GemObject;
  names: Map<GemObject, string>;
}

function setup(): Setup {
  const vm = new GpuVm({ name: 'cases', start: 0n, range: 1n << 32n, reserveOffset: 0n, reserveRange: U });
  const a = new GemObject({ name: 'a' });
  const b = new GemObject({ name: 'b' });
  return { vm, a, b, names: new Map([[a, 'a'], [b, 'b']]) };
}

const pc = (from: number, units: number, obj: string | null, offset: bigint): PieceRec => ({
  addr: at(from),
  range: len(units),
  obj,
  offset,
});

/** Run a map request, check the ops (and that ops point at the old VA), apply, return VAs. */
function run(
  s: Setup,
  old: GpuVa,
  req: { from: number; units: number; obj: GemObject | null; offset: bigint },
  expected: OpRec[],
): PieceRec[] {
  const ops: GpuVaOp[] = s.vm.smMapOpsCreate({ addr: at(req.from), range: len(req.units), obj: req.obj, offset: req.offset });
  expect(recOps(ops, s.names)).toEqual(expected);
  for (const op of ops) {
    if (op.kind === 'unmap') expect(op.va).toBe(old);
    if (op.kind === 'remap') expect(op.unmap.va).toBe(old);
  }
  applyOps(s.vm, ops);
  return vaRecs(s.vm, s.names);
}

describe('the fifteen documented split/merge cases', () => {
  test('case 1: identical request unmaps with keep and maps', () => {
    const s = setup();
    const old = put(s.vm, at(0), len(2), s.a, n(0));
    const vas = run(s, old, { from: 0, units: 2, obj: s.a, offset: n(0) }, [
      { kind: 'unmap', va: pc(0, 2, 'a', n(0)), keep: true },
      { kind: 'map', ...pc(0, 2, 'a', n(0)) },
    ]);
    expect(vas).toEqual([pc(0, 2, 'a', n(0))]);
  });

  test('case 2: identical except the offset unmaps without keep', () => {
    const s = setup();
    const old = put(s.vm, at(0), len(2), s.a, n(0));
    const vas = run(s, old, { from: 0, units: 2, obj: s.a, offset: M }, [
      { kind: 'unmap', va: pc(0, 2, 'a', n(0)), keep: false },
      { kind: 'map', ...pc(0, 2, 'a', M) },
    ]);
    expect(vas).toEqual([pc(0, 2, 'a', M)]);
  });

  test('case 3: identical except the object unmaps without keep', () => {
    const s = setup();
    const old = put(s.vm, at(0), len(2), s.a, n(0));
    const vas = run(s, old, { from: 0, units: 2, obj: s.b, offset: n(0) }, [
      { kind: 'unmap', va: pc(0, 2, 'a', n(0)), keep: false },
      { kind: 'map', ...pc(0, 2, 'b', n(0)) },
    ]);
    expect(vas).toEqual([pc(0, 2, 'b', n(0))]);
  });

  test('case 4: existing VA is a left-aligned subset of the request: unmap with keep', () => {
    const s = setup();
    const old = put(s.vm, at(0), len(1), s.a, n(0));
    const vas = run(s, old, { from: 0, units: 2, obj: s.a, offset: n(0) }, [
      { kind: 'unmap', va: pc(0, 1, 'a', n(0)), keep: true },
      { kind: 'map', ...pc(0, 2, 'a', n(0)) },
    ]);
    expect(vas).toEqual([pc(0, 2, 'a', n(0))]);
  });

  test('case 5: left-aligned request with another object remaps the tail at offset n+1', () => {
    const s = setup();
    const old = put(s.vm, at(0), len(2), s.a, n(0));
    const vas = run(s, old, { from: 0, units: 1, obj: s.b, offset: n(0) }, [
      { kind: 'remap', prev: null, next: pc(1, 1, 'a', n(1)), unmap: { va: pc(0, 2, 'a', n(0)), keep: false } },
      { kind: 'map', ...pc(0, 1, 'b', n(0)) },
    ]);
    expect(vas).toEqual([pc(0, 1, 'b', n(0)), pc(1, 1, 'a', n(1))]);
  });

  test('case 6: left-aligned contiguous request remaps the tail with keep', () => {
    const s = setup();
    const old = put(s.vm, at(0), len(2), s.a, n(0));
    const vas = run(s, old, { from: 0, units: 1, obj: s.a, offset: n(0) }, [
      { kind: 'remap', prev: null, next: pc(1, 1, 'a', n(1)), unmap: { va: pc(0, 2, 'a', n(0)), keep: true } },
      { kind: 'map', ...pc(0, 1, 'a', n(0)) },
    ]);
    expect(vas).toEqual([pc(0, 1, 'a', n(0)), pc(1, 1, 'a', n(1))]);
  });

  test('case 7: right-aligned request with another object remaps the head unchanged', () => {
    const s = setup();
    const old = put(s.vm, at(0), len(2), s.a, n(0));
    const vas = run(s, old, { from: 1, units: 1, obj: s.b, offset: M }, [
      { kind: 'remap', prev: pc(0, 1, 'a', n(0)), next: null, unmap: { va: pc(0, 2, 'a', n(0)), keep: false } },
      { kind: 'map', ...pc(1, 1, 'b', M) },
    ]);
    expect(vas).toEqual([pc(0, 1, 'a', n(0)), pc(1, 1, 'b', M)]);
  });

  test('case 8: right-aligned contiguous request remaps the head with keep', () => {
    const s = setup();
    const old = put(s.vm, at(0), len(2), s.a, n(0));
    const vas = run(s, old, { from: 1, units: 1, obj: s.a, offset: n(1) }, [
      { kind: 'remap', prev: pc(0, 1, 'a', n(0)), next: null, unmap: { va: pc(0, 2, 'a', n(0)), keep: true } },
      { kind: 'map', ...pc(1, 1, 'a', n(1)) },
    ]);
    expect(vas).toEqual([pc(0, 1, 'a', n(0)), pc(1, 1, 'a', n(1))]);
  });

  test('case 9: request overlapping the end with another object remaps the head', () => {
    const s = setup();
    const old = put(s.vm, at(0), len(2), s.a, n(0));
    const vas = run(s, old, { from: 1, units: 2, obj: s.b, offset: M }, [
      { kind: 'remap', prev: pc(0, 1, 'a', n(0)), next: null, unmap: { va: pc(0, 2, 'a', n(0)), keep: false } },
      { kind: 'map', ...pc(1, 2, 'b', M) },
    ]);
    expect(vas).toEqual([pc(0, 1, 'a', n(0)), pc(1, 2, 'b', M)]);
  });

  test('case 10: contiguous request overlapping the end remaps the head with keep', () => {
    const s = setup();
    const old = put(s.vm, at(0), len(2), s.a, n(0));
    const vas = run(s, old, { from: 1, units: 2, obj: s.a, offset: n(1) }, [
      { kind: 'remap', prev: pc(0, 1, 'a', n(0)), next: null, unmap: { va: pc(0, 2, 'a', n(0)), keep: true } },
      { kind: 'map', ...pc(1, 2, 'a', n(1)) },
    ]);
    expect(vas).toEqual([pc(0, 1, 'a', n(0)), pc(1, 2, 'a', n(1))]);
  });

  test('case 11: centered request with another object splits into head and tail at n+2', () => {
    const s = setup();
    const old = put(s.vm, at(0), len(3), s.a, n(0));
    const vas = run(s, old, { from: 1, units: 1, obj: s.b, offset: M }, [
      {
        kind: 'remap',
        prev: pc(0, 1, 'a', n(0)),
        next: pc(2, 1, 'a', n(2)),
        unmap: { va: pc(0, 3, 'a', n(0)), keep: false },
      },
      { kind: 'map', ...pc(1, 1, 'b', M) },
    ]);
    expect(vas).toEqual([pc(0, 1, 'a', n(0)), pc(1, 1, 'b', M), pc(2, 1, 'a', n(2))]);
  });

  test('case 12: centered contiguous request splits with keep', () => {
    const s = setup();
    const old = put(s.vm, at(0), len(3), s.a, n(0));
    const vas = run(s, old, { from: 1, units: 1, obj: s.a, offset: n(1) }, [
      {
        kind: 'remap',
        prev: pc(0, 1, 'a', n(0)),
        next: pc(2, 1, 'a', n(2)),
        unmap: { va: pc(0, 3, 'a', n(0)), keep: true },
      },
      { kind: 'map', ...pc(1, 1, 'a', n(1)) },
    ]);
    expect(vas).toEqual([pc(0, 1, 'a', n(0)), pc(1, 1, 'a', n(1)), pc(2, 1, 'a', n(2))]);
  });

  test('case 13: existing VA is a right-aligned subset of the request: unmap with keep', () => {
    const s = setup();
    const old = put(s.vm, at(1), len(1), s.a, n(1));
    const vas = run(s, old, { from: 0, units: 2, obj: s.a, offset: n(0) }, [
      { kind: 'unmap', va: pc(1, 1, 'a', n(1)), keep: true },
      { kind: 'map', ...pc(0, 2, 'a', n(0)) },
    ]);
    expect(vas).toEqual([pc(0, 2, 'a', n(0))]);
  });

  test('case 13 variant: another object or a non-contiguous offset unmaps without keep', () => {
    for (const req of ['other-object', 'other-offset'] as const) {
      const s = setup();
      const old = put(s.vm, at(1), len(1), s.a, n(1));
      const obj = req === 'other-object' ? s.b : s.a;
      const offset = req === 'other-object' ? n(0) : n(0) + U;
      run(s, old, { from: 0, units: 2, obj, offset }, [
        { kind: 'unmap', va: pc(1, 1, 'a', n(1)), keep: false },
        { kind: 'map', ...pc(0, 2, req === 'other-object' ? 'b' : 'a', offset) },
      ]);
    }
  });

  test('case 14: existing VA is a centered subset of the request: unmap with keep', () => {
    const s = setup();
    const old = put(s.vm, at(1), len(1), s.a, n(1));
    const vas = run(s, old, { from: 0, units: 3, obj: s.a, offset: n(0) }, [
      { kind: 'unmap', va: pc(1, 1, 'a', n(1)), keep: true },
      { kind: 'map', ...pc(0, 3, 'a', n(0)) },
    ]);
    expect(vas).toEqual([pc(0, 3, 'a', n(0))]);
  });

  test('a NULL mapping never gets keep, even for an identical NULL request', () => {
    const s = setup();
    const old = put(s.vm, at(0), len(2), null, 0n);
    run(s, old, { from: 0, units: 2, obj: null, offset: 0n }, [
      { kind: 'unmap', va: pc(0, 2, null, 0n), keep: false },
      { kind: 'map', ...pc(0, 2, null, 0n) },
    ]);
  });

  test('case 15: request overlapping the start with another object remaps the tail at n+1', () => {
    const s = setup();
    const old = put(s.vm, at(1), len(2), s.a, n(0));
    // The seed's diagram labels the tail "n+2"; for old [1,3) at n cut at 2 the formula gives n + (2 - 1) = n+1.
    const vas = run(s, old, { from: 0, units: 2, obj: s.b, offset: M }, [
      { kind: 'remap', prev: null, next: pc(2, 1, 'a', n(1)), unmap: { va: pc(1, 2, 'a', n(0)), keep: false } },
      { kind: 'map', ...pc(0, 2, 'b', M) },
    ]);
    expect(vas).toEqual([pc(0, 2, 'b', M), pc(2, 1, 'a', n(1))]);
  });
});
