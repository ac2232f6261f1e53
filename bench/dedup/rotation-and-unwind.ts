/**
 * Two faults at once, for measuring root-cause deduplication: the interval
 * tree's stale subtree maximum after a rotation (zoo fault 13, queries and
 * walks) and an unwind that re-inserts the shrunken middle (zoo fault 11,
 * the ops-mode driver).
 */
import type { SubjectFactory } from '../../src/protocol/types.ts';
import { FaultVm as RotationVm } from '../faults/rotation-skips-augment.ts';
import { ShrunkenUnwindDriver } from '../faults/unwind-shrunken-middle.ts';

const factory: SubjectFactory = () =>
  new ShrunkenUnwindDriver({ name: 'faults:rotation-skips-augment+unwind-shrunken-middle', createVm: (cfg) => new RotationVm(cfg) });
export default factory;
