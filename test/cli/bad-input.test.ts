/**
 * Bad input of every kind is one line on stderr naming what is wrong (file,
 * command index, field), exit status 2, and nothing written or overwritten.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesIn, runCli, tempDir, removeTempDirs } from './run-cli.ts';

afterAll(removeTempDirs);

const GOOD = {
  format: 'gpuvm-trace/1',
  vm: { start: '0x0', range: '0x40000', reserve: { addr: '0x0', range: '0x1000' } },
  objects: [{ bo: 1 }, { bo: 2, external: true }],
  commands: [
    { cmd: 'map', addr: '0x1000', range: '0x3000', bo: 1, offset: '0x0' },
    { cmd: 'find', addr: '0x1000', range: '0x3000' },
    { cmd: 'map', addr: '0x8000', range: '0x1000', bo: 2, offset: '0x0' },
  ],
};

function variant(edit: (t: typeof GOOD & Record<string, unknown>) => void): string {
  const t = JSON.parse(JSON.stringify(GOOD)) as typeof GOOD & Record<string, unknown>;
  edit(t);
  return JSON.stringify(t, null, 2);
}

let dir: string;
const files: Record<string, string> = {};

beforeAll(() => {
  dir = tempDir();
  const write = (name: string, text: string): void => {
    files[name] = join(dir, name);
    writeFileSync(files[name] as string, text);
  };
  write('good.json', JSON.stringify(GOOD));
  write('broken.json', '{ "format": "gpuvm-trace/1", "vm": {');
  write('unknown-command.json', variant((t) => ((t.commands as unknown[])[2] = { cmd: 'remap_all', addr: '0x0' })));
  write('unknown-field.json', variant((t) => Object.assign(t.commands[1] as object, { colour: 'red' })));
  write('bad-u64.json', variant((t) => Object.assign(t.commands[2] as object, { range: '0x10000000000000000' })));
  write('undeclared-bo.json', variant((t) => Object.assign(t.commands[2] as object, { bo: 9 })));
});

/** Runs the CLI and checks the common contract: exit 2, one line on stderr, the expected words in it. */
function expectInputError(args: readonly string[], ...words: readonly string[]): string {
  const r = runCli(args, dir);
  expect(r.status).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  for (const w of words) expect(lines[0]).toContain(w);
  return lines[0] as string;
}

describe('bad trace files', () => {
  it('a missing file', () => {
    expectInputError(['replay', 'missing.json'], 'missing.json', 'no such file');
  });

  it('broken JSON names the file and the line', () => {
    expectInputError(['replay', 'broken.json'], 'broken.json', 'not valid JSON', 'line 1');
  });

  it('an unknown command names the file, the command index and the field', () => {
    expectInputError(['replay', 'unknown-command.json'], 'unknown-command.json', 'command 2', 'cmd', 'remap_all');
  });

  it('an unknown field names the command and the field', () => {
    expectInputError(['replay', 'unknown-field.json'], 'unknown-field.json', 'command 1', 'colour');
  });

  it('a u64 out of range names the command and the field', () => {
    expectInputError(['replay', 'bad-u64.json'], 'bad-u64.json', 'command 2', '"range"', 'u64');
  });

  it('a bo the trace does not declare', () => {
    expectInputError(['replay', 'undeclared-bo.json'], 'undeclared-bo.json', 'command 2', '"bo"', '9');
  });

  it('one bad file among good ones stops replay before anything runs', () => {
    const r = runCli(['replay', 'good.json', 'bad-u64.json'], dir);
    expect(r.status).toBe(2);
    expect(r.stdout).not.toContain('PASS');
  });

  it('minimize of a bad trace writes nothing', () => {
    expectInputError(['minimize', 'unknown-field.json'], 'unknown-field.json');
    expectInputError(['minimize', 'bad-u64.json', '-o', 'out.json'], 'bad-u64.json');
    expect(filesIn(dir).filter((f) => f.includes('.min.') || f === 'out.json')).toEqual([]);
  });

  it('check with a broken corpus trace runs nothing and writes no JUnit file', () => {
    const corpus = tempDir();
    writeFileSync(join(corpus, 'broken.json'), readFileSync(files['broken.json'] as string));
    expectInputError(['check', '--corpus', corpus, '--time', '1s', '--junit', join(dir, 'junit.xml')], 'broken.json');
    expect(filesIn(dir)).not.toContain('junit.xml');
  });
});

describe('bad subjects', () => {
  it('an unknown builtin subject', () => {
    expectInputError(['replay', 'good.json', '--subject', 'builtin:nope'], 'builtin:nope', 'unknown builtin');
  });

  it('a module path that does not exist', () => {
    expectInputError(['fuzz', '--subject', 'no/such/subject.ts', '--runs', '5', '--out', join(dir, 'never')], 'no/such/subject.ts', 'no such file');
    expect(filesIn(join(dir, 'never'))).toEqual([]);
  });

  it('a module without a default factory', () => {
    const fixture = join(import.meta.dirname, '../fixtures/no-default-export.ts');
    expectInputError(['fuzz', '--subject', fixture, '--runs', '5', '--out', join(dir, 'never')], 'no default export');
    expect(filesIn(join(dir, 'never'))).toEqual([]);
  });
});

describe('bad flags', () => {
  it('an unknown flag', () => {
    expectInputError(['fuzz', '--colour', 'red'], 'unknown flag --colour');
  });

  it('a bad duration', () => {
    expectInputError(['fuzz', '--time', '10 minutes'], '--time', '10 minutes');
  });

  it('a bad worker count', () => {
    expectInputError(['fuzz', '--workers', '0'], '--workers');
  });

  it('a bad seed', () => {
    expectInputError(['check', '--seed', '1.5'], '--seed', '1.5');
  });

  it('a flag without its value', () => {
    expectInputError(['replay', 'good.json', '--subject'], '--subject', 'needs a value');
  });

  it('an unknown subcommand', () => {
    expectInputError(['fuzzz'], "unknown command 'fuzzz'");
  });

  it('minimize with no file', () => {
    expectInputError(['minimize'], 'exactly one trace file');
  });
});

describe('a trace that does not fail', () => {
  it('minimize refuses it with exit 2 and writes nothing', () => {
    const r = runCli(['minimize', 'good.json'], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('does not fail');
    expect(filesIn(dir)).not.toContain('good.min.json');
  });
});
