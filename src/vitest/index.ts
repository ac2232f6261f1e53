/**
 * `gpuvm-check/vitest`: the stateful property inside a vitest suite.
 *
 * - `checkSubject(subject, options)` runs it and rejects with the CLI's failure
 *   report (see `check-subject.ts`); it works in any test framework.
 * - `testSubject(name, subject, options)` declares a vitest test that does just
 *   that, with a timeout fit for the minimiser.
 */

import { test } from 'vitest';
import { checkSubject, type CheckSubjectOptions } from './check-subject.ts';
import type { SubjectFactory } from '../protocol/types.ts';

export { checkSubject, FACTORY_SPEC_PLACEHOLDER, SubjectCheckError } from './check-subject.ts';
export type { CheckSubjectOptions, SubjectCheckResult } from './check-subject.ts';

/** The timeout `testSubject` gives its test unless told otherwise, in ms. */
export const DEFAULT_TEST_TIMEOUT_MS = 120_000;

/** Options of {@link testSubject}: those of `checkSubject`, and the test's timeout. */
export interface TestSubjectOptions extends CheckSubjectOptions {
  /** The test's timeout in ms (default {@link DEFAULT_TEST_TIMEOUT_MS}). */
  readonly timeout?: number;
}

/**
 * Declare a vitest test named `name` that runs `checkSubject(subject, options)`: it
 * passes when every run passes and fails with the failure report otherwise. Call it
 * where `test` may be called (a test file's top level or a `describe` block).
 */
export function testSubject(name: string, subject: SubjectFactory | string, options: TestSubjectOptions = {}): void {
  const { timeout, ...check } = options;
  test(
    name,
    async () => {
      await checkSubject(subject, check);
    },
    timeout ?? DEFAULT_TEST_TIMEOUT_MS,
  );
}
