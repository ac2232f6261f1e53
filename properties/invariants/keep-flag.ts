/**
 * `keep-flag`: every UNMAP / REMAP's `keep` equals the section 4 formula.
 * For a map: `keep = va.bo != null && va.bo == req.bo && va.offset - va.addr == req.offset - req.addr`
 * (same object, same VA-to-object translation). For unmap and bo_unmap: always false.
 */
import type { VaRecord, Command } from '../../src/protocol/types.ts';
import type { Invariant } from '../step-context.ts';
import { fail, reportedOps } from './shared.ts';
import { formatVa } from '../../src/protocol/text.ts';
import { keeps } from '../geometry.ts';

/** The keep hint section 4 prescribes for `va` under `command`. */
export function expectedKeep(command: Command, va: VaRecord): boolean {
  if (command.cmd !== 'map') return false;
  return keeps(va, command);
}

/** The invariant this module describes, as a named check. */
export const keepFlag: Invariant = {
  name: 'keep-flag',
  check(ctx) {
    const ops = reportedOps(ctx.command, ctx.observation);
    if (ops === null) return null;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      const u = op.op === 'unmap' ? op : op.op === 'remap' ? op.unmap : null;
      if (u === null) continue;
      const want = expectedKeep(ctx.command, u.va);
      if (u.keep !== want) {
        return fail(want, u.keep, `op ${i + 1} (${op.op.toUpperCase()} of ${formatVa(u.va)}) has keep=${u.keep}`);
      }
    }
    return null;
  },
};
