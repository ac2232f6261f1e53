import { describe, expect, it } from 'vitest';
import {
  TRACE_FORMAT,
  TraceInputError,
  decodeTrace,
  decodeTraceValue,
  encodeTrace,
  formatU64,
  parseU64,
  toJsonCommand,
  toJsonObservation,
  toJsonOpRecord,
  toJsonSnapshot,
  toJsonVaRecord,
  type Trace,
} from '../../src/protocol/index.ts';

const MAX = (1n << 64n) - 1n;
const FILE = 'corpus/x.json';

/** A valid trace document (plain JSON) to which each rejection test applies one change. */
function baseDoc(): Record<string, unknown> {
  return {
    format: 'gpuvm-trace/1',
    vm: { start: '0x0', range: '0x40000', reserve: { addr: '0x0', range: '0x1000' } },
    objects: [{ bo: 1 }, { bo: 2, external: true }],
    commands: [
      { cmd: 'map', addr: '0x1000', range: '0x3000', bo: 1, offset: '0x0' },
      { cmd: 'unmap', addr: '0x2000', range: '0x1000', via: 'steps' },
      { cmd: 'validate' },
      { cmd: 'map', addr: '0x8000', range: '0x1000', bo: 2, offset: '0x0' },
    ],
  };
}

function withCommand(index: number, command: unknown): Record<string, unknown> {
  const doc = baseDoc();
  (doc['commands'] as unknown[])[index] = command;
  return doc;
}

/** Decodes `doc` expecting a TraceInputError; returns it. */
function rejection(doc: unknown): TraceInputError {
  try {
    decodeTraceValue(doc, FILE);
  } catch (e) {
    if (e instanceof TraceInputError) return e;
    throw e;
  }
  throw new Error('expected the trace to be rejected');
}

describe('u64 encoding', () => {
  it('formats u64 as lowercase hex with 0x', () => {
    expect(formatU64(0n)).toBe('0x0');
    expect(formatU64(0x1a00000n)).toBe('0x1a00000');
    expect(formatU64(MAX)).toBe('0xffffffffffffffff');
  });

  it('parses hex (any case), decimal strings and safe integers; rejects everything else', () => {
    expect(parseU64('0x1A')).toBe(26n);
    expect(parseU64('0XfF')).toBe(255n);
    expect(parseU64('42')).toBe(42n);
    expect(parseU64(42)).toBe(42n);
    expect(parseU64('0xffffffffffffffff')).toBe(MAX);
    expect(parseU64('18446744073709551615')).toBe(MAX);
    expect(parseU64('0x10000000000000000')).toBeNull();
    expect(parseU64('18446744073709551616')).toBeNull();
    expect(parseU64('-1')).toBeNull();
    expect(parseU64(-1)).toBeNull();
    expect(parseU64(1.5)).toBeNull();
    expect(parseU64(2 ** 53)).toBeNull();
    expect(parseU64('')).toBeNull();
    expect(parseU64('0x')).toBeNull();
    expect(parseU64(' 1')).toBeNull();
    expect(parseU64('1e3')).toBeNull();
    expect(parseU64(null)).toBeNull();
    expect(parseU64(true)).toBeNull();
    expect(parseU64([1])).toBeNull();
  });
});

describe('round trip', () => {
  const trace: Trace = {
    format: TRACE_FORMAT,
    vm: { start: 0x1000n, range: (1n << 64n) - 0x1000n, reserve: { addr: MAX, range: 1n } },
    objects: [{ bo: 0 }, { bo: 1, external: false }, { bo: 7, external: true }],
    commands: [
      { cmd: 'map', addr: 0n, range: 0x1000n, bo: 1, offset: MAX, via: 'steps', failAt: 2 },
      { cmd: 'map', addr: 0x2000n, range: 0x1000n, bo: null, offset: 0n, via: 'ops', allocFailAt: 1, failAt: 3 },
      { cmd: 'unmap', addr: MAX, range: 1n },
      { cmd: 'unmap', addr: 5n, range: 6n, via: 'steps', failAt: 1 },
      { cmd: 'prefetch', addr: 0n, range: MAX },
      { cmd: 'bo_unmap', bo: 7 },
      { cmd: 'insert', addr: 0x3000n, range: 0x1000n, bo: 0, offset: 0x10n },
      { cmd: 'remove', addr: 0x3000n, range: 0x1000n },
      { cmd: 'find', addr: 1n, range: 2n },
      { cmd: 'find_first', addr: 1n, range: 2n },
      { cmd: 'interval_empty', addr: 1n, range: 2n },
      { cmd: 'find_prev', start: MAX },
      { cmd: 'find_next', end: 0n },
      { cmd: 'bo_get', bo: 7 },
      { cmd: 'bo_put', bo: 7 },
      { cmd: 'evict', bo: 1, evict: true },
      { cmd: 'validate' },
    ],
    meta: { invariant: 'keep-flag', seed: 42, path: '12:3', subject: 'builtin:gpuvm', extra: [1, { a: 'b' }] },
  };

  it('decode(encode(t)) deep-equals t, including 0 and 2^64-1', () => {
    expect(decodeTrace(encodeTrace(trace), FILE)).toStrictEqual(trace);
  });

  it('keeps an absent reserve absent, a null reserve null, and an absent meta absent', () => {
    const noReserve: Trace = { format: TRACE_FORMAT, vm: { start: 0x1000n, range: 0x1000n }, objects: [], commands: [] };
    expect(decodeTrace(encodeTrace(noReserve), FILE)).toStrictEqual(noReserve);
    const nullReserve: Trace = { ...noReserve, vm: { start: 0n, range: 1n, reserve: null } };
    expect(decodeTrace(encodeTrace(nullReserve), FILE)).toStrictEqual(nullReserve);
  });

  it('writes 2-space pretty JSON with keys format, vm, objects, commands, meta and u64 as hex', () => {
    const text = encodeTrace(trace);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['format', 'vm', 'objects', 'commands', 'meta']);
    expect(text.startsWith('{\n  "format": "gpuvm-trace/1",\n  "vm": {\n    "start": "0x1000",')).toBe(true);
    expect(text).toContain('"range": "0xfffffffffffff000"');
    const cmds = parsed['commands'] as Record<string, unknown>[];
    expect(cmds[0]).toEqual({ cmd: 'map', addr: '0x0', range: '0x1000', bo: 1, offset: '0xffffffffffffffff', via: 'steps', failAt: 2 });
    expect(Object.keys(cmds[1] ?? {})).toEqual(['cmd', 'addr', 'range', 'bo', 'offset', 'via', 'failAt', 'allocFailAt']);
    expect(cmds[2]).toEqual({ cmd: 'unmap', addr: '0xffffffffffffffff', range: '0x1' });
  });
});

describe('lenient number forms on input', () => {
  it('accepts decimal strings, safe-integer numbers and upper-case hex for every u64 field', () => {
    const doc = {
      format: 'gpuvm-trace/1',
      vm: { start: 0, range: '262144', reserve: { addr: '0X0', range: 4096 } },
      objects: [{ bo: 3 }],
      commands: [
        { cmd: 'map', addr: '4096', range: 8192, bo: 3, offset: '0XAB' },
        { cmd: 'find_prev', start: 12288 },
        { cmd: 'find_next', end: '12288' },
      ],
    };
    const t = decodeTraceValue(doc, FILE);
    expect(t.vm).toStrictEqual({ start: 0n, range: 262144n, reserve: { addr: 0n, range: 4096n } });
    expect(t.commands).toStrictEqual([
      { cmd: 'map', addr: 4096n, range: 8192n, bo: 3, offset: 0xabn },
      { cmd: 'find_prev', start: 12288n },
      { cmd: 'find_next', end: 12288n },
    ]);
  });

  it('accepts a null reserve and an absent reserve', () => {
    const a = baseDoc();
    (a['vm'] as Record<string, unknown>)['reserve'] = null;
    expect(decodeTraceValue(a, FILE).vm.reserve).toBeNull();
    const b = baseDoc();
    delete (b['vm'] as Record<string, unknown>)['reserve'];
    expect('reserve' in decodeTraceValue(b, FILE).vm).toBe(false);
  });

  it('keeps meta as given', () => {
    const doc = { ...baseDoc(), meta: { seed: 9, note: 'x', nested: { k: [1, 2] } } };
    expect(decodeTraceValue(doc, FILE).meta).toStrictEqual({ seed: 9, note: 'x', nested: { k: [1, 2] } });
  });
});

describe('rejections name the file, command index and field', () => {
  it('not JSON: gives the line and column of the syntax error', () => {
    const e = (() => {
      try {
        decodeTrace('{\n  "format": "gpuvm-trace/1",\n  "vm": oops\n}', FILE);
      } catch (err) {
        return err as TraceInputError;
      }
      throw new Error('not rejected');
    })();
    expect(e).toBeInstanceOf(TraceInputError);
    expect(e.message).toMatch(/^corpus\/x\.json: not valid JSON at line 3, column 9 \(offset 39\)/);
    expect(e.message).not.toContain('\n');
    expect(e.index).toBeNull();
  });

  it('not JSON: an empty file is reported at its end', () => {
    expect(() => decodeTrace('', FILE)).toThrow(/^corpus\/x\.json: not valid JSON at line 1, column 1 \(offset 0\)/);
  });

  it('the document is not an object', () => {
    const e = rejection([1, 2]);
    expect(e.message).toBe('corpus/x.json: expected a trace object, got [1,2]');
  });

  it('missing format', () => {
    const doc = baseDoc();
    delete doc['format'];
    const e = rejection(doc);
    expect(e.field).toBe('format');
    expect(e.message).toBe('corpus/x.json: field "format": missing (expected "gpuvm-trace/1")');
  });

  it('wrong format', () => {
    const e = rejection({ ...baseDoc(), format: 'gpuvm-trace/2' });
    expect(e.message).toBe('corpus/x.json: field "format": expected "gpuvm-trace/1", got "gpuvm-trace/2"');
  });

  it('unknown top-level field', () => {
    const e = rejection({ ...baseDoc(), comment: 'hi' });
    expect(e.field).toBe('comment');
    expect(e.message).toMatch(/^corpus\/x\.json: field "comment": unknown field/);
  });

  it('missing vm', () => {
    const doc = baseDoc();
    delete doc['vm'];
    expect(rejection(doc).message).toMatch(/^corpus\/x\.json: field "vm": missing/);
  });

  it('vm not an object', () => {
    expect(rejection({ ...baseDoc(), vm: 'big' }).message).toMatch(/^corpus\/x\.json: field "vm": expected an object/);
  });

  it('missing vm.start', () => {
    const e = rejection({ ...baseDoc(), vm: { range: '0x1000' } });
    expect(e.field).toBe('vm.start');
    expect(e.message).toMatch(/^corpus\/x\.json: field "vm\.start": missing \(expected a u64/);
  });

  it('invalid vm.range', () => {
    const e = rejection({ ...baseDoc(), vm: { start: '0x0', range: -5 } });
    expect(e.message).toBe(
      'corpus/x.json: field "vm.range": expected a u64 (hex string, decimal string or safe integer), got -5',
    );
  });

  it('a VM reaching past 2^64', () => {
    const e = rejection({ ...baseDoc(), vm: { start: '0x2', range: '0xffffffffffffffff' } });
    expect(e.field).toBe('vm.range');
    expect(e.message).toMatch(/^corpus\/x\.json: field "vm\.range": .*past 2\^64/);
  });

  it('unknown field in vm', () => {
    const e = rejection({ ...baseDoc(), vm: { start: '0x0', range: '0x1000', size: 1 } });
    expect(e.field).toBe('vm.size');
  });

  it('reserve not an object', () => {
    const e = rejection({ ...baseDoc(), vm: { start: '0x0', range: '0x1000', reserve: 5 } });
    expect(e.message).toBe('corpus/x.json: field "vm.reserve": expected { addr, range } or null, got 5');
  });

  it('reserve with a bad addr', () => {
    const e = rejection({ ...baseDoc(), vm: { start: '0x0', range: '0x1000', reserve: { addr: 'zero', range: '0x1' } } });
    expect(e.field).toBe('vm.reserve.addr');
    expect(e.message).toMatch(/field "vm\.reserve\.addr": expected a u64 .*got "zero"$/);
  });

  it('reserve outside the VM', () => {
    const e = rejection({ ...baseDoc(), vm: { start: '0x1000', range: '0x1000', reserve: { addr: '0x0', range: '0x1000' } } });
    expect(e.field).toBe('vm.reserve');
    expect(e.message).toMatch(/^corpus\/x\.json: field "vm\.reserve": the reserved range .* is not inside the VM/);
  });

  it('objects missing', () => {
    const doc = baseDoc();
    delete doc['objects'];
    expect(rejection(doc).message).toMatch(/^corpus\/x\.json: field "objects": missing/);
  });

  it('objects not an array', () => {
    const e = rejection({ ...baseDoc(), objects: { bo: 1 } });
    expect(e.message).toMatch(/^corpus\/x\.json: field "objects": expected an array/);
  });

  it('an object declaration that is not an object', () => {
    const e = rejection({ ...baseDoc(), objects: [{ bo: 1 }, 2] });
    expect(e.field).toBe('objects[1]');
  });

  it('a bo id that is not a non-negative integer', () => {
    for (const bad of [-1, 1.5, '1', null]) {
      const e = rejection({ ...baseDoc(), objects: [{ bo: 1 }, { bo: bad }] });
      expect(e.field).toBe('objects[1].bo');
      expect(e.message).toBe(`corpus/x.json: field "objects[1].bo": expected a non-negative integer id, got ${JSON.stringify(bad)}`);
    }
  });

  it('a duplicate bo id', () => {
    const e = rejection({ ...baseDoc(), objects: [{ bo: 1 }, { bo: 2 }, { bo: 1, external: true }] });
    expect(e.message).toBe('corpus/x.json: field "objects[2].bo": object 1 is declared twice');
  });

  it('external that is not a boolean, and an unknown object field', () => {
    expect(rejection({ ...baseDoc(), objects: [{ bo: 1, external: 'yes' }] }).field).toBe('objects[0].external');
    expect(rejection({ ...baseDoc(), objects: [{ bo: 1, size: 4096 }] }).field).toBe('objects[0].size');
  });

  it('commands missing or not an array', () => {
    const doc = baseDoc();
    delete doc['commands'];
    expect(rejection(doc).message).toMatch(/^corpus\/x\.json: field "commands": missing/);
    expect(rejection({ ...baseDoc(), commands: 'map' }).message).toMatch(/^corpus\/x\.json: field "commands": expected an array/);
  });

  it('a command that is not an object', () => {
    const e = rejection(withCommand(2, 'validate'));
    expect(e.index).toBe(2);
    expect(e.field).toBe('commands[2]');
    expect(e.message).toBe('corpus/x.json: command 2: expected a command object, got "validate"');
  });

  it('a command without cmd', () => {
    const e = rejection(withCommand(1, { addr: '0x0' }));
    expect(e.message).toBe('corpus/x.json: command 1: field "cmd": missing (expected the command name)');
  });

  it('an unknown command', () => {
    const e = rejection(withCommand(3, { cmd: 'mmap', addr: '0x0' }));
    expect(e.index).toBe(3);
    expect(e.field).toBe('commands[3].cmd');
    expect(e.message).toMatch(/^corpus\/x\.json: command 3: field "cmd": unknown command "mmap" \(known: map, unmap/);
  });

  it('an unknown field on a command, named', () => {
    const e = rejection(withCommand(3, { cmd: 'map', addr: '0x0', range: '0x1000', bo: 1, offset: '0x0', flags: 1 }));
    expect(e.field).toBe('commands[3].flags');
    expect(e.message).toBe(
      'corpus/x.json: command 3 (map): field "flags": unknown field for "map" (allowed: addr, range, bo, offset, via, failAt, allocFailAt, defer)',
    );
  });

  it('a field that belongs to another command is unknown (validate takes none)', () => {
    const e = rejection(withCommand(2, { cmd: 'validate', bo: 1 }));
    expect(e.message).toBe('corpus/x.json: command 2 (validate): field "bo": unknown field for "validate" (allowed: none)');
  });

  it('a missing required field', () => {
    const e = rejection(withCommand(3, { cmd: 'map', addr: '0x0', range: '0x1000', bo: 1 }));
    expect(e.field).toBe('commands[3].offset');
    expect(e.message).toMatch(/^corpus\/x\.json: command 3 \(map\): field "offset": missing \(expected a u64/);
  });

  it('a missing bo (null must be written explicitly)', () => {
    const e = rejection(withCommand(3, { cmd: 'insert', addr: '0x0', range: '0x1000', offset: '0x0' }));
    expect(e.message).toBe('corpus/x.json: command 3 (insert): field "bo": missing (expected an object id or null)');
  });

  it('a bad u64: negative hex', () => {
    const e = rejection(withCommand(3, { cmd: 'map', addr: '-0x1', range: '0x1000', bo: 1, offset: '0x0' }));
    expect(e.message).toBe(
      'corpus/x.json: command 3 (map): field "addr": expected a u64 (hex string, decimal string or safe integer), got "-0x1"',
    );
  });

  it('a bad u64: 2^64 and above', () => {
    const e = rejection(withCommand(0, { cmd: 'unmap', addr: '0x0', range: '0x10000000000000000' }));
    expect(e.message).toBe(
      'corpus/x.json: command 0 (unmap): field "range": expected a u64 (hex string, decimal string or safe integer), got "0x10000000000000000" (>= 2^64)',
    );
  });

  it('a bad u64: fraction, empty string, unsafe number, boolean', () => {
    for (const bad of [1.5, '', 2 ** 60, true, '1.0', { v: 1 }]) {
      const e = rejection(withCommand(1, { cmd: 'find_prev', start: bad }));
      expect(e.field).toBe('commands[1].start');
      expect(e.message).toMatch(/^corpus\/x\.json: command 1 \(find_prev\): field "start": expected a u64/);
    }
  });

  it('a wrong type for a bo', () => {
    const e = rejection(withCommand(0, { cmd: 'bo_get', bo: '1' }));
    expect(e.message).toBe('corpus/x.json: command 0 (bo_get): field "bo": expected the id of an object declared in "objects", got "1"');
  });

  it('a null bo where an object is required', () => {
    const e = rejection(withCommand(0, { cmd: 'bo_unmap', bo: null }));
    expect(e.field).toBe('commands[0].bo');
    expect(e.message).toMatch(/^corpus\/x\.json: command 0 \(bo_unmap\): field "bo": expected the id of an object/);
  });

  it('a bo the trace does not declare', () => {
    const e = rejection(withCommand(3, { cmd: 'map', addr: '0x8000', range: '0x1000', bo: 9, offset: '0x0' }));
    expect(e.message).toBe('corpus/x.json: command 3 (map): field "bo": object 9 is not declared in "objects"');
  });

  it('via that is not "ops" or "steps"', () => {
    const e = rejection(withCommand(1, { cmd: 'unmap', addr: '0x0', range: '0x1000', via: 'callbacks' }));
    expect(e.message).toBe('corpus/x.json: command 1 (unmap): field "via": expected "ops" or "steps", got "callbacks"');
  });

  it('failAt that is not an integer >= 1', () => {
    for (const bad of [0, -1, 1.5, '2', null]) {
      const e = rejection(withCommand(1, { cmd: 'unmap', addr: '0x0', range: '0x1000', failAt: bad }));
      expect(e.message).toBe(`corpus/x.json: command 1 (unmap): field "failAt": expected an integer >= 1, got ${JSON.stringify(bad)}`);
    }
  });

  it('allocFailAt that is not an integer >= 1', () => {
    const e = rejection(withCommand(0, { cmd: 'map', addr: '0x1000', range: '0x1000', bo: 1, offset: '0x0', allocFailAt: 0 }));
    expect(e.message).toBe('corpus/x.json: command 0 (map): field "allocFailAt": expected an integer >= 1, got 0');
  });

  it('allocFailAt together with via "steps"', () => {
    const e = rejection(
      withCommand(0, { cmd: 'map', addr: '0x1000', range: '0x1000', bo: 1, offset: '0x0', via: 'steps', allocFailAt: 1 }),
    );
    expect(e.field).toBe('commands[0].allocFailAt');
    expect(e.message).toMatch(/^corpus\/x\.json: command 0 \(map\): field "allocFailAt": allocFailAt needs via "ops"/);
  });

  it('evict that is not a boolean', () => {
    const e = rejection(withCommand(2, { cmd: 'evict', bo: 1, evict: 1 }));
    expect(e.message).toBe('corpus/x.json: command 2 (evict): field "evict": expected true or false, got 1');
  });

  it('meta that is not an object', () => {
    for (const bad of [null, 'x', [1]]) {
      const e = rejection({ ...baseDoc(), meta: bad });
      expect(e.field).toBe('meta');
      expect(e.message).toBe(`corpus/x.json: field "meta": expected an object, got ${JSON.stringify(bad)}`);
    }
  });
});

describe('plain JSON encoders', () => {
  it('toJsonCommand writes cmd first and only the fields present', () => {
    expect(toJsonCommand({ cmd: 'evict', bo: 2, evict: false })).toEqual({ cmd: 'evict', bo: 2, evict: false });
    expect(Object.keys(toJsonCommand({ cmd: 'unmap', addr: 1n, range: 2n, failAt: 1 }))).toEqual(['cmd', 'addr', 'range', 'failAt']);
  });

  it('toJsonVaRecord marks only the kernel node', () => {
    expect(toJsonVaRecord({ addr: 0n, range: 0x1000n, bo: null, offset: 0n, kernel: true })).toEqual({
      addr: '0x0',
      range: '0x1000',
      bo: null,
      offset: '0x0',
      kernel: true,
    });
    expect('kernel' in toJsonVaRecord({ addr: 0n, range: 1n, bo: 1, offset: 0n })).toBe(false);
  });

  it('toJsonOpRecord and toJsonObservation write every op kind with hex u64', () => {
    const va = { addr: 0x1000n, range: 0x3000n, bo: 1, offset: 0n };
    const obs = toJsonObservation({
      ok: false,
      error: 'EIO',
      ops: [
        { op: 'remap', unmap: { va, keep: true }, prev: { addr: 0x1000n, range: 0x1000n, bo: 1, offset: 0n }, next: null, hole: [0x2000n, 0x2000n] },
        { op: 'unmap', va, keep: false },
        { op: 'map', addr: 0x2000n, range: 0x1000n, bo: null, offset: 0x5n },
        { op: 'prefetch', va },
      ],
    });
    expect(obs).toEqual({
      ok: false,
      error: 'EIO',
      ops: [
        {
          op: 'remap',
          unmap: { va: { addr: '0x1000', range: '0x3000', bo: 1, offset: '0x0' }, keep: true },
          prev: { addr: '0x1000', range: '0x1000', bo: 1, offset: '0x0' },
          next: null,
          hole: ['0x2000', '0x2000'],
        },
        { op: 'unmap', va: { addr: '0x1000', range: '0x3000', bo: 1, offset: '0x0' }, keep: false },
        { op: 'map', addr: '0x2000', range: '0x1000', bo: null, offset: '0x5' },
        { op: 'prefetch', va: { addr: '0x1000', range: '0x3000', bo: 1, offset: '0x0' } },
      ],
    });
    expect(toJsonOpRecord({ op: 'map', addr: 0n, range: 1n, bo: 3, offset: MAX })).toEqual({
      op: 'map',
      addr: '0x0',
      range: '0x1',
      bo: 3,
      offset: '0xffffffffffffffff',
    });
    expect(toJsonObservation({ ok: true, va: null })).toEqual({ ok: true, va: null });
    expect(toJsonObservation({ ok: true, empty: true })).toEqual({ ok: true, empty: true });
    expect(toJsonObservation({ ok: true, validated: [2, 1] })).toEqual({ ok: true, validated: [2, 1] });
  });

  it('toJsonSnapshot writes every section', () => {
    expect(
      toJsonSnapshot({
        vas: [{ addr: 0x1000n, range: 0x1000n, bo: 1, offset: 0n }],
        kernel: { addr: 0n, range: 0x1000n },
        vmBos: [{ bo: 1, refs: 2, vas: [[0x1000n, 0x1000n]], evicted: true }],
        objects: [{ bo: 1, refs: 2 }],
        evictList: [1],
        extobjList: [],
        deferred: [{ bo: 1, evicted: false }],
      }),
    ).toEqual({
      vas: [{ addr: '0x1000', range: '0x1000', bo: 1, offset: '0x0' }],
      kernel: { addr: '0x0', range: '0x1000' },
      vmBos: [{ bo: 1, refs: 2, vas: [['0x1000', '0x1000']], evicted: true }],
      objects: [{ bo: 1, refs: 2 }],
      evictList: [1],
      extobjList: [],
      deferred: [{ bo: 1, evicted: false }],
    });
  });
});
