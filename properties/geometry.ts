/**
 * Address arithmetic shared by the invariants, the classifier and the
 * command arbitraries. Everything is exact bigint arithmetic over [0, 2^64].
 */
import type { BoRef, OpRecord, ReserveConfig, TraceHeader, VaRecord } from '../src/protocol/types.ts';
import { U64_LIMIT } from '../src/protocol/types.ts';

/** One past the VM's last address (may be 2^64). */
export function vmEnd(header: TraceHeader): bigint {
  return header.vm.start + header.vm.range;
}

/** The configured kernel reserved node, or null when there is none (absent, null or zero range). */
export function kernelOf(header: TraceHeader): ReserveConfig | null {
  const r = header.vm.reserve;
  return r !== undefined && r !== null && r.range > 0n ? { addr: r.addr, range: r.range } : null;
}

/** Whether [a, ae) and [b, be) share an address. */
export function overlaps(a: bigint, ae: bigint, b: bigint, be: bigint): boolean {
  return a < be && b < ae;
}

/**
 * SEMANTICS section 2 `rangeValid`: range >= 1, no overflow, inside the VM and
 * not overlapping the kernel node.
 */
export function rangeValid(header: TraceHeader, addr: bigint, range: bigint): boolean {
  if (addr < 0n || range < 1n) return false;
  const end = addr + range;
  if (end > U64_LIMIT) return false;
  if (addr < header.vm.start || end > vmEnd(header)) return false;
  const k = kernelOf(header);
  return k === null || !overlaps(addr, end, k.addr, k.addr + k.range);
}

/** The kernel node as a VA record, as ops and queries report it. */
export function kernelRecord(k: ReserveConfig): VaRecord {
  return { addr: k.addr, range: k.range, bo: null, offset: 0n, kernel: true };
}

/**
 * Whether two VA records name the same VA. The reserved node is compared by
 * address, range and the `kernel` mark only (its offset carries no meaning).
 */
export function sameVa(a: VaRecord, b: VaRecord): boolean {
  const ak = a.kernel === true;
  if (ak !== (b.kernel === true)) return false;
  if (a.addr !== b.addr || a.range !== b.range) return false;
  return ak || (a.bo === b.bo && a.offset === b.offset);
}

/** The VA an unmap / remap / prefetch op concerns, or null for a MAP op. */
export function touchedVa(op: OpRecord): VaRecord | null {
  switch (op.op) {
    case 'unmap':
    case 'prefetch':
      return op.va;
    case 'remap':
      return op.unmap.va;
    case 'map':
      return null;
  }
}

/**
 * The VAs (the kernel node included, marked) of `vas` overlapping [addr, end),
 * ascending by address. `vas` must ascend by address and leave the kernel out.
 */
export function overlappingVas(
  vas: readonly VaRecord[],
  kernel: ReserveConfig | null,
  addr: bigint,
  end: bigint,
): VaRecord[] {
  const out: VaRecord[] = [];
  let kernelDone = kernel === null || !overlaps(addr, end, kernel.addr, kernel.addr + kernel.range);
  for (const va of vas) {
    if (!kernelDone && kernel !== null && kernel.addr < va.addr) {
      out.push(kernelRecord(kernel));
      kernelDone = true;
    }
    if (overlaps(addr, end, va.addr, va.addr + va.range)) out.push(va);
  }
  if (!kernelDone && kernel !== null) out.push(kernelRecord(kernel));
  return out;
}

/**
 * Whether a madvise request [ra, re) splits `va`: a VA without an object (not
 * the kernel node) that overlaps the request and sticks out of it on at least
 * one side, so an edge of the request falls strictly inside it.
 */
export function madviseSplits(va: VaRecord, ra: bigint, re: bigint): boolean {
  const e = va.addr + va.range;
  return va.bo === null && va.kernel !== true && overlaps(va.addr, e, ra, re) && (va.addr < ra || e > re);
}

/**
 * Section 4's keep relation between an existing VA and a map request: the same
 * non-NULL object at the same VA-to-object translation (a contiguous offset).
 */
export function keeps(va: VaRecord, req: { readonly addr: bigint; readonly bo: BoRef; readonly offset: bigint }): boolean {
  return va.bo !== null && va.bo === req.bo && va.offset - va.addr === req.offset - req.addr;
}
