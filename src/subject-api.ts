/**
 * `gpuvm-check/subject`: what a subject's author needs. The protocol's types
 * (`Subject`, `SubjectFactory`, commands, observations, snapshots,
 * accounting), the harness's driver `GpuVmSubject` to reuse over a variant of
 * the manager, the reference model, and subject resolution (`--subject` specs).
 */

export * from './protocol/types.ts';
export * from './driver/index.ts';
export { ReferenceModel, modelFactory } from '../model/index.ts';
export { BUILTIN_SUBJECTS, DEFAULT_SUBJECT, SubjectResolutionError, describeSubject, resolveSubject } from './subjects.ts';
