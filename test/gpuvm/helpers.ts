/**
 * Shared helpers for the production-manager tests: readable records of ops and
 * VAs, and a minimal driver loop that applies an ops list.
 */
import { GpuVa, GpuVmError } from '../../src/gpuvm/index.ts';
import type { GemObject, GpuVaOp, GpuVm, MapReq } from '../../src/gpuvm/index.ts';

export type Names = ReadonlyMap<GemObject, string>;

export interface PieceRec {
  addr: bigint;
  range: bigint;
  obj: string | null;
  offset: bigint;
}

export type OpRec =
  | ({ kind: 'map' } & PieceRec)
  | { kind: 'unmap'; va: PieceRec; keep: boolean }
  | { kind: 'remap'; prev: PieceRec | null; next: PieceRec | null; unmap: { va: PieceRec; keep: boolean } }
  | { kind: 'prefetch'; va: PieceRec };

function objName(obj: GemObject | null, names: Names): string | null {
  if (obj === null) return null;
  return names.get(obj) ?? '?';
}

export function piece(p: MapReq | GpuVa, names: Names): PieceRec {
  return { addr: p.addr, range: p.range, obj: objName(p.obj, names), offset: p.offset };
}

/** A plain, comparable record of an op (VAs by value). */
export function recOp(op: GpuVaOp, names: Names): OpRec {
  switch (op.kind) {
    case 'map':
      return { kind: 'map', ...piece(op, names) };
    case 'unmap':
      return { kind: 'unmap', va: piece(op.va, names), keep: op.keep };
    case 'remap':
      return {
        kind: 'remap',
        prev: op.prev === null ? null : piece(op.prev, names),
        next: op.next === null ? null : piece(op.next, names),
        unmap: { va: piece(op.unmap.va, names), keep: op.unmap.keep },
      };
    case 'prefetch':
      return { kind: 'prefetch', va: piece(op.va, names) };
  }
}

export function recOps(ops: readonly GpuVaOp[], names: Names): OpRec[] {
  return ops.map((op) => recOp(op, names));
}

/** The VAs of the VM other than the kernel node, as records, ascending. */
export function vaRecs(vm: GpuVm, names: Names): PieceRec[] {
  return [...vm.vas()].filter((va) => va !== vm.kernelNode).map((va) => piece(va, names));
}

/** Apply an ops list the way a driver does (no vm_bo linking). */
export function applyOps(vm: GpuVm, ops: readonly GpuVaOp[]): void {
  for (const op of ops) {
    switch (op.kind) {
      case 'map':
        vm.map(new GpuVa(), op);
        break;
      case 'remap':
        vm.remap(op.prev !== null ? new GpuVa() : null, op.next !== null ? new GpuVa() : null, op);
        break;
      case 'unmap':
        vm.unmap(op);
        break;
      case 'prefetch':
        break;
    }
  }
  vm.opsFree(ops);
}

/** Insert a VA and return it. */
export function put(vm: GpuVm, addr: bigint, range: bigint, obj: GemObject | null, offset: bigint): GpuVa {
  const va = new GpuVa({ addr, range, obj, offset });
  vm.insert(va);
  return va;
}

/** Everything observable about the VA tree, for "nothing changed" checks. */
export function treeState(vm: GpuVm): Array<[bigint, bigint, GemObject | null, bigint, GpuVa]> {
  return [...vm.vas()].map((va) => [va.addr, va.range, va.obj, va.offset, va]);
}

/** The `GpuVmError` code `fn` throws, null when it does not throw (anything else thrown is named). */
export function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof GpuVmError ? err.code : `not a GpuVmError: ${String(err)}`;
  }
}
