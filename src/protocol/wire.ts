/**
 * The subject protocol's messages (docs/subject-protocol.md, `gpuvm-subject/1`):
 * the encoders of requests and replies and their decoders, the one place that
 * turns the JSON lines exchanged with a subject process into protocol values.
 *
 * Decoding is strict about what the protocol requires (every required field
 * present and of the right type, u64 values as in traces) and ignores fields
 * it does not know (section 4 of the page: later versions may add them). Every
 * rejection is a {@link WireError} naming the field by its full path, e.g.
 * `snapshot.vmBos[0].refs`.
 */

import { decodeCommandValue, parseU64, toJsonCommand, toJsonObservation, toJsonSnapshot, toJsonTraceHeader, type JsonObject } from './codec.ts';
import { decodeTraceValue } from './codec.ts';
import { TraceInputError } from './errors.ts';
import {
  COMMAND_KINDS,
  ERRNOS,
  TRACE_FORMAT,
  type Accounting,
  type BoId,
  type BoRef,
  type Command,
  type CommandKind,
  type Errno,
  type Observation,
  type OpRecord,
  type Piece,
  type Snapshot,
  type SubjectCapabilities,
  type SubjectReport,
  type TraceHeader,
  type VaRecord,
  type Via,
  type VmBoRecord,
  type VmFlagName,
  VM_FLAG_NAMES,
} from './types.ts';

/** The protocol's name and major version. */
export const SUBJECT_PROTOCOL = 'gpuvm-subject/1';
export const SUBJECT_PROTOCOL_VERSION = 1;

/** The longest `name` a subject may give itself. */
export const MAX_SUBJECT_NAME = 200;

/** A message that does not follow the protocol: the field (full path) and what is wrong with it. */
export class WireError extends Error {
  readonly field: string;
  readonly reason: string;
  constructor(field: string, reason: string) {
    super(field === '' ? reason : `field "${field}": ${reason}`);
    this.name = 'WireError';
    this.field = field;
    this.reason = reason;
  }
}

// ---------------------------------------------------------------------------
// Field readers

type Obj = Record<string, unknown>;

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown, path: string, what: string): Obj {
  if (!isObj(v)) throw new WireError(path, `${v === undefined ? 'missing' : `got ${show(v)}`} (expected ${what})`);
  return v;
}

function arr(v: unknown, path: string, what: string): unknown[] {
  if (!Array.isArray(v)) throw new WireError(path, `${v === undefined ? 'missing' : `got ${show(v)}`} (expected an array of ${what})`);
  return v;
}

function u64(v: unknown, path: string): bigint {
  const n = parseU64(v);
  if (n === null) {
    throw new WireError(path, `${v === undefined ? 'missing' : `got ${show(v)}`} (expected a u64: hex string, decimal string or safe integer)`);
  }
  return n;
}

function int(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new WireError(path, `${v === undefined ? 'missing' : `got ${show(v)}`} (expected an integer >= 0)`);
  }
  return v;
}

function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') throw new WireError(path, `${v === undefined ? 'missing' : `got ${show(v)}`} (expected true or false)`);
  return v;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string') throw new WireError(path, `${v === undefined ? 'missing' : `got ${show(v)}`} (expected a string)`);
  return v;
}

function boRef(v: unknown, path: string): BoRef {
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new WireError(path, `${v === undefined ? 'missing' : `got ${show(v)}`} (expected an object id or null)`);
  }
  return v;
}

function ints(v: unknown, path: string): BoId[] {
  const a = arr(v, path, 'object ids');
  const out = new Array<BoId>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = int(a[i], `${path}[${i}]`);
  return out;
}

// ---------------------------------------------------------------------------
// Observations, snapshots, accounting

function vaRecord(v: unknown, path: string): VaRecord {
  const o = obj(v, path, 'a VA { addr, range, bo, offset }');
  const addr = u64(o['addr'], `${path}.addr`);
  const range = u64(o['range'], `${path}.range`);
  const bo = boRef(o['bo'], `${path}.bo`);
  const offset = u64(o['offset'], `${path}.offset`);
  const kernel = o['kernel'];
  if (kernel !== undefined && kernel !== null && bool(kernel, `${path}.kernel`)) return { addr, range, bo, offset, kernel: true };
  return { addr, range, bo, offset };
}

function piece(v: unknown, path: string): Piece {
  const o = obj(v, path, 'a piece { addr, range, bo, offset }');
  return { addr: u64(o['addr'], `${path}.addr`), range: u64(o['range'], `${path}.range`), bo: boRef(o['bo'], `${path}.bo`), offset: u64(o['offset'], `${path}.offset`) };
}

function pieceOrNull(v: unknown, path: string): Piece | null {
  return v === null ? null : piece(v, path);
}

function opRecord(v: unknown, path: string): OpRecord {
  const o = obj(v, path, 'an op { op, ... }');
  const op = o['op'];
  switch (op) {
    case 'map':
      return { op: 'map', ...piece(o, path) };
    case 'unmap':
      return { op: 'unmap', va: vaRecord(o['va'], `${path}.va`), keep: bool(o['keep'], `${path}.keep`) };
    case 'remap': {
      const u = obj(o['unmap'], `${path}.unmap`, '{ va, keep }');
      const hole = arr(o['hole'], `${path}.hole`, 'two u64 values [addr, range]');
      if (hole.length !== 2) throw new WireError(`${path}.hole`, `got ${hole.length} values (expected [addr, range])`);
      return {
        op: 'remap',
        unmap: { va: vaRecord(u['va'], `${path}.unmap.va`), keep: bool(u['keep'], `${path}.unmap.keep`) },
        prev: pieceOrNull(o['prev'], `${path}.prev`),
        next: pieceOrNull(o['next'], `${path}.next`),
        hole: [u64(hole[0], `${path}.hole[0]`), u64(hole[1], `${path}.hole[1]`)],
      };
    }
    case 'prefetch':
      return { op: 'prefetch', va: vaRecord(o['va'], `${path}.va`) };
    default:
      throw new WireError(`${path}.op`, `${op === undefined ? 'missing' : `got ${show(op)}`} (expected "map", "unmap", "remap" or "prefetch")`);
  }
}

function errno(v: unknown, path: string): Errno {
  if (typeof v !== 'string' || !(ERRNOS as readonly string[]).includes(v)) {
    throw new WireError(path, `${v === undefined ? 'missing' : `got ${show(v)}`} (expected one of ${ERRNOS.join(', ')})`);
  }
  return v as Errno;
}

/**
 * Reads an observation (PROTOCOL.md section 4): `ok`, then whichever of
 * `error`, `ops`, `va`, `empty`, `validated` are present (null counts as
 * absent, except for `va`, where null means "no VA"). Throws `WireError`.
 */
export function decodeObservation(v: unknown, path = 'observation'): Observation {
  const o = obj(v, path, 'an observation { ok, ... }');
  const out: { ok: boolean; error?: Errno; ops?: OpRecord[]; va?: VaRecord | null; empty?: boolean; validated?: BoId[] } = {
    ok: bool(o['ok'], `${path}.ok`),
  };
  const e = o['error'];
  if (e !== undefined && e !== null) out.error = errno(e, `${path}.error`);
  const ops = o['ops'];
  if (ops !== undefined && ops !== null) {
    const a = arr(ops, `${path}.ops`, 'ops');
    const list = new Array<OpRecord>(a.length);
    for (let i = 0; i < a.length; i++) list[i] = opRecord(a[i], `${path}.ops[${i}]`);
    out.ops = list;
  }
  if ('va' in o && o['va'] !== undefined) out.va = o['va'] === null ? null : vaRecord(o['va'], `${path}.va`);
  const empty = o['empty'];
  if (empty !== undefined && empty !== null) out.empty = bool(empty, `${path}.empty`);
  const validated = o['validated'];
  if (validated !== undefined && validated !== null) out.validated = ints(validated, `${path}.validated`);
  return out;
}

function vmBo(v: unknown, path: string): VmBoRecord {
  const o = obj(v, path, 'a vm_bo { bo, refs, vas, evicted }');
  const bo = int(o['bo'], `${path}.bo`);
  const refs = int(o['refs'], `${path}.refs`);
  const a = arr(o['vas'], `${path}.vas`, '[addr, range] pairs');
  const vas = new Array<readonly [bigint, bigint]>(a.length);
  for (let i = 0; i < a.length; i++) {
    const p = a[i];
    const at = `${path}.vas[${i}]`;
    if (!Array.isArray(p) || p.length !== 2) throw new WireError(at, `got ${show(p)} (expected [addr, range])`);
    vas[i] = [u64(p[0], `${at}[0]`), u64(p[1], `${at}[1]`)];
  }
  return { bo, refs, vas, evicted: bool(o['evicted'], `${path}.evicted`) };
}

/** Reads a snapshot (PROTOCOL.md section 5); every field is required. Throws `WireError`. */
export function decodeSnapshot(v: unknown, path = 'snapshot'): Snapshot {
  const o = obj(v, path, 'a snapshot { vas, kernel, vmBos, objects, evictList, extobjList }');
  const va = arr(o['vas'], `${path}.vas`, 'VAs');
  const vas = new Array<VaRecord>(va.length);
  for (let i = 0; i < va.length; i++) vas[i] = vaRecord(va[i], `${path}.vas[${i}]`);
  const k = o['kernel'];
  let kernel: Snapshot['kernel'] = null;
  if (k !== null) {
    const ko = obj(k, `${path}.kernel`, '{ addr, range } or null');
    kernel = { addr: u64(ko['addr'], `${path}.kernel.addr`), range: u64(ko['range'], `${path}.kernel.range`) };
  }
  const vb = arr(o['vmBos'], `${path}.vmBos`, 'vm_bos');
  const vmBos = new Array<VmBoRecord>(vb.length);
  for (let i = 0; i < vb.length; i++) vmBos[i] = vmBo(vb[i], `${path}.vmBos[${i}]`);
  const ob = arr(o['objects'], `${path}.objects`, 'objects { bo, refs }');
  const objects = new Array<{ bo: BoId; refs: number }>(ob.length);
  for (let i = 0; i < ob.length; i++) {
    const at = `${path}.objects[${i}]`;
    const x = obj(ob[i], at, 'an object { bo, refs }');
    objects[i] = { bo: int(x['bo'], `${at}.bo`), refs: int(x['refs'], `${at}.refs`) };
  }
  // `deferred` (the zombies) came after version 1's first release: absent reads as none.
  const zd = o['deferred'] === undefined ? [] : arr(o['deferred'], `${path}.deferred`, 'zombies { bo, evicted }');
  const deferred = new Array<{ bo: BoId; evicted: boolean }>(zd.length);
  for (let i = 0; i < zd.length; i++) {
    const at = `${path}.deferred[${i}]`;
    const x = obj(zd[i], at, 'a zombie { bo, evicted }');
    deferred[i] = { bo: int(x['bo'], `${at}.bo`), evicted: bool(x['evicted'], `${at}.evicted`) };
  }
  return {
    vas,
    kernel,
    vmBos,
    objects,
    evictList: ints(o['evictList'], `${path}.evictList`),
    extobjList: ints(o['extobjList'], `${path}.extobjList`),
    deferred,
  };
}

/** Reads an `Accounting` (src/protocol/types.ts): `opsFreedByDriver` may be absent. Throws `WireError`. */
export function decodeAccounting(v: unknown, path = 'accounting'): Accounting {
  const o = obj(v, path, 'an accounting object { vasNeeded, vasPreallocated, opsAllocated, ... }');
  const pre = o['vasPreallocated'];
  const pure = o['opsPure'];
  const freed = o['opsFreedByDriver'];
  const base = {
    vasNeeded: int(o['vasNeeded'], `${path}.vasNeeded`),
    vasPreallocated: pre === null ? null : int(pre, `${path}.vasPreallocated`),
    opsAllocated: int(o['opsAllocated'], `${path}.opsAllocated`),
    opsFreedByBuilder: int(o['opsFreedByBuilder'], `${path}.opsFreedByBuilder`),
    opsReturned: int(o['opsReturned'], `${path}.opsReturned`),
    opsPure: pure === null ? null : bool(pure, `${path}.opsPure`),
  };
  return freed === undefined || freed === null ? base : { ...base, opsFreedByDriver: int(freed, `${path}.opsFreedByDriver`) };
}

function reports(v: unknown, path: string): SubjectReport[] {
  if (v === undefined || v === null) return NO_REPORTS;
  const a = arr(v, path, 'reports { kind, message }');
  const out: SubjectReport[] = [];
  for (let i = 0; i < a.length; i++) {
    const at = `${path}[${i}]`;
    const r = obj(a[i], at, 'a report { kind, message }');
    const kind = str(r['kind'], `${at}.kind`);
    const message = str(r['message'], `${at}.message`);
    if (kind === 'warn' || kind === 'leak') out.push({ kind, message });
  }
  return out.length === 0 ? NO_REPORTS : out;
}

const NO_REPORTS: SubjectReport[] = [];

// ---------------------------------------------------------------------------
// Replies (harness side)

/** Parses one reply line: JSON, an object, with `reply` equal to `expected`. Throws `WireError`. */
export function parseReply(line: string, expected: string): Obj {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new WireError('', 'the reply is not JSON');
  }
  if (!isObj(json)) throw new WireError('', `the reply is ${show(json)}, not a JSON object`);
  const reply = json['reply'];
  if (reply !== expected) {
    throw new WireError('reply', `${reply === undefined ? 'missing' : `got ${show(reply)}`} (expected "${expected}")`);
  }
  return json;
}

/** A valid `hello` reply. */
export interface HelloReply {
  readonly protocol: number;
  readonly name: string;
  readonly capabilities: SubjectCapabilities;
}

/**
 * Reads a `hello` reply. Throws `WireError` for a missing or mistyped field,
 * a protocol version other than 1 (field `protocol`), or capabilities that
 * contradict themselves (no command, `map` without a `via`, `allocFailAt`
 * without `ops`). Command kinds and `via` modes this version does not know are
 * ignored (a later version may add them).
 */
export function decodeHelloReply(json: Obj): HelloReply {
  const protocol = json['protocol'];
  if (protocol !== SUBJECT_PROTOCOL_VERSION) {
    throw new WireError(
      'protocol',
      typeof protocol === 'number'
        ? `the subject speaks protocol version ${protocol}; this harness speaks version ${SUBJECT_PROTOCOL_VERSION} (${SUBJECT_PROTOCOL})`
        : `${protocol === undefined ? 'missing' : `got ${show(protocol)}`} (expected ${SUBJECT_PROTOCOL_VERSION})`,
    );
  }
  const name = str(json['name'], 'name');
  if (name.trim() === '' || name.length > MAX_SUBJECT_NAME || /[\r\n]/.test(name)) {
    throw new WireError('name', `got ${show(name)} (expected one non-empty line of at most ${MAX_SUBJECT_NAME} characters)`);
  }
  const c = obj(json['capabilities'], 'capabilities', '{ commands, via, failAt, allocFailAt, accounting }');
  const listed = arr(c['commands'], 'capabilities.commands', 'command names');
  const commands: CommandKind[] = [];
  listed.forEach((k, i) => {
    const s = str(k, `capabilities.commands[${i}]`);
    if ((COMMAND_KINDS as readonly string[]).includes(s) && !commands.includes(s as CommandKind)) commands.push(s as CommandKind);
  });
  if (commands.length === 0) {
    throw new WireError('capabilities.commands', `lists no command this harness knows (known: ${COMMAND_KINDS.join(', ')})`);
  }
  const modes = arr(c['via'], 'capabilities.via', '"ops" / "steps"');
  const via: Via[] = [];
  modes.forEach((m, i) => {
    const s = str(m, `capabilities.via[${i}]`);
    if ((s === 'ops' || s === 'steps') && !via.includes(s)) via.push(s);
  });
  const failAt = bool(c['failAt'], 'capabilities.failAt');
  const allocFailAt = bool(c['allocFailAt'], 'capabilities.allocFailAt');
  const accounting = bool(c['accounting'], 'capabilities.accounting');
  if (via.length === 0 && (commands.includes('map') || commands.includes('unmap'))) {
    throw new WireError('capabilities.via', 'lists no mode, but map or unmap is listed (expected "ops", "steps" or both)');
  }
  if (allocFailAt && !via.includes('ops')) {
    throw new WireError('capabilities.allocFailAt', 'is true, but "ops" is not in capabilities.via (allocFailAt fails an ops-list allocation)');
  }
  // Optional capabilities (absent: not supported): the VM mode flags and `defer`.
  const vmFlags: VmFlagName[] = [];
  if (c['vmFlags'] !== undefined) {
    arr(c['vmFlags'], 'capabilities.vmFlags', 'VM flag names').forEach((f, i) => {
      const s = str(f, `capabilities.vmFlags[${i}]`);
      if ((VM_FLAG_NAMES as readonly string[]).includes(s) && !vmFlags.includes(s as VmFlagName)) vmFlags.push(s as VmFlagName);
    });
  }
  const defer = c['defer'] === undefined ? false : bool(c['defer'], 'capabilities.defer');
  return { protocol, name, capabilities: { commands, via, failAt, allocFailAt, accounting, vmFlags, defer } };
}

/** Reads a `reset` reply: null when the subject set the VM up, else its message. Throws `WireError`. */
export function decodeResetReply(json: Obj): string | null {
  if (bool(json['ok'], 'ok')) return null;
  const m = json['message'];
  return typeof m === 'string' && m !== '' ? m : 'the subject could not set up the VM (no message)';
}

/** The optional `snapshot` of a successful `reset` reply (the state after the reset), or null. Throws `WireError`. */
export function decodeResetSnapshot(json: Obj): Snapshot | null {
  const s = json['snapshot'];
  return s === undefined || s === null ? null : decodeSnapshot(s);
}

/** What an `exec` reply says: the command's results, or that the subject threw. */
export type ExecReply =
  | {
      readonly threw: null;
      readonly observation: Observation;
      readonly snapshot: Snapshot;
      readonly accounting: Accounting | null;
      readonly reports: readonly SubjectReport[];
    }
  | { readonly threw: string };

function threwOf(json: Obj): string | null {
  const t = json['threw'];
  if (t === undefined || t === null) return null;
  if (typeof t !== 'string') throw new WireError('threw', `got ${show(t)} (expected the message, a string)`);
  return t === '' ? 'the subject threw (no message)' : t;
}

/**
 * Reads an `exec` reply to the command at `index`: `index` must match; then
 * either `threw`, or `observation` and `snapshot` (and `accounting` when
 * `accounting` is declared: an object, or null for "nothing to report").
 * Throws `WireError`.
 */
export function decodeExecReply(json: Obj, index: number, accounting: boolean): ExecReply {
  const at = json['index'];
  if (at !== index) throw new WireError('index', `${at === undefined ? 'missing' : `got ${show(at)}`} (expected ${index}, the index of the request)`);
  const threw = threwOf(json);
  if (threw !== null) return { threw };
  const observation = decodeObservation(json['observation']);
  const snapshot = decodeSnapshot(json['snapshot']);
  let acc: Accounting | null = null;
  if (accounting) {
    const a = json['accounting'];
    if (a === undefined) throw new WireError('accounting', 'missing (the subject declared capabilities.accounting)');
    if (a !== null) acc = decodeAccounting(a);
  }
  return { threw: null, observation, snapshot, accounting: acc, reports: reports(json['reports'], 'reports') };
}

/** Reads a `snapshot` reply: the snapshot, or what the subject threw. Throws `WireError`. */
export function decodeSnapshotReply(json: Obj): { readonly threw: string } | { readonly threw: null; readonly snapshot: Snapshot } {
  const threw = threwOf(json);
  return threw !== null ? { threw } : { threw: null, snapshot: decodeSnapshot(json['snapshot']) };
}

// ---------------------------------------------------------------------------
// Requests (harness side)

/** The `hello` request line. */
export function helloRequest(harness: string): string {
  return JSON.stringify({ req: 'hello', protocol: SUBJECT_PROTOCOL_VERSION, harness });
}

/** The `reset` request line for a trace header. */
export function resetRequest(header: TraceHeader): string {
  return JSON.stringify({ req: 'reset', ...toJsonTraceHeader(header) });
}

/** The `exec` request line for command `index` of the run. */
export function execRequest(index: number, command: Command): string {
  return `{"req":"exec","index":${index},"command":${JSON.stringify(toJsonCommand(command))}}`;
}

export const SNAPSHOT_REQUEST = '{"req":"snapshot"}';
export const CLOSE_REQUEST = '{"req":"close"}';

// ---------------------------------------------------------------------------
// Requests and replies (subject side, for `gpuvm-check serve`)

/** A request as a subject reads it. */
export type Request =
  | { readonly req: 'hello'; readonly protocol: unknown }
  | { readonly req: 'reset'; readonly header: TraceHeader | null; readonly problem: string | null }
  | { readonly req: 'exec'; readonly index: number; readonly command: Command }
  | { readonly req: 'snapshot' }
  | { readonly req: 'close' }
  | { readonly req: 'unknown'; readonly name: string };

/**
 * Reads one request line. `declared` is the object ids of the current run
 * (from the last `reset`), against which an `exec`'s command is checked.
 * A `reset` whose header the codec rejects comes back with `header: null`
 * and the reason in `problem` (the subject answers it `ok: false`). Throws
 * `WireError` (or the codec's `TraceInputError` for a bad command, labelled
 * with the request).
 */
export function decodeRequest(line: string, declared: ReadonlySet<BoId>): Request {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new WireError('', 'the request is not JSON');
  }
  const o = obj(json, '', 'a request object');
  const req = str(o['req'], 'req');
  switch (req) {
    case 'hello':
      return { req, protocol: o['protocol'] };
    case 'reset': {
      // A header that cannot be set up (a reserved node outside the VM, ...) is answered `ok: false`, not refused.
      try {
        const t = decodeTraceValue(
          { format: TRACE_FORMAT, vm: o['vm'], ...(o['flags'] === undefined ? {} : { flags: o['flags'] }), objects: o['objects'], commands: [] },
          'reset request',
        );
        return { req, header: { vm: t.vm, ...(t.flags === undefined ? {} : { flags: t.flags }), objects: t.objects }, problem: null };
      } catch (e) {
        if (!(e instanceof TraceInputError)) throw e;
        return { req, header: null, problem: e.message };
      }
    }
    case 'exec': {
      const index = int(o['index'], 'index');
      return { req, index, command: decodeCommandValue(o['command'], 'exec request', index, declared) };
    }
    case 'snapshot':
    case 'close':
      return { req };
    default:
      return { req: 'unknown', name: req };
  }
}

function accountingJson(a: Accounting): JsonObject {
  const out: JsonObject = {
    vasNeeded: a.vasNeeded,
    vasPreallocated: a.vasPreallocated,
    opsAllocated: a.opsAllocated,
    opsFreedByBuilder: a.opsFreedByBuilder,
    opsReturned: a.opsReturned,
  };
  if (a.opsFreedByDriver !== undefined) out['opsFreedByDriver'] = a.opsFreedByDriver;
  out['opsPure'] = a.opsPure;
  return out;
}

/** The `hello` reply line. */
export function helloReply(name: string, capabilities: SubjectCapabilities): string {
  return JSON.stringify({
    reply: 'hello',
    protocol: SUBJECT_PROTOCOL_VERSION,
    name,
    capabilities: {
      commands: [...capabilities.commands],
      via: [...capabilities.via],
      failAt: capabilities.failAt,
      allocFailAt: capabilities.allocFailAt,
      accounting: capabilities.accounting,
      vmFlags: [...(capabilities.vmFlags ?? [])],
      defer: capabilities.defer === true,
    },
  });
}

/** The `reset` reply line: ok (with the snapshot after it, when given), or the reason the VM could not be set up. */
export function resetReply(message: string | null, snapshot?: Snapshot): string {
  if (message !== null) return JSON.stringify({ reply: 'reset', ok: false, message });
  return snapshot === undefined ? '{"reply":"reset","ok":true}' : JSON.stringify({ reply: 'reset', ok: true, snapshot: toJsonSnapshot(snapshot) });
}

/** The `exec` reply line with the command's results (`accounting` written when not undefined). */
export function execReply(index: number, observation: Observation, snapshot: Snapshot, accounting: Accounting | null | undefined, found: readonly SubjectReport[] = NO_REPORTS): string {
  const out: JsonObject = { reply: 'exec', index, observation: toJsonObservation(observation), snapshot: toJsonSnapshot(snapshot) };
  if (accounting !== undefined) out['accounting'] = accounting === null ? null : accountingJson(accounting);
  if (found.length > 0) out['reports'] = found.map((r) => ({ kind: r.kind, message: r.message }));
  return JSON.stringify(out);
}

/** The reply line of a request whose handler threw (`exec` or `snapshot`). */
export function threwReply(reply: 'exec' | 'snapshot', message: string, index?: number): string {
  return JSON.stringify(index === undefined ? { reply, threw: message } : { reply, index, threw: message });
}

/** The `snapshot` reply line. */
export function snapshotReply(snapshot: Snapshot): string {
  return JSON.stringify({ reply: 'snapshot', snapshot: toJsonSnapshot(snapshot) });
}

export const CLOSE_REPLY = '{"reply":"close"}';
