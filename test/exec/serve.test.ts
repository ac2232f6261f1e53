/**
 * The subject side (src/exec/serve.ts): `SubjectServer` answers each request
 * as docs/subject-protocol.md says, whatever the served subject does.
 */
import { describe, expect, it } from 'vitest';
import { BadRequestError, SubjectServer, type Served } from '../../src/exec/serve.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import { ReferenceModel } from '../../model/index.ts';
import type { Subject } from '../../src/protocol/types.ts';

const RESET = '{"req":"reset","vm":{"start":"0x0","range":"0x40000"},"objects":[{"bo":1}]}';
const MAP = '{"req":"exec","index":0,"command":{"cmd":"map","addr":"0x1000","range":"0x3000","bo":1,"offset":"0x0"}}';

async function reply(server: SubjectServer, line: string): Promise<Record<string, unknown>> {
  const served: Served = await server.handle(line);
  return JSON.parse(served.reply) as Record<string, unknown>;
}

describe('SubjectServer', () => {
  it('hello declares the capabilities, accounting only when the subject has it', async () => {
    const gpuvm = await reply(new SubjectServer(new GpuVmSubject()), '{"req":"hello","protocol":1}');
    expect(gpuvm).toMatchObject({ reply: 'hello', protocol: 1, name: 'builtin:gpuvm', capabilities: { failAt: true, allocFailAt: true, accounting: true } });
    const model = await reply(new SubjectServer(new ReferenceModel()), '{"req":"hello","protocol":1}');
    expect(model).toMatchObject({ name: 'builtin:model', capabilities: { accounting: false } });
  });

  it('exec replies with the observation, the snapshot after it and the accounting, all in one line', async () => {
    const server = new SubjectServer(new GpuVmSubject());
    expect(await reply(server, RESET)).toEqual({
      reply: 'reset',
      ok: true,
      snapshot: { vas: [], kernel: null, vmBos: [], objects: [{ bo: 1, refs: 1 }], evictList: [], extobjList: [], deferred: [] },
    });
    const r = await reply(server, MAP);
    expect(r).toMatchObject({
      reply: 'exec',
      index: 0,
      observation: { ok: true, ops: [{ op: 'map', addr: '0x1000', range: '0x3000', bo: 1, offset: '0x0' }] },
      snapshot: { vas: [{ addr: '0x1000', range: '0x3000', bo: 1, offset: '0x0' }], objects: [{ bo: 1, refs: 2 }] },
      accounting: { vasNeeded: 1, opsAllocated: 1 },
    });
  });

  it('an exception of exec or snapshot is a threw reply; one of reset is ok: false', async () => {
    const broken: Subject = {
      name: 'broken',
      reset: (h) => {
        if (h.objects.length > 0) throw new Error('no objects, please');
      },
      exec: () => {
        throw new TypeError('x is undefined');
      },
      snapshot: () => {
        throw new RangeError('no snapshot');
      },
    };
    const server = new SubjectServer(broken);
    expect(await reply(server, RESET)).toEqual({ reply: 'reset', ok: false, message: 'Error: no objects, please' });
    // reset works, but its snapshot throws: the reply leaves it out (the harness asks, and gets the exception)
    expect(await reply(server, '{"req":"reset","vm":{"start":"0x0","range":"0x1000"},"objects":[]}')).toEqual({ reply: 'reset', ok: true });
    expect(await reply(server, '{"req":"exec","index":4,"command":{"cmd":"validate"}}')).toEqual({ reply: 'exec', index: 4, threw: 'TypeError: x is undefined' });
    expect(await reply(server, '{"req":"snapshot"}')).toEqual({ reply: 'snapshot', threw: 'RangeError: no snapshot' });
  });

  it('an async subject is awaited', async () => {
    const m = new ReferenceModel();
    const asyncModel: Subject = { name: 'async', reset: async (h) => m.reset(h), exec: async (c) => m.exec(c), snapshot: async () => m.snapshot() };
    const server = new SubjectServer(asyncModel);
    expect(server.handle(RESET)).toBeInstanceOf(Promise);
    await server.handle(RESET);
    expect(await reply(server, MAP)).toMatchObject({ reply: 'exec', index: 0, observation: { ok: true } });
  });

  it('close replies and says so; a request it cannot read is a BadRequestError naming the request', async () => {
    const server = new SubjectServer(new GpuVmSubject());
    expect(await server.handle('{"req":"close"}')).toEqual({ reply: '{"reply":"close"}', close: true });
    expect(() => server.handle('{"req":"exec","index":0,"command":{"cmd":"validate"}}')).not.toThrow();
    expect(() => server.handle('not json')).toThrow(BadRequestError);
    expect(() => server.handle('not json')).toThrow(/^request 4: the request is not JSON$/);
    expect(() => server.handle('{"req":"exec","index":0,"command":{"cmd":"bo_get","bo":3}}')).toThrow(/request 5: exec request: command 0 \(bo_get\): field "bo": object 3 is not declared/);
    expect(() => server.handle('{"req":"frobnicate"}')).toThrow(/unknown request "frobnicate"/);
  });
});
