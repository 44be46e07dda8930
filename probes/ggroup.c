// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ggroup.c: grouping by equal keys (see ggroup.h): a hash table from key to
 * group, the keys in one arena, the members counted and laid out by group
 * at finish. Every array is kept across resets. Must not print or know
 * what the keys mean.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "ggroup.h"

struct grp {
	uint64_t hash;
	uint32_t key; /* offset of its key in keys */
	uint32_t keylen;
	uint32_t n;
	uint32_t first; /* its first member's position in add order */
	uint32_t at;	/* where its members start in sorted (after finish) */
};

struct ggroups {
	struct grp *grps;
	size_t ngrps, capgrps;
	uint32_t *keys; /* every group's key, one after the other */
	size_t nkeys, capkeys;
	uint32_t *table; /* hash -> group index + 1; 0 empty */
	size_t captable; /* power of two */
	uint32_t *adds;	 /* (group, idx) per member, in add order */
	size_t nadds, capadds;
	uint32_t *sorted; /* members by group */
	size_t capsorted;
	uint32_t *order; /* group indices, largest first */
	size_t caporder;
};

static int ensure(void **p, size_t *cap, size_t n, size_t size)
{
	void *q;
	size_t c;

	if (n <= *cap)
		return 0;
	for (c = *cap ? *cap : 64; c < n; c *= 2)
		;
	q = realloc(*p, c * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

int ggroups__new(struct ggroups **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void ggroups__free(struct ggroups *g)
{
	if (!g)
		return;
	free(g->grps);
	free(g->keys);
	free(g->table);
	free(g->adds);
	free(g->sorted);
	free(g->order);
	free(g);
}

void ggroups__reset(struct ggroups *g)
{
	g->ngrps = g->nkeys = g->nadds = 0;
	if (g->table)
		memset(g->table, 0, g->captable * sizeof(*g->table));
}

static uint64_t hash_key(const uint32_t *key, uint32_t n)
{
	uint64_t h = 0xcbf29ce484222325ull ^ n;

	for (uint32_t i = 0; i < n; i++)
		h = (h ^ key[i]) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

static int rehash(struct ggroups *g)
{
	size_t cap = g->captable ? 2 * g->captable : 1024, i;
	uint32_t *t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (i = 0; i < g->ngrps; i++) {
		size_t j = (size_t)g->grps[i].hash & (cap - 1);

		while (t[j])
			j = (j + 1) & (cap - 1);
		t[j] = (uint32_t)i + 1;
	}
	free(g->table);
	g->table = t;
	g->captable = cap;
	return 0;
}

int ggroups__add(struct ggroups *g, uint32_t idx, const uint32_t *key, uint32_t n)
{
	uint64_t h = hash_key(key, n);
	struct grp *gr;
	size_t j;
	uint32_t gi;

	if (2 * (g->ngrps + 1) > g->captable && rehash(g))
		return -ENOMEM;
	for (j = (size_t)h & (g->captable - 1); g->table[j]; j = (j + 1) & (g->captable - 1)) {
		gr = &g->grps[g->table[j] - 1];
		if (gr->hash == h && gr->keylen == n &&
		    !memcmp(g->keys + gr->key, key, (size_t)n * sizeof(*key)))
			break;
	}
	if (g->table[j]) {
		gi = g->table[j] - 1;
	} else {
		if (ensure((void **)&g->grps, &g->capgrps, g->ngrps + 1, sizeof(*g->grps)) ||
		    ensure((void **)&g->keys, &g->capkeys, g->nkeys + n, sizeof(*g->keys)))
			return -ENOMEM;
		gi = (uint32_t)g->ngrps++;
		gr = &g->grps[gi];
		*gr = (struct grp){ .hash = h,
				    .key = (uint32_t)g->nkeys,
				    .keylen = n,
				    .first = (uint32_t)(g->nadds / 2) };
		memcpy(g->keys + g->nkeys, key, (size_t)n * sizeof(*key));
		g->nkeys += n;
		g->table[j] = gi + 1;
	}
	if (ensure((void **)&g->adds, &g->capadds, g->nadds + 2, sizeof(*g->adds)))
		return -ENOMEM;
	g->adds[g->nadds++] = gi;
	g->adds[g->nadds++] = idx;
	g->grps[gi].n++;
	return 0;
}

static int by_size(const void *a, const void *b, void *ctx)
{
	const struct ggroups *g = ctx;
	const struct grp *x = &g->grps[*(const uint32_t *)a];
	const struct grp *y = &g->grps[*(const uint32_t *)b];

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

int ggroups__finish(struct ggroups *g)
{
	size_t i, nm = g->nadds / 2;
	uint32_t at = 0;

	if (ensure((void **)&g->sorted, &g->capsorted, nm ? nm : 1, sizeof(*g->sorted)) ||
	    ensure((void **)&g->order, &g->caporder, g->ngrps ? g->ngrps : 1, sizeof(*g->order)))
		return -ENOMEM;
	for (i = 0; i < g->ngrps; i++) {
		g->grps[i].at = at;
		at += g->grps[i].n;
		g->grps[i].n = 0; /* counted again as the members are laid out */
		g->order[i] = (uint32_t)i;
	}
	for (i = 0; i < nm; i++) {
		struct grp *gr = &g->grps[g->adds[2 * i]];

		g->sorted[gr->at + gr->n++] = g->adds[2 * i + 1];
	}
	qsort_r(g->order, g->ngrps, sizeof(*g->order), by_size, g);
	return 0;
}

size_t ggroups__count(const struct ggroups *g)
{
	return g->ngrps;
}

struct ggroup ggroups__get(const struct ggroups *g, size_t i)
{
	const struct grp *gr;

	if (i >= g->ngrps)
		return (struct ggroup){ 0 };
	gr = &g->grps[g->order[i]];
	return (struct ggroup){ .n = gr->n,
				.members = g->sorted + gr->at,
				.key = g->keys + gr->key,
				.keylen = gr->keylen };
}
