/**
 * Executes commands on a subject and the reference model side by side and
 * checks every invariant after each one. Shared by `replayTrace` and the
 * stateful property. Synchronous subjects run without a single `await`
 * (see `maybe-async.ts`).
 */
import type { Command, Observation, Snapshot, Subject, TraceHeader } from '../src/protocol/types.ts';
import { nextHeldRefs, NO_HELD_REFS, type HeldRefs } from './held-refs.ts';
import { drive, type MaybePromise } from './maybe-async.ts';
import { firstViolation, subjectError, violationAfterThrow } from './step-checker.ts';
import type { InvariantViolation } from './violation.ts';

/** One executed command: what the subject and the model did. */
export interface StepRecord {
  /** 0-based index of the command. */
  readonly index: number;
  readonly command: Command;
  /** The subject's snapshot before the command. */
  readonly before: Snapshot;
  /** The subject's snapshot after the command. */
  readonly after: Snapshot;
  readonly observation: Observation;
  /** The model's observation. */
  readonly expectedObservation: Observation;
  /** The model's snapshot after the command. */
  readonly expectedAfter: Snapshot;
}

/**
 * Thrown by {@link StepRunner.step} when an invariant fails: the violation and
 * the step record (null when the subject threw and there is no observation).
 */
export class StepFailed extends Error {
  readonly violation: InvariantViolation;
  readonly failing: StepRecord | null;
  constructor(violation: InvariantViolation, failing: StepRecord | null) {
    super(violation.message);
    this.name = 'StepFailed';
    this.violation = violation;
    this.failing = failing;
  }
}

/**
 * Runs commands on a subject and the reference model in lock step, keeping
 * the subject's last snapshot (the next command's "before"), the model's last
 * snapshot (what the arbitraries resolve against) and the driver-held
 * reference counts. `start` once per run, then `step` per command.
 */
export class StepRunner {
  readonly subject: Subject;
  readonly model: Subject;
  private header: TraceHeader | null = null;
  private before: Snapshot | null = null;
  private modelState: Snapshot | null = null;
  private held: HeldRefs = NO_HELD_REFS;
  private nextIndex = 0;
  /** Called after every command that passed all checks. */
  onStep: ((s: StepRecord) => void) | null = null;

  constructor(subject: Subject, model: Subject) {
    this.subject = subject;
    this.model = model;
  }

  /** Number of commands executed since the last `start`. */
  get steps(): number {
    return this.nextIndex;
  }

  /** The model's current snapshot (the arbitraries resolve anchors against it). */
  get modelSnapshot(): Snapshot {
    if (this.modelState === null) throw new Error('StepRunner.start() has not been called');
    return this.modelState;
  }

  /** The trace header of the current run. */
  get currentHeader(): TraceHeader {
    if (this.header === null) throw new Error('StepRunner.start() has not been called');
    return this.header;
  }

  /** Resets model and subject to `header` and takes their first snapshots. */
  start(header: TraceHeader): MaybePromise<void> {
    return drive(this.startGen(header));
  }

  private *startGen(header: TraceHeader): Generator<unknown, void, unknown> {
    this.header = header;
    this.held = NO_HELD_REFS;
    this.nextIndex = 0;
    yield this.model.reset(header);
    this.modelState = (yield this.model.snapshot()) as Snapshot;
    yield this.subject.reset(header);
    this.before = (yield this.subject.snapshot()) as Snapshot;
  }

  /**
   * Executes `command` on the model, then on the subject, snapshots both and
   * checks every invariant. Throws {@link StepFailed} on a violation; an
   * exception from the model propagates unchanged (the oracle is broken).
   */
  step(command: Command): MaybePromise<StepRecord> {
    return drive(this.stepGen(command));
  }

  private *stepGen(command: Command): Generator<unknown, StepRecord, unknown> {
    const header = this.currentHeader;
    const before = this.before!;
    const index = this.nextIndex++;
    const expectedObservation = (yield this.model.exec(command)) as Observation;
    const expectedAfter = (yield this.model.snapshot()) as Snapshot;
    this.modelState = expectedAfter;

    let observation: Observation;
    try {
      observation = (yield this.subject.exec(command)) as Observation;
    } catch (error) {
      let after: Snapshot;
      try {
        after = (yield this.subject.snapshot()) as Snapshot;
      } catch (snapError) {
        throw new StepFailed(subjectError(index, command, error, `the subject threw, then its snapshot threw ${String(snapError)}`), null);
      }
      throw new StepFailed(violationAfterThrow({ header, after, held: this.held }, index, command, error), null);
    }
    let after: Snapshot;
    let accounting = null;
    try {
      accounting = this.subject.accounting?.() ?? null;
      after = (yield this.subject.snapshot()) as Snapshot;
    } catch (error) {
      throw new StepFailed(subjectError(index, command, error, 'the subject threw while reporting its state'), null);
    }
    const held = nextHeldRefs(this.held, command, observation);
    const record: StepRecord = { index, command, before, after, observation, expectedObservation, expectedAfter };
    const v = firstViolation({
      header,
      step: index,
      command,
      before,
      observation,
      after,
      accounting,
      held,
      expectedObservation,
      expectedAfter,
    });
    if (v !== null) throw new StepFailed(v, record);
    this.held = held;
    this.before = after;
    if (this.onStep !== null) this.onStep(record);
    return record;
  }
}
