/**
 * The codec's part of the VM modes: the header's `flags`, the commands
 * `madvise`, `bo_put_deferred` and `deferred_cleanup`, `defer` on map / unmap,
 * and the snapshot's `deferred` list. Round trips, the canonical form (old
 * traces encode byte for byte as before), and every bad input named.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TraceInputError, decodeTrace, decodeTraceValue, encodeTrace, toJsonCommand, type Trace } from '../../src/protocol/index.ts';
import { formatCommand } from '../../src/protocol/text.ts';
import { formatHeader } from '../../src/report/program.ts';

const FILE = 'corpus/m.json';

function doc(extra: Record<string, unknown> = {}, commands: unknown[] = []): Record<string, unknown> {
  return {
    format: 'gpuvm-trace/1',
    vm: { start: '0x0', range: '0x40000' },
    ...extra,
    objects: [{ bo: 1 }, { bo: 2, external: true }],
    commands,
  };
}

function rejection(value: unknown): TraceInputError {
  try {
    decodeTraceValue(value, FILE);
  } catch (e) {
    if (e instanceof TraceInputError) return e;
    throw e;
  }
  throw new Error('expected the trace to be rejected');
}

const NEW_COMMANDS = [
  { cmd: 'madvise', addr: '0x1000', range: '0x2000', bo: null, offset: '0x0' },
  { cmd: 'madvise', addr: '0x1000', range: '0x2000', bo: 2, offset: '0x5000', failAt: 2, allocFailAt: 1 },
  { cmd: 'bo_put_deferred', bo: 1 },
  { cmd: 'deferred_cleanup' },
  { cmd: 'map', addr: '0x0', range: '0x1000', bo: 1, offset: '0x0', via: 'steps', failAt: 1, defer: true },
  { cmd: 'unmap', addr: '0x0', range: '0x1000', via: 'steps', defer: true },
];

describe('flags in the trace header', () => {
  it('round-trip, written right after vm, only the flags that are set', () => {
    for (const flags of [{ immediate: true }, { resvProtected: true }, { immediate: true, resvProtected: true }]) {
      const t = decodeTraceValue(doc({ flags }), FILE);
      expect(t.flags).toEqual(flags);
      const text = encodeTrace(t);
      expect(Object.keys(JSON.parse(text) as object)).toEqual(['format', 'vm', 'flags', 'objects', 'commands']);
      expect(decodeTrace(text, FILE)).toEqual(t);
    }
  });

  it('false flags read as absent, and a trace without flags encodes without them', () => {
    const t = decodeTraceValue(doc({ flags: { immediate: false, resvProtected: false } }), FILE);
    expect('flags' in t).toBe(false);
    expect(decodeTraceValue(doc({ flags: { immediate: true, resvProtected: false } }), FILE).flags).toEqual({ immediate: true });
    expect(encodeTrace(t)).not.toContain('flags');
  });

  it('every saved corpus trace (written before flags existed) encodes exactly as stored', () => {
    for (const dir of ['corpus', 'corpus/zoo']) {
      const url = new URL(`../../${dir}/`, import.meta.url);
      for (const name of readdirSync(url).filter((n) => n.endsWith('.json'))) {
        const text = readFileSync(new URL(name, url), 'utf8');
        const t = decodeTrace(text, name);
        if (t.flags === undefined) expect(encodeTrace(t), name).toBe(text);
      }
    }
  });

  it.each([
    ['not an object', true, 'flags', 'expected an object { immediate?, resvProtected? }, got true'],
    ['an array', [], 'flags', 'expected an object { immediate?, resvProtected? }, got []'],
    ['an unknown flag', { userbits: true }, 'flags.userbits', 'unknown flag (allowed: immediate, resvProtected)'],
    ['a flag that is not a boolean', { immediate: 1 }, 'flags.immediate', 'expected true or false, got 1'],
  ])('rejects %s, naming the field', (_what, flags, field, reason) => {
    const e = rejection(doc({ flags }));
    expect(e.field).toBe(field);
    expect(e.message).toBe(`${FILE}: field "${field}": ${reason}`);
  });
});

describe('the new commands', () => {
  it('round-trip field for field, in table order', () => {
    const t = decodeTraceValue(doc({}, NEW_COMMANDS), FILE);
    expect(t.commands.map(toJsonCommand)).toEqual(NEW_COMMANDS);
    expect(decodeTrace(encodeTrace(t), FILE)).toEqual(t);
  });

  it('read as typed values', () => {
    const t = decodeTraceValue(doc({}, NEW_COMMANDS.slice(1, 2)), FILE);
    expect(t.commands[0]).toEqual({ cmd: 'madvise', addr: 0x1000n, range: 0x2000n, bo: 2, offset: 0x5000n, failAt: 2, allocFailAt: 1 });
  });

  it.each([
    [{ cmd: 'madvise', addr: '0x0', range: '0x1000', offset: '0x0' }, 'commands[0].bo', 'missing (expected an object id or null)'],
    [{ cmd: 'madvise', addr: '0x0', range: '0x1000', bo: 3, offset: '0x0' }, 'commands[0].bo', 'object 3 is not declared in "objects"'],
    [
      { cmd: 'madvise', addr: '0x0', range: '0x1000', bo: null, offset: '0x0', via: 'steps' },
      'commands[0].via',
      'unknown field for "madvise" (allowed: addr, range, bo, offset, failAt, allocFailAt)',
    ],
    [{ cmd: 'madvise', addr: '0x0', range: '0x1000', bo: null, offset: '-1' }, 'commands[0].offset', 'expected a u64 (hex string, decimal string or safe integer), got "-1"'],
    [{ cmd: 'bo_put_deferred', bo: null }, 'commands[0].bo', 'expected the id of an object declared in "objects", got null'],
    [{ cmd: 'bo_put_deferred' }, 'commands[0].bo', 'missing (expected an object id)'],
    [{ cmd: 'deferred_cleanup', bo: 1 }, 'commands[0].bo', 'unknown field for "deferred_cleanup" (allowed: none)'],
    [
      { cmd: 'unmap', addr: '0x0', range: '0x1000', defer: true },
      'commands[0].defer',
      'defer needs via "steps" (the step callbacks unlink deferred), but the command has via "ops"',
    ],
    [
      { cmd: 'map', addr: '0x0', range: '0x1000', bo: 1, offset: '0x0', via: 'ops', defer: true },
      'commands[0].defer',
      'defer needs via "steps" (the step callbacks unlink deferred), but the command has via "ops"',
    ],
    [{ cmd: 'unmap', addr: '0x0', range: '0x1000', via: 'steps', defer: 'yes' }, 'commands[0].defer', 'expected true or false, got "yes"'],
  ])('rejects %j, naming command 0 and the field', (command, field, reason) => {
    const e = rejection(doc({}, [command]));
    expect(e.field).toBe(field);
    expect(e.message).toBe(`${FILE}: command 0 (${command.cmd}): field "${field.slice('commands[0].'.length)}": ${reason}`);
  });

  it('a false defer is allowed with either via and kept as written', () => {
    const t = decodeTraceValue(doc({}, [{ cmd: 'unmap', addr: '0x0', range: '0x1000', defer: false }]), FILE);
    expect(t.commands[0]).toEqual({ cmd: 'unmap', addr: 0n, range: 0x1000n, defer: false });
  });

  it('read as a program: the notation of each new command and of the flags', () => {
    const t: Trace = decodeTraceValue(doc({ flags: { immediate: true, resvProtected: true } }, NEW_COMMANDS), FILE);
    expect(t.commands.map((c) => formatCommand(c))).toEqual([
      'madvise 0x1000+0x2000 -> null @0x0',
      'madvise 0x1000+0x2000 -> bo2 @0x5000 failAt 2 allocFailAt 1',
      'bo_put_deferred bo1',
      'deferred_cleanup',
      'map 0x0+0x1000 -> bo1 @0x0 via steps failAt 1 defer',
      'unmap 0x0+0x1000 via steps defer',
    ]);
    expect(formatHeader(t)).toEqual(['vm 0x0+0x40000, immediate resvProtected', 'objects bo1, bo2 (external)']);
  });
});
