/**
 * Field simplification: the candidate edits tried on a trace after ddmin has
 * removed whole commands. Each candidate is a whole new trace that is
 * "simpler" in one respect; the minimiser keeps a candidate only when it
 * still fails the same way. Candidates never add anything.
 *
 * Simpler means, in this order: a plainer VM (no reserved node, no mode
 * flags, starting at 0), fewer objects (unused ones dropped, references merged onto lower ids,
 * ids renumbered 1..n, not external), plainer commands (`via` back to the
 * default, no `failAt` / `allocFailAt` / `defer`), and smaller numbers (ranges,
 * offsets and addresses towards 0), each on the trace's granule: a
 * page-aligned trace stays page-aligned (`joint.ts`).
 */

import { U64_LIMIT, type BoId, type Command, type ObjectDecl, type Trace } from '../protocol/types.ts';
import { PAGE, targetGranule } from './joint.ts';

export { PAGE };

/** One candidate edit: what it does (for debugging) and the edited trace. */
export interface Candidate {
  readonly what: string;
  readonly trace: Trace;
}

/** Every bo a command refers to (null for none). */
export function commandBo(c: Command): BoId | null {
  return 'bo' in c && c.bo !== null ? c.bo : null;
}

/** The bo ids referenced by any command, in order of first use. */
export function usedBos(trace: Trace): BoId[] {
  const seen: BoId[] = [];
  for (const c of trace.commands) {
    const bo = commandBo(c);
    if (bo !== null && !seen.includes(bo)) seen.push(bo);
  }
  return seen;
}

/**
 * Smaller values to try for a u64 field, most aggressive first, all in
 * [min, v), distinct and multiples of `granule`: `min` (rounded up to the
 * granule), one page, the largest power of two, then values approaching v by
 * halving the distance, so a greedy minimiser converges like a binary search.
 */
export function smallerValues(v: bigint, min = 0n, granule = 1n): bigint[] {
  const out: bigint[] = [];
  const lo = ((min + granule - 1n) / granule) * granule;
  const add = (x: bigint): void => {
    if (x >= lo && x < v && x % granule === 0n && !out.includes(x)) out.push(x);
  };
  add(lo);
  add(PAGE);
  let p = 1n;
  while (p * 2n <= v) p *= 2n;
  add(p);
  for (let d = (v - lo) / 2n; d > 0n; d /= 2n) {
    add(((v - d) / PAGE) * PAGE);
    add(((v - d) / granule) * granule);
  }
  return out;
}

function withCommand(trace: Trace, index: number, c: Command): Trace {
  const commands = trace.commands.slice();
  commands[index] = c;
  return { ...trace, commands };
}

function without<T extends object>(obj: T, key: string): T {
  const copy = { ...obj } as Record<string, unknown>;
  delete copy[key];
  return copy as T;
}

/** Candidates that simplify the VM header. */
export function vmCandidates(trace: Trace): Candidate[] {
  const out: Candidate[] = [];
  const vm = trace.vm;
  if (vm.reserve !== undefined && vm.reserve !== null) out.push({ what: 'drop the reserved node', trace: { ...trace, vm: { start: vm.start, range: vm.range } } });
  if (vm.reserve === null) out.push({ what: 'drop reserve: null', trace: { ...trace, vm: { start: vm.start, range: vm.range } } });
  const flags = trace.flags;
  if (flags !== undefined) {
    out.push({ what: 'drop the VM flags', trace: without(trace, 'flags') });
    if (flags.immediate === true && flags.resvProtected === true) {
      out.push({ what: 'not immediate', trace: { ...trace, flags: { resvProtected: true } } });
      out.push({ what: 'not resvProtected', trace: { ...trace, flags: { immediate: true } } });
    }
  }
  if (vm.start > 0n) {
    const end = vm.start + vm.range;
    out.push({ what: 'start the VM at 0', trace: { ...trace, vm: { ...vm, start: 0n, range: end < U64_LIMIT ? end : U64_LIMIT - 1n } } });
  }
  for (const r of smallerValues(vm.range, 1n, targetGranule(trace))) {
    out.push({ what: `VM range ${r}`, trace: { ...trace, vm: { ...vm, range: r } } });
  }
  return out;
}

/** Rename bo ids by `map` in objects and commands (objects not in `map` are dropped). */
export function renameBos(trace: Trace, map: ReadonlyMap<BoId, BoId>): Trace {
  const objects: ObjectDecl[] = [];
  for (const o of trace.objects) {
    const to = map.get(o.bo);
    if (to !== undefined && !objects.some((x) => x.bo === to)) objects.push({ ...o, bo: to });
  }
  objects.sort((a, b) => a.bo - b.bo);
  const commands = trace.commands.map((c): Command => {
    if (!('bo' in c) || c.bo === null) return c;
    const to = map.get(c.bo);
    return to === undefined ? c : ({ ...c, bo: to } as Command);
  });
  return { ...trace, objects, commands };
}

/** Candidates that reduce the objects: drop unused, merge onto a lower id, renumber, make internal. */
export function objectCandidates(trace: Trace): Candidate[] {
  const out: Candidate[] = [];
  const used = usedBos(trace);
  const unused = trace.objects.filter((o) => !used.includes(o.bo));
  if (unused.length > 0) out.push({ what: 'drop unused objects', trace: { ...trace, objects: trace.objects.filter((o) => used.includes(o.bo)) } });
  const ids = trace.objects.map((o) => o.bo).sort((a, b) => a - b);
  for (const from of ids) {
    for (const to of ids) {
      if (to >= from) break;
      const map = new Map(ids.map((b) => [b, b === from ? to : b] as const));
      out.push({ what: `merge bo${from} into bo${to}`, trace: renameBos(trace, map) });
    }
  }
  const order = [...used, ...ids.filter((b) => !used.includes(b))];
  const renumber = new Map(order.map((b, i) => [b, i + 1] as const));
  if ([...renumber].some(([a, b]) => a !== b)) out.push({ what: 'renumber objects 1..n', trace: renameBos(trace, renumber) });
  trace.objects.forEach((o, i) => {
    if (o.external !== undefined) {
      const objects = trace.objects.slice();
      objects[i] = { bo: o.bo };
      out.push({ what: `bo${o.bo} not external`, trace: { ...trace, objects } });
    }
  });
  return out;
}

const U64_FIELDS = ['addr', 'range', 'offset', 'start', 'end'] as const;

/** Candidates that simplify command `index`: default `via`, no injected failures, smaller numbers, NULL object. */
export function commandCandidates(trace: Trace, index: number): Candidate[] {
  const c = trace.commands[index];
  if (c === undefined) return [];
  const out: Candidate[] = [];
  const rec = c as unknown as Record<string, unknown>;
  for (const key of ['failAt', 'allocFailAt', 'defer', 'via']) {
    if (rec[key] === undefined) continue;
    // `defer` needs via "steps": dropping via drops defer too.
    const plain = key === 'via' ? without(without(c, 'defer'), 'via') : without(c, key);
    out.push({ what: `command ${index}: drop ${key}`, trace: withCommand(trace, index, plain) });
  }
  for (const key of ['failAt', 'allocFailAt']) {
    const v = rec[key];
    if (typeof v === 'number' && v > 1) out.push({ what: `command ${index}: ${key} 1`, trace: withCommand(trace, index, { ...c, [key]: 1 } as Command) });
  }
  if ((c.cmd === 'map' || c.cmd === 'insert' || c.cmd === 'madvise') && c.bo !== null) {
    for (const o of trace.objects) {
      if (o.bo < c.bo) out.push({ what: `command ${index}: bo${o.bo}`, trace: withCommand(trace, index, { ...c, bo: o.bo }) });
    }
  }
  const granule = targetGranule(trace);
  for (const key of U64_FIELDS) {
    const v = rec[key];
    if (typeof v !== 'bigint') continue;
    const min = key === 'range' ? 1n : 0n;
    for (const smaller of smallerValues(v, min, granule)) {
      out.push({ what: `command ${index}: ${key} ${smaller}`, trace: withCommand(trace, index, { ...c, [key]: smaller } as Command) });
    }
  }
  return out;
}

