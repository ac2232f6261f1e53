/**
 * The augmented red-black interval tree against a plain sorted array, under
 * random inserts and removes (overlapping intervals allowed, bounds both small
 * and right below 2^64), with the structural self-check after every step.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { IntervalNode, IntervalTree, U64_LIMIT } from '../../src/gpuvm/index.ts';

interface Ref {
  start: bigint;
  end: bigint;
  id: number;
}

type Cmd =
  | { op: 'insert'; start: bigint; len: bigint }
  | { op: 'remove'; pick: number }
  | { op: 'query'; start: bigint; len: bigint };

const HIGH = U64_LIMIT - 300n;
const bound = fc.oneof(fc.bigInt({ min: 0n, max: 300n }), fc.bigInt({ min: HIGH, max: U64_LIMIT - 1n }));
const len = fc.bigInt({ min: 1n, max: 60n });
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('insert' as const), start: bound, len }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('query' as const), start: bound, len: fc.bigInt({ min: 0n, max: 400n }) }) },
);

const clip = (v: bigint) => (v > U64_LIMIT ? U64_LIMIT : v);

function runAgainstArray(cmds: readonly Cmd[]): void {
  const tree = new IntervalTree<number>();
  const nodes = new Map<number, IntervalNode<number>>();
  const ref: Ref[] = [];
  let nextId = 1;
  for (const c of cmds) {
    if (c.op === 'insert') {
      const end = clip(c.start + c.len);
      const id = nextId++;
      const node = new IntervalNode(c.start, end, id);
      tree.insert(node);
      nodes.set(id, node);
      // Upper bound: equal starts keep insertion order.
      let i = 0;
      while (i < ref.length && (ref[i] as Ref).start <= c.start) i++;
      ref.splice(i, 0, { start: c.start, end, id });
    } else if (c.op === 'remove') {
      if (ref.length === 0) continue;
      const [victim] = ref.splice(c.pick % ref.length, 1) as [Ref];
      tree.remove(nodes.get(victim.id) as IntervalNode<number>);
      nodes.delete(victim.id);
    } else {
      const end = clip(c.start + c.len);
      // An empty query (zero length) overlaps nothing.
      const overlapping = ref.filter((r) => c.start < end && r.start < end && r.end > c.start).map((r) => r.id);
      const first = tree.findFirst(c.start, end);
      expect(first === null ? null : first.item).toEqual(overlapping[0] ?? null);
      expect(tree.collect(c.start, end)).toEqual(overlapping);
    }
    expect(tree.checkStructure()).toEqual([]);
    expect(tree.size).toBe(ref.length);
    expect(tree.toArray()).toEqual(ref.map((r) => r.id));
  }
  // Walk both ways with successor / predecessor.
  const forward: number[] = [];
  for (let n = tree.first(); n !== null; n = tree.successor(n)) forward.push(n.item);
  const backward: number[] = [];
  for (let n = tree.last(); n !== null; n = tree.predecessor(n)) backward.push(n.item);
  expect(forward).toEqual(ref.map((r) => r.id));
  expect(backward).toEqual(ref.map((r) => r.id).reverse());
}

describe('IntervalTree', () => {
  test('agrees with a sorted array under random inserts, removes and overlap queries', () => {
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 120 }), (cmds) => {
        runAgainstArray(cmds);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  test('insertDisjoint inserts exactly the intervals that overlap nothing and reports an overlapping neighbour', () => {
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 120 }), (cmds) => {
        const tree = new IntervalTree<number>();
        const nodes = new Map<number, IntervalNode<number>>();
        let ref: Ref[] = [];
        let nextId = 1;
        for (const c of cmds) {
          if (c.op === 'remove') {
            if (ref.length === 0) continue;
            const [victim] = ref.splice(c.pick % ref.length, 1) as [Ref];
            tree.remove(nodes.get(victim.id) as IntervalNode<number>);
            continue;
          }
          const end = clip(c.start + c.len);
          if (end <= c.start) continue;
          const id = nextId++;
          const node = new IntervalNode(c.start, end, id);
          const clash = ref.filter((r) => r.start < end && r.end > c.start).map((r) => r.id);
          const hit = tree.insertDisjoint(node);
          if (clash.length === 0) {
            expect(hit).toBeNull();
            nodes.set(id, node);
            ref = [...ref, { start: c.start, end, id }].sort((x, y) => (x.start < y.start ? -1 : 1));
          } else {
            expect(clash).toContain(hit?.item);
          }
          expect(tree.checkStructure()).toEqual([]);
          expect(tree.toArray()).toEqual(ref.map((r) => r.id));
          // On a disjoint tree the early-stopping walk gives the same overlaps.
          const qEnd = clip(c.start + c.len * 3n);
          expect(tree.collectDisjoint(c.start, qEnd)).toEqual(
            ref.filter((r) => r.start < qEnd && r.end > c.start).map((r) => r.id),
          );
        }
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  test('stays balanced and correctly augmented through 2,000 ascending inserts and removal of every other node', () => {
    const tree = new IntervalTree<number>();
    const nodes: IntervalNode<number>[] = [];
    for (let i = 0; i < 2000; i++) {
      const node = new IntervalNode(BigInt(i) * 10n, BigInt(i) * 10n + 5n + BigInt(i % 7), i);
      tree.insert(node);
      nodes.push(node);
    }
    expect(tree.checkStructure()).toEqual([]);
    for (let i = 0; i < 2000; i += 2) tree.remove(nodes[i] as IntervalNode<number>);
    expect(tree.checkStructure()).toEqual([]);
    expect(tree.size).toBe(1000);
    expect(tree.findFirst(0n, 10n)).toBeNull();
    expect(tree.findFirst(0n, 11n)?.item).toBe(1);
  });

  test('checkStructure reports a stale subtree maximum', () => {
    class Broken extends IntervalTree<number> {
      corrupt(): void {
        if (this.root !== null) this.root.maxEnd = 1n;
      }
    }
    const tree = new Broken();
    for (let i = 0; i < 10; i++) tree.insert(new IntervalNode(BigInt(i) * 10n, BigInt(i) * 10n + 5n, i));
    expect(tree.checkStructure()).toEqual([]);
    tree.corrupt();
    expect(tree.checkStructure().join('\n')).toMatch(/maxEnd 1, expected 95/);
  });

  test('checkStructure reports a rotation that skips the augmentation update', () => {
    class StaleRotation extends IntervalTree<number> {
      private rotating = false;
      protected override rotateLeft(x: IntervalNode<number>): void {
        this.rotating = true;
        super.rotateLeft(x);
        this.rotating = false;
      }
      protected override updateAugment(node: IntervalNode<number>): void {
        if (!this.rotating) super.updateAugment(node);
      }
    }
    const tree = new StaleRotation();
    for (let i = 0; i < 3; i++) tree.insert(new IntervalNode(BigInt(i) * 10n, BigInt(i) * 10n + 5n, i));
    expect(tree.checkStructure().some((p) => p.includes('maxEnd'))).toBe(true);
  });

  test('intervals ending exactly at 2^64 are found by queries touching the last address', () => {
    const tree = new IntervalTree<string>();
    tree.insert(new IntervalNode(U64_LIMIT - 16n, U64_LIMIT, 'top'));
    tree.insert(new IntervalNode(0n, 16n, 'bottom'));
    expect(tree.findFirst(U64_LIMIT - 1n, U64_LIMIT)?.item).toBe('top');
    expect(tree.findFirst(U64_LIMIT - 17n, U64_LIMIT - 16n)).toBeNull();
    expect(tree.collect(0n, U64_LIMIT)).toEqual(['bottom', 'top']);
    expect(tree.checkStructure()).toEqual([]);
  });
});

/** Values a few units either side of the digit boundaries (2^30, 2^60), the 2^53 fast-path edge and 2^64. */
const SPLIT_POINTS = [0n, 1n << 30n, 1n << 53n, 1n << 60n, U64_LIMIT - 64n];
const nearSplit = fc
  .tuple(fc.constantFrom(...SPLIT_POINTS), fc.bigInt({ min: -40n, max: 40n }))
  .map(([p, d]) => (p + d < 0n ? 0n : p + d >= U64_LIMIT ? U64_LIMIT - 1n : p + d));

describe('IntervalTree small-integer keys', () => {
  test('agrees with a sorted array when bounds straddle the digit boundaries 2^30, 2^53, 2^60 and 2^64', () => {
    const splitCmd: fc.Arbitrary<Cmd> = fc.oneof(
      { weight: 5, arbitrary: fc.record({ op: fc.constant('insert' as const), start: nearSplit, len: fc.bigInt({ min: 1n, max: 90n }) }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }) },
      { weight: 3, arbitrary: fc.record({ op: fc.constant('query' as const), start: nearSplit, len: fc.bigInt({ min: 0n, max: 120n }) }) },
    );
    fc.assert(
      fc.property(fc.array(splitCmd, { maxLength: 120 }), (cmds) => {
        runAgainstArray(cmds);
      }),
      { seed: 2030, numRuns: 200 },
    );
  });

  test('orders values that differ only in one digit, and reports the exact subtree maximum at 2^64', () => {
    const tree = new IntervalTree<string>();
    const bounds: [bigint, string][] = [
      [(1n << 30n) - 1n, 'lo-max'],
      [1n << 30n, 'mid-1'],
      [(1n << 60n) - 1n, 'mid-max'],
      [1n << 60n, 'hi-1'],
      [(1n << 53n) - 1n, 'exact-max'],
      [1n << 53n, 'exact-edge'],
      [(1n << 53n) + 1n, 'exact-edge+1'],
    ];
    for (const [start, name] of bounds) tree.insert(new IntervalNode(start, start + 1n, name));
    tree.insert(new IntervalNode(U64_LIMIT - 1n, U64_LIMIT, 'top'));
    expect(tree.toArray()).toEqual(['lo-max', 'mid-1', 'exact-max', 'exact-edge', 'exact-edge+1', 'mid-max', 'hi-1', 'top']);
    expect(tree.checkStructure()).toEqual([]);
    expect(tree.findFirst((1n << 53n) + 1n, (1n << 53n) + 2n)?.item).toBe('exact-edge+1');
    expect(tree.findFirst((1n << 30n) - 1n, 1n << 30n)?.item).toBe('lo-max');
    expect(tree.findFirst(U64_LIMIT - 1n, U64_LIMIT + 1n)?.item).toBe('top');
    expect(tree.findFirst(U64_LIMIT, U64_LIMIT + 1n)).toBeNull();
    const root = tree.first();
    let n = root;
    while (n !== null && n.parent !== null) n = n.parent;
    expect(n?.maxEnd).toBe(U64_LIMIT);
  });

  test('checkStructure reports digits that disagree with the bigint bounds', () => {
    const tree = new IntervalTree<number>();
    const node = new IntervalNode(5n << 30n, (5n << 30n) + 7n, 1);
    tree.insert(node);
    expect(tree.checkStructure()).toEqual([]);
    (node as { startMid: number }).startMid = 4;
    (node as { endLo: number }).endLo = 8;
    const problems = tree.checkStructure().join('\n');
    expect(problems).toMatch(/start digits 0\/4\/0, expected 0\/5\/0/);
    expect(problems).toMatch(/end digits 0\/5\/8, expected 0\/5\/7/);
  });

  test('a node rejects bounds outside [0, 2^64]', () => {
    expect(() => new IntervalNode(-1n, 5n, 0)).toThrow(RangeError);
    // Up to any sum of two u64 is held (a faulty manager's VA past 2^64 must be visible, not a crash).
    expect(new IntervalNode(0n, 2n * U64_LIMIT - 2n, 0).end).toBe(2n * U64_LIMIT - 2n);
    expect(() => new IntervalNode(0n, 2n * U64_LIMIT, 0)).toThrow(/end must be a bigint in \[0, 2\^65\)/);
    expect(new IntervalNode(0n, U64_LIMIT, 0).maxEnd).toBe(U64_LIMIT);
  });
});

describe('IntervalTree node reuse', () => {
  test('createNode returns a recycled node re-initialised for its new interval', () => {
    const tree = new IntervalTree<string>();
    const a = tree.createNode(10n, 20n, 'a');
    tree.insert(a);
    tree.insert(tree.createNode(30n, 40n, 'b'));
    tree.remove(a);
    expect(tree.recycleNode(a)).toBe(true);
    const c = tree.createNode(1n << 60n, (1n << 60n) + 5n, 'c');
    expect(c).toBe(a);
    expect([c.start, c.end, c.item, c.maxEnd, c.left, c.right, c.parent]).toEqual([1n << 60n, (1n << 60n) + 5n, 'c', (1n << 60n) + 5n, null, null, null]);
    tree.insert(c);
    expect(tree.checkStructure()).toEqual([]);
    expect(tree.toArray()).toEqual(['b', 'c']);
    expect(tree.createNode(50n, 60n, 'd')).not.toBe(a);
  });

  test('recycleNode refuses a node that is still linked in the tree', () => {
    const tree = new IntervalTree<number>();
    const nodes = [1n, 2n, 3n].map((s) => tree.createNode(s * 10n, s * 10n + 5n, Number(s)));
    for (const n of nodes) tree.insert(n);
    for (const n of nodes) expect(tree.recycleNode(n)).toBe(false);
    expect(tree.createNode(1n, 2n, 0)).not.toBe(nodes[0]);
    expect(tree.checkStructure()).toEqual([]);
  });

  test('random inserts and removes through createNode / recycleNode keep the tree equal to a sorted array', () => {
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 150 }), (cmds) => {
        const tree = new IntervalTree<number>();
        const live = new Map<number, IntervalNode<number>>();
        let ref: Ref[] = [];
        let nextId = 1;
        for (const c of cmds) {
          if (c.op === 'remove') {
            if (ref.length === 0) continue;
            const [victim] = ref.splice(c.pick % ref.length, 1) as [Ref];
            const node = live.get(victim.id) as IntervalNode<number>;
            tree.remove(node);
            expect(tree.recycleNode(node)).toBe(true);
            live.delete(victim.id);
          } else if (c.op === 'insert') {
            const end = clip(c.start + c.len);
            const id = nextId++;
            const node = tree.createNode(c.start, end, id);
            tree.insert(node);
            live.set(id, node);
            let i = 0;
            while (i < ref.length && (ref[i] as Ref).start <= c.start) i++;
            ref = [...ref.slice(0, i), { start: c.start, end, id }, ...ref.slice(i)];
          } else {
            const end = clip(c.start + c.len);
            expect(tree.collect(c.start, end)).toEqual(
              ref.filter((r) => c.start < end && r.start < end && r.end > c.start).map((r) => r.id),
            );
          }
          expect(tree.checkStructure()).toEqual([]);
        }
        expect(tree.toArray()).toEqual(ref.map((r) => r.id));
      }),
      { seed: 99, numRuns: 150 },
    );
  });
});
