// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * verdict.c: long-lived goroutines of an attach recording (verdict.h). It
 * keeps a table of groups, counts the snapshot's blocked goroutines into
 * it as their first states end and the live ones at the end, and sets one
 * flag. It reads the replay's symbols and frames, never writes the replay.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "verdict.h"

/* Where a goroutine was created, as the outputs say it. */
enum { VK_SITE, VK_UNKNOWN, VK_NOT_CREATED };

/* A group: creation site, block site, wait reason. Strings point into the replay. */
struct vkey {
	const char *cfunc, *cfile; /* VK_SITE: the `go` statement */
	const char *bfunc, *bfile; /* where it blocked; bfunc NULL: no stack */
	uint32_t cline, bline;
	uint16_t why;	 /* the wait reason; 256 + state: preempted, leaked */
	uint8_t created; /* VK_* */
};

struct vgroup {
	struct vkey k;
	uint64_t hash; /* 0: an empty slot */
	uint32_t at_attach, at_end;
	bool joined; /* a goroutine created during the recording ends in it */
};

struct verdict {
	struct vgroup *slots;
	size_t cap, len;
};

static uint64_t mix(uint64_t h, const char *s)
{
	while (s && *s)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ull;
	return (h ^ 0xff) * 0x100000001b3ull; /* the end of a string */
}

static uint64_t mix_u(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ull;
}

/* g's group, if it is blocked (false: it is not). */
static bool key_of(const struct replay *r, const struct rp_g *g, struct vkey *k, uint64_t *hash)
{
	const struct rp_sym *site;
	const struct rp_frame *f;
	uint64_t h = 0xcbf29ce484222325ull;

	if (!replay__blocked(g->state))
		return false;
	memset(k, 0, sizeof(*k));
	site = g->startpc ? replay__sym(r, g->gopc) : NULL;
	k->created = !g->startpc ? VK_NOT_CREATED : site && *site->func ? VK_SITE : VK_UNKNOWN;
	if (k->created == VK_SITE) {
		k->cfunc = site->func;
		k->cfile = site->file;
		k->cline = site->line;
	}
	f = g->block_stack ? replay__user_frame(r, g->block_stack) : NULL;
	if (f) {
		k->bfunc = f->func;
		k->bfile = f->file;
		k->bline = f->line;
	}
	k->why = g->state == GOTL_G_WAITING ? g->reason : (uint16_t)(256 + g->state);
	h = mix(mix(mix(mix(h, k->cfunc), k->cfile), k->bfunc), k->bfile);
	h = mix_u(mix_u(mix_u(mix_u(h, k->cline), k->bline), k->why), k->created);
	*hash = h ? h : 1;
	return true;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool key_eq(const struct vkey *a, const struct vkey *b)
{
	return a->created == b->created && a->why == b->why && a->cline == b->cline &&
	       a->bline == b->bline && str_eq(a->cfunc, b->cfunc) && str_eq(a->cfile, b->cfile) &&
	       str_eq(a->bfunc, b->bfunc) && str_eq(a->bfile, b->bfile);
}

static struct vgroup *find(const struct verdict *v, const struct vkey *k, uint64_t hash)
{
	size_t i;

	if (!v->cap)
		return NULL;
	for (i = hash & (v->cap - 1); v->slots[i].hash; i = (i + 1) & (v->cap - 1))
		if (v->slots[i].hash == hash && key_eq(&v->slots[i].k, k))
			return &v->slots[i];
	return NULL;
}

static int grow(struct verdict *v)
{
	size_t ncap = v->cap ? v->cap * 2 : 64, i, j;
	struct vgroup *n = calloc(ncap, sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (i = 0; i < v->cap; i++) {
		if (!v->slots[i].hash)
			continue;
		for (j = v->slots[i].hash & (ncap - 1); n[j].hash; j = (j + 1) & (ncap - 1))
			;
		n[j] = v->slots[i];
	}
	free(v->slots);
	v->slots = n;
	v->cap = ncap;
	return 0;
}

/* g's group, made if new; NULL if g is not blocked (*err: -ENOMEM if out of memory). */
static struct vgroup *group_of(struct verdict *v, const struct replay *r, const struct rp_g *g,
			       int *err)
{
	struct vgroup *x;
	struct vkey k;
	uint64_t hash;
	size_t i;

	*err = 0;
	if (!key_of(r, g, &k, &hash))
		return NULL;
	if ((x = find(v, &k, hash)))
		return x;
	if ((v->len + 1) * 2 > v->cap && (*err = grow(v)))
		return NULL;
	for (i = hash & (v->cap - 1); v->slots[i].hash; i = (i + 1) & (v->cap - 1))
		;
	v->slots[i] = (struct vgroup){ .k = k, .hash = hash };
	v->len++;
	return &v->slots[i];
}

int verdict__new(struct verdict **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void verdict__free(struct verdict *v)
{
	if (!v)
		return;
	free(v->slots);
	free(v);
}

int verdict__attach(struct verdict *v, const struct replay *r, const struct rp_g *g)
{
	struct vgroup *x;
	int err;

	x = group_of(v, r, g, &err);
	if (x)
		x->at_attach++;
	return err;
}

int verdict__end(struct verdict *v, const struct replay *r, struct rp_g *const *all, size_t n)
{
	struct vgroup *x;
	struct vkey k;
	uint64_t hash;
	size_t i;
	int err;

	/* Those the snapshot caught that never moved were there at the attach too. */
	for (i = 0; i < n; i++)
		if ((all[i]->flags & RP_G_SNAPSHOT) && all[i]->first &&
		    (err = verdict__attach(v, r, all[i])))
			return err;
	for (i = 0; i < n; i++) {
		if (!(x = group_of(v, r, all[i], &err))) {
			if (err)
				return err;
			continue;
		}
		x->at_end++;
		if (!(all[i]->flags & RP_G_SNAPSHOT))
			x->joined = true;
	}
	for (i = 0; i < n; i++) {
		if (!(all[i]->flags & RP_G_SNAPSHOT) || !key_of(r, all[i], &k, &hash))
			continue;
		x = find(v, &k, hash);
		if (x && !(x->joined && x->at_end > x->at_attach))
			all[i]->flags |= RP_G_LONG_LIVED;
	}
	return 0;
}
