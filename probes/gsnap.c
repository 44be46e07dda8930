// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * gsnap.c: the goroutines a running Go process already has when gotl
 * attaches (record -p), as GOTL_REC_GSNAP records and the block stacks of
 * the waiting ones: one census (census.h) turned into the recorder's
 * records. What is read and how it is checked is the census's business.
 *
 * What it must not do: stop, signal or write to the process, or write the
 * log (the recorder does, describing the pcs first).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gotl/event.h"
#include "census.h"
#include "gsnap.h"
#include "plan.h"

int gsnap__bias(pid_t pid, const struct gobin *gb, uint64_t *bias)
{
	return census__load_bias(pid, gb, bias);
}

/* One goroutine of the census as the recorder's records. */
static void to_records(const struct census_snap *snap, const struct census_g *g, int depth,
		       struct gsnap_g *e)
{
	struct gotl_ev_gsnap *ev = &e->ev;

	memset(e, 0, sizeof(*e));
	ev->hdr.type = GOTL_REC_GSNAP;
	ev->hdr.size = sizeof(*ev);
	/* The census reads a g more than once: by its end, each read is done. */
	ev->read_ts = snap->end_boot_ns;
	ev->gp = g->gp;
	ev->goid = g->goid;
	ev->parent_goid = g->parent_goid;
	ev->startpc = g->startpc;
	ev->gopc = g->gopc;
	ev->status = g->status;
	ev->reason = g->reason;
	if (g->waitsince)
		ev->waitsince = g->waitsince + (snap->boot_ns - snap->mono_ns);
	if (g->status == GOTL_G_RUNNING || g->status == GOTL_G_SYSCALL)
		ev->hdr.tid = g->tid;
	/* where a waiting one blocked, as the BPF side records a park */
	if (depth > 0 && g->status == GOTL_G_WAITING && g->nstack) {
		struct gotl_ev_stack *st = &e->stack;
		uint32_t n = g->nstack < (uint32_t)depth ? g->nstack : (uint32_t)depth;

		st->hdr.type = GOTL_REC_STACK;
		st->gp = g->gp;
		st->kind = GOTL_STACK_BLOCK;
		st->gp_stack_size = g->stack_size;
		st->n = (uint8_t)n;
		st->truncated = n < g->nstack || (g->flags & CENSUS_G_TRUNCATED);
		memcpy(st->pcs, snap->pcs + g->stack, 8 * (size_t)n);
		st->hdr.size = (uint16_t)(offsetof(struct gotl_ev_stack, pcs) + 8 * n);
	}
}

int gsnap__read(const struct plan *pl, pid_t pid, uint64_t bias, int stack_depth,
		struct gsnap **out, char *err, size_t errlen)
{
	struct census_opts o = {
		.max_frames = stack_depth < GOTL_STACK_MAX ? stack_depth : GOTL_STACK_MAX,
		.retries = 2,
	};
	const struct census_snap *snap;
	struct census_info info;
	struct census *c = NULL;
	struct gsnap *s = NULL;
	size_t i;
	int ret;

	*out = NULL;
	if (o.max_frames < 0)
		o.max_frames = 0;
	ret = census__new(pid, pl->gb, &o, &c, err, errlen);
	if (ret)
		return ret;
	census__info(c, &info);
	if (info.bias != bias) {
		snprintf(err, errlen, "process %d's binary moved (load bias %#llx, then %#llx)",
			 (int)pid, (unsigned long long)bias, (unsigned long long)info.bias);
		ret = -EINVAL;
		goto cleanup;
	}
	ret = census__take(c, &snap, err, errlen);
	if (ret)
		goto cleanup;
	s = calloc(1, sizeof(*s));
	if (s)
		s->gs = calloc(snap->n ? snap->n : 1, sizeof(*s->gs));
	if (!s || !s->gs) {
		snprintf(err, errlen, "out of memory");
		ret = -ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < snap->n; i++)
		to_records(snap, &snap->gs[i], o.max_frames, &s->gs[i]);
	s->n = snap->n;
	s->allgs_len = snap->allgs_len;
	s->unreadable = snap->unreadable;
	s->unsettled = snap->unsettled;
	s->allgs_how = info.allgs_how; /* a static string of gobin's */
	*out = s;
	s = NULL;
cleanup:
	gsnap__free(s);
	census__free(c);
	return ret;
}

void gsnap__free(struct gsnap *s)
{
	if (!s)
		return;
	free(s->gs);
	free(s);
}
