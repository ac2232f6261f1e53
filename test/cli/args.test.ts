/**
 * Argument parsing: flags, values, durations, and one-line usage errors.
 */
import { describe, expect, it } from 'vitest';
import { parseArgs, parseCount, parseDuration, parseSeed, UsageError, type FlagSpec } from '../../src/cli/args.ts';

const SPECS: readonly FlagSpec[] = [
  { name: 'time', kind: 'duration' },
  { name: 'seed', kind: 'seed' },
  { name: 'runs', kind: 'count' },
  { name: 'out', short: 'o', kind: 'string' },
  { name: 'json', kind: 'boolean' },
];

describe('parseDuration', () => {
  it('reads ms, s, m, h and bare seconds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1.5')).toBe(1500);
  });

  it('rejects junk and zero', () => {
    expect(() => parseDuration('10 minutes')).toThrow(UsageError);
    expect(() => parseDuration('0s')).toThrow(/greater than zero/);
    expect(() => parseDuration('-1s')).toThrow(UsageError);
  });
});

describe('parseSeed and parseCount', () => {
  it('seeds are safe integers, possibly negative', () => {
    expect(parseSeed('-17')).toBe(-17);
    expect(() => parseSeed('1e3')).toThrow(UsageError);
    expect(() => parseSeed('99999999999999999999')).toThrow(/too large/);
  });

  it('counts are positive integers', () => {
    expect(parseCount('3', '--runs')).toBe(3);
    expect(() => parseCount('0', '--runs')).toThrow(/--runs/);
    expect(() => parseCount('2.5', '--runs')).toThrow(UsageError);
  });
});

describe('parseArgs', () => {
  it('reads --flag value, --flag=value, short flags, booleans and positionals', () => {
    const a = parseArgs(['a.json', '--time', '2s', '--seed=-3', '-o', 'x.json', '--json', 'b.json'], SPECS, 'test');
    expect(a.positionals).toEqual(['a.json', 'b.json']);
    expect(a.flags.get('time')).toBe(2000);
    expect(a.flags.get('seed')).toBe(-3);
    expect(a.flags.get('out')).toBe('x.json');
    expect(a.flags.get('json')).toBe(true);
    expect(a.help).toBe(false);
  });

  it('-- ends the flags', () => {
    expect(parseArgs(['--', '--json'], SPECS, 'test').positionals).toEqual(['--json']);
  });

  it('unknown flags, missing values and values on booleans are usage errors naming the flag', () => {
    expect(() => parseArgs(['--nope'], SPECS, 'test')).toThrow(/test: unknown flag --nope/);
    expect(() => parseArgs(['--time'], SPECS, 'test')).toThrow(/--time needs a value/);
    expect(() => parseArgs(['--time', '--json'], SPECS, 'test')).toThrow(/--time needs a value/);
    expect(() => parseArgs(['--json=yes'], SPECS, 'test')).toThrow(/--json takes no value/);
    expect(() => parseArgs(['--runs', 'many'], SPECS, 'test')).toThrow(/--runs: 'many'/);
  });

  it('--help and -h are always accepted', () => {
    expect(parseArgs(['-h'], SPECS, 'test').help).toBe(true);
  });
});
