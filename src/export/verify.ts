/**
 * `export kunit --run`: the exported suite run in userspace against a tree,
 * each case's outcome compared with the harness's verdict on the same trace
 * against the same tree (the kernel subject: gpuvm-check's own C driver and
 * its invariants). A trace that passes there must give a passing case; a
 * trace that fails at command k (an upstream finding) must give a case whose
 * first failure is at command k; a trace the tree cannot run (it lacks
 * drm_gpuva_find_prev / find_next) must give a skipped case. The exceptions:
 * what a KUnit test cannot observe (see `unseen`), and a subject that
 * crashed or hung, which fails the case wherever it does.
 */

import { replayOnce, type ReplayEnv } from '../campaign/replay-env.ts';
import { execSubjectFactory } from '../exec/factory.ts';
import { buildKernelSubject } from '../kernel/build.ts';
import { KernelBuildError } from '../kernel/errors.ts';
import type { KernelTree } from '../kernel/tree.ts';
import { modelFactory } from '../../model/index.ts';
import { assertTraceSupported } from '../protocol/capabilities.ts';
import { TraceInputError } from '../protocol/errors.ts';
import { ExportError } from './errors.ts';
import type { ExportInput } from './kunit.ts';
import type { KtapCase } from './ktap.ts';
import type { KunitVariant } from './variant.ts';
import { PROCESS_FINDINGS } from '../../properties/invariant-names.ts';

/** What the harness says of one trace against the tree. */
export type HarnessVerdict =
  | { readonly status: 'pass' }
  | { readonly status: 'skip'; readonly reason: string }
  | { readonly status: 'fail'; readonly step: number; readonly invariant: string; readonly message: string };

/** One case: the harness's verdict, the KUnit outcome and whether they agree. */
export interface CaseVerdict {
  readonly file: string;
  readonly name: string;
  readonly harness: HarnessVerdict;
  /** The case in the KTAP report (undefined: it did not report). */
  readonly kunit: KtapCase | undefined;
  readonly agrees: boolean;
}

/**
 * The harness's verdict on each trace, replayed against the kernel subject
 * built from `tree` (cached like every kernel build, in `opts.cacheDir` if
 * given). Throws ExportError when the subject cannot be built.
 */
export async function harnessVerdicts(
  inputs: readonly ExportInput[],
  tree: KernelTree,
  opts: { readonly log?: (line: string) => void; readonly cacheDir?: string } = {},
): Promise<HarnessVerdict[]> {
  let program: string;
  try {
    program = (await buildKernelSubject({ tree: tree.root, ...opts })).program;
  } catch (e) {
    if (e instanceof KernelBuildError) throw new ExportError(`--run: the kernel subject does not build: ${e.message}`);
    throw e;
  }
  const subjectFactory = execSubjectFactory([program]);
  const probe = await subjectFactory();
  const capabilities = probe.capabilities;
  await probe.close?.();
  const env: ReplayEnv = capabilities === undefined ? { subjectFactory, modelFactory } : { subjectFactory, modelFactory, capabilities };
  const out: HarnessVerdict[] = [];
  for (const { file, trace } of inputs) {
    if (capabilities !== undefined) {
      try {
        assertTraceSupported(trace, capabilities, file, `kernel:${tree.root}`);
      } catch (e) {
        if (e instanceof TraceInputError) {
          out.push({ status: 'skip', reason: e.message });
          continue;
        }
        throw e;
      }
    }
    const r = await replayOnce(trace, env);
    out.push(r.ok ? { status: 'pass' } : { status: 'fail', step: r.violation.step, invariant: r.violation.invariant, message: r.violation.message });
  }
  return out;
}

/**
 * Findings a KUnit test may not see: a WARN, where the tree's KUnit cannot
 * count them (before 7.x), and memory drm_gpuvm leaks outside the ops the
 * test allocates (a kmalloc of its own). For those, a passing case agrees too.
 */
function unseen(invariant: string, variant: KunitVariant): boolean {
  return invariant === 'alloc-leak' || (invariant === 'kernel-warn' && !variant.warnSuppress);
}

/** Whether a case's KUnit outcome is the one the harness's verdict calls for on `variant`. */
export function agrees(harness: HarnessVerdict, kunit: KtapCase | undefined, variant: KunitVariant): boolean {
  if (kunit === undefined) return false;
  if (harness.status !== 'fail') return kunit.status === harness.status;
  if (kunit.status === 'pass') return unseen(harness.invariant, variant);
  if (kunit.status !== 'fail') return false;
  // A crash or a hang of the subject is one of the case too, wherever it happens.
  if (PROCESS_FINDINGS.includes(harness.invariant as (typeof PROCESS_FINDINGS)[number])) return true;
  return kunit.failedCommand === harness.step;
}

/** Pairs the cases (named `names`, in input order) with the verdicts. */
export function compareCases(
  inputs: readonly ExportInput[],
  names: readonly string[],
  verdicts: readonly HarnessVerdict[],
  cases: readonly KtapCase[],
  variant: KunitVariant,
): CaseVerdict[] {
  const byName = new Map(cases.map((c) => [c.name, c] as const));
  return inputs.map((input, i) => {
    const name = names[i] as string;
    const harness = verdicts[i] as HarnessVerdict;
    const kunit = byName.get(name);
    return { file: input.file, name, harness, kunit, agrees: agrees(harness, kunit, variant) };
  });
}

/** One line for a case of `--run`'s report. */
export function describeVerdict(v: CaseVerdict): string {
  const k = v.kunit;
  const kunit =
    k === undefined
      ? 'no result'
      : k.status === 'fail'
        ? `fails${k.failedCommand === null ? '' : ` at command ${k.failedCommand}`}`
        : k.status === 'skip'
          ? 'skipped'
          : 'passes';
  const h = v.harness;
  const harness =
    h.status === 'fail' ? `${h.invariant} at command ${h.step}` : h.status === 'skip' ? 'refuses the trace (the tree lacks a command it uses)' : 'passes';
  const tag = !v.agrees ? 'MISMATCH' : k?.status === 'fail' ? 'FAIL' : k?.status === 'skip' ? 'SKIP' : 'PASS';
  const note = v.agrees && k?.status === 'pass' && h.status === 'fail' ? ', which a KUnit test cannot see on this tree' : '';
  return `${tag.padEnd(8)} ${v.name}: KUnit ${kunit}; the harness: ${harness}${note} (${v.file})`;
}
