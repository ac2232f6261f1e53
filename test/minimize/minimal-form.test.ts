/**
 * Minimal traces a person reads at a glance. For the sixteen zoo faults (a
 * seeded campaign's first failure, minimised) and the minimiser's twelve own
 * faults (a far from minimal starting trace with large linked numbers,
 * minimised): the result is page-aligned unless the bug needs a finer granule,
 * and no distance in it can be halved with everything linked to it and still
 * fail the same way (checked by `bench/minimizer-faults/halvable.ts`, which
 * shares no code with the minimiser).
 */
import { describe, expect, it, test } from 'vitest';
import { ReferenceModel } from '../../model/index.ts';
import { replayOracle } from '../../src/campaign/replay-env.ts';
import { sameFailure } from '../../src/minimize/minimize-trace.ts';
import { granuleOf, jointCandidates, mapTrace, PAGE } from '../../src/minimize/joint.ts';
import { minimizeTrace, type FailureOutcome } from '../../src/minimize/minimize-trace.ts';
import type { Command, SubjectFactory, Trace } from '../../src/protocol/types.ts';
import { resolveSubject } from '../../src/subjects.ts';
import { FAULTS } from '../../src/zoo/catalog.ts';
import { runFaultCampaign } from '../../src/zoo/run-fault.ts';
import { loadFault } from '../../src/zoo/zoo.ts';
import { MINIMIZER_FAULTS, minimizerFaultPath } from '../../bench/minimizer-faults/catalog.ts';
import { halvings, pageAligned } from '../../bench/minimizer-faults/halvable.ts';

const model: SubjectFactory = () => new ReferenceModel();

/** The halvings of `t` that still fail like it (none for a minimal trace). */
async function stillFailingHalvings(t: Trace, factory: SubjectFactory): Promise<string[]> {
  const oracle = replayOracle({ subjectFactory: factory, modelFactory: model });
  const original = await oracle(t);
  expect(original).not.toBeNull();
  const granule = pageAligned(t) ? PAGE : 1n;
  const out: string[] = [];
  for (const h of halvings(t, granule)) if (sameFailure(original as FailureOutcome, await oracle(h.trace))) out.push(h.what);
  return out;
}

describe('the zoo faults: minimised traces are page-aligned and cannot be halved', () => {
  test.each(FAULTS.map((f) => [f.id, f] as const))('%s', async (_id, fault) => {
    const factory = await loadFault(fault);
    const r = await runFaultCampaign({ subjectFactory: factory, modelFactory: model, seed: 1, budgetMs: 60_000 });
    const t = r.minimized;
    expect(t).not.toBeNull();
    expect(pageAligned(t!)).toBe(true);
    expect(await stillFailingHalvings(t!, factory)).toEqual([]);
  }, 60_000);
});

describe('the minimiser faults: from large linked numbers to a minimal form', () => {
  test.each(MINIMIZER_FAULTS.map((f) => [f.id, f] as const))('%s', async (_id, fault) => {
    const factory = await resolveSubject(minimizerFaultPath(fault.id));
    const oracle = replayOracle({ subjectFactory: factory, modelFactory: model });
    expect(await oracle(fault.start)).not.toBeNull();
    // The fault is the fault's own: the production manager passes the starting trace.
    expect(await replayOracle({ subjectFactory: await resolveSubject('builtin:gpuvm'), modelFactory: model })(fault.start)).toBeNull();
    const r = await minimizeTrace(fault.start, oracle);
    expect(r).not.toBeNull();
    const t = r!.trace;
    expect(pageAligned(t)).toBe(!fault.subPage);
    expect(await stillFailingHalvings(t, factory)).toEqual([]);
    expect(t.commands.length).toBeLessThan(fault.start.commands.length);
  }, 60_000);
});

describe('joint candidates', () => {
  const big: Trace = {
    format: 'gpuvm-trace/1',
    vm: { start: 0n, range: 0x20000n },
    objects: [{ bo: 1 }],
    commands: [
      { cmd: 'map', addr: 0n, range: 0x20000n, bo: 1, offset: 0n },
      { cmd: 'unmap', addr: 0x10000n, range: 0x10000n },
    ],
  };

  it('linked large values: a stand-in bug needing the unmap to cover exactly the map\'s upper half minimises to pages', async () => {
    // Fails when the unmap is exactly the second half of the first map, which spans the VM:
    // every value is linked, so no single-field edit keeps it failing.
    const oracle = async (t: Trace): Promise<FailureOutcome | null> => {
      const [m, u] = t.commands as [Command, Command];
      if (m?.cmd !== 'map' || u?.cmd !== 'unmap') return null;
      const halfway = m.addr + m.range / 2n;
      const spansVm = m.addr === t.vm.start && m.range === t.vm.range;
      return spansVm && m.range >= 2n && u.addr === halfway && u.addr + u.range === m.addr + m.range ? { invariant: 'remap-offsets', kind: 'unmap', step: 1 } : null;
    };
    const r = await minimizeTrace(big, oracle);
    expect(r?.trace.vm).toEqual({ start: 0n, range: 0x2000n });
    expect(r?.trace.commands).toEqual([
      { cmd: 'map', addr: 0n, range: 0x2000n, bo: 1, offset: 0n },
      { cmd: 'unmap', addr: 0x1000n, range: 0x1000n },
    ]);
  });

  it('scale, close gaps and round keep linked fields linked, and never leave the u64 range', () => {
    const cands = jointCandidates(big);
    const half = cands.find((c) => c.what === 'scale by 1/2');
    expect(half?.trace.commands).toEqual([
      { cmd: 'map', addr: 0n, range: 0x10000n, bo: 1, offset: 0n },
      { cmd: 'unmap', addr: 0x8000n, range: 0x8000n },
    ]);
    for (const c of cands) {
      expect(granuleOf(c.trace)).toBeGreaterThanOrEqual(PAGE);
      const [m, u] = c.trace.commands as [Extract<Command, { cmd: 'map' }>, Extract<Command, { cmd: 'unmap' }>];
      // The unmap ended where the map ends; every joint edit keeps that.
      expect(u.addr + u.range).toBe(m.addr + m.range);
    }
    const top: Trace = { ...big, vm: { start: 2n ** 64n - 0x2000n, range: 0x2000n }, commands: [{ cmd: 'find_next', end: 2n ** 64n - 0x1000n }] };
    expect(mapTrace(top, (p) => p * 2n, (o) => o)).toBeNull();
  });

  it('a trace finer than a page is offered the way up to pages first', () => {
    const fine: Trace = { ...big, vm: { start: 0n, range: 4n }, commands: [{ cmd: 'map', addr: 1n, range: 1n, bo: 1, offset: 0x8000000000000000n }] };
    const first = jointCandidates(fine)[0];
    // All values scaled would overflow the offset; the addresses alone reach pages.
    expect(first?.what).toMatch(/scale the addresses by 4096/);
    expect(first?.trace.commands).toEqual([{ cmd: 'map', addr: 0x1000n, range: 0x1000n, bo: 1, offset: 0x8000000000000000n }]);
  });
});
