/**
 * `ops-shape`: the ops list a command reported has the shape section 4 allows.
 *
 * - Only the op kinds the command can produce: map -> UNMAP / REMAP / MAP,
 *   unmap -> UNMAP / REMAP, bo_unmap -> UNMAP, prefetch -> PREFETCH,
 *   madvise -> REMAP / MAP (`madvise-split-only`, which runs first, reports an UNMAP).
 * - The VAs the ops concern ascend by address and do not overlap.
 * - At most two REMAPs; a REMAP with a `prev` half is the first op, one with a
 *   `next` half is the last UNMAP/REMAP; a REMAP keeps at least one half.
 * - A map has exactly one MAP, last, equal to the request; an unmap has none.
 * - A madvise has at most two MAPs, each right after a REMAP, and (when it
 *   succeeded) as many MAPs as REMAPs.
 * - Injected failures: with `allocFailAt` k <= n (ops mode) the command fails
 *   with ENOMEM; otherwise with `failAt` k <= n it fails with EIO reporting
 *   exactly k ops; with k > n they have no effect. n (the number of ops) is
 *   counted from the before-snapshot: VAs overlapping the request, plus one MAP
 *   (map); for a madvise two per VA without an object that an edge cuts.
 * - A command rejected by validation reports no ops; one that failed while
 *   the driver applied its list (EEXIST, ...: never from a correct manager)
 *   may report the list, which is then checked like any other.
 */
import { kernelOf, madviseSplits, overlappingVas, touchedVa } from '../geometry.ts';
import type { StepContext, Invariant } from '../step-context.ts';
import type { Failure } from '../violation.ts';
import { fail, isOpsCommand, isRequest, viaOf, type OpsCommand, type RequestCommand } from './shared.ts';
import { hex } from '../../src/protocol/text.ts';

const ALLOWED: Record<OpsCommand['cmd'], ReadonlySet<string>> = {
  map: new Set(['map', 'unmap', 'remap']),
  unmap: new Set(['unmap', 'remap']),
  bo_unmap: new Set(['unmap']),
  prefetch: new Set(['prefetch']),
  madvise: new Set(['map', 'remap']),
};

/** How many ops / steps the request makes from the before-snapshot (what failAt / allocFailAt count). */
function opCount(ctx: StepContext, c: RequestCommand): number {
  const end = c.addr + c.range;
  if (c.cmd === 'madvise') return 2 * ctx.before.vas.filter((va) => madviseSplits(va, c.addr, end)).length;
  return overlappingVas(ctx.before.vas, kernelOf(ctx.header), c.addr, end).length + (c.cmd === 'map' ? 1 : 0);
}

function injectedFailures(ctx: StepContext): Failure | null {
  const c = ctx.command;
  const o = ctx.observation;
  if (!isRequest(c)) {
    if (!o.ok && o.error === 'EIO') return fail('no EIO', o.error, `${c.cmd} reported EIO but only map/unmap/madvise can be made to fail`);
    return null;
  }
  if (!o.ok && o.error !== 'EIO' && o.error !== 'ENOMEM') return null; // validation errors: rejected-is-atomic
  if (o.ok && c.failAt === undefined && c.allocFailAt === undefined) return null; // nothing injected, nothing to count
  const n = opCount(ctx, c);
  const allocFails = viaOf(c) !== 'steps' && c.allocFailAt !== undefined && c.allocFailAt <= n;
  const fails = c.failAt !== undefined && c.failAt <= n;
  if (allocFails) {
    if (o.ok || o.error !== 'ENOMEM') {
      return fail('ENOMEM', o.ok ? 'ok' : o.error, `allocFailAt=${c.allocFailAt} <= ${n} ops must fail with ENOMEM`);
    }
    if (o.ops !== undefined) return fail(undefined, o.ops, 'an ENOMEM failure reports no ops');
    return null;
  }
  if (!o.ok && o.error === 'ENOMEM') {
    return fail('no ENOMEM', 'ENOMEM', `ENOMEM without an allocation failure within the ${n} ops`);
  }
  if (fails) {
    if (o.ok) return fail('EIO', 'ok', `failAt=${c.failAt} <= ${n} ops/steps must fail with EIO`);
    const got = o.ops?.length ?? 0;
    if (got !== c.failAt) {
      return fail(c.failAt, got, `an injected failure at ${c.failAt} reports the first ${c.failAt} ops, got ${got}`);
    }
    return null;
  }
  if (!o.ok && o.error === 'EIO') {
    return fail('ok', 'EIO', `EIO without an injected failure within the ${n} ops (failAt=${c.failAt ?? 'none'})`);
  }
  return null;
}

function shape(ctx: StepContext): Failure | null {
  const c = ctx.command;
  const o = ctx.observation;
  if (!isOpsCommand(c)) return null;
  if (!o.ok && o.error !== 'EIO' && o.ops === undefined) return null;
  const ops = o.ops;
  if (ops === undefined) return fail('an ops list', undefined, `${c.cmd} reported no ops list`);
  const allowed = ALLOWED[c.cmd];
  let prevEnd: bigint | null = null;
  let remaps = 0;
  let maps = 0;
  let lastTouched = -1;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (!allowed.has(op.op)) return fail([...allowed], op.op, `op ${i + 1} is a ${op.op.toUpperCase()}, which ${c.cmd} never produces`);
    if (op.op === 'map') {
      maps++;
      if (c.cmd === 'madvise') {
        if (ops[i - 1]?.op !== 'remap') return fail('a REMAP before it', ops[i - 1]?.op ?? 'nothing', `madvise's MAP op ${i + 1} does not follow a REMAP`);
        continue;
      }
      if (i !== ops.length - 1) return fail(ops.length, i + 1, `the MAP is op ${i + 1} of ${ops.length}, not the last op`);
      if (c.cmd === 'map' && (op.addr !== c.addr || op.range !== c.range || op.bo !== c.bo || op.offset !== c.offset)) {
        return fail({ addr: c.addr, range: c.range, bo: c.bo, offset: c.offset }, op, 'the MAP op differs from the request');
      }
      continue;
    }
    const va = touchedVa(op)!;
    if (prevEnd !== null && va.addr < prevEnd) {
      return fail(`addr >= ${hex(prevEnd)}`, va.addr, `op ${i + 1} concerns ${hex(va.addr)}, before the end of the previous op's VA`);
    }
    prevEnd = va.addr + va.range;
    if (op.op === 'remap') {
      remaps++;
      if (op.prev === null && op.next === null) return fail('prev or next', null, `op ${i + 1} is a REMAP keeping neither half (an UNMAP)`);
      if (op.prev !== null && lastTouched !== -1) return fail(1, i + 1, `op ${i + 1} is a REMAP with a prev half but is not the first op`);
    }
    if (lastTouched !== -1) {
      const prevOp = ops[lastTouched]!;
      if (prevOp.op === 'remap' && prevOp.next !== null) {
        return fail(lastTouched + 1, i + 1, `op ${lastTouched + 1} is a REMAP with a next half but op ${i + 1} follows it`);
      }
    }
    lastTouched = i;
  }
  if (remaps > 2) return fail('<= 2', remaps, `${remaps} REMAP ops`);
  if (c.cmd === 'map' && o.ok && maps !== 1) return fail(1, maps, `a map reports ${maps} MAP ops`);
  if (c.cmd === 'unmap' && maps !== 0) return fail(0, maps, 'an unmap reports a MAP op');
  if (c.cmd === 'madvise') {
    if (maps > 2) return fail('<= 2', maps, `a madvise reports ${maps} MAP ops`);
    if (o.ok && maps !== remaps) return fail(remaps, maps, `a madvise reports ${remaps} REMAPs but ${maps} MAPs (one MAP per split VA)`);
  }
  return null;
}

/** The invariant this module describes, as a named check. */
export const opsShape: Invariant = {
  name: 'ops-shape',
  check(ctx) {
    return shape(ctx) ?? injectedFailures(ctx);
  },
};
