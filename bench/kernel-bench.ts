/**
 * The kernel subject (`bench --kernel PATH`):
 *
 * - map requests: the workload of gpuvm-bench.ts (n live VAs, a request maps
 *   half a slot to another object or a whole slot back) through the tree's
 *   C drm_gpuvm (the subject program's bench mode: sm_map_ops_create + apply +
 *   ops_free, no protocol) and through GpuVm, in the same run; both medians
 *   by CPU time, and the ratio GpuVm / C.
 * - harness throughput: executed-and-checked commands per second with one
 *   worker through the kernel subject (the exec transport, the kernel code,
 *   the model and every invariant), replaying the runs the stateful property
 *   generates for the model, each cut before the first command the tree
 *   fails (one of its known findings), so every run replays to its end; the
 *   same traces through builtin:gpuvm for comparison. Also reported: the
 *   rate the CPU time of both processes (the harness's and the subject's)
 *   allows, which a loaded machine does not distort as much as wall time.
 *   Target: >= 15,000 checked commands/s.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ReferenceModel } from '../model/index.ts';
import { replayTrace, runProperty } from '../properties/index.ts';
import { GpuVmSubject } from '../src/driver/gpuvm-subject.ts';
import { closeExecSubjects, execSubjectFactory, livePids } from '../src/exec/index.ts';
import { buildKernelSubject } from '../src/kernel/build.ts';
import type { Subject, SubjectFactory, Trace } from '../src/protocol/types.ts';
import { measure } from './gpuvm-bench.ts';
import { recording } from './harness-bench.ts';
import type { BenchOptions, BenchResult, BenchRow, Benchmark } from './run.ts';

const TARGET = 15_000;

interface CBench {
  readonly n: number;
  readonly vas: number;
  readonly mapNsCpu: number;
  readonly mapNsWall: number;
}

/** Runs the subject program's bench mode for `n` VAs. */
function cBench(program: string, n: number, requests: number): CBench {
  const r = spawnSync(program, ['--bench', String(n), String(requests), String(n)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kernel bench: ${program} --bench failed: ${r.stderr.trim().split('\n').at(-1) ?? ''}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as CBench;
}

/** CPU time (user + system, ms) of the live subject processes, from /proc (0 where it cannot be read). */
function subjectCpuMs(): number {
  let ticks = 0;
  for (const pid of livePids()) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    } catch {
      // not on Linux, or gone
    }
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

interface Replayed {
  readonly commands: number;
  readonly ms: number;
  readonly cpuMs: number;
  readonly stopped: number;
}

/** Replays `traces` against fresh runs of `subject`, counting the commands executed and checked. */
async function replayAll(subject: Subject, traces: readonly Trace[]): Promise<Replayed> {
  let commands = 0;
  let stopped = 0;
  const sub0 = subjectCpuMs();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const t of traces) {
    const r = await replayTrace(t, subject, new ReferenceModel());
    commands += r.steps;
    if (!r.ok) stopped++;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { commands, ms, cpuMs: (cpu.user + cpu.system) / 1000 + subjectCpuMs() - sub0, stopped };
}

/** Each trace cut before the first command `subject` fails (a trace failing at its first command is dropped). */
async function passingPrefixes(subject: Subject, traces: readonly Trace[]): Promise<Trace[]> {
  const out: Trace[] = [];
  for (const t of traces) {
    const r = await replayTrace(t, subject, new ReferenceModel());
    const keep = r.ok ? t.commands.length : r.steps - 1;
    if (keep > 0) out.push({ ...t, commands: t.commands.slice(0, keep) });
  }
  return out;
}

const bench: Benchmark = {
  name: 'kernel',
  description: 'the kernel subject: map requests of the C drm_gpuvm vs GpuVm, harness throughput through it (--kernel PATH)',
  wanted: (opts) => opts.kernel !== undefined,
  async run(opts: BenchOptions): Promise<BenchResult> {
    if (opts.kernel === undefined) return { rows: [] };
    const build = await buildKernelSubject({ tree: opts.kernel, log: opts.log });
    const version = `Linux ${build.version.text}`;
    const rows: BenchRow[] = [];
    const sizes = opts.quick ? [1_000, 10_000] : [1_000, 10_000, 100_000, 1_000_000];
    const requests = opts.quick ? 20_000 : 200_000;
    for (const n of sizes) {
      opts.log(`kernel: map requests, n=${n}`);
      const c = cBench(build.program, n, requests);
      const ts = measure(n, opts.quick, opts.log).mapNs;
      rows.push(
        { metric: `map requests (C drm_gpuvm, ${version})`, n, value: Math.round(1e9 / c.mapNsCpu), unit: 'req/s (cpu)', note: `${c.mapNsCpu.toFixed(0)} ns/req cpu, ${c.mapNsWall.toFixed(0)} wall; VAs: ${c.vas}` },
        { metric: 'map requests (GpuVm)', n, value: Math.round(1e9 / ts), unit: 'req/s (cpu)', note: `${ts.toFixed(0)} ns/req cpu` },
        { metric: 'time per request, GpuVm / C', n, value: Number((ts / c.mapNsCpu).toFixed(2)), unit: 'x' },
      );
    }

    opts.log('kernel: recording the runs of the stateful property');
    const kernel = await execSubjectFactory([build.program])();
    const recorded: Trace[] = [];
    const record = recording(recorded);
    // Generated for what the kernel subject declares (no find_prev / find_next on 7.x).
    const capabilities = kernel.capabilities;
    const generator: SubjectFactory = async () => ({ ...(await record()), ...(capabilities === undefined ? {} : { capabilities }) });
    for (const seed of opts.quick ? [4] : [4, 5, 6]) {
      await runProperty({ subjectFactory: generator, seed, numRuns: opts.quick ? 150 : 400 });
    }
    const traces = await passingPrefixes(kernel, recorded);
    const gpuvm = new GpuVmSubject();
    await replayAll(kernel, traces.slice(0, 50)); // warm-up
    await replayAll(gpuvm, traces.slice(0, 50));
    opts.log(`kernel: replaying ${traces.length} runs through the kernel subject`);
    const k = await replayAll(kernel, traces);
    const g = await replayAll(gpuvm, traces);
    await kernel.close?.();
    await closeExecSubjects();
    const rate = (x: Replayed) => (x.commands / x.ms) * 1000;
    const note = (x: Replayed) =>
      `${x.commands} commands of ${traces.length} runs in ${Math.round(x.ms)} ms wall, ${Math.round(x.cpuMs)} ms CPU of both processes` +
      (x.stopped > 0 ? `; ${x.stopped} runs stopped at a violation` : '');
    rows.push(
      { metric: `checked commands (kernel:${version}, 1 worker)`, value: Math.round(rate(k)), unit: 'cmd/s', note: note(k) },
      { metric: 'checked commands per CPU second (kernel, harness + subject)', value: Math.round((k.commands / k.cpuMs) * 1000), unit: 'cmd/s' },
      { metric: 'checked commands (builtin:gpuvm, same traces)', value: Math.round(rate(g)), unit: 'cmd/s', note: note(g) },
    );
    return {
      rows,
      targets: [
        {
          name: `>= ${TARGET.toLocaleString('en-US')} checked commands/s through the kernel subject`,
          pass: rate(k) >= TARGET,
          detail: `${Math.round(rate(k)).toLocaleString('en-US')} cmd/s`,
        },
      ],
    };
  },
};

export default bench;
