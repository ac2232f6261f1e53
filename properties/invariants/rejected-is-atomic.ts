/**
 * `rejected-is-atomic`: a command rejected with EINVAL, EEXIST, ENOENT, ENOMEM
 * or EBUSY leaves the snapshot exactly as it was.
 */
import type { Errno } from '../../src/protocol/types.ts';
import type { Invariant } from '../step-context.ts';
import { fail } from './shared.ts';
import { differenceIfAny } from '../deep-diff.ts';

const REJECTIONS: ReadonlySet<Errno> = new Set(['EINVAL', 'EEXIST', 'ENOENT', 'ENOMEM', 'EBUSY']);

/** The invariant this module describes, as a named check. */
export const rejectedIsAtomic: Invariant = {
  name: 'rejected-is-atomic',
  check(ctx) {
    const o = ctx.observation;
    if (o.ok || o.error === undefined || !REJECTIONS.has(o.error)) return null;
    const d = differenceIfAny(ctx.before, ctx.after, 'snapshot');
    if (d === null) return null;
    return fail(d.expected, d.actual, `rejected with ${o.error} but ${d.path} changed`);
  },
};
