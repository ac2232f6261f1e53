/**
 * An augmented red-black interval tree over half-open bigint intervals.
 *
 * Nodes are keyed on `start` (equal starts keep insertion order) and every node
 * caches `maxEnd`, the largest `end` in its subtree, so overlap queries prune
 * whole subtrees. All bounds are exact bigints in [0, 2^64]; an interval is
 * [start, end) with start < end, so no "last = end - 1" arithmetic is needed.
 *
 * Costs: insert, remove, findFirst O(log n); in-order successor / predecessor
 * O(1) amortised; walking the k intervals overlapping a range O(log n + k).
 *
 * This is the kernel's `INTERVAL_TREE_DEFINE` + rb-tree pair in one class.
 * Rotations and the augmentation update are protected methods so that a test
 * double (the fault zoo) can break them and be caught by {@link checkStructure}.
 */

/** One tree node; `item` is the payload (a GpuVa in the VM's tree). */
export class IntervalNode<T> {
  left: IntervalNode<T> | null = null;
  right: IntervalNode<T> | null = null;
  parent: IntervalNode<T> | null = null;
  red = true;
  /** Largest `end` in the subtree rooted here (the augmentation). */
  maxEnd: bigint;

  constructor(
    readonly start: bigint,
    readonly end: bigint,
    readonly item: T,
  ) {
    this.maxEnd = end;
  }
}

/** The augmented red-black interval tree (rb_root_cached + INTERVAL_TREE_DEFINE). */
export class IntervalTree<T> {
  protected root: IntervalNode<T> | null = null;
  protected count = 0;

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

  /**
   * The lowest-start node overlapping [start, end), or null. An empty query
   * (end <= start) finds nothing.
   *
   * Corresponds to drm_gpuva_it_iter_first() (INTERVAL_TREE_DEFINE's iter_first).
   */
  findFirst(start: bigint, end: bigint): IntervalNode<T> | null {
    const root = this.root;
    if (root === null || end <= start || root.maxEnd <= start) return null;
    return this.searchSubtree(root, start, end);
  }

  /**
   * The next node after `node` (in start order) that overlaps [start, end), or
   * null. `node` must itself overlap the query (as returned by findFirst or a
   * previous findNextOverlap), which makes the walk O(log n + k) in total.
   *
   * Corresponds to INTERVAL_TREE_DEFINE's iter_next.
   */
  findNextOverlap(node: IntervalNode<T>, start: bigint, end: bigint): IntervalNode<T> | null {
    let n = node;
    for (;;) {
      const r = n.right;
      if (r !== null && r.maxEnd > start) return this.searchSubtree(r, start, end);
      // Climb until we arrive from a left child.
      let c = n;
      let p = c.parent;
      while (p !== null && p.right === c) {
        c = p;
        p = p.parent;
      }
      if (p === null) return null;
      n = p;
      if (n.start >= end) return null;
      if (n.end > start) return n;
    }
  }

  /**
   * Push the payload of every node overlapping [start, end) onto `out`, in start
   * order, and return `out`. A snapshot: safe to mutate the tree afterwards.
   * Corresponds to a drm_gpuvm_for_each_va_range() walk.
   */
  collect(start: bigint, end: bigint, out: T[] = []): T[] {
    let n = this.findFirst(start, end);
    while (n !== null) {
      out.push(n.item);
      n = this.findNextOverlap(n, start, end);
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
    let n = this.findFirst(start, end);
    while (n !== null) {
      out.push(n.item);
      if (n.end >= end) break;
      n = this.findNextOverlap(n, start, end);
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

  /** Lowest-start node overlapping [start, end) inside the subtree at `top`. */
  protected searchSubtree(top: IntervalNode<T>, start: bigint, end: bigint): IntervalNode<T> | null {
    let n = top;
    for (;;) {
      const l = n.left;
      if (l !== null && l.maxEnd > start) {
        // Some interval on the left ends after `start`; it starts before n, so
        // if anything overlaps at all, the lowest overlap is on the left.
        n = l;
        continue;
      }
      if (n.start >= end) return null;
      if (n.end > start) return n;
      const r = n.right;
      if (r === null || r.maxEnd <= start) return null;
      n = r;
    }
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
    node.maxEnd = node.end;
    node.red = true;
    let parent: IntervalNode<T> | null = null;
    let n = this.root;
    let goLeft = false;
    const start = node.start;
    const end = node.end;
    while (n !== null) {
      if (n.maxEnd < end) n.maxEnd = end;
      parent = n;
      goLeft = start < n.start;
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
    const start = node.start;
    const end = node.end;
    let parent: IntervalNode<T> | null = null;
    let pred: IntervalNode<T> | null = null;
    let succ: IntervalNode<T> | null = null;
    let n = this.root;
    let goLeft = false;
    while (n !== null) {
      parent = n;
      goLeft = start < n.start;
      if (goLeft) {
        succ = n;
        n = n.left;
      } else {
        pred = n;
        n = n.right;
      }
    }
    if (pred !== null && pred.end > start) return pred;
    if (succ !== null && succ.start < end) return succ;
    node.left = null;
    node.right = null;
    node.maxEnd = end;
    node.red = true;
    node.parent = parent;
    if (parent === null) this.root = node;
    else if (goLeft) parent.left = node;
    else parent.right = node;
    // Ancestors' maxEnd only grow; stop at the first one already covering end.
    for (let p = parent; p !== null && p.maxEnd < end; p = p.parent) p.maxEnd = end;
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
    const zMax = z.maxEnd;
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
    // walk stops at the first node whose maxEnd did not change.
    let below = moved !== null;
    for (let p = xParent; p !== null; p = p.parent) {
      const before = p === moved ? zMax : p.maxEnd;
      this.updateAugment(p);
      if (p === moved) below = false;
      else if (below) continue;
      if (p.maxEnd === before) break;
    }
    if (!removedRed) this.deleteFixup(x, xParent);
    z.left = null;
    z.right = null;
    z.parent = null;
  }

  /** Drop every node (their links are left as they are). No drm_gpuvm counterpart. */
  clear(): void {
    this.root = null;
    this.count = 0;
  }

  // -------------------------------------------------------------------------
  // Balancing and augmentation (protected: overridable by test doubles)

  /** Recompute `node.maxEnd` from its own end and its children's maxEnd. */
  protected updateAugment(node: IntervalNode<T>): void {
    let m = node.end;
    const l = node.left;
    const r = node.right;
    if (l !== null && l.maxEnd > m) m = l.maxEnd;
    if (r !== null && r.maxEnd > m) m = r.maxEnd;
    node.maxEnd = m;
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
   * a red child, equal black height on every path), each node's maxEnd equal
   * to the largest end in its subtree, and the node count.
   * A test aid with no drm_gpuvm counterpart.
   */
  checkStructure(): string[] {
    const problems: string[] = [];
    const root = this.root;
    if (root !== null && root.parent !== null) problems.push('root has a parent');
    if (root !== null && root.red) problems.push('root is red');
    let nodes = 0;
    let prevStart: bigint | null = null;
    const visit = (n: IntervalNode<T> | null, parent: IntervalNode<T> | null): number => {
      if (n === null) return 1;
      nodes++;
      if (n.parent !== parent) problems.push(`node [${n.start}, ${n.end}) has a wrong parent link`);
      if (n.red && ((n.left !== null && n.left.red) || (n.right !== null && n.right.red))) {
        problems.push(`red node [${n.start}, ${n.end}) has a red child`);
      }
      const lh = visit(n.left, n);
      if (prevStart !== null && n.start < prevStart) problems.push(`node [${n.start}, ${n.end}) is out of order`);
      prevStart = n.start;
      const rh = visit(n.right, n);
      if (lh !== rh) problems.push(`node [${n.start}, ${n.end}) has black heights ${lh} and ${rh}`);
      let m = n.end;
      if (n.left !== null && n.left.maxEnd > m) m = n.left.maxEnd;
      if (n.right !== null && n.right.maxEnd > m) m = n.right.maxEnd;
      if (n.maxEnd !== m) problems.push(`node [${n.start}, ${n.end}) has maxEnd ${n.maxEnd}, expected ${m}`);
      return lh + (n.red ? 0 : 1);
    };
    visit(root, null);
    if (nodes !== this.count) problems.push(`size is ${this.count} but ${nodes} nodes are reachable`);
    return problems;
  }
}
