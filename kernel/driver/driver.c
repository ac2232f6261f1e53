// SPDX-License-Identifier: MIT
/*
 * driver.c - the harness's driver (SEMANTICS.md section 5) on drm_gpuvm's
 * public API, matching src/driver/gpuvm-subject.ts command for command:
 *
 * - ops mode (nouveau, xe): build the ops list, obtain the request's vm_bo,
 *   apply each op (link before unlink); an injected failure at op k stops
 *   there and unwinds ops k-1..1 in reverse;
 * - steps mode (panthor, imagination): preallocate 3 VAs for a map and 2 for
 *   an unmap, and the vm_bo, then apply each step as drm_gpuvm_sm_map() /
 *   sm_unmap() calls it; an injected failure at step k leaves 1..k-1 applied.
 *
 * Which vm_bo path a command takes follows the tree and the VM's mode: on 7.x
 * drm_gpuvm_bo_obtain_locked() WARNs in an immediate-mode VM and
 * drm_gpuvm_bo_obtain_prealloc() WARNs outside one, so the driver uses the
 * one the VM's mode allows; older trees use prealloc for steps mode and
 * obtain for everything else, like the TypeScript driver.
 *
 * Locking follows the drivers: the VM's dma-resv and every external object's
 * dma-resv are held around a command that changes the VM (drm_exec over
 * everything), validate goes through drm_gpuvm_exec_lock(), and in an
 * immediate-mode VM the GEM's gpuva.lock guards links and unlinks.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/err.h>

#include "state.h"

const char *const cmd_names[CMD_KINDS] = {
	"map", "unmap", "prefetch", "bo_unmap", "insert", "remove", "find",
	"find_first", "interval_empty", "find_prev", "find_next", "bo_get",
	"bo_put", "evict", "validate", "madvise", "bo_put_deferred",
	"deferred_cleanup",
};

struct run run;
struct driver_options options;

/* The command being executed: where results and failures go. */
static struct {
	struct jw *obs;
	char *threw;
	size_t threw_len;
	bool failed;
	struct recorder rec;
	/* VAs the command took out of the tree; freed at its end unless back in. */
	struct kva **removed;
	unsigned int nremoved, capremoved;
	/* leak reports of the last command */
	struct jw leaks;
	unsigned int nleaks;
	/* A steps-mode command with defer: unlinks and puts go deferred. */
	bool deferring;
} cur;

static bool fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The driver failed in a way that is not an errno result ("threw"). */
static bool fail(const char *fmt, ...)
{
	va_list ap;

	if (!cur.failed) {
		va_start(ap, fmt);
		vsnprintf(cur.threw, cur.threw_len, fmt, ap);
		va_end(ap);
	}
	cur.failed = true;
	return false;
}

/* ---- errno results ------------------------------------------------------- */

static const char *errno_name(int err)
{
	switch (err) {
	case EINVAL: return "EINVAL";
	case EEXIST: return "EEXIST";
	case ENOENT: return "ENOENT";
	case ENOMEM: return "ENOMEM";
	case EBUSY: return "EBUSY";
	case EIO: return "EIO";
	default: return NULL;
	}
}

/*
 * {"ok":false,"error":...} for a negative errno, with the first @nops op
 * records when @nops > 0 (the manager refused one of its own ops while the
 * driver applied them: the op-level invariants still see the list). Any
 * other errno is a failure.
 */
static void result_error_ops(int ret, const char *from, unsigned int nops)
{
	const char *name = errno_name(-ret);

	if (!name) {
		fail("%s returned %d, which is not an errno of the protocol", from, ret);
		return;
	}
	jw_begin_object(cur.obs);
	jw_key(cur.obs, "ok");
	jw_bool(cur.obs, false);
	jw_key(cur.obs, "error");
	jw_string(cur.obs, name);
	if (nops) {
		jw_key(cur.obs, "ops");
		recorder_emit(&cur.rec, nops, cur.obs);
	}
	jw_end_object(cur.obs);
}

static void result_error(int ret, const char *from)
{
	result_error_ops(ret, from, 0);
}

static void result_ok(void)
{
	jw_begin_object(cur.obs);
	jw_key(cur.obs, "ok");
	jw_bool(cur.obs, true);
	jw_end_object(cur.obs);
}

/* {"ok":true,"ops":[...]} or, for an injected failure, {"ok":false,"error":"EIO","ops":[first k]}. */
static void result_ops(bool ok, unsigned int n)
{
	jw_begin_object(cur.obs);
	jw_key(cur.obs, "ok");
	jw_bool(cur.obs, ok);
	if (!ok) {
		jw_key(cur.obs, "error");
		jw_string(cur.obs, "EIO");
	}
	jw_key(cur.obs, "ops");
	recorder_emit(&cur.rec, n, cur.obs);
	jw_end_object(cur.obs);
}

static void result_va(const struct drm_gpuva *va)
{
	jw_begin_object(cur.obs);
	jw_key(cur.obs, "ok");
	jw_bool(cur.obs, true);
	jw_key(cur.obs, "va");
	if (!va)
		jw_null(cur.obs);
	else if (!write_va(cur.obs, va))
		fail("the manager returned a VA of a GEM object the trace never declared");
	jw_end_object(cur.obs);
}

/* ---- the driver's memory: VAs and vm_bos --------------------------------- */

/* A new VA from the driver (counted in vasNeeded when @needed). */
static struct drm_gpuva *va_new(bool needed)
{
	struct kva *k = calloc(1, sizeof(*k));

	if (!k)
		abort();
	list_add_tail(&k->registry, &run.vas);
	run.live_vas++;
	if (needed)
		run.meter.vas_needed++;
	return &k->va;
}

static void va_free(struct drm_gpuva *va)
{
	struct kva *k = container_of(va, struct kva, va);

	list_del(&k->registry);
	run.live_vas--;
	free(k);
}

/*
 * Whether @va is in the VM: on its ordered list (drm_gpuva_insert() adds it,
 * drm_gpuva_remove() takes it off with list_del_init()). Asking the tree
 * (drm_gpuva_find()) would miss a VA of range 0, which the tree holds but no
 * query finds, and the driver would free memory the kernel still uses.
 */
static bool va_in_tree(struct drm_gpuva *va)
{
	return va->rb.entry.next && !list_empty(&va->rb.entry);
}

/* The command took @va out of the tree; it is freed at the command's end unless re-inserted. */
static void va_removed(struct drm_gpuva *va)
{
	ARRAY_PUSH(cur.removed, cur.nremoved, cur.capremoved,
		   container_of(va, struct kva, va));
}

static void free_removed_vas(void)
{
	for (unsigned int i = 0; i < cur.nremoved; i++) {
		struct kva *k = cur.removed[i];
		bool dup = false;

		for (unsigned int j = 0; j < i; j++)
			dup |= cur.removed[j] == k;
		if (!dup && !va_in_tree(&k->va))
			va_free(&k->va);
	}
	cur.nremoved = 0;
}

static struct drm_gpuvm_bo *hook_vm_bo_alloc(void)
{
	struct kvm_bo *k = calloc(1, sizeof(*k));

	if (!k)
		abort();
	list_add_tail(&k->registry, &run.vm_bos);
	run.live_vm_bos++;
	k->bo = -1;
	return &k->base;
}

static void hook_vm_bo_free(struct drm_gpuvm_bo *vm_bo)
{
	struct kvm_bo *k = kvm_bo_of(vm_bo);
	struct kobj *o;

	if (!k || k->dead) {
		compat_warn(__FILE__, __LINE__, __func__,
			    "vm_bo_free(%p): %s", (void *)vm_bo,
			    k ? "double free" : "not a vm_bo vm_bo_alloc returned");
		return;
	}
	o = kobj_of(vm_bo->obj);
	k->bo = o ? o->bo : -1;
	run.live_vm_bos--;
#if defined(__SANITIZE_ADDRESS__)
	/* Free it for real: AddressSanitizer reports any later use, with both stacks. */
	list_del(&k->registry);
	free(k);
#else
	k->dead = true;
#endif
}

/* ---- op allocation: the meter (src/driver/accounting.ts) ----------------- */

static struct drm_gpuva_op *hook_op_alloc(void)
{
	struct meter *m = &run.meter;
	struct drm_gpuva_op *op;

	if (m->phase != PHASE_QUIET) {
		m->alloc_calls++;
		if (m->alloc_calls == m->fail_at)
			return NULL;
		m->allocated++;
	}
	op = calloc(1, sizeof(*op));
	if (!op)
		abort();
	m->live_ops++;
	return op;
}

static void hook_op_free(struct drm_gpuva_op *op)
{
	struct meter *m = &run.meter;

	if (!op)
		return;
	free(op);
	m->live_ops--;
	if (m->phase == PHASE_DRIVER)
		m->freed_by_driver++;
	else if (m->phase == PHASE_BUILDER)
		m->freed_by_builder++;
}

static void meter_begin(unsigned long alloc_fail_at)
{
	struct meter *m = &run.meter;
	long live = m->live_ops;

	memset(m, 0, sizeof(*m));
	m->phase = PHASE_BUILDER;
	m->fail_at = alloc_fail_at;
	m->vas_preallocated = -1;
	m->ops_pure = -1;
	m->live_ops = live;
}

static unsigned int ops_count(const struct drm_gpuva_ops *ops)
{
	const struct drm_gpuva_op *op;
	unsigned int n = 0;

	drm_gpuva_for_each_op(op, ops)
		n++;
	return n;
}

/* The driver frees a list it was handed (drm_gpuva_ops_free()). */
static void ops_free_by_driver(struct drm_gpuva_ops *ops)
{
	run.meter.phase = PHASE_DRIVER;
	drm_gpuva_ops_free(&run.vm, ops);
	run.meter.phase = PHASE_BUILDER;
}

/* ---- locking --------------------------------------------------------------- */

static void lock_all(void)
{
	dma_resv_lock(drm_gpuvm_resv(&run.vm), NULL);
	for (unsigned int i = 0; i < run.nobjs; i++)
		if (run.objs[i].external)
			dma_resv_lock(run.objs[i].gem.resv, NULL);
}

static void unlock_all(void)
{
	for (unsigned int i = run.nobjs; i-- > 0;)
		if (run.objs[i].external)
			dma_resv_unlock(run.objs[i].gem.resv);
	dma_resv_unlock(drm_gpuvm_resv(&run.vm));
}

static bool immediate(void)
{
	return run.immediate;
}

/* An immediate-mode VM guards the GEM's gpuva list with gpuva.lock (else its dma-resv). */
static void gpuva_lock(struct drm_gem_object *obj)
{
	if (immediate() && obj)
		mutex_lock(&obj->gpuva.lock);
}

static void gpuva_unlock(struct drm_gem_object *obj)
{
	if (immediate() && obj)
		mutex_unlock(&obj->gpuva.lock);
}

/* drm_gpuva_link() under the GEM's gpuva lock in immediate mode. */
static void va_link(struct drm_gpuva *va, struct drm_gpuvm_bo *vm_bo)
{
	gpuva_lock(va->gem.obj);
	drm_gpuva_link(va, vm_bo);
	gpuva_unlock(va->gem.obj);
}

/*
 * drm_gpuva_unlink(), or during a command with defer drm_gpuva_unlink_defer()
 * (which takes the gpuva lock itself and leaves a vm_bo that loses its last
 * reference as a zombie for deferred_cleanup).
 */
static void va_unlink(struct drm_gpuva *va)
{
#ifdef GPUVM_HAVE_UNLINK_DEFER
	if (cur.deferring) {
		drm_gpuva_unlink_defer(va);
		return;
	}
#endif
	gpuva_lock(va->gem.obj);
	drm_gpuva_unlink(va);
	gpuva_unlock(va->gem.obj);
}

/* drm_gpuvm_bo_put() of a reference the driver holds (under the gpuva lock in immediate mode). */
static void vm_bo_put(struct drm_gpuvm_bo *vm_bo)
{
	struct drm_gem_object *obj = vm_bo->obj;

	gpuva_lock(obj);
	drm_gpuvm_bo_put(vm_bo);
	gpuva_unlock(obj);
}

/*
 * drm_gpuvm_bo_put_deferred() when @deferred (it takes the gpuva lock itself;
 * the last reference leaves a zombie), else vm_bo_put().
 */
static void vm_bo_put_maybe_deferred(struct drm_gpuvm_bo *vm_bo, bool deferred)
{
#ifdef GPUVM_HAVE_UNLINK_DEFER
	if (deferred) {
		drm_gpuvm_bo_put_deferred(vm_bo);
		return;
	}
#else
	(void)deferred;
#endif
	vm_bo_put(vm_bo);
}

/*
 * The vm_bo a map (or insert, or bo_get) links to, put on the extobj list,
 * obtained the way the VM's mode requires, as the TypeScript driver does: in
 * an immediate VM drm_gpuvm_bo_create() + drm_gpuvm_bo_obtain_prealloc()
 * (panthor, Tyr), in any other drm_gpuvm_bo_obtain[_locked]() (nouveau, xe);
 * on 7.x each path WARNs in the other mode. NULL on a failure.
 */
static struct drm_gpuvm_bo *vm_bo_acquire(struct kobj *o)
{
	struct drm_gpuvm_bo *vm_bo;

	if (immediate()) {
		struct drm_gpuvm_bo *pre = drm_gpuvm_bo_create(&run.vm, &o->gem);

		if (!pre) {
			fail("drm_gpuvm_bo_create() failed");
			return NULL;
		}
		/* Since 7.0 obtain_prealloc() takes the gpuva lock itself. */
		if (!API_PREALLOC_NEEDS_IMMEDIATE)
			gpuva_lock(&o->gem);
		vm_bo = drm_gpuvm_bo_obtain_prealloc(pre);
		if (!API_PREALLOC_NEEDS_IMMEDIATE)
			gpuva_unlock(&o->gem);
	} else {
		vm_bo = api_bo_obtain(&run.vm, &o->gem);
		if (IS_ERR(vm_bo)) {
			fail("drm_gpuvm_bo_obtain() failed with %ld", PTR_ERR(vm_bo));
			return NULL;
		}
	}
	if (!vm_bo) {
		fail("the manager returned no vm_bo for bo %lld", o->bo);
		return NULL;
	}
	drm_gpuvm_bo_extobj_add(vm_bo);
	return vm_bo;
}

static struct kobj *object(long long bo)
{
	for (unsigned int i = 0; i < run.nobjs; i++)
		if (run.objs[i].bo == bo)
			return &run.objs[i];
	fail("bo %lld is not declared in the trace's objects", bo);
	return NULL;
}

/* ---- applying ops and steps ---------------------------------------------- */

/* A VA for an op: from the preallocated @pool (steps mode), else a new one. */
static struct drm_gpuva *take(struct drm_gpuva **pool, unsigned int *npool)
{
	if (pool && *npool) {
		run.meter.vas_needed++;
		return pool[--*npool];
	}
	return va_new(true);
}

/* MAP (drm_gpuva_map() + drm_gpuva_link()): a VA from @pool, linked to @vm_bo. */
static struct drm_gpuva *apply_map(struct drm_gpuva_op_map *op,
				   struct drm_gpuva **pool, unsigned int *npool,
				   struct drm_gpuvm_bo *vm_bo)
{
	struct drm_gpuva *va = take(pool, npool);

	drm_gpuva_map(&run.vm, va, op);
	if (!va_in_tree(va)) {
		/* drm_gpuva_map() drops the insert's error; nothing to link. */
		va_removed(va);
		return va;
	}
	if (vm_bo)
		va_link(va, vm_bo);
	return va;
}

/*
 * REMAP: new halves, drm_gpuva_remap(), link the halves to the old VA's
 * vm_bo, and only then unlink the old VA (unlinking first could destroy the
 * vm_bo while the halves still need it).
 */
static void apply_remap(struct drm_gpuva_op_remap *op,
			struct drm_gpuva **pool, unsigned int *npool,
			struct drm_gpuva **prev_out, struct drm_gpuva **next_out,
			struct drm_gpuvm_bo **vm_bo_out)
{
	struct drm_gpuva *old = op->unmap->va;
	struct drm_gpuvm_bo *vm_bo = old->vm_bo;
	struct drm_gpuva *prev = op->prev ? take(pool, npool) : NULL;
	struct drm_gpuva *next = op->next ? take(pool, npool) : NULL;

	drm_gpuva_remap(prev, next, op);
	va_removed(old);
	if (vm_bo) {
		if (prev) {
			if (va_in_tree(prev))
				va_link(prev, vm_bo);
			else
				va_removed(prev);
		}
		if (next) {
			if (va_in_tree(next))
				va_link(next, vm_bo);
			else
				va_removed(next);
		}
	} else {
		if (prev && !va_in_tree(prev))
			va_removed(prev);
		if (next && !va_in_tree(next))
			va_removed(next);
	}
	va_unlink(old);
	*prev_out = prev;
	*next_out = next;
	*vm_bo_out = vm_bo;
}

/* ---- ops mode --------------------------------------------------------------- */

/* An op the ops-mode driver applied, with what its undo needs. */
struct applied {
	enum drm_gpuva_op_type kind;
	const struct drm_gpuva_op *op;
	struct drm_gpuva *va, *prev, *next;
	struct drm_gpuvm_bo *vm_bo;
};

/* References a command took (the obtained vm_bo, UNMAP's holds); put at its end. */
struct refs {
	struct drm_gpuvm_bo **v;
	unsigned int n, cap;
};

static void refs_push(struct refs *r, struct drm_gpuvm_bo *vm_bo)
{
	ARRAY_PUSH(r->v, r->n, r->cap, vm_bo);
}

/* Puts every reference, newest first. */
static void refs_put_all(struct refs *r)
{
	while (r->n)
		vm_bo_put(r->v[--r->n]);
	free(r->v);
	r->v = NULL;
	r->cap = 0;
}

/* Re-inserts a VA an unwind puts back; false (an errno result) if the manager refuses. */
static bool reinsert(struct drm_gpuva *va)
{
	int ret = drm_gpuva_insert(&run.vm, va);

	if (ret) {
		result_error_ops(ret, "drm_gpuva_insert() during the unwind", cur.rec.n);
		return false;
	}
	return true;
}

/* Undoes the applied ops in reverse (xe's vm_bind_ioctl_ops_unwind). */
static bool unwind(struct applied *applied, unsigned int n)
{
	while (n--) {
		struct applied *a = &applied[n];

		switch (a->kind) {
		case DRM_GPUVA_OP_MAP:
			if (!va_in_tree(a->va))
				break;
			va_unlink(a->va);
			drm_gpuva_remove(a->va);
			va_removed(a->va);
			break;
		case DRM_GPUVA_OP_REMAP:
			/* Re-link the old VA first, so the vm_bo survives the halves' unlink. */
			if (a->vm_bo)
				va_link(a->va, a->vm_bo);
			for (int h = 0; h < 2; h++) {
				struct drm_gpuva *half = h ? a->next : a->prev;

				if (!half || !va_in_tree(half))
					continue;
				va_unlink(half);
				drm_gpuva_remove(half);
				va_removed(half);
			}
			if (!reinsert(a->va))
				return false;
			break;
		case DRM_GPUVA_OP_UNMAP:
			if (!reinsert(a->va))
				return false;
			if (a->vm_bo)
				va_link(a->va, a->vm_bo);
			break;
		default:
			break;
		}
	}
	return true;
}

/*
 * Applies @ops in order. With fail_at = k <= n it stops before op k, undoes
 * ops k-1..1 and returns k; otherwise 0. -1 when the unwind hit an errno
 * (already written as the result) or the driver failed.
 */
static long apply_ops(struct drm_gpuva_ops *ops, struct drm_gpuvm_bo *vm_bo,
		      unsigned long fail_at, struct refs *refs)
{
	unsigned int n = ops_count(ops), i = 0;
	struct applied *applied = calloc(n ? n : 1, sizeof(*applied));
	struct drm_gpuva_op *op;
	long ret = 0;

	if (!applied)
		abort();
	drm_gpuva_for_each_op(op, ops) {
		struct applied *a = &applied[i];

		if (fail_at == i + 1) {
			ret = unwind(applied, i) ? (long)fail_at : -1;
			goto out;
		}
		a->kind = op->op;
		a->op = op;
		switch (op->op) {
		case DRM_GPUVA_OP_MAP:
			a->va = apply_map(&op->map, NULL, NULL, vm_bo);
			break;
		case DRM_GPUVA_OP_REMAP:
			a->va = op->remap.unmap->va;
			apply_remap(&op->remap, NULL, NULL, &a->prev, &a->next,
				    &a->vm_bo);
			break;
		case DRM_GPUVA_OP_UNMAP:
			/* Hold the vm_bo until the job is done, so an unwind can re-link. */
			a->va = op->unmap.va;
			a->vm_bo = a->va->vm_bo;
			if (a->vm_bo)
				refs_push(refs, drm_gpuvm_bo_get(a->vm_bo));
			va_unlink(a->va);
			drm_gpuva_unmap(&op->unmap);
			va_removed(a->va);
			break;
		default:
			fail("the manager put a %s op in a map / unmap ops list",
			     op->op == DRM_GPUVA_OP_PREFETCH ? "PREFETCH" : "DRIVER");
			ret = -1;
			goto out;
		}
		i++;
	}
out:
	free(applied);
	return ret;
}

/* The VM's shape for the ops-pure check: each VA with its fields and link. */
struct shape_entry {
	const struct drm_gpuva *va;
	u64 addr, range, offset;
	const struct drm_gem_object *obj;
	const struct drm_gpuvm_bo *vm_bo;
};

struct shape {
	struct shape_entry *v;
	unsigned int n;
};

static struct shape shape_take(void)
{
	struct shape s = { NULL, 0 };
	unsigned int cap = 0;
	struct drm_gpuva *va;

	drm_gpuvm_for_each_va(va, &run.vm)
		ARRAY_PUSH(s.v, s.n, cap, ((struct shape_entry){ va, va->va.addr,
			   va->va.range, va->gem.offset, va->gem.obj, va->vm_bo }));
	return s;
}

static bool shape_equal(const struct shape *a, const struct shape *b)
{
	if (a->n != b->n)
		return false;
	for (unsigned int i = 0; i < a->n; i++) {
		const struct shape_entry *x = &a->v[i], *y = &b->v[i];

		if (x->va != y->va || x->addr != y->addr || x->range != y->range ||
		    x->offset != y->offset || x->obj != y->obj || x->vm_bo != y->vm_bo)
			return false;
	}
	return true;
}

static bool same_piece(const struct drm_gpuva_op_map *x,
		       const struct drm_gpuva_op_map *y)
{
	if (!x || !y)
		return x == y;
	return x->va.addr == y->va.addr && x->va.range == y->va.range &&
	       x->gem.obj == y->gem.obj && x->gem.offset == y->gem.offset;
}

static bool same_op(const struct drm_gpuva_op *x, const struct drm_gpuva_op *y)
{
	if (x->op != y->op)
		return false;
	switch (x->op) {
	case DRM_GPUVA_OP_MAP:
		return same_piece(&x->map, &y->map);
	case DRM_GPUVA_OP_UNMAP:
		return x->unmap.va == y->unmap.va && x->unmap.keep == y->unmap.keep;
	case DRM_GPUVA_OP_REMAP:
		return x->remap.unmap->va == y->remap.unmap->va &&
		       x->remap.unmap->keep == y->remap.unmap->keep &&
		       same_piece(x->remap.prev, y->remap.prev) &&
		       same_piece(x->remap.next, y->remap.next);
	case DRM_GPUVA_OP_PREFETCH:
		return x->prefetch.va == y->prefetch.va;
	default:
		return true;
	}
}

static bool same_ops(const struct drm_gpuva_ops *a, const struct drm_gpuva_ops *b)
{
	const struct list_head *x = a->list.next, *y = b->list.next;

	for (; x != &a->list && y != &b->list; x = x->next, y = y->next)
		if (!same_op(list_entry(x, struct drm_gpuva_op, entry),
			     list_entry(y, struct drm_gpuva_op, entry)))
			return false;
	return x == &a->list && y == &b->list;
}

static struct drm_gpuva_ops *build_ops(const struct cmd *c, struct drm_gem_object *obj)
{
	switch (c->kind) {
	case CMD_MAP:
		return api_sm_map_ops_create(&run.vm, c->addr, c->range, obj, c->offset);
#ifdef GPUVM_HAVE_MADVISE
	case CMD_MADVISE:
		return api_madvise_ops_create(&run.vm, c->addr, c->range, obj, c->offset);
#endif
	default:
		return drm_gpuvm_sm_unmap_ops_create(&run.vm, c->addr, c->range);
	}
}

static const char *builder_name(enum cmd_kind kind)
{
	switch (kind) {
	case CMD_MAP:
		return "drm_gpuvm_sm_map_ops_create()";
	case CMD_MADVISE:
		return "drm_gpuvm_madvise_ops_create()";
	default:
		return "drm_gpuvm_sm_unmap_ops_create()";
	}
}

/*
 * The ops-pure check: the list built a second time (quietly: neither counted
 * nor failed) equals the first, and neither build changed the VM.
 */
static void check_purity(const struct cmd *c, struct drm_gem_object *obj,
			 const struct drm_gpuva_ops *first, const struct shape *before)
{
	struct drm_gpuva_ops *again;
	struct shape after;

	run.meter.phase = PHASE_QUIET;
	again = build_ops(c, obj);
	run.meter.phase = PHASE_BUILDER;
	if (IS_ERR(again)) {
		run.meter.ops_pure = 0;
		return;
	}
	after = shape_take();
	run.meter.ops_pure = same_ops(first, again) && shape_equal(before, &after);
	free(after.v);
	run.meter.phase = PHASE_QUIET;
	drm_gpuva_ops_free(&run.vm, again);
	run.meter.phase = PHASE_BUILDER;
}

/*
 * Map or unmap through an ops list (nouveau's uvmm, xe's VM_BIND), and
 * madvise (xe's madvise VMA split): the same staged pattern, with no vm_bo
 * to obtain for madvise (its pieces are split VAs without an object).
 */
static void via_ops(const struct cmd *c)
{
	struct drm_gem_object *obj = NULL;
	struct drm_gpuva_ops *ops;
	struct drm_gpuvm_bo *vm_bo = NULL;
	struct refs refs = { NULL, 0, 0 };
	struct shape before;
	struct drm_gpuva_op *op;
	long failed_at;

	if ((c->kind == CMD_MAP || c->kind == CMD_MADVISE) && c->bo >= 0) {
		struct kobj *o = object(c->bo);

		if (!o)
			return;
		obj = &o->gem;
	}
	before = shape_take();
	lock_all();
	compat_kmalloc_fail_at(options.kmalloc_fail_at);
	ops = build_ops(c, obj);
	compat_kmalloc_fail_at(0);
	if (IS_ERR(ops)) {
		result_error((int)PTR_ERR(ops), builder_name(c->kind));
		goto out_unlock;
	}
	run.meter.returned += ops_count(ops);
	check_purity(c, obj, ops, &before);
	recorder_reset(&cur.rec);
	drm_gpuva_for_each_op(op, ops)
		if (!recorder_add(&cur.rec, op, cur.threw, cur.threw_len))
			goto out_fail;
	if (obj && c->kind == CMD_MAP) {
		vm_bo = vm_bo_acquire(kobj_of(obj));
		if (!vm_bo)
			goto out_free;
		refs_push(&refs, vm_bo);
	}
	failed_at = apply_ops(ops, vm_bo, c->fail_at, &refs);
	if (failed_at == 0)
		result_ops(true, cur.rec.n);
	else if (failed_at > 0)
		result_ops(false, (unsigned int)failed_at);
	goto out_free;
out_fail:
	cur.failed = true;
out_free:
	refs_put_all(&refs);
	ops_free_by_driver(ops);
out_unlock:
	unlock_all();
	free(before.v);
}

/* ---- steps mode ------------------------------------------------------------- */

struct steps {
	unsigned long fail_at;
	bool injected;
	bool is_map;
	struct drm_gpuvm_bo *vm_bo;
	struct drm_gpuva *pool[3];
	unsigned int npool;
};

/* Records the step; the fail_at-th step fails with -EIO before doing anything. */
static int step_begin(struct steps *s, const struct drm_gpuva_op *op)
{
	if (!recorder_add(&cur.rec, op, cur.threw, cur.threw_len)) {
		cur.failed = true;
		return -EFAULT;
	}
	if (cur.rec.n == s->fail_at) {
		s->injected = true;
		return -EIO;
	}
	return 0;
}

static int hook_step_map(struct drm_gpuva_op *op, void *priv)
{
	struct steps *s = priv;
	int ret = step_begin(s, op);

	if (ret)
		return ret;
	if (!s->is_map) {
		fail("the manager called the MAP step during an unmap");
		return -EFAULT;
	}
	apply_map(&op->map, s->pool, &s->npool, s->vm_bo);
	return 0;
}

static int hook_step_remap(struct drm_gpuva_op *op, void *priv)
{
	struct steps *s = priv;
	struct drm_gpuva *prev, *next;
	struct drm_gpuvm_bo *vm_bo;
	int ret = step_begin(s, op);

	if (ret)
		return ret;
	apply_remap(&op->remap, s->pool, &s->npool, &prev, &next, &vm_bo);
	/* The old VA is gone from the tree: free it now, as the drivers do. */
	free_removed_vas();
	return 0;
}

static int hook_step_unmap(struct drm_gpuva_op *op, void *priv)
{
	struct steps *s = priv;
	int ret = step_begin(s, op);

	if (ret)
		return ret;
	va_unlink(op->unmap.va);
	drm_gpuva_unmap(&op->unmap);
	va_removed(op->unmap.va);
	free_removed_vas();
	return 0;
}

/* Map or unmap through the step callbacks (panthor, imagination). */
static void via_steps(const struct cmd *c)
{
	struct steps s = { .fail_at = c->fail_at, .is_map = c->kind == CMD_MAP };
	struct drm_gem_object *obj = NULL;
	unsigned int n = s.is_map ? 3 : 2;
	int ret = -EINVAL;

	if (s.is_map && c->bo >= 0) {
		struct kobj *o = object(c->bo);

		if (!o)
			return;
		obj = &o->gem;
	}
	/* An immediate-mode driver checks its VM's mode before anything else. */
	if (c->defer && !immediate()) {
		result_error(-EINVAL, "defer");
		return;
	}
	cur.deferring = c->defer;
	run.meter.vas_preallocated = (int)n;
	for (unsigned int i = 0; i < n; i++)
		s.pool[s.npool++] = va_new(false);
	recorder_reset(&cur.rec);
	lock_all();
	if (obj) {
		s.vm_bo = vm_bo_acquire(kobj_of(obj));
		if (!s.vm_bo)
			goto out;
	}
	if (s.is_map)
		ret = api_sm_map(&run.vm, &s, c->addr, c->range, obj, c->offset);
	else
		ret = drm_gpuvm_sm_unmap(&run.vm, &s, c->addr, c->range);
	if (cur.failed)
		goto out;
	if (ret == -EIO && s.injected)
		result_ops(false, cur.rec.n);
	else if (ret)
		/* A step failed after the walk began: report the steps called. */
		result_error_ops(ret, s.is_map ? "drm_gpuvm_sm_map()" : "drm_gpuvm_sm_unmap()",
				 cur.rec.n);
	else
		result_ops(true, cur.rec.n);
out:
	/*
	 * A request the manager rejected before any step is undone with an
	 * ordinary put (the ioctl path); once the walk ran, a defer command
	 * drops its reference deferred, as run_job does.
	 */
	if (s.vm_bo)
		vm_bo_put_maybe_deferred(s.vm_bo, cur.deferring &&
					 (ret == 0 || cur.rec.n > 0));
	cur.deferring = false;
	unlock_all();
	while (s.npool)
		va_free(s.pool[--s.npool]);
}

/* ---- other commands ---------------------------------------------------------- */

/* drm_gpuvm_prefetch_ops_create(): one PREFETCH per VA; the list is freed at once. */
static void prefetch(const struct cmd *c)
{
	struct drm_gpuva_ops *ops = drm_gpuvm_prefetch_ops_create(&run.vm, c->addr,
								 c->range);
	struct drm_gpuva_op *op;

	if (IS_ERR(ops)) {
		result_error((int)PTR_ERR(ops), "drm_gpuvm_prefetch_ops_create()");
		return;
	}
	run.meter.returned += ops_count(ops);
	recorder_reset(&cur.rec);
	drm_gpuva_for_each_op(op, ops)
		if (!recorder_add(&cur.rec, op, cur.threw, cur.threw_len)) {
			cur.failed = true;
			break;
		}
	if (!cur.failed)
		result_ops(true, cur.rec.n);
	ops_free_by_driver(ops);
}

/*
 * Unmap every VA of an object's vm_bo (xe's UNMAP_ALL): drm_gpuvm_bo_find(),
 * drm_gpuvm_bo_unmap_ops_create(), unlink and unmap each VA, put the found
 * reference, free the list.
 */
static void bo_unmap(const struct cmd *c)
{
	struct kobj *o = object(c->bo);
	struct drm_gpuvm_bo *vm_bo;
	struct drm_gpuva_ops *ops;
	struct drm_gpuva_op *op;

	if (!o)
		return;
	lock_all();
	gpuva_lock(&o->gem);
	vm_bo = drm_gpuvm_bo_find(&run.vm, &o->gem);
	gpuva_unlock(&o->gem);
	if (!vm_bo) {
		recorder_reset(&cur.rec);
		result_ops(true, 0);
		goto out_unlock;
	}
	gpuva_lock(&o->gem);
	ops = drm_gpuvm_bo_unmap_ops_create(vm_bo);
	gpuva_unlock(&o->gem);
	if (IS_ERR(ops)) {
		result_error((int)PTR_ERR(ops), "drm_gpuvm_bo_unmap_ops_create()");
		goto out_put;
	}
	run.meter.returned += ops_count(ops);
	recorder_reset(&cur.rec);
	drm_gpuva_for_each_op(op, ops)
		if (!recorder_add(&cur.rec, op, cur.threw, cur.threw_len)) {
			cur.failed = true;
			goto out_free;
		}
	drm_gpuva_for_each_op(op, ops) {
		if (op->op != DRM_GPUVA_OP_UNMAP) {
			fail("the manager put a non-UNMAP op in a bo_unmap list");
			goto out_free;
		}
		va_unlink(op->unmap.va);
		drm_gpuva_unmap(&op->unmap);
		va_removed(op->unmap.va);
	}
	result_ops(true, cur.rec.n);
out_free:
	ops_free_by_driver(ops);
out_put:
	vm_bo_put(vm_bo);
out_unlock:
	unlock_all();
}

/* Raw insert (drm_gpuva_insert()), then for an object obtain, extobj add, link, put. */
static void insert(const struct cmd *c)
{
	struct kobj *o = c->bo >= 0 ? object(c->bo) : NULL;
	struct drm_gpuva *va;
	int ret;

	if (c->bo >= 0 && !o)
		return;
	va = va_new(false);
	va->va.addr = c->addr;
	va->va.range = c->range;
	va->gem.obj = o ? &o->gem : NULL;
	va->gem.offset = c->offset;
	lock_all();
	ret = drm_gpuva_insert(&run.vm, va);
	if (ret) {
		va_free(va);
		result_error(ret, "drm_gpuva_insert()");
		goto out;
	}
	if (o) {
		struct drm_gpuvm_bo *vm_bo = vm_bo_acquire(o);

		if (!vm_bo)
			goto out;
		va_link(va, vm_bo);
		vm_bo_put(vm_bo);
	}
	result_ok();
out:
	unlock_all();
}

/*
 * Raw removal of the VA exactly at [addr, addr + range) (drm_gpuva_find(),
 * drm_gpuva_unlink(), drm_gpuva_remove()): ENOENT if none. drm_gpuva_remove()
 * refuses the reserved node with a WARN: that WARN is its answer (EINVAL),
 * not a finding.
 */
static void remove_va(const struct cmd *c)
{
	struct drm_gpuva *va = drm_gpuva_find(&run.vm, c->addr, c->range);
	bool kernel;

	if (!va) {
		result_error(-ENOENT, "remove");
		return;
	}
	kernel = va == &run.vm.kernel_alloc_node;
	lock_all();
	if (kernel)
		compat_warn_expect("Can't destroy kernel reserved node");
	va_unlink(va);
	drm_gpuva_remove(va);
	if (kernel) {
		compat_warn_expect(NULL);
		if (va_in_tree(va))
			result_error(-EINVAL, "remove");
		else
			result_ok();
	} else {
		va_removed(va);
		result_ok();
	}
	unlock_all();
}

/* bo_get: obtain + extobj add; the driver keeps the reference. */
static void bo_get(const struct cmd *c)
{
	struct kobj *o = object(c->bo);
	struct drm_gpuvm_bo *vm_bo;

	if (!o)
		return;
	lock_all();
	vm_bo = vm_bo_acquire(o);
	unlock_all();
	if (!vm_bo)
		return;
	ARRAY_PUSH(o->held, o->nheld, o->capheld, vm_bo);
	result_ok();
}

/*
 * bo_put / bo_put_deferred: drop the newest reference bo_get took, with
 * drm_gpuvm_bo_put() or, @deferred, drm_gpuvm_bo_put_deferred(); ENOENT if
 * none. Outside an immediate-mode VM upstream WARNs on a deferred put and
 * defers anyway (the driver asks all the same).
 */
static void bo_put(const struct cmd *c, bool deferred)
{
	struct kobj *o = object(c->bo);

	if (!o)
		return;
	if (!o->nheld) {
		result_error(-ENOENT, cmd_names[c->kind]);
		return;
	}
	lock_all();
	vm_bo_put_maybe_deferred(o->held[--o->nheld], deferred);
	unlock_all();
	result_ok();
}

#ifdef GPUVM_HAVE_UNLINK_DEFER
/*
 * deferred_cleanup: drm_gpuvm_bo_deferred_cleanup(), with no lock held (in a
 * resv-protected VM it takes the VM's dma-resv itself).
 */
static void deferred_cleanup(void)
{
	drm_gpuvm_bo_deferred_cleanup(&run.vm);
	result_ok();
}
#endif

/* evict: drm_gpuvm_bo_gem_evict() with the object's dma-resv held (as TTM does). */
static void evict(const struct cmd *c)
{
	struct kobj *o = object(c->bo);

	if (!o)
		return;
	dma_resv_lock(o->gem.resv, NULL);
	gpuva_lock(&o->gem);
	drm_gpuvm_bo_gem_evict(&o->gem, c->evict);
	gpuva_unlock(&o->gem);
	dma_resv_unlock(o->gem.resv);
	result_ok();
}

/* The objects validate's callback saw, in call order. */
static struct {
	long long *v;
	unsigned int n, cap;
} validated;

static int hook_vm_bo_validate(struct drm_gpuvm_bo *vm_bo, struct drm_exec *exec)
{
	struct kobj *o = kobj_of(vm_bo->obj);

	(void)exec;
	ARRAY_PUSH(validated.v, validated.n, validated.cap, o ? o->bo : -1);
	drm_gpuvm_bo_evict(vm_bo, false);
	return 0;
}

/* validate: drm_gpuvm_exec_lock() (the VM's and every extobj's resv), drm_gpuvm_validate(). */
static void validate(void)
{
	struct drm_gpuvm_exec vm_exec = { .vm = &run.vm, .num_fences = 0 };
	int ret;

	validated.n = 0;
	ret = drm_gpuvm_exec_lock(&vm_exec);
	if (ret) {
		fail("drm_gpuvm_exec_lock() failed with %d", ret);
		return;
	}
	ret = drm_gpuvm_validate(&run.vm, &vm_exec.exec);
	drm_gpuvm_exec_unlock(&vm_exec);
	if (ret) {
		fail("drm_gpuvm_validate() failed with %d", ret);
		return;
	}
	for (unsigned int i = 0; i < validated.n; i++)
		if (validated.v[i] < 0) {
			fail("validate called back with a vm_bo of an undeclared object");
			return;
		}
	jw_begin_object(cur.obs);
	jw_key(cur.obs, "ok");
	jw_bool(cur.obs, true);
	jw_key(cur.obs, "validated");
	jw_begin_array(cur.obs);
	for (unsigned int i = 0; i < validated.n; i++)
		jw_int(cur.obs, validated.v[i]);
	jw_end_array(cur.obs);
	jw_end_object(cur.obs);
}

/* ---- the VM's hooks ------------------------------------------------------------ */

static void hook_vm_free(struct drm_gpuvm *gpuvm)
{
	(void)gpuvm;
	run.vm_freed = true;
}

static const struct drm_gpuvm_ops gpuvm_ops = {
	.vm_free = hook_vm_free,
	.op_alloc = hook_op_alloc,
	.op_free = hook_op_free,
	.vm_bo_alloc = hook_vm_bo_alloc,
	.vm_bo_free = hook_vm_bo_free,
	.vm_bo_validate = hook_vm_bo_validate,
	.sm_step_map = hook_step_map,
	.sm_step_remap = hook_step_remap,
	.sm_step_unmap = hook_step_unmap,
};

static void gem_free(struct drm_gem_object *gem)
{
	struct kobj *o = kobj_of(gem);

	if (o)
		o->freed = true;
}

static const struct drm_gem_object_funcs kobj_funcs = {
	.free = gem_free,
};

/* ---- runs ---------------------------------------------------------------------- */

void driver_init(const struct driver_options *opts)
{
	options = *opts;
	INIT_LIST_HEAD(&run.vas);
	INIT_LIST_HEAD(&run.vm_bos);
	jw_reset(&cur.rec.buf);
	jw_reset(&cur.leaks);
}

/*
 * Tears a run down without calling into the kernel code: a run may end in a
 * state the manager broke, so everything the driver and the allocator hold is
 * simply released.
 */
static void teardown(void)
{
	struct kva *va, *va_next;
	struct kvm_bo *bo, *bo_next;

	if (!run.live)
		return;
	list_for_each_entry_safe(va, va_next, &run.vas, registry)
		free(va);
	INIT_LIST_HEAD(&run.vas);
	list_for_each_entry_safe(bo, bo_next, &run.vm_bos, registry)
		free(bo);
	INIT_LIST_HEAD(&run.vm_bos);
	for (unsigned int i = 0; i < run.nobjs; i++)
		free(run.objs[i].held);
	free(run.objs);
	run.objs = NULL;
	run.nobjs = 0;
	compat_kfree_all();
	free(run.setup_warnings);
	run.setup_warnings = NULL;
	run.live = false;
}

static bool ranges_ok(const struct vm_config *vm, char *msg, size_t len)
{
	if (vm->range > UINT64_MAX - vm->start + 1 && vm->start != 0) {
		snprintf(msg, len, "the VM [0x%llx, +0x%llx) reaches past 2^64",
			 (unsigned long long)vm->start,
			 (unsigned long long)vm->range);
		return false;
	}
	if (vm->has_reserve && vm->reserve_range &&
	    (vm->reserve_addr < vm->start ||
	     vm->reserve_addr - vm->start > vm->range ||
	     vm->reserve_range > vm->range - (vm->reserve_addr - vm->start))) {
		snprintf(msg, len,
			 "the reserved range [0x%llx, +0x%llx) is not inside the VM [0x%llx, +0x%llx)",
			 (unsigned long long)vm->reserve_addr,
			 (unsigned long long)vm->reserve_range,
			 (unsigned long long)vm->start,
			 (unsigned long long)vm->range);
		return false;
	}
	return true;
}

/* The warnings raised so far, joined, for the next command's reports. */
static char *take_warnings(const char *prefix)
{
	unsigned int n = compat_warn_count();
	size_t len = 1;
	char *out;

	if (!n)
		return NULL;
	for (unsigned int i = 0; i < n && i < COMPAT_MAX_WARNINGS; i++)
		len += strlen(prefix) + strlen(compat_warn_text(i)) + 1;
	out = malloc(len);
	if (!out)
		abort();
	out[0] = '\0';
	for (unsigned int i = 0; i < n && i < COMPAT_MAX_WARNINGS; i++) {
		strcat(out, prefix);
		strcat(out, compat_warn_text(i));
		strcat(out, "\n");
	}
	compat_warn_clear();
	return out;
}

bool driver_reset(const struct vm_config *vm, const struct obj_decl *objs,
		  unsigned int nobjs, char *msg, size_t len)
{
	struct drm_gem_object *r_obj;

	teardown();
	compat_warn_clear();
	if (!ranges_ok(vm, msg, len))
		return false;
	if (vm->immediate && !driver_has_immediate_mode()) {
		snprintf(msg, len, "flags.immediate: this tree has no DRM_GPUVM_IMMEDIATE_MODE");
		return false;
	}
	for (unsigned int i = 0; i < nobjs; i++)
		for (unsigned int j = 0; j < i; j++)
			if (objs[i].bo == objs[j].bo) {
				snprintf(msg, len, "object %lld is declared twice", objs[i].bo);
				return false;
			}

	memset(&run.drm, 0, sizeof(run.drm));
	run.drm.name = "gpuvm-check";
	kref_init(&run.drm.ref);
	memset(&run.vm, 0, sizeof(run.vm));
	run.vm_freed = false;
	run.live_vas = 0;
	run.live_vm_bos = 0;
	run.executed = false;
	run.immediate = vm->immediate;
	run.resv_protected = vm->resv_protected;
	memset(&run.meter, 0, sizeof(run.meter));
	run.live = true;

	r_obj = drm_gpuvm_resv_object_alloc(&run.drm);
	if (!r_obj) {
		snprintf(msg, len, "drm_gpuvm_resv_object_alloc() failed");
		return false;
	}
	drm_gpuvm_init(&run.vm, "gpuvm-check",
		       (vm->immediate ? API_IMMEDIATE_FLAG : 0) |
		       (vm->resv_protected ? DRM_GPUVM_RESV_PROTECTED : 0), &run.drm,
		       r_obj, vm->start, vm->range,
		       vm->has_reserve ? vm->reserve_addr : 0,
		       vm->has_reserve ? vm->reserve_range : 0, &gpuvm_ops);
	drm_gem_object_put(r_obj);

	run.objs = calloc(nobjs ? nobjs : 1, sizeof(*run.objs));
	if (!run.objs)
		abort();
	run.nobjs = nobjs;
	for (unsigned int i = 0; i < nobjs; i++) {
		run.objs[i].bo = objs[i].bo;
		run.objs[i].external = objs[i].external;
	}
	/* Snapshots list the objects ascending by id. */
	for (unsigned int i = 1; i < nobjs; i++)
		for (unsigned int j = i; j > 0 && run.objs[j - 1].bo > run.objs[j].bo; j--) {
			struct kobj t = run.objs[j];

			run.objs[j] = run.objs[j - 1];
			run.objs[j - 1] = t;
		}
	for (unsigned int i = 0; i < nobjs; i++) {
		struct kobj *o = &run.objs[i];

		drm_gem_private_object_init(&run.drm, &o->gem, 0);
		o->gem.funcs = &kobj_funcs;
		if (!o->external)
			o->gem.resv = drm_gpuvm_resv(&run.vm);
	}
	run.kmalloc_baseline = compat_alloc_stats().live;
	run.setup_warnings = take_warnings("while setting up the VM: ");
	return true;
}

bool driver_has_object(long long bo)
{
	for (unsigned int i = 0; i < run.nobjs; i++)
		if (run.objs[i].bo == bo)
			return true;
	return false;
}

/* ---- leak checks ----------------------------------------------------------------- */

static void leak(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void leak(const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	jw_begin_object(&cur.leaks);
	jw_key(&cur.leaks, "kind");
	jw_string(&cur.leaks, "leak");
	jw_key(&cur.leaks, "message");
	jw_string(&cur.leaks, msg);
	jw_end_object(&cur.leaks);
	cur.nleaks++;
}

/* A VA list longer than this is corrupt (the snapshot reports it). */
#define VA_LIMIT 1000000L

static long vas_in_tree(void)
{
	struct drm_gpuva *va;
	long n = 0;

	drm_gpuvm_for_each_va(va, &run.vm) {
		if (va != &run.vm.kernel_alloc_node)
			n++;
		if (n > VA_LIMIT)
			break;
	}
	return n;
}

/*
 * After a command, everything it allocated is accounted for: no op left
 * allocated, no kmalloc block beyond the run's baseline, every VA the
 * driver holds in the tree, and the VM's reference count equal to one (the
 * driver's) plus one per VA and per vm_bo.
 */
static void check_leaks(void)
{
	long kmalloc_live = compat_alloc_stats().live;
	long vas = vas_in_tree();
	unsigned int vm_refs = kref_read(&run.vm.kref);
	long expected_refs = 1 + vas + run.live_vm_bos;

	jw_reset(&cur.leaks);
	cur.nleaks = 0;
	if (run.meter.live_ops)
		leak("%ld op%s allocated through op_alloc %s never freed",
		     run.meter.live_ops, run.meter.live_ops == 1 ? "" : "s",
		     run.meter.live_ops == 1 ? "was" : "were");
	if (kmalloc_live > run.kmalloc_baseline)
		leak("%ld kmalloc block%s allocated by the command %s never freed",
		     kmalloc_live - run.kmalloc_baseline,
		     kmalloc_live - run.kmalloc_baseline == 1 ? "" : "s",
		     kmalloc_live - run.kmalloc_baseline == 1 ? "was" : "were");
	if (run.live_vas != vas)
		leak("the driver holds %ld VAs but %ld are in the tree",
		     run.live_vas, vas);
	if (run.vm_freed)
		leak("the VM was freed (its last reference dropped) while in use");
	else if ((long)vm_refs != expected_refs)
		leak("the VM's refcount is %u, expected %ld (1 + %ld VAs + %ld vm_bos)",
		     vm_refs, expected_refs, vas, run.live_vm_bos);
	/* Reset the baselines, so one leak is reported once. */
	run.meter.live_ops = 0;
	run.kmalloc_baseline = kmalloc_live;
}

/* ---- exec ------------------------------------------------------------------------ */

bool driver_exec(const struct cmd *c, struct jw *obs, char *threw, size_t len)
{
	cur.obs = obs;
	cur.threw = threw;
	cur.threw_len = len;
	cur.failed = false;
	cur.nremoved = 0;
	jw_reset(obs);
	/* Warnings of the VM's setup are reported with the run's first command. */
	if (run.executed && run.setup_warnings) {
		free(run.setup_warnings);
		run.setup_warnings = NULL;
	}
	run.executed = true;
	compat_warn_clear();
	meter_begin(c->kind == CMD_MAP || c->kind == CMD_UNMAP || c->kind == CMD_MADVISE ?
		    c->alloc_fail_at : 0);
	cur.deferring = false;

	switch (c->kind) {
	case CMD_MAP:
	case CMD_UNMAP:
		if (c->steps && c->alloc_fail_at) {
			fail("allocFailAt applies to ops mode only (via \"ops\")");
			break;
		}
		if (!c->steps && c->defer) {
			fail("defer applies to steps mode only (via \"steps\")");
			break;
		}
		if (c->steps)
			via_steps(c);
		else
			via_ops(c);
		break;
	case CMD_PREFETCH:
		prefetch(c);
		break;
	case CMD_BO_UNMAP:
		bo_unmap(c);
		break;
	case CMD_INSERT:
		insert(c);
		break;
	case CMD_REMOVE:
		remove_va(c);
		break;
	case CMD_FIND:
		result_va(drm_gpuva_find(&run.vm, c->addr, c->range));
		break;
	case CMD_FIND_FIRST:
		result_va(drm_gpuva_find_first(&run.vm, c->addr, c->range));
		break;
	case CMD_INTERVAL_EMPTY:
		jw_begin_object(obs);
		jw_key(obs, "ok");
		jw_bool(obs, true);
		jw_key(obs, "empty");
		jw_bool(obs, drm_gpuvm_interval_empty(&run.vm, c->addr, c->range));
		jw_end_object(obs);
		break;
#ifdef GPUVM_HAVE_FIND_PREV
	case CMD_FIND_PREV:
		result_va(drm_gpuva_find_prev(&run.vm, c->start));
		break;
	case CMD_FIND_NEXT:
		result_va(drm_gpuva_find_next(&run.vm, c->end));
		break;
#else
	case CMD_FIND_PREV:
	case CMD_FIND_NEXT:
		fail("%s: this tree has no drm_gpuva_%s()", cmd_names[c->kind],
		     c->kind == CMD_FIND_PREV ? "find_prev" : "find_next");
		break;
#endif
	case CMD_BO_GET:
		bo_get(c);
		break;
	case CMD_BO_PUT:
		bo_put(c, false);
		break;
	case CMD_EVICT:
		evict(c);
		break;
	case CMD_VALIDATE:
		validate();
		break;
	case CMD_MADVISE:
#ifdef GPUVM_HAVE_MADVISE
		via_ops(c);
#else
		fail("madvise: this tree has no drm_gpuvm_madvise_ops_create()");
#endif
		break;
	case CMD_BO_PUT_DEFERRED:
	case CMD_DEFERRED_CLEANUP:
#ifdef GPUVM_HAVE_UNLINK_DEFER
		if (c->kind == CMD_BO_PUT_DEFERRED)
			bo_put(c, true);
		else
			deferred_cleanup();
#else
		fail("%s: this tree has no deferred vm_bo cleanup", cmd_names[c->kind]);
#endif
		break;
	default:
		fail("unknown command");
		break;
	}
	free_removed_vas();
	check_leaks();
	return !cur.failed;
}

bool driver_snapshot(struct jw *w, char *threw, size_t len)
{
	jw_reset(w);
	return snapshot_write(w, threw, len);
}

void driver_accounting(struct jw *w)
{
	const struct meter *m = &run.meter;

	jw_begin_object(w);
	jw_key(w, "vasNeeded");
	jw_int(w, m->vas_needed);
	jw_key(w, "vasPreallocated");
	if (m->vas_preallocated < 0)
		jw_null(w);
	else
		jw_int(w, m->vas_preallocated);
	jw_key(w, "opsAllocated");
	jw_int(w, m->allocated);
	jw_key(w, "opsFreedByBuilder");
	jw_int(w, m->freed_by_builder);
	jw_key(w, "opsReturned");
	jw_int(w, m->returned);
	jw_key(w, "opsFreedByDriver");
	jw_int(w, m->freed_by_driver);
	jw_key(w, "opsPure");
	if (m->ops_pure < 0)
		jw_null(w);
	else
		jw_bool(w, m->ops_pure);
	jw_end_object(w);
}

bool driver_reports(struct jw *w)
{
	unsigned int n = compat_warn_count();
	bool any = false;

	jw_begin_array(w);
	if (run.setup_warnings) {
		for (char *line = run.setup_warnings; *line;) {
			char *nl = strchr(line, '\n');

			*nl = '\0';
			jw_begin_object(w);
			jw_key(w, "kind");
			jw_string(w, "warn");
			jw_key(w, "message");
			jw_string(w, line);
			jw_end_object(w);
			*nl = '\n';
			line = nl + 1;
			any = true;
		}
	}
	for (unsigned int i = 0; i < n && i < COMPAT_MAX_WARNINGS; i++) {
		jw_begin_object(w);
		jw_key(w, "kind");
		jw_string(w, "warn");
		jw_key(w, "message");
		jw_string(w, compat_warn_text(i));
		jw_end_object(w);
		any = true;
	}
	if (n > COMPAT_MAX_WARNINGS) {
		char msg[80];

		snprintf(msg, sizeof(msg), "%u more warnings", n - COMPAT_MAX_WARNINGS);
		jw_begin_object(w);
		jw_key(w, "kind");
		jw_string(w, "warn");
		jw_key(w, "message");
		jw_string(w, msg);
		jw_end_object(w);
	}
	if (cur.nleaks) {
		jw_raw(w, cur.leaks.buf, cur.leaks.len);
		any = true;
	}
	jw_end_array(w);
	return any;
}

void driver_close(void)
{
	teardown();
}

bool driver_has_find_prev(void)
{
#ifdef GPUVM_HAVE_FIND_PREV
	return true;
#else
	return false;
#endif
}

bool driver_has_immediate_mode(void)
{
#ifdef GPUVM_HAVE_IMMEDIATE_MODE
	return true;
#else
	return false;
#endif
}

bool driver_has_defer(void)
{
#ifdef GPUVM_HAVE_UNLINK_DEFER
	return true;
#else
	return false;
#endif
}

bool driver_has_madvise(void)
{
#ifdef GPUVM_HAVE_MADVISE
	return true;
#else
	return false;
#endif
}
