/**
 * The `gpuvm-check` command line: dispatches to one module per subcommand
 * and turns errors into exit statuses (PROTOCOL.md section 7): bad usage or
 * input is one line on stderr and status 2.
 */

import { closeExecSubjects } from '../exec/factory.ts';
import { TOOL_HELP } from './help.ts';
import { EXIT_OK, EXIT_USAGE, isInputError, oneLine, processIo, type Io } from './io.ts';

export type SubcommandMain = (argv: readonly string[], io: Io) => Promise<number>;

/**
 * The subcommands by name, each loaded when it runs (so `--help` or a
 * campaign does not load the kernel build or the KUnit export).
 */
export const SUBCOMMANDS: Readonly<Record<string, () => Promise<SubcommandMain>>> = {
  fuzz: async () => (await import('./fuzz.ts')).fuzzCommand,
  replay: async () => (await import('./replay.ts')).replayCommand,
  minimize: async () => (await import('./minimize.ts')).minimizeCommand,
  check: async () => (await import('./check.ts')).checkCommand,
  zoo: async () => (await import('./zoo.ts')).zooCommand,
  bench: async () => (await import('./bench.ts')).benchCommand,
  serve: async () => (await import('./serve.ts')).serveCommand,
  conform: async () => (await import('./conform.ts')).conformCommand,
  kernel: async () => (await import('./kernel.ts')).kernelCommand,
  export: async () => (await import('./export.ts')).exportCommand,
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
  const load = SUBCOMMANDS[name];
  if (load === undefined) {
    io.err(`gpuvm-check: unknown command '${name}' (commands: ${Object.keys(SUBCOMMANDS).join(', ')}; see gpuvm-check --help)`);
    return EXIT_USAGE;
  }
  try {
    const command = await load();
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
