#!/usr/bin/env node
// gpuvm-check command line. The harness is written in TypeScript and runs
// through tsx: register its loader, then hand over to src/cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
