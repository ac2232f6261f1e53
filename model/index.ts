/**
 * The reference model (`builtin:model`), the harness's oracle. It never imports
 * `src/gpuvm`: it is written from SEMANTICS.md and PROTOCOL.md alone.
 */
export { ReferenceModel, modelFactory } from './reference-model.ts';
