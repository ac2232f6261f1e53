/**
 * The pieces of a failure report: the program printer, the address-space
 * picture, and the JUnit writer.
 */
import { describe, expect, it } from 'vitest';
import type { Snapshot, Trace, VaRecord } from '../../src/protocol/types.ts';
import { junitXml, xmlEscape } from '../../src/report/junit.ts';
import { drawRows, stepPicture } from '../../src/report/picture.ts';
import { formatCommand } from '../../src/protocol/text.ts';
import { formatProgram } from '../../src/report/program.ts';
import { replayCommand } from '../../src/report/failure.ts';

function snap(vas: VaRecord[], kernel: Snapshot['kernel'] = null): Snapshot {
  return { vas, kernel, vmBos: [], objects: [], evictList: [], extobjList: [], deferred: [] };
}

describe('program printer', () => {
  it('prints one numbered command per line, options only when not default', () => {
    expect(formatCommand({ cmd: 'map', addr: 0x1000n, range: 0x3000n, bo: 1, offset: 0n, via: 'steps', failAt: 2 })).toBe('map 0x1000+0x3000 -> bo1 @0x0 via steps failAt 2');
    expect(formatCommand({ cmd: 'map', addr: 0n, range: 0x1000n, bo: null, offset: 0n, via: 'ops' })).toBe('map 0x0+0x1000 -> null @0x0');
    expect(formatCommand({ cmd: 'unmap', addr: 0x2000n, range: 0x1000n, allocFailAt: 1 })).toBe('unmap 0x2000+0x1000 allocFailAt 1');
    expect(formatCommand({ cmd: 'find_prev', start: 0x4000n })).toBe('find_prev 0x4000');
    expect(formatCommand({ cmd: 'evict', bo: 2, evict: true })).toBe('evict bo2 true');
    expect(formatCommand({ cmd: 'validate' })).toBe('validate');
  });

  it('numbers the commands from 0, like input errors and violations, and marks the failing one', () => {
    const trace: Trace = {
      format: 'gpuvm-trace/1',
      vm: { start: 0n, range: 0x40000n, reserve: { addr: 0n, range: 0x1000n } },
      objects: [{ bo: 1 }, { bo: 2, external: true }],
      commands: [
        { cmd: 'map', addr: 0x1000n, range: 0x3000n, bo: 1, offset: 0n },
        { cmd: 'unmap', addr: 0x2000n, range: 0x1000n, via: 'steps' },
      ],
    };
    expect(formatProgram(trace, { step: 1, note: 'keep-flag' })).toEqual([
      'vm 0x0+0x40000, reserve 0x0+0x1000',
      'objects bo1, bo2 (external)',
      '0. map 0x1000+0x3000 -> bo1 @0x0',
      '1. unmap 0x2000+0x1000 via steps   <- keep-flag',
    ]);
  });
});

describe('address-space picture', () => {
  const old = snap([{ addr: 0x1000n, range: 0x3000n, bo: 1, offset: 0n }], { addr: 0n, range: 0x1000n });
  const after = snap(
    [
      { addr: 0x1000n, range: 0x1000n, bo: 1, offset: 0n },
      { addr: 0x2000n, range: 0x1000n, bo: 2, offset: 0n },
      { addr: 0x3000n, range: 0x1000n, bo: 1, offset: 0x2000n },
    ],
    { addr: 0n, range: 0x1000n },
  );
  const map = { cmd: 'map', addr: 0x2000n, range: 0x1000n, bo: 2, offset: 0n } as const;

  it('draws old / req / new rows of boxes over one scale, each box where its addresses are', () => {
    const lines = stepPicture(map, old, after, after);
    expect(lines.slice(1).map((l) => l.split(':')[0])).toEqual(['old', 'req', 'new']);
    const scale = lines[0] as string;
    const col = (text: string): number => scale.indexOf(text);
    const [, oldRow, reqRow, newRow] = lines as [string, string, string, string];
    // Box edges sit under the scale's addresses.
    expect(oldRow[col('0x1000')]).toBe('|');
    expect(oldRow[col('0x4000')]).toBe('|');
    expect(reqRow[col('0x2000')]).toBe('|');
    expect(reqRow[col('0x3000')]).toBe('|');
    expect(newRow[col('0x2000')]).toBe('|');
    expect(oldRow).toContain('bo1@0x0');
    expect(reqRow).toContain('bo2@0x0');
    expect(newRow).toContain('bo1@0x2000');
  });

  it('shows the expected and the actual new row when they differ', () => {
    const wrong = snap([{ addr: 0x1000n, range: 0x3000n, bo: 2, offset: 0n }], { addr: 0n, range: 0x1000n });
    const lines = stepPicture(map, old, wrong, after);
    expect(lines.some((l) => l.startsWith('new (expected):'))).toBe(true);
    expect(lines.some((l) => l.startsWith('new (actual):'))).toBe(true);
  });

  it('makes every box wide enough for its label', () => {
    const lines = drawRows([{ name: 'old', boxes: [{ addr: 0n, end: 1n, label: 'a-rather-long-label' }] }]);
    expect(lines[1]).toContain('a-rather-long-label');
  });
});

describe('replay command', () => {
  it('leaves out the default subject and quotes what the shell needs quoted', () => {
    expect(replayCommand('corpus/a.json', 'builtin:gpuvm')).toBe('gpuvm-check replay corpus/a.json');
    expect(replayCommand('my dir/a.json', 'x.ts')).toBe("gpuvm-check replay 'my dir/a.json' --subject x.ts");
  });
});

describe('JUnit XML', () => {
  it('has one testcase per case, counts failures, and escapes text', () => {
    const xml = junitXml('gpuvm-check', [
      { name: 'corpus/a.json', classname: 'corpus', timeMs: 12 },
      { name: 'campaign <1>', classname: 'campaign', timeMs: 1000, failure: { message: 'keep-flag & more', type: 'keep-flag', details: 'a "b"' } },
    ]);
    expect(xml).toContain('tests="2" failures="1"');
    expect(xml).toContain('<testcase classname="corpus" name="corpus/a.json" time="0.012"/>');
    expect(xml).toContain('name="campaign &lt;1&gt;"');
    expect(xml).toContain('<failure message="keep-flag &amp; more" type="keep-flag">a &quot;b&quot;</failure>');
    expect(xmlEscape('\u0001x')).toBe('x');
  });
});
