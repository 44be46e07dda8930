// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * leakwatch.c: the leak verdict over a series of censuses (see leakwatch.h).
 * Each census's goroutines are grouped by their key (ggroup), each group
 * matched with the record of the same key from earlier censuses, and each
 * goroutine with its own state of the census before, by goid: two tables
 * that swap at every census, so that only the goroutines alive now are
 * kept. Must not print, and must not grow once its buffers fit the largest
 * census and the groups seen lately.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ggroup.h"
#include "leakwatch.h"

/* A goroutine, as of one census. */
struct gst {
	uint64_t goid;
	uint64_t waitsince;
	uint64_t first_ns;     /* first seen */
	uint64_t first_census; /* the census it was first seen at (0: the first one) */
	uint64_t since_ns;     /* parked at least since (the census that first saw this wait) */
	int64_t blocked_ns;    /* -1: not parked */
	uint32_t grp;	       /* its group's record */
	uint8_t seq;
	bool parked, leaky, long_blocked, seen;
};

/* A group, across censuses. */
struct grec {
	uint64_t id, hash;
	uint32_t key, keylen; /* in keys */
	uint64_t first_ns, last_census;
	uint32_t first_n, last_n;
	uint64_t left;
};

struct gen { /* the goroutines of one census */
	struct gst *g;
	size_t n, cap;
	uint32_t *tab; /* goid -> index + 1, open addressing; 0 empty */
	size_t captab; /* power of two */
};

struct leakwatch {
	uint64_t leak_after;
	uint64_t now, censuses;
	struct ggroups *gg;
	struct gen gen[2];
	int cur;	 /* gen[cur]: the census being taken (after end: the last one) */
	struct lw_g *in; /* what leakwatch__add was given */
	size_t capin;
	struct grec *recs;
	size_t nrecs, caprecs;
	uint32_t *keys;
	size_t nkeys, capkeys;
	uint32_t *rtab; /* key -> record index + 1 */
	size_t caprtab;
	uint64_t next_id;
	struct lw_group *out;
	size_t nout, capout;
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

static uint64_t hash_words(const uint32_t *k, uint32_t n)
{
	uint64_t h = 0xcbf29ce484222325ull ^ n;

	for (uint32_t i = 0; i < n; i++)
		h = (h ^ k[i]) * 0x100000001b3ull;
	return h ^ (h >> 31);
}

static uint64_t hash_goid(uint64_t goid)
{
	goid ^= goid >> 33;
	goid *= 0xff51afd7ed558ccdull;
	return goid ^ (goid >> 33);
}

int leakwatch__new(const struct leakwatch_opts *o, struct leakwatch **out)
{
	struct leakwatch *lw = calloc(1, sizeof(*lw));

	*out = NULL;
	if (!lw || ggroups__new(&lw->gg)) {
		free(lw);
		return -ENOMEM;
	}
	lw->leak_after = o && o->leak_after_ns ? o->leak_after_ns : LW_DEFAULT_LEAK_AFTER;
	lw->next_id = 1;
	*out = lw;
	return 0;
}

void leakwatch__free(struct leakwatch *lw)
{
	if (!lw)
		return;
	ggroups__free(lw->gg);
	for (int i = 0; i < 2; i++) {
		free(lw->gen[i].g);
		free(lw->gen[i].tab);
	}
	free(lw->in);
	free(lw->recs);
	free(lw->keys);
	free(lw->rtab);
	free(lw->out);
	free(lw);
}

void leakwatch__begin(struct leakwatch *lw, uint64_t now_ns)
{
	lw->cur ^= 1;
	lw->gen[lw->cur].n = 0;
	lw->now = now_ns;
	ggroups__reset(lw->gg);
}

int leakwatch__add(struct leakwatch *lw, const struct lw_g *g, const uint32_t *key, uint32_t n)
{
	struct gen *c = &lw->gen[lw->cur];

	if (ensure((void **)&lw->in, &lw->capin, c->n + 1, sizeof(*lw->in)) ||
	    ensure((void **)&c->g, &c->cap, c->n + 1, sizeof(*c->g)))
		return -ENOMEM;
	lw->in[c->n] = *g;
	if (ggroups__add(lw->gg, (uint32_t)c->n, key, n))
		return -ENOMEM;
	c->n++;
	return 0;
}

/* ------------------------------------------------------------ the tables */

static int index_gen(struct gen *c)
{
	size_t cap = 64, i;

	while (cap < 2 * c->n + 2)
		cap *= 2;
	if (cap > c->captab) {
		uint32_t *t = realloc(c->tab, cap * sizeof(*t));

		if (!t)
			return -ENOMEM;
		c->tab = t;
		c->captab = cap;
	}
	memset(c->tab, 0, c->captab * sizeof(*c->tab));
	for (i = 0; i < c->n; i++) {
		size_t j = (size_t)hash_goid(c->g[i].goid) & (c->captab - 1);

		while (c->tab[j])
			j = (j + 1) & (c->captab - 1);
		c->tab[j] = (uint32_t)i + 1;
	}
	return 0;
}

static struct gst *find_goid(struct gen *p, uint64_t goid)
{
	size_t j;

	if (!p->captab)
		return NULL;
	for (j = (size_t)hash_goid(goid) & (p->captab - 1); p->tab[j];
	     j = (j + 1) & (p->captab - 1))
		if (p->g[p->tab[j] - 1].goid == goid)
			return &p->g[p->tab[j] - 1];
	return NULL;
}

static int rehash_recs(struct leakwatch *lw, size_t cap)
{
	uint32_t *t = calloc(cap, sizeof(*t));
	size_t i;

	if (!t)
		return -ENOMEM;
	for (i = 0; i < lw->nrecs; i++) {
		size_t j = (size_t)lw->recs[i].hash & (cap - 1);

		while (t[j])
			j = (j + 1) & (cap - 1);
		t[j] = (uint32_t)i + 1;
	}
	free(lw->rtab);
	lw->rtab = t;
	lw->caprtab = cap;
	return 0;
}

/* The record of the group with this key, made if new. Returns its index, or -ENOMEM. */
static long find_rec(struct leakwatch *lw, const uint32_t *key, uint32_t n, uint32_t count)
{
	uint64_t h = hash_words(key, n);
	struct grec *r;
	size_t j;

	if (2 * (lw->nrecs + 1) > lw->caprtab &&
	    rehash_recs(lw, lw->caprtab ? 2 * lw->caprtab : 256))
		return -ENOMEM;
	for (j = (size_t)h & (lw->caprtab - 1); lw->rtab[j]; j = (j + 1) & (lw->caprtab - 1)) {
		r = &lw->recs[lw->rtab[j] - 1];
		if (r->hash == h && r->keylen == n &&
		    !memcmp(lw->keys + r->key, key, (size_t)n * sizeof(*key)))
			return (long)lw->rtab[j] - 1;
	}
	if (ensure((void **)&lw->recs, &lw->caprecs, lw->nrecs + 1, sizeof(*lw->recs)) ||
	    ensure((void **)&lw->keys, &lw->capkeys, lw->nkeys + n, sizeof(*lw->keys)))
		return -ENOMEM;
	r = &lw->recs[lw->nrecs];
	*r = (struct grec){ .id = lw->next_id++,
			    .hash = h,
			    .key = (uint32_t)lw->nkeys,
			    .keylen = n,
			    .first_ns = lw->now,
			    .first_n = count,
			    .last_census = UINT64_MAX };
	memcpy(lw->keys + lw->nkeys, key, (size_t)n * sizeof(*key));
	lw->nkeys += n;
	lw->rtab[j] = (uint32_t)lw->nrecs + 1;
	return (long)lw->nrecs++;
}

/*
 * Forget the groups absent for LW_FORGET censuses, once they are as many as
 * those kept: the records and their keys are packed, the table rebuilt, and
 * the goroutines of the last census pointed at their records' new places.
 */
static int forget(struct leakwatch *lw)
{
	struct gen *c = &lw->gen[lw->cur];
	size_t i, k = 0, nk = 0, live = 0;
	uint32_t *map;

	for (i = 0; i < lw->nrecs; i++)
		live += lw->recs[i].last_census + LW_FORGET >= lw->censuses;
	if (lw->nrecs - live <= live + 64)
		return 0;
	map = malloc(lw->nrecs * sizeof(*map));
	if (!map)
		return -ENOMEM;
	for (i = 0; i < lw->nrecs; i++) {
		struct grec r = lw->recs[i];

		map[i] = UINT32_MAX;
		if (r.last_census + LW_FORGET < lw->censuses)
			continue;
		memmove(lw->keys + nk, lw->keys + r.key, (size_t)r.keylen * sizeof(*lw->keys));
		r.key = (uint32_t)nk;
		nk += r.keylen;
		lw->recs[k] = r;
		map[i] = (uint32_t)k++;
	}
	lw->nrecs = k;
	lw->nkeys = nk;
	for (i = 0; i < c->n; i++)
		c->g[i].grp = map[c->g[i].grp]; /* every one of them was seen just now */
	free(map);
	return rehash_recs(lw, lw->caprtab);
}

/* ------------------------------------------------------------- the census */

/* Does the goroutine carry on the same wait as at the census before? */
static bool same_wait(const struct gst *p, const struct lw_g *g, uint32_t grp)
{
	if (!p || !p->parked || !g->parked || p->grp != grp || p->seq != g->seq)
		return false;
	/* waitsince is reset when it runs, and only set again by a later GC */
	return !p->waitsince || p->waitsince == g->waitsince;
}

static void follow(struct leakwatch *lw, uint32_t idx, uint32_t grp)
{
	struct gen *c = &lw->gen[lw->cur];
	const struct lw_g *g = &lw->in[idx];
	struct gst *p = find_goid(&lw->gen[lw->cur ^ 1], g->goid), *s = &c->g[idx];

	*s = (struct gst){ .goid = g->goid,
			   .waitsince = g->waitsince,
			   .grp = grp,
			   .seq = g->seq,
			   .parked = g->parked,
			   .leaky = g->leaky && g->parked,
			   .first_ns = lw->now,
			   .first_census = lw->censuses,
			   .blocked_ns = -1 };
	if (p) {
		p->seen = true;
		s->first_ns = p->first_ns;
		s->first_census = p->first_census;
		/* a goroutine that was blocked long and is not (or not here) any more has left */
		if (p->long_blocked && !same_wait(p, g, grp))
			lw->recs[p->grp].left++;
	}
	if (!g->parked)
		return;
	s->since_ns = same_wait(p, g, grp) ? p->since_ns : lw->now;
	s->blocked_ns = (int64_t)(lw->now - s->since_ns);
	if (g->wait_ns > s->blocked_ns)
		s->blocked_ns = g->wait_ns;
	s->long_blocked = s->leaky && (uint64_t)s->blocked_ns >= lw->leak_after;
}

/* The verdict and figures of group i of this census. */
static void judge(struct leakwatch *lw, struct ggroup *gr, struct grec *r, struct lw_group *o)
{
	struct gen *c = &lw->gen[lw->cur];
	uint64_t seen_at[LW_MIN_ARRIVALS];
	bool leaky = false, all_old = true;
	uint32_t i, k;

	*o = (struct lw_group){ .id = r->id,
				.key = gr->key,
				.keylen = gr->keylen,
				.n = gr->n,
				.members = gr->members,
				.left = r->left,
				.oldest_ns = -1,
				.first_ns = r->first_ns };
	o->change = (int64_t)gr->n -
		    (lw->censuses && r->last_census == lw->censuses - 1 ? r->last_n : 0);
	for (i = 0; i < gr->n; i++) {
		const struct gst *s = &c->g[gr->members[i]];
		int64_t alive = (int64_t)(lw->now - s->first_ns);

		leaky |= s->leaky;
		if (s->blocked_ns > o->oldest_ns)
			o->oldest_ns = s->blocked_ns;
		if (s->blocked_ns > alive)
			alive = s->blocked_ns;
		all_old &= s->leaky && (uint64_t)alive >= lw->leak_after;
		if (!s->long_blocked)
			continue;
		o->blocked_long++;
		if (!s->first_census)
			continue; /* it was there before the watch: no growth seen */
		o->arrived++;
		for (k = 0; k < o->arrivals && seen_at[k] != s->first_census; k++)
			;
		if (k == o->arrivals && k < LW_MIN_ARRIVALS)
			seen_at[o->arrivals++] = s->first_census;
	}
	if (lw->now > r->first_ns)
		o->per_hour = ((double)gr->n - r->first_n) * 3600e9 /
			      (double)(lw->now - r->first_ns);
	if (leaky && o->arrived >= LW_MIN_ARRIVALS && o->arrivals >= LW_MIN_ARRIVALS &&
	    o->arrived > r->left)
		o->verdict = LW_SUSPECT;
	else if (all_old)
		o->verdict = LW_LONG_LIVED;
}

int leakwatch__end(struct leakwatch *lw)
{
	struct gen *c = &lw->gen[lw->cur], *p = &lw->gen[lw->cur ^ 1];
	size_t ng, i, j;
	int ret;

	ret = ggroups__finish(lw->gg);
	ng = ggroups__count(lw->gg);
	if (ret || ensure((void **)&lw->out, &lw->capout, ng ? ng : 1, sizeof(*lw->out)))
		return -ENOMEM;
	for (i = 0; i < p->n; i++)
		p->g[i].seen = false;
	for (i = 0; i < ng; i++) {
		struct ggroup gr = ggroups__get(lw->gg, i);
		long r = find_rec(lw, gr.key, gr.keylen, gr.n);

		if (r < 0)
			return -ENOMEM;
		for (j = 0; j < gr.n; j++)
			follow(lw, gr.members[j], (uint32_t)r);
	}
	/* those that exited since the census before */
	for (i = 0; i < p->n; i++)
		if (!p->g[i].seen && p->g[i].long_blocked)
			lw->recs[p->g[i].grp].left++;
	for (i = 0; i < ng; i++) {
		struct ggroup gr = ggroups__get(lw->gg, i);
		struct grec *r = &lw->recs[c->g[gr.members[0]].grp];

		judge(lw, &gr, r, &lw->out[i]);
		r->last_census = lw->censuses;
		r->last_n = gr.n;
	}
	lw->nout = ng;
	if (index_gen(c))
		return -ENOMEM;
	lw->censuses++;
	return forget(lw);
}

/* ---------------------------------------------------------------- queries */

size_t leakwatch__count(const struct leakwatch *lw)
{
	return lw->nout;
}

void leakwatch__group(const struct leakwatch *lw, size_t i, struct lw_group *out)
{
	if (i < lw->nout)
		*out = lw->out[i];
	else
		*out = (struct lw_group){ .oldest_ns = -1 };
}

int64_t leakwatch__blocked_ns(const struct leakwatch *lw, uint32_t idx)
{
	const struct gen *c = &lw->gen[lw->cur];

	return idx < c->n ? c->g[idx].blocked_ns : -1;
}

uint64_t leakwatch__censuses(const struct leakwatch *lw)
{
	return lw->censuses;
}

size_t leakwatch__footprint(const struct leakwatch *lw)
{
	size_t n = sizeof(*lw);

	for (int i = 0; i < 2; i++)
		n += lw->gen[i].cap * sizeof(struct gst) + lw->gen[i].captab * sizeof(uint32_t);
	n += lw->capin * sizeof(*lw->in) + lw->caprecs * sizeof(*lw->recs) +
	     lw->capkeys * sizeof(*lw->keys) + lw->caprtab * sizeof(*lw->rtab) +
	     lw->capout * sizeof(*lw->out);
	return n;
}
