/**
 * The corpus: a directory of trace files (`.json`, in it or in its subfolders).
 *
 * Loading reads every `.json` file below it in path order and decodes it with the
 * codec (bad input throws `TraceInputError` naming file, command and field).
 * Saving is atomic -- the text goes to a temporary file in the same
 * directory which is then renamed into place -- and never overwrites a
 * different trace: a file already holding the same content (meta aside)
 * means "already saved"; a name taken by different content moves on to
 * `<name>-1.json`, `<name>-2.json`, ...
 */

import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { decodeTrace, encodeTrace } from '../protocol/codec.ts';
import { TraceInputError } from '../protocol/errors.ts';
import type { Trace } from '../protocol/types.ts';
import { contentKey, traceFileName } from './naming.ts';

export interface StoredTrace {
  /** Path of the file as given (directory joined with the name). */
  readonly file: string;
  readonly trace: Trace;
}

export interface SaveResult {
  readonly file: string;
  /** `saved`: written now; `exists`: a file with the same content was already there. */
  readonly status: 'saved' | 'exists';
}

/** Read one trace file. A missing or unreadable file is a `TraceInputError` too. */
export async function loadTraceFile(file: string): Promise<Trace> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a trace file' : `cannot read (${code ?? String(e)})`;
    throw new TraceInputError({ file, index: null, field: '', reason });
  }
  return decodeTrace(text, file);
}

/**
 * The `.json` files of `dir` and its subdirectories (e.g. `corpus/zoo/`), in
 * path order; hidden files and folders (a leading dot, such as a save's
 * temporary file) are left out. None when the directory does not exist.
 */
export async function listTraceFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const s = await stat(dir);
  if (!s.isDirectory()) throw new TraceInputError({ file: dir, index: null, field: '', reason: 'is not a directory' });
  const names = (await readdir(dir, { recursive: true }))
    .filter((n) => n.endsWith('.json') && !n.split(sep).some((part) => part.startsWith('.')))
    .sort();
  return names.map((n) => join(dir, n));
}

/** Load every trace of a corpus directory (none when it does not exist). */
export async function loadCorpus(dir: string): Promise<StoredTrace[]> {
  const out: StoredTrace[] = [];
  for (const file of await listTraceFiles(dir)) out.push({ file, trace: await loadTraceFile(file) });
  return out;
}

/** Whether `file` holds a trace with the same content as `trace` (unreadable or invalid: no). */
async function holdsSameTrace(file: string, trace: Trace): Promise<boolean> {
  try {
    return contentKey(decodeTrace(await readFile(file, 'utf8'), file)) === contentKey(trace);
  } catch {
    return false;
  }
}

let tempCounter = 0;

/**
 * Write `text` to `file` atomically: a temporary file beside it, then a
 * rename. The temporary name is hidden (leading dot) so a half-written file
 * is never loaded as part of the corpus. The directory is created when missing.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(file)}.${process.pid}.${++tempCounter}.tmp`);
  await writeFile(temp, text, { flag: 'wx' });
  try {
    await rename(temp, file);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw e;
  }
}

/**
 * Save `trace` into `dir` (created when missing) as `<invariant>-<hash>.json`.
 * Identical content already there: nothing is written, status `exists`.
 */
export async function saveTrace(dir: string, trace: Trace, invariant: string): Promise<SaveResult> {
  const text = encodeTrace(trace);
  for (let attempt = 0; ; attempt++) {
    const file = join(dir, traceFileName(invariant, trace, attempt));
    if (existsSync(file)) {
      if (await holdsSameTrace(file, trace)) return { file, status: 'exists' };
      continue;
    }
    await writeFileAtomic(file, text);
    return { file, status: 'saved' };
  }
}
