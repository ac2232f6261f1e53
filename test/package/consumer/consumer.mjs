// A plain ES module using the package: every entry point imports, and the
// library replays the example trace against the production manager (it
// passes) and against the faulty example subject (keep-flag at command 8).
import { readFileSync, realpathSync } from 'node:fs';
import { GpuVm, INVARIANT_NAMES, decodeTrace, replayTrace, resolveSubject } from 'gpuvm-check';
import { GpuVm as ManagerGpuVm } from 'gpuvm-check/gpuvm';
import { TRACE_FORMAT, encodeTrace } from 'gpuvm-check/protocol';
import { GpuVmSubject, modelFactory } from 'gpuvm-check/subject';
import { checkSubject } from 'gpuvm-check/vitest';
import faulty from './node_modules/gpuvm-check/examples/subjects/keep-ignores-offset.mjs';
// Not an entry point: the package root as the compiled harness finds it (for files shipped outside dist/).
import { PACKAGE_ROOT } from './node_modules/gpuvm-check/dist/src/module-loader.js';

const file = 'node_modules/gpuvm-check/examples/keep-flag-long.json';
const trace = decodeTrace(readFileSync(file, 'utf8'), file);
const real = await replayTrace(trace, new GpuVmSubject(), modelFactory());
const bad = await replayTrace(trace, faulty(), await (await resolveSubject('builtin:model'))());
const stats = await checkSubject('builtin:gpuvm', { seed: 2, runs: 30 });
console.log(
  JSON.stringify({
    sameManager: GpuVm === ManagerGpuVm,
    format: TRACE_FORMAT,
    invariants: INVARIANT_NAMES.length,
    roundTrip: encodeTrace(decodeTrace(encodeTrace(trace), 'again')) === encodeTrace(trace),
    real: real.ok,
    bad: bad.ok ? null : { invariant: bad.violation.invariant, step: bad.violation.step },
    checked: stats.runs,
    packageRoot: PACKAGE_ROOT === `${realpathSync('node_modules/gpuvm-check')}/`,
  }),
);
