/**
 * The one error type for bad trace input (PROTOCOL.md section 1: "an input error
 * that names the file, the command index and the field").
 */

/** Where in a trace a problem was found, and what is wrong there. */
export interface TraceInputErrorInit {
  /** The file name (or any label the caller gave the input). */
  readonly file: string;
  /** The 0-based command index, or null when the problem is outside `commands`. */
  readonly index: number | null;
  /** The command's `cmd` when it is known (used in the message only). */
  readonly cmd?: string | null;
  /** Full path of the offending field, e.g. `commands[3].addr` or `vm.start`; '' for the whole document. */
  readonly field: string;
  /** What is wrong, e.g. `expected a u64 (hex string, decimal string or safe integer), got "-0x1"`. */
  readonly reason: string;
}

/**
 * Thrown by every trace reader on bad input. The message is one line:
 * `corpus/x.json: command 3 (map): field "addr": expected a u64 ..., got "-0x1"`
 * (inside a command the field is named relative to the command; elsewhere by its
 * full path, e.g. `field "vm.start"`).
 */
export class TraceInputError extends Error {
  readonly file: string;
  readonly index: number | null;
  readonly field: string;
  readonly reason: string;

  constructor(init: TraceInputErrorInit) {
    super(formatTraceInputMessage(init));
    this.name = 'TraceInputError';
    this.file = init.file;
    this.index = init.index;
    this.field = init.field;
    this.reason = init.reason;
  }
}

function formatTraceInputMessage(init: TraceInputErrorInit): string {
  let where = `${init.file}:`;
  let field = init.field;
  if (init.index !== null) {
    where += ` command ${init.index}`;
    if (init.cmd) where += ` (${init.cmd})`;
    where += ':';
    const prefix = `commands[${init.index}]`;
    if (field === prefix) field = '';
    else if (field.startsWith(`${prefix}.`)) field = field.slice(prefix.length + 1);
  }
  if (field !== '') where += ` field "${field}":`;
  return `${where} ${init.reason}`;
}
