// SPDX-License-Identifier: MIT
/*
 * json.c - the protocol's JSON reader (an arena-backed recursive-descent
 * parser) and writer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* ---- arena --------------------------------------------------------------- */

struct chunk {
	struct chunk *next;
	size_t used;
	size_t cap;
	char data[];
};

static struct chunk *arena;

static void arena_reset(void)
{
	struct chunk *c = arena;

	if (!c)
		return;
	/* Keep the newest chunk (the head), drop the older ones. */
	while (c->next) {
		struct chunk *n = c->next;

		c->next = n->next;
		free(n);
	}
	c->used = 0;
}

static void *arena_alloc(size_t size)
{
	struct chunk *c = arena;

	size = (size + 15) & ~(size_t)15;
	if (!c || c->used + size > c->cap) {
		size_t cap = size > (1 << 16) ? size : (1 << 16);
		struct chunk *n = malloc(sizeof(*n) + cap);

		if (!n) {
			fputs("gpuvm-kernel-subject: out of memory\n", stderr);
			abort();
		}
		n->used = 0;
		n->cap = cap;
		/* The new chunk serves now; the older chain stays behind it. */
		n->next = c;
		arena = n;
		c = n;
	}
	c->used += size;
	return c->data + c->used - size;
}

/* ---- reader -------------------------------------------------------------- */

struct parser {
	const char *p;
	const char *err;
	unsigned int depth;
};

#define MAX_DEPTH 64

static void skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
}

static struct json *new_value(enum json_type type)
{
	struct json *v = arena_alloc(sizeof(*v));

	memset(v, 0, sizeof(*v));
	v->type = type;
	return v;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Appends code point @cp as UTF-8 at @out; returns the bytes written. */
static size_t put_utf8(char *out, unsigned long cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static bool parse_hex4(struct parser *ps, unsigned long *out)
{
	unsigned long v = 0;

	for (int i = 0; i < 4; i++) {
		int d = hex_digit(ps->p[i]);

		if (d < 0) {
			ps->err = "bad \\u escape";
			return false;
		}
		v = v * 16 + (unsigned long)d;
	}
	ps->p += 4;
	*out = v;
	return true;
}

static const char *parse_string_text(struct parser *ps, size_t *len_out)
{
	const char *start = ++ps->p;	/* past the opening quote */
	char *out, *o;

	/* First pass: find the end (decoding only shrinks the text). */
	while (*ps->p != '"') {
		if (*ps->p == '\0') {
			ps->err = "unterminated string";
			return NULL;
		}
		if ((unsigned char)*ps->p < 0x20) {
			ps->err = "control character in string";
			return NULL;
		}
		if (*ps->p == '\\') {
			ps->p++;
			if (*ps->p == '\0') {
				ps->err = "unterminated string";
				return NULL;
			}
		}
		ps->p++;
	}
	out = arena_alloc(ps->p - start + 1);
	o = out;
	ps->p = start;
	while (*ps->p != '"') {
		char c = *ps->p++;
		unsigned long cp;

		if (c != '\\') {
			*o++ = c;
			continue;
		}
		c = *ps->p++;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			*o++ = c;
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u':
			if (!parse_hex4(ps, &cp))
				return NULL;
			if (cp >= 0xd800 && cp < 0xdc00 && ps->p[0] == '\\' &&
			    ps->p[1] == 'u') {
				unsigned long lo;

				ps->p += 2;
				if (!parse_hex4(ps, &lo))
					return NULL;
				if (lo >= 0xdc00 && lo < 0xe000)
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			o += put_utf8(o, cp);
			break;
		default:
			ps->err = "bad escape in string";
			return NULL;
		}
	}
	ps->p++;	/* closing quote */
	*o = '\0';
	*len_out = (size_t)(o - out);
	return out;
}

static struct json *parse_value(struct parser *ps);

static struct json *parse_container(struct parser *ps, bool object)
{
	struct json *v = new_value(object ? JSON_OBJECT : JSON_ARRAY);
	struct json **tail = &v->first;
	char close = object ? '}' : ']';

	if (++ps->depth > MAX_DEPTH) {
		ps->err = "nested too deeply";
		return NULL;
	}
	ps->p++;
	skip_ws(ps);
	if (*ps->p == close) {
		ps->p++;
		ps->depth--;
		return v;
	}
	for (;;) {
		const char *key = NULL;
		struct json *m;

		skip_ws(ps);
		if (object) {
			size_t klen;

			if (*ps->p != '"') {
				ps->err = "expected a member name";
				return NULL;
			}
			key = parse_string_text(ps, &klen);
			if (!key)
				return NULL;
			skip_ws(ps);
			if (*ps->p != ':') {
				ps->err = "expected ':'";
				return NULL;
			}
			ps->p++;
		}
		m = parse_value(ps);
		if (!m)
			return NULL;
		m->key = key;
		*tail = m;
		tail = &m->next;
		skip_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == close) {
			ps->p++;
			ps->depth--;
			return v;
		}
		ps->err = object ? "expected ',' or '}'" : "expected ',' or ']'";
		return NULL;
	}
}

/* Consumes one or more digits; false (a bad number) when there is none. */
static bool digits(struct parser *ps)
{
	if (!(*ps->p >= '0' && *ps->p <= '9')) {
		ps->err = "bad number";
		return false;
	}
	while (*ps->p >= '0' && *ps->p <= '9')
		ps->p++;
	return true;
}

static struct json *parse_number(struct parser *ps)
{
	const char *start = ps->p;
	struct json *v;

	if (*ps->p == '-')
		ps->p++;
	if (*ps->p == '0')
		ps->p++;
	else if (!digits(ps))
		return NULL;
	if (*ps->p == '.') {
		ps->p++;
		if (!digits(ps))
			return NULL;
	}
	if (*ps->p == 'e' || *ps->p == 'E') {
		ps->p++;
		if (*ps->p == '+' || *ps->p == '-')
			ps->p++;
		if (!digits(ps))
			return NULL;
	}
	v = new_value(JSON_NUMBER);
	v->text = start;
	v->len = (size_t)(ps->p - start);
	return v;
}

static bool literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(ps->p, word, n) != 0) {
		ps->err = "unexpected character";
		return false;
	}
	ps->p += n;
	return true;
}

static struct json *parse_value(struct parser *ps)
{
	struct json *v;

	skip_ws(ps);
	switch (*ps->p) {
	case '{':
		return parse_container(ps, true);
	case '[':
		return parse_container(ps, false);
	case '"':
		v = new_value(JSON_STRING);
		v->text = parse_string_text(ps, &v->len);
		return v->text ? v : NULL;
	case 't':
		if (!literal(ps, "true"))
			return NULL;
		v = new_value(JSON_BOOL);
		v->boolean = true;
		return v;
	case 'f':
		if (!literal(ps, "false"))
			return NULL;
		return new_value(JSON_BOOL);
	case 'n':
		if (!literal(ps, "null"))
			return NULL;
		return new_value(JSON_NULL);
	case '\0':
		ps->err = "unexpected end of input";
		return NULL;
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			return parse_number(ps);
		ps->err = "unexpected character";
		return NULL;
	}
}

struct json *json_parse(const char *text, const char **err)
{
	struct parser ps = { .p = text, .err = NULL, .depth = 0 };
	struct json *v;

	arena_reset();
	v = parse_value(&ps);
	if (v) {
		skip_ws(&ps);
		if (*ps.p != '\0') {
			ps.err = "text after the JSON value";
			v = NULL;
		}
	}
	if (!v && err)
		*err = ps.err ? ps.err : "syntax error";
	return v;
}

const struct json *json_get(const struct json *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (const struct json *m = obj->first; m; m = m->next)
		if (strcmp(m->key, key) == 0)
			return m;
	return NULL;
}

bool json_is_str(const struct json *v, const char *s)
{
	return v && v->type == JSON_STRING && strcmp(v->text, s) == 0;
}

/* Reads the digits of @s[0..len) in @base; false on overflow or a bad digit. */
static bool parse_digits(const char *s, size_t len, unsigned int base,
			 uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		int d = hex_digit(s[i]);

		if (d < 0 || (unsigned int)d >= base)
			return false;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return false;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return true;
}

#define SAFE_INTEGER_MAX 9007199254740991ULL	/* 2^53 - 1 */

bool json_u64(const struct json *v, uint64_t *out)
{
	if (!v)
		return false;
	if (v->type == JSON_STRING) {
		if (v->len > 2 && v->text[0] == '0' &&
		    (v->text[1] == 'x' || v->text[1] == 'X'))
			return parse_digits(v->text + 2, v->len - 2, 16, out);
		return parse_digits(v->text, v->len, 10, out);
	}
	if (v->type == JSON_NUMBER) {
		uint64_t n;

		if (!parse_digits(v->text, v->len, 10, &n) || n > SAFE_INTEGER_MAX)
			return false;
		*out = n;
		return true;
	}
	return false;
}

bool json_int(const struct json *v, long long min, long long max, long long *out)
{
	bool neg;
	uint64_t n;
	long long x;

	if (!v || v->type != JSON_NUMBER)
		return false;
	neg = v->text[0] == '-';
	if (!parse_digits(v->text + neg, v->len - neg, 10, &n) ||
	    n > SAFE_INTEGER_MAX)
		return false;
	x = neg ? -(long long)n : (long long)n;
	if (x < min || x > max)
		return false;
	*out = x;
	return true;
}

/* ---- writer -------------------------------------------------------------- */

static void reserve(struct jw *w, size_t more)
{
	size_t cap;
	char *buf;

	if (w->len + more + 1 <= w->cap)
		return;
	cap = w->cap ? w->cap : 4096;
	while (cap < w->len + more + 1)
		cap *= 2;
	buf = realloc(w->buf, cap);
	if (!buf) {
		fputs("gpuvm-kernel-subject: out of memory\n", stderr);
		abort();
	}
	w->buf = buf;
	w->cap = cap;
}

static void put(struct jw *w, const char *s, size_t n)
{
	reserve(w, n);
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void putc_(struct jw *w, char c)
{
	reserve(w, 1);
	w->buf[w->len++] = c;
	w->buf[w->len] = '\0';
}

/* Before a value: a comma unless it is the first of its container. */
static void value_sep(struct jw *w)
{
	uint64_t bit = 1ULL << (w->depth & 63);

	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->nonempty & bit)
		putc_(w, ',');
	w->nonempty |= bit;
}

void jw_reset(struct jw *w)
{
	w->len = 0;
	w->nonempty = 0;
	w->depth = 0;
	w->after_key = false;
	reserve(w, 0);
	w->buf[0] = '\0';
}

static void begin(struct jw *w, char c)
{
	value_sep(w);
	putc_(w, c);
	w->depth++;
	w->nonempty &= ~(1ULL << (w->depth & 63));
}

static void end(struct jw *w, char c)
{
	w->depth--;
	putc_(w, c);
}

void jw_begin_object(struct jw *w)
{
	begin(w, '{');
}

void jw_end_object(struct jw *w)
{
	end(w, '}');
}

void jw_begin_array(struct jw *w)
{
	begin(w, '[');
}

void jw_end_array(struct jw *w)
{
	end(w, ']');
}

static void string_body(struct jw *w, const char *s)
{
	putc_(w, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];

		if (c == '"' || c == '\\') {
			putc_(w, '\\');
			putc_(w, (char)c);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(w, esc, 6);
		} else {
			putc_(w, (char)c);
		}
	}
	putc_(w, '"');
}

void jw_key(struct jw *w, const char *key)
{
	value_sep(w);
	string_body(w, key);
	putc_(w, ':');
	w->after_key = true;
}

void jw_string(struct jw *w, const char *s)
{
	value_sep(w);
	string_body(w, s);
}

void jw_u64(struct jw *w, uint64_t v)
{
	char text[24];
	int n = snprintf(text, sizeof(text), "\"0x%llx\"", (unsigned long long)v);

	value_sep(w);
	put(w, text, (size_t)n);
}

void jw_int(struct jw *w, long long v)
{
	char text[24];
	int n = snprintf(text, sizeof(text), "%lld", v);

	value_sep(w);
	put(w, text, (size_t)n);
}

void jw_bool(struct jw *w, bool v)
{
	value_sep(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(struct jw *w)
{
	value_sep(w);
	put(w, "null", 4);
}

void jw_raw(struct jw *w, const char *text, size_t len)
{
	value_sep(w);
	put(w, text, len);
}
