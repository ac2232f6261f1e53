/**
 * The C compiler the kernel subject is built with: `$CC`, else the first of
 * cc, gcc and clang on PATH that runs. Also runs it, asynchronously, and
 * turns its first error into one line.
 */

import { spawn, spawnSync } from 'node:child_process';
import { relative } from 'node:path';
import { KernelBuildError } from './errors.ts';

export interface Compiler {
  /** The command as given ($CC or the name found on PATH). */
  readonly command: string;
  /** The first line of `--version`, e.g. `gcc (Debian 12.2.0-14) 12.2.0`. */
  readonly version: string;
}

/** The result of one compiler run. */
export interface CompileResult {
  readonly ok: boolean;
  readonly stderr: string;
}

const CANDIDATES = ['cc', 'gcc', 'clang'];

/**
 * Finds a working C compiler. Throws `KernelBuildError` naming what was
 * tried when none runs.
 */
export function findCompiler(env: NodeJS.ProcessEnv = process.env): Compiler {
  const fromEnv = env['CC']?.trim();
  const tried = fromEnv !== undefined && fromEnv !== '' ? [fromEnv] : CANDIDATES;
  for (const command of tried) {
    const r = spawnSync(command, ['--version'], { encoding: 'utf8', env });
    if (r.error === undefined && r.status === 0) {
      return { command, version: (r.stdout.split('\n')[0] ?? command).trim() };
    }
  }
  const what = fromEnv !== undefined && fromEnv !== '' ? `CC=${fromEnv} does not run` : `tried ${CANDIDATES.join(', ')}`;
  throw new KernelBuildError(`no C compiler found (${what}); install gcc or set CC`);
}

/** Runs the compiler with `args`, feeding `stdin` if given. Never rejects for a failing compile. */
export function runCompiler(compiler: Compiler, args: readonly string[], stdin?: string): Promise<CompileResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(compiler.command, [...args], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 1 << 20) stderr += chunk;
    });
    child.on('error', (err) => resolvePromise({ ok: false, stderr: `${compiler.command}: ${err.message}` }));
    child.on('close', (code) => resolvePromise({ ok: code === 0, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(stdin ?? '');
  });
}

const ERROR_LINE = /^(.+?):(\d+)(?::\d+)?: (?:fatal )?error: (.*)$/;

/**
 * The first error of a compiler's output as `file:line: message`, the file
 * relative to `base` when it lies inside it; else the output's first line
 * (a linker error, for instance).
 */
export function firstCompilerError(stderr: string, base: string): string {
  const lines = stderr.split('\n');
  for (const line of lines) {
    const m = ERROR_LINE.exec(line);
    if (m === null) continue;
    const file = m[1] as string;
    const rel = relative(base, file);
    const shown = rel.startsWith('..') ? file : rel;
    return `${shown}:${m[2]}: ${(m[3] as string).trim()}`;
  }
  const first = lines.find((l) => l.trim() !== '' && !/^In file included from|^\s+from |: In function /.test(l));
  return (first ?? 'the compiler failed without a message').trim();
}
