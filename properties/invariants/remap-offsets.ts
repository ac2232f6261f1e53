/**
 * `remap-offsets`: a REMAP's halves follow section 4 exactly. For the old VA
 * [a, e) with object o and offset f and the request [ra, re):
 * prev exists iff a < ra and is {a, ra - a, o, f}; next exists iff e > re and
 * is {re, e - re, o, f + (re - a)}. So the halves are strictly smaller than the
 * old VA and keep its object. An UNMAP (of a map / unmap request) must lie
 * inside the request: a VA sticking out of it needs a REMAP (a missing remap).
 * A madvise cuts at the request's edges too, so its REMAPs follow the same formulas.
 */
import type { Piece } from '../../src/protocol/types.ts';
import type { Invariant } from '../step-context.ts';
import { fail, isRequest, reportedOps } from './shared.ts';
import { fastEqual } from '../deep-diff.ts';
import { formatVa } from '../../src/protocol/text.ts';

/** The invariant this module describes, as a named check. */
export const remapOffsets: Invariant = {
  name: 'remap-offsets',
  check(ctx) {
    const c = ctx.command;
    if (!isRequest(c)) return null;
    const ops = reportedOps(c, ctx.observation);
    if (ops === null) return null;
    const ra = c.addr;
    const re = c.addr + c.range;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (op.op === 'unmap') {
        const va = op.va;
        if (va.addr < ra || va.addr + va.range > re) {
          return fail('a REMAP', 'an UNMAP', `op ${i + 1} unmaps ${formatVa(va)}, which sticks out of the request: the part outside must be kept by a REMAP`);
        }
        continue;
      }
      if (op.op !== 'remap') continue;
      const va = op.unmap.va;
      const a = va.addr;
      const e = va.addr + va.range;
      const prev: Piece | null = a < ra ? { addr: a, range: ra - a, bo: va.bo, offset: va.offset } : null;
      const next: Piece | null = e > re ? { addr: re, range: e - re, bo: va.bo, offset: va.offset + (re - a) } : null;
      if (!fastEqual(prev, op.prev)) {
        return fail(prev, op.prev, `op ${i + 1} (REMAP of ${formatVa(va)}) has a wrong prev half`);
      }
      if (!fastEqual(next, op.next)) {
        return fail(next, op.next, `op ${i + 1} (REMAP of ${formatVa(va)}) has a wrong next half`);
      }
    }
    return null;
  },
};
