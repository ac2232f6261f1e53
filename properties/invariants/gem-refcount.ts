/**
 * `gem-refcount`: every declared object is listed (ascending by id) with
 * 1 reference (the driver's) plus one per live vm_bo of it and one per zombie
 * of it (a zombie keeps its object reference until cleanup frees it).
 */
import type { StructuralInvariant } from '../step-context.ts';
import { fail } from './shared.ts';

/** The invariant this module describes, as a named check. */
export const gemRefcount: StructuralInvariant = {
  name: 'gem-refcount',
  check(ctx) {
    const decl = [...ctx.header.objects].map((o) => o.bo).sort((a, b) => a - b);
    const objs = ctx.after.objects;
    const ids = objs.map((o) => o.bo);
    if (ids.length !== decl.length || ids.some((b, i) => b !== decl[i])) {
      return fail(decl, ids, 'the snapshot does not list exactly the declared objects, ascending');
    }
    for (const o of objs) {
      let live = 0;
      for (const vb of ctx.after.vmBos) if (vb.bo === o.bo) live++;
      let zombies = 0;
      for (const z of ctx.after.deferred) if (z.bo === o.bo) zombies++;
      if (o.refs !== 1 + live + zombies) {
        const also = zombies > 0 ? ` + ${zombies} zombie(s)` : '';
        return fail(1 + live + zombies, o.refs, `object ${o.bo} has ${o.refs} references for 1 (driver) + ${live} live vm_bos${also}`);
      }
    }
    return null;
  },
};
