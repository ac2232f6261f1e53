/**
 * The tests Stryker runs against each mutant of the split/merge core
 * (stryker.conf.json): the manager's example tests, the driver tests (which
 * drive the manager through every op kind) and the stateful properties, all
 * with pinned seeds so a mutant's status never depends on chance. The model,
 * codec, CLI and zoo suites are left out: they do not exercise the core, or
 * only through what these already cover.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/gpuvm/**/*.test.ts', 'test/driver/**/*.test.ts', 'test/properties/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
  },
});
