/**
 * The harness's driver: `GpuVmSubject` (`builtin:gpuvm`) plays a kernel driver
 * over the production manager (SEMANTICS.md section 5).
 */
export { GpuVmSubject } from './gpuvm-subject.ts';
export type { GpuVmSubjectOptions, RequestKind } from './gpuvm-subject.ts';
export type { DriverAccounting } from './accounting.ts';
export { opRecord, pieceRecord, plainVaRecord, vaRecord } from './records.ts';
export type { RecordContext } from './records.ts';
