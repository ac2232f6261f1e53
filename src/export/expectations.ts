/**
 * What an exported test expects: the reference model (model/, the harness's
 * oracle) replayed over a trace, the observation and the snapshot after
 * every command.
 */

import { ReferenceModel } from '../../model/index.ts';
import type { Command, Observation, Snapshot, Trace } from '../protocol/types.ts';
import { ExportError } from './errors.ts';

/** One command with the model's answer and the state after it. */
export interface ExpectedStep {
  readonly index: number;
  readonly command: Command;
  readonly observation: Observation;
  readonly snapshot: Snapshot;
}

/**
 * Replays `trace` on a fresh reference model. Throws `ExportError` naming
 * `file` (and the command) when the model cannot set the trace up or refuses
 * a command: such a trace has no expected values to export.
 */
export function expectedSteps(trace: Trace, file: string): ExpectedStep[] {
  const model = new ReferenceModel();
  try {
    model.reset(trace);
  } catch (e) {
    throw new ExportError(`${file}: the reference model cannot set up this VM: ${(e as Error).message}`);
  }
  return trace.commands.map((command, index) => {
    let observation: Observation;
    try {
      observation = model.exec(command);
    } catch (e) {
      throw new ExportError(`${file}: command ${index} (${command.cmd}): the reference model refuses it: ${(e as Error).message}`);
    }
    return { index, command, observation, snapshot: model.snapshot() };
  });
}
