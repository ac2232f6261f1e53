/**
 * Campaign progress on standard error: a live bar redrawn in place on a
 * terminal, or one plain line every few seconds when stderr is a file or a
 * pipe (CI logs). Both show runs, commands per second, failures and the
 * elapsed time.
 */

/** Where progress goes: stderr, or anything with the same two members. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressState {
  readonly runs: number;
  readonly commands: number;
  readonly failures: number;
  readonly elapsedMs: number;
  /** The `--runs` bound, or null. */
  readonly totalRuns: number | null;
  /** The `--time` bound in ms, or null. */
  readonly timeLimitMs: number | null;
}

/** Commands per second, rounded; 0 before any time has passed. */
export function commandsPerSecond(commands: number, elapsedMs: number): number {
  return elapsedMs <= 0 ? 0 : Math.round((commands * 1000) / elapsedMs);
}

/** `1.2s`, `2m05s` */
export function formatElapsed(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** Fraction done in [0, 1] by whichever bound is nearer, or null when unbounded. */
export function fractionDone(s: ProgressState): number | null {
  const parts: number[] = [];
  if (s.totalRuns !== null) parts.push(s.runs / s.totalRuns);
  if (s.timeLimitMs !== null) parts.push(s.elapsedMs / s.timeLimitMs);
  return parts.length === 0 ? null : Math.min(1, Math.max(...parts));
}

/** The status text shared by both styles. */
export function progressText(s: ProgressState): string {
  return `${s.runs} runs, ${commandsPerSecond(s.commands, s.elapsedMs)} commands/s, ${s.failures} failure${s.failures === 1 ? '' : 's'}, ${formatElapsed(s.elapsedMs)}`;
}

export class ProgressReporter {
  private lastLineAt = 0;
  private drawn = false;

  /**
   * @param stream where to write (normally `process.stderr`)
   * @param intervalMs time between plain lines when `stream` is not a terminal
   * @param enabled false silences the reporter entirely
   * @param label prefix of the plain lines (`fuzz`, `check`)
   */
  constructor(
    private readonly stream: ProgressStream,
    private readonly intervalMs = 3000,
    private readonly enabled = true,
    private readonly label = 'fuzz',
  ) {}

  /** Show the current state (a redraw on a terminal, a line when the interval has passed otherwise). */
  update(s: ProgressState): void {
    if (!this.enabled) return;
    if (this.stream.isTTY === true) {
      const f = fractionDone(s);
      const bar = f === null ? '' : `[${'#'.repeat(Math.round(f * 24)).padEnd(24, '.')}] ${String(Math.floor(f * 100)).padStart(3)}% `;
      this.stream.write(`\r${bar}${progressText(s)}\x1b[K`);
      this.drawn = true;
    } else if (s.elapsedMs - this.lastLineAt >= this.intervalMs) {
      this.lastLineAt = s.elapsedMs;
      this.stream.write(`${this.label}: ${progressText(s)}\n`);
    }
  }

  /** Print a message on its own line without breaking the bar. */
  note(text: string): void {
    if (this.drawn) {
      this.stream.write('\r\x1b[K');
      this.drawn = false;
    }
    this.stream.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** End the bar's line. */
  finish(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
