/**
 * `model-agrees`: the observation and the snapshot after equal the reference
 * model's, field for field. Runs last: every other invariant looks only at
 * what the subject produced, so a model bug cannot hide a subject bug.
 */
import type { Invariant } from '../step-context.ts';
import { fail } from './shared.ts';
import { differenceIfAny } from '../deep-diff.ts';
import { toDisplayJson } from '../../src/protocol/text.ts';

/** The invariant this module describes, as a named check. */
export const modelAgrees: Invariant = {
  name: 'model-agrees',
  check(ctx) {
    if (ctx.expectedObservation !== null) {
      const d = differenceIfAny(ctx.expectedObservation, ctx.observation, 'observation');
      if (d !== null) {
        return fail(d.expected, d.actual, `${d.path} differs from the model: ${toDisplayJson(d.actual)} instead of ${toDisplayJson(d.expected)}`);
      }
    }
    if (ctx.expectedAfter !== null) {
      const d = differenceIfAny(ctx.expectedAfter, ctx.after, 'snapshot');
      if (d !== null) {
        return fail(d.expected, d.actual, `${d.path} differs from the model: ${toDisplayJson(d.actual)} instead of ${toDisplayJson(d.expected)}`);
      }
    }
    return null;
  },
};
