/**
 * A trace printed as a short numbered program, one command per line, in the
 * spirit of Hypothesis' stateful failure printout:
 *
 * ```
 * vm 0x0+0x40000, reserve 0x0+0x1000, immediate
 * objects bo1, bo2 (external)
 * 0. map 0x1000+0x3000 -> bo1 @0x0
 * 1. map 0x2000+0x1000 -> bo1 @0x1000 via steps failAt 2
 * ```
 *
 * Commands (in the notation of `src/protocol/text.ts`) are numbered from 0, like the command index in input errors
 * (`command 3 (map): field "addr"`) and the step of a violation.
 */

import type { Trace, TraceHeader } from '../protocol/types.ts';
import { boName, formatCommand, hex, inPages, span, type NumberFormat } from '../protocol/text.ts';
import { isPageAligned } from '../minimize/joint.ts';

/** The header as two lines: the VM (with its mode flags, when set) and the declared objects. */
export function formatHeader(h: TraceHeader, fmt: NumberFormat = hex): string[] {
  const reserve = h.vm.reserve ? `, reserve ${span(h.vm.reserve.addr, h.vm.reserve.range, fmt)}` : '';
  const flags = [h.flags?.immediate === true ? 'immediate' : '', h.flags?.resvProtected === true ? 'resvProtected' : ''].filter((f) => f !== '');
  const modes = flags.length > 0 ? `, ${flags.join(' ')}` : '';
  const objects = h.objects.length === 0 ? 'none' : h.objects.map((o) => `${boName(o.bo)}${o.external === true ? ' (external)' : ''}`).join(', ');
  return [`vm ${span(h.vm.start, h.vm.range, fmt)}${reserve}${modes}`, `objects ${objects}`];
}

/** How a program is best written: in pages when every number of the trace is a whole number of pages. */
export function programFormat(trace: Trace): { readonly fmt: NumberFormat; readonly title: string } {
  return isPageAligned(trace) ? { fmt: inPages, title: 'Program (in 4 KiB pages: 1p = 0x1000):' } : { fmt: hex, title: 'Program:' };
}

/**
 * The whole trace as a program: header lines, then `N. command` lines
 * numbered from 0. `failing` marks that step with `<- note`; `fmt` writes
 * the numbers (default hex; see `programFormat`).
 */
export function formatProgram(trace: Trace, failing?: { step: number; note: string }, fmt: NumberFormat = hex): string[] {
  const width = String(Math.max(0, trace.commands.length - 1)).length;
  const lines = formatHeader(trace, fmt);
  trace.commands.forEach((c, i) => {
    const mark = failing !== undefined && failing.step === i ? `   <- ${failing.note}` : '';
    lines.push(`${String(i).padStart(width)}. ${formatCommand(c, fmt)}${mark}`);
  });
  return lines;
}
