/**
 * The C the cases of an exported test share, emitted once at the top of the
 * file: the fixture (a DRM device, the VM, kmalloc'd GEM objects, the vm ops)
 * and the driver the harness plays (SEMANTICS.md section 5), written against
 * drm_gpuvm's public API in kernel style. It does what gpuvm-check's C driver
 * (kernel/driver/driver.c) does, command for command, minus the accounting
 * only the harness needs; the expectations compare what drm_gpuvm did with
 * the tables the cases carry.
 *
 * The code is cut into chunks so that a file holds only what its cases use
 * (an unused static function is a warning in a kernel build); each chunk
 * names the chunks it calls. The API variant picks the forms that differ
 * between trees (the map request, obtain vs obtain_locked, find_prev, the
 * remap hole helper, KUnit's warning suppression).
 */

import type { KunitVariant } from './variant.ts';

/** What the cases of a file use, deciding which chunks are emitted. */
export interface HelperFeatures {
  /** Some trace declares GEM objects. */
  readonly objects: boolean;
  readonly map: boolean;
  readonly unmap: boolean;
  readonly failAt: boolean;
  readonly allocFailAt: boolean;
  readonly prefetch: boolean;
  readonly boUnmap: boolean;
  readonly insert: boolean;
  readonly remove: boolean;
  readonly find: boolean;
  readonly findFirst: boolean;
  readonly findPrev: boolean;
  readonly findNext: boolean;
  readonly intervalEmpty: boolean;
  readonly boGet: boolean;
  readonly boPut: boolean;
  readonly evict: boolean;
  readonly validate: boolean;
  /** Some case needs a function this tree lacks (find_prev / find_next on 7.x): it is skipped there. */
  readonly unsupported: boolean;
  /** Some trace sets VM mode flags (immediate, resvProtected). */
  readonly vmFlags: boolean;
  /** Some trace's VM is in immediate mode. */
  readonly immediate: boolean;
  readonly madvise: boolean;
  /** A steps-mode map or unmap with `defer`. */
  readonly defer: boolean;
  readonly boPutDeferred: boolean;
  readonly deferredCleanup: boolean;
}

interface Chunk {
  readonly name: string;
  readonly deps: readonly string[];
  readonly code: string;
}

/** The most ops a command may produce before the test stops recording them (at least 64). */
export function maxOpsFor(expectedMax: number): number {
  return Math.max(64, expectedMax + 8);
}

function chunks(v: KunitVariant, f: HelperFeatures, maxOps: number): Chunk[] {
  const out: Chunk[] = [];
  // Both drivers come together (map and unmap dispatch on the mode), so
  // neither is ever an unused function.
  const mapUnmap = f.map || f.unmap || f.madvise;
  // Immediate-mode VMs: links, unlinks and puts under the GEM's gpuva.lock,
  // vm_bos through prealloc; and deferred unlinks and puts.
  const wrap = v.immediateMode && (f.immediate || f.defer || f.boPutDeferred || f.deferredCleanup);
  const deferUnlink = wrap && v.unlinkDefer && f.defer;
  const zombies = v.unlinkDefer && (f.defer || f.boPutDeferred);
  const link = (va: string, bo: string): string => (wrap ? `gpuvm_test_link(t, ${va}, ${bo})` : `drm_gpuva_link(${va}, ${bo})`);
  const unlink = (va: string): string => (wrap ? `gpuvm_test_unlink(t, ${va})` : `drm_gpuva_unlink(${va})`);
  const put = (bo: string): string => (wrap ? `gpuvm_test_put(t, ${bo})` : `drm_gpuvm_bo_put(${bo})`);
  const gpuvaDeps = wrap ? ['gpuva'] : [];
  const linkDeps = wrap ? ['link'] : [];
  const add = (name: string, deps: readonly string[], code: string): void => {
    out.push({ name, deps, code: code.replace(/^\n/, '') });
  };

  add(
    'types',
    [],
    `
/* Object ids in the tables; ids >= 0 are the trace's GEM objects. */
#define GPUVM_TEST_NULL		(-1)	/* no object: a NULL (sparse) mapping */
#define GPUVM_TEST_KERNEL	(-2)	/* the VM's reserved node */
#define GPUVM_TEST_UNKNOWN	(-3)	/* an object the test never created */
#define GPUVM_TEST_END		(-4)	/* ends a list of ids */

/* More ops than any command of this file expects. */
#define GPUVM_TEST_MAX_OPS	${maxOps}

/* How a map or unmap is applied: a staged ops list, or the step callbacks. */
enum gpuvm_test_via {
	GPUVM_TEST_OPS,
	GPUVM_TEST_STEPS,
};

/*
 * A VA, or a piece of a mapping: addr, range, object id, offset. Tables of
 * them end with an entry of range 0.
 */
struct gpuvm_test_piece {
	u64 addr;
	u64 range;
	int bo;
	u64 offset;
};

/*
 * An op: for a MAP the new mapping, for an UNMAP, REMAP or PREFETCH the VA it
 * concerns; keep for an UNMAP or REMAP; what remains of a REMAP below and
 * above the request (range 0: nothing)${v.remapHole ? ', and the hole drm_gpuva_op_remap_to_unmap_range()\n * gives (addr, range)' : ''}. Tables of them end with an entry of range 0.
 */
struct gpuvm_test_op {
	enum drm_gpuva_op_type op;
	struct gpuvm_test_piece va;
	bool keep;
	struct gpuvm_test_piece prev;
	struct gpuvm_test_piece next;${v.remapHole ? '\n\tu64 hole[2];' : ''}
};

/*
 * A vm_bo: its object, its reference count, whether it is evicted, and its
 * place on the VM's extobj and evict lists (from 1; 0: not on the list).
 * Tables of them end with an entry of refs 0.
 */
struct gpuvm_test_vm_bo {
	int bo;
	unsigned int refs;
	bool evicted;
	unsigned int extobj;
	unsigned int evict;
};

/* An op as the test saw it, before applying it. */
struct gpuvm_test_seen {
	struct gpuvm_test_op op;
	bool has_prev;
	bool has_next;
};

/* One of the trace's GEM objects. */
struct gpuvm_test_obj {
	int id;
	bool external;
	struct drm_gem_object gem;
	struct list_head held;
};

/* A vm_bo reference the test holds. */
struct gpuvm_test_ref {
	struct list_head entry;
	struct drm_gpuvm_bo *vm_bo;
};

/* An op the ops-mode driver applied, with what undoing it needs. */
struct gpuvm_test_applied {
	struct drm_gpuva_op *op;
	struct drm_gpuva *va;
	struct drm_gpuva *prev;
	struct drm_gpuva *next;
	struct drm_gpuvm_bo *vm_bo;
};

/* The fixture of one case, and what the command being checked did. */
struct gpuvm_test {
	struct kunit *test;
	struct drm_device *drm;
	struct drm_gpuvm vm;
	bool vm_live;
	bool vm_freed;
	u64 reserve_addr;
	u64 reserve_range;
	struct gpuvm_test_obj *objs;
	unsigned int nobjs;
	struct drm_exec exec;

	int step;
	const char *cmd;
	bool failed;
	unsigned int fail_at;
	unsigned int alloc_fail_at;
	unsigned int alloc_calls;
	long live_ops;${v.warnSuppress ? '\n\tstruct kunit_suppressed_warning *warnings;\n\tint warnings_expected;' : ''}
	enum drm_gpuvm_flags flags;
	bool immediate;
	bool defer;
	bool deferring;

	int ret;
	struct gpuvm_test_seen seen[GPUVM_TEST_MAX_OPS];
	unsigned int nops;
	struct drm_gpuva *found;
	bool empty;
	int *validated;
	unsigned int nvalidated;

	struct drm_gpuva *pool[3];
	unsigned int npool;
	struct drm_gpuvm_bo *refs[GPUVM_TEST_MAX_OPS + 1];
	unsigned int nrefs;
	struct gpuvm_test_applied applied[GPUVM_TEST_MAX_OPS];
};
`,
  );

  add(
    'fail',
    ['types'],
    `
/* A difference from the reference model: the case stops after this command. */
static void gpuvm_test_fail(struct gpuvm_test *t, const char *what)
{
	t->failed = true;
	KUNIT_FAIL(t->test, "command %d (%s): %s", t->step, t->cmd, what);
}

static void gpuvm_test_expect_int(struct gpuvm_test *t, const char *what,
				  long long got, long long want)
{
	if (got == want)
		return;
	t->failed = true;
	KUNIT_EXPECT_EQ_MSG(t->test, got, want, "command %d (%s): %s", t->step,
			    t->cmd, what);
}

static void gpuvm_test_expect_u64(struct gpuvm_test *t, const char *what,
				  u64 got, u64 want)
{
	if (got == want)
		return;
	t->failed = true;
	KUNIT_EXPECT_EQ_MSG(t->test, got, want, "command %d (%s): %s", t->step,
			    t->cmd, what);
}
`,
  );

  add(
    'hooks',
    ['types', 'fail'],
    `
/* The VM's last reference is gone. */
static void gpuvm_test_vm_free(struct drm_gpuvm *vm)
{
	struct gpuvm_test *t = container_of(vm, struct gpuvm_test, vm);

	t->vm_freed = true;
}

/* Ops are counted, so that none is left allocated; allocFailAt fails one. */
static struct drm_gpuva_op *gpuvm_test_op_alloc(void)
{
	struct kunit *test = kunit_get_current_test();
	struct gpuvm_test *t = test ? test->priv : NULL;
	struct drm_gpuva_op *op;

	if (t && t->alloc_fail_at && ++t->alloc_calls == t->alloc_fail_at)
		return NULL;
	op = ${v.kzallocObj ? 'kzalloc_obj(*op)' : 'kzalloc(sizeof(*op), GFP_KERNEL)'};
	if (op && t)
		t->live_ops++;
	return op;
}

static void gpuvm_test_op_free(struct drm_gpuva_op *op)
{
	struct kunit *test = kunit_get_current_test();
	struct gpuvm_test *t = test ? test->priv : NULL;

	if (op && t)
		t->live_ops--;
	kfree(op);
}

/* The trace's objects have no backing store: release is all there is. */
static void gpuvm_test_gem_free(struct drm_gem_object *obj)
{
	drm_gem_object_release(obj);
}

static const struct drm_gem_object_funcs gpuvm_test_gem_funcs = {
	.free = gpuvm_test_gem_free,
};
`,
  );

  add(
    'lock',
    ['types', 'fail'],
    `
/* Locks the VM's dma-resv and every external object's, as a driver does. */
static void gpuvm_test_lock(struct gpuvm_test *t)
{
	unsigned int i;
	int ret = 0;

	drm_exec_init(&t->exec, 0, 0);
	drm_exec_until_all_locked(&t->exec) {
		ret = drm_exec_lock_obj(&t->exec, drm_gpuvm_resv_obj(&t->vm));
		drm_exec_retry_on_contention(&t->exec);
		for (i = 0; !ret && i < t->nobjs; i++) {
			if (!t->objs[i].external)
				continue;
			ret = drm_exec_lock_obj(&t->exec, &t->objs[i].gem);
			drm_exec_retry_on_contention(&t->exec);
		}
	}
	if (ret)
		gpuvm_test_expect_int(t, "locking the objects", ret, 0);
}

static void gpuvm_test_unlock(struct gpuvm_test *t)
{
	drm_exec_fini(&t->exec);
}
`,
  );

  add(
    'fixture',
    ['types', 'hooks', 'lock', 'vm_ops', ...gpuvaDeps],
    `
static int gpuvm_test_init(struct kunit *test)
{
	struct gpuvm_test *t;
	struct device *dev;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->test = test;
	t->step = -1;
	t->cmd = "setup";

	dev = drm_kunit_helper_alloc_device(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	t->drm = __drm_kunit_helper_alloc_drm_device(test, dev, sizeof(*t->drm), 0,
						     ${v.gemGpuvaFeature ? 'DRIVER_GEM | DRIVER_GEM_GPUVA' : 'DRIVER_GEM'});
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->drm);
	test->priv = t;
	return 0;
}

/* The VM of the trace, with room for @nobjs objects. */
static void gpuvm_test_setup(struct gpuvm_test *t, u64 start, u64 range,
			     u64 reserve_addr, u64 reserve_range,
			     unsigned int nobjs)
{
	struct drm_gem_object *r_obj;

	t->objs = kunit_kcalloc(t->test, nobjs ? nobjs : 1, sizeof(*t->objs),
				GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(t->test, t->objs);
	r_obj = drm_gpuvm_resv_object_alloc(t->drm);
	KUNIT_ASSERT_NOT_NULL(t->test, r_obj);${v.warnSuppress ? '\n\t/* A WARN of the setup counts with the first command, as gpuvm-check reports it. */\n\tt->warnings = kunit_start_suppress_warning(t->test);' : ''}
	drm_gpuvm_init(&t->vm, "gpuvm-kunit", t->flags, t->drm, r_obj, start, range,
		       reserve_addr, reserve_range, &gpuvm_test_vm_ops);
	drm_gem_object_put(r_obj);
	t->vm_live = true;
	t->reserve_addr = reserve_addr;
	t->reserve_range = reserve_range;
}

/*
 * Tears down whatever the case left: every VA but the reserved node, the
 * references the test holds, the VM, the objects. After a failure drm_gpuvm's
 * state may be broken, so only a passing case also checks that the VM and the
 * objects were released.
 */
static void gpuvm_test_exit(struct kunit *test)
{
	struct gpuvm_test *t = test->priv;
	struct gpuvm_test_ref *ref, *tmp;
	struct drm_gpuva *va, *next;
	bool failed = t->failed;
	unsigned int i;

${v.warnSuppress ? '\tif (t->warnings)\n\t\tkunit_end_suppress_warning(test, t->warnings);\n' : ''}	if (!t->vm_live)
		return;
	gpuvm_test_lock(t);
	drm_gpuvm_for_each_va_safe(va, next, &t->vm) {
		if (va == &t->vm.kernel_alloc_node)
			continue;
		if (va->vm_bo)
			${unlink('va')};
		drm_gpuva_remove(va);
	}
	for (i = 0; i < t->nobjs; i++) {
		list_for_each_entry_safe(ref, tmp, &t->objs[i].held, entry) {
			list_del(&ref->entry);
			${put('ref->vm_bo')};
		}
	}
	gpuvm_test_unlock(t);
	t->cmd = "teardown";${zombies ? '\n\t/* The zombies a deferred put left: a driver cleans them up before its last put. */\n\tdrm_gpuvm_bo_deferred_cleanup(&t->vm);' : ''}
	drm_gpuvm_put(&t->vm);
	t->vm_live = false;
	if (!failed && !t->vm_freed)
		gpuvm_test_fail(t, "the VM is still referenced after its last put");
	for (i = 0; i < t->nobjs; i++) {
		struct drm_gem_object *obj = &t->objs[i].gem;

		if (kref_read(&obj->refcount) == 1)
			drm_gem_object_put(obj);
		else if (!failed)
			gpuvm_test_expect_int(t, "references of an object at teardown",
					      kref_read(&obj->refcount), 1);
	}
}
`,
  );

  add(
    'objects',
    ['types', 'fail'],
    `
/* The id of a GEM object. */
static int gpuvm_test_id(struct gpuvm_test *t, const struct drm_gem_object *obj)
{
	unsigned int i;

	if (!obj)
		return GPUVM_TEST_NULL;
	for (i = 0; i < t->nobjs; i++)
		if (&t->objs[i].gem == obj)
			return t->objs[i].id;
	return GPUVM_TEST_UNKNOWN;
}

static void gpuvm_test_va_piece(struct gpuvm_test *t, const struct drm_gpuva *va,
				struct gpuvm_test_piece *p)
{
	p->addr = va->va.addr;
	p->range = va->va.range;
	p->bo = va == &t->vm.kernel_alloc_node ? GPUVM_TEST_KERNEL :
		gpuvm_test_id(t, va->gem.obj);
	p->offset = va->gem.offset;
}

/*
 * Whether @va is in the VM: on its ordered list (drm_gpuva_insert() adds it,
 * drm_gpuva_remove() takes it off with list_del_init(); the test's VAs start
 * zeroed). drm_gpuva_find() would miss a VA of range 0, which the tree holds
 * but no query finds.
 */
static bool gpuvm_test_in_tree(struct drm_gpuva *va)
{
	return va->rb.entry.next && !list_empty(&va->rb.entry);
}
`,
  );

  if (f.objects) {
    add(
      'add_object',
      ['fixture'],
      `
/* A GEM object of the trace: private to the VM (its dma-resv) or external. */
static void gpuvm_test_add_object(struct gpuvm_test *t, int id, bool external)
{
	struct gpuvm_test_obj *o = &t->objs[t->nobjs++];

	o->id = id;
	o->external = external;
	INIT_LIST_HEAD(&o->held);
	drm_gem_private_object_init(t->drm, &o->gem, 0);
	o->gem.funcs = &gpuvm_test_gem_funcs;
	if (!external)
		o->gem.resv = drm_gpuvm_resv(&t->vm);
}
`,
    );
  }

  add(
    'obj',
    ['types'],
    `
/* The object of an id, NULL for GPUVM_TEST_NULL. */
static struct gpuvm_test_obj *gpuvm_test_obj(struct gpuvm_test *t, int id)
{
	unsigned int i;

	for (i = 0; i < t->nobjs; i++)
		if (t->objs[i].id == id)
			return &t->objs[i];
	return NULL;
}
`,
  );

  add(
    'command',
    ['types', 'fail'],
    `
/* The case goes on only while every command matched the reference model. */
static void gpuvm_test_gate(struct gpuvm_test *t)
{
	KUNIT_ASSERT_FALSE_MSG(t->test, t->failed,
			       "command %d (%s) differs from the reference model", t->step,
			       t->cmd);
}

/* Starts a command. */
static void gpuvm_test_begin(struct gpuvm_test *t, const char *cmd)
{
	gpuvm_test_gate(t);
	t->step++;
	t->cmd = cmd;
	t->ret = 0;
	t->nops = 0;
	t->found = NULL;
	t->nvalidated = 0;${v.warnSuppress ? '\n\tt->warnings_expected = 0;\n\tif (!t->warnings)\n\t\tt->warnings = kunit_start_suppress_warning(t->test);' : ''}
}

/* Ends a command${v.warnSuppress ? ': a WARN drm_gpuvm raised is a difference too' : ''}. */
static void gpuvm_test_end(struct gpuvm_test *t)
{${v.warnSuppress ? `
	int warnings = kunit_suppressed_warning_count(t->warnings);

	kunit_end_suppress_warning(t->test, t->warnings);
	t->warnings = NULL;
	gpuvm_test_expect_int(t, "the number of WARNs", warnings, t->warnings_expected);` : ''}
	t->fail_at = 0;
	t->alloc_fail_at = 0;
	t->defer = false;
}

static void gpuvm_test_expect_ret(struct gpuvm_test *t, int ret)
{
	gpuvm_test_expect_int(t, "the result", t->ret, ret);
}
`,
  );

  add(
    'see',
    ['types', 'objects'],
    `
static void gpuvm_test_map_piece(struct gpuvm_test *t,
				 const struct drm_gpuva_op_map *m,
				 struct gpuvm_test_piece *p)
{
	p->addr = m->va.addr;
	p->range = m->va.range;
	p->bo = gpuvm_test_id(t, m->gem.obj);
	p->offset = m->gem.offset;
}

/* Records an op (the first GPUVM_TEST_MAX_OPS of a command; all are counted). */
static void gpuvm_test_see(struct gpuvm_test *t, struct drm_gpuva_op *op)
{
	struct gpuvm_test_seen *s;

	if (t->nops++ >= GPUVM_TEST_MAX_OPS)
		return;
	s = &t->seen[t->nops - 1];
	memset(s, 0, sizeof(*s));
	s->op.op = op->op;
	switch (op->op) {
	case DRM_GPUVA_OP_MAP:
		gpuvm_test_map_piece(t, &op->map, &s->op.va);
		break;
	case DRM_GPUVA_OP_UNMAP:
		gpuvm_test_va_piece(t, op->unmap.va, &s->op.va);
		s->op.keep = op->unmap.keep;
		break;
	case DRM_GPUVA_OP_REMAP:
		gpuvm_test_va_piece(t, op->remap.unmap->va, &s->op.va);
		s->op.keep = op->remap.unmap->keep;
		s->has_prev = op->remap.prev;
		s->has_next = op->remap.next;
		if (op->remap.prev)
			gpuvm_test_map_piece(t, op->remap.prev, &s->op.prev);
		if (op->remap.next)
			gpuvm_test_map_piece(t, op->remap.next, &s->op.next);${v.remapHole ? '\n\t\tdrm_gpuva_op_remap_to_unmap_range(&op->remap, &s->op.hole[0],\n\t\t\t\t\t\t  &s->op.hole[1]);' : ''}
		break;
	case DRM_GPUVA_OP_PREFETCH:
		gpuvm_test_va_piece(t, op->prefetch.va, &s->op.va);
		break;
	default:
		break;
	}
}
`,
  );

  add(
    'expect_piece',
    ['types', 'fail'],
    `
static void gpuvm_test_expect_piece(struct gpuvm_test *t, const char *what,
				    const struct gpuvm_test_piece *got,
				    const struct gpuvm_test_piece *want)
{
	char field[64];

	snprintf(field, sizeof(field), "%s: addr", what);
	gpuvm_test_expect_u64(t, field, got->addr, want->addr);
	snprintf(field, sizeof(field), "%s: range", what);
	gpuvm_test_expect_u64(t, field, got->range, want->range);
	snprintf(field, sizeof(field), "%s: object", what);
	gpuvm_test_expect_int(t, field, got->bo, want->bo);
	snprintf(field, sizeof(field), "%s: offset", what);
	gpuvm_test_expect_u64(t, field, got->offset, want->offset);
}
`,
  );

  add(
    'expect_ops',
    ['types', 'fail', 'command', 'expect_piece'],
    `
static void gpuvm_test_expect_op(struct gpuvm_test *t, unsigned int i,
				 const struct gpuvm_test_seen *got,
				 const struct gpuvm_test_op *want)
{
	char what[48];

	snprintf(what, sizeof(what), "op %u: kind", i + 1);
	gpuvm_test_expect_int(t, what, got->op.op, want->op);
	if (got->op.op != want->op)
		return;
	snprintf(what, sizeof(what), "op %u", i + 1);
	gpuvm_test_expect_piece(t, what, &got->op.va, &want->va);
	snprintf(what, sizeof(what), "op %u: keep", i + 1);
	gpuvm_test_expect_int(t, what, got->op.keep, want->keep);
	if (want->op != DRM_GPUVA_OP_REMAP)
		return;
	snprintf(what, sizeof(what), "op %u: has prev", i + 1);
	gpuvm_test_expect_int(t, what, got->has_prev, want->prev.range != 0);
	snprintf(what, sizeof(what), "op %u prev", i + 1);
	if (got->has_prev && want->prev.range)
		gpuvm_test_expect_piece(t, what, &got->op.prev, &want->prev);
	snprintf(what, sizeof(what), "op %u: has next", i + 1);
	gpuvm_test_expect_int(t, what, got->has_next, want->next.range != 0);
	snprintf(what, sizeof(what), "op %u next", i + 1);
	if (got->has_next && want->next.range)
		gpuvm_test_expect_piece(t, what, &got->op.next, &want->next);${v.remapHole ? `
	snprintf(what, sizeof(what), "op %u: hole addr", i + 1);
	gpuvm_test_expect_u64(t, what, got->op.hole[0], want->hole[0]);
	snprintf(what, sizeof(what), "op %u: hole range", i + 1);
	gpuvm_test_expect_u64(t, what, got->op.hole[1], want->hole[1]);` : ''}
}

/* The command's result and its ops; @want NULL: no ops. */
static void gpuvm_test_expect_ops(struct gpuvm_test *t, int ret,
				  const struct gpuvm_test_op *want)
{
	unsigned int n = 0, i;

	gpuvm_test_expect_ret(t, ret);
	while (want && want[n].va.range)
		n++;
	gpuvm_test_expect_int(t, "the number of ops", t->nops, n);
	for (i = 0; i < n && i < t->nops && i < GPUVM_TEST_MAX_OPS; i++)
		gpuvm_test_expect_op(t, i, &t->seen[i], &want[i]);
}
`,
  );

  add(
    'expect_state',
    ['types', 'fail', 'objects', 'expect_piece'],
    `
static const struct gpuvm_test_vm_bo *
gpuvm_test_want_vm_bo(const struct gpuvm_test_vm_bo *bos, int id)
{
	for (; bos && bos->refs; bos++)
		if (bos->bo == id)
			return bos;
	return NULL;
}

/* One object's vm_bo in this VM: its references, its VAs, its eviction. */
static void gpuvm_test_expect_vm_bo(struct gpuvm_test *t, struct gpuvm_test_obj *o,
				    const struct gpuvm_test_piece *vas,
				    const struct gpuvm_test_vm_bo *want)
{
	struct drm_gpuvm_bo *vm_bo, *found = NULL;
	unsigned int n = 0, linked = 0, wanted = 0;
	struct drm_gpuva *va;
	char what[64];

	drm_gem_for_each_gpuvm_bo(vm_bo, &o->gem) {
		if (vm_bo->vm != &t->vm)
			continue;
		found = vm_bo;
		n++;
	}
	snprintf(what, sizeof(what), "bo%d: vm_bos", o->id);
	gpuvm_test_expect_int(t, what, n, want ? 1 : 0);${
  zombies
    ? ''
    : `
	snprintf(what, sizeof(what), "bo%d: references of the object", o->id);
	gpuvm_test_expect_int(t, what, kref_read(&o->gem.refcount), want ? 2 : 1);`
}
	if (!found || !want)
		return;
	snprintf(what, sizeof(what), "bo%d: references of the vm_bo", o->id);
	gpuvm_test_expect_int(t, what, kref_read(&found->kref), want->refs);
	snprintf(what, sizeof(what), "bo%d: evicted", o->id);
	gpuvm_test_expect_int(t, what, found->evicted, want->evicted);
	/* drm_gpuvm_bo_for_each_va() names its vm_bo argument "vm_bo" in its body. */
	vm_bo = found;
	drm_gpuvm_bo_for_each_va(va, vm_bo) {
		snprintf(what, sizeof(what), "bo%d: a linked VA is in the tree", o->id);
		gpuvm_test_expect_int(t, what, gpuvm_test_in_tree(va), true);
		snprintf(what, sizeof(what), "bo%d: a linked VA's object", o->id);
		gpuvm_test_expect_int(t, what, gpuvm_test_id(t, va->gem.obj), o->id);
		if (++linked > 1000000)
			break;
	}
	for (; vas && vas->range; vas++)
		wanted += vas->bo == o->id;
	snprintf(what, sizeof(what), "bo%d: linked VAs", o->id);
	gpuvm_test_expect_int(t, what, linked, wanted);
}

${zombies ? '' : `/* The VM's extobj or evict list, in order. */
static void gpuvm_test_expect_list(struct gpuvm_test *t, bool extobj,
				   const struct gpuvm_test_vm_bo *bos)
{
	struct list_head *head = extobj ? &t->vm.extobj.list : &t->vm.evict.list;
	const char *name = extobj ? "extobj list" : "evict list";
	const struct gpuvm_test_vm_bo *b;
	unsigned int n = 0, wanted = 0;
	struct list_head *pos;
	char what[64];

	list_for_each(pos, head) {
		struct drm_gpuvm_bo *vm_bo;
		int want = GPUVM_TEST_END;

		n++;
		vm_bo = extobj ? list_entry(pos, struct drm_gpuvm_bo, list.entry.extobj) :
			list_entry(pos, struct drm_gpuvm_bo, list.entry.evict);
		for (b = bos; b && b->refs; b++)
			if ((extobj ? b->extobj : b->evict) == n)
				want = b->bo;
		snprintf(what, sizeof(what), "%s entry %u", name, n);
		gpuvm_test_expect_int(t, what, gpuvm_test_id(t, vm_bo->obj), want);
		if (n > 1000000)
			break;
	}
	for (b = bos; b && b->refs; b++)
		wanted += (extobj ? b->extobj : b->evict) != 0;
	snprintf(what, sizeof(what), "the length of the %s", name);
	gpuvm_test_expect_int(t, what, n, wanted);
}

`}/*
 * The state after a command: the VAs (ascending; the reserved node apart),
 * each object's vm_bo, ${zombies ? 'and no op left allocated (the lists and the objects\'\n * references, which zombie vm_bos change, are gpuvm_test_expect_zombies()\'s)' : 'the extobj and evict lists, and no op left allocated'}.
 * NULL tables are empty.
 */
static void gpuvm_test_expect_state(struct gpuvm_test *t,
				    const struct gpuvm_test_piece *vas,
				    const struct gpuvm_test_vm_bo *bos)
{
	unsigned int n = 0, wanted = 0, i;
	struct gpuvm_test_piece got;
	struct drm_gpuva *va;
	char what[32];

	while (vas && vas[wanted].range)
		wanted++;
	drm_gpuvm_for_each_va(va, &t->vm) {
		if (va == &t->vm.kernel_alloc_node)
			continue;
		if (n < wanted) {
			gpuvm_test_va_piece(t, va, &got);
			snprintf(what, sizeof(what), "VA %u", n);
			gpuvm_test_expect_piece(t, what, &got, &vas[n]);
		}
		if (++n > wanted + 1000000)
			break;
	}
	gpuvm_test_expect_int(t, "the number of VAs", n, wanted);
	if (t->reserve_range)
		gpuvm_test_expect_int(t, "the reserved node is in the tree",
				      drm_gpuva_find(&t->vm, t->reserve_addr, t->reserve_range) ==
				      &t->vm.kernel_alloc_node, true);
	for (i = 0; i < t->nobjs; i++)
		gpuvm_test_expect_vm_bo(t, &t->objs[i], vas,
					gpuvm_test_want_vm_bo(bos, t->objs[i].id));${
  zombies
    ? ''
    : `
	gpuvm_test_expect_list(t, true, bos);
	gpuvm_test_expect_list(t, false, bos);`
}
	gpuvm_test_expect_int(t, "ops allocated and not freed", t->live_ops, 0);
}
`,
  );

  if (zombies) {
    add(
      'expect_zombies',
      ['types', 'fail', 'objects', 'expect_state'],
      `
/*
 * A zombie vm_bo: its last reference dropped deferred, it waits for
 * drm_gpuvm_bo_deferred_cleanup(). Tables of them end with bo GPUVM_TEST_END.
 */
struct gpuvm_test_zombie {
	int bo;
	bool evicted;
};

/* The extobj or evict list as object ids, in order (ending with GPUVM_TEST_END). */
static void gpuvm_test_expect_ids(struct gpuvm_test *t, bool extobj, const int *want)
{
	struct list_head *head = extobj ? &t->vm.extobj.list : &t->vm.evict.list;
	const char *name = extobj ? "extobj list" : "evict list";
	unsigned int n = 0, wanted = 0;
	struct list_head *pos;
	char what[64];

	while (want && want[wanted] != GPUVM_TEST_END)
		wanted++;
	list_for_each(pos, head) {
		struct drm_gpuvm_bo *vm_bo;

		vm_bo = extobj ? list_entry(pos, struct drm_gpuvm_bo, list.entry.extobj) :
			list_entry(pos, struct drm_gpuvm_bo, list.entry.evict);
		snprintf(what, sizeof(what), "%s entry %u", name, n + 1);
		gpuvm_test_expect_int(t, what, gpuvm_test_id(t, vm_bo->obj),
				      n < wanted ? want[n] : GPUVM_TEST_END);
		if (++n > 1000000)
			break;
	}
	snprintf(what, sizeof(what), "the length of the %s", name);
	gpuvm_test_expect_int(t, what, n, wanted);
}

/*
 * The zombies (the VM's deferred list, newest first), each object's
 * references (its own, its live vm_bo's and its zombies'), and the extobj and
 * evict lists, zombies included. NULL tables are empty.
 */
static void gpuvm_test_expect_zombies(struct gpuvm_test *t,
				      const struct gpuvm_test_vm_bo *bos,
				      const struct gpuvm_test_zombie *zombies,
				      const int *extobj, const int *evict)
{
	unsigned int n = 0, wanted = 0, i, j;
	struct drm_gpuvm_bo *vm_bo;
	char what[64];

	while (zombies && zombies[wanted].bo != GPUVM_TEST_END)
		wanted++;
	llist_for_each_entry(vm_bo, t->vm.bo_defer.first, list.entry.bo_defer) {
		if (n < wanted) {
			snprintf(what, sizeof(what), "deferred vm_bo %u: object", n + 1);
			gpuvm_test_expect_int(t, what, gpuvm_test_id(t, vm_bo->obj), zombies[n].bo);
			snprintf(what, sizeof(what), "deferred vm_bo %u: evicted", n + 1);
			gpuvm_test_expect_int(t, what, vm_bo->evicted, zombies[n].evicted);
		}
		if (++n > wanted + 1000000)
			break;
	}
	gpuvm_test_expect_int(t, "the length of the deferred list", n, wanted);
	for (i = 0; i < t->nobjs; i++) {
		struct gpuvm_test_obj *o = &t->objs[i];
		unsigned int refs = 1 + !!gpuvm_test_want_vm_bo(bos, o->id);

		for (j = 0; j < wanted; j++)
			refs += zombies[j].bo == o->id;
		snprintf(what, sizeof(what), "bo%d: references of the object", o->id);
		gpuvm_test_expect_int(t, what, kref_read(&o->gem.refcount), refs);
	}
	gpuvm_test_expect_ids(t, true, extobj);
	gpuvm_test_expect_ids(t, false, evict);
}
`,
    );
  }

  add(
    'vm_bo',
    ['types', 'fail', ...(wrap ? ['gpuva'] : [])],
    `
/*
 * The vm_bo a VA of @o links to, on the extobj list if external; NULL on
 * failure. ${wrap ? 'An immediate-mode VM preallocates it (panthor), any other obtains it\n * (nouveau, xe); each path WARNs in the other mode.' : 'Obtained as staged drivers do (nouveau, xe).'}
 */
static struct drm_gpuvm_bo *gpuvm_test_vm_bo(struct gpuvm_test *t,
					     struct gpuvm_test_obj *o)
{
	struct drm_gpuvm_bo *vm_bo;
${
  wrap
    ? `
	if (t->immediate) {
		vm_bo = drm_gpuvm_bo_create(&t->vm, &o->gem);${
          v.obtainLocked
            ? `
		/* It takes the gpuva lock itself. */
		if (vm_bo)
			vm_bo = drm_gpuvm_bo_obtain_prealloc(vm_bo);`
            : `
		if (vm_bo) {
			gpuvm_test_gpuva_lock(t, &o->gem);
			vm_bo = drm_gpuvm_bo_obtain_prealloc(vm_bo);
			gpuvm_test_gpuva_unlock(t, &o->gem);
		}`
        }
	} else {
		vm_bo = ${v.obtainLocked ? 'drm_gpuvm_bo_obtain_locked' : 'drm_gpuvm_bo_obtain'}(&t->vm, &o->gem);
	}`
    : `
	vm_bo = ${v.obtainLocked ? 'drm_gpuvm_bo_obtain_locked' : 'drm_gpuvm_bo_obtain'}(&t->vm, &o->gem);`
}
	if (IS_ERR_OR_NULL(vm_bo)) {
		gpuvm_test_fail(t, "obtaining the vm_bo failed");
		return NULL;
	}
	drm_gpuvm_bo_extobj_add(vm_bo);
	return vm_bo;
}
`,
  );
  const vmBo = (_steps: boolean): string => 'gpuvm_test_vm_bo(t, o)';

  if (wrap) {
    add(
      'gpuva',
      ['types'],
      `
/* An immediate-mode VM guards a GEM's vm_bo list with its gpuva.lock (else the dma-resv, held). */
static void gpuvm_test_gpuva_lock(struct gpuvm_test *t, struct drm_gem_object *obj)
{
	if (t->immediate && obj)
		mutex_lock(&obj->gpuva.lock);
}

static void gpuvm_test_gpuva_unlock(struct gpuvm_test *t, struct drm_gem_object *obj)
{
	if (t->immediate && obj)
		mutex_unlock(&obj->gpuva.lock);
}

/* ${deferUnlink ? 'Deferred during a command with defer (it takes the gpuva lock itself).' : 'Under the gpuva lock in an immediate-mode VM.'} */
static void gpuvm_test_unlink(struct gpuvm_test *t, struct drm_gpuva *va)
{${deferUnlink ? '\n\tif (t->deferring) {\n\t\tdrm_gpuva_unlink_defer(va);\n\t\treturn;\n\t}' : ''}
	gpuvm_test_gpuva_lock(t, va->gem.obj);
	drm_gpuva_unlink(va);
	gpuvm_test_gpuva_unlock(t, va->gem.obj);
}

static void gpuvm_test_put(struct gpuvm_test *t, struct drm_gpuvm_bo *vm_bo)
{
	struct drm_gem_object *obj = vm_bo->obj;

	gpuvm_test_gpuva_lock(t, obj);
	drm_gpuvm_bo_put(vm_bo);
	gpuvm_test_gpuva_unlock(t, obj);
}
`,
    );
    add(
      'link',
      ['gpuva'],
      `
static void gpuvm_test_link(struct gpuvm_test *t, struct drm_gpuva *va,
			    struct drm_gpuvm_bo *vm_bo)
{
	gpuvm_test_gpuva_lock(t, va->gem.obj);
	drm_gpuva_link(va, vm_bo);
	gpuvm_test_gpuva_unlock(t, va->gem.obj);
}
`,
    );
  }


  add(
    'apply',
    ['types', 'fail', 'objects', ...gpuvaDeps, ...linkDeps],
    `
/* The VAs a map (3) or an unmap (2) may need, allocated before locking. */
static void gpuvm_test_prealloc(struct gpuvm_test *t, unsigned int n)
{
	for (t->npool = 0; t->npool < n; t->npool++) {
		t->pool[t->npool] = kunit_kzalloc(t->test, sizeof(struct drm_gpuva),
						  GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(t->test, t->pool[t->npool]);
	}
}

static struct drm_gpuva *gpuvm_test_take_va(struct gpuvm_test *t)
{
	if (!t->npool) {
		gpuvm_test_fail(t, "more new VAs needed than a map (3) or unmap (2) may need");
		return NULL;
	}
	return t->pool[--t->npool];
}

/* MAP: a new VA, inserted and linked to @vm_bo. */
static struct drm_gpuva *gpuvm_test_apply_map(struct gpuvm_test *t,
					      struct drm_gpuva_op_map *op,
					      struct drm_gpuvm_bo *vm_bo)
{
	struct drm_gpuva *va = gpuvm_test_take_va(t);

	if (!va)
		return NULL;
	drm_gpuva_map(&t->vm, va, op);
	if (vm_bo && gpuvm_test_in_tree(va))
		${link('va', 'vm_bo')};
	return va;
}

/*
 * REMAP: new VAs for the halves, drm_gpuva_remap(), the halves linked to the
 * old VA's vm_bo, and only then the old VA unlinked (unlinking it first could
 * drop the vm_bo's last reference while the halves still need it).
 */
static void gpuvm_test_apply_remap(struct gpuvm_test *t,
				   struct drm_gpuva_op_remap *op,
				   struct drm_gpuva **prev, struct drm_gpuva **next)
{
	struct drm_gpuva *old = op->unmap->va;
	struct drm_gpuvm_bo *vm_bo = old->vm_bo;

	*prev = op->prev ? gpuvm_test_take_va(t) : NULL;
	*next = op->next ? gpuvm_test_take_va(t) : NULL;
	if ((op->prev && !*prev) || (op->next && !*next))
		return;
	drm_gpuva_remap(*prev, *next, op);
	if (vm_bo && *prev && gpuvm_test_in_tree(*prev))
		${link('*prev', 'vm_bo')};
	if (vm_bo && *next && gpuvm_test_in_tree(*next))
		${link('*next', 'vm_bo')};
	${unlink('old')};
}
`,
  );

  if (mapUnmap) {
    add(
      'ops_mode',
      ['types', 'fail', 'objects', 'obj', 'see', 'lock', 'apply', 'vm_bo', ...gpuvaDeps, ...linkDeps],
      `
/* Puts the back in the tree the unwind needs; a refusal is a difference. */
static void gpuvm_test_reinsert(struct gpuvm_test *t, struct drm_gpuva *va)
{
	int ret = drm_gpuva_insert(&t->vm, va);

	if (ret)
		gpuvm_test_expect_int(t, "re-inserting a VA during the unwind", ret, 0);
}

/* Undoes the first @n applied ops, newest first (xe's unwind). */
static void gpuvm_test_unwind(struct gpuvm_test *t, unsigned int n)
{
	while (n--) {
		struct gpuvm_test_applied *a = &t->applied[n];

		switch (a->op->op) {
		case DRM_GPUVA_OP_MAP:
			if (!a->va || !gpuvm_test_in_tree(a->va))
				break;
			${unlink('a->va')};
			drm_gpuva_remove(a->va);
			break;
		case DRM_GPUVA_OP_REMAP:
			/* Re-link the old VA first, so the vm_bo survives the halves' unlink. */
			if (a->vm_bo)
				${link('a->va', 'a->vm_bo')};
			if (a->prev && gpuvm_test_in_tree(a->prev)) {
				${unlink('a->prev')};
				drm_gpuva_remove(a->prev);
			}
			if (a->next && gpuvm_test_in_tree(a->next)) {
				${unlink('a->next')};
				drm_gpuva_remove(a->next);
			}
			gpuvm_test_reinsert(t, a->va);
			break;
		case DRM_GPUVA_OP_UNMAP:
			gpuvm_test_reinsert(t, a->va);
			if (a->vm_bo)
				${link('a->va', 'a->vm_bo')};
			break;
		default:
			break;
		}
	}
}

/*
 * Applies the ops in order (link before unlink); an UNMAP holds its vm_bo
 * until the command ends, so that an unwind can link the VA again. With
 * failAt k, stops before op k and unwinds ops k-1..1: -EIO.
 */
static int gpuvm_test_apply_ops(struct gpuvm_test *t, struct drm_gpuva_ops *ops,
				struct drm_gpuvm_bo *vm_bo)
{
	struct drm_gpuva_op *op;
	unsigned int i = 0;

	drm_gpuva_for_each_op(op, ops) {
		struct gpuvm_test_applied *a = &t->applied[i];

		if (t->fail_at == i + 1) {
			gpuvm_test_unwind(t, i);
			return -EIO;
		}
		memset(a, 0, sizeof(*a));
		a->op = op;
		switch (op->op) {
		case DRM_GPUVA_OP_MAP:
			a->va = gpuvm_test_apply_map(t, &op->map, vm_bo);
			break;
		case DRM_GPUVA_OP_REMAP:
			a->va = op->remap.unmap->va;
			a->vm_bo = a->va->vm_bo;
			gpuvm_test_apply_remap(t, &op->remap, &a->prev, &a->next);
			break;
		case DRM_GPUVA_OP_UNMAP:
			a->va = op->unmap.va;
			a->vm_bo = a->va->vm_bo;
			if (a->vm_bo)
				t->refs[t->nrefs++] = drm_gpuvm_bo_get(a->vm_bo);
			${unlink('a->va')};
			drm_gpuva_unmap(&op->unmap);
			break;
		default:
			gpuvm_test_fail(t, "a map or unmap ops list holds another kind of op");
			return 0;
		}
		if (t->failed)
			return 0;
		i++;
	}
	return 0;
}

/* What an ops list is built for. */
enum gpuvm_test_request {
	GPUVM_TEST_MAP,
	GPUVM_TEST_UNMAP,${f.madvise && v.madvise ? '\n\tGPUVM_TEST_MADVISE,' : ''}
};

/*
 * Map or unmap through an ops list (nouveau, xe)${f.madvise && v.madvise ? ', and madvise (xe\'s madvise\n * VMA split: the same staged pattern, with no vm_bo to obtain)' : ''}.
 */
static void gpuvm_test_via_ops(struct gpuvm_test *t, enum gpuvm_test_request kind,
			       u64 addr, u64 range, int bo, u64 offset)
{
	bool map = kind == GPUVM_TEST_MAP;
	struct gpuvm_test_obj *o = kind != GPUVM_TEST_UNMAP ? gpuvm_test_obj(t, bo) : NULL;
	struct drm_gem_object *obj = o ? &o->gem : NULL;
	struct drm_gpuvm_bo *vm_bo = NULL;
	struct drm_gpuva_ops *ops;
	struct drm_gpuva_op *op;${v.mapReq ? `
	struct drm_gpuvm_map_req req = {
		.map.va.addr = addr,
		.map.va.range = range,
		.map.gem.obj = obj,
		.map.gem.offset = offset,
	};` : ''}

	gpuvm_test_prealloc(t, kind == GPUVM_TEST_UNMAP ? 2 : 3);
	gpuvm_test_lock(t);
	t->alloc_calls = 0;
	if (map)
		ops = ${v.mapReq ? 'drm_gpuvm_sm_map_ops_create(&t->vm, &req);' : 'drm_gpuvm_sm_map_ops_create(&t->vm, addr, range, obj, offset);'}${f.madvise && v.madvise ? `
	else if (kind == GPUVM_TEST_MADVISE)
		ops = drm_gpuvm_madvise_ops_create(&t->vm, &req);` : ''}
	else
		ops = drm_gpuvm_sm_unmap_ops_create(&t->vm, addr, range);
	t->alloc_fail_at = 0;
	if (IS_ERR(ops)) {
		t->ret = PTR_ERR(ops);
		goto out_unlock;
	}
	drm_gpuva_for_each_op(op, ops)
		gpuvm_test_see(t, op);
	if (t->nops > GPUVM_TEST_MAX_OPS) {
		gpuvm_test_fail(t, "more ops than the test can hold");
		goto out_free;
	}
	t->nrefs = 0;
	if (o && map) {
		vm_bo = ${vmBo(false)};
		if (!vm_bo)
			goto out_free;
		t->refs[t->nrefs++] = vm_bo;
	}
	t->ret = gpuvm_test_apply_ops(t, ops, vm_bo);
	if (t->ret == -EIO)
		t->nops = t->fail_at;
	while (t->nrefs)
		${put('t->refs[--t->nrefs]')};
out_free:
	drm_gpuva_ops_free(&t->vm, ops);
out_unlock:
	gpuvm_test_unlock(t);
}
`,
    );
  }

  if (mapUnmap) {
    add(
      'steps_mode',
      ['types', 'fail', 'objects', 'obj', 'see', 'lock', 'apply', 'vm_bo', ...gpuvaDeps],
      `
/* The state of a walk through the step callbacks. */
struct gpuvm_test_steps {
	struct gpuvm_test *t;
	struct drm_gpuvm_bo *vm_bo;
	bool map;
};

/* Records the step; with failAt k, step k fails with -EIO before doing anything. */
static int gpuvm_test_step(struct gpuvm_test_steps *s, struct drm_gpuva_op *op)
{
	gpuvm_test_see(s->t, op);
	return s->t->fail_at && s->t->nops == s->t->fail_at ? -EIO : 0;
}

static int gpuvm_test_step_map(struct drm_gpuva_op *op, void *priv)
{
	struct gpuvm_test_steps *s = priv;
	int ret = gpuvm_test_step(s, op);

	if (ret)
		return ret;
	if (!s->map) {
		gpuvm_test_fail(s->t, "the MAP step was called for an unmap");
		return -EINVAL;
	}
	gpuvm_test_apply_map(s->t, &op->map, s->vm_bo);
	return s->t->failed ? -ENOMEM : 0;
}

static int gpuvm_test_step_remap(struct drm_gpuva_op *op, void *priv)
{
	struct gpuvm_test_steps *s = priv;
	struct drm_gpuva *prev, *next;
	int ret = gpuvm_test_step(s, op);

	if (ret)
		return ret;
	gpuvm_test_apply_remap(s->t, &op->remap, &prev, &next);
	return s->t->failed ? -ENOMEM : 0;
}

static int gpuvm_test_step_unmap(struct drm_gpuva_op *op, void *priv)
{
	struct gpuvm_test_steps *s = priv;${wrap ? '\n\tstruct gpuvm_test *t = s->t;' : ''}
	int ret = gpuvm_test_step(s, op);

	if (ret)
		return ret;
	${unlink('op->unmap.va')};
	drm_gpuva_unmap(&op->unmap);
	return 0;
}

/* Map or unmap through the step callbacks, with VAs preallocated (panthor, imagination). */
static void gpuvm_test_via_steps(struct gpuvm_test *t, bool map, u64 addr, u64 range,
				 int bo, u64 offset)
{
	struct gpuvm_test_obj *o = map ? gpuvm_test_obj(t, bo) : NULL;
	struct gpuvm_test_steps s = { .t = t, .map = map };${v.mapReq ? `
	struct drm_gpuvm_map_req req = {
		.map.va.addr = addr,
		.map.va.range = range,
		.map.gem.obj = o ? &o->gem : NULL,
		.map.gem.offset = offset,
	};` : ''}

${
  deferUnlink
    ? `	/* An immediate-mode driver checks its VM's mode before anything else. */
	if (t->defer && !t->immediate) {
		t->ret = -EINVAL;
		return;
	}
	t->deferring = t->defer;
`
    : ''
}	gpuvm_test_prealloc(t, map ? 3 : 2);
	gpuvm_test_lock(t);
	if (o) {
		s.vm_bo = ${vmBo(true)};
		if (!s.vm_bo)
			goto out;
	}
	if (map)
		t->ret = ${v.mapReq ? 'drm_gpuvm_sm_map(&t->vm, &s, &req);' : 'drm_gpuvm_sm_map(&t->vm, &s, addr, range, o ? &o->gem : NULL,\n\t\t\t\t\t  offset);'}
	else
		t->ret = drm_gpuvm_sm_unmap(&t->vm, &s, addr, range);${
  deferUnlink
    ? `
	/*
	 * A request rejected before any step is undone with an ordinary put (the
	 * ioctl path); once the walk ran, a defer command puts deferred (run_job).
	 */
	if (s.vm_bo && t->deferring && (!t->ret || t->nops))
		drm_gpuvm_bo_put_deferred(s.vm_bo);
	else if (s.vm_bo)
		${put('s.vm_bo')};
out:
	t->deferring = false;`
    : `
	if (s.vm_bo)
		${put('s.vm_bo')};
out:`
}
	gpuvm_test_unlock(t);
}
`,
    );
  }

  if (f.map) {
    add(
      'map',
      ['command', 'ops_mode', 'steps_mode'],
      `
/* map ADDR+RANGE -> BO @OFFSET, through an ops list or the step callbacks */
static void gpuvm_test_map(struct gpuvm_test *t, enum gpuvm_test_via via, u64 addr,
			   u64 range, int bo, u64 offset)
{
	gpuvm_test_begin(t, "map");
	if (via == GPUVM_TEST_STEPS)
		gpuvm_test_via_steps(t, true, addr, range, bo, offset);
	else
		gpuvm_test_via_ops(t, GPUVM_TEST_MAP, addr, range, bo, offset);
	gpuvm_test_end(t);
}
`,
    );
  }
  if (f.unmap) {
    add(
      'unmap',
      ['command', 'ops_mode', 'steps_mode'],
      `
/* unmap ADDR+RANGE, through an ops list or the step callbacks */
static void gpuvm_test_unmap(struct gpuvm_test *t, enum gpuvm_test_via via, u64 addr,
			     u64 range)
{
	gpuvm_test_begin(t, "unmap");
	if (via == GPUVM_TEST_STEPS)
		gpuvm_test_via_steps(t, false, addr, range, GPUVM_TEST_NULL, 0);
	else
		gpuvm_test_via_ops(t, GPUVM_TEST_UNMAP, addr, range, GPUVM_TEST_NULL, 0);
	gpuvm_test_end(t);
}
`,
    );
  }

  if (f.failAt) {
    add(
      'fail_at',
      ['types'],
      `
/* failAt K: the next command's op or step K fails with -EIO. */
static void gpuvm_test_fail_at(struct gpuvm_test *t, unsigned int k)
{
	t->fail_at = k;
}
`,
    );
  }
  if (f.allocFailAt) {
    add(
      'alloc_fail_at',
      ['types', 'hooks'],
      `
/* allocFailAt K: the next command's K-th op allocation fails. */
static void gpuvm_test_alloc_fail_at(struct gpuvm_test *t, unsigned int k)
{
	t->alloc_fail_at = k;
}
`,
    );
  }

  if (f.prefetch) {
    add(
      'prefetch',
      ['command', 'see'],
      `
/* prefetch ADDR+RANGE: one PREFETCH per VA there; the list is freed at once. */
static void gpuvm_test_prefetch(struct gpuvm_test *t, u64 addr, u64 range)
{
	struct drm_gpuva_ops *ops;
	struct drm_gpuva_op *op;

	gpuvm_test_begin(t, "prefetch");
	ops = drm_gpuvm_prefetch_ops_create(&t->vm, addr, range);
	if (IS_ERR(ops)) {
		t->ret = PTR_ERR(ops);
	} else {
		drm_gpuva_for_each_op(op, ops)
			gpuvm_test_see(t, op);
		drm_gpuva_ops_free(&t->vm, ops);
	}
	gpuvm_test_end(t);
}
`,
    );
  }

  if (f.boUnmap) {
    add(
      'bo_unmap',
      ['obj', 'command', 'see', 'lock', 'objects', ...gpuvaDeps],
      `
/* bo_unmap BO: unmap every VA of the object's vm_bo (xe's UNMAP_ALL). */
static void gpuvm_test_bo_unmap(struct gpuvm_test *t, int bo)
{
	struct gpuvm_test_obj *o = gpuvm_test_obj(t, bo);
	struct drm_gpuvm_bo *vm_bo;
	struct drm_gpuva_ops *ops;
	struct drm_gpuva_op *op;

	gpuvm_test_begin(t, "bo_unmap");
	gpuvm_test_lock(t);${wrap ? '\n\tgpuvm_test_gpuva_lock(t, &o->gem);' : ''}
	vm_bo = drm_gpuvm_bo_find(&t->vm, &o->gem);${wrap ? '\n\tgpuvm_test_gpuva_unlock(t, &o->gem);' : ''}
	if (!vm_bo)
		goto out_unlock;${wrap ? '\n\tgpuvm_test_gpuva_lock(t, &o->gem);' : ''}
	ops = drm_gpuvm_bo_unmap_ops_create(vm_bo);${wrap ? '\n\tgpuvm_test_gpuva_unlock(t, &o->gem);' : ''}
	if (IS_ERR(ops)) {
		t->ret = PTR_ERR(ops);
		goto out_put;
	}
	drm_gpuva_for_each_op(op, ops)
		gpuvm_test_see(t, op);
	drm_gpuva_for_each_op(op, ops) {
		if (op->op != DRM_GPUVA_OP_UNMAP) {
			gpuvm_test_fail(t, "a bo_unmap ops list holds another kind of op");
			break;
		}
		${unlink('op->unmap.va')};
		drm_gpuva_unmap(&op->unmap);
	}
	drm_gpuva_ops_free(&t->vm, ops);
out_put:
	${put('vm_bo')};
out_unlock:
	gpuvm_test_unlock(t);
	gpuvm_test_end(t);
}
`,
    );
  }

  if (f.insert) {
    add(
      'insert',
      ['obj', 'command', 'lock', 'objects', 'vm_bo', ...gpuvaDeps, ...linkDeps],
      `
/* insert ADDR+RANGE -> BO @OFFSET: drm_gpuva_insert(), then link it. */
static void gpuvm_test_insert(struct gpuvm_test *t, u64 addr, u64 range, int bo,
			      u64 offset)
{
	struct gpuvm_test_obj *o = gpuvm_test_obj(t, bo);
	struct drm_gpuvm_bo *vm_bo;
	struct drm_gpuva *va;

	gpuvm_test_begin(t, "insert");
	va = kunit_kzalloc(t->test, sizeof(*va), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(t->test, va);
	va->va.addr = addr;
	va->va.range = range;
	va->gem.obj = o ? &o->gem : NULL;
	va->gem.offset = offset;
	gpuvm_test_lock(t);
	t->ret = drm_gpuva_insert(&t->vm, va);
	if (!t->ret && o) {
		vm_bo = ${vmBo(false)};
		if (vm_bo) {
			${link('va', 'vm_bo')};
			${put('vm_bo')};
		}
	}
	gpuvm_test_unlock(t);
	gpuvm_test_end(t);
}
`,
    );
  }

  if (f.remove) {
    add(
      'remove',
      ['command', 'lock', 'objects', ...gpuvaDeps],
      `
/*
 * remove ADDR+RANGE: the VA exactly there, unlinked and removed; -ENOENT if
 * none. drm_gpuva_remove() refuses the reserved node with a WARN${v.warnSuppress ? ' (expected)' : ''}.
 */
static void gpuvm_test_remove(struct gpuvm_test *t, u64 addr, u64 range)
{
	struct drm_gpuva *va;

	gpuvm_test_begin(t, "remove");
	va = drm_gpuva_find(&t->vm, addr, range);
	if (!va) {
		t->ret = -ENOENT;
		goto out;
	}
	gpuvm_test_lock(t);
	if (va == &t->vm.kernel_alloc_node) {${v.warnSuppress ? '\n\t\tt->warnings_expected = 1;' : ''}
		drm_gpuva_remove(va);
		if (gpuvm_test_in_tree(va))
			t->ret = -EINVAL;
	} else {
		${unlink('va')};
		drm_gpuva_remove(va);
	}
	gpuvm_test_unlock(t);
out:
	gpuvm_test_end(t);
}
`,
    );
  }

  if (f.find || f.findFirst || f.findPrev || f.findNext) {
    add(
      'expect_va',
      ['command', 'objects', 'expect_piece'],
      `
/* The VA a query found; @want NULL: none. */
static void gpuvm_test_expect_va(struct gpuvm_test *t,
				 const struct gpuvm_test_piece *want)
{
	struct gpuvm_test_piece got;

	gpuvm_test_expect_int(t, "a VA was found", !!t->found, !!want);
	if (!t->found || !want)
		return;
	gpuvm_test_va_piece(t, t->found, &got);
	gpuvm_test_expect_piece(t, "the VA found", &got, want);
}
`,
    );
  }
  const query = (fn: string, name: string, params: string, call: string, doc: string): void => {
    add(
      fn,
      ['command', 'expect_va'],
      `
/* ${doc} */
static void gpuvm_test_${fn}(struct gpuvm_test *t, ${params})
{
	gpuvm_test_begin(t, "${name}");
	t->found = ${call};
	gpuvm_test_end(t);
}
`,
    );
  };
  if (f.find) query('find', 'find', 'u64 addr, u64 range', 'drm_gpuva_find(&t->vm, addr, range)', 'find ADDR+RANGE: the VA exactly there');
  if (f.findFirst) {
    query('find_first', 'find_first', 'u64 addr, u64 range', 'drm_gpuva_find_first(&t->vm, addr, range)', 'find_first ADDR+RANGE: the lowest VA overlapping it');
  }
  if (f.findPrev && v.findPrev) query('find_prev', 'find_prev', 'u64 start', 'drm_gpuva_find_prev(&t->vm, start)', 'find_prev START: the VA ending at START');
  if (f.findNext && v.findPrev) query('find_next', 'find_next', 'u64 end', 'drm_gpuva_find_next(&t->vm, end)', 'find_next END: the VA starting at END');

  if (f.intervalEmpty) {
    add(
      'interval_empty',
      ['command', 'fail'],
      `
/* interval_empty ADDR+RANGE */
static void gpuvm_test_interval_empty(struct gpuvm_test *t, u64 addr, u64 range)
{
	gpuvm_test_begin(t, "interval_empty");
	t->empty = drm_gpuvm_interval_empty(&t->vm, addr, range);
	gpuvm_test_end(t);
}

static void gpuvm_test_expect_empty(struct gpuvm_test *t, bool empty)
{
	gpuvm_test_expect_int(t, "empty", t->empty, empty);
}
`,
    );
  }

  if (f.boGet) {
    add(
      'bo_get',
      ['obj', 'command', 'lock', 'objects', 'vm_bo'],
      `
/* bo_get BO: the test takes a vm_bo reference of its own (obtain, extobj add). */
static void gpuvm_test_bo_get(struct gpuvm_test *t, int bo)
{
	struct gpuvm_test_obj *o = gpuvm_test_obj(t, bo);
	struct gpuvm_test_ref *ref;

	gpuvm_test_begin(t, "bo_get");
	ref = kunit_kzalloc(t->test, sizeof(*ref), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(t->test, ref);
	gpuvm_test_lock(t);
	ref->vm_bo = ${vmBo(false)};
	gpuvm_test_unlock(t);
	if (ref->vm_bo)
		list_add(&ref->entry, &o->held);
	gpuvm_test_end(t);
}
`,
    );
  }
  const putDeferred = f.boPutDeferred && v.unlinkDefer;
  if (f.boPut || putDeferred) {
    add(
      'bo_drop',
      ['obj', 'command', 'lock', 'objects', ...gpuvaDeps],
      `
/*
 * Drops the newest reference bo_get took${putDeferred ? ', deferred if @deferred\n * (drm_gpuvm_bo_put_deferred(): the last one leaves a zombie for the\n * deferred cleanup)' : ''}; -ENOENT if none.
 */
static void gpuvm_test_bo_drop(struct gpuvm_test *t, int bo${putDeferred ? ', bool deferred' : ''})
{
	struct gpuvm_test_obj *o = gpuvm_test_obj(t, bo);
	struct gpuvm_test_ref *ref;

	ref = list_first_entry_or_null(&o->held, struct gpuvm_test_ref, entry);
	if (!ref) {
		t->ret = -ENOENT;
		return;
	}
	list_del(&ref->entry);
	gpuvm_test_lock(t);${
    putDeferred
      ? `
	if (deferred)
		drm_gpuvm_bo_put_deferred(ref->vm_bo);
	else
		${put('ref->vm_bo')};`
      : `
	${put('ref->vm_bo')};`
  }
	gpuvm_test_unlock(t);
}
`,
    );
  }
  if (f.boPut) {
    add(
      'bo_put',
      ['command', 'bo_drop'],
      `
/* bo_put BO */
static void gpuvm_test_bo_put(struct gpuvm_test *t, int bo)
{
	gpuvm_test_begin(t, "bo_put");
	gpuvm_test_bo_drop(t, bo${putDeferred ? ', false' : ''});
	gpuvm_test_end(t);
}
`,
    );
  }
  if (putDeferred) {
    add(
      'bo_put_deferred',
      ['command', 'bo_drop'],
      `
/* bo_put_deferred BO */
static void gpuvm_test_bo_put_deferred(struct gpuvm_test *t, int bo)
{
	gpuvm_test_begin(t, "bo_put_deferred");
	gpuvm_test_bo_drop(t, bo, true);
	gpuvm_test_end(t);
}
`,
    );
  }

  if (f.deferredCleanup && v.unlinkDefer) {
    add(
      'deferred_cleanup',
      ['command'],
      `
/* deferred_cleanup: frees the zombie vm_bos, with no lock held. */
static void gpuvm_test_deferred_cleanup(struct gpuvm_test *t)
{
	gpuvm_test_begin(t, "deferred_cleanup");
	drm_gpuvm_bo_deferred_cleanup(&t->vm);
	gpuvm_test_end(t);
}
`,
    );
  }

  if (f.madvise && v.madvise) {
    add(
      'madvise',
      ['command', 'ops_mode'],
      `
/* madvise ADDR+RANGE -> BO @OFFSET: an ops list splitting the VAs without an object */
static void gpuvm_test_madvise(struct gpuvm_test *t, u64 addr, u64 range, int bo,
			       u64 offset)
{
	gpuvm_test_begin(t, "madvise");
	gpuvm_test_via_ops(t, GPUVM_TEST_MADVISE, addr, range, bo, offset);
	gpuvm_test_end(t);
}
`,
    );
  }

  if (f.defer && v.unlinkDefer) {
    add(
      'defer',
      ['types'],
      `
/* defer: the next steps-mode command unlinks and puts deferred, as run_job does. */
static void gpuvm_test_defer(struct gpuvm_test *t)
{
	t->defer = true;
}
`,
    );
  }

  if (f.vmFlags) {
    add(
      'flags',
      ['types'],
      `
/* The VM's mode flags, before gpuvm_test_setup(). */
static void gpuvm_test_flags(struct gpuvm_test *t, enum drm_gpuvm_flags flags)
{
	t->flags = flags;${v.immediateMode ? '\n\tt->immediate = flags & DRM_GPUVM_IMMEDIATE_MODE;' : ''}
}
`,
    );
  }

  if (f.evict) {
    add(
      'evict',
      ['obj', 'command', 'objects', ...gpuvaDeps],
      `
/* evict BO true|false: every vm_bo of the object, with its dma-resv held. */
static void gpuvm_test_evict(struct gpuvm_test *t, int bo, bool evict)
{
	struct gpuvm_test_obj *o = gpuvm_test_obj(t, bo);

	gpuvm_test_begin(t, "evict");
	dma_resv_lock(o->gem.resv, NULL);${wrap ? '\n\tgpuvm_test_gpuva_lock(t, &o->gem);' : ''}
	drm_gpuvm_bo_gem_evict(&o->gem, evict);${wrap ? '\n\tgpuvm_test_gpuva_unlock(t, &o->gem);' : ''}
	dma_resv_unlock(o->gem.resv);
	gpuvm_test_end(t);
}
`,
    );
  }

  if (f.validate) {
    add(
      'validate',
      ['command', 'objects', 'fail'],
      `
/* Validating a vm_bo un-evicts it; the order is recorded. */
static int gpuvm_test_vm_bo_validate(struct drm_gpuvm_bo *vm_bo, struct drm_exec *exec)
{
	struct gpuvm_test *t = container_of(vm_bo->vm, struct gpuvm_test, vm);

	if (t->nvalidated < 2 * t->nobjs)
		t->validated[t->nvalidated] = gpuvm_test_id(t, vm_bo->obj);
	t->nvalidated++;
	drm_gpuvm_bo_evict(vm_bo, false);
	return 0;
}

/* validate: drm_gpuvm_exec_lock() (the VM and its extobjs), drm_gpuvm_validate(). */
static void gpuvm_test_validate(struct gpuvm_test *t)
{
	struct drm_gpuvm_exec vm_exec = { .vm = &t->vm };

	gpuvm_test_begin(t, "validate");
	if (!t->validated) {
		t->validated = kunit_kcalloc(t->test, 2 * t->nobjs + 1, sizeof(int), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(t->test, t->validated);
	}
	t->ret = drm_gpuvm_exec_lock(&vm_exec);
	if (!t->ret) {
		t->ret = drm_gpuvm_validate(&t->vm, &vm_exec.exec);
		drm_gpuvm_exec_unlock(&vm_exec);
	}
	gpuvm_test_end(t);
}

/* The objects validated, in order; the list ends with GPUVM_TEST_END. */
static void gpuvm_test_expect_validated(struct gpuvm_test *t, const int *want)
{
	unsigned int n = 0, i;
	char what[40];

	gpuvm_test_expect_ret(t, 0);
	while (want[n] != GPUVM_TEST_END)
		n++;
	gpuvm_test_expect_int(t, "the number of vm_bos validated", t->nvalidated, n);
	for (i = 0; i < n && i < t->nvalidated && i < 2 * t->nobjs; i++) {
		snprintf(what, sizeof(what), "vm_bo %u validated", i + 1);
		gpuvm_test_expect_int(t, what, t->validated[i], want[i]);
	}
}
`,
    );
  }

  if (f.unsupported) {
    add(
      'unsupported',
      ['command'],
      `
/* A command the case cannot run on this tree: it is skipped from here. */
static void gpuvm_test_unsupported(struct gpuvm_test *t, const char *cmd,
				   const char *why)
{
	gpuvm_test_gate(t);
	t->step++;
	kunit_skip(t->test, "command %d (%s): %s", t->step, cmd, why);
}
`,
    );
  }

  const opsFields = [
    '\t.vm_free = gpuvm_test_vm_free,',
    '\t.op_alloc = gpuvm_test_op_alloc,',
    '\t.op_free = gpuvm_test_op_free,',
    ...(f.validate ? ['\t.vm_bo_validate = gpuvm_test_vm_bo_validate,'] : []),
    ...(mapUnmap
      ? ['\t.sm_step_map = gpuvm_test_step_map,', '\t.sm_step_remap = gpuvm_test_step_remap,', '\t.sm_step_unmap = gpuvm_test_step_unmap,']
      : []),
  ];
  add(
    'vm_ops',
    ['hooks', ...(f.validate ? ['validate'] : []), ...(mapUnmap ? ['steps_mode'] : [])],
    `
static const struct drm_gpuvm_ops gpuvm_test_vm_ops = {
${opsFields.join('\n')}
};
`,
  );
  return out;
}

/**
 * The helpers for `features` on variant `v`, in dependency order (each
 * chunk after those it uses), as one block of C.
 */
export function helpersC(v: KunitVariant, features: HelperFeatures, maxOps: number): string {
  const all = chunks(v, features, maxOps);
  const byName = new Map(all.map((c) => [c.name, c] as const));
  const roots = ['fixture', 'command', 'expect_state'];
  if (features.map || features.unmap || features.madvise || features.prefetch || features.boUnmap) roots.push('expect_ops');
  for (const c of all) {
    if (!['types', 'fail', 'hooks', 'lock', 'objects', 'obj', 'see', 'expect_piece', 'expect_ops', 'expect_state', 'vm_bo', 'apply', 'ops_mode', 'steps_mode', 'vm_ops', 'gpuva', 'link', 'bo_drop'].includes(c.name)) {
      roots.push(c.name);
    }
  }
  const emitted: Chunk[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const c = byName.get(name);
    if (c === undefined) throw new Error(`internal: helper chunk ${name} is not defined`);
    for (const d of c.deps) visit(d);
    emitted.push(c);
  };
  for (const r of roots) visit(r);
  return emitted.map((c) => c.code).join('\n');
}
