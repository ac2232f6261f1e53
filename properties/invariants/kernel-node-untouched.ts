/**
 * `kernel-node-untouched`: the kernel reserved node, when configured, is still
 * there, unchanged, after every command; it never shows up among the ordinary
 * VAs of a snapshot.
 */
import type { StructuralInvariant } from '../step-context.ts';
import { fail } from './shared.ts';
import { kernelOf } from '../geometry.ts';
import { formatVa } from '../../src/protocol/text.ts';

/** The invariant this module describes, as a named check. */
export const kernelNodeUntouched: StructuralInvariant = {
  name: 'kernel-node-untouched',
  check(ctx) {
    const want = kernelOf(ctx.header);
    const got = ctx.after.kernel;
    if (want === null) {
      if (got !== null) return fail(null, got, 'a kernel node appeared in a VM configured without one');
    } else if (got === null) {
      return fail(want, null, 'the kernel node is gone');
    } else if (got.addr !== want.addr || got.range !== want.range) {
      return fail(want, got, 'the kernel node changed');
    }
    const leaked = ctx.after.vas.find((v) => v.kernel === true);
    if (leaked !== undefined) return fail('no kernel VA among vas', leaked, `the kernel node is listed as an ordinary VA (${formatVa(leaked)})`);
    return null;
  },
};
