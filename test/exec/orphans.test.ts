/**
 * No subject process outlives the harness: after a campaign (two workers),
 * after Ctrl-C (once: the batches in flight finish; twice: at once), after a
 * hang (the whole process group, grandchildren included), and after Ctrl-C
 * during a replay. Processes are found by a token in their command line.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, REPO, removeTempDirs, runCli, tempDir } from '../cli/run-cli.ts';
import { leftover, newToken, processesWith, spec, tinyArgv } from './helpers.ts';

afterAll(removeTempDirs);

/** Starts `gpuvm-check ...args`; resolves with its exit (code or signal) once it ends. */
function start(args: readonly string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.resume();
  child.stderr.resume();
  const ended = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, ended };
}

async function until(condition: () => boolean, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!condition()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('no orphan subject processes', () => {
  it('after a campaign with two workers', async () => {
    const token = newToken();
    const r = runCli(['fuzz', '--subject', spec(tinyArgv('ok', 0, token)), '--seed', '1', '--runs', '400', '--workers', '2', '--out', join(tempDir(), 'out'), '--quiet']);
    expect(r.status).toBe(0);
    expect(await leftover(token)).toEqual([]);
  });

  it('after a hang: the subject and the child it started are killed', async () => {
    const token = newToken();
    const r = runCli(['fuzz', '--subject', spec(tinyArgv('hang-at', 1, token)), '--step-timeout', '200ms', '--seed', '1', '--runs', '20', '--workers', '1', '--out', join(tempDir(), 'out'), '--quiet']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('subject-hung');
    expect(await leftover(token)).toEqual([]);
  });

  it.each([1, 2])('after Ctrl-C pressed %i time(s) during a campaign', async (presses) => {
    const token = newToken();
    const run = start(['fuzz', '--subject', spec(tinyArgv('ok', 0, token)), '--seed', '1', '--time', '60s', '--workers', '2', '--out', join(tempDir(), 'out'), '--quiet']);
    // the main thread's probe process, then one per worker
    await until(() => processesWith(token).length >= 3);
    for (let i = 0; i < presses; i++) run.child.kill('SIGINT');
    const end = await run.ended;
    expect(end.code).toBe(0);
    expect(await leftover(token)).toEqual([]);
  });

  it('after Ctrl-C during a replay against a subject that hangs (handled once the step timeout ends the wait)', async () => {
    const token = newToken();
    const file = join(tempDir(), 'validates.json');
    writeFileSync(file, JSON.stringify({ format: 'gpuvm-trace/1', vm: { start: '0x0', range: '0x1000' }, objects: [], commands: [{ cmd: 'validate' }] }));
    const run = start(['replay', file, '--subject', spec(tinyArgv('hang-at', 0, token)), '--step-timeout', '2s']);
    await until(() => processesWith(token).length >= 2); // the subject and its grandchild: it hangs now
    run.child.kill('SIGINT');
    expect(await run.ended).toEqual({ code: null, signal: 'SIGINT' });
    expect(await leftover(token)).toEqual([]);
  });
});
