/**
 * The subject protocol's messages (src/protocol/wire.ts): what the encoders
 * write decodes back to the same values, and every way a reply can be wrong
 * is a WireError naming the field by its full path.
 */
import { describe, expect, it } from 'vitest';
import { decodeTrace } from '../../src/protocol/codec.ts';
import { TraceInputError } from '../../src/protocol/errors.ts';
import type { Accounting, Observation, Snapshot } from '../../src/protocol/types.ts';
import { FULL_CAPABILITIES } from '../../src/protocol/types.ts';
import {
  WireError,
  decodeAccounting,
  decodeExecReply,
  decodeHelloReply,
  decodeObservation,
  decodeRequest,
  decodeResetReply,
  decodeResetSnapshot,
  decodeSnapshot,
  decodeSnapshotReply,
  execReply,
  execRequest,
  helloReply,
  helloRequest,
  parseReply,
  resetReply,
  resetRequest,
  snapshotReply,
  threwReply,
} from '../../src/protocol/wire.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import { ReferenceModel } from '../../model/index.ts';
import { replayTrace } from '../../properties/index.ts';

const TRACE = decodeTrace(
  JSON.stringify({
    format: 'gpuvm-trace/1',
    vm: { start: '0x0', range: '0x40000', reserve: { addr: '0x0', range: '0x1000' } },
    objects: [{ bo: 1 }, { bo: 2, external: true }],
    commands: [
      { cmd: 'map', addr: '0x1000', range: '0x3000', bo: 1, offset: '0x0' },
      { cmd: 'map', addr: '0x2000', range: '0x1000', bo: 2, offset: '0x7000', via: 'steps' },
      { cmd: 'map', addr: '0x1000', range: '0x3000', bo: null, offset: '0x0', failAt: 2 },
      { cmd: 'unmap', addr: '0x1800', range: '0x1000', allocFailAt: 1 },
      { cmd: 'find', addr: '0x1000', range: '0x1000' },
      { cmd: 'interval_empty', addr: '0x8000', range: '0x1000' },
      { cmd: 'bo_get', bo: 2 },
      { cmd: 'evict', bo: 2, evict: true },
      { cmd: 'validate' },
      { cmd: 'prefetch', addr: '0x0', range: '0x40000' },
      { cmd: 'bo_unmap', bo: 1 },
    ],
  }),
  'inline.json',
);

/** Every observation, snapshot and accounting of a real run of the production manager. */
async function recorded(): Promise<{ observation: Observation; snapshot: Snapshot; accounting: Accounting | null }[]> {
  const subject = new GpuVmSubject();
  const out: { observation: Observation; snapshot: Snapshot; accounting: Accounting | null }[] = [];
  const r = await replayTrace(TRACE, subject, new ReferenceModel(), {
    onStep: (s) => out.push({ observation: s.observation, snapshot: s.after, accounting: subject.accounting() }),
  });
  expect(r.ok).toBe(true);
  return out;
}

/** A valid exec reply as plain JSON, to break field by field. */
async function validReply(): Promise<Record<string, unknown>> {
  const steps = await recorded();
  const s = steps[1]!; // a map over an existing VA: a remap, two vm_bos
  return JSON.parse(execReply(1, s.observation, s.snapshot, s.accounting)) as Record<string, unknown>;
}

function set(obj: unknown, path: (string | number)[], value: unknown): void {
  let o = obj as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete o[last];
  else o[last] = value;
}

function wireError(f: () => unknown): WireError {
  try {
    f();
  } catch (e) {
    if (e instanceof WireError) return e;
    throw e;
  }
  throw new Error('no WireError thrown');
}

describe('round trips', () => {
  it('observations, snapshots and accounting of a real run decode to exactly what was encoded', async () => {
    for (const [i, s] of (await recorded()).entries()) {
      const reply = decodeExecReply(parseReply(execReply(i, s.observation, s.snapshot, s.accounting), 'exec'), i, true);
      expect(reply).toEqual({ threw: null, observation: s.observation, snapshot: s.snapshot, accounting: s.accounting, reports: [] });
    }
  });

  it('a snapshot reply, a threw reply and reset replies decode', async () => {
    const s = (await recorded())[0]!.snapshot;
    expect(decodeSnapshotReply(parseReply(snapshotReply(s), 'snapshot'))).toEqual({ threw: null, snapshot: s });
    expect(decodeSnapshotReply(parseReply(threwReply('snapshot', 'Error: no'), 'snapshot'))).toEqual({ threw: 'Error: no' });
    expect(decodeExecReply(parseReply(threwReply('exec', 'TypeError: x', 4), 'exec'), 4, true)).toEqual({ threw: 'TypeError: x' });
    expect(decodeResetReply(parseReply(resetReply(null), 'reset'))).toBeNull();
    expect(decodeResetReply(parseReply(resetReply('reserve outside the VM'), 'reset'))).toBe('reserve outside the VM');
    expect(decodeResetSnapshot(parseReply(resetReply(null), 'reset'))).toBeNull();
    expect(decodeResetSnapshot(parseReply(resetReply(null, s), 'reset'))).toEqual(s);
    expect(wireError(() => decodeResetSnapshot({ reply: 'reset', ok: true, snapshot: { vas: [] } })).field).toBe('snapshot.kernel');
  });

  it('requests are the lines the documentation shows', () => {
    expect(execRequest(3, TRACE.commands[0]!)).toBe('{"req":"exec","index":3,"command":{"cmd":"map","addr":"0x1000","range":"0x3000","bo":1,"offset":"0x0"}}');
    expect(resetRequest(TRACE)).toBe(
      '{"req":"reset","vm":{"start":"0x0","range":"0x40000","reserve":{"addr":"0x0","range":"0x1000"}},"objects":[{"bo":1},{"bo":2,"external":true}]}',
    );
    expect(JSON.parse(helloRequest('gpuvm-check 0.1.0'))).toEqual({ req: 'hello', protocol: 1, harness: 'gpuvm-check 0.1.0' });
  });

  it('u64 values may come as hex or decimal strings or safe integers; unknown fields are ignored', () => {
    const o = decodeObservation({ ok: true, va: { addr: '4096', range: 4096, bo: null, offset: '0X10', later: 1 }, later: [1] });
    expect(o).toEqual({ ok: true, va: { addr: 4096n, range: 4096n, bo: null, offset: 16n } });
    expect(decodeObservation({ ok: true, va: null, error: null, ops: null })).toEqual({ ok: true, va: null });
  });
});

describe('a bad exec reply names the field', () => {
  it.each<[string, (string | number)[], unknown, RegExp]>([
    ['a missing vm_bo refcount', ['snapshot', 'vmBos', 0, 'refs'], undefined, /^field "snapshot\.vmBos\[0\]\.refs": missing \(expected an integer >= 0\)$/],
    ['a negative refcount', ['snapshot', 'vmBos', 0, 'refs'], -1, /^field "snapshot\.vmBos\[0\]\.refs": got -1/],
    ['ok as a string', ['observation', 'ok'], 'yes', /^field "observation\.ok": got "yes" \(expected true or false\)$/],
    ['an unknown op', ['observation', 'ops', 0, 'op'], 'merge', /^field "observation\.ops\[0\]\.op": got "merge" \(expected "map", "unmap", "remap" or "prefetch"\)$/],
    ['an address of 2^64', ['observation', 'ops', 0, 'unmap', 'va', 'addr'], '0x10000000000000000', /^field "observation\.ops\[0\]\.unmap\.va\.addr": got "0x10000000000000000" \(expected a u64/],
    ['an unsafe integer', ['observation', 'ops', 1, 'offset'], 2 ** 53 + 2, /^field "observation\.ops\[1\]\.offset": got 9007199254740994/],
    ['a hole of three values', ['observation', 'ops', 0, 'hole'], ['0x0', '0x1', '0x2'], /^field "observation\.ops\[0\]\.hole": got 3 values/],
    ['an unknown errno', ['observation', 'error'], 'EPERM', /^field "observation\.error": got "EPERM" \(expected one of EINVAL, EEXIST, ENOENT, ENOMEM, EBUSY, EIO\)$/],
    ['vas as an object', ['snapshot', 'vas'], {}, /^field "snapshot\.vas": got \{\} \(expected an array of VAs\)$/],
    ['a vm_bo VA that is no pair', ['snapshot', 'vmBos', 0, 'vas', 0], ['0x1000'], /^field "snapshot\.vmBos\[0\]\.vas\[0\]": got \["0x1000"\] \(expected \[addr, range\]\)$/],
    ['a kernel node without range', ['snapshot', 'kernel', 'range'], undefined, /^field "snapshot\.kernel\.range": missing/],
    ['no snapshot', ['snapshot'], undefined, /^field "snapshot": missing/],
    ['no observation', ['observation'], undefined, /^field "observation": missing/],
    ['accounting missing though declared', ['accounting'], undefined, /^field "accounting": missing \(the subject declared capabilities\.accounting\)$/],
    ['vasPreallocated as a string', ['accounting', 'vasPreallocated'], '3', /^field "accounting\.vasPreallocated": got "3"/],
    ['opsPure as a number', ['accounting', 'opsPure'], 1, /^field "accounting\.opsPure": got 1/],
    ['the index of another request', ['index'], 2, /^field "index": got 2 \(expected 1, the index of the request\)$/],
    ['threw as an object', ['threw'], { message: 'x' }, /^field "threw": got \{"message":"x"\}/],
    ['a report without a message', ['reports'], [{ kind: 'warn' }], /^field "reports\[0\]\.message": missing \(expected a string\)$/],
  ])('%s', async (_what, path, value, message) => {
    const reply = await validReply();
    set(reply, path, value);
    expect(wireError(() => decodeExecReply(reply, 1, true)).message).toMatch(message);
  });

  it('reports of kinds it does not know are ignored; warn and leak are kept', async () => {
    const reply = { ...(await validReply()), reports: [{ kind: 'warn', message: 'WARN 1' }, { kind: 'later', message: 'x' }, { kind: 'leak', message: 'L' }] };
    const r = decodeExecReply(reply, 1, true);
    expect(r.threw === null ? r.reports : null).toEqual([{ kind: 'warn', message: 'WARN 1' }, { kind: 'leak', message: 'L' }]);
  });

  it('accounting may be null ("nothing to report") when declared, and is not read when not declared', async () => {
    const reply = { ...(await validReply()), accounting: null };
    expect(decodeExecReply(reply, 1, true)).toMatchObject({ accounting: null });
    expect(decodeExecReply({ ...reply, accounting: 'garbage' }, 1, false)).toMatchObject({ accounting: null });
  });

  it('parseReply: not JSON, not an object, another reply', () => {
    expect(wireError(() => parseReply('{"reply":', 'exec')).message).toBe('the reply is not JSON');
    expect(wireError(() => parseReply('[1]', 'exec')).message).toBe('the reply is [1], not a JSON object');
    expect(wireError(() => parseReply('{"reply":"reset"}', 'exec')).message).toBe('field "reply": got "reset" (expected "exec")');
    expect(wireError(() => parseReply('{}', 'exec')).field).toBe('reply');
  });

  it('the pieces decode on their own with their own paths', () => {
    expect(wireError(() => decodeSnapshot({ vas: [], kernel: null, vmBos: [], objects: [{ bo: 1 }], evictList: [], extobjList: [] })).field).toBe('snapshot.objects[0].refs');
    expect(wireError(() => decodeAccounting({ vasNeeded: 1 })).field).toBe('accounting.vasPreallocated');
  });
});

describe('hello replies', () => {
  const good = (): Record<string, unknown> => JSON.parse(helloReply('my-vm 2.3', FULL_CAPABILITIES)) as Record<string, unknown>;
  const caps = (c: Record<string, unknown>): Record<string, unknown> => ({ ...good(), capabilities: { ...(good()['capabilities'] as object), ...c } });

  it('a valid one gives the name and the capabilities', () => {
    expect(decodeHelloReply(good())).toEqual({ protocol: 1, name: 'my-vm 2.3', capabilities: FULL_CAPABILITIES });
  });

  it('command kinds and via modes this version does not know are ignored', () => {
    const r = decodeHelloReply(caps({ commands: ['map', 'map_fixed', 'map'], via: ['ops', 'deferred'] }));
    expect(r.capabilities).toMatchObject({ commands: ['map'], via: ['ops'] });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['another version', { ...good(), protocol: 2 }, /^field "protocol": the subject speaks protocol version 2; this harness speaks version 1/],
    ['no version', { ...good(), protocol: undefined }, /^field "protocol": missing \(expected 1\)$/],
    ['no name', { ...good(), name: undefined }, /^field "name": missing/],
    ['a name of two lines', { ...good(), name: 'a\nb' }, /^field "name": got "a\\nb" \(expected one non-empty line of at most 200 characters\)$/],
    ['no capabilities', { ...good(), capabilities: undefined }, /^field "capabilities": missing/],
    ['no failAt', caps({ failAt: undefined }), /^field "capabilities\.failAt": missing \(expected true or false\)$/],
    ['no accounting', caps({ accounting: undefined }), /^field "capabilities\.accounting": missing/],
    ['no known command', caps({ commands: ['map_fixed'] }), /^field "capabilities\.commands": lists no command this harness knows/],
    ['map without a mode', caps({ via: [] }), /^field "capabilities\.via": lists no mode, but map or unmap is listed/],
    ['allocFailAt without ops', caps({ via: ['steps'] }), /^field "capabilities\.allocFailAt": is true, but "ops" is not in capabilities\.via/],
    ['a command that is not a string', caps({ commands: ['map', 7] }), /^field "capabilities\.commands\[1\]": got 7 \(expected a string\)$/],
  ])('%s is refused', (_what, json, message) => {
    expect(wireError(() => decodeHelloReply(json)).message).toMatch(message);
  });
});

describe('requests as a subject reads them (serve)', () => {
  const declared = new Set([1, 2]);
  it('hello, reset, exec, snapshot, close and an unknown request', () => {
    expect(decodeRequest(helloRequest('h'), declared)).toEqual({ req: 'hello', protocol: 1 });
    expect(decodeRequest(resetRequest(TRACE), declared)).toEqual({ req: 'reset', header: { vm: TRACE.vm, objects: TRACE.objects }, problem: null });
    expect(decodeRequest(execRequest(0, TRACE.commands[1]!), declared)).toEqual({ req: 'exec', index: 0, command: TRACE.commands[1] });
    expect(decodeRequest('{"req":"snapshot","later":1}', declared)).toEqual({ req: 'snapshot' });
    expect(decodeRequest('{"req":"close"}', declared)).toEqual({ req: 'close' });
    expect(decodeRequest('{"req":"madvise"}', declared)).toEqual({ req: 'unknown', name: 'madvise' });
  });

  it('a reset it cannot set up is a problem to answer, not a bad request', () => {
    const r = decodeRequest('{"req":"reset","vm":{"start":"0x0","range":"0x1000","reserve":{"addr":"0x2000","range":"0x1000"}},"objects":[]}', declared);
    expect(r).toMatchObject({ req: 'reset', header: null });
    expect(r.req === 'reset' ? r.problem : null).toMatch(/field "vm\.reserve": the reserved range \[0x2000, \+0x1000\) is not inside the VM/);
  });

  it('a bad request line or command is an error naming it', () => {
    expect(wireError(() => decodeRequest('nope', declared)).message).toBe('the request is not JSON');
    expect(wireError(() => decodeRequest('{"req":3}', declared)).message).toBe('field "req": got 3 (expected a string)');
    expect(() => decodeRequest('{"req":"exec","index":0,"command":{"cmd":"bo_get","bo":9}}', declared)).toThrow(TraceInputError);
    expect(() => decodeRequest('{"req":"exec","index":0,"command":{"cmd":"bo_get","bo":9}}', declared)).toThrow(/object 9 is not declared/);
  });
});
