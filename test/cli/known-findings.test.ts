/**
 * Known findings (`--known FILE`): a campaign recognises them without
 * shrinking, minimising or saving anything, counts the hits per finding and
 * goes on; `check --known` passes when only known findings appear and fails,
 * with the usual report, on a new one. Campaigns are bounded by runs and
 * seeded, so every outcome here is fixed.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBatch } from '../../src/campaign/batch.ts';
import type { BatchMessage } from '../../src/campaign/messages.ts';
import { Triage } from '../../src/campaign/triage.ts';
import { knownMatchers, loadKnownFindings } from '../../src/findings/known.ts';
import { resolveSubject } from '../../src/subjects.ts';
import type { Subject, SubjectFactory } from '../../src/protocol/types.ts';
import { filesIn, KEEP_FAULT, lastJson, REPO, removeTempDirs, runCli, tempDir, type CliResult } from './run-cli.ts';

afterAll(removeTempDirs);

const TWO_FAULTS = 'bench/dedup/keep-and-hole.ts';
const KEEP = { id: 'keep', reason: 'keep compares only the objects', status: 'latent-defect', function: 'drm_gpuvm_sm_map', signature: 'keep-flag/map: op # has keep=true' };
const HOLE = { id: 'hole', reason: 'the remap hole is the full old range', status: 'fixed-in 6.10', signature: { invariant: 'remap-hole', kind: ['map', 'unmap', 'madvise'] } };

function findingsFile(dir: string, findings: unknown[]): string {
  const path = join(dir, 'known.json');
  writeFileSync(path, JSON.stringify({ format: 'gpuvm-findings/1', findings }));
  return path;
}

describe('fuzz --known against a subject whose only bug is known', () => {
  let dir: string;
  let out: string;
  let run: CliResult;
  let summary: Record<string, unknown>;

  beforeAll(() => {
    dir = tempDir();
    out = join(dir, 'out');
    const known = findingsFile(dir, [KEEP]);
    run = runCli(['fuzz', '--subject', KEEP_FAULT, '--known', known, '--seed', '11', '--runs', '200', '--workers', '1', '--out', out, '--json', '--quiet']);
    summary = lastJson(run);
  }, 60_000);

  it('passes: no new failure, nothing saved, no failure report', () => {
    expect(run.status).toBe(0);
    expect(summary['status']).toBe('pass');
    expect(summary['failures']).toEqual([]);
    expect(filesIn(out)).toEqual([]);
    expect(run.stdout).not.toContain('FAILURE');
  });

  it('counts every failing run as a hit of the finding, and runs the whole budget', () => {
    expect(summary['runs']).toBe(200);
    const hits = summary['knownFindings'] as { id: string; hits: number; status: string }[];
    expect(hits).toEqual([expect.objectContaining({ id: 'keep', status: 'latent-defect', function: 'drm_gpuvm_sm_map' })]);
    expect(hits[0]!.hits).toBeGreaterThan(0);
    expect(summary['knownHits']).toBe(hits[0]!.hits);
    expect(summary['failedRuns']).toBe(hits[0]!.hits);
    expect(run.stdout).toMatch(/^known: {4}1 of 1 known finding hit, \d+ failing runs in all$/m);
    expect(run.stdout).toMatch(/^ {2}keep \(latent-defect\): \d+ hits$/m);
  });

  it('a finding given by its minimal trace alone is recognised the same way', () => {
    copyFileSync(join(REPO, 'corpus/zoo/keep-ignores-offset.json'), join(dir, 'keep-min.json'));
    const byTrace = findingsFile(dir, [{ id: 'keep-by-trace', reason: 'keep ignores the offset', status: 'latent-defect', trace: 'keep-min.json' }]);
    const r = runCli(['fuzz', '--subject', KEEP_FAULT, '--known', byTrace, '--seed', '11', '--runs', '200', '--workers', '1', '--out', out, '--json', '--quiet']);
    expect(r.status).toBe(0);
    const s = lastJson(r);
    expect(s['failures']).toEqual([]);
    expect((s['knownFindings'] as { hits: number; reproduces: boolean }[])[0]).toMatchObject({ reproduces: true, hits: summary['knownHits'] });
  });
});

describe('the worker and the triage treat a known finding cheaply', () => {
  it('runBatch counts known hits and sends no failure for them; the triage replays nothing', async () => {
    const fault = await resolveSubject(KEEP_FAULT);
    let made = 0;
    const counting: SubjectFactory = async (): Promise<Subject> => {
      made++;
      return fault();
    };
    const env = { subjectFactory: counting, modelFactory: await resolveSubject('builtin:model') };
    const dir = tempDir();
    const known = await loadKnownFindings(findingsFile(dir, [KEEP]), env);
    const init = { campaignSeed: 11, totalRuns: null, maxCommands: null, known: knownMatchers(known) };
    const batches: BatchMessage[] = [];
    for (let i = 0; i < 4; i++) batches.push(await runBatch(fault, init, i));
    const hits = batches.reduce((n, b) => n + (b.knownHits['keep'] ?? 0), 0);
    expect(hits).toBeGreaterThan(0);
    expect(batches.every((b) => b.failures.length === 0 && b.failedRuns === (b.knownHits['keep'] ?? 0))).toBe(true);

    made = 0;
    const reports: string[] = [];
    const triage = new Triage({ env, subject: KEEP_FAULT, outDir: null, campaignSeed: 11, known, report: (l) => reports.push(...l) });
    for (const b of batches) await triage.handle(b);
    expect(made).toBe(0);
    expect(reports).toEqual([]);
    expect(triage.failures).toEqual([]);
    expect(triage.known.get('keep')?.hits).toBe(hits);
  });

  it('without --known the same batches carry the failure, once per batch, with its repeats counted', async () => {
    const fault = await resolveSubject(KEEP_FAULT);
    const b = await runBatch(fault, { campaignSeed: 11, totalRuns: null, maxCommands: null }, 0);
    expect(b.failedRuns).toBeGreaterThan(0);
    expect(b.failures.map((f) => f.key)).toEqual(['keep-flag/map: op # has keep=true']);
    expect(b.failures[0]!.repeats).toBe(b.failedRuns - 1);
  });
});

describe('check --known', () => {
  it('passes when only known findings appear (campaign and corpus)', () => {
    const dir = tempDir();
    const corpus = join(dir, 'corpus');
    const known = findingsFile(dir, [KEEP, HOLE]);
    mkdirSync(corpus);
    copyFileSync(join(REPO, 'corpus/zoo/keep-ignores-offset.json'), join(corpus, 'keep.json'));
    const r = runCli(['check', '--subject', TWO_FAULTS, '--known', known, '--corpus', corpus, '--runs', '200', '--workers', '1', '--json', '--quiet']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('check: PASS');
    expect(r.stdout).toMatch(/^KNOWN .*keep\.json: keep-flag at command 1 is known finding keep$/m);
    const s = lastJson(r);
    expect(s['corpus']).toMatchObject({ traces: 1, failures: 0, known: 1 });
    const campaign = s['campaign'] as { failures: unknown[]; knownFindings: { id: string; hits: number }[] };
    expect(campaign.failures).toEqual([]);
    expect(campaign.knownFindings.map((k) => k.id)).toEqual(['keep', 'hole']);
    expect(campaign.knownFindings.every((k) => k.hits > 0)).toBe(true);
  });

  it('fails with the usual report on a new one, and --json carries known and new apart', () => {
    const dir = tempDir();
    const known = findingsFile(dir, [KEEP]);
    const r = runCli(['check', '--subject', TWO_FAULTS, '--known', known, '--corpus', join(dir, 'none'), '--runs', '200', '--workers', '1', '--json', '--quiet']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('check: FAIL');
    expect(r.stdout).toContain('FAILURE: remap-hole');
    expect(r.stdout).toContain('signature: remap-hole/');
    const campaign = lastJson(r)['campaign'] as { failures: { invariant: string }[]; knownFindings: { id: string; hits: number }[] };
    expect(campaign.failures.map((f) => f.invariant)).toEqual(['remap-hole']);
    expect(campaign.knownFindings).toEqual([expect.objectContaining({ id: 'keep' })]);
    expect(campaign.knownFindings[0]!.hits).toBeGreaterThan(0);
  });
});
