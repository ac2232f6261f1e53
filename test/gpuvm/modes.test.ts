/**
 * The VM modes of 7.x drm_gpuvm in the production manager: which obtain path
 * each mode allows, deferred puts and zombies (their lists, their object
 * reference, cleanup) in both resv-protected settings, eviction of external
 * objects in a resv-protected VM, and validate around zombies.
 */
import { describe, expect, test } from 'vitest';
import {
  GPUVM_IMMEDIATE_MODE,
  GPUVM_RESV_PROTECTED,
  GemObject,
  GpuVa,
  GpuVm,
  GpuVmBo,
  UseAfterFreeError,
} from '../../src/gpuvm/index.ts';
import { codeOf, put } from './helpers.ts';

const U = 0x1000n;

function vmWith(flags: number) {
  const vm = new GpuVm({ start: 0n, range: 64n * U, flags });
  const ext = new GemObject({ name: 'ext' });
  const local = new GemObject({ name: 'local', resv: vm.resv });
  return { vm, ext, local };
}

/** The prealloc pattern of immediate-mode drivers. */
function obtain(vm: GpuVm, obj: GemObject): GpuVmBo {
  const vmBo = vm.boObtainPrealloc(vm.boCreate(obj));
  vmBo.extobjAdd();
  return vmBo;
}

/** A VA of `obj` inserted and linked (the reference the caller obtained is dropped). */
function mapped(vm: GpuVm, obj: GemObject, addr: bigint): GpuVa {
  const vmBo = obtain(vm, obj);
  const va = put(vm, addr, U, obj, 0n);
  va.link(vmBo);
  vmBo.put();
  return va;
}

const IMMEDIATE = GPUVM_IMMEDIATE_MODE;
const BOTH = GPUVM_IMMEDIATE_MODE | GPUVM_RESV_PROTECTED;

describe('the flags', () => {
  test('immediateMode and resvProtected read the flag bits', () => {
    expect([vmWith(0).vm.immediateMode, vmWith(0).vm.resvProtected]).toEqual([false, false]);
    expect([vmWith(IMMEDIATE).vm.immediateMode, vmWith(IMMEDIATE).vm.resvProtected]).toEqual([true, false]);
    expect([vmWith(GPUVM_RESV_PROTECTED).vm.immediateMode, vmWith(GPUVM_RESV_PROTECTED).vm.resvProtected]).toEqual([false, true]);
    expect(vmWith(BOTH).vm.flags).toBe(3);
  });
});

describe('the obtain path each mode allows', () => {
  test('an immediate VM refuses boObtain and changes nothing', () => {
    const { vm, ext } = vmWith(IMMEDIATE);
    expect(codeOf(() => vm.boObtain(ext))).toBe('EINVAL');
    expect([ext.refcount, ext.vmBos(), vm._liveVmBos.size]).toEqual([1, [], 0]);
    expect(obtain(vm, ext).refcount).toBe(1);
  });

  test('a VM that is not immediate refuses boObtainPrealloc and leaves pre alone', () => {
    const { vm, ext } = vmWith(0);
    const pre = vm.boCreate(ext);
    expect(codeOf(() => vm.boObtainPrealloc(pre))).toBe('EINVAL');
    expect([pre.refcount, ext.vmBos()]).toEqual([1, []]);
    expect(pre.put()).toBe(true);
    expect(vm.boObtain(ext).refcount).toBe(1);
  });
});

describe('deferred puts need an immediate VM', () => {
  test('putDeferred and unlinkDefer are EINVAL in a VM that is not immediate, with nothing changed', () => {
    const { vm, ext } = vmWith(GPUVM_RESV_PROTECTED);
    const vmBo = vm.boObtain(ext);
    const va = put(vm, 0n, U, ext, 0n);
    va.link(vmBo);
    expect(codeOf(() => vmBo.putDeferred())).toBe('EINVAL');
    expect(codeOf(() => va.unlinkDefer())).toBe('EINVAL');
    expect([vmBo.refcount, va.vmBo, vm.deferredList()]).toEqual([2, vmBo, []]);
  });

  test('unlinkDefer of a VA without an object, or not linked, does nothing', () => {
    const { vm } = vmWith(0);
    const nullVa = put(vm, 0n, U, null, 0n);
    nullVa.unlinkDefer();
    expect(new GpuVa({ obj: new GemObject() }).unlinkDefer()).toBeUndefined();
    expect(vm.deferredList()).toEqual([]);
  });
});

describe.each([
  ['not resv-protected', IMMEDIATE],
  ['resv-protected', BOTH],
] as const)('zombies in an immediate VM, %s', (_name, flags) => {
  const resvProtected = (flags & GPUVM_RESV_PROTECTED) !== 0;

  test('a deferred put that is not the last is an ordinary put', () => {
    const { vm, ext } = vmWith(flags);
    const vmBo = obtain(vm, ext);
    vmBo.get();
    expect(vmBo.putDeferred()).toBe(false);
    expect([vmBo.refcount, vmBo.zombie, vm.deferredList()]).toEqual([1, false, []]);
  });

  test('the last deferred put makes a zombie: off its object list, queued, its object reference kept', () => {
    const { vm, ext } = vmWith(flags);
    const vmBo = obtain(vm, ext);
    expect(vm.extobjList()).toEqual([vmBo]);
    expect(vmBo.putDeferred()).toBe(true);
    expect([vmBo.zombie, vmBo.destroyed, vmBo.freed, vmBo.refcount]).toEqual([true, true, false, 0]);
    expect(ext.vmBos()).toEqual([]);
    expect(vm.boFind(ext)).toBeNull();
    expect(vm.deferredList()).toEqual([vmBo]);
    expect(vm._liveVmBos.has(vmBo)).toBe(false);
    expect(ext.refcount).toBe(2);
    expect(vm.extobjList()).toEqual(resvProtected ? [vmBo] : []);
  });

  test('a zombie is dead to every use: get, put, evict, extobjAdd, obtain through it', () => {
    const { vm, ext } = vmWith(flags);
    const vmBo = obtain(vm, ext);
    vmBo.putDeferred();
    expect(() => vmBo.get()).toThrow(UseAfterFreeError);
    expect(() => vmBo.put()).toThrow(/zombie/);
    expect(() => vmBo.putDeferred()).toThrow(UseAfterFreeError);
    expect(() => vmBo.evict(true)).toThrow(UseAfterFreeError);
    expect(() => vmBo.extobjAdd()).toThrow(UseAfterFreeError);
    expect(() => vm.boObtainPrealloc(vmBo)).toThrow(UseAfterFreeError);
  });

  test('obtaining again after a deferred put makes a new vm_bo next to the zombie', () => {
    const { vm, ext } = vmWith(flags);
    const old = obtain(vm, ext);
    old.putDeferred();
    const fresh = obtain(vm, ext);
    expect(fresh).not.toBe(old);
    expect(ext.vmBos()).toEqual([fresh]);
    expect(ext.refcount).toBe(3);
    expect(vm.extobjList()).toEqual(resvProtected ? [old, fresh] : [fresh]);
  });

  test('the last unlinkDefer makes a zombie, an earlier one only drops a reference', () => {
    const { vm, ext } = vmWith(flags);
    const a = mapped(vm, ext, 0n);
    const b = mapped(vm, ext, U);
    const vmBo = a.vmBo!;
    a.unlinkDefer();
    expect([a.vmBo, vmBo.refcount, vm.deferredList()]).toEqual([null, 1, []]);
    b.unlinkDefer();
    expect([vmBo.zombie, vm.deferredList()]).toEqual([true, [vmBo]]);
  });

  test('the deferred list is newest first; cleanup frees each zombie once and empties it', () => {
    const { vm, ext, local } = vmWith(flags);
    const first = obtain(vm, local);
    const second = obtain(vm, ext);
    first.putDeferred();
    second.putDeferred();
    expect(vm.deferredList()).toEqual([second, first]);
    expect([local.refcount, ext.refcount]).toEqual([2, 2]);
    expect(vm.boDeferredCleanup()).toBe(2);
    expect([first.freed, second.freed, first.zombie, local.refcount, ext.refcount]).toEqual([true, true, false, 1, 1]);
    expect([vm.deferredList(), vm.extobjList(), vm.evictList()]).toEqual([[], [], []]);
    expect(vm.boDeferredCleanup()).toBe(0);
  });

  test('an evicted zombie of a private object stays on the evict list only when resv-protected, and is never validated', () => {
    const { vm, local } = vmWith(flags);
    const zombie = obtain(vm, local);
    zombie.evict(true);
    zombie.putDeferred();
    expect(vm.evictList()).toEqual(resvProtected ? [zombie] : []);
    const live = obtain(vm, local);
    live.evict(true);
    const seen: GpuVmBo[] = [];
    vm.prepareObjects();
    vm.validate((vmBo) => {
      seen.push(vmBo);
      vmBo.evict(false);
    });
    expect(seen).toEqual([live]);
    expect(vm.evictList()).toEqual(resvProtected ? [zombie] : []);
    vm.boDeferredCleanup();
    expect(vm.evictList()).toEqual([]);
  });

  test('destroy is EBUSY while zombies await cleanup', () => {
    const { vm, ext } = vmWith(flags);
    obtain(vm, ext).putDeferred();
    expect(codeOf(() => vm.destroy())).toBe('EBUSY');
    vm.boDeferredCleanup();
    expect(codeOf(() => vm.destroy())).toBeNull();
    expect(codeOf(() => vm.boDeferredCleanup())).toBe('EINVAL');
  });
});

describe('evicting external objects in a resv-protected VM', () => {
  test('evict only sets the flag; prepareObjects puts it on the evict list; validate takes it off once valid', () => {
    const { vm, ext, local } = vmWith(GPUVM_RESV_PROTECTED);
    const e = vm.boObtain(ext);
    e.extobjAdd();
    const l = vm.boObtain(local);
    e.evict(true);
    l.evict(true);
    expect([e.evicted, vm.evictList()]).toEqual([true, [l]]);
    expect(vm.prepareObjects()).toEqual([e]);
    expect(vm.evictList()).toEqual([l, e]);
    vm.prepareObjects();
    expect(vm.evictList()).toEqual([l, e]);
    const seen: GpuVmBo[] = [];
    vm.validate((vmBo) => {
      seen.push(vmBo);
      vmBo.evict(false);
    });
    expect(seen).toEqual([l, e]);
    expect([e.evicted, vm.evictList()]).toEqual([false, []]);
  });

  test('an entry still evicted after the callback stays on the list', () => {
    const { vm, ext } = vmWith(GPUVM_RESV_PROTECTED);
    const e = vm.boObtain(ext);
    e.extobjAdd();
    e.evict(true);
    vm.prepareObjects();
    vm.validate(() => {});
    expect(vm.evictList()).toEqual([e]);
  });

  test('without resv protection an external object goes on the evict list at once', () => {
    const { vm, ext } = vmWith(0);
    const e = vm.boObtain(ext);
    e.extobjAdd();
    e.evict(true);
    expect(vm.evictList()).toEqual([e]);
    expect(vm.prepareObjects()).toEqual([e]);
    expect(vm.evictList()).toEqual([e]);
  });

  test('prepareObjects skips zombies, and a destroyed VM refuses it', () => {
    const { vm, ext } = vmWith(BOTH);
    const e = obtain(vm, ext);
    e.evict(true);
    e.putDeferred();
    expect(vm.prepareObjects()).toEqual([]);
    expect(vm.evictList()).toEqual([]);
    vm.boDeferredCleanup();
    vm.destroy();
    expect(codeOf(() => vm.prepareObjects())).toBe('EINVAL');
  });
});

describe('every refusal names the entry point and the reason', () => {
  test('the mode checks', () => {
    expect(() => vmWith(IMMEDIATE).vm.boObtain(new GemObject())).toThrow(
      'EINVAL: boObtain: an immediate-mode VM obtains vm_bos with boCreate + boObtainPrealloc',
    );
    const plain = vmWith(0);
    expect(() => plain.vm.boObtainPrealloc(plain.vm.boCreate(plain.ext))).toThrow(
      'EINVAL: boObtainPrealloc: the VM is not in immediate mode (use boObtain)',
    );
    const vmBo = plain.vm.boObtain(plain.ext);
    expect(() => vmBo.putDeferred()).toThrow('EINVAL: GpuVmBo.putDeferred: the VM is not in immediate mode');
    const va = put(plain.vm, 0n, U, plain.ext, 0n);
    va.link(vmBo);
    expect(() => va.unlinkDefer()).toThrow('EINVAL: unlinkDefer: the VM is not in immediate mode');
  });

  test('zombies and destroyed VMs', () => {
    const { vm, ext } = vmWith(IMMEDIATE);
    const vmBo = obtain(vm, ext);
    vmBo.putDeferred();
    expect(() => vmBo.putDeferred()).toThrow('GpuVmBo.putDeferred: the vm_bo is a zombie awaiting cleanup (use after free)');
    expect(() => vmBo.extobjAdd()).toThrow('GpuVmBo.extobjAdd: the vm_bo is a zombie');
    expect(() => vmBo.evict(false)).toThrow('GpuVmBo.evict: the vm_bo is a zombie');
    expect(() => vm.destroy()).toThrow('EBUSY: destroy: 1 zombie vm_bo(s) await boDeferredCleanup');
    vm.boDeferredCleanup();
    expect(() => vmBo.put()).toThrow('GpuVmBo.put: the vm_bo was destroyed (use after free)');
    vm.destroy();
    expect(() => vm.prepareObjects()).toThrow('EINVAL: prepareObjects: the VM was destroyed');
    expect(() => vm.boDeferredCleanup()).toThrow('EINVAL: boDeferredCleanup: the VM was destroyed');
    expect(() => vm.madviseOpsCreate({ addr: 0n, range: U, obj: null, offset: 0n })).toThrow('EINVAL: madviseOpsCreate: the VM was destroyed');
  });

  test('bad arguments', () => {
    const { vm, ext } = vmWith(0);
    expect(() => vm.validate('nope' as never)).toThrow('EINVAL: validate: fn must be a function');
    expect(() => vm.boObtain(ext).evict('yes' as never)).toThrow('EINVAL: GpuVmBo.evict: evict must be a boolean');
    expect(() => vm.madviseOpsCreate({ addr: 0n, range: 0n, obj: null, offset: 0n })).toThrow(/^EINVAL: madviseOpsCreate: /);
  });
});
