/**
 * Exec subjects through the API: a subject program's crash, hang, bad reply,
 * exception and reports become the findings docs/subject-protocol.md names
 * (never harness errors), a failed handshake is a clear start error, and the
 * process is started anew after a failure and reused otherwise.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReferenceModel } from '../../model/index.ts';
import { replayTrace, runProperty } from '../../properties/index.ts';
import { closeExecSubjects, execSubjectFactory, livePids } from '../../src/exec/index.ts';
import { SubjectStartError } from '../../src/protocol/subject-errors.ts';
import { TRACE_FORMAT, type Trace } from '../../src/protocol/types.ts';
import { removeTempDirs, tempDir } from '../cli/run-cli.ts';
import { leftover, newToken, serveArgv, tinyArgv } from './helpers.ts';

afterAll(async () => {
  await closeExecSubjects();
  removeTempDirs();
});

const validates = (n: number): Trace => ({
  format: TRACE_FORMAT,
  vm: { start: 0n, range: 0x10000n },
  objects: [{ bo: 1 }],
  commands: Array.from({ length: n }, () => ({ cmd: 'validate' as const })),
});

async function replayOn(argv: string[], trace: Trace, stepTimeoutMs?: number) {
  const subject = await execSubjectFactory(argv, stepTimeoutMs === undefined ? {} : { stepTimeoutMs })();
  try {
    return await replayTrace(trace, subject, new ReferenceModel());
  } finally {
    await subject.close?.();
  }
}

function violationOf(r: Awaited<ReturnType<typeof replayOn>>) {
  if (r.ok) throw new Error('the replay passed');
  return r.violation;
}

describe('a misbehaving subject is a finding', () => {
  it('a crash at command 1: subject-crashed with the signal and the last line of standard error', async () => {
    const v = violationOf(await replayOn(tinyArgv('crash-at', 1), validates(3)));
    expect(v.invariant).toBe('subject-crashed');
    expect(v.step).toBe(1);
    expect(v.message).toBe(
      'subject-crashed at step 1 (validate): the subject process was killed by signal SIGSEGV before replying to the exec of command 1 (validate) request; ' +
        'its last line of standard error: "tiny-subject: about to crash at command 1"',
    );
    expect(v.actual).toBe('the process was killed by signal SIGSEGV');
    expect(v.details).toEqual(['Standard error of the subject (last 1 line):', '  | tiny-subject: about to crash at command 1']);
  });

  it('an exit: the status; the next run gets a new process', async () => {
    const factory = execSubjectFactory(tinyArgv('exit-at', 1));
    const first = await factory();
    const r = await replayTrace(validates(2), first, new ReferenceModel());
    expect(r.ok ? null : r.violation.reason).toMatch(/^the subject process exited with status 3 before replying to the exec of command 1/);
    first.close?.();
    const second = await factory();
    expect(await replayTrace(validates(1), second, new ReferenceModel())).toEqual({ ok: true, steps: 1 });
    second.close?.();
  });

  it('a crash while the run is set up is reported at its first command', async () => {
    const v = violationOf(await replayOn(tinyArgv('crash-on-reset'), validates(2)));
    expect(v.invariant).toBe('subject-crashed');
    expect(v.step).toBe(0);
    expect(v.reason).toMatch(/^before the command, while the run was being set up: the subject process exited with status 4 before replying to the reset request/);
  });

  it('a hang: subject-hung after the step timeout, and its whole process group is gone', async () => {
    const token = newToken();
    const t0 = Date.now();
    const v = violationOf(await replayOn(tinyArgv('hang-at', 1, token), validates(2), 300));
    expect(v.invariant).toBe('subject-hung');
    expect(v.reason).toMatch(/^no reply to the exec of command 1 \(validate\) request within 0\.3s \(--step-timeout\); the subject's process group was killed; its last line of standard error: "tiny-subject: stuck at command 1"$/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(await leftover(token)).toEqual([]); // the grandchild too
  });

  it.each([
    ['garbage-at', '', /bad reply to the exec of command 1 \(validate\) request: the reply is not JSON; reply: this is not JSON$/],
    ['missing-at', 'snapshot.objects[0].refs', /field "snapshot\.objects\[0\]\.refs": missing \(expected an integer >= 0\); reply: \{"reply":"exec","index":1,/],
    ['wrong-index-at', 'index', /field "index": got 2 \(expected 1, the index of the request\)/],
  ])('%s 1: protocol-error naming the field, the command and the reply line', async (mode, field, message) => {
    const v = violationOf(await replayOn(tinyArgv(mode, 1), validates(3)));
    expect(v.invariant).toBe('protocol-error');
    expect(v.step).toBe(1);
    expect(v.reason).toMatch(message);
    expect(field === '' ? v.reason.includes(' field "') : v.reason.includes(`field "${field}"`)).toBe(field !== '');
  });

  it('a threw reply is subject-error with its message, as for an in-process subject', async () => {
    const v = violationOf(await replayOn(tinyArgv('threw-at', 1), validates(2)));
    expect(v.invariant).toBe('subject-error');
    expect(v.reason).toBe('the subject threw: TypeError: tiny-subject broke on purpose');
  });

  it('reports: a warning is kernel-warn, a leak alloc-leak (kinds it does not know are ignored)', async () => {
    const warn = violationOf(await replayOn(tinyArgv('warn-at', 0), validates(1)));
    expect(warn.invariant).toBe('kernel-warn');
    expect(warn.reason).toBe('the subject reported a warning during the command: "WARNING: tiny-subject: a fake WARN at command 0"');
    const leak = violationOf(await replayOn(tinyArgv('leak-at', 0), validates(1)));
    expect(leak.invariant).toBe('alloc-leak');
    expect(leak.details).toEqual(['The subject reported one leak:', '  | tiny-subject: 1 op not freed']);
  });

  it('the stateful property runs on: a crashing subject gives a shrunk, replayable failure', async () => {
    const r = await runProperty({ subjectFactory: execSubjectFactory(tinyArgv('crash-at', 2)), seed: 5, numRuns: 50 });
    expect(r.failure?.violation.invariant).toBe('subject-crashed');
    expect(r.failure?.trace.commands).toEqual([{ cmd: 'validate' }, { cmd: 'validate' }, { cmd: 'validate' }]);
  });
});

describe('a failed handshake is a start error (exit status 2 at the command line)', () => {
  it.each([
    ['protocol2', /: the subject speaks protocol version 2; this harness speaks version 1 \(gpuvm-subject\/1\)$/, {}],
    ['bad-hello', /: bad hello reply: field "capabilities": missing \(expected \{ commands, via, failAt, allocFailAt, accounting \}\); reply: \{"reply":"hello","protocol":1,"name":"tiny-subject"\}$/, {}],
    ['die-before-hello', /: exited with status 1 before replying to hello; it printed on standard error: "tiny-subject: cannot open \/dev\/dri\/renderD128: No such file or directory"$/, {}],
    ['silent-hello', /: no reply to hello within 0\.8s$/, { helloTimeoutMs: 800 }],
  ])('%s', async (mode, message, options) => {
    const argv = tinyArgv(mode);
    const e = await Promise.resolve(execSubjectFactory(argv, options)()).then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(SubjectStartError);
    expect((e as Error).message).toMatch(message);
    expect((e as Error).message.startsWith(`subject program "${argv.join(' ')}": `)).toBe(true);
  });

  it('a program that does not exist, or is not executable', async () => {
    await expect(execSubjectFactory(['./no-such-subject'])()).rejects.toThrow(
      'subject program "./no-such-subject": cannot be started: no such program (ENOENT; a program without a slash is looked up on PATH)',
    );
    const file = join(tempDir(), 'subject.sh');
    writeFileSync(file, '#!/bin/sh\nexit 0\n');
    chmodSync(file, 0o644);
    await expect(execSubjectFactory([file])()).rejects.toThrow(`subject program "${file}": cannot be started: not executable (EACCES)`);
  });
});

describe('processes', () => {
  it('one process serves the subjects of a factory one after another; an open one gets its own; none is left after closeExecSubjects', async () => {
    const token = newToken();
    const factory = execSubjectFactory(serveArgv('builtin:gpuvm', token));  // the token is node's --title
    const before = livePids().length;
    const a = await factory();
    await a.close?.();
    const b = await factory();
    expect(livePids().length).toBe(before + 1);
    const c = await factory();
    expect(livePids().length).toBe(before + 2);
    await b.close?.();
    await c.close?.();
    expect((await leftover(token, 0)).length).toBe(2);
    await closeExecSubjects();
    expect(await leftover(token)).toEqual([]);
  });
});
