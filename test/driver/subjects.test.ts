/**
 * `resolveSubject` for every kind of spec, and every way a spec can be wrong.
 */

import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import { ReferenceModel } from '../../model/index.ts';
import { describeSubject, resolveSubject, SubjectResolutionError } from '../../src/subjects.ts';
import { TaggedVm } from './fixtures/tagged-vm-subject.ts';
import { header, map } from './helpers.ts';

const fixture = (name: string): string => `test/driver/fixtures/${name}`;

async function resolutionError(spec: string): Promise<SubjectResolutionError> {
  try {
    await resolveSubject(spec);
  } catch (err) {
    if (err instanceof SubjectResolutionError) return err;
    throw err;
  }
  throw new Error(`resolveSubject(${spec}) did not fail`);
}

describe('builtin subjects', () => {
  it('builtin:gpuvm (and the default, and an empty spec) builds the harness driver', async () => {
    for (const spec of ['builtin:gpuvm', undefined, '']) {
      const subject = await (await resolveSubject(spec))();
      expect(subject).toBeInstanceOf(GpuVmSubject);
      expect(subject.name).toBe('builtin:gpuvm');
    }
  });

  it('builtin:model builds the reference model', async () => {
    const subject = await (await resolveSubject('builtin:model'))();
    expect(subject).toBeInstanceOf(ReferenceModel);
    expect(subject.name).toBe('builtin:model');
  });

  it('an unknown builtin is refused with the list of known ones', async () => {
    const err = await resolutionError('builtin:nope');
    expect(err.message).toBe('subject "builtin:nope": unknown builtin subject (known: builtin:gpuvm, builtin:model)');
  });
});

describe('subject modules', () => {
  it('a .ts module relative to the cwd: its default factory is used, with its own GpuVm subclass', async () => {
    const subject = await (await resolveSubject(fixture('tagged-vm-subject.ts')))();
    expect(subject.name).toBe('tagged-vm');
    await subject.reset(header([1]));
    const before = TaggedVm.mapped;
    expect(await subject.exec(map(1n, 1n, 1, 0n))).toMatchObject({ ok: true });
    expect(TaggedVm.mapped).toBe(before + 1);
  });

  it('a .js module given by absolute path', async () => {
    const subject = await (await resolveSubject(resolve(fixture('plain-subject.js'))))();
    expect(subject.name).toBe('plain-js');
  });

  it.each([
    ['a missing file', 'nope.ts', /^subject "test\/driver\/fixtures\/nope\.ts": no such file: \/.*nope\.ts$/],
    ['not a module path', 'notes.txt', /not a builtin subject, not exec:PROGRAM and not a \.ts or \.js module path/],
    ['no default export', 'no-default.ts', /the module has no default export/],
    ['a default export that is an object', 'default-object.ts', /the default export is an object, not a SubjectFactory/],
    ['a default export that is a class', 'default-class.ts', /the default export is a class/],
    ['a module that throws while loading', 'throws-on-load.ts', /the module failed to load: .*fixture failed on purpose$/],
  ])('%s is a SubjectResolutionError with a one-line message naming the spec', async (_label, file, pattern) => {
    const err = await resolutionError(fixture(file));
    expect(err.message).toMatch(pattern);
    expect(err.message).toContain(`subject "${fixture(file)}"`);
    expect(err.message).not.toContain('\n');
    expect(err.spec).toBe(fixture(file));
  });

  it('a directory named like a module is refused as not a file', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'gpuvm-subject-')), 'looks-like.ts');
    mkdirSync(dir);
    const err = await resolutionError(dir);
    expect(err.message).toBe(`subject "${dir}": not a file: ${dir}`);
  });

  it('a factory that returns something that is not a Subject fails when called, naming what is missing', async () => {
    const factory = await resolveSubject(fixture('returns-non-subject.ts'));
    await expect(Promise.resolve().then(factory)).rejects.toThrow(
      'subject "test/driver/fixtures/returns-non-subject.ts": the factory returned an object with no `exec` method, not a Subject',
    );
  });
});

describe('describeSubject', () => {
  it('describes builtins, unknown builtins and module paths in one line', () => {
    expect(describeSubject()).toBe('builtin:gpuvm: the production manager (src/gpuvm) under the harness driver');
    expect(describeSubject('builtin:model')).toBe('builtin:model: the reference model (model/)');
    expect(describeSubject('builtin:x')).toBe('builtin:x: unknown builtin subject');
    expect(describeSubject('my/vm.ts')).toBe(`my/vm.ts: subject module ${resolve('my/vm.ts')}`);
  });
});
