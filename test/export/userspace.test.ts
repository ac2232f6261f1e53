/**
 * The exported suite run in userspace against the trees' drm_gpuvm.c (no
 * kernel build): the regression corpus passes apart from the upstream
 * findings, each of which fails at the command the harness names; the
 * outcome agrees with the harness's verdict through the kernel subject for
 * every case; a tree with a bug fixed passes the case, a tree with a bug put
 * in fails it at the right command. Also gpuvm-check's userspace KUnit on its
 * own cases, and the sanitizer build.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { caseNames } from '../../src/export/c-names.ts';
import { exportKunit, type ExportInput } from '../../src/export/kunit.ts';
import type { KtapCase } from '../../src/export/ktap.ts';
import { checkTestSource, runUserspaceKunit } from '../../src/export/userspace.ts';
import { inParallel, OWN_WARNINGS } from '../../src/kernel/build.ts';
import { findCompiler, runCompiler } from '../../src/kernel/compiler.ts';
import { commonFlags, KERNEL_DIR } from '../../src/kernel/probes.ts';
import { resolveTree } from '../../src/export/variant.ts';
import { compareCases, harnessVerdicts } from '../../src/export/verify.ts';
import { scratchCache, skipReason, titled, TreeCopy, treeOf } from '../kernel/trees.ts';
import { corpusInputs, findingsInputs, REPO, wholeCorpus } from './helpers.ts';

const TIMEOUT = 240_000;
const copies: TreeCopy[] = [];
afterAll(() => {
  for (const c of copies.splice(0)) c.remove();
});

async function runCorpus(tree: string, inputs: readonly ExportInput[], sanitize = false) {
  const r = await resolveTree(tree);
  if (r.tree === null || r.probes === null) throw new Error('not a tree');
  const source = exportKunit(inputs, { variant: r.variant });
  const run = await runUserspaceKunit({ tree: r.tree, probes: r.probes, source, sanitize });
  return { r, run, names: caseNames(inputs.map((i) => i.file)) };
}

function byName(cases: readonly KtapCase[]): Map<string, KtapCase> {
  return new Map(cases.map((c) => [c.name, c] as const));
}

/** The known upstream findings among the corpus traces, per tree: case -> failing command (null: skipped). */
const NOT_EXPORTED = {
  // VM mode flags, madvise and deferred puts are not exported yet (nor does the kernel subject run them).
  drm_test_gpuvm_cleanup_frees_twice: null,
  drm_test_gpuvm_zombie_stays_on_evict_list: null,
  drm_test_gpuvm_madvise_map_is_request: null,
  drm_test_gpuvm_madvise_splits_object_va: null,
};
const KNOWN: Record<string, Record<string, number | null>> = {
  '6.12': { drm_test_gpuvm_zero_length_range: 0, drm_test_gpuvm_find_closed_windows: 0, ...NOT_EXPORTED },
  '7.3': { drm_test_gpuvm_zero_length_range: 0, drm_test_gpuvm_find_closed_windows: null, ...NOT_EXPORTED },
};

for (const version of ['6.12', '7.3'] as const) {
  describe.skipIf(skipReason(version) !== null)(titled(version, 'the regression corpus as KUnit cases in userspace'), () => {
    test(
      'the corpus and the upstream findings: every case agrees with the harness, the corpus passes but for its known findings, nothing crashes',
      async () => {
        const corpus = wholeCorpus();
        const findings = findingsInputs(version);
        const inputs = [...corpus, ...findings];
        const { r, run, names } = await runCorpus(treeOf(version) as string, inputs);
        expect(run.warnings).toEqual([]);
        expect(run.cases.map((c) => c.name)).toEqual(names);
        expect(run.cases.flatMap((c) => c.failures.filter((f) => f.kind === 'crash').map((f) => [c.name, f.text]))).toEqual([]);
        const known = KNOWN[version] as Record<string, number | null>;
        for (const c of run.cases.slice(0, corpus.length)) {
          const k = known[c.name];
          if (k === undefined) expect([c.name, c.status, c.failures]).toEqual([c.name, 'pass', []]);
          else if (k === null) expect([c.name, c.status]).toEqual([c.name, 'skip']);
          else expect([c.name, c.status, c.failedCommand]).toEqual([c.name, 'fail', k]);
        }
        expect(run.exitCode).toBe(1);
        const verdicts = await harnessVerdicts(inputs, r.tree as NonNullable<typeof r.tree>);
        // The cases the export cannot drive yet are skipped (asserted above); the harness
        // runs them against the kernel subject, so there is no verdict to compare them with.
        const compared = compareCases(inputs, names, verdicts, run.cases, r.variant).filter(
          (c) => !(c.kunit?.status === 'skip' && /not exported yet/.test(c.kunit.reason ?? '')),
        );
        expect(compared.filter((c) => !c.agrees)).toEqual([]);
        const corpusNames = new Set(names.slice(0, corpus.length));
        expect(compared.filter((c) => corpusNames.has(c.name) && c.harness.status === 'fail').map((c) => c.name).sort()).toEqual(
          Object.entries(known).filter(([, k]) => k !== null).map(([n]) => n).sort(),
        );
        // Every finding the harness fails fails here at its command (those a KUnit test cannot see aside).
        for (const c of compared.filter((x) => !corpusNames.has(x.name))) {
          if (c.harness.status === 'fail' && c.kunit?.status === 'fail') expect([c.name, c.kunit.failedCommand]).toEqual([c.name, c.harness.step]);
        }
      },
      TIMEOUT,
    );

    test(
      'upstream findings of a kernel campaign fail at the command the harness names (a WARN only where KUnit counts them)',
      async () => {
        const inputs = corpusInputs('test/export/fixtures/findings');
        const { r, run, names } = await runCorpus(treeOf(version) as string, inputs);
        const got = run.cases.map((c) => [c.name, c.status, c.failedCommand]);
        expect(got).toEqual([
          ['drm_test_gpuvm_bo_unmap_order', 'fail', 2],
          ['drm_test_gpuvm_unmap_zero_range', 'fail', 0],
          version === '7.3' ? ['drm_test_gpuvm_vm_ends_at_2_64', 'fail', 0] : ['drm_test_gpuvm_vm_ends_at_2_64', 'pass', null],
        ]);
        if (version === '7.3') expect(byName(run.cases).get('drm_test_gpuvm_vm_ends_at_2_64')?.failures[0]?.text.at(-1)).toBe('command 0 (find): the number of WARNs');
        const verdicts = await harnessVerdicts(inputs, r.tree as NonNullable<typeof r.tree>);
        expect(verdicts.map((v) => (v.status === 'fail' ? [v.invariant, v.step] : v.status))).toEqual([
          ['ops-shape', 2],
          ['model-agrees', 0],
          ['kernel-warn', 0],
        ]);
        expect(compareCases(inputs, names, verdicts, run.cases, r.variant).map((c) => c.agrees)).toEqual([true, true, true]);
      },
      TIMEOUT,
    );

    test(
      'each trace on its own exports a file without a compiler warning (no helper it does not use)',
      async () => {
        const r = await resolveTree(treeOf(version) as string);
        const inputs = wholeCorpus();
        const diagnostics = await inParallel(
          inputs.map((input) => async () => (await checkTestSource(r.tree as NonNullable<typeof r.tree>, r.probes as NonNullable<typeof r.probes>, exportKunit([input], { variant: r.variant }))).map((d) => `${input.file}: ${d}`)),
          2,
        );
        expect(diagnostics.flat()).toEqual([]);
      },
      TIMEOUT,
    );

    test(
      'a failure names the command, the field and both values',
      async () => {
        const { run } = await runCorpus(treeOf(version) as string, corpusInputs('corpus/zoo').filter((i) => i.file.includes('zero-length')));
        const c = byName(run.cases).get('drm_test_gpuvm_zero_length_range');
        expect(c?.failures[0]?.text).toEqual(['Expected got == want, but', 'got == 0 (0x0)', 'want == -22 (0xffffffffffffffea)', 'command 0 (map): the result']);
        expect(c?.failures[0]?.where).toMatch(/^drivers\/gpu\/drm\/tests\/drm_gpuvm_test\.c:\d+$/);
      },
      TIMEOUT,
    );
  });
}

describe.skipIf(skipReason('7.3') !== null)(titled('7.3', 'the exported test against changed trees'), () => {
  test(
    'with range 0 rejected (the upstream fix), the zero-length case passes, here and in the harness',
    async () => {
      const copy = new TreeCopy('7.3');
      copies.push(copy);
      copy.edit('drivers/gpu/drm/drm_gpuvm.c', '\treturn !drm_gpuvm_check_overflow(addr, range) &&', '\treturn range && !drm_gpuvm_check_overflow(addr, range) &&');
      const inputs = corpusInputs('corpus/zoo').filter((i) => /zero-length|overflow|keep-ignores/.test(i.file));
      const { r, run, names } = await runCorpus(copy.root, inputs);
      expect(run.cases.map((c) => [c.name, c.status])).toEqual(names.map((n) => [n, 'pass']));
      const verdicts = await harnessVerdicts(inputs, r.tree as NonNullable<typeof r.tree>, { cacheDir: scratchCache() });
      expect(verdicts.map((v) => v.status)).toEqual(inputs.map(() => 'pass'));
    },
    TIMEOUT,
  );

  test(
    'with the keep test ignoring the offset, case 2 fails at command 1 on keep, as the harness says',
    async () => {
      const copy = new TreeCopy('7.3');
      copies.push(copy);
      copy.edit('drivers/gpu/drm/drm_gpuvm.c', /merge &= obj == req_obj &&\n(\t+ )offset == req_offset;/, 'merge &= obj == req_obj &&\n$1true;', 1);
      const inputs = corpusInputs('corpus/cases').filter((i) => /case-0[12]-/.test(i.file));
      const { r, run, names } = await runCorpus(copy.root, inputs);
      const c = byName(run.cases).get('drm_test_gpuvm_case_02_other_offset');
      expect(c?.status).toBe('fail');
      expect(c?.failedCommand).toBe(1);
      expect(c?.failures[0]?.text.at(-1)).toBe('command 1 (map): op 1: keep');
      expect(byName(run.cases).get('drm_test_gpuvm_case_01_identical')?.status).toBe('pass');
      const verdicts = await harnessVerdicts(inputs, r.tree as NonNullable<typeof r.tree>, { cacheDir: scratchCache() });
      const compared = compareCases(inputs, names, verdicts, run.cases, r.variant);
      expect(compared.map((v) => [v.name, v.agrees])).toEqual(names.map((n) => [n, true]));
      expect(compared[1]?.harness).toMatchObject({ status: 'fail', step: 1, invariant: 'keep-flag' });
    },
    TIMEOUT,
  );

  test(
    'under AddressSanitizer and UBSan the corpus and the findings give the same outcome, with no report',
    async () => {
      const corpus = wholeCorpus();
      const { run: plain } = await runCorpus(treeOf('7.3') as string, [...corpus, ...findingsInputs('7.3')]);
      const { run } = await runCorpus(treeOf('7.3') as string, [...corpus, ...findingsInputs('7.3')], true);
      expect(run.stderr).not.toMatch(/AddressSanitizer|runtime error/);
      expect(run.cases.flatMap((c) => c.failures.filter((f) => f.kind === 'crash'))).toEqual([]);
      expect(run.cases.map((c) => [c.name, c.status, c.failedCommand])).toEqual(plain.cases.map((c) => [c.name, c.status, c.failedCommand]));
      expect(run.cases.slice(0, corpus.length).filter((c) => c.status === 'fail').map((c) => [c.name, c.failedCommand])).toEqual([
        ['drm_test_gpuvm_zero_length_range', 0],
      ]);
    },
    TIMEOUT,
  );
});

describe.skipIf(skipReason('7.3') !== null)(titled('7.3', "gpuvm-check's userspace KUnit"), () => {
  test(
    'its C (and the DRM KUnit helpers beside it) compiles without a warning under -Wall -Wextra',
    async () => {
      const r = await resolveTree(treeOf('7.3') as string);
      const flags = [...commonFlags(r.tree as NonNullable<typeof r.tree>, (r.probes as NonNullable<typeof r.probes>).assertLockArgs), ...OWN_WARNINGS, '-fsyntax-only'];
      for (const f of ['kunit.c', 'drm_kunit_helpers.c']) {
        const out = await runCompiler(findCompiler(), [...flags, join(KERNEL_DIR, 'kunit', f)]);
        expect([f, out.ok, out.stderr]).toEqual([f, true, '']);
      }
    },
    TIMEOUT,
  );

  test(
    'pass, failed expectations, an aborting assertion, a skip, a crash and a hang each give their KTAP result',
    async () => {
      const r = await resolveTree(treeOf('7.3') as string);
      const source = readFileSync(join(REPO, 'test/export/fixtures/kunit-selftest.c'), 'utf8');
      const run = await runUserspaceKunit({ tree: r.tree as NonNullable<typeof r.tree>, probes: r.probes as NonNullable<typeof r.probes>, source, caseTimeoutSeconds: 1 });
      const c = byName(run.cases);
      expect(run.warnings).toEqual([]);
      expect(run.cases.map((x) => [x.name, x.status])).toEqual([
        ['selftest_passes', 'pass'],
        ['selftest_expectations_fail', 'fail'],
        ['selftest_assertion_aborts', 'fail'],
        ['selftest_skips', 'skip'],
        ['selftest_crashes', 'fail'],
        ['selftest_hangs', 'fail'],
        ['selftest_counts_warnings', 'pass'],
      ]);
      expect(c.get('selftest_expectations_fail')?.failures.map((f) => f.text)).toEqual([
        ['Expected 1 + 1 == 3, but', '1 + 1 == 2 (0x2)', '3 == 3 (0x3)', 'command 4 (map): the sum'],
        ['Expected 2 > 1 to be false, but is true'],
      ]);
      expect(c.get('selftest_expectations_fail')?.failedCommand).toBe(4);
      expect(run.ktap).toContain('    # still running after two failed expectations');
      const aborted = c.get('selftest_assertion_aborts');
      expect(aborted?.failures).toHaveLength(1);
      expect(aborted?.failures[0]?.kind).toBe('ASSERTION');
      expect(aborted?.failedCommand).toBe(2);
      expect(run.ktap).not.toContain('not reached');
      // After the abort, the suite's exit and the deferred action still ran.
      const after = run.ktap.slice(run.ktap.indexOf('stop'), run.ktap.indexOf('not ok 3'));
      expect(after).toContain('# exit ran');
      expect(after).toContain('# the action ran');
      expect(c.get('selftest_skips')?.reason).toBe('nothing to do here (7)');
      expect(c.get('selftest_crashes')?.failures[0]?.text[0]).toMatch(/^crashed \(signal 11/);
      expect(c.get('selftest_hangs')?.failures[0]?.text[0]).toBe('timed out after 1 s');
      expect(run.ktap).toMatch(/^# kunit_selftest: pass:2 fail:4 skip:1 total:7$/m);
      expect(run.ktap).toMatch(/^not ok 1 kunit_selftest$/m);
      expect(run.exitCode).toBe(1);
    },
    TIMEOUT,
  );
});
