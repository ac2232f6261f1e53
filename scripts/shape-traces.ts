/**
 * Writes the regression traces of the documented split/merge cases and of
 * the IGT xe_vm shapes into the corpus (deterministic; run from the
 * repository's top: `npx tsx scripts/shape-traces.ts`):
 *
 * - corpus/cases/case-NN-*.json: the fifteen old/req/new diagrams of the
 *   drm_gpuvm kernel-doc ("Split and Merge"), as test/gpuvm/documented-cases
 *   has them: one existing VA, then the request (ops mode).
 * - corpus/igt/munmap-style-unbind-*.json: xe_vm's munmap-style-unbind
 *   shapes (test/gpuvm/xe-vm-shapes): the binds, the unbind (ops mode),
 *   then the hole bound again (steps mode).
 * - corpus/igt/mmap-style-bind-*.json: the mmap-style-bind shapes: the binds,
 *   then an external object bound over the window (ops mode).
 *
 * Every one of them passes against builtin:gpuvm and the reference model, and
 * `export kunit` turns them into regression cases for drm_gpuvm.
 */

import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { encodeTrace, type Command, type Trace } from '../src/protocol/index.ts';

const U = 0x1000n;
const B = 0x100000n;
const N = 0x40000n;
const M = 0x900000n;
const at = (u: number): bigint => B + BigInt(u) * U;
const len = (u: number): bigint => BigInt(u) * U;
const n = (k: number): bigint => N + BigInt(k) * U;
const A = 1;
const BO_B = 2;

interface Case {
  readonly name: string;
  readonly old: { from: number; units: number; bo: number | null; offset: bigint };
  readonly req: { from: number; units: number; bo: number | null; offset: bigint };
}

const CASES: readonly Case[] = [
  { name: 'case-01-identical', old: { from: 0, units: 2, bo: A, offset: n(0) }, req: { from: 0, units: 2, bo: A, offset: n(0) } },
  { name: 'case-02-other-offset', old: { from: 0, units: 2, bo: A, offset: n(0) }, req: { from: 0, units: 2, bo: A, offset: M } },
  { name: 'case-03-other-object', old: { from: 0, units: 2, bo: A, offset: n(0) }, req: { from: 0, units: 2, bo: BO_B, offset: n(0) } },
  { name: 'case-04-left-subset', old: { from: 0, units: 1, bo: A, offset: n(0) }, req: { from: 0, units: 2, bo: A, offset: n(0) } },
  { name: 'case-05-left-aligned-other', old: { from: 0, units: 2, bo: A, offset: n(0) }, req: { from: 0, units: 1, bo: BO_B, offset: n(0) } },
  { name: 'case-06-left-aligned-contiguous', old: { from: 0, units: 2, bo: A, offset: n(0) }, req: { from: 0, units: 1, bo: A, offset: n(0) } },
  { name: 'case-07-right-aligned-other', old: { from: 0, units: 2, bo: A, offset: n(0) }, req: { from: 1, units: 1, bo: BO_B, offset: M } },
  { name: 'case-08-right-aligned-contiguous', old: { from: 0, units: 2, bo: A, offset: n(0) }, req: { from: 1, units: 1, bo: A, offset: n(1) } },
  { name: 'case-09-overlap-end-other', old: { from: 0, units: 2, bo: A, offset: n(0) }, req: { from: 1, units: 2, bo: BO_B, offset: M } },
  { name: 'case-10-overlap-end-contiguous', old: { from: 0, units: 2, bo: A, offset: n(0) }, req: { from: 1, units: 2, bo: A, offset: n(1) } },
  { name: 'case-11-centered-other', old: { from: 0, units: 3, bo: A, offset: n(0) }, req: { from: 1, units: 1, bo: BO_B, offset: M } },
  { name: 'case-12-centered-contiguous', old: { from: 0, units: 3, bo: A, offset: n(0) }, req: { from: 1, units: 1, bo: A, offset: n(1) } },
  { name: 'case-13-right-subset', old: { from: 1, units: 1, bo: A, offset: n(1) }, req: { from: 0, units: 2, bo: A, offset: n(0) } },
  { name: 'case-14-centered-subset', old: { from: 1, units: 1, bo: A, offset: n(1) }, req: { from: 0, units: 3, bo: A, offset: n(0) } },
  { name: 'case-15-overlap-start-other', old: { from: 1, units: 2, bo: A, offset: n(0) }, req: { from: 0, units: 2, bo: BO_B, offset: M } },
];

function caseTrace(c: Case): Trace {
  const map = (x: Case['old']): Command => ({ cmd: 'map', addr: at(x.from), range: len(x.units), bo: x.bo, offset: x.offset });
  return {
    format: 'gpuvm-trace/1',
    vm: { start: 0n, range: 1n << 32n, reserve: { addr: 0n, range: U } },
    objects: [{ bo: A }, { bo: BO_B }],
    commands: [map(c.old), map(c.req)],
    meta: { source: 'drm_gpuvm kernel-doc, Split and Merge', case: Number(c.name.slice(5, 7)) },
  };
}

const BASE = 0x1a00000n;
const PAGE = 0x1000n;
const pg = (p: number): bigint => BASE + BigInt(p) * PAGE;

interface Shape {
  readonly name: string;
  readonly pages: number;
  readonly binds: number;
  readonly off: number;
  readonly n: number;
}

const SHAPES: readonly Shape[] = [
  { name: 'all', pages: 4, binds: 2, off: 0, n: 4 },
  { name: 'one-partial', pages: 4, binds: 1, off: 1, n: 2 },
  { name: 'either-side-partial', pages: 4, binds: 2, off: 1, n: 2 },
  { name: 'either-side-full', pages: 4, binds: 4, off: 1, n: 2 },
  { name: 'end', pages: 4, binds: 2, off: 0, n: 3 },
  { name: 'front', pages: 4, binds: 2, off: 1, n: 3 },
  { name: 'many-all', pages: 32, binds: 16, off: 0, n: 32 },
  { name: 'many-either-side-partial', pages: 32, binds: 16, off: 1, n: 30 },
  { name: 'many-either-side-full', pages: 32, binds: 32, off: 8, n: 16 },
  { name: 'many-end', pages: 32, binds: 4, off: 0, n: 26 },
  { name: 'many-front', pages: 32, binds: 4, off: 6, n: 26 },
];

function binds(s: Shape): Command[] {
  const per = s.pages / s.binds;
  return Array.from({ length: s.binds }, (_, i) => ({
    cmd: 'map' as const,
    addr: pg(i * per),
    range: BigInt(per) * PAGE,
    bo: 1,
    offset: BigInt(i * per) * PAGE,
  }));
}

function shapeTrace(s: Shape, style: 'munmap' | 'mmap'): Trace {
  const window = { addr: pg(s.off), range: BigInt(s.n) * PAGE };
  const commands: Command[] =
    style === 'munmap'
      ? [
          ...binds(s),
          { cmd: 'unmap', ...window },
          { cmd: 'map', ...window, bo: 1, offset: BigInt(s.off) * PAGE, via: 'steps' },
        ]
      : [...binds(s), { cmd: 'map', ...window, bo: 2, offset: BigInt(s.off) * PAGE }];
  return {
    format: 'gpuvm-trace/1',
    vm: { start: 0n, range: 1n << 48n, reserve: { addr: 0n, range: 0x100000n } },
    objects: style === 'munmap' ? [{ bo: 1 }] : [{ bo: 1 }, { bo: 2, external: true }],
    commands,
    meta: { source: `IGT xe_vm ${style}-style-${style === 'munmap' ? 'unbind' : 'bind'}-${s.name}` },
  };
}

const root = join(import.meta.dirname, '..', 'corpus');
mkdirSync(join(root, 'cases'), { recursive: true });
mkdirSync(join(root, 'igt'), { recursive: true });
for (const c of CASES) writeFileSync(join(root, 'cases', `${c.name}.json`), encodeTrace(caseTrace(c)));
for (const s of SHAPES) {
  writeFileSync(join(root, 'igt', `munmap-style-unbind-${s.name}.json`), encodeTrace(shapeTrace(s, 'munmap')));
  writeFileSync(join(root, 'igt', `mmap-style-bind-${s.name}.json`), encodeTrace(shapeTrace(s, 'mmap')));
}
