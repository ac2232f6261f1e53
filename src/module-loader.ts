/**
 * Loading modules by path at run time: users' subject modules (`--subject
 * ./my-subject.ts`), the fault zoo's modules and the benchmarks.
 *
 * The harness runs in one of two forms:
 * - from its TypeScript sources (a checkout: `bin/gpuvm-check.mjs` registers
 *   tsx first, and vitest transforms the tests), where `.ts` modules already load;
 * - compiled (the npm package: `dist/`), where Node loads JavaScript only. There
 *   tsx is registered the first time a TypeScript module is asked for, so a
 *   JavaScript-only user never loads it. Worker threads start with a fresh
 *   loader and register it again on their own first need.
 */

import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** True when this code runs from its `.ts` sources, false when it runs compiled (`dist/`). */
export const RUNNING_FROM_SOURCE: boolean = import.meta.url.endsWith('.ts');

/** The extension of the harness's own modules in the form it runs in: `.ts` from source, `.js` compiled. */
export const OWN_MODULE_EXTENSION: '.ts' | '.js' = RUNNING_FROM_SOURCE ? '.ts' : '.js';

/**
 * The package's root directory (the one holding package.json, README.md and the
 * shipped folders such as `examples/`), with a trailing slash: the repository
 * from source, the installed package compiled. Files that ship outside `dist/`
 * must be found from here, not relative to a module (a compiled module is one
 * level deeper, under `dist/`).
 */
export const PACKAGE_ROOT: string = fileURLToPath(new URL(RUNNING_FROM_SOURCE ? '../' : '../../', import.meta.url));

/** File extensions that need a TypeScript loader. */
const TYPESCRIPT_EXTENSIONS: readonly string[] = ['.ts', '.mts', '.cts'];

/** Whether `file` is a TypeScript module (by its extension, case-insensitively). */
export function isTypeScriptModule(file: string): boolean {
  return TYPESCRIPT_EXTENSIONS.includes(extname(file).toLowerCase());
}

let registration: Promise<void> | null = null;

/**
 * Make `.ts` modules importable in this thread: nothing to do when running
 * from source; otherwise tsx's ES module hooks are registered, once per
 * thread. Rejects with an error naming tsx when it cannot be loaded (it is
 * a dependency of the package, so only a broken install does that).
 */
export function ensureTypeScriptLoader(): Promise<void> {
  if (RUNNING_FROM_SOURCE) return Promise.resolve();
  registration ??= import('tsx/esm/api').then(
    ({ register }) => {
      register();
    },
    (e: unknown) => {
      const reason = e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e);
      throw new Error(`loading a TypeScript module needs tsx, which failed to load (${reason})`);
    },
  );
  return registration;
}

/**
 * Import the module at the absolute path `file`, registering the TypeScript
 * loader first when it is a `.ts`, `.mts` or `.cts` file. Rejects with the
 * loader's error when the module cannot be loaded or throws while loading.
 */
export async function importModuleFile(file: string): Promise<Record<string, unknown>> {
  if (isTypeScriptModule(file)) await ensureTypeScriptLoader();
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}
