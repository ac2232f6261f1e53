/**
 * `remap-hole`: a REMAP's reported hole (what the driver vacates) runs from the
 * end of prev (or the old VA's start) to the start of next (or the old VA's
 * end), is not empty, and lies inside the old VA.
 */
import type { Invariant } from '../step-context.ts';
import { fail, reportedOps } from './shared.ts';
import { span, formatVa } from '../../src/protocol/text.ts';

/** The invariant this module describes, as a named check. */
export const remapHole: Invariant = {
  name: 'remap-hole',
  check(ctx) {
    const ops = reportedOps(ctx.command, ctx.observation);
    if (ops === null) return null;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (op.op !== 'remap') continue;
      const va = op.unmap.va;
      const a = va.addr;
      const e = va.addr + va.range;
      const h0 = op.prev !== null ? op.prev.addr + op.prev.range : a;
      const h1 = op.next !== null ? op.next.addr : e;
      const [ha, hr] = op.hole;
      if (ha !== h0 || hr !== h1 - h0) {
        return fail([h0, h1 - h0], op.hole, `op ${i + 1} (REMAP of ${formatVa(va)}) reports a wrong hole`);
      }
      if (!(a <= h0 && h0 < h1 && h1 <= e)) {
        return fail(`inside ${span(a, va.range)}`, op.hole, `op ${i + 1}'s hole is empty or outside the old VA`);
      }
    }
    return null;
  },
};
