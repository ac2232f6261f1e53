/**
 * `vm-bo-refcount`: every VA with an object is linked to that object's live
 * vm_bo and NULL VAs to none (a vm_bo's `vas` are exactly the VAs of its
 * object); a vm_bo's references are its linked VAs plus the references the
 * driver holds (from successful bo_get / bo_put); and an object with neither
 * has no vm_bo (none leaked).
 */
import type { BoId, VaRecord } from '../../src/protocol/types.ts';
import type { StructuralInvariant } from '../step-context.ts';
import { fail } from './shared.ts';
import { formatVa } from '../../src/protocol/text.ts';

/** The invariant this module describes, as a named check. */
export const vmBoRefcount: StructuralInvariant = {
  name: 'vm-bo-refcount',
  check(ctx) {
    const { after, held } = ctx;
    const linked = new Map<BoId, VaRecord[]>();
    for (const va of after.vas) {
      if (va.bo === null) continue;
      let l = linked.get(va.bo);
      if (l === undefined) linked.set(va.bo, (l = []));
      l.push(va);
    }
    const seen = new Set<BoId>();
    for (const vb of after.vmBos) {
      if (seen.has(vb.bo)) continue; // a duplicate is vm-bo-unique's to report
      seen.add(vb.bo);
      const vas = linked.get(vb.bo) ?? [];
      const want = vas.map((v) => [v.addr, v.range] as const);
      const same = want.length === vb.vas.length && want.every((w, i) => w[0] === vb.vas[i]![0] && w[1] === vb.vas[i]![1]);
      if (!same) return fail(want, vb.vas, `the vm_bo of object ${vb.bo} is linked to other VAs than the object's`);
      const h = held.get(vb.bo) ?? 0;
      if (vb.refs !== vas.length + h) {
        return fail(vas.length + h, vb.refs, `the vm_bo of object ${vb.bo} has ${vb.refs} references for ${vas.length} linked VAs + ${h} held by the driver`);
      }
    }
    for (const [bo, vas] of linked) {
      if (!seen.has(bo)) return fail(`a live vm_bo of object ${bo}`, null, `${formatVa(vas[0]!)} is not linked to a live vm_bo`);
    }
    for (const [bo, h] of held) {
      if (h > 0 && !seen.has(bo)) return fail(`a live vm_bo of object ${bo} with ${h} references`, null, `the driver holds ${h} references on a vm_bo of object ${bo} that is gone`);
    }
    return null;
  },
};
