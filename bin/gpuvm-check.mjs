#!/usr/bin/env node
// gpuvm-check command line. In the npm package it runs the compiled
// JavaScript (dist/); in a checkout of the repository, where the TypeScript
// sources are beside it, it runs them through tsx, so what runs is always the
// code as it is now (no stale build).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// A reader that stops early (`gpuvm-check replay -v t.json | head`) closes the
// pipe: stop quietly, as other command-line tools do, instead of crashing.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const source = new URL('../src/cli/main.ts', import.meta.url);
let main;
if (existsSync(fileURLToPath(source))) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(source.href));
} else {
  // The stack GPUVM_CHECK_DEBUG=1 prints names the TypeScript sources (dist/ has their maps).
  if (process.env.GPUVM_CHECK_DEBUG !== undefined) process.setSourceMapsEnabled(true);
  ({ main } = await import('../dist/src/cli/main.js'));
}
process.exitCode = await main(process.argv.slice(2));
