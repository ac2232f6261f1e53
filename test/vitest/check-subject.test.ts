/**
 * `checkSubject` (`gpuvm-check/vitest`): it runs the batches `gpuvm-check fuzz`
 * runs for the same seed and runs, passes a correct subject with the same
 * statistics as the CLI, and rejects a faulty one with the CLI's failure
 * report, the minimised trace, and the same saved file as the CLI.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { decodeTrace } from '../../src/protocol/codec.ts';
import { replayTrace } from '../../properties/index.ts';
import { ReferenceModel } from '../../model/index.ts';
import { SubjectResolutionError } from '../../src/subjects.ts';
import { selectFaults, loadFault } from '../../src/zoo/zoo.ts';
import { checkSubject, FACTORY_SPEC_PLACEHOLDER, SubjectCheckError } from '../../src/vitest/check-subject.ts';
import { filesIn, KEEP_FAULT, lastJson, removeTempDirs, runCli, tempDir } from '../cli/run-cli.ts';

afterAll(removeTempDirs);

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('the promise resolved');
}

/** The counts that are not zero (the CLI's summary lists every case and kind). */
function nonZero(counts: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, v]) => v > 0));
}

const keepFault = async () => loadFault(selectFaults(['keep-ignores-offset'])[0]!);

describe('a passing subject', () => {
  test('resolves with the runs, commands and coverage of `fuzz --seed 3 --runs 60` on builtin:gpuvm', async () => {
    const result = await checkSubject('builtin:gpuvm', { seed: 3, runs: 60 });
    const cli = lastJson(runCli(['fuzz', '--seed', '3', '--runs', '60', '--workers', '2', '--out', tempDir(), '--json', '--quiet']));
    expect(cli['status']).toBe('pass');
    expect(result.seed).toBe(3);
    expect(result.runs).toBe(60);
    expect(result.commands).toBe(cli['commands']);
    expect(nonZero(result.cases)).toEqual(nonZero(cli['cases'] as Record<string, number>));
    expect(nonZero(result.kinds)).toEqual(nonZero(cli['kinds'] as Record<string, number>));
  });

  test('a different seed runs different commands', async () => {
    const a = await checkSubject('builtin:model', { seed: 1, runs: 30, maxCommands: 10 });
    const b = await checkSubject('builtin:model', { seed: 2, runs: 30, maxCommands: 10 });
    expect(a.runs).toBe(30);
    expect(a.kinds).not.toEqual(b.kinds);
  });
});

describe('a faulty subject', () => {
  test('given as a factory: rejects with the report, the minimised trace inline, and a replay placeholder', async () => {
    const e = await rejection(checkSubject(await keepFault(), { seed: 7, runs: 300 }));
    expect(e).toBeInstanceOf(SubjectCheckError);
    const err = e as SubjectCheckError;
    expect(err.invariant).toBe('keep-flag');
    expect(err.kind).toBe('map');
    expect(err.file).toBeNull();
    expect(err.trace.commands).toHaveLength(2);
    expect(err.message).toBe(err.report.join('\n'));
    const lines = err.report;
    expect(lines[0]).toBe('FAILURE: keep-flag at command 1 (map)');
    for (const part of ['Program (in 4 KiB pages: 1p = 0x1000):', 'Command 1: map 0x0+0x1000 -> bo1 @0x1000', '  keep-flag expected: false', 'Address space before and after command 1:', 'Trace (save it as a .json file to replay it):']) {
      expect(lines).toContain(part);
    }
    expect(lines.some((l) => l.startsWith('Replay:'))).toBe(false);
    expect(lines.at(-1)).toBe(`Campaign: gpuvm-check fuzz --subject '${FACTORY_SPEC_PLACEHOLDER}' --seed 7 --runs 300`);
    // The inline trace is the minimised one, and it fails on replay.
    const inline = decodeTrace(lines.slice(lines.indexOf('Trace (save it as a .json file to replay it):') + 1, -2).join('\n'), 'inline');
    expect(inline.commands).toEqual(err.trace.commands);
    const replay = await replayTrace(inline, await (await keepFault())(), new ReferenceModel());
    expect(replay.ok).toBe(false);
  });

  test('given as a spec with saveTo: saves the same file as `fuzz` with the same seed and runs, and prints its replay command', async () => {
    const dir = tempDir();
    const err = (await rejection(checkSubject(KEEP_FAULT, { seed: 7, runs: 300, saveTo: dir }))) as SubjectCheckError;
    expect(err).toBeInstanceOf(SubjectCheckError);
    const saved = filesIn(dir);
    expect(saved).toHaveLength(1);
    expect(err.file).toBe(join(dir, saved[0]!));
    expect(err.report).toContain(`Replay: gpuvm-check replay ${err.file} --subject ${KEEP_FAULT}`);
    expect(decodeTrace(readFileSync(err.file!, 'utf8'), 'saved').commands).toEqual(err.trace.commands);
    const cliOut = tempDir();
    const cli = runCli(['fuzz', '--subject', KEEP_FAULT, '--seed', '7', '--runs', '300', '--workers', '1', '--out', cliOut, '--quiet']);
    expect(cli.status).toBe(1);
    expect(filesIn(cliOut)).toEqual(saved);
  });

  test('a subjectSpec names the module in the replay command', async () => {
    const err = (await rejection(checkSubject(await keepFault(), { seed: 7, runs: 300, saveTo: tempDir(), subjectSpec: KEEP_FAULT }))) as SubjectCheckError;
    expect(err.report.find((l) => l.startsWith('Replay:'))).toMatch(new RegExp(`--subject ${KEEP_FAULT.replace(/[./]/g, '\\$&')}$`));
  });
});

describe('bad input', () => {
  test.each([
    [{ runs: 0 }, 'runs'],
    [{ runs: 2.5 }, 'runs'],
    [{ seed: Number.NaN }, 'seed'],
    [{ maxCommands: 0 }, 'maxCommands'],
  ])('%o is a RangeError naming the option', async (opts, name) => {
    const e = await rejection(checkSubject('builtin:gpuvm', opts));
    expect(e).toBeInstanceOf(RangeError);
    expect((e as Error).message).toContain(`option "${name}"`);
  });

  test('an unknown subject spec is a SubjectResolutionError', async () => {
    const e = await rejection(checkSubject('builtin:nothing'));
    expect(e).toBeInstanceOf(SubjectResolutionError);
  });

  test('known: a findings file naming the fault makes the check pass, counting its hits', async () => {
    const dir = tempDir();
    const known = join(dir, 'known.json');
    writeFileSync(
      known,
      JSON.stringify({
        format: 'gpuvm-findings/1',
        findings: [{ id: 'keep', reason: 'keep compares only the objects', status: 'latent-defect', signature: 'keep-flag/map: op # has keep=true' }],
      }),
    );
    const result = await checkSubject(await keepFault(), { seed: 11, runs: 100, known });
    expect(result.runs).toBe(100);
    expect(result.knownHits['keep']).toBeGreaterThan(0);
    // A findings file that names another bug leaves this one a failure.
    writeFileSync(
      known,
      JSON.stringify({ format: 'gpuvm-findings/1', findings: [{ id: 'hole', reason: 'other', status: 'latent-defect', signature: { invariant: 'remap-hole' } }] }),
    );
    const e = await rejection(checkSubject(await keepFault(), { seed: 11, runs: 100, known }));
    expect(e).toBeInstanceOf(SubjectCheckError);
    expect((e as SubjectCheckError).invariant).toBe('keep-flag');
  });

  test('known: a findings file that does not exist is an input error naming it', async () => {
    const e = await rejection(checkSubject('builtin:gpuvm', { known: join(tempDir(), 'none.json') }));
    expect((e as Error).message).toContain('none.json');
  });
});
