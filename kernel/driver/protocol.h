/* SPDX-License-Identifier: MIT */
/* protocol.h - the subject protocol loop (docs/subject-protocol.md). */
#ifndef GPUVM_DRIVER_PROTOCOL_H
#define GPUVM_DRIVER_PROTOCOL_H

#include "driver.h"

/** protocol_serve() - answer requests until `close` or end of input; returns the exit status. */
int protocol_serve(const struct driver_options *opts);

#endif
