/* SPDX-License-Identifier: MIT */
/*
 * json.h - a small JSON reader and writer, enough for the subject protocol
 * (docs/subject-protocol.md): one request per line in, one reply per line
 * out. u64 values travel as hex or decimal strings, or safe-integer numbers.
 */
#ifndef GPUVM_DRIVER_JSON_H
#define GPUVM_DRIVER_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

/**
 * struct json - a parsed value. Arrays and objects hold their members as a
 * linked list through @next; object members carry their @key.
 */
struct json {
	enum json_type type;
	bool boolean;
	/* JSON_NUMBER: the number's text; JSON_STRING: the decoded string. */
	const char *text;
	size_t len;
	const char *key;
	struct json *first;
	struct json *next;
};

/**
 * json_parse() - parse one JSON document from @text (NUL-terminated).
 *
 * Values are allocated from an arena that json_parse() resets on each call,
 * so the result stays valid until the next call. Returns NULL on a syntax
 * error and points @err at a static description.
 */
struct json *json_parse(const char *text, const char **err);

/** json_get() - the member @key of object @obj, or NULL (also for a non-object). */
const struct json *json_get(const struct json *obj, const char *key);

/** json_is_str() - whether @v is the string @s. */
bool json_is_str(const struct json *v, const char *s);

/**
 * json_u64() - read a u64: a hex string ("0x..."), a decimal string, or a
 * non-negative integer number up to 2^53. Returns false for anything else
 * (including values >= 2^64).
 */
bool json_u64(const struct json *v, uint64_t *out);

/** json_int() - read an integer number in [@min, @max]. */
bool json_int(const struct json *v, long long min, long long max, long long *out);

/* ---- writer -------------------------------------------------------------- */

/**
 * struct jw - a JSON writer into a growable buffer. Commas are inserted by
 * the writer: call jw_key() before each member of an object.
 */
struct jw {
	char *buf;
	size_t len;
	size_t cap;
	/* Bit i: whether level i already holds a value (a comma is due). */
	uint64_t nonempty;
	unsigned int depth;
	/* A member name was written; its value needs no comma. */
	bool after_key;
};

void jw_reset(struct jw *w);
void jw_begin_object(struct jw *w);
void jw_end_object(struct jw *w);
void jw_begin_array(struct jw *w);
void jw_end_array(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_string(struct jw *w, const char *s);
void jw_u64(struct jw *w, uint64_t v);	/* as a lowercase hex string */
void jw_int(struct jw *w, long long v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/** jw_raw() - append text that is already a JSON value. */
void jw_raw(struct jw *w, const char *text, size_t len);

#endif
