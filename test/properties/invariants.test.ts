/**
 * Every invariant has a hand-made good context it accepts and a bad one that
 * fails exactly that check (so no check is vacuous and none over-reaches).
 */
import { describe, expect, it } from 'vitest';
import type { Command, Observation, OpRecord, Snapshot } from '../../src/protocol/types.ts';
import type { InvariantName } from '../../properties/invariant-names.ts';
import { INVARIANT_ORDER } from '../../properties/invariant-names.ts';
import { ALL_CHECKS } from '../../properties/invariants/index.ts';
import { firstViolation } from '../../properties/step-checker.ts';
import type { StepContext } from '../../properties/step-context.ts';
import {
  A,
  B,
  C,
  KERNEL_VA,
  before,
  clone,
  ctx,
  failing,
  goodAccounting,
  immediateHeader,
  madviseAfter,
  madviseCmd,
  madviseObs,
  mapAfter,
  mapCmd,
  mapObs,
  zombieBefore,
} from './fixtures.ts';

const mapOps = mapObs.ops!;
const remapA = mapOps[0]! as Extract<OpRecord, { op: 'remap' }>;
const remapB = mapOps[1]! as Extract<OpRecord, { op: 'remap' }>;
const mapOp = mapOps[2]!;

const extraNullVa: Snapshot = { ...before, vas: [...before.vas, { addr: 0x9000n, range: 0x1000n, bo: null, offset: 0n }] };

/** The state after only A's remap (step 1 of the map) was applied. */
const aCut: Snapshot = {
  ...before,
  vas: [{ addr: 0x1000n, range: 0x1000n, bo: 1, offset: 0n }, B, C],
  vmBos: [
    { bo: 1, refs: 1, vas: [[0x1000n, 0x1000n]], evicted: false },
    { bo: 2, refs: 1, vas: [[0x4000n, 0x2000n]], evicted: false },
  ],
};

const failingMap = (via: 'ops' | 'steps'): Command => ({ ...mapCmd, via, failAt: 2 } as Command);
const eio: Observation = { ok: false, error: 'EIO', ops: [remapA, remapB] };

const prefetchCmd: Command = { cmd: 'prefetch', addr: 0n, range: 0x5000n };
const findCmd: Command = { cmd: 'find', addr: 0x1000n, range: 0x2000n };
const zeroMap: Command = { cmd: 'map', addr: 0x2000n, range: 0n, bo: 1, offset: 0n };
const EINVAL: Observation = { ok: false, error: 'EINVAL' };
const CLEANUP: Command = { cmd: 'deferred_cleanup' };

interface Scenario {
  readonly name: InvariantName;
  readonly what: string;
  readonly good: StepContext;
  readonly bad: StepContext;
}

const scenarios: Scenario[] = [
  {
    name: 'kernel-warn',
    what: 'the subject reports a WARN it raised',
    good: ctx(mapCmd, mapObs, mapAfter, { reports: [] }),
    bad: ctx(mapCmd, mapObs, mapAfter, { reports: [{ kind: 'warn', message: 'WARNING: drm_gpuvm.c:1234 drm_gpuva_remap' }] }),
  },
  {
    name: 'alloc-leak',
    what: 'the subject reports memory it still holds',
    good: ctx(mapCmd, mapObs, mapAfter, { reports: [] }),
    bad: ctx(mapCmd, mapObs, mapAfter, { reports: [{ kind: 'leak', message: '1 drm_gpuva_op not freed' }] }),
  },
  {
    name: 'ops-shape',
    what: 'the MAP op comes first instead of last',
    good: ctx(mapCmd, mapObs, mapAfter),
    bad: ctx(mapCmd, { ok: true, ops: [mapOp, remapA, remapB] }, mapAfter),
  },
  {
    name: 'ops-shape',
    what: 'failAt within the ops is ignored',
    good: ctx(failingMap('ops'), eio, before),
    bad: ctx(failingMap('ops'), mapObs, mapAfter),
  },
  {
    name: 'keep-flag',
    what: 'a contiguous same-object remap reports keep=false',
    good: ctx(mapCmd, mapObs, mapAfter),
    bad: ctx(mapCmd, { ok: true, ops: [{ ...remapA, unmap: { va: A, keep: false } }, remapB, mapOp] }, mapAfter),
  },
  {
    name: 'remap-offsets',
    what: "the next half's offset is one granule off",
    good: ctx(mapCmd, mapObs, mapAfter),
    bad: ctx(
      mapCmd,
      { ok: true, ops: [remapA, { ...remapB, next: { ...remapB.next!, offset: 0x12000n } }, mapOp] },
      mapAfter,
    ),
  },
  {
    name: 'remap-offsets',
    what: 'a VA sticking out of the request is unmapped whole (a missing remap)',
    good: ctx(mapCmd, mapObs, mapAfter),
    bad: ctx(mapCmd, { ok: true, ops: [{ op: 'unmap', va: A, keep: true }, remapB, mapOp] }, mapAfter),
  },
  {
    name: 'remap-hole',
    what: 'the hole covers the kept prev half',
    good: ctx(mapCmd, mapObs, mapAfter),
    bad: ctx(mapCmd, { ok: true, ops: [{ ...remapA, hole: [0x1000n, 0x2000n] }, remapB, mapOp] }, mapAfter),
  },
  {
    name: 'exact-coverage',
    what: 'a prefetch leaves out an overlapped VA',
    good: ctx(prefetchCmd, { ok: true, ops: [{ op: 'prefetch', va: A }, { op: 'prefetch', va: B }] }, before),
    bad: ctx(prefetchCmd, { ok: true, ops: [{ op: 'prefetch', va: A }] }, before),
  },
  {
    name: 'exact-coverage',
    what: 'a prefetch over the kernel node does not report it',
    good: ctx({ cmd: 'prefetch', addr: 0xe000n, range: 0x2000n }, { ok: true, ops: [{ op: 'prefetch', va: KERNEL_VA }] }, before),
    bad: ctx({ cmd: 'prefetch', addr: 0xe000n, range: 0x2000n }, { ok: true, ops: [] }, before),
  },
  {
    name: 'va-budget',
    what: 'the driver needed 4 VAs for a map',
    good: ctx(mapCmd, mapObs, mapAfter, { accounting: goodAccounting }),
    bad: ctx(mapCmd, mapObs, mapAfter, { accounting: { ...goodAccounting, vasNeeded: 4 } }),
  },
  {
    name: 'va-budget',
    what: 'the steps driver preallocated fewer VAs than it needed',
    good: ctx({ ...mapCmd, via: 'steps' }, mapObs, mapAfter, { accounting: { ...goodAccounting, vasPreallocated: 3 } }),
    bad: ctx({ ...mapCmd, via: 'steps' }, mapObs, mapAfter, { accounting: { ...goodAccounting, vasPreallocated: 2 } }),
  },
  {
    name: 'op-alloc-balance',
    what: 'an allocated op was neither returned nor freed',
    good: ctx(mapCmd, mapObs, mapAfter, { accounting: goodAccounting }),
    bad: ctx(mapCmd, mapObs, mapAfter, { accounting: { ...goodAccounting, opsAllocated: 4 } }),
  },
  {
    name: 'op-alloc-balance',
    what: 'the returned list was freed without handing every op to opFree',
    good: ctx(mapCmd, mapObs, mapAfter, { accounting: { ...goodAccounting, opsFreedByDriver: goodAccounting.opsReturned } }),
    bad: ctx(mapCmd, mapObs, mapAfter, { accounting: { ...goodAccounting, opsFreedByDriver: goodAccounting.opsReturned - 1 } }),
  },
  {
    name: 'ops-pure',
    what: 'a query inserted a VA',
    good: ctx(findCmd, { ok: true, va: A }, before),
    bad: ctx(findCmd, { ok: true, va: A }, extraNullVa),
  },
  {
    name: 'ops-pure',
    what: 'the accounting says a repeated ops build differed',
    good: ctx(mapCmd, mapObs, mapAfter, { accounting: goodAccounting }),
    bad: ctx(mapCmd, mapObs, mapAfter, { accounting: { ...goodAccounting, opsPure: false } }),
  },
  {
    name: 'no-overlap',
    what: 'the VAs are out of order',
    good: ctx(mapCmd, mapObs, mapAfter),
    bad: ctx(mapCmd, mapObs, { ...mapAfter, vas: [mapAfter.vas[0]!, mapAfter.vas[1]!, C, mapAfter.vas[2]!] }),
  },
  {
    name: 'kernel-node-untouched',
    what: 'the kernel node grew',
    good: ctx(mapCmd, mapObs, mapAfter),
    bad: ctx(mapCmd, mapObs, { ...mapAfter, kernel: { addr: 0xe000n, range: 0x2000n } }),
  },
  {
    name: 'vm-bo-unique',
    what: 'two live vm_bos for one object',
    good: ctx(mapCmd, mapObs, mapAfter),
    bad: ctx(mapCmd, mapObs, {
      ...mapAfter,
      vmBos: [...mapAfter.vmBos, { bo: 2, refs: 1, vas: [], evicted: false }],
      objects: [
        { bo: 1, refs: 2 },
        { bo: 2, refs: 3 },
      ],
    }),
  },
  {
    name: 'vm-bo-refcount',
    what: 'a vm_bo leaked a reference',
    good: ctx(mapCmd, mapObs, mapAfter),
    bad: ctx(mapCmd, mapObs, { ...mapAfter, vmBos: [{ ...mapAfter.vmBos[0]!, refs: 3 }, mapAfter.vmBos[1]!] }),
  },
  {
    name: 'vm-bo-refcount',
    what: "the driver's bo_get reference is not counted",
    good: ctx({ cmd: 'bo_get', bo: 1 }, { ok: true }, { ...before, vmBos: [{ ...before.vmBos[0]!, refs: 2 }, before.vmBos[1]!] }, {
      held: new Map([[1, 1]]),
    }),
    bad: ctx({ cmd: 'bo_get', bo: 1 }, { ok: true }, { ...before, vmBos: [{ ...before.vmBos[0]!, refs: 2 }, before.vmBos[1]!] }),
  },
  {
    name: 'gem-refcount',
    what: 'an object holds one reference too many',
    good: ctx(mapCmd, mapObs, mapAfter),
    bad: ctx(mapCmd, mapObs, { ...mapAfter, objects: [{ bo: 1, refs: 3 }, mapAfter.objects[1]!] }),
  },
  {
    name: 'lists',
    what: "the external object's vm_bo is missing from the extobj list",
    good: ctx(mapCmd, mapObs, mapAfter),
    bad: ctx(mapCmd, mapObs, { ...mapAfter, extobjList: [] }),
  },
  {
    name: 'lists',
    what: 'an evicted vm_bo is not on the evict list',
    good: ctx({ cmd: 'evict', bo: 2, evict: true }, { ok: true }, { ...before, vmBos: [before.vmBos[0]!, { ...before.vmBos[1]!, evicted: true }], evictList: [2] }),
    bad: ctx({ cmd: 'evict', bo: 2, evict: true }, { ok: true }, { ...before, vmBos: [before.vmBos[0]!, { ...before.vmBos[1]!, evicted: true }] }),
  },
  {
    name: 'rejected-is-atomic',
    what: 'a rejected map still inserted a VA',
    good: ctx(zeroMap, EINVAL, before),
    bad: ctx(zeroMap, EINVAL, extraNullVa),
  },
  {
    name: 'unwind-restores',
    what: 'an ops-mode failure at op 2 leaves op 1 applied',
    good: ctx(failingMap('ops'), eio, before),
    bad: ctx(failingMap('ops'), eio, aCut),
  },
  {
    name: 'steps-prefix',
    what: 'a steps-mode failure at step 2 rolled back step 1',
    good: ctx(failingMap('steps'), eio, aCut),
    bad: ctx(failingMap('steps'), eio, before),
  },
  {
    name: 'paint',
    what: 'the new mapping translates at the wrong offset',
    good: ctx(mapCmd, mapObs, mapAfter),
    bad: ctx(mapCmd, mapObs, { ...mapAfter, vas: mapAfter.vas.map((v, i) => (i === 1 ? { ...v, offset: 0x2000n } : v)) }),
  },
  {
    name: 'paint',
    what: 'an unmap leaves part of the range mapped',
    good: ctx(
      { cmd: 'unmap', addr: 0x7000n, range: 0x1000n },
      { ok: true, ops: [{ op: 'unmap', va: C, keep: false }] },
      { ...before, vas: [A, B] },
    ),
    bad: ctx(
      { cmd: 'unmap', addr: 0x7000n, range: 0x1000n },
      { ok: true, ops: [{ op: 'unmap', va: C, keep: false }] },
      before,
    ),
  },
  {
    name: 'madvise-split-only',
    what: 'a madvise that splits C drops the piece inside the request',
    good: ctx(madviseCmd, madviseObs, madviseAfter),
    bad: ctx(madviseCmd, madviseObs, { ...madviseAfter, vas: madviseAfter.vas.filter((v) => v.addr !== 0x7800n) }),
  },
  {
    name: 'zombies',
    what: 'deferred_cleanup leaves the zombie on the deferred list',
    good: ctx(CLEANUP, { ok: true }, before, { header: immediateHeader, before: zombieBefore }),
    bad: ctx(CLEANUP, { ok: true }, zombieBefore, { header: immediateHeader, before: zombieBefore }),
  },
  {
    name: 'queries-agree',
    what: 'find_prev returns the VA that begins at start (a closed window), and the model agrees',
    good: ctx({ cmd: 'find_prev', start: 0x3000n }, { ok: true, va: A }, before),
    bad: ctx({ cmd: 'find_prev', start: 0x1000n }, { ok: true, va: A }, before),
  },
  {
    name: 'queries-agree',
    what: 'find_first misses a VA overlapping the range, and the model agrees',
    good: ctx({ cmd: 'find_first', addr: 0x2000n, range: 0x4000n }, { ok: true, va: A }, before),
    bad: ctx({ cmd: 'find_first', addr: 0x2000n, range: 0x4000n }, { ok: true, va: null }, before),
  },
  {
    name: 'queries-agree',
    what: 'interval_empty calls the gap between two VAs occupied, and the model agrees',
    good: ctx({ cmd: 'interval_empty', addr: 0x3000n, range: 0x1000n }, { ok: true, empty: true }, before),
    bad: ctx({ cmd: 'interval_empty', addr: 0x3000n, range: 0x1000n }, { ok: true, empty: false }, before),
  },
  {
    name: 'queries-agree',
    what: 'find misses the reserved node, and the model agrees',
    good: ctx({ cmd: 'find', addr: 0xf000n, range: 0x1000n }, { ok: true, va: KERNEL_VA }, before),
    bad: ctx({ cmd: 'find', addr: 0xf000n, range: 0x1000n }, { ok: true, va: null }, before),
  },
  {
    name: 'queries-agree',
    what: 'find_next fails instead of answering',
    good: ctx({ cmd: 'find_next', end: 0x4000n }, { ok: true, va: B }, before),
    bad: ctx({ cmd: 'find_next', end: 0x4000n }, { ok: false, error: 'EINVAL' }, before),
  },
  {
    name: 'model-agrees',
    what: 'the model reports another keep',
    good: ctx(mapCmd, mapObs, mapAfter),
    bad: {
      ...ctx(mapCmd, mapObs, mapAfter),
      expectedObservation: { ok: true, ops: [{ ...remapA, unmap: { va: A, keep: false } }, remapB, mapOp] },
    },
  },
];

describe('each invariant accepts a good step and rejects a bad one alone', () => {
  for (const s of scenarios) {
    it(`${s.name}: ${s.what}`, () => {
      expect(failing(s.good)).toEqual([]);
      expect(failing(s.bad)).toEqual([s.name]);
    });
  }

  it('every invariant of SEMANTICS section 6 has a scenario', () => {
    const covered = new Set(scenarios.map((s) => s.name));
    expect(INVARIANT_ORDER.filter((n) => !covered.has(n))).toEqual([]);
  });
});

describe('violations', () => {
  it('name the invariant, the step, the command, expected vs actual and a reason', () => {
    const bad = { ...ctx(mapCmd, mapObs, { ...mapAfter, objects: [{ bo: 1, refs: 3 }, mapAfter.objects[1]!] }), step: 7 };
    const v = firstViolation(bad);
    expect(v).not.toBeNull();
    expect(v!.invariant).toBe('gem-refcount');
    expect(v!.step).toBe(7);
    expect(v!.command).toBe(mapCmd);
    expect(v!.expected).toBe(2);
    expect(v!.actual).toBe(3);
    expect(v!.message).toBe(
      'gem-refcount at step 7 (map 0x2000+0x3000 -> bo1 @0x1000): object 1 has 3 references for 1 (driver) + 1 live vm_bos',
    );
  });

  it('a subject report names its text in the reason and lists every report of its kind in the details', () => {
    const reports = [
      { kind: 'warn', message: 'WARNING: first' },
      { kind: 'leak', message: 'leaked one op' },
      { kind: 'warn', message: 'WARNING: second' },
    ] as const;
    const v = firstViolation(ctx(mapCmd, mapObs, mapAfter, { reports }));
    expect(v?.invariant).toBe('kernel-warn');
    expect(v?.reason).toBe('the subject reported a warning during the command: "WARNING: first" (and 1 more)');
    expect(v?.details).toEqual(['The subject reported 2 warnings:', '  | WARNING: first', '  | WARNING: second']);
  });

  it('model-agrees names the first differing field path', () => {
    const model = clone(mapAfter);
    const bad = { ...ctx(mapCmd, mapObs, mapAfter), expectedAfter: { ...model, vas: model.vas.map((v, i) => (i === 2 ? { ...v, offset: 0x12000n } : v)) } };
    const v = firstViolation(bad);
    expect(v?.invariant).toBe('model-agrees');
    expect(v?.reason).toContain('snapshot.vas[2].offset');
    expect(v?.expected).toBe(0x12000n);
    expect(v?.actual).toBe(0x11000n);
  });

  it('op-level checks run before structural and outcome checks, model-agrees last', () => {
    const names = ALL_CHECKS.map((c) => c.name);
    expect(names).toEqual(INVARIANT_ORDER);
    expect(names.indexOf('keep-flag')).toBeLessThan(names.indexOf('no-overlap'));
    expect(names.indexOf('lists')).toBeLessThan(names.indexOf('rejected-is-atomic'));
    expect(names[names.length - 1]).toBe('model-agrees');
  });

  it('a wrong keep is named keep-flag even though the model disagrees too', () => {
    const wrong: Observation = { ok: true, ops: [{ ...remapA, unmap: { va: A, keep: false } }, remapB, mapOp] };
    const c = { ...ctx(mapCmd, wrong, mapAfter), expectedObservation: mapObs };
    expect(failing(c)).toEqual(['keep-flag', 'model-agrees']);
    expect(firstViolation(c)?.invariant).toBe('keep-flag');
  });
});
