/* SPDX-License-Identifier: MIT */
/* protocol.h - the subject protocol loop (docs/subject-protocol.md). */
#ifndef GPUVM_DRIVER_PROTOCOL_H
#define GPUVM_DRIVER_PROTOCOL_H

#include <stdbool.h>

struct protocol_options {
	/* Run every VM in DRM_GPUVM_IMMEDIATE_MODE (7.x). */
	bool immediate;
};

/** protocol_serve() - answer requests until `close` or end of input; returns the exit status. */
int protocol_serve(const struct protocol_options *opts);

#endif
