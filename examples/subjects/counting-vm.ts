/**
 * An example subject in TypeScript: the production manager with one method
 * overridden (here it only counts what it inserts), driven by the harness's
 * own driver. A variant of the manager that keeps its semantics passes every
 * invariant.
 *
 *   npx gpuvm-check fuzz --subject node_modules/gpuvm-check/examples/subjects/counting-vm.ts --runs 200
 */
import { GpuVm, type GpuVa } from 'gpuvm-check/gpuvm';
import { GpuVmSubject, type SubjectFactory } from 'gpuvm-check/subject';

class CountingVm extends GpuVm {
  inserted = 0;

  override insert(va: GpuVa): void {
    this.inserted++;
    super.insert(va);
  }
}

const factory: SubjectFactory = () => new GpuVmSubject({ name: 'example:counting-vm', createVm: (cfg) => new CountingVm(cfg) });
export default factory;
