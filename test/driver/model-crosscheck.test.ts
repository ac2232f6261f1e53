/**
 * Smoke test: the driver over the production manager and the reference model
 * agree, observation by observation and snapshot by snapshot, on a few hundred
 * seeded random command sequences. (The real model-agrees property, with
 * shrinking, lives in properties/; this only shows the driver is wired right.)
 */

import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { modelFactory } from '../../model/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { BoId, BoRef, Command, ObjectDecl, TraceHeader, VaRecord, Via } from '../../src/protocol/types.ts';

const P = 0x1000n;
const SEED = 'gpuvm-driver-crosscheck-1';
const SEQUENCES = 300;
const COMMANDS = 40;

type Rng = () => number;

const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, 0, items.length - 1)] as T;
const pages = (rng: Rng, lo: number, hi: number): bigint => BigInt(int(rng, lo, hi)) * P;

function randomHeader(rng: Rng): TraceHeader {
  const objects: ObjectDecl[] = [1, 2, 3].map((bo) => (rng() < 0.4 ? { bo, external: true } : { bo }));
  const reserve = rng() < 0.5 ? { addr: pages(rng, 0, 8), range: pages(rng, 1, 3) } : null;
  return { vm: { start: 0n, range: 48n * P, reserve }, objects };
}

/** A random command; a third of the time its range is exactly one of `existing` (so remove / find hit). */
function randomCommand(rng: Rng, existing: readonly VaRecord[]): Command {
  const target = existing.length > 0 && rng() < 0.3 ? pick(rng, existing) : null;
  const addr = target?.addr ?? pages(rng, 0, 50);
  const range = target?.range ?? pages(rng, rng() < 0.05 ? 0 : 1, 10);
  const bo = (): BoRef => (rng() < 0.15 ? null : int(rng, 1, 3));
  const someBo = (): BoId => int(rng, 1, 3);
  const via: Via = rng() < 0.5 ? 'ops' : 'steps';
  const faults = (): { failAt?: number; allocFailAt?: number } => {
    const r = rng();
    if (r < 0.15) return { failAt: int(rng, 1, 5) };
    if (r < 0.25 && via === 'ops') return { allocFailAt: int(rng, 1, 5) };
    return {};
  };
  const r = rng();
  if (r < 0.35) return { cmd: 'map', addr, range, bo: bo(), offset: pages(rng, 0, 12), via, ...faults() };
  if (r < 0.5) return { cmd: 'unmap', addr, range, via, ...faults() };
  const other: Command[] = [
    { cmd: 'prefetch', addr, range },
    { cmd: 'bo_unmap', bo: someBo() },
    { cmd: 'insert', addr, range, bo: bo(), offset: pages(rng, 0, 12) },
    { cmd: 'remove', addr, range },
    { cmd: 'find', addr, range },
    { cmd: 'find_first', addr, range },
    { cmd: 'interval_empty', addr, range },
    { cmd: 'find_prev', start: addr },
    { cmd: 'find_next', end: addr },
    { cmd: 'bo_get', bo: someBo() },
    { cmd: 'bo_put', bo: someBo() },
    { cmd: 'evict', bo: someBo(), evict: rng() < 0.6 },
    { cmd: 'validate' },
  ];
  return pick(rng, other);
}

describe('driver and reference model agree', () => {
  it(`on ${SEQUENCES} seeded random sequences of ${COMMANDS} commands`, async () => {
    const rng = seedrandom(SEED);
    let failures = 0;
    let injected = 0;
    for (let s = 0; s < SEQUENCES; s++) {
      const h = randomHeader(rng);
      const driver = new GpuVmSubject();
      const model = await modelFactory();
      driver.reset(h);
      await model.reset(h);
      let snapshot = driver.snapshot();
      for (let c = 0; c < COMMANDS; c++) {
        const command = randomCommand(rng, snapshot.vas);
        const where = `sequence ${s}, command ${c}`;
        const got = driver.exec(command);
        const want = await model.exec(command);
        expect(got, where).toEqual(want);
        snapshot = driver.snapshot();
        expect(snapshot, where).toEqual(await model.snapshot());
        if (!got.ok) failures++;
        if (got.error === 'EIO' || got.error === 'ENOMEM') injected++;
      }
    }
    // The generator must reach the interesting paths, or the comparison says little.
    expect(failures).toBeGreaterThan(500);
    expect(injected).toBeGreaterThan(100);
  });
});
