/**
 * Progress reporting: a redrawn bar on a terminal, a plain line every few
 * seconds otherwise.
 */
import { describe, expect, it } from 'vitest';
import { commandsPerSecond, formatElapsed, fractionDone, ProgressReporter, type ProgressState } from '../../src/campaign/progress.ts';

function state(elapsedMs: number, runs = 100): ProgressState {
  return { runs, commands: runs * 30, failures: 0, elapsedMs, totalRuns: null, timeLimitMs: 10_000 };
}

function sink(isTTY: boolean): { isTTY: boolean; text: string; write(t: string): void } {
  return {
    isTTY,
    text: '',
    write(t: string) {
      this.text += t;
    },
  };
}

describe('progress', () => {
  it('writes a plain line only once the interval has passed when not on a terminal', () => {
    const out = sink(false);
    const p = new ProgressReporter(out, 3000, true, 'check');
    p.update(state(3000));
    p.update(state(4000));
    p.update(state(6500));
    const lines = out.text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('check: 100 runs, 1000 commands/s, 0 failures, 3.0s');
  });

  it('redraws one bar in place on a terminal and ends its line on finish', () => {
    const out = sink(true);
    const p = new ProgressReporter(out);
    p.update(state(5000));
    p.update(state(10_000));
    p.finish();
    expect(out.text.split('\r')).toHaveLength(3);
    expect(out.text).toContain('[############............]  50%');
    expect(out.text).toContain('[########################] 100%');
    expect(out.text.endsWith('\n')).toBe(true);
  });

  it('stays silent when disabled', () => {
    const out = sink(true);
    new ProgressReporter(out, 3000, false).update(state(5000));
    expect(out.text).toBe('');
  });

  it('computes throughput, elapsed text and the fraction by the nearer bound', () => {
    expect(commandsPerSecond(5000, 2000)).toBe(2500);
    expect(commandsPerSecond(5000, 0)).toBe(0);
    expect(formatElapsed(125_000)).toBe('2m05s');
    expect(fractionDone({ ...state(1000, 50), totalRuns: 100 })).toBe(0.5);
    expect(fractionDone({ ...state(1000), timeLimitMs: null })).toBeNull();
  });
});
