/**
 * The production GPU VA manager: public API.
 *
 * A TypeScript take on Linux drm_gpuvm (SEMANTICS.md sections 1-4): an
 * augmented interval tree of VAs, the split/merge op generator, GEM objects and
 * vm_bos with their extobj / evict lists.
 */
export { GpuVmError, UseAfterFreeError } from './errors.ts';
export type { GpuVmErrorCode } from './errors.ts';
export { U64_LIMIT, isU64 } from './u64.ts';
export { IntervalNode, IntervalTree } from './interval-tree.ts';
export { GpuVa } from './va.ts';
export type { GpuVaInit } from './va.ts';
export { GemObject } from './gem.ts';
export type { GemObjectInit } from './gem.ts';
export { GpuVmBo } from './vm-bo.ts';
export { VmBoLists } from './vm-bo-lists.ts';
export { GPUVM_IMMEDIATE_MODE, GPUVM_RESV_PROTECTED, GPUVM_USERBITS, hasImmediateMode, hasResvProtected } from './flags.ts';
export { remapToUnmapRange } from './ops.ts';
export type { GpuVaOp, GpuVmOps, MapReq, OpMap, OpPrefetch, OpRemap, OpUnmap, SmStepCtx } from './ops.ts';
export { SplitMerge } from './split-merge.ts';
export type { OpSink } from './split-merge.ts';
export { GpuVm } from './gpuvm.ts';
export type { GpuVmConfig } from './gpuvm.ts';
