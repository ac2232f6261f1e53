/**
 * Root cause: are two failures with different symptoms one bug?
 *
 * The symptom (`symptom.ts`) folds every occurrence of one failure mode into
 * one; what it cannot fold is one bug showing several. A wrong REMAP half
 * shows at a map and at an unmap (the two share the split/merge walk); a tree
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
import type { BoId, BoRef, Command, Trace } from '../protocol/types.ts';

/** The address range a command concerns, or a point; null for none. */
type Place = { readonly addr: bigint; readonly range: bigint } | { readonly point: bigint } | null;

function placeOf(c: Command): Place {
  if ('addr' in c && 'range' in c) return { addr: c.addr, range: c.range };
  if (c.cmd === 'find_prev') return { point: c.start };
  if (c.cmd === 'find_next') return { point: c.end };
  return null;
}

function objectOf(c: Command): { bo: BoRef; offset: bigint } | null {
  if (c.cmd === 'map' || c.cmd === 'insert') return { bo: c.bo, offset: c.offset };
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
 * for map and insert NULL. Empty when `like`'s kind needs something
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
        }
      : {};
  switch (like.cmd) {
    case 'map':
    case 'insert':
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
