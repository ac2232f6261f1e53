/**
 * `gpuvm-check bench`: runs `bench/run.ts` (owned by the benchmarks) in a
 * child Node process with TypeScript support, passing the options on.
 */

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BENCH_HELP } from './help.ts';
import { EXIT_OK, EXIT_USAGE, type Io } from './io.ts';

const BENCH_SCRIPT = fileURLToPath(new URL('../../bench/run.ts', import.meta.url));

export async function benchCommand(argv: readonly string[], io: Io): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(BENCH_HELP);
    return EXIT_OK;
  }
  const r = spawnSync(process.execPath, ['--import', 'tsx', BENCH_SCRIPT, ...argv], { stdio: 'inherit' });
  return r.status ?? EXIT_USAGE;
}
