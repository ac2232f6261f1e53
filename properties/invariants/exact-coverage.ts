/**
 * `exact-coverage`: the VAs the ops concern are exactly those the command
 * covers, taken from the before-snapshot (with the kernel node): for map,
 * unmap and prefetch the VAs overlapping the request; for bo_unmap the VAs of
 * that object; for madvise the VAs without an object that an edge of the
 * request cuts (each concerned by its REMAP; MAPs concern none). After an
 * injected failure (or a failure while applying) the ops concern some of
 * them. Compared as sets: the order is `ops-shape`'s, and this check runs
 * first among the list checks because ops about the wrong VAs make every
 * other check of them meaningless.
 */
import type { VaRecord } from '../../src/protocol/types.ts';
import type { Invariant, StepContext } from '../step-context.ts';
import { fail, reportedOps } from './shared.ts';
import { kernelOf, madviseSplits, overlappingVas, sameVa, touchedVa } from '../geometry.ts';
import { formatVa } from '../../src/protocol/text.ts';

function expectedTouched(ctx: StepContext): VaRecord[] | null {
  const c = ctx.command;
  switch (c.cmd) {
    case 'map':
    case 'unmap':
    case 'prefetch':
      return overlappingVas(ctx.before.vas, kernelOf(ctx.header), c.addr, c.addr + c.range);
    case 'bo_unmap':
      return ctx.before.vas.filter((v) => v.bo === c.bo);
    case 'madvise':
      return ctx.before.vas.filter((v) => madviseSplits(v, c.addr, c.addr + c.range));
    default:
      return null;
  }
}

/** The invariant this module describes, as a named check. */
export const exactCoverage: Invariant = {
  name: 'exact-coverage',
  check(ctx) {
    const ops = reportedOps(ctx.command, ctx.observation);
    if (ops === null) return null;
    const want = expectedTouched(ctx);
    if (want === null) return null;
    const got: VaRecord[] = [];
    for (const op of ops) {
      const va = touchedVa(op);
      if (va !== null) got.push(va);
    }
    const complete = ctx.observation.ok;
    for (const g of got) {
      if (!want.some((w) => sameVa(w, g))) return fail(want, got, `the ops concern ${formatVa(g)}, which the command does not cover`);
    }
    if (complete) {
      const missed = want.find((w) => !got.some((g) => sameVa(w, g)));
      if (missed !== undefined) return fail(want, got, `the ops leave ${formatVa(missed)} untouched although the command covers it`);
    }
    return null;
  },
};
