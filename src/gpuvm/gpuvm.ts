/**
 * The GPU VA manager (struct drm_gpuvm): one virtual address space.
 *
 * It keeps the VAs in an augmented interval tree, generates split/merge ops
 * for map and unmap requests, applies them with the map / remap / unmap
 * helpers, and tracks vm_bos with their extobj and evict lists.
 *
 * Every public input is validated: u64 values must be bigints in [0, 2^64)
 * (`EINVAL` naming the argument otherwise), and a rejected call changes
 * nothing. Behaviour follows SEMANTICS.md sections 1-4; the places where it
 * deliberately differs from upstream drm_gpuvm are marked [differs].
 *
 * The VM flags (`flags.ts`) select the modes of 7.x drm_gpuvm: immediate mode
 * (vm_bos only through prealloc; deferred puts that leave zombies for
 * `boDeferredCleanup`) and resv-protected lists (external objects evicted
 * through `prepareObjects`; zombies stay on the lists until cleanup).
 *
 * Extension points for test doubles: `createVaTree`, `createSplitMerge`,
 * `createVmBo`, `createVmBoLists` (protected factories), and the overridable
 * `rangeValid`, `findPrev`, `findNext`, `remove`.
 */
import { GpuVmError, UseAfterFreeError } from './errors.ts';
import { hasImmediateMode, hasResvProtected } from './flags.ts';
import { GemObject } from './gem.ts';
import { IntervalTree } from './interval-tree.ts';
import type { GpuVaOp, GpuVmOps, MapReq, OpMap, OpRemap, OpUnmap, SmStepCtx } from './ops.ts';
import { SplitMerge } from './split-merge.ts';
import {
  checkMapReq,
  checkRange,
  checkPrefetchRange,
  checkSteps,
  checkUnmapRange,
  rangeProblem,
  step,
  type RangeValidFn,
  type VmBounds,
} from './request-checks.ts';
import { U64_LIMIT, assertU64, clippedEnd, describe, hex, span } from './u64.ts';
import { GpuVa, checkFlags } from './va.ts';
import { GpuVmBo } from './vm-bo.ts';
import { VmBoLists } from './vm-bo-lists.ts';

/** How to set up a VM (the arguments of drm_gpuvm_init()). */
export interface GpuVmConfig {
  name?: string;
  /** First address of the managed space. */
  start: bigint;
  /** Size of the managed space; start + range <= 2^64. */
  range: bigint;
  /** Kernel reserved node start (default 0n). */
  reserveOffset?: bigint;
  /** Kernel reserved node size; 0n (default) means no reserved node. */
  reserveRange?: bigint;
  /** VM flags: GPUVM_RESV_PROTECTED, GPUVM_IMMEDIATE_MODE, driver bits from GPUVM_USERBITS on (default 0). */
  flags?: number;
  /** Op allocation hooks for the ops lists. */
  ops?: GpuVmOps;
  /** The VM's own reservation identity; a fresh one when omitted. */
  resv?: object;
}

/** One GPU virtual address space (struct drm_gpuvm). See the module comment. */
export class GpuVm {
  readonly name: string;
  readonly start: bigint;
  readonly range: bigint;
  readonly flags: number;
  readonly resv: object;
  /** The op allocation hooks (may be undefined). */
  readonly ops: GpuVmOps | undefined;

  /** @internal The VM's extobj, evict and deferred lists and its live vm_bos. */
  readonly _lists: VmBoLists;

  protected readonly tree: IntervalTree<GpuVa>;
  protected readonly splitMerge: SplitMerge;
  private readonly kernel: GpuVa | null;
  /** What the request checks read: the VM's span and the kernel node's. */
  private readonly bounds: VmBounds;
  /** `rangeValid` as a function, so the checks use a variant's override. */
  private readonly valid: RangeValidFn = (addr, range) => this.rangeValid(addr, range);
  private destroyed = false;

  /**
   * Create a VM managing [start, start + range), with a kernel reserved node
   * [reserveOffset, reserveOffset + reserveRange) when reserveRange > 0.
   * Errors (`EINVAL`): a value that is not a u64 bigint; start + range > 2^64
   * ([differs]: upstream only warns); a reserved node not inside the VM; bad
   * flags, name, resv or ops hooks.
   *
   * Corresponds to drm_gpuvm_init().
   */
  constructor(cfg: GpuVmConfig) {
    if (typeof cfg !== 'object' || cfg === null) throw new GpuVmError('EINVAL', 'GpuVm: cfg must be an object');
    assertU64('GpuVm', 'start', cfg.start);
    assertU64('GpuVm', 'range', cfg.range);
    const reserveOffset = cfg.reserveOffset ?? 0n;
    const reserveRange = cfg.reserveRange ?? 0n;
    assertU64('GpuVm', 'reserveOffset', reserveOffset);
    assertU64('GpuVm', 'reserveRange', reserveRange);
    const vmEnd = cfg.start + cfg.range;
    if (vmEnd > U64_LIMIT) {
      throw new GpuVmError('EINVAL', `GpuVm: start ${hex(cfg.start)} + range ${hex(cfg.range)} overflows 2^64`);
    }
    if (reserveRange > 0n && (reserveOffset < cfg.start || reserveOffset + reserveRange > vmEnd)) {
      throw new GpuVmError(
        'EINVAL',
        `GpuVm: the reserved node ${span(reserveOffset, reserveOffset + reserveRange)} is not inside the VM ${span(cfg.start, vmEnd)}`,
      );
    }
    if (cfg.name !== undefined && typeof cfg.name !== 'string') {
      throw new GpuVmError('EINVAL', `GpuVm: name must be a string, got ${describe(cfg.name)}`);
    }
    checkFlags('GpuVm', cfg.flags ?? 0);
    if (cfg.resv !== undefined && (typeof cfg.resv !== 'object' || cfg.resv === null)) {
      throw new GpuVmError('EINVAL', 'GpuVm: resv must be an object');
    }
    const ops = cfg.ops;
    if (ops !== undefined) {
      if (typeof ops !== 'object' || ops === null) throw new GpuVmError('EINVAL', 'GpuVm: ops must be an object');
      if (ops.opAlloc !== undefined && typeof ops.opAlloc !== 'function') {
        throw new GpuVmError('EINVAL', 'GpuVm: ops.opAlloc must be a function');
      }
      if (ops.opFree !== undefined && typeof ops.opFree !== 'function') {
        throw new GpuVmError('EINVAL', 'GpuVm: ops.opFree must be a function');
      }
    }
    this.name = cfg.name ?? 'unknown';
    this.start = cfg.start;
    this.range = cfg.range;
    this.flags = cfg.flags ?? 0;
    this.resv = cfg.resv ?? {};
    this.ops = ops;
    this._lists = this.createVmBoLists(hasResvProtected(this.flags));
    this.tree = this.createVaTree();
    this.splitMerge = this.createSplitMerge();
    if (reserveRange > 0n) {
      const k = new GpuVa({ addr: reserveOffset, range: reserveRange });
      this.attach(k);
      this.kernel = k;
    } else {
      this.kernel = null;
    }
    this.bounds = { start: cfg.start, end: vmEnd, kernel: this.kernel === null ? null : { addr: reserveOffset, end: reserveOffset + reserveRange } };
  }

  // -------------------------------------------------------------------------
  // Extension points

  /** The VA tree (protected factory: a test double may return a broken subclass). */
  protected createVaTree(): IntervalTree<GpuVa> {
    return new IntervalTree<GpuVa>();
  }

  /** The split/merge core (protected factory: a fault variant overrides one of its methods). */
  protected createSplitMerge(): SplitMerge {
    return new SplitMerge(this.tree);
  }

  /** A new vm_bo for `obj` (protected factory: a test double may subclass GpuVmBo). */
  protected createVmBo(obj: GemObject): GpuVmBo {
    return new GpuVmBo(this, obj);
  }

  /** The vm_bo lists (protected factory: a fault variant overrides one rule of VmBoLists). */
  protected createVmBoLists(resvProtected: boolean): VmBoLists {
    return new VmBoLists(resvProtected);
  }

  // -------------------------------------------------------------------------
  // The VM

  /** The kernel reserved node, or null when the VM has none. Corresponds to drm_gpuvm.kernel_alloc_node. */
  get kernelNode(): GpuVa | null {
    return this.kernel;
  }

  /** Whether the VM is in immediate mode (GPUVM_IMMEDIATE_MODE). Corresponds to drm_gpuvm_immediate_mode(). */
  get immediateMode(): boolean {
    return hasImmediateMode(this.flags);
  }

  /** Whether the VM's lists are resv-protected (GPUVM_RESV_PROTECTED). Corresponds to drm_gpuvm_resv_protected(). */
  get resvProtected(): boolean {
    return this._lists.resvProtected;
  }

  /** @internal Every live vm_bo of this VM (neither a zombie nor freed). */
  get _liveVmBos(): Set<GpuVmBo> {
    return this._lists.live;
  }

  /**
   * Whether [addr, addr + range) may hold a VA: range >= 1 ([differs]: upstream
   * accepts 0), addr + range <= 2^64, inside the VM, and not overlapping the
   * kernel reserved node. `EINVAL` if an argument is not a u64 bigint.
   *
   * Corresponds to drm_gpuvm_range_valid().
   */
  rangeValid(addr: bigint, range: bigint): boolean {
    assertU64('rangeValid', 'addr', addr);
    assertU64('rangeValid', 'range', range);
    return rangeProblem(this.bounds, addr, range) === null;
  }

  /**
   * Tear the VM down. `EBUSY` while any VA other than the kernel node, any
   * vm_bo, or any zombie awaiting cleanup remains; `EINVAL` if already
   * destroyed. Afterwards the VM refuses every mutation.
   *
   * Corresponds to drm_gpuvm_put() dropping the last reference (drm_gpuvm_fini()).
   */
  destroy(): void {
    this.assertAlive('destroy');
    const own = this.kernel !== null ? 1 : 0;
    if (this.tree.size > own) {
      throw new GpuVmError('EBUSY', `destroy: ${this.tree.size - own} VA(s) are still mapped`);
    }
    if (this._liveVmBos.size > 0) {
      throw new GpuVmError('EBUSY', `destroy: ${this._liveVmBos.size} vm_bo(s) are still alive`);
    }
    const zombies = this._lists.zombies().length;
    if (zombies > 0) throw new GpuVmError('EBUSY', `destroy: ${zombies} zombie vm_bo(s) await boDeferredCleanup`);
    if (this.kernel !== null) this.detach(this.kernel);
    this.destroyed = true;
  }

  // -------------------------------------------------------------------------
  // VA tree

  /**
   * Insert a detached VA. Errors: `EINVAL` if its range is not `rangeValid`,
   * its object side overflows (offset + range > 2^64) or it belongs to another
   * VM; `EEXIST` if it overlaps any VA (the kernel node included) or is already
   * in this VM. Nothing changes on error.
   *
   * Corresponds to drm_gpuva_insert().
   */
  insert(va: GpuVa): void {
    this.assertAlive('insert');
    if (!(va instanceof GpuVa)) throw new GpuVmError('EINVAL', `insert: va must be a GpuVa, got ${describe(va)}`);
    if (va._vm === this) throw new GpuVmError('EEXIST', `insert: the VA ${span(va.addr, va.end)} is already in this VM`);
    if (va._vm !== null) throw new GpuVmError('EINVAL', 'insert: the VA belongs to another VM');
    const addr = va.addr;
    const range = va.range;
    checkRange('insert', this.bounds, this.valid, addr, range);
    if (va.offset + range > U64_LIMIT) {
      // [differs]: upstream does not check the object side; without it a later
      // split of this VA would compute a piece offset that is not a u64.
      throw new GpuVmError('EINVAL', `insert: offset ${hex(va.offset)} + range ${hex(range)} overflows 2^64`);
    }
    const node = this.tree.createNode(addr, va.end, va);
    const hit = this.tree.insertDisjoint(node);
    if (hit !== null) {
      throw new GpuVmError(
        'EEXIST',
        `insert: ${span(addr, va.end)} overlaps the existing VA ${span(hit.start, hit.end)}`,
      );
    }
    va._node = node;
    va._vm = this;
  }

  /**
   * Remove a VA from this VM. Errors: `EINVAL` for the kernel reserved node or
   * a VA not in this VM. Nothing changes on error.
   *
   * Corresponds to drm_gpuva_remove().
   */
  remove(va: GpuVa): void {
    if (!(va instanceof GpuVa)) throw new GpuVmError('EINVAL', `remove: va must be a GpuVa, got ${describe(va)}`);
    if (va === this.kernel) throw new GpuVmError('EINVAL', "remove: can't remove the kernel reserved node");
    if (va._vm !== this) throw new GpuVmError('EINVAL', `remove: the VA ${span(va.addr, va.end)} is not in this VM`);
    this.detach(va);
  }

  /**
   * The VA exactly covering [addr, addr + range), or null. Never throws on the
   * values (the query is clipped at 2^64; range 0 finds nothing); `EINVAL` only
   * for a non-u64 argument.
   *
   * Corresponds to drm_gpuva_find().
   */
  find(addr: bigint, range: bigint): GpuVa | null {
    assertU64('find', 'addr', addr);
    assertU64('find', 'range', range);
    const end = clippedEnd(addr, range);
    const n = this.tree.findFirst(addr, end);
    return n !== null && n.start === addr && n.end === addr + range ? n.item : null;
  }

  /**
   * The lowest-address VA overlapping [addr, addr + range), or null (clipped at
   * 2^64; range 0 finds nothing). `EINVAL` only for a non-u64 argument.
   *
   * Corresponds to drm_gpuva_find_first().
   */
  findFirst(addr: bigint, range: bigint): GpuVa | null {
    assertU64('findFirst', 'addr', addr);
    assertU64('findFirst', 'range', range);
    const n = this.tree.findFirst(addr, clippedEnd(addr, range));
    return n !== null ? n.item : null;
  }

  /**
   * The VA ending exactly at `start`, or null ([differs]: upstream's window
   * [start - 1, start] can also return a VA beginning at `start`).
   * `EINVAL` only for a non-u64 argument.
   *
   * Corresponds to drm_gpuva_find_prev().
   */
  findPrev(start: bigint): GpuVa | null {
    assertU64('findPrev', 'start', start);
    if (start === 0n) return null;
    const n = this.tree.findFirst(start - 1n, start);
    return n !== null && n.end === start ? n.item : null;
  }

  /**
   * The VA beginning exactly at `end`, or null ([differs]: upstream's window
   * [end, end + 1] can also return a VA beginning at end + 1).
   * `EINVAL` only for a non-u64 argument.
   *
   * Corresponds to drm_gpuva_find_next().
   */
  findNext(end: bigint): GpuVa | null {
    assertU64('findNext', 'end', end);
    const n = this.tree.findFirst(end, end + 1n);
    return n !== null && n.start === end ? n.item : null;
  }

  /**
   * Whether no VA overlaps [addr, addr + range) (clipped at 2^64; a zero range
   * is empty). `EINVAL` only for a non-u64 argument.
   *
   * Corresponds to drm_gpuvm_interval_empty().
   */
  intervalEmpty(addr: bigint, range: bigint): boolean {
    assertU64('intervalEmpty', 'addr', addr);
    assertU64('intervalEmpty', 'range', range);
    return this.tree.findFirst(addr, clippedEnd(addr, range)) === null;
  }

  /**
   * Every VA (the kernel node included) in ascending address order. Iterates a
   * snapshot, so the VM may be changed while iterating.
   *
   * Corresponds to drm_gpuvm_for_each_va_safe().
   */
  vas(): IterableIterator<GpuVa> {
    return this.tree.toArray()[Symbol.iterator]();
  }

  /**
   * The VAs overlapping [addr, addr + range) in ascending address order
   * (clipped at 2^64; range 0 yields nothing). Iterates a snapshot.
   * `EINVAL` only for a non-u64 argument.
   *
   * Corresponds to drm_gpuvm_for_each_va_range_safe().
   */
  vasInRange(addr: bigint, range: bigint): IterableIterator<GpuVa> {
    assertU64('vasInRange', 'addr', addr);
    assertU64('vasInRange', 'range', range);
    return this.tree.collect(addr, clippedEnd(addr, range))[Symbol.iterator]();
  }

  // -------------------------------------------------------------------------
  // Split / merge

  /**
   * Walk a map request in immediate mode: call `ctx.smStepUnmap` /
   * `ctx.smStepRemap` for each VA the request overlaps (ascending), then
   * `ctx.smStepMap` once, with the ops {@link smMapOpsCreate} would list. The
   * steps may apply each op at once (the walk runs on a snapshot of the
   * overlapping VAs). A throwing step aborts the walk; its error propagates
   * unchanged and nothing is rolled back.
   * Errors (`EINVAL`, nothing called): a missing step callback; a req value
   * that is not u64; a range that is not `rangeValid`; offset + range > 2^64
   * ([differs]: upstream does not check the object side).
   *
   * Corresponds to drm_gpuvm_sm_map().
   */
  smMap(req: MapReq, ctx: SmStepCtx): void {
    this.assertAlive('smMap');
    checkSteps('smMap', ctx, ['smStepMap', 'smStepRemap', 'smStepUnmap']);
    const r = checkMapReq('smMap', this.bounds, this.valid, req);
    this.splitMerge.mapOps(r, (op) => step(ctx, op));
  }

  /**
   * Walk an unmap request in immediate mode: `ctx.smStepRemap` /
   * `ctx.smStepUnmap` per overlapping VA, ascending, keep always false; nothing
   * is called when the range is empty. Abort semantics as {@link smMap}.
   * Errors (`EINVAL`): missing smStepRemap / smStepUnmap; non-u64 arguments;
   * a range that is not `rangeValid`.
   *
   * Corresponds to drm_gpuvm_sm_unmap().
   */
  smUnmap(addr: bigint, range: bigint, ctx: SmStepCtx): void {
    this.assertAlive('smUnmap');
    checkSteps('smUnmap', ctx, ['smStepRemap', 'smStepUnmap']);
    checkUnmapRange('smUnmap', this.bounds, this.valid, addr, range);
    this.splitMerge.unmapOps(addr, range, (op) => step(ctx, op));
  }

  /**
   * The ops list of a map request (SEMANTICS.md section 4): UNMAP / REMAP ops
   * for the overlapped VAs in ascending order, then exactly one MAP. Never
   * changes the VM; calling it twice gives equal lists. Ops go through
   * `ops.opAlloc` when configured.
   * Errors: `EINVAL` as {@link smMap}; `ENOMEM` when an allocation returns null
   * (every op allocated so far is passed to `ops.opFree` first).
   *
   * Corresponds to drm_gpuvm_sm_map_ops_create().
   */
  smMapOpsCreate(req: MapReq): GpuVaOp[] {
    this.assertAlive('smMapOpsCreate');
    const r = checkMapReq('smMapOpsCreate', this.bounds, this.valid, req);
    const sm = this.splitMerge;
    return sm.buildList((emit) => sm.mapOps(r, emit), this.ops, 'smMapOpsCreate');
  }

  /**
   * The ops list of an unmap request: one REMAP / UNMAP (keep false) per VA
   * overlapping the range, ascending; empty when nothing overlaps. Pure.
   * Errors: `EINVAL` for non-u64 arguments or a range that is not
   * `rangeValid`; `ENOMEM` as {@link smMapOpsCreate}.
   *
   * Corresponds to drm_gpuvm_sm_unmap_ops_create().
   */
  smUnmapOpsCreate(addr: bigint, range: bigint): GpuVaOp[] {
    this.assertAlive('smUnmapOpsCreate');
    checkUnmapRange('smUnmapOpsCreate', this.bounds, this.valid, addr, range);
    const sm = this.splitMerge;
    return sm.buildList((emit) => sm.unmapOps(addr, range, emit), this.ops, 'smUnmapOpsCreate');
  }

  /**
   * The ops list of a madvise request (split only): for each VA without an
   * object that an edge of the request cuts (it begins before `req.addr` or
   * ends after its end), in ascending order, a REMAP keeping the part outside
   * the request followed by a MAP of the part inside it (NULL, offset 0).
   * VAs with an object, and VAs the request covers whole, are left alone: no
   * UNMAP ever, at most two REMAPs and two MAPs, and an empty list when the
   * request's edges already are VA boundaries. Applying it changes no
   * address's translation. Pure; ops go through `ops.opAlloc` when configured.
   * Errors: `EINVAL` as {@link smMap} (the request's object and offset are
   * checked as for a map, though the pieces do not use them); `ENOMEM` as
   * {@link smMapOpsCreate}.
   *
   * Corresponds to drm_gpuvm_madvise_ops_create() ([differs]: where the piece
   * inside the request is the whole request, upstream emits the request
   * itself, with its object and offset; see README).
   */
  madviseOpsCreate(req: MapReq): GpuVaOp[] {
    const fn = 'madviseOpsCreate';
    this.assertAlive(fn);
    const r = checkMapReq(fn, this.bounds, this.valid, req);
    const sm = this.splitMerge;
    return sm.buildList((emit) => sm.madviseOps(r, emit), this.ops, fn);
  }

  /**
   * One PREFETCH per VA overlapping [addr, addr + range), the kernel node
   * included. Pure. Errors: `EINVAL` for non-u64 arguments or a zero,
   * overflowing or out-of-VM range ([differs]: upstream does not validate);
   * `ENOMEM` as {@link smMapOpsCreate}.
   *
   * Corresponds to drm_gpuvm_prefetch_ops_create().
   */
  prefetchOpsCreate(addr: bigint, range: bigint): GpuVaOp[] {
    const fn = 'prefetchOpsCreate';
    this.assertAlive(fn);
    checkPrefetchRange(fn, this.bounds, addr, range);
    const sm = this.splitMerge;
    return sm.buildList((emit) => sm.prefetchOps(addr, range, emit), this.ops, fn);
  }

  /**
   * One UNMAP (keep false) per VA linked to `vmBo`, ascending by address. Pure.
   * Errors: `EINVAL` if `vmBo` is not a vm_bo of this VM; `UseAfterFreeError`
   * for a destroyed one; `ENOMEM` as {@link smMapOpsCreate}.
   *
   * Corresponds to drm_gpuvm_bo_unmap_ops_create().
   */
  boUnmapOpsCreate(vmBo: GpuVmBo): GpuVaOp[] {
    const fn = 'boUnmapOpsCreate';
    this.assertAlive(fn);
    this.checkVmBo(fn, vmBo);
    const vas = vmBo.vas();
    const sm = this.splitMerge;
    return sm.buildList((emit) => sm.vaUnmapOps(vas, emit), this.ops, fn);
  }

  /**
   * Free an ops list: every op goes to `ops.opFree` when configured.
   * `EINVAL` if `ops` is not an array.
   *
   * Corresponds to drm_gpuva_ops_free().
   */
  opsFree(ops: readonly GpuVaOp[]): void {
    if (!Array.isArray(ops)) throw new GpuVmError('EINVAL', `opsFree: ops must be an array, got ${describe(ops)}`);
    this.splitMerge.freeList(ops, this.ops);
  }

  // -------------------------------------------------------------------------
  // Applying ops

  /**
   * Initialise `va` from a MAP op and insert it. Throws the insert error
   * (`EINVAL` / `EEXIST`) instead of dropping it ([differs]: upstream ignores
   * it); on error `va` keeps its previous fields and the VM is unchanged.
   * `EINVAL` also if `op` is not a MAP op or `va` is in a VM or linked.
   *
   * Corresponds to drm_gpuva_map().
   */
  map(va: GpuVa, op: OpMap): void {
    this.assertAlive('map');
    if (!(va instanceof GpuVa)) throw new GpuVmError('EINVAL', `map: va must be a GpuVa, got ${describe(va)}`);
    if (typeof op !== 'object' || op === null || op.kind !== 'map') {
      throw new GpuVmError('EINVAL', 'map: op must be a MAP op');
    }
    this.initAndInsert('map', va, op);
  }

  /**
   * Apply a REMAP op: remove the old VA, then initialise and insert `prev` and
   * `next` for the halves the op has (a given VA is ignored when the op has no
   * such half). On any error nothing changes (the halves are taken out again
   * and the old VA is re-inserted) and the error is thrown ([differs]:
   * upstream drops insert errors).
   * Errors (`EINVAL`): op is not a REMAP; a half exists but its VA is null,
   * shared with the other half, or already in a VM; the old VA is the kernel
   * node or not in this VM. `EEXIST` from an insert.
   *
   * Corresponds to drm_gpuva_remap().
   */
  remap(prev: GpuVa | null, next: GpuVa | null, op: OpRemap): void {
    this.assertAlive('remap');
    if (typeof op !== 'object' || op === null || op.kind !== 'remap') {
      throw new GpuVmError('EINVAL', 'remap: op must be a REMAP op');
    }
    const usePrev = op.prev !== null ? this.checkHalf('prev', prev) : null;
    const useNext = op.next !== null ? this.checkHalf('next', next) : null;
    if (usePrev !== null && usePrev === useNext) {
      throw new GpuVmError('EINVAL', 'remap: prev and next must be different VAs');
    }
    const old = op.unmap.va;
    this.remove(old);
    let insertedPrev: MapReq | null = null;
    try {
      if (usePrev !== null && op.prev !== null) {
        const { addr, range, obj, offset } = usePrev;
        this.initAndInsert('remap', usePrev, op.prev);
        insertedPrev = { addr, range, obj, offset };
      }
      if (useNext !== null && op.next !== null) this.initAndInsert('remap', useNext, op.next);
    } catch (err) {
      if (insertedPrev !== null && usePrev !== null) {
        this.detach(usePrev);
        usePrev.initFromOp(insertedPrev);
      }
      this.attach(old);
      throw err;
    }
  }

  /**
   * Apply an UNMAP op: remove its VA. Errors: `EINVAL` if op is not an UNMAP,
   * or as {@link remove}.
   *
   * Corresponds to drm_gpuva_unmap().
   */
  unmap(op: OpUnmap): void {
    if (typeof op !== 'object' || op === null || op.kind !== 'unmap') {
      throw new GpuVmError('EINVAL', 'unmap: op must be an UNMAP op');
    }
    this.remove(op.va);
  }

  // -------------------------------------------------------------------------
  // vm_bo

  /**
   * A new vm_bo for (this VM, obj) with one reference, taking a reference on
   * `obj`. It is not added to the object's list (use {@link boObtainPrealloc}
   * for that). `EINVAL` if `obj` is not a GemObject.
   *
   * Corresponds to drm_gpuvm_bo_create().
   */
  boCreate(obj: GemObject): GpuVmBo {
    this.assertAlive('boCreate');
    this.checkObj('boCreate', obj);
    const vmBo = this.createVmBo(obj);
    this._liveVmBos.add(vmBo);
    return vmBo;
  }

  /**
   * The vm_bo of (this VM, obj) with one more reference, created (and added to
   * the object's list) when there is none. `EINVAL` if `obj` is not a
   * GemObject, or in an immediate-mode VM ([differs]: upstream WARNs).
   *
   * Corresponds to drm_gpuvm_bo_obtain() (drm_gpuvm_bo_obtain_locked() since 7.0).
   */
  boObtain(obj: GemObject): GpuVmBo {
    this.assertAlive('boObtain');
    this.checkObj('boObtain', obj);
    if (this.immediateMode) {
      // [differs]: upstream WARNs (obtaining allocates, which the fence-signalling path must not).
      throw new GpuVmError('EINVAL', 'boObtain: an immediate-mode VM obtains vm_bos with boCreate + boObtainPrealloc');
    }
    const found = this.lookupVmBo(obj);
    if (found !== null) return found.get();
    const vmBo = this.boCreate(obj);
    obj._vmBoList.push(vmBo);
    return vmBo;
  }

  /**
   * Install a preallocated vm_bo (from {@link boCreate}): if (this VM, pre.obj)
   * already has a vm_bo, drop `pre` (put) and return the existing one with one
   * more reference; else add `pre` to its object's list and return it.
   * Errors: `EINVAL` in a VM that is not in immediate mode ([differs]: upstream
   * WARNs), if `pre` is not a vm_bo of this VM, or is already on its object's
   * list, linked to VAs, or on the extobj / evict list; `UseAfterFreeError` if
   * it was destroyed.
   *
   * Corresponds to drm_gpuvm_bo_obtain_prealloc().
   */
  boObtainPrealloc(pre: GpuVmBo): GpuVmBo {
    const fn = 'boObtainPrealloc';
    this.assertAlive(fn);
    this.checkVmBo(fn, pre);
    if (!this.immediateMode) throw new GpuVmError('EINVAL', `${fn}: the VM is not in immediate mode (use boObtain)`);
    if (pre.obj._vmBoList.includes(pre)) throw new GpuVmError('EINVAL', `${fn}: pre is already on its object's list`);
    if (pre._vaSet.size > 0) throw new GpuVmError('EINVAL', `${fn}: pre is already linked to VAs`);
    if (this._lists.extobj.has(pre) || this._lists.evict.has(pre)) {
      throw new GpuVmError('EINVAL', `${fn}: pre is already on the VM's extobj or evict list`);
    }
    const found = this.lookupVmBo(pre.obj);
    if (found !== null) {
      pre.put();
      return found.get();
    }
    pre.obj._vmBoList.push(pre);
    return pre;
  }

  /**
   * The vm_bo of (this VM, obj) with one more reference, or null.
   * `EINVAL` if `obj` is not a GemObject.
   *
   * Corresponds to drm_gpuvm_bo_find().
   */
  boFind(obj: GemObject): GpuVmBo | null {
    this.checkObj('boFind', obj);
    const found = this.lookupVmBo(obj);
    return found !== null ? found.get() : null;
  }

  /**
   * The extobj list, in insertion order (a copy; in a resv-protected VM it
   * may hold zombies). Corresponds to the drm_gpuvm extobj list.
   */
  extobjList(): readonly GpuVmBo[] {
    return [...this._lists.extobj];
  }

  /**
   * The evict list, in insertion order (a copy; in a resv-protected VM it may
   * hold zombies). Corresponds to the drm_gpuvm evict list.
   */
  evictList(): readonly GpuVmBo[] {
    return [...this._lists.evict];
  }

  /** The zombie vm_bos awaiting cleanup, newest first (a copy). Corresponds to the drm_gpuvm bo_defer list. */
  deferredList(): readonly GpuVmBo[] {
    return this._lists.zombies();
  }

  /**
   * The live vm_bos of the extobj list, in list order: the external objects
   * a driver locks before validating. In a resv-protected VM every evicted one
   * is appended to the evict list (once), which is how validate reaches
   * evicted external objects there. Zombies are skipped.
   *
   * Corresponds to drm_gpuvm_prepare_objects() (the locking itself is not modelled).
   */
  prepareObjects(): readonly GpuVmBo[] {
    this.assertAlive('prepareObjects');
    return this._lists.prepare();
  }

  /**
   * Call `fn(vmBo)` for each vm_bo on the evict list, in list order, over a
   * copy taken at the start (`fn` may take entries off the list; an entry that
   * left the list before its turn is skipped, and so is every zombie). In a
   * resv-protected VM an entry no longer evicted after `fn` leaves the list.
   * Stops at the first error and rethrows it. `EINVAL` if `fn` is not a function.
   *
   * Corresponds to drm_gpuvm_validate().
   */
  validate(fn: (vmBo: GpuVmBo) => void): void {
    if (typeof fn !== 'function') throw new GpuVmError('EINVAL', 'validate: fn must be a function');
    this._lists.validate(fn);
  }

  /**
   * Free every zombie vm_bo: take the deferred list whole, take the zombies
   * off the extobj / evict lists (resv-protected VM), then drop each one's
   * object reference. Returns how many were freed (0: nothing to do).
   *
   * Corresponds to drm_gpuvm_bo_deferred_cleanup().
   */
  boDeferredCleanup(): number {
    this.assertAlive('boDeferredCleanup');
    const zombies = this._lists.takeDeferred();
    for (const zombie of zombies) zombie._free();
    return zombies.length;
  }

  // -------------------------------------------------------------------------
  // Internals

  private attach(va: GpuVa): void {
    const node = this.tree.createNode(va.addr, va.end, va);
    this.tree.insert(node);
    va._node = node;
    va._vm = this;
  }

  /** Take a VA out of the tree (no checks; `remove` checks first). Protected for test doubles. */
  protected detach(va: GpuVa): void {
    const node = va._node;
    if (node !== null) {
      this.tree.remove(node);
      // Nothing else references the node: the tree may reuse it for a later insert.
      this.tree.recycleNode(node);
    }
    va._node = null;
    va._vm = null;
  }

  /** initFromOp + insert; on an insert error `va` gets its old fields back. */
  private initAndInsert(fn: string, va: GpuVa, piece: MapReq): void {
    if (va._vm !== null) throw new GpuVmError('EINVAL', `${fn}: the new VA is already in a VM`);
    const { addr, range, obj, offset } = va;
    va.initFromOp(piece);
    try {
      this.insert(va);
    } catch (err) {
      va.initFromOp({ addr, range, obj, offset });
      throw err;
    }
  }

  private checkHalf(which: 'prev' | 'next', va: GpuVa | null): GpuVa {
    if (!(va instanceof GpuVa)) {
      throw new GpuVmError('EINVAL', `remap: the op has a ${which} piece, so ${which} must be a GpuVa, got ${describe(va)}`);
    }
    if (va._vm !== null) throw new GpuVmError('EINVAL', `remap: ${which} is already in a VM`);
    if (va._vmBo !== null) throw new GpuVmError('EINVAL', `remap: ${which} is still linked to a vm_bo`);
    return va;
  }

  private checkObj(fn: string, obj: GemObject): void {
    if (!(obj instanceof GemObject)) throw new GpuVmError('EINVAL', `${fn}: obj must be a GemObject, got ${describe(obj)}`);
    if (obj.refcount === 0) throw new UseAfterFreeError(`${fn}: the object was freed (use after free)`);
  }

  private checkVmBo(fn: string, vmBo: GpuVmBo): void {
    if (!(vmBo instanceof GpuVmBo)) throw new GpuVmError('EINVAL', `${fn}: expected a GpuVmBo, got ${describe(vmBo)}`);
    if (vmBo.destroyed) throw new UseAfterFreeError(`${fn}: the vm_bo was destroyed (use after free)`);
    if (vmBo.vm !== this) throw new GpuVmError('EINVAL', `${fn}: the vm_bo belongs to another VM`);
  }

  private lookupVmBo(obj: GemObject): GpuVmBo | null {
    const list = obj._vmBoList;
    for (let i = 0; i < list.length; i++) {
      const vmBo = list[i] as GpuVmBo;
      if (vmBo.vm === this && !vmBo.destroyed) return vmBo;
    }
    return null;
  }

  private assertAlive(fn: string): void {
    if (this.destroyed) throw new GpuVmError('EINVAL', `${fn}: the VM was destroyed`);
  }
}
