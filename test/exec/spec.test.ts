/**
 * The `exec:` spec: words split like a POSIX shell without expansion, and
 * written back so that they split the same.
 */
import { describe, expect, it } from 'vitest';
import { ExecSpecError, formatExecSpec, parseExecSpec, splitExecWords } from '../../src/exec/spec.ts';
import { resolveSubject, SubjectResolutionError } from '../../src/subjects.ts';

describe('exec: specs', () => {
  it.each([
    ['prog', ['prog']],
    ['  prog   a\tb\nc  ', ['prog', 'a', 'b', 'c']],
    ["prog 'a b' c", ['prog', 'a b', 'c']],
    ['prog "a b" "c\\"d" "e\\\\f" "g\\h"', ['prog', 'a b', 'c"d', 'e\\f', 'g\\h']],
    ['prog a\\ b \\"c', ['prog', 'a b', '"c']],
    ["prog a'b c'd \"\"", ['prog', 'ab cd', '']],
    ["prog '$HOME' ~ *.c", ['prog', '$HOME', '~', '*.c']],
  ])('%s splits into %j', (text, words) => {
    expect(splitExecWords(text)).toEqual(words);
  });

  it.each([
    ["prog 'a", /unterminated ' quote starting at character 6/],
    ['prog "a', /unterminated " quote starting at character 6/],
    ['prog \\', /a backslash at the end escapes nothing/],
    ['   ', /no program given/],
    ["'' a", /no program given/],
  ])('%s is an ExecSpecError', (text, message) => {
    expect(() => splitExecWords(text)).toThrow(ExecSpecError);
    expect(() => splitExecWords(text)).toThrow(message);
  });

  it('parseExecSpec takes the words after exec: and formatExecSpec writes them back', () => {
    const argv = ['/opt/my vm/subject', "it's", 'plain', '--flag=x', ''];
    expect(parseExecSpec(formatExecSpec(argv))).toEqual(argv);
    expect(parseExecSpec('exec:node bin/gpuvm-check.mjs serve')).toEqual(['node', 'bin/gpuvm-check.mjs', 'serve']);
    expect(() => parseExecSpec('builtin:gpuvm')).toThrow(/not an exec spec/);
  });

  it('resolveSubject reports a bad exec spec as a one-line SubjectResolutionError naming it', async () => {
    await expect(resolveSubject("exec:prog 'open")).rejects.toThrow(SubjectResolutionError);
    await expect(resolveSubject("exec:prog 'open")).rejects.toThrow(/^subject "exec:prog 'open": unterminated ' quote/);
    await expect(resolveSubject('exec:')).rejects.toThrow(/no program given/);
  });
});
