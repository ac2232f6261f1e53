/**
 * `madvise-split-only`: a madvise only splits VAs without an object at the
 * request's edges (the kernel-doc of drm_gpuvm_madvise_ops_create()). Over
 * the ops it reported (all of them, or the prefix up to an injected failure)
 * and, after a success, the state it left:
 *
 * - no UNMAP (or PREFETCH) op;
 * - no VA with an object is touched: every REMAP splits a VA without one (and
 *   not the kernel node), and afterwards every VA with an object is still
 *   there, unchanged;
 * - no address changes its translation: every MAP has no object, and the
 *   snapshot afterwards translates every address as before (NULL mappings
 *   translate alike whatever their offset);
 * - the pieces cover exactly what they replace: the MAP after a REMAP is the
 *   old VA's part inside the request, [max(a, ra), min(e, re)) (the halves
 *   outside it are `remap-offsets`' to check).
 *
 * It runs first among the op-level checks: for a madvise these are the root
 * causes; the generic shape, keep, offset and coverage checks follow.
 */
import type { OpRecord, Snapshot, VaRecord } from '../../src/protocol/types.ts';
import type { Invariant } from '../step-context.ts';
import type { Failure } from '../violation.ts';
import { fail, reportedOps } from './shared.ts';
import { firstSegmentDifference, normalise, rawSegments } from '../translation.ts';
import { formatOp, formatVa, span } from '../../src/protocol/text.ts';

/** The op-level part: kinds, backing and the MAP pieces. */
function opsProblem(ops: readonly OpRecord[], ra: bigint, re: bigint): Failure | null {
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.op === 'unmap' || op.op === 'prefetch') {
      return fail('only REMAP and MAP ops', op.op, `op ${i + 1} (${formatOp(op)}) is a ${op.op.toUpperCase()}: madvise never removes or prefetches a mapping`);
    }
    if (op.op === 'remap') {
      const va = op.unmap.va;
      if (va.bo !== null || va.kernel === true) {
        return fail('a VA without an object', va, `op ${i + 1} splits ${formatVa(va)}: madvise leaves VAs with an object (and the kernel node) alone`);
      }
      continue;
    }
    if (op.bo !== null) {
      return fail(null, op.bo, `op ${i + 1} (${formatOp(op)}) maps an object: madvise's pieces change no translation`);
    }
    const before = ops[i - 1];
    if (before?.op !== 'remap') continue; // ops-shape reports a MAP that follows no REMAP
    const old = before.unmap.va;
    const oe = old.addr + old.range;
    const start = old.addr > ra ? old.addr : ra;
    const end = oe < re ? oe : re;
    if (op.addr !== start || op.addr + op.range !== end) {
      return fail(span(start, end - start), span(op.addr, op.range), `op ${i + 1}'s MAP is not the part of ${formatVa(old)} inside the request`);
    }
  }
  return null;
}

function withObject(s: Snapshot): VaRecord[] {
  return s.vas.filter((v) => v.bo !== null);
}

/** The state part, after a success: VAs with an object unchanged, every address translated as before. */
function stateProblem(before: Snapshot, after: Snapshot): Failure | null {
  const was = withObject(before);
  const now = withObject(after);
  for (let i = 0; i < Math.max(was.length, now.length); i++) {
    const w = was[i];
    const n = now[i];
    if (w === undefined || n === undefined || w.addr !== n.addr || w.range !== n.range || w.bo !== n.bo || w.offset !== n.offset) {
      const what = w === undefined ? `${formatVa(n!)} appeared` : `${formatVa(w)} ${n === undefined ? 'is gone' : `became ${formatVa(n)}`}`;
      return fail(was, now, `a VA with an object changed: ${what}`);
    }
  }
  const want = normalise(rawSegments(before.vas));
  const got = normalise(rawSegments(after.vas));
  const i = firstSegmentDifference(want, got);
  if (i === null) return null;
  return fail(want, got, `translation segment ${i} changed`);
}

/** The invariant this module describes, as a named check. */
export const madviseSplitOnly: Invariant = {
  name: 'madvise-split-only',
  check(ctx) {
    const c = ctx.command;
    if (c.cmd !== 'madvise') return null;
    const ops = reportedOps(c, ctx.observation);
    if (ops === null) return null;
    const f = opsProblem(ops, c.addr, c.addr + c.range);
    if (f !== null || !ctx.observation.ok) return f;
    return stateProblem(ctx.before, ctx.after);
  },
};
