/**
 * An augmented red-black interval tree over half-open bigint intervals.
 *
 * Nodes are keyed on `start` (equal starts keep insertion order) and every node
 * caches the largest `end` in its subtree (the augmentation, read as
 * `maxEnd`), so overlap queries prune whole subtrees. All node bounds are exact
 * bigints in [0, 2^65) (a valid VA ends at 2^64 at most); an interval is [start, end) with start < end, so no
 * "last = end - 1" arithmetic is needed.
 *
 * Representation. The bigint bounds are kept for the public API, but the tree
 * never compares them: each node also holds its start, end and subtree maximum
 * as three small-integer "digits" (key-digits.ts; fields `startHi`,
 * `startMid`, `startLo`, and likewise `end*` and `max*`), stored inline in the
 * node object. A descent therefore touches only the nodes themselves (no
 * BigInt heap objects, no BigInt builtin calls); each query bound is split
 * into digits once per call. The maximum is stored only as digits: `maxEnd`
 * is a getter that rebuilds the bigint (for checks and tests, not the hot
 * path). {@link IntervalTree.checkStructure} verifies that the digits of every
 * node equal its bigint bounds and the true subtree maximum.
 *
 * Node reuse. {@link IntervalTree.recycleNode} takes back removed nodes (at
 * most 1024) and {@link IntervalTree.createNode} re-initialises them, so a
 * VM that maps and unmaps all the time does not allocate (and the garbage
 * collector does not promote) a new node per insert.
 *
 * Costs: insert, remove, findFirst O(log n); in-order successor / predecessor
 * O(1) amortised; walking the k intervals overlapping a range O(log n + k).
 *
 * This is the kernel's `INTERVAL_TREE_DEFINE` + rb-tree pair in one class.
 * Rotations and the augmentation update are protected methods so that a test
 * double (the fault zoo) can break them and be caught by {@link checkStructure}.
 */

import { below, joinKey, keyHi, keyLo, keyMid, referenceDigits, splitBound, splitKey } from './key-digits.ts';

// ---------------------------------------------------------------------------
// Nodes

/**
 * One tree node; `item` is the payload (a GpuVa in the VM's tree). `start` and
 * `end` are exact bigints in [0, 2^65) (RangeError otherwise); the digit
 * fields are the tree's own copies of them (see the module comment).
 */
export class IntervalNode<T> {
  /** Left child (lower starts), or null. */
  left: IntervalNode<T> | null = null;
  /** Right child (higher or equal starts), or null. */
  right: IntervalNode<T> | null = null;
  /** hi digit of the largest `end` in the subtree rooted here (the augmentation; maintained by the tree). */
  maxHi = 0;
  /** mid digit of the subtree maximum (maintained by the tree). */
  maxMid = 0;
  /** lo digit of the subtree maximum (maintained by the tree). */
  maxLo = 0;
  /** hi digit of `start`. */
  readonly startHi: number = 0;
  /** mid digit of `start`. */
  readonly startMid: number = 0;
  /** lo digit of `start`. */
  readonly startLo: number = 0;
  /** hi digit of `end`. */
  readonly endHi: number = 0;
  /** mid digit of `end`. */
  readonly endMid: number = 0;
  /** lo digit of `end`. */
  readonly endLo: number = 0;
  /** Parent node, or null for the root and for a detached node. */
  parent: IntervalNode<T> | null = null;
  /** Red-black colour (true = red). */
  red = true;
  /** Start of the interval (inclusive). */
  readonly start!: bigint;
  /** End of the interval (exclusive; may be 2^64). */
  readonly end!: bigint;
  /** The payload. */
  readonly item!: T;

  constructor(start: bigint, end: bigint, item: T) {
    initNode(this, start, end, item);
  }

  /**
   * Largest `end` in the subtree rooted here (the augmentation), rebuilt from
   * its digits; allocates, so the tree itself never reads it. Assigning it
   * overwrites the digits (a test aid for corrupting the augmentation).
   */
  get maxEnd(): bigint {
    return joinKey(this.maxHi, this.maxMid, this.maxLo);
  }
  set maxEnd(value: bigint) {
    splitKey(value);
    this.maxHi = keyHi;
    this.maxMid = keyMid;
    this.maxLo = keyLo;
  }
}

/** An IntervalNode with its readonly fields writable: for {@link initNode} only. */
type WritableNode<T> = { -readonly [K in keyof IntervalNode<T>]: IntervalNode<T>[K] };

/**
 * (Re)initialise `node` as a detached node for [start, end) carrying `item`:
 * bounds and their digits, subtree maximum = end, no links, red. Shared by the
 * constructor and {@link IntervalTree.createNode} (which reuses recycled nodes).
 */
function initNode<T>(node: IntervalNode<T>, start: bigint, end: bigint, item: T): void {
  const w = node as WritableNode<T>;
  splitBound(start, 'start');
  w.startHi = keyHi;
  w.startMid = keyMid;
  w.startLo = keyLo;
  splitBound(end, 'end');
  w.endHi = keyHi;
  w.endMid = keyMid;
  w.endLo = keyLo;
  w.maxHi = keyHi;
  w.maxMid = keyMid;
  w.maxLo = keyLo;
  w.left = null;
  w.right = null;
  w.parent = null;
  w.red = true;
  w.start = start;
  w.end = end;
  w.item = item;
}

/** At most this many recycled nodes are kept for reuse per tree. */
const SPARE_MAX = 1024;

/** The augmented red-black interval tree (rb_root_cached + INTERVAL_TREE_DEFINE). */
export class IntervalTree<T> {
  protected root: IntervalNode<T> | null = null;
  protected count = 0;
  /** Nodes handed back by {@link recycleNode}, reused by {@link createNode}. */
  private readonly spare: IntervalNode<T>[] = [];

  /** Number of nodes in the tree. */
  get size(): number {
    return this.count;
  }

  // -------------------------------------------------------------------------
  // Navigation

  /** The node with the lowest start, or null when empty. Corresponds to rb_first_cached(). */
  first(): IntervalNode<T> | null {
    let n = this.root;
    if (n === null) return null;
    while (n.left !== null) n = n.left;
    return n;
  }

  /** The node with the highest start, or null when empty. Corresponds to rb_last(). */
  last(): IntervalNode<T> | null {
    let n = this.root;
    if (n === null) return null;
    while (n.right !== null) n = n.right;
    return n;
  }

  /** In-order successor (next higher start), or null. Corresponds to rb_next(). */
  successor(node: IntervalNode<T>): IntervalNode<T> | null {
    let n = node.right;
    if (n !== null) {
      while (n.left !== null) n = n.left;
      return n;
    }
    let c = node;
    let p = c.parent;
    while (p !== null && p.right === c) {
      c = p;
      p = p.parent;
    }
    return p;
  }

  /** In-order predecessor (next lower start), or null. Corresponds to rb_prev(). */
  predecessor(node: IntervalNode<T>): IntervalNode<T> | null {
    let n = node.left;
    if (n !== null) {
      while (n.right !== null) n = n.right;
      return n;
    }
    let c = node;
    let p = c.parent;
    while (p !== null && p.left === c) {
      c = p;
      p = p.parent;
    }
    return p;
  }

  // -------------------------------------------------------------------------
  // Overlap queries
  //
  // The public methods split their bigint bounds into digits once and hand
  // the six digits to the private digit-level walks below.

  /**
   * The lowest-start node overlapping [start, end), or null. An empty query
   * (end <= start) finds nothing.
   *
   * Corresponds to drm_gpuva_it_iter_first() (INTERVAL_TREE_DEFINE's iter_first).
   */
  findFirst(start: bigint, end: bigint): IntervalNode<T> | null {
    const root = this.root;
    if (root === null) return null;
    splitKey(start);
    const sH = keyHi;
    const sM = keyMid;
    const sL = keyLo;
    splitKey(end);
    return this.firstIn(root, sH, sM, sL, keyHi, keyMid, keyLo);
  }

  /**
   * Push the payload of every node overlapping [start, end) onto `out`, in start
   * order, and return `out`. A snapshot: safe to mutate the tree afterwards.
   * Corresponds to a drm_gpuvm_for_each_va_range() walk.
   */
  collect(start: bigint, end: bigint, out: T[] = []): T[] {
    const root = this.root;
    if (root === null) return out;
    splitKey(start);
    const sH = keyHi;
    const sM = keyMid;
    const sL = keyLo;
    splitKey(end);
    const eH = keyHi;
    const eM = keyMid;
    const eL = keyLo;
    let n = this.firstIn(root, sH, sM, sL, eH, eM, eL);
    while (n !== null) {
      out.push(n.item);
      n = this.nextIn(n, sH, sM, sL, eH, eM, eL);
    }
    return out;
  }

  /**
   * {@link collect} for a tree of pairwise disjoint intervals: once a node
   * reaches `end` nothing after it can overlap, so the walk stops there
   * instead of looking for a successor. Same result as `collect` under that
   * precondition. Corresponds to the drm_gpuvm_for_each_va_range() walk of
   * the split/merge helpers.
   */
  collectDisjoint(start: bigint, end: bigint, out: T[] = []): T[] {
    const root = this.root;
    if (root === null) return out;
    splitKey(start);
    const sH = keyHi;
    const sM = keyMid;
    const sL = keyLo;
    splitKey(end);
    const eH = keyHi;
    const eM = keyMid;
    const eL = keyLo;
    let n = this.firstIn(root, sH, sM, sL, eH, eM, eL);
    while (n !== null) {
      out.push(n.item);
      if (!below(n.endHi, n.endMid, n.endLo, eH, eM, eL)) break;
      n = this.nextIn(n, sH, sM, sL, eH, eM, eL);
    }
    return out;
  }

  /** Every payload in start order (a snapshot array). Corresponds to a drm_gpuvm_for_each_va() walk. */
  toArray(): T[] {
    const out: T[] = [];
    let n = this.first();
    while (n !== null) {
      out.push(n.item);
      n = this.successor(n);
    }
    return out;
  }

  /** findFirst on digits: the query is [s, e) = [(sH, sM, sL), (eH, eM, eL)). */
  private firstIn(
    root: IntervalNode<T>,
    sH: number, sM: number, sL: number,
    eH: number, eM: number, eL: number,
  ): IntervalNode<T> | null {
    // An empty query, or one starting at or after every end, finds nothing.
    if (!below(sH, sM, sL, eH, eM, eL) || !below(sH, sM, sL, root.maxHi, root.maxMid, root.maxLo)) return null;
    return this.searchIn(root, sH, sM, sL, eH, eM, eL);
  }

  /**
   * The next node after `node` (in start order) that overlaps the query, or
   * null; `node` must itself overlap it, which makes a walk O(log n + k).
   * Corresponds to INTERVAL_TREE_DEFINE's iter_next.
   */
  private nextIn(
    node: IntervalNode<T>,
    sH: number, sM: number, sL: number,
    eH: number, eM: number, eL: number,
  ): IntervalNode<T> | null {
    let n = node;
    for (;;) {
      const r = n.right;
      if (r !== null && below(sH, sM, sL, r.maxHi, r.maxMid, r.maxLo)) return this.searchIn(r, sH, sM, sL, eH, eM, eL);
      // Climb until we arrive from a left child.
      let c = n;
      let p = c.parent;
      while (p !== null && p.right === c) {
        c = p;
        p = p.parent;
      }
      if (p === null) return null;
      n = p;
      if (!below(n.startHi, n.startMid, n.startLo, eH, eM, eL)) return null;
      if (below(sH, sM, sL, n.endHi, n.endMid, n.endLo)) return n;
    }
  }

  /** The lowest-start node overlapping the query inside the subtree at `top`. */
  private searchIn(
    top: IntervalNode<T>,
    sH: number, sM: number, sL: number,
    eH: number, eM: number, eL: number,
  ): IntervalNode<T> | null {
    let n = top;
    for (;;) {
      const l = n.left;
      if (l !== null && below(sH, sM, sL, l.maxHi, l.maxMid, l.maxLo)) {
        // Some interval on the left ends after `start`; it starts before n, so
        // if anything overlaps at all, the lowest overlap is on the left.
        n = l;
        continue;
      }
      if (!below(n.startHi, n.startMid, n.startLo, eH, eM, eL)) return null;
      if (below(sH, sM, sL, n.endHi, n.endMid, n.endLo)) return n;
      const r = n.right;
      if (r === null || !below(sH, sM, sL, r.maxHi, r.maxMid, r.maxLo)) return null;
      n = r;
    }
  }

  // -------------------------------------------------------------------------
  // Node reuse

  /**
   * A detached node for [start, end) carrying `item` (RangeError for bounds
   * outside [0, 2^65), as the IntervalNode constructor): a recycled node when
   * one is available, else a new one. Reuse spares a busy tree the allocation,
   * and the garbage collector the promotion, of one node per insert.
   * No drm_gpuvm counterpart (the kernel embeds the node in struct drm_gpuva).
   */
  createNode(start: bigint, end: bigint, item: T): IntervalNode<T> {
    const n = this.spare.pop();
    if (n === undefined) return new IntervalNode(start, end, item);
    initNode(n, start, end, item);
    return n;
  }

  /**
   * Offer a node that was removed from this tree (or never inserted), and
   * that the caller no longer references, for reuse by a later
   * {@link createNode}, which re-initialises it. Returns whether it was taken:
   * not when it is still linked (it is the root or has a parent or child) or
   * when SPARE_MAX (1024) spares are already kept. A spare keeps its old
   * payload reachable until it is reused. No drm_gpuvm counterpart.
   */
  recycleNode(node: IntervalNode<T>): boolean {
    if (node === this.root || node.parent !== null || node.left !== null || node.right !== null) return false;
    if (this.spare.length >= SPARE_MAX) return false;
    this.spare.push(node);
    return true;
  }

  // -------------------------------------------------------------------------
  // Mutation

  /**
   * Insert a detached node. Overlapping intervals are allowed here (the VM
   * uses {@link insertDisjoint}). Corresponds to drm_gpuva_it_insert().
   */
  insert(node: IntervalNode<T>): void {
    node.left = null;
    node.right = null;
    const eH = node.endHi;
    const eM = node.endMid;
    const eL = node.endLo;
    node.maxHi = eH;
    node.maxMid = eM;
    node.maxLo = eL;
    node.red = true;
    let parent: IntervalNode<T> | null = null;
    let n = this.root;
    let goLeft = false;
    const sH = node.startHi;
    const sM = node.startMid;
    const sL = node.startLo;
    while (n !== null) {
      if (below(n.maxHi, n.maxMid, n.maxLo, eH, eM, eL)) {
        n.maxHi = eH;
        n.maxMid = eM;
        n.maxLo = eL;
      }
      parent = n;
      goLeft = below(sH, sM, sL, n.startHi, n.startMid, n.startLo);
      n = goLeft ? n.left : n.right;
    }
    node.parent = parent;
    if (parent === null) this.root = node;
    else if (goLeft) parent.left = node;
    else parent.right = node;
    this.count++;
    this.insertFixup(node);
  }

  /**
   * Insert `node` unless it overlaps a node already in the tree, in which case
   * nothing changes and the overlapping neighbour is returned (null on
   * success). Precondition: the tree holds pairwise disjoint intervals (the VA
   * tree always does); then only the in-order neighbours of the new position
   * can overlap, so one descent both checks and inserts.
   *
   * Corresponds to the overlap check plus insert of __drm_gpuva_insert().
   */
  insertDisjoint(node: IntervalNode<T>): IntervalNode<T> | null {
    const sH = node.startHi;
    const sM = node.startMid;
    const sL = node.startLo;
    const eH = node.endHi;
    const eM = node.endMid;
    const eL = node.endLo;
    let parent: IntervalNode<T> | null = null;
    let pred: IntervalNode<T> | null = null;
    let succ: IntervalNode<T> | null = null;
    let n = this.root;
    let goLeft = false;
    while (n !== null) {
      parent = n;
      goLeft = below(sH, sM, sL, n.startHi, n.startMid, n.startLo);
      if (goLeft) {
        succ = n;
        n = n.left;
      } else {
        pred = n;
        n = n.right;
      }
    }
    if (pred !== null && below(sH, sM, sL, pred.endHi, pred.endMid, pred.endLo)) return pred;
    if (succ !== null && below(succ.startHi, succ.startMid, succ.startLo, eH, eM, eL)) return succ;
    node.left = null;
    node.right = null;
    node.maxHi = eH;
    node.maxMid = eM;
    node.maxLo = eL;
    node.red = true;
    node.parent = parent;
    if (parent === null) this.root = node;
    else if (goLeft) parent.left = node;
    else parent.right = node;
    // Ancestors' maxima only grow; stop at the first one already covering end.
    for (let p = parent; p !== null && below(p.maxHi, p.maxMid, p.maxLo, eH, eM, eL); p = p.parent) {
      p.maxHi = eH;
      p.maxMid = eM;
      p.maxLo = eL;
    }
    this.count++;
    this.insertFixup(node);
    return null;
  }

  /** Remove a node that is in this tree. Corresponds to drm_gpuva_it_remove(). */
  remove(z: IntervalNode<T>): void {
    let x: IntervalNode<T> | null;
    let xParent: IntervalNode<T> | null;
    let removedRed: boolean;
    /** The successor that takes z's place when z has two children. */
    let moved: IntervalNode<T> | null = null;
    const zHi = z.maxHi;
    const zMid = z.maxMid;
    const zLo = z.maxLo;
    if (z.left === null) {
      removedRed = z.red;
      x = z.right;
      xParent = z.parent;
      this.transplant(z, x);
    } else if (z.right === null) {
      removedRed = z.red;
      x = z.left;
      xParent = z.parent;
      this.transplant(z, x);
    } else {
      let y = z.right;
      while (y.left !== null) y = y.left;
      moved = y;
      removedRed = y.red;
      x = y.right;
      if (y.parent === z) {
        xParent = y;
      } else {
        xParent = y.parent;
        this.transplant(y, x);
        y.right = z.right;
        y.right.parent = y;
      }
      this.transplant(z, y);
      y.left = z.left;
      y.left.parent = y;
      y.red = z.red;
    }
    this.count--;
    // Every node whose subtree lost z (or gained y) lies on the path from
    // xParent to the root: refresh the augmentation along it. Below the node
    // that moved into z's place every node is recomputed; from there on the
    // walk stops at the first node whose maximum did not change.
    let belowMoved = moved !== null;
    for (let p = xParent; p !== null; p = p.parent) {
      const wasHi = p === moved ? zHi : p.maxHi;
      const wasMid = p === moved ? zMid : p.maxMid;
      const wasLo = p === moved ? zLo : p.maxLo;
      this.updateAugment(p);
      if (p === moved) belowMoved = false;
      else if (belowMoved) continue;
      if (p.maxHi === wasHi && p.maxMid === wasMid && p.maxLo === wasLo) break;
    }
    if (!removedRed) this.deleteFixup(x, xParent);
    z.left = null;
    z.right = null;
    z.parent = null;
  }

  // -------------------------------------------------------------------------
  // Balancing and augmentation (protected: overridable by test doubles)

  /** Recompute the subtree maximum of `node` (its digits) from its own end and its children's maxima. */
  protected updateAugment(node: IntervalNode<T>): void {
    let h = node.endHi;
    let m = node.endMid;
    let l = node.endLo;
    const a = node.left;
    if (a !== null && below(h, m, l, a.maxHi, a.maxMid, a.maxLo)) {
      h = a.maxHi;
      m = a.maxMid;
      l = a.maxLo;
    }
    const b = node.right;
    if (b !== null && below(h, m, l, b.maxHi, b.maxMid, b.maxLo)) {
      h = b.maxHi;
      m = b.maxMid;
      l = b.maxLo;
    }
    node.maxHi = h;
    node.maxMid = m;
    node.maxLo = l;
  }

  /** Left rotation at `x` (x.right moves up); refreshes both nodes' augmentation. */
  protected rotateLeft(x: IntervalNode<T>): void {
    const y = x.right;
    if (y === null) throw new Error('rotateLeft: node has no right child');
    x.right = y.left;
    if (y.left !== null) y.left.parent = x;
    this.replaceChild(x, y);
    y.left = x;
    x.parent = y;
    this.updateAugment(x);
    this.updateAugment(y);
  }

  /** Right rotation at `x` (x.left moves up); refreshes both nodes' augmentation. */
  protected rotateRight(x: IntervalNode<T>): void {
    const y = x.left;
    if (y === null) throw new Error('rotateRight: node has no left child');
    x.left = y.right;
    if (y.right !== null) y.right.parent = x;
    this.replaceChild(x, y);
    y.right = x;
    x.parent = y;
    this.updateAugment(x);
    this.updateAugment(y);
  }

  /** Put `y` where `x` hangs (parent link or root); x's own links are untouched. */
  private replaceChild(x: IntervalNode<T>, y: IntervalNode<T>): void {
    const p = x.parent;
    y.parent = p;
    if (p === null) this.root = y;
    else if (p.left === x) p.left = y;
    else p.right = y;
  }

  private transplant(u: IntervalNode<T>, v: IntervalNode<T> | null): void {
    const p = u.parent;
    if (p === null) this.root = v;
    else if (p.left === u) p.left = v;
    else p.right = v;
    if (v !== null) v.parent = p;
  }

  private insertFixup(node: IntervalNode<T>): void {
    let z = node;
    let p = z.parent;
    while (p !== null && p.red) {
      const g = p.parent;
      if (g === null) break;
      if (p === g.left) {
        const u = g.right;
        if (u !== null && u.red) {
          p.red = false;
          u.red = false;
          g.red = true;
          z = g;
        } else {
          if (z === p.right) {
            this.rotateLeft(p);
            z = p;
          }
          const zp = z.parent as IntervalNode<T>;
          zp.red = false;
          g.red = true;
          this.rotateRight(g);
        }
      } else {
        const u = g.left;
        if (u !== null && u.red) {
          p.red = false;
          u.red = false;
          g.red = true;
          z = g;
        } else {
          if (z === p.left) {
            this.rotateRight(p);
            z = p;
          }
          const zp = z.parent as IntervalNode<T>;
          zp.red = false;
          g.red = true;
          this.rotateLeft(g);
        }
      }
      p = z.parent;
    }
    (this.root as IntervalNode<T>).red = false;
  }

  private deleteFixup(node: IntervalNode<T> | null, parent: IntervalNode<T> | null): void {
    let x = node;
    let p = parent;
    while (x !== this.root && (x === null || !x.red) && p !== null) {
      if (x === p.left) {
        let w = p.right as IntervalNode<T>;
        if (w.red) {
          w.red = false;
          p.red = true;
          this.rotateLeft(p);
          w = p.right as IntervalNode<T>;
        }
        if ((w.left === null || !w.left.red) && (w.right === null || !w.right.red)) {
          w.red = true;
          x = p;
          p = x.parent;
        } else {
          if (w.right === null || !w.right.red) {
            (w.left as IntervalNode<T>).red = false;
            w.red = true;
            this.rotateRight(w);
            w = p.right as IntervalNode<T>;
          }
          w.red = p.red;
          p.red = false;
          if (w.right !== null) w.right.red = false;
          this.rotateLeft(p);
          x = this.root;
          p = null;
        }
      } else {
        let w = p.left as IntervalNode<T>;
        if (w.red) {
          w.red = false;
          p.red = true;
          this.rotateRight(p);
          w = p.left as IntervalNode<T>;
        }
        if ((w.left === null || !w.left.red) && (w.right === null || !w.right.red)) {
          w.red = true;
          x = p;
          p = x.parent;
        } else {
          if (w.left === null || !w.left.red) {
            (w.right as IntervalNode<T>).red = false;
            w.red = true;
            this.rotateLeft(w);
            w = p.left as IntervalNode<T>;
          }
          w.red = p.red;
          p.red = false;
          if (w.left !== null) w.left.red = false;
          this.rotateRight(p);
          x = this.root;
          p = null;
        }
      }
    }
    if (x !== null) x.red = false;
  }

  // -------------------------------------------------------------------------
  // Self-check

  /**
   * Verify the structure and return the problems found (empty when sound):
   * parent links, start order, red-black rules (black root, no red node with
   * a red child, equal black height on every path), each node's subtree
   * maximum equal to the largest end in its subtree, the start / end digits
   * equal to the digits of the bigint bounds, and the node count. Digits are
   * checked against a plain bigint computation, independent of the tree's
   * own conversion. A test aid with no drm_gpuvm counterpart.
   */
  checkStructure(): string[] {
    const problems: string[] = [];
    const root = this.root;
    if (root !== null && root.parent !== null) problems.push('root has a parent');
    if (root !== null && root.red) problems.push('root is red');
    let nodes = 0;
    let prevStart: bigint | null = null;
    /** Returns the black height of the subtree at `n` and the largest end in it (null when empty). */
    const visit = (n: IntervalNode<T> | null, parent: IntervalNode<T> | null): [number, bigint | null] => {
      if (n === null) return [1, null];
      nodes++;
      const what = `node [${n.start}, ${n.end})`;
      if (n.parent !== parent) problems.push(`${what} has a wrong parent link`);
      if (n.red && ((n.left !== null && n.left.red) || (n.right !== null && n.right.red))) {
        problems.push(`red ${what} has a red child`);
      }
      const startDigits = `${n.startHi}/${n.startMid}/${n.startLo}`;
      if (startDigits !== referenceDigits(n.start)) {
        problems.push(`${what} has start digits ${startDigits}, expected ${referenceDigits(n.start)}`);
      }
      const endDigits = `${n.endHi}/${n.endMid}/${n.endLo}`;
      if (endDigits !== referenceDigits(n.end)) {
        problems.push(`${what} has end digits ${endDigits}, expected ${referenceDigits(n.end)}`);
      }
      const [lh, lmax] = visit(n.left, n);
      if (prevStart !== null && n.start < prevStart) problems.push(`${what} is out of order`);
      prevStart = n.start;
      const [rh, rmax] = visit(n.right, n);
      if (lh !== rh) problems.push(`${what} has black heights ${lh} and ${rh}`);
      let m = n.end;
      if (lmax !== null && lmax > m) m = lmax;
      if (rmax !== null && rmax > m) m = rmax;
      const maxDigits = `${n.maxHi}/${n.maxMid}/${n.maxLo}`;
      if (maxDigits !== referenceDigits(m)) {
        problems.push(`${what} has maxEnd ${n.maxEnd}, expected ${m} (digits ${maxDigits}, expected ${referenceDigits(m)})`);
      }
      return [lh + (n.red ? 0 : 1), m];
    };
    visit(root, null);
    if (nodes !== this.count) problems.push(`size is ${this.count} but ${nodes} nodes are reachable`);
    return problems;
  }
}
