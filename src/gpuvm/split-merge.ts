/**
 * The split/merge core: which UNMAP / REMAP / MAP ops turn the current VA
 * space into one where a request is mapped (or a range is unmapped).
 *
 * Pure: it reads the VA tree and never changes it. Inputs are validated by
 * GpuVm before they get here. Each decision is a small overridable method so a
 * fault variant can replace exactly one of them (SEMANTICS.md section 4).
 */
import { GpuVmError } from './errors.ts';
import type { IntervalTree } from './interval-tree.ts';
import { remapToUnmapRange } from './ops.ts';
import type { GpuVaOp, GpuVmOps, MapReq, OpMap, OpRemap, OpUnmap } from './ops.ts';
import type { GpuVa } from './va.ts';

/** Receives each op as it is produced. */
export type OpSink = (op: GpuVaOp) => void;

/**
 * The split/merge generator over a VA tree (the core of drm_gpuvm_sm_map() /
 * drm_gpuvm_sm_unmap() and their _ops_create() forms). Created by
 * GpuVm.createSplitMerge(); override one method to build a fault variant.
 */
export class SplitMerge {
  constructor(protected readonly tree: IntervalTree<GpuVa>) {}

  /**
   * The keep hint: the VA has an object, it is the request's object, and the VA
   * translates addresses exactly like the request (f - a == req.offset - ra).
   * Corresponds to the keep computation in __drm_gpuvm_sm_map().
   */
  keep(va: GpuVa, req: MapReq): boolean {
    const o = va.obj;
    return o !== null && o === req.obj && va.offset + req.addr === req.offset + va.addr;
  }

  /**
   * The part of `va` below `cut` (va.addr < cut < va.end): [a, cut) at the VA's
   * own offset. Corresponds to the `prev` op_map of __drm_gpuvm_sm_map().
   */
  prevPiece(va: GpuVa, cut: bigint): MapReq {
    return { addr: va.addr, range: cut - va.addr, obj: va.obj, offset: va.offset };
  }

  /**
   * The part of `va` from `cut` on (va.addr < cut < va.end): [cut, e) at
   * offset f + (cut - a). Corresponds to the `next` op_map of __drm_gpuvm_sm_map().
   */
  nextPiece(va: GpuVa, cut: bigint): MapReq {
    return { addr: cut, range: va.end - cut, obj: va.obj, offset: va.offset + (cut - va.addr) };
  }

  /**
   * Snapshot of the VAs overlapping [addr, end), ascending: the walk may then
   * change the tree. Corresponds to the drm_gpuvm_for_each_va_range_safe() walk.
   */
  overlapping(addr: bigint, end: bigint): GpuVa[] {
    return this.tree.collectDisjoint(addr, end);
  }

  /**
   * The op that cuts `va` against the request [ra, re), with the given keep
   * hint: UNMAP when nothing is left, else REMAP with the pieces that remain.
   * Corresponds to op_unmap_cb() / op_remap_cb().
   */
  cut(va: GpuVa, ra: bigint, re: bigint, keep: boolean): OpUnmap | OpRemap {
    const prev = va.addr < ra ? this.prevPiece(va, ra) : null;
    const next = va.end > re ? this.nextPiece(va, re) : null;
    if (prev === null && next === null) return { kind: 'unmap', va, keep };
    return { kind: 'remap', prev, next, unmap: { va, keep } };
  }

  /**
   * Emit the ops of a map request: one UNMAP / REMAP per overlapping VA, then
   * the MAP. Corresponds to __drm_gpuvm_sm_map().
   */
  mapOps(req: MapReq, emit: OpSink): void {
    const ra = req.addr;
    const re = ra + req.range;
    const vas = this.overlapping(ra, re);
    for (let i = 0; i < vas.length; i++) {
      const va = vas[i] as GpuVa;
      emit(this.cut(va, ra, re, this.keep(va, req)));
    }
    const map: OpMap = { kind: 'map', addr: ra, range: req.range, obj: req.obj, offset: req.offset };
    emit(map);
  }

  /**
   * Emit the ops of an unmap request: one UNMAP / REMAP (keep false) per
   * overlapping VA. Corresponds to __drm_gpuvm_sm_unmap().
   */
  unmapOps(addr: bigint, range: bigint, emit: OpSink): void {
    const re = addr + range;
    const vas = this.overlapping(addr, re);
    for (let i = 0; i < vas.length; i++) emit(this.cut(vas[i] as GpuVa, addr, re, false));
  }

  /**
   * Whether a madvise request [ra, re) leaves `va` alone: it has an object
   * (madvise only splits VAs without one), or no edge of the request cuts it.
   * Corresponds to the `madvise && obj` skip of __drm_gpuvm_sm_map().
   */
  madviseSkips(va: GpuVa, ra: bigint, re: bigint): boolean {
    return va.obj !== null || (va.addr >= ra && va.end <= re);
  }

  /**
   * The MAP of a split VA's part inside the request: exactly what its REMAP
   * `cut` vacates (from prev's end, or the VA's start, to next's start, or
   * the VA's end), NULL at offset 0 (the pieces madvise creates carry no object).
   */
  madvisePiece(cut: OpRemap): OpMap {
    const hole = remapToUnmapRange(cut);
    return { kind: 'map', addr: hole.addr, range: hole.range, obj: null, offset: 0n };
  }

  /**
   * Emit the ops of a madvise request: for each overlapping VA it does not
   * skip, ascending, the REMAP that cuts it at the request's edges (keep
   * false) and then the MAP of its part inside. No UNMAP ever.
   * Corresponds to __drm_gpuvm_sm_map() with madvise set.
   */
  madviseOps(req: MapReq, emit: OpSink): void {
    const ra = req.addr;
    const re = ra + req.range;
    const vas = this.overlapping(ra, re);
    for (let i = 0; i < vas.length; i++) {
      const va = vas[i] as GpuVa;
      if (this.madviseSkips(va, ra, re)) continue;
      const cut = this.cut(va, ra, re, false);
      emit(cut);
      // A VA madvise does not skip sticks out of the request, so its cut is a REMAP.
      if (cut.kind === 'remap') emit(this.madvisePiece(cut));
    }
  }

  /** Emit one PREFETCH per VA overlapping [addr, addr + range). Corresponds to the walk of drm_gpuvm_prefetch_ops_create(). */
  prefetchOps(addr: bigint, range: bigint, emit: OpSink): void {
    const vas = this.overlapping(addr, addr + range);
    for (let i = 0; i < vas.length; i++) emit({ kind: 'prefetch', va: vas[i] as GpuVa });
  }

  /** Emit one UNMAP (keep false) per VA in `vas`, ascending by address. Corresponds to the walk of drm_gpuvm_bo_unmap_ops_create(). */
  vaUnmapOps(vas: readonly GpuVa[], emit: OpSink): void {
    // sort() only needs the sign of the comparison, and Number() keeps the sign of any bigint difference.
    const sorted = vas.slice().sort((x, y) => Number(x.addr - y.addr));
    for (const va of sorted) emit({ kind: 'unmap', va, keep: false });
  }

  /**
   * Collect what `produce` emits into a list, passing each op through
   * `hooks.opAlloc` when given. If an allocation returns null, every op
   * allocated so far goes to `hooks.opFree` and `ENOMEM` is thrown.
   * Corresponds to drm_gpuva_sm_step() with gpuva_op_alloc() and its error path.
   */
  buildList(produce: (emit: OpSink) => void, hooks: GpuVmOps | undefined, fn: string): GpuVaOp[] {
    const list: GpuVaOp[] = [];
    const alloc = hooks?.opAlloc;
    if (alloc === undefined) {
      produce((op) => {
        list.push(op);
      });
      return list;
    }
    produce((op) => {
      const got = alloc.call(hooks, op);
      if (got === null) {
        const failed = list.length + 1;
        this.freeList(list, hooks);
        throw new GpuVmError('ENOMEM', `${fn}: allocating op ${failed} failed`);
      }
      list.push(got);
    });
    return list;
  }

  /** Hand every op of `list` to `hooks.opFree` (when given). Corresponds to drm_gpuva_ops_free(). */
  freeList(list: readonly GpuVaOp[], hooks: GpuVmOps | undefined): void {
    const free = hooks?.opFree;
    if (free === undefined) return;
    for (let i = 0; i < list.length; i++) free.call(hooks, list[i] as GpuVaOp);
  }
}
