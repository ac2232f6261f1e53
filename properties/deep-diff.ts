/**
 * Structural comparison of plain data (objects, arrays, bigints, primitives),
 * reporting the first differing field path. Keys whose value is `undefined`
 * count as absent, so `{ok: true}` equals `{ok: true, ops: undefined}`.
 */

/** Where two values first differ: the field path (`ops[1].next.offset`) and both sides. */
export interface Difference {
  readonly path: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function keyPath(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}

/**
 * The first difference between `expected` and `actual`, depth first in key
 * order (expected's keys first, then keys only `actual` has), or null when
 * they are equal.
 */
export function firstDifference(expected: unknown, actual: unknown, path = ''): Difference | null {
  if (expected === actual) return null;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return { path, expected, actual };
    const n = Math.min(expected.length, actual.length);
    for (let i = 0; i < n; i++) {
      const d = firstDifference(expected[i], actual[i], `${path}[${i}]`);
      if (d !== null) return d;
    }
    if (expected.length !== actual.length) {
      return { path: `${path}.length`, expected: expected.length, actual: actual.length };
    }
    return null;
  }
  if (isRecord(expected)) {
    if (!isRecord(actual)) return { path, expected, actual };
    for (const k in expected) {
      const d = firstDifference(expected[k], actual[k], keyPath(path, k));
      if (d !== null) return d;
    }
    for (const k in actual) {
      if (!(k in expected) && actual[k] !== undefined) {
        return { path: keyPath(path, k), expected: undefined, actual: actual[k] };
      }
    }
    return null;
  }
  // Primitives (bigint compares by value with ===); NaN never appears in this data.
  return { path, expected, actual };
}

/** Whether two plain values are structurally equal (see {@link firstDifference}). */
export function deepEqual(a: unknown, b: unknown): boolean {
  return firstDifference(a, b) === null;
}
