/**
 * The fifteen documented split/merge cases (SEMANTICS.md section 7), each run
 * as a map command on a fresh model, with the ops and the snapshot written out
 * by hand from the section 4 rules. Positions are in pages from B: "0" is B,
 * "1" is B + P, ...; object "a" is bo 1, "b" is bo 2; n = N, m = M.
 */

import { describe, expect, it } from 'vitest';
import type { Command, Observation, Snapshot } from '../../src/protocol/index.ts';
import {
  B,
  P,
  freshModel,
  mapCmd,
  objectRefs,
  opMap,
  opRemap,
  opUnmap,
  piece,
  unmapCmd,
  va,
  vmBo,
} from './helpers.ts';

const N = 0x100000n;
const M = 0x500000n;

/** Runs `old` on a fresh model, then `req`; returns the observation and the snapshot after. */
function run(old: Command, req: Command): { obs: Observation; snap: Snapshot } {
  const m = freshModel([old]);
  const obs = m.exec(req);
  return { obs, snap: m.snapshot() };
}

function snapshotOf(vas: Snapshot['vas'], vmBos: Snapshot['vmBos'], withVmBo: number[]): Snapshot {
  return {
    vas,
    kernel: { addr: 0n, range: P },
    vmBos,
    objects: objectRefs(...withVmBo),
    evictList: [],
    extobjList: [],
    deferred: [],
  };
}

describe('the fifteen documented cases', () => {
  it('case 1: identical request (same object, same offset) -> UNMAP keep=true, MAP', () => {
    const old = va(B, P, 1, N);
    const { obs, snap } = run(mapCmd(B, P, 1, N), mapCmd(B, P, 1, N));
    expect(obs).toStrictEqual({ ok: true, ops: [opUnmap(old, true), opMap(B, P, 1, N)] });
    expect(snap).toStrictEqual(snapshotOf([va(B, P, 1, N)], [vmBo(1, 1, [[B, P]])], [1]));
  });

  it('case 2: identical except the offset -> UNMAP keep=false, MAP', () => {
    const old = va(B, P, 1, N);
    const { obs, snap } = run(mapCmd(B, P, 1, N), mapCmd(B, P, 1, M));
    expect(obs).toStrictEqual({ ok: true, ops: [opUnmap(old, false), opMap(B, P, 1, M)] });
    expect(snap).toStrictEqual(snapshotOf([va(B, P, 1, M)], [vmBo(1, 1, [[B, P]])], [1]));
  });

  it('case 3: identical except the object -> UNMAP keep=false, MAP; the old vm_bo goes away', () => {
    const old = va(B, P, 1, N);
    const { obs, snap } = run(mapCmd(B, P, 1, N), mapCmd(B, P, 2, N));
    expect(obs).toStrictEqual({ ok: true, ops: [opUnmap(old, false), opMap(B, P, 2, N)] });
    expect(snap).toStrictEqual(snapshotOf([va(B, P, 2, N)], [vmBo(2, 1, [[B, P]])], [2]));
  });

  it('case 4: existing VA is a left-aligned subset of the request -> UNMAP keep=true, MAP', () => {
    const old = va(B, P, 1, N);
    const { obs, snap } = run(mapCmd(B, P, 1, N), mapCmd(B, 2n * P, 1, N));
    expect(obs).toStrictEqual({ ok: true, ops: [opUnmap(old, true), opMap(B, 2n * P, 1, N)] });
    expect(snap).toStrictEqual(snapshotOf([va(B, 2n * P, 1, N)], [vmBo(1, 1, [[B, 2n * P]])], [1]));
  });

  it('case 4 with another object: same shape, keep=false', () => {
    const old = va(B, P, 1, N);
    const { obs } = run(mapCmd(B, P, 1, N), mapCmd(B, 2n * P, 2, N));
    expect(obs).toStrictEqual({ ok: true, ops: [opUnmap(old, false), opMap(B, 2n * P, 2, N)] });
  });

  it('case 5: request is a left-aligned subset, other object -> REMAP next (offset n+1), MAP', () => {
    const old = va(B, 2n * P, 1, N);
    const { obs, snap } = run(mapCmd(B, 2n * P, 1, N), mapCmd(B, P, 2, N));
    expect(obs).toStrictEqual({
      ok: true,
      ops: [opRemap(old, false, null, piece(B + P, P, 1, N + P), [B, P]), opMap(B, P, 2, N)],
    });
    expect(snap).toStrictEqual(
      snapshotOf([va(B, P, 2, N), va(B + P, P, 1, N + P)], [vmBo(1, 1, [[B + P, P]]), vmBo(2, 1, [[B, P]])], [1, 2]),
    );
  });

  it('case 6: existing VA is a superset, same object, contiguous offset (left aligned) -> REMAP next keep=true, MAP', () => {
    const old = va(B, 2n * P, 1, N);
    const { obs, snap } = run(mapCmd(B, 2n * P, 1, N), mapCmd(B, P, 1, N));
    expect(obs).toStrictEqual({
      ok: true,
      ops: [opRemap(old, true, null, piece(B + P, P, 1, N + P), [B, P]), opMap(B, P, 1, N)],
    });
    expect(snap).toStrictEqual(
      snapshotOf([va(B, P, 1, N), va(B + P, P, 1, N + P)], [vmBo(1, 2, [[B, P], [B + P, P]])], [1]),
    );
  });

  it('case 7: request is a right-aligned subset, other object -> REMAP prev, MAP', () => {
    const old = va(B, 2n * P, 1, N);
    const { obs, snap } = run(mapCmd(B, 2n * P, 1, N), mapCmd(B + P, P, 2, M));
    expect(obs).toStrictEqual({
      ok: true,
      ops: [opRemap(old, false, piece(B, P, 1, N), null, [B + P, P]), opMap(B + P, P, 2, M)],
    });
    expect(snap).toStrictEqual(
      snapshotOf([va(B, P, 1, N), va(B + P, P, 2, M)], [vmBo(1, 1, [[B, P]]), vmBo(2, 1, [[B + P, P]])], [1, 2]),
    );
  });

  it('case 8: existing VA is a superset, same object, contiguous offset (right aligned) -> REMAP prev keep=true, MAP', () => {
    const old = va(B, 2n * P, 1, N);
    const { obs, snap } = run(mapCmd(B, 2n * P, 1, N), mapCmd(B + P, P, 1, N + P));
    expect(obs).toStrictEqual({
      ok: true,
      ops: [opRemap(old, true, piece(B, P, 1, N), null, [B + P, P]), opMap(B + P, P, 1, N + P)],
    });
    expect(snap).toStrictEqual(
      snapshotOf([va(B, P, 1, N), va(B + P, P, 1, N + P)], [vmBo(1, 2, [[B, P], [B + P, P]])], [1]),
    );
  });

  it('case 9: existing VA overlapped at its end by another object -> REMAP prev, MAP', () => {
    const old = va(B, 2n * P, 1, N);
    const { obs, snap } = run(mapCmd(B, 2n * P, 1, N), mapCmd(B + P, 2n * P, 2, M));
    expect(obs).toStrictEqual({
      ok: true,
      ops: [opRemap(old, false, piece(B, P, 1, N), null, [B + P, P]), opMap(B + P, 2n * P, 2, M)],
    });
    expect(snap).toStrictEqual(
      snapshotOf([va(B, P, 1, N), va(B + P, 2n * P, 2, M)], [vmBo(1, 1, [[B, P]]), vmBo(2, 1, [[B + P, 2n * P]])], [1, 2]),
    );
  });

  it('case 10: existing VA overlapped at its end, same object, contiguous offset -> REMAP prev keep=true, MAP', () => {
    const old = va(B, 2n * P, 1, N);
    const { obs, snap } = run(mapCmd(B, 2n * P, 1, N), mapCmd(B + P, 2n * P, 1, N + P));
    expect(obs).toStrictEqual({
      ok: true,
      ops: [opRemap(old, true, piece(B, P, 1, N), null, [B + P, P]), opMap(B + P, 2n * P, 1, N + P)],
    });
    expect(snap).toStrictEqual(
      snapshotOf([va(B, P, 1, N), va(B + P, 2n * P, 1, N + P)], [vmBo(1, 2, [[B, P], [B + P, 2n * P]])], [1]),
    );
  });

  it('case 11: request is a centred subset, other object -> REMAP prev and next (offset n+2), MAP', () => {
    const old = va(B, 3n * P, 1, N);
    const { obs, snap } = run(mapCmd(B, 3n * P, 1, N), mapCmd(B + P, P, 2, M));
    expect(obs).toStrictEqual({
      ok: true,
      ops: [
        opRemap(old, false, piece(B, P, 1, N), piece(B + 2n * P, P, 1, N + 2n * P), [B + P, P]),
        opMap(B + P, P, 2, M),
      ],
    });
    expect(snap).toStrictEqual(
      snapshotOf(
        [va(B, P, 1, N), va(B + P, P, 2, M), va(B + 2n * P, P, 1, N + 2n * P)],
        [vmBo(1, 2, [[B, P], [B + 2n * P, P]]), vmBo(2, 1, [[B + P, P]])],
        [1, 2],
      ),
    );
  });

  it('case 12: request is a contiguous centred subset of the same object -> REMAP prev and next keep=true, MAP', () => {
    const old = va(B, 3n * P, 1, N);
    const { obs, snap } = run(mapCmd(B, 3n * P, 1, N), mapCmd(B + P, P, 1, N + P));
    expect(obs).toStrictEqual({
      ok: true,
      ops: [
        opRemap(old, true, piece(B, P, 1, N), piece(B + 2n * P, P, 1, N + 2n * P), [B + P, P]),
        opMap(B + P, P, 1, N + P),
      ],
    });
    expect(snap).toStrictEqual(
      snapshotOf(
        [va(B, P, 1, N), va(B + P, P, 1, N + P), va(B + 2n * P, P, 1, N + 2n * P)],
        [vmBo(1, 3, [[B, P], [B + P, P], [B + 2n * P, P]])],
        [1],
      ),
    );
  });

  it('case 13: existing VA is a right-aligned subset of the request -> UNMAP keep=true, MAP', () => {
    const old = va(B + P, P, 1, N + P);
    const { obs, snap } = run(mapCmd(B + P, P, 1, N + P), mapCmd(B, 2n * P, 1, N));
    expect(obs).toStrictEqual({ ok: true, ops: [opUnmap(old, true), opMap(B, 2n * P, 1, N)] });
    expect(snap).toStrictEqual(snapshotOf([va(B, 2n * P, 1, N)], [vmBo(1, 1, [[B, 2n * P]])], [1]));
  });

  it('case 13 with a non-contiguous offset: same shape, keep=false', () => {
    const old = va(B + P, P, 1, N + P);
    const { obs } = run(mapCmd(B + P, P, 1, N + P), mapCmd(B, 2n * P, 1, M));
    expect(obs).toStrictEqual({ ok: true, ops: [opUnmap(old, false), opMap(B, 2n * P, 1, M)] });
  });

  it('case 14: existing VA is a centred subset of the request -> UNMAP keep=true, MAP', () => {
    const old = va(B + P, P, 1, N + P);
    const { obs, snap } = run(mapCmd(B + P, P, 1, N + P), mapCmd(B, 3n * P, 1, N));
    expect(obs).toStrictEqual({ ok: true, ops: [opUnmap(old, true), opMap(B, 3n * P, 1, N)] });
    expect(snap).toStrictEqual(snapshotOf([va(B, 3n * P, 1, N)], [vmBo(1, 1, [[B, 3n * P]])], [1]));
  });

  it('case 15: existing VA overlapped at its start by another object -> REMAP next (offset n+1), MAP', () => {
    // The seed diagram labels the remaining piece "n+2"; by the section 4 formula
    // f + (re - a) it starts one page into the old VA, so its offset is n + 1 page.
    const old = va(B + P, 2n * P, 1, N);
    const { obs, snap } = run(mapCmd(B + P, 2n * P, 1, N), mapCmd(B, 2n * P, 2, M));
    expect(obs).toStrictEqual({
      ok: true,
      ops: [opRemap(old, false, null, piece(B + 2n * P, P, 1, N + P), [B + P, P]), opMap(B, 2n * P, 2, M)],
    });
    expect(snap).toStrictEqual(
      snapshotOf([va(B, 2n * P, 2, M), va(B + 2n * P, P, 1, N + P)], [vmBo(1, 1, [[B + 2n * P, P]]), vmBo(2, 1, [[B, 2n * P]])], [1, 2]),
    );
  });
});

describe('split/merge beyond one VA', () => {
  // X = [0, 2) of bo 1 at offset 0, Y = [2, 3) NULL, Z = [3, 5) of bo 2 at offset 0x7000.
  const X = va(B, 2n * P, 1, 0n);
  const Y = va(B + 2n * P, P, null, 0n);
  const Z = va(B + 3n * P, 2n * P, 2, 0x7000n);
  const setup = [mapCmd(B, 2n * P, 1, 0n), mapCmd(B + 2n * P, P, null, 0n), mapCmd(B + 3n * P, 2n * P, 2, 0x7000n)];

  it('a map across three VAs: REMAP (prev), UNMAP, REMAP (next), MAP last; keep only where object and translation agree', () => {
    const m = freshModel(setup);
    // Request [1, 4) of bo 1 at offset P: X has the same translation (f - a = -B = P - (B + P)).
    const obs = m.exec(mapCmd(B + P, 3n * P, 1, P));
    expect(obs).toStrictEqual({
      ok: true,
      ops: [
        opRemap(X, true, piece(B, P, 1, 0n), null, [B + P, P]),
        opUnmap(Y, false),
        opRemap(Z, false, null, piece(B + 4n * P, P, 2, 0x8000n), [B + 3n * P, P]),
        opMap(B + P, 3n * P, 1, P),
      ],
    });
    expect(m.snapshot().vas).toStrictEqual([va(B, P, 1, 0n), va(B + P, 3n * P, 1, P), va(B + 4n * P, P, 2, 0x8000n)]);
    expect(m.snapshot().vmBos).toStrictEqual([vmBo(1, 2, [[B, P], [B + P, 3n * P]]), vmBo(2, 1, [[B + 4n * P, P]])]);
  });

  it('an unmap across the same VAs: keep is always false and there is no MAP', () => {
    const m = freshModel(setup);
    const obs = m.exec(unmapCmd(B + P, 3n * P));
    expect(obs).toStrictEqual({
      ok: true,
      ops: [
        opRemap(X, false, piece(B, P, 1, 0n), null, [B + P, P]),
        opUnmap(Y, false),
        opRemap(Z, false, null, piece(B + 4n * P, P, 2, 0x8000n), [B + 3n * P, P]),
      ],
    });
    expect(m.snapshot().vas).toStrictEqual([va(B, P, 1, 0n), va(B + 4n * P, P, 2, 0x8000n)]);
  });

  it('an unmap punching a hole in one VA gives one REMAP with prev and next', () => {
    const m = freshModel([mapCmd(B, 3n * P, 1, 0n)]);
    const obs = m.exec(unmapCmd(B + P, P));
    expect(obs).toStrictEqual({
      ok: true,
      ops: [opRemap(va(B, 3n * P, 1, 0n), false, piece(B, P, 1, 0n), piece(B + 2n * P, P, 1, 2n * P), [B + P, P])],
    });
    expect(m.snapshot().vas).toStrictEqual([va(B, P, 1, 0n), va(B + 2n * P, P, 1, 2n * P)]);
  });

  it('an unmap over empty space succeeds with no ops', () => {
    const m = freshModel(setup);
    expect(m.exec(unmapCmd(B + 8n * P, P))).toStrictEqual({ ok: true, ops: [] });
    expect(m.snapshot().vas).toStrictEqual([X, Y, Z]);
  });

  it('a map over empty space is a lone MAP; adjacent mappings are not merged', () => {
    const m = freshModel([mapCmd(B, P, 1, 0n)]);
    expect(m.exec(mapCmd(B + P, P, 1, P))).toStrictEqual({ ok: true, ops: [opMap(B + P, P, 1, P)] });
    expect(m.snapshot().vas).toStrictEqual([va(B, P, 1, 0n), va(B + P, P, 1, P)]);
  });

  it('NULL over NULL with the same offset is not kept (keep needs an object)', () => {
    const m = freshModel([mapCmd(B, P, null, 0n)]);
    expect(m.exec(mapCmd(B, P, null, 0n))).toStrictEqual({ ok: true, ops: [opUnmap(va(B, P, null, 0n), false), opMap(B, P, null, 0n)] });
  });

  it('offsets are exact up to 2^64: the next piece of a VA whose object side ends at 2^64 gets offset 2^64 - P', () => {
    const top = (1n << 64n) - 2n * P;
    const m = freshModel([{ cmd: 'insert', addr: B, range: 2n * P, bo: 1, offset: top }]);
    const obs = m.exec(mapCmd(B, P, 2, 0n));
    expect(obs).toStrictEqual({
      ok: true,
      ops: [opRemap(va(B, 2n * P, 1, top), false, null, piece(B + P, P, 1, top + P), [B, P]), opMap(B, P, 2, 0n)],
    });
  });

  it('the keep test compares translations exactly, also when they are negative', () => {
    // VA [B, B+P) at offset 0 has translation -B; a request at B + P with offset P has translation -B too.
    const m = freshModel([mapCmd(B, 2n * P, 1, 0n)]);
    const obs = m.exec(mapCmd(B + P, P, 1, P));
    expect(obs.ops?.[0]).toStrictEqual(opRemap(va(B, 2n * P, 1, 0n), true, piece(B, P, 1, 0n), null, [B + P, P]));
    const m2 = freshModel([mapCmd(B, 2n * P, 1, 0n)]);
    const obs2 = m2.exec(mapCmd(B + P, P, 1, 0n));
    expect(obs2.ops?.[0]).toStrictEqual(opRemap(va(B, 2n * P, 1, 0n), false, piece(B, P, 1, 0n), null, [B + P, P]));
  });
});
