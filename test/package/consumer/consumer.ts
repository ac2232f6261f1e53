// A TypeScript consumer, type-checked (tsc --noEmit, strict) against the
// declarations the package ships. The @ts-expect-error lines must be errors:
// if the declarations were missing or `any`, tsc would reject the file.
import { GpuVm, GpuVmError, type GpuVa, type MapReq } from 'gpuvm-check/gpuvm';
import { decodeTrace, encodeTrace, type Command, type Trace } from 'gpuvm-check/protocol';
import { GpuVmSubject, resolveSubject, type Observation, type Subject, type SubjectFactory } from 'gpuvm-check/subject';
import { checkSubject, testSubject, SubjectCheckError, type CheckSubjectOptions, type SubjectCheckResult } from 'gpuvm-check/vitest';
import { INVARIANT_NAMES, replayTrace, runProperty, type InvariantName, type PropertyResult } from 'gpuvm-check';
import countingVm from './counting-vm.ts';

class MyVm extends GpuVm {
  override insert(va: GpuVa): void {
    super.insert(va);
  }
}

export const factory: SubjectFactory = () => new GpuVmSubject({ createVm: (cfg) => new MyVm(cfg) });
export const factories: readonly SubjectFactory[] = [factory, countingVm];

export async function use(text: string): Promise<number> {
  const trace: Trace = decodeTrace(text, 'inline.json');
  const first: Command | undefined = trace.commands[0];
  const subject: Subject = await (await resolveSubject('builtin:gpuvm'))();
  const observation: Observation | Promise<Observation> | undefined = first === undefined ? undefined : subject.exec(first);
  const replay = await replayTrace(trace, subject, await factory());
  const property: PropertyResult = await runProperty({ subjectFactory: factory, seed: 1, numRuns: 5 });
  const options: CheckSubjectOptions = { seed: 1, runs: 10, saveTo: 'failures' };
  const result: SubjectCheckResult = await checkSubject(factory, options);
  const name: InvariantName | undefined = INVARIANT_NAMES[0];
  void observation;
  void name;
  return encodeTrace(trace).length + (replay.ok ? 0 : 1) + property.runs + result.runs;
}

export function declare(): void {
  testSubject('typed', factory, { runs: 5, timeout: 10_000 });
}

export function describeError(e: unknown): string | null {
  if (e instanceof SubjectCheckError) return `${e.invariant} ${e.kind} ${e.trace.commands.length} ${e.file ?? '-'}`;
  if (e instanceof GpuVmError) return e.code;
  return null;
}

export const req: Partial<MapReq> = {};

// @ts-expect-error runs is a number
export const wrongRuns: CheckSubjectOptions = { runs: 'many' };
// @ts-expect-error a factory returns a Subject
export const wrongFactory: SubjectFactory = () => 42;
// @ts-expect-error the trace's commands are Commands
export const wrongCommand: Command = { cmd: 'teleport' };
