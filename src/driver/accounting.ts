/**
 * Book-keeping of one command: the VAs the driver needed and the ops the manager
 * allocated and freed through the `opAlloc` / `opFree` hooks (the `Accounting`
 * extension of PROTOCOL.md section 6, for the `va-budget`, `op-alloc-balance`
 * and `ops-pure` invariants).
 *
 * The kernel counterpart is `struct drm_gpuvm_ops.op_alloc` / `op_free`: drivers
 * that embed `struct drm_gpuva_op` in a larger structure allocate and free ops
 * themselves, and the list builders (`drm_gpuvm_sm_map_ops_create()` and friends)
 * call these hooks for every op, freeing what they allocated when one fails.
 */

import type { GpuVaOp, GpuVmOps } from '../gpuvm/index.ts';
import type { Accounting } from '../protocol/types.ts';

/** The driver's accounting: the protocol's `Accounting`, always with what the driver freed itself. */
export interface DriverAccounting extends Accounting {
  /** Ops freed by the driver's own `opsFree` of the lists it was handed. */
  readonly opsFreedByDriver: number;
}

/**
 * Who a hook call is attributed to. `builder`: the manager's own code (list
 * building, and its clean-up after an allocation failure); `driver`: inside the
 * driver's `opsFree`; `quiet`: the driver's second, purity-checking list, which is
 * neither counted nor failed.
 */
type Phase = 'builder' | 'driver' | 'quiet';

/**
 * Counts op allocations and frees, and fails the k-th allocation of a command
 * on request. One meter serves a whole run; `begin` resets it per command by
 * assigning a handful of numbers.
 */
export class OpAllocMeter {
  /** The hooks to hand to the VM (`GpuVmConfig.ops`). */
  readonly hooks: GpuVmOps;

  private phase: Phase = 'builder';
  private failAt = 0;
  private allocCalls = 0;
  private allocated = 0;
  private freedByBuilder = 0;
  private freedByDriver = 0;
  private returned = 0;
  private vasNeeded = 0;
  private vasPreallocated: number | null = null;
  private opsPure: boolean | null = null;

  constructor() {
    this.hooks = {
      opAlloc: (op: GpuVaOp): GpuVaOp | null => this.onAlloc(op),
      opFree: (op: GpuVaOp): void => this.onFree(op),
    };
  }

  /** Starts a command: zero every counter; `allocFailAt` (1-based) makes that allocation return null. */
  begin(allocFailAt: number | undefined): void {
    this.phase = 'builder';
    this.failAt = allocFailAt ?? 0;
    this.allocCalls = 0;
    this.allocated = 0;
    this.freedByBuilder = 0;
    this.freedByDriver = 0;
    this.returned = 0;
    this.vasNeeded = 0;
    this.vasPreallocated = null;
    this.opsPure = null;
  }

  /** Builds an ops list with the hooks counting (and failing, if asked); counts the ops handed back. */
  create(build: () => GpuVaOp[]): GpuVaOp[] {
    const ops = build();
    this.returned += ops.length;
    return ops;
  }

  /** Builds an ops list with the hooks neither counting nor failing (the purity check's second list). */
  createQuietly(build: () => GpuVaOp[]): GpuVaOp[] {
    return this.inPhase('quiet', build);
  }

  /** The driver's `opsFree` of a list it was handed: frees are counted as the driver's. */
  free(free: () => void): void {
    this.inPhase('driver', free);
  }

  /** Frees the purity check's second list without counting. */
  freeQuietly(free: () => void): void {
    this.inPhase('quiet', free);
  }

  /** One more VA the driver had to create for the command. */
  countVa(): void {
    this.vasNeeded++;
  }

  /** The driver preallocated `n` VAs for the command (steps mode). */
  preallocated(n: number): void {
    this.vasPreallocated = n;
  }

  /** The outcome of the purity check (ops mode map / unmap). */
  recordPurity(pure: boolean): void {
    this.opsPure = pure;
  }

  /** The accounting of the command since the last `begin`. */
  snapshot(): DriverAccounting {
    return {
      vasNeeded: this.vasNeeded,
      vasPreallocated: this.vasPreallocated,
      opsAllocated: this.allocated,
      opsFreedByBuilder: this.freedByBuilder,
      opsReturned: this.returned,
      opsPure: this.opsPure,
      opsFreedByDriver: this.freedByDriver,
    };
  }

  /** Runs `fn` with hook calls attributed to `phase`, then restores the previous phase. */
  private inPhase<T>(phase: Phase, fn: () => T): T {
    const saved = this.phase;
    this.phase = phase;
    try {
      return fn();
    } finally {
      this.phase = saved;
    }
  }

  private onAlloc(op: GpuVaOp): GpuVaOp | null {
    if (this.phase === 'quiet') return op;
    this.allocCalls++;
    if (this.allocCalls === this.failAt) return null;
    this.allocated++;
    return op;
  }

  private onFree(_op: GpuVaOp): void {
    if (this.phase === 'quiet') return;
    if (this.phase === 'driver') this.freedByDriver++;
    else this.freedByBuilder++;
  }
}
