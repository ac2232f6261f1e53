/**
 * The conformance check for subject authors (`gpuvm-check conform`): a fixed
 * battery run against a subject program, reporting each protocol mistake
 * precisely (the request, the field, what was expected, the reply line) so
 * that one run tells an author what is wrong.
 *
 * 1. The handshake (`hello`), and what the subject claims.
 * 2. Raw exchanges the engine never makes: requests with fields the subject
 *    does not know (it must ignore them), a `reset` the subject cannot set up
 *    (`ok: false`), `snapshot` after `reset`, `close` (reply, then exit 0)
 *    and the end of input (exit).
 * 3. The battery traces (`conform-battery.ts`) for every command kind and
 *    mode it claims, the fifteen documented cases, errno replies and u64
 *    edges, each replayed against the reference model with every invariant.
 */

import { replayTrace } from '../../properties/replay.ts';
import { ReferenceModel } from '../../model/index.ts';
import { formatCapabilities } from '../protocol/capabilities.ts';
import { describeEnd, SubjectStartError, shortenLine } from '../protocol/subject-errors.ts';
import type { CommandKind, Subject, SubjectCapabilities } from '../protocol/types.ts';
import {
  CLOSE_REQUEST,
  SNAPSHOT_REQUEST,
  SUBJECT_PROTOCOL_VERSION,
  WireError,
  decodeExecReply,
  decodeHelloReply,
  decodeResetReply,
  decodeSnapshotReply,
  parseReply,
} from '../protocol/wire.ts';
import { ALONE, batteryTraces, inClaimedMode, unclaimed } from './conform-battery.ts';
import { toJsonCommand } from '../protocol/codec.ts';
import { closeExecSubjects, execSubjectFactory } from './factory.ts';
import { DEFAULT_STEP_TIMEOUT_MS, HARNESS_NAME, type ExecOptions } from './link.ts';
import { SubjectProcess } from './process.ts';

/** The outcome of one check. */
export interface ConformCheck {
  readonly name: string;
  readonly status: 'ok' | 'fail' | 'skip';
  /** For a failure: what is wrong (first line) and details; for a skip: why. */
  readonly lines: readonly string[];
}

/** What `conform` found. */
export interface ConformReport {
  /** The subject's name from its `hello`, or null when the handshake failed. */
  readonly name: string | null;
  readonly capabilities: SubjectCapabilities | null;
  readonly checks: readonly ConformCheck[];
  /** Checks that failed. */
  readonly problems: number;
}

const ok = (name: string): ConformCheck => ({ name, status: 'ok', lines: [] });
const failed = (name: string, ...lines: string[]): ConformCheck => ({ name, status: 'fail', lines });

/** One raw request / reply on its own process: the reply line, or what went wrong. */
async function exchange(proc: SubjectProcess, line: string, what: string, timeoutMs: number): Promise<{ line: string } | { error: string }> {
  try {
    return { line: await proc.request(line, what, timeoutMs) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

function wireProblem(e: unknown, request: string, line: string): string[] {
  const what = e instanceof WireError ? e.message : e instanceof Error ? e.message : String(e);
  return [`reply to ${request}: ${what}`, `reply line: ${shortenLine(line)}`];
}

/** Waits up to `ms` for the process to exit; null if it did not. */
async function exitWithin(proc: SubjectProcess, ms: number): Promise<{ code: number | null; signal: string | null } | null> {
  const t0 = Date.now();
  while (proc.exitStatus === null && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 20));
  return proc.exitStatus;
}

function exitCheck(name: string, end: { code: number | null; signal: string | null } | null, after: string): ConformCheck {
  if (end === null) return failed(name, `the process was still running a second after ${after}`);
  if (end.code !== 0) return failed(name, `the process ${describeEnd(end.code, end.signal)} after ${after} (expected status 0)`);
  return ok(name);
}

/** The raw exchanges (part 2), on a process of their own. */
async function rawChecks(argv: readonly string[], caps: SubjectCapabilities, timeoutMs: number): Promise<ConformCheck[]> {
  const checks: ConformCheck[] = [];
  const probeKind = caps.commands[0] as CommandKind;
  const execLine = `{"req":"exec","index":0,"command":${JSON.stringify(toJsonCommand(inClaimedMode(ALONE[probeKind], caps)))},"later":true}`;
  const hello = `{"req":"hello","protocol":${SUBJECT_PROTOCOL_VERSION},"harness":"${HARNESS_NAME}","later":{"field":"a later harness may send"}}`;
  const reset = '{"req":"reset","vm":{"start":"0x0","range":"0x100000","reserve":{"addr":"0x0","range":"0x1000"}},"objects":[{"bo":1},{"bo":2,"external":true}],"later":1}';
  let proc = await SubjectProcess.start(argv);
  try {
    const steps: [string, string, string, (line: string) => string | null][] = [
      ['hello with a field the subject does not know (it must ignore it)', hello, 'hello', (l) => (decodeHelloReply(parseReply(l, 'hello')), null)],
      ['reset with a field the subject does not know', reset, 'reset', (l) => (decodeResetReply(parseReply(l, 'reset')) === null ? null : 'replied ok: false to a VM it can set up')],
      ['snapshot after reset: an empty VM, the reserved node, two objects', SNAPSHOT_REQUEST, 'snapshot', (l) => {
        const r = decodeSnapshotReply(parseReply(l, 'snapshot'));
        if (r.threw !== null) return `replied threw: ${r.threw}`;
        const s = r.snapshot;
        if (s.vas.length !== 0 || s.vmBos.length !== 0) return 'the VM is not empty after reset';
        if (s.kernel === null || s.kernel.addr !== 0n || s.kernel.range !== 0x1000n) return 'snapshot.kernel is not the reserved node { addr: "0x0", range: "0x1000" }';
        if (s.objects.length !== 2 || s.objects.some((o) => o.refs !== 1)) return 'snapshot.objects is not [{ bo: 1, refs: 1 }, { bo: 2, refs: 1 }]';
        if (s.extobjList.length !== 0 || s.evictList.length !== 0) return 'the lists are not empty after reset';
        return null;
      }],
      ['reset with a reserved node outside the VM: ok: false', '{"req":"reset","vm":{"start":"0x0","range":"0x10000","reserve":{"addr":"0x20000","range":"0x1000"}},"objects":[]}', 'reset', (l) =>
        decodeResetReply(parseReply(l, 'reset')) === null ? 'replied ok: true, but the reserved node [0x20000, +0x1000) is outside the VM [0x0, +0x10000)' : null],
      ['reset again, then exec with a request field the subject does not know', reset, 'reset', (l) => (decodeResetReply(parseReply(l, 'reset')) === null ? null : 'replied ok: false to a VM it can set up')],
      [`exec of ${probeKind} with a field the subject does not know`, execLine, `exec of command 0 (${probeKind})`, (l) => {
        const r = decodeExecReply(parseReply(l, 'exec'), 0, caps.accounting);
        return r.threw === null ? null : `replied threw: ${r.threw}`;
      }],
      ['close: reply { "reply": "close" }', CLOSE_REQUEST, 'close', (l) => (parseReply(l, 'close'), null)],
    ];
    for (const [name, line, reply, check] of steps) {
      const r = await exchange(proc, line, reply, timeoutMs);
      if ('error' in r) {
        checks.push(failed(name, `the ${reply} request: ${r.error}`, ...proc.stderrTail().slice(-5).map((l) => `stderr: ${l}`)));
        // Go on with a new process, greeted and set up as the old one was.
        await proc.close(null);
        proc = await SubjectProcess.start(argv);
        for (const again of [hello, reset]) if ('error' in (await exchange(proc, again, 'hello', timeoutMs))) return checks;
        continue;
      }
      try {
        const problem = check(r.line);
        checks.push(problem === null ? ok(name) : failed(name, `reply to ${reply}: ${problem}`, `reply line: ${shortenLine(r.line)}`));
      } catch (e) {
        checks.push(failed(name, ...wireProblem(e, reply, r.line)));
      }
    }
    checks.push(exitCheck('exit with status 0 after close, within a second', await exitWithin(proc, 1000), 'its close reply'));
  } finally {
    await proc.close(null);
  }
  // The end of input alone must end the subject too.
  const eof = await SubjectProcess.start(argv);
  try {
    const r = await exchange(eof, hello, 'hello', timeoutMs);
    if (!('error' in r)) {
      eof.endInput();
      checks.push(exitCheck('exit with status 0 at the end of input, within a second', await exitWithin(eof, 1000), 'the end of its input'));
    }
  } finally {
    await eof.close(null);
  }
  return checks;
}

/** The battery traces (part 3) on an exec subject. */
async function traceChecks(subjectFactory: () => Promise<Subject>, caps: SubjectCapabilities): Promise<ConformCheck[]> {
  const checks: ConformCheck[] = [];
  for (const { name, trace } of batteryTraces()) {
    const missing = unclaimed(trace, caps);
    if (missing !== null) {
      checks.push({ name, status: 'skip', lines: [`needs ${missing}, which the subject does not claim`] });
      continue;
    }
    const t = { ...trace, commands: trace.commands.map((c) => inClaimedMode(c, caps)) };
    const subject = await subjectFactory();
    try {
      const r = await replayTrace(t, subject, new ReferenceModel());
      if (r.ok) {
        checks.push(ok(name));
      } else {
        checks.push(failed(name, r.violation.message, ...r.violation.details));
      }
    } catch (e) {
      checks.push(failed(name, `the run could not be set up: ${e instanceof Error ? e.message : String(e)}`));
    } finally {
      await subject.close?.();
    }
  }
  return checks;
}

/**
 * Runs the battery against the program `argv`. Rejects with
 * `SubjectStartError` only when the program cannot be started at all (no such
 * program, not executable): a failed handshake is reported as the first
 * check.
 */
export async function conform(argv: readonly string[], options: ExecOptions = {}): Promise<ConformReport> {
  const timeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  const factory = execSubjectFactory(argv, { stepTimeoutMs: timeoutMs });
  let probe: Subject;
  try {
    probe = await factory();
  } catch (e) {
    if (e instanceof SubjectStartError && e.reason.startsWith('cannot be started')) throw e;
    const check = failed('handshake (hello)', e instanceof Error ? e.message : String(e));
    return { name: null, capabilities: null, checks: [check], problems: 1 };
  }
  const caps = probe.capabilities as SubjectCapabilities;
  await probe.close?.();
  const checks: ConformCheck[] = [ok(`handshake (hello): "${probe.name}", ${formatCapabilities(caps)}`)];
  try {
    checks.push(...(await rawChecks(argv, caps, timeoutMs)));
    checks.push(...(await traceChecks(async () => await factory(), caps)));
  } finally {
    await closeExecSubjects();
  }
  return { name: probe.name, capabilities: caps, checks, problems: checks.filter((c) => c.status === 'fail').length };
}

/** The report as lines: one per check run (`ok`, `FAIL`) with details indented, one for the skipped ones, then a summary. */
export function formatConformReport(r: ConformReport): string[] {
  const out: string[] = [];
  const skipped = new Map<string, number>();
  for (const c of r.checks) {
    if (c.status === 'skip') {
      const why = c.lines[0] ?? '';
      skipped.set(why, (skipped.get(why) ?? 0) + 1);
      continue;
    }
    out.push(`${c.status === 'ok' ? 'ok  ' : 'FAIL'} ${c.name}`);
    for (const l of c.lines) out.push(`       ${l}`);
  }
  for (const [why, n] of skipped) out.push(`skip ${n} trace${n === 1 ? '' : 's'}: ${why}`);
  const n = (k: ConformCheck['status']): number => r.checks.filter((c) => c.status === k).length;
  out.push('', `conform: ${n('ok')} ok, ${n('fail')} failed, ${n('skip')} skipped (not claimed)${r.problems === 0 ? '' : ` -- ${r.problems} problem${r.problems === 1 ? '' : 's'} to fix`}`);
  return out;
}
