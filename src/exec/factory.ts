/**
 * Subject factories for programs: one process serves every subject a factory
 * makes, one after another, so a campaign's batches (each of which makes a
 * subject and closes it) do not pay for a process start each. A subject's
 * `close()` hands the process back; `closeExecSubjects()` ends them all (a
 * campaign worker calls it when it is done; the registry kills whatever is
 * left when the thread's process exits).
 */

import type { SubjectFactory } from '../protocol/types.ts';
import { ExecSubject } from './exec-subject.ts';
import { ExecLink, type ExecOptions } from './link.ts';

const opened = new Set<ExecLink>();

/**
 * A factory of subjects served by the program `argv` (program, then its
 * arguments; the program is looked up on PATH when it has no slash). The
 * first call starts the process and shakes hands; a start or handshake
 * failure rejects with `SubjectStartError` (bad input). Later calls reuse an
 * idle process; a subject made while another is still open gets a process of
 * its own.
 */
export function execSubjectFactory(argv: readonly string[], options: ExecOptions = {}): SubjectFactory {
  if (argv.length === 0 || argv[0] === '') throw new Error('execSubjectFactory: no program given');
  const words = [...argv];
  const idle: ExecLink[] = [];
  return async () => {
    let link = idle.pop();
    while (link !== undefined && !opened.has(link)) link = idle.pop(); // closed by closeExecSubjects
    if (link === undefined) {
      link = await ExecLink.open(words, options);
      opened.add(link);
    }
    const l = link;
    return new ExecSubject(l, () => {
      if (opened.has(l)) idle.push(l);
    });
  };
}

/** Ends every subject process this thread's factories started (gracefully: `close`, then end of input). */
export async function closeExecSubjects(): Promise<void> {
  const links = [...opened];
  opened.clear();
  await Promise.all(links.map((l) => l.close()));
}
