/**
 * The kernel subject under the stateful property with pinned seeds: the gate
 * `check --known kernel/findings/<version>/known.json` passes on the trees as
 * they are (every failing run is one of their known findings), with every
 * command kind the subject declares and all fifteen documented cases
 * exercised; both via modes, and on 7.3 the VM modes and `defer`, are
 * generated (statistics asserted); and the same gate fails on a new bug (a
 * fault of the kernel zoo).
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runProperty } from '../../properties/index.ts';
import { CASE_KEYS } from '../../properties/index.ts';
import { closeExecSubjects } from '../../src/exec/index.ts';
import { buildKernelSubject } from '../../src/kernel/build.ts';
import { KERNEL_DIR } from '../../src/kernel/probes.ts';
import { kernelSubjectFactory } from '../../src/kernel/subject.ts';
import { TREE_FILES } from '../../src/kernel/tree.ts';
import { applyFault, KERNEL_FAULTS } from '../../src/kernel/zoo-catalog.ts';
import type { Command, Subject, SubjectFactory, TraceHeader } from '../../src/protocol/types.ts';
import { lastJson, runCli } from '../cli/run-cli.ts';
import { skipReason, titled, treeOf, TreeCopy } from './trees.ts';

afterAll(async () => {
  await closeExecSubjects();
});

const known = (version: string): string => join(KERNEL_DIR, 'findings', version, 'known.json');

/** A subject that counts what it is asked to do (via modes, defer, header flags), forwarding everything. */
function counting(inner: Subject, seen: Map<string, number>): Subject {
  const count = (k: string): void => {
    seen.set(k, (seen.get(k) ?? 0) + 1);
  };
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'exec') {
        return (c: Command) => {
          if (c.cmd === 'map' || c.cmd === 'unmap') {
            count(`via:${c.via ?? 'ops'}`);
            if (c.defer === true) count('defer');
          }
          return target.exec(c);
        };
      }
      if (prop === 'reset') {
        return (h: TraceHeader) => {
          count(`flags:${h.flags?.immediate === true ? 'immediate' : ''}${h.flags?.resvProtected === true ? '+resvProtected' : ''}`);
          return target.reset(h);
        };
      }
      const v: unknown = Reflect.get(target, prop);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

for (const version of ['6.12', '7.3']) {
  describe.skipIf(skipReason(version) !== null)(titled(version, 'the stateful property against the kernel subject'), () => {
    const tree = treeOf(version) as string;

    it('the gate passes with the known findings, every declared command kind and the fifteen cases exercised', async () => {
      const r = runCli(
        ['check', '--subject', `kernel:${tree}`, '--corpus', 'kernel/zoo', '--known', known(version), '--seed', '1', '--runs', '300', '--workers', '1', '--json', '--quiet'],
      );
      expect(r.stderr.trim()).toBe('');
      expect(r.status).toBe(0);
      const campaign = lastJson(r)['campaign'] as { kinds: Record<string, number>; cases: Record<string, number>; failedRuns: number };
      const { factory } = await kernelSubjectFactory(`kernel:${tree}`, {}, () => {});
      const subject = await factory();
      const declared = subject.capabilities?.commands ?? [];
      await subject.close?.();
      expect(declared.filter((k) => (campaign.kinds[k] ?? 0) === 0)).toEqual([]);
      expect(CASE_KEYS.filter((k) => !k.startsWith('m') && (campaign.cases[k] ?? 0) === 0)).toEqual([]);
      if (declared.includes('madvise')) expect(CASE_KEYS.filter((k) => k.startsWith('m') && (campaign.cases[k] ?? 0) === 0)).toEqual([]);
      // The trees' known findings are hit, and passed over.
      expect(campaign.failedRuns).toBeGreaterThan(0);
    }, 600_000);

    it('generates both via modes and, where the tree has them, the VM modes and defer', async () => {
      const { factory } = await kernelSubjectFactory(`kernel:${tree}`, {}, () => {});
      const seen = new Map<string, number>();
      const wrapped: SubjectFactory = async () => counting(await factory(), seen);
      await runProperty({ subjectFactory: wrapped, seed: 2, numRuns: 150, explore: () => {} });
      const want = ['via:ops', 'via:steps', 'flags:', 'flags:+resvProtected'];
      if (version === '7.3') want.push('defer', 'flags:immediate', 'flags:immediate+resvProtected');
      expect(want.filter((k) => (seen.get(k) ?? 0) === 0)).toEqual([]);
      if (version === '6.12') expect([...seen.keys()].filter((k) => k.startsWith('flags:immediate') || k === 'defer')).toEqual([]);
    }, 600_000);
  });
}

describe.skipIf(skipReason('7.3') !== null)(titled('7.3', 'the kernel gate'), () => {
  it('fails on a new bug: a fault of the kernel zoo is not among the known findings', async () => {
    const tree = treeOf('7.3') as string;
    const fault = KERNEL_FAULTS.find((f) => f.name === 'unmap-next-offset');
    if (fault === undefined) throw new Error('no such fault');
    const copy = new TreeCopy('7.3');
    try {
      copy.write(TREE_FILES.gpuvmC, applyFault(readFileSync(join(tree, TREE_FILES.gpuvmC), 'utf8'), fault));
      const build = await buildKernelSubject({ tree: copy.root });
      const r = runCli(['check', '--subject', `exec:${build.program}`, '--corpus', 'kernel/zoo', '--known', known('7.3'), '--seed', '1', '--runs', '300', '--workers', '1', '--json', '--quiet']);
      expect(r.status).toBe(1);
      const json = lastJson(r);
      expect(json['status']).toBe('fail');
    } finally {
      copy.remove();
    }
  }, 600_000);
});
