/**
 * Errors raised by the GPU VA manager.
 *
 * Every rejected call throws a {@link GpuVmError} whose `code` is the errno name a
 * kernel driver would see and whose message says which function refused what.
 * A rejected call changes nothing. Touching a destroyed vm_bo throws
 * {@link UseAfterFreeError} instead: that is a driver bug, not a bad request.
 */

/** The errno names the manager reports. */
export type GpuVmErrorCode = 'EINVAL' | 'EEXIST' | 'ENOENT' | 'ENOMEM' | 'EBUSY' | 'EIO';

/** A refused request: `code` is the errno name, the message names the argument or state at fault. */
export class GpuVmError extends Error {
  readonly code: GpuVmErrorCode;

  /** The message is prefixed with the code, e.g. "EINVAL: insert: ...". */
  constructor(code: GpuVmErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'GpuVmError';
    this.code = code;
  }
}

/** Any use of an object after its last reference was dropped (a vm_bo after its final put). */
export class UseAfterFreeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UseAfterFreeError';
  }
}
