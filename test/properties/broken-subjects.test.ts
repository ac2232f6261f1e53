/**
 * Deliberately broken subjects, each corrupting one thing, must be caught by
 * the stateful property with the right invariant named, and the shrunk
 * counterexample must replay to the same violation.
 */
import { describe, expect, it } from 'vitest';
import type { Command, Observation, OpRecord, Subject, SubjectFactory, TraceHeader } from '../../src/protocol/types.ts';
import { ReferenceModel } from '../../model/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import { GpuVm, SplitMerge, type GpuVa, type MapReq } from '../../src/gpuvm/index.ts';
import { replayTrace, runProperty, type InvariantName } from '../../properties/index.ts';
import unlinkBeforeLink from '../../bench/faults/remap-unlink-first.ts';

/** Wraps a subject and rewrites its observations. */
class ObservationRewriter implements Subject {
  readonly name: string;
  constructor(
    private readonly inner: Subject,
    private readonly rewrite: (c: Command, o: Observation) => Observation,
  ) {
    this.name = `broken(${inner.name})`;
  }
  reset(h: TraceHeader) {
    return this.inner.reset(h);
  }
  exec(c: Command) {
    const o = this.inner.exec(c) as Observation;
    return this.rewrite(c, o);
  }
  snapshot() {
    return this.inner.snapshot();
  }
}

function mapOps(o: Observation, f: (op: OpRecord, i: number) => OpRecord): Observation {
  return o.ops === undefined ? o : { ...o, ops: o.ops.map(f) };
}

/** The model, with the keep hint of the first touched VA of every map inverted. */
const modelWrongKeep: SubjectFactory = () =>
  new ObservationRewriter(new ReferenceModel(), (c, o) =>
    c.cmd !== 'map'
      ? o
      : mapOps(o, (op, i) =>
          i !== 0 ? op : op.op === 'unmap' ? { ...op, keep: !op.keep } : op.op === 'remap' ? { ...op, unmap: { ...op.unmap, keep: !op.unmap.keep } } : op,
        ),
  );

/** The model, reporting every remap's next half one granule further into the object. */
const modelNextOffByOne: SubjectFactory = () =>
  new ObservationRewriter(new ReferenceModel(), (_c, o) =>
    mapOps(o, (op) => (op.op === 'remap' && op.next !== null ? { ...op, next: { ...op.next, offset: op.next.offset + 0x1000n } } : op)),
  );

/** The production manager with its split/merge core replaced by a subclass. */
function vmWith(Core: typeof SplitMerge): SubjectFactory {
  class Variant extends GpuVm {
    protected override createSplitMerge(): SplitMerge {
      return new Core(this.tree);
    }
  }
  return () => new GpuVmSubject({ createVm: (cfg) => new Variant(cfg) });
}

/** The manager computes keep with the opposite answer. */
const managerWrongKeep = vmWith(
  class WrongKeep extends SplitMerge {
    override keep(va: GpuVa, req: MapReq): boolean {
      return !super.keep(va, req);
    }
  },
);

/** The manager gives the next half an offset one granule too far. */
const managerNextOffByOne = vmWith(
  class NextOffByOne extends SplitMerge {
    override nextPiece(va: GpuVa, cut: bigint): MapReq {
      const p = super.nextPiece(va, cut);
      return { ...p, offset: p.offset + 0x1000n };
    }
  },
);

/** The manager never emits a REMAP: a partly covered VA is unmapped whole. */
const managerMissingRemap = vmWith(
  class NoRemap extends SplitMerge {
    override cut(va: GpuVa, _ra: bigint, _re: bigint, keep: boolean): ReturnType<SplitMerge['cut']> {
      return { kind: 'unmap', va, keep };
    }
  },
);

const cases: [string, SubjectFactory, InvariantName][] = [
  ['model with a wrong keep', modelWrongKeep, 'keep-flag'],
  ['model with the next offset off by one granule', modelNextOffByOne, 'remap-offsets'],
  ['manager with a wrong keep', managerWrongKeep, 'keep-flag'],
  ['manager with the next offset off by one granule', managerNextOffByOne, 'remap-offsets'],
  ['manager with a missing remap', managerMissingRemap, 'remap-offsets'],
  // The zoo's fault 8: the driver unlinks the old VA before linking the halves (the vm_bo can die in between).
  ['driver unlinking before linking', unlinkBeforeLink, 'vm-bo-refcount'],
];

describe('broken subjects are caught with the right invariant', () => {
  for (const [what, factory, invariant] of cases) {
    it(`${what} -> ${invariant}`, async () => {
      const r = await runProperty({ subjectFactory: factory, seed: 2, numRuns: 200 });
      expect(r.failure).not.toBeNull();
      const f = r.failure!;
      expect(f.violation.invariant).toBe(invariant);
      expect(f.trace.meta?.invariant).toBe(invariant);
      expect(f.trace.commands.length).toBe(f.violation.step + 1);
      // Shrunk to (nearly) the minimum: one map to create a VA, one command to cut it.
      expect(f.trace.commands.length).toBeLessThanOrEqual(3);
      const again = await replayTrace(f.trace, await factory(), new ReferenceModel());
      expect(again.ok).toBe(false);
      if (!again.ok) {
        expect(again.violation.invariant).toBe(invariant);
        expect(again.violation.step).toBe(f.violation.step);
      }
    });
  }
});
