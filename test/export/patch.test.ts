/**
 * `--patch`: a git-format patch that `git am` applies to a tree, adding the
 * test file, the DRM_GPUVM_KUNIT_TEST option after DRM_KUNIT_TEST (in
 * Kconfig before 7.x, Kconfig.debug since), the Makefile and .kunitconfig
 * lines; applied twice it changes only what differs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { ExportError } from '../../src/export/errors.ts';
import { exportKunit } from '../../src/export/kunit.ts';
import { applyPatch, KCONFIG_SYMBOL, makePatch } from '../../src/export/patch.ts';
import { NAMED_VARIANTS, type KunitVariant } from '../../src/export/variant.ts';
import type { KernelTree } from '../../src/kernel/tree.ts';
import { treeOf } from '../kernel/trees.ts';
import { corpusInputs, hasGit } from './helpers.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'A Developer',
  GIT_AUTHOR_EMAIL: 'dev@example.org',
  GIT_COMMITTER_NAME: 'A Developer',
  GIT_COMMITTER_EMAIL: 'dev@example.org',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

function git(cwd: string, ...args: string[]): { status: number | null; out: string } {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: ENV });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A git repository holding `files` (relative path -> text). */
function repoWith(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'gpuvm-patch-'));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  git(root, 'init', '-q');
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'base');
  return root;
}

const treeAt = (root: string): KernelTree => ({
  root,
  version: { version: 7, patchlevel: 3, sublevel: 0, extraversion: '', text: '7.3.0' },
  gpuvmC: '',
  gpuvmH: '',
  rbtreeC: '',
  toolsInclude: '',
});

const inputs = corpusInputs('corpus/zoo').slice(0, 3);
const cases = inputs.map((i, k) => ({ name: `case_${k}`, file: i.file }));

/** A tree laid out like 7.x: DRM_KUNIT_TEST in Kconfig.debug (our own text, in the kernel's form). */
const SEVEN: Record<string, string> = {
  'drivers/gpu/drm/Kconfig': 'menuconfig DRM\n\ttristate "DRM"\n\nif DRM\n\nconfig DRM_GPUVM\n\ttristate\n\nendif\n',
  'drivers/gpu/drm/Kconfig.debug': [
    'config DRM_KUNIT_TEST_HELPERS',
    '\ttristate',
    '\tdepends on DRM && KUNIT',
    '',
    'config DRM_KUNIT_TEST',
    '\ttristate "KUnit tests for DRM" if !KUNIT_ALL_TESTS',
    '\tdepends on DRM && KUNIT',
    '\thelp',
    '\t  The DRM tests.',
    '',
    '\t  If in doubt, say "N".',
    '',
    'config DRM_TTM_KUNIT_TEST',
    '\ttristate "KUnit tests for TTM" if !KUNIT_ALL_TESTS',
    '',
  ].join('\n'),
  'drivers/gpu/drm/tests/Makefile': [
    '# SPDX-License-Identifier: GPL-2.0',
    '',
    'obj-$(CONFIG_DRM_KUNIT_TEST_HELPERS) += \\',
    '\tdrm_kunit_helpers.o',
    '',
    'obj-$(CONFIG_DRM_KUNIT_TEST) += \\',
    '\tdrm_a_test.o \\',
    '\tdrm_b_test.o',
    '',
    'CFLAGS_drm_a_test.o := $(X)',
    '',
  ].join('\n'),
  'drivers/gpu/drm/tests/.kunitconfig': 'CONFIG_KUNIT=y\nCONFIG_DRM=y\nCONFIG_DRM_KUNIT_TEST=y\n',
};

describe.skipIf(!hasGit())(hasGit() ? '--patch' : '--patch -- SKIPPED: no git', () => {
  const source = exportKunit(inputs, { variant: NAMED_VARIANTS['7.3'] as KunitVariant });

  test('git am applies it to a 7.x-style tree: the file, Kconfig.debug, the Makefile and .kunitconfig lines', () => {
    const root = repoWith(SEVEN);
    vi.stubEnv('GIT_AUTHOR_NAME', 'A Developer');
    vi.stubEnv('GIT_AUTHOR_EMAIL', 'dev@example.org');
    const patch = makePatch({ tree: treeAt(root), source, suite: 'drm_gpuvm', cases });
    vi.unstubAllEnvs();
    expect(patch.split('\n').slice(0, 3)).toEqual([
      'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001',
      'From: A Developer <dev@example.org>',
      'Subject: [PATCH] drm/tests: Add KUnit tests for drm_gpuvm',
    ]);
    writeFileSync(join(root, 'p.patch'), patch);
    const am = git(root, 'am', '-q', 'p.patch');
    expect(am.out).toBe('');
    expect(am.status).toBe(0);
    expect(readFileSync(join(root, 'drivers/gpu/drm/tests/drm_gpuvm_test.c'), 'utf8')).toBe(source);
    const kconfig = readFileSync(join(root, 'drivers/gpu/drm/Kconfig.debug'), 'utf8');
    expect(kconfig).toContain(
      `\t  If in doubt, say "N".\n\nconfig ${KCONFIG_SYMBOL}\n\ttristate "KUnit tests for DRM GPUVM" if !KUNIT_ALL_TESTS\n\tdepends on DRM && KUNIT\n\tselect DRM_GPUVM\n\tselect DRM_KUNIT_TEST_HELPERS\n\tdefault KUNIT_ALL_TESTS\n`,
    );
    expect(kconfig.indexOf(`config ${KCONFIG_SYMBOL}`)).toBeLessThan(kconfig.indexOf('config DRM_TTM_KUNIT_TEST'));
    expect(readFileSync(join(root, 'drivers/gpu/drm/Kconfig'), 'utf8')).toBe(SEVEN['drivers/gpu/drm/Kconfig']);
    expect(readFileSync(join(root, 'drivers/gpu/drm/tests/Makefile'), 'utf8')).toContain(
      '\tdrm_b_test.o\n\nobj-$(CONFIG_DRM_GPUVM_KUNIT_TEST) += drm_gpuvm_test.o\n\nCFLAGS_drm_a_test.o',
    );
    expect(readFileSync(join(root, 'drivers/gpu/drm/tests/.kunitconfig'), 'utf8')).toBe(`${SEVEN['drivers/gpu/drm/tests/.kunitconfig']}CONFIG_${KCONFIG_SYMBOL}=y\n`);
    const log = git(root, 'log', '-1', '--format=%an <%ae>%n%s%n%b');
    expect(log.out).toContain('A Developer <dev@example.org>\ndrm/tests: Add KUnit tests for drm_gpuvm\ndrm_gpuvm has no KUnit tests.');
    expect(log.out).toContain(`  case_0: ${inputs[0]?.file}`);
  });

  test('applyPatch: a plain copy of a tree inside another git repository (the UML script\'s .cache/) gets every file', () => {
    const outer = repoWith({ 'README': 'outer\n' });
    const copy = join(outer, '.cache', 'linux-7.3');
    for (const [rel, text] of Object.entries(SEVEN)) {
      mkdirSync(dirname(join(copy, rel)), { recursive: true });
      writeFileSync(join(copy, rel), text);
    }
    writeFileSync(join(copy, 'p.patch'), makePatch({ tree: treeAt(copy), source, suite: 'drm_gpuvm', cases }));
    applyPatch(copy, 'p.patch');
    expect(readFileSync(join(copy, 'drivers/gpu/drm/tests/drm_gpuvm_test.c'), 'utf8')).toBe(source);
    expect(readFileSync(join(copy, 'drivers/gpu/drm/Kconfig.debug'), 'utf8')).toContain(`config ${KCONFIG_SYMBOL}\n`);
    // Applied twice, it no longer applies: an error naming the tree.
    expect(() => applyPatch(copy, 'p.patch')).toThrow(new RegExp(`^the patch does not apply to ${copy.replace(/[.]/g, '\\.')}: error: `));
  });

  test('on a tree that has the test already, the patch only updates the file; with nothing to change it says so', () => {
    const root = repoWith(SEVEN);
    writeFileSync(join(root, 'p.patch'), makePatch({ tree: treeAt(root), source, suite: 'drm_gpuvm', cases }));
    expect(git(root, 'am', '-q', 'p.patch').status).toBe(0);
    const newer = exportKunit(corpusInputs('corpus/zoo').slice(0, 4), { variant: NAMED_VARIANTS['7.3'] as KunitVariant });
    const again = makePatch({ tree: treeAt(root), source: newer, suite: 'drm_gpuvm', cases });
    expect([...again.matchAll(/^diff --git a\/(\S+)/gm)].map((m) => m[1])).toEqual(['drivers/gpu/drm/tests/drm_gpuvm_test.c']);
    writeFileSync(join(root, 'q.patch'), again);
    expect(git(root, 'am', '-q', 'q.patch').status).toBe(0);
    expect(readFileSync(join(root, 'drivers/gpu/drm/tests/drm_gpuvm_test.c'), 'utf8')).toBe(newer);
    expect(() => makePatch({ tree: treeAt(root), source: newer, suite: 'drm_gpuvm', cases })).toThrow(/already has this test.*nothing to change/);
  });

  const tree612 = treeOf('6.12');
  test.skipIf(tree612 === null)(
    tree612 === null ? 'the 6.12 tree -- SKIPPED: no tree (scripts/fetch-kernel-trees.sh 6.12)' : 'git am applies it to the 6.12 tree, whose DRM_KUNIT_TEST is in drivers/gpu/drm/Kconfig',
    () => {
      const from = tree612 as string;
      const files: Record<string, string> = {};
      for (const rel of ['drivers/gpu/drm/Kconfig', 'drivers/gpu/drm/tests/Makefile', 'drivers/gpu/drm/tests/.kunitconfig']) files[rel] = readFileSync(join(from, rel), 'utf8');
      const root = repoWith(files);
      const patch = makePatch({ tree: treeAt(root), source, suite: 'drm_gpuvm', cases });
      expect([...patch.matchAll(/^diff --git a\/(\S+)/gm)].map((m) => m[1])).toEqual([
        'drivers/gpu/drm/Kconfig',
        'drivers/gpu/drm/tests/.kunitconfig',
        'drivers/gpu/drm/tests/Makefile',
        'drivers/gpu/drm/tests/drm_gpuvm_test.c',
      ]);
      writeFileSync(join(root, 'p.patch'), patch);
      expect(git(root, 'am', '-q', 'p.patch').status).toBe(0);
      const kconfig = readFileSync(join(root, 'drivers/gpu/drm/Kconfig'), 'utf8');
      const at = kconfig.indexOf(`config ${KCONFIG_SYMBOL}`);
      expect(at).toBeGreaterThan(kconfig.indexOf('config DRM_KUNIT_TEST\n'));
      expect(kconfig.slice(kconfig.indexOf('config DRM_KUNIT_TEST\n'), at)).not.toMatch(/\nconfig /);
    },
  );

  test('a tree without the files it changes is bad input', () => {
    const noMakefile = repoWith({ 'drivers/gpu/drm/Kconfig.debug': SEVEN['drivers/gpu/drm/Kconfig.debug'] as string });
    expect(() => makePatch({ tree: treeAt(noMakefile), source, suite: 'drm_gpuvm', cases })).toThrow(ExportError);
    expect(() => makePatch({ tree: treeAt(noMakefile), source, suite: 'drm_gpuvm', cases })).toThrow(/has no drivers\/gpu\/drm\/tests\/Makefile/);
    const noOption = repoWith({ ...SEVEN, 'drivers/gpu/drm/Kconfig.debug': 'config DRM_OTHER\n\tbool\n' });
    expect(() => makePatch({ tree: treeAt(noOption), source, suite: 'drm_gpuvm', cases })).toThrow(/no Kconfig file of .* defines DRM_KUNIT_TEST/);
  });

  test('the suite name names the file and the object', () => {
    const root = repoWith(SEVEN);
    const named = exportKunit(inputs, { variant: NAMED_VARIANTS['7.3'] as KunitVariant, suite: 'drm_gpuvm_corpus' });
    const patch = makePatch({ tree: treeAt(root), source: named, suite: 'drm_gpuvm_corpus', cases });
    expect(patch).toContain('+++ b/drivers/gpu/drm/tests/drm_gpuvm_corpus_test.c');
    expect(patch).toContain('+obj-$(CONFIG_DRM_GPUVM_KUNIT_TEST) += drm_gpuvm_corpus_test.o');
    writeFileSync(join(root, 'p.patch'), patch);
    expect(git(root, 'apply', '--check', 'p.patch').status).toBe(0);
  });
});
