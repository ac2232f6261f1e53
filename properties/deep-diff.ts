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

/**
 * Fast structural equality for the plain data of this harness (records,
 * arrays, bigints, primitives), without building paths. Same notion of
 * equality as {@link firstDifference}; used on the hot path, with
 * `firstDifference` called only to explain a difference.
 */
export function fastEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!fastEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let na = 0;
  for (const k in ra) {
    const v = ra[k];
    if (v === undefined) continue;
    na++;
    if (!fastEqual(v, rb[k])) return false;
  }
  let nb = 0;
  for (const k in rb) if (rb[k] !== undefined) nb++;
  return na === nb;
}

/** {@link firstDifference}, with a fast equality check first. */
export function differenceIfAny(expected: unknown, actual: unknown, path = ''): Difference | null {
  return fastEqual(expected, actual) ? null : firstDifference(expected, actual, path);
}
