/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * jsondec.h: a test-only, strict JSON reader for the trace-event JSON gotl
 * writes (RFC 8259: no trailing commas, no NaN, no raw control characters,
 * valid UTF-8, \u escapes with surrogate pairs decoded to UTF-8), and the
 * structural checks of a trace-event document (jd_check). Header-only;
 * include it in one test file. Parse errors come back as NULL plus a reason;
 * it never trusts its input.
 */
#ifndef GOTL_JSONDEC_H
#define GOTL_JSONDEC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum jd_type { JD_NULL, JD_BOOL, JD_NUM, JD_STR, JD_ARR, JD_OBJ };

struct jd {
	enum jd_type t;
	bool b;
	double num;
	char *s;      /* JD_STR, decoded; JD_NUM: the number as written */
	size_t n;     /* JD_ARR, JD_OBJ */
	struct jd *v; /* items */
	char **k;     /* JD_OBJ keys */
};

struct jd_parser {
	const char *p, *end;
	char err[128];
	int depth;
};

static void jd_free_in(struct jd *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		jd_free_in(&v->v[i]);
		if (v->k)
			free(v->k[i]);
	}
	free(v->v);
	free(v->k);
	free(v->s);
}

static void jd_free(struct jd *v)
{
	if (v) {
		jd_free_in(v);
		free(v);
	}
}

static void jd_ws(struct jd_parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
		ps->p++;
}

static int jd_fail(struct jd_parser *ps, const char *what)
{
	if (!ps->err[0])
		snprintf(ps->err, sizeof(ps->err), "%s at offset %ld", what,
			 (long)(ps->end - ps->p));
	return -1;
}

static void jd_put(char **buf, size_t *n, size_t *cap, const char *s, size_t len)
{
	if (*n + len + 1 > *cap) {
		*cap = (*n + len + 1) * 2;
		*buf = realloc(*buf, *cap);
	}
	memcpy(*buf + *n, s, len);
	*n += len;
	(*buf)[*n] = 0;
}

static int jd_hex4(struct jd_parser *ps, unsigned *out)
{
	unsigned v = 0;
	int i;

	if (ps->end - ps->p < 4)
		return jd_fail(ps, "short \\u escape");
	for (i = 0; i < 4; i++) {
		char c = *ps->p++;

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return jd_fail(ps, "bad \\u escape");
	}
	*out = v;
	return 0;
}

/* A string at ps->p (after its opening quote), decoded into *out. */
static int jd_string(struct jd_parser *ps, char **out)
{
	char *buf = NULL, u[4];
	size_t n = 0, cap = 0;

	jd_put(&buf, &n, &cap, "", 0);
	for (;;) {
		const unsigned char c = (unsigned char)(ps->p < ps->end ? *ps->p : 0);

		if (ps->p >= ps->end)
			goto bad;
		if (c == '"') {
			ps->p++;
			*out = buf;
			return 0;
		}
		if (c < 0x20) {
			jd_fail(ps, "raw control character in a string");
			goto bad;
		}
		if (c == '\\') {
			unsigned cp, lo;
			char e;

			ps->p++;
			if (ps->p >= ps->end)
				goto bad;
			e = *ps->p++;
			switch (e) {
			case '"':
				jd_put(&buf, &n, &cap, "\"", 1);
				continue;
			case '\\':
				jd_put(&buf, &n, &cap, "\\", 1);
				continue;
			case '/':
				jd_put(&buf, &n, &cap, "/", 1);
				continue;
			case 'b':
				jd_put(&buf, &n, &cap, "\b", 1);
				continue;
			case 'f':
				jd_put(&buf, &n, &cap, "\f", 1);
				continue;
			case 'n':
				jd_put(&buf, &n, &cap, "\n", 1);
				continue;
			case 'r':
				jd_put(&buf, &n, &cap, "\r", 1);
				continue;
			case 't':
				jd_put(&buf, &n, &cap, "\t", 1);
				continue;
			case 'u':
				break;
			default:
				jd_fail(ps, "bad escape");
				goto bad;
			}
			if (jd_hex4(ps, &cp))
				goto bad;
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				jd_fail(ps, "lone low surrogate");
				goto bad;
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u') {
					jd_fail(ps, "lone high surrogate");
					goto bad;
				}
				ps->p += 2;
				if (jd_hex4(ps, &lo) || lo < 0xdc00 || lo > 0xdfff) {
					jd_fail(ps, "bad surrogate pair");
					goto bad;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			if (cp < 0x80) {
				u[0] = (char)cp;
				jd_put(&buf, &n, &cap, u, 1);
			} else if (cp < 0x800) {
				u[0] = (char)(0xc0 | cp >> 6);
				u[1] = (char)(0x80 | (cp & 0x3f));
				jd_put(&buf, &n, &cap, u, 2);
			} else if (cp < 0x10000) {
				u[0] = (char)(0xe0 | cp >> 12);
				u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
				u[2] = (char)(0x80 | (cp & 0x3f));
				jd_put(&buf, &n, &cap, u, 3);
			} else {
				u[0] = (char)(0xf0 | cp >> 18);
				u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
				u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
				u[3] = (char)(0x80 | (cp & 0x3f));
				jd_put(&buf, &n, &cap, u, 4);
			}
			continue;
		}
		if (c >= 0x80) {
			/* Raw UTF-8: well formed, shortest form, no surrogates, <= U+10FFFF. */
			const unsigned char *s = (const unsigned char *)ps->p;
			size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2, i;
			uint32_t cp = c >= 0xf0 ? c & 7u : c >= 0xe0 ? c & 15u : c & 31u;

			if (c < 0xc2 || c > 0xf4 || (size_t)(ps->end - ps->p) < len) {
				jd_fail(ps, "invalid UTF-8");
				goto bad;
			}
			for (i = 1; i < len; i++) {
				if ((s[i] & 0xc0) != 0x80) {
					jd_fail(ps, "invalid UTF-8");
					goto bad;
				}
				cp = cp << 6 | (s[i] & 0x3f);
			}
			if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
			    (len == 4 && (cp < 0x10000 || cp > 0x10ffff))) {
				jd_fail(ps, "invalid UTF-8");
				goto bad;
			}
			jd_put(&buf, &n, &cap, ps->p, len);
			ps->p += len;
			continue;
		}
		jd_put(&buf, &n, &cap, ps->p, 1);
		ps->p++;
	}
bad:
	jd_fail(ps, "bad string");
	free(buf);
	return -1;
}

static int jd_value(struct jd_parser *ps, struct jd *v);

static int jd_number(struct jd_parser *ps, struct jd *v)
{
	const char *s = ps->p;
	char *end;

	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
		return jd_fail(ps, "bad number");
	if (*ps->p == '0' && ps->p + 1 < ps->end && ps->p[1] >= '0' && ps->p[1] <= '9')
		return jd_fail(ps, "leading zero");
	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
		ps->p++;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
			return jd_fail(ps, "bad fraction");
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E'))
		return jd_fail(ps, "exponent (gotl never writes one)");
	v->t = JD_NUM;
	v->s = strndup(s, (size_t)(ps->p - s));
	v->num = strtod(v->s, &end);
	return 0;
}

static int jd_lit(struct jd_parser *ps, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, lit, n))
		return jd_fail(ps, "bad literal");
	ps->p += n;
	return 0;
}

static int jd_value(struct jd_parser *ps, struct jd *v)
{
	size_t cap = 0;

	memset(v, 0, sizeof(*v));
	jd_ws(ps);
	if (ps->p >= ps->end)
		return jd_fail(ps, "unexpected end");
	if (++ps->depth > 64)
		return jd_fail(ps, "too deep");
	switch (*ps->p) {
	case '{':
	case '[': {
		bool obj = *ps->p == '{';
		char close = obj ? '}' : ']';

		v->t = obj ? JD_OBJ : JD_ARR;
		ps->p++;
		jd_ws(ps);
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			break;
		}
		for (;;) {
			char *key = NULL;

			if (v->n == cap) {
				cap = cap ? cap * 2 : 8;
				v->v = realloc(v->v, cap * sizeof(*v->v));
				if (obj)
					v->k = realloc(v->k, cap * sizeof(*v->k));
			}
			if (obj) {
				jd_ws(ps);
				if (ps->p >= ps->end || *ps->p != '"')
					return jd_fail(ps, "want a key");
				ps->p++;
				if (jd_string(ps, &key))
					return -1;
				jd_ws(ps);
				if (ps->p >= ps->end || *ps->p != ':') {
					free(key);
					return jd_fail(ps, "want ':'");
				}
				ps->p++;
				v->k[v->n] = key;
			}
			if (jd_value(ps, &v->v[v->n])) {
				v->n++;
				return -1;
			}
			v->n++;
			jd_ws(ps);
			if (ps->p < ps->end && *ps->p == ',') {
				ps->p++;
				continue;
			}
			if (ps->p < ps->end && *ps->p == close) {
				ps->p++;
				break;
			}
			return jd_fail(ps, "want ',' or a close");
		}
		break;
	}
	case '"':
		ps->p++;
		v->t = JD_STR;
		if (jd_string(ps, &v->s))
			return -1;
		break;
	case 't':
		v->t = JD_BOOL;
		v->b = true;
		if (jd_lit(ps, "true"))
			return -1;
		break;
	case 'f':
		v->t = JD_BOOL;
		if (jd_lit(ps, "false"))
			return -1;
		break;
	case 'n':
		if (jd_lit(ps, "null"))
			return -1;
		break;
	default:
		if (jd_number(ps, v))
			return -1;
		break;
	}
	ps->depth--;
	return 0;
}

/* The document in the file at path, or NULL with a reason in err. */
static struct jd *jd_read(const char *path, char *err, size_t errlen)
{
	struct jd_parser ps = { 0 };
	struct jd *v = calloc(1, sizeof(*v));
	char *text = NULL;
	long n;
	FILE *f = fopen(path, "rb");

	if (!f) {
		snprintf(err, errlen, "cannot open %s", path);
		free(v);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = malloc((size_t)n + 1);
	if (fread(text, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	fclose(f);
	ps.p = text;
	ps.end = text + n;
	if (!jd_value(&ps, v)) {
		jd_ws(&ps);
		if (ps.p != ps.end)
			jd_fail(&ps, "trailing bytes");
	}
	free(text);
	if (ps.err[0]) {
		snprintf(err, errlen, "%s", ps.err);
		jd_free(v);
		return NULL;
	}
	return v;
}

/* ---- access ---- */

static const struct jd *jd_get(const struct jd *o, const char *key)
{
	size_t i;

	if (!o || o->t != JD_OBJ)
		return NULL;
	for (i = 0; i < o->n; i++)
		if (!strcmp(o->k[i], key))
			return &o->v[i];
	return NULL;
}

static const char *jd_str(const struct jd *o, const char *key)
{
	const struct jd *v = jd_get(o, key);

	return v && v->t == JD_STR ? v->s : NULL;
}

/* An integer member, or -1. */
static int64_t jd_int(const struct jd *o, const char *key)
{
	const struct jd *v = jd_get(o, key);

	if (!v || v->t != JD_NUM || strchr(v->s, '.'))
		return -1;
	return strtoll(v->s, NULL, 10);
}

/*
 * A time member (µs, written with 3 decimals) as exact ns, JD_NONE if none.
 * 128 bits: a damaged log's times reach 2^64 ns, past int64.
 */
typedef __int128 jd_ns_t;
#define JD_NONE ((jd_ns_t)INT64_MIN * 1000000)

static jd_ns_t jd_ns(const struct jd *o, const char *key)
{
	const struct jd *v = jd_get(o, key);
	const char *dot;
	jd_ns_t us, frac = 0;
	bool neg;

	if (!v || v->t != JD_NUM)
		return JD_NONE;
	neg = v->s[0] == '-';
	us = strtoull(v->s + neg, NULL, 10);
	dot = strchr(v->s, '.');
	if (dot) {
		char f[4] = "000";

		memcpy(f, dot + 1, strlen(dot + 1) < 3 ? strlen(dot + 1) : 3);
		frac = strtoll(f, NULL, 10);
	}
	return (neg ? -1 : 1) * (us * 1000 + frac);
}

/*
 * ---- the trace-event rules, as Perfetto's JSON importer applies them ----
 * A thread is a (pid, tid) pair: the tids of two processes are apart. X
 * slices of one thread must nest or be disjoint (sorted by ts, the longest
 * first at equal ts); a v1 flow binds "s" and "f" by id, cat and name, the
 * "f" with "bp":"e" to the slice enclosing it.
 */

/* A thread: pid and tid in one number. */
static int64_t jd_thread(const struct jd *e)
{
	return (int64_t)((uint64_t)jd_int(e, "pid") << 32 | (uint32_t)jd_int(e, "tid"));
}

struct jd_x {
	int64_t tid; /* jd_thread */
	jd_ns_t ts, end;
};

static int jd_x_cmp(const void *a, const void *b)
{
	const struct jd_x *x = a, *y = b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	/* the longest first at equal ts, as the importer sorts */
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;
	return 0;
}

static bool jd_in_x(const struct jd_x *xs, size_t n, int64_t tid, jd_ns_t ts)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (xs[i].tid == tid && xs[i].ts <= ts && ts <= xs[i].end)
			return true;
	return false;
}

/*
 * The structure of a trace-event document: the object form with "ns" and
 * metadata; every X with pid, tid, ts and dur >= 0; slices on one thread
 * nested or disjoint; every thread used named; every flow id one "s" and one
 * "f" ("bp":"e", same cat and name, not backwards), each inside an X on its
 * thread. 0, or -1 with the first problem in err.
 */
static int jd_check(const struct jd *doc, char *err, size_t errlen)
{
	const struct jd *evs = jd_get(doc, "traceEvents");
	struct jd_x *xs;
	int64_t *named, *used, *procs;
	size_t nx = 0, nnamed = 0, nused = 0, nprocs = 0, i, k;
	int ret = -1;

#define JD_BAD(...) do { snprintf(err, errlen, __VA_ARGS__); goto out; } while (0)
	if (!evs || evs->t != JD_ARR)
		return snprintf(err, errlen, "no traceEvents array"), -1;
	xs = calloc(evs->n + 1, sizeof(*xs));
	named = calloc(evs->n + 1, sizeof(*named));
	used = calloc(evs->n + 1, sizeof(*used));
	procs = calloc(evs->n + 1, sizeof(*procs));
	if (!jd_str(doc, "displayTimeUnit") || strcmp(jd_str(doc, "displayTimeUnit"), "ns"))
		JD_BAD("displayTimeUnit is not \"ns\"");
	if (!jd_get(doc, "metadata") || jd_get(doc, "metadata")->t != JD_OBJ)
		JD_BAD("no metadata object");
	for (i = 0; i < evs->n; i++) {
		const struct jd *e = &evs->v[i];
		const char *ph = jd_str(e, "ph");

		if (!ph || !jd_str(e, "name") || jd_int(e, "pid") < 0)
			JD_BAD("event %zu: no ph, name or pid", i);
		if (!strcmp(ph, "M")) {
			if (!strcmp(jd_str(e, "name"), "thread_name")) {
				if (!jd_str(jd_get(e, "args"), "name") || jd_int(e, "tid") < 0)
					JD_BAD("event %zu: thread_name without tid or name", i);
				named[nnamed++] = jd_thread(e);
			}
			if (!strcmp(jd_str(e, "name"), "process_name"))
				procs[nprocs++] = jd_int(e, "pid");
			continue;
		}
		if (jd_ns(e, "ts") == JD_NONE)
			JD_BAD("event %zu (%s): no ts", i, ph);
		if (!strcmp(ph, "C"))
			continue;
		if (jd_int(e, "tid") < 0 || !jd_str(e, "cat"))
			JD_BAD("event %zu (%s %s): no tid or cat", i, ph, jd_str(e, "name"));
		used[nused++] = jd_thread(e);
		if (!strcmp(ph, "X")) {
			jd_ns_t d = jd_ns(e, "dur");

			if (d == JD_NONE || d < 0)
				JD_BAD("event %zu: X without a dur >= 0", i);
			xs[nx++] = (struct jd_x){ jd_thread(e), jd_ns(e, "ts"),
						  jd_ns(e, "ts") + d };
		} else if (!strcmp(ph, "i")) {
			if (!jd_str(e, "s") || strcmp(jd_str(e, "s"), "t"))
				JD_BAD("event %zu: instant not thread-scoped", i);
		} else if (!strcmp(ph, "s") || !strcmp(ph, "f")) {
			if (jd_int(e, "id") < 0)
				JD_BAD("event %zu: flow without an id", i);
			if (!strcmp(ph, "f") && (!jd_str(e, "bp") || strcmp(jd_str(e, "bp"), "e")))
				JD_BAD("event %zu: flow end without bp:e", i);
		} else {
			JD_BAD("event %zu: phase %s", i, ph);
		}
	}
	for (i = 0; i < nused; i++) {
		for (k = 0; k < nnamed && named[k] != used[i]; k++)
			;
		if (k == nnamed)
			JD_BAD("pid %lld tid %lld has no thread_name", (long long)(used[i] >> 32),
			       (long long)(used[i] & 0xffffffff));
		for (k = 0; k < nprocs && procs[k] != used[i] >> 32; k++)
			;
		if (k == nprocs)
			JD_BAD("pid %lld has no process_name", (long long)(used[i] >> 32));
	}
	qsort(xs, nx, sizeof(*xs), jd_x_cmp);
	for (i = 0; i < nx; i++) {
		/* the innermost earlier slice of the thread still open at xs[i].ts */
		size_t j;

		for (j = i; j-- > 0 && xs[j].tid == xs[i].tid;) {
			if (xs[j].end <= xs[i].ts && xs[j].end < xs[i].end)
				continue; /* over before it */
			if (xs[i].end > xs[j].end)
				JD_BAD("pid %lld tid %lld: [%lld, %lld) overlaps [%lld, %lld) "
				       "without nesting",
				       (long long)(xs[i].tid >> 32),
				       (long long)(xs[i].tid & 0xffffffff), (long long)xs[i].ts,
				       (long long)xs[i].end, (long long)xs[j].ts,
				       (long long)xs[j].end);
		}
	}
	for (i = 0; i < evs->n; i++) {
		const struct jd *e = &evs->v[i];
		const char *ph = jd_str(e, "ph");
		int ns = 0, nf = 0;

		if (strcmp(ph, "s") && strcmp(ph, "f"))
			continue;
		if (!jd_in_x(xs, nx, jd_thread(e), jd_ns(e, "ts")))
			JD_BAD("flow %lld: %s in no slice of its thread",
			       (long long)jd_int(e, "id"), ph);
		if (strcmp(ph, "s"))
			continue;
		for (k = 0; k < evs->n; k++) {
			const struct jd *o = &evs->v[k];
			const char *oph = jd_str(o, "ph");

			if ((strcmp(oph, "s") && strcmp(oph, "f")) ||
			    jd_int(o, "id") != jd_int(e, "id"))
				continue;
			if (!strcmp(oph, "s")) {
				ns++;
				continue;
			}
			nf++;
			if (strcmp(jd_str(o, "cat"), jd_str(e, "cat")) ||
			    strcmp(jd_str(o, "name"), jd_str(e, "name")))
				JD_BAD("flow %lld: s and f differ in cat or name",
				       (long long)jd_int(e, "id"));
			if (jd_ns(o, "ts") < jd_ns(e, "ts"))
				JD_BAD("flow %lld goes back in time", (long long)jd_int(e, "id"));
		}
		if (ns != 1 || nf != 1)
			JD_BAD("flow %lld: %d s and %d f", (long long)jd_int(e, "id"), ns, nf);
	}
	for (i = 0; i < evs->n; i++) {
		const struct jd *e = &evs->v[i];
		int n = 0;

		if (strcmp(jd_str(e, "ph"), "f"))
			continue;
		for (k = 0; k < evs->n; k++)
			n += !strcmp(jd_str(&evs->v[k], "ph"), "s") &&
			     jd_int(&evs->v[k], "id") == jd_int(e, "id");
		if (n != 1)
			JD_BAD("flow %lld ends without a start", (long long)jd_int(e, "id"));
	}
	ret = 0;
out:
	free(xs);
	free(named);
	free(used);
	free(procs);
	return ret;
#undef JD_BAD
}

#endif /* GOTL_JSONDEC_H */
