/**
 * The `gpuvm-check` command line: dispatches to one module per subcommand
 * and turns errors into exit statuses (PROTOCOL.md section 7): bad usage or
 * input is one line on stderr and status 2.
 */

import { benchCommand } from './bench.ts';
import { checkCommand } from './check.ts';
import { exportCommand } from './export.ts';
import { fuzzCommand } from './fuzz.ts';
import { kernelCommand } from './kernel.ts';
import { TOOL_HELP } from './help.ts';
import { EXIT_OK, EXIT_USAGE, isInputError, oneLine, processIo, type Io } from './io.ts';
import { minimizeCommand } from './minimize.ts';
import { replayCommand } from './replay.ts';
import { serveCommand } from './serve.ts';
import { conformCommand } from './conform.ts';
import { closeExecSubjects } from '../exec/factory.ts';
import { zooCommand } from './zoo.ts';

export type SubcommandMain = (argv: readonly string[], io: Io) => Promise<number>;

/** The subcommands by name. */
export const SUBCOMMANDS: Readonly<Record<string, SubcommandMain>> = {
  fuzz: fuzzCommand,
  replay: replayCommand,
  minimize: minimizeCommand,
  check: checkCommand,
  zoo: zooCommand,
  bench: benchCommand,
  serve: serveCommand,
  conform: conformCommand,
  kernel: kernelCommand,
  export: exportCommand,
};

/** Run the CLI with `argv` (the words after the program name). Resolves to the exit status. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(TOOL_HELP);
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const sub = rest[0];
    if (name === 'help' && sub !== undefined && SUBCOMMANDS[sub] !== undefined) return main([sub, '--help'], io);
    io.out(TOOL_HELP);
    return EXIT_OK;
  }
  const command = SUBCOMMANDS[name];
  if (command === undefined) {
    io.err(`gpuvm-check: unknown command '${name}' (commands: ${Object.keys(SUBCOMMANDS).join(', ')}; see gpuvm-check --help)`);
    return EXIT_USAGE;
  }
  try {
    return await command(rest, io);
  } catch (e) {
    if (isInputError(e)) {
      io.err(`gpuvm-check: ${oneLine(e)}`);
      return EXIT_USAGE;
    }
    io.err(`gpuvm-check: ${name}: internal error: ${oneLine(e)}`);
    if (process.env['GPUVM_CHECK_DEBUG'] !== undefined && e instanceof Error && e.stack !== undefined) io.err(e.stack);
    return EXIT_USAGE;
  } finally {
    await closeExecSubjects();
  }
}
