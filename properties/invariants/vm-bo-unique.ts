/**
 * `vm-bo-unique`: at most one live vm_bo per (VM, object). The snapshot lists
 * every live vm_bo, ascending by object; each names a declared object, no
 * object appears twice, and every listed vm_bo is alive (has a reference: a
 * vm_bo is on its object's list iff it is alive). Zombies do not count: an
 * object may have zombies awaiting cleanup (`deferred`) next to its one live
 * vm_bo (obtaining after a deferred put makes a new one); a zombie listed as
 * live is `zombies`' to report, which runs first.
 */
import type { StructuralInvariant } from '../step-context.ts';
import { fail } from './shared.ts';

/** The invariant this module describes, as a named check. */
export const vmBoUnique: StructuralInvariant = {
  name: 'vm-bo-unique',
  check(ctx) {
    const declared = new Set(ctx.header.objects.map((o) => o.bo));
    let prev = -Infinity;
    for (let i = 0; i < ctx.after.vmBos.length; i++) {
      const vb = ctx.after.vmBos[i]!;
      if (!declared.has(vb.bo)) return fail([...declared], vb.bo, `vm_bo ${i} belongs to undeclared object ${vb.bo}`);
      if (vb.bo === prev) return fail(1, 2, `two live vm_bos for object ${vb.bo}`);
      if (vb.bo < prev) return fail('ascending by bo', ctx.after.vmBos.map((v) => v.bo), `vmBos are not ascending by object (${vb.bo} after ${prev})`);
      if (vb.refs < 1) return fail('refs >= 1', vb.refs, `the vm_bo of object ${vb.bo} has no reference but is still listed as alive`);
      prev = vb.bo;
    }
    return null;
  },
};
