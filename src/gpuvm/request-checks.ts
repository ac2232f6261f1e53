/**
 * Validation of split/merge requests: whether a range may hold a VA (the rule
 * behind drm_gpuvm_range_valid()) and the checks every ops-create / callback
 * entry point of GpuVm runs before the walk, with errors that say what was
 * wrong. Pure functions over the VM's bounds; part of the mutation-testing
 * target together with split-merge.ts.
 */
import { GpuVmError } from './errors.ts';
import { GemObject } from './gem.ts';
import type { GpuVaOp, MapReq, SmStepCtx } from './ops.ts';
import { U64_LIMIT, assertU64, describe, hex, span } from './u64.ts';

/** What the checks read of a VM: its span [start, end) and the kernel reserved node's. */
export interface VmBounds {
  readonly start: bigint;
  readonly end: bigint;
  readonly kernel: { readonly addr: bigint; readonly end: bigint } | null;
}

/** The VM's verdict on a range (GpuVm.rangeValid, which a variant may override). */
export type RangeValidFn = (addr: bigint, range: bigint) => boolean;

/** The step callbacks of the callback form. */
export type StepName = 'smStepMap' | 'smStepRemap' | 'smStepUnmap';

/**
 * Why [addr, addr + range) may not hold a VA, or null when it may: the range
 * is zero ([differs]: upstream accepts it), addr + range overflows 2^64, it is
 * not inside the VM, or it overlaps the kernel reserved node.
 * Preconditions: addr and range are u64.
 */
export function rangeProblem(b: VmBounds, addr: bigint, range: bigint): string | null {
  if (range === 0n) return 'the range is zero';
  const end = addr + range;
  if (end > U64_LIMIT) return 'addr + range overflows 2^64';
  if (addr < b.start || end > b.end) return `it is outside the VM ${span(b.start, b.end)}`;
  const k = b.kernel;
  if (k !== null && addr < k.end && k.addr < end) {
    return `it overlaps the kernel reserved node ${span(k.addr, k.end)}`;
  }
  return null;
}

/**
 * `EINVAL` unless `valid(addr, range)`; the message gives the reason
 * `rangeProblem` finds. `fn` names the entry point in the message.
 */
export function checkRange(fn: string, b: VmBounds, valid: RangeValidFn, addr: bigint, range: bigint): void {
  if (!valid(addr, range)) {
    const why = rangeProblem(b, addr, range) ?? 'rejected by rangeValid';
    throw new GpuVmError('EINVAL', `${fn}: ${span(addr, addr + range)} is not a valid range: ${why}`);
  }
}

/**
 * Check a map request and return a copy of it: every value u64, `obj` a
 * GemObject or null, the range valid, and offset + range <= 2^64 ([differs]:
 * upstream does not check the object side). `EINVAL` naming the problem.
 * Corresponds to the checks at the top of drm_gpuvm_sm_map() and
 * drm_gpuvm_sm_map_ops_create().
 */
export function checkMapReq(fn: string, b: VmBounds, valid: RangeValidFn, req: MapReq): MapReq {
  if (typeof req !== 'object' || req === null) {
    throw new GpuVmError('EINVAL', `${fn}: req must be an object, got ${describe(req)}`);
  }
  const { addr, range, obj, offset } = req;
  assertU64(fn, 'addr', addr);
  assertU64(fn, 'range', range);
  assertU64(fn, 'offset', offset);
  if (obj !== null && !(obj instanceof GemObject)) {
    throw new GpuVmError('EINVAL', `${fn}: obj must be a GemObject or null, got ${describe(obj)}`);
  }
  checkRange(fn, b, valid, addr, range);
  if (offset + range > U64_LIMIT) {
    throw new GpuVmError('EINVAL', `${fn}: offset ${hex(offset)} + range ${hex(range)} overflows 2^64`);
  }
  return { addr, range, obj, offset };
}

/**
 * Check an unmap request: u64 values and a valid range, else `EINVAL`.
 * Corresponds to the checks at the top of drm_gpuvm_sm_unmap().
 */
export function checkUnmapRange(fn: string, b: VmBounds, valid: RangeValidFn, addr: bigint, range: bigint): void {
  assertU64(fn, 'addr', addr);
  assertU64(fn, 'range', range);
  checkRange(fn, b, valid, addr, range);
}

/**
 * Check a prefetch range: u64 values, at least 1, no overflow, inside the VM
 * (the kernel node may be covered). `EINVAL` otherwise ([differs]: upstream
 * does not validate prefetch ranges).
 */
export function checkPrefetchRange(fn: string, b: VmBounds, addr: bigint, range: bigint): void {
  assertU64(fn, 'addr', addr);
  assertU64(fn, 'range', range);
  const end = addr + range;
  if (range === 0n) throw new GpuVmError('EINVAL', `${fn}: range must be at least 1`);
  if (end > U64_LIMIT) throw new GpuVmError('EINVAL', `${fn}: addr ${hex(addr)} + range ${hex(range)} overflows 2^64`);
  if (addr < b.start || end > b.end) {
    throw new GpuVmError('EINVAL', `${fn}: ${span(addr, end)} is outside the VM ${span(b.start, b.end)}`);
  }
}

/** `EINVAL` unless `ctx` is an object with every step callback in `names`. */
export function checkSteps(fn: string, ctx: SmStepCtx, names: readonly StepName[]): void {
  if (typeof ctx !== 'object' || ctx === null) {
    throw new GpuVmError('EINVAL', `${fn}: ctx must be an object with step callbacks`);
  }
  for (const name of names) {
    if (typeof ctx[name] !== 'function') throw new GpuVmError('EINVAL', `${fn}: ctx.${name} is missing`);
  }
}

/** Hand `op` to the step callback of its kind (the callback form's dispatch). */
export function step(ctx: SmStepCtx, op: GpuVaOp): void {
  switch (op.kind) {
    case 'map':
      ctx.smStepMap?.(op);
      return;
    case 'remap':
      ctx.smStepRemap?.(op);
      return;
    case 'unmap':
      ctx.smStepUnmap?.(op);
      return;
    // Stryker disable next-line ConditionalExpression: emptying the last case only drops its `return`, which falls out of the switch all the same
    case 'prefetch':
      return;
  }
}
