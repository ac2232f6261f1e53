/**
 * `steps-prefix`: a map / unmap in steps mode that hit an injected failure at
 * step k leaves exactly steps 1..k-1 applied (no rollback): the VAs after equal
 * the VAs before with the first k-1 reported steps applied, and the kernel
 * node is as before.
 */
import type { Invariant } from '../step-context.ts';
import { fail, isInjectedFailure, viaOf } from './shared.ts';
import { differenceIfAny } from '../deep-diff.ts';
import { applyOps } from '../apply-ops.ts';

/** The invariant this module describes, as a named check. */
export const stepsPrefix: Invariant = {
  name: 'steps-prefix',
  check(ctx) {
    const c = ctx.command;
    const o = ctx.observation;
    if (!isInjectedFailure(c, o) || viaOf(c) !== 'steps') return null;
    const steps = o.ops ?? [];
    const done = steps.slice(0, Math.max(0, steps.length - 1));
    const want = applyOps(ctx.before.vas, done);
    const d = differenceIfAny({ vas: want, kernel: ctx.before.kernel }, { vas: ctx.after.vas, kernel: ctx.after.kernel });
    if (d === null) return null;
    return fail(d.expected, d.actual, `after a failure at step ${steps.length}, ${d.path} is not the state with steps 1..${steps.length - 1} applied`);
  },
};
