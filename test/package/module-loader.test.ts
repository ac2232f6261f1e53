/**
 * `module-loader.ts` from source: the harness knows it runs from its `.ts`
 * files, names TypeScript modules by extension, and imports both kinds. (The
 * compiled form, where tsx is registered on first need, is exercised by
 * package.test.ts in an installed package.)
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { importModuleFile, isTypeScriptModule, OWN_MODULE_EXTENSION, PACKAGE_ROOT, RUNNING_FROM_SOURCE } from '../../src/module-loader.ts';
import { REPO } from '../cli/run-cli.ts';

describe('module-loader', () => {
  test('runs from source here, so its own modules end in .ts', () => {
    expect(RUNNING_FROM_SOURCE).toBe(true);
    expect(OWN_MODULE_EXTENSION).toBe('.ts');
  });

  test('the package root is the repository, with a trailing slash', () => {
    expect(PACKAGE_ROOT).toBe(`${REPO}/`);
  });

  test.each([
    ['a/b.ts', true],
    ['a/b.MTS', true],
    ['b.cts', true],
    ['b.js', false],
    ['b.mjs', false],
    ['b.ts.js', false],
    ['ts', false],
  ])('%s is a TypeScript module: %s', (file, expected) => {
    expect(isTypeScriptModule(file)).toBe(expected);
  });

  test('imports a .ts and a .js subject module by absolute path', async () => {
    const ts = await importModuleFile(join(REPO, 'test/driver/fixtures/tagged-vm-subject.ts'));
    const js = await importModuleFile(join(REPO, 'test/driver/fixtures/plain-subject.js'));
    expect(typeof ts['default']).toBe('function');
    expect(typeof js['default']).toBe('function');
  });

  test('a module that does not exist rejects', async () => {
    await expect(importModuleFile(join(REPO, 'test/driver/fixtures/none.ts'))).rejects.toThrow();
  });
});
