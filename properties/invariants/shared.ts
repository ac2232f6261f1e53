/**
 * Small helpers the invariant modules share.
 */
import type { Command, MadviseCommand, MapCommand, Observation, OpRecord, UnmapCommand } from '../../src/protocol/types.ts';
import type { Failure } from '../violation.ts';

/** Builds a {@link Failure}. */
export function fail(expected: unknown, actual: unknown, reason: string): Failure {
  return { expected, actual, reason };
}

/** Commands whose observation carries an ops list. */
export type OpsCommand = Extract<Command, { cmd: 'map' | 'unmap' | 'bo_unmap' | 'prefetch' | 'madvise' }>;

/** Whether the command reports an ops list. */
export function isOpsCommand(c: Command): c is OpsCommand {
  return c.cmd === 'map' || c.cmd === 'unmap' || c.cmd === 'bo_unmap' || c.cmd === 'prefetch' || c.cmd === 'madvise';
}

/** Whether the command is a split/merge request (map or unmap). */
export function isSplitMerge(c: Command): c is MapCommand | UnmapCommand {
  return c.cmd === 'map' || c.cmd === 'unmap';
}

/** The requests that cut VAs at their edges and may carry injected failures: map, unmap and madvise. */
export type RequestCommand = MapCommand | UnmapCommand | MadviseCommand;

/** Whether the command is a map, unmap or madvise request. */
export function isRequest(c: Command): c is RequestCommand {
  return c.cmd === 'map' || c.cmd === 'unmap' || c.cmd === 'madvise';
}

/** The `via` of a request: madvise is an ops list only. */
export function viaOf(c: RequestCommand): 'ops' | 'steps' {
  return c.cmd === 'madvise' ? 'ops' : (c.via ?? 'ops');
}

/**
 * The ops a command reported: on success, on an injected failure (EIO), and
 * on a failure while the driver was applying the list (a correct manager
 * never fails there, but when it does the driver still reports the list, or
 * the steps called so far, so the op-level checks see it); null when the
 * observation carries no ops list to check (a rejection).
 */
export function reportedOps(c: Command, o: Observation): readonly OpRecord[] | null {
  if (!isOpsCommand(c) || o.ops === undefined) return null;
  return o.ops;
}

/** Whether an observation is an injected failure (EIO) of a map / unmap / madvise. */
export function isInjectedFailure(c: Command, o: Observation): c is RequestCommand {
  return isRequest(c) && !o.ok && o.error === 'EIO';
}

/** Queries: commands that must change nothing. */
export const QUERY_KINDS: ReadonlySet<Command['cmd']> = new Set([
  'find',
  'find_first',
  'interval_empty',
  'find_prev',
  'find_next',
]);
