/**
 * The driver on the fifteen documented map geometries (SEMANTICS.md section 7)
 * and on the basic unmap shapes, in both driver modes: the observed ops and the
 * resulting snapshot are written out by hand.
 */

import { describe, expect, it } from 'vitest';
import type { Command, OpRecord, VaRecord } from '../../src/protocol/types.ts';
import { header, map, mapOp, piece, plainSnapshot, remapOp, setup, subjectFor, unmap, unmapOp, va } from './helpers.ts';

const n = 16n; // object offset of the existing mapping, in pages
const m = 64n; // a different, non-contiguous offset

interface Geometry {
  readonly name: string;
  readonly before: readonly Command[];
  readonly request: Command;
  readonly ops: readonly OpRecord[];
  readonly after: readonly VaRecord[];
}

const cases: readonly Geometry[] = [
  {
    name: '1: identical request -> UNMAP keep, MAP',
    before: [map(1n, 2n, 1, n)],
    request: map(1n, 2n, 1, n),
    ops: [unmapOp(va(1n, 2n, 1, n), true), mapOp(1n, 2n, 1, n)],
    after: [va(1n, 2n, 1, n)],
  },
  {
    name: '2: identical except the offset -> UNMAP, MAP',
    before: [map(1n, 2n, 1, n)],
    request: map(1n, 2n, 1, m),
    ops: [unmapOp(va(1n, 2n, 1, n), false), mapOp(1n, 2n, 1, m)],
    after: [va(1n, 2n, 1, m)],
  },
  {
    name: '3: identical except the object -> UNMAP, MAP',
    before: [map(1n, 2n, 1, n)],
    request: map(1n, 2n, 2, n),
    ops: [unmapOp(va(1n, 2n, 1, n), false), mapOp(1n, 2n, 2, n)],
    after: [va(1n, 2n, 2, n)],
  },
  {
    name: '4: existing is a left-aligned subset of the request -> UNMAP keep, MAP',
    before: [map(1n, 1n, 1, n)],
    request: map(1n, 2n, 1, n),
    ops: [unmapOp(va(1n, 1n, 1, n), true), mapOp(1n, 2n, 1, n)],
    after: [va(1n, 2n, 1, n)],
  },
  {
    name: '5: request is a left-aligned subset, other object -> REMAP next, MAP',
    before: [map(1n, 2n, 1, n)],
    request: map(1n, 1n, 2, m),
    ops: [remapOp(va(1n, 2n, 1, n), false, null, piece(2n, 1n, 1, n + 1n), [1n, 1n]), mapOp(1n, 1n, 2, m)],
    after: [va(1n, 1n, 2, m), va(2n, 1n, 1, n + 1n)],
  },
  {
    name: '6: request is a left-aligned contiguous subset -> REMAP keep next, MAP',
    before: [map(1n, 2n, 1, n)],
    request: map(1n, 1n, 1, n),
    ops: [remapOp(va(1n, 2n, 1, n), true, null, piece(2n, 1n, 1, n + 1n), [1n, 1n]), mapOp(1n, 1n, 1, n)],
    after: [va(1n, 1n, 1, n), va(2n, 1n, 1, n + 1n)],
  },
  {
    name: '7: request is a right-aligned subset, other object -> REMAP prev, MAP',
    before: [map(1n, 2n, 1, n)],
    request: map(2n, 1n, 2, m),
    ops: [remapOp(va(1n, 2n, 1, n), false, piece(1n, 1n, 1, n), null, [2n, 1n]), mapOp(2n, 1n, 2, m)],
    after: [va(1n, 1n, 1, n), va(2n, 1n, 2, m)],
  },
  {
    name: '8: request is a right-aligned contiguous subset -> REMAP keep prev, MAP',
    before: [map(1n, 2n, 1, n)],
    request: map(2n, 1n, 1, n + 1n),
    ops: [remapOp(va(1n, 2n, 1, n), true, piece(1n, 1n, 1, n), null, [2n, 1n]), mapOp(2n, 1n, 1, n + 1n)],
    after: [va(1n, 1n, 1, n), va(2n, 1n, 1, n + 1n)],
  },
  {
    name: '9: request overlaps the end, other object -> REMAP prev, MAP',
    before: [map(1n, 2n, 1, n)],
    request: map(2n, 2n, 2, m),
    ops: [remapOp(va(1n, 2n, 1, n), false, piece(1n, 1n, 1, n), null, [2n, 1n]), mapOp(2n, 2n, 2, m)],
    after: [va(1n, 1n, 1, n), va(2n, 2n, 2, m)],
  },
  {
    name: '10: request overlaps the end contiguously -> REMAP keep prev, MAP',
    before: [map(1n, 2n, 1, n)],
    request: map(2n, 2n, 1, n + 1n),
    ops: [remapOp(va(1n, 2n, 1, n), true, piece(1n, 1n, 1, n), null, [2n, 1n]), mapOp(2n, 2n, 1, n + 1n)],
    after: [va(1n, 1n, 1, n), va(2n, 2n, 1, n + 1n)],
  },
  {
    name: '11: request is a centred subset, other object -> REMAP prev+next, MAP',
    before: [map(1n, 3n, 1, n)],
    request: map(2n, 1n, 2, m),
    ops: [
      remapOp(va(1n, 3n, 1, n), false, piece(1n, 1n, 1, n), piece(3n, 1n, 1, n + 2n), [2n, 1n]),
      mapOp(2n, 1n, 2, m),
    ],
    after: [va(1n, 1n, 1, n), va(2n, 1n, 2, m), va(3n, 1n, 1, n + 2n)],
  },
  {
    name: '12: request is a centred contiguous subset -> REMAP keep prev+next, MAP',
    before: [map(1n, 3n, 1, n)],
    request: map(2n, 1n, 1, n + 1n),
    ops: [
      remapOp(va(1n, 3n, 1, n), true, piece(1n, 1n, 1, n), piece(3n, 1n, 1, n + 2n), [2n, 1n]),
      mapOp(2n, 1n, 1, n + 1n),
    ],
    after: [va(1n, 1n, 1, n), va(2n, 1n, 1, n + 1n), va(3n, 1n, 1, n + 2n)],
  },
  {
    name: '13: existing is a right-aligned subset of the request -> UNMAP keep, MAP',
    before: [map(2n, 1n, 1, n + 1n)],
    request: map(1n, 2n, 1, n),
    ops: [unmapOp(va(2n, 1n, 1, n + 1n), true), mapOp(1n, 2n, 1, n)],
    after: [va(1n, 2n, 1, n)],
  },
  {
    name: '14: existing is a centred subset of the request -> UNMAP keep, MAP',
    before: [map(2n, 1n, 1, n + 1n)],
    request: map(1n, 3n, 1, n),
    ops: [unmapOp(va(2n, 1n, 1, n + 1n), true), mapOp(1n, 3n, 1, n)],
    after: [va(1n, 3n, 1, n)],
  },
  {
    name: '15: request overlaps the beginning, other object -> REMAP next, MAP',
    before: [map(2n, 2n, 1, n)],
    request: map(1n, 2n, 2, m),
    ops: [remapOp(va(2n, 2n, 1, n), false, null, piece(3n, 1n, 1, n + 1n), [2n, 1n]), mapOp(1n, 2n, 2, m)],
    after: [va(1n, 2n, 2, m), va(3n, 1n, 1, n + 1n)],
  },
  {
    name: '14 with another object: the contained VA is unmapped without keep',
    before: [map(2n, 1n, 1, n + 1n)],
    request: map(1n, 3n, 2, n),
    ops: [unmapOp(va(2n, 1n, 1, n + 1n), false), mapOp(1n, 3n, 2, n)],
    after: [va(1n, 3n, 2, n)],
  },
  {
    name: 'a request spanning three VAs cuts the outer two and unmaps the middle one',
    before: [map(1n, 2n, 1, n), map(3n, 2n, 2, m), map(5n, 2n, 1, n + 4n)],
    request: map(2n, 4n, null, 0n),
    ops: [
      remapOp(va(1n, 2n, 1, n), false, piece(1n, 1n, 1, n), null, [2n, 1n]),
      unmapOp(va(3n, 2n, 2, m), false),
      remapOp(va(5n, 2n, 1, n + 4n), false, null, piece(6n, 1n, 1, n + 5n), [5n, 1n]),
      mapOp(2n, 4n, null, 0n),
    ],
    after: [va(1n, 1n, 1, n), va(2n, 4n, null, 0n), va(6n, 1n, 1, n + 5n)],
  },
];

const unmapCases: readonly Geometry[] = [
  {
    name: 'unmap of exactly one VA -> UNMAP',
    before: [map(1n, 2n, 1, n)],
    request: unmap(1n, 2n),
    ops: [unmapOp(va(1n, 2n, 1, n), false)],
    after: [],
  },
  {
    name: 'unmap in the middle of a VA -> REMAP prev+next',
    before: [map(1n, 3n, 1, n)],
    request: unmap(2n, 1n),
    ops: [remapOp(va(1n, 3n, 1, n), false, piece(1n, 1n, 1, n), piece(3n, 1n, 1, n + 2n), [2n, 1n])],
    after: [va(1n, 1n, 1, n), va(3n, 1n, 1, n + 2n)],
  },
  {
    name: 'unmap across three VAs -> REMAP prev, UNMAP, REMAP next',
    before: [map(1n, 2n, 1, n), map(3n, 2n, 2, m), map(5n, 2n, 1, n + 4n)],
    request: unmap(2n, 4n),
    ops: [
      remapOp(va(1n, 2n, 1, n), false, piece(1n, 1n, 1, n), null, [2n, 1n]),
      unmapOp(va(3n, 2n, 2, m), false),
      remapOp(va(5n, 2n, 1, n + 4n), false, null, piece(6n, 1n, 1, n + 5n), [5n, 1n]),
    ],
    after: [va(1n, 1n, 1, n), va(6n, 1n, 1, n + 5n)],
  },
  {
    name: 'unmap of an identical contiguous mapping still reports keep false',
    before: [map(1n, 1n, 1, n), map(2n, 1n, 1, n + 1n)],
    request: unmap(1n, 2n),
    ops: [unmapOp(va(1n, 1n, 1, n), false), unmapOp(va(2n, 1n, 1, n + 1n), false)],
    after: [],
  },
  {
    name: 'unmap of an empty range -> no ops',
    before: [map(1n, 1n, 1, n)],
    request: unmap(8n, 4n),
    ops: [],
    after: [va(1n, 1n, 1, n)],
  },
];

describe.each(['ops', 'steps'] as const)('driver in %s mode', (via) => {
  describe.each([...cases, ...unmapCases])('$name', (g) => {
    it('observes the documented ops and leaves the documented state', () => {
      const subject = subjectFor();
      setup(subject, ...g.before);
      const observation = subject.exec({ ...g.request, via } as Command);
      expect(observation).toEqual({ ok: true, ops: g.ops });
      expect(subject.snapshot()).toEqual(plainSnapshot(g.after));
    });
  });
});

describe('rejected requests', () => {
  const h = header([1, 2], [0n, 4n * 0x1000n]);

  it.each([
    ['a zero range', map(8n, 0n, 1, 0n)],
    ['a range past the end of the VM', map(250n, 8n, 1, 0n)],
    ['a range overlapping the kernel node', map(2n, 4n, 1, 0n)],
    ['an object range past 2^64', { cmd: 'map', addr: 8n * 0x1000n, range: 0x1000n, bo: 1, offset: 2n ** 64n - 1n } as Command],
    ['an unmap with a zero range', unmap(8n, 0n)],
    ['an unmap overlapping the kernel node', unmap(3n, 2n)],
  ])('%s is EINVAL without ops and changes nothing (both modes)', (_label, command) => {
    for (const via of ['ops', 'steps'] as const) {
      const subject = subjectFor(h);
      setup(subject, map(8n, 2n, 1, 0n));
      const before = subject.snapshot();
      expect(subject.exec({ ...command, via } as Command)).toEqual({ ok: false, error: 'EINVAL' });
      expect(subject.snapshot()).toEqual(before);
    }
  });
});
