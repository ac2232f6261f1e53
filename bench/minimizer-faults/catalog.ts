/**
 * The minimiser's own faults (beside the zoo's sixteen): bugs whose minimal
 * traces need linked values, thresholds, large numbers or a sub-page granule,
 * to measure that minimised traces read at a glance -- page-aligned unless the
 * bug needs a finer granule, and no value that could be halved (with
 * everything linked to it) and still fail. Each entry has a starting trace
 * with large linked numbers that fails against the fault; the test and the
 * benchmark minimise it.
 */
import type { Trace } from '../../src/protocol/types.ts';

export interface MinimizerFault {
  readonly id: string;
  /** Whether the bug shows only with values that are not whole pages. */
  readonly subPage: boolean;
  /** A failing, far from minimal trace. */
  readonly start: Trace;
}

const K = 0x1000n;
function trace(vm: Trace['vm'], objects: number, commands: Trace['commands']): Trace {
  return { format: 'gpuvm-trace/1', vm, objects: Array.from({ length: objects }, (_, i) => ({ bo: i + 1 })), commands };
}
const noise: Trace['commands'] = [{ cmd: 'validate' }, { cmd: 'find_first', addr: 0n, range: K }];

export const MINIMIZER_FAULTS: readonly MinimizerFault[] = [
  {
    id: 'keep-lost-from-8-pages',
    subPage: false,
    start: trace({ start: 0x1a00000n, range: 0x400000n }, 2, [
      ...noise,
      { cmd: 'map', addr: 0x1a40000n, range: 0x80000n, bo: 1, offset: 0x40000n },
      { cmd: 'map', addr: 0x1a40000n, range: 0x80000n, bo: 1, offset: 0x40000n },
    ]),
  },
  {
    id: 'prev-short-from-4-pages',
    subPage: false,
    start: trace({ start: 0x200000n, range: 0x200000n }, 2, [
      { cmd: 'map', addr: 0x200000n, range: 0x100000n, bo: 1, offset: 0n },
      ...noise,
      { cmd: 'map', addr: 0x280000n, range: 0x20000n, bo: 2, offset: 0n },
    ]),
  },
  {
    id: 'next-offset-32-bit',
    subPage: false,
    start: trace({ start: 0n, range: 0x100000n }, 1, [
      { cmd: 'map', addr: 0n, range: 0x40000n, bo: 1, offset: 0xffff0000n },
      ...noise,
      { cmd: 'map', addr: 0n, range: 0x20000n, bo: null, offset: 0n },
    ]),
  },
  {
    id: 'find-first-blind-above-2-40',
    subPage: false,
    start: trace({ start: 0n, range: 1n << 41n }, 1, [
      { cmd: 'map', addr: 1n << 40n, range: 0x40000n, bo: 1, offset: 0n },
      ...noise,
      { cmd: 'find_first', addr: (1n << 40n) + 0x10000n, range: 0x10000n },
    ]),
  },
  {
    id: 'map-request-page-rounded',
    subPage: true,
    start: trace({ start: 0n, range: 0x100000n }, 1, [...noise, { cmd: 'map', addr: 0x10800n, range: 0x800n, bo: 1, offset: 0n }]),
  },
  {
    id: 'hole-grows-from-2-pages',
    subPage: false,
    start: trace({ start: 0n, range: 0x100000n }, 1, [
      { cmd: 'map', addr: 0n, range: 0x80000n, bo: 1, offset: 0n },
      ...noise,
      { cmd: 'unmap', addr: 0x20000n, range: 0x40000n },
    ]),
  },
  {
    id: 'walk-stops-at-2-page-gap',
    subPage: false,
    start: trace({ start: 0n, range: 0x100000n }, 1, [
      { cmd: 'map', addr: 0n, range: 0x10000n, bo: null, offset: 0n },
      { cmd: 'map', addr: 0x40000n, range: 0x10000n, bo: 1, offset: 0n },
      ...noise,
      { cmd: 'map', addr: 0n, range: 0x80000n, bo: 1, offset: 0n },
    ]),
  },
  {
    id: 'interval-empty-at-vm-end',
    subPage: false,
    start: trace({ start: 0x100000n, range: 0x80000n }, 1, [
      { cmd: 'map', addr: 0x160000n, range: 0x20000n, bo: 1, offset: 0n },
      ...noise,
      { cmd: 'interval_empty', addr: 0x170000n, range: 0x10000n },
    ]),
  },
  {
    id: 'bo-unmap-skips-first-of-three',
    subPage: false,
    start: trace({ start: 0n, range: 0x100000n }, 1, [
      { cmd: 'map', addr: 0n, range: 0x10000n, bo: 1, offset: 0n },
      { cmd: 'map', addr: 0x20000n, range: 0x10000n, bo: 1, offset: 0x20000n },
      ...noise,
      { cmd: 'map', addr: 0x40000n, range: 0x10000n, bo: 1, offset: 0x40000n },
      { cmd: 'bo_unmap', bo: 1 },
    ]),
  },
  {
    id: 'insert-refuses-high-offset',
    subPage: false,
    start: trace({ start: 0n, range: 0x100000n }, 1, [...noise, { cmd: 'insert', addr: 0x20000n, range: 0x20000n, bo: 1, offset: 0x8000000000040000n }]),
  },
  {
    id: 'prev-range-whole-pages',
    subPage: true,
    start: trace({ start: 0n, range: 0x100000n }, 1, [
      { cmd: 'map', addr: 0n, range: 0x30800n, bo: 1, offset: 0n },
      ...noise,
      { cmd: 'map', addr: 0x20800n, range: 0x1000n, bo: 1, offset: 0n },
    ]),
  },
  {
    id: 'validate-skips-busy-vm-bo',
    subPage: false,
    start: trace({ start: 0n, range: 0x100000n }, 1, [
      { cmd: 'map', addr: 0n, range: 0x20000n, bo: 1, offset: 0n },
      { cmd: 'map', addr: 0x40000n, range: 0x20000n, bo: 1, offset: 0x40000n },
      { cmd: 'evict', bo: 1, evict: true },
      ...noise,
    ]),
  },
];

/** The module path of a minimiser fault, relative to the repository root. */
export function minimizerFaultPath(id: string): string {
  return `bench/minimizer-faults/${id}.ts`;
}
