/**
 * `gpuvm-check zoo`: the fault zoo's command (src/zoo/cli.ts), loaded on demand
 * so that the other commands do not load the zoo.
 */

import type { Io } from './io.ts';

export async function zooCommand(argv: readonly string[], io: Io): Promise<number> {
  const zoo = await import('../zoo/cli.ts');
  return zoo.zooCommand(argv, io);
}
