/**
 * The trace's GEM objects as the driver holds them: the id <-> object mapping,
 * and the vm_bo references the driver keeps on behalf of `bo_get`.
 */

import { GemObject } from '../gpuvm/index.ts';
import type { GpuVm, GpuVmBo } from '../gpuvm/index.ts';
import type { BoId, BoRef, ObjectDecl } from '../protocol/types.ts';

/** An object the trace declared, as the driver holds it. */
export interface DeclaredObject {
  readonly bo: BoId;
  readonly obj: GemObject;
  /** vm_bo references taken by `bo_get` and not yet dropped by `bo_put`, oldest first. */
  readonly held: GpuVmBo[];
}

/**
 * Creates the trace's objects for `vm`: an external object gets a reservation
 * object of its own, every other object shares the VM's (so it is "private" to
 * the VM in drm_gpuvm terms and never goes on the extobj list). The driver's
 * one reference on each object is the one it was created with.
 */
export class ObjectTable {
  private readonly byId = new Map<BoId, DeclaredObject>();
  private readonly byObj = new Map<GemObject, BoId>();
  /** Declared objects ascending by id. */
  readonly all: readonly DeclaredObject[];

  constructor(vm: GpuVm, decls: readonly ObjectDecl[]) {
    const all: DeclaredObject[] = [];
    for (const decl of decls) {
      if (this.byId.has(decl.bo)) throw new Error(`trace header: object ${decl.bo} is declared twice`);
      const external = decl.external === true;
      const obj = external
        ? new GemObject({ name: `bo${decl.bo}` })
        : new GemObject({ name: `bo${decl.bo}`, resv: vm.resv });
      const entry: DeclaredObject = { bo: decl.bo, obj, held: [] };
      this.byId.set(decl.bo, entry);
      this.byObj.set(obj, decl.bo);
      all.push(entry);
    }
    this.all = all.sort((a, b) => a.bo - b.bo);
  }

  /** The declared object with this id; throws a clear error for an undeclared id. */
  get(bo: BoId): DeclaredObject {
    const entry = this.byId.get(bo);
    if (entry === undefined) throw new Error(`bo ${bo} is not declared in the trace's objects`);
    return entry;
  }

  /** The GEM object for a command's `bo` field (null stays null: a NULL mapping). */
  resolve(bo: BoRef): GemObject | null {
    return bo === null ? null : this.get(bo).obj;
  }

  /** The trace id of an object; null for null. Throws for an object the trace never declared. */
  idOf(obj: GemObject | null): BoRef {
    if (obj === null) return null;
    const id = this.byObj.get(obj);
    if (id === undefined) throw new Error('the manager returned a GEM object that the trace never declared');
    return id;
  }
}
