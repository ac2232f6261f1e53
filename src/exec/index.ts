/** Subjects that run as their own process and speak the subject protocol (docs/subject-protocol.md). */
export { EXEC_PREFIX, ExecSpecError, formatExecSpec, isExecSpec, parseExecSpec, splitExecWords } from './spec.ts';
export { ExecSubject, threwError } from './exec-subject.ts';
export { closeExecSubjects, execSubjectFactory } from './factory.ts';
export { DEFAULT_STEP_TIMEOUT_MS, HARNESS_NAME, type ExecOptions } from './link.ts';
export { killRecordedPids, livePids, recordPidsIn } from './registry.ts';
