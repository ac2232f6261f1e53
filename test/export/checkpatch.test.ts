/**
 * The exported file is what a drm maintainer would accept: the tree's own
 * scripts/checkpatch.pl --strict --no-tree -f reports no error, no warning
 * and no check on it, for the whole corpus and each tree's API variant.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { exportKunit } from '../../src/export/kunit.ts';
import { resolveTree } from '../../src/export/variant.ts';
import { skipReason, titled, treeOf } from '../kernel/trees.ts';
import { findingsInputs, hasPerl, wholeCorpus } from './helpers.ts';

function checkpatch(tree: string, text: string): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gpuvm-checkpatch-'));
  try {
    const file = join(dir, 'drm_gpuvm_test.c');
    writeFileSync(file, text);
    const r = spawnSync('perl', [join(tree, 'scripts/checkpatch.pl'), '--strict', '--no-tree', '-f', file], { encoding: 'utf8' });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const version of ['6.12', '7.3'] as const) {
  const reason = skipReason(version) ?? (hasPerl() ? null : 'no perl (checkpatch.pl needs it)');
  describe.skipIf(reason !== null)(reason === null ? titled(version, 'checkpatch') : `checkpatch (Linux ${version}) -- SKIPPED: ${reason}`, () => {
    test(
      "checkpatch --strict reports nothing on the exported corpus and findings",
      async () => {
        const tree = treeOf(version) as string;
        const { variant } = await resolveTree(tree);
        const r = checkpatch(tree, exportKunit([...wholeCorpus(), ...findingsInputs(version)], { variant, license: version === '6.12' ? 'GPL-2.0-only' : undefined }));
        expect(r.out).toMatch(/total: 0 errors, 0 warnings, 0 checks, \d+ lines checked/);
        expect(r.status).toBe(0);
      },
      120_000,
    );

    test(
      'and it does see a style problem (a sanity check of the check)',
      async () => {
        const tree = treeOf(version) as string;
        const { variant } = await resolveTree(tree);
        const text = exportKunit(wholeCorpus().slice(0, 1), { variant }).replace('\tstruct gpuvm_test *t = test->priv;\n', '\tstruct gpuvm_test *t = test->priv; \n');
        const r = checkpatch(tree, text);
        expect(r.out).toMatch(/ERROR: trailing whitespace/);
        expect(r.status).not.toBe(0);
      },
      120_000,
    );
  });
}
