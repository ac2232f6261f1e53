/**
 * Every error path of the model: map / unmap validation (EINVAL), insert
 * (EINVAL, EEXIST), remove (ENOENT, EINVAL for the kernel node), bo_put
 * (ENOENT), and what the model refuses outright (bad VM, undeclared object).
 * A rejected command never changes anything.
 */

import { describe, expect, it } from 'vitest';
import type { Command, VmConfig } from '../../src/protocol/index.ts';
import { ReferenceModel } from '../../model/index.ts';
import { P, freshModel, mapCmd, opMap, unmapCmd, va } from './helpers.ts';

const TOP = 1n << 64n;
const EINVAL = { ok: false, error: 'EINVAL' };
// A VM [0x10000, 0x30000) with the kernel node at [0x20000, 0x21000).
const VM: VmConfig = { start: 0x10000n, range: 0x20000n, reserve: { addr: 0x20000n, range: P } };
const SETUP = [mapCmd(0x12000n, 2n * P, 1, 0n), mapCmd(0x18000n, P, 2, 0n)];

/** Runs `command` expecting `observation`, and checks the state did not change. */
function expectRejected(command: Command, observation: object): void {
  const m = freshModel(SETUP, VM);
  const before = m.snapshot();
  expect(m.exec(command)).toStrictEqual(observation);
  expect(m.snapshot()).toStrictEqual(before);
}

describe('map validation', () => {
  it('EINVAL for a zero range', () => expectRejected(mapCmd(0x14000n, 0n, 1, 0n), EINVAL));
  it('EINVAL below the VM start', () => expectRejected(mapCmd(0xf000n, 2n * P, 1, 0n), EINVAL));
  it('EINVAL past the VM end', () => expectRejected(mapCmd(0x2f000n, 2n * P, 1, 0n), EINVAL));
  it('EINVAL for addr + range beyond 2^64', () => expectRejected(mapCmd(0x14000n, TOP - 0x1000n, 1, 0n), EINVAL));
  it('EINVAL when overlapping the kernel node, even by one byte at either end', () => {
    expectRejected(mapCmd(0x1f000n, P + 1n, 1, 0n), EINVAL);
    expectRejected(mapCmd(0x20fffn, P, null, 0n), EINVAL);
    expectRejected(mapCmd(0x20000n, P, 1, 0n), EINVAL);
  });
  it('EINVAL for offset + range beyond 2^64 (also for a NULL mapping)', () => {
    expectRejected(mapCmd(0x14000n, P, 1, TOP - P + 1n), EINVAL);
    expectRejected(mapCmd(0x14000n, P, null, TOP - 1n), EINVAL);
  });
  it('EINVAL ignores failAt and allocFailAt', () => {
    expectRejected(mapCmd(0x14000n, 0n, 1, 0n, { failAt: 1 }), EINVAL);
    expectRejected(mapCmd(0x14000n, 0n, 1, 0n, { via: 'steps', failAt: 1 }), EINVAL);
  });
  it('accepted right up to the kernel node and the VM edges, and offset + range == 2^64', () => {
    const m = freshModel([], VM);
    expect(m.exec(mapCmd(0x1f000n, P, 1, TOP - P))).toStrictEqual({ ok: true, ops: [opMap(0x1f000n, P, 1, TOP - P)] });
    expect(m.exec(mapCmd(0x21000n, P, 1, 0n)).ok).toBe(true);
    expect(m.exec(mapCmd(0x10000n, P, 1, 0n)).ok).toBe(true);
    expect(m.exec(mapCmd(0x2f000n, P, 1, 0n)).ok).toBe(true);
  });
  it('a VM reaching 2^64 accepts a mapping that ends at 2^64', () => {
    const m = freshModel([], { start: TOP - 0x10000n, range: 0x10000n });
    expect(m.exec(mapCmd(TOP - P, P, 1, 0n))).toStrictEqual({ ok: true, ops: [opMap(TOP - P, P, 1, 0n)] });
  });
});

describe('unmap validation', () => {
  it('EINVAL for a zero range', () => expectRejected(unmapCmd(0x12000n, 0n), EINVAL));
  it('EINVAL outside the VM', () => {
    expectRejected(unmapCmd(0xf000n, 2n * P), EINVAL);
    expectRejected(unmapCmd(0x2f000n, 2n * P), EINVAL);
  });
  it('EINVAL for addr + range beyond 2^64', () => expectRejected(unmapCmd(0x12000n, TOP), EINVAL));
  it('EINVAL when the range covers the kernel node (it can never be unmapped)', () => {
    expectRejected(unmapCmd(0x10000n, 0x20000n), EINVAL);
    expectRejected(unmapCmd(0x20000n, P, { via: 'steps' }), EINVAL);
  });
});

describe('insert', () => {
  it('EINVAL unless rangeValid', () => {
    const ins = (addr: bigint, range: bigint): Command => ({ cmd: 'insert', addr, range, bo: 1, offset: 0n });
    expectRejected(ins(0x14000n, 0n), EINVAL);
    expectRejected(ins(0xf000n, P), EINVAL);
    expectRejected(ins(0x30000n, P), EINVAL);
    expectRejected(ins(0x1f800n, P), EINVAL);
    expectRejected(ins(0x14000n, TOP), EINVAL);
  });
  it('EEXIST when overlapping an existing VA, even partly', () => {
    const ins = (addr: bigint, range: bigint): Command => ({ cmd: 'insert', addr, range, bo: 2, offset: 0n });
    expectRejected(ins(0x12000n, 2n * P), { ok: false, error: 'EEXIST' });
    expectRejected(ins(0x13fffn, 2n), { ok: false, error: 'EEXIST' });
    expectRejected(ins(0x11000n, 8n * P), { ok: false, error: 'EEXIST' });
  });
  it('EINVAL when offset + range overflows 2^64, like map (so later splits keep u64 offsets)', () => {
    expectRejected({ cmd: 'insert', addr: 0x14000n, range: 2n * P, bo: 1, offset: TOP - 1n }, EINVAL);
    expectRejected({ cmd: 'insert', addr: 0x14000n, range: 2n * P, bo: null, offset: TOP - P }, EINVAL);
  });
  it('accepts an object side ending exactly at 2^64', () => {
    const m = freshModel(SETUP, VM);
    expect(m.exec({ cmd: 'insert', addr: 0x14000n, range: 2n * P, bo: 1, offset: TOP - 2n * P })).toStrictEqual({ ok: true });
    expect(m.snapshot().vas).toStrictEqual([va(0x12000n, 2n * P, 1, 0n), va(0x14000n, 2n * P, 1, TOP - 2n * P), va(0x18000n, P, 2, 0n)]);
  });
});

describe('remove', () => {
  const rm = (addr: bigint, range: bigint): Command => ({ cmd: 'remove', addr, range });
  it('ENOENT when no VA is exactly there', () => {
    expectRejected(rm(0x12000n, P), { ok: false, error: 'ENOENT' });
    expectRejected(rm(0x11000n, 3n * P), { ok: false, error: 'ENOENT' });
    expectRejected(rm(0x24000n, P), { ok: false, error: 'ENOENT' });
    expectRejected(rm(0x12000n, 0n), { ok: false, error: 'ENOENT' });
  });
  it('EINVAL for the kernel node, which stays', () => {
    expectRejected(rm(0x20000n, P), EINVAL);
  });
  it('removes an exact match', () => {
    const m = freshModel(SETUP, VM);
    expect(m.exec(rm(0x18000n, P))).toStrictEqual({ ok: true });
    expect(m.snapshot().vas).toStrictEqual([va(0x12000n, 2n * P, 1, 0n)]);
  });
});

describe('bo_put', () => {
  it('ENOENT when the driver holds no reference', () => {
    expectRejected({ cmd: 'bo_put', bo: 1 }, { ok: false, error: 'ENOENT' });
    expectRejected({ cmd: 'bo_put', bo: 3 }, { ok: false, error: 'ENOENT' });
  });
});

describe('what the model refuses outright', () => {
  it('a VM reaching past 2^64', () => {
    const m = new ReferenceModel();
    expect(() => m.reset({ vm: { start: 2n, range: TOP - 1n }, objects: [] })).toThrow(/2\^64/);
  });
  it('a reserved node outside the VM', () => {
    const m = new ReferenceModel();
    expect(() => m.reset({ vm: { start: 0x1000n, range: 0x1000n, reserve: { addr: 0x1800n, range: 0x1000n } }, objects: [] })).toThrow(
      /reserved node/,
    );
  });
  it('a duplicate object id', () => {
    const m = new ReferenceModel();
    expect(() => m.reset({ vm: { start: 0n, range: 0x1000n }, objects: [{ bo: 1 }, { bo: 1 }] })).toThrow(/declared twice/);
  });
  it('an object the trace does not declare', () => {
    const m = freshModel([], VM);
    expect(() => m.exec(mapCmd(0x12000n, P, 9, 0n))).toThrow(/object 9 is not declared/);
    expect(() => m.exec({ cmd: 'bo_get', bo: 9 })).toThrow(/object 9 is not declared/);
    expect(() => m.exec({ cmd: 'insert', addr: 0x12000n, range: P, bo: 9, offset: 0n })).toThrow(/object 9 is not declared/);
  });
});

describe('name and factory', () => {
  it('is builtin:model', async () => {
    const { modelFactory } = await import('../../model/index.ts');
    const m = await modelFactory();
    expect(m.name).toBe('builtin:model');
    expect(m).toBeInstanceOf(ReferenceModel);
    expect(m).not.toBe(await modelFactory());
  });
});
