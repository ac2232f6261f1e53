/**
 * `kernel-warn` and `alloc-leak`: the subject itself reported, in its reply
 * to the command, a warning its manager raised (a kernel `WARN` /
 * `drm_WARN`) or memory still held that should have been freed
 * (docs/subject-protocol.md, `exec` replies' `reports`). Every report of the
 * kind is listed in the failure report.
 */
import type { SubjectReport } from '../../src/protocol/types.ts';
import type { Invariant, StepContext } from '../step-context.ts';
import type { Failure } from '../violation.ts';

function reported(ctx: StepContext, kind: SubjectReport['kind'], what: string): Failure | null {
  const all = ctx.reports;
  if (all === undefined || all.length === 0) return null;
  const found = all.filter((r) => r.kind === kind).map((r) => r.message);
  if (found.length === 0) return null;
  const more = found.length > 1 ? ` (and ${found.length - 1} more)` : '';
  return {
    expected: `no ${what}`,
    actual: found,
    reason: `the subject reported a ${what} during the command: ${JSON.stringify(found[0])}${more}`,
    details: [`The subject reported ${found.length === 1 ? `one ${what}` : `${found.length} ${what}s`}:`, ...found.map((m) => `  | ${m}`)],
  };
}

/** The invariant `kernel-warn`: no warning reported. */
export const kernelWarn: Invariant = {
  name: 'kernel-warn',
  check: (ctx) => reported(ctx, 'warn', 'warning'),
};

/** The invariant `alloc-leak`: no leak reported. */
export const allocLeak: Invariant = {
  name: 'alloc-leak',
  check: (ctx) => reported(ctx, 'leak', 'leak'),
};
