// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * replay.c: the goroutine state machine behind `gotl convert` and `gotl
 * report` (see replay.h).
 *
 * Records come from the log in arrival order, which is nearly but not quite
 * time order (several CPUs fill one ring buffer); events pass through a
 * reorder window and are then applied in timestamp order. Records without
 * a time (metadata, symbols) are taken as they come: the recorder writes
 * them before any event that needs them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "logr.h"
#include "u64map.h"
#include "replay.h"
#include "verdict.h"

/* Events may arrive this much later than newer ones and still be ordered. */
#define REORDER_WINDOW_NS	(200ull * 1000 * 1000)

struct pending {
	uint64_t ts;
	const struct gotl_rec *rec;
};

struct replay {
	struct logr *lr;
	struct rp_sink *sink;
	struct replay_stats *st;
	struct u64map gors;
	struct u64map syms;
	struct u64map frames;
	struct u64map types;
	struct u64map triggers; /* gp -> 1 + the GC trigger it asked for */
	char *reasons[256];
	char *stw_reasons[256];
	const struct gotl_ev_exec *exec; /* the program exec'd: its story ended there */
	struct rp_gc gc;		 /* the current GC cycle, if gc_open */
	bool gc_open;
	uint64_t gc_n;
	struct rp_stw stw; /* the current pause, if stw_open */
	bool stw_open;
	unsigned stw_reason;
	const struct gotl_ev_alloc *alloc; /* an allocation waiting for its stack */
	char *meta_keys[32], *meta_vals[32];
	char **follow_logs;  /* META follow_log, in order, as written */
	size_t *follow_lens; /* their lengths (a NUL inside one is the log's) */
	int nfollow;
	int nmeta;
	char **argv;
	size_t argc;
	char *probes;
	const struct gotl_rec_start *start;
	const struct gotl_rec_end *end;
	uint64_t last_ts;	 /* newest timestamp applied */
	uint64_t max_seen;	 /* newest timestamp read */
	struct verdict *verdict; /* an attach recording's (GOTL_START_ATTACHED) */
	int64_t counts[RP_C_MAX], told[RP_C_MAX];
	bool counters_told;
	struct pending *pend;
	size_t head, tail, cap;
	uint64_t released; /* log offset at the last logr__release */
	int err;
	char *errbuf;
	size_t errlen;
};

/* ---- helpers ------------------------------------------------------------ */

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

void replay__fail(struct replay *r, int err, const char *fmt, ...)
{
	va_list ap;

	if (r->err)
		return;
	r->err = err;
	va_start(ap, fmt);
	vsnprintf(r->errbuf, r->errlen, fmt, ap);
	va_end(ap);
}

/* ---- queries for sinks -------------------------------------------------- */

const struct replay_stats *replay__stats(const struct replay *r)
{
	return r->st;
}

const struct rp_sym *replay__sym(const struct replay *r, uint64_t pc)
{
	return pc ? u64map__get(&r->syms, pc) : NULL;
}

const struct rp_frames *replay__frames(const struct replay *r, uint64_t pc)
{
	return u64map__get(&r->frames, pc);
}

const char *replay__reason(const struct replay *r, unsigned reason)
{
	return reason < 256 ? r->reasons[reason] : NULL;
}

const char *replay__stw_reason(const struct replay *r, unsigned reason)
{
	return reason < 256 ? r->stw_reasons[reason] : NULL;
}

const struct rp_type *replay__type(const struct replay *r, uint64_t addr)
{
	return addr ? u64map__get(&r->types, addr) : NULL;
}

char *const *replay__argv(const struct replay *r)
{
	return r->argv;
}
const char *replay__probes(const struct replay *r)
{
	return r->probes;
}
const struct gotl_rec_start *replay__start(const struct replay *r)
{
	return r->start;
}
const struct gotl_ev_exec *replay__exec(const struct replay *r)
{
	return r->exec;
}
const struct gotl_rec_end *replay__end(const struct replay *r)
{
	return r->end;
}

const char *replay__meta(const struct replay *r, const char *key)
{
	int i;

	for (i = 0; i < r->nmeta; i++)
		if (!strcmp(r->meta_keys[i], key))
			return r->meta_vals[i];
	return NULL;
}

const char *replay__follow_log(const struct replay *r, int n, size_t *len)
{
	if (n < 0 || n >= r->nfollow)
		return NULL;
	*len = r->follow_lens[n];
	return r->follow_logs[n];
}

bool replay__stdlib_func(const char *func)
{
	const char *slash = strchr(func, '/'), *dot = strchr(func, '.');

	if (!strncmp(func, "main.", 5))
		return false;
	if (slash && (!dot || slash < dot))
		return !memchr(func, '.', (size_t)(slash - func));
	return true; /* a single-element path: "runtime", "sync", "time", ... */
}

/*
 * The runtime's parking and allocating machinery: never where a goroutine
 * "blocked" or "allocated" (the first frame past it is).
 */
static bool machinery_func(const char *f)
{
	static const char *const prefixes[] = {
		"runtime.mallocgc",
		"runtime.newobject",
		"runtime.newarray",
		"runtime.makeslice",
		"runtime.growslice",
		"runtime.makemap",
		"runtime.makechan",
		"runtime.rawstring",
		"runtime.rawbyteslice",
		"runtime.rawruneslice",
		"runtime.slicebytetostring",
		"runtime.concatstring",
		"runtime.stringtoslice",
		"runtime.convT",
		"internal/bytealg.MakeNoZero",
	};
	size_t i;

	if (!strcmp(f, "runtime.gopark") || !strcmp(f, "runtime.goparkunlock") ||
	    !strcmp(f, "runtime.park_m") || !strcmp(f, "runtime.mcall"))
		return true;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(f, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/* What replay__user_frame asks of a frame's function (RP_F_*), found once per pc. */
static uint8_t frame_class(const char *func)
{
	return (uint8_t)((replay__stdlib_func(func) ? RP_F_STDLIB : 0) |
			 (!strncmp(func, "runtime.", 8) ? RP_F_RUNTIME : 0) |
			 (machinery_func(func) ? RP_F_MACHINERY : 0));
}

const struct rp_frame *replay__user_frame(const struct replay *r, const struct rp_stack *s)
{
	const struct rp_frame *stdlib = NULL, *runtime = NULL;
	int i, k;

	for (i = 0; s && i < s->n; i++) {
		const struct rp_frames *fr = replay__frames(r, s->pcs[i]);

		for (k = 0; fr && k < fr->n; k++) {
			uint8_t cls = fr->f[k].cls;

			if (!(cls & RP_F_STDLIB))
				return &fr->f[k];
			if (!stdlib && !(cls & RP_F_RUNTIME))
				stdlib = &fr->f[k];
			if (!runtime && !(cls & RP_F_MACHINERY))
				runtime = &fr->f[k];
		}
	}
	/* The runtime's own goroutines: the first frame past the parking or allocating. */
	return stdlib ? stdlib : runtime;
}

/* ---- names -------------------------------------------------------------- */

/* ---- counters ----------------------------------------------------------- */

static void count(struct replay *r, uint8_t state, int delta)
{
	int k;

	switch (state) {
	case GOTL_G_RUNNING:
		k = RP_C_RUNNING;
		break;
	case GOTL_G_RUNNABLE:
		k = RP_C_RUNNABLE;
		break;
	case GOTL_G_SYSCALL:
		k = RP_C_SYSCALL;
		break;
	default:
		k = replay__blocked(state) ? RP_C_BLOCKED : -1;
		break;
	}
	if (k >= 0)
		r->counts[k] += delta;
}

static void tell_counters(struct replay *r, uint64_t ts)
{
	int k;

	if (r->counters_told) {
		for (k = 0; k < RP_C_MAX; k++)
			if (r->counts[k] != r->told[k])
				break;
		if (k == RP_C_MAX)
			return;
	}
	memcpy(r->told, r->counts, sizeof(r->told));
	r->counters_told = true;
	if (r->sink->counters)
		r->sink->counters(r->sink->ctx, r, ts, r->counts);
}

/* ---- goroutine lives ---------------------------------------------------- */

static struct rp_g *born(struct replay *r, uint64_t gp, uint64_t ts, uint8_t state, uint8_t reason)
{
	struct rp_g *g = calloc(1, sizeof(*g));

	if (!g || u64map__put(&r->gors, gp, g)) {
		free(g);
		replay__fail(r, -ENOMEM, "out of memory");
		return NULL;
	}
	g->gp = gp;
	g->created = ts;
	g->since = ts;
	g->prev = GOTL_G_DEAD;
	g->state = state;
	g->reason = reason;
	g->first = true;
	r->st->goroutines++;
	r->counts[RP_C_ALIVE]++;
	if ((uint64_t)r->counts[RP_C_ALIVE] > r->st->max_alive) {
		r->st->max_alive = (uint64_t)r->counts[RP_C_ALIVE];
		r->st->max_alive_ts = ts;
	}
	count(r, state, +1);
	return g;
}

/*
 * A goroutine from the attach-time snapshot is told to the sink at its
 * first use: the snapshot may have caught one created while gotl attached,
 * whose creation event then replaces it (on_create).
 */
static void told(struct replay *r, struct rp_g *g)
{
	if (!g || !(g->flags & RP_G_UNTOLD))
		return;
	g->flags &= (uint8_t)~RP_G_UNTOLD;
	if (r->sink->born)
		r->sink->born(r->sink->ctx, r, g, NULL);
}

/*
 * The first state of a snapshot life ends: the sink meets it if it has not
 * yet, and the verdict counts the state the snapshot read (the recording's
 * end: verdict__end counts those still in it).
 */
static void snapshot_state_end(struct replay *r, struct rp_g *g, enum rp_end how)
{
	told(r, g);
	if (!(g->flags & RP_G_UNCOUNTED) || how == RP_END_RECORDING)
		return;
	g->flags &= (uint8_t)~RP_G_UNCOUNTED;
	if (verdict__attach(r->verdict, r, g))
		replay__fail(r, -ENOMEM, "out of memory");
}

static void end_state(struct replay *r, struct rp_g *g, uint64_t ts, enum rp_end how)
{
	/* One test for both, as told() alone would: end_state runs for every state. */
	if (g->flags & (RP_G_UNTOLD | RP_G_UNCOUNTED))
		snapshot_state_end(r, g, how);
	if (ts < g->since)
		ts = g->since;
	if (r->sink->state_end)
		r->sink->state_end(r->sink->ctx, r, g, ts, how);
	g->state_alloc_bytes = 0;
	g->state_alloc_count = 0;
	free(g->block_stack);
	g->block_stack = NULL;
	g->first = false;
	g->flags &= (uint8_t)~RP_G_GAP;
}

static void gone(struct replay *r, struct rp_g *g)
{
	if (r->sink->gone && !(g->flags & RP_G_UNTOLD))
		r->sink->gone(r->sink->ctx, r, g);
	free(g->block_stack);
	free(g->create_stack);
	free(g);
}

/* The life is over at ts: its last state ends, the g is forgotten. */
static void end_life(struct replay *r, struct rp_g *g, uint64_t ts, enum rp_end how)
{
	end_state(r, g, ts, how);
	count(r, g->state, -1);
	r->counts[RP_C_ALIVE]--;
	u64map__del(&r->gors, g->gp);
	gone(r, g);
}

/*
 * The transition that led to the current state, reported again by another
 * probe (Go 1.26 falls back from its fast-path CAS to casgstatus, so both
 * see it). The same probe reporting it again means transitions were lost.
 */
static bool repeated(const struct rp_g *g, const struct gotl_ev_status *e)
{
	return g->state == e->to && g->prev == e->from && g->probe != e->probe &&
	       (e->to != GOTL_G_WAITING || g->reason == e->reason);
}

/* Does `from` agree with what we know? Waiting and Preempted are interchangeable. */
static bool follows(const struct rp_g *g, uint8_t from)
{
	return g->state == from || (replay__blocked(g->state) && replay__blocked(from));
}

/* Forget a snapshot life the sink was never told of. */
static void unsnap(struct replay *r, struct rp_g *g)
{
	count(r, g->state, -1);
	r->counts[RP_C_ALIVE]--;
	r->st->goroutines--;
	u64map__del(&r->gors, g->gp);
	gone(r, g);
}

static void on_create(struct replay *r, uint64_t ts, const struct gotl_ev_create *e)
{
	struct rp_g *g = u64map__get(&r->gors, e->gp), *parent;

	/*
	 * Created while gotl read the snapshot, before it read this g: the
	 * snapshot has this life (the creation tells it all), or a later one of
	 * the same g (whose creation comes later).
	 */
	if (g && (g->flags & RP_G_UNTOLD) && ts <= g->snap_read) {
		unsnap(r, g);
		g = NULL;
	}
	if (g) { /* its exit was lost: the g is already reused */
		g->flags |= RP_G_GAP;
		r->st->unobserved++;
		end_life(r, g, ts, RP_END_LOST);
	}
	g = born(r, e->gp, ts, e->to == GOTL_G_WAITING ? GOTL_G_WAITING : GOTL_G_RUNNABLE,
		 e->reason);
	if (!g)
		return;
	g->goid = e->goid;
	g->parent_goid = e->parent_goid;
	g->startpc = e->startpc;
	g->gopc = e->gopc;
	g->probe = e->probe;
	parent = e->parent_gp ? u64map__get(&r->gors, e->parent_gp) : NULL;
	/* A parent from the snapshot that has not moved since: the sink meets it now. */
	told(r, parent);
	if (r->sink->born)
		r->sink->born(r->sink->ctx, r, g, parent);
}

static void on_status(struct replay *r, uint64_t ts, const struct gotl_ev_status *e)
{
	struct rp_g *g = u64map__get(&r->gors, e->gp), *w;
	bool dead = e->to == GOTL_G_DEAD || e->to == GOTL_G_DEADEXTRA;

	if (g && g->goid && e->goid && g->goid != e->goid) {
		if ((g->flags & RP_G_UNTOLD) && ts <= g->snap_read) {
			/* An earlier life, ended before gotl read the g: the snapshot's begins later. */
			unsnap(r, g);
		} else {
			/* A new life of this g whose exit and creation we did not see. */
			g->flags |= RP_G_GAP;
			r->st->unobserved++;
			end_life(r, g, ts, RP_END_LOST);
		}
		g = NULL;
	}
	if (!g) {
		if (dead)
			return;
		g = born(r, e->gp, ts, e->to, e->reason);
		if (!g)
			return;
		g->goid = e->goid;
		g->probe = e->probe;
		if (e->from == GOTL_G_DEAD || e->from == GOTL_G_DEADEXTRA)
			g->flags |= RP_G_CGO; /* a cgo callback's g on an extra M */
		else
			g->flags |= RP_G_APPEARED;
		if (e->to == GOTL_G_RUNNING)
			g->tid = e->hdr.tid;
		if (r->sink->born)
			r->sink->born(r->sink->ctx, r, g, NULL);
		return;
	}
	if (!g->goid)
		g->goid = e->goid; /* first status after a creation on Go <= 1.23 */
	if (!dead && repeated(g, e))
		return;
	/*
	 * A transition made while gotl read the snapshot, before it read this g:
	 * the snapshot shows the state after it; the state before it held from
	 * the start of the recording. A goroutine leaves Running or Syscall on
	 * its own thread: the event's.
	 */
	if ((g->flags & RP_G_SNAPSHOT) && g->first && ts <= g->snap_read && !follows(g, e->from)) {
		count(r, g->state, -1);
		if (e->from != GOTL_G_WAITING || g->state != GOTL_G_WAITING)
			g->reason = 0;
		g->state = e->from;
		count(r, g->state, +1);
		if (e->from == GOTL_G_RUNNING || e->from == GOTL_G_SYSCALL)
			g->tid = e->hdr.tid;
		free(g->block_stack);
		g->block_stack = NULL;
	}
	told(r, g);
	if (!follows(g, e->from)) {
		g->flags |= RP_G_GAP;
		r->st->unobserved++;
	}
	if (dead) {
		end_life(r, g, ts, RP_END_EXIT);
		return;
	}
	end_state(r, g, ts, RP_END_NEXT);
	count(r, g->state, -1);
	g->prev = g->state;
	g->probe = e->probe;
	g->state = e->to;
	g->reason = e->reason;
	g->since = ts;
	g->woken_by = 0;
	count(r, g->state, +1);
	if (e->to == GOTL_G_RUNNING)
		g->tid = e->hdr.tid;

	/* A wake-up (or a coroutine handing over). */
	if ((e->to == GOTL_G_RUNNABLE || e->to == GOTL_G_RUNNING) && e->other_gp &&
	    (w = u64map__get(&r->gors, e->other_gp)) && w != g && w->goid && g->goid) {
		told(r, w);
		g->woken_by = w->goid;
		if (r->sink->wake)
			r->sink->wake(r->sink->ctx, r, w, g, ts);
	}
}

/* A goroutine that existed when gotl attached: its state holds from the start. */
static void on_gsnap(struct replay *r, uint64_t ts, const struct gotl_ev_gsnap *e)
{
	struct rp_g *g;

	if (u64map__get(&r->gors, e->gp) || e->status == GOTL_G_DEAD || e->status == GOTL_G_IDLE ||
	    e->status == GOTL_G_DEADEXTRA || e->status >= GOTL_G_MAX)
		return;
	g = born(r, e->gp, ts, e->status, e->status == GOTL_G_WAITING ? e->reason : 0);
	if (!g)
		return;
	g->goid = e->goid;
	g->parent_goid = e->parent_goid;
	g->startpc = e->startpc;
	g->gopc = e->gopc;
	g->probe = 0xff;
	g->flags |= RP_G_SNAPSHOT | RP_G_UNTOLD | (r->verdict ? RP_G_UNCOUNTED : 0);
	g->snap_read = e->read_ts;
	g->waited_since = e->waitsince && e->waitsince < ts ? e->waitsince : 0;
	if (e->status == GOTL_G_RUNNING)
		g->tid = e->hdr.tid;
}

/* A stack goes with the event just applied for the same g at the same time. */
static void on_stack(struct replay *r, uint64_t ts, const struct gotl_ev_stack *e)
{
	struct rp_g *g = u64map__get(&r->gors, e->gp);
	struct rp_stack *s;
	unsigned n = e->n;

	if (!g || n == 0)
		return;
	if (n > GOTL_STACK_MAX || offsetof(struct gotl_ev_stack, pcs) + 8 * n > e->hdr.size)
		return;
	if (e->kind == GOTL_STACK_BLOCK && !(g->state == GOTL_G_WAITING && g->since == ts))
		return;
	if (e->kind == GOTL_STACK_CREATE && !(g->first && g->created == ts))
		return;
	s = calloc(1, sizeof(*s));
	if (!s) {
		replay__fail(r, -ENOMEM, "out of memory");
		return;
	}
	s->kind = e->kind;
	s->truncated = e->truncated;
	memcpy(s->pcs, e->pcs, 8 * n);
	/*
	 * A creation stack starts where newproc switched stacks: on Go versions
	 * where systemstack has a frame, inside runtime.newproc. The `go`
	 * statement is the first frame that matters.
	 */
	if (e->kind == GOTL_STACK_CREATE) {
		unsigned skip = 0;

		while (skip < n) {
			const struct rp_frames *fr = replay__frames(r, s->pcs[skip]);

			if (!fr || !fr->n ||
			    (strcmp(fr->f[0].func, "runtime.newproc") &&
			     strncmp(fr->f[0].func, "runtime.systemstack", 19)))
				break;
			skip++;
		}
		memmove(s->pcs, s->pcs + skip, 8 * (n - skip));
		n -= skip;
	}
	s->n = (uint8_t)n;
	if (e->kind == GOTL_STACK_BLOCK) {
		free(g->block_stack);
		g->block_stack = s;
	} else {
		free(g->create_stack);
		g->create_stack = s;
	}
	if (e->gp_stack_size)
		g->stack_size = e->gp_stack_size;
}

/* ---- allocations --------------------------------------------------------- */

static void on_galloc(struct replay *r, uint64_t ts, const struct gotl_ev_galloc *e)
{
	struct rp_g *g = u64map__get(&r->gors, e->gp);

	if (!g || (e->goid && g->goid && e->goid != g->goid))
		return;
	told(r, g);
	/* What g allocated in the Running span that ends now. */
	g->state_alloc_bytes += e->bytes;
	g->state_alloc_count += e->count;
	g->alloc_bytes += e->bytes;
	g->alloc_count += e->count;
	if (r->sink->galloc)
		r->sink->galloc(r->sink->ctx, r, g, ts);
}

/* Hand the waiting allocation to the sink, with its stack if it came. */
static void deliver_alloc(struct replay *r, const struct gotl_ev_stack *e)
{
	const struct gotl_ev_alloc *a = r->alloc;
	struct rp_g *g;
	struct rp_stack s;

	r->alloc = NULL;
	if (!a || !r->sink->alloc)
		return;
	g = a->gp ? u64map__get(&r->gors, a->gp) : NULL;
	if (g && a->goid && g->goid && g->goid != a->goid)
		g = NULL;
	told(r, g);
	if (e) {
		memset(&s, 0, sizeof(s));
		s.kind = e->kind;
		s.n = e->n;
		s.truncated = e->truncated;
		memcpy(s.pcs, e->pcs, 8 * (size_t)e->n);
	}
	r->sink->alloc(r->sink->ctx, r, g, a, e ? &s : NULL);
}

/* ---- garbage collector ---------------------------------------------------- */

static void gc_end(struct replay *r, uint64_t ts, bool open)
{
	r->gc.end = ts;
	r->gc.open = open;
	r->gc_open = false;
	if (r->sink->gc)
		r->sink->gc(r->sink->ctx, r, &r->gc);
}

static void gc_begin(struct replay *r, uint64_t ts, uint64_t gp, uint64_t goid, bool unseen)
{
	uintptr_t kind = gp ? (uintptr_t)u64map__get(&r->triggers, gp) : 0;

	if (r->gc_open) /* its end was lost */
		gc_end(r, ts, false);
	memset(&r->gc, 0, sizeof(r->gc));
	r->gc.n = ++r->gc_n;
	r->gc.start = ts;
	r->gc.by_goid = unseen ? 0 : goid;
	r->gc.trigger = kind ? (uint8_t)(kind - 1) : RP_GC_TRIGGER_UNKNOWN;
	r->gc.began_unseen = unseen;
	r->gc_open = true;
	r->st->gc_cycles++;
	if (gp)
		u64map__del(&r->triggers, gp);
}

/* Why the world stopped: the runtime says so from Go 1.21; before, the GC cycle tells. */
static const char *stw_reason(struct replay *r)
{
	const char *s = r->stw_reason != GOTL_GC_STW_UNKNOWN ?
				replay__stw_reason(r, r->stw_reason) :
				NULL;

	if (s)
		return s;
	if (r->stw.gc && r->gc.markterm_start >= r->stw.start)
		return "GC mark termination";
	if (r->stw.gc && r->gc.sweepterm_start == r->stw.start)
		return "GC sweep termination";
	return "stop the world";
}

static void stw_end(struct replay *r, uint64_t ts, bool open)
{
	r->stw.end = ts;
	r->stw.open = open;
	r->stw.reason = stw_reason(r);
	r->stw_open = false;
	r->st->stw_pauses++;
	if (r->stw.gc && r->gc_open) {
		r->gc.stw_ns += ts - r->stw.start;
		if (r->gc.sweepterm_start == r->stw.start)
			r->gc.sweepterm_end = ts;
	}
	if (r->sink->stw)
		r->sink->stw(r->sink->ctx, r, &r->stw);
}

static void on_gc(struct replay *r, uint64_t ts, const struct gotl_ev_gc *e)
{
	switch (e->what) {
	case GOTL_GC_TRIGGER:
		if (e->gp && u64map__put(&r->triggers, e->gp, (void *)(uintptr_t)(e->arg + 1u)))
			replay__fail(r, -ENOMEM, "out of memory");
		break;
	case GOTL_GC_BEGIN:
		gc_begin(r, ts, e->gp, e->goid, false);
		break;
	case GOTL_GC_MARKTERM:
		if (!r->gc_open) /* it began before the recording */
			gc_begin(r, r->start->hdr.ts, 0, 0, true);
		if (!r->gc.markterm_start)
			r->gc.markterm_start = r->stw_open ? r->stw.start : ts;
		if (r->stw_open && !r->stw.gc)
			r->stw.gc = r->gc.n;
		break;
	case GOTL_GC_STW_STOP:
		if (r->stw_open) /* its end was lost */
			stw_end(r, ts, false);
		memset(&r->stw, 0, sizeof(r->stw));
		r->stw.start = ts;
		r->stw_reason = e->arg;
		r->stw_open = true;
		if (r->gc_open && !r->gc.markterm_start) {
			r->stw.gc = r->gc.n;
			if (!r->gc.sweepterm_start)
				r->gc.sweepterm_start = ts;
		}
		break;
	case GOTL_GC_STW_START:
		if (!r->stw_open)
			break;
		stw_end(r, ts, false);
		/* The world starts again after mark termination: the cycle is over. */
		if (r->gc_open && r->gc.markterm_start)
			gc_end(r, ts, false);
		break;
	}
}

static void on_stats(struct replay *r, const struct gotl_rec_stats *s)
{
	/*
	 * The arrays are as long as the writer's GOTL_PROBE_MAX (event.h), not
	 * ours: index from the record's start, never past the end of s->hits.
	 */
	size_t n = (s->hdr.size - sizeof(s->hdr)) / 24, k;
	const __u64 *v = (const void *)((const uint8_t *)s + sizeof(s->hdr));
	const __u64 *lostv = v + 2 * n; /* hits[n], emitted[n], lost[n] */
	uint64_t lost = 0;

	for (k = 0; k < n; k++)
		lost += lostv[k];
	if (lost > r->st->lost)
		r->st->lost = lost;
	r->counts[RP_C_LOST] = (int64_t)r->st->lost;
}

static void on_loss(struct replay *r, const struct gotl_rec_loss *l)
{
	int k;

	for (k = 0; k < GOTL_LOSS_KINDS; k++)
		if (l->lost[k] > r->st->lost_kind[k])
			r->st->lost_kind[k] = l->lost[k];
}

static bool alloc_stack(const struct gotl_rec *rec)
{
	return rec->type == GOTL_REC_STACK &&
	       ((const struct gotl_ev_stack *)rec)->kind == GOTL_STACK_ALLOC;
}

static void end_program(struct replay *r, uint64_t ts);

static void apply(struct replay *r, uint64_t ts, const struct gotl_rec *rec)
{
	if (ts > r->last_ts)
		r->last_ts = ts;
	/* An allocation's stack comes right after it, or not at all. */
	if (r->alloc) {
		if (alloc_stack(rec) && rec->ts == r->alloc->hdr.ts &&
		    ((const struct gotl_ev_stack *)rec)->gp == r->alloc->gp) {
			deliver_alloc(r, (const void *)rec);
			return;
		}
		deliver_alloc(r, NULL);
	}
	/* After an exec the Go program is gone: what its probes still saw is not its story. */
	if (r->exec && rec->type != GOTL_REC_STATS && rec->type != GOTL_REC_LOSS &&
	    rec->type != GOTL_REC_ALLOC_TOTAL && rec->type != GOTL_REC_ALLOC_CLASS)
		return;
	switch (rec->type) {
	case GOTL_REC_EXEC:
		r->exec = (const void *)rec;
		end_program(r, ts);
		break;
	case GOTL_REC_CREATE:
		on_create(r, ts, (const void *)rec);
		break;
	case GOTL_REC_STATUS:
		on_status(r, ts, (const void *)rec);
		break;
	case GOTL_REC_STACK:
		if (!alloc_stack(rec))
			on_stack(r, ts, (const void *)rec);
		break;
	case GOTL_REC_STATS:
		on_stats(r, (const void *)rec);
		break;
	case GOTL_REC_LOSS:
		on_loss(r, (const void *)rec);
		break;
	case GOTL_REC_GALLOC:
		on_galloc(r, ts, (const void *)rec);
		break;
	case GOTL_REC_ALLOC:
		r->alloc = (const void *)rec;
		break;
	case GOTL_REC_ALLOC_TOTAL:
		if (r->sink->alloc_total)
			r->sink->alloc_total(r->sink->ctx, r, ts, (const void *)rec);
		break;
	case GOTL_REC_ALLOC_CLASS:
		if (r->sink->alloc_class)
			r->sink->alloc_class(r->sink->ctx, r, ts, (const void *)rec);
		break;
	case GOTL_REC_GC:
		on_gc(r, ts, (const void *)rec);
		break;
	case GOTL_REC_GSNAP:
		on_gsnap(r, ts, (const void *)rec);
		/* A window's goroutines at its start: the counters begin with all of them. */
		if (r->start->flags & GOTL_START_WINDOW)
			return;
		break;
	}
	tell_counters(r, ts);
}

/* ---- reorder window ----------------------------------------------------- */

static int pend_push(struct replay *r, uint64_t ts, const struct gotl_rec *rec)
{
	size_t i;

	if (r->tail == r->cap) {
		if (r->head > r->cap / 2) {
			memmove(r->pend, r->pend + r->head, (r->tail - r->head) * sizeof(*r->pend));
			r->tail -= r->head;
			r->head = 0;
		} else {
			size_t ncap = r->cap ? r->cap * 2 : 4096;
			struct pending *n = realloc(r->pend, ncap * sizeof(*n));

			if (!n)
				return -ENOMEM;
			r->pend = n;
			r->cap = ncap;
		}
	}
	/* Insert after every entry with ts <= this one: stable, and cheap when nearly sorted. */
	i = r->tail;
	while (i > r->head && r->pend[i - 1].ts > ts) {
		r->pend[i] = r->pend[i - 1];
		i--;
	}
	r->pend[i].ts = ts;
	r->pend[i].rec = rec;
	r->tail++;
	return 0;
}

/* The goroutine a record in the window is about (0 if none). */
static uint64_t rec_gp(const struct gotl_rec *rec)
{
	if (rec->type == GOTL_REC_STATUS)
		return ((const struct gotl_ev_status *)rec)->gp;
	if (rec->type == GOTL_REC_CREATE)
		return ((const struct gotl_ev_create *)rec)->gp;
	return 0;
}

/*
 * Applying a record mostly waits for its goroutine's memory (a few thousand
 * live ones, out of cache by the time the window lets the record go): load
 * it ahead, the map slot 12 records before and the goroutine (and the
 * sink's data for it) 6 and 3 before.
 */
static void prefetch_ahead(struct replay *r)
{
	size_t h = r->head;
	struct rp_g *g;
	uint64_t gp;

	if (h + 12 < r->tail && (gp = rec_gp(r->pend[h + 12].rec)))
		u64map__prefetch(&r->gors, gp);
	if (h + 6 < r->tail && (gp = rec_gp(r->pend[h + 6].rec)) && (g = u64map__get(&r->gors, gp)))
		__builtin_prefetch(g);
	if (h + 3 < r->tail && (gp = rec_gp(r->pend[h + 3].rec)) &&
	    (g = u64map__get(&r->gors, gp)) && g->sink)
		__builtin_prefetch(g->sink);
}

static void pend_flush(struct replay *r, uint64_t upto, bool all)
{
	while (!r->err && r->head < r->tail &&
	       (all || r->pend[r->head].ts + REORDER_WINDOW_NS < upto)) {
		prefetch_ahead(r);
		apply(r, r->pend[r->head].ts, r->pend[r->head].rec);
		r->head++;
	}
	if (r->head == r->tail)
		r->head = r->tail = 0;
}

static void queue(struct replay *r, uint64_t ts, const struct gotl_rec *rec)
{
	if (ts < r->last_ts) { /* later than the window allows: keep it in order */
		ts = r->last_ts;
		r->st->late++;
	}
	if (ts > r->max_seen)
		r->max_seen = ts;
	if (pend_push(r, ts, rec)) {
		replay__fail(r, -ENOMEM, "out of memory");
		return;
	}
	pend_flush(r, r->max_seen, false);
}

/*
 * The log's pages before every record still needed (the reorder window's,
 * the allocation waiting for its stack) leave memory: a long log is read
 * through, not kept. Records kept by pointer for the whole replay (start,
 * end, exec) are tiny and read again from the file if their page was given
 * back.
 */
static void release(struct replay *r, const struct gotl_rec *next)
{
	const void *low = next;
	size_t i;

	for (i = r->head; i < r->tail; i++)
		if ((const void *)r->pend[i].rec < low)
			low = r->pend[i].rec;
	if (r->alloc && (const void *)r->alloc < low)
		low = r->alloc;
	logr__release(r->lr, low);
	r->released = logr__offset(r->lr);
}

/* ---- untimed records ---------------------------------------------------- */

static void on_meta(struct replay *r, const struct gotl_rec_meta *m)
{
	const char *k = m->data, *v = m->data + m->key_len;
	char *key, *val;
	int i;

	if (m->key_len == 3 && !memcmp(k, "arg", 3)) {
		char **n = realloc(r->argv, (r->argc + 2) * sizeof(*n));

		if (!n)
			return;
		r->argv = n;
		r->argv[r->argc] = dupn(v, m->value_len);
		if (r->argv[r->argc])
			r->argc++;
		r->argv[r->argc] = NULL;
		return;
	}
	if (m->key_len == 5 && !memcmp(k, "probe", 5)) {
		size_t old = r->probes ? strlen(r->probes) : 0;
		char *n = realloc(r->probes, old + m->value_len + 3);

		if (!n)
			return;
		if (old) {
			memcpy(n + old, "; ", 2);
			old += 2;
		}
		memcpy(n + old, v, m->value_len);
		n[old + m->value_len] = 0;
		r->probes = n;
		return;
	}
	if (m->key_len == 10 && !memcmp(k, "follow_log", 10)) {
		char **l = realloc(r->follow_logs, (size_t)(r->nfollow + 1) * sizeof(*l));
		size_t *len;

		if (!l)
			return;
		r->follow_logs = l;
		len = realloc(r->follow_lens, (size_t)(r->nfollow + 1) * sizeof(*len));
		if (!len)
			return;
		r->follow_lens = len;
		r->follow_logs[r->nfollow] = dupn(v, m->value_len);
		r->follow_lens[r->nfollow] = m->value_len;
		if (r->follow_logs[r->nfollow])
			r->nfollow++;
		return;
	}
	if (m->key_len == 10 && !memcmp(k, "stw_reason", 10)) {
		/* "<index> <text>" */
		char *text, *num = dupn(v, m->value_len);
		unsigned long idx = num ? strtoul(num, &text, 10) : 256;

		if (num && idx < 256 && *text == ' ') {
			free(r->stw_reasons[idx]);
			r->stw_reasons[idx] = strdup(text + 1);
		}
		free(num);
		return;
	}
	key = dupn(k, m->key_len);
	val = dupn(v, m->value_len);
	if (!key || !val)
		goto drop;
	for (i = 0; i < r->nmeta; i++)
		if (!strcmp(r->meta_keys[i], key)) {
			free(r->meta_vals[i]);
			r->meta_vals[i] = val;
			free(key);
			return;
		}
	if (r->nmeta == (int)(sizeof(r->meta_keys) / sizeof(r->meta_keys[0])))
		goto drop;
	r->meta_keys[r->nmeta] = key;
	r->meta_vals[r->nmeta++] = val;
	return;
drop:
	free(key);
	free(val);
}

static void on_sym(struct replay *r, const struct gotl_rec_sym *s)
{
	struct rp_sym *y;

	if (u64map__get(&r->syms, s->pc))
		return;
	y = calloc(1, sizeof(*y));
	if (!y)
		return;
	y->pc = s->pc;
	y->func = dupn(s->data, s->func_len);
	y->file = dupn(s->data + s->func_len, s->file_len);
	y->line = s->line;
	y->flags = s->flags;
	if (!y->func || !y->file || u64map__put(&r->syms, s->pc, y)) {
		free(y->func);
		free(y->file);
		free(y);
	}
}

static void on_type(struct replay *r, const struct gotl_rec_type *t)
{
	struct rp_type *y;

	if (!t->addr || u64map__get(&r->types, t->addr))
		return;
	y = calloc(1, sizeof(*y));
	if (!y)
		return;
	y->addr = t->addr;
	y->name = dupn(t->name, t->name_len);
	y->size = t->size;
	y->kind = t->kind;
	y->flags = t->flags;
	if (!y->name || u64map__put(&r->types, t->addr, y)) {
		free(y->name);
		free(y);
	}
}

/* GOTL_REC_FRAMES: strings live in the mapped log, copied once here. */
static void on_frames(struct replay *r, const struct gotl_rec_frames *f)
{
	size_t off = sizeof(*f) + (size_t)f->nframes * sizeof(struct gotl_frame);
	const char *str = (const char *)f + off;
	struct rp_frames *fr;
	int i;

	if (u64map__get(&r->frames, f->pc))
		return;
	fr = calloc(1, sizeof(*fr) + (size_t)f->nframes * sizeof(struct rp_frame));
	if (!fr)
		return;
	fr->pc = f->pc;
	fr->f = (struct rp_frame *)(fr + 1);
	for (i = 0; i < f->nframes; i++) {
		char *func = dupn(str, f->frames[i].func_len), *file;

		str += f->frames[i].func_len;
		file = dupn(str, f->frames[i].file_len);
		str += f->frames[i].file_len;
		if (!func || !file) {
			free(func);
			free(file);
			break;
		}
		fr->f[i] = (struct rp_frame){ func, file, f->frames[i].line, frame_class(func) };
		fr->n = i + 1;
	}
	if (u64map__put(&r->frames, f->pc, fr)) {
		for (i = 0; i < fr->n; i++) {
			free((char *)fr->f[i].func);
			free((char *)fr->f[i].file);
		}
		free(fr);
	}
}

/* ---- the end ------------------------------------------------------------ */

static int by_goid(const void *a, const void *b)
{
	const struct rp_g *x = *(struct rp_g *const *)a, *y = *(struct rp_g *const *)b;

	if (x->goid != y->goid)
		return x->goid < y->goid ? -1 : 1;
	return x->gp < y->gp ? -1 : x->gp > y->gp;
}

/*
 * The Go program's story ends at ts (the recording's end, or an exec): an
 * open stop-the-world and GC cycle, then every live goroutine, in goid
 * order (the same bytes for the same log).
 */
static void end_program(struct replay *r, uint64_t ts)
{
	struct rp_g **all;
	size_t i, n = 0;

	if (r->stw_open)
		stw_end(r, ts, true);
	if (r->gc_open)
		gc_end(r, ts, true);
	all = calloc(r->gors.len ? r->gors.len : 1, sizeof(*all));
	if (!all) {
		replay__fail(r, -ENOMEM, "out of memory");
		return;
	}
	for (i = 0; i < r->gors.cap; i++)
		if (r->gors.slots[i].v)
			all[n++] = r->gors.slots[i].v;
	qsort(all, n, sizeof(*all), by_goid);
	/* Long-lived or not is known now, before a sink is told a last span. */
	if (r->verdict && verdict__end(r->verdict, r, all, n))
		replay__fail(r, -ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		end_state(r, all[i], ts, RP_END_RECORDING);
		count(r, all[i]->state, -1);
		r->counts[RP_C_ALIVE]--;
		gone(r, all[i]);
	}
	free(all);
	free(r->gors.slots);
	memset(&r->gors, 0, sizeof(r->gors));
}

static void finish(struct replay *r)
{
	uint64_t end = r->last_ts;

	if (r->end && r->end->hdr.ts > end)
		end = r->end->hdr.ts;
	r->st->end = end;
	deliver_alloc(r, NULL);
	end_program(r, end);
	tell_counters(r, end);
	if (r->sink->finish)
		r->sink->finish(r->sink->ctx, r, end);
}

static void replay_free(struct replay *r)
{
	size_t i;
	int k;

	for (i = 0; i < r->gors.cap; i++)
		if (r->gors.slots[i].v)
			gone(r, r->gors.slots[i].v);
	free(r->gors.slots);
	for (i = 0; i < r->syms.cap; i++) {
		struct rp_sym *y = r->syms.slots[i].v;

		if (y) {
			free(y->func);
			free(y->file);
			free(y);
		}
	}
	free(r->syms.slots);
	for (i = 0; i < r->frames.cap; i++) {
		struct rp_frames *fr = r->frames.slots[i].v;

		if (!fr)
			continue;
		for (k = 0; k < fr->n; k++) {
			free((char *)fr->f[k].func);
			free((char *)fr->f[k].file);
		}
		free(fr);
	}
	free(r->frames.slots);
	for (i = 0; i < r->types.cap; i++) {
		struct rp_type *y = r->types.slots[i].v;

		if (y) {
			free(y->name);
			free(y);
		}
	}
	free(r->types.slots);
	free(r->triggers.slots);
	for (k = 0; k < 256; k++) {
		free(r->reasons[k]);
		free(r->stw_reasons[k]);
	}
	for (k = 0; k < r->nmeta; k++) {
		free(r->meta_keys[k]);
		free(r->meta_vals[k]);
	}
	for (i = 0; i < r->argc; i++)
		free(r->argv[i]);
	free(r->argv);
	for (k = 0; k < r->nfollow; k++)
		free(r->follow_logs[k]);
	free(r->follow_logs);
	free(r->follow_lens);
	free(r->probes);
	free(r->pend);
	verdict__free(r->verdict);
	logr__free(r->lr);
}

int replay__run(const char *path, struct rp_sink *sink, struct replay_stats *st, char *err,
		size_t errlen)
{
	const struct gotl_rec *rec;
	struct replay r;
	int ret;

	memset(&r, 0, sizeof(r));
	memset(st, 0, sizeof(*st));
	r.sink = sink;
	r.st = st;
	r.errbuf = err;
	r.errlen = errlen;
	ret = logr__open(path, &r.lr, err, errlen);
	if (ret)
		return ret;
	while (!r.err && (ret = logr__next(r.lr, &rec)) > 0) {
		if (logr__offset(r.lr) - r.released > LOGR_RELEASE_BYTES)
			release(&r, rec);
		switch (rec->type) {
		case GOTL_REC_META:
			on_meta(&r, (const void *)rec);
			break;
		case GOTL_REC_WAITREASON: {
			const struct gotl_rec_waitreason *w = (const void *)rec;

			if (w->index < 256) {
				free(r.reasons[w->index]);
				r.reasons[w->index] = dupn(w->str, w->len);
			}
			break;
		}
		case GOTL_REC_SYM:
			on_sym(&r, (const void *)rec);
			break;
		case GOTL_REC_FRAMES:
			on_frames(&r, (const void *)rec);
			break;
		case GOTL_REC_TYPE:
			on_type(&r, (const void *)rec);
			break;
		case GOTL_REC_START:
			if (r.start)
				break;
			r.start = (const void *)rec;
			st->pid = r.start->pid;
			st->attached = r.start->flags & GOTL_START_ATTACHED;
			st->start = r.start->hdr.ts;
			r.last_ts = r.max_seen = r.start->hdr.ts;
			if ((r.start->flags & GOTL_START_ATTACHED) && verdict__new(&r.verdict)) {
				replay__fail(&r, -ENOMEM, "out of memory");
				break;
			}
			/* A sink says why it failed with replay__fail; this is the fallback. */
			if (sink->start && (ret = sink->start(sink->ctx, &r)))
				replay__fail(&r, ret, "%s", strerror(-ret));
			if (!(r.start->flags & GOTL_START_WINDOW))
				tell_counters(&r, r.start->hdr.ts);
			break;
		case GOTL_REC_CREATE:
		case GOTL_REC_STATUS:
		case GOTL_REC_STACK:
		case GOTL_REC_STATS:
		case GOTL_REC_ALLOC:
		case GOTL_REC_GALLOC:
		case GOTL_REC_ALLOC_TOTAL:
		case GOTL_REC_ALLOC_CLASS:
		case GOTL_REC_GC:
		case GOTL_REC_GSNAP:
		case GOTL_REC_EXEC:
		case GOTL_REC_LOSS:
			if (!r.start) {
				replay__fail(&r, -EPROTO, "'%s' has events before its start record",
					     path);
				break;
			}
			if (rec->type == GOTL_REC_CREATE || rec->type == GOTL_REC_STATUS)
				st->events++;
			queue(&r, rec->ts, rec);
			break;
		case GOTL_REC_END:
			r.end = (const void *)rec;
			st->ended = true;
			break;
		default:
			break; /* a record type from a newer gotl */
		}
	}
	if (ret < 0 && !r.err)
		replay__fail(&r, ret, "'%s' is corrupt at byte %" PRIu64, path, logr__offset(r.lr));
	if (!r.err && !r.start)
		replay__fail(&r, -EPROTO, "'%s' ends before the recording started", path);
	if (!r.err) {
		st->truncated = logr__truncated(r.lr);
		pend_flush(&r, 0, true);
	}
	if (!r.err)
		finish(&r);
	ret = r.err;
	replay_free(&r);
	return ret;
}
