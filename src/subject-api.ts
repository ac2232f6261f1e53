/**
 * `gpuvm-check/subject`: what a subject's author needs. The protocol's types
 * (`Subject`, `SubjectFactory`, commands, observations, snapshots,
 * accounting, capabilities), the harness's driver `GpuVmSubject` to reuse over a variant of
 * the manager, the reference model, subject resolution (`--subject` specs) and
 * `execSubjectFactory`, which runs a program speaking the subject protocol
 * (docs/subject-protocol.md) as a subject.
 */

export * from './protocol/types.ts';
export * from './driver/index.ts';
export { ReferenceModel, modelFactory } from '../model/index.ts';
export {
  BUILTIN_SUBJECTS,
  DEFAULT_SUBJECT,
  SubjectResolutionError,
  describeSubject,
  execSubjectFactory,
  resolveSubject,
  type ExecOptions,
} from './subjects.ts';
export { closeExecSubjects } from './exec/factory.ts';
