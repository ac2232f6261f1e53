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

async function trace(subject: Subject, commands: readonly Command[]): Promise<unknown[]> {
  await subject.reset(HEADER);
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

it('the cross-check trace has the outcomes its comments describe (on the TypeScript driver)', () => {
  const s = new GpuVmSubject();
  s.reset(HEADER);
  expect(COMMANDS.map((c) => { const o = s.exec(c); return o.ok ? 'ok' : o.error; })).toEqual(OUTCOMES);
});

for (const version of ['6.12', '7.3']) {
  describe.skipIf(skipReason(version) !== null)(titled(version, 'the kernel subject'), () => {
    const spec = `kernel:${treeOf(version) ?? ''}`;

    it('declares every command kind the tree has, both modes, failAt, allocFailAt and accounting', async () => {
      const { factory, build } = await kernelSubjectFactory(spec, {}, () => {});
      const subject = await factory();
      const caps = subject.capabilities;
      await subject.close?.();
      expect(subject.name).toBe(`kernel Linux ${build.version.text} drm_gpuvm`);
      const prevNext = version === '6.12' ? ['find_prev', 'find_next'] : [];
      expect(caps?.commands).toEqual(
        ['map', 'unmap', 'prefetch', 'bo_unmap', 'insert', 'remove', 'find', 'find_first', 'interval_empty', ...prevNext, 'bo_get', 'bo_put', 'evict', 'validate'],
      );
      expect(caps).toMatchObject({ via: ['ops', 'steps'], failAt: true, allocFailAt: true, accounting: true });
    }, 120_000);

    if (version === '6.12') {
      it('refuses ?immediate: the tree has no immediate mode', async () => {
        await expect(kernelSubjectFactory(`${spec}?immediate`, {}, () => {})).rejects.toThrow(
          /immediate needs DRM_GPUVM_IMMEDIATE_MODE, which Linux 6\.12\.\d+ does not have/,
        );
      }, 120_000);
    }

    for (const immediate of version === '7.3' ? [false, true] : [false]) {
      it(`matches the TypeScript driver command for command${immediate ? ' in an immediate-mode VM' : ''}`, async () => {
        const { factory } = await kernelSubjectFactory(`${spec}${immediate ? '?immediate' : ''}`, {}, () => {});
        const kernel = await factory();
        const expected = await trace(new GpuVmSubject(), COMMANDS);
        const actual = await trace(kernel, COMMANDS);
        await kernel.close?.();
        for (let i = 0; i < expected.length; i++) expect({ step: i, ...(actual[i] as object) }).toEqual({ step: i, ...(expected[i] as object) });
      }, 120_000);
    }
  });
}
