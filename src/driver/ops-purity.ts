/**
 * The `ops-pure` check (SEMANTICS.md section 4: "`*OpsCreate` never changes the
 * VM; calling it twice gives equal lists"). The driver builds the list a second
 * time, compares the two with `sameOps`, and compares the VM's shape before and
 * after both builds with `vmShape` / `sameShape`.
 */

import type { GpuVaOp, GpuVm, MapReq } from '../gpuvm/index.ts';

/**
 * Two ops lists are equal when they have the same length and, op by op, the same
 * kind, the same VA objects (by identity), the same pieces and the same keep flags.
 */
export function sameOps(a: readonly GpuVaOp[], b: readonly GpuVaOp[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined || !sameOp(x, y)) return false;
  }
  return true;
}

function sameOp(x: GpuVaOp, y: GpuVaOp): boolean {
  switch (x.kind) {
    case 'map':
      return y.kind === 'map' && samePiece(x, y);
    case 'unmap':
      return y.kind === 'unmap' && x.va === y.va && x.keep === y.keep;
    case 'remap':
      return (
        y.kind === 'remap' &&
        x.unmap.va === y.unmap.va &&
        x.unmap.keep === y.unmap.keep &&
        samePiece(x.prev, y.prev) &&
        samePiece(x.next, y.next)
      );
    case 'prefetch':
      return y.kind === 'prefetch' && x.va === y.va;
  }
}

function samePiece(x: MapReq | null, y: MapReq | null): boolean {
  if (x === null || y === null) return x === y;
  return x.addr === y.addr && x.range === y.range && x.obj === y.obj && x.offset === y.offset;
}

/**
 * The VM's shape, cheap to take and compare: every VA in iteration order with its
 * identity, fields and vm_bo link. Anything an ops builder could wrongly touch in
 * the tree shows up here.
 */
export type VmShape = readonly unknown[];

export function vmShape(vm: GpuVm): VmShape {
  const shape: unknown[] = [];
  for (const va of vm.vas()) shape.push(va, va.addr, va.range, va.obj, va.offset, va.vmBo);
  return shape;
}

export function sameShape(a: VmShape, b: VmShape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
