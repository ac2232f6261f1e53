/**
 * `paint`: a successful command leaves the address translation it promised
 * and changes nothing else. After a map every address of the request
 * translates to (bo, offset + delta) of the request; after an unmap the range
 * translates to nothing; after a bo_unmap no address translates to that
 * object; after an insert its range translates to the new VA, after a remove
 * the removed VA's range to nothing. Every other address translates as before.
 * Compared as normalised translation segments (see `translation.ts`).
 */
import type { Command, Snapshot } from '../../src/protocol/types.ts';
import type { Invariant } from '../step-context.ts';
import { fail } from './shared.ts';
import {
  clearRange,
  firstSegmentDifference,
  normalise,
  paintRange,
  rawSegments,
  type Segment,
} from '../translation.ts';
import { hex } from '../../src/protocol/text.ts';

function expectedSegments(c: Command, before: Snapshot): Segment[] | null {
  switch (c.cmd) {
    case 'map':
    case 'insert':
      return paintRange(rawSegments(before.vas), c.addr, c.addr + c.range, { bo: c.bo, offset: c.offset });
    case 'unmap':
    case 'remove':
      return clearRange(rawSegments(before.vas), c.addr, c.addr + c.range);
    case 'bo_unmap':
      return rawSegments(before.vas.filter((v) => v.bo !== c.bo));
    default:
      return null;
  }
}

function segmentText(s: Segment | undefined): string {
  if (s === undefined) return 'nothing';
  const t = s.bo === null ? 'NULL' : `bo ${s.bo} at ${hex((s.base ?? 0n) + s.addr)}`;
  return `[${hex(s.addr)}, ${hex(s.end)}) -> ${t}`;
}

/** The invariant this module describes, as a named check. */
export const paint: Invariant = {
  name: 'paint',
  check(ctx) {
    if (!ctx.observation.ok) return null;
    const raw = expectedSegments(ctx.command, ctx.before);
    if (raw === null) return null;
    const want = normalise(raw);
    const got = normalise(rawSegments(ctx.after.vas));
    const i = firstSegmentDifference(want, got);
    if (i === null) return null;
    return fail(want, got, `translation segment ${i} is ${segmentText(got[i])}, expected ${segmentText(want[i])}`);
  },
};
