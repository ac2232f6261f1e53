/**
 * Conversion of live manager objects (`GpuVa`, `GpuVaOp`) into the protocol's
 * plain records (`VaRecord`, `Piece`, `OpRecord`, PROTOCOL.md section 4).
 *
 * A record is taken at the moment the driver sees an op (before applying it),
 * so later changes to the VM never leak into an observation.
 */

import type { GemObject, GpuVa, GpuVaOp, MapReq, OpRemap } from '../gpuvm/index.ts';
import type { BoRef, OpRecord, Piece, VaRecord } from '../protocol/types.ts';

/** What a conversion needs to know about the run: object ids, the kernel node, the hole formula. */
export interface RecordContext {
  /** The trace id of an object (null for a NULL mapping). Throws for an object the trace never declared. */
  boOf(obj: GemObject | null): BoRef;
  /** The VM's reserved node, marked `kernel: true` in records. */
  readonly kernelNode: GpuVa | null;
  /** The range a remap vacates, as the driver computes it. */
  hole(op: OpRemap): readonly [bigint, bigint];
}

/** A VA as observed by queries and ops: the reserved node carries `kernel: true`. */
export function vaRecord(va: GpuVa, ctx: RecordContext): VaRecord {
  const record = plainVaRecord(va, ctx);
  return va === ctx.kernelNode ? { ...record, kernel: true } : record;
}

/** A VA as listed in a snapshot (the reserved node is never listed there). */
export function plainVaRecord(va: GpuVa, ctx: RecordContext): VaRecord {
  return pieceRecord(va, ctx);
}

/** A map request, or one half of a remap. */
export function pieceRecord(req: MapReq, ctx: RecordContext): Piece {
  return { addr: req.addr, range: req.range, bo: ctx.boOf(req.obj), offset: req.offset };
}

/** One op of an ops list or one step of the callback form, as the observation reports it. */
export function opRecord(op: GpuVaOp, ctx: RecordContext): OpRecord {
  switch (op.kind) {
    case 'map':
      return { op: 'map', ...pieceRecord(op, ctx) };
    case 'unmap':
      return { op: 'unmap', va: vaRecord(op.va, ctx), keep: op.keep };
    case 'remap':
      return {
        op: 'remap',
        unmap: { va: vaRecord(op.unmap.va, ctx), keep: op.unmap.keep },
        prev: op.prev === null ? null : pieceRecord(op.prev, ctx),
        next: op.next === null ? null : pieceRecord(op.next, ctx),
        hole: ctx.hole(op),
      };
    case 'prefetch':
      return { op: 'prefetch', va: vaRecord(op.va, ctx) };
  }
}
