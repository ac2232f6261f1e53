/**
 * `gpuvm-check kernel build --tree PATH [--sanitize] [--json]`: builds the
 * kernel subject from a kernel tree (or finds it in the cache) and prints
 * what it found: the tree's version, the API variants the probes detected,
 * the compiler, where the program is, and the --subject spec to use it.
 *
 * `gpuvm-check kernel zoo --tree PATH [FAULT...] [--seed N] [--budget D]
 * [--save DIR] [--json]`: the kernel fault zoo (src/kernel/zoo.ts).
 */

import { relative } from 'node:path';
import { join } from 'node:path';
import { writeFileAtomic } from '../corpus/store.ts';
import { encodeTrace } from '../protocol/codec.ts';
import { flagBoolean, flagNumber, flagString, parseArgs, UsageError, type FlagSpec } from './args.ts';
import { KERNEL_HELP } from './help.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, jsonLine, oneLine, type Io } from './io.ts';

const FLAGS: readonly FlagSpec[] = [
  { name: 'tree', kind: 'string' },
  { name: 'sanitize', kind: 'boolean' },
  { name: 'json', kind: 'boolean' },
  { name: 'quiet', kind: 'boolean' },
  { name: 'seed', kind: 'seed' },
  { name: 'budget', kind: 'duration' },
  { name: 'save', kind: 'string' },
];

export async function kernelCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, FLAGS, 'kernel');
  if (args.help) {
    io.out(KERNEL_HELP);
    return EXIT_OK;
  }
  const [action, ...rest] = args.positionals;
  if (action !== 'build' && action !== 'zoo') {
    throw new UsageError(
      action === undefined ? 'kernel: missing action (use: gpuvm-check kernel build --tree PATH)' : `kernel: unknown action '${action}' (use: build, zoo)`,
    );
  }
  const tree = flagString(args, 'tree');
  if (tree === undefined) throw new UsageError(`kernel ${action}: --tree PATH is required (the top of a kernel tree)`);
  if (action === 'zoo') return zoo(tree, rest, args, io);
  if (rest[0] !== undefined) throw new UsageError(`kernel: unexpected argument '${rest[0]}' (see gpuvm-check kernel --help)`);
  const sanitize = flagBoolean(args, 'sanitize');
  const { buildKernelSubject, describeProbes, KernelBuildError } = await import('../kernel/index.ts');
  let build;
  try {
    build = await buildKernelSubject({ tree, sanitize, log: flagBoolean(args, 'quiet') ? undefined : (l) => io.err(l) });
  } catch (e) {
    if (e instanceof KernelBuildError) {
      io.err(`gpuvm-check: kernel build: ${oneLine(e)}`);
      return EXIT_USAGE;
    }
    throw e;
  }
  const spec = `kernel:${tree}${sanitize ? '?sanitize' : ''}`;
  if (flagBoolean(args, 'json')) {
    io.out(
      jsonLine({
        tree: build.tree.root,
        version: build.version.text,
        compiler: build.compiler.version,
        probes: build.probes,
        sanitize: build.sanitize,
        program: build.program,
        cached: build.cached,
        buildMs: build.buildMs,
        warnings: build.warnings,
        subject: spec,
      }),
    );
    return EXIT_OK;
  }
  const shown = relative(process.cwd(), build.program);
  io.out(
    `kernel tree: ${build.tree.root} (Linux ${build.version.text})`,
    `compiled:    drivers/gpu/drm/drm_gpuvm.c, tools/lib/rbtree.c (in place) + gpuvm-check's kernel/compat and kernel/driver`,
    `API:         ${describeProbes(build.probes).join('; ')}`,
    `compiler:    ${build.compiler.version}${build.sanitize ? ', AddressSanitizer + UndefinedBehaviorSanitizer' : ''}`,
    `program:     ${shown.startsWith('..') ? build.program : shown} (${build.cached ? 'cached' : `built in ${(build.buildMs / 1000).toFixed(1)} s`})`,
    ...build.warnings.map((w) => `warning:     ${w}`),
    `subject:     --subject ${spec}`,
  );
  return EXIT_OK;
}

async function zoo(tree: string, faults: readonly string[], args: ReturnType<typeof parseArgs>, io: Io): Promise<number> {
  const { runKernelZoo, selectFaults, formatKernelZooTable, kernelZooJson } = await import('../kernel/zoo.ts');
  const { KernelBuildError } = await import('../kernel/errors.ts');
  try {
    selectFaults(faults);
  } catch (e) {
    throw new UsageError(`kernel zoo: ${oneLine(e)}`);
  }
  let results;
  try {
    results = await runKernelZoo({
      tree,
      faults,
      seed: flagNumber(args, 'seed') ?? 1,
      budgetMs: flagNumber(args, 'budget') ?? 20_000,
      log: flagBoolean(args, 'quiet') ? undefined : (l) => io.err(l),
    });
  } catch (e) {
    if (e instanceof KernelBuildError) {
      io.err(`gpuvm-check: kernel zoo: ${oneLine(e)}`);
      return EXIT_USAGE;
    }
    throw e;
  }
  const save = flagString(args, 'save');
  if (save !== undefined) {
    for (const r of results) if (r.minimized !== null) await writeFileAtomic(join(save, `${r.fault.name}.json`), encodeTrace(r.minimized));
  }
  if (flagBoolean(args, 'json')) io.out(jsonLine(kernelZooJson(results)));
  else io.out(formatKernelZooTable(results));
  return results.every((r) => r.detected) ? EXIT_OK : EXIT_FAILURE;
}
