// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * atab.c: allocations by name (see atab.h). Classes are keyed by the
 * caller's 64-bit id, names by a string hash with linear probing on the
 * rare collision. Must not print or touch files.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "atab.h"
#include "u64map.h"

struct aclass {
	struct atab_name *name;
	uint64_t count, bytes; /* as last seen: snapshots are cumulative */
};

struct atab {
	bool keep_series;
	struct u64map classes; /* class id -> struct aclass */
	struct u64map names;   /* string hash (+ probe) -> struct atab_name */
	uint64_t count, bytes;
};

int atab__new(bool keep_series, struct atab **out)
{
	struct atab *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->keep_series = keep_series;
	*out = t;
	return 0;
}

void atab__free(struct atab *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->classes.cap; i++)
		free(t->classes.slots[i].v);
	for (i = 0; i < t->names.cap; i++) {
		struct atab_name *n = t->names.slots[i].v;

		if (!n)
			continue;
		free(n->name);
		free(n->series);
		free(n);
	}
	u64map__free(&t->classes);
	u64map__free(&t->names);
	free(t);
}

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h ? h : 1;
}

static struct atab_name *name_get(struct atab *t, const char *name)
{
	uint64_t h = str_hash(name);
	struct atab_name *n;

	for (;; h++) {
		n = u64map__get(&t->names, h);
		if (!n)
			break;
		if (!strcmp(n->name, name))
			return n;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->name = strdup(name);
	if (!n->name || u64map__put(&t->names, h, n)) {
		free(n->name);
		free(n);
		return NULL;
	}
	return n;
}

static int add_point(struct atab_name *n, uint64_t ts)
{
	if (n->nseries && n->series[n->nseries - 1].ts == ts) {
		n->series[n->nseries - 1].bytes = n->bytes;
		return 0;
	}
	if (n->nseries == n->cap) {
		size_t ncap = n->cap ? n->cap * 2 : 16;
		struct atab_point *p = realloc(n->series, ncap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		n->series = p;
		n->cap = ncap;
	}
	n->series[n->nseries++] = (struct atab_point){ ts, n->bytes };
	return 0;
}

int atab__update(struct atab *t, uint64_t class_id, const char *name, uint64_t ts, uint64_t count,
		 uint64_t bytes)
{
	struct aclass *c = u64map__get(&t->classes, class_id);

	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c)
			return -ENOMEM;
		c->name = name_get(t, name);
		if (!c->name || u64map__put(&t->classes, class_id, c)) {
			free(c);
			return -ENOMEM;
		}
	}
	/* Cumulative: an older snapshot seen late changes nothing. */
	if (count < c->count || bytes < c->bytes)
		return 0;
	c->name->count += count - c->count;
	c->name->bytes += bytes - c->bytes;
	t->count += count - c->count;
	t->bytes += bytes - c->bytes;
	c->count = count;
	c->bytes = bytes;
	return t->keep_series ? add_point(c->name, ts) : 0;
}

static int by_bytes(const void *a, const void *b)
{
	const struct atab_name *x = *(const struct atab_name *const *)a;
	const struct atab_name *y = *(const struct atab_name *const *)b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int by_count(const void *a, const void *b)
{
	const struct atab_name *x = *(const struct atab_name *const *)a;
	const struct atab_name *y = *(const struct atab_name *const *)b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return strcmp(x->name, y->name);
}

long atab__sorted(const struct atab *t, bool count_order, const struct atab_name ***out)
{
	const struct atab_name **v = calloc(t->names.len ? t->names.len : 1, sizeof(*v));
	size_t i, n = 0;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < t->names.cap; i++)
		if (t->names.slots[i].v)
			v[n++] = t->names.slots[i].v;
	qsort(v, n, sizeof(*v), count_order ? by_count : by_bytes);
	*out = v;
	return (long)n;
}

void atab__totals(const struct atab *t, uint64_t *count, uint64_t *bytes)
{
	*count = t->count;
	*bytes = t->bytes;
}
