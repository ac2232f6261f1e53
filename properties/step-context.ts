/**
 * What an invariant sees: only what the subject itself produced for one
 * command (plus the trace header and, for `model-agrees` alone, the model's
 * answer). Invariants are pure functions of this context.
 */
import type {
  Accounting,
  BoId,
  Command,
  Observation,
  Snapshot,
  SubjectReport,
  TraceHeader,
} from '../src/protocol/types.ts';
import type { InvariantName } from './invariant-names.ts';
import type { Failure } from './violation.ts';

/** The state after a command, for the structural invariants (they also run after a subject threw). */
export interface StructuralContext {
  readonly header: TraceHeader;
  readonly after: Snapshot;
  /**
   * References the driver holds on each object's vm_bo after the command,
   * derived from the successful `bo_get` / `bo_put` commands so far (absent = 0).
   */
  readonly held: ReadonlyMap<BoId, number>;
}

/** Everything about one executed command. */
export interface StepContext extends StructuralContext {
  /** 0-based index of the command in the trace. */
  readonly step: number;
  readonly command: Command;
  readonly before: Snapshot;
  readonly observation: Observation;
  /** The subject's book-keeping for this command, or null when it reports none. */
  readonly accounting: Accounting | null;
  /** What the subject reported about itself during the command (absent or empty: nothing). */
  readonly reports?: readonly SubjectReport[];
  /** The reference model's observation, or null when no model is compared. */
  readonly expectedObservation: Observation | null;
  /** The reference model's snapshot after the command, or null when no model is compared. */
  readonly expectedAfter: Snapshot | null;
}

/** A named check over one command. Returns null when it holds. */
export interface Invariant {
  readonly name: InvariantName;
  check(ctx: StepContext): Failure | null;
}

/** A named check over the state after a command alone. */
export interface StructuralInvariant {
  readonly name: InvariantName;
  check(ctx: StructuralContext): Failure | null;
}
