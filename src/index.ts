/**
 * gpuvm-check: property-based verification and fuzzing for GPU VA managers of
 * the Linux drm_gpuvm kind. The package's public API:
 *
 * - the protocol (PROTOCOL.md): trace, command, observation and snapshot types,
 *   the JSON codec and its input error, the known-findings file;
 * - the production manager (`src/gpuvm`);
 * - the harness's driver `GpuVmSubject` (`builtin:gpuvm`) and the reference
 *   model (`builtin:model`);
 * - subject resolution (`resolveSubject`) for the `--subject` spec, and
 *   subjects in other processes (`execSubjectFactory`, the `exec:` spec, `serve`;
 *   docs/subject-protocol.md);
 * - the properties engine: named invariants, `replayTrace`, `runProperty`;
 * - failure symptoms and known findings (`symptomOf`, `loadKnownFindings`).
 */

export * from './protocol/index.ts';

export {
  GPUVM_IMMEDIATE_MODE,
  GPUVM_RESV_PROTECTED,
  GPUVM_USERBITS,
  GemObject,
  GpuVa,
  GpuVm,
  GpuVmBo,
  GpuVmError,
  IntervalNode,
  IntervalTree,
  SplitMerge,
  UseAfterFreeError,
  VmBoLists,
  isU64,
  remapToUnmapRange,
} from './gpuvm/index.ts';
export type {
  GemObjectInit,
  GpuVaInit,
  GpuVaOp,
  GpuVmConfig,
  GpuVmErrorCode,
  GpuVmOps,
  MapReq,
  OpMap,
  OpPrefetch,
  OpRemap,
  OpSink,
  OpUnmap,
  SmStepCtx,
} from './gpuvm/index.ts';

export * from './driver/index.ts';

export { ReferenceModel, modelFactory } from '../model/index.ts';

export { BUILTIN_SUBJECTS, DEFAULT_SUBJECT, SubjectResolutionError, describeSubject, resolveSubject } from './subjects.ts';
export type { ResolveOptions } from './subjects.ts';

export * from './exec/index.ts';
export { SubjectServer, serveFd, BadRequestError } from './exec/serve.ts';

export * from '../properties/index.ts';

export type { Symptom } from './findings/symptom.ts';
export { symptomDetail, symptomKey, symptomOf } from './findings/symptom.ts';
export type { KnownFinding, KnownFindings } from './findings/known.ts';
export { loadKnownFindings } from './findings/known.ts';
