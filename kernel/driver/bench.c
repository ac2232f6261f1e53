// SPDX-License-Identifier: MIT
/*
 * bench.c - the map-request workload of bench/gpuvm-bench.ts, on the kernel's
 * drm_gpuvm: about n VAs laid out in slots (one VA, or two halves of a
 * split); a request on a whole slot maps its first half to another object
 * (REMAP + MAP), on a split slot it maps the whole slot back (2 UNMAP + MAP),
 * so the VA count stays near n. Each request is
 * drm_gpuvm_sm_map_ops_create() + drm_gpuva_map() / remap() / unmap() +
 * drm_gpuva_ops_free(), like the TypeScript bench (VAs are not linked to
 * vm_bos there either). Timed by process CPU time in 9 chunks; the median
 * chunk is reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <linux/err.h>

#include "api.h"
#include "bench.h"

#define PAGE 0x1000ULL
#define OBJECTS 16
#define CHUNKS 9

static uint64_t rng_state;

/* splitmix64: a seeded generator, uniform in [0, 1). */
static double rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;
}

static unsigned int below(unsigned int n)
{
	return (unsigned int)(rnd() * n);
}

static void vm_free(struct drm_gpuvm *gpuvm)
{
	(void)gpuvm;
}

static const struct drm_gpuvm_ops bench_ops = { .vm_free = vm_free };

struct slot {
	u64 addr, range, half;
	unsigned int obj;
	bool split;
};

static struct drm_gpuva *va_alloc(void)
{
	struct drm_gpuva *va = calloc(1, sizeof(*va));

	if (!va)
		abort();
	return va;
}

static void apply(struct drm_gpuvm *vm, struct drm_gpuva_ops *ops)
{
	struct drm_gpuva_op *op;

	drm_gpuva_for_each_op(op, ops) {
		struct drm_gpuva *old;

		switch (op->op) {
		case DRM_GPUVA_OP_MAP:
			drm_gpuva_map(vm, va_alloc(), &op->map);
			break;
		case DRM_GPUVA_OP_REMAP:
			old = op->remap.unmap->va;
			drm_gpuva_remap(op->remap.prev ? va_alloc() : NULL,
					op->remap.next ? va_alloc() : NULL,
					&op->remap);
			free(old);
			break;
		case DRM_GPUVA_OP_UNMAP:
			old = op->unmap.va;
			drm_gpuva_unmap(&op->unmap);
			free(old);
			break;
		default:
			break;
		}
	}
	drm_gpuva_ops_free(vm, ops);
}

static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void request(struct drm_gpuvm *vm, struct slot *s,
		    struct drm_gem_object *objs)
{
	struct drm_gpuva_ops *ops;

	if (!s->split)
		ops = api_sm_map_ops_create(vm, s->addr, s->half,
					    &objs[(s->obj + 1) % OBJECTS], 0);
	else
		ops = api_sm_map_ops_create(vm, s->addr, s->range,
					    &objs[s->obj], s->addr);
	s->split = !s->split;
	if (IS_ERR(ops)) {
		fprintf(stderr, "bench: a map request failed (%ld)\n", PTR_ERR(ops));
		exit(1);
	}
	apply(vm, ops);
}

static long count_vas(struct drm_gpuvm *vm)
{
	struct drm_gpuva *va;
	long n = 0;

	drm_gpuvm_for_each_va(va, vm)
		n++;
	return n - 1;	/* the reserved node */
}

int bench_run(unsigned long long n, unsigned long long requests,
	      unsigned long long seed)
{
	static struct drm_device drm = { .name = "bench" };
	struct drm_gem_object objs[OBJECTS];
	unsigned long slots = (unsigned long)((2 * n + 1) / 3);
	struct drm_gem_object *r_obj;
	struct drm_gpuvm vm = { 0 };
	double chunk_cpu[CHUNKS], chunk_wall[CHUNKS], t0, t1, w0;
	unsigned long long warm, chunk;
	unsigned int chunks = 0;
	struct slot *slot;
	u64 at = 0x10000;

	if (!slots)
		slots = 1;
	rng_state = seed;
	kref_init(&drm.ref);
	r_obj = drm_gpuvm_resv_object_alloc(&drm);
	drm_gpuvm_init(&vm, "bench", 0, &drm, r_obj, 0, 1ULL << 48, 0, 0x10000,
		       &bench_ops);
	drm_gem_object_put(r_obj);
	for (int i = 0; i < OBJECTS; i++) {
		drm_gem_private_object_init(&drm, &objs[i], 0);
		objs[i].resv = drm_gpuvm_resv(&vm);
	}

	slot = calloc(slots, sizeof(*slot));
	if (!slot)
		abort();
	t0 = wall_ns();
	for (unsigned long i = 0; i < slots; i++) {
		struct slot *s = &slot[i];
		unsigned int pages;
		struct drm_gpuva *va;

		at += below(4) * PAGE;
		pages = 4 + below(12);
		s->addr = at;
		s->range = pages * PAGE;
		s->half = (pages >> 1) * PAGE;
		s->obj = below(OBJECTS);
		s->split = rnd() < 0.5;
		va = va_alloc();
		if (s->split) {
			va->va.addr = at;
			va->va.range = s->half;
			va->gem.obj = &objs[(s->obj + 1) % OBJECTS];
			drm_gpuva_insert(&vm, va);
			va = va_alloc();
			va->va.addr = at + s->half;
			va->va.range = s->range - s->half;
			va->gem.obj = &objs[s->obj];
			va->gem.offset = at + s->half;
		} else {
			va->va.addr = at;
			va->va.range = s->range;
			va->gem.obj = &objs[s->obj];
			va->gem.offset = at;
		}
		drm_gpuva_insert(&vm, va);
		at += s->range;
	}
	t1 = wall_ns();
	fprintf(stderr, "bench: n=%llu: built %ld VAs in %.2f s\n", n,
		count_vas(&vm), (t1 - t0) / 1e9);

	warm = requests < 20000 ? requests : 20000;
	for (unsigned long long k = 0; k < warm; k++)
		request(&vm, &slot[below(slots)], objs);
	chunk = (requests + CHUNKS - 1) / CHUNKS;
	for (unsigned long long from = 0; from < requests; from += chunk) {
		unsigned long long to = from + chunk < requests ? from + chunk : requests;
		unsigned long *picks = malloc((to - from) * sizeof(*picks));

		if (!picks)
			abort();
		for (unsigned long long k = 0; k < to - from; k++)
			picks[k] = below(slots);
		w0 = wall_ns();
		t0 = cpu_ns();
		for (unsigned long long k = 0; k < to - from; k++)
			request(&vm, &slot[picks[k]], objs);
		t1 = cpu_ns();
		chunk_wall[chunks] = (wall_ns() - w0) / (double)(to - from);
		chunk_cpu[chunks++] = (t1 - t0) / (double)(to - from);
		free(picks);
	}
	qsort(chunk_cpu, chunks, sizeof(double), by_value);
	qsort(chunk_wall, chunks, sizeof(double), by_value);
	printf("{\"n\":%llu,\"vas\":%ld,\"requests\":%llu,\"mapNsCpu\":%.1f,\"mapNsWall\":%.1f}\n",
	       n, count_vas(&vm), requests, chunk_cpu[chunks / 2],
	       chunk_wall[chunks / 2]);
	free(slot);
	/* The process ends here; the VM's memory goes with it. */
	return 0;
}
