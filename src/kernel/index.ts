/**
 * The kernel subject: the drm_gpuvm.c of a user's kernel tree, compiled in
 * userspace against gpuvm-check's compat headers and driven by its C driver
 * over the subject protocol.
 */

export { buildKernelSubject, defaultCacheDir, SUBJECT_PROGRAM } from './build.ts';
export type { KernelBuild, KernelBuildOptions } from './build.ts';
export { findCompiler } from './compiler.ts';
export type { Compiler } from './compiler.ts';
export { KernelBuildError } from './errors.ts';
export { describeProbes, probeApi } from './probes.ts';
export type { ApiProbes } from './probes.ts';
export { fetchedTreeDir, isKernelSpec, parseKernelSpec, subjectArgs } from './spec.ts';
export type { KernelSpec } from './spec.ts';
export { inspectTree, parseMakefileVersion } from './tree.ts';
export type { KernelTree, KernelVersion } from './tree.ts';
