/**
 * GEM objects, vm_bos and the VM's two lists, modelled by their net effect
 * (SEMANTICS.md section 3, the driver of section 5).
 *
 * The model does not replay the driver's get / put choreography. After every
 * command it settles the books from two facts:
 *   refs(bo) = VAs mapping bo (each is linked to the vm_bo) + references the driver holds;
 *   the vm_bo of bo exists iff refs(bo) > 0.
 * A vm_bo that comes into existence was obtained by the driver, which always
 * follows with `extobjAdd`: an external object's new vm_bo is appended to the
 * extobj list. A vm_bo that goes away leaves both lists and forgets `evicted`.
 * A correct driver never destroys and re-creates a vm_bo within one command
 * (it holds a reference across every op), so the net effect is the whole story.
 */

import type { BoId, ObjectDecl, ObjectRecord, VmBoRecord } from '../src/protocol/index.ts';
import type { VaList } from './va-list.ts';

/** One declared object, as the model tracks it. */
export interface ObjectState {
  readonly bo: BoId;
  readonly external: boolean;
  /** References on the vm_bo the driver holds through `bo_get` (minus `bo_put`). */
  held: number;
  /** The object's vm_bo in this VM, or null when it has none. */
  vmBo: { evicted: boolean } | null;
}

/** All objects, keyed by bo id, plus the VM's evict and extobj lists (bo ids, in list order). */
export class Books {
  readonly objects = new Map<BoId, ObjectState>();
  evictList: BoId[] = [];
  extobjList: BoId[] = [];

  constructor(decls: readonly ObjectDecl[]) {
    for (const d of decls) {
      if (this.objects.has(d.bo)) throw new Error(`builtin:model: object ${d.bo} is declared twice`);
      this.objects.set(d.bo, { bo: d.bo, external: d.external === true, held: 0, vmBo: null });
    }
  }

  /** The object `bo`; throws for an id the trace did not declare. */
  object(bo: BoId): ObjectState {
    const o = this.objects.get(bo);
    if (o === undefined) throw new Error(`builtin:model: object ${bo} is not declared`);
    return o;
  }

  /** Sets or clears `evicted` on the object's vm_bo (if any) and moves it on / off the evict list. */
  evict(bo: BoId, flag: boolean): void {
    const o = this.object(bo);
    if (o.vmBo === null) return;
    o.vmBo.evicted = flag;
    if (flag) {
      if (!this.evictList.includes(bo)) this.evictList.push(bo);
    } else {
      this.evictList = this.evictList.filter((b) => b !== bo);
    }
  }

  /** Brings vm_bo existence and the lists in line with the VAs and the held references. */
  settle(vas: VaList): void {
    const linked = countLinked(vas);
    for (const o of this.objects.values()) {
      const refs = (linked.get(o.bo) ?? 0) + o.held;
      if (refs > 0 && o.vmBo === null) {
        o.vmBo = { evicted: false };
        if (o.external) this.extobjList.push(o.bo);
      } else if (refs === 0 && o.vmBo !== null) {
        o.vmBo = null;
        this.evictList = this.evictList.filter((b) => b !== o.bo);
        this.extobjList = this.extobjList.filter((b) => b !== o.bo);
      }
    }
  }

  /** Live vm_bos ascending by bo: refs, linked VAs, evicted. */
  vmBoRecords(vas: VaList): VmBoRecord[] {
    const linkedVas = new Map<BoId, [bigint, bigint][]>();
    for (const va of vas) {
      if (va.bo === null) continue;
      let list = linkedVas.get(va.bo);
      if (list === undefined) linkedVas.set(va.bo, (list = []));
      list.push([va.addr, va.range]);
    }
    const out: VmBoRecord[] = [];
    for (const o of this.sortedObjects()) {
      if (o.vmBo === null) continue;
      const own = linkedVas.get(o.bo) ?? [];
      out.push({ bo: o.bo, refs: own.length + o.held, vas: own, evicted: o.vmBo.evicted });
    }
    return out;
  }

  /** Every declared object ascending by bo: the driver's reference plus one per live vm_bo. */
  objectRecords(): ObjectRecord[] {
    return this.sortedObjects().map((o) => ({ bo: o.bo, refs: 1 + (o.vmBo === null ? 0 : 1) }));
  }

  private sortedObjects(): ObjectState[] {
    return [...this.objects.values()].sort((x, y) => x.bo - y.bo);
  }
}

/** How many VAs map each object (NULL VAs and the kernel node map none). */
function countLinked(vas: VaList): Map<BoId, number> {
  const counts = new Map<BoId, number>();
  for (const va of vas) if (va.bo !== null) counts.set(va.bo, (counts.get(va.bo) ?? 0) + 1);
  return counts;
}
