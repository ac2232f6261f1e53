/**
 * Executes commands on a subject and the reference model side by side and
 * checks every invariant after each one. Shared by `replayTrace` and the
 * stateful property. Synchronous subjects run without a single `await`
 * (see `maybe-async.ts`).
 */
import type { Command, Observation, Snapshot, Subject, SubjectReport, TraceHeader } from '../src/protocol/types.ts';
import { nextHeldRefs, NO_HELD_REFS, type HeldRefs } from './held-refs.ts';
import { drive, isThenable, type MaybePromise } from './maybe-async.ts';
import { firstViolation, processFailureViolation, subjectError, violationAfterThrow } from './step-checker.ts';
import { SubjectFailure } from '../src/protocol/subject-errors.ts';
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
  /** A subject process that failed during `start`: reported at the run's first command. */
  private startFailure: SubjectFailure | null = null;
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
    this.startFailure = null;
    yield this.model.reset(header);
    this.modelState = (yield this.model.snapshot()) as Snapshot;
    try {
      yield this.subject.reset(header);
      this.before = (yield this.subject.snapshot()) as Snapshot;
    } catch (e) {
      // A subject process that crashes, hangs or breaks the protocol here is a
      // finding like any other: it is reported at the first command of the run.
      if (!(e instanceof SubjectFailure)) throw e;
      this.startFailure = e;
    }
  }

  /**
   * Executes `command` on the subject and the model, snapshots both and
   * checks every invariant. The subject is asked first, so that a subject in
   * another process works while the model does. Throws {@link StepFailed} on
   * a violation (a subject process's crash, hang or protocol error included:
   * its snapshot is then not asked for); an exception from the model
   * propagates unchanged (the oracle is broken).
   */
  step(command: Command): MaybePromise<StepRecord> {
    return drive(this.stepGen(command));
  }

  private *stepGen(command: Command): Generator<unknown, StepRecord, unknown> {
    const header = this.currentHeader;
    const before = this.before!;
    const index = this.nextIndex++;
    if (this.startFailure !== null) throw new StepFailed(processFailureViolation(index, command, this.startFailure, true), null);
    let pending: unknown;
    let threwAtOnce = false;
    try {
      pending = this.subject.exec(command);
      // Handled here so that it is never an unhandled rejection while the model runs; awaited below.
      if (isThenable(pending)) pending.then(undefined, () => undefined);
    } catch (error) {
      pending = error;
      threwAtOnce = true;
    }
    const expectedObservation = (yield this.model.exec(command)) as Observation;
    const expectedAfter = (yield this.model.snapshot()) as Snapshot;
    this.modelState = expectedAfter;

    let observation: Observation;
    try {
      if (threwAtOnce) throw pending;
      observation = (yield pending) as Observation;
    } catch (error) {
      if (error instanceof SubjectFailure) throw new StepFailed(processFailureViolation(index, command, error), null);
      let after: Snapshot;
      try {
        after = (yield this.subject.snapshot()) as Snapshot;
      } catch (snapError) {
        if (snapError instanceof SubjectFailure) throw new StepFailed(processFailureViolation(index, command, snapError), null);
        throw new StepFailed(subjectError(index, command, error, `the subject threw, then its snapshot threw ${String(snapError)}`), null);
      }
      throw new StepFailed(violationAfterThrow({ header, after, held: this.held }, index, command, error), null);
    }
    let after: Snapshot;
    let accounting = null;
    let reports: readonly SubjectReport[] | undefined;
    try {
      accounting = this.subject.accounting?.() ?? null;
      reports = this.subject.reports?.();
      after = (yield this.subject.snapshot()) as Snapshot;
    } catch (error) {
      if (error instanceof SubjectFailure) throw new StepFailed(processFailureViolation(index, command, error), null);
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
      reports,
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
