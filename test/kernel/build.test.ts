/**
 * Building the kernel subject from the real trees: what the probes find on
 * 6.12 and 7.3, a -Wall -Wextra clean build, the cache, and the one-line
 * errors for a compile error and an API variant we do not know (both in a
 * scratch copy of the tree).
 */

import { afterAll, describe, expect, it } from 'vitest';
import { buildKernelSubject, KernelBuildError, type ApiProbes } from '../../src/kernel/index.ts';
import { runCli } from '../cli/run-cli.ts';
import { scratchCache, skipReason, titled, treeOf, TreeCopy } from './trees.ts';

const EXPECTED: Record<string, ApiProbes> = {
  '6.12': { assertLockArgs: 1, mapReq: false, obtainLocked: false, findPrev: true, immediateMode: false, unlinkDefer: false, remapHole: true, madvise: false },
  '7.3': { assertLockArgs: 2, mapReq: true, obtainLocked: true, findPrev: false, immediateMode: true, unlinkDefer: true, remapHole: true, madvise: true },
};

const copies: TreeCopy[] = [];
afterAll(() => {
  for (const c of copies.splice(0)) c.remove();
});

for (const version of ['6.12', '7.3']) {
  describe.skipIf(skipReason(version) !== null)(titled(version, 'the kernel subject build'), () => {
    const tree = treeOf(version) as string;

    it('probes the API variants of the tree and builds without a warning, plain and with sanitizers', async () => {
      for (const sanitize of [false, true]) {
        const b = await buildKernelSubject({ tree, sanitize });
        expect(b.version.text.startsWith(`${version}.`)).toBe(true);
        expect(b.probes).toEqual(EXPECTED[version]);
        expect(b.warnings).toEqual([]);
        expect(b.sanitize).toBe(sanitize);
      }
    }, 180_000);

    it('a second build of the same inputs is a cache hit', async () => {
      const first = await buildKernelSubject({ tree });
      const again = await buildKernelSubject({ tree });
      expect(again.cached).toBe(true);
      expect(again.program).toBe(first.program);
      expect(again.probes).toEqual(first.probes);
    }, 180_000);

    it('gpuvm-check kernel build prints the version, the API found and the subject spec', () => {
      const r = runCli(['kernel', 'build', '--tree', tree, '--quiet']);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`(Linux ${version}.`);
      expect(r.stdout).toMatch(version === '7.3' ? /API: .*struct drm_gpuvm_map_req.*no drm_gpuva_find_prev\/next/ : /API: .*drm_gpuva_find_prev\/next/);
      expect(r.stdout).toContain(`subject:     --subject kernel:${tree}`);
    }, 180_000);
  });
}

describe.skipIf(skipReason('7.3') !== null)(titled('7.3', 'build errors of an edited tree'), () => {
  it('a compile error names drm_gpuvm.c, the line and the compiler message', async () => {
    const copy = new TreeCopy('7.3');
    copies.push(copy);
    copy.edit('drivers/gpu/drm/drm_gpuvm.c', 'static void\n__drm_gpuva_remove(struct drm_gpuva *va)\n{', 'static void\n__drm_gpuva_remove(struct drm_gpuva *va)\n{ int broken = ;');
    const line = copy.read('drivers/gpu/drm/drm_gpuvm.c').split('\n').findIndex((l) => l.includes('int broken = ;')) + 1;
    const err = await buildKernelSubject({ tree: copy.root, cacheDir: scratchCache() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KernelBuildError);
    expect((err as Error).message).toMatch(new RegExp(`^compile error: drivers/gpu/drm/drm_gpuvm\\.c:${line}: expected expression before`));
  }, 180_000);

  it('an API variant we do not know names the symbol', async () => {
    const copy = new TreeCopy('7.3');
    copies.push(copy);
    copy.edit('include/drm/drm_gpuvm.h', /drm_gpuvm_bo_unmap_ops_create/, 'drm_gpuvm_bo_unmap_ops_build', 1);
    const err = await buildKernelSubject({ tree: copy.root, cacheDir: scratchCache() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KernelBuildError);
    expect((err as Error).message).toBe(
      'unknown drm_gpuvm API variant: drm_gpuvm_bo_unmap_ops_create is not declared by include/drm/drm_gpuvm.h (supported: the drm_gpuvm of Linux 6.8 to 7.3)',
    );
  }, 180_000);

  it('kernel build exits 2 with the compile error on one line', async () => {
    const copy = new TreeCopy('7.3');
    copies.push(copy);
    copy.edit('drivers/gpu/drm/drm_gpuvm.c', 'MODULE_LICENSE("GPL");', 'MODULE_LICENSE("GPL") syntax error');
    const r = runCli(['kernel', 'build', '--tree', copy.root, '--quiet']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^gpuvm-check: kernel build: compile error: drivers\/gpu\/drm\/drm_gpuvm\.c:\d+: /);
  }, 180_000);
});
