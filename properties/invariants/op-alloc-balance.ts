/**
 * `op-alloc-balance`: every op allocated through `opAlloc` during a command
 * is either handed back in a returned ops list or freed by the builder
 * (after an allocation failure): opsAllocated == opsReturned + opsFreedByBuilder;
 * and, when the subject tracks it, every op of the returned lists is freed by
 * the end of the command (opsFreedByDriver == opsReturned: the lists are freed
 * through `opFree`, op by op, as drm_gpuva_ops_free() does).
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
    if (a.opsFreedByDriver !== undefined && a.opsFreedByDriver !== a.opsReturned) {
      return fail(
        { opsFreedByDriver: a.opsReturned },
        { opsFreedByDriver: a.opsFreedByDriver, opsReturned: a.opsReturned },
        `${a.opsReturned} ops were returned in lists but ${a.opsFreedByDriver} of them were freed when the lists were freed`,
      );
    }
    return null;
  },
};
