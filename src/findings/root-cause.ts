/**
 * Root cause: are two failures with different symptoms one bug?
 *
 * The symptom (`symptom.ts`) folds every occurrence of one failure mode into
 * one; what it cannot fold is one bug showing several. A wrong REMAP half
 * shows at a map, an unmap and a madvise (they share the split/merge walk); a tree
 * that loses a node shows at every query; a range check that lets a bad
 * request through shows as a corrupt VM, or, with an injected failure, as the
 * wrong errno. What these have in common is that the same state and the same
 * address range reach the bug through another entry point.
 *
 * So the test is mutual reproduction. Each failure has a minimal trace whose
 * last command fails. Re-issue that command *in the shape of* the other
 * failure's last command -- the other's kind and options (`via`, `failAt`,
 * `allocFailAt`), this one's address range and object -- and replay. Two
 * failures are one bug when each one's trace, re-issued so, fails with the
 * other's symptom. Requiring both directions is what keeps two bugs that merely
 * meet in one state apart: a keep-flag bug's map re-issued as an unmap may well
 * hit a remap bug too, but the remap bug's unmap re-issued as that map does not
 * show the keep-flag failure.
 */

import { isPageAligned, PAGE } from '../minimize/joint.ts';
import { U64_LIMIT, type BoId, type BoRef, type Command, type Observation, type Trace, type TraceHeader } from '../protocol/types.ts';
import type { RequestCause } from '../protocol/findings.ts';

/** The address range a command concerns, or a point; null for none. */
type Place = { readonly addr: bigint; readonly range: bigint } | { readonly point: bigint } | null;

function placeOf(c: Command): Place {
  if ('addr' in c && 'range' in c) return { addr: c.addr, range: c.range };
  if (c.cmd === 'find_prev') return { point: c.start };
  if (c.cmd === 'find_next') return { point: c.end };
  return null;
}

function objectOf(c: Command): { bo: BoRef; offset: bigint } | null {
  if (c.cmd === 'map' || c.cmd === 'insert' || c.cmd === 'madvise') return { bo: c.bo, offset: c.offset };
  if ('bo' in c) return { bo: c.bo, offset: 0n };
  return null;
}

/** What a re-issue may learn from the trace before the command. */
export interface PrefixFacts {
  /** Object ids the trace declares. */
  readonly declared: readonly BoId[];
  /** The granule of the trace (a point becomes a range of one granule). */
  readonly granule: bigint;
  /** The object mapped at [addr, end) by the latest map or insert overlapping it (null: NULL), undefined: none. */
  mappedAt(addr: bigint, end: bigint): BoRef | undefined;
  /** The range of the latest map or insert of `bo`, or null. */
  rangeOf(bo: BoId): { readonly addr: bigint; readonly range: bigint } | null;
}

/**
 * `command` re-issued in the shape of `like`: `like`'s kind and options,
 * `command`'s address range. A point becomes a range of one granule (the VA
 * ending at a `find_prev` point, the VA starting at a `find_next` one) and a
 * range a point (`find_prev` takes its end, `find_next` its start); a command
 * naming an object (`bo_unmap`, ...) takes the range that object was last
 * mapped at. The object, for the kinds that take one, is tried in turn:
 * `command`'s own, the one mapped at the range, `like`'s (when declared), and
 * for map, insert and madvise NULL. Empty when `like`'s kind needs something
 * `command` cannot give.
 */
export function reissuesLike(command: Command, like: Command, facts: PrefixFacts): Command[] {
  const place = placeOf(command);
  const g = facts.granule;
  let span: { addr: bigint; range: bigint } | null = null;
  if (place !== null && 'point' in place) {
    span = command.cmd === 'find_prev' ? (place.point >= g ? { addr: place.point - g, range: g } : null) : { addr: place.point, range: g };
  } else if (place !== null) {
    span = place;
  } else if ('bo' in command && command.bo !== null) {
    span = facts.rangeOf(command.bo);
  }
  const declared = facts.declared;
  const mappedAt = facts.mappedAt;
  const objects: { bo: BoRef; offset: bigint }[] = [];
  const addObject = (o: { bo: BoRef; offset: bigint } | null): void => {
    if (o === null || (o.bo !== null && !declared.includes(o.bo))) return;
    if (!objects.some((x) => x.bo === o.bo && x.offset === o.offset)) objects.push(o);
  };
  addObject(objectOf(command));
  const there = span === null ? undefined : mappedAt(span.addr, span.addr + span.range);
  if (there !== undefined) addObject({ bo: there, offset: 0n });
  addObject(objectOf(like));
  const options = (c: Command): Partial<Command> =>
    c.cmd === 'map' || c.cmd === 'unmap'
      ? {
          ...(c.via !== undefined ? { via: c.via } : {}),
          ...(c.failAt !== undefined ? { failAt: c.failAt } : {}),
          ...(c.allocFailAt !== undefined ? { allocFailAt: c.allocFailAt } : {}),
          ...(c.defer === true ? { defer: true } : {}),
        }
      : c.cmd === 'madvise'
        ? {
            ...(c.failAt !== undefined ? { failAt: c.failAt } : {}),
            ...(c.allocFailAt !== undefined ? { allocFailAt: c.allocFailAt } : {}),
          }
        : {};
  switch (like.cmd) {
    case 'map':
    case 'insert':
    case 'madvise':
      // A madvise walks the VAs as a map does (the same split/merge core), with a request object of its own.
      if (span === null) return [];
      addObject({ bo: null, offset: 0n });
      return objects.map((o) => ({ cmd: like.cmd, addr: span.addr, range: span.range, bo: o.bo, offset: o.offset, ...options(like) }) as Command);
    case 'unmap':
    case 'prefetch':
    case 'remove':
    case 'find':
    case 'find_first':
    case 'interval_empty':
      return span === null ? [] : [{ cmd: like.cmd, addr: span.addr, range: span.range, ...options(like) } as Command];
    case 'find_prev':
      if (place !== null && 'point' in place) return [{ cmd: 'find_prev', start: place.point }];
      return span === null ? [] : [{ cmd: 'find_prev', start: span.addr + span.range }];
    case 'find_next':
      if (place !== null && 'point' in place) return [{ cmd: 'find_next', end: place.point }];
      return span === null ? [] : [{ cmd: 'find_next', end: span.addr }];
    case 'bo_unmap':
    case 'bo_get':
    case 'bo_put':
    case 'evict': {
      const out: Command[] = [];
      for (const o of objects) {
        if (o.bo === null) continue;
        out.push(like.cmd === 'evict' ? { cmd: 'evict', bo: o.bo, evict: like.evict } : { cmd: like.cmd, bo: o.bo });
      }
      return out;
    }
    case 'validate':
      return [{ cmd: 'validate' }];
    case 'deferred_cleanup':
      return [{ cmd: 'deferred_cleanup' }];
    case 'bo_put_deferred':
      return objects.flatMap((o) => (o.bo === null ? [] : [{ cmd: 'bo_put_deferred' as const, bo: o.bo }]));
  }
}

/** What {@link reissuesLike} may learn from `commands`, the trace before its failing command. */
export function prefixFacts(trace: Trace, commands: readonly Command[]): PrefixFacts {
  const maps = commands.filter((c): c is Extract<Command, { cmd: 'map' | 'insert' }> => c.cmd === 'map' || c.cmd === 'insert').reverse();
  return {
    declared: trace.objects.map((o) => o.bo),
    granule: isPageAligned(trace) ? PAGE : 1n,
    mappedAt: (addr, end) => maps.find((c) => c.addr < end && addr < c.addr + c.range)?.bo,
    rangeOf: (bo) => {
      const c = maps.find((m) => m.bo === bo);
      return c === undefined ? null : { addr: c.addr, range: c.range };
    },
  };
}

/** The variants of `trace` with its last (failing) command re-issued like `like` (see {@link reissuesLike}). */
export function variantsLike(trace: Trace, like: Command): Trace[] {
  const last = trace.commands[trace.commands.length - 1];
  if (last === undefined) return [];
  const before = trace.commands.slice(0, -1);
  return reissuesLike(last, like, prefixFacts(trace, before)).map((c) => ({ ...trace, commands: [...before, c] }));
}

/**
 * Why a map, unmap, insert, prefetch or madvise request is invalid (SEMANTICS section
 * 2), the first reason that applies: a zero range, a range reaching 2^64, an
 * object offset past 2^64, a range outside the VM, a range over the reserved
 * node. Null for a valid request or another kind of command.
 */
export function invalidity(header: TraceHeader, c: Command): RequestCause | null {
  if (c.cmd !== 'map' && c.cmd !== 'unmap' && c.cmd !== 'insert' && c.cmd !== 'prefetch' && c.cmd !== 'madvise') return null;
  const end = c.addr + c.range;
  const vmEnd = header.vm.start + header.vm.range;
  if (c.range === 0n) return 'a zero range';
  if (end >= U64_LIMIT && end > vmEnd) return 'a range reaching 2^64';
  if ((c.cmd === 'map' || c.cmd === 'insert' || c.cmd === 'madvise') && c.offset + c.range > U64_LIMIT) return 'an object offset past 2^64';
  if (c.addr < header.vm.start || end > vmEnd) return 'a range outside the VM';
  const r = header.vm.reserve;
  if (c.cmd !== 'prefetch' && r !== undefined && r !== null && r.range > 0n && c.addr < r.addr + r.range && r.addr < end) return 'a range over the reserved node';
  return null;
}

/**
 * The distinct reasons why requests of `commands` up to index `last` (a run's
 * failing command; default all) are invalid (`invalidity`), in the order they
 * first occur: what a signature's `cause` is checked against.
 */
export function requestCauses(header: TraceHeader, commands: readonly Command[], last = commands.length - 1): RequestCause[] {
  const causes: RequestCause[] = [];
  for (let i = 0; i <= last && i < commands.length; i++) {
    const why = invalidity(header, commands[i] as Command);
    if (why !== null && !causes.includes(why)) causes.push(why);
  }
  return causes;
}

/**
 * A root cause one failing step shows by itself: the model rejected the
 * request as invalid and the subject did not -- `accepts a zero range` --
 * whatever broke next (an empty VA, a VA outside the VM, another errno).
 * Null when the step shows no such cause.
 */
export function stepCause(
  header: TraceHeader,
  command: Command,
  step: { readonly observation: Observation; readonly expectedObservation: Observation } | null,
): string | null {
  if (step === null) return null;
  const exp = step.expectedObservation;
  const got = step.observation;
  if (exp.ok || exp.error !== 'EINVAL' || (!got.ok && got.error === 'EINVAL')) return null;
  const why = invalidity(header, command);
  return why === null ? null : `accepts ${why}`;
}
