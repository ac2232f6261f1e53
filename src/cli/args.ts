/**
 * Command-line argument parsing for `gpuvm-check` and its subcommands.
 *
 * Each subcommand declares its flags as a table of `FlagSpec`s; `parseArgs`
 * turns `argv` into typed values or throws a `UsageError` whose message is one
 * line naming the flag and what is wrong with it. Value parsers for the
 * shared flag kinds (durations, seeds, counts) live here too so every
 * subcommand reads `--time 30s` or `--seed 42` the same way.
 */

/** Bad command-line usage: unknown flag, missing or malformed value. Exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** How a flag's value is read. `boolean` flags take no value. */
export type FlagKind = 'boolean' | 'string' | 'count' | 'duration' | 'seed';

export interface FlagSpec {
  /** Long name without the dashes: `seed` for `--seed`. */
  readonly name: string;
  /** Optional one-letter alias without the dash: `o` for `-o`. */
  readonly short?: string;
  readonly kind: FlagKind;
}

/** The parsed value of each flag kind. */
export type FlagValue = boolean | string | number;

export interface ParsedArgs {
  readonly flags: ReadonlyMap<string, FlagValue>;
  readonly positionals: readonly string[];
  /** `--help` or `-h` was given (always accepted). */
  readonly help: boolean;
}

/**
 * Parse a duration: a positive number with an optional unit `ms`, `s`, `m` or
 * `h` (a bare number means seconds). Returns milliseconds.
 */
export function parseDuration(text: string, flag = '--time'): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (m === null) {
    throw new UsageError(`${flag}: '${text}' is not a duration (use e.g. 500ms, 30s, 2m, 1h)`);
  }
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000;
  const ms = Math.round(n * factor);
  if (ms <= 0) throw new UsageError(`${flag}: the duration must be greater than zero, got '${text}'`);
  return ms;
}

/** Parse a seed: a decimal integer that is a safe integer (may be negative). */
export function parseSeed(text: string, flag = '--seed'): number {
  if (!/^-?\d+$/.test(text)) throw new UsageError(`${flag}: '${text}' is not an integer`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${flag}: '${text}' is too large`);
  return n;
}

/** Parse a count: a positive decimal integer (at least 1). */
export function parseCount(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag}: '${text}' is not a positive integer`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag}: '${text}' is not a positive integer`);
  return n;
}

function parseValue(spec: FlagSpec, text: string, shown: string): FlagValue {
  switch (spec.kind) {
    case 'duration':
      return parseDuration(text, shown);
    case 'seed':
      return parseSeed(text, shown);
    case 'count':
      return parseCount(text, shown);
    case 'string':
      if (text === '') throw new UsageError(`${shown}: the value must not be empty`);
      return text;
    case 'boolean':
      throw new UsageError(`${shown} takes no value`);
  }
}

/**
 * Parse `argv` (the words after the subcommand) against `specs`.
 *
 * Accepts `--name value`, `--name=value`, `-x value`, boolean `--name`, and
 * `--` to end the flags. A flag given twice keeps the last value. Anything
 * starting with `-` that is not declared is a `UsageError` naming it.
 * `context` (the subcommand) prefixes every message.
 */
export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[], context: string): ParsedArgs {
  const byLong = new Map(specs.map((s) => [s.name, s] as const));
  const byShort = new Map(specs.filter((s) => s.short !== undefined).map((s) => [s.short as string, s] as const));
  const flags = new Map<string, FlagValue>();
  const positionals: string[] = [];
  let help = false;
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (onlyPositionals || word === '-' || !word.startsWith('-')) {
      positionals.push(word);
      continue;
    }
    if (word === '--') {
      onlyPositionals = true;
      continue;
    }
    if (word === '--help' || word === '-h') {
      help = true;
      continue;
    }
    let spec: FlagSpec | undefined;
    let inline: string | undefined;
    let shown: string;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = eq < 0 ? word.slice(2) : word.slice(2, eq);
      inline = eq < 0 ? undefined : word.slice(eq + 1);
      spec = byLong.get(name);
      shown = `--${name}`;
    } else {
      const name = word.slice(1);
      spec = byShort.get(name);
      shown = `-${name}`;
    }
    if (spec === undefined) {
      throw new UsageError(`${context}: unknown flag ${shown} (see gpuvm-check ${context} --help)`);
    }
    if (spec.kind === 'boolean') {
      if (inline !== undefined) throw new UsageError(`${context}: ${shown} takes no value`);
      flags.set(spec.name, true);
      continue;
    }
    let text = inline;
    if (text === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('-') && next !== '-' && !/^-\d/.test(next))) {
        throw new UsageError(`${context}: ${shown} needs a value`);
      }
      text = next;
      i++;
    }
    try {
      flags.set(spec.name, parseValue(spec, text, shown));
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`${context}: ${e.message}`);
      throw e;
    }
  }
  return { flags, positionals, help };
}

/** Typed accessors over `ParsedArgs.flags`. */
export function flagString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function flagNumber(args: ParsedArgs, name: string): number | undefined {
  const v = args.flags.get(name);
  return typeof v === 'number' ? v : undefined;
}

export function flagBoolean(args: ParsedArgs, name: string): boolean {
  return args.flags.get(name) === true;
}

/** A subcommand that takes no positional arguments: reject any. */
export function expectNoPositionals(args: ParsedArgs, context: string): void {
  const first = args.positionals[0];
  if (first !== undefined) throw new UsageError(`${context}: unexpected argument '${first}' (see gpuvm-check ${context} --help)`);
}
