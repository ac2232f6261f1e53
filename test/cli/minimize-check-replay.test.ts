/**
 * `minimize`, `replay` and `check` end to end.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTrace, encodeTrace } from '../../src/protocol/codec.ts';
import type { Command, Trace } from '../../src/protocol/types.ts';
import { filesIn, KEEP_FAULT, lastJson, runCli, tempDir, removeTempDirs } from './run-cli.ts';

afterAll(removeTempDirs);

/** A minimal failing trace, found by a short campaign against the keep fault. */
let minimal: Trace;
let dir: string;

beforeAll(() => {
  dir = tempDir();
  const out = join(dir, 'found');
  const r = runCli(['fuzz', '--subject', KEEP_FAULT, '--seed', '3', '--runs', '25', '--workers', '1', '--out', out, '--quiet']);
  expect(r.status).toBe(1);
  const file = join(out, filesIn(out)[0] as string);
  minimal = decodeTrace(readFileSync(file, 'utf8'), file);
}, 60_000);

/** Commands that cannot matter to a keep-flag failure: queries and mappings of another object far away. */
function padding(i: number): Command[] {
  const far = 0x100000n * BigInt(i + 1);
  return [
    { cmd: 'find', addr: 0n, range: 0x1000n },
    { cmd: 'map', addr: far, range: 0x2000n, bo: 2, offset: 0n },
    { cmd: 'interval_empty', addr: far, range: 0x1000n },
    { cmd: 'validate' },
    { cmd: 'unmap', addr: far, range: 0x1000n, via: 'steps' },
  ];
}

describe('minimize', () => {
  it('shrinks a padded trace back to the minimal one', () => {
    const cmds: Command[] = [];
    minimal.commands.forEach((c, i) => cmds.push(...padding(i), c));
    cmds.push(...padding(9));
    const padded: Trace = {
      ...minimal,
      vm: { start: 0n, range: 0x10000000n, reserve: { addr: 0x0fff0000n, range: 0x1000n } },
      objects: [{ bo: 1 }, { bo: 2, external: true }],
      commands: cmds,
    };
    const file = join(dir, 'padded.json');
    writeFileSync(file, encodeTrace(padded));
    const r = runCli(['minimize', file, '--subject', KEEP_FAULT, '--json']);
    expect(r.status).toBe(0);
    const summary = lastJson(r);
    expect(summary).toMatchObject({ status: 'written', invariant: 'keep-flag', kind: 'map', commandsBefore: cmds.length, commandsAfter: minimal.commands.length });
    expect(r.stdout).toContain(`${cmds.length} -> ${minimal.commands.length} commands`);
    const outFile = join(dir, 'padded.min.json');
    const result = decodeTrace(readFileSync(outFile, 'utf8'), outFile);
    expect(result.commands).toEqual(minimal.commands);
    expect(result.objects).toEqual(minimal.objects);
    expect(result.vm).toEqual(minimal.vm);
    // The input is left alone.
    expect(decodeTrace(readFileSync(file, 'utf8'), file).commands).toHaveLength(cmds.length);
  });

  it('writes to -o OUT when given', () => {
    const file = join(dir, 'padded2.json');
    writeFileSync(file, encodeTrace({ ...minimal, objects: [{ bo: 1 }, { bo: 2 }], commands: [...padding(0), ...minimal.commands] }));
    const out = join(dir, 'sub', 'result.json');
    const r = runCli(['minimize', file, '--subject', KEEP_FAULT, '-o', out]);
    expect(r.status).toBe(0);
    expect(decodeTrace(readFileSync(out, 'utf8'), out).commands).toEqual(minimal.commands);
    expect(filesIn(dir)).not.toContain('padded2.min.json');
  });

  it('exits 1 and writes nothing for a trace that is already minimal', () => {
    const file = join(dir, 'already.json');
    writeFileSync(file, encodeTrace(minimal));
    const r = runCli(['minimize', file, '--subject', KEEP_FAULT]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('could not reduce');
    expect(filesIn(dir)).not.toContain('already.min.json');
  });
});

describe('replay', () => {
  it('--verbose prints every step with its ops', () => {
    const file = join(dir, 'verbose.json');
    writeFileSync(file, encodeTrace(minimal));
    const r = runCli(['replay', file, '--verbose']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/0\. map .* => ok, \d+ ops?:/);
    expect(r.stdout).toMatch(/1\) map /);
    expect(r.stdout).toContain(`PASS ${file}`);
  });

  it('reports a violation like fuzz does and exits 1', () => {
    const file = join(dir, 'violation.json');
    writeFileSync(file, encodeTrace(minimal));
    const r = runCli(['replay', file, '--subject', KEEP_FAULT]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('FAILURE: keep-flag');
    expect(r.stdout).toMatch(/^ {2}new: /m);
  });
});

describe('check', () => {
  it('passes on the clean manager: corpus traces replay clean, the short campaign finds nothing, JUnit written', () => {
    const corpus = join(dir, 'corpus');
    const r0 = runCli(['fuzz', '--subject', KEEP_FAULT, '--seed', '3', '--runs', '25', '--workers', '1', '--out', corpus, '--quiet']);
    expect(r0.status).toBe(1);
    const junit = join(dir, 'reports', 'junit.xml');
    const r = runCli(['check', '--corpus', corpus, '--time', '2s', '--workers', '1', '--junit', junit, '--json', '--quiet']);
    expect(r.status).toBe(0);
    const summary = lastJson(r);
    expect(summary).toMatchObject({ status: 'pass', corpus: { traces: 1, failures: 0 }, campaign: { status: 'pass', seed: 1 } });
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('tests="2" failures="0"');
    expect(xml).toContain('classname="corpus"');
    expect(xml).toContain('classname="campaign"');
  });

  it('fails (exit 1) when a corpus trace fails against the chosen subject, and says so in JUnit', () => {
    const corpus = join(dir, 'corpus-fail');
    const r0 = runCli(['fuzz', '--subject', KEEP_FAULT, '--seed', '3', '--runs', '25', '--workers', '1', '--out', corpus, '--quiet']);
    expect(r0.status).toBe(1);
    const junit = join(dir, 'junit-fail.xml');
    const r = runCli(['check', '--corpus', corpus, '--subject', KEEP_FAULT, '--runs', '1', '--workers', '1', '--junit', junit, '--quiet']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('FAILURE: keep-flag');
    expect(readFileSync(junit, 'utf8')).toMatch(/<failure message="[^"]*keep-flag/);
  });
});

describe('help', () => {
  for (const sub of ['fuzz', 'replay', 'minimize', 'check', 'bench', 'zoo']) {
    it(`${sub} --help prints its usage and exits 0`, () => {
      const r = runCli([sub, '--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`Usage: gpuvm-check ${sub}`);
    });
  }

  it('--help lists every command', () => {
    const r = runCli(['--help']);
    expect(r.status).toBe(0);
    for (const sub of ['fuzz', 'replay', 'minimize', 'check', 'zoo', 'bench']) expect(r.stdout).toContain(`  ${sub} `);
  });
});
