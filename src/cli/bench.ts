/**
 * `gpuvm-check bench`: runs `bench/run.ts` (owned by the benchmarks) in a
 * child Node process (with tsx when running from source), passing the options on.
 */

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { OWN_MODULE_EXTENSION, RUNNING_FROM_SOURCE } from '../module-loader.ts';
import { BENCH_HELP } from './help.ts';
import { EXIT_OK, EXIT_USAGE, type Io } from './io.ts';

const BENCH_SCRIPT = fileURLToPath(new URL(`../../bench/run${OWN_MODULE_EXTENSION}`, import.meta.url));
/** From source the benchmarks need tsx; compiled they are JavaScript. */
const NODE_FLAGS: readonly string[] = RUNNING_FROM_SOURCE ? ['--import', 'tsx'] : [];

export async function benchCommand(argv: readonly string[], io: Io): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(BENCH_HELP);
    return EXIT_OK;
  }
  const r = spawnSync(process.execPath, [...NODE_FLAGS, BENCH_SCRIPT, ...argv], { stdio: 'inherit' });
  return r.status ?? EXIT_USAGE;
}
