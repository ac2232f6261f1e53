/**
 * The names of the invariants the harness checks (SEMANTICS.md section 6), plus
 * `subject-error`, the harness's own name for a subject that threw instead of
 * returning an observation, and the findings about subject processes
 * ({@link PROCESS_FINDINGS}).
 *
 * The order of {@link INVARIANT_ORDER} is the order the step checker runs them
 * in. It matters: the first failing check names the root cause, so checks over
 * the ops a subject reported come before checks over the state it left, and the
 * comparison with the reference model comes last.
 */

export type InvariantName =
  | 'no-overlap'
  | 'kernel-node-untouched'
  | 'ops-shape'
  | 'remap-offsets'
  | 'remap-hole'
  | 'keep-flag'
  | 'exact-coverage'
  | 'paint'
  | 'vm-bo-unique'
  | 'vm-bo-refcount'
  | 'gem-refcount'
  | 'lists'
  | 'rejected-is-atomic'
  | 'unwind-restores'
  | 'steps-prefix'
  | 'va-budget'
  | 'ops-pure'
  | 'op-alloc-balance'
  | 'madvise-split-only'
  | 'zombies'
  | 'queries-agree'
  | 'model-agrees'
  | 'subject-error'
  | 'subject-crashed'
  | 'subject-hung'
  | 'protocol-error'
  | 'kernel-warn'
  | 'alloc-leak';

/**
 * What a subject reported about itself during the command (docs/subject-protocol.md,
 * `exec` replies' `reports`): a warning its manager raised (`kernel-warn`, a kernel
 * `WARN`) or memory it leaked (`alloc-leak`). Checked before everything else: the
 * subject says itself what went wrong, and its text is the best explanation.
 */
export const REPORT_INVARIANTS = ['kernel-warn', 'alloc-leak'] as const satisfies readonly InvariantName[];

/** Checks over the ops list a map / unmap / bo_unmap / prefetch / madvise reported (madvise's own rules first). */
export const OP_LEVEL_INVARIANTS = [
  'madvise-split-only',
  'exact-coverage',
  'ops-shape',
  'keep-flag',
  'remap-offsets',
  'remap-hole',
] as const satisfies readonly InvariantName[];

/** Checks over the driver's book-keeping (ops and `Accounting`). */
export const ACCOUNTING_INVARIANTS = ['va-budget', 'op-alloc-balance', 'ops-pure'] as const satisfies readonly InvariantName[];

/**
 * Checks over the snapshot after the command (they also run after a subject
 * threw). `zombies` also checks the command's effect on the zombies (freed only
 * by cleanup, never validated) when there is an observation; it runs before the
 * vm_bo and list checks, whose failures a zombie bug would otherwise show as.
 */
export const STRUCTURAL_INVARIANTS = [
  'no-overlap',
  'kernel-node-untouched',
  'zombies',
  'vm-bo-unique',
  'vm-bo-refcount',
  'gem-refcount',
  'lists',
] as const satisfies readonly InvariantName[];

/** Checks relating the outcome of the command to the snapshot before it. */
export const OUTCOME_INVARIANTS = [
  'rejected-is-atomic',
  'unwind-restores',
  'steps-prefix',
  'paint',
] as const satisfies readonly InvariantName[];

/** Checks of a query's answer against the subject's own snapshot. */
export const QUERY_INVARIANTS = ['queries-agree'] as const satisfies readonly InvariantName[];

/** Every invariant the step checker runs, in the order it runs them. */
export const INVARIANT_ORDER: readonly InvariantName[] = [
  ...REPORT_INVARIANTS,
  ...OP_LEVEL_INVARIANTS,
  ...ACCOUNTING_INVARIANTS,
  ...STRUCTURAL_INVARIANTS,
  ...OUTCOME_INVARIANTS,
  ...QUERY_INVARIANTS,
  'model-agrees',
];

/**
 * Failures of a subject that runs as its own process (docs/subject-protocol.md
 * section 3): it crashed, hung or broke the protocol during a command. They are
 * not checks over a step (there is no reply to check) but findings all the same.
 */
export const PROCESS_FINDINGS = ['subject-crashed', 'subject-hung', 'protocol-error'] as const satisfies readonly InvariantName[];

/** Every name an {@link InvariantViolation} can carry. */
export const INVARIANT_NAMES: readonly InvariantName[] = [...INVARIANT_ORDER, 'subject-error', ...PROCESS_FINDINGS];

/** Whether `name` is one of {@link INVARIANT_NAMES} (for reading `meta.invariant` from a trace). */
export function isInvariantName(name: unknown): name is InvariantName {
  return typeof name === 'string' && (INVARIANT_NAMES as readonly string[]).includes(name);
}
