/**
 * Delta debugging (Zeller and Hildebrandt, "Simplifying and Isolating
 * Failure-Inducing Input", TSE 2002), the `ddmin` algorithm over a sequence.
 *
 * The test is abstract: `stillFails(candidate)` answers whether a
 * subsequence still shows the failure. Anything else -- it passes, it fails
 * differently, it is not a valid input any more -- counts as "does not fail"
 * (ddmin's unresolved outcome folds into pass). The result is 1-minimal:
 * removing any single remaining element makes the failure go away.
 */

/** The oracle: true when `candidate` (a subsequence, order kept) still fails the same way. */
export type DdminTest<T> = (candidate: readonly T[]) => boolean | Promise<boolean>;

export interface DdminResult<T> {
  /** The 1-minimal failing subsequence. */
  readonly items: readonly T[];
  /** How many times the oracle ran (cached repeats not counted). */
  readonly tests: number;
}

/** Split `indices` into `n` chunks of nearly equal length, in order. */
export function splitChunks(indices: readonly number[], n: number): number[][] {
  const chunks: number[][] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = start + Math.floor((indices.length - start) / (n - i));
    chunks.push(indices.slice(start, end));
    start = end;
  }
  return chunks.filter((c) => c.length > 0);
}

/**
 * Reduce `items` to a 1-minimal subsequence on which `stillFails` holds.
 *
 * Precondition: `stillFails(items)` is true (the caller checks; ddmin
 * assumes it). The empty sequence is never tested. Results of the oracle
 * are cached by the set of kept positions, so the worst case stays at the
 * textbook O(n^2) distinct tests.
 */
export async function ddmin<T>(items: readonly T[], stillFails: DdminTest<T>): Promise<DdminResult<T>> {
  const cache = new Map<string, boolean>();
  let tests = 0;
  const test = async (indices: readonly number[]): Promise<boolean> => {
    const key = indices.join(',');
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    tests++;
    const result = await stillFails(indices.map((i) => items[i] as T));
    cache.set(key, result);
    return result;
  };

  let current: number[] = items.map((_, i) => i);
  let n = 2;
  while (current.length >= 2) {
    const chunks = splitChunks(current, Math.min(n, current.length));
    let reduced = false;
    // Reduce to a subset: one chunk alone still fails.
    for (const chunk of chunks) {
      if (chunk.length < current.length && (await test(chunk))) {
        current = chunk;
        n = 2;
        reduced = true;
        break;
      }
    }
    if (reduced) continue;
    // Reduce to a complement: everything but one chunk still fails.
    // (With two chunks the complements are the chunks themselves: cached.)
    for (const chunk of chunks) {
      const drop = new Set(chunk);
      const complement = current.filter((i) => !drop.has(i));
      if (complement.length > 0 && (await test(complement))) {
        current = complement;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (reduced) continue;
    // Increase granularity; at single elements with nothing removable we are 1-minimal.
    if (n >= current.length) break;
    n = Math.min(n * 2, current.length);
  }
  return { items: current.map((i) => items[i] as T), tests };
}
