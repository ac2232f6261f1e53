/**
 * GEM objects, vm_bos, zombies and the VM's lists, modelled by their net
 * effect (SEMANTICS.md section 3, the driver of section 5, and the VM modes of
 * the 7.x kernel-doc).
 *
 * The model does not replay the driver's get / put choreography. After every
 * command (and, for a command that unlinks deferred, after every step) it
 * settles the books from two facts:
 *   refs(bo) = VAs mapping bo (each is linked to the vm_bo) + references the driver holds;
 *   the live vm_bo of bo exists iff refs(bo) > 0.
 * A vm_bo that comes into existence was obtained by the driver, which always
 * follows with `extobjAdd`: an external object's new vm_bo is appended to the
 * extobj list. A vm_bo that goes away either dies at once (it leaves both
 * lists) or, when its last reference was dropped deferred, becomes a zombie:
 * queued for cleanup, still holding its object reference, off the lists at
 * once unless the VM is resv-protected (then on them until cleanup). A correct
 * driver never destroys and re-creates a vm_bo within one command (it holds a
 * reference across every op), so the net effect is the whole story.
 *
 * List entries are vm_bo identities (serial numbers), not object ids: in a
 * resv-protected VM a zombie and the live vm_bo of the same object can both be
 * on a list, and cleanup must take off the zombie's entry, not the other.
 */

import type { BoId, DeferredRecord, ObjectDecl, ObjectRecord, VmBoRecord } from '../src/protocol/index.ts';
import type { VaList } from './va-list.ts';

/** The VM's modes, from the trace header's flags. */
export interface Modes {
  readonly immediate: boolean;
  readonly resvProtected: boolean;
}

/** A live vm_bo: its identity on the lists and its `evicted` flag. */
interface VmBoState {
  readonly serial: number;
  evicted: boolean;
}

/** One declared object, as the model tracks it. */
export interface ObjectState {
  readonly bo: BoId;
  readonly external: boolean;
  /** References on the vm_bo the driver holds through `bo_get` (minus `bo_put`), plus one during a map of the object. */
  held: number;
  /** The object's live vm_bo in this VM, or null when it has none. */
  vmBo: VmBoState | null;
}

/** A zombie vm_bo: dead, queued for cleanup, still holding its object reference. */
interface Zombie {
  readonly serial: number;
  readonly bo: BoId;
  readonly external: boolean;
  readonly evicted: boolean;
}

/** All objects, keyed by bo id, the zombies, and the VM's evict and extobj lists (vm_bo serials, in list order). */
export class Books {
  readonly objects = new Map<BoId, ObjectState>();
  private evictList: number[] = [];
  private extobjList: number[] = [];
  /** Oldest first. */
  private zombies: Zombie[] = [];
  private readonly boOfSerial = new Map<number, BoId>();
  private nextSerial = 1;

  constructor(
    decls: readonly ObjectDecl[],
    private readonly modes: Modes,
  ) {
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

  /**
   * Sets or clears `evicted` on the object's live vm_bo (if any) and moves it
   * on / off the evict list -- except an external object's in a resv-protected
   * VM, which only gets the flag.
   */
  evict(bo: BoId, flag: boolean): void {
    const o = this.object(bo);
    if (o.vmBo === null) return;
    o.vmBo.evicted = flag;
    if (o.external && this.modes.resvProtected) return;
    const serial = o.vmBo.serial;
    if (flag) {
      if (!this.evictList.includes(serial)) this.evictList.push(serial);
    } else {
      this.evictList = this.evictList.filter((s) => s !== serial);
    }
  }

  /**
   * Validate as the driver does it: first (resv-protected VM) every live,
   * evicted vm_bo of the extobj list joins the evict list; then every live
   * entry of the evict list, in order, is validated, un-evicted and taken off.
   * Zombies are never validated (and stay where they are). Returns the objects
   * validated, in order.
   */
  validate(): BoId[] {
    if (this.modes.resvProtected) {
      for (const serial of this.extobjList) {
        const o = this.liveOwner(serial);
        if (o !== null && o.vmBo!.evicted && !this.evictList.includes(serial)) this.evictList.push(serial);
      }
    }
    const validated: BoId[] = [];
    for (const serial of [...this.evictList]) {
      const o = this.liveOwner(serial);
      if (o === null) continue;
      validated.push(o.bo);
      o.vmBo!.evicted = false;
      this.evictList = this.evictList.filter((s) => s !== serial);
    }
    return validated;
  }

  /** Frees every zombie: each leaves the lists it is still on and drops its object reference. */
  cleanup(): void {
    const dead = new Set(this.zombies.map((z) => z.serial));
    this.evictList = this.evictList.filter((s) => !dead.has(s));
    this.extobjList = this.extobjList.filter((s) => !dead.has(s));
    this.zombies = [];
  }

  /**
   * Brings vm_bo existence and the lists in line with the VAs and the held
   * references. With `deferred`, a vm_bo that loses its last reference becomes
   * a zombie; otherwise it dies at once.
   */
  settle(vas: VaList, deferred: boolean): void {
    const linked = countLinked(vas);
    for (const o of this.objects.values()) {
      const refs = (linked.get(o.bo) ?? 0) + o.held;
      if (refs > 0 && o.vmBo === null) {
        const serial = this.nextSerial++;
        this.boOfSerial.set(serial, o.bo);
        o.vmBo = { serial, evicted: false };
        if (o.external) this.extobjList.push(serial);
      } else if (refs === 0 && o.vmBo !== null) {
        const { serial, evicted } = o.vmBo;
        o.vmBo = null;
        if (deferred) {
          this.zombies.push({ serial, bo: o.bo, external: o.external, evicted });
          if (this.modes.resvProtected) continue;
        }
        this.evictList = this.evictList.filter((s) => s !== serial);
        this.extobjList = this.extobjList.filter((s) => s !== serial);
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

  /** Every declared object ascending by bo: the driver's reference plus one per live vm_bo and per zombie. */
  objectRecords(): ObjectRecord[] {
    return this.sortedObjects().map((o) => {
      const zombies = this.zombies.filter((z) => z.bo === o.bo).length;
      return { bo: o.bo, refs: 1 + (o.vmBo === null ? 0 : 1) + zombies };
    });
  }

  /** The zombies, newest first. */
  deferredRecords(): DeferredRecord[] {
    return this.zombies.map((z) => ({ bo: z.bo, evicted: z.evicted })).reverse();
  }

  /** The evict list as object ids, in list order. */
  evictBos(): BoId[] {
    return this.evictList.map((s) => this.boOfSerial.get(s)!);
  }

  /** The extobj list as object ids, in list order. */
  extobjBos(): BoId[] {
    return this.extobjList.map((s) => this.boOfSerial.get(s)!);
  }

  /** The object whose live vm_bo has this serial, or null (a zombie's serial). */
  private liveOwner(serial: number): ObjectState | null {
    const o = this.objects.get(this.boOfSerial.get(serial)!)!;
    return o.vmBo !== null && o.vmBo.serial === serial ? o : null;
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
