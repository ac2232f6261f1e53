/**
 * `unwind-restores`: a map / unmap / madvise in ops mode that hit an injected failure
 * (EIO) unwinds what it applied, leaving the snapshot exactly as it was.
 */
import type { Invariant } from '../step-context.ts';
import { fail, isInjectedFailure, viaOf } from './shared.ts';
import { differenceIfAny } from '../deep-diff.ts';

/** The invariant this module describes, as a named check. */
export const unwindRestores: Invariant = {
  name: 'unwind-restores',
  check(ctx) {
    const c = ctx.command;
    if (!isInjectedFailure(c, ctx.observation) || viaOf(c) === 'steps') return null;
    const d = differenceIfAny(ctx.before, ctx.after, 'snapshot');
    if (d === null) return null;
    return fail(d.expected, d.actual, `an injected failure at op ${c.failAt} was not fully unwound: ${d.path} changed`);
  },
};
