/**
 * The trace minimiser over an abstract oracle: commands are removed, fields
 * simplified, and only candidates failing the same way are kept.
 */
import { describe, expect, it } from 'vitest';
import { minimizeTrace, type FailureOutcome } from '../../src/minimize/minimize-trace.ts';
import { smallerValues } from '../../src/minimize/simplify.ts';
import type { Command, Trace } from '../../src/protocol/types.ts';

const BIG: Trace = {
  format: 'gpuvm-trace/1',
  vm: { start: 0x100000n, range: 0x400000n, reserve: { addr: 0x100000n, range: 0x1000n } },
  objects: [{ bo: 1 }, { bo: 2, external: true }, { bo: 3 }],
  commands: [
    { cmd: 'validate' },
    { cmd: 'map', addr: 0x200000n, range: 0x8000n, bo: 3, offset: 0x3000n, via: 'steps', failAt: 3 },
    { cmd: 'find', addr: 0x200000n, range: 0x1000n },
    { cmd: 'bo_get', bo: 2 },
    { cmd: 'unmap', addr: 0x201000n, range: 0x2000n, via: 'steps' },
    { cmd: 'validate' },
  ],
};

/**
 * A stand-in bug: it "fails" at an unmap that comes after a map whose range
 * is at least 0x2000 (keep-flag at unmap); everything else passes.
 */
async function oracle(t: Trace): Promise<FailureOutcome | null> {
  let bigMap = false;
  for (let i = 0; i < t.commands.length; i++) {
    const c = t.commands[i] as Command;
    if (c.cmd === 'map' && c.range >= 0x2000n) bigMap = true;
    if (c.cmd === 'unmap' && bigMap) return { invariant: 'keep-flag', kind: 'unmap', step: i };
  }
  return null;
}

describe('minimizeTrace', () => {
  it('removes irrelevant commands and simplifies every field that does not matter', async () => {
    const r = await minimizeTrace(BIG, oracle);
    expect(r).not.toBeNull();
    expect(r?.commandsBefore).toBe(6);
    expect(r?.commandsAfter).toBe(2);
    // The trace is page-aligned, so it stays so: one page is the smallest range and VM.
    expect(r?.trace.vm).toEqual({ start: 0n, range: 0x1000n });
    expect(r?.trace.objects).toEqual([{ bo: 1 }]);
    expect(r?.trace.commands).toEqual([
      { cmd: 'map', addr: 0n, range: 0x2000n, bo: 1, offset: 0n },
      { cmd: 'unmap', addr: 0n, range: 0x1000n },
    ]);
    expect(r?.outcome).toEqual({ invariant: 'keep-flag', kind: 'unmap', step: 1 });
  });

  it('returns null for a trace that does not fail', async () => {
    expect(await minimizeTrace({ ...BIG, commands: [{ cmd: 'validate' }] }, oracle)).toBeNull();
  });

  it('never accepts a candidate that fails differently', async () => {
    // Dropping the find would make it fail at a different kind: it must stay.
    const picky = async (t: Trace): Promise<FailureOutcome | null> => {
      const o = await oracle(t);
      if (o === null) return null;
      return t.commands.some((c) => c.cmd === 'find') ? o : { ...o, invariant: 'paint' };
    };
    const r = await minimizeTrace(BIG, picky);
    expect(r?.trace.commands.map((c) => c.cmd)).toEqual(['map', 'find', 'unmap']);
  });

  it('stops at the replay budget with the best trace so far', async () => {
    const r = await minimizeTrace(BIG, oracle, { maxTests: 3 });
    expect(r?.tests).toBe(3);
    expect(await oracle(r?.trace as Trace)).toMatchObject({ invariant: 'keep-flag', kind: 'unmap' });
  });
});

describe('smallerValues', () => {
  it('tries the minimum first, then approaches the value by halving the distance', () => {
    const v = smallerValues(0x10000n);
    expect(v[0]).toBe(0n);
    expect(v).toContain(0x8000n);
    expect(v).toContain(0xffffn);
    expect(v.every((x) => x < 0x10000n)).toBe(true);
    expect(new Set(v).size).toBe(v.length);
    expect(smallerValues(1n, 1n)).toEqual([]);
  });

  it('keeps to a granule: every candidate is a multiple of it, the minimum rounded up', () => {
    const v = smallerValues(0x10000n, 1n, 0x1000n);
    expect(v[0]).toBe(0x1000n);
    expect(v).toContain(0x8000n);
    expect(v.every((x) => x % 0x1000n === 0n && x >= 0x1000n && x < 0x10000n)).toBe(true);
  });
});

describe('minimizeTrace and the VM modes', () => {
  const MODES: Trace = {
    format: 'gpuvm-trace/1',
    vm: { start: 0n, range: 0x10000n },
    flags: { immediate: true, resvProtected: true },
    objects: [{ bo: 1 }],
    commands: [
      { cmd: 'map', addr: 0x1000n, range: 0x1000n, bo: 1, offset: 0n, via: 'steps', defer: true },
      { cmd: 'unmap', addr: 0x1000n, range: 0x1000n, via: 'steps', defer: true },
      { cmd: 'deferred_cleanup' },
    ],
  };

  /** Fails at a cleanup after an unmap with defer, but only in an immediate VM; a defer outside steps mode is an input error. */
  async function needsImmediate(t: Trace): Promise<FailureOutcome | null> {
    let deferred = false;
    for (let i = 0; i < t.commands.length; i++) {
      const c = t.commands[i] as Command;
      if ((c.cmd === 'map' || c.cmd === 'unmap') && c.defer === true && c.via !== 'steps') throw new Error('defer without steps');
      if (c.cmd === 'unmap' && c.defer === true) deferred = true;
      if (c.cmd === 'deferred_cleanup' && deferred && t.flags?.immediate === true) return { invariant: 'zombies', kind: 'deferred_cleanup', step: i };
    }
    return null;
  }

  it('drops the flags and the defers that do not matter, and never a via without its defer', async () => {
    const r = await minimizeTrace(MODES, needsImmediate);
    expect(r?.trace.flags).toEqual({ immediate: true });
    // The trace is page-aligned, so it stays so: one page is the smallest range.
    expect(r?.trace.commands).toEqual([
      { cmd: 'unmap', addr: 0n, range: 0x1000n, via: 'steps', defer: true },
      { cmd: 'deferred_cleanup' },
    ]);
  });

  it('drops both flags when neither matters', async () => {
    const bigMap: Command = { cmd: 'map', addr: 0x1000n, range: 0x2000n, bo: 1, offset: 0n, via: 'steps', defer: true };
    const r = await minimizeTrace({ ...MODES, commands: [bigMap, { cmd: 'unmap', addr: 0x1000n, range: 0x1000n }] }, oracle);
    expect(r?.trace.flags).toBeUndefined();
    expect(r?.trace.commands[0]).toEqual({ cmd: 'map', addr: 0n, range: 0x2000n, bo: 1, offset: 0n });
  });
});
