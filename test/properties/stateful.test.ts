/**
 * The stateful property with pinned seeds: the production manager under the
 * harness's driver, and the reference model against itself as a sanity check.
 */
import { describe, expect, it } from 'vitest';
import { COMMAND_KINDS, type Snapshot, type Subject, type SubjectFactory, type TraceHeader } from '../../src/protocol/types.ts';
import { ReferenceModel } from '../../model/index.ts';
import { resolveSubject } from '../../src/subjects.ts';
import { CASE_KEYS, MADVISE_CASE_KEYS, runProperty, type PropertyResult } from '../../properties/index.ts';

/** A result without its start time (a clock reading, the one part a pinned seed does not fix). */
function untimed(r: PropertyResult): Omit<PropertyResult, 'startedAt'> {
  const { startedAt: _t, ...rest } = r;
  return rest;
}

function merge(results: PropertyResult[]): { cases: Record<string, number>; kinds: Record<string, number> } {
  const cases: Record<string, number> = {};
  const kinds: Record<string, number> = {};
  for (const r of results) {
    for (const [k, v] of Object.entries(r.cases)) cases[k] = (cases[k] ?? 0) + v;
    for (const [k, v] of Object.entries(r.kinds)) kinds[k] = (kinds[k] ?? 0) + v;
  }
  return { cases, kinds };
}

/** What the runs did with the VM modes, counted per mode ("immediate" / "resvProtected" / "plain" / "both"). */
interface ModeStats {
  runs: Record<string, number>;
  zombiesMade: Record<string, number>;
  zombiesFreed: Record<string, number>;
  /** Snapshots where an object had a zombie and a live vm_bo at once. */
  zombieBesideLive: Record<string, number>;
}

function modeOf(h: TraceHeader): string {
  const i = h.flags?.immediate === true;
  const p = h.flags?.resvProtected === true;
  return i && p ? 'both' : i ? 'immediate' : p ? 'resvProtected' : 'plain';
}

/** `base`, watched: every reset's mode and how each command changed the zombies. */
function watched(base: SubjectFactory, stats: ModeStats): SubjectFactory {
  const add = (m: Record<string, number>, k: string, n = 1) => void (m[k] = (m[k] ?? 0) + n);
  return async () => {
    const s = await base();
    let mode = '';
    let last: Snapshot | null = null;
    let cleanup = false;
    return {
      name: s.name,
      reset: (h) => {
        mode = modeOf(h);
        add(stats.runs, mode);
        last = null;
        return s.reset(h);
      },
      exec: (c) => {
        cleanup = c.cmd === 'deferred_cleanup';
        return s.exec(c);
      },
      snapshot: () => {
        const now = s.snapshot() as Snapshot;
        if (last !== null) {
          const grew = now.deferred.length - last.deferred.length;
          if (grew > 0) add(stats.zombiesMade, mode, grew);
          if (cleanup) add(stats.zombiesFreed, mode, last.deferred.length);
        }
        if (now.deferred.some((z) => now.vmBos.some((b) => b.bo === z.bo))) add(stats.zombieBesideLive, mode);
        last = now;
        return now;
      },
      accounting: () => s.accounting?.() ?? null,
      close: () => s.close?.(),
    };
  };
}

describe('stateful property', () => {
  it('builtin:gpuvm passes on pinned seeds and hits all fifteen cases, the madvise cases and every command kind', async () => {
    const stats: ModeStats = { runs: {}, zombiesMade: {}, zombiesFreed: {}, zombieBesideLive: {} };
    const factory = watched(await resolveSubject('builtin:gpuvm'), stats);
    const results = [
      await runProperty({ subjectFactory: factory, seed: 1, numRuns: 150 }),
      await runProperty({ subjectFactory: factory, seed: 2, numRuns: 150 }),
    ];
    for (const r of results) {
      expect(r.failure?.violation.detail() ?? null).toBeNull();
      expect(r.runs).toBe(150);
    }
    const { cases, kinds } = merge(results);
    expect(CASE_KEYS.filter((k) => (cases[k] ?? 0) === 0)).toEqual([]);
    expect(MADVISE_CASE_KEYS.filter((k) => (cases[k] ?? 0) === 0)).toEqual([]);
    expect(COMMAND_KINDS.filter((k) => (kinds[k] ?? 0) === 0)).toEqual([]);
    // Every combination of the two flags, and zombies made, seen next to a live vm_bo and freed in both resv settings.
    expect(Object.keys(stats.runs).sort()).toEqual(['both', 'immediate', 'plain', 'resvProtected']);
    for (const mode of ['immediate', 'both']) {
      expect(stats.zombiesMade[mode] ?? 0, mode).toBeGreaterThanOrEqual(10);
      expect(stats.zombiesFreed[mode] ?? 0, mode).toBeGreaterThanOrEqual(5);
      expect(stats.zombieBesideLive[mode] ?? 0, mode).toBeGreaterThanOrEqual(10);
    }
    for (const mode of ['plain', 'resvProtected']) expect(stats.zombiesMade[mode] ?? 0, mode).toBe(0);
  });

  it('builtin:model agrees with itself on a pinned seed and hits all fifteen cases', async () => {
    const r = await runProperty({ subjectFactory: await resolveSubject('builtin:model'), seed: 3, numRuns: 150 });
    expect(r.failure?.violation.detail() ?? null).toBeNull();
    expect(CASE_KEYS.filter((k) => (r.cases[k] ?? 0) === 0)).toEqual([]);
  });

  it('runs are a few dozen commands long and a pinned seed reproduces the same run', async () => {
    const factory = await resolveSubject('builtin:model');
    const a = await runProperty({ subjectFactory: factory, seed: 11, numRuns: 40 });
    const b = await runProperty({ subjectFactory: factory, seed: 11, numRuns: 40 });
    expect(a.commands / a.runs).toBeGreaterThan(15);
    expect(untimed(b)).toEqual(untimed(a));
    expect(a.startedAt).not.toBeNull();
  });

  it('runs an async subject exactly like a synchronous one', async () => {
    const asyncModel = (): Subject => {
      const m = new ReferenceModel();
      return {
        name: 'async-model',
        reset: async (h) => m.reset(h),
        exec: async (c) => m.exec(c),
        snapshot: async () => m.snapshot(),
      };
    };
    const a = await runProperty({ subjectFactory: asyncModel, seed: 13, numRuns: 30 });
    const b = await runProperty({ subjectFactory: () => new ReferenceModel(), seed: 13, numRuns: 30 });
    expect(a.failure).toBeNull();
    expect(untimed(a)).toEqual(untimed(b));
  });

  it('maxCommands bounds the length of every run', async () => {
    const r = await runProperty({ subjectFactory: await resolveSubject('builtin:model'), seed: 5, numRuns: 30, maxCommands: 4 });
    expect(r.failure).toBeNull();
    expect(r.commands).toBeLessThanOrEqual(4 * 30);
  });
});
