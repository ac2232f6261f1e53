// A vitest suite of a project using the package's helper: two subjects that
// pass and one faulty subject, whose test must fail with the CLI's report and
// leave its minimised trace in failures/.
import { expect, test } from 'vitest';
import { checkSubject, testSubject } from 'gpuvm-check/vitest';
import countingVm from './counting-vm.ts';

testSubject('the production manager passes', 'builtin:gpuvm', { runs: 50 });

testSubject('a TypeScript factory of this project passes', countingVm, { seed: 3, runs: 50 });

testSubject('the faulty example subject fails', './node_modules/gpuvm-check/examples/subjects/keep-ignores-offset.mjs', {
  seed: 7,
  runs: 300,
  saveTo: 'failures',
});

test('checkSubject resolves with what it ran', async () => {
  const r = await checkSubject(countingVm, { seed: 4, runs: 40 });
  expect(r.runs).toBe(40);
  expect(r.commands).toBeGreaterThan(40);
});
