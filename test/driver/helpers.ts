/**
 * Small builders for the driver tests: trace headers, commands and the records
 * the tests expect, written out by hand.
 */

import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { GpuVmSubjectOptions } from '../../src/driver/gpuvm-subject.ts';
import type {
  BoId,
  BoRef,
  Command,
  MapOpRecord,
  ObjectDecl,
  Observation,
  Piece,
  RemapOpRecord,
  Snapshot,
  TraceHeader,
  UnmapOpRecord,
  VaRecord,
  VmBoRecord,
} from '../../src/protocol/types.ts';

/** One page: every geometry in these tests is a small multiple of it. */
export const P = 0x1000n;

/** A VM of [0, 256 pages) with no reserved node and the given objects (ids; `ext` marks external ones). */
export function header(objects: readonly (BoId | { bo: BoId; ext: true })[] = [1, 2], reserve?: [bigint, bigint]): TraceHeader {
  const decls: ObjectDecl[] = objects.map((o) => (typeof o === 'number' ? { bo: o } : { bo: o.bo, external: true }));
  return {
    vm: { start: 0n, range: 256n * P, reserve: reserve === undefined ? null : { addr: reserve[0], range: reserve[1] } },
    objects: decls,
  };
}

/** A fresh subject already reset to `h`. */
export function subjectFor(h: TraceHeader = header(), options: GpuVmSubjectOptions = {}): GpuVmSubject {
  const subject = new GpuVmSubject(options);
  subject.reset(h);
  return subject;
}

/** Runs the commands in order, failing the test if any of them is not ok; returns the last observation. */
export function setup(subject: GpuVmSubject, ...commands: Command[]): Observation {
  let last: Observation = { ok: true };
  for (const command of commands) {
    last = subject.exec(command);
    if (!last.ok) throw new Error(`setup command ${JSON.stringify(command, big)} failed: ${last.error}`);
  }
  return last;
}

function big(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `0x${value.toString(16)}` : value;
}

// Commands (addresses in pages)

export function map(
  addr: bigint,
  range: bigint,
  bo: BoRef,
  offset: bigint,
  extra: { via?: 'ops' | 'steps'; failAt?: number; allocFailAt?: number } = {},
): Command {
  return { cmd: 'map', addr: addr * P, range: range * P, bo, offset: offset * P, ...extra };
}

export function unmap(
  addr: bigint,
  range: bigint,
  extra: { via?: 'ops' | 'steps'; failAt?: number; allocFailAt?: number } = {},
): Command {
  return { cmd: 'unmap', addr: addr * P, range: range * P, ...extra };
}

export function insert(addr: bigint, range: bigint, bo: BoRef, offset: bigint): Command {
  return { cmd: 'insert', addr: addr * P, range: range * P, bo, offset: offset * P };
}

// Records (addresses in pages)

export function va(addr: bigint, range: bigint, bo: BoRef, offset: bigint): VaRecord {
  return { addr: addr * P, range: range * P, bo, offset: offset * P };
}

export function piece(addr: bigint, range: bigint, bo: BoRef, offset: bigint): Piece {
  return { addr: addr * P, range: range * P, bo, offset: offset * P };
}

export function mapOp(addr: bigint, range: bigint, bo: BoRef, offset: bigint): MapOpRecord {
  return { op: 'map', ...piece(addr, range, bo, offset) };
}

export function unmapOp(v: VaRecord, keep: boolean): UnmapOpRecord {
  return { op: 'unmap', va: v, keep };
}

export function remapOp(
  v: VaRecord,
  keep: boolean,
  prev: Piece | null,
  next: Piece | null,
  hole: [bigint, bigint],
): RemapOpRecord {
  return { op: 'remap', unmap: { va: v, keep }, prev, next, hole: [hole[0] * P, hole[1] * P] };
}

/**
 * The vm_bo records a snapshot must show when every VA with an object is linked
 * to its object's one vm_bo and the driver holds no extra references: one entry
 * per object that has VAs, refs = its VA count.
 */
export function vmBosOf(vas: readonly VaRecord[]): VmBoRecord[] {
  const byBo = new Map<BoId, [bigint, bigint][]>();
  for (const v of vas) {
    if (v.bo === null) continue;
    const list = byBo.get(v.bo) ?? [];
    list.push([v.addr, v.range]);
    byBo.set(v.bo, list);
  }
  return [...byBo.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([bo, ranges]) => ({ bo, refs: ranges.length, vas: ranges, evicted: false }));
}

/** The snapshot of a VM holding exactly `vas` (private objects 1 and 2, nothing evicted, no extra references). */
export function plainSnapshot(vas: readonly VaRecord[], objects: readonly BoId[] = [1, 2]): Snapshot {
  const vmBos = vmBosOf(vas);
  return {
    vas,
    kernel: null,
    vmBos,
    objects: objects.map((bo) => ({ bo, refs: 1 + (vmBos.some((b) => b.bo === bo) ? 1 : 0) })),
    evictList: [],
    extobjList: [],
    deferred: [],
  };
}
