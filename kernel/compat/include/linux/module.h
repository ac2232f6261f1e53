/* SPDX-License-Identifier: MIT */
/* module.h - module metadata, meaningless in userspace. */
#ifndef GPUVM_COMPAT_LINUX_MODULE_H
#define GPUVM_COMPAT_LINUX_MODULE_H

#include <linux/export.h>

#define MODULE_DESCRIPTION(text)
#define MODULE_LICENSE(text)
#define MODULE_AUTHOR(text)

#endif
