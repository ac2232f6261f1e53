// SPDX-License-Identifier: MIT
/*
 * records.c - observations and snapshots from the kernel's own structures
 * (PROTOCOL.md sections 4 and 5): VAs from the VM's ordered list, vm_bos
 * from each object's gpuva list, each VA's link and the driver's held
 * references, reference counts from the krefs, and the VM's extobj and evict
 * lists as they are (a dead vm_bo left on one shows up there).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"

/* A list longer than this is corrupt (a cycle). */
#define LIST_LIMIT 1000000u

struct kobj *kobj_of(const struct drm_gem_object *gem)
{
	for (unsigned int i = 0; i < run.nobjs; i++)
		if (&run.objs[i].gem == gem)
			return &run.objs[i];
	return NULL;
}

struct kvm_bo *kvm_bo_of(const struct drm_gpuvm_bo *vm_bo)
{
	struct kvm_bo *k;

	list_for_each_entry(k, &run.vm_bos, registry)
		if (&k->base == vm_bo)
			return k;
	return NULL;
}

/* The trace id of a VA's / op's object: null, or the id; false if unknown. */
static bool write_bo(struct jw *w, const struct drm_gem_object *gem)
{
	const struct kobj *o;

	if (!gem) {
		jw_null(w);
		return true;
	}
	o = kobj_of(gem);
	if (!o)
		return false;
	jw_int(w, o->bo);
	return true;
}

/* The four keys of a piece or VA record: addr, range, bo, offset; false for an unknown GEM. */
static bool piece_fields(struct jw *w, u64 addr, u64 range,
			 const struct drm_gem_object *gem, u64 offset)
{
	bool known;

	jw_key(w, "addr");
	jw_u64(w, addr);
	jw_key(w, "range");
	jw_u64(w, range);
	jw_key(w, "bo");
	known = write_bo(w, gem);
	jw_key(w, "offset");
	jw_u64(w, offset);
	return known;
}

static bool write_piece(struct jw *w, const struct drm_gpuva_op_map *m)
{
	bool known;

	jw_begin_object(w);
	known = piece_fields(w, m->va.addr, m->va.range, m->gem.obj, m->gem.offset);
	jw_end_object(w);
	return known;
}

static bool write_va_fields(struct jw *w, const struct drm_gpuva *va, bool mark)
{
	bool known;

	jw_begin_object(w);
	known = piece_fields(w, va->va.addr, va->va.range, va->gem.obj,
			     va->gem.offset);
	if (mark && va == &run.vm.kernel_alloc_node) {
		jw_key(w, "kernel");
		jw_bool(w, true);
	}
	jw_end_object(w);
	return known;
}

bool write_va(struct jw *w, const struct drm_gpuva *va)
{
	return write_va_fields(w, va, true);
}

static bool write_op(struct jw *w, const struct drm_gpuva_op *op)
{
	bool known = true;
	u64 hole_start, hole_range;

	jw_begin_object(w);
	switch (op->op) {
	case DRM_GPUVA_OP_MAP:
		jw_key(w, "op");
		jw_string(w, "map");
		known = piece_fields(w, op->map.va.addr, op->map.va.range,
				     op->map.gem.obj, op->map.gem.offset);
		break;
	case DRM_GPUVA_OP_UNMAP:
		jw_key(w, "op");
		jw_string(w, "unmap");
		jw_key(w, "va");
		known = write_va(w, op->unmap.va);
		jw_key(w, "keep");
		jw_bool(w, op->unmap.keep);
		break;
	case DRM_GPUVA_OP_REMAP:
		jw_key(w, "op");
		jw_string(w, "remap");
		jw_key(w, "unmap");
		jw_begin_object(w);
		jw_key(w, "va");
		known = write_va(w, op->remap.unmap->va);
		jw_key(w, "keep");
		jw_bool(w, op->remap.unmap->keep);
		jw_end_object(w);
		jw_key(w, "prev");
		if (op->remap.prev)
			known &= write_piece(w, op->remap.prev);
		else
			jw_null(w);
		jw_key(w, "next");
		if (op->remap.next)
			known &= write_piece(w, op->remap.next);
		else
			jw_null(w);
		api_remap_hole(&op->remap, &hole_start, &hole_range);
		jw_key(w, "hole");
		jw_begin_array(w);
		jw_u64(w, hole_start);
		jw_u64(w, hole_range);
		jw_end_array(w);
		break;
	case DRM_GPUVA_OP_PREFETCH:
		jw_key(w, "op");
		jw_string(w, "prefetch");
		jw_key(w, "va");
		known = write_va(w, op->prefetch.va);
		break;
	default:
		jw_key(w, "op");
		jw_string(w, "driver");
		break;
	}
	jw_end_object(w);
	return known;
}

void recorder_reset(struct recorder *r)
{
	jw_reset(&r->buf);
	r->n = 0;
}

bool recorder_add(struct recorder *r, const struct drm_gpuva_op *op,
		  char *threw, size_t len)
{
	if (op->op != DRM_GPUVA_OP_MAP && op->op != DRM_GPUVA_OP_UNMAP &&
	    op->op != DRM_GPUVA_OP_REMAP && op->op != DRM_GPUVA_OP_PREFETCH) {
		snprintf(threw, len, "the manager produced an op of unknown type %d",
			 (int)op->op);
		return false;
	}
	/* Each record is a value of its own: no comma before it. */
	r->buf.nonempty = 0;
	if (!write_op(&r->buf, op)) {
		snprintf(threw, len,
			 "the manager returned a GEM object that the trace never declared");
		return false;
	}
	ARRAY_PUSH(r->ends, r->n, r->cap, r->buf.len);
	return true;
}

void recorder_emit(const struct recorder *r, unsigned int n, struct jw *w)
{
	size_t from = 0;

	jw_begin_array(w);
	for (unsigned int i = 0; i < n && i < r->n; i++) {
		jw_raw(w, r->buf.buf + from, r->ends[i] - from);
		from = r->ends[i];
	}
	jw_end_array(w);
}

/* ---- snapshot ------------------------------------------------------------ */

struct found {
	struct kvm_bo **v;
	unsigned int n, cap;
};

static void consider(struct found *f, const struct drm_gpuvm_bo *vm_bo)
{
	struct kvm_bo *k;

	if (!vm_bo)
		return;
	k = kvm_bo_of(vm_bo);
	/* Freed, or a zombie (its last reference dropped deferred): not live. */
	if (!k || k->dead || kref_read(&k->base.kref) == 0)
		return;
	for (unsigned int i = 0; i < f->n; i++)
		if (f->v[i] == k)
			return;
	ARRAY_PUSH(f->v, f->n, f->cap, k);
}

static long long bo_of_kvm_bo(const struct kvm_bo *k)
{
	const struct kobj *o;

	if (k->dead)
		return k->bo;
	o = kobj_of(k->base.obj);
	return o ? o->bo : -1;
}

static int by_bo(const void *a, const void *b)
{
	long long x = bo_of_kvm_bo(*(struct kvm_bo *const *)a);
	long long y = bo_of_kvm_bo(*(struct kvm_bo *const *)b);

	return x < y ? -1 : x > y;
}

static int by_addr(const void *a, const void *b)
{
	const struct drm_gpuva *x = *(const struct drm_gpuva *const *)a;
	const struct drm_gpuva *y = *(const struct drm_gpuva *const *)b;

	return x->va.addr < y->va.addr ? -1 : x->va.addr > y->va.addr;
}

static bool write_vm_bo(struct jw *w, struct kvm_bo *k, char *threw, size_t len)
{
	struct drm_gpuva **vas = NULL;
	unsigned int n = 0, cap = 0;
	struct drm_gpuva *va;

	list_for_each_entry(va, &k->base.list.gpuva, gem.entry) {
		if (n == LIST_LIMIT) {
			free(vas);
			snprintf(threw, len, "a vm_bo's gpuva list is corrupt (a cycle)");
			return false;
		}
		ARRAY_PUSH(vas, n, cap, va);
	}
	if (n > 1)
		qsort(vas, n, sizeof(*vas), by_addr);
	jw_begin_object(w);
	jw_key(w, "bo");
	jw_int(w, bo_of_kvm_bo(k));
	jw_key(w, "refs");
	jw_int(w, kref_read(&k->base.kref));
	jw_key(w, "vas");
	jw_begin_array(w);
	for (unsigned int i = 0; i < n; i++) {
		jw_begin_array(w);
		jw_u64(w, vas[i]->va.addr);
		jw_u64(w, vas[i]->va.range);
		jw_end_array(w);
	}
	jw_end_array(w);
	jw_key(w, "evicted");
	jw_bool(w, k->base.evicted);
	jw_end_object(w);
	free(vas);
	return true;
}

/*
 * The bo of each entry of one of the VM's vm_bo lists. @offset is where the
 * list's entry sits in struct drm_gpuvm_bo. A dead vm_bo (one the kernel
 * freed but left on a list) is named too: a normal build keeps freed vm_bos
 * in quarantine for this; the sanitizer build frees them, so such an entry
 * is "not a vm_bo" there, and the kernel's own use of it an ASan report.
 */
static bool write_vm_bo_list(struct jw *w, struct list_head *head,
			     size_t offset, char *threw, size_t len)
{
	unsigned int n = 0;

	jw_begin_array(w);
	for (struct list_head *pos = head->next; pos != head; n++) {
		struct drm_gpuvm_bo *vm_bo =
			(struct drm_gpuvm_bo *)((char *)pos - offset);
		struct kvm_bo *k = kvm_bo_of(vm_bo);

		if (!k || n == LIST_LIMIT) {
			snprintf(threw, len, "%s",
				 k ? "a VM vm_bo list is corrupt (a cycle)" :
				 "a VM vm_bo list holds an entry that is not a vm_bo");
			return false;
		}
		jw_int(w, bo_of_kvm_bo(k));
		pos = pos->next;
	}
	jw_end_array(w);
	return true;
}

/*
 * The zombies: the VM's bo_defer list (newest first, as llist_add() pushes),
 * each with its bo and its evicted flag. Trees without deferred cleanup have
 * none.
 */
static bool write_deferred(struct jw *w, char *threw, size_t len)
{
	jw_begin_array(w);
#ifdef GPUVM_HAVE_UNLINK_DEFER
	unsigned int n = 0;

	for (struct llist_node *node = run.vm.bo_defer.first; node; node = node->next) {
		struct drm_gpuvm_bo *vm_bo =
			llist_entry(node, struct drm_gpuvm_bo, list.entry.bo_defer);
		struct kvm_bo *k = kvm_bo_of(vm_bo);

		if (!k || ++n > LIST_LIMIT) {
			snprintf(threw, len, "%s",
				 k ? "the VM's deferred list is corrupt (a cycle)" :
				 "the VM's deferred list holds an entry that is not a vm_bo");
			return false;
		}
		jw_begin_object(w);
		jw_key(w, "bo");
		jw_int(w, bo_of_kvm_bo(k));
		jw_key(w, "evicted");
		jw_bool(w, !k->dead && k->base.evicted);
		jw_end_object(w);
	}
#else
	(void)threw;
	(void)len;
#endif
	jw_end_array(w);
	return true;
}

bool snapshot_write(struct jw *w, char *threw, size_t len)
{
	struct drm_gpuvm *vm = &run.vm;
	struct found found = { 0 };
	const struct drm_gpuva *kernel = NULL;
	struct drm_gpuva *va;
	unsigned int n = 0;
	bool ok = true;

	jw_begin_object(w);
	jw_key(w, "vas");
	jw_begin_array(w);
	drm_gpuvm_for_each_va(va, vm) {
		if (++n > LIST_LIMIT) {
			snprintf(threw, len, "the VM's VA list is corrupt (a cycle)");
			ok = false;
			goto out;
		}
		if (va == &vm->kernel_alloc_node) {
			kernel = va;
			continue;
		}
		if (!write_va_fields(w, va, false)) {
			snprintf(threw, len, "a VA maps a GEM object the trace never declared");
			ok = false;
			goto out;
		}
		consider(&found, va->vm_bo);
	}
	jw_end_array(w);

	jw_key(w, "kernel");
	if (kernel) {
		jw_begin_object(w);
		jw_key(w, "addr");
		jw_u64(w, kernel->va.addr);
		jw_key(w, "range");
		jw_u64(w, kernel->va.range);
		jw_end_object(w);
	} else {
		jw_null(w);
	}

	for (unsigned int i = 0; i < run.nobjs; i++) {
		struct list_head *head = &run.objs[i].gem.gpuva.list;
		unsigned int m = 0;

		for (struct list_head *pos = head->next; pos != head; m++) {
			struct drm_gpuvm_bo *vm_bo =
				list_entry(pos, struct drm_gpuvm_bo, list.entry.gem);
			struct kvm_bo *k = kvm_bo_of(vm_bo);

			if (!k || m == LIST_LIMIT) {
				snprintf(threw, len, "%s",
					 k ? "a GEM's vm_bo list is corrupt (a cycle)" :
					 "a GEM's vm_bo list holds an entry that is not a vm_bo");
				ok = false;
				goto out;
			}
			consider(&found, vm_bo);
			pos = pos->next;
		}
	}
	for (unsigned int i = 0; i < run.nobjs; i++)
		for (unsigned int j = 0; j < run.objs[i].nheld; j++)
			consider(&found, run.objs[i].held[j]);
	if (found.n > 1)
		qsort(found.v, found.n, sizeof(*found.v), by_bo);

	jw_key(w, "vmBos");
	jw_begin_array(w);
	for (unsigned int i = 0; i < found.n; i++) {
		if (!write_vm_bo(w, found.v[i], threw, len)) {
			ok = false;
			goto out;
		}
	}
	jw_end_array(w);

	jw_key(w, "objects");
	jw_begin_array(w);
	for (unsigned int i = 0; i < run.nobjs; i++) {
		jw_begin_object(w);
		jw_key(w, "bo");
		jw_int(w, run.objs[i].bo);
		jw_key(w, "refs");
		jw_int(w, kref_read(&run.objs[i].gem.refcount));
		jw_end_object(w);
	}
	jw_end_array(w);

	jw_key(w, "evictList");
	if (!write_vm_bo_list(w, &vm->evict.list,
			      offsetof(struct drm_gpuvm_bo, list.entry.evict),
			      threw, len)) {
		ok = false;
		goto out;
	}
	jw_key(w, "extobjList");
	if (!write_vm_bo_list(w, &vm->extobj.list,
			      offsetof(struct drm_gpuvm_bo, list.entry.extobj),
			      threw, len)) {
		ok = false;
		goto out;
	}
	jw_key(w, "deferred");
	if (!write_deferred(w, threw, len)) {
		ok = false;
		goto out;
	}
	jw_end_object(w);
out:
	free(found.v);
	return ok;
}
