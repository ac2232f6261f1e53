/**
 * Root cause: re-issuing a failing command in the shape of another, and the
 * triage's rule that two symptoms are one bug only when their minimal traces
 * reproduce each other (one direction is not enough), or when both failing
 * steps are the subject accepting the same kind of invalid request.
 */
import { describe, expect, it } from 'vitest';
import { replayOnce } from '../../src/campaign/replay-env.ts';
import type { BatchMessage, WireFailure } from '../../src/campaign/messages.ts';
import { Triage } from '../../src/campaign/triage.ts';
import { invalidity, reissuesLike, requestCauses, variantsLike } from '../../src/findings/root-cause.ts';
import { matchKnown, type KnownMatcher } from '../../src/findings/match.ts';
import { symptomKey, symptomOf } from '../../src/findings/symptom.ts';
import { toJsonTrace } from '../../src/protocol/codec.ts';
import type { Command, Trace, TraceHeader } from '../../src/protocol/types.ts';
import { resolveSubject } from '../../src/subjects.ts';

const P = 0x1000n;
const facts = { declared: [1], granule: P, mappedAt: () => 1 as const, rangeOf: () => ({ addr: P, range: P }) };

function trace(commands: Command[], objects = [{ bo: 1 }]): Trace {
  return { format: 'gpuvm-trace/1', vm: { start: 0n, range: 4n * P }, objects, commands };
}

describe('reissuesLike', () => {
  it('keeps the range and takes the kind and options of the other command', () => {
    const unmap: Command = { cmd: 'unmap', addr: P, range: P, via: 'steps', failAt: 2 };
    const map: Command = { cmd: 'map', addr: 0n, range: 3n * P, bo: 1, offset: 0n, allocFailAt: 1 };
    expect(reissuesLike(unmap, map, facts)).toEqual([
      { cmd: 'map', addr: P, range: P, bo: 1, offset: 0n, allocFailAt: 1 },
      { cmd: 'map', addr: P, range: P, bo: null, offset: 0n, allocFailAt: 1 },
    ]);
    expect(reissuesLike(map, unmap, facts)).toEqual([{ cmd: 'unmap', addr: 0n, range: 3n * P, via: 'steps', failAt: 2 }]);
  });

  it('a madvise is re-issued as a map and a map as a madvise (one split/merge walk), with the madvise options only', () => {
    const madvise: Command = { cmd: 'madvise', addr: P, range: P, bo: 1, offset: P, failAt: 1 };
    const map: Command = { cmd: 'map', addr: 0n, range: 3n * P, bo: null, offset: 0n, via: 'steps', allocFailAt: 2 };
    expect(reissuesLike(madvise, map, facts)).toEqual([
      { cmd: 'map', addr: P, range: P, bo: 1, offset: P, via: 'steps', allocFailAt: 2 },
      { cmd: 'map', addr: P, range: P, bo: 1, offset: 0n, via: 'steps', allocFailAt: 2 },
      { cmd: 'map', addr: P, range: P, bo: null, offset: 0n, via: 'steps', allocFailAt: 2 },
    ]);
    expect(reissuesLike(map, madvise, facts)).toEqual([
      { cmd: 'madvise', addr: 0n, range: 3n * P, bo: null, offset: 0n, failAt: 1 },
      { cmd: 'madvise', addr: 0n, range: 3n * P, bo: 1, offset: 0n, failAt: 1 },
      { cmd: 'madvise', addr: 0n, range: 3n * P, bo: 1, offset: P, failAt: 1 },
    ]);
  });

  it('turns points into one-granule ranges and back, and an object into the range it was mapped at', () => {
    expect(reissuesLike({ cmd: 'find_prev', start: 2n * P }, { cmd: 'find_first', addr: 0n, range: 1n }, facts)).toEqual([{ cmd: 'find_first', addr: P, range: P }]);
    expect(reissuesLike({ cmd: 'find_next', end: 2n * P }, { cmd: 'remove', addr: 0n, range: 1n }, facts)).toEqual([{ cmd: 'remove', addr: 2n * P, range: P }]);
    expect(reissuesLike({ cmd: 'find', addr: P, range: 2n * P }, { cmd: 'find_prev', start: 0n }, facts)).toEqual([{ cmd: 'find_prev', start: 3n * P }]);
    expect(reissuesLike({ cmd: 'bo_unmap', bo: 1 }, { cmd: 'unmap', addr: 0n, range: 1n }, facts)).toEqual([{ cmd: 'unmap', addr: P, range: P }]);
    expect(reissuesLike({ cmd: 'validate' }, { cmd: 'unmap', addr: 0n, range: 1n }, facts)).toEqual([]);
  });

  it('never names an object the trace does not declare', () => {
    const t = trace([{ cmd: 'map', addr: 0n, range: P, bo: null, offset: 0n }, { cmd: 'unmap', addr: 0n, range: P }], []);
    const variants = variantsLike(t, { cmd: 'map', addr: 0n, range: P, bo: 7, offset: 0n });
    expect(variants.map((v) => v.commands[1])).toEqual([{ cmd: 'map', addr: 0n, range: P, bo: null, offset: 0n }]);
  });
});

describe('a signature with a cause', () => {
  const h: TraceHeader = { vm: { start: P, range: 8n * P, reserve: { addr: 4n * P, range: P } }, objects: [{ bo: 1 }] };
  const symptom = { invariant: 'model-agrees', kind: 'madvise' as const, detail: 'observation.ok differs from the model' };
  const zero: KnownMatcher = { id: 'zero-length-madvise', signatures: [{ invariant: 'model-agrees', kinds: ['madvise'], detail: 'observation.ok differs from the model', cause: 'a zero range' }] };
  const any: KnownMatcher = { id: 'any-madvise', signatures: [{ invariant: 'model-agrees', kinds: ['madvise'], detail: null }] };

  it('requestCauses: the distinct reasons of a run\'s invalid requests, first occurrence first', () => {
    const commands: Command[] = [
      { cmd: 'map', addr: 2n * P, range: P, bo: 1, offset: 0n },
      { cmd: 'madvise', addr: 2n * P, range: P, bo: 1, offset: 2n ** 64n - 1n },
      { cmd: 'unmap', addr: 2n * P, range: 0n },
      { cmd: 'madvise', addr: 3n * P, range: 0n, bo: null, offset: 0n },
    ];
    expect(requestCauses(h, commands)).toEqual(['an object offset past 2^64', 'a zero range']);
    expect(requestCauses(h, commands.slice(0, 1))).toEqual([]);
  });

  it('matches only a run holding a request invalid for that cause: the same symptom from another bug is not absorbed', () => {
    expect(matchKnown(symptom, ['a zero range'], [zero])).toBe('zero-length-madvise');
    expect(matchKnown(symptom, ['an object offset past 2^64'], [zero])).toBeNull();
    expect(matchKnown(symptom, [], [zero, any])).toBe('any-madvise');
  });
});

describe('invalidity', () => {
  const h = { vm: { start: P, range: 4n * P, reserve: { addr: 4n * P, range: P } }, objects: [] };
  it('names the first reason a request is invalid', () => {
    expect(invalidity(h, { cmd: 'map', addr: 2n * P, range: 0n, bo: null, offset: 0n })).toBe('a zero range');
    expect(invalidity(h, { cmd: 'unmap', addr: 2n ** 63n, range: 2n ** 63n })).toBe('a range reaching 2^64');
    expect(invalidity(h, { cmd: 'insert', addr: 2n * P, range: P, bo: 1, offset: 2n ** 64n - 1n })).toBe('an object offset past 2^64');
    expect(invalidity(h, { cmd: 'prefetch', addr: 0n, range: P })).toBe('a range outside the VM');
    expect(invalidity(h, { cmd: 'unmap', addr: 3n * P, range: 2n * P })).toBe('a range over the reserved node');
    expect(invalidity(h, { cmd: 'unmap', addr: 2n * P, range: P })).toBeNull();
    expect(invalidity(h, { cmd: 'find', addr: 0n, range: 0n })).toBeNull();
    // madvise is validated as a map is (SEMANTICS.md; the 7.x zero-length madvise findings).
    expect(invalidity(h, { cmd: 'madvise', addr: 2n * P, range: 0n, bo: null, offset: 0n })).toBe('a zero range');
    expect(invalidity(h, { cmd: 'madvise', addr: 2n * P, range: P, bo: 1, offset: 2n ** 64n - 1n })).toBe('an object offset past 2^64');
    expect(invalidity(h, { cmd: 'madvise', addr: 3n * P, range: 2n * P, bo: null, offset: 0n })).toBe('a range over the reserved node');
    expect(invalidity(h, { cmd: 'madvise', addr: 2n * P, range: P, bo: null, offset: 0n })).toBeNull();
  });
});

/** A batch carrying each trace as one failing run (its symptom from a replay against `subject`). */
async function batchOf(subject: string, traces: Trace[]): Promise<BatchMessage> {
  const env = { subjectFactory: await resolveSubject(subject), modelFactory: await resolveSubject('builtin:model') };
  const failures: WireFailure[] = [];
  for (const [i, t] of traces.entries()) {
    const r = await replayOnce(t, env);
    if (r.ok) throw new Error(`trace ${i} passes`);
    const s = symptomOf(r.violation);
    failures.push({ invariant: s.invariant, kind: s.kind, detail: s.detail, key: symptomKey(s), step: r.violation.step, message: r.violation.message, trace: toJsonTrace(t), seed: 1, path: String(i), run: i, at: 0, repeats: 0 });
  }
  return { type: 'batch', index: 0, seed: 1, runs: traces.length, commands: 0, cases: {}, kinds: {}, failures, failedRuns: traces.length, knownHits: {}, startedAt: 0 };
}

async function triage(subject: string, traces: Trace[]): Promise<Triage> {
  const env = { subjectFactory: await resolveSubject(subject), modelFactory: await resolveSubject('builtin:model') };
  const t = new Triage({ env, subject, outDir: null, campaignSeed: 1, report: () => undefined });
  await t.handle(await batchOf(subject, traces));
  return t;
}

describe('the triage merges only what reproduces both ways', () => {
  // keep=true on a REMAP of a same-object VA: keep-flag. Its map re-issued as an
  // unmap cuts the same VA and shows the remap bug -- but the remap bug's unmap
  // re-issued as a map shows no keep failure. Two bugs.
  const keep = trace([
    { cmd: 'map', addr: 0n, range: 3n * P, bo: 1, offset: 0n },
    { cmd: 'map', addr: P, range: P, bo: 1, offset: 5n * P },
  ]);
  const remap = trace([
    { cmd: 'map', addr: 0n, range: 3n * P, bo: null, offset: 0n },
    { cmd: 'unmap', addr: P, range: P },
  ], []);

  it('one direction alone does not merge two bugs', async () => {
    const subject = 'bench/dedup/keep-and-next-offset.ts';
    const env = { subjectFactory: await resolveSubject(subject), modelFactory: await resolveSubject('builtin:model') };
    const unmapLike = variantsLike(keep, remap.commands[1]!)[0]!;
    const r = await replayOnce(unmapLike, env);
    expect(r.ok ? null : symptomKey(symptomOf(r.violation))).toBe('remap-offsets/unmap: op # has a wrong next half');
    const t = await triage(subject, [keep, remap]);
    expect(t.failures.map((f) => f.signature)).toEqual(['keep-flag/map: op # has keep=true', 'remap-offsets/unmap: op # has a wrong next half']);
  });

  it('both directions merge the symptoms of one bug', async () => {
    const mapCut = trace([
      { cmd: 'map', addr: 0n, range: 3n * P, bo: null, offset: 0n },
      { cmd: 'map', addr: P, range: P, bo: null, offset: 0n },
    ], []);
    const t = await triage('bench/faults/next-offset-from-request.ts', [remap, mapCut]);
    expect(t.failures.map((f) => f.signature)).toEqual(['remap-offsets/unmap: op # has a wrong next half']);
    expect(t.failures[0]!.aliases.map((a) => a.signature)).toEqual(['remap-offsets/map: op # has a wrong next half']);
  });

  it('two failing steps accepting the same kind of invalid request are one bug', async () => {
    const empty = trace([{ cmd: 'map', addr: 0n, range: 0n, bo: 1, offset: 0n }]);
    const overVa = trace([
      { cmd: 'map', addr: 0n, range: P, bo: 1, offset: 0n },
      { cmd: 'map', addr: 0n, range: 0n, bo: 1, offset: 0n },
    ]);
    const t = await triage('bench/faults/zero-length-range.ts', [empty, overVa]);
    expect(t.failures).toHaveLength(1);
    expect(t.failures[0]!.cause).toBe('accepts a zero range');
    expect(t.failures[0]!.aliases).toEqual([expect.objectContaining({ cause: 'accepts a zero range' })]);
  });
});
