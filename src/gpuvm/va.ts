/**
 * A GPU virtual-address mapping (struct drm_gpuva).
 *
 * A VA covers the half-open range [addr, addr + range) and translates it to
 * `obj` starting at `offset` (`obj == null` is a NULL / sparse mapping). It
 * belongs to at most one VM (set by GpuVm.insert) and, when it has an object,
 * is linked to at most one vm_bo (set by {@link GpuVa.link}).
 *
 * `end` is cached; `addr` and `range` cannot change while the VA is in a VM,
 * and `obj` cannot change while it is linked.
 */
import { GpuVmError, UseAfterFreeError } from './errors.ts';
import type { GemObject } from './gem.ts';
import type { GpuVm } from './gpuvm.ts';
import type { IntervalNode } from './interval-tree.ts';
import type { MapReq } from './ops.ts';
import { assertU64, describe } from './u64.ts';
import type { GpuVmBo } from './vm-bo.ts';

/** Initial field values for a new VA (all optional; numbers default to 0n, obj to null). */
export interface GpuVaInit {
  addr?: bigint;
  range?: bigint;
  obj?: GemObject | null;
  offset?: bigint;
  flags?: number;
}

/** A mapping (struct drm_gpuva). See the module comment. */
export class GpuVa {
  private _addr: bigint;
  private _range: bigint;
  private _end: bigint;
  private _offset: bigint;
  private _obj: GemObject | null;
  /** Driver-owned flag bits (INVALIDATED, SPARSE, user bits); the core never reads them. */
  flags: number;

  /** @internal The VM this VA is inserted in (managed by GpuVm). */
  _vm: GpuVm | null = null;
  /** @internal Its node in the VM's interval tree (managed by GpuVm). */
  _node: IntervalNode<GpuVa> | null = null;
  /** @internal The vm_bo this VA is linked to. */
  _vmBo: GpuVmBo | null = null;

  /**
   * Create a detached VA. Every given number must be a u64 bigint (else
   * `EINVAL`); addr + range may be at most 2^64. Corresponds to a driver's
   * drm_gpuva allocation plus the field setup drm_gpuva_init() used to do.
   */
  constructor(init: GpuVaInit = {}) {
    const addr = init.addr ?? 0n;
    const range = init.range ?? 0n;
    const offset = init.offset ?? 0n;
    assertU64('GpuVa', 'addr', addr);
    assertU64('GpuVa', 'range', range);
    assertU64('GpuVa', 'offset', offset);
    checkFlags('GpuVa', init.flags ?? 0);
    this._addr = addr;
    this._range = range;
    this._end = addr + range;
    this._offset = offset;
    this._obj = init.obj ?? null;
    this.flags = init.flags ?? 0;
  }

  /** Start address. Settable only while the VA is in no VM (`EINVAL` otherwise). */
  get addr(): bigint {
    return this._addr;
  }
  set addr(value: bigint) {
    this.assertDetached('addr');
    assertU64('GpuVa.addr', 'value', value);
    this._addr = value;
    this._end = value + this._range;
  }

  /** Length in bytes (or driver units). Settable only while in no VM. */
  get range(): bigint {
    return this._range;
  }
  set range(value: bigint) {
    this.assertDetached('range');
    assertU64('GpuVa.range', 'value', value);
    this._range = value;
    this._end = this._addr + value;
  }

  /** addr + range (exact; may be 2^64). */
  get end(): bigint {
    return this._end;
  }

  /** Offset into the backing object. Settable only while in no VM. */
  get offset(): bigint {
    return this._offset;
  }
  set offset(value: bigint) {
    this.assertDetached('offset');
    assertU64('GpuVa.offset', 'value', value);
    this._offset = value;
  }

  /** The backing object, or null. Settable only while not linked to a vm_bo. */
  get obj(): GemObject | null {
    return this._obj;
  }
  set obj(value: GemObject | null) {
    if (this._vmBo !== null) {
      throw new GpuVmError('EINVAL', 'GpuVa.obj: cannot change the object of a VA linked to a vm_bo; unlink it first');
    }
    this._obj = value;
  }

  /** The VM this VA is inserted in, or null. */
  get vm(): GpuVm | null {
    return this._vm;
  }

  /** The vm_bo this VA is linked to, or null. */
  get vmBo(): GpuVmBo | null {
    return this._vmBo;
  }

  /**
   * Set addr, range, obj and offset from a map op or remap piece; flags are left
   * alone (remap halves do not inherit the old VA's flags). Precondition: the VA
   * is in no VM and not linked (`EINVAL` otherwise); values must be u64 and
   * addr + range <= 2^64.
   *
   * Corresponds to drm_gpuva_init_from_op().
   */
  initFromOp(op: MapReq): void {
    this.assertDetached('initFromOp');
    if (this._vmBo !== null) {
      throw new GpuVmError('EINVAL', 'initFromOp: the VA is still linked to a vm_bo');
    }
    assertU64('initFromOp', 'op.addr', op.addr);
    assertU64('initFromOp', 'op.range', op.range);
    assertU64('initFromOp', 'op.offset', op.offset);
    this._addr = op.addr;
    this._range = op.range;
    this._end = op.addr + op.range;
    this._offset = op.offset;
    this._obj = op.obj;
  }

  /**
   * Link this VA to `vmBo`, the (VM, object) pair of its object, taking one
   * vm_bo reference. A no-op for a VA without object.
   * Errors: `EINVAL` if `vmBo.obj` is not this VA's object, if the VA is
   * already linked, or if the VA is in a different VM than the vm_bo;
   * `UseAfterFreeError` if the vm_bo was destroyed.
   *
   * Corresponds to drm_gpuva_link().
   */
  link(vmBo: GpuVmBo): void {
    if (this._obj === null) return;
    if (vmBo.destroyed) throw new UseAfterFreeError('link: the vm_bo was destroyed (use after free)');
    if (vmBo.obj !== this._obj) {
      throw new GpuVmError('EINVAL', "link: the vm_bo's object is not this VA's object");
    }
    if (this._vmBo !== null) throw new GpuVmError('EINVAL', 'link: the VA is already linked to a vm_bo');
    if (this._vm !== null && vmBo.vm !== this._vm) {
      throw new GpuVmError('EINVAL', 'link: the vm_bo belongs to a different VM than the VA');
    }
    vmBo.get();
    vmBo._vaSet.add(this);
    this._vmBo = vmBo;
  }

  /**
   * Unlink this VA from its vm_bo and drop the reference `link` took, which
   * may destroy the vm_bo. A no-op for a VA without object or not linked.
   *
   * Corresponds to drm_gpuva_unlink().
   */
  unlink(): void {
    const vmBo = this._vmBo;
    if (this._obj === null || vmBo === null) return;
    vmBo._vaSet.delete(this);
    this._vmBo = null;
    vmBo.put();
  }

  /**
   * Unlink this VA and drop the reference with deferred cleanup
   * ({@link GpuVmBo.putDeferred}): when it was the vm_bo's last, the vm_bo
   * becomes a zombie instead of being destroyed. A no-op for a VA without
   * object or not linked. `EINVAL` unless the vm_bo's VM is in immediate mode
   * ([differs]: upstream only WARNs), with nothing changed.
   *
   * Corresponds to drm_gpuva_unlink_defer().
   */
  unlinkDefer(): void {
    const vmBo = this._vmBo;
    if (vmBo === null) return; // not linked; a VA without an object never is (link is a no-op for it)
    if (!vmBo.vm.immediateMode) {
      throw new GpuVmError('EINVAL', 'unlinkDefer: the VM is not in immediate mode');
    }
    vmBo._vaSet.delete(this);
    this._vmBo = null;
    vmBo.putDeferred();
  }

  private assertDetached(what: string): void {
    if (this._vm !== null) {
      throw new GpuVmError('EINVAL', `GpuVa.${what}: cannot change a VA while it is in a VM; remove it first`);
    }
  }
}

/** `EINVAL` unless `flags` is a non-negative safe integer. */
export function checkFlags(fn: string, flags: unknown): void {
  if (typeof flags !== 'number' || !Number.isSafeInteger(flags) || flags < 0) {
    throw new GpuVmError('EINVAL', `${fn}: flags must be a non-negative integer, got ${describe(flags)}`);
  }
}
