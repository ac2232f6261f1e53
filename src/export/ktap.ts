/**
 * Reading a KUnit KTAP report (the kernel's, or the userspace runner's):
 * each case's result and its failed expectations, and the command of the
 * exported test each failure names (`command 3 (map): ...`).
 */

/** One failure a case reported. */
export interface KtapFailure {
  /** `EXPECTATION`, `ASSERTION`, or `crash` (a signal, a timeout, a bad exit). */
  readonly kind: 'EXPECTATION' | 'ASSERTION' | 'crash';
  /** Where the failed check is (`file:line`), empty for a crash. */
  readonly where: string;
  /** The report's lines after the header (the values compared, the message). */
  readonly text: readonly string[];
  /** The command index the message names (`command N (...)`), or null. */
  readonly command: number | null;
}

/** One case of a KTAP report. */
export interface KtapCase {
  readonly suite: string;
  readonly name: string;
  readonly status: 'pass' | 'fail' | 'skip';
  /** The reason of a skip. */
  readonly reason: string;
  readonly failures: readonly KtapFailure[];
  /** The command of the first failure that names one, or null. */
  readonly failedCommand: number | null;
}

const COMMAND = /\bcommand (-?\d+) \(/;
const FAILED = /^\s*# ([A-Za-z0-9_]+): (EXPECTATION|ASSERTION) FAILED at (\S+)\s*$/;
const CRASHED = /^\s*# ([A-Za-z0-9_]+): (crashed .*|timed out .*|exited with status .*|the suite's .*)$/;
const SUBTEST = /^\s*# Subtest: (\S+)/;
const RESULT = /^\s*(ok|not ok) \d+ ([A-Za-z0-9_]+)(?:\s+#\s*SKIP\b\s*(.*))?\s*$/;
const KTAP_LINE = /^\s*(#|ok\b|not ok\b|KTAP version|TAP version|\d+\.\.\d+)/;

function commandOf(lines: readonly string[]): number | null {
  for (const l of lines) {
    const m = COMMAND.exec(l);
    if (m !== null) return Number(m[1]);
  }
  return null;
}

/**
 * The cases of a KTAP report, in report order. Suites' own result lines
 * (the unindented `ok 1 suite`) are not cases and are left out.
 */
export function parseKtap(text: string): KtapCase[] {
  const cases: KtapCase[] = [];
  let suite = '';
  let pending = new Map<string, { kind: KtapFailure['kind']; where: string; text: string[] }[]>();
  let open: { text: string[] } | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+$/, '');
    const sub = SUBTEST.exec(line);
    if (sub !== null) {
      suite = sub[1] as string;
      pending = new Map();
      open = null;
      continue;
    }
    const failed = FAILED.exec(line);
    const crashed = failed === null ? CRASHED.exec(line) : null;
    if (failed !== null || crashed !== null) {
      const name = ((failed ?? crashed) as RegExpExecArray)[1] as string;
      const entry =
        failed !== null
          ? { kind: failed[2] as 'EXPECTATION' | 'ASSERTION', where: failed[3] as string, text: [] as string[] }
          : { kind: 'crash' as const, where: '', text: [(crashed as RegExpExecArray)[2] as string] };
      const list = pending.get(name) ?? [];
      list.push(entry);
      pending.set(name, list);
      open = failed !== null ? entry : null;
      continue;
    }
    const result = RESULT.exec(line);
    if (result !== null && /^\s/.test(raw)) {
      const name = result[2] as string;
      const list = pending.get(name) ?? [];
      pending.delete(name);
      const failures = list.map((f) => ({ ...f, command: commandOf(f.text) }));
      const skip = result[3] !== undefined;
      cases.push({
        suite,
        name,
        status: result[1] === 'not ok' ? 'fail' : skip ? 'skip' : 'pass',
        reason: skip ? (result[3] ?? '').trim() : '',
        failures,
        failedCommand: failures.find((f) => f.command !== null)?.command ?? null,
      });
      open = null;
      continue;
    }
    // A failure's lines run to the next KTAP line of its own (a diagnostic, a
    // result, a plan, a header); the kernel prints the message unindented.
    if (open !== null && line.trim() !== '' && !KTAP_LINE.test(line)) open.text.push(line.trim());
    else open = null;
  }
  return cases;
}
