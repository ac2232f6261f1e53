/**
 * The `exec:` subject spec: `exec:PROGRAM ARGS...`, split into an argument
 * vector the way a POSIX shell splits words, without any expansion.
 *
 * Quoting (docs/subject-protocol.md, "Running a subject"):
 * - words are separated by spaces, tabs or newlines;
 * - `'...'` quotes everything literally up to the next `'`;
 * - `"..."` quotes everything up to the next unescaped `"`; inside, `\"` and
 *   `\\` stand for `"` and `\` (any other backslash is kept as it is);
 * - outside quotes, a backslash makes the next character literal;
 * - quoted parts and plain parts next to each other make one word (`a'b c'` is `ab c`);
 * - nothing else is special: no variables, no `~`, no globs, no redirections.
 *
 * The program is looked up on PATH when it has no slash; a relative path is
 * relative to the current directory.
 */

/** The prefix of an exec subject spec. */
export const EXEC_PREFIX = 'exec:';

/** Why an exec spec cannot be split. */
export class ExecSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecSpecError';
  }
}

/**
 * Splits the part after `exec:` into words (see the module comment). Throws
 * `ExecSpecError` for an unterminated quote, a trailing backslash, or no
 * program at all.
 */
export function splitExecWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new ExecSpecError(`unterminated ' quote starting at character ${i + 1}`);
      word += text.slice(i + 1, end);
      i = end;
    } else if (ch === '"') {
      let j = i + 1;
      for (;; j++) {
        if (j >= text.length) throw new ExecSpecError(`unterminated " quote starting at character ${i + 1}`);
        const c = text[j] as string;
        if (c === '"') break;
        if (c === '\\' && (text[j + 1] === '"' || text[j + 1] === '\\')) {
          word += text[j + 1];
          j++;
        } else {
          word += c;
        }
      }
      i = j;
    } else if (ch === '\\') {
      if (i + 1 >= text.length) throw new ExecSpecError('a backslash at the end escapes nothing');
      word += text[i + 1];
      i++;
    } else {
      word += ch;
    }
  }
  if (inWord) words.push(word);
  if (words.length === 0 || words[0] === '') throw new ExecSpecError('no program given (expected exec:PROGRAM ARGS...)');
  return words;
}

/** Whether `spec` is an exec subject spec. */
export function isExecSpec(spec: string): boolean {
  return spec.trim().startsWith(EXEC_PREFIX);
}

/** The argument vector of an `exec:` spec (the spec must start with `exec:`). Throws `ExecSpecError`. */
export function parseExecSpec(spec: string): string[] {
  const trimmed = spec.trim();
  if (!trimmed.startsWith(EXEC_PREFIX)) throw new ExecSpecError(`not an exec spec (expected ${EXEC_PREFIX}PROGRAM ARGS...)`);
  return splitExecWords(trimmed.slice(EXEC_PREFIX.length));
}

/** An argument vector written back as an `exec:` spec that splits to the same words. */
export function formatExecSpec(argv: readonly string[]): string {
  const quote = (w: string): string => (/^[A-Za-z0-9_./:@%+=,-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);
  return `${EXEC_PREFIX}${argv.map(quote).join(' ')}`;
}
