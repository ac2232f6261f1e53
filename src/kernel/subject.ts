/**
 * `--subject kernel:PATH[?sanitize][,kmalloc-fail=K]`: the kernel subject, built
 * from the tree on first use (then cached) and run as an exec subject over
 * the subject protocol.
 */

import { execSubjectFactory } from '../exec/factory.ts';
import type { ExecOptions } from '../exec/link.ts';
import type { SubjectFactory } from '../protocol/types.ts';
import { buildKernelSubject, type KernelBuild } from './build.ts';
import { parseKernelSpec, subjectArgs } from './spec.ts';

/**
 * Builds (or finds) the program for `spec` and returns a factory of subjects
 * it serves. Throws `KernelBuildError` for a bad spec or a failing build. A
 * build writes one progress line to `log` (default: standard error).
 */
export async function kernelSubjectFactory(
  spec: string,
  options: ExecOptions = {},
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<{ factory: SubjectFactory; build: KernelBuild }> {
  const parsed = parseKernelSpec(spec);
  const build = await buildKernelSubject({ tree: parsed.tree, sanitize: parsed.sanitize, log });
  return { factory: execSubjectFactory([build.program, ...subjectArgs(parsed)], options), build };
}
