/**
 * `builtin:model`: the reference model, the harness's oracle.
 *
 * A Subject that answers every command of PROTOCOL.md section 3 from the
 * contract alone (SEMANTICS.md sections 2-5 and the brief's "Observations",
 * and for the VM modes, madvise and deferred cleanup the 7.x kernel-doc of
 * drm_gpuvm): a sorted array of VA records, the book-keeping of objects /
 * vm_bos / zombies / lists by net effect, and the split/merge rules of
 * section 4 applied VA by VA. It shares no code with `src/gpuvm` and imports
 * only `src/protocol`.
 */

import {
  U64_LIMIT,
  type BoUnmapCommand,
  type Command,
  type InsertCommand,
  type MadviseCommand,
  type MapCommand,
  type Observation,
  type OpRecord,
  type Snapshot,
  type Subject,
  type SubjectFactory,
  type TraceHeader,
  type UnmapCommand,
  type VaRecord,
} from '../src/protocol/index.ts';
import { Books, type Modes } from './bookkeeping.ts';
import { applyMadvise, applyPlanPrefix, planMadvise, planMap, planUnmap, type OpsPlan } from './split-merge.ts';
import {
  clippedEnd,
  intervalsOverlap,
  makeKernelVa,
  makeVa,
  overlapping,
  vaEnd,
  withInserted,
  type VaList,
} from './va-list.ts';

const EINVAL: Observation = Object.freeze({ ok: false, error: 'EINVAL' });
const OK: Observation = Object.freeze({ ok: true });

/** The VM's fixed geometry: [start, end) and the kernel reserved node, if any. */
interface Geometry {
  readonly start: bigint;
  readonly end: bigint;
  readonly kernel: VaRecord | null;
}

/** The reference model of a VM under the harness's driver. */
export class ReferenceModel implements Subject {
  readonly name = 'builtin:model';

  private geometry: Geometry = { start: 0n, end: 0n, kernel: null };
  /** All VAs, kernel node included, ascending by address. Replaced, never mutated. */
  private vas: VaList = [];
  private modes: Modes = { immediate: false, resvProtected: false };
  private books = new Books([], this.modes);

  /**
   * Sets up a fresh VM and the trace's objects. Throws for a VM reaching past
   * 2^64, a reserved node outside the VM, or a duplicate object id (the codec
   * rejects those traces first).
   */
  reset(header: TraceHeader): void {
    const { start, range, reserve } = header.vm;
    const end = start + range;
    if (start < 0n || range < 0n || end > U64_LIMIT) {
      throw new Error(`builtin:model: the VM [${start}, +${range}) does not fit below 2^64 (EINVAL)`);
    }
    let kernel: VaRecord | null = null;
    if (reserve !== undefined && reserve !== null && reserve.range > 0n) {
      if (reserve.addr < start || reserve.addr + reserve.range > end) {
        throw new Error('builtin:model: the reserved node is not inside the VM (EINVAL)');
      }
      kernel = makeKernelVa(reserve.addr, reserve.range);
    }
    this.geometry = { start, end, kernel };
    this.vas = kernel === null ? [] : [kernel];
    this.modes = { immediate: header.flags?.immediate === true, resvProtected: header.flags?.resvProtected === true };
    this.books = new Books(header.objects, this.modes);
  }

  /**
   * The current VAs, ascending, the kernel node included (`kernel: true`). The
   * array is never changed afterwards (the model replaces it), so generators
   * may keep it to anchor addresses.
   */
  currentVas(): readonly VaRecord[] {
    return this.vas;
  }

  /**
   * `rangeValid` of SEMANTICS.md section 2: range >= 1, no overflow, inside
   * the VM, not overlapping the kernel node. Model of drm_gpuvm_range_valid()
   * (which, unlike this, accepts range 0).
   */
  rangeValid(addr: bigint, range: bigint): boolean {
    const end = addr + range;
    if (range < 1n || end > U64_LIMIT) return false;
    if (addr < this.geometry.start || end > this.geometry.end) return false;
    const k = this.geometry.kernel;
    return k === null || !intervalsOverlap(addr, end, k.addr, vaEnd(k));
  }

  /**
   * Runs one command and returns what the harness's driver would observe
   * (the brief's "Observations, exactly"). Validation failures and injected
   * failures are observations, not exceptions; the model throws only for input
   * the codec never produces (an undeclared object, allocFailAt with via steps).
   */
  exec(command: Command): Observation {
    switch (command.cmd) {
      case 'map':
        return this.map(command);
      case 'unmap':
        return this.unmap(command);
      case 'prefetch':
        return this.prefetch(command.addr, command.range);
      case 'bo_unmap':
        return this.boUnmap(command);
      case 'insert':
        return this.insert(command);
      case 'remove':
        return this.remove(command.addr, command.range);
      case 'find':
        return { ok: true, va: this.find(command.addr, command.range) };
      case 'find_first':
        return { ok: true, va: this.findFirst(command.addr, command.range) };
      case 'interval_empty':
        return { ok: true, empty: this.findFirst(command.addr, command.range) === null };
      case 'find_prev':
        return { ok: true, va: this.vas.find((va) => vaEnd(va) === command.start) ?? null };
      case 'find_next':
        return { ok: true, va: this.vas.find((va) => va.addr === command.end) ?? null };
      case 'bo_get':
        this.books.object(command.bo).held++;
        this.settle(false);
        return OK;
      case 'bo_put':
      case 'bo_put_deferred': {
        const deferred = command.cmd === 'bo_put_deferred';
        const o = this.books.object(command.bo);
        if (o.held === 0) return { ok: false, error: 'ENOENT' };
        if (deferred && !this.modes.immediate) return EINVAL;
        o.held--;
        this.settle(deferred);
        return OK;
      }
      case 'evict':
        this.books.evict(command.bo, command.evict);
        return OK;
      case 'validate':
        return { ok: true, validated: this.books.validate() };
      case 'madvise':
        return this.madvise(command);
      case 'deferred_cleanup':
        this.books.cleanup();
        return OK;
    }
  }

  /** The state as PROTOCOL.md section 5 lays it out (fresh arrays; records are frozen). */
  snapshot(): Snapshot {
    const vas = this.vas.filter((va) => va.kernel !== true);
    const k = this.geometry.kernel;
    return {
      vas,
      kernel: k === null ? null : { addr: k.addr, range: k.range },
      vmBos: this.books.vmBoRecords(this.vas),
      objects: this.books.objectRecords(),
      evictList: this.books.evictBos(),
      extobjList: this.books.extobjBos(),
      deferred: this.books.deferredRecords(),
    };
  }

  // -------------------------------------------------------------------------
  // map / unmap

  /** A map; with `defer`, EINVAL first unless the VM is immediate (the driver checks its mode before anything). */
  private map(c: MapCommand): Observation {
    if (c.bo !== null) this.books.object(c.bo);
    if (c.defer === true && !this.modes.immediate) return EINVAL;
    if (!this.rangeValid(c.addr, c.range) || c.offset + c.range > U64_LIMIT) return EINVAL;
    const plan = planMap(this.vas, { addr: c.addr, range: c.range, bo: c.bo, offset: c.offset });
    return this.run(plan, c, c.bo);
  }

  private unmap(c: UnmapCommand): Observation {
    if (c.defer === true && !this.modes.immediate) return EINVAL;
    if (!this.rangeValid(c.addr, c.range)) return EINVAL;
    return this.run(planUnmap(this.vas, c.addr, c.range), c, null);
  }

  /**
   * Carries out a validated map / unmap plan the way the driver does.
   * ops mode: allocFailAt k <= n -> ENOMEM; failAt k <= n -> EIO with the first
   * k ops and the VM as before (the driver unwinds). steps mode: failAt k <= n
   * -> EIO with the first k steps, steps 1..k-1 applied. Otherwise all ops apply.
   * The driver holds a reference on the vm_bo of the object it maps (`holdBo`)
   * from before the first op to the end. With `defer` (steps mode) every
   * reference it drops is dropped deferred, one step at a time, so the zombies
   * queue up in step order and the held vm_bo, if nothing else keeps it, is
   * the last one.
   */
  private run(plan: OpsPlan, c: MapCommand | UnmapCommand, holdBo: number | null): Observation {
    const via = c.via ?? 'ops';
    const n = plan.ops.length;
    const deferred = c.defer === true;
    if (c.allocFailAt !== undefined) {
      if (via === 'steps') throw new Error('builtin:model: allocFailAt is only meaningful with via "ops"');
      if (c.allocFailAt <= n) return { ok: false, error: 'ENOMEM' };
    }
    if (deferred && via !== 'steps') throw new Error('builtin:model: defer is only meaningful with via "steps"');
    const failing = c.failAt !== undefined && c.failAt <= n;
    const applied = !failing ? n : via === 'steps' ? c.failAt! - 1 : 0;
    const held = holdBo === null ? null : this.books.object(holdBo);
    if (held !== null) {
      held.held++;
      this.settle(false);
    }
    const base = this.vas;
    for (let k = deferred ? 1 : applied; k <= applied; k++) {
      this.vas = applyPlanPrefix(base, plan, k);
      this.settle(deferred);
    }
    if (held !== null) {
      held.held--;
      this.settle(deferred);
    }
    if (failing) return { ok: false, error: 'EIO', ops: plan.ops.slice(0, c.failAt) };
    return { ok: true, ops: plan.ops };
  }

  /**
   * A madvise request (an ops list, applied like an ops-mode map): EINVAL as a
   * map; allocFailAt k <= n -> ENOMEM; failAt k <= n -> EIO with the first k
   * ops and nothing changed (unwound); otherwise the split pieces replace the
   * VAs they come from. Nothing is linked: the pieces have no object.
   */
  private madvise(c: MadviseCommand): Observation {
    if (c.bo !== null) this.books.object(c.bo);
    if (!this.rangeValid(c.addr, c.range) || c.offset + c.range > U64_LIMIT) return EINVAL;
    const ops = planMadvise(this.vas, { addr: c.addr, range: c.range, bo: c.bo, offset: c.offset });
    if (c.allocFailAt !== undefined && c.allocFailAt <= ops.length) return { ok: false, error: 'ENOMEM' };
    if (c.failAt !== undefined && c.failAt <= ops.length) return { ok: false, error: 'EIO', ops: ops.slice(0, c.failAt) };
    this.setVas(applyMadvise(this.vas, ops));
    return { ok: true, ops };
  }

  // -------------------------------------------------------------------------
  // other commands

  /** One PREFETCH per VA overlapping the range, kernel node included; EINVAL for a zero, overflowing or out-of-VM range. */
  private prefetch(addr: bigint, range: bigint): Observation {
    const end = addr + range;
    if (range === 0n || end > U64_LIMIT || addr < this.geometry.start || end > this.geometry.end) return EINVAL;
    const ops: OpRecord[] = overlapping(this.vas, addr, end).map((va) => ({ op: 'prefetch', va }));
    return { ok: true, ops };
  }

  /** UNMAP (keep false) every VA of the object, ascending; nothing when it has no vm_bo. */
  private boUnmap(c: BoUnmapCommand): Observation {
    if (this.books.object(c.bo).vmBo === null) return { ok: true, ops: [] };
    const ops: OpRecord[] = this.vas
      .filter((va) => va.bo === c.bo)
      .map((va) => ({ op: 'unmap', va, keep: false }));
    this.setVas(this.vas.filter((va) => va.bo !== c.bo));
    return { ok: true, ops };
  }

  /**
   * Raw insert: EINVAL unless rangeValid and offset + range <= 2^64 (so every
   * piece a later split makes has a u64 offset), EEXIST on overlap.
   */
  private insert(c: InsertCommand): Observation {
    if (c.bo !== null) this.books.object(c.bo);
    if (!this.rangeValid(c.addr, c.range)) return EINVAL;
    if (c.offset + c.range > U64_LIMIT) return EINVAL;
    if (overlapping(this.vas, c.addr, c.addr + c.range).length > 0) return { ok: false, error: 'EEXIST' };
    this.setVas(withInserted(this.vas, makeVa(c.addr, c.range, c.bo, c.offset)));
    return OK;
  }

  /** Raw removal of the VA exactly there: ENOENT if none, EINVAL for the kernel node. */
  private remove(addr: bigint, range: bigint): Observation {
    const va = this.find(addr, range);
    if (va === null) return { ok: false, error: 'ENOENT' };
    if (va.kernel === true) return EINVAL;
    this.setVas(this.vas.filter((v) => v !== va));
    return OK;
  }

  /**
   * The VA exactly equal to [addr, addr + range), or null. No VA has range 0 or
   * ends past 2^64, so a zero or overflowing range finds nothing (clipping the
   * query would not make it equal to any VA).
   */
  private find(addr: bigint, range: bigint): VaRecord | null {
    return this.vas.find((va) => va.addr === addr && va.range === range) ?? null;
  }

  /** The lowest VA overlapping [addr, addr + range) (clipped at 2^64), or null. */
  private findFirst(addr: bigint, range: bigint): VaRecord | null {
    if (range === 0n) return null;
    return overlapping(this.vas, addr, clippedEnd(addr, range))[0] ?? null;
  }

  private setVas(vas: VaList): void {
    this.vas = vas;
    this.settle(false);
  }

  /** Settles the books; `deferred`: a vm_bo losing its last reference now becomes a zombie. */
  private settle(deferred: boolean): void {
    this.books.settle(this.vas, deferred);
  }
}

/** Makes a fresh reference model (`builtin:model`). */
export const modelFactory: SubjectFactory = () => new ReferenceModel();
