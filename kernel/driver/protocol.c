// SPDX-License-Identifier: MIT
/*
 * protocol.c - the subject protocol, version 1 (docs/subject-protocol.md):
 * one JSON request per line on standard input, one reply per line on
 * standard output; diagnostics go to standard error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "json.h"
#include "protocol.h"

#ifndef GPUVM_TREE_NAME
#define GPUVM_TREE_NAME "unknown tree"
#endif

static struct jw out, obs, snap, extra;
static bool have_reset;

static void emit(void)
{
	fwrite(out.buf, 1, out.len, stdout);
	fputc('\n', stdout);
	fflush(stdout);
}

static void reply_begin(const char *req)
{
	jw_reset(&out);
	jw_begin_object(&out);
	jw_key(&out, "reply");
	jw_string(&out, req);
}

static void reply_threw(const char *req, const char *msg)
{
	reply_begin(req);
	jw_key(&out, "threw");
	jw_string(&out, msg);
	jw_end_object(&out);
	emit();
}

static void hello(const struct driver_options *opts)
{
	reply_begin("hello");
	jw_key(&out, "protocol");
	jw_int(&out, 1);
	jw_key(&out, "name");
	{
		char name[200];

		char fail[64] = "";

		if (opts->kmalloc_fail_at)
			snprintf(fail, sizeof(fail), " (kmalloc %lu of each map/unmap fails)",
				 opts->kmalloc_fail_at);
		snprintf(name, sizeof(name), "kernel %s drm_gpuvm%s%s", GPUVM_TREE_NAME, fail,
#if defined(__SANITIZE_ADDRESS__)
			 " +asan+ubsan"
#else
			 ""
#endif
			 );
		jw_string(&out, name);
	}
	jw_key(&out, "capabilities");
	jw_begin_object(&out);
	jw_key(&out, "commands");
	jw_begin_array(&out);
	for (int k = 0; k < CMD_KINDS; k++) {
		if ((k == CMD_FIND_PREV || k == CMD_FIND_NEXT) && !driver_has_find_prev())
			continue;
		if (k == CMD_MADVISE && !driver_has_madvise())
			continue;
		if ((k == CMD_BO_PUT_DEFERRED || k == CMD_DEFERRED_CLEANUP) && !driver_has_defer())
			continue;
		jw_string(&out, cmd_names[k]);
	}
	jw_end_array(&out);
	jw_key(&out, "via");
	jw_begin_array(&out);
	jw_string(&out, "ops");
	jw_string(&out, "steps");
	jw_end_array(&out);
	jw_key(&out, "failAt");
	jw_bool(&out, true);
	jw_key(&out, "allocFailAt");
	jw_bool(&out, true);
	jw_key(&out, "accounting");
	jw_bool(&out, true);
	jw_key(&out, "vmFlags");
	jw_begin_array(&out);
	if (driver_has_immediate_mode())
		jw_string(&out, "immediate");
	jw_string(&out, "resvProtected");
	jw_end_array(&out);
	jw_key(&out, "defer");
	jw_bool(&out, driver_has_defer());
	jw_end_object(&out);
	jw_end_object(&out);
	emit();
}

/* ---- decoding ------------------------------------------------------------ */

static bool field_u64(const struct json *o, const char *key, uint64_t *v,
		      char *err, size_t len)
{
	if (json_u64(json_get(o, key), v))
		return true;
	snprintf(err, len, "field \"%s\": expected a u64", key);
	return false;
}

/* The header flag @key of the request's "flags" (absent: false). */
static bool flag(const struct json *req, const char *key, bool *v, char *err, size_t len)
{
	const struct json *f = json_get(json_get(req, "flags"), key);

	*v = false;
	if (!f || f->type == JSON_NULL)
		return true;
	if (f->type != JSON_BOOL) {
		snprintf(err, len, "field \"flags.%s\": expected true or false", key);
		return false;
	}
	*v = f->boolean;
	return true;
}

static bool reset(const struct json *req, char *msg, size_t len)
{
	const struct json *vm = json_get(req, "vm");
	const struct json *objects = json_get(req, "objects");
	const struct json *reserve = json_get(vm, "reserve");
	struct vm_config cfg = { 0 };
	struct obj_decl *decls;
	unsigned int n = 0;
	bool ok;

	if (!vm || vm->type != JSON_OBJECT) {
		snprintf(msg, len, "field \"vm\": expected an object");
		return false;
	}
	if (!field_u64(vm, "start", &cfg.start, msg, len) ||
	    !field_u64(vm, "range", &cfg.range, msg, len))
		return false;
	if (!flag(req, "immediate", &cfg.immediate, msg, len) ||
	    !flag(req, "resvProtected", &cfg.resv_protected, msg, len))
		return false;
	if (reserve && reserve->type != JSON_NULL) {
		cfg.has_reserve = true;
		if (!field_u64(reserve, "addr", &cfg.reserve_addr, msg, len) ||
		    !field_u64(reserve, "range", &cfg.reserve_range, msg, len))
			return false;
	}
	if (!objects || objects->type != JSON_ARRAY) {
		snprintf(msg, len, "field \"objects\": expected an array");
		return false;
	}
	for (const struct json *o = objects->first; o; o = o->next)
		n++;
	decls = calloc(n ? n : 1, sizeof(*decls));
	if (!decls)
		abort();
	n = 0;
	for (const struct json *o = objects->first; o; o = o->next, n++) {
		const struct json *ext = json_get(o, "external");

		if (!json_int(json_get(o, "bo"), 0, 9007199254740991LL, &decls[n].bo)) {
			snprintf(msg, len, "objects[%u].bo: expected a non-negative integer", n);
			free(decls);
			return false;
		}
		decls[n].external = ext && ext->type == JSON_BOOL && ext->boolean;
	}
	ok = driver_reset(&cfg, decls, n, msg, len);
	free(decls);
	return ok;
}

static bool kind_of(const struct json *name, enum cmd_kind *kind)
{
	if (!name || name->type != JSON_STRING)
		return false;
	for (int k = 0; k < CMD_KINDS; k++)
		if (strcmp(name->text, cmd_names[k]) == 0) {
			*kind = (enum cmd_kind)k;
			return true;
		}
	return false;
}

static bool field_bo(const struct json *o, bool nullable, long long *bo,
		     char *err, size_t len)
{
	const struct json *v = json_get(o, "bo");

	if (nullable && v && v->type == JSON_NULL) {
		*bo = -1;
		return true;
	}
	if (!json_int(v, 0, 9007199254740991LL, bo)) {
		snprintf(err, len, "field \"bo\": expected an object id%s",
			 nullable ? " or null" : "");
		return false;
	}
	if (!driver_has_object(*bo)) {
		snprintf(err, len, "field \"bo\": object %lld is not declared", *bo);
		return false;
	}
	return true;
}

static bool field_count(const struct json *o, const char *key,
			unsigned long *v, char *err, size_t len)
{
	const struct json *f = json_get(o, key);
	long long n;

	if (!f) {
		*v = 0;
		return true;
	}
	if (!json_int(f, 1, 9007199254740991LL, &n)) {
		snprintf(err, len, "field \"%s\": expected an integer >= 1", key);
		return false;
	}
	*v = (unsigned long)n;
	return true;
}

/* Decodes one command (PROTOCOL.md section 3); unknown fields are ignored. */
static bool decode(const struct json *j, struct cmd *c, char *err, size_t len)
{
	const struct json *via;

	memset(c, 0, sizeof(*c));
	c->bo = -1;
	if (!j || j->type != JSON_OBJECT || !kind_of(json_get(j, "cmd"), &c->kind)) {
		snprintf(err, len, "field \"command\": expected a command object with a known \"cmd\"");
		return false;
	}
	switch (c->kind) {
	case CMD_MAP:
	case CMD_INSERT:
	case CMD_MADVISE:
		if (!field_u64(j, "offset", &c->offset, err, len) ||
		    !field_bo(j, true, &c->bo, err, len))
			return false;
		/* fall through */
	case CMD_UNMAP:
	case CMD_PREFETCH:
	case CMD_REMOVE:
	case CMD_FIND:
	case CMD_FIND_FIRST:
	case CMD_INTERVAL_EMPTY:
		if (!field_u64(j, "addr", &c->addr, err, len) ||
		    !field_u64(j, "range", &c->range, err, len))
			return false;
		break;
	case CMD_FIND_PREV:
		return field_u64(j, "start", &c->start, err, len);
	case CMD_FIND_NEXT:
		return field_u64(j, "end", &c->end, err, len);
	case CMD_EVICT: {
		const struct json *e = json_get(j, "evict");

		if (!e || e->type != JSON_BOOL) {
			snprintf(err, len, "field \"evict\": expected true or false");
			return false;
		}
		c->evict = e->boolean;
	}
		/* fall through */
	case CMD_BO_UNMAP:
	case CMD_BO_GET:
	case CMD_BO_PUT:
	case CMD_BO_PUT_DEFERRED:
		return field_bo(j, false, &c->bo, err, len);
	default:
		return true;
	}
	if (c->kind == CMD_MADVISE)
		return field_count(j, "failAt", &c->fail_at, err, len) &&
		       field_count(j, "allocFailAt", &c->alloc_fail_at, err, len);
	if (c->kind != CMD_MAP && c->kind != CMD_UNMAP)
		return true;
	via = json_get(j, "via");
	if (via && !json_is_str(via, "ops") && !json_is_str(via, "steps")) {
		snprintf(err, len, "field \"via\": expected \"ops\" or \"steps\"");
		return false;
	}
	c->steps = json_is_str(via, "steps");
	{
		const struct json *defer = json_get(j, "defer");

		if (defer && defer->type != JSON_BOOL) {
			snprintf(err, len, "field \"defer\": expected true or false");
			return false;
		}
		c->defer = defer && defer->boolean;
	}
	return field_count(j, "failAt", &c->fail_at, err, len) &&
	       field_count(j, "allocFailAt", &c->alloc_fail_at, err, len);
}

static void exec(const struct json *req)
{
	char threw[600];
	long long index = 0;
	struct cmd c;

	if (!json_int(json_get(req, "index"), 0, 9007199254740991LL, &index)) {
		reply_threw("exec", "field \"index\": expected a non-negative integer");
		return;
	}
	if (!have_reset) {
		snprintf(threw, sizeof(threw), "exec before reset");
	} else if (!decode(json_get(req, "command"), &c, threw, sizeof(threw))) {
		/* threw holds the decoding error */
	} else if (driver_exec(&c, &obs, threw, sizeof(threw)) &&
		   driver_snapshot(&snap, threw, sizeof(threw))) {
		reply_begin("exec");
		jw_key(&out, "index");
		jw_int(&out, index);
		jw_key(&out, "observation");
		jw_raw(&out, obs.buf, obs.len);
		jw_key(&out, "snapshot");
		jw_raw(&out, snap.buf, snap.len);
		jw_key(&out, "accounting");
		jw_reset(&extra);
		driver_accounting(&extra);
		jw_raw(&out, extra.buf, extra.len);
		jw_reset(&extra);
		if (driver_reports(&extra)) {
			jw_key(&out, "reports");
			jw_raw(&out, extra.buf, extra.len);
		}
		jw_end_object(&out);
		emit();
		return;
	}
	reply_begin("exec");
	jw_key(&out, "index");
	jw_int(&out, index);
	jw_key(&out, "threw");
	jw_string(&out, threw);
	jw_end_object(&out);
	emit();
}

static void snapshot(void)
{
	char threw[600];

	if (!have_reset) {
		reply_threw("snapshot", "snapshot before reset");
		return;
	}
	if (!driver_snapshot(&snap, threw, sizeof(threw))) {
		reply_threw("snapshot", threw);
		return;
	}
	reply_begin("snapshot");
	jw_key(&out, "snapshot");
	jw_raw(&out, snap.buf, snap.len);
	jw_end_object(&out);
	emit();
}

int protocol_serve(const struct driver_options *opts)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	driver_init(opts);
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		const struct json *req, *kind;
		const char *err = NULL;

		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0)
			continue;
		req = json_parse(line, &err);
		kind = json_get(req, "req");
		if (!req || !kind || kind->type != JSON_STRING) {
			fprintf(stderr, "gpuvm-kernel-subject: not a request (%s): %.200s\n",
				req ? "no \"req\" field" : err, line);
			reply_threw("error", "not a request");
			continue;
		}
		if (json_is_str(kind, "hello")) {
			hello(opts);
		} else if (json_is_str(kind, "reset")) {
			char msg[300];

			have_reset = reset(req, msg, sizeof(msg));
			reply_begin("reset");
			jw_key(&out, "ok");
			jw_bool(&out, have_reset);
			if (!have_reset) {
				jw_key(&out, "message");
				jw_string(&out, msg);
			} else if (driver_snapshot(&snap, msg, sizeof(msg))) {
				/* The state after the reset: no snapshot request needed. */
				jw_key(&out, "snapshot");
				jw_raw(&out, snap.buf, snap.len);
			}
			jw_end_object(&out);
			emit();
		} else if (json_is_str(kind, "exec")) {
			exec(req);
		} else if (json_is_str(kind, "snapshot")) {
			snapshot();
		} else if (json_is_str(kind, "close")) {
			reply_begin("close");
			jw_end_object(&out);
			emit();
			break;
		} else {
			reply_threw(kind->text, "unknown request");
		}
	}
	free(line);
	driver_close();
	return 0;
}
