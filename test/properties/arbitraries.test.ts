/**
 * The command arbitraries produce valid protocol data: every generated run
 * is a trace the codec accepts unchanged, and requests not meant to be
 * invalid are fitted into the VM, clear of the kernel node.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Command, Subject, Trace, TraceHeader } from '../../src/protocol/types.ts';
import { TRACE_FORMAT } from '../../src/protocol/types.ts';
import { decodeTrace, encodeTrace } from '../../src/protocol/codec.ts';
import { ReferenceModel } from '../../model/index.ts';
import { runProperty } from '../../properties/index.ts';
import { headerArb } from '../../properties/arbitraries/vm-shapes.ts';
import { spanArb } from '../../properties/arbitraries/rule-data.ts';
import { fitToVm, resolveSpan } from '../../properties/arbitraries/resolve.ts';
import { rangeValid } from '../../properties/geometry.ts';

/** The model, recording every run as a trace. */
function recorder(traces: Trace[]): () => Subject {
  return () => {
    const m = new ReferenceModel();
    let cur: { header: TraceHeader; commands: Command[] } | null = null;
    const flush = () => {
      if (cur !== null) traces.push({ format: TRACE_FORMAT, ...cur.header, commands: cur.commands });
      cur = null;
    };
    return {
      name: 'recorder',
      reset(h: TraceHeader) {
        flush();
        cur = { header: h, commands: [] };
        m.reset(h);
      },
      exec(c: Command) {
        cur?.commands.push(c);
        return m.exec(c);
      },
      snapshot: () => m.snapshot(),
      close: flush,
    };
  };
}

describe('command arbitraries', () => {
  it('generate traces the codec round-trips unchanged', async () => {
    const traces: Trace[] = [];
    await runProperty({ subjectFactory: recorder(traces), seed: 21, numRuns: 60 });
    expect(traces.length).toBe(60);
    for (const t of traces) {
      expect(decodeTrace(encodeTrace(t), 'generated.json')).toEqual(t);
    }
  });

  it('fit a request into the VM and clear of the kernel node', () => {
    fc.assert(
      fc.property(headerArb, spanArb, (header, span) => {
        const s = fitToVm({ header, vas: [] }, resolveSpan({ header, vas: [] }, span));
        return rangeValid(header, s.addr, s.range);
      }),
      { seed: 3, numRuns: 3000 },
    );
  });
});
