/**
 * `lists`: the VM's extobj list holds exactly the live vm_bos of external
 * objects, the evict list exactly the live vm_bos marked evicted; neither has
 * duplicates or a destroyed vm_bo. (Order is insertion order, which the
 * model-agrees comparison checks.)
 */
import type { BoId } from '../../src/protocol/types.ts';
import type { StructuralInvariant } from '../step-context.ts';
import type { Failure } from '../violation.ts';
import { fail } from './shared.ts';

function sameSet(name: string, want: ReadonlySet<BoId>, list: readonly BoId[]): Failure | null {
  const seen = new Set<BoId>();
  for (const bo of list) {
    if (seen.has(bo)) return fail([...want], list, `the ${name} list holds object ${bo}'s vm_bo twice`);
    seen.add(bo);
    if (!want.has(bo)) return fail([...want], list, `the ${name} list holds object ${bo}'s vm_bo, which should not be there (destroyed or wrong)`);
  }
  for (const bo of want) {
    if (!seen.has(bo)) return fail([...want], list, `the ${name} list misses object ${bo}'s vm_bo`);
  }
  return null;
}

/** The invariant this module describes, as a named check. */
export const lists: StructuralInvariant = {
  name: 'lists',
  check(ctx) {
    const external = new Set(ctx.header.objects.filter((o) => o.external === true).map((o) => o.bo));
    const ext = new Set<BoId>();
    const ev = new Set<BoId>();
    for (const vb of ctx.after.vmBos) {
      if (external.has(vb.bo)) ext.add(vb.bo);
      if (vb.evicted) ev.add(vb.bo);
    }
    return sameSet('extobj', ext, ctx.after.extobjList) ?? sameSet('evict', ev, ctx.after.evictList);
  },
};
