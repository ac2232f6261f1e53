/**
 * The driver's view of the whole VM state as a protocol `Snapshot`
 * (PROTOCOL.md section 5).
 *
 * vm_bos have no global registry in drm_gpuvm, so the snapshot finds them the way
 * the kernel can reach them: through each object's vm_bo list, through each VA's
 * link, and through the references the driver holds. Every distinct live vm_bo
 * found that way is listed, so two live vm_bos for one object (a broken
 * uniqueness) show as two entries, and so is a zombie still reachable that way
 * (with 0 references). The VM's evict and extobj lists are reported verbatim,
 * destroyed entries included, so a dangling entry is visible; the zombies
 * awaiting cleanup are the VM's deferred list, newest first.
 */

import type { GpuVa, GpuVm, GpuVmBo } from '../gpuvm/index.ts';
import type { BoId, ReserveConfig, Snapshot, VaRecord, VmBoRecord } from '../protocol/types.ts';
import type { ObjectTable } from './objects.ts';
import { plainVaRecord } from './records.ts';
import type { RecordContext } from './records.ts';

/** Takes a snapshot of `vm` and the trace's objects. */
export function snapshotVm(vm: GpuVm, objects: ObjectTable, ctx: RecordContext): Snapshot {
  const vas: VaRecord[] = [];
  let kernel: ReserveConfig | null = null;
  const found = new Set<GpuVmBo>();
  const consider = (vmBo: GpuVmBo | null): void => {
    if (vmBo !== null && !vmBo.freed) found.add(vmBo);
  };

  for (const entry of objects.all) {
    for (const vmBo of entry.obj.vmBos()) consider(vmBo);
  }
  for (const va of vm.vas()) {
    if (va === vm.kernelNode) {
      kernel = { addr: va.addr, range: va.range };
      continue;
    }
    vas.push(plainVaRecord(va, ctx));
    consider(va.vmBo);
  }
  for (const entry of objects.all) {
    for (const vmBo of entry.held) consider(vmBo);
  }

  const vmBos = [...found].map((vmBo) => vmBoRecord(vmBo, objects));
  vmBos.sort((a, b) => a.bo - b.bo);

  return {
    vas,
    kernel,
    vmBos,
    objects: objects.all.map((entry) => ({ bo: entry.bo, refs: entry.obj.refcount })),
    evictList: vm.evictList().map((vmBo) => boIdOf(vmBo, objects)),
    extobjList: vm.extobjList().map((vmBo) => boIdOf(vmBo, objects)),
    deferred: vm.deferredList().map((vmBo) => ({ bo: boIdOf(vmBo, objects), evicted: vmBo.evicted })),
  };
}

function vmBoRecord(vmBo: GpuVmBo, objects: ObjectTable): VmBoRecord {
  // The VA set itself, not vas(): a zombie found here must still be reported (vas() refuses a dead vm_bo).
  const vas = [...vmBo._vaSet].sort(byAddr).map((va) => [va.addr, va.range] as const);
  return { bo: boIdOf(vmBo, objects), refs: vmBo.refcount, vas, evicted: vmBo.evicted };
}

/** The trace id of a vm_bo's object (every object the manager holds was declared by the trace). */
export function boIdOf(vmBo: GpuVmBo, objects: ObjectTable): BoId {
  const id = objects.idOf(vmBo.obj);
  if (id === null) throw new Error('the manager holds a vm_bo without a GEM object');
  return id;
}

function byAddr(a: GpuVa, b: GpuVa): number {
  return a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0;
}
