/**
 * GEM objects and vm_bos: obtain / prealloc / find, reference counting and
 * destruction, link / unlink, the extobj and evict lists, validate, and
 * use-after-free detection.
 */
import { describe, expect, test } from 'vitest';
import { GPUVM_IMMEDIATE_MODE, GemObject, GpuVa, GpuVm, GpuVmBo, UseAfterFreeError } from '../../src/gpuvm/index.ts';
import { codeOf, put } from './helpers.ts';

const U = 0x1000n;

function vmWithObjects(flags = 0) {
  const vm = new GpuVm({ start: 0n, range: 64n * U, flags });
  const ext = new GemObject({ name: 'ext' });
  const local = new GemObject({ name: 'local', resv: vm.resv });
  return { vm, ext, local };
}

describe('obtaining vm_bos', () => {
  test('boObtain creates one vm_bo per (VM, object) and then hands out references', () => {
    const { vm, ext } = vmWithObjects();
    const first = vm.boObtain(ext);
    expect([first.refcount, ext.refcount, ext.vmBos()]).toEqual([1, 2, [first]]);
    const again = vm.boObtain(ext);
    expect(again).toBe(first);
    expect([first.refcount, ext.refcount]).toEqual([2, 2]);
    expect(vm.boFind(ext)).toBe(first);
    expect(first.refcount).toBe(3);
    const vm2 = new GpuVm({ start: 0n, range: 64n * U });
    const second = vm2.boObtain(ext);
    expect(second).not.toBe(first);
    expect(ext.vmBos()).toEqual([first, second]);
  });

  test('boFind returns null without a vm_bo; boCreate does not join the object list', () => {
    const { vm, ext } = vmWithObjects();
    expect(vm.boFind(ext)).toBeNull();
    const created = vm.boCreate(ext);
    expect([created.refcount, ext.refcount, ext.vmBos()]).toEqual([1, 2, []]);
    expect(vm.boFind(ext)).toBeNull();
    created.put();
    expect(ext.refcount).toBe(1);
  });

  test('boObtainPrealloc installs pre when there is no vm_bo yet', () => {
    const { vm, ext } = vmWithObjects(GPUVM_IMMEDIATE_MODE);
    const pre = vm.boCreate(ext);
    expect(vm.boObtainPrealloc(pre)).toBe(pre);
    expect([pre.refcount, ext.vmBos()]).toEqual([1, [pre]]);
    expect(codeOf(() => vm.boObtainPrealloc(pre))).toBe('EINVAL'); // already on the list
  });

  test('boObtainPrealloc drops pre and returns the existing vm_bo with one more reference', () => {
    const { vm, ext } = vmWithObjects(GPUVM_IMMEDIATE_MODE);
    const existing = vm.boObtainPrealloc(vm.boCreate(ext));
    const pre = vm.boCreate(ext);
    expect(ext.refcount).toBe(3);
    expect(vm.boObtainPrealloc(pre)).toBe(existing);
    expect([existing.refcount, pre.destroyed, ext.refcount, ext.vmBos()]).toEqual([2, true, 2, [existing]]);
  });
});

describe('vm_bo lifetime', () => {
  test('the last unlink destroys the vm_bo and obtaining again makes a new one', () => {
    const { vm, ext } = vmWithObjects();
    const vmBo = vm.boObtain(ext);
    const a = put(vm, U, U, ext, 0n);
    const b = put(vm, 2n * U, U, ext, U);
    a.link(vmBo);
    b.link(vmBo);
    expect(vmBo.put()).toBe(false); // the obtain reference
    expect([vmBo.refcount, vmBo.vas()]).toEqual([2, [a, b]]);
    a.unlink();
    expect(vmBo.destroyed).toBe(false);
    b.unlink();
    expect([vmBo.destroyed, ext.vmBos(), ext.refcount, b.vmBo]).toEqual([true, [], 1, null]);
    const fresh = vm.boObtain(ext);
    expect(fresh).not.toBe(vmBo);
    expect(fresh.refcount).toBe(1);
  });

  test('put reports whether it destroyed the vm_bo', () => {
    const { vm, ext } = vmWithObjects();
    const vmBo = vm.boObtain(ext).get();
    expect(vmBo.put()).toBe(false);
    expect(vmBo.put()).toBe(true);
  });

  test('every use of a destroyed vm_bo throws UseAfterFreeError', () => {
    const { vm, ext } = vmWithObjects();
    const vmBo = vm.boObtain(ext);
    vmBo.put();
    const va = put(vm, U, U, ext, 0n);
    const uses: Array<[string, () => unknown]> = [
      ['get', () => vmBo.get()],
      ['put', () => vmBo.put()],
      ['link', () => va.link(vmBo)],
      ['evict', () => vmBo.evict(true)],
      ['extobjAdd', () => vmBo.extobjAdd()],
      ['vas', () => vmBo.vas()],
      ['boUnmapOpsCreate', () => vm.boUnmapOpsCreate(vmBo)],
      ['boObtainPrealloc', () => vm.boObtainPrealloc(vmBo)],
    ];
    for (const [name, use] of uses) expect(use, name).toThrow(UseAfterFreeError);
    expect(va.vmBo).toBeNull();
  });

  test('destruction takes the vm_bo off the extobj and evict lists', () => {
    const { vm, ext } = vmWithObjects();
    const vmBo = vm.boObtain(ext);
    vmBo.extobjAdd();
    vmBo.evict(true);
    expect([vm.extobjList(), vm.evictList()]).toEqual([[vmBo], [vmBo]]);
    vmBo.put();
    expect([vm.extobjList(), vm.evictList()]).toEqual([[], []]);
  });

  test('a vm_bo subclass can observe destruction through createVmBo', () => {
    const destroyed: GemObject[] = [];
    class Tracking extends GpuVmBo {
      protected override destroy(): void {
        destroyed.push(this.obj);
        super.destroy();
      }
    }
    class TrackingVm extends GpuVm {
      protected override createVmBo(obj: GemObject): GpuVmBo {
        return new Tracking(this, obj);
      }
    }
    const vm = new TrackingVm({ start: 0n, range: 64n * U });
    const bo = new GemObject();
    vm.boObtain(bo).put();
    expect(destroyed).toEqual([bo]);
  });
});

describe('link and unlink', () => {
  test('link refuses a vm_bo of another object; a NULL VA ignores link and unlink', () => {
    const { vm, ext, local } = vmWithObjects();
    const vmBo = vm.boObtain(ext);
    const va = put(vm, U, U, local, 0n);
    expect(codeOf(() => va.link(vmBo))).toBe('EINVAL');
    expect(vmBo.refcount).toBe(1);
    const sparse = put(vm, 2n * U, U, null, 0n);
    sparse.link(vmBo);
    expect([sparse.vmBo, vmBo.refcount]).toEqual([null, 1]);
    sparse.unlink();
  });

  test('a linked VA cannot be linked twice nor change its object', () => {
    const { vm, ext, local } = vmWithObjects();
    const vmBo = vm.boObtain(ext);
    const va = new GpuVa({ addr: U, range: U, obj: ext });
    va.link(vmBo);
    expect(codeOf(() => va.link(vmBo))).toBe('EINVAL');
    expect(codeOf(() => {
      va.obj = local;
    })).toBe('EINVAL');
    expect(vmBo.refcount).toBe(2);
  });
});

describe('extobj and evict lists', () => {
  test('extobjAdd lists only external objects, once each, in insertion order', () => {
    const { vm, ext, local } = vmWithObjects();
    const ext2 = new GemObject({ name: 'ext2' });
    const e2 = vm.boObtain(ext2);
    const e1 = vm.boObtain(ext);
    const l = vm.boObtain(local);
    e2.extobjAdd();
    e1.extobjAdd();
    l.extobjAdd();
    e2.extobjAdd();
    expect(vm.extobjList()).toEqual([e2, e1]);
  });

  test('evict(true) appends once keeping the position; evict(false) removes; obj.evict covers every VM', () => {
    const { vm, ext, local } = vmWithObjects();
    const vm2 = new GpuVm({ start: 0n, range: 64n * U });
    const a = vm.boObtain(ext);
    const b = vm.boObtain(local);
    const c = vm2.boObtain(ext);
    a.evict(true);
    b.evict(true);
    a.evict(true);
    expect(vm.evictList()).toEqual([a, b]);
    a.evict(false);
    expect([vm.evictList(), a.evicted]).toEqual([[b], false]);
    ext.evict(true);
    expect([vm.evictList(), vm2.evictList(), a.evicted, c.evicted]).toEqual([[b, a], [c], true, true]);
  });

  test('validate visits the evict list in order, lets fn un-evict, and stops at the first error', () => {
    const { vm, ext, local } = vmWithObjects();
    const ext2 = new GemObject({ name: 'ext2' });
    const a = vm.boObtain(ext);
    const b = vm.boObtain(local);
    const c = vm.boObtain(ext2);
    for (const v of [b, c, a]) v.evict(true);
    const seen: GpuVmBo[] = [];
    vm.validate((v) => {
      seen.push(v);
      v.evict(false);
    });
    expect([seen, vm.evictList()]).toEqual([[b, c, a], []]);

    for (const v of [a, b, c]) v.evict(true);
    const failure = new Error('validation failed');
    const seen2: GpuVmBo[] = [];
    expect(() =>
      vm.validate((v) => {
        seen2.push(v);
        if (v === b) throw failure;
        v.evict(false);
      }),
    ).toThrow(failure);
    expect([seen2, vm.evictList()]).toEqual([[a, b], [b, c]]);
  });
});
