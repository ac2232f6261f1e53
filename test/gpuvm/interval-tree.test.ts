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
