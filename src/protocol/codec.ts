/**
 * The trace codec: the one place that turns JSON into protocol values and back
 * (PROTOCOL.md sections 1-5).
 *
 * Reading is strict: every value is checked, unknown fields are rejected, and
 * every rejection is a `TraceInputError` whose one-line message names the file,
 * the command index and the field. Writing is canonical: u64 as lowercase hex
 * strings, a fixed key order, optional fields only when present.
 */

import { TraceInputError } from './errors.ts';
import { locateJsonError } from './json-error-position.ts';
import { hex } from './text.ts';
import {
  COMMAND_KINDS,
  TRACE_FORMAT,
  U64_LIMIT,
  type BoId,
  type Command,
  type CommandKind,
  type ObjectDecl,
  type Observation,
  type OpRecord,
  type Piece,
  type ReserveConfig,
  type Snapshot,
  type Trace,
  type TraceHeader,
  type TraceMeta,
  type VaRecord,
  type VmConfig,
  type VmFlags,
} from './types.ts';

// ---------------------------------------------------------------------------
// JSON value types

/** A plain JSON value, as produced by the `toJson*` encoders. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

// ---------------------------------------------------------------------------
// u64

/** Lowercase hex form of a u64, e.g. `0x1a00000` (the writers' format; the text notation's `hex`). */
export const formatU64: (v: bigint) => string = hex;

const HEX_U64 = /^0[xX][0-9a-fA-F]+$/;
const DECIMAL_U64 = /^[0-9]+$/;

/**
 * Reads a u64 the way trace readers do: a hex string (`0x...`, any case), a
 * decimal string, or a JSON number that is a non-negative safe integer.
 * Returns null for anything else, including values >= 2^64.
 */
export function parseU64(value: unknown): bigint | null {
  let v: bigint;
  if (typeof value === 'string') {
    if (HEX_U64.test(value) || DECIMAL_U64.test(value)) v = BigInt(value);
    else return null;
  } else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) return null;
    v = BigInt(value);
  } else {
    return null;
  }
  return v < U64_LIMIT ? v : null;
}

const U64_EXPECTED = 'expected a u64 (hex string, decimal string or safe integer)';

// ---------------------------------------------------------------------------
// Command field tables (PROTOCOL.md section 3)

type FieldKind = 'u64' | 'boRef' | 'boId' | 'via' | 'count' | 'bool';

interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  readonly optional?: true;
}

const ADDR_RANGE: readonly FieldSpec[] = [
  { name: 'addr', kind: 'u64' },
  { name: 'range', kind: 'u64' },
];
const STAGING: readonly FieldSpec[] = [
  { name: 'via', kind: 'via', optional: true },
  { name: 'failAt', kind: 'count', optional: true },
  { name: 'allocFailAt', kind: 'count', optional: true },
];
const BO_OFFSET: readonly FieldSpec[] = [
  { name: 'bo', kind: 'boRef' },
  { name: 'offset', kind: 'u64' },
];
const BO_ID: readonly FieldSpec[] = [{ name: 'bo', kind: 'boId' }];
const INJECTED: readonly FieldSpec[] = STAGING.slice(1);
const DEFER: FieldSpec = { name: 'defer', kind: 'bool', optional: true };

/** The fields of each command, in the order writers emit them (after `cmd`). */
const COMMAND_FIELDS: Readonly<Record<CommandKind, readonly FieldSpec[]>> = {
  map: [...ADDR_RANGE, ...BO_OFFSET, ...STAGING, DEFER],
  unmap: [...ADDR_RANGE, ...STAGING, DEFER],
  prefetch: ADDR_RANGE,
  bo_unmap: BO_ID,
  insert: [...ADDR_RANGE, ...BO_OFFSET],
  remove: ADDR_RANGE,
  find: ADDR_RANGE,
  find_first: ADDR_RANGE,
  interval_empty: ADDR_RANGE,
  find_prev: [{ name: 'start', kind: 'u64' }],
  find_next: [{ name: 'end', kind: 'u64' }],
  bo_get: BO_ID,
  bo_put: BO_ID,
  evict: [...BO_ID, { name: 'evict', kind: 'bool' }],
  validate: [],
  madvise: [...ADDR_RANGE, ...BO_OFFSET, ...INJECTED],
  bo_put_deferred: BO_ID,
  deferred_cleanup: [],
};

function isCommandKind(s: string): s is CommandKind {
  return (COMMAND_KINDS as readonly string[]).includes(s);
}

// ---------------------------------------------------------------------------
// Reading

/** Describes a JSON value for an error message (`nothing` when absent). */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function has(obj: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** Context for errors: which file, and which command (if any). */
interface Where {
  readonly file: string;
  readonly index: number | null;
  readonly cmd: string | null;
}

function fail(where: Where, field: string, reason: string): never {
  throw new TraceInputError({ file: where.file, index: where.index, cmd: where.cmd, field, reason });
}

function readU64(where: Where, field: string, value: unknown): bigint {
  if (value === undefined) fail(where, field, `missing (${U64_EXPECTED})`);
  const v = parseU64(value);
  if (v !== null) return v;
  let hint = '';
  if (typeof value === 'string' && (HEX_U64.test(value) || DECIMAL_U64.test(value))) hint = ' (>= 2^64)';
  fail(where, field, `${U64_EXPECTED}, got ${describe(value)}${hint}`);
}

function readBoId(where: Where, field: string, value: unknown, declared: ReadonlySet<BoId>): BoId {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(where, field, `expected the id of an object declared in "objects", got ${describe(value)}`);
  }
  if (!declared.has(value)) fail(where, field, `object ${value} is not declared in "objects"`);
  return value;
}

function readField(
  where: Where,
  field: string,
  kind: FieldKind,
  value: unknown,
  declared: ReadonlySet<BoId>,
): unknown {
  switch (kind) {
    case 'u64':
      return readU64(where, field, value);
    case 'boRef':
      if (value === null) return null;
      if (value === undefined) fail(where, field, 'missing (expected an object id or null)');
      return readBoId(where, field, value, declared);
    case 'boId':
      if (value === undefined) fail(where, field, 'missing (expected an object id)');
      return readBoId(where, field, value, declared);
    case 'via':
      if (value !== 'ops' && value !== 'steps') fail(where, field, `expected "ops" or "steps", got ${describe(value)}`);
      return value;
    case 'count':
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
        fail(where, field, `expected an integer >= 1, got ${describe(value)}`);
      }
      return value;
    case 'bool':
      if (typeof value !== 'boolean') fail(where, field, `expected true or false, got ${describe(value)}`);
      return value;
  }
}

/**
 * Reads one command (PROTOCOL.md section 3). `index` is its position in the
 * trace's `commands`; `declared` the object ids the trace declares.
 */
export function decodeCommandValue(
  json: unknown,
  file: string,
  index: number,
  declared: ReadonlySet<BoId>,
): Command {
  const path = `commands[${index}]`;
  let where: Where = { file, index, cmd: null };
  if (!isPlainObject(json)) fail(where, path, `expected a command object, got ${describe(json)}`);
  const cmd = json['cmd'];
  if (cmd === undefined) fail(where, `${path}.cmd`, 'missing (expected the command name)');
  if (typeof cmd !== 'string' || !isCommandKind(cmd)) {
    fail(where, `${path}.cmd`, `unknown command ${describe(cmd)} (known: ${COMMAND_KINDS.join(', ')})`);
  }
  where = { file, index, cmd };
  const specs = COMMAND_FIELDS[cmd];
  for (const key of Object.keys(json)) {
    if (key !== 'cmd' && !specs.some((s) => s.name === key)) {
      const allowed = specs.length === 0 ? 'none' : specs.map((s) => s.name).join(', ');
      fail(where, `${path}.${key}`, `unknown field for "${cmd}" (allowed: ${allowed})`);
    }
  }
  const out: Record<string, unknown> = { cmd };
  for (const spec of specs) {
    const present = has(json, spec.name);
    if (!present && spec.optional) continue;
    out[spec.name] = readField(where, `${path}.${spec.name}`, spec.kind, json[spec.name], declared);
  }
  if (out['allocFailAt'] !== undefined && out['via'] === 'steps') {
    fail(
      where,
      `${path}.allocFailAt`,
      'allocFailAt needs via "ops" (it fails an ops-list allocation), but the command has via "steps"',
    );
  }
  if (out['defer'] === true && out['via'] !== 'steps') {
    fail(
      where,
      `${path}.defer`,
      'defer needs via "steps" (the step callbacks unlink deferred), but the command has via "ops"',
    );
  }
  return out as unknown as Command;
}

const TRACE_KEYS = ['format', 'vm', 'flags', 'objects', 'commands', 'meta'];
const FLAG_KEYS = ['immediate', 'resvProtected'] as const;

/**
 * Reads the header's `flags` ({ immediate?, resvProtected? }, booleans). Returns
 * only the flags that are true, or undefined when none is (the default), so a
 * trace reads the same whether it spells a false flag out or leaves it away.
 */
function readFlags(where: Where, json: unknown): VmFlags | undefined {
  if (!isPlainObject(json)) fail(where, 'flags', `expected an object { immediate?, resvProtected? }, got ${describe(json)}`);
  const out: { immediate?: boolean; resvProtected?: boolean } = {};
  for (const key of Object.keys(json)) {
    if (!(FLAG_KEYS as readonly string[]).includes(key)) {
      fail(where, `flags.${key}`, `unknown flag (allowed: ${FLAG_KEYS.join(', ')})`);
    }
    const v = json[key];
    if (typeof v !== 'boolean') fail(where, `flags.${key}`, `expected true or false, got ${describe(v)}`);
    if (v) out[key as (typeof FLAG_KEYS)[number]] = true;
  }
  return out.immediate === true || out.resvProtected === true ? out : undefined;
}

function readVm(where: Where, json: unknown): VmConfig {
  if (json === undefined) fail(where, 'vm', 'missing (expected { start, range, reserve? })');
  if (!isPlainObject(json)) fail(where, 'vm', `expected an object { start, range, reserve? }, got ${describe(json)}`);
  for (const key of Object.keys(json)) {
    if (key !== 'start' && key !== 'range' && key !== 'reserve') {
      fail(where, `vm.${key}`, 'unknown field (allowed: start, range, reserve)');
    }
  }
  const start = readU64(where, 'vm.start', json['start']);
  const range = readU64(where, 'vm.range', json['range']);
  if (start + range > U64_LIMIT) {
    fail(where, 'vm.range', `the VM [${formatU64(start)}, start + ${formatU64(range)}) reaches past 2^64`);
  }
  if (!has(json, 'reserve')) return { start, range };
  const r = json['reserve'];
  if (r === null) return { start, range, reserve: null };
  if (!isPlainObject(r)) fail(where, 'vm.reserve', `expected { addr, range } or null, got ${describe(r)}`);
  for (const key of Object.keys(r)) {
    if (key !== 'addr' && key !== 'range') fail(where, `vm.reserve.${key}`, 'unknown field (allowed: addr, range)');
  }
  const reserve: ReserveConfig = {
    addr: readU64(where, 'vm.reserve.addr', r['addr']),
    range: readU64(where, 'vm.reserve.range', r['range']),
  };
  if (reserve.range > 0n && (reserve.addr < start || reserve.addr + reserve.range > start + range)) {
    fail(
      where,
      'vm.reserve',
      `the reserved range [${formatU64(reserve.addr)}, +${formatU64(reserve.range)}) is not inside the VM ` +
        `[${formatU64(start)}, +${formatU64(range)})`,
    );
  }
  return { start, range, reserve };
}

function readObjects(where: Where, json: unknown): ObjectDecl[] {
  if (json === undefined) fail(where, 'objects', 'missing (expected an array of { bo, external? })');
  if (!Array.isArray(json)) fail(where, 'objects', `expected an array of { bo, external? }, got ${describe(json)}`);
  const seen = new Set<BoId>();
  return json.map((o: unknown, i): ObjectDecl => {
    const path = `objects[${i}]`;
    if (!isPlainObject(o)) fail(where, path, `expected { bo, external? }, got ${describe(o)}`);
    for (const key of Object.keys(o)) {
      if (key !== 'bo' && key !== 'external') fail(where, `${path}.${key}`, 'unknown field (allowed: bo, external)');
    }
    const bo = o['bo'];
    if (typeof bo !== 'number' || !Number.isSafeInteger(bo) || bo < 0) {
      fail(where, `${path}.bo`, `expected a non-negative integer id, got ${describe(bo)}`);
    }
    if (seen.has(bo)) fail(where, `${path}.bo`, `object ${bo} is declared twice`);
    seen.add(bo);
    if (!has(o, 'external')) return { bo };
    const external = o['external'];
    if (typeof external !== 'boolean') fail(where, `${path}.external`, `expected true or false, got ${describe(external)}`);
    return { bo, external };
  });
}

/**
 * Reads a parsed trace document (PROTOCOL.md section 2). `file` labels errors.
 * Throws `TraceInputError` on any problem.
 */
export function decodeTraceValue(json: unknown, file: string): Trace {
  const where: Where = { file, index: null, cmd: null };
  if (!isPlainObject(json)) fail(where, '', `expected a trace object, got ${describe(json)}`);
  const format = json['format'];
  if (format !== TRACE_FORMAT) {
    fail(
      where,
      'format',
      format === undefined ? `missing (expected "${TRACE_FORMAT}")` : `expected "${TRACE_FORMAT}", got ${describe(format)}`,
    );
  }
  for (const key of Object.keys(json)) {
    if (!TRACE_KEYS.includes(key)) {
      fail(where, key, `unknown field (allowed: ${TRACE_KEYS.join(', ')}; put extra information in "meta")`);
    }
  }
  const vm = readVm(where, json['vm']);
  const flags = has(json, 'flags') ? readFlags(where, json['flags']) : undefined;
  const objects = readObjects(where, json['objects']);
  const declared = new Set(objects.map((o) => o.bo));
  const rawCommands = json['commands'];
  if (rawCommands === undefined) fail(where, 'commands', 'missing (expected an array of commands)');
  if (!Array.isArray(rawCommands)) fail(where, 'commands', `expected an array of commands, got ${describe(rawCommands)}`);
  const commands = rawCommands.map((c: unknown, i) => decodeCommandValue(c, file, i, declared));
  const trace: Trace = { format: TRACE_FORMAT, vm, ...(flags === undefined ? {} : { flags }), objects, commands };
  if (!has(json, 'meta')) return trace;
  const meta = json['meta'];
  if (!isPlainObject(meta)) fail(where, 'meta', `expected an object, got ${describe(meta)}`);
  return { ...trace, meta: meta as TraceMeta };
}

/**
 * Reads a trace file's text. A syntax error is reported with its line and
 * column. Throws `TraceInputError` on any problem.
 */
export function decodeTrace(text: string, file: string): Trace {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const pos = locateJsonError(text);
    const at = pos === null ? '' : ` at line ${pos.line}, column ${pos.column} (offset ${pos.offset})`;
    // The parser's message may quote a snippet with line breaks; keep the message on one line.
    const detail = e instanceof Error ? `: ${e.message.replace(/\r?\n/g, '\\n')}` : '';
    throw new TraceInputError({ file, index: null, field: '', reason: `not valid JSON${at}${detail}` });
  }
  return decodeTraceValue(json, file);
}

// ---------------------------------------------------------------------------
// Writing

/** Any value to plain JSON: bigint becomes hex, undefined and functions are dropped. */
function jsonOfUnknown(value: unknown): JsonValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return hex(value);
  if (Array.isArray(value)) return value.map((v: unknown) => jsonOfUnknown(v));
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      out[k] = jsonOfUnknown(v);
    }
    return out;
  }
  return null;
}

/** A command as plain JSON: `cmd` first, then its fields in table order, optional ones only when present. */
export function toJsonCommand(command: Command): JsonObject {
  const src = command as unknown as Record<string, unknown>;
  const out: JsonObject = { cmd: command.cmd };
  for (const spec of COMMAND_FIELDS[command.cmd]) {
    const v = src[spec.name];
    if (v === undefined) continue;
    out[spec.name] = typeof v === 'bigint' ? formatU64(v) : (v as JsonValue);
  }
  return out;
}

/** A VA record as plain JSON (`kernel: true` only for the reserved node). */
export function toJsonVaRecord(va: VaRecord): JsonObject {
  const out: JsonObject = {
    addr: formatU64(va.addr),
    range: formatU64(va.range),
    bo: va.bo,
    offset: formatU64(va.offset),
  };
  if (va.kernel) out['kernel'] = true;
  return out;
}

/** A map target or remap half as plain JSON. */
export function toJsonPiece(p: Piece): JsonObject {
  return { addr: formatU64(p.addr), range: formatU64(p.range), bo: p.bo, offset: formatU64(p.offset) };
}

/** An op record as plain JSON (PROTOCOL.md section 4). */
export function toJsonOpRecord(op: OpRecord): JsonObject {
  switch (op.op) {
    case 'map':
      return { op: 'map', ...toJsonPiece(op) };
    case 'unmap':
      return { op: 'unmap', va: toJsonVaRecord(op.va), keep: op.keep };
    case 'remap':
      return {
        op: 'remap',
        unmap: { va: toJsonVaRecord(op.unmap.va), keep: op.unmap.keep },
        prev: op.prev === null ? null : toJsonPiece(op.prev),
        next: op.next === null ? null : toJsonPiece(op.next),
        hole: [formatU64(op.hole[0]), formatU64(op.hole[1])],
      };
    case 'prefetch':
      return { op: 'prefetch', va: toJsonVaRecord(op.va) };
  }
}

/** An observation as plain JSON; only the fields present are written. */
export function toJsonObservation(o: Observation): JsonObject {
  const out: JsonObject = { ok: o.ok };
  if (o.error !== undefined) out['error'] = o.error;
  if (o.ops !== undefined) out['ops'] = o.ops.map(toJsonOpRecord);
  if (o.va !== undefined) out['va'] = o.va === null ? null : toJsonVaRecord(o.va);
  if (o.empty !== undefined) out['empty'] = o.empty;
  if (o.validated !== undefined) out['validated'] = [...o.validated];
  return out;
}

/** A snapshot as plain JSON (PROTOCOL.md section 5). */
export function toJsonSnapshot(s: Snapshot): JsonObject {
  return {
    vas: s.vas.map(toJsonVaRecord),
    kernel: s.kernel === null ? null : { addr: formatU64(s.kernel.addr), range: formatU64(s.kernel.range) },
    vmBos: s.vmBos.map((b) => ({
      bo: b.bo,
      refs: b.refs,
      vas: b.vas.map(([a, r]) => [formatU64(a), formatU64(r)]),
      evicted: b.evicted,
    })),
    objects: s.objects.map((o) => ({ bo: o.bo, refs: o.refs })),
    evictList: [...s.evictList],
    extobjList: [...s.extobjList],
    deferred: s.deferred.map((z) => ({ bo: z.bo, evicted: z.evicted })),
  };
}

/** The header's flags as plain JSON: only the flags that are true; null when none is (then `flags` is left out). */
export function toJsonFlags(flags: VmFlags | undefined): JsonObject | null {
  const out: JsonObject = {};
  if (flags?.immediate === true) out['immediate'] = true;
  if (flags?.resvProtected === true) out['resvProtected'] = true;
  return Object.keys(out).length === 0 ? null : out;
}

/**
 * A trace header as plain JSON: `{ vm, flags?, objects }` exactly as a trace
 * file writes them (`flags` only when a flag is set).
 */
export function toJsonTraceHeader(header: TraceHeader): JsonObject {
  const vm: JsonObject = { start: formatU64(header.vm.start), range: formatU64(header.vm.range) };
  if (header.vm.reserve !== undefined) {
    vm['reserve'] =
      header.vm.reserve === null
        ? null
        : { addr: formatU64(header.vm.reserve.addr), range: formatU64(header.vm.reserve.range) };
  }
  const out: JsonObject = { vm };
  const flags = toJsonFlags(header.flags);
  if (flags !== null) out['flags'] = flags;
  out['objects'] = header.objects.map((o): JsonObject => (o.external === undefined ? { bo: o.bo } : { bo: o.bo, external: o.external }));
  return out;
}

/** A whole trace as plain JSON, keys in the order format, vm, flags (only when a flag is set), objects, commands, meta. */
export function toJsonTrace(trace: Trace): JsonObject {
  const out: JsonObject = { format: trace.format, ...toJsonTraceHeader(trace) };
  out['commands'] = trace.commands.map(toJsonCommand);
  if (trace.meta !== undefined) out['meta'] = jsonOfUnknown(trace.meta);
  return out;
}

/** The trace file text: pretty-printed JSON (2-space indent) with a final newline. */
export function encodeTrace(trace: Trace): string {
  return `${JSON.stringify(toJsonTrace(trace), null, 2)}\n`;
}
