/**
 * Kernel tree inspection, the kernel: spec and the build's one-line errors
 * that need no real tree: not a directory, not a kernel tree, no
 * drm_gpuvm.c, a missing header, no C compiler, a bad spec.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { buildKernelSubject, fetchedTreeDir, inspectTree, KernelBuildError, parseKernelSpec, parseMakefileVersion } from '../../src/kernel/index.ts';
import { findCompiler } from '../../src/kernel/compiler.ts';
import { resolveSubject, SubjectResolutionError } from '../../src/subjects.ts';
import { runCli } from '../cli/run-cli.ts';

function fakeTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'gpuvm-check-fake-tree-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

const MAKEFILE = 'VERSION = 7\nPATCHLEVEL = 3\nSUBLEVEL = 4\nEXTRAVERSION =\nNAME = x\n';

function buildError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof KernelBuildError) return e.message;
    throw e;
  }
  throw new Error('no KernelBuildError');
}

describe('the tree Makefile', () => {
  it('gives the version, patch level, sublevel and extraversion', () => {
    expect(parseMakefileVersion(MAKEFILE)?.text).toBe('7.3.4');
    expect(parseMakefileVersion('VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\nEXTRAVERSION = -rc3\n')).toEqual({
      version: 6,
      patchlevel: 12,
      sublevel: 0,
      extraversion: '-rc3',
      text: '6.12.0-rc3',
    });
  });

  it('without VERSION and PATCHLEVEL is no kernel Makefile', () => {
    expect(parseMakefileVersion('all:\n\tcc x.c\n')).toBeNull();
    expect(parseMakefileVersion('VERSION = 7\n')).toBeNull();
  });
});

describe('inspectTree errors', () => {
  it('a missing directory, a file, or a directory without a kernel Makefile', () => {
    expect(buildError(() => inspectTree('/nonexistent/linux'))).toBe('kernel tree /nonexistent/linux: no such directory');
    const file = fakeTree({ f: 'x' });
    expect(buildError(() => inspectTree(join(file, 'f')))).toBe(`kernel tree ${join(file, 'f')}: not a directory`);
    const empty = fakeTree({ 'README': 'hello' });
    expect(buildError(() => inspectTree(empty))).toBe(`${empty} is not a kernel tree (no top-level Makefile with VERSION and PATCHLEVEL)`);
  });

  it('a kernel tree without drm_gpuvm.c names the file and the version', () => {
    const old = fakeTree({ Makefile: 'VERSION = 6\nPATCHLEVEL = 5\nSUBLEVEL = 0\n' });
    expect(buildError(() => inspectTree(old))).toBe(
      `kernel tree ${old} (Linux 6.5.0) has no drivers/gpu/drm/drm_gpuvm.c (drm_gpuvm with vm_bos is in Linux 6.8 and newer)`,
    );
  });

  it('a tree lacking a file the build needs names it', () => {
    const partial = fakeTree({ Makefile: MAKEFILE, 'drivers/gpu/drm/drm_gpuvm.c': '', 'include/drm/drm_gpuvm.h': '' });
    expect(buildError(() => inspectTree(partial))).toMatch(/^kernel tree .* \(Linux 7\.3\.4\) lacks tools\/lib\/rbtree\.c \(the build needs it; /);
  });
});

describe('the C compiler', () => {
  it('CC that does not run is a one-line error', () => {
    expect(buildError(() => findCompiler({ ...process.env, CC: '/nonexistent/cc' }))).toBe(
      'no C compiler found (CC=/nonexistent/cc does not run); install gcc or set CC',
    );
  });

  it('with no compiler on PATH the error names what was tried', () => {
    expect(buildError(() => findCompiler({ PATH: '/nonexistent' }))).toBe('no C compiler found (tried cc, gcc, clang); install gcc or set CC');
  });
});

describe('the kernel: spec', () => {
  it('a path, with sanitize and kmalloc-fail options in any order', () => {
    expect(parseKernelSpec('kernel:/src/linux')).toEqual({ tree: '/src/linux', sanitize: false, kmallocFailAt: null });
    expect(parseKernelSpec('kernel:/src/linux?sanitize')).toEqual({ tree: '/src/linux', sanitize: true, kmallocFailAt: null });
    expect(parseKernelSpec('kernel:/src/linux?kmalloc-fail=4,sanitize')).toEqual({ tree: '/src/linux', sanitize: true, kmallocFailAt: 4 });
  });

  it('a bare version names the tree scripts/fetch-kernel-trees.sh extracts', () => {
    expect(parseKernelSpec('kernel:7.3').tree).toBe(fetchedTreeDir('7.3'));
  });

  it('an empty path or an unknown option is refused', () => {
    expect(buildError(() => parseKernelSpec('kernel:'))).toMatch(/no kernel tree given/);
    expect(buildError(() => parseKernelSpec('kernel:/x?fast'))).toBe(
      'subject "kernel:/x?fast": unknown option "fast" (known: sanitize, kmalloc-fail=K, K >= 1)',
    );
    expect(buildError(() => parseKernelSpec('kernel:/x?kmalloc-fail=0'))).toMatch(/unknown option "kmalloc-fail=0"/);
  });

  it('resolveSubject turns a build error into a subject resolution error', async () => {
    const err = await resolveSubject('kernel:/nonexistent/linux').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SubjectResolutionError);
    expect((err as Error).message).toBe('subject "kernel:/nonexistent/linux": kernel tree /nonexistent/linux: no such directory');
  });

  it('a build of a directory that is not a tree fails before compiling anything', async () => {
    const dir = fakeTree({ x: '' });
    await expect(buildKernelSubject({ tree: dir, cacheDir: dir })).rejects.toThrow(/is not a kernel tree/);
  });
});

describe('gpuvm-check kernel', () => {
  it('kernel build of a non-tree exits 2 with one line', async () => {
    const r = await runCli(['kernel', 'build', '--tree', '/nonexistent/linux']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('gpuvm-check: kernel build: kernel tree /nonexistent/linux: no such directory');
  });

  it('a missing action, an unknown one or a missing --tree is bad usage', async () => {
    expect((await runCli(['kernel'])).status).toBe(2);
    expect((await runCli(['kernel', 'make'])).stderr).toMatch(/kernel: unknown action 'make' \(use: build, zoo\)/);
    expect((await runCli(['kernel', 'build'])).stderr).toMatch(/--tree PATH is required/);
  });

  it('--subject kernel:... of a non-tree is bad input for fuzz (exit 2, one line)', async () => {
    const r = await runCli(['fuzz', '--subject', 'kernel:/nonexistent/linux', '--runs', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(
      'gpuvm-check: subject "kernel:/nonexistent/linux": kernel tree /nonexistent/linux: no such directory',
    );
  });
});
