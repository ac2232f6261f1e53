/**
 * `ops-pure`: building an ops list changes nothing and is repeatable. A
 * prefetch (which only builds a list) and every query leave the snapshot
 * exactly as it was; a subject whose `Accounting` says a repeated build gave a
 * different list or changed the VM (`opsPure: false`) violates it too.
 */
import type { Invariant } from '../step-context.ts';
import { fail, QUERY_KINDS } from './shared.ts';
import { differenceIfAny } from '../deep-diff.ts';

/** The invariant this module describes, as a named check. */
export const opsPure: Invariant = {
  name: 'ops-pure',
  check(ctx) {
    const c = ctx.command;
    if (c.cmd === 'prefetch' || QUERY_KINDS.has(c.cmd)) {
      const d = differenceIfAny(ctx.before, ctx.after, 'snapshot');
      if (d !== null) return fail(d.expected, d.actual, `${c.cmd} changed ${d.path}`);
    }
    if (ctx.accounting !== null && ctx.accounting.opsPure === false) {
      return fail(true, false, 'building the ops list twice gave different lists or changed the VM');
    }
    return null;
  },
};
