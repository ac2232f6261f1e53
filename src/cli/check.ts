/**
 * `gpuvm-check check`: the CI gate. Every corpus trace is a regression test
 * and must pass against the subject (whatever subject it was once saved
 * from); then a fixed-seed, time-boxed campaign must find nothing.
 */

import { performance } from 'node:perf_hooks';
import { replayOnce } from '../campaign/replay-env.ts';
import { loadCorpus, writeFileAtomic } from '../corpus/store.ts';
import { failureReport } from '../report/failure.ts';
import { junitXml, type JunitCase } from '../report/junit.ts';
import { expectNoPositionals, flagBoolean, flagNumber, flagString, parseArgs, type FlagSpec } from './args.ts';
import { CAMPAIGN_FLAGS, campaignBounds, describeCampaign, knownFromArgs, runCampaignFromCli } from './campaign-run.ts';
import { matchKnown } from '../findings/match.ts';
import { requestCauses } from '../findings/root-cause.ts';
import { symptomKey, symptomOf } from '../findings/symptom.ts';
import { knownMatchers } from '../findings/known.ts';
import { CHECK_HELP } from './help.ts';
import { EXIT_FAILURE, EXIT_OK, jsonLine, type Io } from './io.ts';
import { unsupportedTraceError } from '../protocol/capabilities.ts';
import { replayEnv, subjectOptions, subjectSpec } from './subject.ts';
import { summaryJson, summaryText } from './summary.ts';

export const DEFAULT_CHECK_SEED = 1;
export const DEFAULT_CHECK_TIME_MS = 60_000;

const FLAGS: readonly FlagSpec[] = [
  ...CAMPAIGN_FLAGS,
  { name: 'corpus', kind: 'string' },
  { name: 'junit', kind: 'string' },
];

export async function checkCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, FLAGS, 'check');
  if (args.help) {
    io.out(CHECK_HELP);
    return EXIT_OK;
  }
  expectNoPositionals(args, 'check');
  const subject = subjectSpec(args);
  const corpusDir = flagString(args, 'corpus') ?? 'corpus';
  const bounds = campaignBounds(args, DEFAULT_CHECK_TIME_MS);
  const seed = flagNumber(args, 'seed') ?? DEFAULT_CHECK_SEED;
  const junit = flagString(args, 'junit');
  const json = flagBoolean(args, 'json');
  // Bad input (a broken corpus file, an unknown subject) stops us before anything runs or is written.
  const corpus = await loadCorpus(corpusDir);
  const env = await replayEnv(subject, subjectOptions(args));
  const known = await knownFromArgs(args, env, (l) => io.err(l));
  const matchers = knownMatchers(known);

  // 1. The corpus: each trace is a regression test.
  const cases: JunitCase[] = [];
  const corpusResults: Record<string, unknown>[] = [];
  let corpusFailures = 0;
  let corpusKnown = 0;
  let corpusSkipped = 0;
  for (const { file, trace } of corpus) {
    const lacks = env.capabilities === undefined ? null : unsupportedTraceError(trace, env.capabilities, file, subject);
    if (lacks !== null) {
      corpusSkipped++;
      const why = lacks.message.replace(/ \(it declares: [^)]*\)$/, '');
      io.out(`SKIP ${why}`);
      cases.push({ name: file, classname: 'corpus', timeMs: 0, skipped: { message: why } });
      corpusResults.push({ file, status: 'skip', reason: lacks.reason, ...(lacks.index === null ? {} : { step: lacks.index }) });
      continue;
    }
    const t0 = performance.now();
    const r = await replayOnce(trace, env);
    const timeMs = performance.now() - t0;
    const knownId = r.ok ? null : matchKnown(symptomOf(r.violation), requestCauses(trace, trace.commands, r.violation.step), matchers);
    if (r.ok) {
      cases.push({ name: file, classname: 'corpus', timeMs });
      corpusResults.push({ file, status: 'pass' });
    } else if (knownId !== null) {
      corpusKnown++;
      io.out(`KNOWN ${file}: ${r.violation.invariant} at command ${r.violation.step} is known finding ${knownId}`);
      cases.push({ name: file, classname: 'corpus', timeMs });
      corpusResults.push({ file, status: 'known', finding: knownId, invariant: r.violation.invariant, step: r.violation.step });
    } else {
      corpusFailures++;
      const lines = failureReport({ trace, violation: r.violation, step: r.failing, file, subject, signature: symptomKey(symptomOf(r.violation)) });
      io.out(`FAIL ${file}`, ...lines, '');
      cases.push({ name: file, classname: 'corpus', timeMs, failure: { message: r.violation.message, type: r.violation.invariant, details: lines.join('\n') } });
      corpusResults.push({ file, status: 'fail', invariant: r.violation.invariant, step: r.violation.step });
    }
  }
  const ran = corpus.length - corpusSkipped;
  io.out(
    `corpus: ${ran - corpusFailures}/${ran} traces pass (${corpusDir}/)${corpusKnown > 0 ? `, ${corpusKnown} of them as known findings` : ''}` +
      `${corpusSkipped > 0 ? `; ${corpusSkipped} skipped (they use what ${subject} lacks)` : ''}`,
  );

  // 2. The fixed-seed, time-boxed campaign.
  if (!bounds.quiet) io.err(`check: campaign against ${subject}, ${describeCampaign(seed, bounds)}`);
  const { summary } = await runCampaignFromCli({
    ...bounds,
    subject,
    seed,
    outDir: flagString(args, 'out') ?? null,
    stepTimeoutMs: subjectOptions(args).stepTimeoutMs ?? null,
    known,
    label: 'check',
    env,
    io,
  });
  io.out(...summaryText(summary));
  const campaignFailed = summary.failures.length > 0;
  cases.push({
    name: `campaign seed ${seed}`,
    classname: 'campaign',
    timeMs: summary.result.elapsedMs,
    ...(campaignFailed
      ? {
          failure: {
            message: summary.failures.map((f) => `${f.invariant} at ${f.kind}`).join(', '),
            type: 'campaign',
            details: summaryText(summary).join('\n'),
          },
        }
      : {}),
  });
  if (junit !== undefined) {
    await writeFileAtomic(junit, junitXml('gpuvm-check', cases));
  }
  const pass = corpusFailures === 0 && !campaignFailed;
  io.out(pass ? 'check: PASS' : 'check: FAIL');
  if (json) {
    io.out(jsonLine({ status: pass ? 'pass' : 'fail', subject, corpus: { dir: corpusDir, traces: corpus.length, failures: corpusFailures, known: corpusKnown, skipped: corpusSkipped, results: corpusResults }, campaign: summaryJson(summary) }));
  }
  return pass ? EXIT_OK : EXIT_FAILURE;
}
