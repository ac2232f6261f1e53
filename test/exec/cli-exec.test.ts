/**
 * Exec subjects at the command line: a crashing subject's campaign goes on
 * and saves one failure that replays; a failed handshake is one line and exit
 * status 2; a trace using something the subject lacks is refused (exit 2);
 * `serve` and `conform` behave as their help says.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeTrace } from '../../src/protocol/codec.ts';
import { TRACE_FORMAT, type Trace } from '../../src/protocol/types.ts';
import { lastJson, removeTempDirs, REPO, runCli, tempDir, type CliResult } from '../cli/run-cli.ts';
import { shellQuote } from '../../src/report/failure.ts';
import { LIMITED, serveArgv, spec, tinyArgv } from './helpers.ts';

afterAll(removeTempDirs);

const findPrevTrace: Trace = {
  format: TRACE_FORMAT,
  vm: { start: 0n, range: 0x100000n },
  objects: [{ bo: 1 }],
  commands: [
    { cmd: 'map', addr: 0x1000n, range: 0x1000n, bo: 1, offset: 0n },
    { cmd: 'find_prev', start: 0x2000n },
  ],
};

function writeTrace(dir: string, name: string, trace: Trace): string {
  const file = join(dir, name);
  writeFileSync(file, encodeTrace(trace));
  return file;
}

describe('a campaign against a crashing subject', () => {
  it('goes on, saves one failure, and the saved trace replays it with the subject\'s standard error', () => {
    const out = join(tempDir(), 'failures');
    const subject = spec(tinyArgv('crash-at', 2, 'campaign'));
    const r = runCli(['fuzz', '--subject', subject, '--seed', '3', '--runs', '120', '--workers', '2', '--out', out, '--json', '--quiet']);
    expect(r.status).toBe(1);
    const summary = lastJson(r);
    expect(summary['status']).toBe('fail');
    expect(summary['failures']).toMatchObject([{ invariant: 'subject-crashed', kind: 'validate', commands: 3 }]);
    expect(summary['duplicateFailures']).toBeGreaterThan(0); // more batches ran after the first crash
    const saved = readdirSync(out);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatch(/^subject-crashed-[0-9a-f]+\.json$/);

    const replay = runCli(['replay', join(out, saved[0]!), '--subject', subject]);
    expect(replay.status).toBe(1);
    expect(replay.stdout).toContain('FAILURE: subject-crashed at command 2 (validate)');
    expect(replay.stdout).toContain('  Standard error of the subject (last 1 line):\n    | tiny-subject: about to crash at command 2');
    expect(replay.stdout).toContain(`Replay: gpuvm-check replay ${join(out, saved[0]!)} --subject ${shellQuote(subject)}`);
    expect(runCli(['replay', join(out, saved[0]!), '--subject', spec(tinyArgv('ok'))]).status).toBe(0);
  });
});

describe('bad subjects are bad input: one line, exit status 2, nothing written', () => {
  it.each([
    ['fuzz', ['fuzz', '--runs', '10', '--out']],
    ['replay', ['replay']],
  ])('%s with a subject speaking another protocol version', (_name, args) => {
    const dir = tempDir();
    const file = writeTrace(dir, 't.json', findPrevTrace);
    const out = join(dir, 'out');
    const program = tinyArgv('protocol2', 0, 'tok');
    const r = runCli([...args, ...(args[0] === 'fuzz' ? [out] : [file]), '--subject', spec(program)]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `gpuvm-check: subject program "${program.join(' ')}": the subject speaks protocol version 2; this harness speaks version 1 (gpuvm-subject/1)`,
    ]);
    expect(readdirSync(dir)).toEqual(['t.json']);
  });

  it('a program that is not there', () => {
    const r = runCli(['replay', 'corpus/zoo/keep-ignores-offset.json', '--subject', 'exec:./no/such/subject --flag']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('gpuvm-check: subject program "./no/such/subject --flag": cannot be started: no such program (ENOENT; a program without a slash is looked up on PATH)\n');
  });

  it('a bad --step-timeout', () => {
    const r = runCli(['replay', 'corpus/zoo/keep-ignores-offset.json', '--step-timeout', 'soon']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^gpuvm-check: replay: --step-timeout: 'soon' is not a duration/);
  });
});

describe('a trace using what the subject lacks is refused, not reported as a bug', () => {
  it.each([
    ['an in-process module declaring its capabilities', LIMITED],
    ['a subject program (the module served)', spec(serveArgv(LIMITED))],
  ])('replay, minimize and check with %s', (_what, subject) => {
    const dir = tempDir();
    const file = writeTrace(dir, 'uses-find-prev.json', findPrevTrace);
    const message = `gpuvm-check: ${file}: command 1 (find_prev): field "cmd": the subject ${subject} does not support command "find_prev" (it declares:`;
    for (const args of [['replay', file], ['minimize', file]]) {
      const r = runCli([...args, '--subject', subject]);
      expect(r.status).toBe(2);
      expect(r.stderr.startsWith(message)).toBe(true);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(readdirSync(dir)).toEqual(['uses-find-prev.json']);
  });

  it.each([
    ['an in-process module declaring its capabilities', LIMITED],
    ['a subject program (the module served)', spec(serveArgv(LIMITED))],
  ])('check skips such a corpus trace, says why, and runs the others (%s)', (_what, subject) => {
    const dir = tempDir();
    const file = writeTrace(dir, 'uses-find-prev.json', findPrevTrace);
    writeTrace(dir, 'maps.json', { ...findPrevTrace, commands: findPrevTrace.commands.filter((c) => c.cmd === 'map') });
    const junit = join(dir, 'junit.xml');
    const r = runCli(['check', '--corpus', dir, '--runs', '1', '--quiet', '--junit', junit, '--subject', subject]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`SKIP ${file}: command 1 (find_prev): field "cmd": the subject ${subject} does not support command "find_prev"\n`);
    expect(r.stdout).toContain(`corpus: 1/1 traces pass (${dir}/); 1 skipped (they use what ${subject} lacks)`);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('skipped="1"');
    expect(xml).toMatch(/name="[^"]*uses-find-prev\.json" time="0\.000">\n\s*<skipped message="[^"]*does not support command &quot;find_prev&quot;"\/>/);
  });
});

describe('serve', () => {
  it('answers the documented exchange and exits 0 after close', () => {
    const lines = [
      '{"req":"hello","protocol":1,"harness":"test"}',
      '{"req":"reset","vm":{"start":"0x0","range":"0x40000"},"objects":[{"bo":1}]}',
      '{"req":"exec","index":0,"command":{"cmd":"map","addr":"0x1000","range":"0x3000","bo":1,"offset":"0x0"}}',
      '{"req":"close"}',
    ];
    const r = runCliWithInput(['serve'], lines.join('\n') + '\n');
    expect(r.status).toBe(0);
    const replies = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(replies.map((x) => x['reply'])).toEqual(['hello', 'reset', 'exec', 'close']);
    expect(replies[2]).toMatchObject({ index: 0, observation: { ok: true }, accounting: { vasNeeded: 1 } });
  });

  it('a request it cannot read: one line naming it on standard error, exit 2', () => {
    const r = runCliWithInput(['serve', '--subject', 'builtin:model'], '{"req":"hello","protocol":1}\n{"req":"exec","index":0,"command":{"cmd":"warp"}}\n');
    expect(r.status).toBe(2);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^gpuvm-check serve: request 2: exec request: command 0: field "cmd": unknown command "warp"/);
  });
});

describe('conform', () => {
  it('the reference implementation passes every check', () => {
    const r = runCli(['conform', '--subject', spec(serveArgv('builtin:gpuvm')), '--json']);
    expect(r.status).toBe(0);
    const j = lastJson(r);
    expect(j).toMatchObject({ status: 'pass', problems: 0, name: 'builtin:gpuvm' });
    const checks = j['checks'] as { name: string; status: string }[];
    expect(checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(checks.filter((c) => /^case \d+$/.test(c.name))).toHaveLength(15);
  });

  it('names each mistake: the request, the field and the reply line', () => {
    const r = runCli(['conform', '--subject', spec(tinyArgv('missing-at', 0))]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('FAIL exec of validate with a field the subject does not know\n       reply to exec of command 0 (validate): field "snapshot.objects[0].refs": missing (expected an integer >= 0)\n       reply line: {"reply":"exec","index":0,');
    expect(r.stdout).toContain('FAIL validate alone, on an empty VM\n       protocol-error at step 0 (validate): bad reply to the exec of command 0 (validate) request: field "snapshot.objects[0].refs": missing');
    expect(r.stdout).toMatch(/skip 44 traces: needs command "map", which the subject does not claim/);
    expect(r.stdout).toMatch(/conform: 9 ok, 2 failed, 61 skipped \(not claimed\) -- 2 problems to fix\n$/);
  });

  it('a failed handshake is reported (exit 1); a missing program or spec is bad usage (exit 2)', () => {
    const h = runCli(['conform', '--subject', spec(tinyArgv('bad-hello'))]);
    expect(h.status).toBe(1);
    expect(h.stdout).toMatch(/FAIL handshake \(hello\)\n {7}subject program ".*": bad hello reply: field "capabilities": missing/);
    expect(runCli(['conform', '--subject', 'exec:./nope']).status).toBe(2);
    const u = runCli(['conform', '--subject', 'builtin:gpuvm']);
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(/^gpuvm-check: conform: --subject exec:PROGRAM ARGS\.\.\. is required/);
  });
});

function runCliWithInput(args: readonly string[], input: string): CliResult {
  return runCli(args, REPO, input);
}
