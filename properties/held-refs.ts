/**
 * The references the harness's driver holds on vm_bos, derived from the
 * command history alone: a successful `bo_get` takes one, a successful
 * `bo_put` or `bo_put_deferred` drops one (PROTOCOL.md section 3). Used by `vm-bo-refcount`.
 */
import type { BoId, Command, Observation } from '../src/protocol/types.ts';

/** Held references per object; objects not present hold none. */
export type HeldRefs = ReadonlyMap<BoId, number>;

/** No references held (the state after `reset`). */
export const NO_HELD_REFS: HeldRefs = new Map();

/**
 * The held references after `command` produced `observation`. Returns `held`
 * itself when the command does not change them (the common case), a new map
 * otherwise; never mutates `held`.
 */
export function nextHeldRefs(held: HeldRefs, command: Command, observation: Observation): HeldRefs {
  if (!observation.ok) return held;
  if (command.cmd === 'bo_get') {
    const m = new Map(held);
    m.set(command.bo, (held.get(command.bo) ?? 0) + 1);
    return m;
  }
  if (command.cmd === 'bo_put' || command.cmd === 'bo_put_deferred') {
    const m = new Map(held);
    const n = (held.get(command.bo) ?? 0) - 1;
    if (n > 0) m.set(command.bo, n);
    else m.delete(command.bo);
    return m;
  }
  return held;
}
