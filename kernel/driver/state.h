/* SPDX-License-Identifier: MIT */
/*
 * state.h - the driver's state of one run, shared by driver.c (commands),
 * records.c (observations and snapshots) and bench.c.
 */
#ifndef GPUVM_DRIVER_STATE_H
#define GPUVM_DRIVER_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <drm/drm_drv.h>
#include <drm/drm_gpuvm.h>

#include "api.h"
#include "driver.h"
#include "json.h"

/**
 * struct kva - a VA the driver allocated. All live ones are on the run's
 * registry, so a run is torn down without asking the kernel code anything.
 */
struct kva {
	struct list_head registry;
	struct drm_gpuva va;
};

/**
 * struct kvm_bo - a vm_bo, allocated through the vm_bo_alloc hook. A freed
 * one stays in quarantine until the run ends (dead), so a vm_bo the kernel
 * left on a list can still be named in a snapshot. The sanitizer build frees
 * it for real instead, so AddressSanitizer reports any use after free.
 */
struct kvm_bo {
	struct list_head registry;
	bool dead;
	/* The object's id, saved when the vm_bo was freed. */
	long long bo;
	struct drm_gpuvm_bo base;
};

/** struct kobj - one of the trace's GEM objects. */
struct kobj {
	long long bo;
	bool external;
	/* The object's free callback ran: its last reference was dropped. */
	bool freed;
	struct drm_gem_object gem;
	/* vm_bo references bo_get took, oldest first. */
	struct drm_gpuvm_bo **held;
	unsigned int nheld, capheld;
};

/** struct meter - the accounting of one command (src/driver/accounting.ts). */
struct meter {
	enum { PHASE_BUILDER, PHASE_DRIVER, PHASE_QUIET } phase;
	unsigned long fail_at;
	unsigned long alloc_calls;
	long allocated, freed_by_builder, freed_by_driver, returned;
	long vas_needed;
	int vas_preallocated;	/* -1: null (ops mode) */
	int ops_pure;		/* -1: null (not checked) */
	long live_ops;		/* ops allocated and not freed, all phases */
};

/** struct run - everything one reset sets up. */
struct run {
	bool live;
	struct drm_device drm;
	struct drm_gpuvm vm;
	bool vm_freed;
	struct kobj *objs;
	unsigned int nobjs;
	struct list_head vas;		/* struct kva registry */
	struct list_head vm_bos;	/* struct kvm_bo registry */
	long live_vas;
	long live_vm_bos;
	long kmalloc_baseline;
	struct meter meter;
	/* Warnings raised while setting the VM up, reported with the first command. */
	char *setup_warnings;
	bool executed;
	/* The VM's mode flags (the trace header's). */
	bool immediate;
	bool resv_protected;
};

extern struct run run;
extern struct driver_options options;

/* array_grow() - @v (of *@cap elements of @size bytes) with room for twice as many; aborts when out of memory. */
static inline void *array_grow(void *v, unsigned int *cap, size_t size)
{
	unsigned int n = *cap ? 2 * *cap : 16;
	void *grown = realloc(v, n * size);

	if (!grown) {
		fputs("gpuvm-kernel-subject: out of memory\n", stderr);
		abort();
	}
	*cap = n;
	return grown;
}

/* ARRAY_PUSH() - append @x to the growable array @v of @n elements and capacity @cap. */
#define ARRAY_PUSH(v, n, cap, x)						\
	do {								\
		if ((n) == (cap))					\
			(v) = array_grow((v), &(cap), sizeof(*(v)));	\
		(v)[(n)++] = (x);					\
	} while (0)

/* ---- records (records.c) ------------------------------------------------- */

/**
 * struct recorder - op records taken when the driver sees each op (before it
 * applies it), so an injected failure can report exactly the first k.
 */
struct recorder {
	struct jw buf;
	size_t *ends;
	unsigned int n, cap;
};

/** kobj_of() - the trace object of a GEM pointer, or NULL. */
struct kobj *kobj_of(const struct drm_gem_object *gem);
/** kvm_bo_of() - the registry entry of a vm_bo pointer, or NULL when unknown. */
struct kvm_bo *kvm_bo_of(const struct drm_gpuvm_bo *vm_bo);

void recorder_reset(struct recorder *r);
/** recorder_add() - record one op; false with @threw for a GEM the trace never declared. */
bool recorder_add(struct recorder *r, const struct drm_gpuva_op *op,
		  char *threw, size_t len);
/** recorder_emit() - write the first @n records as a JSON array. */
void recorder_emit(const struct recorder *r, unsigned int n, struct jw *w);

/** write_va() - a VA record (kernel: true for the reserved node); false for an unknown GEM. */
bool write_va(struct jw *w, const struct drm_gpuva *va);

bool snapshot_write(struct jw *w, char *threw, size_t len);

#endif
