/**
 * `export kunit --patch`: the exported test as a git-format patch against a
 * kernel tree, ready for `git am`. It adds the test as
 * drivers/gpu/drm/tests/<suite>_test.c, a DRM_GPUVM_KUNIT_TEST option
 * (selecting DRM_GPUVM and the DRM KUnit helpers) right after DRM_KUNIT_TEST
 * in the Kconfig file that defines it (drivers/gpu/drm/Kconfig.debug in 7.x,
 * drivers/gpu/drm/Kconfig before), its line in drivers/gpu/drm/tests/Makefile
 * and in drivers/gpu/drm/tests/.kunitconfig. Lines already there are left as
 * they are; a test file already there is replaced.
 */

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KernelTree } from '../kernel/tree.ts';
import { ExportError } from './errors.ts';

/** The Kconfig symbol of the exported test. */
export const KCONFIG_SYMBOL = 'DRM_GPUVM_KUNIT_TEST';

const TESTS_DIR = 'drivers/gpu/drm/tests';
const KCONFIG_FILES = ['drivers/gpu/drm/Kconfig.debug', 'drivers/gpu/drm/Kconfig'];

/** What {@link makePatch} needs. */
export interface PatchOptions {
  readonly tree: KernelTree;
  /** The exported test's C text. */
  readonly source: string;
  readonly suite: string;
  /** The cases, with the trace each came from (listed in the commit message). */
  readonly cases: readonly { readonly name: string; readonly file: string }[];
  /** `Name <email>`; default $GIT_AUTHOR_NAME / $GIT_AUTHOR_EMAIL, else the tree's git config, else a placeholder. */
  readonly author?: string;
}

/** One file of the patch: its text before (null: new) and after. */
interface FileChange {
  readonly path: string;
  readonly before: string | null;
  readonly after: string;
}

function gitBlob(text: string): string {
  const body = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${body.length}\0`).update(body).digest('hex');
}

function lines(text: string): string[] {
  const l = text.split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}

/**
 * The hunks of a change that inserts lines into `before` (how `after` was
 * made from it), with three lines of context; a change that is not a pure
 * insertion becomes one hunk replacing the whole file.
 */
function hunks(before: readonly string[], after: readonly string[]): string[] {
  // Longest common prefix and suffix; an insertion leaves nothing of `before` between them.
  let p = 0;
  while (p < before.length && p < after.length && before[p] === after[p]) p++;
  let s = 0;
  while (s < before.length - p && s < after.length - p && before[before.length - 1 - s] === after[after.length - 1 - s]) s++;
  const removed = before.slice(p, before.length - s);
  const added = after.slice(p, after.length - s);
  if (removed.length > 0 || before.length === 0) {
    const out = [`@@ -${before.length === 0 ? 0 : 1},${before.length} +1,${after.length} @@`];
    return [...out, ...before.map((l) => `-${l}`), ...after.map((l) => `+${l}`)];
  }
  const from = Math.max(0, p - 3);
  const to = Math.min(before.length, p + 3);
  const ctxBefore = before.slice(from, p);
  const ctxAfter = before.slice(p, to);
  const oldCount = ctxBefore.length + ctxAfter.length;
  const newCount = oldCount + added.length;
  return [
    `@@ -${oldCount === 0 ? from : from + 1},${oldCount} +${from + 1},${newCount} @@`,
    ...ctxBefore.map((l) => ` ${l}`),
    ...added.map((l) => `+${l}`),
    ...ctxAfter.map((l) => ` ${l}`),
  ];
}

function diffOf(c: FileChange): { text: string; added: number; removed: number } {
  const before = c.before === null ? [] : lines(c.before);
  const after = lines(c.after);
  const h = hunks(before, after);
  const added = h.filter((l) => l.startsWith('+')).length;
  const removed = h.filter((l) => l.startsWith('-')).length;
  const head =
    c.before === null
      ? [`diff --git a/${c.path} b/${c.path}`, 'new file mode 100644', `index 0000000000..${gitBlob(c.after).slice(0, 10)}`, '--- /dev/null', `+++ b/${c.path}`]
      : [
          `diff --git a/${c.path} b/${c.path}`,
          `index ${gitBlob(c.before).slice(0, 10)}..${gitBlob(c.after).slice(0, 10)} 100644`,
          `--- a/${c.path}`,
          `+++ b/${c.path}`,
        ];
  return { text: [...head, ...h].join('\n'), added, removed };
}

/** The Kconfig entry of the test. */
function kconfigEntry(): string[] {
  return [
    `config ${KCONFIG_SYMBOL}`,
    '\ttristate "KUnit tests for DRM GPUVM" if !KUNIT_ALL_TESTS',
    '\tdepends on DRM && KUNIT',
    '\tselect DRM_GPUVM',
    '\tselect DRM_KUNIT_TEST_HELPERS',
    '\tdefault KUNIT_ALL_TESTS',
    '\thelp',
    '\t  This builds unit tests for the DRM GPU VA manager (drm_gpuvm):',
    '\t  splitting and merging mappings, vm_bo reference counts and the',
    '\t  extobj and evict lists, driven the way VM_BIND drivers drive it.',
    '',
    '\t  If in doubt, say "N".',
  ];
}

const KCONFIG_TOP = /^(config|menuconfig|choice|endchoice|comment|menu|endmenu|if|endif|source)\b/;

/** `text` with the test's entry after the DRM_KUNIT_TEST block (unchanged if the entry is there). */
function withKconfig(text: string): string {
  const l = lines(text);
  if (l.some((x) => x === `config ${KCONFIG_SYMBOL}`)) return text;
  const start = l.findIndex((x) => x === 'config DRM_KUNIT_TEST');
  let end = start + 1;
  while (end < l.length && !KCONFIG_TOP.test(l[end] as string)) end++;
  while (end > start + 1 && (l[end - 1] as string).trim() === '') end--;
  return `${[...l.slice(0, end), '', ...kconfigEntry(), ...l.slice(end)].join('\n')}\n`;
}

/** `text` (tests/Makefile) with the test's object after the DRM_KUNIT_TEST list. */
function withMakefile(text: string, object: string): string {
  const line = `obj-$(CONFIG_${KCONFIG_SYMBOL}) += ${object}`;
  const l = lines(text);
  if (l.includes(line)) return text;
  let end = l.findIndex((x) => x.startsWith('obj-$(CONFIG_DRM_KUNIT_TEST)'));
  if (end < 0) end = l.length - 1;
  while (end < l.length - 1 && (l[end] as string).endsWith('\\')) end++;
  return `${[...l.slice(0, end + 1), '', line, ...l.slice(end + 1)].join('\n')}\n`;
}

function withKunitconfig(text: string): string {
  const line = `CONFIG_${KCONFIG_SYMBOL}=y`;
  const l = lines(text);
  return l.includes(line) ? text : `${[...l, line].join('\n')}\n`;
}

function git(tree: string, key: string): string {
  const r = spawnSync('git', ['-C', tree, 'config', key], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

function authorOf(opts: PatchOptions): string {
  if (opts.author !== undefined) return opts.author;
  const name = process.env['GIT_AUTHOR_NAME'] || git(opts.tree.root, 'user.name');
  const email = process.env['GIT_AUTHOR_EMAIL'] || git(opts.tree.root, 'user.email');
  return name !== '' && email !== '' ? `${name} <${email}>` : 'gpuvm-check <gpuvm-check@invalid>';
}

function readTreeFile(tree: KernelTree, rel: string): string {
  const path = join(tree.root, rel);
  if (!existsSync(path)) {
    throw new ExportError(`--patch: the tree ${tree.root} has no ${rel} (a full tree is needed, or scripts/fetch-kernel-trees.sh --full)`);
  }
  return readFileSync(path, 'utf8');
}

/**
 * The patch. Throws ExportError when the tree lacks a file the patch
 * changes (drivers/gpu/drm/tests/Makefile, or a Kconfig file defining
 * DRM_KUNIT_TEST), or already holds exactly what the patch would add.
 */
export function makePatch(opts: PatchOptions): string {
  const { tree, suite } = opts;
  const testRel = `${TESTS_DIR}/${suite}_test.c`;
  const makefileRel = `${TESTS_DIR}/Makefile`;
  const kunitconfigRel = `${TESTS_DIR}/.kunitconfig`;
  const makefile = readTreeFile(tree, makefileRel);
  const kconfigRel = KCONFIG_FILES.find((rel) => {
    const p = join(tree.root, rel);
    return existsSync(p) && /^config DRM_KUNIT_TEST$/m.test(readFileSync(p, 'utf8'));
  });
  if (kconfigRel === undefined) {
    throw new ExportError(`--patch: no Kconfig file of ${tree.root} defines DRM_KUNIT_TEST (looked in ${KCONFIG_FILES.join(', ')})`);
  }
  const kconfig = readFileSync(join(tree.root, kconfigRel), 'utf8');
  const testPath = join(tree.root, testRel);
  const kunitconfigPath = join(tree.root, kunitconfigRel);

  const changes: FileChange[] = [
    { path: kconfigRel, before: kconfig, after: withKconfig(kconfig) },
    ...(existsSync(kunitconfigPath)
      ? [{ path: kunitconfigRel, before: readFileSync(kunitconfigPath, 'utf8'), after: withKunitconfig(readFileSync(kunitconfigPath, 'utf8')) }]
      : []),
    { path: makefileRel, before: makefile, after: withMakefile(makefile, `${suite}_test.o`) },
    { path: testRel, before: existsSync(testPath) ? readFileSync(testPath, 'utf8') : null, after: opts.source },
  ].filter((c) => c.before !== c.after);
  if (changes.length === 0) throw new ExportError(`--patch: ${tree.root} already has this test, its Kconfig option and its Makefile line: nothing to change`);

  const diffs = changes.map((c) => ({ path: c.path, ...diffOf(c) }));
  const width = Math.max(...diffs.map((d) => d.path.length));
  const stat = diffs.map((d) => ` ${d.path.padEnd(width)} | ${String(d.added + d.removed).padStart(5)} ${'+'.repeat(Math.min(40, d.added))}${'-'.repeat(Math.min(20, d.removed))}`);
  const added = diffs.reduce((n, d) => n + d.added, 0);
  const removed = diffs.reduce((n, d) => n + d.removed, 0);
  const summary = ` ${diffs.length} file${diffs.length === 1 ? '' : 's'} changed, ${added} insertion${added === 1 ? '' : 's'}(+)${removed > 0 ? `, ${removed} deletion${removed === 1 ? '' : 's'}(-)` : ''}`;

  const body = [
    'drm_gpuvm has no KUnit tests. Add a suite of gpuvm-check traces: each',
    "case drives drm_gpuvm through its public API the way a VM_BIND driver",
    'does and, after every step, checks the ops, the VAs, the vm_bo reference',
    "counts and the extobj and evict lists against gpuvm-check's reference",
    'model.',
    '',
    `The ${opts.cases.length === 1 ? 'case' : `${opts.cases.length} cases`} and the trace${opts.cases.length === 1 ? '' : 's'} they come from:`,
    ...opts.cases.map((c) => `  ${c.name}: ${c.file}`),
  ];
  return [
    'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001',
    `From: ${authorOf(opts)}`,
    `Subject: [PATCH] drm/tests: Add KUnit tests for drm_gpuvm`,
    '',
    ...body,
    '---',
    ...stat,
    summary,
    ...changes.filter((c) => c.before === null).map((c) => ` create mode 100644 ${c.path}`),
    '',
    ...diffs.map((d) => d.text),
    '-- ',
    'gpuvm-check',
    '',
  ].join('\n');
}

/**
 * Applies a patch `makePatch` wrote (the file `patchFile`, relative to `dir`
 * or absolute) to the tree at `dir` with `git apply`; the tree need not be a
 * git repository. Git's search for a repository is bounded at `dir`: a copy
 * lying inside another repository (this one's `.cache/`, say) would otherwise
 * have its paths taken from that repository's top, and git apply would skip
 * every file and succeed. Throws an `ExportError` when the patch does not
 * apply, naming the tree and git's message.
 */
export function applyPatch(dir: string, patchFile: string): void {
  const r = spawnSync('git', ['apply', patchFile], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_CEILING_DIRECTORIES: dirname(dir) },
  });
  if (r.error !== undefined) throw new ExportError(`the patch does not apply to ${dir}: git: ${r.error.message}`);
  if (r.status !== 0) throw new ExportError(`the patch does not apply to ${dir}: ${r.stderr.trim()}`);
}
