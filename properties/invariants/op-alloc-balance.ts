/**
 * `op-alloc-balance`: every op allocated through `opAlloc` during a command
 * is either handed back in a returned ops list or freed by the builder
 * (after an allocation failure): opsAllocated == opsReturned + opsFreedByBuilder.
 * Needs the subject's `Accounting`; subjects without one skip it.
 */
import type { Invariant } from '../step-context.ts';
import { fail } from './shared.ts';

/** The invariant this module describes, as a named check. */
export const opAllocBalance: Invariant = {
  name: 'op-alloc-balance',
  check(ctx) {
    const a = ctx.accounting;
    if (a === null) return null;
    const accounted = a.opsReturned + a.opsFreedByBuilder;
    if (a.opsAllocated !== accounted) {
      return fail(
        { opsAllocated: accounted },
        { opsAllocated: a.opsAllocated, opsReturned: a.opsReturned, opsFreedByBuilder: a.opsFreedByBuilder },
        `${a.opsAllocated} ops allocated but ${a.opsReturned} returned + ${a.opsFreedByBuilder} freed by the builder`,
      );
    }
    return null;
  },
};
