/**
 * Unsigned 64-bit arithmetic on bigints.
 *
 * Addresses, ranges and offsets are u64 values held as `bigint` in [0, 2^64).
 * Nothing here wraps: sums are exact and callers compare them with
 * {@link U64_LIMIT} to detect overflow (SEMANTICS.md section 1).
 */
import { GpuVmError } from './errors.ts';

/** 2^64: one past the largest u64. A VA or VM may end exactly here. */
export const U64_LIMIT = 2n ** 64n;

/** True for a bigint in [0, 2^64). (u64 is a native type in C: no drm_gpuvm counterpart.) */
export function isU64(value: unknown): value is bigint {
  return typeof value === 'bigint' && value >= 0n && value < U64_LIMIT;
}

/** Render any value for an error message: bigints as `-1n`, strings quoted. */
export function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** Lowercase hex with a `0x` prefix, for messages. */
export function hex(value: bigint): string {
  return `0x${value.toString(16)}`;
}

/** Render the half-open range [addr, end) for messages. */
export function span(addr: bigint, end: bigint): string {
  return `[${hex(addr)}, ${hex(end)})`;
}

/**
 * Throw `EINVAL` unless `value` is a u64 bigint.
 * The message names the function and the argument, e.g.
 * "smMapOpsCreate: range must be a u64 bigint, got -1n".
 */
export function assertU64(fn: string, arg: string, value: unknown): asserts value is bigint {
  if (typeof value !== 'bigint' || value < 0n || value >= U64_LIMIT) {
    throw new GpuVmError('EINVAL', `${fn}: ${arg} must be a u64 bigint, got ${describe(value)}`);
  }
}

/** `addr + range` clipped at 2^64 (queries never throw on overflow). */
export function clippedEnd(addr: bigint, range: bigint): bigint {
  const end = addr + range;
  return end > U64_LIMIT ? U64_LIMIT : end;
}
