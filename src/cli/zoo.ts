/**
 * `gpuvm-check zoo`: the hook for the fault zoo. The zoo's own module
 * provides the command; this file only forwards to it, so the zoo can land
 * without touching the dispatcher. Until it exists the command says so.
 */

import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ZOO_HELP } from './help.ts';
import { EXIT_OK, EXIT_USAGE, type Io } from './io.ts';

/** The module implementing the zoo command: it must export `zooCommand(argv, io): Promise<number>`. */
const ZOO_MODULE = fileURLToPath(new URL('../zoo/cli.ts', import.meta.url));

type ZooEntry = (argv: readonly string[], io: Io) => Promise<number>;

export async function zooCommand(argv: readonly string[], io: Io): Promise<number> {
  if (!existsSync(ZOO_MODULE)) {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.out(ZOO_HELP);
      return EXIT_OK;
    }
    io.err(`gpuvm-check: zoo: not available in this build (${ZOO_MODULE} is missing)`);
    return EXIT_USAGE;
  }
  const mod = (await import(pathToFileURL(ZOO_MODULE).href)) as { zooCommand?: ZooEntry };
  if (typeof mod.zooCommand !== 'function') {
    io.err(`gpuvm-check: zoo: ${ZOO_MODULE} does not export zooCommand(argv, io)`);
    return EXIT_USAGE;
  }
  return mod.zooCommand(argv, io);
}
