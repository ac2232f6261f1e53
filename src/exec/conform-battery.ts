/**
 * The traces of the conformance battery (`gpuvm-check conform`): one or more
 * per command kind and mode, the fifteen documented split/merge cases, error
 * replies and u64 edges. Each is an ordinary trace, replayed against the
 * subject and the reference model with every invariant checked, so a mistake
 * is named by the invariant or the protocol field it breaks.
 */

import { COMMAND_KINDS, TRACE_FORMAT, type BoRef, type Command, type CommandKind, type SubjectCapabilities, type Trace, type Via } from '../protocol/types.ts';
import { unsupportedUse } from '../protocol/capabilities.ts';

/** One trace of the battery. */
export interface BatteryTrace {
  /** What it checks, e.g. `map: a first mapping`, `case 7`. */
  readonly name: string;
  readonly trace: Trace;
}

const U = 0x1000n;
const B = 0x100000n;
const N = 0x40000n;
const M = 0x900000n;
const at = (u: number): bigint => B + BigInt(u) * U;
const len = (u: number): bigint => BigInt(u) * U;
const TOP = 1n << 64n;

function trace(commands: readonly Command[], vm: Trace['vm'] = { start: 0n, range: 1n << 32n, reserve: { addr: 0n, range: U } }): Trace {
  return { format: TRACE_FORMAT, vm, objects: [{ bo: 1 }, { bo: 2, external: true }], commands };
}

const map = (from: number, units: number, bo: BoRef, offset: bigint, extra: Partial<Record<'via' | 'failAt' | 'allocFailAt', unknown>> = {}): Command =>
  ({ cmd: 'map', addr: at(from), range: len(units), bo, offset, ...extra }) as Command;
const unmap = (from: number, units: number, extra: Partial<Record<'via' | 'failAt' | 'allocFailAt', unknown>> = {}): Command =>
  ({ cmd: 'unmap', addr: at(from), range: len(units), ...extra }) as Command;
const span = (cmd: 'prefetch' | 'remove' | 'find' | 'find_first' | 'interval_empty', from: number, units: number): Command => ({ cmd, addr: at(from), range: len(units) });

/** The two mappings most traces start from: bo1 at units 0..3, bo2 at units 3..5. */
const SETUP: readonly Command[] = [map(0, 3, 1, N), map(3, 2, 2, M)];

/** The fifteen cases as (existing VA, request), in units from B (`properties/classify-case.ts` has the table). */
const CASES: readonly { readonly va: readonly [number, number, bigint]; readonly req: readonly [number, number, BoRef, bigint] }[] = [
  { va: [0, 2, N], req: [0, 2, 1, N] },
  { va: [0, 2, N], req: [0, 2, 1, M] },
  { va: [0, 2, N], req: [0, 2, 2, N] },
  { va: [0, 1, N], req: [0, 2, 1, N] },
  { va: [0, 2, N], req: [0, 1, 2, M] },
  { va: [0, 2, N], req: [0, 1, 1, N] },
  { va: [0, 2, N], req: [1, 1, 2, M] },
  { va: [0, 2, N], req: [1, 1, 1, N + U] },
  { va: [0, 2, N], req: [1, 2, 2, M] },
  { va: [0, 2, N], req: [1, 2, 1, N + U] },
  { va: [0, 3, N], req: [1, 1, 2, M] },
  { va: [0, 3, N], req: [1, 1, 1, N + U] },
  { va: [1, 1, N], req: [0, 2, 1, M] },
  { va: [1, 1, N], req: [0, 3, 1, M] },
  { va: [1, 2, N], req: [0, 2, 2, M] },
];

/** The fifteen documented cases: case k maps its existing VA (bo1), then its request. */
export function caseTraces(): BatteryTrace[] {
  return CASES.map((c, i) => ({
    name: `case ${i + 1}`,
    trace: trace([map(c.va[0], c.va[1], 1, c.va[2]), map(c.req[0], c.req[1], c.req[2], c.req[3])]),
  }));
}

/** Each command kind alone, on an empty VM (so that a subject claiming only a few kinds is checked too). */
export const ALONE: Readonly<Record<CommandKind, Command>> = {
  map: map(0, 2, 1, N),
  unmap: unmap(0, 2),
  prefetch: span('prefetch', 0, 2),
  bo_unmap: { cmd: 'bo_unmap', bo: 1 },
  insert: { cmd: 'insert', addr: at(0), range: len(2), bo: 1, offset: N },
  remove: span('remove', 0, 2),
  find: span('find', 0, 2),
  find_first: span('find_first', 0, 2),
  interval_empty: span('interval_empty', 0, 2),
  find_prev: { cmd: 'find_prev', start: at(2) },
  find_next: { cmd: 'find_next', end: at(2) },
  bo_get: { cmd: 'bo_get', bo: 1 },
  bo_put: { cmd: 'bo_put', bo: 1 },
  evict: { cmd: 'evict', bo: 2, evict: true },
  validate: { cmd: 'validate' },
  madvise: { cmd: 'madvise', addr: at(0), range: len(2), bo: null, offset: 0n },
  bo_put_deferred: { cmd: 'bo_put_deferred', bo: 1 },
  deferred_cleanup: { cmd: 'deferred_cleanup' },
};

function aloneTraces(): BatteryTrace[] {
  return COMMAND_KINDS.map((k) => ({ name: `${k} alone, on an empty VM`, trace: trace([ALONE[k], ALONE[k]]) }));
}

/** One trace per command kind and mode: the command after the setup mappings. */
function commandTraces(): BatteryTrace[] {
  const after = (name: string, ...commands: Command[]): BatteryTrace => ({ name, trace: trace([...SETUP, ...commands]) });
  return [
    after('map: a first mapping, then one next to it'),
    after('map via steps: over both mappings', map(2, 2, null, 0n, { via: 'steps' })),
    after('map failAt: the driver fails op 2 (ops mode unwinds)', map(2, 2, 1, N + len(2), { failAt: 2 })),
    after('map failAt via steps: steps 1 applied', map(2, 2, 1, N + len(2), { via: 'steps', failAt: 2 })),
    after('map allocFailAt: the 2nd op allocation fails', map(1, 3, 2, 0n, { allocFailAt: 2 })),
    after('unmap: a hole in the middle of a mapping', unmap(1, 1)),
    after('unmap via steps: across both mappings', unmap(2, 2, { via: 'steps' })),
    after('unmap failAt', unmap(2, 2, { failAt: 1 })),
    after('unmap allocFailAt', unmap(2, 2, { allocFailAt: 1 })),
    after('prefetch', span('prefetch', 0, 6)),
    after('bo_unmap', { cmd: 'bo_unmap', bo: 1 }),
    { name: 'insert and remove', trace: trace([{ cmd: 'insert', addr: at(0), range: len(2), bo: 2, offset: M }, span('remove', 0, 2)]) },
    after('remove', span('remove', 3, 2)),
    after('find: exactly a mapping, and not quite one', span('find', 0, 3), span('find', 0, 2)),
    after('find_first', span('find_first', 2, 4)),
    after('interval_empty: not empty, then empty', span('interval_empty', 4, 1), span('interval_empty', 5, 1)),
    after('find_prev: the mapping ending at an address', { cmd: 'find_prev', start: at(3) }, { cmd: 'find_prev', start: at(4) }),
    after('find_next: the mapping starting at an address', { cmd: 'find_next', end: at(3) }, { cmd: 'find_next', end: at(2) }),
    after('bo_get and bo_put', { cmd: 'bo_get', bo: 1 }, { cmd: 'bo_put', bo: 1 }, { cmd: 'bo_put', bo: 2 }),
    after('evict and validate', { cmd: 'evict', bo: 2, evict: true }, { cmd: 'evict', bo: 1, evict: true }, { cmd: 'validate' }),
  ];
}

/** Requests that must fail with an errno, and the VM's edges. */
function errorTraces(): BatteryTrace[] {
  const after = (name: string, ...commands: Command[]): BatteryTrace => ({ name, trace: trace([...SETUP, ...commands]) });
  return [
    after('EINVAL: a zero range', { cmd: 'map', addr: at(8), range: 0n, bo: 1, offset: 0n }),
    after('EINVAL: a range past 2^64', { cmd: 'map', addr: TOP - U, range: 2n * U, bo: 1, offset: 0n }, { cmd: 'unmap', addr: TOP - U, range: 2n * U }),
    after('EINVAL: outside the VM', { cmd: 'map', addr: 1n << 33n, range: U, bo: 1, offset: 0n }),
    after('EINVAL: over the reserved node', { cmd: 'map', addr: 0n, range: 2n * U, bo: 1, offset: 0n }, { cmd: 'unmap', addr: 0n, range: U }),
    after('EINVAL: an object offset past 2^64', { cmd: 'map', addr: at(8), range: U, bo: 1, offset: TOP - U + 1n }),
    after('EEXIST: insert over a mapping', { cmd: 'insert', addr: at(1), range: len(1), bo: 1, offset: 0n }),
    after('ENOENT: remove where nothing is', span('remove', 10, 1)),
    after('EINVAL: remove the reserved node', { cmd: 'remove', addr: 0n, range: U }),
  ];
}

/** u64 edges: a VM ending exactly at 2^64, offsets above 2^53 (exact only as strings). */
function u64Traces(): BatteryTrace[] {
  const start = TOP - 0x100000n;
  const vm = { start, range: 0x100000n, reserve: null };
  const big = 0xfffffffffff00000n;
  return [
    {
      name: 'u64: mappings at the very top of the address space, offsets above 2^53',
      trace: trace(
        [
          { cmd: 'map', addr: TOP - 2n * U, range: 2n * U, bo: 1, offset: big },
          { cmd: 'map', addr: TOP - U, range: U, bo: 2, offset: TOP - U },
          { cmd: 'find_first', addr: TOP - U, range: U },
          { cmd: 'find_prev', start: TOP - U },
          { cmd: 'interval_empty', addr: start, range: 0x100000n },
          { cmd: 'unmap', addr: TOP - 2n * U, range: U },
          { cmd: 'find', addr: TOP - U, range: U },
        ],
        vm,
      ),
    },
  ];
}

/** The whole battery, in the order it runs. */
export function batteryTraces(): BatteryTrace[] {
  return [...aloneTraces(), ...commandTraces(), ...caseTraces(), ...errorTraces(), ...u64Traces()];
}

/** What of `trace` the subject does not claim (e.g. `command "find_prev"`), or null when it can run it. */
export function unclaimed(trace: Trace, caps: SubjectCapabilities): string | null {
  for (const c of trace.commands) {
    const u = unsupportedUse(c, caps);
    if (u !== null) return u;
  }
  return null;
}

/**
 * A map / unmap command in a mode the subject claims: a steps-only subject
 * gets `via: "steps"` where the battery leaves `via` out (a command that
 * names a mode, or injects an allocation failure, is left as it is).
 */
export function inClaimedMode(c: Command, caps: SubjectCapabilities): Command {
  if (caps.via.includes('ops') || !caps.via.includes('steps')) return c;
  const steps: Via = 'steps';
  return (c.cmd === 'map' || c.cmd === 'unmap') && c.via === undefined && c.allocFailAt === undefined ? { ...c, via: steps } : c;
}
