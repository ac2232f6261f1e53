#!/usr/bin/env node
// gpuvm-check command line. The harness is written in TypeScript and runs
// through tsx: register its loader, then hand over to src/cli/main.ts.
import { register } from 'tsx/esm/api';

// A reader that stops early (`gpuvm-check replay -v t.json | head`) closes the
// pipe: stop quietly, as other command-line tools do, instead of crashing.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
