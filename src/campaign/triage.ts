/**
 * What a campaign does with each failing batch, in batch order: deduplicate
 * by signature (invariant + kind of the failing command), minimise the
 * shrunk counterexample with delta debugging, save it to the output
 * directory with `meta`, and print the failure report.
 */

import { saveTrace } from '../corpus/store.ts';
import { failureSignature } from '../corpus/naming.ts';
import { minimizeTrace } from '../minimize/minimize-trace.ts';
import { decodeTraceValue, encodeTrace } from '../protocol/codec.ts';
import type { CommandKind, Trace } from '../protocol/types.ts';
import { failureReport } from '../report/failure.ts';
import type { BatchMessage } from './messages.ts';
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
}

/** One distinct failure of the campaign. */
export interface TriagedFailure {
  readonly signature: string;
  readonly invariant: string;
  readonly kind: CommandKind;
  /** The saved file, or null when nothing was saved. */
  readonly file: string | null;
  /** `saved` now, already there (`exists`), or not saved (`unsaved`). */
  readonly status: 'saved' | 'exists' | 'unsaved';
  /** Commands of the saved (minimised) trace, and of the counterexample before minimising. */
  readonly commands: number;
  readonly commandsBeforeMinimizing: number;
  /** Whether the saved trace fails on replay (false only for a subject that does not replay deterministically). */
  readonly reproduces: boolean;
  /** The trace as saved (or as it would have been saved): minimised, with `meta`. */
  readonly trace: Trace;
}

export class Triage {
  private readonly seen = new Set<string>();
  readonly failures: TriagedFailure[] = [];
  /** Failing batches whose signature was already seen. */
  duplicates = 0;

  constructor(private readonly opts: TriageOptions) {}

  /** Handle one batch (nothing to do unless it failed). */
  async handle(batch: BatchMessage): Promise<void> {
    const f = batch.failure;
    if (f === null) return;
    const signature = failureSignature(f.invariant, f.kind);
    if (this.seen.has(signature)) {
      this.duplicates++;
      return;
    }
    this.seen.add(signature);
    const o = this.opts;
    const shrunk = decodeTraceValue(f.trace, `campaign batch ${batch.index}`);
    const min = await minimizeTrace(shrunk, replayOracle(o.env), o.env.capabilities === undefined ? {} : { capabilities: o.env.capabilities });
    const invariant = min?.outcome.invariant ?? f.invariant;
    const kind = min?.outcome.kind ?? f.kind;
    this.seen.add(failureSignature(invariant, kind));
    const trace: Trace = {
      ...(min?.trace ?? shrunk),
      meta: { invariant, seed: f.seed, path: f.path, subject: o.subject, campaignSeed: o.campaignSeed, batch: batch.index },
    };
    let file: string | null = null;
    let status: TriagedFailure['status'] = 'unsaved';
    if (o.outDir !== null) {
      const saved = await saveTrace(o.outDir, trace, invariant);
      file = saved.file;
      status = saved.status;
    }
    this.failures.push({
      signature,
      invariant,
      kind,
      file,
      status,
      commands: trace.commands.length,
      commandsBeforeMinimizing: shrunk.commands.length,
      reproduces: min !== null,
      trace,
    });

    const note =
      min === null
        ? `does not fail when replayed: saved unminimised`
        : `${shrunk.commands.length} -> ${trace.commands.length} commands${status === 'exists' ? ', already in the corpus' : ''}`;
    // The minimiser already replayed the trace: when it did not fail, say so
    // without replaying again; else replay once more for the failing step's record.
    const replay = min === null ? null : await replayOnce(trace, o.env);
    if (replay === null || replay.ok) {
      o.report([`FAILURE: ${f.message}`, `  ${note}`, ...(file === null ? [] : [`  saved as ${file}`])]);
    } else {
      const lines = failureReport({
        trace,
        violation: replay.violation,
        step: replay.failing,
        file,
        saved: file !== null,
        subject: o.subject,
        note: `${note}; fast-check seed ${f.seed} path ${f.path}`,
      });
      if (file === null) lines.push('', 'Trace (save it as a .json file to replay it):', encodeTrace(trace).trimEnd());
      o.report(lines);
    }
  }
}
