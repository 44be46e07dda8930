// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fstate.c: goroutine states from the event log's records (see fstate.h).
 * The rules are the converter's (convert/replay.c) in short: a creation
 * starts a life, a status record moves it (a goid that changed is a new
 * life whose creation was lost), Dead ends it, a block stack goes with the
 * Waiting state it came with, a snapshot record (record -p) starts a life
 * blocked since at least its waitsince, an exec ends them all. A repeated
 * report of the same state (two probes saw one transition) keeps its
 * start. It must not print or allocate per record beyond a new life and a
 * block stack.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "fstate.h"

/* A Waiting goroutine counts under its reason. */
static void count(struct fstate *s, const struct fs_g *g, int d)
{
	if (g->state == GOTL_G_WAITING)
		s->waiting[g->reason] += (uint32_t)d;
}

static void g_free(struct fs_g *g)
{
	if (g) {
		free(g->stack);
		free(g);
	}
}

static void drop(struct fstate *s, uint64_t gp)
{
	struct fs_g *g = u64map__get(&s->gs, gp);

	if (!g)
		return;
	count(s, g, -1);
	u64map__del(&s->gs, gp);
	g_free(g);
}

/* A new life of gp in state at ts (an older one is dropped). */
static struct fs_g *born(struct fstate *s, uint64_t gp, uint64_t ts, uint8_t state, uint8_t reason)
{
	struct fs_g *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	drop(s, gp);
	if (u64map__put(&s->gs, gp, g)) {
		free(g);
		return NULL;
	}
	g->gp = gp;
	g->since = ts;
	g->state = state;
	g->reason = state == GOTL_G_WAITING ? reason : 0;
	if (state == GOTL_G_WAITING)
		g->blocked_from = ts;
	count(s, g, +1);
	return g;
}

static bool blocked(uint8_t st)
{
	return st == GOTL_G_WAITING || st == GOTL_G_PREEMPTED || st == GOTL_G_LEAKED;
}

static int on_status(struct fstate *s, const struct gotl_ev_status *e)
{
	struct fs_g *g = u64map__get(&s->gs, e->gp);
	bool dead = e->to == GOTL_G_DEAD || e->to == GOTL_G_DEADEXTRA;

	if (g && g->goid && e->goid && g->goid != e->goid) {
		drop(s, e->gp); /* a new life: its creation was lost */
		g = NULL;
	}
	if (dead) {
		drop(s, e->gp);
		return 0;
	}
	if (!g) {
		g = born(s, e->gp, e->hdr.ts, e->to, e->reason);
		if (!g)
			return -ENOMEM;
		g->goid = e->goid;
	} else {
		if (!g->goid)
			g->goid = e->goid;
		/* The same state again (a second probe saw the transition): it goes on. */
		if (g->state == e->to && (e->to != GOTL_G_WAITING || g->reason == e->reason))
			return 0;
		if (!(blocked(g->state) && blocked(e->to)))
			g->blocked_from = blocked(e->to) ? e->hdr.ts : 0;
		count(s, g, -1);
		g->state = e->to;
		g->reason = e->to == GOTL_G_WAITING ? e->reason : 0;
		count(s, g, +1);
		g->since = e->hdr.ts;
		g->fired = false;
		free(g->stack);
		g->stack = NULL;
	}
	if (e->to == GOTL_G_RUNNING)
		g->tid = e->hdr.tid;
	return 0;
}

static int on_create(struct fstate *s, const struct gotl_ev_create *e)
{
	struct fs_g *g = born(s, e->gp, e->hdr.ts,
			      e->to == GOTL_G_WAITING ? GOTL_G_WAITING : GOTL_G_RUNNABLE,
			      e->reason);

	if (!g)
		return -ENOMEM;
	g->goid = e->goid;
	g->parent_goid = e->parent_goid;
	g->startpc = e->startpc;
	g->gopc = e->gopc;
	return 0;
}

static int on_gsnap(struct fstate *s, const struct gotl_ev_gsnap *e)
{
	struct fs_g *g;

	if (e->status == GOTL_G_DEAD || e->status == GOTL_G_IDLE || e->status == GOTL_G_DEADEXTRA ||
	    e->status >= GOTL_G_MAX || u64map__get(&s->gs, e->gp))
		return 0;
	g = born(s, e->gp, e->hdr.ts, e->status, e->reason);
	if (!g)
		return -ENOMEM;
	g->goid = e->goid;
	g->parent_goid = e->parent_goid;
	g->startpc = e->startpc;
	g->gopc = e->gopc;
	if (blocked(e->status))
		g->blocked_from = e->waitsince && e->waitsince < e->hdr.ts ? e->waitsince :
									     e->hdr.ts;
	if (e->status == GOTL_G_RUNNING)
		g->tid = e->hdr.tid;
	return 0;
}

/* Where a Waiting state began: the stack that came with it (same time). */
static int on_stack(struct fstate *s, const struct gotl_ev_stack *e)
{
	struct fs_g *g = u64map__get(&s->gs, e->gp);
	size_t size = offsetof(struct gotl_ev_stack, pcs) + 8 * (size_t)e->n;

	if (!g || e->kind != GOTL_STACK_BLOCK || g->state != GOTL_G_WAITING ||
	    g->since != e->hdr.ts || !e->n || e->n > GOTL_STACK_MAX || size > e->hdr.size)
		return 0;
	free(g->stack);
	g->stack = malloc(size);
	if (!g->stack)
		return -ENOMEM;
	memcpy(g->stack, e, size);
	g->stack->hdr.size = (uint16_t)size;
	return 0;
}

/* An allocation class's totals so far: the last of each class is kept. */
static uint64_t class_hash(const struct gotl_alloc_key *k)
{
	const uint64_t *w = (const void *)k;
	uint64_t h = 0x9e3779b97f4a7c15ull;
	size_t i;

	for (i = 0; i < sizeof(*k) / 8; i++)
		h = (h ^ w[i]) * 0x100000001b3ull;
	return h ? h : 1;
}

static int on_class(struct fstate *s, const struct gotl_rec_alloc_class *c)
{
	uint64_t h = class_hash(&c->key);
	struct gotl_rec_alloc_class *k = u64map__get(&s->classes, h);

	if (k && memcmp(&k->key, &c->key, sizeof(c->key)))
		return 0; /* two classes, one hash: the first keeps it (a window
				 * then misses the other's totals until they move) */
	if (!k) {
		k = malloc(sizeof(*k));
		if (!k || u64map__put(&s->classes, h, k)) {
			free(k);
			return -ENOMEM;
		}
	}
	*k = *c;
	return 0;
}

/* The program exec'd: every goroutine ends there. */
static void on_exec(struct fstate *s)
{
	size_t i;

	for (i = 0; i < s->gs.cap; i++)
		g_free(s->gs.slots[i].v);
	u64map__free(&s->gs);
	memset(s->waiting, 0, sizeof(s->waiting));
	s->execed = true;
}

int fstate__apply(struct fstate *s, const struct gotl_rec *rec)
{
	if (s->execed && rec->type != GOTL_REC_STATS && rec->type != GOTL_REC_LOSS &&
	    rec->type != GOTL_REC_ALLOC_TOTAL && rec->type != GOTL_REC_ALLOC_CLASS)
		return 0;
	switch (rec->type) {
	case GOTL_REC_STATUS:
		return rec->size >= sizeof(struct gotl_ev_status) ?
			       on_status(s, (const void *)rec) :
			       0;
	case GOTL_REC_CREATE:
		return rec->size >= sizeof(struct gotl_ev_create) ?
			       on_create(s, (const void *)rec) :
			       0;
	case GOTL_REC_GSNAP:
		return rec->size >= sizeof(struct gotl_ev_gsnap) ? on_gsnap(s, (const void *)rec) :
								   0;
	case GOTL_REC_STACK:
		return rec->size >= offsetof(struct gotl_ev_stack, pcs) ?
			       on_stack(s, (const void *)rec) :
			       0;
	case GOTL_REC_EXEC:
		on_exec(s);
		return 0;
	case GOTL_REC_STATS:
		if (rec->size <= sizeof(s->stats))
			memcpy(&s->stats, rec, rec->size);
		return 0;
	case GOTL_REC_LOSS:
		if (rec->size == sizeof(s->loss))
			memcpy(&s->loss, rec, sizeof(s->loss));
		return 0;
	case GOTL_REC_ALLOC_TOTAL:
		if (rec->size == sizeof(s->total))
			memcpy(&s->total, rec, sizeof(s->total));
		return 0;
	case GOTL_REC_ALLOC_CLASS:
		return rec->size == sizeof(struct gotl_rec_alloc_class) ?
			       on_class(s, (const void *)rec) :
			       0;
	}
	return 0;
}

int fstate__each(const struct fstate *s, int (*fn)(void *ctx, const struct fs_g *g), void *ctx)
{
	size_t i;
	int ret;

	for (i = 0; i < s->gs.cap; i++)
		if (s->gs.slots[i].v && (ret = fn(ctx, s->gs.slots[i].v)))
			return ret;
	return 0;
}

size_t fstate__len(const struct fstate *s)
{
	return s->gs.len;
}

void fstate__free(struct fstate *s)
{
	size_t i;

	for (i = 0; i < s->classes.cap; i++)
		free(s->classes.slots[i].v);
	u64map__free(&s->classes);
	on_exec(s);
	memset(s, 0, sizeof(*s));
}
