/**
 * `export kunit`: saved traces as one KUnit test file for
 * drivers/gpu/drm/tests/. One KUNIT_CASE per trace, named after its file;
 * each case sets up the trace's VM and objects, runs its commands through
 * the shared driver helpers (c-helpers.ts) and, after every command, checks
 * what the reference model says (expectations.ts): the result, the ops, the
 * VAs, each object's vm_bo with its reference count and eviction, and the
 * extobj and evict lists. Each command is preceded by a comment holding its
 * line of the text notation, so a case reads like its trace.
 */

import type {
  BoRef,
  Command,
  Errno,
  Observation,
  OpRecord,
  Piece,
  Snapshot,
  Trace,
  VaRecord,
  VmBoRecord,
} from '../protocol/types.ts';
import { formatCommand, hex } from '../protocol/text.ts';
import { formatHeader } from '../report/program.ts';
import { caseNames, isCIdentifier } from './c-names.ts';
import { helpersC, maxOpsFor, type HelperFeatures } from './c-helpers.ts';
import { ExportError } from './errors.ts';
import { expectedSteps, type ExpectedStep } from './expectations.ts';
import type { KunitVariant } from './variant.ts';

/** One trace to export. */
export interface ExportInput {
  /** The file it came from, as given (named in the case's comment). */
  readonly file: string;
  readonly trace: Trace;
}

/** Options of {@link exportKunit}. */
export interface KunitExportOptions {
  readonly variant: KunitVariant;
  /** The suite's name (default `drm_gpuvm`); a C identifier. */
  readonly suite?: string;
  /** The SPDX licence expression (default `GPL-2.0-only OR MIT`, like drm_gpuvm.c). */
  readonly license?: string;
}

/** The default `--suite`. */
export const DEFAULT_SUITE = 'drm_gpuvm';
/** The default `--license`, drm_gpuvm.c's own. */
export const DEFAULT_LICENSE = 'GPL-2.0-only OR MIT';

/** SPDX expressions we accept, with the MODULE_LICENSE() each one means. */
const LICENSES: Readonly<Record<string, string>> = {
  'GPL-2.0-only OR MIT': 'Dual MIT/GPL',
  'MIT OR GPL-2.0-only': 'Dual MIT/GPL',
  'GPL-2.0 OR MIT': 'Dual MIT/GPL',
  'GPL-2.0-or-later OR MIT': 'Dual MIT/GPL',
  'GPL-2.0-only OR BSD-2-Clause': 'Dual BSD/GPL',
  'GPL-2.0-only OR BSD-3-Clause': 'Dual BSD/GPL',
  'GPL-2.0-only': 'GPL',
  'GPL-2.0': 'GPL',
  'GPL-2.0-or-later': 'GPL',
  'GPL-2.0+': 'GPL',
};

/**
 * The MODULE_LICENSE() string for an SPDX expression. Throws ExportError for
 * anything else: the test links drm_gpuvm's EXPORT_SYMBOL_GPL functions, so
 * its licence must be GPL-2.0 compatible.
 */
export function moduleLicense(spdx: string): string {
  const m = LICENSES[spdx.trim()];
  if (m === undefined) {
    throw new ExportError(
      `--license ${JSON.stringify(spdx)}: not a licence the test can use (it calls drm_gpuvm's GPL-only exports; known: ${Object.keys(LICENSES).join(', ')})`,
    );
  }
  return m;
}

// ---------------------------------------------------------------------------
// C text of values

const MAX_COLUMNS = 100;

/** The width of a line with tabs at 8 columns. */
function columns(line: string): number {
  let n = 0;
  for (const ch of line) n = ch === '\t' ? (n + 8) & ~7 : n + 1;
  return n;
}

function cBo(bo: BoRef, kernel = false): string {
  if (kernel) return 'GPUVM_TEST_KERNEL';
  return bo === null ? 'GPUVM_TEST_NULL' : String(bo);
}

function cPiece(p: Piece | VaRecord): string {
  const kernel = 'kernel' in p && p.kernel === true;
  return `{ ${hex(p.addr)}, ${hex(p.range)}, ${cBo(p.bo, kernel)}, ${hex(kernel ? 0n : p.offset)} }`;
}

const OP_KINDS: Readonly<Record<OpRecord['op'], string>> = {
  map: 'DRM_GPUVA_OP_MAP',
  unmap: 'DRM_GPUVA_OP_UNMAP',
  remap: 'DRM_GPUVA_OP_REMAP',
  prefetch: 'DRM_GPUVA_OP_PREFETCH',
};

/** The designated initialisers of one expected op. */
function opFields(op: OpRecord, v: KunitVariant): string[] {
  const f = [`.op = ${OP_KINDS[op.op]}`];
  switch (op.op) {
    case 'map':
      f.push(`.va = ${cPiece(op)}`);
      break;
    case 'prefetch':
      f.push(`.va = ${cPiece(op.va)}`);
      break;
    case 'unmap':
      f.push(`.va = ${cPiece(op.va)}`);
      if (op.keep) f.push('.keep = true');
      break;
    case 'remap':
      f.push(`.va = ${cPiece(op.unmap.va)}`);
      if (op.unmap.keep) f.push('.keep = true');
      if (op.prev !== null) f.push(`.prev = ${cPiece(op.prev)}`);
      if (op.next !== null) f.push(`.next = ${cPiece(op.next)}`);
      if (v.remapHole) f.push(`.hole = { ${hex(op.hole[0])}, ${hex(op.hole[1])} }`);
      break;
  }
  return f;
}

/**
 * `\tNAME(ARGS);` on one line when it fits in 100 columns, else with the
 * arguments wrapped, continuation lines aligned after the parenthesis.
 */
function callLines(name: string, args: readonly string[]): string {
  const one = `\t${name}(${args.join(', ')});`;
  if (columns(one) <= MAX_COLUMNS) return one;
  const align = 8 + name.length + 1;
  const pad = `${'\t'.repeat(Math.floor(align / 8))}${' '.repeat(align % 8)}`;
  const lines: string[] = [];
  let line = `\t${name}(`;
  args.forEach((a, i) => {
    const piece = `${a}${i === args.length - 1 ? ');' : ','}`;
    const sep = line.endsWith('(') ? '' : ' ';
    if (!line.endsWith('(') && columns(`${line}${sep}${piece}`) > MAX_COLUMNS) {
      lines.push(line);
      line = `${pad}${piece}`;
    } else {
      line = `${line}${sep}${piece}`;
    }
  });
  lines.push(line);
  return lines.join('\n');
}

/** A struct initialiser on one line when it fits, else one field per line. */
function entryLines(fields: readonly string[], indent: string): string[] {
  const one = `${indent}{ ${fields.join(', ')} },`;
  if (columns(one) <= MAX_COLUMNS) return [one];
  return [`${indent}{`, ...fields.map((x) => `${indent}\t${x},`), `${indent}},`];
}

function vmBoFields(b: VmBoRecord, s: Snapshot, zombies: boolean): string[] {
  const f = [`.bo = ${b.bo}`, `.refs = ${b.refs}`];
  if (b.evicted) f.push('.evicted = true');
  if (zombies) return f;
  const ext = s.extobjList.indexOf(b.bo);
  if (ext >= 0) f.push(`.extobj = ${ext + 1}`);
  const ev = s.evictList.indexOf(b.bo);
  if (ev >= 0) f.push(`.evict = ${ev + 1}`);
  return f;
}

/**
 * The expected snapshot must be one the C checks can express (the model's
 * always is): object references of 1 + a live vm_bo (+ its zombies), a live
 * vm_bo linked to exactly its object's VAs, and, without zombies, lists of
 * live vm_bos only, each once.
 */
function checkSnapshot(s: Snapshot, file: string, index: number, zombies: boolean): void {
  const live = new Set(s.vmBos.map((b) => b.bo));
  const fail = (what: string): never => {
    throw new Error(`internal: ${file}: the model's state after command ${index} ${what}`);
  };
  const deferred = s.deferred ?? [];
  if (!zombies && deferred.length > 0) fail('has zombie vm_bos in a file without deferred puts');
  for (const o of s.objects) {
    const want = 1 + (live.has(o.bo) ? 1 : 0) + deferred.filter((d) => d.bo === o.bo).length;
    if (o.refs !== want) fail(`gives bo${o.bo} ${o.refs} references`);
  }
  for (const b of s.vmBos) {
    const linked = s.vas.filter((va) => va.bo === b.bo).map((va) => `${va.addr}+${va.range}`);
    if (linked.join() !== b.vas.map(([a, r]) => `${a}+${r}`).join()) fail(`links bo${b.bo} to other VAs than its own`);
  }
  if (zombies) return;
  for (const bo of [...s.extobjList, ...s.evictList]) if (!live.has(bo)) fail(`lists bo${bo}, which has no vm_bo`);
  if (new Set(s.extobjList).size !== s.extobjList.length || new Set(s.evictList).size !== s.evictList.length) fail('lists a vm_bo twice');
}

// ---------------------------------------------------------------------------
// One case

/**
 * Why a case cannot run `c` (it is skipped there), or null: a function the
 * tree lacks (drm_gpuva_find_prev / find_next on 7.x), or what the export
 * does not drive yet (madvise, deferred vm_bo puts and cleanup; the kernel
 * subject refuses them too).
 */
function unsupported(c: Command, v: KunitVariant): string | null {
  const noDefer = v.unlinkDefer ? null : 'this tree has no deferred vm_bo cleanup';
  switch (c.cmd) {
    case 'find_prev':
      return v.findPrev ? null : 'this tree has no drm_gpuva_find_prev()';
    case 'find_next':
      return v.findPrev ? null : 'this tree has no drm_gpuva_find_next()';
    case 'madvise':
      return v.madvise ? null : 'this tree has no drm_gpuvm_madvise_ops_create()';
    case 'bo_put_deferred':
    case 'deferred_cleanup':
      return noDefer;
    case 'map':
    case 'unmap':
      return c.defer === true ? noDefer : null;
    default:
      return null;
  }
}

/** Why a case cannot set up the trace's VM on this tree (it is skipped), or null. */
function unsupportedHeader(trace: Trace, v: KunitVariant): string | null {
  return trace.flags?.immediate === true && !v.immediateMode ? 'this tree has no DRM_GPUVM_IMMEDIATE_MODE' : null;
}

/** The drm_gpuvm_flags of a trace's VM, as C. */
function cFlags(trace: Trace): string | null {
  const f = [trace.flags?.immediate === true ? 'DRM_GPUVM_IMMEDIATE_MODE' : '', trace.flags?.resvProtected === true ? 'DRM_GPUVM_RESV_PROTECTED' : ''].filter((x) => x !== '');
  return f.length === 0 ? null : f.join(' | ');
}

/** The steps a case runs: none for a VM it cannot set up, else up to and including the first one it cannot run. */
function emittedSteps(trace: Trace, steps: readonly ExpectedStep[], v: KunitVariant): ExpectedStep[] {
  if (unsupportedHeader(trace, v) !== null) return [];
  const i = steps.findIndex((s) => unsupported(s.command, v) !== null);
  return i < 0 ? [...steps] : steps.slice(0, i + 1);
}

const VIA = (via: string | undefined): string => (via === 'steps' ? 'GPUVM_TEST_STEPS' : 'GPUVM_TEST_OPS');
const ERR = (e: Errno | undefined): string => (e === undefined ? '0' : `-${e}`);

/** Static tables of one case, named per command and shared when equal. */
class Tables {
  readonly decls: string[] = [];
  private readonly byContent = new Map<string, string>();

  /**
   * The name of a table (declared on first use): an array with `lines` as
   * its body, or with `form` 'value' a single value, 'list' an array
   * initialised on one line.
   */
  table(type: string, name: string, lines: readonly string[], form: 'array' | 'value' | 'list' = 'array'): string {
    const key = `${type}\0${form}\0${lines.join('\n')}`;
    const known = this.byContent.get(key);
    if (known !== undefined) return known;
    this.byContent.set(key, name);
    if (form === 'array') this.decls.push(`\tstatic const ${type} ${name}[] = {`, ...lines, '\t};');
    else this.decls.push(`\tstatic const ${type} ${name}${form === 'list' ? '[]' : ''} = ${lines.join('')};`);
    return name;
  }
}

function caseText(name: string, input: ExportInput, steps: readonly ExpectedStep[], v: KunitVariant, zombies: boolean): string {
  const { trace, file } = input;
  const tables = new Tables();
  const body: string[] = [];
  const vm = trace.vm;
  const reserve = vm.reserve ?? null;
  const sorted = [...trace.objects].sort((a, b) => a.bo - b.bo);

  body.push(...formatHeader(trace).map((l) => `\t/* ${l} */`));
  const flags = cFlags(trace);
  if (flags !== null) body.push(`\tgpuvm_test_flags(t, ${flags});`);
  body.push(
    callLines('gpuvm_test_setup', ['t', hex(vm.start), hex(vm.range), hex(reserve?.addr ?? 0n), hex(reserve?.range ?? 0n), String(trace.objects.length)]),
  );
  for (const o of sorted) body.push(`\tgpuvm_test_add_object(t, ${o.bo}, ${o.external === true});`);

  const stateOf = (s: ExpectedStep): string[] => {
    checkSnapshot(s.snapshot, file, s.index, zombies);
    const snap = s.snapshot;
    const vas = snap.vas.length === 0 ? 'NULL' : tables.table('struct gpuvm_test_piece', `vas${s.index}`, [...snap.vas.map((va) => `\t\t${cPiece(va)},`), '\t\t{ }']);
    const bos =
      snap.vmBos.length === 0
        ? 'NULL'
        : tables.table('struct gpuvm_test_vm_bo', `bos${s.index}`, [...snap.vmBos.flatMap((b) => entryLines(vmBoFields(b, snap, zombies), '\t\t')), '\t\t{ }']);
    const out = [`\tgpuvm_test_expect_state(t, ${vas}, ${bos});`];
    if (zombies) {
      const ids = (list: readonly number[], what: string): string =>
        list.length === 0 ? 'NULL' : tables.table('int', `${what}${s.index}`, [`{ ${[...list.map(String), 'GPUVM_TEST_END'].join(', ')} }`], 'list');
      const deferred = snap.deferred ?? [];
      const z =
        deferred.length === 0
          ? 'NULL'
          : tables.table('struct gpuvm_test_zombie', `zombies${s.index}`, [...deferred.map((d) => `\t\t{ ${d.bo}, ${d.evicted} },`), '\t\t{ .bo = GPUVM_TEST_END }']);
      out.push(callLines('gpuvm_test_expect_zombies', ['t', bos, z, ids(snap.extobjList, 'extobj'), ids(snap.evictList, 'evict')]));
    }
    return out;
  };
  const opsOf = (s: ExpectedStep, obs: Observation): string => {
    const ops = obs.ops ?? [];
    if (ops.length === 0) return 'NULL';
    return tables.table('struct gpuvm_test_op', `ops${s.index}`, [...ops.flatMap((op) => entryLines(opFields(op, v), '\t\t')), '\t\t{ }']);
  };

  for (const s of steps) {
    const c = s.command;
    const obs = s.observation;
    body.push('', `\t/* ${s.index}. ${formatCommand(c)} */`);
    const missing = unsupported(c, v);
    if (missing !== null) {
      const call = `\tgpuvm_test_unsupported(t, "${c.cmd}", "${missing}");`;
      body.push(columns(call) <= MAX_COLUMNS ? call : `\tgpuvm_test_unsupported(t, "${c.cmd}",\n\t\t\t       "${missing}");`);
      break;
    }
    const expect: string[] = [];
    switch (c.cmd) {
      case 'madvise':
        if (c.failAt !== undefined) body.push(`\tgpuvm_test_fail_at(t, ${c.failAt});`);
        if (c.allocFailAt !== undefined) body.push(`\tgpuvm_test_alloc_fail_at(t, ${c.allocFailAt});`);
        body.push(callLines('gpuvm_test_madvise', ['t', hex(c.addr), hex(c.range), cBo(c.bo), hex(c.offset)]));
        expect.push(`\tgpuvm_test_expect_ops(t, ${ERR(obs.error)}, ${opsOf(s, obs)});`);
        break;
      case 'bo_put_deferred':
        body.push(`\tgpuvm_test_bo_put_deferred(t, ${c.bo});`);
        expect.push(`\tgpuvm_test_expect_ret(t, ${ERR(obs.error)});`);
        break;
      case 'deferred_cleanup':
        body.push('\tgpuvm_test_deferred_cleanup(t);');
        expect.push(`\tgpuvm_test_expect_ret(t, ${ERR(obs.error)});`);
        break;
      case 'map':
      case 'unmap':
        if (c.failAt !== undefined) body.push(`\tgpuvm_test_fail_at(t, ${c.failAt});`);
        if (c.allocFailAt !== undefined) body.push(`\tgpuvm_test_alloc_fail_at(t, ${c.allocFailAt});`);
        if (c.defer === true) body.push('\tgpuvm_test_defer(t);');
        body.push(
          c.cmd === 'map'
            ? callLines('gpuvm_test_map', ['t', VIA(c.via), hex(c.addr), hex(c.range), cBo(c.bo), hex(c.offset)])
            : callLines('gpuvm_test_unmap', ['t', VIA(c.via), hex(c.addr), hex(c.range)]),
        );
        expect.push(`\tgpuvm_test_expect_ops(t, ${ERR(obs.error)}, ${opsOf(s, obs)});`);
        break;
      case 'prefetch':
        body.push(`\tgpuvm_test_prefetch(t, ${hex(c.addr)}, ${hex(c.range)});`);
        expect.push(`\tgpuvm_test_expect_ops(t, ${ERR(obs.error)}, ${opsOf(s, obs)});`);
        break;
      case 'bo_unmap':
        body.push(`\tgpuvm_test_bo_unmap(t, ${c.bo});`);
        expect.push(`\tgpuvm_test_expect_ops(t, ${ERR(obs.error)}, ${opsOf(s, obs)});`);
        break;
      case 'insert':
        body.push(callLines('gpuvm_test_insert', ['t', hex(c.addr), hex(c.range), cBo(c.bo), hex(c.offset)]));
        expect.push(`\tgpuvm_test_expect_ret(t, ${ERR(obs.error)});`);
        break;
      case 'remove':
        body.push(`\tgpuvm_test_remove(t, ${hex(c.addr)}, ${hex(c.range)});`);
        expect.push(`\tgpuvm_test_expect_ret(t, ${ERR(obs.error)});`);
        break;
      case 'find':
      case 'find_first':
      case 'find_prev':
      case 'find_next': {
        const call =
          c.cmd === 'find_prev'
            ? `gpuvm_test_find_prev(t, ${hex(c.start)})`
            : c.cmd === 'find_next'
              ? `gpuvm_test_find_next(t, ${hex(c.end)})`
              : `gpuvm_test_${c.cmd}(t, ${hex(c.addr)}, ${hex(c.range)})`;
        body.push(`\t${call};`);
        const va = obs.va ?? null;
        expect.push(`\tgpuvm_test_expect_va(t, ${va === null ? 'NULL' : `&${tables.table('struct gpuvm_test_piece', `va${s.index}`, [cPiece(va)], 'value')}`});`);
        break;
      }
      case 'interval_empty':
        body.push(`\tgpuvm_test_interval_empty(t, ${hex(c.addr)}, ${hex(c.range)});`);
        expect.push(`\tgpuvm_test_expect_empty(t, ${obs.empty === true});`);
        break;
      case 'bo_get':
        body.push(`\tgpuvm_test_bo_get(t, ${c.bo});`);
        expect.push(`\tgpuvm_test_expect_ret(t, ${ERR(obs.error)});`);
        break;
      case 'bo_put':
        body.push(`\tgpuvm_test_bo_put(t, ${c.bo});`);
        expect.push(`\tgpuvm_test_expect_ret(t, ${ERR(obs.error)});`);
        break;
      case 'evict':
        body.push(`\tgpuvm_test_evict(t, ${c.bo}, ${c.evict});`);
        expect.push(`\tgpuvm_test_expect_ret(t, ${ERR(obs.error)});`);
        break;
      case 'validate': {
        const list = tables.table('int', `validated${s.index}`, [`{ ${[...(obs.validated ?? []).map(String), 'GPUVM_TEST_END'].join(', ')} }`], 'list');
        body.push('\tgpuvm_test_validate(t);');
        expect.push(`\tgpuvm_test_expect_validated(t, ${list});`);
        break;
      }
    }
    body.push(...expect, ...stateOf(s));
  }
  if (steps.length < trace.commands.length) {
    body.push(`\t/* commands ${steps.length} to ${trace.commands.length - 1} are not exported: the case is skipped above */`);
  }

  const meta = trace.meta;
  const about: string[] = [];
  if (typeof meta?.invariant === 'string') {
    about.push(`saved as a failure${typeof meta.subject === 'string' ? ` of ${meta.subject}` : ''} (${meta.invariant})`);
  }
  const head = ['/*', ` * ${file}${about.length > 0 ? `: ${about.join(', ')}` : ''}`, ' */'];
  if (columns(head[1] as string) > MAX_COLUMNS) head.splice(1, 1, ` * ${file}`, ...about.map((a) => ` * ${a}`));
  const skipAll = unsupportedHeader(trace, v);
  if (skipAll !== null) {
    return [
      ...head,
      `static void ${name}(struct kunit *test)`,
      '{',
      ...formatHeader(trace).map((l) => `\t/* ${l} */`),
      `\tkunit_skip(test, "${skipAll}");`,
      '}',
    ].join('\n');
  }
  return [
    ...head,
    `static void ${name}(struct kunit *test)`,
    '{',
    ...tables.decls,
    '\tstruct gpuvm_test *t = test->priv;',
    '',
    ...body,
    '}',
  ].join('\n');
}

// ---------------------------------------------------------------------------
// The file

function featuresOf(inputs: readonly ExportInput[], all: readonly ExpectedStep[], v: KunitVariant): HelperFeatures {
  // What the cases run: a command the tree cannot run only skips its case.
  const run = all.filter((s) => unsupported(s.command, v) === null);
  const has = (p: (c: Command) => boolean): boolean => run.some((s) => p(s.command));
  const mapLike = (c: Command): c is Extract<Command, { cmd: 'map' | 'unmap' }> => c.cmd === 'map' || c.cmd === 'unmap';
  return {
    objects: inputs.some((i) => i.trace.objects.length > 0),
    map: has((c) => c.cmd === 'map'),
    unmap: has((c) => c.cmd === 'unmap'),
    failAt: has((c) => (mapLike(c) || c.cmd === 'madvise') && c.failAt !== undefined),
    allocFailAt: has((c) => (mapLike(c) || c.cmd === 'madvise') && c.allocFailAt !== undefined),
    prefetch: has((c) => c.cmd === 'prefetch'),
    boUnmap: has((c) => c.cmd === 'bo_unmap'),
    insert: has((c) => c.cmd === 'insert'),
    remove: has((c) => c.cmd === 'remove'),
    find: has((c) => c.cmd === 'find'),
    findFirst: has((c) => c.cmd === 'find_first'),
    findPrev: v.findPrev && has((c) => c.cmd === 'find_prev'),
    findNext: v.findPrev && has((c) => c.cmd === 'find_next'),
    intervalEmpty: has((c) => c.cmd === 'interval_empty'),
    boGet: has((c) => c.cmd === 'bo_get'),
    boPut: has((c) => c.cmd === 'bo_put'),
    evict: has((c) => c.cmd === 'evict'),
    validate: has((c) => c.cmd === 'validate'),
    unsupported: all.some((s) => unsupported(s.command, v) !== null),
    vmFlags: inputs.some((i) => cFlags(i.trace) !== null && unsupportedHeader(i.trace, v) === null),
    immediate: inputs.some((i) => i.trace.flags?.immediate === true && unsupportedHeader(i.trace, v) === null),
    madvise: has((c) => c.cmd === 'madvise'),
    defer: has((c) => mapLike(c) && c.defer === true),
    boPutDeferred: has((c) => c.cmd === 'bo_put_deferred'),
    deferredCleanup: has((c) => c.cmd === 'deferred_cleanup'),
  };
}

function variantSummary(v: KunitVariant): string {
  const parts = [
    v.mapReq ? 'struct drm_gpuvm_map_req' : 'drm_gpuvm_sm_map(addr, range, obj, offset)',
    v.obtainLocked ? 'drm_gpuvm_bo_obtain_locked()' : 'drm_gpuvm_bo_obtain()',
    v.findPrev ? 'drm_gpuva_find_prev/next()' : 'no drm_gpuva_find_prev/next()',
  ];
  if (v.remapHole) parts.push('drm_gpuva_op_remap_to_unmap_range()');
  if (v.warnSuppress) parts.push("KUnit's warning suppression");
  return parts.join(', ');
}

/** Wraps `text` into comment lines of at most `width` columns. */
function wrapComment(text: string, width = 76): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(` * ${line}`);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') out.push(` * ${line}`);
  return out;
}

/**
 * The test file for `inputs` (at least one). Throws ExportError for a bad
 * suite name or licence, or a trace the reference model cannot replay.
 * Deterministic: the same inputs and options give the same text.
 */
export function exportKunit(inputs: readonly ExportInput[], opts: KunitExportOptions): string {
  const suite = opts.suite ?? DEFAULT_SUITE;
  if (!isCIdentifier(suite)) throw new ExportError(`--suite ${JSON.stringify(suite)}: the suite's name must be a C identifier (e.g. drm_gpuvm)`);
  const spdx = (opts.license ?? DEFAULT_LICENSE).trim();
  const license = moduleLicense(spdx);
  if (inputs.length === 0) throw new ExportError('no trace to export');
  const v = opts.variant;

  const names = caseNames(inputs.map((i) => i.file));
  const perCase = inputs.map((input) => emittedSteps(input.trace, expectedSteps(input.trace, input.file), v));
  const all = perCase.flat();
  const maxOps = maxOpsFor(Math.max(0, ...all.map((s) => s.observation.ops?.length ?? 0)));
  const features = featuresOf(inputs, all, v);
  const zombies = v.unlinkDefer && (features.defer || features.boPutDeferred);
  const cases = inputs.map((input, i) => caseText(names[i] as string, input, perCase[i] as ExpectedStep[], v, zombies));

  const intro = [
    `KUnit tests for drm_gpuvm: ${inputs.length} trace${inputs.length === 1 ? '' : 's'} of gpuvm-check, one case each.`,
    '',
    "Each case sets up a VM and GEM objects, runs the trace's commands through drm_gpuvm's public API the way a VM_BIND driver does (an ops list applied op by op and unwound on failure, as nouveau and xe do, or the step callbacks, as panthor does), and after every command checks what gpuvm-check's reference model says: the result, the ops, the VAs, each object's vm_bo with its references, and the extobj and evict lists. A case stops at the first command that differs.",
    '',
    `Written for: ${variantSummary(v)}.`,
    'Generated by gpuvm-check export kunit; regenerate it rather than edit the tables.',
  ];
  const header: string[] = [`// SPDX-License-Identifier: ${spdx}`, '/*'];
  for (const para of intro) header.push(...(para === '' ? [' *'] : wrapComment(para)));
  header.push(' */');

  const includes = [
    '#include <kunit/test.h>',
    '#include <kunit/test-bug.h>',
    '',
    '#include <linux/list.h>',
    '#include <linux/module.h>',
    '#include <linux/slab.h>',
    '#include <linux/string.h>',
    '',
    '#include <drm/drm_drv.h>',
    '#include <drm/drm_exec.h>',
    '#include <drm/drm_gem.h>',
    '#include <drm/drm_gpuvm.h>',
    '#include <drm/drm_kunit_helpers.h>',
  ];

  const suiteText = [
    `static struct kunit_case ${suite}_tests[] = {`,
    ...names.map((n) => `\tKUNIT_CASE(${n}),`),
    '\t{ }',
    '};',
    '',
    `static struct kunit_suite ${suite}_test_suite = {`,
    `\t.name = "${suite}",`,
    '\t.init = gpuvm_test_init,',
    '\t.exit = gpuvm_test_exit,',
    `\t.test_cases = ${suite}_tests,`,
    '};',
    '',
    `kunit_test_suite(${suite}_test_suite);`,
    '',
    'MODULE_DESCRIPTION("KUnit tests for drm_gpuvm, from gpuvm-check traces");',
    `MODULE_LICENSE("${license}");`,
  ];

  return `${[header.join('\n'), includes.join('\n'), helpersC(v, features, maxOps).trimEnd(), ...cases, suiteText.join('\n')].join('\n\n')}\n`;
}
