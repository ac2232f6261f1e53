/**
 * The reference model (`builtin:model`), the harness's oracle. It never imports
 * `src/gpuvm`: it is written from SEMANTICS.md and PROTOCOL.md alone.
 */
export { ReferenceModel, modelFactory } from './reference-model.ts';
export { keepFor, cutOp, planMap, planUnmap, applyPlanPrefix } from './split-merge.ts';
export type { MapRequest, OpsPlan } from './split-merge.ts';
export { vaEnd } from './va-list.ts';
export type { VaList } from './va-list.ts';
