/**
 * Subject capabilities (docs/subject-protocol.md, `hello`): what a command
 * needs of a subject, and refusing a trace that needs more than it has.
 */

import { TraceInputError } from './errors.ts';
import {
  COMMAND_KINDS,
  FULL_CAPABILITIES,
  type Command,
  type Subject,
  type SubjectCapabilities,
  type Trace,
  type TraceHeader,
  type VmFlagName,
  VM_FLAG_NAMES,
} from './types.ts';

/** The capabilities of `subject`: what it declares, else everything. */
export function capabilitiesOf(subject: Subject): SubjectCapabilities {
  return subject.capabilities ?? FULL_CAPABILITIES;
}

/** Whether `caps` allows everything version 1 has (generation then runs unrestricted). */
export function isFullCapabilities(caps: SubjectCapabilities): boolean {
  return (
    COMMAND_KINDS.every((k) => caps.commands.includes(k)) &&
    caps.via.includes('ops') &&
    caps.via.includes('steps') &&
    caps.failAt &&
    caps.allocFailAt &&
    caps.defer === true &&
    VM_FLAG_NAMES.every((f) => caps.vmFlags?.includes(f) === true)
  );
}

/** The flags `header` sets that `caps` does not honour (empty when it honours them all). */
export function unsupportedFlags(header: Pick<TraceHeader, 'flags'>, caps: SubjectCapabilities): VmFlagName[] {
  return VM_FLAG_NAMES.filter((f) => header.flags?.[f] === true && caps.vmFlags?.includes(f) !== true);
}

/** `header` with the flags `caps` does not honour cleared (the header itself when there are none). */
export function fitHeader<H extends TraceHeader>(header: H, caps: SubjectCapabilities): H {
  const drop = unsupportedFlags(header, caps);
  if (drop.length === 0) return header;
  const flags = { ...header.flags };
  for (const f of drop) delete flags[f];
  const { flags: _old, ...rest } = header;
  return (Object.keys(flags).length === 0 ? rest : { ...rest, flags }) as H;
}

/**
 * What `command` uses that `caps` lacks, as a short phrase (`command "find_prev"`,
 * `via "steps"`, `failAt`, `allocFailAt`), or null when the subject supports it.
 * A `map` / `unmap` without `via` uses `ops`.
 */
export function unsupportedUse(command: Command, caps: SubjectCapabilities): string | null {
  if (!caps.commands.includes(command.cmd)) return `command "${command.cmd}"`;
  if (command.cmd === 'madvise') {
    if (command.failAt !== undefined && !caps.failAt) return 'failAt';
    if (command.allocFailAt !== undefined && !caps.allocFailAt) return 'allocFailAt';
    return null;
  }
  if (command.cmd !== 'map' && command.cmd !== 'unmap') return null;
  if (command.defer === true && caps.defer !== true) return 'defer';
  const via = command.via ?? 'ops';
  if (!caps.via.includes(via)) return command.via === undefined ? 'via "ops" (the mode of a command without via)' : `via "${via}"`;
  if (command.failAt !== undefined && !caps.failAt) return 'failAt';
  if (command.allocFailAt !== undefined && !caps.allocFailAt) return 'allocFailAt';
  return null;
}

/** The index of the first command of `trace` that `caps` does not support, or -1. */
export function firstUnsupported(trace: Pick<Trace, 'commands'>, caps: SubjectCapabilities): number {
  return trace.commands.findIndex((c) => unsupportedUse(c, caps) !== null);
}

/** `commands map, unmap; via ops; failAt; no allocFailAt; accounting` */
export function formatCapabilities(caps: SubjectCapabilities): string {
  const flag = (on: boolean, name: string): string => (on ? name : `no ${name}`);
  return [
    `commands ${caps.commands.join(', ')}`,
    `via ${caps.via.length === 0 ? 'none' : caps.via.join(', ')}`,
    flag(caps.failAt, 'failAt'),
    flag(caps.allocFailAt, 'allocFailAt'),
    flag(caps.accounting, 'accounting'),
    `vmFlags ${caps.vmFlags === undefined || caps.vmFlags.length === 0 ? 'none' : caps.vmFlags.join(', ')}`,
    flag(caps.defer === true, 'defer'),
  ].join('; ');
}

/**
 * Refuses a trace that uses something the subject lacks: throws a
 * `TraceInputError` naming `file`, the command index and kind, and what is
 * unsupported (exit status 2 at the command line: it is bad input for this
 * subject, not a bug in it).
 */
export function assertTraceSupported(trace: Trace, caps: SubjectCapabilities, file: string, subject: string): void {
  const error = unsupportedTraceError(trace, caps, file, subject);
  if (error !== null) throw error;
}

/**
 * What `assertTraceSupported` would throw for `trace`, or null when the
 * subject supports all of it.
 */
export function unsupportedTraceError(trace: Trace, caps: SubjectCapabilities, file: string, subject: string): TraceInputError | null {
  const flag = unsupportedFlags(trace, caps)[0];
  if (flag !== undefined) {
    return new TraceInputError({
      file,
      index: null,
      field: `flags.${flag}`,
      reason: `the subject ${subject} does not support the VM flag ${flag} (it declares: ${formatCapabilities(caps)})`,
    });
  }
  const index = firstUnsupported(trace, caps);
  if (index < 0) return null;
  const command = trace.commands[index] as Command;
  const what = unsupportedUse(command, caps) as string;
  const field = what.startsWith('command') ? 'cmd' : what.startsWith('via') ? 'via' : what;
  return new TraceInputError({
    file,
    index,
    cmd: command.cmd,
    field: `commands[${index}].${field}`,
    reason: `the subject ${subject} does not support ${what} (it declares: ${formatCapabilities(caps)})`,
  });
}
