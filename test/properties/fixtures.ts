/**
 * Hand-made step contexts for the invariant unit tests: one small VM, a good
 * context per scenario, and helpers to corrupt one thing.
 *
 * VM [0, 0x10000), kernel node [0xf000, 0x10000); object 1 internal, object 2
 * external. Before every scenario:
 *   A = [0x1000, 0x3000) bo 1 off 0x0
 *   B = [0x4000, 0x6000) bo 2 off 0x10000
 *   C = [0x7000, 0x8000) NULL off 0x0
 */
import type {
  Accounting,
  Command,
  MapCommand,
  Observation,
  Snapshot,
  TraceHeader,
  VaRecord,
} from '../../src/protocol/types.ts';
import type { StepContext } from '../../properties/step-context.ts';
import { ALL_CHECKS } from '../../properties/invariants/index.ts';
import type { InvariantName } from '../../properties/invariant-names.ts';

export const header: TraceHeader = {
  vm: { start: 0n, range: 0x10000n, reserve: { addr: 0xf000n, range: 0x1000n } },
  objects: [{ bo: 1 }, { bo: 2, external: true }],
};

export const A: VaRecord = { addr: 0x1000n, range: 0x2000n, bo: 1, offset: 0n };
export const B: VaRecord = { addr: 0x4000n, range: 0x2000n, bo: 2, offset: 0x10000n };
export const C: VaRecord = { addr: 0x7000n, range: 0x1000n, bo: null, offset: 0n };
export const KERNEL_VA: VaRecord = { addr: 0xf000n, range: 0x1000n, bo: null, offset: 0n, kernel: true };

export const before: Snapshot = {
  vas: [A, B, C],
  kernel: { addr: 0xf000n, range: 0x1000n },
  vmBos: [
    { bo: 1, refs: 1, vas: [[0x1000n, 0x2000n]], evicted: false },
    { bo: 2, refs: 1, vas: [[0x4000n, 0x2000n]], evicted: false },
  ],
  objects: [
    { bo: 1, refs: 2 },
    { bo: 2, refs: 2 },
  ],
  evictList: [],
  extobjList: [2],
  deferred: [],
};

/**
 * map [0x2000, 0x5000) bo 1 off 0x1000: cuts A on the left (contiguous, keep)
 * and B on the right (other object), then maps.
 */
export const mapCmd: MapCommand = { cmd: 'map', addr: 0x2000n, range: 0x3000n, bo: 1, offset: 0x1000n };

export const mapObs: Observation = {
  ok: true,
  ops: [
    {
      op: 'remap',
      unmap: { va: A, keep: true },
      prev: { addr: 0x1000n, range: 0x1000n, bo: 1, offset: 0n },
      next: null,
      hole: [0x2000n, 0x1000n],
    },
    {
      op: 'remap',
      unmap: { va: B, keep: false },
      prev: null,
      next: { addr: 0x5000n, range: 0x1000n, bo: 2, offset: 0x11000n },
      hole: [0x4000n, 0x1000n],
    },
    { op: 'map', addr: 0x2000n, range: 0x3000n, bo: 1, offset: 0x1000n },
  ],
};

export const mapAfter: Snapshot = {
  vas: [
    { addr: 0x1000n, range: 0x1000n, bo: 1, offset: 0n },
    { addr: 0x2000n, range: 0x3000n, bo: 1, offset: 0x1000n },
    { addr: 0x5000n, range: 0x1000n, bo: 2, offset: 0x11000n },
    C,
  ],
  kernel: { addr: 0xf000n, range: 0x1000n },
  vmBos: [
    { bo: 1, refs: 2, vas: [[0x1000n, 0x1000n], [0x2000n, 0x3000n]], evicted: false },
    { bo: 2, refs: 1, vas: [[0x5000n, 0x1000n]], evicted: false },
  ],
  objects: [
    { bo: 1, refs: 2 },
    { bo: 2, refs: 2 },
  ],
  evictList: [],
  extobjList: [2],
  deferred: [],
};

/** The same VM in immediate mode (zombies possible), lists not resv-protected. */
export const immediateHeader: TraceHeader = { ...header, flags: { immediate: true } };

/**
 * `before` with one zombie of object 2 awaiting cleanup (an earlier vm_bo of
 * it, dropped deferred): it still holds its object reference.
 */
export const zombieBefore: Snapshot = {
  ...before,
  objects: [
    { bo: 1, refs: 2 },
    { bo: 2, refs: 3 },
  ],
  deferred: [{ bo: 2, evicted: false }],
};

/**
 * madvise [0x7800, 0x9000) with a NULL request: cuts C = [0x7000, 0x8000) at
 * 0x7800 (REMAP keeping prev, then a MAP of its part inside the request).
 */
export const madviseCmd: Command = { cmd: 'madvise', addr: 0x7800n, range: 0x1800n, bo: null, offset: 0n };

export const madviseObs: Observation = {
  ok: true,
  ops: [
    {
      op: 'remap',
      unmap: { va: C, keep: false },
      prev: { addr: 0x7000n, range: 0x800n, bo: null, offset: 0n },
      next: null,
      hole: [0x7800n, 0x800n],
    },
    { op: 'map', addr: 0x7800n, range: 0x800n, bo: null, offset: 0n },
  ],
};

export const madviseAfter: Snapshot = {
  ...before,
  vas: [A, B, { addr: 0x7000n, range: 0x800n, bo: null, offset: 0n }, { addr: 0x7800n, range: 0x800n, bo: null, offset: 0n }],
};

/** A context whose model answer equals the subject's (so model-agrees holds). */
export function ctx(
  command: Command,
  observation: Observation,
  after: Snapshot,
  extra: Partial<StepContext> = {},
): StepContext {
  return {
    header,
    step: 0,
    command,
    before,
    observation,
    after,
    accounting: null,
    held: new Map(),
    expectedObservation: observation,
    expectedAfter: after,
    ...extra,
  };
}

/** The names of every check that fails on `c` (all of them, not only the first). */
export function failing(c: StepContext): InvariantName[] {
  return ALL_CHECKS.filter((inv) => inv.check(c) !== null).map((inv) => inv.name);
}

/** Accounting that balances and stays within budget. */
export const goodAccounting: Accounting = {
  vasNeeded: 3,
  vasPreallocated: null,
  opsAllocated: 3,
  opsFreedByBuilder: 0,
  opsReturned: 3,
  opsPure: true,
};

/** A deep copy with bigints preserved (structuredClone keeps them). */
export function clone<T>(v: T): T {
  return structuredClone(v);
}
