/**
 * C identifiers for the exported test: a trace file's name turned into the
 * name of its KUnit case (`corpus/zoo/keep-flag-7d6a4e.json` ->
 * `drm_test_gpuvm_keep_flag_7d6a4e`), unique within one file.
 */

import { basename } from 'node:path';

/** The prefix of every case function, after the drm tests' `drm_test_<component>_` convention. */
export const CASE_PREFIX = 'drm_test_gpuvm_';

const C_KEYWORDS = new Set([
  'auto', 'break', 'case', 'char', 'const', 'continue', 'default', 'do', 'double', 'else', 'enum', 'extern',
  'float', 'for', 'goto', 'if', 'inline', 'int', 'long', 'register', 'restrict', 'return', 'short', 'signed',
  'sizeof', 'static', 'struct', 'switch', 'typedef', 'union', 'unsigned', 'void', 'volatile', 'while',
  '_Alignas', '_Alignof', '_Atomic', '_Bool', '_Complex', '_Generic', '_Imaginary', '_Noreturn',
  '_Static_assert', '_Thread_local',
]);

/** Whether `name` is a C identifier that is not a keyword. */
export function isCIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !C_KEYWORDS.has(name);
}

/**
 * `text` as a lowercase C identifier in kernel style: every run of characters
 * other than ASCII letters and digits becomes one underscore, leading and
 * trailing underscores go, and a name that would start with a digit (or is
 * empty) gets a `trace_` prefix. Never a keyword (the result is always used
 * behind a prefix, but stands alone here too).
 */
export function sanitizeIdentifier(text: string): string {
  let s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (s === '' || /^[0-9]/.test(s)) s = `trace_${s}`.replace(/_+$/, '');
  if (C_KEYWORDS.has(s)) s = `${s}_trace`;
  return s;
}

/** The base name of a trace file without its `.json` (or other) extension. */
export function traceStem(file: string): string {
  const base = basename(file);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/**
 * The case function names for `files`, in order: `CASE_PREFIX` + the
 * sanitised stem, with `_2`, `_3`, ... appended to the second and later uses
 * of the same name (two files called `a-b.json` and `a_b.json`, or the same
 * name in two directories).
 */
export function caseNames(files: readonly string[]): string[] {
  const taken = new Set<string>();
  return files.map((file) => {
    const base = `${CASE_PREFIX}${sanitizeIdentifier(traceStem(file))}`;
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
    taken.add(name);
    return name;
  });
}
