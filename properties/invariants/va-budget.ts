/**
 * `va-budget`: a map needs at most 3 new VAs (the MAP plus a prev and a next
 * half), an unmap at most 2, a madvise at most 4 (a half and a MAP for each of
 * the two VAs its edges cut). Counted from the reported ops, and from the
 * subject's `Accounting` when it reports one: `vasNeeded` within the budget
 * and, when the driver preallocated (steps mode), within what it preallocated.
 */
import type { Invariant } from '../step-context.ts';
import { fail, isRequest, reportedOps } from './shared.ts';

const BUDGET = { map: 3, unmap: 2, madvise: 4 } as const;

/** The invariant this module describes, as a named check. */
export const vaBudget: Invariant = {
  name: 'va-budget',
  check(ctx) {
    const c = ctx.command;
    if (!isRequest(c)) return null;
    const budget = BUDGET[c.cmd];
    const ops = reportedOps(c, ctx.observation);
    if (ops !== null) {
      let needed = 0;
      for (const op of ops) {
        if (op.op === 'map') needed++;
        else if (op.op === 'remap') needed += (op.prev !== null ? 1 : 0) + (op.next !== null ? 1 : 0);
      }
      if (needed > budget) return fail(`<= ${budget}`, needed, `the ops create ${needed} new VAs, more than a ${c.cmd} may need`);
    }
    const acct = ctx.accounting;
    if (acct !== null) {
      if (acct.vasNeeded > budget) {
        return fail(`<= ${budget}`, acct.vasNeeded, `the driver needed ${acct.vasNeeded} new VAs for a ${c.cmd}`);
      }
      if (acct.vasPreallocated !== null && acct.vasNeeded > acct.vasPreallocated) {
        return fail(`<= ${acct.vasPreallocated}`, acct.vasNeeded, `the driver needed ${acct.vasNeeded} VAs but preallocated ${acct.vasPreallocated}`);
      }
    }
    return null;
  },
};
