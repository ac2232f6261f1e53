/**
 * `npm run mutate` mutates the split/merge entry points and the range
 * validation of gpuvm.ts by line range (stryker.conf.json). This test shows
 * that the ranges still enclose exactly those methods, so an edit that moves
 * them makes the test fail instead of silently mutation-testing other code.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';

const root = new URL('../../', import.meta.url);
const config = JSON.parse(readFileSync(new URL('stryker.conf.json', root), 'utf8')) as { mutate: string[] };
const source = readFileSync(new URL('src/gpuvm/gpuvm.ts', root), 'utf8').split('\n');

/** Each gpuvm.ts range: the method it must start with and the one it must end with (the last line closes it). */
const EXPECTED: readonly { first: RegExp; last: RegExp }[] = [
  { first: /^ {2}rangeValid\(/, last: /^ {2}rangeValid\(/ },
  { first: /^ {2}smMap\(/, last: /^ {2}boUnmapOpsCreate\(/ },
  { first: /^ {2}private rangeProblem\(/, last: /^ {2}private rangeProblem\(/ },
  { first: /^ {2}private checkMapReq\(/, last: /^ {2}private step\(/ },
];

/** The line (1-based) of the last method header at or before `line`. */
function methodAt(line: number): string {
  for (let i = line - 1; i >= 0; i--) {
    const text = source[i] as string;
    if (/^ {2}(private |protected )?[a-zA-Z]+\(.*\{$/.test(text)) return text;
  }
  return '';
}

test('the gpuvm.ts mutate ranges enclose rangeValid, smMap..boUnmapOpsCreate, rangeProblem and checkMapReq..step', () => {
  const ranges = config.mutate
    .filter((m) => m.startsWith('src/gpuvm/gpuvm.ts:'))
    .map((m) => m.slice('src/gpuvm/gpuvm.ts:'.length).split('-').map(Number) as [number, number]);
  expect(ranges).toHaveLength(EXPECTED.length);
  ranges.forEach(([from, to], i) => {
    const want = EXPECTED[i]!;
    expect(source[from - 1]).toMatch(want.first);
    expect(source[to - 1]).toBe('  }');
    expect(methodAt(to)).toMatch(want.last);
  });
});
