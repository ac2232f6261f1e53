/**
 * The trace minimiser: delta debugging over the commands, then joint
 * simplification (every linked value at once: scale, shift, close gaps,
 * round) and field simplification (one value at a time), repeated until none
 * makes progress.
 *
 * "Still fails" means: replaying the candidate fails the same way as the
 * original -- the same invariant at a command of the same kind and, when the
 * oracle reports one, with the same symptom detail (`src/findings/symptom.ts`).
 * Anything else counts as passing (ddmin's unresolved outcome). Commands after
 * the failing step never matter and are cut off after every accepted candidate.
 */

import type { CommandKind, SubjectCapabilities, Trace } from '../protocol/types.ts';
import { firstUnsupported } from '../protocol/capabilities.ts';
import { contentKey } from '../corpus/naming.ts';
import { ddmin } from './ddmin.ts';
import { jointCandidates } from './joint.ts';
import { commandCandidates, objectCandidates, vmCandidates, type Candidate } from './simplify.ts';

/** How a replay failed: the invariant, the failing command's kind, the symptom detail (if known) and its 0-based step. */
export interface FailureOutcome {
  readonly invariant: string;
  readonly kind: CommandKind;
  readonly detail?: string;
  readonly step: number;
}

/** Whether two outcomes are the same failure (a detail counts only when both have one). */
export function sameFailure(a: FailureOutcome, b: FailureOutcome | null): b is FailureOutcome {
  if (b === null || a.invariant !== b.invariant || a.kind !== b.kind) return false;
  return a.detail === undefined || b.detail === undefined || a.detail === b.detail;
}

/** Replays a trace: the failure, or null when it passes. Must be deterministic. */
export type TraceOracle = (trace: Trace) => Promise<FailureOutcome | null>;

export interface MinimizeOptions {
  /** Upper bound on replays (default 5000); the best trace so far is returned when reached. */
  readonly maxTests?: number;
  /**
   * What the subject supports: a candidate using anything else (a `via` it
   * lacks, once "drop via" makes a steps-only command default to ops) is never
   * replayed and counts as passing. Absent: everything.
   */
  readonly capabilities?: SubjectCapabilities;
}

export interface MinimizeResult {
  readonly trace: Trace;
  /** The failure of the minimised trace (same invariant and kind as the input's). */
  readonly outcome: FailureOutcome;
  /** The input's failure. */
  readonly original: FailureOutcome;
  readonly commandsBefore: number;
  readonly commandsAfter: number;
  /** Replays run (distinct traces: a repeated one is not replayed again). */
  readonly tests: number;
}

class Budget extends Error {}

/**
 * Minimise `trace` under `oracle`. Returns null when `trace` does not fail
 * at all. `meta` of the input is kept as it is.
 */
export async function minimizeTrace(trace: Trace, oracle: TraceOracle, opts: MinimizeOptions = {}): Promise<MinimizeResult | null> {
  const maxTests = opts.maxTests ?? 5000;
  const caps = opts.capabilities;
  let tests = 0;
  // The oracle is deterministic, so a trace already replayed (ddmin's confirmed
  // subsequence, a candidate re-offered by a later pass) is answered from here.
  const seen = new Map<string, FailureOutcome | null>();
  // Candidates answered from the cache cost nothing but are bounded too, as a
  // guard against a pass that keeps re-offering what it has seen.
  let asked = 0;
  const run = async (t: Trace): Promise<FailureOutcome | null> => {
    if (++asked > maxTests * 20) throw new Budget();
    const key = contentKey(t);
    const known = seen.get(key);
    if (known !== undefined) return known;
    if (caps !== undefined && firstUnsupported(t, caps) >= 0) return null;
    if (tests >= maxTests) throw new Budget();
    tests++;
    const outcome = await oracle(t);
    seen.set(key, outcome);
    return outcome;
  };
  const original = await run(trace);
  if (original === null) return null;
  const same = (o: FailureOutcome | null): o is FailureOutcome => sameFailure(original, o);
  const cut = (t: Trace, o: FailureOutcome): Trace => (o.step + 1 < t.commands.length ? { ...t, commands: t.commands.slice(0, o.step + 1) } : t);

  let best = cut(trace, original);
  let bestOutcome = original;
  const accept = (t: Trace, o: FailureOutcome): void => {
    best = cut(t, o);
    bestOutcome = o;
  };
  const tryCandidates = async (candidates: readonly Candidate[]): Promise<boolean> => {
    for (const cand of candidates) {
      const o = await run(cand.trace);
      if (same(o)) {
        accept(cand.trace, o);
        return true;
      }
    }
    return false;
  };

  try {
    for (let round = 0; round < 8; round++) {
      // 1. Delta debugging over whole commands.
      const before = best;
      const reduced = await ddmin(best.commands, async (commands) => same(await run({ ...before, commands })));
      if (reduced.items.length < best.commands.length) {
        const t = { ...before, commands: reduced.items };
        const o = await run(t);
        if (same(o)) accept(t, o);
      }
      // 2. Joint simplification (every linked value at once), then field
      //    simplification slot by slot, until a whole pass changes nothing.
      let changed = false;
      for (let pass = true; pass; ) {
        pass = false;
        while (await tryCandidates(jointCandidates(best))) pass = true;
        while (await tryCandidates(vmCandidates(best))) pass = true;
        while (await tryCandidates(objectCandidates(best))) pass = true;
        for (let i = 0; i < best.commands.length; i++) {
          while (i < best.commands.length && (await tryCandidates(commandCandidates(best, i)))) pass = true;
        }
        changed ||= pass;
      }
      if (!changed) break;
    }
  } catch (e) {
    if (!(e instanceof Budget)) throw e;
  }
  return {
    trace: best,
    outcome: bestOutcome,
    original,
    commandsBefore: trace.commands.length,
    commandsAfter: best.commands.length,
    tests,
  };
}
