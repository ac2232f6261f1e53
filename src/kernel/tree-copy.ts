/**
 * Scratch copies of a kernel tree: only the files the kernel subject's build
 * reads, in a temporary directory, so that a fault (the kernel zoo) or a
 * test's edit never touches the user's tree or this repository.
 */

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { TREE_FILES } from './tree.ts';

/** The files of a tree the build reads, relative to its top. */
const BUILD_FILES = ['Makefile', TREE_FILES.gpuvmC, TREE_FILES.gpuvmH, TREE_FILES.toolsInclude, TREE_FILES.rbtreeC];

/** A scratch copy of a tree's build files. `remove()` deletes it. */
export class TreeCopy {
  /** The copy's top directory (named like the original's). */
  readonly root: string;

  /** Copies the build files of the tree at `from` into a new temporary directory. */
  constructor(from: string) {
    this.root = join(mkdtempSync(join(tmpdir(), 'gpuvm-check-tree-')), basename(from));
    for (const rel of BUILD_FILES) {
      mkdirSync(dirname(join(this.root, rel)), { recursive: true });
      cpSync(join(from, rel), join(this.root, rel), { recursive: true });
    }
  }

  read(rel: string): string {
    return readFileSync(join(this.root, rel), 'utf8');
  }

  write(rel: string, text: string): void {
    writeFileSync(join(this.root, rel), text);
  }

  remove(): void {
    rmSync(dirname(this.root), { recursive: true, force: true });
  }
}
