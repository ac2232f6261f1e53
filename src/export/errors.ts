/**
 * The one error of the KUnit export: bad input it can name in one line (a
 * trace the model cannot set up, an unknown `--tree` variant, a tree without
 * the files a patch needs, a bad `--suite` or `--license`, an output that
 * cannot be written). The CLI prints it and exits 2, having written nothing.
 */

export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}
