/**
 * `va-budget`: a map needs at most 3 new VAs (the MAP plus a prev and a next
 * half), an unmap at most 2. Counted from the reported ops, and from the
 * subject's `Accounting` when it reports one: `vasNeeded` within the budget
 * and, when the driver preallocated (steps mode), within what it preallocated.
 */
import type { Invariant } from '../step-context.ts';
import { fail, isSplitMerge, reportedOps } from './shared.ts';

/** The invariant this module describes, as a named check. */
export const vaBudget: Invariant = {
  name: 'va-budget',
  check(ctx) {
    const c = ctx.command;
    if (!isSplitMerge(c)) return null;
    const budget = c.cmd === 'map' ? 3 : 2;
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
