/**
 * `builtin:gpuvm`: the production manager (`src/gpuvm`) driven the way kernel
 * drivers drive drm_gpuvm (SEMANTICS.md section 5, PROTOCOL.md section 3).
 *
 * Two driver patterns are played, chosen per map / unmap command by `via`:
 *
 * - ops mode (nouveau `nouveau_uvmm`, xe `xe_vm`): build the whole ops list with
 *   `smMapOpsCreate` / `smUnmapOpsCreate`, then apply the ops one by one; an
 *   injected failure at op k stops there and unwinds ops k-1..1 in reverse, so
 *   the VM is exactly as before (xe's `vm_bind_ioctl_ops_unwind`).
 * - steps mode (panthor, imagination): preallocate the VAs and the vm_bo up
 *   front, then let `smMap` / `smUnmap` call back once per step and apply each
 *   step at once; an injected failure at step k leaves steps 1..k-1 applied.
 *
 * The trace header's flags set the VM's modes. In an immediate VM the driver
 * obtains every vm_bo through prealloc (`boCreate` + `boObtainPrealloc`), in
 * any other through `boObtain`; a steps-mode command with `defer` unlinks with
 * `unlinkDefer` and puts its vm_bo reference with `putDeferred` (panthor and
 * the Rust abstraction do so in run_job), and `bo_put_deferred` /
 * `deferred_cleanup` drive the zombie life cycle. `madvise` applies a
 * `madviseOpsCreate` list like an ops-mode map (xe's madvise VMA split).
 *
 * Every observable choice the driver makes is a protected method, so a fault
 * variant (the fault zoo) is a subclass overriding exactly one of them:
 * `vasToPreallocate`, `remapHole`, `obtainVmBo`, `acquireMapVmBo`,
 * `applyRemap`, `undoRemap`, `unlinkVa`.
 */

import { GPUVM_IMMEDIATE_MODE, GPUVM_RESV_PROTECTED, GpuVa, GpuVmError, GpuVm, remapToUnmapRange } from '../gpuvm/index.ts';
import type {
  GemObject,
  GpuVaOp,
  GpuVmBo,
  GpuVmConfig,
  MapReq,
  OpMap,
  OpRemap,
  OpUnmap,
  SmStepCtx,
} from '../gpuvm/index.ts';
import type {
  BoId,
  Command,
  MadviseCommand,
  MapCommand,
  Observation,
  OpRecord,
  Snapshot,
  Subject,
  TraceHeader,
  UnmapCommand,
  Via,
  VmFlags,
} from '../protocol/types.ts';
import { OpAllocMeter } from './accounting.ts';
import type { DriverAccounting } from './accounting.ts';
import { ObjectTable } from './objects.ts';
import { sameOps, sameShape, vmShape } from './ops-purity.ts';
import { opRecord, vaRecord } from './records.ts';
import type { RecordContext } from './records.ts';
import { boIdOf, snapshotVm } from './snapshot.ts';

/** How to build the VM under test; the default is `new GpuVm(cfg)`. */
export interface GpuVmSubjectOptions {
  /**
   * Builds the VM for each run. Pass `cfg` through unchanged (it carries the
   * `opAlloc` / `opFree` hooks the accounting and `allocFailAt` rely on).
   */
  readonly createVm?: (cfg: GpuVmConfig) => GpuVm;
  /** The subject's name in reports; default `builtin:gpuvm`. */
  readonly name?: string;
}

/** The request kinds that need new VAs. */
export type RequestKind = 'map' | 'unmap';

/** An op the ops-mode driver has applied, with what it needs to undo it. */
type AppliedOp =
  | { readonly kind: 'map'; readonly va: GpuVa }
  | {
      readonly kind: 'remap';
      readonly op: OpRemap;
      readonly prev: GpuVa | null;
      readonly next: GpuVa | null;
      readonly vmBo: GpuVmBo | null;
    }
  | { readonly kind: 'unmap'; readonly op: OpUnmap; readonly vmBo: GpuVmBo | null };

/** Where the driver gets the new VAs of one command from. */
interface VaSource {
  take(): GpuVa;
}

/** The state of one run (one `reset`). */
interface Run {
  readonly vm: GpuVm;
  readonly objects: ObjectTable;
  readonly records: RecordContext;
}

/**
 * The harness's driver for the production manager (`builtin:gpuvm`).
 *
 * `reset` builds the VM and the trace's objects, `exec` runs one protocol command
 * the way a kernel driver would, `snapshot` reports the state, `accounting`
 * reports the last command's VA and op-allocation book-keeping. A `GpuVmError`
 * becomes an error observation; any other exception (e.g. `UseAfterFreeError`)
 * propagates for the harness to report. A `GpuVmError` while the driver
 * applies an ops list or its steps (a manager refusing its own ops) is
 * reported with the list or the steps called so far, so the op-level
 * invariants still see them.
 */
export class GpuVmSubject implements Subject {
  readonly name: string;
  private readonly createVm: (cfg: GpuVmConfig) => GpuVm;
  private readonly meter = new OpAllocMeter();
  private current: Run | null = null;
  private executed = false;
  /** Whether the command running unlinks deferred (a steps-mode command with `defer`). */
  private deferring = false;

  constructor(options: GpuVmSubjectOptions = {}) {
    this.name = options.name ?? 'builtin:gpuvm';
    this.createVm = options.createVm ?? ((cfg) => new GpuVm(cfg));
  }

  // -------------------------------------------------------------------------
  // Subject

  /**
   * Builds a fresh VM for `header.vm` (with the reserved node, if any, and the
   * mode flags of `header.flags`) and the trace's objects: an external object
   * gets its own reservation object, the others share the VM's. The driver
   * holds one reference on each object.
   */
  reset(header: TraceHeader): void {
    const reserve = header.vm.reserve ?? null;
    const cfg: GpuVmConfig = {
      name: 'gpuvm-check',
      start: header.vm.start,
      range: header.vm.range,
      ...(reserve === null ? {} : { reserveOffset: reserve.addr, reserveRange: reserve.range }),
      flags: vmFlagBits(header.flags),
      ops: this.meter.hooks,
    };
    const vm = this.createVm(cfg);
    const objects = new ObjectTable(vm, header.objects);
    const records: RecordContext = {
      boOf: (obj) => objects.idOf(obj),
      kernelNode: vm.kernelNode,
      hole: (op) => this.remapHole(op),
    };
    this.current = { vm, objects, records };
    this.executed = false;
  }

  /**
   * Runs one command (PROTOCOL.md section 3) and returns what the driver
   * observed (section 4). A `GpuVmError` with a protocol errno becomes
   * `{ ok: false, error }`; any other exception propagates. Throws a plain
   * `Error` for a command naming an undeclared object, or before `reset`.
   */
  exec(command: Command): Observation {
    const run = this.run();
    this.executed = true;
    const allocFailAt =
      command.cmd === 'map' || command.cmd === 'unmap' || command.cmd === 'madvise' ? command.allocFailAt : undefined;
    this.meter.begin(allocFailAt);
    try {
      return this.dispatch(run, command);
    } catch (err) {
      if (err instanceof GpuVmError) return { ok: false, error: err.code };
      throw err;
    } finally {
      this.deferring = false;
    }
  }

  /** The VM and objects as a protocol snapshot (PROTOCOL.md section 5). */
  snapshot(): Snapshot {
    const run = this.run();
    return snapshotVm(run.vm, run.objects, run.records);
  }

  /** The accounting of the command last executed; null before the first command of a run. */
  accounting(): DriverAccounting | null {
    return this.executed ? this.meter.snapshot() : null;
  }

  close(): void {
    this.current = null;
    this.executed = false;
  }

  // -------------------------------------------------------------------------
  // Extension points (each one a single driver decision a fault can change)

  /** The VM of the current run (for subclasses). */
  protected get vm(): GpuVm {
    return this.run().vm;
  }

  /**
   * How many VAs the steps-mode driver preallocates for a request: 3 for a map
   * (two remap halves and the new mapping), 2 for an unmap (two remap halves).
   * panthor preallocates this way; preallocating 1 for an unmap was its bug
   * (SEMANTICS.md section 5, va-budget).
   */
  protected vasToPreallocate(kind: RequestKind): number {
    return kind === 'map' ? 3 : 2;
  }

  /**
   * The range a remap vacates in the page tables, reported as the op's `hole`.
   * Drivers use `drm_gpuva_op_remap_to_unmap_range()`; nouveau's hand-written
   * version got the range wrong (CVE-2024-36018).
   */
  protected remapHole(op: OpRemap): readonly [bigint, bigint] {
    const hole = remapToUnmapRange(op);
    return [hole.addr, hole.range];
  }

  /**
   * Obtains the vm_bo of (VM, obj) with one more reference, the way the VM's
   * mode requires: in an immediate VM the prealloc pattern --
   * `drm_gpuvm_bo_create()` outside the locks, then
   * `drm_gpuvm_bo_obtain_prealloc()` (panthor, Tyr); in any other VM
   * `drm_gpuvm_bo_obtain_locked()` (nouveau, xe). The manager refuses the
   * other path with EINVAL (upstream WARNs).
   */
  protected obtainVmBo(obj: GemObject): GpuVmBo {
    const vm = this.vm;
    return vm.immediateMode ? vm.boObtainPrealloc(vm.boCreate(obj)) : vm.boObtain(obj);
  }

  /**
   * Acquires the vm_bo a map links its new VA to (`obtainVmBo`, whatever
   * `via`), and puts it on the extobj list. The caller puts the returned
   * reference when the command ends. Using `boCreate` alone was imagination's
   * duplicate-vm_bo bug.
   */
  protected acquireMapVmBo(obj: GemObject, _via: Via): GpuVmBo {
    const vmBo = this.obtainVmBo(obj);
    vmBo.extobjAdd();
    return vmBo;
  }

  /**
   * Unlinks a VA the driver takes out: `drm_gpuva_unlink()`, or during a
   * command with `defer` `drm_gpuva_unlink_defer()`, which leaves a vm_bo that
   * loses its last reference as a zombie for `deferred_cleanup`.
   */
  protected unlinkVa(va: GpuVa): void {
    if (this.deferring) va.unlinkDefer();
    else va.unlink();
  }

  /**
   * Applies a REMAP op or step: `drm_gpuva_remap()` replaces the old VA by the
   * halves, the halves are linked to the old VA's vm_bo, and only then is the
   * old VA unlinked -- unlinking first could drop the vm_bo's last reference
   * and destroy it while the halves still need it (the order the drm_gpuvm
   * kernel-doc example was corrected to when vm_bos were introduced).
   */
  protected applyRemap(op: OpRemap, prev: GpuVa | null, next: GpuVa | null): void {
    const old = op.unmap.va;
    const vmBo = old.vmBo;
    this.vm.remap(prev, next, op);
    if (vmBo !== null) {
      if (prev !== null) prev.link(vmBo);
      if (next !== null) next.link(vmBo);
    }
    this.unlinkVa(old);
  }

  /**
   * Undoes an applied REMAP during an unwind: re-link the old VA to its vm_bo
   * first (so the vm_bo survives the halves' unlink), then unlink and remove the
   * halves, then re-insert the old VA. xe's unwind once skipped the halves and
   * re-inserted a shrunken VA (its "always keep track of remap prev/next" fix).
   */
  protected undoRemap(op: OpRemap, prev: GpuVa | null, next: GpuVa | null, vmBo: GpuVmBo | null): void {
    const old = op.unmap.va;
    if (vmBo !== null) old.link(vmBo);
    for (const half of [prev, next]) {
      if (half === null) continue;
      half.unlink();
      this.vm.remove(half);
    }
    this.vm.insert(old);
  }

  // -------------------------------------------------------------------------
  // Dispatch

  private dispatch(run: Run, command: Command): Observation {
    const { vm, objects } = run;
    switch (command.cmd) {
      case 'map':
        return this.viaOf(command) === 'steps' ? this.mapViaSteps(command) : this.mapViaOps(command);
      case 'unmap':
        return this.viaOf(command) === 'steps' ? this.unmapViaSteps(command) : this.unmapViaOps(command);
      case 'prefetch':
        return this.prefetch(command.addr, command.range);
      case 'bo_unmap':
        return this.boUnmap(command.bo);
      case 'insert':
        return this.insert(command.addr, command.range, objects.resolve(command.bo), command.offset);
      case 'remove':
        return this.remove(command.addr, command.range);
      case 'find':
        return this.foundVa(vm.find(command.addr, command.range));
      case 'find_first':
        return this.foundVa(vm.findFirst(command.addr, command.range));
      case 'find_prev':
        return this.foundVa(vm.findPrev(command.start));
      case 'find_next':
        return this.foundVa(vm.findNext(command.end));
      case 'interval_empty':
        return { ok: true, empty: vm.intervalEmpty(command.addr, command.range) };
      case 'bo_get':
        return this.boGet(command.bo);
      case 'bo_put':
        return this.boPut(command.bo);
      case 'evict':
        objects.get(command.bo).obj.evict(command.evict);
        return { ok: true };
      case 'validate':
        return this.validate();
      case 'madvise':
        return this.madvise(command);
      case 'bo_put_deferred':
        return this.boPutDeferred(command.bo);
      case 'deferred_cleanup':
        vm.boDeferredCleanup();
        return { ok: true };
      default: {
        const unknown: never = command;
        throw new Error(`driver: unknown command ${JSON.stringify((unknown as { cmd?: unknown }).cmd)}`);
      }
    }
  }

  // -------------------------------------------------------------------------
  // Ops mode (staged: nouveau, xe)

  /**
   * Map through an ops list (nouveau's uvmm bind jobs, xe's VM_BIND ioctl):
   * `smMapOpsCreate` (EINVAL or ENOMEM before anything changes), obtain the
   * request's vm_bo, apply the ops, put the references, `opsFree`.
   */
  private mapViaOps(cmd: MapCommand): Observation {
    const vm = this.vm;
    const req = this.mapReq(cmd);
    return this.runOpsList(
      () => vm.smMapOpsCreate(req),
      cmd.failAt,
      () => (req.obj === null ? null : this.acquireMapVmBo(req.obj, 'ops')),
    );
  }

  /** Unmap through an ops list: as `mapViaOps` without a vm_bo to obtain. */
  private unmapViaOps(cmd: UnmapCommand): Observation {
    const vm = this.vm;
    return this.runOpsList(() => vm.smUnmapOpsCreate(cmd.addr, cmd.range), cmd.failAt, () => null);
  }

  /**
   * madvise (xe's `xe_vm_alloc_madvise_vma()`): `madviseOpsCreate`, then the
   * REMAP / MAP ops applied as in `mapViaOps`, with nothing to link (the
   * pieces have no object), unwound on an injected failure.
   */
  private madvise(cmd: MadviseCommand): Observation {
    const vm = this.vm;
    const req: MapReq = { addr: cmd.addr, range: cmd.range, obj: this.run().objects.resolve(cmd.bo), offset: cmd.offset };
    return this.runOpsList(() => vm.madviseOpsCreate(req), cmd.failAt, () => null);
  }

  /**
   * The staged pattern shared by ops-mode map and unmap, and by madvise. The
   * list is built with the hooks counting (and failing the `allocFailAt`-th
   * allocation), then built once more quietly for the `ops-pure` check, then
   * applied; every reference the command took is put and the list freed
   * whatever happens.
   */
  private runOpsList(
    build: () => GpuVaOp[],
    failAt: number | undefined,
    acquire: () => GpuVmBo | null,
  ): Observation {
    const vm = this.vm;
    const before = vmShape(vm);
    const ops = this.meter.create(build);
    const refs: GpuVmBo[] = [];
    try {
      this.checkPurity(build, ops, before);
      const recorded = this.recordAll(ops);
      const vmBo = acquire();
      if (vmBo !== null) refs.push(vmBo);
      let failedAt: number | null;
      try {
        failedAt = this.applyOps(ops, vmBo, failAt, refs);
      } catch (err) {
        // The manager refused one of its own ops (never happens with a correct one):
        // report the list being applied, so the op-level invariants check it.
        if (err instanceof GpuVmError) return { ok: false, error: err.code, ops: recorded };
        throw err;
      }
      if (failedAt === null) return { ok: true, ops: recorded };
      return { ok: false, error: 'EIO', ops: recorded.slice(0, failedAt) };
    } finally {
      this.putAll(refs);
      this.meter.free(() => vm.opsFree(ops));
    }
  }

  /**
   * Applies `ops` in order. With `failAt = k <= ops.length` it stops before op k,
   * undoes ops k-1..1 in reverse and returns k; otherwise returns null.
   */
  private applyOps(
    ops: readonly GpuVaOp[],
    vmBo: GpuVmBo | null,
    failAt: number | undefined,
    refs: GpuVmBo[],
  ): number | null {
    const source = this.allocatingSource();
    const applied: AppliedOp[] = [];
    for (let i = 0; i < ops.length; i++) {
      if (failAt === i + 1) {
        this.unwind(applied);
        return failAt;
      }
      const op = ops[i] as GpuVaOp;
      switch (op.kind) {
        case 'map':
          applied.push({ kind: 'map', va: this.applyMapOp(op, source, vmBo) });
          break;
        case 'remap':
          applied.push(this.applyRemapOp(op, source));
          break;
        case 'unmap':
          applied.push({ kind: 'unmap', op, vmBo: this.unmapHoldingVmBo(op, refs) });
          break;
        case 'prefetch':
          throw new Error('driver: the manager put a PREFETCH op in a map / unmap ops list');
      }
    }
    return null;
  }

  /**
   * MAP op or step (`drm_gpuva_map()` + `drm_gpuva_link()`): a new VA from
   * `source` (allocated in ops mode, preallocated in steps mode), inserted,
   * linked to the request's vm_bo.
   */
  private applyMapOp(op: OpMap, source: VaSource, vmBo: GpuVmBo | null): GpuVa {
    const va = source.take();
    this.vm.map(va, op);
    if (vmBo !== null) va.link(vmBo);
    return va;
  }

  /**
   * REMAP op or step: new halves from `source` as the op asks, applied with
   * `applyRemap`; returns what an unwind needs (ops mode), including the old vm_bo.
   */
  private applyRemapOp(op: OpRemap, source: VaSource): AppliedOp {
    const vmBo = op.unmap.va.vmBo;
    const prev = op.prev === null ? null : source.take();
    const next = op.next === null ? null : source.take();
    this.applyRemap(op, prev, next);
    return { kind: 'remap', op, prev, next, vmBo };
  }

  /**
   * UNMAP op: take a reference on the VA's vm_bo (staged drivers keep what an
   * unwind needs until the job is done, so the VA can be re-linked), `drm_gpuva_unlink()`,
   * `drm_gpuva_unmap()`. The reference is put when the command ends.
   */
  private unmapHoldingVmBo(op: OpUnmap, refs: GpuVmBo[]): GpuVmBo | null {
    const vmBo = op.va.vmBo;
    if (vmBo !== null) refs.push(vmBo.get());
    op.va.unlink();
    this.vm.unmap(op);
    return vmBo;
  }

  /** Undoes the applied ops in reverse (xe `vm_bind_ioctl_ops_unwind`). */
  private unwind(applied: readonly AppliedOp[]): void {
    for (let i = applied.length - 1; i >= 0; i--) {
      const done = applied[i] as AppliedOp;
      switch (done.kind) {
        case 'map':
          this.undoMap(done.va);
          break;
        case 'remap':
          this.undoRemap(done.op, done.prev, done.next, done.vmBo);
          break;
        case 'unmap':
          this.undoUnmap(done.op, done.vmBo);
          break;
      }
    }
  }

  /** Undoes a MAP: unlink the new VA, remove it. */
  private undoMap(va: GpuVa): void {
    va.unlink();
    this.vm.remove(va);
  }

  /** Undoes an UNMAP: re-insert the VA, re-link it to the vm_bo the command kept alive. */
  private undoUnmap(op: OpUnmap, vmBo: GpuVmBo | null): void {
    this.vm.insert(op.va);
    if (vmBo !== null) op.va.link(vmBo);
  }

  /**
   * The `ops-pure` check: the list built a second time must equal the first
   * (same kinds, VA objects, pieces and keep flags) and neither build may have
   * changed the VM. The second list is built and freed without counting.
   */
  private checkPurity(build: () => GpuVaOp[], first: readonly GpuVaOp[], before: readonly unknown[]): void {
    const vm = this.vm;
    let again: GpuVaOp[];
    try {
      again = this.meter.createQuietly(build);
    } catch (err) {
      if (!(err instanceof GpuVmError)) throw err;
      this.meter.recordPurity(false);
      return;
    }
    const pure = sameOps(first, again) && sameShape(before, vmShape(vm));
    this.meter.freeQuietly(() => vm.opsFree(again));
    this.meter.recordPurity(pure);
  }

  // -------------------------------------------------------------------------
  // Steps mode (immediate: panthor, imagination)

  /**
   * Map through the step callbacks (panthor's and imagination's VM_BIND map
   * paths): preallocate the VAs, and for an object the vm_bo
   * (`acquireMapVmBo(obj, 'steps')`), run `smMap` applying every step at once,
   * then put the vm_bo reference. Unused preallocated VAs are simply dropped.
   */
  private mapViaSteps(cmd: MapCommand): Observation {
    const vm = this.vm;
    const req = this.mapReq(cmd);
    this.beginSteps(cmd);
    const pool = this.preallocatedSource(this.vasToPreallocate('map'));
    const vmBo = req.obj === null ? null : this.acquireMapVmBo(req.obj, 'steps');
    let observed: Observation | null = null;
    try {
      observed = this.runSteps(cmd.failAt, (steps) => {
        vm.smMap(req, {
          smStepMap: (op) => steps.call(op, () => this.applyMapOp(op, pool, vmBo)),
          smStepRemap: (op) => steps.call(op, () => this.applyRemapOp(op, pool)),
          smStepUnmap: (op) => steps.call(op, () => this.unlinkAndUnmap(op)),
        });
      });
      return observed;
    } finally {
      // A request the manager rejected (it threw before any step) is undone on the ioctl path with an
      // ordinary put; once the walk ran, a `defer` command drops its reference deferred, as run_job does.
      if (vmBo !== null) {
        if (this.deferring && observed !== null) vmBo.putDeferred();
        else vmBo.put();
      }
    }
  }

  /** Unmap through the step callbacks (panthor's unmap path): preallocate 2 VAs, run `smUnmap`. */
  private unmapViaSteps(cmd: UnmapCommand): Observation {
    const vm = this.vm;
    this.beginSteps(cmd);
    const pool = this.preallocatedSource(this.vasToPreallocate('unmap'));
    return this.runSteps(cmd.failAt, (steps) => {
      const ctx: SmStepCtx = {
        smStepMap: (op) =>
          steps.call(op, () => {
            throw new Error('driver: the manager called the MAP step during an unmap');
          }),
        smStepRemap: (op) => steps.call(op, () => this.applyRemapOp(op, pool)),
        smStepUnmap: (op) => steps.call(op, () => this.unlinkAndUnmap(op)),
      };
      vm.smUnmap(cmd.addr, cmd.range, ctx);
    });
  }

  /**
   * Runs a callback walk, recording every step called; the `failAt`-th step
   * throws `EIO` before doing anything, which aborts the walk with the earlier
   * steps left applied.
   */
  private runSteps(failAt: number | undefined, walk: (steps: StepRecorder) => void): Observation {
    const steps = new StepRecorder(this.run().records, failAt);
    try {
      walk(steps);
    } catch (err) {
      if (steps.isInjected(err)) return { ok: false, error: 'EIO', ops: steps.records };
      // A step the manager refused after the walk began (validation fails before any step):
      // report the steps called, as for ops mode.
      if (err instanceof GpuVmError && steps.records.length > 0) return { ok: false, error: err.code, ops: steps.records };
      throw err;
    }
    return { ok: true, ops: steps.records };
  }

  /**
   * A steps-mode command with `defer` unlinks deferred for its whole run; it
   * needs an immediate VM (EINVAL before anything is done otherwise: an
   * immediate-mode driver checks its VM's mode up front).
   */
  private beginSteps(cmd: MapCommand | UnmapCommand): void {
    if (cmd.defer !== true) return;
    if (!this.vm.immediateMode) throw new GpuVmError('EINVAL', `driver: ${cmd.cmd} with defer needs an immediate-mode VM`);
    this.deferring = true;
  }

  /**
   * UNMAP step (and each op of a bo_unmap list): `drm_gpuva_unlink()` (may
   * destroy the vm_bo) or, with `defer`, `drm_gpuva_unlink_defer()`, then
   * `drm_gpuva_unmap()`.
   */
  private unlinkAndUnmap(op: OpUnmap): void {
    this.unlinkVa(op.va);
    this.vm.unmap(op);
  }

  // -------------------------------------------------------------------------
  // Other commands

  /** `drm_gpuvm_prefetch_ops_create()`: one PREFETCH per overlapping VA; the list is freed at once. */
  private prefetch(addr: bigint, range: bigint): Observation {
    const vm = this.vm;
    const ops = this.meter.create(() => vm.prefetchOpsCreate(addr, range));
    try {
      return { ok: true, ops: this.recordAll(ops) };
    } finally {
      this.meter.free(() => vm.opsFree(ops));
    }
  }

  /**
   * Unmap every VA of an object's vm_bo (xe's UNMAP_ALL): `drm_gpuvm_bo_find()`
   * (no vm_bo -> nothing to do), `drm_gpuvm_bo_unmap_ops_create()`, unlink and
   * unmap each VA, put the found reference, free the list.
   */
  private boUnmap(bo: BoId): Observation {
    const { vm, objects } = this.run();
    const vmBo = vm.boFind(objects.get(bo).obj);
    if (vmBo === null) return { ok: true, ops: [] };
    try {
      const ops = this.meter.create(() => vm.boUnmapOpsCreate(vmBo));
      try {
        const recorded = this.recordAll(ops);
        try {
          for (const op of ops) {
            if (op.kind !== 'unmap') throw new Error(`driver: the manager put a ${op.kind.toUpperCase()} op in a bo_unmap list`);
            this.unlinkAndUnmap(op);
          }
        } catch (err) {
          if (err instanceof GpuVmError) return { ok: false, error: err.code, ops: recorded };
          throw err;
        }
        return { ok: true, ops: recorded };
      } finally {
        this.meter.free(() => vm.opsFree(ops));
      }
    } finally {
      vmBo.put();
    }
  }

  /**
   * Raw insert (`drm_gpuva_insert()`): EINVAL / EEXIST leave everything as it
   * was; for an object, obtain its vm_bo (and extobj-add it), link, put.
   */
  private insert(addr: bigint, range: bigint, obj: GemObject | null, offset: bigint): Observation {
    const vm = this.vm;
    const va = new GpuVa({ addr, range, obj, offset });
    vm.insert(va);
    if (obj !== null) {
      const vmBo = this.obtainVmBo(obj);
      try {
        vmBo.extobjAdd();
        va.link(vmBo);
      } finally {
        vmBo.put();
      }
    }
    return { ok: true };
  }

  /**
   * Raw removal of the VA exactly at [addr, addr + range) (`drm_gpuva_find()`,
   * `drm_gpuva_unlink()`, `drm_gpuva_remove()`): ENOENT if none; the kernel node
   * is refused with EINVAL and stays.
   */
  private remove(addr: bigint, range: bigint): Observation {
    const vm = this.vm;
    const va = vm.find(addr, range);
    if (va === null) return { ok: false, error: 'ENOENT' };
    va.unlink();
    vm.remove(va);
    return { ok: true };
  }

  /** `obtainVmBo` + `drm_gpuvm_bo_extobj_add()`; the driver keeps the reference. */
  private boGet(bo: BoId): Observation {
    const entry = this.run().objects.get(bo);
    const vmBo = this.obtainVmBo(entry.obj);
    entry.held.push(vmBo);
    vmBo.extobjAdd();
    return { ok: true };
  }

  /** Drops the newest reference `bo_get` took (`drm_gpuvm_bo_put()`); ENOENT if the driver holds none. */
  private boPut(bo: BoId): Observation {
    const entry = this.run().objects.get(bo);
    const vmBo = entry.held.pop();
    if (vmBo === undefined) return { ok: false, error: 'ENOENT' };
    vmBo.put();
    return { ok: true };
  }

  /**
   * Drops the newest reference `bo_get` took with `drm_gpuvm_bo_put_deferred()`:
   * ENOENT if the driver holds none; EINVAL (and the reference still held) in
   * a VM that is not immediate.
   */
  private boPutDeferred(bo: BoId): Observation {
    const entry = this.run().objects.get(bo);
    const vmBo = entry.held[entry.held.length - 1];
    if (vmBo === undefined) return { ok: false, error: 'ENOENT' };
    vmBo.putDeferred();
    entry.held.pop();
    return { ok: true };
  }

  /**
   * `drm_gpuvm_exec_lock()`'s `drm_gpuvm_prepare_objects()` (which, in a
   * resv-protected VM, puts evicted external objects on the evict list), then
   * `drm_gpuvm_validate()` with a callback that un-evicts each vm_bo; reports
   * the objects in call order.
   */
  private validate(): Observation {
    const { vm, objects } = this.run();
    const validated: BoId[] = [];
    vm.prepareObjects();
    vm.validate((vmBo) => {
      validated.push(boIdOf(vmBo, objects));
      vmBo.evict(false);
    });
    return { ok: true, validated };
  }

  // -------------------------------------------------------------------------
  // Helpers

  /**
   * The mode of a map / unmap request. `allocFailAt` belongs to ops mode and
   * `defer` to steps mode (the codec already rejects the other combinations; a
   * hand-built command throws).
   */
  private viaOf(cmd: MapCommand | UnmapCommand): Via {
    const via = cmd.via ?? 'ops';
    if (via === 'steps' && cmd.allocFailAt !== undefined) throw new Error('driver: allocFailAt applies to ops mode only (via "ops")');
    if (via === 'ops' && cmd.defer === true) throw new Error('driver: defer applies to steps mode only (via "steps")');
    return via;
  }

  /** The manager's map request for a map command. */
  private mapReq(cmd: MapCommand): MapReq {
    return { addr: cmd.addr, range: cmd.range, obj: this.run().objects.resolve(cmd.bo), offset: cmd.offset };
  }

  private run(): Run {
    if (this.current === null) throw new Error(`${this.name}: exec / snapshot before reset`);
    return this.current;
  }

  private foundVa(va: GpuVa | null): Observation {
    return { ok: true, va: va === null ? null : vaRecord(va, this.run().records) };
  }

  private recordAll(ops: readonly GpuVaOp[]): OpRecord[] {
    const records = this.run().records;
    return ops.map((op) => opRecord(op, records));
  }

  /** Puts every reference a command took, newest first. */
  private putAll(refs: GpuVmBo[]): void {
    while (refs.length > 0) (refs.pop() as GpuVmBo).put();
  }

  /** Ops mode allocates a VA whenever an op needs one. */
  private allocatingSource(): VaSource {
    const meter = this.meter;
    return {
      take(): GpuVa {
        meter.countVa();
        return new GpuVa();
      },
    };
  }

  /**
   * Steps mode allocates up front. A step that needs more VAs than were
   * preallocated would crash a kernel driver; here it gets a fresh VA and the
   * accounting (vasNeeded > vasPreallocated) lets `va-budget` report it.
   */
  private preallocatedSource(n: number): VaSource {
    const meter = this.meter;
    meter.preallocated(n);
    const pool: GpuVa[] = [];
    for (let i = 0; i < n; i++) pool.push(new GpuVa());
    return {
      take(): GpuVa {
        meter.countVa();
        return pool.pop() ?? new GpuVa();
      },
    };
  }
}

/** Records the steps of one callback walk and injects the failure at step `failAt`. */
class StepRecorder {
  readonly records: OpRecord[] = [];
  /** The error thrown at step `failAt`, recognised by identity when it comes back out of the walk. */
  private injected: GpuVmError | null = null;

  constructor(
    private readonly ctx: RecordContext,
    private readonly failAt: number | undefined,
  ) {}

  /** Records the step, throws the injected EIO if it is step `failAt`, else applies it. */
  call(op: GpuVaOp, apply: () => void): void {
    this.records.push(opRecord(op, this.ctx));
    if (this.records.length === this.failAt) {
      this.injected = new GpuVmError('EIO', `driver: injected failure at step ${this.failAt}`);
      throw this.injected;
    }
    apply();
  }

  isInjected(err: unknown): boolean {
    return this.injected !== null && err === this.injected;
  }
}

/** The manager's flag bits for a trace header's flags. */
function vmFlagBits(flags: VmFlags | undefined): number {
  return (flags?.immediate === true ? GPUVM_IMMEDIATE_MODE : 0) | (flags?.resvProtected === true ? GPUVM_RESV_PROTECTED : 0);
}
