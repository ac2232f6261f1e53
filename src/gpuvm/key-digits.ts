/**
 * Key digits: u64 values and sums of two of them (below 2^65) as three small
 * integers, so the interval
 * tree can compare keys without touching BigInt heap objects or calling BigInt
 * builtins on its hot paths.
 *
 * A value v in [0, 2^65) has the digits hi = v >> 60 (0..31), mid = bits
 * 30..59 and lo = bits 0..29. Each digit is below 2^30, so V8 keeps it as a
 * small integer (Smi) stored inline in an object, with or without pointer
 * compression. Comparing two values is comparing their digit triples
 * lexicographically ({@link below}), exact for every value up to and
 * that range. Splitting writes its result to the module's outputs
 * {@link keyHi}, {@link keyMid}, {@link keyLo} (read them right after the
 * call): no tuple is allocated per split.
 */

/**
 * 2^65, above every node bound. A valid VA ends at 2^64 at most, but the tree
 * must hold whatever `addr + range` of two u64 a faulty manager inserts (a
 * missing overflow check), so that the harness can see it and name it rather
 * than crash; checking ranges is the manager's job, not the tree's.
 */
const LIMIT = 1n << 65n;
/** 2^30, the radix of the digits. */
const RADIX = 0x4000_0000;
/** 2^30 - 1 as a bigint, to mask one digit out of a value. */
const DIGIT_MASK = 0x3fff_ffffn;
/** 2^53: below it, Number(v) is exact and the digits need no bigint arithmetic. */
const EXACT_NUMBER = 2 ** 53;
/**
 * Query bounds are clamped to [-2^66, 2^66] before they are split. Every node
 * bound lies in [0, 2^65), strictly inside, so clamping changes no comparison
 * a query makes, and the hi digit always fits a Smi.
 */
const QUERY_CLAMP = 1n << 66n;

/** Output of {@link splitKey}: the digits of the last value split. */
export let keyHi = 0;
export let keyMid = 0;
export let keyLo = 0;

/**
 * Split `v` into digits, written to keyHi / keyMid / keyLo: hi = v >> 60,
 * mid = bits 30..59, lo = bits 0..29 (arithmetic shift, so a negative query
 * bound still orders correctly). Values below 2^53 (every address in
 * practice) take a bigint-free path; others are clamped to +-2^66 first.
 */
export function splitKey(v: bigint): void {
  const n = Number(v);
  if (n >= 0 && n < EXACT_NUMBER) splitSmall(n);
  else splitLarge(v);
}

/** The digits of `n`, an integer in [0, 2^53) (exact in a double): float arithmetic only. */
function splitSmall(n: number): void {
  const mid = (n / RADIX) | 0;
  keyHi = 0;
  keyMid = mid;
  keyLo = (n - mid * RADIX) | 0;
}

/** The digits of `v` clamped to [-2^66, 2^66], by bigint arithmetic. */
function splitLarge(v: bigint): void {
  const c = v > QUERY_CLAMP ? QUERY_CLAMP : v < -QUERY_CLAMP ? -QUERY_CLAMP : v;
  keyHi = Number(c >> 60n);
  keyMid = Number((c >> 30n) & DIGIT_MASK);
  keyLo = Number(c & DIGIT_MASK);
}

/**
 * {@link splitKey} for a node bound, which must be a bigint in [0, 2^65)
 * (RangeError otherwise). The common case (below 2^53) needs one conversion
 * to a number and no bigint compare.
 */
export function splitBound(v: bigint, what: string): void {
  if (typeof v === 'bigint') {
    const n = Number(v);
    if (n >= 0 && n < EXACT_NUMBER) {
      splitSmall(n);
      return;
    }
    if (v >= 0n && v < LIMIT) {
      splitLarge(v);
      return;
    }
  }
  throw new RangeError(`IntervalNode: ${what} must be a bigint in [0, 2^65), got ${String(v)}`);
}

/** The value with digits (hi, mid, lo). Exact inverse of {@link splitKey} on [0, 2^65). */
export function joinKey(hi: number, mid: number, lo: number): bigint {
  return (BigInt(hi) << 60n) + (BigInt(mid) << 30n) + BigInt(lo);
}

/** Whether the value with digits (aHi, aMid, aLo) is below the one with digits (bHi, bMid, bLo). */
export function below(aHi: number, aMid: number, aLo: number, bHi: number, bMid: number, bLo: number): boolean {
  return aHi !== bHi ? aHi < bHi : aMid !== bMid ? aMid < bMid : aLo < bLo;
}

/** The digits of `v` in [0, 2^65), by bigint arithmetic only: the independent reference checkStructure uses. */
export function referenceDigits(v: bigint): string {
  return `${v >> 60n}/${(v >> 30n) & DIGIT_MASK}/${v & DIGIT_MASK}`;
}
