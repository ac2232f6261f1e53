/**
 * The fault zoo's catalogue: each injected fault, where its module lives, the
 * upstream history it comes from, and the invariants that may report it.
 *
 * A fault module (`bench/faults/<id>.ts`) default-exports a `SubjectFactory`: the
 * production manager or the harness's driver with exactly one method overridden
 * to bring back one real bug class of drm_gpuvm or of a driver using it.
 */
import type { InvariantName } from '../../properties/index.ts';

export interface FaultEntry {
  /** 1-based number, as listed in the zoo's brief. */
  readonly number: number;
  /** File name stem under bench/faults/ and the fault's name in reports. */
  readonly id: string;
  /** One line: what is wrong. */
  readonly summary: string;
  /** One line: where upstream it comes from. */
  readonly history: string;
  /** The invariants that are right to report this fault (the first one is the most specific). */
  readonly expected: readonly InvariantName[];
}

export const FAULTS: readonly FaultEntry[] = [
  {
    number: 1,
    id: 'keep-ignores-offset',
    summary: 'keep compares only the objects, not the offset translation',
    history: 'sm_map keep/merge computation (offset part written per start case)',
    expected: ['keep-flag', 'model-agrees'],
  },
  {
    number: 2,
    id: 'next-offset-from-request',
    summary: "a remap's next offset computed from the request instead of the old VA",
    history: 'sm_map next-half offset formulas (one per start case)',
    expected: ['remap-offsets', 'model-agrees'],
  },
  {
    number: 3,
    id: 'find-closed-windows',
    summary: 'findPrev / findNext with closed windows [start-1, start] and [end, end+1]',
    history: 'rb-tree drm_gpuva_find_prev/next since v6 (6.6), still upstream',
    expected: ['queries-agree', 'model-agrees'],
  },
  {
    number: 4,
    id: 'zero-length-range',
    summary: 'zero-length ranges accepted',
    history: 'drm_gpuvm_range_valid() has no range != 0 test, still upstream',
    expected: ['no-overlap', 'model-agrees'],
  },
  {
    number: 5,
    id: 'range-overlap-check',
    summary: 'the range check tests overlap with the VM instead of containment',
    history: 'maple-tree drm_gpuva_in_mm_range() (v5, Jun 2023)',
    expected: ['no-overlap', 'model-agrees'],
  },
  {
    number: 6,
    id: 'walk-end-as-range',
    summary: 'the split/merge walk is given an end where a range is expected',
    history: 'drm_gpuva_for_each_va_range*() passed end as range (v6 -> v7, Jul 2023)',
    expected: ['exact-coverage', 'remap-offsets', 'remap-hole', 'ops-shape', 'rejected-is-atomic', 'model-agrees'],
  },
  {
    number: 7,
    id: 'vm-bo-create-per-map',
    summary: 'the driver creates a vm_bo per map with boCreate instead of obtain',
    history: 'drm/imagination: prevent duplicate drm_gpuvm_bo instances (Nov 2023)',
    expected: ['vm-bo-unique', 'vm-bo-refcount', 'model-agrees'],
  },
  {
    number: 8,
    id: 'remap-unlink-first',
    summary: 'the driver unlinks the old VA before linking the remap halves',
    history: 'link-before-unlink order required once vm_bos were refcounted (6.7/6.8)',
    expected: ['subject-error', 'vm-bo-refcount', 'vm-bo-unique', 'model-agrees'],
  },
  {
    number: 9,
    id: 'remap-hole-full-range',
    summary: "remapToUnmapRange keeps the old VA's full range as the hole",
    history: 'nouveau/uvmm remap addr/range calcs, CVE-2024-36018 (Mar 2024)',
    expected: ['remap-hole'],
  },
  {
    number: 10,
    id: 'unmap-prealloc-one',
    summary: 'a steps-mode driver preallocates one VA for an unmap',
    history: 'panthor unmap VMA preallocation (Oct 2025, stable)',
    expected: ['va-budget'],
  },
  {
    number: 11,
    id: 'unwind-shrunken-middle',
    summary: 'an unwind re-inserts the shrunken middle instead of the original VA',
    history: 'drm/xe: always keep track of remap prev/next (Mar 2026, stable 6.8+)',
    expected: ['unwind-restores', 'no-overlap', 'model-agrees'],
  },
  {
    number: 12,
    id: 'enomem-leaks-partial-list',
    summary: 'the ops-list builder does not free its partial list on ENOMEM',
    history: 'drm_gpuva_sm_step() error labels out of order since v3, still upstream',
    expected: ['op-alloc-balance'],
  },
  {
    number: 13,
    id: 'rotation-skips-augment',
    summary: "the interval tree forgets a node's subtree max end after a rotation",
    history: 'augmented rb-tree of the v6 rewrite (INTERVAL_TREE_DEFINE rotate callback)',
    expected: ['queries-agree', 'model-agrees', 'exact-coverage', 'no-overlap', 'paint', 'ops-shape', 'rejected-is-atomic'],
  },
  {
    number: 14,
    id: 'remove-kernel-node',
    summary: 'remove does not refuse the kernel reserved node',
    history: 'drm_gpuva_remove() kernel_alloc_node guard; fini removal of a never-inserted node',
    expected: ['kernel-node-untouched', 'model-agrees'],
  },
  {
    number: 15,
    id: 'vm-bo-destroy-keeps-lists',
    summary: 'vm_bo destruction leaves it on the evict or extobj list',
    history: 'zombie vm_bos on extobj/evict lists, deferred cleanup (6.19)',
    expected: ['lists'],
  },
  {
    number: 16,
    id: 'overflow-unchecked',
    summary: 'no overflow check: addr + range wraps past 2^64',
    history: 'v5 sm_map without overflow check; drm_gpuva_check_overflow() (6.6, 6.8)',
    expected: ['no-overlap', 'model-agrees'],
  },
  {
    number: 17,
    id: 'madvise-splits-object-va',
    summary: 'madvise splits VAs that have an object',
    history: "madvise walk's `madvise && obj` skip in __drm_gpuvm_sm_map() (6.18)",
    expected: ['madvise-split-only'],
  },
  {
    number: 18,
    id: 'madvise-map-is-request',
    summary: 'madvise emits the request itself (object, offset) where the piece is the whole request',
    history: 'drm_gpuvm_madvise_ops_create() op_map = req shapes (6.18, still upstream)',
    expected: ['madvise-split-only', 'model-agrees'],
  },
  {
    number: 19,
    id: 'zombie-stays-on-evict-list',
    summary: 'a zombie vm_bo stays on the evict list of a VM that is not resv-protected',
    history: 'drm_gpuvm_bo_into_zombie() list removal, deferred cleanup (6.19)',
    expected: ['lists'],
  },
  {
    number: 20,
    id: 'cleanup-frees-twice',
    summary: 'deferred cleanup frees each zombie twice in a resv-protected VM',
    history: 'drm_gpuvm_bo_deferred_cleanup() unlink pass vs free pass (6.19)',
    expected: ['zombies', 'gem-refcount', 'subject-error'],
  },
];

/**
 * The module path of a fault, relative to the repository root: its source
 * (`.ts`, the default, as saved traces name it), or with `extension` `.js` its
 * compiled module, relative to the package's `dist/`.
 */
export function faultModulePath(id: string, extension: '.ts' | '.js' = '.ts'): string {
  return `bench/faults/${id}${extension}`;
}
