/**
 * The kernel fault zoo: plausible one-line bugs of drm_gpuvm.c, each a small
 * textual edit that `applyFault` makes to a scratch copy of a tree's
 * drm_gpuvm.c (never to the user's tree, never in this repository). Each
 * reintroduces a bug class of drm_gpuvm's history or a near miss of its
 * arithmetic; a short campaign against the edited tree must find each
 * (`gpuvm-check kernel zoo`, test/kernel/zoo.test.ts). The edits are written
 * against 7.3; `applyFault` says clearly when one no longer applies.
 */

/** One fault: where the edit goes and what it does. */
export interface KernelFault {
  readonly name: string;
  /** The upstream function the edit lands in. */
  readonly function: string;
  /** What the bug is, and which piece of history it echoes. */
  readonly description: string;
  /** Text that must occur exactly once in drm_gpuvm.c; the search for `find` starts after it. */
  readonly after?: string;
  /** The text replaced (its first occurrence after `after`; exactly once in the file without `after`). */
  readonly find: string;
  readonly replace: string;
  /** The invariants a campaign is expected to report it under. */
  readonly expected: readonly string[];
}

export const KERNEL_FAULTS: readonly KernelFault[] = [
  {
    name: 'keep-ignores-offset',
    function: '__drm_gpuvm_sm_map',
    description: 'keep compares only the objects when the VA starts at the request (the TypeScript zoo\'s fault 1)',
    find: 'offset == req_offset;',
    replace: 'true;',
    expected: ['keep-flag'],
  },
  {
    name: 'next-offset-from-request',
    function: '__drm_gpuvm_sm_map',
    description: 'the next half of a VA cut on both sides takes its offset from the request range alone',
    find: '.gem.offset = offset + ls_range +',
    replace: '.gem.offset = offset +',
    expected: ['remap-offsets'],
  },
  {
    name: 'range-overlap-check',
    function: 'drm_gpuvm_in_mm_range',
    description: 'the VM bounds test is an overlap test instead of containment (the v5 bug)',
    find: 'return addr >= mm_start && end <= mm_end;',
    replace: 'return addr < mm_end && mm_start < end;',
    expected: ['no-overlap', 'model-agrees', 'rejected-is-atomic'],
  },
  {
    name: 'kernel-node-adjacent',
    function: 'drm_gpuvm_in_kernel_node',
    description: 'off by one: a range merely touching the reserved node counts as overlapping it',
    find: 'return krange && addr < kend && kstart < end;',
    replace: 'return krange && addr <= kend && kstart <= end;',
    expected: ['model-agrees'],
  },
  {
    name: 'unmap-next-offset',
    function: '__drm_gpuvm_sm_unmap',
    description: 'an unmap\'s next half is offset by the request\'s length instead of its distance from the VA start',
    find: 'next.gem.offset = offset + (req_end - addr);',
    replace: 'next.gem.offset = offset + (req_end - req_addr);',
    expected: ['remap-offsets'],
  },
  {
    name: 'unmap-keeps',
    function: '__drm_gpuvm_sm_unmap',
    description: 'an unmap\'s UNMAP ops carry keep = true',
    find: 'op_unmap_cb(ops, priv, va, false, false)',
    replace: 'op_unmap_cb(ops, priv, va, true, false)',
    expected: ['keep-flag'],
  },
  {
    name: 'find-first-closed-end',
    function: 'drm_gpuva_find_first',
    description: 'the query\'s last address is the end, not end - 1 (the v6/v7 end-versus-range history of the iterators)',
    find: 'u64 last = addr + range - 1;',
    replace: 'u64 last = addr + range;',
    expected: ['exact-coverage', 'queries-agree', 'model-agrees', 'ops-shape'],
  },
  {
    name: 'insert-list-order',
    function: '__drm_gpuva_insert',
    description: 'a new VA goes before its predecessor in the ordered list instead of after it',
    find: 'list_add(&va->rb.entry, head);',
    replace: 'list_add_tail(&va->rb.entry, head);',
    expected: ['no-overlap', 'model-agrees', 'ops-shape', 'exact-coverage'],
  },
  {
    name: 'insert-no-vm-ref',
    function: 'drm_gpuva_insert',
    description: 'an inserted VA takes no VM reference (the VM can be freed under its VAs)',
    after: '\ndrm_gpuva_insert(struct drm_gpuvm *gpuvm,',
    find: 'drm_gpuvm_get(gpuvm);',
    replace: '(void)gpuvm;',
    expected: ['alloc-leak', 'kernel-warn'],
  },
  {
    name: 'destroy-keeps-evict-list',
    function: 'drm_gpuvm_bo_destroy',
    description: 'a destroyed vm_bo stays on the evict list (the zombie vm_bos of 6.19\'s deferred cleanup)',
    find: 'drm_gpuvm_bo_list_del(vm_bo, evict, lock);',
    replace: '(void)lock;',
    expected: ['lists', 'subject-error'],
  },
  {
    name: 'link-without-ref',
    function: 'drm_gpuva_link',
    description: 'a linked VA holds no vm_bo reference',
    find: 'va->vm_bo = drm_gpuvm_bo_get(vm_bo);',
    replace: 'va->vm_bo = vm_bo;',
    expected: ['vm-bo-refcount', 'kernel-warn', 'alloc-leak'],
  },
  {
    name: 'obtain-not-on-gem-list',
    function: 'drm_gpuvm_bo_obtain_locked',
    description: 'a new vm_bo is not put on the object\'s list, so the next obtain makes another (imagination\'s duplicate vm_bos, 2023)',
    find: 'list_add_tail(&vm_bo->list.entry.gem, &obj->gpuva.list);',
    replace: '(void)obj;',
    expected: ['vm-bo-unique', 'vm-bo-refcount', 'lists', 'model-agrees'],
  },
  {
    name: 'extobj-for-private',
    function: 'drm_gpuvm_bo_extobj_add',
    description: 'every object goes on the extobj list, private ones (sharing the VM\'s resv) included',
    find: 'if (drm_gpuvm_is_extobj(gpuvm, vm_bo->obj))',
    replace: 'if (vm_bo->obj)',
    expected: ['lists'],
  },
  {
    name: 'evict-skips-extobj',
    function: 'drm_gpuvm_bo_evict',
    description: 'an external object is never put on the evict list (as if the VM were RESV_PROTECTED)',
    find: 'if (drm_gpuvm_is_extobj(gpuvm, obj) && !lock)',
    replace: 'if (drm_gpuvm_is_extobj(gpuvm, obj))',
    expected: ['lists'],
  },
  {
    name: 'enomem-frees-list-only',
    function: '__drm_gpuvm_sm_map_ops_create',
    description: 'on an allocation failure the partial list is freed without its ops (the partial-list leak class)',
    after: '__drm_gpuvm_sm_map_ops_create(struct drm_gpuvm *gpuvm,',
    find: 'drm_gpuva_ops_free(gpuvm, ops);',
    replace: 'kfree(ops);',
    expected: ['op-alloc-balance', 'alloc-leak'],
  },
  {
    name: 'insert-overlap-check-start',
    function: '__drm_gpuva_insert',
    description: 'the overlap check of an insert looks at the VA\'s first address only',
    find: 'GPUVA_LAST(va)))',
    replace: 'GPUVA_START(va)))',
    expected: ['no-overlap', 'model-agrees'],
  },
];

/** A fault that no longer applies to a tree: its text is not there exactly once. */
export class FaultApplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultApplyError';
  }
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

/**
 * The text of drm_gpuvm.c with `fault` applied. Throws `FaultApplyError`
 * naming the fault and the text when the anchor or the text to replace is
 * not found exactly as the entry says.
 */
export function applyFault(source: string, fault: KernelFault): string {
  let from = 0;
  if (fault.after !== undefined) {
    const n = occurrences(source, fault.after);
    if (n !== 1) throw new FaultApplyError(`fault ${fault.name}: ${JSON.stringify(fault.after)} occurs ${n} times in drm_gpuvm.c (expected once)`);
    from = source.indexOf(fault.after) + fault.after.length;
  } else {
    const n = occurrences(source, fault.find);
    if (n !== 1) throw new FaultApplyError(`fault ${fault.name}: ${JSON.stringify(fault.find)} occurs ${n} times in drm_gpuvm.c (expected once)`);
  }
  const at = source.indexOf(fault.find, from);
  if (at < 0) throw new FaultApplyError(`fault ${fault.name}: ${JSON.stringify(fault.find)} does not occur after ${JSON.stringify(fault.after)}`);
  return `${source.slice(0, at)}${fault.replace}${source.slice(at + fault.find.length)}`;
}
