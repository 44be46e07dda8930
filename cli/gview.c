// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * gview.c: a census as `gotl top` and `gotl watch` see it (see gview.h).
 * Each goroutine's place is the innermost frame of its stack, as Go prints
 * it, outside the standard library (the user's code that blocked), else
 * the innermost frame Go prints: the rule of the recording's "blocked_at"
 * (convert/replay.c, replay__user_frame). Whether a wait could be a leak is
 * describe__leak_reason's, the one list of such wait reasons. Must not print.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "describe.h"
#include "replay.h"
#include "gview.h"

int gview__new(struct census *c, uint64_t leak_after_ns, struct gview **out)
{
	struct leakwatch_opts o = { .leak_after_ns = leak_after_ns };
	struct gview *v = calloc(1, sizeof(*v));

	*out = NULL;
	if (!v || leakwatch__new(&o, &v->lw)) {
		free(v);
		return -ENOMEM;
	}
	v->c = c;
	*out = v;
	return 0;
}

void gview__free(struct gview *v)
{
	if (!v)
		return;
	leakwatch__free(v->lw);
	free(v->gs);
	free(v);
}

/*
 * Where a goroutine is: see the top of the file. Each pc is read as Go's
 * traceback reads it (gosym__traceback): a return address at the call
 * before it, but for the pc above an injected call (sigpanic, asyncPreempt).
 */
static const struct gosym_frame *place(struct gosym *sym, const uint64_t *pcs, uint32_t n)
{
	const struct gosym_frame *shown = NULL, *any = NULL;
	bool trap = false;

	for (uint32_t i = 0; i < n; i++) {
		const struct gosym_unwind *u = gosym__unwind(sym, pcs[i]);
		const struct gosym_frame *f;
		int k, nf;

		if (!u)
			break;
		nf = gosym__frames(sym, pcs[i], !trap && pcs[i] > u->entry, &f);
		for (k = 0; k < nf; k++) {
			if (!any)
				any = &f[k];
			if (f[k].flags & (GOSYM_RUNTIME | GOSYM_WRAPPER))
				continue;
			if (!replay__stdlib_func(f[k].func))
				return &f[k];
			if (!shown)
				shown = &f[k];
		}
		trap = u->flags & GOSYM_U_INJECTED;
	}
	return shown ? shown : any;
}

int gview__update(struct gview *v, const struct census_snap *s)
{
	struct gosym *sym = census__sym(v->c);
	size_t i;
	int ret;

	if (s->n > v->cap) {
		size_t cap = v->cap ? v->cap : 256;
		void *p;

		while (cap < s->n)
			cap *= 2;
		p = realloc(v->gs, cap * sizeof(*v->gs));
		if (!p)
			return -ENOMEM;
		v->gs = p;
		v->cap = cap;
	}
	v->n = v->hidden = 0;
	memset(v->by_state, 0, sizeof(v->by_state));
	memset(v->by_reason, 0, sizeof(v->by_reason));
	v->unsettled = s->unsettled;
	v->unreadable = s->unreadable;
	v->cost = s->cost;
	v->mono_ns = s->mono_ns;
	v->boot_ns = s->boot_ns;
	v->real_ns = s->real_ns;
	leakwatch__begin(v->lw, s->mono_ns);
	for (i = 0; i < s->n; i++) {
		const struct census_g *cg = &s->gs[i];
		struct gv_g *g = &v->gs[v->n];
		const struct gosym_start *st;
		struct gosym_line cl;
		uint32_t key[4];
		struct lw_g lg;

		if (cg->flags & CENSUS_G_SYSTEM) {
			v->hidden++;
			continue;
		}
		g->goid = cg->goid;
		g->status = cg->status;
		g->reason = cg->reason;
		g->wait_ns = cg->wait_ns;
		st = cg->startpc ? gosym__start(sym, cg->startpc) : NULL;
		g->start = st ? st->func : NULL;
		g->created = cg->goid != 1 && gosym__created_by(sym, cg->gopc, false, &cl) ?
				     cl.frame :
				     NULL;
		g->at = cg->nstack ? place(sym, s->pcs + cg->stack, cg->nstack) : NULL;
		g->leaky = (cg->status == GOTL_G_WAITING || cg->status == GOTL_G_LEAKED) &&
			   describe__leak_reason(census__reason(v->c, cg->reason), false);
		if (g->status < GOTL_G_MAX)
			v->by_state[g->status]++;
		if (cg->status == GOTL_G_WAITING || cg->status == GOTL_G_LEAKED)
			v->by_reason[g->reason]++;
		key[0] = g->status;
		key[1] = g->reason;
		key[2] = g->created ? g->created->id : 0;
		key[3] = g->at ? g->at->id : 0;
		lg = (struct lw_g){ .goid = cg->goid,
				    .waitsince = cg->waitsince,
				    .wait_ns = cg->wait_ns,
				    .seq = cg->seq,
				    .leaky = g->leaky,
				    .parked = cg->status == GOTL_G_WAITING ||
					      cg->status == GOTL_G_LEAKED };
		ret = leakwatch__add(v->lw, &lg, key, 4);
		if (ret)
			return ret;
		v->n++;
	}
	ret = leakwatch__end(v->lw);
	v->censuses++;
	return ret;
}

const char *gview__base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

const char *gview__what(const struct gview *v, const struct gv_g *g)
{
	if ((g->status == GOTL_G_WAITING || g->status == GOTL_G_LEAKED) && g->reason)
		return census__reason(v->c, g->reason);
	return census__state(g->status);
}

char *gview__name(const struct gview *v, const struct lw_group *gr, const char *arrow, char *buf,
		  size_t len)
{
	const struct gv_g *g = &v->gs[gr->members[0]];
	size_t n;

	n = (size_t)snprintf(buf, len, "%s", g->start ? g->start : "?");
	if (g->created && n < len)
		n += (size_t)snprintf(buf + n, len - n, " %s %s:%d", arrow,
				      gview__base(g->created->file), g->created->line);
	if (n < len)
		n += (size_t)snprintf(buf + n, len - n, ", %s", gview__what(v, g));
	if (g->at && n < len)
		snprintf(buf + n, len - n, " at %s:%d", gview__base(g->at->file), g->at->line);
	return buf;
}

char *gview__dur(int64_t ns, char *buf, size_t len)
{
	int64_t s = ns / 1000000000;

	if (ns < 0)
		snprintf(buf, len, "-");
	else if (s >= 3600)
		snprintf(buf, len, "%lldh%02lldm", (long long)(s / 3600), (long long)(s / 60 % 60));
	else if (s >= 60)
		snprintf(buf, len, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
	else if (ns >= 1000000000)
		snprintf(buf, len, "%.1fs", (double)ns / 1e9);
	else
		snprintf(buf, len, "%lldms", (long long)(ns / 1000000));
	return buf;
}
