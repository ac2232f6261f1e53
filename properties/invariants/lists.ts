/**
 * `lists`: the VM's extobj list holds exactly the live vm_bos of external
 * objects, the evict list exactly the live vm_bos marked evicted; neither
 * has duplicates or a destroyed vm_bo. (Order is insertion order, which the
 * model-agrees comparison checks.)
 *
 * The VM's modes change what "exactly" means:
 * - resv-protected: an external object's evicted vm_bo is not on the evict
 *   list (validate picks it up from the extobj list), and a zombie stays on
 *   the lists it was on until cleanup: the extobj list also holds each zombie
 *   of an external object, the evict list each evicted zombie of a private
 *   one. An object may then appear as often as it has such vm_bos.
 * - otherwise a zombie left the lists at once, like a destroyed vm_bo.
 */
import type { BoId } from '../../src/protocol/types.ts';
import type { StructuralInvariant } from '../step-context.ts';
import type { Failure } from '../violation.ts';
import { fail } from './shared.ts';

/** Compares a list (object ids) with the expected number of entries per object. */
function sameCounts(name: string, want: ReadonlyMap<BoId, number>, list: readonly BoId[]): Failure | null {
  const expected = (): BoId[] => [...want].flatMap(([bo, n]) => Array<BoId>(n).fill(bo));
  const seen = new Map<BoId, number>();
  for (const bo of list) {
    const n = (seen.get(bo) ?? 0) + 1;
    seen.set(bo, n);
    const allowed = want.get(bo) ?? 0;
    if (n > allowed) {
      if (allowed === 0) return fail(expected(), list, `the ${name} list holds object ${bo}'s vm_bo, which should not be there (destroyed or wrong)`);
      return fail(expected(), list, `the ${name} list holds object ${bo}'s vm_bo ${n} times, more than the ${allowed} it may`);
    }
  }
  for (const [bo, n] of want) {
    if ((seen.get(bo) ?? 0) < n) return fail(expected(), list, `the ${name} list misses object ${bo}'s vm_bo`);
  }
  return null;
}

function add(m: Map<BoId, number>, bo: BoId): void {
  m.set(bo, (m.get(bo) ?? 0) + 1);
}

/** The invariant this module describes, as a named check. */
export const lists: StructuralInvariant = {
  name: 'lists',
  check(ctx) {
    const external = new Set(ctx.header.objects.filter((o) => o.external === true).map((o) => o.bo));
    const protectedLists = ctx.header.flags?.resvProtected === true;
    const ext = new Map<BoId, number>();
    const ev = new Map<BoId, number>();
    const live = new Set<BoId>();
    for (const vb of ctx.after.vmBos) {
      if (live.has(vb.bo)) continue; // a duplicate live vm_bo is vm-bo-unique's to report
      live.add(vb.bo);
      if (external.has(vb.bo)) add(ext, vb.bo);
      if (vb.evicted && !(protectedLists && external.has(vb.bo))) add(ev, vb.bo);
    }
    if (protectedLists) {
      for (const z of ctx.after.deferred) {
        if (external.has(z.bo)) add(ext, z.bo);
        else if (z.evicted) add(ev, z.bo);
      }
    }
    return sameCounts('extobj', ext, ctx.after.extobjList) ?? sameCounts('evict', ev, ctx.after.evictList);
  },
};
