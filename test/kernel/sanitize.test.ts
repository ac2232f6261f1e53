/**
 * The sanitizer build: a use-after-free injected into a scratch copy of
 * 7.3's drm_gpuvm.c (never into the repository) is caught by
 * AddressSanitizer and ends the command as `subject-crashed`, with the
 * report in the failure; the unmodified tree passes the same trace.
 */

import { afterAll, describe, expect, it } from 'vitest';
import { ReferenceModel } from '../../model/index.ts';
import { replayTrace } from '../../properties/index.ts';
import { closeExecSubjects, execSubjectFactory } from '../../src/exec/index.ts';
import { buildKernelSubject } from '../../src/kernel/build.ts';
import { kernelSubjectFactory } from '../../src/kernel/subject.ts';
import { TRACE_FORMAT, type Trace } from '../../src/protocol/types.ts';
import { scratchCache, skipReason, titled, treeOf, TreeCopy } from './trees.ts';

const copies: TreeCopy[] = [];
afterAll(async () => {
  await closeExecSubjects();
  for (const c of copies.splice(0)) c.remove();
});

/** Map one VA, then unmap it in steps mode: the unlink drops the vm_bo's last reference. */
const TRACE: Trace = {
  format: TRACE_FORMAT,
  vm: { start: 0n, range: 0x10000n },
  objects: [{ bo: 1 }],
  commands: [
    { cmd: 'map', addr: 0x1000n, range: 0x1000n, bo: 1, offset: 0n },
    { cmd: 'unmap', addr: 0x1000n, range: 0x1000n, via: 'steps' },
  ],
};

describe.skipIf(skipReason('7.3') !== null)(titled('7.3', 'the sanitizer build'), () => {
  it('passes the trace on the unmodified tree', async () => {
    const { factory } = await kernelSubjectFactory(`kernel:${treeOf('7.3') ?? ''}?sanitize`, {}, () => {});
    const r = await replayTrace(TRACE, await factory(), new ReferenceModel());
    expect(r.ok).toBe(true);
  }, 180_000);

  it('catches a use after free injected into drm_gpuva_unlink() as subject-crashed, with the ASan report', async () => {
    const copy = new TreeCopy('7.3');
    copies.push(copy);
    // Append a write to the vm_bo as the last statement of drm_gpuva_unlink(), whose
    // last statement puts it (the put may free it): a use after free. The edit is
    // anchored on the function's export line only, so no kernel code is quoted here.
    copy.edit('drivers/gpu/drm/drm_gpuvm.c', /(?=\n\}\nEXPORT_SYMBOL_GPL\(drm_gpuva_unlink\);)/, '\n\tWRITE_ONCE(vm_bo->evicted, false);');
    const build = await buildKernelSubject({ tree: copy.root, sanitize: true, cacheDir: scratchCache() });
    const subject = await execSubjectFactory([build.program])();
    const r = await replayTrace(TRACE, subject, new ReferenceModel());
    await subject.close?.();
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.violation.invariant).toBe('subject-crashed');
    expect(r.steps).toBe(2);
    // The report's first lines (the kind of error and the faulting function) are in the failure.
    const report = r.violation.details.join('\n');
    expect(report).toMatch(/ERROR: AddressSanitizer: heap-use-after-free/);
    expect(report).toMatch(/WRITE of size 1 [\s\S]* in drm_gpuva_unlink .*drivers\/gpu\/drm\/drm_gpuvm\.c:\d+/);
    expect(report).toMatch(/freed by thread T0 here:[\s\S]*drm_gpuvm_bo_put/);
  }, 180_000);
});
