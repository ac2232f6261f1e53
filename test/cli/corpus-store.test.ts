/**
 * The corpus store: names from content, atomic saves that never overwrite a
 * different trace, and seed streams that do not depend on the worker count.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { batchCount, batchRuns, batchSeed, workerBatches } from '../../src/campaign/seeds.ts';
import { contentHash, traceFileName } from '../../src/corpus/naming.ts';
import { loadCorpus, saveTrace } from '../../src/corpus/store.ts';
import type { Trace } from '../../src/protocol/types.ts';
import { tempDir, removeTempDirs } from './run-cli.ts';

afterAll(removeTempDirs);

const TRACE: Trace = {
  format: 'gpuvm-trace/1',
  vm: { start: 0n, range: 0x10000n },
  objects: [{ bo: 1 }],
  commands: [{ cmd: 'map', addr: 0x1000n, range: 0x1000n, bo: 1, offset: 0n }],
  meta: { invariant: 'keep-flag', seed: 1, path: '0', subject: 'builtin:gpuvm' },
};

describe('corpus naming', () => {
  it('names a trace <invariant>-<6 hex of the content>.json, ignoring meta', () => {
    const name = traceFileName('keep-flag', TRACE);
    expect(name).toMatch(/^keep-flag-[0-9a-f]{6}\.json$/);
    expect(contentHash({ ...TRACE, meta: { invariant: 'other' } })).toBe(contentHash(TRACE));
    expect(contentHash({ ...TRACE, commands: [] })).not.toBe(contentHash(TRACE));
  });
});

describe('saveTrace', () => {
  it('saves, then reports identical content as already saved without rewriting', async () => {
    const dir = join(tempDir(), 'corpus');
    const first = await saveTrace(dir, TRACE, 'keep-flag');
    expect(first.status).toBe('saved');
    const again = await saveTrace(dir, { ...TRACE, meta: { invariant: 'keep-flag', seed: 99 } }, 'keep-flag');
    expect(again).toEqual({ file: first.file, status: 'exists' });
    expect(readdirSync(dir)).toEqual([traceFileName('keep-flag', TRACE)]);
    expect((await loadCorpus(dir))[0]?.trace.meta?.['seed']).toBe(1);
  });

  it('never overwrites a different trace that holds the name', async () => {
    const dir = tempDir();
    const name = traceFileName('keep-flag', TRACE);
    writeFileSync(join(dir, name), 'not this trace');
    const r = await saveTrace(dir, TRACE, 'keep-flag');
    expect(r.status).toBe('saved');
    expect(r.file).toBe(join(dir, name.replace('.json', '-1.json')));
    expect(readFileSync(join(dir, name), 'utf8')).toBe('not this trace');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('loadCorpus', () => {
  it('reads the traces of subdirectories too, in path order, and skips hidden files and folders', async () => {
    const dir = tempDir();
    await saveTrace(join(dir, 'zoo'), TRACE, 'keep-flag');
    await saveTrace(dir, { ...TRACE, commands: [] }, 'paint');
    mkdirSync(join(dir, '.hidden'));
    writeFileSync(join(dir, '.hidden', 'x.json'), 'not a trace');
    writeFileSync(join(dir, '.half-written.json'), 'not a trace');
    const files = (await loadCorpus(dir)).map((t) => relative(dir, t.file));
    expect(files).toEqual([traceFileName('paint', { ...TRACE, commands: [] }), join('zoo', traceFileName('keep-flag', TRACE))]);
  });
});

describe('seed streams', () => {
  it('derive each batch seed from the campaign seed and the batch number only', () => {
    expect(batchSeed(42, 3)).toBe(batchSeed(42, 3));
    expect(batchSeed(42, 3)).not.toBe(batchSeed(42, 4));
    expect(batchSeed(42, 3)).not.toBe(batchSeed(43, 3));
    expect(Number.isInteger(batchSeed(42, 3))).toBe(true);
  });

  it('deal the batches of a bounded campaign to workers disjointly and completely', () => {
    const count = batchCount(230, 25);
    expect(count).toBe(10);
    const dealt = [0, 1, 2].flatMap((w) => [...workerBatches(w, 3, count)]);
    expect(dealt.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const runs = Array.from({ length: count }, (_, i) => batchRuns(i, 230, 25));
    expect(runs.reduce((a, b) => a + b, 0)).toBe(230);
    expect(runs[9]).toBe(5);
  });
});
