/**
 * Two faults at once, for measuring root-cause deduplication: the keep hint
 * ignores the offset (zoo fault 1, in the split/merge core) and the driver
 * reports the old VA's full range as a remap's hole (zoo fault 9). A campaign
 * must save each bug on its own and merge neither into the other.
 */
import type { SubjectFactory } from '../../src/protocol/types.ts';
import { FaultVm as KeepVm } from '../faults/keep-ignores-offset.ts';
import { FullRangeHoleDriver } from '../faults/remap-hole-full-range.ts';

const factory: SubjectFactory = () =>
  new FullRangeHoleDriver({ name: 'faults:keep-ignores-offset+remap-hole-full-range', createVm: (cfg) => new KeepVm(cfg) });
export default factory;
