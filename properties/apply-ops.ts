/**
 * Applying reported ops to a list of VAs, as a driver applying them at once
 * would: MAP inserts its piece, UNMAP removes its VA, REMAP removes the old VA
 * and inserts the halves that exist. Used by `steps-prefix` to compute the
 * state after the steps that completed before an injected failure.
 */
import type { OpRecord, VaRecord } from '../src/protocol/types.ts';

function pieceRecord(p: { addr: bigint; range: bigint; bo: VaRecord['bo']; offset: bigint }): VaRecord {
  return { addr: p.addr, range: p.range, bo: p.bo, offset: p.offset };
}

function without(vas: VaRecord[], va: VaRecord): VaRecord[] {
  return vas.filter((v) => !(v.addr === va.addr && v.range === va.range));
}

/** `vas` after applying `ops` in order, ascending by address. Prefetch ops change nothing. */
export function applyOps(vas: readonly VaRecord[], ops: readonly OpRecord[]): VaRecord[] {
  let out = [...vas];
  for (const op of ops) {
    switch (op.op) {
      case 'map':
        out.push(pieceRecord(op));
        break;
      case 'unmap':
        out = without(out, op.va);
        break;
      case 'remap':
        out = without(out, op.unmap.va);
        if (op.prev !== null) out.push(pieceRecord(op.prev));
        if (op.next !== null) out.push(pieceRecord(op.next));
        break;
      case 'prefetch':
        break;
    }
  }
  return out.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
}
