/**
 * The kernel subject over the subject protocol: its handshake (capabilities
 * from the tree: no find_prev / find_next on 7.3), and command for command the
 * same observations, snapshots and accounting as the TypeScript driver of our
 * own manager on a trace that exercises every command kind, both modes,
 * failAt, allocFailAt, held references, eviction and validation.
 */

import { afterAll, describe, expect, it } from 'vitest';
import { closeExecSubjects } from '../../src/exec/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import { kernelSubjectFactory } from '../../src/kernel/subject.ts';
import type { Command, Subject, TraceHeader } from '../../src/protocol/types.ts';
import { skipReason, titled, treeOf } from './trees.ts';

afterAll(async () => {
  await closeExecSubjects();
});

const HEADER: TraceHeader = {
  vm: { start: 0x0n, range: 0x40000n, reserve: { addr: 0x0n, range: 0x1000n } },
  objects: [{ bo: 1 }, { bo: 2, external: true }, { bo: 3 }],
};

const P = 0x1000n;

/** A trace touching every command kind and both modes; each comment says what it exercises. */
const COMMANDS: readonly Command[] = [
  { cmd: 'map', addr: 1n * P, range: 4n * P, bo: 1, offset: 0n }, // MAP into an empty range
  { cmd: 'map', addr: 2n * P, range: 1n * P, bo: 2, offset: 0n, via: 'steps' }, // REMAP prev+next, steps, extobj
  { cmd: 'map', addr: 1n * P, range: 1n * P, bo: 1, offset: 0n }, // identical mapping: UNMAP(keep) + MAP
  { cmd: 'unmap', addr: 1n * P, range: 3n * P, failAt: 2 }, // ops-mode unwind after one op
  { cmd: 'unmap', addr: 2n * P, range: 2n * P, via: 'steps', failAt: 2 }, // steps 1..1 stay applied
  { cmd: 'map', addr: 8n * P, range: 4n * P, bo: null, offset: 0n }, // a NULL mapping
  { cmd: 'map', addr: 9n * P, range: 2n * P, bo: 3, offset: 5n * P, allocFailAt: 2 }, // ENOMEM, nothing changes
  { cmd: 'map', addr: 9n * P, range: 2n * P, bo: 3, offset: 5n * P, allocFailAt: 9 }, // allocFailAt beyond the last op
  { cmd: 'insert', addr: 16n * P, range: 2n * P, bo: 1, offset: 16n * P },
  { cmd: 'insert', addr: 17n * P, range: 2n * P, bo: 1, offset: 0n }, // EEXIST
  { cmd: 'insert', addr: 0n, range: 1n * P, bo: 1, offset: 0n }, // EINVAL: over the reserved node
  { cmd: 'remove', addr: 0n, range: 1n * P }, // the reserved node: EINVAL
  { cmd: 'remove', addr: 30n * P, range: 1n * P }, // ENOENT
  { cmd: 'prefetch', addr: 0n, range: 20n * P },
  { cmd: 'find', addr: 16n * P, range: 2n * P },
  { cmd: 'find_first', addr: 0n, range: 4n * P },
  { cmd: 'interval_empty', addr: 20n * P, range: 4n * P },
  { cmd: 'bo_get', bo: 2 },
  { cmd: 'bo_get', bo: 3 },
  { cmd: 'evict', bo: 2, evict: true },
  { cmd: 'evict', bo: 1, evict: true },
  { cmd: 'validate' },
  { cmd: 'bo_unmap', bo: 2 }, // the held reference keeps the vm_bo alive
  { cmd: 'bo_put', bo: 2 },
  { cmd: 'bo_put', bo: 2 }, // ENOENT: none held any more
  { cmd: 'bo_put', bo: 3 },
  { cmd: 'unmap', addr: 0x1000n, range: 0x3f000n, via: 'steps' }, // everything but the reserved node
  { cmd: 'unmap', addr: 0n, range: 0x1000n }, // EINVAL: the reserved node
];

/**
 * The VM modes (7.x): defer, zombies, cleanup and madvise in an immediate VM,
 * each outcome as the comment says (checked on the TypeScript driver below).
 */
const MODE_COMMANDS: readonly Command[] = [
  { cmd: 'map', addr: 1n * P, range: 4n * P, bo: 1, offset: 0n },
  { cmd: 'map', addr: 8n * P, range: 2n * P, bo: 2, offset: 0n, via: 'steps', defer: true }, // put deferred, the VA keeps it
  { cmd: 'unmap', addr: 8n * P, range: 2n * P, via: 'steps', defer: true }, // the last unlink leaves a zombie
  { cmd: 'bo_get', bo: 3 },
  { cmd: 'bo_put_deferred', bo: 3 }, // a second zombie
  { cmd: 'bo_put_deferred', bo: 3 }, // ENOENT
  { cmd: 'deferred_cleanup' },
  { cmd: 'map', addr: 16n * P, range: 8n * P, bo: null, offset: 0n },
  { cmd: 'madvise', addr: 18n * P, range: 2n * P, bo: null, offset: 0n }, // REMAP + MAP of the NULL VA
  { cmd: 'madvise', addr: 21n * P, range: 2n * P, bo: null, offset: 0n, failAt: 2 }, // unwound
  { cmd: 'madvise', addr: 1n * P, range: 4n * P, bo: null, offset: 0n }, // only a VA with an object: nothing to split
  { cmd: 'unmap', addr: 2n * P, range: 1n * P, via: 'steps', defer: true }, // bo1 keeps its other VAs
  { cmd: 'bo_get', bo: 2 },
  { cmd: 'evict', bo: 2, evict: true },
  { cmd: 'validate' },
  { cmd: 'bo_put', bo: 2 },
  { cmd: 'deferred_cleanup' },
];

const MODE_OUTCOMES = ['ok', 'ok', 'ok', 'ok', 'ok', 'ENOENT', 'ok', 'ok', 'ok', 'EIO', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok'];

async function trace(subject: Subject, commands: readonly Command[], header: TraceHeader = HEADER): Promise<unknown[]> {
  await subject.reset(header);
  const out: unknown[] = [await subject.snapshot()];
  for (const c of commands) {
    const observation = await subject.exec(c);
    out.push({ command: c.cmd, observation, snapshot: await subject.snapshot(), accounting: subject.accounting?.() ?? null });
  }
  return out;
}

/** The outcome of each command above, so the trace keeps testing what its comments say. */
const OUTCOMES = [
  'ok', 'ok', 'ok', 'EIO', 'EIO', 'ok', 'ENOMEM', 'ok', 'ok', 'EEXIST', 'EINVAL', 'EINVAL', 'ENOENT', 'ok',
  'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ENOENT', 'ok', 'ok', 'EINVAL',
];

function outcomes(commands: readonly Command[], header: TraceHeader): (string | undefined)[] {
  const s = new GpuVmSubject();
  s.reset(header);
  return commands.map((c) => {
    const o = s.exec(c);
    return o.ok ? 'ok' : o.error;
  });
}

it('the cross-check traces have the outcomes their comments describe (on the TypeScript driver)', () => {
  expect(outcomes(COMMANDS, HEADER)).toEqual(OUTCOMES);
  for (const resvProtected of [false, true]) {
    expect(outcomes(MODE_COMMANDS, { ...HEADER, flags: { immediate: true, resvProtected } })).toEqual(MODE_OUTCOMES);
  }
  // defer needs an immediate VM: EINVAL before anything is done.
  expect(outcomes([MODE_COMMANDS[1] as Command], HEADER)).toEqual(['EINVAL']);
});

for (const version of ['6.12', '7.3']) {
  describe.skipIf(skipReason(version) !== null)(titled(version, 'the kernel subject'), () => {
    const spec = `kernel:${treeOf(version) ?? ''}`;

    it('declares every command kind and VM mode the tree has, both via modes, failAt, allocFailAt, accounting, defer', async () => {
      const { factory, build } = await kernelSubjectFactory(spec, {}, () => {});
      const subject = await factory();
      const caps = subject.capabilities;
      await subject.close?.();
      expect(subject.name).toBe(`kernel Linux ${build.version.text} drm_gpuvm`);
      const prevNext = version === '6.12' ? ['find_prev', 'find_next'] : [];
      const modes = version === '7.3' ? ['madvise', 'bo_put_deferred', 'deferred_cleanup'] : [];
      expect(caps?.commands).toEqual(
        ['map', 'unmap', 'prefetch', 'bo_unmap', 'insert', 'remove', 'find', 'find_first', 'interval_empty', ...prevNext, 'bo_get', 'bo_put', 'evict', 'validate', ...modes],
      );
      expect(caps).toMatchObject({ via: ['ops', 'steps'], failAt: true, allocFailAt: true, accounting: true, defer: version === '7.3' });
      expect(caps?.vmFlags).toEqual(version === '7.3' ? ['immediate', 'resvProtected'] : ['resvProtected']);
    }, 120_000);

    if (version === '6.12') {
      it('refuses an immediate VM: the tree has no immediate mode', async () => {
        const { factory } = await kernelSubjectFactory(spec, {}, () => {});
        const subject = await factory();
        // reset may answer synchronously: wrap it so a throw becomes a rejection.
        await expect(Promise.resolve().then(() => subject.reset({ ...HEADER, flags: { immediate: true } }))).rejects.toThrow(
          /flags\.immediate: this tree has no DRM_GPUVM_IMMEDIATE_MODE/,
        );
        await subject.close?.();
      }, 120_000);
    }

    const variants: { title: string; commands: readonly Command[]; header: TraceHeader }[] = [
      { title: '', commands: COMMANDS, header: HEADER },
      { title: ' in a resv-protected VM', commands: COMMANDS, header: { ...HEADER, flags: { resvProtected: true } } },
    ];
    if (version === '7.3') {
      variants.push(
        { title: ' (defer refused outside an immediate VM)', commands: [MODE_COMMANDS[1] as Command], header: HEADER },
        { title: ' in an immediate VM', commands: COMMANDS, header: { ...HEADER, flags: { immediate: true } } },
        { title: ': defer, zombies, cleanup, madvise in an immediate VM', commands: MODE_COMMANDS, header: { ...HEADER, flags: { immediate: true } } },
        {
          title: ': the same in an immediate, resv-protected VM',
          commands: MODE_COMMANDS,
          header: { ...HEADER, flags: { immediate: true, resvProtected: true } },
        },
      );
    }
    for (const v of variants) {
      it(`matches the TypeScript driver command for command${v.title}`, async () => {
        const { factory } = await kernelSubjectFactory(spec, {}, () => {});
        const kernel = await factory();
        const expected = await trace(new GpuVmSubject(), v.commands, v.header);
        const actual = await trace(kernel, v.commands, v.header);
        await kernel.close?.();
        for (let i = 0; i < expected.length; i++) expect({ step: i, ...(actual[i] as object) }).toEqual({ step: i, ...(expected[i] as object) });
      }, 120_000);
    }
  });
}
