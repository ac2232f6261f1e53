/**
 * `zombies`: the life of a zombie vm_bo, one whose last reference was dropped
 * deferred (`bo_put_deferred`, a map / unmap with `defer`) and that waits on
 * the VM's deferred list for `deferred_cleanup`.
 *
 * Over the state after the command (these also run after a subject threw):
 * - every zombie names a declared object, and only an immediate-mode VM has any;
 * - no zombie is reachable from its object: while an object has a zombie, no
 *   vm_bo of it is listed among the live ones (reachable through the object's
 *   list, a VA or a driver reference) with 0 references.
 *
 * Over the command:
 * - zombies are freed only by `deferred_cleanup`, and only a deferring command
 *   makes new ones: any other command leaves the deferred list as it was, a
 *   deferring one only adds to its front (newest first);
 * - `deferred_cleanup` leaves none and frees each exactly once: every object's
 *   references drop by its number of zombies, and the VAs and live vm_bos
 *   stay as they were;
 * - `validate` validates no zombie: each object validated had a live vm_bo
 *   marked evicted, and is validated once.
 *
 * The lists a zombie may still be on (resv-protected VM) are `lists`' to check.
 */
import type { BoId, Command, DeferredRecord, Snapshot } from '../../src/protocol/types.ts';
import type { Invariant, StructuralContext, StructuralInvariant, StepContext } from '../step-context.ts';
import type { Failure } from '../violation.ts';
import { differenceIfAny } from '../deep-diff.ts';
import { fail } from './shared.ts';

/** Commands that may drop a vm_bo's last reference deferred. */
function isDeferring(c: Command): boolean {
  return c.cmd === 'bo_put_deferred' || ((c.cmd === 'map' || c.cmd === 'unmap') && c.defer === true);
}

function zombieCounts(deferred: readonly DeferredRecord[]): Map<BoId, number> {
  const m = new Map<BoId, number>();
  for (const z of deferred) m.set(z.bo, (m.get(z.bo) ?? 0) + 1);
  return m;
}

function sameRecords(a: readonly DeferredRecord[], b: readonly DeferredRecord[]): boolean {
  return a.length === b.length && a.every((z, i) => z.bo === b[i]!.bo && z.evicted === b[i]!.evicted);
}

function structural(ctx: StructuralContext): Failure | null {
  const { header, after } = ctx;
  const declared = new Set(header.objects.map((o) => o.bo));
  for (const z of after.deferred) {
    if (!declared.has(z.bo)) return fail([...declared], z.bo, `a zombie belongs to undeclared object ${z.bo}`);
  }
  if (after.deferred.length > 0 && header.flags?.immediate !== true) {
    return fail([], after.deferred, `a VM that is not in immediate mode has ${after.deferred.length} zombie(s): only deferred puts make them`);
  }
  const zombies = zombieCounts(after.deferred);
  for (const vb of after.vmBos) {
    if (vb.refs === 0 && zombies.has(vb.bo)) {
      return fail('not reachable', vb, `a zombie of object ${vb.bo} is still reachable from its object (listed with 0 references among the live vm_bos)`);
    }
  }
  return null;
}

function cleanup(before: Snapshot, after: Snapshot): Failure | null {
  if (after.deferred.length > 0) {
    return fail([], after.deferred, `${after.deferred.length} zombie(s) left after deferred_cleanup`);
  }
  const freed = zombieCounts(before.deferred);
  for (const o of after.objects) {
    const was = before.objects.find((b) => b.bo === o.bo)?.refs;
    if (was === undefined) continue; // gem-refcount reports an object list that changed
    const n = freed.get(o.bo) ?? 0;
    if (o.refs !== was - n) {
      return fail(was - n, o.refs, `object ${o.bo} went from ${was} to ${o.refs} references, but cleanup freed ${n} zombie(s) of it (each must be freed exactly once)`);
    }
  }
  const d = differenceIfAny({ vas: before.vas, vmBos: before.vmBos }, { vas: after.vas, vmBos: after.vmBos });
  if (d !== null) return fail(d.expected, d.actual, `deferred_cleanup changed ${d.path}: it frees zombies only`);
  return null;
}

function validated(ctx: StepContext): Failure | null {
  const list = ctx.observation.validated ?? [];
  const evicted = new Set(ctx.before.vmBos.filter((vb) => vb.evicted).map((vb) => vb.bo));
  const seen = new Set<BoId>();
  for (const bo of list) {
    if (seen.has(bo)) return fail('each once', list, `validate called back object ${bo} twice (a zombie of it was validated)`);
    seen.add(bo);
    if (!evicted.has(bo)) {
      const zombie = ctx.before.deferred.some((z) => z.bo === bo);
      return fail([...evicted], list, `validate called back object ${bo}, which had no live evicted vm_bo${zombie ? ' (only a zombie)' : ''}`);
    }
  }
  return null;
}

function lifetime(ctx: StepContext): Failure | null {
  const { command: c, before, after, observation: o } = ctx;
  if (c.cmd === 'deferred_cleanup') return o.ok ? cleanup(before, after) : null;
  if (c.cmd === 'validate' && o.ok) {
    const f = validated(ctx);
    if (f !== null) return f;
  }
  const kept = after.deferred.slice(after.deferred.length - before.deferred.length);
  if (after.deferred.length < before.deferred.length || !sameRecords(before.deferred, kept)) {
    return fail(before.deferred, after.deferred, `${c.cmd} changed or freed zombies: only deferred_cleanup frees them`);
  }
  if (after.deferred.length > before.deferred.length && !isDeferring(c)) {
    return fail(before.deferred, after.deferred, `${c.cmd} made a zombie, but it drops no reference deferred`);
  }
  return null;
}

/** The checks over the state alone (run after a subject threw, too). */
export const zombiesStructural: StructuralInvariant = { name: 'zombies', check: structural };

/** The invariant this module describes, as a named check. */
export const zombies: Invariant = {
  name: 'zombies',
  check(ctx) {
    return structural(ctx) ?? lifetime(ctx);
  },
};
