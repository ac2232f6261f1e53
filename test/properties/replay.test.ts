/**
 * replayTrace: step-by-step replay against a subject and the model, with
 * subject exceptions, async subjects and failing steps reported.
 */
import { describe, expect, it } from 'vitest';
import type { Command, Observation, Subject, Trace, TraceHeader } from '../../src/protocol/types.ts';
import { TRACE_FORMAT } from '../../src/protocol/types.ts';
import { ReferenceModel } from '../../model/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import { replayTrace, type StepRecord } from '../../properties/index.ts';

const trace: Trace = {
  format: TRACE_FORMAT,
  vm: { start: 0n, range: 0x40000n, reserve: { addr: 0n, range: 0x1000n } },
  objects: [{ bo: 1 }, { bo: 2, external: true }],
  commands: [
    { cmd: 'map', addr: 0x1000n, range: 0x3000n, bo: 1, offset: 0n },
    { cmd: 'map', addr: 0x2000n, range: 0x1000n, bo: 2, offset: 0x5000n, via: 'steps' },
    { cmd: 'unmap', addr: 0x1000n, range: 0x2000n, failAt: 1 },
    { cmd: 'bo_get', bo: 2 },
    { cmd: 'find', addr: 0x3000n, range: 0x1000n },
    { cmd: 'bo_unmap', bo: 1 },
    { cmd: 'bo_put', bo: 2 },
  ],
};

/** Delegates to an inner subject; `hook` may throw or alter the observation of command `index`. */
class Wrapped implements Subject {
  readonly name = 'wrapped';
  private i = 0;
  constructor(
    private readonly inner: Subject,
    private readonly hook: (index: number, c: Command, exec: () => Observation) => Observation,
    private readonly asyncMode = false,
  ) {}
  reset(h: TraceHeader) {
    this.i = 0;
    const r = this.inner.reset(h);
    return this.asyncMode ? Promise.resolve(r) : r;
  }
  exec(c: Command) {
    const o = this.hook(this.i++, c, () => this.inner.exec(c) as Observation);
    return this.asyncMode ? Promise.resolve(o) : o;
  }
  snapshot() {
    const s = this.inner.snapshot();
    return this.asyncMode ? Promise.resolve(s) : s;
  }
}

describe('replayTrace', () => {
  it('passes a trace the production manager gets right, reporting every step', async () => {
    const steps: StepRecord[] = [];
    const r = await replayTrace(trace, new GpuVmSubject(), new ReferenceModel(), { onStep: (s) => steps.push(s) });
    expect(r).toEqual({ ok: true, steps: trace.commands.length });
    expect(steps.map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(steps[2]!.observation).toEqual(steps[2]!.expectedObservation);
    expect(steps[2]!.observation.error).toBe('EIO');
    expect(steps[3]!.before).toBe(steps[2]!.after);
  });

  it('gives the same result for an async subject', async () => {
    const sync = await replayTrace(trace, new Wrapped(new ReferenceModel(), (_i, _c, run) => run()), new ReferenceModel());
    const asyncR = await replayTrace(trace, new Wrapped(new ReferenceModel(), (_i, _c, run) => run(), true), new ReferenceModel());
    expect(asyncR).toEqual(sync);
    expect(sync.ok).toBe(true);
  });

  it('stops at the first violation with the failing step record', async () => {
    const liar = new Wrapped(new ReferenceModel(), (i, _c, run) => {
      const o = run();
      return i === 4 ? { ...o, va: null } : o;
    });
    const r = await replayTrace(trace, liar, new ReferenceModel());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.steps).toBe(5);
    expect(r.violation.invariant).toBe('queries-agree');
    expect(r.violation.step).toBe(4);
    expect(r.failing?.index).toBe(4);
    expect(r.failing?.observation.va).toBeNull();
    expect(r.failing?.expectedObservation.va).not.toBeNull();
  });

  it('reports a subject that throws with a consistent state as subject-error', async () => {
    const thrower = new Wrapped(new ReferenceModel(), (i, _c, run) => {
      if (i === 3) throw new Error('driver exploded');
      return run();
    });
    const r = await replayTrace(trace, thrower, new ReferenceModel());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.violation.invariant).toBe('subject-error');
    expect(r.violation.step).toBe(3);
    expect(r.violation.reason).toContain('driver exploded');
    expect(r.failing).toBeNull();
  });

  it('names the structural invariant when a subject threw halfway through a command', async () => {
    const half = new Wrapped(new ReferenceModel(), (i, _c, run) => {
      if (i === 3) {
        run(); // the reference takes its vm_bo reference, which the harness never learns of
        throw new Error('lost the observation');
      }
      return run();
    });
    const r = await replayTrace(trace, half, new ReferenceModel());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.violation.invariant).toBe('vm-bo-refcount');
    expect(r.violation.reason).toContain('lost the observation');
  });

  it('reports subject-error when the snapshot after an exception throws too', async () => {
    let broken = false;
    const inner = new ReferenceModel();
    const s: Subject = {
      name: 'fragile',
      reset: (h) => inner.reset(h),
      exec: (c) => {
        if (c.cmd === 'find') {
          broken = true;
          throw new Error('boom');
        }
        return inner.exec(c);
      },
      snapshot: () => {
        if (broken) throw new Error('no state');
        return inner.snapshot();
      },
    };
    const r = await replayTrace(trace, s, new ReferenceModel());
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.violation.invariant).toBe('subject-error');
      expect(r.violation.reason).toContain('boom');
      expect(r.violation.reason).toContain('no state');
    }
  });
});
