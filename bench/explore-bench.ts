/**
 * Campaigns that keep exploring (issue 9), measured:
 *
 * - throughput: checked commands per second of a one-thread campaign (the
 *   campaign engine's batches and triage, in process) against builtin:gpuvm,
 *   and against a faulty subject whose bug is hit in most runs, with the bug
 *   known (`--known`) and not known. Target: with a known finding hit in at
 *   least 20% of runs, at least 80% of builtin:gpuvm's rate. Rates are CPU time.
 * - dedup: a runs-bounded campaign against each zoo fault and each two-fault
 *   subject of `bench/dedup/`: files saved per real bug (target 1, at most 2),
 *   and real bugs merged wrongly (target 0). A saved failure belongs to a real
 *   bug when its minimal trace fails against that fault alone; a bug merged
 *   wrongly is one that no saved failure belongs to.
 * - minimal form: every zoo fault's minimised trace and every minimiser
 *   fault's (`bench/minimizer-faults/`) is page-aligned unless the bug needs a
 *   finer granule, and no distance in it can be halved and still fail.
 * - timing: `fuzz --stop-on-first --workers 1` on a few faults through the
 *   command line: start-up against time to the first failure.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ReferenceModel } from '../model/index.ts';
import { runBatch } from '../src/campaign/batch.ts';
import { replayOracle, type ReplayEnv } from '../src/campaign/replay-env.ts';
import { Triage } from '../src/campaign/triage.ts';
import { exactSignature, type KnownFindings } from '../src/findings/known.ts';
import type { KnownMatcher } from '../src/findings/match.ts';
import { sameFailure, minimizeTrace, type FailureOutcome } from '../src/minimize/minimize-trace.ts';
import type { SubjectFactory, Trace } from '../src/protocol/types.ts';
import { resolveSubject } from '../src/subjects.ts';
import { FAULTS, faultModulePath } from '../src/zoo/catalog.ts';
import { runFaultCampaign } from '../src/zoo/run-fault.ts';
import { halvings, pageAligned } from './minimizer-faults/halvable.ts';
import { MINIMIZER_FAULTS, minimizerFaultPath } from './minimizer-faults/catalog.ts';
import type { BenchOptions, BenchResult, BenchRow, BenchTarget, Benchmark } from './run.ts';

const REPO = resolve(import.meta.dirname, '..');
const model: SubjectFactory = () => new ReferenceModel();

/** The two-fault subjects and the zoo faults each combines. */
export const PAIRS: readonly { readonly module: string; readonly faults: readonly [string, string] }[] = [
  { module: 'bench/dedup/keep-and-hole.ts', faults: ['keep-ignores-offset', 'remap-hole-full-range'] },
  { module: 'bench/dedup/keep-and-next-offset.ts', faults: ['keep-ignores-offset', 'next-offset-from-request'] },
  { module: 'bench/dedup/windows-and-next-offset.ts', faults: ['find-closed-windows', 'next-offset-from-request'] },
  { module: 'bench/dedup/zero-length-and-lists.ts', faults: ['zero-length-range', 'vm-bo-destroy-keeps-lists'] },
  { module: 'bench/dedup/rotation-and-unwind.ts', faults: ['rotation-skips-augment', 'unwind-shrunken-middle'] },
];

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

interface CampaignRun {
  readonly commands: number;
  readonly runs: number;
  readonly failedRuns: number;
  readonly cpuMs: number;
  readonly triage: Triage;
}

/** A one-thread campaign of `runs` runs from `seed`: batches in explore mode, triaged in order. */
async function campaign(subject: string, seed: number, runs: number, known: KnownFindings | null): Promise<CampaignRun> {
  const factory = await resolveSubject(subject);
  const env: ReplayEnv = { subjectFactory: factory, modelFactory: model };
  const triage = new Triage({ env, subject, outDir: null, campaignSeed: seed, known, report: () => undefined });
  const matchers: KnownMatcher[] = known === null ? [] : known.findings.map((f) => ({ id: f.id, signatures: f.signatures }));
  const init = { campaignSeed: seed, totalRuns: runs, maxCommands: null, known: matchers };
  let commands = 0;
  let done = 0;
  let failedRuns = 0;
  const t0 = cpuMs();
  for (let i = 0; done < runs; i++) {
    const b = await runBatch(factory, init, i);
    commands += b.commands;
    done += b.runs;
    failedRuns += b.failedRuns;
    await triage.handle(b);
    if (b.runs === 0) break;
  }
  return { commands, runs: done, failedRuns, cpuMs: cpuMs() - t0, triage };
}

/** A findings file (in memory) naming `subject`'s saved failures as known. */
function knownOf(r: CampaignRun): KnownFindings {
  return {
    file: '(bench)',
    subject: null,
    warnings: [],
    findings: r.triage.failures.map((f, i) => ({
      id: `bug-${i}`,
      reason: f.signature,
      status: 'latent-defect',
      function: null,
      signature: null,
      trace: null,
      traceFile: null,
      minimalTrace: f.trace,
      traceKey: null,
      traceSymptom: { invariant: f.invariant, kind: f.kind, detail: f.detail },
      reproduces: true,
      signatures: [exactSignature({ invariant: f.invariant, kind: f.kind, detail: f.detail }), ...f.aliases.map((a) => exactSignature(a.symptom))],
    })),
  };
}

/** Subjects for the throughput rows: the first is the target's (its bug hit in 20-60% of runs), the last the extreme. */
const THROUGHPUT_FAULTS = ['find-closed-windows', 'keep-ignores-offset', 'remap-hole-full-range'];

async function throughput(opts: BenchOptions, rows: BenchRow[], targets: BenchTarget[]): Promise<void> {
  const runs = opts.quick ? 400 : 3000;
  const rate = (r: CampaignRun): number => (r.commands / r.cpuMs) * 1000;
  const note = (r: CampaignRun): string => `${r.commands} commands, ${r.runs} runs, ${r.failedRuns} failing (${Math.round((r.failedRuns / r.runs) * 100)}%), ${Math.round(r.cpuMs)} ms CPU`;
  opts.log('explore: throughput, builtin:gpuvm');
  await campaign('builtin:gpuvm', 98, 400, null); // warm-up
  const clean = await campaign('builtin:gpuvm', 21, runs, null);
  rows.push({ metric: 'campaign, builtin:gpuvm', value: rate(clean), unit: 'cmd/s', note: note(clean) });
  for (const [i, id] of THROUGHPUT_FAULTS.entries()) {
    const subject = faultModulePath(id);
    opts.log(`explore: throughput, ${id} (learning its bug, warming up)`);
    const known = knownOf(await campaign(subject, 97, 400, null));
    await campaign(subject, 96, 400, known);
    opts.log(`explore: throughput, ${id} with its bug known`);
    const withKnown = await campaign(subject, 21, runs, known);
    const ratio = rate(withKnown) / rate(clean);
    const hitRate = withKnown.failedRuns / withKnown.runs;
    rows.push({ metric: `campaign, ${id}, bug known`, value: rate(withKnown), unit: 'cmd/s', note: `${note(withKnown)}; ${Math.round(ratio * 100)}% of builtin:gpuvm` });
    if (i === 0) {
      opts.log(`explore: throughput, ${id} without --known`);
      const without = await campaign(subject, 21, runs, null);
      rows.push({ metric: `campaign, ${id}, bug new`, value: rate(without), unit: 'cmd/s', note: `${note(without)}; its one minimisation included` });
      targets.push({
        name: "a known finding hit in >= 20% of runs keeps >= 80% of builtin:gpuvm's cmd/s",
        pass: hitRate >= 0.2 && ratio >= 0.8,
        detail: `${Math.round(ratio * 100)}% (${id}, ${Math.round(hitRate * 100)}% of runs hit it)`,
      });
    }
  }
}

/** Which of `faults` a saved minimal trace fails against alone. */
async function owners(trace: Trace, faults: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of faults) {
    const o = await replayOracle({ subjectFactory: await resolveSubject(faultModulePath(f)), modelFactory: model })(trace);
    if (o !== null) out.push(f);
  }
  return out;
}

async function dedup(opts: BenchOptions, rows: BenchRow[], targets: BenchTarget[]): Promise<void> {
  const runs = opts.quick ? 200 : 1000;
  let bugs = 0;
  let files = 0;
  let worst = 0;
  let worstName = '';
  const perFault: string[] = [];
  for (const f of FAULTS) {
    opts.log(`explore: dedup, ${f.id}`);
    const r = await campaign(faultModulePath(f.id), 1, runs, null);
    bugs++;
    files += r.triage.failures.length;
    perFault.push(`${f.id} ${r.triage.failures.length}`);
    if (r.triage.failures.length > worst) {
      worst = r.triage.failures.length;
      worstName = f.id;
    }
  }
  let pairBugs = 0;
  let pairFiles = 0;
  let lost = 0;
  const lostNames: string[] = [];
  for (const p of PAIRS) {
    opts.log(`explore: dedup, ${p.module}`);
    const r = await campaign(p.module, 1, runs, null);
    pairBugs += 2;
    pairFiles += r.triage.failures.length;
    const covered = new Set<string>();
    for (const saved of r.triage.failures) for (const o of await owners(saved.trace, p.faults)) covered.add(o);
    for (const f of p.faults) {
      if (!covered.has(f)) {
        lost++;
        lostNames.push(`${f} in ${p.module}`);
      }
    }
  }
  rows.push(
    { metric: `dedup: files per real bug, 16 zoo faults (${runs} runs each)`, value: files / bugs, unit: 'files', note: perFault.join(', ') },
    { metric: `dedup: files per real bug, ${PAIRS.length} two-fault subjects`, value: pairFiles / pairBugs, unit: 'files', note: `${pairFiles} files for ${pairBugs} bugs` },
    { metric: 'dedup: real bugs merged wrongly', value: lost, unit: 'bugs', note: lostNames.join(', ') || 'none' },
  );
  targets.push(
    { name: 'dedup: at most 2 files per real bug (zoo faults)', pass: worst <= 2, detail: `worst ${worst} (${worstName}), mean ${(files / bugs).toFixed(2)}` },
    { name: 'dedup: no real bug merged wrongly (two-fault subjects)', pass: lost === 0, detail: `${lost}` },
  );
}

async function minimalForm(opts: BenchOptions, rows: BenchRow[], targets: BenchTarget[]): Promise<void> {
  let good = 0;
  const bad: string[] = [];
  const check = async (id: string, factory: SubjectFactory, t: Trace | null, subPage: boolean): Promise<void> => {
    if (t === null) {
      bad.push(`${id}: nothing minimised`);
      return;
    }
    const oracle = replayOracle({ subjectFactory: factory, modelFactory: model });
    const original = (await oracle(t)) as FailureOutcome;
    const halvable: string[] = [];
    for (const h of halvings(t, pageAligned(t) ? 0x1000n : 1n)) if (sameFailure(original, await oracle(h.trace))) halvable.push(h.what);
    if (pageAligned(t) === !subPage && halvable.length === 0) good++;
    else bad.push(`${id}: ${pageAligned(t) ? 'page-aligned' : 'sub-page'}${halvable.length > 0 ? `, ${halvable[0]}` : ''}`);
  };
  for (const f of FAULTS) {
    opts.log(`explore: minimal form, ${f.id}`);
    const factory = await resolveSubject(faultModulePath(f.id));
    const r = await runFaultCampaign({ subjectFactory: factory, modelFactory: model, seed: 1, budgetMs: 10_000 });
    await check(f.id, factory, r.minimized, false);
  }
  for (const f of MINIMIZER_FAULTS) {
    opts.log(`explore: minimal form, ${f.id}`);
    const factory = await resolveSubject(minimizerFaultPath(f.id));
    const r = await minimizeTrace(f.start, replayOracle({ subjectFactory: factory, modelFactory: model }));
    await check(f.id, factory, r?.trace ?? null, f.subPage);
  }
  const n = FAULTS.length + MINIMIZER_FAULTS.length;
  rows.push({ metric: 'minimal traces page-aligned (unless sub-page) and unhalvable', value: good, unit: `of ${n}`, note: bad.join('; ') || 'all' });
  targets.push({ name: 'every minimal trace in normal form (16 zoo + 12 minimiser faults)', pass: good === n, detail: `${good}/${n}` });
}

function timing(opts: BenchOptions, rows: BenchRow[]): void {
  const faults = opts.quick ? ['keep-ignores-offset'] : ['keep-ignores-offset', 'unmap-prealloc-one', 'enomem-leaks-partial-list'];
  const out = mkdtempSync(join(tmpdir(), 'gpuvm-check-bench-'));
  for (const f of faults) {
    opts.log(`explore: timing, fuzz --stop-on-first against ${f}`);
    const args = [join(REPO, 'bin/gpuvm-check.mjs'), 'fuzz', '--subject', faultModulePath(f), '--seed', '1', '--time', '30s', '--workers', '1', '--stop-on-first', '--json', '--quiet', '--out', out];
    const r = spawnSync(process.execPath, args, { cwd: REPO, encoding: 'utf8' });
    const last = r.stdout.trimEnd().split('\n').pop() ?? '{}';
    const s = JSON.parse(last) as { startupMs?: number; timeToFirstFailureMs?: number; elapsedMs?: number };
    rows.push({ metric: `fuzz start-up / first failure, ${f}`, value: s.startupMs ?? -1, unit: 'ms start-up', note: `first failure ${s.timeToFirstFailureMs ?? '?'} ms after the first command; ${s.elapsedMs ?? '?'} ms in all (minimising included)` });
  }
  rmSync(out, { recursive: true, force: true });
}

const bench: Benchmark = {
  name: 'explore',
  description: 'campaigns that keep exploring: throughput with a known finding, dedup per real bug, minimal form, start-up vs first failure',
  async run(opts: BenchOptions): Promise<BenchResult> {
    const rows: BenchRow[] = [];
    const targets: BenchTarget[] = [];
    await throughput(opts, rows, targets);
    await dedup(opts, rows, targets);
    await minimalForm(opts, rows, targets);
    timing(opts, rows);
    return { rows, targets };
  },
};

export default bench;
