/**
 * Every invariant, in the order the step checker runs them (see
 * `invariant-names.ts` for why the order matters).
 */
import type { Invariant, StructuralInvariant } from '../step-context.ts';
import { madviseSplitOnly } from './madvise-split-only.ts';
import { opsShape } from './ops-shape.ts';
import { keepFlag } from './keep-flag.ts';
import { remapOffsets } from './remap-offsets.ts';
import { remapHole } from './remap-hole.ts';
import { exactCoverage } from './exact-coverage.ts';
import { vaBudget } from './va-budget.ts';
import { opAllocBalance } from './op-alloc-balance.ts';
import { opsPure } from './ops-pure.ts';
import { noOverlap } from './no-overlap.ts';
import { kernelNodeUntouched } from './kernel-node-untouched.ts';
import { vmBoUnique } from './vm-bo-unique.ts';
import { vmBoRefcount } from './vm-bo-refcount.ts';
import { gemRefcount } from './gem-refcount.ts';
import { lists } from './lists.ts';
import { zombies, zombiesStructural } from './zombies.ts';
import { rejectedIsAtomic } from './rejected-is-atomic.ts';
import { unwindRestores } from './unwind-restores.ts';
import { stepsPrefix } from './steps-prefix.ts';
import { paint } from './paint.ts';
import { queriesAgree } from './queries-agree.ts';
import { modelAgrees } from './model-agrees.ts';
import { allocLeak, kernelWarn } from './subject-reports.ts';

/** The checks over the state after a command alone, in order. */
export const STRUCTURAL_CHECKS: readonly StructuralInvariant[] = [
  noOverlap,
  kernelNodeUntouched,
  zombiesStructural,
  vmBoUnique,
  vmBoRefcount,
  gemRefcount,
  lists,
];

/**
 * Every check, in order: the subject's own reports, op-level, accounting,
 * structural (with `zombies` also checking the command, in the place of its
 * state-only part), outcome, model.
 */
export const ALL_CHECKS: readonly Invariant[] = [
  kernelWarn,
  allocLeak,
  madviseSplitOnly,
  exactCoverage,
  opsShape,
  keepFlag,
  remapOffsets,
  remapHole,
  vaBudget,
  opAllocBalance,
  opsPure,
  ...STRUCTURAL_CHECKS.map((inv) => (inv === zombiesStructural ? zombies : inv)),
  rejectedIsAtomic,
  unwindRestores,
  stepsPrefix,
  paint,
  queriesAgree,
  modelAgrees,
];
