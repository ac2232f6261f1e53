/**
 * The engine of gpuvm-check: named invariants, the step checker, trace
 * replay, the stateful property and the case classifier.
 */
export type { InvariantName } from './invariant-names.ts';
export { INVARIANT_NAMES, INVARIANT_ORDER, isInvariantName } from './invariant-names.ts';
export { InvariantViolation } from './violation.ts';
export type { Failure } from './violation.ts';
export type { StepRecord } from './step-runner.ts';
export { StepRunner, StepFailed } from './step-runner.ts';
export type { ReplayResult, ReplayOptions } from './replay.ts';
export { replayTrace } from './replay.ts';
export type { PropertyOptions, PropertyResult, PropertyFailure, RunFailure } from './run-property.ts';
export { runProperty, runTrace, clockMs, DEFAULT_MAX_COMMANDS } from './run-property.ts';
export type { CaseRequest } from './classify-case.ts';
export { classifyCase, classifyMadviseCase, CASE_COUNT, CASE_KEYS, MADVISE_CASE_KEYS } from './classify-case.ts';
export type { StepContext, StructuralContext, Invariant, StructuralInvariant } from './step-context.ts';
export { firstViolation } from './step-checker.ts';
export { ALL_CHECKS, STRUCTURAL_CHECKS } from './invariants/index.ts';
