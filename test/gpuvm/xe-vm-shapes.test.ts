/**
 * The IGT xe_vm munmap-style-unbind and mmap-style-bind shapes
 * (reference/upstream-gpuvm.md section 2.2) as unmap / map examples.
 *
 * Setup: base 0x1a00000, 4 KiB pages; a BO of `pages` pages bound with `binds`
 * equal adjacent binds (bind i at BO offset i * bs). The unbind / bind window is
 * [off, off + n) pages. Expected ops are written out per shape from the IGT
 * description; afterwards every page is checked to translate as it should.
 */
import { describe, expect, test } from 'vitest';
import { GemObject, GpuVm } from '../../src/gpuvm/index.ts';
import type { GpuVa } from '../../src/gpuvm/index.ts';
import { applyOps, put, recOps } from './helpers.ts';
import type { OpRec, PieceRec } from './helpers.ts';

const BASE = 0x1a00000n;
const PAGE = 0x1000n;
const pg = (p: number): bigint => BASE + BigInt(p) * PAGE;

interface Shape {
  name: string;
  pages: number;
  binds: number;
  off: number;
  n: number;
  /** The expected touched binds, described as in the IGT table. */
  expect: Array<{ unmap: number } | { remap: number; prev?: [number, number]; next?: [number, number] }>;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ unmap: from + i }));

const SHAPES: Shape[] = [
  { name: 'all', pages: 4, binds: 2, off: 0, n: 4, expect: [{ unmap: 0 }, { unmap: 1 }] },
  { name: 'one-partial', pages: 4, binds: 1, off: 1, n: 2, expect: [{ remap: 0, prev: [0, 1], next: [3, 4] }] },
  {
    name: 'either-side-partial',
    pages: 4,
    binds: 2,
    off: 1,
    n: 2,
    expect: [
      { remap: 0, prev: [0, 1] },
      { remap: 1, next: [3, 4] },
    ],
  },
  { name: 'either-side-full', pages: 4, binds: 4, off: 1, n: 2, expect: [{ unmap: 1 }, { unmap: 2 }] },
  { name: 'end', pages: 4, binds: 2, off: 0, n: 3, expect: [{ unmap: 0 }, { remap: 1, next: [3, 4] }] },
  { name: 'front', pages: 4, binds: 2, off: 1, n: 3, expect: [{ remap: 0, prev: [0, 1] }, { unmap: 1 }] },
  { name: 'many-all', pages: 32, binds: 16, off: 0, n: 32, expect: range(0, 16) },
  {
    name: 'many-either-side-partial',
    pages: 32,
    binds: 16,
    off: 1,
    n: 30,
    expect: [{ remap: 0, prev: [0, 1] }, ...range(1, 15), { remap: 15, next: [31, 32] }],
  },
  { name: 'many-either-side-full', pages: 32, binds: 32, off: 8, n: 16, expect: range(8, 24) },
  { name: 'many-end', pages: 32, binds: 4, off: 0, n: 26, expect: [...range(0, 3), { remap: 3, next: [26, 32] }] },
  { name: 'many-front', pages: 32, binds: 4, off: 6, n: 26, expect: [{ remap: 0, prev: [0, 6] }, ...range(1, 4)] },
];

interface World {
  vm: GpuVm;
  bo0: GemObject;
  bo1: GemObject;
  names: Map<GemObject, string>;
  binds: GpuVa[];
}

function bindAll(shape: Shape): World {
  const vm = new GpuVm({ name: 'xe', start: 0n, range: 1n << 48n, reserveOffset: 0n, reserveRange: 0x100000n });
  const bo0 = new GemObject({ name: 'bo0' });
  const bo1 = new GemObject({ name: 'bo1' });
  const per = shape.pages / shape.binds;
  const binds: GpuVa[] = [];
  for (let i = 0; i < shape.binds; i++) binds.push(put(vm, pg(i * per), BigInt(per) * PAGE, bo0, BigInt(i * per) * PAGE));
  return { vm, bo0, bo1, names: new Map([[bo0, 'bo0'], [bo1, 'bo1']]), binds };
}

const pieceAt = (from: number, to: number, obj: string): PieceRec => ({
  addr: pg(from),
  range: BigInt(to - from) * PAGE,
  obj,
  offset: BigInt(from) * PAGE,
});

function expectedOps(shape: Shape, keep: boolean): OpRec[] {
  const per = shape.pages / shape.binds;
  const bind = (i: number) => pieceAt(i * per, (i + 1) * per, 'bo0');
  return shape.expect.map((e) =>
    'unmap' in e
      ? { kind: 'unmap', va: bind(e.unmap), keep }
      : {
          kind: 'remap',
          prev: e.prev ? pieceAt(e.prev[0], e.prev[1], 'bo0') : null,
          next: e.next ? pieceAt(e.next[0], e.next[1], 'bo0') : null,
          unmap: { va: bind(e.remap), keep },
        },
  );
}

/** Which object and offset page p translates to, or null if unmapped. */
function translate(w: World, p: number): [string, bigint] | null {
  const va = w.vm.findFirst(pg(p), 1n);
  if (va === null || va.obj === null) return null;
  return [w.names.get(va.obj) ?? '?', va.offset + (pg(p) - va.addr)];
}

describe('xe_vm munmap-style-unbind shapes', () => {
  for (const shape of SHAPES) {
    test(`munmap-style-unbind-${shape.name} (${shape.pages} pages, ${shape.binds} binds, unbind ${shape.n} pages at ${shape.off})`, () => {
      const w = bindAll(shape);
      const ops = w.vm.smUnmapOpsCreate(pg(shape.off), BigInt(shape.n) * PAGE);
      expect(recOps(ops, w.names)).toEqual(expectedOps(shape, false));
      applyOps(w.vm, ops);
      for (let p = 0; p < shape.pages; p++) {
        const inHole = p >= shape.off && p < shape.off + shape.n;
        expect(translate(w, p)).toEqual(inHole ? null : ['bo0', BigInt(p) * PAGE]);
      }
      // Rebind the hole with the same BO offsets: nothing left to split, one MAP.
      const rebind = w.vm.smMapOpsCreate({ addr: pg(shape.off), range: BigInt(shape.n) * PAGE, obj: w.bo0, offset: BigInt(shape.off) * PAGE });
      expect(recOps(rebind, w.names)).toEqual([{ kind: 'map', ...pieceAt(shape.off, shape.off + shape.n, 'bo0') }]);
      applyOps(w.vm, rebind);
      for (let p = 0; p < shape.pages; p++) expect(translate(w, p)).toEqual(['bo0', BigInt(p) * PAGE]);
    });
  }
});

describe('xe_vm mmap-style-bind shapes', () => {
  for (const shape of SHAPES) {
    test(`mmap-style-bind-${shape.name} (bind bo1 over ${shape.n} pages at ${shape.off})`, () => {
      const w = bindAll(shape);
      const req = { addr: pg(shape.off), range: BigInt(shape.n) * PAGE, obj: w.bo1, offset: BigInt(shape.off) * PAGE };
      const ops = w.vm.smMapOpsCreate(req);
      expect(recOps(ops, w.names)).toEqual([
        ...expectedOps(shape, false),
        { kind: 'map', ...pieceAt(shape.off, shape.off + shape.n, 'bo1') },
      ]);
      applyOps(w.vm, ops);
      for (let p = 0; p < shape.pages; p++) {
        const inWindow = p >= shape.off && p < shape.off + shape.n;
        expect(translate(w, p)).toEqual([inWindow ? 'bo1' : 'bo0', BigInt(p) * PAGE]);
      }
    });
  }

  test('mmap-style bind of the same BO at matching offsets marks every touched VA keep', () => {
    const shape = SHAPES.find((s) => s.name === 'many-either-side-partial') as Shape;
    const w = bindAll(shape);
    const ops = w.vm.smMapOpsCreate({ addr: pg(shape.off), range: BigInt(shape.n) * PAGE, obj: w.bo0, offset: BigInt(shape.off) * PAGE });
    expect(recOps(ops, w.names)).toEqual([
      ...expectedOps(shape, true),
      { kind: 'map', ...pieceAt(shape.off, shape.off + shape.n, 'bo0') },
    ]);
  });
});
