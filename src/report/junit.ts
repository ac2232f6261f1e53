/**
 * JUnit XML, the format CI systems read test results from. `check` writes
 * one test case per corpus trace and one for the campaign.
 */

export interface JunitCase {
  /** Test name, e.g. the trace file. */
  readonly name: string;
  /** Group, e.g. `corpus` or `campaign`. */
  readonly classname: string;
  readonly timeMs: number;
  /** Present when the case failed: a one-line message and the full report. */
  readonly failure?: { readonly message: string; readonly type: string; readonly details: string };
  /** Present when the case did not run: why (e.g. the subject lacks a command the trace uses). */
  readonly skipped?: { readonly message: string };
}

/** Escape text for XML attribute values and character data (control characters dropped). */
export function xmlEscape(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** One `<testsuites>` document with one `<testsuite>` named `suite` holding `cases`. */
export function junitXml(suite: string, cases: readonly JunitCase[]): string {
  const failures = cases.filter((c) => c.failure !== undefined).length;
  const skipped = cases.filter((c) => c.failure === undefined && c.skipped !== undefined).length;
  const total = cases.reduce((t, c) => t + c.timeMs, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(suite)}" tests="${cases.length}" failures="${failures}" errors="0" time="${seconds(total)}">`,
    `  <testsuite name="${xmlEscape(suite)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(total)}">`,
  ];
  for (const c of cases) {
    const open = `    <testcase classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}" time="${seconds(c.timeMs)}"`;
    if (c.failure === undefined && c.skipped !== undefined) {
      lines.push(`${open}>`);
      lines.push(`      <skipped message="${xmlEscape(c.skipped.message)}"/>`);
      lines.push('    </testcase>');
    } else if (c.failure === undefined) {
      lines.push(`${open}/>`);
    } else {
      lines.push(`${open}>`);
      lines.push(`      <failure message="${xmlEscape(c.failure.message)}" type="${xmlEscape(c.failure.type)}">${xmlEscape(c.failure.details)}</failure>`);
      lines.push('    </testcase>');
    }
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
