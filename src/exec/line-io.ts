/**
 * Blocking line I/O on file descriptors, for both ends of the subject
 * protocol: `LineReader` reads one `\n`-terminated line at a time with
 * read(2), `writeLine` writes one with write(2). A descriptor in non-blocking
 * mode is waited on in 1 ms naps (so either kind of pipe works).
 */

import { readSync, writeSync } from 'node:fs';

const nap = new Int32Array(new SharedArrayBuffer(4));

function wouldBlock(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR';
}

/** Reads lines from a file descriptor, blocking until each one is complete. */
export class LineReader {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private used = 0;

  constructor(private readonly fd: number) {}

  /**
   * The next line (without `\n`, and without a `\r` before it), or null at
   * the end of the input (a last line without `\n` is dropped). Throws the
   * read error for anything but the end, EAGAIN and EINTR.
   */
  next(): string | null {
    let scanned = 0;
    for (;;) {
      const nl = scanned < this.used ? this.buf.subarray(0, this.used).indexOf(10, scanned) : -1;
      if (nl >= 0) {
        const end = nl > 0 && this.buf[nl - 1] === 13 ? nl - 1 : nl;
        const line = this.buf.toString('utf8', 0, end);
        this.buf.copy(this.buf, 0, nl + 1, this.used);
        this.used -= nl + 1;
        return line;
      }
      scanned = this.used;
      if (this.used === this.buf.length) {
        const bigger = Buffer.allocUnsafe(this.buf.length * 2);
        this.buf.copy(bigger, 0, 0, this.used);
        this.buf = bigger;
      }
      let n: number;
      try {
        n = readSync(this.fd, this.buf, this.used, this.buf.length - this.used, null);
      } catch (e) {
        if (!wouldBlock(e)) throw e;
        Atomics.wait(nap, 0, 0, 1);
        continue;
      }
      if (n === 0) return null;
      this.used += n;
    }
  }
}

/** Writes `line` and a `\n` to `fd`, all of it. Throws the write error (EPIPE: the reader is gone). */
export function writeLine(fd: number, line: string): void {
  let data = Buffer.from(`${line}\n`, 'utf8');
  while (data.length > 0) {
    let n: number;
    try {
      n = writeSync(fd, data);
    } catch (e) {
      if (!wouldBlock(e)) throw e;
      Atomics.wait(nap, 0, 0, 1);
      continue;
    }
    data = data.subarray(n);
  }
}
