/**
 * The address grid the arbitraries draw on: every generated address, range
 * and offset is a multiple of one granule, over a small window, so requests
 * overlap existing VAs and each other often.
 */

/** The grid step (a 4 KiB page). */
export const GRANULE = 0x1000n;

/** Granules in a generated VM. Small on purpose: collisions make the interesting cases common. */
export const VM_GRANULES = 32;

/** How many granules outside the VM the window reaches on each side (for out-of-VM requests). */
export const WINDOW_MARGIN = 2;
