/**
 * Writes the regression traces of the documented split/merge cases and of
 * the IGT xe_vm shapes into the corpus (deterministic; run from the
 * repository's top: `npx tsx scripts/shape-traces.ts`):
 *
 * - corpus/cases/case-NN-*.json: the fifteen old/req/new diagrams of the
 *   drm_gpuvm kernel-doc ("Split and Merge"), the traces of the conformance
 *   battery (src/exec/conform-battery.ts): one existing VA, then the request.
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
import { caseTraces } from '../src/exec/conform-battery.ts';
import { encodeTrace, type Command, type Trace } from '../src/protocol/index.ts';

/** The file names of the documented cases, in the kernel-doc's order. */
const CASE_NAMES: readonly string[] = [
  'case-01-identical',
  'case-02-other-offset',
  'case-03-other-object',
  'case-04-left-subset',
  'case-05-left-aligned-other',
  'case-06-left-aligned-contiguous',
  'case-07-right-aligned-other',
  'case-08-right-aligned-contiguous',
  'case-09-overlap-end-other',
  'case-10-overlap-end-contiguous',
  'case-11-centered-other',
  'case-12-centered-contiguous',
  'case-13-right-subset',
  'case-14-centered-subset',
  'case-15-overlap-start-other',
];

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
caseTraces().forEach(({ trace }, i) => {
  const withMeta: Trace = { ...trace, meta: { source: 'drm_gpuvm kernel-doc, Split and Merge', case: i + 1 } };
  writeFileSync(join(root, 'cases', `${CASE_NAMES[i] as string}.json`), encodeTrace(withMeta));
});
for (const s of SHAPES) {
  writeFileSync(join(root, 'igt', `munmap-style-unbind-${s.name}.json`), encodeTrace(shapeTrace(s, 'munmap')));
  writeFileSync(join(root, 'igt', `mmap-style-bind-${s.name}.json`), encodeTrace(shapeTrace(s, 'mmap')));
}
