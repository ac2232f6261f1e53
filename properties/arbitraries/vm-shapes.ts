/**
 * The trace headers the property runs on: a few VM shapes and a few objects.
 *
 * VM placement: starting at 0, at a non-zero address (0x1a00000), or ending
 * exactly at 2^64. Kernel reserved node: none, at the VM's start, in the
 * middle, or at its end (one or two granules). Objects: 1..4 of them, ids
 * 1..n, each possibly external (its own reservation object). VM modes: each
 * of the two flags (immediate, resvProtected) on or off, independently, so
 * every combination comes up; they shrink towards off.
 */
import fc from 'fast-check';
import type { ObjectDecl, TraceHeader, VmConfig, VmFlags } from '../../src/protocol/types.ts';
import { U64_LIMIT } from '../../src/protocol/types.ts';
import { GRANULE, VM_GRANULES } from './granule.ts';

/** Where the VM lies. */
export type VmPlacement = 'zero' | 'offset' | 'top';

/** Where the kernel reserved node lies inside the VM. */
export type KernelPlacement = 'none' | 'start' | 'middle' | 'end';

/** The plain-data description of a header, as generated (it shrinks towards the first choices). */
export interface HeaderShape {
  readonly placement: VmPlacement;
  readonly kernel: KernelPlacement;
  readonly kernelGranules: 1 | 2;
  /** One entry per object (ids 1..n): whether it is external. */
  readonly external: readonly boolean[];
  /** The VM's modes (absent: both off). */
  readonly flags?: VmModes;
}

/** The two VM flags as generated (both always present). */
export interface VmModes {
  readonly immediate: boolean;
  readonly resvProtected: boolean;
}

/** The header's `flags` for some modes: only the flags that are on, absent when none is. */
export function flagsOf(modes: VmModes | undefined): VmFlags | undefined {
  if (modes === undefined || (!modes.immediate && !modes.resvProtected)) return undefined;
  return { ...(modes.immediate ? { immediate: true } : {}), ...(modes.resvProtected ? { resvProtected: true } : {}) };
}

const VM_RANGE = BigInt(VM_GRANULES) * GRANULE;

/** The start address of a VM placement. */
export function vmStartOf(placement: VmPlacement): bigint {
  switch (placement) {
    case 'zero':
      return 0n;
    case 'offset':
      return 0x1a00000n;
    case 'top':
      return U64_LIMIT - VM_RANGE;
  }
}

/** The concrete trace header of a shape. */
export function headerOf(shape: HeaderShape): TraceHeader {
  const start = vmStartOf(shape.placement);
  const kr = BigInt(shape.kernelGranules) * GRANULE;
  let reserve: VmConfig['reserve'] = null;
  if (shape.kernel === 'start') reserve = { addr: start, range: kr };
  else if (shape.kernel === 'middle') reserve = { addr: start + (VM_RANGE / 2n / GRANULE) * GRANULE, range: kr };
  else if (shape.kernel === 'end') reserve = { addr: start + VM_RANGE - kr, range: kr };
  const objects: ObjectDecl[] = shape.external.map((ext, i) => (ext ? { bo: i + 1, external: true } : { bo: i + 1 }));
  const flags = flagsOf(shape.flags);
  return { vm: { start, range: VM_RANGE, reserve }, ...(flags === undefined ? {} : { flags }), objects };
}

/** Arbitrary VM modes: each flag on or off, independently. */
export const vmModesArb: fc.Arbitrary<VmModes> = fc.record({ immediate: fc.boolean(), resvProtected: fc.boolean() });

/** Arbitrary header shapes. */
export const headerShapeArb: fc.Arbitrary<HeaderShape> = fc.record({
  placement: fc.constantFrom<VmPlacement>('zero', 'offset', 'top'),
  kernel: fc.constantFrom<KernelPlacement>('none', 'start', 'middle', 'end'),
  kernelGranules: fc.constantFrom<1 | 2>(1, 2),
  external: fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
  flags: vmModesArb,
});

/** Arbitrary trace headers. */
export const headerArb: fc.Arbitrary<TraceHeader> = headerShapeArb.map(headerOf);
