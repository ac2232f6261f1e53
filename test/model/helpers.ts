/**
 * Shared fixtures for the reference-model tests: a fresh model on a fixed VM,
 * and short constructors for the records the tests write out by hand.
 */

import { ReferenceModel } from '../../model/index.ts';
import type {
  BoRef,
  Command,
  MapOpRecord,
  ObjectDecl,
  Piece,
  RemapOpRecord,
  UnmapOpRecord,
  VaRecord,
  VmBoRecord,
  VmConfig,
} from '../../src/protocol/index.ts';

/** One page. */
export const P = 0x1000n;
/** Where the split/merge tests place their "0" (well away from the kernel node). */
export const B = 0x10000n;
/** The VM used by most tests: [0, 0x100000) with the kernel node at [0, 0x1000). */
export const VM: VmConfig = { start: 0n, range: 0x100000n, reserve: { addr: 0n, range: P } };
/** Objects 1 and 2 share the VM's resv; 3 and 4 are external. */
export const OBJECTS: readonly ObjectDecl[] = [{ bo: 1 }, { bo: 2 }, { bo: 3, external: true }, { bo: 4, external: true }];

/** A fresh model on `vm` (default `VM`) with `objects` (default `OBJECTS`), after running `setup`. */
export function freshModel(setup: readonly Command[] = [], vm: VmConfig = VM, objects = OBJECTS): ReferenceModel {
  const m = new ReferenceModel();
  m.reset({ vm, objects });
  for (const c of setup) {
    const o = m.exec(c);
    if (!o.ok) throw new Error(`setup command failed: ${JSON.stringify(c, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString(16) : v))}`);
  }
  return m;
}

export function mapCmd(addr: bigint, range: bigint, bo: BoRef, offset: bigint, extra: Partial<Command> = {}): Command {
  return { cmd: 'map', addr, range, bo, offset, ...extra } as Command;
}

export function unmapCmd(addr: bigint, range: bigint, extra: Partial<Command> = {}): Command {
  return { cmd: 'unmap', addr, range, ...extra } as Command;
}

export function va(addr: bigint, range: bigint, bo: BoRef, offset: bigint): VaRecord {
  return { addr, range, bo, offset };
}

export function piece(addr: bigint, range: bigint, bo: BoRef, offset: bigint): Piece {
  return { addr, range, bo, offset };
}

export function opMap(addr: bigint, range: bigint, bo: BoRef, offset: bigint): MapOpRecord {
  return { op: 'map', addr, range, bo, offset };
}

export function opUnmap(v: VaRecord, keep: boolean): UnmapOpRecord {
  return { op: 'unmap', va: v, keep };
}

export function opRemap(v: VaRecord, keep: boolean, prev: Piece | null, next: Piece | null, hole: [bigint, bigint]): RemapOpRecord {
  return { op: 'remap', unmap: { va: v, keep }, prev, next, hole };
}

export function vmBo(bo: number, refs: number, vas: [bigint, bigint][], evicted = false): VmBoRecord {
  return { bo, refs, vas, evicted };
}

/** Object refs for bos 1..4 given which of them have a live vm_bo. */
export function objectRefs(...withVmBo: number[]): { bo: number; refs: number }[] {
  return [1, 2, 3, 4].map((bo) => ({ bo, refs: withVmBo.includes(bo) ? 2 : 1 }));
}

/** The kernel node of `VM` as a record. */
export const KERNEL_VA: VaRecord = { addr: 0n, range: P, bo: null, offset: 0n, kernel: true };
