/**
 * Running a generator of possibly-async steps synchronously for as long as
 * every yielded value is a plain value, switching to promises only at the
 * first thenable. This keeps the per-command hot path free of `await` for
 * synchronous subjects (the built-in ones), while async subjects still work.
 */

/** A value, or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/** Whether `v` is a thenable. */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    v !== null &&
    (typeof v === 'object' || typeof v === 'function') &&
    typeof (v as { then?: unknown }).then === 'function'
  );
}

async function resume<T>(
  gen: Generator<unknown, T, unknown>,
  pending: PromiseLike<unknown>,
): Promise<IteratorResult<unknown, T>> {
  let settled: unknown;
  try {
    settled = await pending;
  } catch (e) {
    return gen.throw(e); // a rejection is thrown at the `yield` (the generator may catch it)
  }
  return gen.next(settled);
}

async function continueAsync<T>(gen: Generator<unknown, T, unknown>, pending: PromiseLike<unknown>): Promise<T> {
  let r = await resume(gen, pending);
  for (;;) {
    if (r.done) return r.value;
    const v = r.value;
    r = isThenable(v) ? await resume(gen, v) : gen.next(v);
  }
}

/**
 * Drives `gen`: each `yield x` evaluates to `x` itself, or to what `x`
 * resolves to when it is a thenable (a rejection is thrown at the `yield`).
 * Returns synchronously when nothing yielded was a thenable.
 */
export function drive<T>(gen: Generator<unknown, T, unknown>): MaybePromise<T> {
  let r = gen.next();
  for (;;) {
    if (r.done) return r.value;
    const v = r.value;
    if (isThenable(v)) return continueAsync(gen, v);
    r = gen.next(v);
  }
}
