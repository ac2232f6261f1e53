/**
 * Symptoms: what varies from one occurrence of a bug to the next is taken out
 * of the reason, what tells failure modes apart stays; invariants over the
 * state alone leave the command kind out of the key.
 */
import { describe, expect, it } from 'vitest';
import { sameSymptom, symptomDetail, symptomKey, symptomOf } from '../../src/findings/symptom.ts';
import type { Command } from '../../src/protocol/types.ts';

const map: Command = { cmd: 'map', addr: 0x1000n, range: 0x2000n, bo: 1, offset: 0n };
const otherMap: Command = { cmd: 'map', addr: 0x7000n, range: 0x2000n, bo: 3, offset: 0n };
const unmap: Command = { cmd: 'unmap', addr: 0x1000n, range: 0x1000n };
const boPut: Command = { cmd: 'bo_put', bo: 1 };

describe('symptomDetail', () => {
  it('drops numbers, quoted VAs and parenthesised asides', () => {
    expect(symptomDetail('remap-offsets', 'op 1 (REMAP of 0x0+0x3000 -> bo1 @0x0) has a wrong next half')).toBe('op # has a wrong next half');
    expect(symptomDetail('no-overlap', 'VA 3 (0x5000+0x0 -> bo2 @0x1000) is empty')).toBe('VA # is empty');
    expect(symptomDetail('exact-coverage', 'the ops concern 0x2000+0x1000 -> null, which the command does not cover')).toBe(
      'the ops concern VA, which the command does not cover',
    );
    expect(symptomDetail('gem-refcount', 'object 2 has 3 references for 1 (driver) + 1 live vm_bos')).toBe('object # has # references for # + # live vm_bos');
  });

  it('keeps what names the failure mode: keep=true vs keep=false, prev vs next, evict vs extobj', () => {
    const keep = (k: boolean): string => symptomDetail('keep-flag', `op 1 (UNMAP of 0x0+0x1000 -> bo1 @0x0) has keep=${k}`);
    expect(keep(true)).not.toBe(keep(false));
    expect(symptomDetail('remap-offsets', 'op 2 (REMAP of 0x0+0x1 -> null) has a wrong prev half')).not.toBe(
      symptomDetail('remap-offsets', 'op 2 (REMAP of 0x0+0x1 -> null) has a wrong next half'),
    );
    expect(symptomDetail('lists', "the evict list holds object 1's vm_bo, which should not be there")).not.toBe(
      symptomDetail('lists', "the extobj list holds object 1's vm_bo, which should not be there"),
    );
  });

  it('model-agrees: the top-level field of the differing path, without the values', () => {
    expect(symptomDetail('model-agrees', 'observation.ops[1].next.offset differs from the model: "0x1000" instead of "0x2000"')).toBe(
      'observation.ops differs from the model',
    );
    expect(symptomDetail('model-agrees', 'snapshot.vmBos[0].refs differs from the model: 2 instead of 1')).toBe('snapshot.vmBos differs from the model');
  });

  it('subject-error: the exception class, not its message; a crash: its first line without numbers; a hang: nothing', () => {
    expect(symptomDetail('subject-error', 'the subject threw: TypeError: Cannot read properties of undefined (reading 0x10)')).toBe(
      'the subject threw: TypeError',
    );
    expect(symptomDetail('subject-crashed', 'killed by SIGSEGV at command 3: ==4242==ERROR: AddressSanitizer: heap-use-after-free on address 0x6020\nstack ...')).toBe(
      'killed by SIGSEGV at command #: ==#==ERROR: AddressSanitizer: heap-use-after-free on address #',
    );
    expect(symptomDetail('subject-hung', 'no reply within 10 s')).toBe('');
  });

  it('translation segments in paint reasons become their backing', () => {
    expect(symptomDetail('paint', 'translation segment 2 is [0x1000, 0x2000) -> bo 1 at 0x3000, expected nothing')).toBe(
      'translation segment # is bo, expected nothing',
    );
  });
});

describe('symptom keys', () => {
  it('two occurrences of one failure mode with other numbers have one key', () => {
    const a = symptomOf({ invariant: 'remap-offsets', command: map, reason: 'op 1 (REMAP of 0x0+0x3000 -> bo1 @0x0) has a wrong next half' });
    const b = symptomOf({ invariant: 'remap-offsets', command: otherMap, reason: 'op 2 (REMAP of 0x6000+0x9000 -> bo3 @0x5000) has a wrong next half' });
    expect(symptomKey(a)).toBe('remap-offsets/map: op # has a wrong next half');
    expect(sameSymptom(a, b)).toBe(true);
  });

  it('an op-level failure at a map and at an unmap are different symptoms', () => {
    const reason = 'op 1 (REMAP of 0x0+0x3000 -> bo1 @0x0) has a wrong next half';
    expect(sameSymptom(symptomOf({ invariant: 'remap-offsets', command: map, reason }), symptomOf({ invariant: 'remap-offsets', command: unmap, reason }))).toBe(false);
  });

  it('a state invariant is the same symptom whichever command left the state', () => {
    const reason = "the extobj list holds object 1's vm_bo, which should not be there";
    const a = symptomOf({ invariant: 'lists', command: map, reason });
    const b = symptomOf({ invariant: 'lists', command: boPut, reason });
    expect(symptomKey(a)).toBe("lists: the extobj list holds object #'s vm_bo, which should not be there");
    expect(sameSymptom(a, b)).toBe(true);
  });

  it('a warning from setting up the VM is the same symptom whichever command it shows at', () => {
    const reason = 'the subject reported a warning during the command: "while setting up the VM: GPUVA address limited to 8 bytes. "';
    const a = symptomOf({ invariant: 'kernel-warn', command: map, reason });
    const b = symptomOf({ invariant: 'kernel-warn', command: boPut, reason });
    expect(symptomKey(a)).toBe('kernel-warn: the subject reported a warning during the command: "while setting up the VM: GPUVA address limited to # bytes. "');
    expect(sameSymptom(a, b)).toBe(true);
    // A warning a command raised stays the command's.
    const own = 'the subject reported a warning during the command: "drm_WARN_ON "';
    expect(sameSymptom(symptomOf({ invariant: 'kernel-warn', command: map, reason: own }), symptomOf({ invariant: 'kernel-warn', command: boPut, reason: own }))).toBe(false);
  });
});
