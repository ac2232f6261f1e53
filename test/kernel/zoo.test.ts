/**
 * The kernel fault zoo on 7.3: every edit applies; every saved minimal trace
 * (kernel/zoo/) fails against its fault with the invariant it records and
 * passes against the unmodified tree; and a short campaign finds every fault
 * under an invariant its catalogue entry expects, telling its failures from
 * the unmodified tree's known findings.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReferenceModel } from '../../model/index.ts';
import { replayTrace } from '../../properties/index.ts';
import { closeExecSubjects, execSubjectFactory } from '../../src/exec/index.ts';
import { buildKernelSubject } from '../../src/kernel/build.ts';
import { KERNEL_DIR } from '../../src/kernel/probes.ts';
import { TREE_FILES } from '../../src/kernel/tree.ts';
import { applyFault, FaultApplyError, KERNEL_FAULTS } from '../../src/kernel/zoo-catalog.ts';
import { runKernelZoo } from '../../src/kernel/zoo.ts';
import { decodeTrace } from '../../src/protocol/codec.ts';
import { skipReason, titled, treeOf, TreeCopy } from './trees.ts';

afterAll(async () => {
  await closeExecSubjects();
});

const ZOO_TRACES = join(KERNEL_DIR, 'zoo');

describe('the kernel fault catalogue', () => {
  it('has at least 8 faults, uniquely named, each with a saved minimal trace', () => {
    expect(KERNEL_FAULTS.length).toBeGreaterThanOrEqual(8);
    const names = KERNEL_FAULTS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    expect(readdirSync(ZOO_TRACES).filter((f) => f.endsWith('.json')).sort()).toEqual(names.map((n) => `${n}.json`).sort());
  });

  it('an edit that does not apply names the fault and the text', () => {
    expect(() => applyFault('int x;\n', KERNEL_FAULTS[0]!)).toThrow(FaultApplyError);
    expect(() => applyFault('int x;\n', KERNEL_FAULTS[0]!)).toThrow(/^fault keep-ignores-offset: "offset == req_offset;" occurs 0 times/);
  });
});

describe.skipIf(skipReason('7.3') !== null)(titled('7.3', 'the kernel fault zoo'), () => {
  const tree = treeOf('7.3') as string;

  it('every edit applies to the tree and changes exactly the text it names', () => {
    const source = readFileSync(join(tree, TREE_FILES.gpuvmC), 'utf8');
    for (const f of KERNEL_FAULTS) {
      const edited = applyFault(source, f);
      expect(edited.length - source.length).toBe(f.replace.length - f.find.length);
      expect(edited).not.toBe(source);
    }
  });

  it('each saved trace fails against its fault with the recorded invariant and passes on the unmodified tree', async () => {
    const base = await buildKernelSubject({ tree });
    const source = readFileSync(base.tree.gpuvmC, 'utf8');
    for (const f of KERNEL_FAULTS) {
      const trace = decodeTrace(readFileSync(join(ZOO_TRACES, `${f.name}.json`), 'utf8'), `${f.name}.json`);
      const copy = new TreeCopy('7.3');
      try {
        copy.write(TREE_FILES.gpuvmC, applyFault(source, f));
        const faulty = await buildKernelSubject({ tree: copy.root });
        const bad = await replayTrace(trace, await execSubjectFactory([faulty.program])(), new ReferenceModel());
        expect({ fault: f.name, invariant: bad.ok ? 'pass' : bad.violation.invariant }).toEqual({ fault: f.name, invariant: trace.meta?.invariant });
        const good = await replayTrace(trace, await execSubjectFactory([base.program])(), new ReferenceModel());
        expect({ fault: f.name, ok: good.ok }).toEqual({ fault: f.name, ok: true });
      } finally {
        copy.remove();
        await closeExecSubjects();
      }
    }
  }, 600_000);

  it('a short campaign finds every fault under an expected invariant, skipping the known findings it shares with the tree', async () => {
    const results = await runKernelZoo({ tree, budgetMs: 20_000 });
    const summary = results.map((r) => ({ fault: r.fault.name, detected: r.detected, expected: r.fault.expected.includes(r.invariant ?? '') }));
    expect(summary).toEqual(KERNEL_FAULTS.map((f) => ({ fault: f.name, detected: true, expected: true })));
    for (const r of results) {
      expect(r.minimized).not.toBeNull();
      expect(r.minimized?.commands.length).toBeLessThanOrEqual(4);
    }
    // Campaigns against the real tree meet its known findings and go on.
    expect(results.reduce((n, r) => n + r.knownSkipped, 0)).toBeGreaterThan(0);
  }, 900_000);
});
