/**
 * Capabilities: the generators produce only what a subject declares, in
 * process and over the protocol; the minimiser never tries anything else;
 * a subject that supports everything gets exactly the generator it always had.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import { runProperty } from '../../properties/index.ts';
import { ruleArb, ruleArbFor } from '../../properties/rules.ts';
import { firstUnsupported, isFullCapabilities, unsupportedUse, assertTraceSupported } from '../../src/protocol/capabilities.ts';
import { TraceInputError } from '../../src/protocol/errors.ts';
import { minimizeTrace } from '../../src/minimize/minimize-trace.ts';
import { closeExecSubjects, execSubjectFactory } from '../../src/exec/index.ts';
import { FULL_CAPABILITIES, TRACE_FORMAT, type Command, type Observation, type SubjectCapabilities, type Trace } from '../../src/protocol/types.ts';
import limitedFactory, { LIMITED_CAPABILITIES, received } from '../fixtures/exec/limited-subject.ts';
import { LIMITED, serveArgv } from './helpers.ts';

afterAll(closeExecSubjects);

const STEPS_ONLY: SubjectCapabilities = { ...FULL_CAPABILITIES, via: ['steps'], allocFailAt: false };

class StepsOnly extends GpuVmSubject {
  readonly capabilities = STEPS_ONLY;
  seen = 0;
  override exec(c: Command): Observation {
    if ((c.cmd === 'map' || c.cmd === 'unmap') && c.via !== 'steps') throw new Error(`received ${c.cmd} via ${c.via ?? 'ops (default)'}`);
    if (c.cmd === 'map' || c.cmd === 'unmap') this.seen++;
    return super.exec(c);
  }
}

describe('generation follows the capabilities', () => {
  it('full capabilities: the very same generator', () => {
    expect(isFullCapabilities(FULL_CAPABILITIES)).toBe(true);
    expect(ruleArbFor(FULL_CAPABILITIES)).toBe(ruleArb);
    expect(ruleArbFor(LIMITED_CAPABILITIES)).not.toBe(ruleArb);
    expect(() => ruleArbFor({ ...FULL_CAPABILITIES, commands: [] })).toThrow(/supports no command/);
  });

  it('in process: a subject without find_prev, steps or allocFailAt never receives one in 1,000 runs', async () => {
    received.clear();
    const r = await runProperty({ subjectFactory: limitedFactory, seed: 21, numRuns: 1000 });
    expect(r.failure?.violation.detail() ?? null).toBeNull();
    expect(r.runs).toBe(1000);
    expect(r.kinds['find_prev'] ?? 0).toBe(0);
    expect(received.get('find_prev')).toBeUndefined();
    // everything else it declares is exercised
    expect(LIMITED_CAPABILITIES.commands.filter((k) => (received.get(k) ?? 0) === 0)).toEqual([]);
  });

  it('over the protocol: the same subject served never receives one in 1,000 runs', async () => {
    const r = await runProperty({ subjectFactory: execSubjectFactory(serveArgv(LIMITED)), seed: 22, numRuns: 1000 });
    expect(r.failure?.violation.detail() ?? null).toBeNull();
    expect(r.runs).toBe(1000);
    expect(r.kinds['find_prev'] ?? 0).toBe(0);
    expect(r.kinds['map'] ?? 0).toBeGreaterThan(1000);
  });

  it('a steps-only subject gets via "steps" on every map and unmap, and no allocFailAt', async () => {
    const subject = new StepsOnly();
    const r = await runProperty({ subjectFactory: () => subject, seed: 23, numRuns: 300 });
    expect(r.failure?.violation.detail() ?? null).toBeNull();
    expect(subject.seen).toBeGreaterThan(1000);
  });
});

describe('traces that need more than the subject has', () => {
  const trace: Trace = {
    format: TRACE_FORMAT,
    vm: { start: 0n, range: 0x100000n },
    objects: [{ bo: 1 }],
    commands: [
      { cmd: 'map', addr: 0x1000n, range: 0x1000n, bo: 1, offset: 0n, via: 'steps', failAt: 1 },
      { cmd: 'map', addr: 0x3000n, range: 0x1000n, bo: 1, offset: 0n, allocFailAt: 1 },
      { cmd: 'find_prev', start: 0x2000n },
    ],
  };

  it('unsupportedUse names what a command needs', () => {
    expect(trace.commands.map((c) => unsupportedUse(c, LIMITED_CAPABILITIES))).toEqual(['via "steps"', 'allocFailAt', 'command "find_prev"']);
    expect(unsupportedUse(trace.commands[1]!, STEPS_ONLY)).toBe('via "ops" (the mode of a command without via)');
    expect(unsupportedUse(trace.commands[0]!, { ...FULL_CAPABILITIES, failAt: false })).toBe('failAt');
    expect(firstUnsupported(trace, FULL_CAPABILITIES)).toBe(-1);
    expect(firstUnsupported(trace, STEPS_ONLY)).toBe(1);
  });

  it('are refused as input errors naming the file, the command index and kind', () => {
    expect(() => assertTraceSupported(trace, STEPS_ONLY, 't.json', 'exec:my-subject')).toThrow(TraceInputError);
    expect(() => assertTraceSupported(trace, STEPS_ONLY, 't.json', 'exec:my-subject')).toThrow(
      't.json: command 1 (map): field "via": the subject exec:my-subject does not support via "ops" (the mode of a command without via) (it declares: commands map, unmap, prefetch, bo_unmap, insert, remove, find, find_first, interval_empty, find_prev, find_next, bo_get, bo_put, evict, validate, madvise, bo_put_deferred, deferred_cleanup; via steps; failAt; no allocFailAt; accounting; vmFlags immediate, resvProtected; defer)',
    );
  });

  it('the minimiser never tries a candidate outside the capabilities', async () => {
    const failing: Trace = { ...trace, commands: [trace.commands[0]!] };
    const tried = (caps?: SubjectCapabilities) => {
      const seen: Trace[] = [];
      return {
        seen,
        run: () =>
          minimizeTrace(failing, async (t) => {
            seen.push(t);
            return t.commands.length > 0 ? { invariant: 'keep-flag', kind: 'map', step: 0 } : null;
          }, caps === undefined ? {} : { capabilities: caps }),
      };
    };
    const free = tried();
    await free.run();
    expect(free.seen.some((t) => firstUnsupported(t, STEPS_ONLY) >= 0)).toBe(true); // "drop via" is a candidate...
    const bound = tried(STEPS_ONLY);
    const r = await bound.run();
    expect(bound.seen.filter((t) => firstUnsupported(t, STEPS_ONLY) >= 0)).toEqual([]); // ...that is never tried
    expect(r?.trace.commands[0]).toMatchObject({ via: 'steps' });
  });
});
