/**
 * An example subject in plain JavaScript, with a bug: its `keep` hint compares
 * only the objects and forgets the offset, so a driver trusting it would keep
 * page-table entries that point at the wrong pages of the right object. The
 * harness finds it in a few runs (invariant keep-flag) and prints a two-command
 * trace.
 *
 *   npx gpuvm-check fuzz --subject node_modules/gpuvm-check/examples/subjects/keep-ignores-offset.mjs --seed 7 --runs 300
 */
import { GpuVm, GpuVmSubject, SplitMerge } from 'gpuvm-check';

class KeepIgnoresOffset extends SplitMerge {
  keep(va, req) {
    return va.obj !== null && va.obj === req.obj;
  }
}

class FaultyVm extends GpuVm {
  createSplitMerge() {
    return new KeepIgnoresOffset(this.tree);
  }
}

/** @type {import('gpuvm-check').SubjectFactory} */
export default () => new GpuVmSubject({ name: 'example:keep-ignores-offset', createVm: (cfg) => new FaultyVm(cfg) });
