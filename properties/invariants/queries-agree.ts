/**
 * `queries-agree`: a query's answer agrees with the subject's own snapshot of
 * the state it answered about (the snapshot before the query; queries change
 * nothing, which `ops-pure` checks). The VAs are the snapshot's plus its
 * reserved node. SEMANTICS section 2:
 *
 * - `find(addr, range)`: the VA exactly at [addr, addr + range), else null;
 * - `find_first(addr, range)`: the lowest VA overlapping [addr, addr + range)
 *   clipped at 2^64, else null (a zero range finds nothing);
 * - `interval_empty(addr, range)`: whether no VA overlaps it (same range rule);
 * - `find_prev(start)`: the VA ending exactly at `start`, else null;
 * - `find_next(end)`: the VA beginning exactly at `end`, else null;
 * - queries never fail.
 *
 * So a wrong answer is seen even when the reference model shares the bug.
 * (A prefetch's answer, the VAs its ops name, is checked against the snapshot
 * by `exact-coverage` and `ops-shape`.) The reason keeps the values in
 * parentheses, so the symptom (`src/findings/symptom.ts`) is the same however
 * the answer was wrong.
 */
import type { VaRecord } from '../../src/protocol/types.ts';
import { U64_LIMIT } from '../../src/protocol/types.ts';
import { formatVa } from '../../src/protocol/text.ts';
import type { Invariant } from '../step-context.ts';
import { kernelRecord, overlaps, sameVa } from '../geometry.ts';
import { fail, QUERY_KINDS } from './shared.ts';

function vaText(va: VaRecord | null): string {
  return va === null ? 'none' : formatVa(va);
}

/** The invariant this module describes, as a named check. */
export const queriesAgree: Invariant = {
  name: 'queries-agree',
  check(ctx) {
    const c = ctx.command;
    if (!QUERY_KINDS.has(c.cmd)) return null;
    const o = ctx.observation;
    if (!o.ok) return fail('ok', o.error ?? 'failed', `${c.cmd} failed with ${o.error ?? 'no errno'}; queries never fail`);
    const k = ctx.before.kernel;
    const all: VaRecord[] = k === null ? [...ctx.before.vas] : [...ctx.before.vas, kernelRecord(k)].sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
    let want: VaRecord | null;
    switch (c.cmd) {
      case 'find':
        want = all.find((v) => v.addr === c.addr && v.range === c.range) ?? null;
        break;
      case 'find_first':
      case 'interval_empty': {
        const end = c.addr + c.range > U64_LIMIT ? U64_LIMIT : c.addr + c.range;
        want = c.range === 0n ? null : (all.find((v) => overlaps(c.addr, end, v.addr, v.addr + v.range)) ?? null);
        if (c.cmd === 'interval_empty') {
          const empty = want === null;
          if (o.empty !== empty) {
            const why = empty ? 'no VA overlaps the range' : `${vaText(want)} overlaps it`;
            return fail(empty, o.empty, `interval_empty's answer disagrees with the snapshot (${String(o.empty)}, but ${why})`);
          }
          return null;
        }
        break;
      }
      case 'find_prev':
        want = all.find((v) => v.addr + v.range === c.start) ?? null;
        break;
      case 'find_next':
        want = all.find((v) => v.addr === c.end) ?? null;
        break;
      default:
        return null;
    }
    const got = o.va ?? null;
    const agrees = want === null ? got === null : got !== null && sameVa(want, got);
    if (agrees) return null;
    return fail(want, got, `${c.cmd}'s answer disagrees with the snapshot (${vaText(got)}, where the snapshot has ${vaText(want)})`);
  },
};
