/**
 * The exported C: one case per trace, the text notation before each command,
 * the expected tables of the documented cases and of the IGT shapes, the API
 * variants, the licence, the helpers a file carries, bad input.
 */
import { describe, expect, test } from 'vitest';
import { caseNames } from '../../src/export/c-names.ts';
import { ExportError } from '../../src/export/errors.ts';
import { DEFAULT_LICENSE, exportKunit, moduleLicense, type ExportInput } from '../../src/export/kunit.ts';
import { NAMED_VARIANTS, resolveTree, type KunitVariant } from '../../src/export/variant.ts';
import { formatCommand } from '../../src/protocol/index.ts';
import type { Trace } from '../../src/protocol/index.ts';
import { caseText, corpusInputs, wholeCorpus } from './helpers.ts';

const V73 = NAMED_VARIANTS['7.3'] as KunitVariant;
const V612 = NAMED_VARIANTS['6.12'] as KunitVariant;
const one = (dir: string, stem: string): ExportInput[] => corpusInputs(dir).filter((i) => i.file.endsWith(`/${stem}.json`));

describe('the file', () => {
  const inputs = corpusInputs('corpus/zoo');
  const text = exportKunit(inputs, { variant: V73 });

  test('one KUNIT_CASE per trace, named after its file, in one suite', () => {
    const names = caseNames(inputs.map((i) => i.file));
    const listed = [...text.matchAll(/^\tKUNIT_CASE\((\w+)\),$/gm)].map((m) => m[1]);
    expect(listed).toEqual(names);
    expect(names).toContain('drm_test_gpuvm_keep_ignores_offset');
    for (const n of names) expect(text).toContain(`static void ${n}(struct kunit *test)`);
    expect(text.match(/kunit_test_suite\(/g)).toHaveLength(1);
    expect(text).toContain('\t.name = "drm_gpuvm",');
  });

  test('every command is preceded by its line of the text notation, in trace order', () => {
    inputs.forEach((input, k) => {
      const body = caseText(text, caseNames(inputs.map((i) => i.file))[k] as string);
      if (input.trace.flags !== undefined) return;
      const stop = input.trace.commands.findIndex((c) => ['find_next', 'find_prev', 'madvise', 'bo_put_deferred', 'deferred_cleanup'].includes(c.cmd) || ('defer' in c && c.defer === true));
      let at = 0;
      input.trace.commands.forEach((c, i) => {
        if (stop >= 0 && i > stop) return;
        const comment = `\t/* ${i}. ${formatCommand(c)} */\n`;
        const found = body.indexOf(comment, at);
        expect(found, `${input.file} command ${i}`).toBeGreaterThan(at);
        at = found;
      });
    });
  });

  test('SPDX first, kernel headers only, MODULE_LICENSE and MODULE_DESCRIPTION last', () => {
    expect(text.split('\n')[0]).toBe(`// SPDX-License-Identifier: ${DEFAULT_LICENSE}`);
    const includes = [...text.matchAll(/^#include <([^>]+)>$/gm)].map((m) => m[1]);
    expect(includes.sort()).toEqual(
      [
        'drm/drm_drv.h',
        'drm/drm_exec.h',
        'drm/drm_gem.h',
        'drm/drm_gpuvm.h',
        'drm/drm_kunit_helpers.h',
        'kunit/test-bug.h',
        'kunit/test.h',
        'linux/list.h',
        'linux/module.h',
        'linux/slab.h',
        'linux/string.h',
      ].sort(),
    );
    expect(text).not.toMatch(/^#include "/m);
    expect(text).not.toMatch(/^#if/m);
    expect(text.trimEnd().split('\n').slice(-2)).toEqual([
      'MODULE_DESCRIPTION("KUnit tests for drm_gpuvm, from gpuvm-check traces");',
      'MODULE_LICENSE("Dual MIT/GPL");',
    ]);
  });

  test('no line is longer than 100 columns (tabs at 8) and none ends in blanks', () => {
    for (const line of exportKunit(wholeCorpus(), { variant: V612 }).split('\n')) {
      let cols = 0;
      for (const ch of line) cols = ch === '\t' ? (cols + 8) & ~7 : cols + 1;
      expect(cols, line).toBeLessThanOrEqual(100);
      expect(line).not.toMatch(/\s$/);
    }
  });

  test('the same inputs give the same text', () => {
    expect(exportKunit(corpusInputs('corpus/zoo'), { variant: V73 })).toBe(text);
  });

  test('the trace file and what it was saved as are named above the case', () => {
    expect(text).toContain(
      '/*\n * corpus/zoo/keep-ignores-offset.json\n * saved as a failure of bench/faults/keep-ignores-offset.ts (keep-flag)\n */\nstatic void drm_test_gpuvm_keep_ignores_offset',
    );
  });
});

describe('expected values of the documented cases', () => {
  test('case 11: a centered request of another (external) object splits the VA in a head and a tail at n+2', () => {
    const body = caseText(exportKunit(one('corpus/cases', 'case-11-centered-other'), { variant: V73 }), 'drm_test_gpuvm_case_11_centered_other');
    expect(body).toContain(
      [
        '\tstatic const struct gpuvm_test_op ops1[] = {',
        '\t\t{',
        '\t\t\t.op = DRM_GPUVA_OP_REMAP,',
        '\t\t\t.va = { 0x100000, 0x3000, 1, 0x40000 },',
        '\t\t\t.prev = { 0x100000, 0x1000, 1, 0x40000 },',
        '\t\t\t.next = { 0x102000, 0x1000, 1, 0x42000 },',
        '\t\t\t.hole = { 0x101000, 0x1000 },',
        '\t\t},',
        '\t\t{ .op = DRM_GPUVA_OP_MAP, .va = { 0x101000, 0x1000, 2, 0x900000 } },',
        '\t\t{ }',
        '\t};',
        '\tstatic const struct gpuvm_test_piece vas1[] = {',
        '\t\t{ 0x100000, 0x1000, 1, 0x40000 },',
        '\t\t{ 0x101000, 0x1000, 2, 0x900000 },',
        '\t\t{ 0x102000, 0x1000, 1, 0x42000 },',
        '\t\t{ }',
        '\t};',
        '\tstatic const struct gpuvm_test_vm_bo bos1[] = {',
        '\t\t{ .bo = 1, .refs = 2 },',
        '\t\t{ .bo = 2, .refs = 1, .extobj = 1 },',
        '\t\t{ }',
        '\t};',
      ].join('\n'),
    );
    expect(body).toContain(
      [
        '\t/* vm 0x0+0x100000000, reserve 0x0+0x1000 */',
        '\t/* objects bo1, bo2 (external) */',
        '\tgpuvm_test_setup(t, 0x0, 0x100000000, 0x0, 0x1000, 2);',
        '\tgpuvm_test_add_object(t, 1, false);',
        '\tgpuvm_test_add_object(t, 2, true);',
        '',
        '\t/* 0. map 0x100000+0x3000 -> bo1 @0x40000 */',
        '\tgpuvm_test_map(t, GPUVM_TEST_OPS, 0x100000, 0x3000, 1, 0x40000);',
        '\tgpuvm_test_expect_ops(t, 0, ops0);',
        '\tgpuvm_test_expect_state(t, vas0, bos0);',
        '',
        '\t/* 1. map 0x101000+0x1000 -> bo2 @0x900000 */',
        '\tgpuvm_test_map(t, GPUVM_TEST_OPS, 0x101000, 0x1000, 2, 0x900000);',
        '\tgpuvm_test_expect_ops(t, 0, ops1);',
        '\tgpuvm_test_expect_state(t, vas1, bos1);',
      ].join('\n'),
    );
  });

  test('case 1: an identical request unmaps with keep, then maps; the state does not change', () => {
    const body = caseText(exportKunit(one('corpus/cases', 'case-01-identical'), { variant: V73 }), 'drm_test_gpuvm_case_01_identical');
    expect(body).toContain('\t\t{ .op = DRM_GPUVA_OP_UNMAP, .va = { 0x100000, 0x2000, 1, 0x40000 }, .keep = true },');
    // The state after the request equals the one before: the first tables are reused.
    expect(body).toContain('\tgpuvm_test_expect_ops(t, 0, ops1);\n\tgpuvm_test_expect_state(t, vas0, bos0);');
    expect(body).not.toContain('vas1[]');
  });

  test('case 2: the same object at another offset unmaps without keep', () => {
    const body = caseText(exportKunit(one('corpus/cases', 'case-02-other-offset'), { variant: V73 }), 'drm_test_gpuvm_case_02_other_offset');
    expect(body).toContain('\t\t{ .op = DRM_GPUVA_OP_UNMAP, .va = { 0x100000, 0x2000, 1, 0x40000 } },');
    expect(body).not.toContain('.keep = true');
  });

  test('every documented case exports, one case each', () => {
    const cases = corpusInputs('corpus/cases');
    expect(cases).toHaveLength(15);
    const text = exportKunit(cases, { variant: V612 });
    expect(text.match(/^\tKUNIT_CASE\(/gm)).toHaveLength(15);
  });
});

describe('expected values of the IGT shapes', () => {
  test('munmap-style-unbind-many-either-side-partial: head remap, 14 unmaps, tail remap; the rebind is one MAP', () => {
    const name = 'drm_test_gpuvm_munmap_style_unbind_many_either_side_partial';
    const body = caseText(exportKunit(one('corpus/igt', 'munmap-style-unbind-many-either-side-partial'), { variant: V73 }), name);
    const ops16 = body.slice(body.indexOf('ops16[] = {'), body.indexOf('\t};', body.indexOf('ops16[] = {')));
    expect(ops16.match(/DRM_GPUVA_OP_UNMAP/g)).toHaveLength(14);
    expect(ops16.match(/DRM_GPUVA_OP_REMAP/g)).toHaveLength(2);
    expect(ops16).toContain('\t\t\t.va = { 0x1a00000, 0x2000, 1, 0x0 },\n\t\t\t.prev = { 0x1a00000, 0x1000, 1, 0x0 },\n\t\t\t.hole = { 0x1a01000, 0x1000 },');
    expect(ops16).toContain('\t\t\t.va = { 0x1a1e000, 0x2000, 1, 0x1e000 },\n\t\t\t.next = { 0x1a1f000, 0x1000, 1, 0x1f000 },\n\t\t\t.hole = { 0x1a1e000, 0x1000 },');
    expect(body).toContain('\t/* 17. map 0x1a01000+0x1e000 -> bo1 @0x1000 via steps */\n\tgpuvm_test_map(t, GPUVM_TEST_STEPS, 0x1a01000, 0x1e000, 1, 0x1000);');
    const ops17 = body.slice(body.indexOf('ops17[] = {'), body.indexOf('\t};', body.indexOf('ops17[] = {')));
    expect(ops17.match(/\.op = /g)).toEqual(['.op = ']);
  });

  test('mmap-style-bind puts the external object on the extobj list', () => {
    const body = caseText(exportKunit(one('corpus/igt', 'mmap-style-bind-one-partial'), { variant: V73 }), 'drm_test_gpuvm_mmap_style_bind_one_partial');
    expect(body).toContain('\tgpuvm_test_add_object(t, 2, true);');
    expect(body).toContain('\t\t{ .bo = 2, .refs = 1, .extobj = 1 },');
  });

  test('all 22 shapes export', () => {
    const shapes = corpusInputs('corpus/igt');
    expect(shapes).toHaveLength(22);
    expect(exportKunit(shapes, { variant: V73 }).match(/^\tKUNIT_CASE\(/gm)).toHaveLength(22);
  });
});

describe('API variants', () => {
  const zoo = corpusInputs('corpus/zoo');
  const t73 = exportKunit(zoo, { variant: V73 });
  const t612 = exportKunit(zoo, { variant: V612 });

  test('the map request: struct drm_gpuvm_map_req on 7.x, four values on 6.12', () => {
    expect(t73).toContain('\tstruct drm_gpuvm_map_req req = {');
    expect(t73).toContain('drm_gpuvm_sm_map_ops_create(&t->vm, &req)');
    expect(t612).not.toContain('drm_gpuvm_map_req');
    expect(t612).toContain('drm_gpuvm_sm_map_ops_create(&t->vm, addr, range, obj, offset)');
  });

  test('obtain_locked on 7.x; obtain, and create + obtain_prealloc for steps mode, on 6.12', () => {
    expect(t73).toContain('drm_gpuvm_bo_obtain_locked(&t->vm, &o->gem)');
    expect(t73).not.toContain('drm_gpuvm_bo_obtain_prealloc');
    expect(t612).toContain('drm_gpuvm_bo_obtain(&t->vm, &o->gem)');
    expect(t612).toContain('drm_gpuvm_bo_obtain_prealloc(vm_bo)');
  });

  test('find_next: called on 6.12; on 7.x the case is skipped at that command and nothing after it is exported', () => {
    const trace: Trace = {
      format: 'gpuvm-trace/1',
      vm: { start: 0n, range: 0x2000n, reserve: { addr: 0x1000n, range: 0x1000n } },
      objects: [],
      commands: [
        { cmd: 'find_first', addr: 0n, range: 0x1000n },
        { cmd: 'find_next', end: 0x1n },
      ],
    };
    const input = [{ file: 'find-closed-windows.json', trace }];
    const w612 = exportKunit(input, { variant: V612 });
    const w73 = exportKunit(input, { variant: V73 });
    const body612 = caseText(w612, 'drm_test_gpuvm_find_closed_windows');
    const body73 = caseText(w73, 'drm_test_gpuvm_find_closed_windows');
    expect(body612).toContain('\tgpuvm_test_find_next(t, 0x1);\n\tgpuvm_test_expect_va(t, NULL);');
    expect(body73).toContain('\t/* 1. find_next 0x1 */\n\tgpuvm_test_unsupported(t, "find_next", "this tree has no drm_gpuva_find_next()");\n}');
    expect(w73).not.toContain('drm_gpuva_find_next(&t->vm');
    expect(w612).toContain('t->found = drm_gpuva_find_next(&t->vm, end);');
  });

  test("7.x: kzalloc_obj, and KUnit's warning suppression counts the WARNs of each command", () => {
    expect(t73).toContain('op = kzalloc_obj(*op);');
    expect(t73).toContain('kunit_start_suppress_warning(t->test)');
    expect(t73).toContain('\t\tt->warnings_expected = 1;');
    expect(t612).toContain('op = kzalloc(sizeof(*op), GFP_KERNEL);');
    expect(t612).not.toContain('suppress');
  });

  test('6.12: the device has DRIVER_GEM_GPUVA, without which its GEMs get no gpuva list', () => {
    expect(t612).toContain('DRIVER_GEM | DRIVER_GEM_GPUVA);');
    expect(t73).not.toContain('DRIVER_GEM_GPUVA');
  });

  test('without drm_gpuva_op_remap_to_unmap_range() the holes are not checked', () => {
    const v: KunitVariant = { ...V612, remapHole: false, name: 'test' };
    const text = exportKunit(one('corpus/cases', 'case-11-centered-other'), { variant: v });
    expect(text).not.toContain('.hole');
    expect(text).not.toContain('drm_gpuva_op_remap_to_unmap_range');
  });

  test('the knobs are independent: map_req with the old obtain', () => {
    const v: KunitVariant = { ...V612, mapReq: true, name: 'test' };
    const text = exportKunit(zoo, { variant: v });
    expect(text).toContain('struct drm_gpuvm_map_req req = {');
    expect(text).toContain('drm_gpuvm_bo_obtain(&t->vm, &o->gem)');
  });

  test('--tree: no tree means the newest; a known version; anything else is an unknown variant', async () => {
    expect((await resolveTree(undefined)).variant).toEqual(V73);
    expect((await resolveTree('6.12')).variant).toEqual(V612);
    await expect(resolveTree('5.4')).rejects.toThrow(/--tree 5\.4: unknown API variant \(known: 6\.12, 7\.3; or give the directory of a kernel tree\)/);
  });
});

describe('what the export does not drive yet: the case is skipped there, as the kernel subject refuses it', () => {
  test('VM mode flags: the whole case', () => {
    const text = exportKunit(corpusInputs('corpus/zoo').filter((i) => i.file.endsWith('/cleanup-frees-twice.json')), { variant: V73 });
    expect(caseText(text, 'drm_test_gpuvm_cleanup_frees_twice')).toBe(
      [
        'static void drm_test_gpuvm_cleanup_frees_twice(struct kunit *test)',
        '{',
        '\t/* vm 0x0+0x1000, immediate resvProtected */',
        '\t/* objects bo1 */',
        '\tkunit_skip(test, "VM flags (immediate, resvProtected) are not exported yet");',
        '}\n',
      ].join('\n'),
    );
  });

  test('madvise: from that command on', () => {
    const text = exportKunit(corpusInputs('corpus/zoo').filter((i) => i.file.endsWith('/madvise-map-is-request.json')), { variant: V73 });
    const body = caseText(text, 'drm_test_gpuvm_madvise_map_is_request');
    expect(body).toContain('\t/* 0. map 0x0+0x2000 -> null @0x0 */\n\tgpuvm_test_map(t, GPUVM_TEST_OPS, 0x0, 0x2000, GPUVM_TEST_NULL, 0x0);');
    expect(body).toContain('\tgpuvm_test_unsupported(t, "madvise", "madvise is not exported yet");\n}');
  });
});

describe('the helpers a file carries', () => {
  test('a file of inserts and queries has no map or unmap driver, no steps callbacks, no validate', () => {
    const trace: Trace = {
      format: 'gpuvm-trace/1',
      vm: { start: 0n, range: 0x10000n },
      objects: [{ bo: 1 }],
      commands: [
        { cmd: 'insert', addr: 0x1000n, range: 0x1000n, bo: 1, offset: 0n },
        { cmd: 'find_first', addr: 0n, range: 0x10000n },
        { cmd: 'interval_empty', addr: 0x2000n, range: 0x1000n },
      ],
    };
    const text = exportKunit([{ file: 'q.json', trace }], { variant: V73 });
    for (const absent of ['gpuvm_test_via_ops', 'gpuvm_test_step_map', 'gpuvm_test_validate', 'gpuvm_test_prefetch', 'gpuvm_test_expect_ops(']) {
      expect(text).not.toContain(absent);
    }
    for (const present of ['static void gpuvm_test_insert(', 'static void gpuvm_test_find_first(', 'static void gpuvm_test_interval_empty(']) {
      expect(text).toContain(present);
    }
  });

  test('validate: the vm ops get vm_bo_validate and the case checks the order', () => {
    const trace: Trace = {
      format: 'gpuvm-trace/1',
      vm: { start: 0n, range: 0x10000n },
      objects: [{ bo: 1 }, { bo: 2, external: true }],
      commands: [
        { cmd: 'map', addr: 0x1000n, range: 0x1000n, bo: 2, offset: 0n },
        { cmd: 'map', addr: 0x2000n, range: 0x1000n, bo: 1, offset: 0n },
        { cmd: 'evict', bo: 2, evict: true },
        { cmd: 'evict', bo: 1, evict: true },
        { cmd: 'validate' },
      ],
    };
    const text = exportKunit([{ file: 'v.json', trace }], { variant: V73 });
    expect(text).toContain('\t.vm_bo_validate = gpuvm_test_vm_bo_validate,');
    expect(text).toContain('\tstatic const int validated4[] = { 2, 1, GPUVM_TEST_END };');
    expect(text).toContain('\tgpuvm_test_validate(t);\n\tgpuvm_test_expect_validated(t, validated4);');
  });
});

describe('bad input', () => {
  const zoo = corpusInputs('corpus/zoo').slice(0, 1);

  test('a suite name that is not a C identifier', () => {
    expect(() => exportKunit(zoo, { variant: V73, suite: 'drm-gpuvm' })).toThrow(ExportError);
    expect(() => exportKunit(zoo, { variant: V73, suite: 'drm-gpuvm' })).toThrow('--suite "drm-gpuvm": the suite\'s name must be a C identifier');
  });

  test('a licence the test cannot carry (it calls GPL-only exports)', () => {
    expect(() => exportKunit(zoo, { variant: V73, license: 'MIT' })).toThrow(/--license "MIT": not a licence the test can use/);
  });

  test('a VM the reference model cannot set up names the file', () => {
    const trace: Trace = { format: 'gpuvm-trace/1', vm: { start: 0n, range: 0x1000n, reserve: { addr: 0x800n, range: 0x1000n } }, objects: [], commands: [] };
    expect(() => exportKunit([{ file: 'bad.json', trace }], { variant: V73 })).toThrow(/^bad\.json: the reference model cannot set up this VM/);
  });

  test('no traces', () => {
    expect(() => exportKunit([], { variant: V73 })).toThrow('no trace to export');
  });
});

describe('licences', () => {
  test.each([
    ['GPL-2.0-only OR MIT', 'Dual MIT/GPL'],
    ['MIT OR GPL-2.0-only', 'Dual MIT/GPL'],
    ['GPL-2.0-only', 'GPL'],
    ['GPL-2.0-or-later', 'GPL'],
    ['GPL-2.0-only OR BSD-2-Clause', 'Dual BSD/GPL'],
  ])('%s -> MODULE_LICENSE("%s")', (spdx, module) => {
    expect(moduleLicense(spdx)).toBe(module);
    const text = exportKunit(corpusInputs('corpus/zoo').slice(0, 1), { variant: V73, license: spdx });
    expect(text.startsWith(`// SPDX-License-Identifier: ${spdx}\n`)).toBe(true);
    expect(text).toContain(`MODULE_LICENSE("${module}");`);
  });
});
