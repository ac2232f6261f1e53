/**
 * Throughput of the production manager with n live mappings.
 *
 * For n = 10^3 .. 10^6 a VM is filled with random non-overlapping VAs laid out
 * in "slots" (each slot holds one VA or two halves of a split). Then:
 * - map requests: smMapOpsCreate + apply (map / remap / unmap helpers) +
 *   opsFree. A request on a whole slot maps its first half to another object
 *   (REMAP + MAP); on a split slot it maps the whole slot back (2 UNMAP + MAP),
 *   so the VA count stays around n.
 * - unmap requests: smUnmapOpsCreate + apply, punching a hole in the middle of
 *   a slot (REMAPs); slots are restored between timed batches (untimed).
 * - findFirst: random one-page queries.
 * Each measurement is split into chunks (batches for unmap) and the median
 * chunk is reported, timed by process CPU time (wall time in the note), so a
 * busy machine does not skew the table.
 * Targets: >= 300,000 map requests/s at n = 10^5; time per map request grows
 * at most 3x from n = 10^3 to 10^6.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import seedrandom from 'seedrandom';
import { GemObject, GpuVa, GpuVm } from '../src/gpuvm/index.ts';
import type { GpuVaOp, MapReq } from '../src/gpuvm/index.ts';
import type { BenchOptions, BenchResult, BenchRow, BenchTarget, Benchmark } from './run.ts';

const PAGE = 0x1000n;

/**
 * A full garbage collection, run between phases so one phase's GC debt (for
 * instance the major GC owed for the VAs the build promoted) is not billed to
 * the next phase.
 */
const fullGc: () => void = (() => {
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  return typeof gc === 'function' ? (gc as () => void) : () => {};
})();

interface World {
  vm: GpuVm;
  slotAddr: bigint[];
  slotRange: bigint[];
  slotHalf: bigint[];
  slotObj: number[];
  split: Uint8Array;
  objs: GemObject[];
  spanEnd: bigint;
}

function apply(vm: GpuVm, ops: GpuVaOp[]): void {
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as GpuVaOp;
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

function build(n: number, rng: () => number): World {
  const slots = Math.max(1, Math.round((2 * n) / 3));
  const objs = Array.from({ length: 16 }, (_, i) => new GemObject({ name: `bo${i}` }));
  const vm = new GpuVm({ name: 'bench', start: 0n, range: 1n << 48n, reserveOffset: 0n, reserveRange: 0x10000n });
  const slotAddr: bigint[] = [];
  const slotRange: bigint[] = [];
  const slotHalf: bigint[] = [];
  const slotObj: number[] = [];
  const split = new Uint8Array(slots);
  let at = 0x10000n;
  for (let i = 0; i < slots; i++) {
    at += BigInt(Math.floor(rng() * 4)) * PAGE;
    const pages = 4 + Math.floor(rng() * 12);
    const range = BigInt(pages) * PAGE;
    slotAddr.push(at);
    slotRange.push(range);
    slotHalf.push(BigInt(pages >> 1) * PAGE);
    const o = Math.floor(rng() * objs.length);
    slotObj.push(o);
    const obj = objs[o] as GemObject;
    if (rng() < 0.5) {
      split[i] = 1;
      const half = slotHalf[i] as bigint;
      vm.insert(new GpuVa({ addr: at, range: half, obj: objs[(o + 1) % objs.length] as GemObject, offset: 0n }));
      vm.insert(new GpuVa({ addr: at + half, range: range - half, obj, offset: at + half }));
    } else {
      vm.insert(new GpuVa({ addr: at, range, obj, offset: at }));
    }
    at += range;
  }
  return { vm, slotAddr, slotRange, slotHalf, slotObj, split, objs, spanEnd: at };
}

/**
 * The map requests for a sequence of slots, built up front (toggling each
 * slot whole <-> split) so the timed loop measures the manager, not the
 * harness's bookkeeping.
 */
function mapRequests(w: World, seq: Int32Array): MapReq[] {
  const reqs: MapReq[] = [];
  for (let k = 0; k < seq.length; k++) {
    const i = seq[k] as number;
    const addr = w.slotAddr[i] as bigint;
    const o = w.slotObj[i] as number;
    if (w.split[i] === 0) {
      reqs.push({ addr, range: w.slotHalf[i] as bigint, obj: w.objs[(o + 1) % w.objs.length] as GemObject, offset: 0n });
      w.split[i] = 1;
    } else {
      reqs.push({ addr, range: w.slotRange[i] as bigint, obj: w.objs[o] as GemObject, offset: addr });
      w.split[i] = 0;
    }
  }
  return reqs;
}

function randomSlots(rng: () => number, slots: number, count: number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.floor(rng() * slots);
  return out;
}

/** Requests are timed in this many chunks; the median chunk is reported (robust to a busy machine). */
const CHUNKS = 9;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/**
 * Times a stretch of work by this process's CPU time (user + system, all
 * threads, so GC helpers count) and by wall time. CPU time is what the table
 * reports: it stays meaningful when other processes compete for the 2 cores.
 */
class Stopwatch {
  private wall = 0n;
  private cpu: NodeJS.CpuUsage = process.cpuUsage();
  start(): void {
    this.cpu = process.cpuUsage();
    this.wall = process.hrtime.bigint();
  }
  /** [cpu ns, wall ns] since start(). */
  stop(): [number, number] {
    const wall = Number(process.hrtime.bigint() - this.wall);
    const d = process.cpuUsage(this.cpu);
    return [(d.user + d.system) * 1000, wall];
  }
}

/** Measures every workload at size `n`; `mapNs` is the median CPU time of a map request (the kernel bench compares it). */
export function measure(n: number, quick: boolean, log: (m: string) => void): { rows: BenchRow[]; mapNs: number } {
  const rng = seedrandom(`gpuvm-bench-${n}`);
  let t0 = process.hrtime.bigint();
  const w = build(n, rng);
  const buildS = seconds(t0);
  const slots = w.slotAddr.length;
  const vaCount = () => [...w.vm.vas()].length - 1;
  log(`  n=${n}: built ${vaCount()} VAs in ${buildS.toFixed(2)} s`);
  const requests = quick ? 20_000 : 200_000;

  // Map requests.
  const warm = mapRequests(w, randomSlots(rng, slots, Math.min(requests, 20_000)));
  for (let k = 0; k < warm.length; k++) apply(w.vm, w.vm.smMapOpsCreate(warm[k] as MapReq));
  const reqs = mapRequests(w, randomSlots(rng, slots, requests));
  fullGc();
  const sw = new Stopwatch();
  const mapNsChunks: number[] = [];
  const mapWallChunks: number[] = [];
  const chunk = Math.ceil(requests / CHUNKS);
  for (let from = 0; from < reqs.length; from += chunk) {
    const to = Math.min(reqs.length, from + chunk);
    sw.start();
    for (let k = from; k < to; k++) apply(w.vm, w.vm.smMapOpsCreate(reqs[k] as MapReq));
    const [cpu, wall] = sw.stop();
    mapNsChunks.push(cpu / (to - from));
    mapWallChunks.push(wall / (to - from));
  }
  const mapNs = median(mapNsChunks);
  const afterMap = vaCount();

  // Unmap requests: timed batches of hole punches, untimed restores.
  fullGc();
  const batch = Math.max(1, Math.min(1000, Math.floor(slots / 4)));
  const stamp = new Int32Array(slots);
  const unmapNsBatches: number[] = [];
  const unmapWallBatches: number[] = [];
  let unmapDone = 0;
  let round = 0;
  while (unmapDone < requests) {
    round++;
    const picked: number[] = [];
    while (picked.length < batch) {
      const i = Math.floor(rng() * slots);
      if (stamp[i] === round) continue;
      stamp[i] = round;
      picked.push(i);
    }
    sw.start();
    for (let k = 0; k < picked.length; k++) {
      const i = picked[k] as number;
      apply(w.vm, w.vm.smUnmapOpsCreate((w.slotAddr[i] as bigint) + PAGE, (w.slotRange[i] as bigint) - 2n * PAGE));
    }
    const [cpu, wall] = sw.stop();
    unmapNsBatches.push(cpu / picked.length);
    unmapWallBatches.push(wall / picked.length);
    unmapDone += picked.length;
    for (const i of picked) {
      const addr = w.slotAddr[i] as bigint;
      apply(w.vm, w.vm.smMapOpsCreate({ addr, range: w.slotRange[i] as bigint, obj: w.objs[w.slotObj[i] as number] as GemObject, offset: addr }));
      w.split[i] = 0;
    }
  }

  // findFirst.
  fullGc();
  const spanPages = Number(w.spanEnd / PAGE);
  const addrs: bigint[] = [];
  for (let k = 0; k < requests; k++) addrs.push(BigInt(Math.floor(rng() * spanPages)) * PAGE);
  let hits = 0;
  const findNsChunks: number[] = [];
  const findWallChunks: number[] = [];
  for (let from = 0; from < addrs.length; from += chunk) {
    const to = Math.min(addrs.length, from + chunk);
    sw.start();
    for (let k = from; k < to; k++) if (w.vm.findFirst(addrs[k] as bigint, PAGE) !== null) hits++;
    const [cpu, wall] = sw.stop();
    findNsChunks.push(cpu / (to - from));
    findWallChunks.push(wall / (to - from));
  }
  const findNs = median(findNsChunks);
  const unmapNs = median(unmapNsBatches);

  const rows: BenchRow[] = [
    { metric: 'build (insert)', n, value: Math.round(vaCount() / buildS), unit: 'inserts/s' },
    { metric: 'map requests', n, value: Math.round(1e9 / mapNs), unit: 'req/s (cpu)', note: `${mapNs.toFixed(0)} ns/req cpu, ${median(mapWallChunks).toFixed(0)} wall; VAs after: ${afterMap}` },
    { metric: 'unmap requests', n, value: Math.round(1e9 / unmapNs), unit: 'req/s (cpu)', note: `${unmapNs.toFixed(0)} ns/req cpu, ${median(unmapWallBatches).toFixed(0)} wall` },
    { metric: 'findFirst', n, value: Math.round(1e9 / findNs), unit: 'queries/s (cpu)', note: `${findNs.toFixed(0)} ns/query cpu, ${median(findWallChunks).toFixed(0)} wall; hit ${((100 * hits) / requests).toFixed(0)}%` },
  ];
  return { rows, mapNs };
}

const bench: Benchmark = {
  name: 'gpuvm',
  description: 'production VA manager: map / unmap requests and findFirst with n live mappings',
  run(opts: BenchOptions): BenchResult {
    const sizes = opts.quick ? [1_000, 10_000] : [1_000, 10_000, 100_000, 1_000_000];
    const rows: BenchRow[] = [];
    const mapNs = new Map<number, number>();
    for (const n of sizes) {
      const r = measure(n, opts.quick, opts.log);
      rows.push(...r.rows);
      mapNs.set(n, r.mapNs);
    }
    const targets: BenchTarget[] = [];
    const at1e5 = mapNs.get(100_000);
    if (at1e5 !== undefined) {
      const rate = 1e9 / at1e5;
      targets.push({ name: 'map req/s at n=1e5 >= 300,000', pass: rate >= 300_000, detail: `${Math.round(rate).toLocaleString('en-US')} req/s` });
    }
    const lo = mapNs.get(1_000);
    const hi = mapNs.get(1_000_000);
    if (lo !== undefined && hi !== undefined) {
      const growth = hi / lo;
      targets.push({ name: 'map time growth 1e3 -> 1e6 <= 3x', pass: growth <= 3, detail: `${growth.toFixed(2)}x (${lo.toFixed(0)} -> ${hi.toFixed(0)} ns/req)` });
    }
    return { rows, targets };
  },
};

export default bench;
