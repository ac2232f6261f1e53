/**
 * The known-findings file: what it accepts, and bad files -- each rejected
 * with one line naming the file, the finding and the field, exit status 2,
 * and nothing written.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INVARIANT_NAMES } from '../../properties/index.ts';
import { decodeFindings, FindingsInputError, parseSignatureKey } from '../../src/protocol/findings.ts';
import { TraceInputError } from '../../src/protocol/errors.ts';
import { KEEP_FAULT, removeTempDirs, runCli, tempDir } from '../cli/run-cli.ts';

afterAll(removeTempDirs);

const opts = { invariants: INVARIANT_NAMES };
const TRACE = {
  format: 'gpuvm-trace/1',
  vm: { start: '0x0', range: '0x1000' },
  objects: [{ bo: 1 }],
  commands: [
    { cmd: 'map', addr: '0x0', range: '0x1000', bo: 1, offset: '0x0' },
    { cmd: 'map', addr: '0x0', range: '0x1000', bo: 1, offset: '0x1000' },
  ],
};

function file(findings: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ format: 'gpuvm-findings/1', ...extra, findings });
}

describe('decodeFindings', () => {
  it('reads signatures in both forms, traces by path or inline, ids, statuses and functions', () => {
    const d = decodeFindings(
      file(
        [
          { id: 'keep', reason: 'keep ignores the offset', status: 'latent-defect', function: 'drm_gpuvm_sm_map', signature: 'keep-flag/map: op # has keep=true' },
          { reason: 'closed windows', status: 'documented-difference', signature: { invariant: 'queries-agree', kind: ['find_prev', 'find_next'] } },
          { reason: 'fixed later', status: 'fixed-in 6.8', trace: 'traces/x.json' },
          { reason: 'inline', status: 'latent-defect', trace: TRACE },
          { id: 'zero', reason: 'a zero range', status: 'latent-defect', signature: { invariant: 'model-agrees', kind: 'madvise', cause: 'a zero range' } },
        ],
        { subject: 'kernel:linux-7.3' },
      ),
      'known.json',
      opts,
    );
    expect(d.subject).toBe('kernel:linux-7.3');
    expect(d.findings.map((f) => f.id)).toEqual(['keep', 'finding-1', 'finding-2', 'finding-3', 'zero']);
    expect(d.findings[0]).toMatchObject({ function: 'drm_gpuvm_sm_map', signature: { invariant: 'keep-flag', kinds: ['map'], detail: 'op # has keep=true' }, trace: null });
    expect(d.findings[1]?.signature).toEqual({ invariant: 'queries-agree', kinds: ['find_prev', 'find_next'], detail: null, cause: null });
    expect(d.findings[4]?.signature).toEqual({ invariant: 'model-agrees', kinds: ['madvise'], detail: null, cause: 'a zero range' });
    expect(d.findings[2]).toMatchObject({ status: 'fixed-in 6.8', trace: { path: 'traces/x.json' }, signature: null });
    expect(d.findings[3]?.trace).toMatchObject({ inline: { commands: [{ cmd: 'map' }, { cmd: 'map', offset: 0x1000n }] } });
  });

  it('parses the one-line signature form', () => {
    expect(parseSignatureKey('lists')).toEqual({ invariant: 'lists', kind: null, detail: null });
    expect(parseSignatureKey('model-agrees/find_prev: observation.va differs from the model')).toEqual({
      invariant: 'model-agrees',
      kind: 'find_prev',
      detail: 'observation.va differs from the model',
    });
  });

  const bad: [string, string, RegExp][] = [
    ['no reason', file([{ id: 'a', status: 'latent-defect', signature: 'lists' }]), /^k\.json: finding 0 \(a\): field "reason": missing/],
    ['a status that is not one', file([{ reason: 'r', status: 'fixed', signature: 'lists' }]), /^k\.json: finding 0: field "status": expected one of latent-defect, documented-difference, fixed-in <version>, got "fixed"/],
    ['an unknown invariant (object form)', file([{ id: 'z', reason: 'r', status: 'latent-defect', signature: { invariant: 'no-such' } }]), /^k\.json: finding 0 \(z\): field "signature.invariant": unknown invariant "no-such"/],
    ['an unknown invariant (key form)', file([{ reason: 'r', status: 'latent-defect', signature: 'nope/map: x' }]), /^k\.json: finding 0: field "signature": unknown invariant "nope"/],
    ['an unknown kind', file([{ reason: 'r', status: 'latent-defect', signature: { invariant: 'lists', kind: 'mmap' } }]), /field "signature.kind": unknown command kind "mmap"/],
    ['an unknown cause', file([{ reason: 'r', status: 'latent-defect', signature: { invariant: 'lists', cause: 'zero' } }]), /^k\.json: finding 0: field "signature\.cause": expected one of "a zero range", "a range reaching 2\^64", .*, got "zero"/],
    ['neither signature nor trace', file([{ reason: 'r', status: 'latent-defect' }]), /^k\.json: finding 0: needs a "signature", a "trace", or both/],
    ['an unknown field', file([{ reason: 'r', status: 'latent-defect', signature: 'lists', why: 1 }]), /field "why": unknown field/],
    ['two findings with one id', file([{ id: 'x', reason: 'r', status: 'latent-defect', signature: 'lists' }, { id: 'x', reason: 'r', status: 'latent-defect', signature: 'lists' }]), /^k\.json: finding 1 \(x\): field "id": another finding already has the id "x"/],
    ['another format', JSON.stringify({ format: 'gpuvm-findings/2', findings: [] }), /^k\.json: field "format": expected "gpuvm-findings\/1"/],
    ['not JSON', '{"format": "gpuvm-findings/1", findings: []}', /^k\.json: not valid JSON at line 1, column/],
  ];
  for (const [what, text, message] of bad) {
    it(`rejects ${what}`, () => {
      expect(() => decodeFindings(text, 'k.json', opts)).toThrow(FindingsInputError);
      expect(() => decodeFindings(text, 'k.json', opts)).toThrow(message);
    });
  }

  it('rejects an inline trace that does not parse, naming the file, the finding, the field and the command', () => {
    const broken = { ...TRACE, commands: [{ cmd: 'map', addr: '-0x1', range: '0x1000', bo: 1, offset: '0x0' }] };
    const text = file([{ id: 'b', reason: 'r', status: 'latent-defect', trace: broken }]);
    expect(() => decodeFindings(text, 'k.json', opts)).toThrow(TraceInputError);
    expect(() => decodeFindings(text, 'k.json', opts)).toThrow(/^k\.json: finding 0 \(b\): field "trace": command 0 \(map\): field "addr": expected a u64/);
  });
});

describe('a bad findings file on the command line', () => {
  const dir = tempDir('gpuvm-check-known-');
  mkdirSync(join(dir, 'traces'));
  writeFileSync(join(dir, 'traces', 'broken.json'), JSON.stringify({ ...TRACE, commands: [{ cmd: 'mapp' }] }));
  const cases: [string, string, RegExp][] = [
    ['missing.json', '', /^gpuvm-check: .*missing\.json: no such file$/],
    ['no-status.json', file([{ id: 'keep', reason: 'r', signature: 'keep-flag/map' }]), /^gpuvm-check: .*no-status\.json: finding 0 \(keep\): field "status": missing/],
    ['bad-invariant.json', file([{ reason: 'r', status: 'latent-defect', signature: 'keep-flags/map' }]), /^gpuvm-check: .*bad-invariant\.json: finding 0: field "signature": unknown invariant "keep-flags"/],
    ['bad-trace.json', file([{ id: 't', reason: 'r', status: 'latent-defect', trace: 'traces/broken.json' }]), /^gpuvm-check: .*bad-trace\.json: finding 0 \(t\): field "trace": traces\/broken\.json: command 0: field "cmd": /],
    ['gone-trace.json', file([{ id: 'g', reason: 'r', status: 'latent-defect', trace: 'traces/gone.json' }]), /^gpuvm-check: .*gone-trace\.json: finding 0 \(g\): field "trace": traces\/gone\.json: no such file$/],
  ];
  for (const [name, text, message] of cases) {
    it(`${name}: exit 2, one line naming the file, the finding and the field, nothing written`, () => {
      const path = join(dir, name);
      if (text !== '') writeFileSync(path, text);
      const out = join(dir, `out-${name}`);
      const common = ['--subject', KEEP_FAULT, '--known', path, '--runs', '10', '--workers', '1', '--out', out, '--quiet'];
      // fuzz for every case; check (which also reads a corpus) for one.
      const runs = [['fuzz', ...common], ...(name === 'no-status.json' ? [['check', ...common, '--corpus', join(dir, 'no-corpus')]] : [])];
      for (const args of runs) {
        const r = runCli(args);
        expect(r.status).toBe(2);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr.trim()).toMatch(message);
        expect(existsSync(out)).toBe(false);
      }
    });
  }
});
