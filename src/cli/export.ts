/**
 * `gpuvm-check export kunit FILE... [-o OUT.c] [--suite NAME] [--tree PATH]
 * [--license SPDX] [--patch] [--run [--sanitize] [-v]] [--json]`: saved
 * traces as a KUnit test file (or a git-format patch adding it to a tree),
 * optionally run in userspace against the tree and compared with the
 * harness's own verdicts.
 */

import { loadTraceFile, writeFileAtomic } from '../corpus/store.ts';
import { caseNames } from '../export/c-names.ts';
import { ExportError } from '../export/errors.ts';
import { DEFAULT_SUITE, exportKunit, type ExportInput } from '../export/kunit.ts';
import { makePatch } from '../export/patch.ts';
import { runUserspaceKunit } from '../export/userspace.ts';
import { resolveTree } from '../export/variant.ts';
import { compareCases, describeVerdict, harnessVerdicts } from '../export/verify.ts';
import { flagBoolean, flagString, parseArgs, UsageError, type FlagSpec } from './args.ts';
import { EXPORT_HELP } from './help.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, jsonLine, oneLine, type Io } from './io.ts';

const FLAGS: readonly FlagSpec[] = [
  { name: 'output', short: 'o', kind: 'string' },
  { name: 'suite', kind: 'string' },
  { name: 'tree', kind: 'string' },
  { name: 'license', kind: 'string' },
  { name: 'patch', kind: 'boolean' },
  { name: 'run', kind: 'boolean' },
  { name: 'sanitize', kind: 'boolean' },
  { name: 'verbose', short: 'v', kind: 'boolean' },
  { name: 'json', kind: 'boolean' },
];

export async function exportCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, FLAGS, 'export');
  if (args.help) {
    io.out(EXPORT_HELP);
    return EXIT_OK;
  }
  const [format, ...files] = args.positionals;
  if (format !== 'kunit') {
    throw new UsageError(
      format === undefined ? 'export: missing format (use: gpuvm-check export kunit FILE...)' : `export: unknown format '${format}' (known: kunit)`,
    );
  }
  if (files.length === 0) throw new UsageError('export kunit: no trace file given (usage: gpuvm-check export kunit FILE... [-o OUT.c])');
  try {
    return await exportKunitCommand(files, args, io);
  } catch (e) {
    if (e instanceof ExportError) {
      io.err(`gpuvm-check: export kunit: ${oneLine(e)}`);
      return EXIT_USAGE;
    }
    throw e;
  }
}

async function exportKunitCommand(files: readonly string[], args: ReturnType<typeof parseArgs>, io: Io): Promise<number> {
  const output = flagString(args, 'output');
  const suite = flagString(args, 'suite') ?? DEFAULT_SUITE;
  const patch = flagBoolean(args, 'patch');
  const runIt = flagBoolean(args, 'run');
  const json = flagBoolean(args, 'json');
  if (flagBoolean(args, 'sanitize') && !runIt) throw new UsageError('export kunit: --sanitize applies to --run only');
  if (patch && runIt) throw new UsageError('export kunit: --patch and --run do not go together (run the test file, then make the patch)');

  // Everything is read and checked before anything is written.
  const inputs: ExportInput[] = [];
  for (const file of files) inputs.push({ file, trace: await loadTraceFile(file) });
  const treeSpec = flagString(args, 'tree');
  const resolved = await resolveTree(treeSpec);
  if ((patch || runIt) && resolved.tree === null) {
    throw new ExportError(`${patch ? '--patch' : '--run'} needs --tree PATH, the directory of a kernel tree${treeSpec === undefined ? '' : ` (${treeSpec} names an API variant, not a tree)`}`);
  }
  const license = flagString(args, 'license');
  const source = exportKunit(inputs, { variant: resolved.variant, suite, ...(license === undefined ? {} : { license }) });
  const names = caseNames(inputs.map((i) => i.file));
  const text =
    patch && resolved.tree !== null
      ? makePatch({ tree: resolved.tree, source, suite, cases: inputs.map((i, k) => ({ name: names[k] as string, file: i.file })) })
      : source;

  if (output !== undefined) {
    try {
      await writeFileAtomic(output, text);
    } catch (e) {
      throw new ExportError(`cannot write ${output}: ${oneLine(e)}`);
    }
    if (!json) io.err(`export kunit: ${inputs.length} case${inputs.length === 1 ? '' : 's'} (${resolved.variant.name}) written to ${output}${patch ? ' as a patch' : ''}`);
  } else if (!runIt) {
    io.out(text.replace(/\n$/, ''));
  }
  if (!runIt || resolved.tree === null || resolved.probes === null) {
    if (json) io.out(jsonLine({ status: 'written', output: output ?? null, cases: names, variant: resolved.variant }));
    return EXIT_OK;
  }

  const tree = resolved.tree;
  const run = await runUserspaceKunit({ tree, probes: resolved.probes, source, fileName: `${suite}_test.c`, sanitize: flagBoolean(args, 'sanitize') });
  if (flagBoolean(args, 'verbose')) io.out(run.ktap.replace(/\n$/, ''));
  for (const w of run.warnings) io.err(`warning: ${w}`);
  const verdicts = await harnessVerdicts(inputs, tree, { log: (l) => io.err(l) });
  const compared = compareCases(inputs, names, verdicts, run.cases, resolved.variant);
  const mismatches = compared.filter((c) => !c.agrees).length;
  const count = (s: string): number => run.cases.filter((c) => c.status === s).length;
  if (!json) {
    io.out(...compared.map(describeVerdict));
    io.out(
      `kunit: ${count('pass')} pass, ${count('fail')} fail, ${count('skip')} skip of ${compared.length} (Linux ${tree.version.text}, userspace, built in ${(run.buildMs / 1000).toFixed(1)} s, ran in ${(run.runMs / 1000).toFixed(1)} s); ` +
        (mismatches === 0 ? 'every case agrees with the harness' : `${mismatches} case${mismatches === 1 ? '' : 's'} disagree${mismatches === 1 ? 's' : ''} with the harness`),
    );
  } else {
    io.out(
      jsonLine({
        status: mismatches === 0 && run.warnings.length === 0 ? 'agree' : 'mismatch',
        tree: tree.root,
        version: tree.version.text,
        pass: count('pass'),
        fail: count('fail'),
        skip: count('skip'),
        warnings: run.warnings,
        cases: compared.map((c) => ({
          file: c.file,
          name: c.name,
          kunit: c.kunit === undefined ? null : { status: c.kunit.status, command: c.kunit.failedCommand, reason: c.kunit.reason },
          harness: c.harness,
          agrees: c.agrees,
        })),
      }),
    );
  }
  return mismatches === 0 && run.warnings.length === 0 ? EXIT_OK : EXIT_FAILURE;
}
