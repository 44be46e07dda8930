// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * convert.c: the goroutine state machine behind `gotl convert`.
 *
 * Records come from the log in arrival order, which is nearly but not quite
 * time order (several CPUs fill one ring buffer); events pass through a
 * small reorder window and are then applied in timestamp order. Each live
 * goroutine (keyed by its g pointer, since g structs are recycled and on Go
 * <= 1.23 the goid of a new goroutine is only known at its first run) holds
 * its current state and the time it entered it; a state slice is written
 * when the state ends, so everything a slice needs (its end, whether it was
 * still open at the end of the recording) is known when it is written.
 *
 * Output order rules it keeps (see pftrace.h): a goroutine's track is
 * declared just before its first slice; the instant that starts a spawn or
 * wake-up flow is written before the slice that ends it; a slice's END is
 * written before the next BEGIN on its track.
 *
 * It must not trust the log: an event that does not follow from the state
 * it knows is applied anyway and the slice it ends is marked
 * "unobserved_transitions"; unknown goroutines start where first seen.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gotl/event.h"
#include "gotl/version.h"
#include "convert.h"
#include "logr.h"
#include "pftrace.h"

/* Events may arrive this much later than newer ones and still be ordered. */
#define REORDER_WINDOW_NS	(200ull * 1000 * 1000)

#define UUID_PROCESS		1
#define UUID_GROUP		2
#define UUID_COUNTER_BASE	16
#define UUID_UNKNOWN_GOID	(1ull << 38)
#define UUID_GOID		(1ull << 39)

enum counter {
	C_ALIVE, C_RUNNING, C_RUNNABLE, C_BLOCKED, C_SYSCALL, C_LOST, C_MAX
};

static const char *const counter_names[C_MAX] = {
	"Goroutines alive", "Goroutines running", "Goroutines runnable", "Goroutines blocked",
	"Goroutines in syscall", "gotl events lost",
};

/* Goroutine flags. */
#define GOR_GAP		1	/* the current state's end was not observed (events lost) */
#define GOR_APPEARED	2	/* first seen after its creation */
#define GOR_CGO		4	/* a cgo callback goroutine on an extra M */

struct sym {
	uint64_t pc;
	char *func;
	char *file;
	uint32_t line;
};

struct gor {
	uint64_t gp;
	uint64_t goid;		/* 0 until known */
	uint64_t uuid;		/* 0 until its track is declared */
	uint64_t parent_goid;
	uint64_t startpc, gopc;
	uint64_t since;		/* start of the current state */
	uint64_t flow_in;	/* flow that ends at the current slice's begin */
	uint64_t spawn_flow;	/* flow from the parent's `go` statement, not written yet */
	uint64_t spawn_ts;
	uint64_t spawn_parent_uuid;
	uint64_t woken_by;	/* goid that made the current Runnable slice runnable */
	uint64_t start_iid, site_iid;
	uint32_t tid;
	uint8_t state, reason, flags;
	uint8_t prev;		/* the state before the current one */
	uint8_t probe;		/* the probe that reported the transition into it */
};

/* A map from u64 keys (g pointers, PCs) to pointers; linear probing, backward-shift delete. */
struct u64map {
	struct kv {
		uint64_t k;
		void *v;
	} *slots;
	size_t cap, len;
};

struct pending {
	uint64_t ts;
	const struct gotl_rec *rec;
};

struct cv {
	struct logr *lr;
	struct pftrace *pf;
	struct convert_stats *st;
	struct u64map gors;
	struct u64map syms;
	char *reasons[256];
	/* metadata from the log */
	char *go_version, *binary, *comm, *gotl_version, *go_build_id, *gnu_build_id, *offsets;
	char **argv;
	size_t argc;
	char *probes;
	bool started;
	uint32_t pid;
	uint64_t base;		/* uuid base for this process */
	uint64_t flow_seq;
	uint64_t unknown_seq;
	uint64_t last_ts;	/* newest timestamp applied */
	uint64_t max_seen;	/* newest timestamp read */
	const struct gotl_rec_end *end;
	int64_t counts[C_MAX], emitted[C_MAX];
	bool counter_started;
	/* reorder window */
	struct pending *pend;
	size_t head, tail, cap;
	/* interned ids used everywhere */
	uint64_t cat_goroutine, n_running, n_runnable, n_syscall, n_waiting, n_preempted,
		 n_leaked, n_create, n_unblock;
	uint64_t a_goid, a_tid, a_reason, a_start, a_site, a_parent, a_woken_by, a_open_at_end,
		 a_still_blocked, a_unobserved, a_cgo;
	uint64_t n_reason[256];	/* event-name iids of blocked-state names, by wait reason */
	uint64_t s_reason[256];	/* the same names as string-value iids, for the wait_reason arg */
	int err;
	char *errbuf;
	size_t errlen;
};

/* ---- small helpers ------------------------------------------------------ */

static char *strndup_safe(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

static size_t map_idx(const struct u64map *m, uint64_t k)
{
	return (size_t)((k * 0x9e3779b97f4a7c15ull) >> 17) & (m->cap - 1);
}

static void *map_get(const struct u64map *m, uint64_t k)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = map_idx(m, k); m->slots[i].v; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].k == k)
			return m->slots[i].v;
	return NULL;
}

static int map_put(struct u64map *m, uint64_t k, void *v)
{
	size_t i;

	if ((m->len + 1) * 2 > m->cap) {
		struct u64map n = { .cap = m->cap ? m->cap * 2 : 1024 };

		n.slots = calloc(n.cap, sizeof(*n.slots));
		if (!n.slots)
			return -ENOMEM;
		for (i = 0; i < m->cap; i++)
			if (m->slots[i].v)
				map_put(&n, m->slots[i].k, m->slots[i].v);
		free(m->slots);
		*m = n;
	}
	for (i = map_idx(m, k); m->slots[i].v; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].k == k) {
			m->slots[i].v = v;
			return 0;
		}
	m->slots[i].k = k;
	m->slots[i].v = v;
	m->len++;
	return 0;
}

static void map_del(struct u64map *m, uint64_t k)
{
	size_t i, j, h;

	if (!m->cap)
		return;
	for (i = map_idx(m, k); m->slots[i].v; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].k == k)
			break;
	if (!m->slots[i].v)
		return;
	m->len--;
	/* Backward-shift the cluster after i so lookups never stop early. */
	for (j = (i + 1) & (m->cap - 1); m->slots[j].v; j = (j + 1) & (m->cap - 1)) {
		h = map_idx(m, m->slots[j].k);
		if ((j > i && (h <= i || h > j)) || (j < i && (h <= i && h > j))) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i].v = NULL;
	m->slots[i].k = 0;
}

static void fail(struct cv *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct cv *c, int err, const char *fmt, ...)
{
	va_list ap;

	if (c->err)
		return;
	c->err = err;
	va_start(ap, fmt);
	vsnprintf(c->errbuf, c->errlen, fmt, ap);
	va_end(ap);
}

/* ---- names -------------------------------------------------------------- */

static const struct sym *sym_of(struct cv *c, uint64_t pc)
{
	return pc ? map_get(&c->syms, pc) : NULL;
}

/* The name of a blocked state: the runtime's wait-reason string, or a stand-in. */
static const char *reason_str(struct cv *c, uint8_t reason, char *buf, size_t len)
{
	const char *s = c->reasons[reason];

	if (s && *s)
		return s;
	if (reason)
		snprintf(buf, len, "waiting (reason %u)", reason);
	else
		snprintf(buf, len, "waiting");
	return buf;
}

static uint64_t state_name(struct cv *c, const struct gor *g)
{
	char buf[64];

	switch (g->state) {
	case GOTL_G_RUNNING:	return c->n_running;
	case GOTL_G_RUNNABLE:	return c->n_runnable;
	case GOTL_G_SYSCALL:	return c->n_syscall;
	case GOTL_G_PREEMPTED:	return c->n_preempted;
	case GOTL_G_LEAKED:	return c->n_leaked;
	default:
		break;
	}
	if (!c->n_reason[g->reason])
		c->n_reason[g->reason] = pftrace__name_iid(c->pf, reason_str(c, g->reason, buf,
									   sizeof(buf)));
	return c->n_reason[g->reason];
}

/* The wait_reason arg of a blocked slice, as an interned string value. */
static uint64_t reason_arg(struct cv *c, const struct gor *g)
{
	char buf[64];

	if (g->state == GOTL_G_PREEMPTED)
		return pftrace__str_iid(c->pf, "preempted");
	if (g->state == GOTL_G_LEAKED)
		return pftrace__str_iid(c->pf, "leaked");
	if (!c->s_reason[g->reason])
		c->s_reason[g->reason] = pftrace__str_iid(c->pf, reason_str(c, g->reason, buf,
									  sizeof(buf)));
	return c->s_reason[g->reason];
}

static bool blocked(uint8_t state)
{
	return state == GOTL_G_WAITING || state == GOTL_G_PREEMPTED || state == GOTL_G_LEAKED;
}

static int counter_of(uint8_t state)
{
	switch (state) {
	case GOTL_G_RUNNING:	return C_RUNNING;
	case GOTL_G_RUNNABLE:	return C_RUNNABLE;
	case GOTL_G_SYSCALL:	return C_SYSCALL;
	default:		return blocked(state) ? C_BLOCKED : -1;
	}
}

/*
 * The transition that led to the current state, reported again by another
 * probe (Go 1.26 falls back from its fast-path CAS to casgstatus, so both
 * see it). The same probe reporting it again means transitions were lost.
 */
static bool repeated(const struct gor *g, const struct gotl_ev_status *e)
{
	return g->state == e->to && g->prev == e->from && g->probe != e->probe &&
	       (e->to != GOTL_G_WAITING || g->reason == e->reason);
}

/* Does `from` agree with what we know? Waiting and Preempted are interchangeable. */
static bool follows(const struct gor *g, uint8_t from)
{
	if (g->state == from)
		return true;
	return blocked(g->state) && blocked(from);
}

/* ---- trace output ------------------------------------------------------- */

static void emit_counters(struct cv *c, uint64_t ts)
{
	int k;

	for (k = 0; k < C_MAX; k++) {
		if (c->counter_started && c->counts[k] == c->emitted[k])
			continue;
		if (pftrace__counter(c->pf, c->base + UUID_COUNTER_BASE + (uint64_t)k, ts, c->counts[k]))
			return;
		c->emitted[k] = c->counts[k];
	}
	c->counter_started = true;
}

static void describe(struct cv *c, struct gor *g)
{
	const struct sym *start = sym_of(c, g->startpc), *site = sym_of(c, g->gopc);
	char name[512], desc[2048], id[32];
	struct pf_track t = { 0 };
	size_t n;

	if (g->goid) {
		g->uuid = c->base + UUID_GOID + (g->goid & (UUID_GOID - 1));
		snprintf(id, sizeof(id), "G%" PRIu64, g->goid);
	} else {
		g->uuid = c->base + UUID_UNKNOWN_GOID + ++c->unknown_seq;
		snprintf(id, sizeof(id), "G?");
	}
	if (start && *start->func)
		snprintf(name, sizeof(name), "%s %s", id, start->func);
	else if (g->flags & GOR_CGO)
		snprintf(name, sizeof(name), "%s (cgo callback)", id);
	else
		snprintf(name, sizeof(name), "%s", id);

	n = (size_t)snprintf(desc, sizeof(desc), "goroutine %s", g->goid ? id + 1 : "(id unknown: it never ran)");
	if (start && *start->func && n < sizeof(desc))
		n += (size_t)snprintf(desc + n, sizeof(desc) - n, "\nstart function: %s (%s:%u)",
				      start->func, start->file, start->line);
	if (site && *site->func && g->parent_goid && n < sizeof(desc))
		n += (size_t)snprintf(desc + n, sizeof(desc) - n, "\ncreated by goroutine %" PRIu64
				      " at %s (%s:%u)", g->parent_goid, site->func, site->file,
				      site->line);
	else if (site && *site->func && n < sizeof(desc))
		n += (size_t)snprintf(desc + n, sizeof(desc) - n, "\ncreated by the runtime at %s "
				      "(%s:%u)", site->func, site->file, site->line);
	else if (g->flags & GOR_APPEARED && n < sizeof(desc))
		snprintf(desc + n, sizeof(desc) - n, "\nfirst seen after its creation");

	t.uuid = g->uuid;
	t.parent = c->base + UUID_GROUP;
	t.name = name;
	t.description = desc;
	t.has_rank = true;
	t.rank = g->goid > INT32_MAX ? INT32_MAX : (int32_t)g->goid;
	t.no_merge = true;
	pftrace__track(c->pf, &t);

	if (start && *start->func)
		g->start_iid = pftrace__str_iid(c->pf, start->func);
	if (site && *site->func) {
		snprintf(desc, sizeof(desc), "%s %s:%u", site->func, site->file, site->line);
		g->site_iid = pftrace__str_iid(c->pf, desc);
	}
}

static void ensure_track(struct cv *c, struct gor *g)
{
	if (!g->uuid)
		describe(c, g);
}

/* Write the slice of g's current state, ending at ts. */
static void close_slice(struct cv *c, struct gor *g, uint64_t ts, bool at_end)
{
	struct pf_arg a[12];
	size_t n = 0;

	if (ts < g->since)
		ts = g->since;
	if (ts == g->since && !g->flow_in && !g->spawn_flow && !at_end)
		return;		/* nothing happened in between: no zero-length slice */
	ensure_track(c, g);
	if (g->spawn_flow) {
		struct pf_arg ca[1] = { { .name_iid = c->a_goid, .type = PF_ARG_UINT, .u = g->goid } };

		pftrace__instant(c->pf, g->spawn_parent_uuid, g->spawn_ts, c->n_create,
				 c->cat_goroutine, ca, g->goid ? 1 : 0, g->spawn_flow);
		g->spawn_flow = 0;
	}
	if (g->goid)
		a[n++] = (struct pf_arg){ .name_iid = c->a_goid, .type = PF_ARG_UINT, .u = g->goid };
	if (g->state == GOTL_G_RUNNING)
		a[n++] = (struct pf_arg){ .name_iid = c->a_tid, .type = PF_ARG_UINT, .u = g->tid };
	if (blocked(g->state))
		a[n++] = (struct pf_arg){ .name_iid = c->a_reason, .type = PF_ARG_STR,
					  .str_iid = reason_arg(c, g) };
	if (g->state == GOTL_G_RUNNABLE && g->woken_by)
		a[n++] = (struct pf_arg){ .name_iid = c->a_woken_by, .type = PF_ARG_UINT,
					  .u = g->woken_by };
	if (g->start_iid)
		a[n++] = (struct pf_arg){ .name_iid = c->a_start, .type = PF_ARG_STR,
					  .str_iid = g->start_iid };
	if (g->site_iid)
		a[n++] = (struct pf_arg){ .name_iid = c->a_site, .type = PF_ARG_STR,
					  .str_iid = g->site_iid };
	if (g->parent_goid)
		a[n++] = (struct pf_arg){ .name_iid = c->a_parent, .type = PF_ARG_UINT,
					  .u = g->parent_goid };
	if (g->flags & GOR_CGO)
		a[n++] = (struct pf_arg){ .name_iid = c->a_cgo, .type = PF_ARG_BOOL, .b = true };
	if (at_end) {
		a[n++] = (struct pf_arg){ .name_iid = c->a_open_at_end, .type = PF_ARG_BOOL, .b = true };
		if (blocked(g->state))
			a[n++] = (struct pf_arg){ .name_iid = c->a_still_blocked, .type = PF_ARG_BOOL,
						  .b = true };
	}
	if (g->flags & GOR_GAP)
		a[n++] = (struct pf_arg){ .name_iid = c->a_unobserved, .type = PF_ARG_BOOL, .b = true };
	pftrace__slice(c->pf, g->uuid, g->since, ts, state_name(c, g), c->cat_goroutine, a, n,
		       g->flow_in);
	g->flow_in = 0;
	g->flags &= (uint8_t)~GOR_GAP;
}

/* ---- goroutine lives ---------------------------------------------------- */

static void count(struct cv *c, uint8_t state, int delta)
{
	int k = counter_of(state);

	if (k >= 0)
		c->counts[k] += delta;
}

static struct gor *new_gor(struct cv *c, uint64_t gp, uint64_t ts, uint8_t state, uint8_t reason)
{
	struct gor *g = calloc(1, sizeof(*g));

	if (!g || map_put(&c->gors, gp, g)) {
		free(g);
		fail(c, -ENOMEM, "out of memory");
		return NULL;
	}
	g->gp = gp;
	g->since = ts;
	g->prev = GOTL_G_DEAD;
	g->state = state;
	g->reason = reason;
	c->st->goroutines++;
	c->counts[C_ALIVE]++;
	if ((uint64_t)c->counts[C_ALIVE] > c->st->max_alive)
		c->st->max_alive = (uint64_t)c->counts[C_ALIVE];
	count(c, state, +1);
	return g;
}

/* The goroutine's life is over at ts: write its last slice and forget it. */
static void end_gor(struct cv *c, struct gor *g, uint64_t ts)
{
	close_slice(c, g, ts, false);
	count(c, g->state, -1);
	c->counts[C_ALIVE]--;
	map_del(&c->gors, g->gp);
	free(g);
}

static void on_create(struct cv *c, uint64_t ts, const struct gotl_ev_create *e)
{
	struct gor *g = map_get(&c->gors, e->gp), *parent;

	if (g) {		/* its exit was lost: the g is already reused */
		g->flags |= GOR_GAP;
		c->st->unobserved++;
		end_gor(c, g, ts);
	}
	g = new_gor(c, e->gp, ts, e->to == GOTL_G_WAITING ? GOTL_G_WAITING : GOTL_G_RUNNABLE,
		    e->reason);
	if (!g)
		return;
	g->goid = e->goid;
	g->parent_goid = e->parent_goid;
	g->startpc = e->startpc;
	g->gopc = e->gopc;
	parent = e->parent_gp ? map_get(&c->gors, e->parent_gp) : NULL;
	if (parent && parent->goid) {
		ensure_track(c, parent);
		g->spawn_flow = ++c->flow_seq;
		g->spawn_ts = ts;
		g->spawn_parent_uuid = parent->uuid;
		g->flow_in = g->spawn_flow;
	}
}

static void on_status(struct cv *c, uint64_t ts, const struct gotl_ev_status *e)
{
	struct gor *g = map_get(&c->gors, e->gp), *w;
	bool dead = e->to == GOTL_G_DEAD || e->to == GOTL_G_DEADEXTRA;

	if (g && g->goid && e->goid && g->goid != e->goid) {
		/* A new life of this g whose exit and creation we did not see. */
		g->flags |= GOR_GAP;
		c->st->unobserved++;
		end_gor(c, g, ts);
		g = NULL;
	}
	if (!g) {
		if (dead)
			return;
		g = new_gor(c, e->gp, ts, e->to, e->reason);
		if (!g)
			return;
		g->goid = e->goid;
		if (e->from == GOTL_G_DEAD || e->from == GOTL_G_DEADEXTRA)
			g->flags |= GOR_CGO;	/* a cgo callback's g on an extra M */
		else
			g->flags |= GOR_APPEARED;
		if (e->to == GOTL_G_RUNNING)
			g->tid = e->hdr.tid;
		return;
	}
	if (!g->goid)
		g->goid = e->goid;	/* first status after a creation on Go <= 1.23 */
	if (!dead && repeated(g, e))
		return;
	if (!follows(g, e->from)) {
		g->flags |= GOR_GAP;
		c->st->unobserved++;
	}
	if (dead) {
		end_gor(c, g, ts);
		return;
	}
	close_slice(c, g, ts, false);
	count(c, g->state, -1);
	g->prev = g->state;
	g->probe = e->probe;
	g->state = e->to;
	g->reason = e->reason;
	g->since = ts;
	g->woken_by = 0;
	count(c, g->state, +1);
	if (e->to == GOTL_G_RUNNING)
		g->tid = e->hdr.tid;

	/* A wake-up (or a coroutine handing over): flow from the waker's track. */
	if ((e->to == GOTL_G_RUNNABLE || e->to == GOTL_G_RUNNING) && e->other_gp &&
	    (w = map_get(&c->gors, e->other_gp)) && w != g && w->goid && g->goid) {
		struct pf_arg a[1] = { { .name_iid = c->a_goid, .type = PF_ARG_UINT, .u = g->goid } };

		ensure_track(c, w);
		g->flow_in = ++c->flow_seq;
		g->woken_by = w->goid;
		pftrace__instant(c->pf, w->uuid, ts, c->n_unblock, c->cat_goroutine, a, 1, g->flow_in);
	}
}

static void on_stats(struct cv *c, const struct gotl_rec_stats *s)
{
	uint64_t lost = 0;
	int k;

	for (k = 0; k < GOTL_PROBE_MAX; k++)
		lost += s->lost[k];
	if (lost > c->st->lost)
		c->st->lost = lost;
	c->counts[C_LOST] = (int64_t)c->st->lost;
}

static void apply(struct cv *c, uint64_t ts, const struct gotl_rec *r)
{
	if (ts > c->last_ts)
		c->last_ts = ts;
	switch (r->type) {
	case GOTL_REC_CREATE:
		on_create(c, ts, (const void *)r);
		break;
	case GOTL_REC_STATUS:
		on_status(c, ts, (const void *)r);
		break;
	case GOTL_REC_STATS:
		on_stats(c, (const void *)r);
		break;
	}
	emit_counters(c, ts);
}

/* ---- reorder window ----------------------------------------------------- */

static int pend_push(struct cv *c, uint64_t ts, const struct gotl_rec *r)
{
	size_t i;

	if (c->tail == c->cap) {
		if (c->head > c->cap / 2) {
			memmove(c->pend, c->pend + c->head, (c->tail - c->head) * sizeof(*c->pend));
			c->tail -= c->head;
			c->head = 0;
		} else {
			size_t ncap = c->cap ? c->cap * 2 : 4096;
			struct pending *n = realloc(c->pend, ncap * sizeof(*n));

			if (!n)
				return -ENOMEM;
			c->pend = n;
			c->cap = ncap;
		}
	}
	/* Insert after every entry with ts <= this one: stable, and cheap when nearly sorted. */
	i = c->tail;
	while (i > c->head && c->pend[i - 1].ts > ts) {
		c->pend[i] = c->pend[i - 1];
		i--;
	}
	c->pend[i].ts = ts;
	c->pend[i].rec = r;
	c->tail++;
	return 0;
}

static void pend_flush(struct cv *c, uint64_t upto, bool all)
{
	while (c->head < c->tail && (all || c->pend[c->head].ts + REORDER_WINDOW_NS < upto)) {
		apply(c, c->pend[c->head].ts, c->pend[c->head].rec);
		c->head++;
	}
	if (c->head == c->tail)
		c->head = c->tail = 0;
}

static void queue(struct cv *c, uint64_t ts, const struct gotl_rec *r)
{
	if (ts < c->last_ts) {		/* later than the window allows: keep it in order */
		ts = c->last_ts;
		c->st->late++;
	}
	if (ts > c->max_seen)
		c->max_seen = ts;
	if (pend_push(c, ts, r)) {
		fail(c, -ENOMEM, "out of memory");
		return;
	}
	pend_flush(c, c->max_seen, false);
}

/* ---- metadata and the start of the trace -------------------------------- */

static void on_meta(struct cv *c, const struct gotl_rec_meta *m)
{
	const char *k = m->data, *v = m->data + m->key_len;
	char **slot = NULL;

#define KEY(s) (m->key_len == sizeof(s) - 1 && !memcmp(k, s, sizeof(s) - 1))
	if (KEY("go_version"))
		slot = &c->go_version;
	else if (KEY("binary"))
		slot = &c->binary;
	else if (KEY("comm"))
		slot = &c->comm;
	else if (KEY("gotl_version"))
		slot = &c->gotl_version;
	else if (KEY("go_build_id"))
		slot = &c->go_build_id;
	else if (KEY("gnu_build_id"))
		slot = &c->gnu_build_id;
	else if (KEY("offsets"))
		slot = &c->offsets;
	if (slot) {
		free(*slot);
		*slot = strndup_safe(v, m->value_len);
		return;
	}
	if (KEY("arg")) {
		char **n = realloc(c->argv, (c->argc + 2) * sizeof(*n));

		if (!n)
			return;
		c->argv = n;
		c->argv[c->argc++] = strndup_safe(v, m->value_len);
		c->argv[c->argc] = NULL;
	} else if (KEY("probe")) {
		size_t old = c->probes ? strlen(c->probes) : 0;
		char *n = realloc(c->probes, old + m->value_len + 3);

		if (!n)
			return;
		if (old)
			memcpy(n + old, "; ", 2), old += 2;
		memcpy(n + old, v, m->value_len);
		n[old + m->value_len] = 0;
		c->probes = n;
	}
#undef KEY
}

static void on_sym(struct cv *c, const struct gotl_rec_sym *s)
{
	struct sym *y;

	if (map_get(&c->syms, s->pc))
		return;
	y = calloc(1, sizeof(*y));
	if (!y)
		return;
	y->pc = s->pc;
	y->func = strndup_safe(s->data, s->func_len);
	y->file = strndup_safe(s->data + s->func_len, s->file_len);
	y->line = s->line;
	if (!y->func || !y->file || map_put(&c->syms, s->pc, y)) {
		free(y->func);
		free(y->file);
		free(y);
	}
}

static void intern_fixed(struct cv *c)
{
	struct pftrace *pf = c->pf;

	c->cat_goroutine = pftrace__cat_iid(pf, "goroutine");
	c->n_running = pftrace__name_iid(pf, "Running");
	c->n_runnable = pftrace__name_iid(pf, "Runnable");
	c->n_syscall = pftrace__name_iid(pf, "Syscall");
	c->n_preempted = pftrace__name_iid(pf, "preempted");
	c->n_leaked = pftrace__name_iid(pf, "leaked");
	c->n_create = pftrace__name_iid(pf, "GoCreate");
	c->n_unblock = pftrace__name_iid(pf, "GoUnblock");
	c->a_goid = pftrace__arg_iid(pf, "goid");
	c->a_tid = pftrace__arg_iid(pf, "thread");
	c->a_reason = pftrace__arg_iid(pf, "wait_reason");
	c->a_start = pftrace__arg_iid(pf, "start_function");
	c->a_site = pftrace__arg_iid(pf, "created_at");
	c->a_parent = pftrace__arg_iid(pf, "parent_goid");
	c->a_woken_by = pftrace__arg_iid(pf, "woken_by");
	c->a_open_at_end = pftrace__arg_iid(pf, "open_at_end");
	c->a_still_blocked = pftrace__arg_iid(pf, "still_blocked_at_end");
	c->a_unobserved = pftrace__arg_iid(pf, "unobserved_transitions");
	c->a_cgo = pftrace__arg_iid(pf, "cgo_callback");
}

static void on_start(struct cv *c, const struct gotl_rec_start *s)
{
	struct pf_track t = { 0 };
	const char *name = c->comm ? c->comm : "go program";
	char cmd[1024];
	size_t n = 0, i;
	int k;

	if (c->started)
		return;
	c->started = true;
	c->pid = s->pid ? s->pid : 1;
	c->st->pid = c->pid;
	c->base = (uint64_t)(c->pid & 0x3fffff) << 40;
	pftrace__start(c->pf, s->hdr.ts, s->monotonic_ns, s->realtime_ns);
	intern_fixed(c);

	cmd[0] = 0;
	for (i = 0; i < c->argc && n < sizeof(cmd); i++)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, "%s%s", i ? " " : "", c->argv[i]);
	pftrace__attr_str(c->pf, "gotl.version", GOTL_VERSION);
	if (c->gotl_version)
		pftrace__attr_str(c->pf, "gotl.recorder_version", c->gotl_version);
	if (c->go_version)
		pftrace__attr_str(c->pf, "go.version", c->go_version);
	if (c->binary)
		pftrace__attr_str(c->pf, "go.binary", c->binary);
	if (c->go_build_id)
		pftrace__attr_str(c->pf, "go.build_id", c->go_build_id);
	if (c->gnu_build_id)
		pftrace__attr_str(c->pf, "go.gnu_build_id", c->gnu_build_id);
	if (c->argc)
		pftrace__attr_str(c->pf, "gotl.command", cmd);
	if (c->probes)
		pftrace__attr_str(c->pf, "gotl.probes", c->probes);
	if (c->offsets)
		pftrace__attr_str(c->pf, "gotl.offsets", c->offsets);
	pftrace__attr_int(c->pf, "gotl.pid", c->pid);

	t.uuid = c->base + UUID_PROCESS;
	t.pid = (int32_t)c->pid;
	t.process_name = name;
	t.cmdline = (const char *const *)c->argv;
	pftrace__track(c->pf, &t);

	memset(&t, 0, sizeof(t));
	t.uuid = c->base + UUID_GROUP;
	t.parent = c->base + UUID_PROCESS;
	t.name = "Goroutines";
	t.description = "One track per goroutine, ordered by goroutine id.";
	t.child_ordering = 3;	/* explicit: by sibling_order_rank = goid */
	t.no_merge = true;
	pftrace__track(c->pf, &t);

	for (k = 0; k < C_MAX; k++) {
		memset(&t, 0, sizeof(t));
		t.uuid = c->base + UUID_COUNTER_BASE + (uint64_t)k;
		t.parent = c->base + UUID_PROCESS;
		t.name = counter_names[k];
		t.counter = true;
		t.counter_unit = 2;	/* count */
		pftrace__track(c->pf, &t);
	}
	emit_counters(c, s->hdr.ts);
	c->last_ts = s->hdr.ts;
	c->max_seen = s->hdr.ts;
}

/* ---- the end ------------------------------------------------------------ */

static int by_goid(const void *a, const void *b)
{
	const struct gor *x = *(struct gor *const *)a, *y = *(struct gor *const *)b;

	if (x->goid != y->goid)
		return x->goid < y->goid ? -1 : 1;
	return x->gp < y->gp ? -1 : x->gp > y->gp;
}

static void finish(struct cv *c)
{
	uint64_t end = c->last_ts;
	struct gor **all;
	size_t i, n = 0;

	if (c->end && c->end->hdr.ts > end)
		end = c->end->hdr.ts;
	all = calloc(c->gors.len ? c->gors.len : 1, sizeof(*all));
	if (!all) {
		fail(c, -ENOMEM, "out of memory");
		return;
	}
	for (i = 0; i < c->gors.cap; i++)
		if (c->gors.slots[i].v)
			all[n++] = c->gors.slots[i].v;
	qsort(all, n, sizeof(*all), by_goid);
	/* Goroutines alive at the end keep their last state to the very end. */
	for (i = 0; i < n; i++) {
		close_slice(c, all[i], end, true);
		free(all[i]);
	}
	free(all);
	free(c->gors.slots);
	memset(&c->gors, 0, sizeof(c->gors));
	emit_counters(c, end);

	pftrace__attr_int(c->pf, "gotl.events", (int64_t)c->st->events);
	pftrace__attr_int(c->pf, "gotl.events_lost", (int64_t)c->st->lost);
	pftrace__attr_int(c->pf, "gotl.goroutines", (int64_t)c->st->goroutines);
	if (c->st->unobserved)
		pftrace__attr_int(c->pf, "gotl.unobserved_transitions", (int64_t)c->st->unobserved);
	if (c->st->truncated)
		pftrace__attr_str(c->pf, "gotl.log", "truncated: the recorder stopped mid-write");
	if (c->end && (c->end->flags & GOTL_END_EXITED)) {
		uint32_t ws = c->end->status;

		if ((ws & 0x7f) == 0)
			pftrace__attr_int(c->pf, "go.exit_status", (ws >> 8) & 0xff);
		else
			pftrace__attr_int(c->pf, "go.killed_by_signal", ws & 0x7f);
	}
}

static void cv_free(struct cv *c)
{
	size_t i;

	for (i = 0; i < c->gors.cap; i++)
		free(c->gors.slots[i].v);
	free(c->gors.slots);
	for (i = 0; i < c->syms.cap; i++) {
		struct sym *y = c->syms.slots[i].v;

		if (y) {
			free(y->func);
			free(y->file);
			free(y);
		}
	}
	free(c->syms.slots);
	for (i = 0; i < 256; i++)
		free(c->reasons[i]);
	for (i = 0; i < c->argc; i++)
		free(c->argv[i]);
	free(c->argv);
	free(c->go_version);
	free(c->binary);
	free(c->comm);
	free(c->gotl_version);
	free(c->go_build_id);
	free(c->gnu_build_id);
	free(c->offsets);
	free(c->probes);
	free(c->pend);
}

int convert__run(const struct convert_opts *o, struct convert_stats *st, char *err, size_t errlen)
{
	const struct gotl_rec *r;
	struct cv c;
	int ret, werr;

	memset(&c, 0, sizeof(c));
	memset(st, 0, sizeof(*st));
	c.st = st;
	c.errbuf = err;
	c.errlen = errlen;
	ret = logr__open(o->log_path, &c.lr, err, errlen);
	if (ret)
		return ret;
	ret = pftrace__open(o->trace_path, &c.pf);
	if (ret) {
		snprintf(err, errlen, "cannot create '%s': %s", o->trace_path, strerror(-ret));
		goto cleanup;
	}
	while (!c.err && (ret = logr__next(c.lr, &r)) > 0) {
		switch (r->type) {
		case GOTL_REC_META:
			on_meta(&c, (const void *)r);
			break;
		case GOTL_REC_WAITREASON: {
			const struct gotl_rec_waitreason *w = (const void *)r;

			if (w->index < 256) {
				free(c.reasons[w->index]);
				c.reasons[w->index] = strndup_safe(w->str, w->len);
			}
			break;
		}
		case GOTL_REC_SYM:
			on_sym(&c, (const void *)r);
			break;
		case GOTL_REC_START:
			on_start(&c, (const void *)r);
			break;
		case GOTL_REC_CREATE:
		case GOTL_REC_STATUS:
		case GOTL_REC_STATS:
			if (!c.started) {
				fail(&c, -EPROTO, "'%s' has events before its start record",
				     o->log_path);
				break;
			}
			if (r->type != GOTL_REC_STATS)
				st->events++;
			queue(&c, r->ts, r);
			break;
		case GOTL_REC_END:
			c.end = (const void *)r;
			st->ended = true;
			break;
		default:
			break;		/* a record type from a newer gotl */
		}
	}
	if (ret < 0 && !c.err)
		fail(&c, ret, "'%s' is corrupt at byte %" PRIu64, o->log_path, logr__offset(c.lr));
	if (c.err) {
		ret = c.err;
		goto cleanup;
	}
	if (!c.started) {
		ret = -EPROTO;
		snprintf(err, errlen, "'%s' ends before the recording started", o->log_path);
		goto cleanup;
	}
	st->truncated = logr__truncated(c.lr);
	pend_flush(&c, 0, true);
	finish(&c);
	ret = c.err;
cleanup:
	st->trace_bytes = c.pf ? pftrace__bytes(c.pf) : 0;
	werr = pftrace__close(c.pf);
	if (!ret && werr) {
		ret = werr;
		snprintf(err, errlen, "cannot write '%s': %s", o->trace_path, strerror(-werr));
	}
	logr__free(c.lr);
	cv_free(&c);
	return ret;
}
