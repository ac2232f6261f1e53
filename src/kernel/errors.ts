/**
 * The one error of the kernel subject's build: not a kernel tree, no
 * drm_gpuvm.c, no C compiler, a compile error, an API variant we do not know.
 * Its message is one line naming what is wrong; the CLI prints it and exits 2.
 */

export class KernelBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelBuildError';
  }
}
