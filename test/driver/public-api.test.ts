/**
 * The package entry (`src/index.ts`): one import gives the codec, the manager,
 * the driver, the model, subject resolution and the engine, and they work
 * together on a hand-written trace.
 */

import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.ts';

const traceText = JSON.stringify({
  format: 'gpuvm-trace/1',
  vm: { start: '0x0', range: '0x40000', reserve: { addr: '0x0', range: '0x1000' } },
  objects: [{ bo: 1 }, { bo: 2, external: true }],
  commands: [
    { cmd: 'map', addr: '0x1000', range: '0x3000', bo: 1, offset: '0x0' },
    { cmd: 'map', addr: '0x2000', range: '0x1000', bo: 2, offset: '0x0', via: 'steps' },
    { cmd: 'unmap', addr: '0x1000', range: '0x2000', failAt: 1 },
    { cmd: 'bo_get', bo: 2 },
    { cmd: 'evict', bo: 2, evict: true },
    { cmd: 'validate' },
    { cmd: 'bo_unmap', bo: 1 },
  ],
});

describe('public entry', () => {
  it('a decoded trace replays cleanly: the driver (resolved by spec) agrees with the model', async () => {
    const trace = api.decodeTrace(traceText, 'inline.json');
    const subject = await (await api.resolveSubject('builtin:gpuvm'))();
    const model = await (await api.resolveSubject('builtin:model'))();
    expect(subject).toBeInstanceOf(api.GpuVmSubject);
    expect(model).toBeInstanceOf(api.ReferenceModel);
    const result = await api.replayTrace(trace, subject, model);
    expect(result).toEqual({ ok: true, steps: 7 });
  });

  it('a GpuVmSubject over a custom GpuVm subclass built from the entry alone', () => {
    let inserted = 0;
    class CountingVm extends api.GpuVm {
      override insert(va: api.GpuVa): void {
        inserted++;
        super.insert(va);
      }
    }
    const subject = new api.GpuVmSubject({ createVm: (cfg) => new CountingVm(cfg) });
    subject.reset(api.decodeTrace(traceText, 'inline.json'));
    subject.exec({ cmd: 'insert', addr: 0x8000n, range: 0x1000n, bo: 1, offset: 0n });
    expect(inserted).toBe(1);
    expect(api.toJsonSnapshot(subject.snapshot())).toMatchObject({ vas: [{ addr: '0x8000', range: '0x1000', bo: 1 }] });
  });
});
