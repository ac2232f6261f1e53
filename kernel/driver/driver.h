/* SPDX-License-Identifier: MIT */
/*
 * driver.h - gpuvm-check's driver of the kernel's drm_gpuvm: the harness's
 * driver (SEMANTICS.md section 5, src/driver/gpuvm-subject.ts) written
 * against drm_gpuvm's public API, command for command.
 */
#ifndef GPUVM_DRIVER_DRIVER_H
#define GPUVM_DRIVER_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "json.h"

/* The command kinds of PROTOCOL.md section 3, in its order. */
enum cmd_kind {
	CMD_MAP,
	CMD_UNMAP,
	CMD_PREFETCH,
	CMD_BO_UNMAP,
	CMD_INSERT,
	CMD_REMOVE,
	CMD_FIND,
	CMD_FIND_FIRST,
	CMD_INTERVAL_EMPTY,
	CMD_FIND_PREV,
	CMD_FIND_NEXT,
	CMD_BO_GET,
	CMD_BO_PUT,
	CMD_EVICT,
	CMD_VALIDATE,
	CMD_MADVISE,
	CMD_BO_PUT_DEFERRED,
	CMD_DEFERRED_CLEANUP,
	CMD_KINDS,
};

extern const char *const cmd_names[CMD_KINDS];

/**
 * struct cmd - one decoded command
 * @bo: the object id, or -1 for a NULL mapping (map / insert)
 * @steps: via "steps" (map / unmap)
 * @fail_at: fail op / step k (1-based); 0 for none
 * @alloc_fail_at: fail the k-th op allocation (ops mode); 0 for none
 * @defer: steps mode: unlink and put deferred (needs an immediate VM)
 */
struct cmd {
	enum cmd_kind kind;
	uint64_t addr, range, offset, start, end;
	long long bo;
	bool steps;
	unsigned long fail_at;
	unsigned long alloc_fail_at;
	bool evict;
	bool defer;
};

/** struct vm_config - the trace header's VM and its mode flags. */
struct vm_config {
	uint64_t start, range;
	bool has_reserve;
	uint64_t reserve_addr, reserve_range;
	bool immediate;		/* DRM_GPUVM_IMMEDIATE_MODE */
	bool resv_protected;	/* DRM_GPUVM_RESV_PROTECTED */
};

/** struct obj_decl - one of the trace header's objects. */
struct obj_decl {
	long long bo;
	bool external;
};

/** struct driver_options - how the driver plays (fixed for the process). */
struct driver_options {
	/*
	 * Make the k-th kmalloc of every ops-mode map / unmap fail (0: none):
	 * reaches the list builder's error paths that allocFailAt (op_alloc)
	 * does not (the copies of a REMAP's unmap / prev / next).
	 */
	unsigned long kmalloc_fail_at;
};

void driver_init(const struct driver_options *opts);

/**
 * driver_reset() - throw the current run away and set up a VM and objects.
 * Returns false with a message in @msg when the VM cannot be set up.
 */
bool driver_reset(const struct vm_config *vm, const struct obj_decl *objs,
		  unsigned int nobjs, char *msg, size_t msglen);

/**
 * driver_exec() - run one command. Writes the observation into @obs, or
 * returns false with the reason in @threw when the driver failed in a way
 * that is not an errno result (a "threw" reply).
 */
bool driver_exec(const struct cmd *c, struct jw *obs, char *threw, size_t len);

/** driver_snapshot() - the state as a protocol snapshot; false with @threw on a broken state. */
bool driver_snapshot(struct jw *w, char *threw, size_t len);

/** driver_accounting() - the last command's accounting object. */
void driver_accounting(struct jw *w);

/** driver_reports() - the last command's reports (warn, leak); false if none. */
bool driver_reports(struct jw *w);

/** driver_has_object() - whether the current run declared object @bo. */
bool driver_has_object(long long bo);

/** driver_close() - free everything. */
void driver_close(void);

/** The capabilities of this build (for hello): what the tree has. */
bool driver_has_find_prev(void);
bool driver_has_immediate_mode(void);
bool driver_has_defer(void);
bool driver_has_madvise(void);

#endif
