/**
 * Ctrl-C stops a campaign cleanly: the batches in flight finish, what was
 * found is saved, and the summary says the run was interrupted.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, filesIn, KEEP_FAULT, REPO, tempDir, removeTempDirs } from './run-cli.ts';

afterAll(removeTempDirs);

describe('SIGINT', () => {
  it('stops the campaign, keeps the saved failure, and exits 1', async () => {
    const out = join(tempDir(), 'corpus');
    const child = spawn(process.execPath, [BIN, 'fuzz', '--subject', KEEP_FAULT, '--seed', '2', '--time', '50s', '--workers', '1', '--out', out, '--json'], {
      cwd: REPO,
    });
    let stdout = '';
    let interrupted = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      // Interrupt once the first failure has been reported (it is saved by then).
      if (!interrupted && stdout.includes('Replay: gpuvm-check replay')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    expect(interrupted).toBe(true);
    expect(status).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    const summary = JSON.parse(lines[lines.length - 1] as string) as Record<string, unknown>;
    expect(summary['interrupted']).toBe(true);
    expect(summary['status']).toBe('fail');
    expect(filesIn(out)).toHaveLength(1);
    expect(filesIn(out)[0]).toMatch(/^keep-flag-/);
  });
});
