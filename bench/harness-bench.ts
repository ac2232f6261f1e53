/**
 * Throughput of the harness: executed-and-checked commands per second of the
 * stateful property (`runProperty`, default-sized runs: generation, model and
 * subject execution, two snapshots and every invariant per command), for the
 * production manager under the driver (`builtin:gpuvm`) and for the model
 * against itself; plus the step checker alone over recorded steps.
 * The same property with the production manager served over the subject
 * protocol (`exec:gpuvm-check serve builtin:gpuvm`), and the cost per step
 * that adds.
 * Targets: >= 20,000 commands/s on one core for builtin:gpuvm; through exec,
 * at least half the in-process rate.
 */
import { ReferenceModel } from '../model/index.ts';
import { GpuVmSubject } from '../src/driver/gpuvm-subject.ts';
import type { Command, SubjectFactory, Trace, TraceHeader } from '../src/protocol/types.ts';
import { TRACE_FORMAT } from '../src/protocol/types.ts';
import { replayTrace, runProperty, type StepContext } from '../properties/index.ts';
import { firstViolation } from '../properties/step-checker.ts';
import { nextHeldRefs, NO_HELD_REFS, type HeldRefs } from '../properties/held-refs.ts';
import type { BenchOptions, BenchResult, BenchRow, Benchmark } from './run.ts';
import { closeExecSubjects, execSubjectFactory } from '../src/exec/index.ts';
import { fileURLToPath } from 'node:url';

/** The served production manager: `exec:node bin/gpuvm-check.mjs serve --subject builtin:gpuvm`. */
const SERVE_ARGV = [process.execPath, fileURLToPath(new URL('../bin/gpuvm-check.mjs', import.meta.url)), 'serve', '--subject', 'builtin:gpuvm'];

const TARGET = 20_000;

interface Measured {
  commands: number;
  runs: number;
  ms: number;
  /** Violations met (their shrinking is timed too, so the rate is then a lower bound). */
  failures: string[];
}

async function measure(factory: SubjectFactory, seeds: readonly number[], numRuns: number): Promise<Measured> {
  let commands = 0;
  let runs = 0;
  const failures: string[] = [];
  const t0 = performance.now();
  for (const seed of seeds) {
    const r = await runProperty({ subjectFactory: factory, seed, numRuns });
    if (r.failure !== null) failures.push(`seed ${seed}: ${r.failure.violation.invariant}`);
    commands += r.commands;
    runs += r.runs;
  }
  return { commands, runs, ms: performance.now() - t0, failures };
}

/** A subject factory that also records every run it executes as a trace (the kernel bench replays them). */
export function recording(traces: Trace[]): SubjectFactory {
  return () => {
    const inner = new ReferenceModel();
    let current: { header: TraceHeader; commands: Command[] } | null = null;
    const flush = () => {
      if (current !== null) traces.push({ format: TRACE_FORMAT, ...current.header, commands: current.commands });
    };
    return {
      name: 'recording',
      reset(h: TraceHeader) {
        flush();
        current = { header: h, commands: [] };
        inner.reset(h);
      },
      exec(c: Command) {
        current?.commands.push(c);
        return inner.exec(c);
      },
      snapshot: () => inner.snapshot(),
      close: flush,
    };
  };
}

/** Time of the step checker alone (every invariant) over recorded steps, in checks per second. */
async function checkerRate(numRuns: number): Promise<{ steps: number; ms: number }> {
  const traces: Trace[] = [];
  await runProperty({ subjectFactory: recording(traces), seed: 4242, numRuns });
  const contexts: StepContext[] = [];
  for (const t of traces) {
    let held: HeldRefs = NO_HELD_REFS;
    await replayTrace(t, new ReferenceModel(), new ReferenceModel(), {
      onStep(s) {
        held = nextHeldRefs(held, s.command, s.observation);
        contexts.push({ header: t, step: s.index, command: s.command, before: s.before, observation: s.observation,
          after: s.after, accounting: null, held, expectedObservation: s.expectedObservation, expectedAfter: s.expectedAfter });
      },
    });
  }
  for (const c of contexts) firstViolation(c); // warm-up
  const t0 = performance.now();
  for (let round = 0; round < 3; round++) {
    for (const c of contexts) {
      if (firstViolation(c) !== null) throw new Error('harness bench: a recorded step violates an invariant');
    }
  }
  return { steps: contexts.length * 3, ms: performance.now() - t0 };
}

const bench: Benchmark = {
  name: 'harness',
  description: 'checked commands per second of the stateful property (builtin:gpuvm and builtin:model)',
  async run(opts: BenchOptions): Promise<BenchResult> {
    const numRuns = opts.quick ? 100 : 400;
    const seeds = opts.quick ? [4, 5] : [4, 5, 6, 7, 8];
    const gpuvm: SubjectFactory = () => new GpuVmSubject();
    const model: SubjectFactory = () => new ReferenceModel();
    opts.log('harness: warming up');
    await measure(gpuvm, [99], opts.quick ? 50 : 200);
    await measure(model, [99], opts.quick ? 50 : 200);
    opts.log('harness: builtin:gpuvm');
    const g = await measure(gpuvm, seeds, numRuns);
    opts.log('harness: builtin:model');
    const m = await measure(model, seeds, numRuns);
    const rate = (x: Measured) => (x.commands / x.ms) * 1000;
    const note = (x: Measured) =>
      `${x.commands} commands in ${x.runs} runs, ${Math.round(x.ms)} ms` +
      (x.failures.length > 0 ? `; violations (shrinking timed too): ${x.failures.join(', ')}` : '');
    // The same property through the subject protocol: one process (started in the warm-up, kept across seeds).
    const exec = execSubjectFactory(SERVE_ARGV);
    opts.log('harness: exec:gpuvm-check serve builtin:gpuvm (warming up)');
    await measure(exec, [99], opts.quick ? 50 : 200);
    opts.log('harness: exec:gpuvm-check serve builtin:gpuvm');
    const e = await measure(exec, seeds, numRuns);
    await closeExecSubjects();
    opts.log('harness: step checker alone');
    const c = await checkerRate(opts.quick ? 50 : 200);
    const rows: BenchRow[] = [
      { metric: 'checked commands (builtin:gpuvm)', value: rate(g), unit: 'cmd/s', note: note(g) },
      { metric: 'checked commands (builtin:model vs model)', value: rate(m), unit: 'cmd/s', note: note(m) },
      { metric: 'checked commands (exec:gpuvm-check serve builtin:gpuvm)', value: rate(e), unit: 'cmd/s', note: note(e) },
      {
        metric: 'cost per step over the subject protocol',
        value: (e.ms / e.commands - g.ms / g.commands) * 1000,
        unit: 'µs',
        note: `${((e.ms / e.commands) * 1000).toFixed(1)} µs per checked command through exec, ${((g.ms / g.commands) * 1000).toFixed(1)} µs in process`,
      },
      { metric: 'step checks (every invariant, no execution)', value: (c.steps / c.ms) * 1000, unit: 'steps/s', note: `${c.steps} steps` },
      { metric: 'commands per run (default size)', value: g.commands / g.runs, unit: 'cmd' },
    ];
    return {
      rows,
      targets: [
        {
          name: `>= ${TARGET.toLocaleString('en-US')} checked commands/s (builtin:gpuvm)`,
          pass: rate(g) >= TARGET,
          detail: `${Math.round(rate(g)).toLocaleString('en-US')} cmd/s`,
        },
        {
          name: 'exec:gpuvm-check serve builtin:gpuvm >= 50% of in-process (1 worker)',
          pass: rate(e) >= 0.5 * rate(g),
          detail: `${Math.round(rate(e)).toLocaleString('en-US')} cmd/s = ${Math.round((100 * rate(e)) / rate(g))}% of ${Math.round(rate(g)).toLocaleString('en-US')}`,
        },
      ],
    };
  },
};

export default bench;
