// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report_log.c: `gotl report` on an event log - the front end that feeds
 * the report core (report_int.h) from a sink of the replay: each life as it
 * is born, each state span as it ends, allocations, GC cycles and pauses,
 * and at the end the log's metadata. It keeps the live goroutines' strings
 * and the allocated types; it writes nothing itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gotl/event.h"
#include "atab.h"
#include "describe.h"
#include "replay.h"
#include "report_int.h"
#include "schema.h"

/* The front end: the core it feeds, and what it gathers for it. */
struct lf {
	struct rep *p;
	struct atab *types;
	struct rmeta_alloc total;
	int err;
};

/* What the front end keeps for each live goroutine: its life and its strings. */
struct lg {
	struct rlife l;
	char site[1024];
	char start[512];
};

static void site_of(struct replay *r, uint64_t pc, char *buf, size_t len)
{
	const struct rp_sym *s = replay__sym(r, pc);

	if (s && *s->func)
		describe__sym_site(s, buf, len);
	else
		snprintf(buf, len, "(unknown)");
}

static void oom(struct lf *f, struct replay *r)
{
	f->err = -ENOMEM;
	replay__fail(r, -ENOMEM, "out of memory");
}

static void on_born(void *ctx, struct replay *r, struct rp_g *g, struct rp_g *parent)
{
	struct lf *f = ctx;
	struct lg *x = calloc(1, sizeof(*x));
	const struct rp_sym *st = replay__sym(r, g->startpc);

	if (!x)
		return oom(f, r);
	g->sink = x;
	if (g->startpc)
		site_of(r, g->gopc, x->site, sizeof(x->site));
	else
		snprintf(x->site, sizeof(x->site), "(first seen running)");
	snprintf(x->start, sizeof(x->start), "%s",
		 st && *st->func     ? st->func :
		 g->flags & RP_G_CGO ? "(cgo callback)" :
				       "(unknown)");
	x->l.goid = g->goid;
	x->l.parent_goid = g->parent_goid;
	x->l.created = g->created;
	x->l.start = x->start;
	x->l.site = x->site;
	x->l.born_seen = g->startpc && !(g->flags & (RP_G_APPEARED | RP_G_CGO));
	x->l.runtime = describe__runtime_goroutine(r, g);
	if (rep__born(f->p, &x->l, parent && parent->sink ? &((struct lg *)parent->sink)->l : NULL))
		oom(f, r);
}

static void on_state_end(void *ctx, struct replay *r, struct rp_g *g, uint64_t end, enum rp_end how)
{
	struct lf *f = ctx;
	struct lg *x = g->sink;
	char reason[64], site[1024];
	struct rspan s = { .begin = g->since,
			   .end = end,
			   .first = g->first,
			   .how = how,
			   .long_lived = how == RP_END_RECORDING && (g->flags & RP_G_LONG_LIVED) };
	const char *rs;

	if (!x)
		return;
	x->l.goid = g->goid;
	if (g->stack_size > x->l.stack_size)
		x->l.stack_size = g->stack_size;
	switch (g->state) {
	case GOTL_G_RUNNABLE:
		s.kind = RS_RUNNABLE;
		break;
	case GOTL_G_RUNNING:
		s.kind = RS_RUNNING;
		break;
	case GOTL_G_SYSCALL:
		s.kind = RS_SYSCALL;
		break;
	case GOTL_G_WAITING:
	case GOTL_G_PREEMPTED:
	case GOTL_G_LEAKED:
		s.kind = RS_BLOCKED;
		break;
	default:
		s.kind = RS_OTHER;
		break;
	}
	if (s.kind == RS_BLOCKED) {
		/* (Unlike describe__reason_str, a reason 0 without a name is "(reason 0)" too.) */
		rs = g->state == GOTL_G_PREEMPTED ? schema_name[SCHEMA_NAME_PREEMPTED] :
		     g->state == GOTL_G_LEAKED	  ? schema_name[SCHEMA_NAME_LEAKED] :
						    replay__reason(r, g->reason);
		if (!rs || !*rs) {
			snprintf(reason, sizeof(reason), "waiting (reason %u)", g->reason);
			rs = reason;
		}
		s.reason = rs;
		s.block_site = describe__site(r, g->block_stack, site, sizeof(site));
	}
	s.alloc_bytes = g->state_alloc_bytes;
	s.alloc_count = g->state_alloc_count;
	if (rep__span(f->p, &x->l, &s))
		return oom(f, r);
	if (how != RP_END_NEXT && rep__died(f->p, &x->l, how, end))
		oom(f, r);
}

static void on_alloc(void *ctx, struct replay *r, struct rp_g *g, const struct gotl_ev_alloc *a,
		     const struct rp_stack *stack)
{
	char site[1024];

	struct lf *f = ctx;

	if (rep__alloc_sample(f->p, describe__site(r, stack, site, sizeof(site)), a->weight))
		oom(f, r);
}

static void on_alloc_total(void *ctx, struct replay *r, uint64_t ts,
			   const struct gotl_rec_alloc_total *t)
{
	struct lf *f = ctx;

	/* Cumulative: the last is the total. */
	f->total = (struct rmeta_alloc){ .mode = t->mode,
					 .count = t->count,
					 .bytes = t->bytes,
					 .unclassified = t->unclassified,
					 .sample_bytes = t->sample_bytes };
}

static void on_alloc_class(void *ctx, struct replay *r, uint64_t ts,
			   const struct gotl_rec_alloc_class *c)
{
	struct lf *f = ctx;
	char name[512];

	if (atab__update(f->types, describe__class_id(&c->key),
			 describe__class_name(r, &c->key, name, sizeof(name)), ts, c->count,
			 c->bytes))
		oom(f, r);
}

static void on_gc(void *ctx, struct replay *r, const struct rp_gc *c)
{
	struct lf *f = ctx;

	if (rep__gc(f->p, describe__trigger(c->trigger), c->stw_ns, c->open))
		oom(f, r);
}

static void on_stw(void *ctx, struct replay *r, const struct rp_stw *s)
{
	struct lf *f = ctx;

	if (rep__stw(f->p, s->reason, s->end - s->start))
		oom(f, r);
}

/* The log's final allocation facts into the core. */
static int alloc_facts(struct lf *f)
{
	const struct atab_name **v;
	long n, i;

	rep__alloc_totals(f->p, &f->total);
	n = atab__sorted(f->types, false, &v);
	if (n < 0)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (rep__alloc_type(f->p, v[i]->name, v[i]->count, v[i]->bytes)) {
			free(v);
			return -ENOMEM;
		}
	free(v);
	return 0;
}

static void on_gone(void *ctx, struct replay *r, struct rp_g *g)
{
	free(g->sink);
	g->sink = NULL;
}

/* The end of the replay: its metadata is still there to be printed. */
static void on_finish(void *ctx, struct replay *r, uint64_t end)
{
	const struct replay_stats *st = replay__stats(r);
	const struct gotl_rec_end *e = replay__end(r);
	struct lf *f = ctx;
	struct rmeta m = {
		.comm = replay__meta(r, "comm"),
		.go_version = replay__meta(r, "go_version"),
		.source = "log",
		.pid = st->pid,
		.start = st->start,
		.end = end,
		.events = st->events,
		.lost = st->lost,
		.seen = st->goroutines,
		.max_alive = st->max_alive,
		.max_alive_ts = st->max_alive_ts,
		.truncated = st->truncated,
		.attached = replay__start(r) && (replay__start(r)->flags & GOTL_START_ATTACHED),
	};
	char cmd[1024], when[64];
	int i, k;

	/* What the log's metadata says, as the trace shows it (schema_meta_attr). */
	for (k = 0; k < SCHEMA_META_ATTR_MAX; k++)
		for (i = 0; i < RM_MAX; i++)
			if (rmeta_attr[i] == schema_meta_attr[k].attr)
				m.info[i] = replay__meta(r, schema_meta_attr[k].meta);
	describe__command(r, cmd, sizeof(cmd));
	if (cmd[0])
		m.info[RM_COMMAND] = cmd;
	if (replay__start(r) && replay__start(r)->realtime_ns) {
		describe__wall_time(replay__start(r)->realtime_ns, when, sizeof(when));
		m.info[RM_START_TIME] = when;
	}

	if (e && (e->flags & GOTL_END_EXITED) && !(e->flags & GOTL_END_NO_STATUS)) {
		m.has_exit = true;
		m.signaled = (e->status & 0x7f) != 0;
		m.exit_status = m.signaled ? 128 + (int)(e->status & 0x7f) :
					     (int)((e->status >> 8) & 0xff);
	}
	if (!f->err && alloc_facts(f))
		oom(f, r);
	if (!f->err)
		rep__output(f->p, &m);
}


int report_log__run(const char *path, struct rep *p, char *err, size_t errlen)
{
	struct lf f = { .p = p };
	struct rp_sink sink = {
		.ctx = &f,
		.born = on_born,
		.state_end = on_state_end,
		.gone = on_gone,
		.finish = on_finish,
		.alloc = on_alloc,
		.alloc_total = on_alloc_total,
		.alloc_class = on_alloc_class,
		.gc = on_gc,
		.stw = on_stw,
	};
	struct replay_stats st;
	int ret;

	ret = atab__new(false, &f.types);
	if (ret) {
		snprintf(err, errlen, "out of memory");
		return ret;
	}
	ret = replay__run(path, &sink, &st, err, errlen);
	atab__free(f.types);
	return ret;
}
