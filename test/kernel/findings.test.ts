/**
 * The findings of upstream drm_gpuvm (kernel/findings/<version>/): each
 * saved minimal trace still fails against its tree with the invariant it
 * records (so a fix upstream shows up here), and passes against our own
 * manager, which follows the contract (so it is upstream's, not the trace's).
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReferenceModel } from '../../model/index.ts';
import { replayTrace } from '../../properties/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import { closeExecSubjects } from '../../src/exec/index.ts';
import { KERNEL_DIR } from '../../src/kernel/probes.ts';
import { kernelSubjectFactory } from '../../src/kernel/subject.ts';
import { decodeTrace } from '../../src/protocol/codec.ts';
import type { Trace } from '../../src/protocol/types.ts';
import { skipReason, titled, treeOf } from './trees.ts';

afterAll(async () => {
  await closeExecSubjects();
});

function findings(version: string): { file: string; trace: Trace }[] {
  const dir = join(KERNEL_DIR, 'findings', version);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== 'known.json')
    .sort()
    .map((f) => ({ file: f, trace: decodeTrace(readFileSync(join(dir, f), 'utf8'), f) }));
}

for (const version of ['6.12', '7.3']) {
  describe(`the findings of Linux ${version}`, () => {
    it('pass against our own manager (builtin:gpuvm)', async () => {
      for (const { file, trace } of findings(version)) {
        const r = await replayTrace(trace, new GpuVmSubject(), new ReferenceModel());
        expect({ file, ok: r.ok }).toEqual({ file, ok: true });
      }
    });

    it.skipIf(skipReason(version) !== null)(titled(version, 'still fail against the tree with the invariant they record'), async () => {
      for (const { file, trace } of findings(version)) {
        const subject = String(trace.meta?.subject).replace(`kernel:${version}`, `kernel:${treeOf(version) ?? ''}`);
        const { factory } = await kernelSubjectFactory(subject, {}, () => {});
        const r = await replayTrace(trace, await factory(), new ReferenceModel());
        expect({ file, invariant: r.ok ? 'pass' : r.violation.invariant }).toEqual({ file, invariant: trace.meta?.invariant });
      }
    }, 180_000);
  });
}
