/**
 * The harness's public contract, as TypeScript types (PROTOCOL.md sections 2-6).
 *
 * This module and `codec.ts` beside it are the one place that defines traces,
 * commands, observations, ops and snapshots. Everything else imports them.
 * In memory every u64 is a `bigint`; the codec turns them into lowercase hex
 * strings on the way out and accepts hex, decimal or safe-integer JSON numbers
 * on the way in.
 */

/** Trace format identifier written by this version of the harness. */
export const TRACE_FORMAT = 'gpuvm-trace/1';

/** An object id as used in traces: a non-negative integer (BoRef: or null for a NULL / sparse mapping). */
export type BoId = number;
export type BoRef = BoId | null;

// ---------------------------------------------------------------------------
// Trace header

export interface ReserveConfig {
  readonly addr: bigint;
  readonly range: bigint;
}

export interface VmConfig {
  readonly start: bigint;
  readonly range: bigint;
  /** The kernel reserved node; absent or null when the VM has none. */
  readonly reserve?: ReserveConfig | null;
}

export interface ObjectDecl {
  readonly bo: BoId;
  /** External to the VM: its reservation object is not the VM's own. */
  readonly external?: boolean;
}

/**
 * The VM's mode flags (drm_gpuvm_flags). Both default to false; a trace
 * without `flags` has both false.
 *
 * - `immediate` (DRM_GPUVM_IMMEDIATE_MODE): the driver may change the VM in
 *   the fence-signalling path, so it obtains vm_bos only through prealloc
 *   (`boCreate` + `boObtainPrealloc`) and may drop vm_bo references deferred
 *   (`bo_put_deferred`, `defer`), leaving zombies for `deferred_cleanup`.
 * - `resvProtected` (DRM_GPUVM_RESV_PROTECTED): the extobj / evict lists are
 *   protected by the VM's reservation object. Evicting an external object
 *   leaves its vm_bo off the evict list (validate picks it up from the extobj
 *   list), and zombies stay on both lists until cleanup.
 */
export interface VmFlags {
  readonly immediate?: boolean;
  readonly resvProtected?: boolean;
}

/** The names of the VM's mode flags, as a subject declares them (`capabilities.vmFlags`). */
export type VmFlagName = keyof VmFlags;

/** Every VM mode flag. */
export const VM_FLAG_NAMES: readonly VmFlagName[] = ['immediate', 'resvProtected'];

/** What a subject needs to set up a run: the VM, its mode flags and the objects. */
export interface TraceHeader {
  readonly vm: VmConfig;
  /** Absent (the usual case) means both flags false. */
  readonly flags?: VmFlags;
  readonly objects: readonly ObjectDecl[];
}

export interface TraceMeta {
  readonly invariant?: string;
  readonly seed?: number;
  readonly path?: string;
  readonly subject?: string;
  readonly [key: string]: unknown;
}

export interface Trace extends TraceHeader {
  readonly format: typeof TRACE_FORMAT;
  readonly commands: readonly Command[];
  readonly meta?: TraceMeta;
}

// ---------------------------------------------------------------------------
// Commands (PROTOCOL.md section 3)

/** How the driver applies a map / unmap: a staged ops list, or the step callbacks. */
export type Via = 'ops' | 'steps';

export interface MapCommand {
  readonly cmd: 'map';
  readonly addr: bigint;
  readonly range: bigint;
  readonly bo: BoRef;
  readonly offset: bigint;
  readonly via?: Via;
  /** The driver fails at op / step k (1-based) with EIO. */
  readonly failAt?: number;
  /** The k-th op allocation (1-based) fails with ENOMEM (ops mode only). */
  readonly allocFailAt?: number;
  /**
   * Steps mode only: the driver unlinks with `unlinkDefer` and drops its vm_bo
   * reference with `putDeferred`, as immediate-mode drivers do (needs an
   * immediate VM, else EINVAL).
   */
  readonly defer?: boolean;
}

export interface UnmapCommand {
  readonly cmd: 'unmap';
  readonly addr: bigint;
  readonly range: bigint;
  readonly via?: Via;
  readonly failAt?: number;
  readonly allocFailAt?: number;
  /** Steps mode only: unlink with `unlinkDefer` (needs an immediate VM, else EINVAL). */
  readonly defer?: boolean;
}

/**
 * A madvise request (drm_gpuvm_madvise_ops_create(), an ops list only): split
 * the VAs without an object at the request's edges, so that the request's
 * range is made of whole VAs; VAs with an object are left alone. `bo` and
 * `offset` are the request's object side, as upstream takes them.
 */
export interface MadviseCommand {
  readonly cmd: 'madvise';
  readonly addr: bigint;
  readonly range: bigint;
  readonly bo: BoRef;
  readonly offset: bigint;
  readonly failAt?: number;
  readonly allocFailAt?: number;
}

export interface PrefetchCommand {
  readonly cmd: 'prefetch';
  readonly addr: bigint;
  readonly range: bigint;
}

export interface BoUnmapCommand {
  readonly cmd: 'bo_unmap';
  readonly bo: BoId;
}

export interface InsertCommand {
  readonly cmd: 'insert';
  readonly addr: bigint;
  readonly range: bigint;
  readonly bo: BoRef;
  readonly offset: bigint;
}

export interface RemoveCommand {
  readonly cmd: 'remove';
  readonly addr: bigint;
  readonly range: bigint;
}

export interface RangeQueryCommand {
  readonly cmd: 'find' | 'find_first' | 'interval_empty';
  readonly addr: bigint;
  readonly range: bigint;
}

export interface FindPrevCommand {
  readonly cmd: 'find_prev';
  readonly start: bigint;
}

export interface FindNextCommand {
  readonly cmd: 'find_next';
  readonly end: bigint;
}

export interface BoGetCommand {
  readonly cmd: 'bo_get';
  readonly bo: BoId;
}

export interface BoPutCommand {
  readonly cmd: 'bo_put';
  readonly bo: BoId;
}

/**
 * The driver drops one reference it holds, deferred (`putDeferred`): a vm_bo
 * whose last reference goes becomes a zombie until `deferred_cleanup`.
 * ENOENT if it holds none; EINVAL in a VM that is not immediate.
 */
export interface BoPutDeferredCommand {
  readonly cmd: 'bo_put_deferred';
  readonly bo: BoId;
}

/** Frees every zombie vm_bo of the VM (drm_gpuvm_bo_deferred_cleanup()). */
export interface DeferredCleanupCommand {
  readonly cmd: 'deferred_cleanup';
}

export interface EvictCommand {
  readonly cmd: 'evict';
  readonly bo: BoId;
  readonly evict: boolean;
}

export interface ValidateCommand {
  readonly cmd: 'validate';
}

export type Command =
  | MapCommand
  | UnmapCommand
  | PrefetchCommand
  | BoUnmapCommand
  | InsertCommand
  | RemoveCommand
  | RangeQueryCommand
  | FindPrevCommand
  | FindNextCommand
  | BoGetCommand
  | BoPutCommand
  | EvictCommand
  | ValidateCommand
  | MadviseCommand
  | BoPutDeferredCommand
  | DeferredCleanupCommand;

export type CommandKind = Command['cmd'];

/** Every command kind, in the order PROTOCOL.md lists them. */
export const COMMAND_KINDS: readonly CommandKind[] = [
  'map',
  'unmap',
  'prefetch',
  'bo_unmap',
  'insert',
  'remove',
  'find',
  'find_first',
  'interval_empty',
  'find_prev',
  'find_next',
  'bo_get',
  'bo_put',
  'evict',
  'validate',
  'madvise',
  'bo_put_deferred',
  'deferred_cleanup',
];

// ---------------------------------------------------------------------------
// Observations (PROTOCOL.md section 4)

/** errno names a subject may report. `EIO` is the driver's injected failure. */
export type Errno = 'EINVAL' | 'EEXIST' | 'ENOENT' | 'ENOMEM' | 'EBUSY' | 'EIO';

export const ERRNOS: readonly Errno[] = ['EINVAL', 'EEXIST', 'ENOENT', 'ENOMEM', 'EBUSY', 'EIO'];

/** A VA as observed: `kernel: true` marks the reserved node. */
export interface VaRecord {
  readonly addr: bigint;
  readonly range: bigint;
  readonly bo: BoRef;
  readonly offset: bigint;
  readonly kernel?: true;
}

/** A piece of a mapping: a MAP op's target, or a remap's prev / next half. */
export interface Piece {
  readonly addr: bigint;
  readonly range: bigint;
  readonly bo: BoRef;
  readonly offset: bigint;
}

export interface MapOpRecord extends Piece {
  readonly op: 'map';
}

export interface UnmapOpRecord {
  readonly op: 'unmap';
  readonly va: VaRecord;
  readonly keep: boolean;
}

export interface RemapOpRecord {
  readonly op: 'remap';
  readonly unmap: { readonly va: VaRecord; readonly keep: boolean };
  readonly prev: Piece | null;
  readonly next: Piece | null;
  /** [addr, range] of what the driver vacates, as the subject computes it. */
  readonly hole: readonly [bigint, bigint];
}

export interface PrefetchOpRecord {
  readonly op: 'prefetch';
  readonly va: VaRecord;
}

export type OpRecord = MapOpRecord | UnmapOpRecord | RemapOpRecord | PrefetchOpRecord;

/**
 * What `exec` returns. On success `ok` is true and, depending on the command,
 * `ops`, `va`, `empty` or `validated` is present. On failure `ok` is false,
 * `error` names the errno, and `ops` is present for an injected failure (EIO).
 */
export interface Observation {
  readonly ok: boolean;
  readonly error?: Errno;
  readonly ops?: readonly OpRecord[];
  readonly va?: VaRecord | null;
  readonly empty?: boolean;
  readonly validated?: readonly BoId[];
}

// ---------------------------------------------------------------------------
// Snapshot (PROTOCOL.md section 5)

export interface VmBoRecord {
  readonly bo: BoId;
  readonly refs: number;
  /** [addr, range] of each linked VA, ascending by address. */
  readonly vas: readonly (readonly [bigint, bigint])[];
  readonly evicted: boolean;
}

/** A zombie vm_bo: its last reference was dropped deferred, and cleanup has not freed it yet. */
export interface DeferredRecord {
  readonly bo: BoId;
  /** Its `evicted` flag when it died (a zombie is never validated). */
  readonly evicted: boolean;
}

export interface ObjectRecord {
  readonly bo: BoId;
  readonly refs: number;
}

export interface Snapshot {
  /** Ascending by address; the reserved node is left out. */
  readonly vas: readonly VaRecord[];
  readonly kernel: ReserveConfig | null;
  /** Live vm_bos, ascending by bo. */
  readonly vmBos: readonly VmBoRecord[];
  /** Every declared object, ascending by bo. */
  readonly objects: readonly ObjectRecord[];
  /** The bo of each entry of the VM's evict list, in list order. */
  readonly evictList: readonly BoId[];
  /** The bo of each entry of the VM's extobj list, in list order. */
  readonly extobjList: readonly BoId[];
  /** The zombie vm_bos awaiting `deferred_cleanup`, newest first (the order of the VM's deferred list). */
  readonly deferred: readonly DeferredRecord[];
}

// ---------------------------------------------------------------------------
// Subjects (PROTOCOL.md section 6)

/**
 * Book-keeping a subject may report about the command it just executed, for the
 * `va-budget`, `op-alloc-balance` and `ops-pure` invariants. This is an
 * extension of PROTOCOL.md section 6 (which does not say how these are
 * observed); subjects that do not implement `accounting` simply skip those checks.
 */
export interface Accounting {
  /** New VAs the driver needed for the command (map: at most 3, unmap: at most 2). */
  readonly vasNeeded: number;
  /** VAs the driver preallocated (steps mode), or null when it allocates on demand (ops mode). */
  readonly vasPreallocated: number | null;
  /** Ops allocated through `opAlloc` during the command. */
  readonly opsAllocated: number;
  /** Ops freed by the ops-list builder itself (on an allocation failure). */
  readonly opsFreedByBuilder: number;
  /** Ops handed back to the driver in returned ops lists. */
  readonly opsReturned: number;
  /**
   * Ops of the returned lists that were freed (through `opFree`, when the
   * driver freed the lists) by the end of the command; absent when the subject
   * does not track it.
   */
  readonly opsFreedByDriver?: number;
  /** Creating the same ops list twice gave equal lists and left the VM unchanged; null when not checked. */
  readonly opsPure: boolean | null;
}

/**
 * What a subject supports (docs/subject-protocol.md, `hello`). The generators
 * produce only these commands, `via` modes and injected failures, and replaying
 * a trace that uses anything else is refused as bad input. A subject without
 * `capabilities` supports everything ({@link FULL_CAPABILITIES}).
 */
export interface SubjectCapabilities {
  /** The command kinds the subject executes (at least one). */
  readonly commands: readonly CommandKind[];
  /** The modes of `map` / `unmap` it supports; a command without `via` means `ops`. */
  readonly via: readonly Via[];
  /** Whether it honours `failAt`. */
  readonly failAt: boolean;
  /** Whether it honours `allocFailAt` (needs `ops` in `via`). */
  readonly allocFailAt: boolean;
  /** Whether it reports `Accounting` after each command. */
  readonly accounting: boolean;
  /** The VM mode flags of the trace header it honours; absent: none (a header never sets another). */
  readonly vmFlags?: readonly VmFlagName[];
  /** Whether it honours `defer` on a steps-mode map / unmap; absent: no. */
  readonly defer?: boolean;
}

/** Everything version 1 of the protocol has: the capabilities of a subject that declares none. */
export const FULL_CAPABILITIES: SubjectCapabilities = {
  commands: COMMAND_KINDS,
  via: ['ops', 'steps'],
  failAt: true,
  allocFailAt: true,
  accounting: true,
  vmFlags: VM_FLAG_NAMES,
  defer: true,
};

/**
 * Something a subject saw go wrong inside itself during a command, a finding of
 * its own (docs/subject-protocol.md, `exec` replies' `reports`): `warn`, a
 * warning the manager raised (a kernel `WARN`), or `leak`, memory it still
 * holds that it should have freed.
 */
export interface SubjectReport {
  readonly kind: 'warn' | 'leak';
  readonly message: string;
}

export interface Subject {
  readonly name: string;
  /** What the subject supports; absent means everything ({@link FULL_CAPABILITIES}). */
  readonly capabilities?: SubjectCapabilities;
  /** Set up a fresh VM and the trace's objects. */
  reset(header: TraceHeader): void | Promise<void>;
  exec(command: Command): Observation | Promise<Observation>;
  snapshot(): Snapshot | Promise<Snapshot>;
  /** Optional: the accounting of the command last executed (see `Accounting`). */
  accounting?(): Accounting | null;
  /** Optional: what the subject reported about itself during the command last executed (empty: nothing). */
  reports?(): readonly SubjectReport[];
  close?(): void | Promise<void>;
}

export type SubjectFactory = () => Subject | Promise<Subject>;

/** The u64 bound, 2^64. */
export const U64_LIMIT = 1n << 64n;
