/**
 * Subject resolution (PROTOCOL.md section 6): turns the `--subject` spec of the
 * command line into a `SubjectFactory`.
 *
 * - `builtin:gpuvm` (the default): the production manager under the harness's driver.
 * - `builtin:model`: the reference model (always the oracle).
 * - `exec:PROGRAM ARGS...`: a program speaking the subject protocol
 *   (docs/subject-protocol.md) on its standard input and output; the words are
 *   split as `src/exec/spec.ts` documents.
 * - `kernel:PATH[?sanitize][,kmalloc-fail=K]`: the drm_gpuvm.c of the kernel tree
 *   at PATH, built in userspace on first use (`src/kernel/spec.ts`).
 * - anything else is a path, relative to the current directory, to a `.ts` or
 *   `.js` module whose default export is a `SubjectFactory`. `.ts` modules load
 *   through tsx, registered on first need (`module-loader.ts`).
 */

import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { modelFactory } from '../model/index.ts';
import { GpuVmSubject } from './driver/gpuvm-subject.ts';
import { importModuleFile } from './module-loader.ts';
import type { Subject, SubjectFactory } from './protocol/types.ts';
import { execSubjectFactory } from './exec/factory.ts';
import type { ExecOptions } from './exec/link.ts';
import { EXEC_PREFIX, ExecSpecError, parseExecSpec } from './exec/spec.ts';
import { KernelBuildError } from './kernel/errors.ts';
import { isKernelSpec } from './kernel/spec.ts';

export { execSubjectFactory, type ExecOptions };

/** The subject used when none is given. */
export const DEFAULT_SUBJECT = 'builtin:gpuvm';

/** The built-in subjects and what each one is. */
export const BUILTIN_SUBJECTS: Readonly<Record<string, string>> = {
  'builtin:gpuvm': 'the production manager (src/gpuvm) under the harness driver',
  'builtin:model': 'the reference model (model/)',
};

/** File extensions a subject module may have. */
const MODULE_EXTENSIONS: readonly string[] = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

/** A subject spec that cannot be turned into a factory. The message is one line naming the spec and the problem. */
export class SubjectResolutionError extends Error {
  readonly spec: string;
  readonly reason: string;

  constructor(spec: string, reason: string) {
    super(`subject "${spec}": ${reason}`);
    this.name = 'SubjectResolutionError';
    this.spec = spec;
    this.reason = reason;
  }
}

/** Options of {@link resolveSubject}: they concern `exec:` subjects only. */
export type ResolveOptions = ExecOptions;

/**
 * Resolves a subject spec to a factory. Errors (unknown builtin, missing file,
 * not a module, a module that fails to load, no default-exported function) throw
 * a `SubjectResolutionError`. The returned factory checks that what it builds
 * looks like a `Subject` (name, reset, exec, snapshot) and throws a
 * `SubjectResolutionError` otherwise.
 */
export async function resolveSubject(spec: string = DEFAULT_SUBJECT, options: ResolveOptions = {}): Promise<SubjectFactory> {
  const trimmed = spec.trim();
  if (trimmed === '' || trimmed === 'builtin:gpuvm') return () => new GpuVmSubject();
  if (trimmed === 'builtin:model') return modelFactory;
  if (trimmed.startsWith(EXEC_PREFIX)) {
    try {
      return execSubjectFactory(parseExecSpec(trimmed), options);
    } catch (e) {
      if (e instanceof ExecSpecError) throw new SubjectResolutionError(spec, e.message);
      throw e;
    }
  }
  if (isKernelSpec(trimmed)) {
    const { kernelSubjectFactory } = await import('./kernel/subject.ts');
    try {
      return (await kernelSubjectFactory(trimmed, options)).factory;
    } catch (e) {
      if (e instanceof KernelBuildError) throw new SubjectResolutionError(spec, e.message);
      throw e;
    }
  }
  if (trimmed.startsWith('builtin:')) {
    const known = Object.keys(BUILTIN_SUBJECTS).join(', ');
    throw new SubjectResolutionError(spec, `unknown builtin subject (known: ${known})`);
  }
  return loadModuleFactory(spec, trimmed);
}

/** A one-line description of a subject spec, for reports and progress output. */
export function describeSubject(spec: string = DEFAULT_SUBJECT): string {
  const trimmed = spec.trim() === '' ? DEFAULT_SUBJECT : spec.trim();
  const builtin = BUILTIN_SUBJECTS[trimmed];
  if (builtin !== undefined) return `${trimmed}: ${builtin}`;
  if (trimmed.startsWith('builtin:')) return `${trimmed}: unknown builtin subject`;
  if (trimmed.startsWith(EXEC_PREFIX)) return `${trimmed}: a subject program speaking docs/subject-protocol.md`;
  if (isKernelSpec(trimmed)) return `${trimmed}: the kernel tree's drm_gpuvm.c, built in userspace under gpuvm-check's driver`;
  return `${trimmed}: subject module ${resolve(process.cwd(), trimmed)}`;
}

async function loadModuleFactory(spec: string, path: string): Promise<SubjectFactory> {
  const file = resolve(process.cwd(), path);
  if (!MODULE_EXTENSIONS.includes(extname(file).toLowerCase())) {
    throw new SubjectResolutionError(
      spec,
      `not a builtin subject, not exec:PROGRAM and not a .ts or .js module path (expected builtin:gpuvm, builtin:model, exec:PROGRAM ARGS..., kernel:PATH or a file ending in ${MODULE_EXTENSIONS.join(', ')})`,
    );
  }
  if (!existsSync(file)) throw new SubjectResolutionError(spec, `no such file: ${file}`);
  if (!statSync(file).isFile()) throw new SubjectResolutionError(spec, `not a file: ${file}`);
  let mod: Record<string, unknown>;
  try {
    mod = await importModuleFile(file);
  } catch (err) {
    throw new SubjectResolutionError(spec, `the module failed to load: ${firstLine(err)}`);
  }
  const factory = mod['default'];
  if (factory === undefined) {
    throw new SubjectResolutionError(spec, 'the module has no default export (expected a SubjectFactory: () => Subject)');
  }
  if (typeof factory !== 'function') {
    throw new SubjectResolutionError(
      spec,
      `the default export is ${describeValue(factory)}, not a SubjectFactory (expected () => Subject)`,
    );
  }
  if (/^class[\s{]/.test(Function.prototype.toString.call(factory))) {
    throw new SubjectResolutionError(
      spec,
      'the default export is a class, not a SubjectFactory (export a function instead: () => new MySubject())',
    );
  }
  return checkedFactory(spec, factory as () => unknown);
}

/** Wraps a factory so that a non-Subject result is reported clearly instead of failing later. */
function checkedFactory(spec: string, factory: () => unknown): SubjectFactory {
  return async (): Promise<Subject> => {
    const subject = await factory();
    const missing = missingSubjectMembers(subject);
    if (missing !== null) {
      throw new SubjectResolutionError(spec, `the factory returned ${missing}, not a Subject`);
    }
    return subject as Subject;
  };
}

function missingSubjectMembers(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return describeValue(value);
  const record = value as Record<string, unknown>;
  if (typeof record['name'] !== 'string') return 'an object with no string `name`';
  for (const method of ['reset', 'exec', 'snapshot']) {
    if (typeof record[method] !== 'function') return `an object with no \`${method}\` method`;
  }
  return null;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0] ?? text;
}
