/**
 * `no-overlap`: the VAs ascend by address, are pairwise disjoint, each has a
 * range of at least 1, lies inside the VM (and below 2^64), and none overlaps
 * the kernel node.
 */
import type { StructuralInvariant } from '../step-context.ts';
import { fail } from './shared.ts';
import { kernelOf, overlaps, vmEnd } from '../geometry.ts';
import { span, formatVa } from '../../src/protocol/text.ts';
import { U64_LIMIT } from '../../src/protocol/types.ts';

/** The invariant this module describes, as a named check. */
export const noOverlap: StructuralInvariant = {
  name: 'no-overlap',
  check(ctx) {
    const { header, after } = ctx;
    const start = header.vm.start;
    const end = vmEnd(header);
    const k = kernelOf(header);
    let prevEnd: bigint | null = null;
    for (let i = 0; i < after.vas.length; i++) {
      const va = after.vas[i]!;
      const e = va.addr + va.range;
      if (va.range < 1n) return fail('range >= 1', va.range, `VA ${i} (${formatVa(va)}) is empty`);
      if (va.addr < start || e > end || e > U64_LIMIT) {
        return fail(`inside ${span(start, header.vm.range)}`, va, `VA ${i} (${formatVa(va)}) lies outside the VM`);
      }
      if (prevEnd !== null && va.addr < prevEnd) {
        const prev = after.vas[i - 1]!;
        return fail(`disjoint and ascending`, [prev, va], `VA ${i} (${formatVa(va)}) overlaps or precedes VA ${i - 1} (${formatVa(prev)})`);
      }
      if (k !== null && va.kernel !== true && overlaps(va.addr, e, k.addr, k.addr + k.range)) {
        return fail(`disjoint from the kernel node ${span(k.addr, k.range)}`, va, `VA ${i} (${formatVa(va)}) overlaps the kernel node`);
      }
      prevEnd = e;
    }
    return null;
  },
};
