/**
 * The operations the split/merge core emits (drm_gpuva_op and friends).
 *
 * Ops are plain objects tagged by `kind`. UNMAP / REMAP / PREFETCH ops refer to
 * the live {@link GpuVa} they concern; MAP and the remap pieces describe new
 * mappings by value ({@link MapReq}).
 */
import type { GemObject } from './gem.ts';
import type { GpuVa } from './va.ts';

/** A mapping request or a remap piece: [addr, addr + range) -> obj at offset (drm_gpuvm_map_req). */
export interface MapReq {
  addr: bigint;
  range: bigint;
  /** The backing object, or null for a NULL / sparse mapping. */
  obj: GemObject | null;
  offset: bigint;
}

/** Create a new mapping (DRM_GPUVA_OP_MAP). Always the last op of a map request. */
export type OpMap = { kind: 'map' } & MapReq;

/**
 * Remove an existing VA (DRM_GPUVA_OP_UNMAP). `keep` hints that the VA already
 * translates like the request, so its page-table entries may be kept.
 */
export type OpUnmap = { kind: 'unmap'; va: GpuVa; keep: boolean };

/**
 * Split an existing VA (DRM_GPUVA_OP_REMAP): remove `unmap.va` and re-create the
 * part before the request (`prev`) and / or after it (`next`).
 */
export type OpRemap = {
  kind: 'remap';
  prev: MapReq | null;
  next: MapReq | null;
  unmap: { va: GpuVa; keep: boolean };
};

/** Prefetch an existing VA (DRM_GPUVA_OP_PREFETCH). */
export type OpPrefetch = { kind: 'prefetch'; va: GpuVa };

/** Any op (struct drm_gpuva_op). */
export type GpuVaOp = OpMap | OpUnmap | OpRemap | OpPrefetch;

/**
 * Optional allocator hooks for ops lists (drm_gpuvm_ops.op_alloc / op_free).
 * `opAlloc` receives each op as it is created and returns the op to store in
 * the list (itself or a copy), or null to signal an allocation failure.
 * `opFree` receives every op `opAlloc` returned, when the list is freed or when
 * building it failed.
 */
export interface GpuVmOps {
  opAlloc?(op: GpuVaOp): GpuVaOp | null;
  opFree?(op: GpuVaOp): void;
}

/** Step callbacks of the immediate form (drm_gpuvm_ops.sm_step_map / _remap / _unmap). */
export interface SmStepCtx {
  smStepMap?(op: OpMap): void;
  smStepRemap?(op: OpRemap): void;
  smStepUnmap?(op: OpUnmap): void;
}

/**
 * The range a remap actually vacates: from the end of `prev` (or the old VA's
 * start) to the start of `next` (or the old VA's end).
 *
 * Corresponds to drm_gpuva_op_remap_to_unmap_range().
 */
export function remapToUnmapRange(op: OpRemap): { addr: bigint; range: bigint } {
  const va = op.unmap.va;
  const start = op.prev !== null ? op.prev.addr + op.prev.range : va.addr;
  const end = op.next !== null ? op.next.addr : va.end;
  return { addr: start, range: end - start };
}
