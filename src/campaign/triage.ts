/**
 * What a campaign does with the failing runs of each batch, in batch order.
 *
 * Every failing run arrives with its symptom (`src/findings/symptom.ts`);
 * runs that were a known finding arrive only as counts. A symptom already
 * claimed -- by a bug this campaign saved, or by a known finding -- costs
 * nothing more: the run is counted as a hit of its owner. A new symptom is
 * investigated once:
 *
 * 1. its failing run is minimised (delta debugging and simplification,
 *    keeping the symptom);
 * 2. root cause: the minimal trace is the same bug as a saved one (or as a
 *    known finding's trace) when the two minimal traces are equal, or when
 *    they reproduce each other, each one's failing command re-issued like the
 *    other's (`src/findings/root-cause.ts`); then the symptom is claimed by
 *    that bug and nothing is saved;
 * 3. otherwise it is a new bug: saved atomically to the output directory as
 *    `<invariant>-<hash>.json` with `meta`, and reported.
 *
 * With `maxFailures` the triage asks the campaign to stop once that many new
 * bugs are saved.
 */

import { saveTrace } from '../corpus/store.ts';
import { contentKey } from '../corpus/naming.ts';
import type { KnownFinding, KnownFindings } from '../findings/known.ts';
import { stepCause, variantsLike } from '../findings/root-cause.ts';
import { sameSymptom, symptomKey, type Symptom } from '../findings/symptom.ts';
import { minimizeTrace } from '../minimize/minimize-trace.ts';
import { decodeTraceValue, encodeTrace } from '../protocol/codec.ts';
import type { CommandKind, Trace } from '../protocol/types.ts';
import { failureReport } from '../report/failure.ts';
import type { BatchMessage, WireFailure } from './messages.ts';
import type { ReplayResult } from '../../properties/index.ts';
import { replayOnce, replayOracle, type ReplayEnv } from './replay-env.ts';

export interface TriageOptions {
  readonly env: ReplayEnv;
  /** The `--subject` spec (recorded in `meta.subject`, shown in the replay command). */
  readonly subject: string;
  /** Where failures are saved; null: not saved (the report then carries the trace itself). */
  readonly outDir: string | null;
  /** The campaign's `--seed` (recorded in `meta.campaignSeed` beside the batch number). */
  readonly campaignSeed: number;
  /** Receives each report (lines). */
  readonly report: (lines: readonly string[]) => void;
  /** Known findings: recognised, counted, never minimised or saved. */
  readonly known?: KnownFindings | null;
  /** Ask the campaign to stop once this many new bugs are saved (null: go on to the budget). */
  readonly maxFailures?: number | null;
  /** Bound on the minimiser's replays per new symptom (default 5000). */
  readonly maxMinimizeTests?: number;
}

/** One new bug the campaign found. */
export interface TriagedFailure {
  /** Its symptom key (the signature a findings file can name it by). */
  readonly signature: string;
  readonly invariant: string;
  readonly kind: CommandKind;
  readonly detail: string;
  /** The saved file, or null when nothing was saved. */
  readonly file: string | null;
  /** `saved` now, already there (`exists`), or not saved (`unsaved`). */
  readonly status: 'saved' | 'exists' | 'unsaved';
  /** Commands of the saved (minimised) trace, and of the failing run before minimising. */
  readonly commands: number;
  readonly commandsBeforeMinimizing: number;
  /** Whether the saved trace fails on replay (false only for a subject that does not replay deterministically). */
  readonly reproduces: boolean;
  /** The saved trace. */
  readonly trace: Trace;
  /** The cause its failing step shows by itself (`src/findings/root-cause.ts` `stepCause`), or null. */
  readonly cause: string | null;
  /** Failing runs attributed to this bug, its first included. */
  hits: number;
  /** Other symptoms found to be this bug, and how. */
  readonly aliases: Alias[];
}

/** A symptom found to belong to a bug or a known finding, with its minimal trace. */
export interface Alias {
  readonly signature: string;
  readonly how: string;
  readonly symptom: Symptom;
  readonly trace: Trace;
  /** The cause its failing step shows by itself (`stepCause`), or null. */
  readonly cause: string | null;
}

/** How often a known finding was hit. */
export interface KnownHit {
  readonly finding: KnownFinding;
  hits: number;
  /** Symptoms recognised as this finding after minimising them (beyond its signature), and how. */
  readonly aliases: Alias[];
}

type Owner = { readonly bug: TriagedFailure } | { readonly known: KnownHit };

export class Triage {
  /** Symptom key -> the bug or known finding it belongs to. */
  private readonly claims = new Map<string, Owner>();
  private readonly bugs: TriagedFailure[] = [];
  readonly failures: TriagedFailure[] = [];
  /** Known findings by id (every finding of the file, hit or not). */
  readonly known = new Map<string, KnownHit>();
  /** Failing runs attributed to a bug already saved (repeats). */
  duplicates = 0;
  /** The first new bug in batch order: when its run failed (ms since the epoch) and its run number (1-based, over batches in order). */
  firstFailure: { readonly at: number; readonly runs: number } | null = null;
  private processedRuns = 0;
  private full = false;

  constructor(private readonly opts: TriageOptions) {
    for (const f of opts.known?.findings ?? []) this.known.set(f.id, { finding: f, hits: 0, aliases: [] });
  }

  /** Known-finding hits in all. */
  get knownHits(): number {
    let n = 0;
    for (const k of this.known.values()) n += k.hits;
    return n;
  }

  /** Handle one batch; `'stop'` once `maxFailures` new bugs are saved. */
  async handle(batch: BatchMessage): Promise<'stop' | undefined> {
    for (const [id, n] of Object.entries(batch.knownHits)) {
      const k = this.known.get(id);
      if (k !== undefined) k.hits += n;
    }
    for (const f of batch.failures) {
      const n = 1 + f.repeats;
      const owner = this.claims.get(f.key);
      if (owner !== undefined) {
        this.attribute(owner, n);
        continue;
      }
      if (this.full) continue;
      await this.investigate(batch, f, n);
      const max = this.opts.maxFailures ?? null;
      if (max !== null && this.failures.length >= max) this.full = true;
    }
    this.processedRuns += batch.runs;
    return this.full ? 'stop' : undefined;
  }

  private attribute(owner: Owner, runs: number): void {
    if ('bug' in owner) {
      owner.bug.hits += runs;
      this.duplicates += runs;
    } else {
      owner.known.hits += runs;
    }
  }

  private async symptomOfReplay(t: Trace): Promise<Symptom | null> {
    const o = await replayOracle(this.opts.env)(t);
    return o === null ? null : { invariant: o.invariant, kind: o.kind, detail: o.detail ?? '' };
  }

  /**
   * Whether two minimal traces with symptoms `sa` and `sb` reproduce each
   * other: each one's last command, re-issued like the other's, fails with the
   * other's symptom (`src/findings/root-cause.ts`).
   */
  private async reproduceEachOther(ta: Trace, sa: Symptom, tb: Trace, sb: Symptom): Promise<boolean> {
    const la = ta.commands[ta.commands.length - 1];
    const lb = tb.commands[tb.commands.length - 1];
    if (la === undefined || lb === undefined) return false;
    const reproduces = async (variants: readonly Trace[], s: Symptom): Promise<boolean> => {
      for (const v of variants) if (sameSymptom(await this.symptomOfReplay(v), s)) return true;
      return false;
    };
    return (await reproduces(variantsLike(ta, lb), sb)) && (await reproduces(variantsLike(tb, la), sa));
  }

  /** Every (symptom, minimal trace, cause) known to belong to `owner`: its own, then its aliases'. */
  private async membersOf(owner: Owner): Promise<{ symptom: Symptom; trace: Trace; cause: string | null }[]> {
    const out: { symptom: Symptom; trace: Trace; cause: string | null }[] = [];
    if ('bug' in owner) {
      const b = owner.bug;
      if (b.reproduces) out.push({ symptom: { invariant: b.invariant, kind: b.kind, detail: b.detail }, trace: b.trace, cause: b.cause });
      for (const a of b.aliases) out.push(a);
    } else {
      const f = owner.known.finding;
      if (f.minimalTrace !== null && f.traceSymptom !== null) out.push({ symptom: f.traceSymptom, trace: f.minimalTrace, cause: await this.knownCause(f) });
      for (const a of owner.known.aliases) out.push(a);
    }
    return out;
  }

  private readonly knownCauses = new Map<string, string | null>();

  /** The cause a known finding's trace shows (replayed once). */
  private async knownCause(f: KnownFinding): Promise<string | null> {
    if (!this.knownCauses.has(f.id)) this.knownCauses.set(f.id, f.minimalTrace === null ? null : (await this.replayed(f.minimalTrace)).cause);
    return this.knownCauses.get(f.id) ?? null;
  }

  /** Replay a minimal trace once: its failing step's record (null: it passed) and the cause it shows. */
  private async replayed(trace: Trace): Promise<{ failing: Extract<ReplayResult, { ok: false }> | null; cause: string | null }> {
    const r = await replayOnce(trace, this.opts.env);
    if (r.ok) return { failing: null, cause: null };
    const last = trace.commands[r.violation.step];
    return { failing: r, cause: last === undefined ? null : stepCause(trace, last, r.failing) };
  }

  /**
   * The bug or known finding a new symptom's minimal trace belongs to, and
   * how we know: the same minimal trace as one of its members, the same cause
   * shown by the failing step (`accepts a zero range`), or a minimal trace
   * that reproduces a member's and is reproduced by it. Null: a new bug.
   */
  private async ownerOf(trace: Trace, symptom: Symptom, cause: string | null): Promise<{ owner: Owner; how: string } | null> {
    const key = contentKey(trace);
    const owners: Owner[] = [...[...this.known.values()].map((k) => ({ known: k })), ...this.bugs.map((b) => ({ bug: b }))];
    for (const owner of owners) {
      if ('known' in owner && owner.known.finding.traceKey === key) return { owner, how: "the same minimal trace as the finding's" };
      for (const m of await this.membersOf(owner)) {
        if (contentKey(m.trace) === key) return { owner, how: 'the same minimal trace' };
        if (cause !== null && m.cause === cause) return { owner, how: `both failing steps are the subject accepting what the model rejects: it ${cause}` };
        if (await this.reproduceEachOther(trace, symptom, m.trace, m.symptom)) {
          return { owner, how: `its minimal trace and that of ${symptomKey(m.symptom)} reproduce each other, failing commands swapped` };
        }
      }
    }
    return null;
  }

  /** Claim `key` for `owner`, count the runs and say so in one line. */
  private merge(key: string, member: { symptom: Symptom; trace: Trace; cause: string | null }, runs: number, found: { owner: Owner; how: string }): void {
    const { owner, how } = found;
    this.claims.set(key, owner);
    this.attribute(owner, runs);
    const alias: Alias = { signature: key, how, ...member };
    if ('bug' in owner) {
      owner.bug.aliases.push(alias);
      this.opts.report([`SAME BUG: ${key} is ${owner.bug.file ?? owner.bug.signature} (${how})`]);
    } else {
      owner.known.aliases.push(alias);
      this.opts.report([`KNOWN: ${key} is known finding ${owner.known.finding.id} (${how})`]);
    }
  }

  /** A new symptom: minimise, look for its root cause among saved bugs and known findings, else save it. */
  private async investigate(batch: BatchMessage, f: WireFailure, runs: number): Promise<void> {
    const o = this.opts;
    const symptom: Symptom = { invariant: f.invariant, kind: f.kind, detail: f.detail };
    const raw = decodeTraceValue(f.trace, `campaign batch ${batch.index}`);
    const min = await minimizeTrace(raw, replayOracle(o.env), {
      maxTests: o.maxMinimizeTests ?? 5000,
      ...(o.env.capabilities === undefined ? {} : { capabilities: o.env.capabilities }),
    });
    const trace: Trace = {
      ...(min?.trace ?? raw),
      meta: { invariant: f.invariant, seed: f.seed, path: f.path, subject: o.subject, campaignSeed: o.campaignSeed, batch: batch.index },
    };
    const { failing, cause } = min === null ? { failing: null, cause: null } : await this.replayed(trace);
    const owner = min === null ? null : await this.ownerOf(trace, symptom, cause);
    if (owner !== null) return this.merge(f.key, { symptom, trace, cause }, runs, owner);

    let file: string | null = null;
    let status: TriagedFailure['status'] = 'unsaved';
    if (o.outDir !== null) {
      const saved = await saveTrace(o.outDir, trace, f.invariant);
      file = saved.file;
      status = saved.status;
    }
    const bug: TriagedFailure = {
      signature: f.key,
      invariant: f.invariant,
      kind: f.kind,
      detail: f.detail,
      file,
      status,
      commands: trace.commands.length,
      commandsBeforeMinimizing: raw.commands.length,
      reproduces: min !== null,
      trace,
      cause,
      hits: runs,
      aliases: [],
    };
    this.bugs.push(bug);
    this.failures.push(bug);
    this.claims.set(f.key, { bug });
    this.firstFailure ??= { at: f.at, runs: this.processedRuns + f.run + 1 };
    this.duplicates += runs - 1;
    this.reportNew(bug, f, raw, failing);
  }

  private reportNew(bug: TriagedFailure, f: WireFailure, raw: Trace, replay: Extract<ReplayResult, { ok: false }> | null): void {
    const o = this.opts;
    const { trace, file, status } = bug;
    const note = !bug.reproduces
      ? 'does not fail when replayed: saved unminimised'
      : `${raw.commands.length} -> ${trace.commands.length} commands${status === 'exists' ? ', already in the corpus' : ''}`;
    // The trace was replayed once after minimising: when it did not fail, say so.
    if (replay === null) {
      o.report([`FAILURE: ${f.message}`, `  ${note}`, `  signature: ${bug.signature}`, ...(file === null ? [] : [`  saved as ${file}`])]);
      return;
    }
    const lines = failureReport({
      trace,
      violation: replay.violation,
      step: replay.failing,
      file,
      saved: file !== null,
      subject: o.subject,
      note: `${note}; fast-check seed ${f.seed} path ${f.path}`,
      signature: bug.signature,
    });
    if (file === null) lines.push('', 'Trace (save it as a .json file to replay it):', encodeTrace(trace).trimEnd());
    o.report(lines);
  }
}
