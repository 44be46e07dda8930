// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ftrigger.c: when the flight recorder's triggers hold (see ftrigger.h).
 * Counts (goroutines alive, blocked for a reason) are the state's own and
 * cost nothing to look at; waits that last (blocked, runnable) are found by
 * a walk over the goroutines every SCAN_MS, and a Runnable wait also when
 * it ends (between two walks). A goroutine's wait fires once (fs_g.fired).
 * Which waits are on a channel, select, lock or cond is the converter's
 * rule (describe__leak_reason), so --trigger blocked and a leak suspect
 * mean the same waits. It must not print or write.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "describe.h"
#include "fstate.h"
#include "ftrigger.h"

#define SCAN_MS 50

struct ftrigger {
	struct flight_trigger *t;
	int n;
	bool *over;		      /* a count trigger: over its limit at the last look */
	int reason_idx[FTRIGGER_MAX]; /* FTRIGGER_REASON: the reason's index, -1 if unknown yet */
	bool lock_like[256];	      /* a wait reason on a channel, select, lock or cond */
	bool scan;		      /* a trigger needs the walk */
	uint64_t last_scan;
};

int ftrigger__new(const struct flight_trigger *t, int n, struct ftrigger **out)
{
	struct ftrigger *f = calloc(1, sizeof(*f));
	int i;

	if (!f || n > FTRIGGER_MAX)
		goto fail;
	f->t = calloc((size_t)(n ? n : 1), sizeof(*f->t));
	f->over = calloc((size_t)(n ? n : 1), sizeof(*f->over));
	if (!f->t || !f->over)
		goto fail;
	memcpy(f->t, t, (size_t)n * sizeof(*t));
	f->n = n;
	for (i = 0; i < n; i++) {
		f->reason_idx[i] = -1;
		f->scan |= t[i].kind == FTRIGGER_BLOCKED || t[i].kind == FTRIGGER_RUNNABLE;
	}
	*out = f;
	return 0;
fail:
	ftrigger__free(f);
	return -ENOMEM;
}

void ftrigger__reason(struct ftrigger *f, const struct gotl_rec_waitreason *w)
{
	char s[256];
	int i;

	if (w->index >= 256 || w->len >= sizeof(s) || w->hdr.size < sizeof(*w) + w->len)
		return;
	memcpy(s, w->str, w->len);
	s[w->len] = 0;
	f->lock_like[w->index] = describe__leak_reason(s, false);
	for (i = 0; i < f->n; i++)
		if (f->t[i].kind == FTRIGGER_REASON && !strcmp(f->t[i].reason, s))
			f->reason_idx[i] = (int)w->index;
}

bool ftrigger__record(struct ftrigger *f, struct fstate *live, const struct gotl_rec *rec,
		      char *why, size_t len)
{
	const struct gotl_ev_status *e = (const void *)rec;
	struct fs_g *g;
	int i;

	if (rec->type != GOTL_REC_STATUS || rec->size < sizeof(*e) || e->from != GOTL_G_RUNNABLE)
		return false;
	g = fstate__get(live, e->gp);
	if (!g || g->state != GOTL_G_RUNNABLE || g->fired || e->to == GOTL_G_RUNNABLE)
		return false;
	for (i = 0; i < f->n; i++) {
		if (f->t[i].kind != FTRIGGER_RUNNABLE || rec->ts - g->since <= f->t[i].ns)
			continue;
		g->fired = true;
		snprintf(why, len, "%s: G%" PRIu64 " waited %.1f ms for a thread", f->t[i].text,
			 g->goid, (double)(rec->ts - g->since) / 1e6);
		return true;
	}
	return false;
}

/* The first goroutine whose wait is over a limit, not told yet. */
static bool scan(struct ftrigger *f, struct fstate *live, uint64_t now, char *why, size_t len)
{
	size_t k;
	int i;

	for (k = 0; k < live->gs.cap; k++) {
		struct fs_g *g = live->gs.slots[k].v;

		if (!g || g->fired || g->since > now)
			continue;
		for (i = 0; i < f->n; i++) {
			const struct flight_trigger *t = &f->t[i];

			if (now - g->since <= t->ns)
				continue;
			if (t->kind == FTRIGGER_RUNNABLE && g->state == GOTL_G_RUNNABLE) {
				snprintf(why, len, "%s: G%" PRIu64 " waiting %.1f ms for a thread",
					 t->text, g->goid, (double)(now - g->since) / 1e6);
			} else if (t->kind == FTRIGGER_BLOCKED && g->state == GOTL_G_WAITING &&
				   f->lock_like[g->reason]) {
				snprintf(why, len, "%s: G%" PRIu64 " blocked %.2f s", t->text,
					 g->goid, (double)(now - g->since) / 1e9);
			} else {
				continue;
			}
			g->fired = true;
			return true;
		}
	}
	return false;
}

bool ftrigger__tick(struct ftrigger *f, struct fstate *live, uint64_t now, char *why, size_t len)
{
	bool fired = false;
	int i;

	for (i = 0; i < f->n; i++) {
		const struct flight_trigger *t = &f->t[i];
		uint64_t have;
		bool over;

		if (t->kind == FTRIGGER_GOROUTINES)
			have = fstate__len(live);
		else if (t->kind == FTRIGGER_REASON && f->reason_idx[i] >= 0)
			have = live->waiting[f->reason_idx[i]];
		else
			continue;
		over = have > t->n;
		if (over && !f->over[i]) {
			if (fired)
				continue; /* one at a time: this one at the next turn */
			if (t->kind == FTRIGGER_GOROUTINES)
				snprintf(why, len, "%s: %" PRIu64 " goroutines alive", t->text,
					 have);
			else
				snprintf(why, len, "%s: %" PRIu64 " goroutines blocked in %s",
					 t->text, have, t->reason);
			fired = true;
		}
		f->over[i] = over;
	}
	if (fired || !f->scan || now - f->last_scan < SCAN_MS * 1000000ull)
		return fired;
	f->last_scan = now;
	return scan(f, live, now, why, len);
}

const struct flight_trigger *ftrigger__unknown_reason(const struct ftrigger *f, int k)
{
	int i;

	for (i = 0; i < f->n; i++)
		if (f->t[i].kind == FTRIGGER_REASON && f->reason_idx[i] < 0 && k-- == 0)
			return &f->t[i];
	return NULL;
}

void ftrigger__free(struct ftrigger *f)
{
	if (!f)
		return;
	free(f->t);
	free(f->over);
	free(f);
}
