// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pfsink.c: the Perfetto sink of the replay (replay.h) — `gotl convert`'s
 * protobuf output, one process per log that convert.c hands it.
 *
 * Each goroutine gets a track, declared just before its first slice; each
 * state a slice, written when the state ends, so its end and whether it was
 * still open at the end of the recording are known when it is written; a
 * parked state carries the goroutine's stack as a callstack and the place
 * in the user's code where it blocked. Flows: from the parent's `go`
 * statement to the child's first slice, from the waker to the woken
 * goroutine's Runnable slice.
 *
 * Allocations: a Running slice carries the bytes and allocations made in
 * it; heap counters (cumulative and rate) come from the log's totals; each
 * recorded allocation (all, or a sample) is an instant on its goroutine's
 * track with its stack as a callstack weighted by its bytes, so an area
 * selection's flamegraph shows who allocated what; the types are listed on a
 * track of their own and the largest get counter tracks. The garbage
 * collector: GC cycles with their phases on a "GC" track, every
 * stop-the-world pause on a "Stop the world" track.
 *
 * What each span, suspect and attribute says is describe.c's; this file
 * encodes it: tracks, interned names, callstacks. Output order rules it
 * keeps (see pftrace.h): a track is declared before its first event; the
 * instant that starts a flow is written before the slice that ends it; a
 * slice's END is written before the next BEGIN on its track. It knows
 * nothing of the log format: replay.c does.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gotl/event.h"
#include "gotl/version.h"
#include "convert.h"
#include "convert_int.h"
#include "describe.h"
#include "atab.h"
#include "pftrace.h"
#include "logr.h"
#include "replay.h"
#include "schema.h"
#include "u64map.h"

/*
 * Track uuids: id << 3 | kind, and from the second process of a trace on
 * (record --follow) its index in the trace << 47, so unique in the trace.
 * A uuid is in nearly every packet, one or two of them: small numbers make
 * small varints, 1-3 bytes for the first process where the pid in every
 * uuid took 5-6 (a fifth of a trace).
 */
enum uuid_kind {
	UK_FIXED,   /* id: one of the UUID_* below */
	UK_GOID,    /* id: goid */
	UK_THREAD,  /* id: tid, an OS thread */
	UK_FGROUP,  /* id: n, the goroutines of one start function */
	UK_GALLOC,  /* id: goid, per-goroutine heap bytes */
	UK_UNKNOWN, /* id: n, a goroutine whose goid is not known */
	UK_LIST,    /* id: UUID_* << 20 | n, the n-th part of a long list (list_track) */
	UK_MAX
};
_Static_assert(UK_MAX <= 8, "a uuid's kind has 3 bits");

#define UUID_ID_MASK		((1ull << 44) - 1)
#define UUID_PROCESS		1
#define UUID_GROUP		2
#define UUID_COUNTER_BASE	3	/* + RP_C_*: on nearly every END, so below 16 (1 byte) */
_Static_assert(UUID_COUNTER_BASE + RP_C_MAX <= 16, "counter uuids in one varint byte");
#define UUID_RUNTIME		16	/* the runtime's own goroutines' group */
#define UUID_SUSPECTS		32
#define UUID_HEAP		40
#define UUID_RATE		41
#define UUID_GC			42
#define UUID_STW		43
#define UUID_TYPES		44
#define UUID_TYPES_GROUP	45
#define UUID_NOG_ALLOCS		46
#define UUID_TYPE_BASE		48	/* + rank, SCHEMA_TOP_TYPES of them */

/*
 * A start function with at least this many goroutines in the log gets a
 * group track of its own under "Goroutines", collapsed in the UI: 100,000
 * workers are one line until opened.
 */
#define FGROUP_MIN		16


/* The goroutines of one start function. */
struct fgroup {
	uint64_t count; /* in the whole log */
	uint64_t uuid;	/* its group track, 0 until declared (or if too few) */
};

/* An OS thread of the process: its track shows the goroutines it ran. */
struct thr {
	uint64_t last_end; /* end of its last slice: the next starts no earlier */
};

/* What the trace keeps for each goroutine. */
struct tg {
	uint64_t uuid;	     /* 0 until its track is declared */
	uint64_t flow_in;    /* flow that ends at the current slice's begin */
	uint64_t spawn_flow; /* flow from the parent's `go` statement, not written yet */
	uint64_t spawn_ts;
	uint64_t spawn_parent_uuid;
	/* Its start function and creation site, interned with its track (declare_track). */
	uint64_t start_iid, site_iid;
	uint64_t thr_iid[2];  /* its slices' names on OS thread tracks: running, in a syscall */
	bool galloc_declared; /* its heap-bytes counter track */
	bool introduced;      /* its first slice, with who it is, is written */
};

/* A leak suspect, listed on its own track at the end. */
struct suspect {
	struct dsuspect d;
	uint64_t name_iid; /* "G18 chan send at main.go:42", interned when found */
};

struct cv {
	const struct convert_opts *o;
	struct pftrace *pf;
	struct atab *types;
	bool heap_declared, gc_declared, stw_declared, nog_declared;
	bool have_total;
	uint64_t total_ts, total_bytes;
	struct gotl_rec_alloc_total total;
	uint64_t alloc_records;
	struct suspect *suspects;
	size_t nsuspects, cap_suspects;
	uint64_t proc_bits;  /* this process's 22 bits (pid, salted): in its flow ids */
	uint64_t proc_index; /* processes before it in the trace (see uuid_of) */
	uint32_t pid;
	struct u64map threads; /* tid -> struct thr */
	struct u64map starts;  /* start pc -> struct fgroup, from a first pass over the log */
	bool runtime_declared; /* the group of the runtime's own goroutines */
	uint64_t fgroup_seq;
	const uint32_t *pids; /* --follow: the processes already in the trace */
	size_t npids;
	struct follow *follows; /* --follow: the logs the main log names, to convert next */
	int nfollows;
	uint64_t flow_seq;
	uint64_t unknown_seq;
	int64_t emitted[RP_C_MAX];
	uint64_t counter_uuid[RP_C_MAX]; /* the goroutine counters' tracks */
	bool counters_started;
	/* The schema's names (schema.h), interned, by SCHEMA_* id. */
	uint64_t cat_iid[SCHEMA_CAT_MAX];
	uint64_t name_iid[SCHEMA_NAME_MAX];
	uint64_t arg_iid[SCHEMA_ARG_MAX];
	uint64_t str_preempted, str_leaked; /* as string values, once used */
	/* Caches of what every event would otherwise format and intern again. */
	struct u64map stacks; /* hash of a stack's pcs -> struct stack_iid */
	struct u64map sites;  /* struct rp_frame * -> its "func file:line" string-value iid */
	uint64_t reason_name_iid[256]; /* event-name iids of blocked-state names, by wait reason */
	uint64_t reason_str_iid[256];  /* the same as string values, for the wait_reason arg */
};

static inline uint64_t uuid_of(const struct cv *c, enum uuid_kind kind, uint64_t id)
{
	return c->proc_index << 47 | (id & UUID_ID_MASK) << 3 | (uint64_t)kind;
}

/* A track of the process itself (UUID_*). */
static inline uint64_t uuid_fixed(const struct cv *c, uint64_t id)
{
	return uuid_of(c, UK_FIXED, id);
}

static struct tg *tg_of(struct rp_g *g)
{
	return g->sink;
}

/* ---- names -------------------------------------------------------------- */

/* The name of a state (describe__state_name), interned once. */
static uint64_t state_name(struct cv *c, struct replay *r, uint8_t state, uint8_t reason)
{
	char buf[64];

	switch (state) {
	case GOTL_G_RUNNING:
		return c->name_iid[SCHEMA_NAME_RUNNING];
	case GOTL_G_RUNNABLE:
		return c->name_iid[SCHEMA_NAME_RUNNABLE];
	case GOTL_G_SYSCALL:
		return c->name_iid[SCHEMA_NAME_SYSCALL];
	case GOTL_G_PREEMPTED:
		return c->name_iid[SCHEMA_NAME_PREEMPTED];
	case GOTL_G_LEAKED:
		return c->name_iid[SCHEMA_NAME_LEAKED];
	default:
		break;
	}
	if (!c->reason_name_iid[reason])
		c->reason_name_iid[reason] =
			pftrace__name_iid(c->pf,
					  describe__state_name(r, state, reason, buf, sizeof(buf)));
	return c->reason_name_iid[reason];
}

/* The wait_reason arg of a blocked state (describe__reason_arg), interned once. */
static uint64_t reason_arg(struct cv *c, struct replay *r, uint8_t state, uint8_t reason)
{
	char buf[64];
	uint64_t *iid = state == GOTL_G_PREEMPTED ? &c->str_preempted :
			state == GOTL_G_LEAKED	  ? &c->str_leaked :
						    &c->reason_str_iid[reason];

	if (!*iid)
		*iid = pftrace__str_iid(c->pf,
					describe__reason_arg(r, state, reason, buf, sizeof(buf)));
	return *iid;
}

/* A stack's callstack iid, cached by its pcs. */
struct stack_iid {
	uint8_t n;
	uint64_t pcs[GOTL_STACK_MAX];
	uint64_t iid;
};

static uint64_t stack_hash(const struct rp_stack *s)
{
	uint64_t h = 0x9e3779b97f4a7c15ull * (s->n + 1u);
	int i;

	for (i = 0; i < s->n; i++)
		h = (h ^ (h >> 29) ^ s->pcs[i]) * 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
}

/*
 * A recorded stack as an interned callstack, each frame a function with its
 * source file and line, the runtime's marked as such. 0 for no stack. The
 * same pcs give the same callstack once every pc's frames are known (the
 * log describes a pc once, before its first use): those are remembered.
 *
 * Innermost frame first, as Go prints a stack: Perfetto's UI lists a
 * callstack from its first frame (#0) on. Perfetto's format says
 * outermost first, so in its flamegraph of an area the "Top Down" view
 * starts at the innermost frames and "Bottom Up" at the goroutines'
 * start functions.
 */
static uint64_t callstack(struct cv *c, struct replay *r, const struct rp_stack *s)
{
	uint64_t ids[GOTL_STACK_MAX * 8], h, iid;
	struct stack_iid *e;
	size_t n = 0, i;
	bool known = true;
	int p, k;
	char name[32];

	if (!s)
		return 0;
	h = stack_hash(s);
	e = u64map__get(&c->stacks, h);
	if (e && e->n == s->n && !memcmp(e->pcs, s->pcs, 8 * (size_t)s->n))
		return e->iid;
	for (p = 0; p < s->n; p++) {
		const struct rp_frames *fr = replay__frames(r, s->pcs[p]);

		if (!fr || !fr->n) {
			known = known && fr;
			snprintf(name, sizeof(name), "0x%" PRIx64, s->pcs[p]);
			if (n < sizeof(ids) / sizeof(ids[0]))
				ids[n++] = pftrace__frame_iid(c->pf, name, NULL, 0, false);
			continue;
		}
		/* Frames of one pc (inlined calls) are innermost first too. */
		for (k = 0; k < fr->n; k++)
			if (n < sizeof(ids) / sizeof(ids[0]))
				ids[n++] = pftrace__frame_iid(c->pf, fr->f[k].func, fr->f[k].file,
							      fr->f[k].line,
							      fr->f[k].cls & RP_F_RUNTIME);
	}
	for (i = 0; i < n; i++)
		if (!ids[i])
			return 0; /* out of memory: the pftrace error is sticky */
	iid = pftrace__callstack_iid(c->pf, ids, n);
	if (iid && known && !e && (e = malloc(sizeof(*e)))) {
		e->n = s->n;
		memcpy(e->pcs, s->pcs, 8 * (size_t)s->n);
		e->iid = iid;
		if (u64map__put(&c->stacks, h, e))
			free(e);
	}
	return iid;
}

/* "func file:line" of a frame, as an interned string value (frames live as long as the replay). */
static uint64_t site_iid(struct cv *c, const struct rp_frame *f)
{
	uint64_t iid = (uintptr_t)u64map__get(&c->sites, (uintptr_t)f);
	char site[1024];

	if (iid)
		return iid;
	iid = pftrace__str_iid(c->pf, describe__frame_site(f, site, sizeof(site)));
	if (iid) /* (no room in the map: not cached) */
		u64map__put(&c->sites, (uintptr_t)f, (void *)(uintptr_t)iid);
	return iid;
}

/*
 * A described string value, interned. t: the goroutine whose span it is
 * in, or NULL; the start function and creation site such a span carries
 * are the goroutine's own, interned with its track.
 */
static __attribute__((noinline)) uint64_t str_iid(struct cv *c, struct replay *r,
						  const struct tg *t, const struct darg *a)
{
	char buf[2048];

	switch (a->src) {
	case DESCRIBE_REASON:
		return reason_arg(c, r, a->state, a->reason);
	case DESCRIBE_FRAME:
		return site_iid(c, a->frame);
	case DESCRIBE_FUNC:
		return t && a->name == SCHEMA_ARG_START_FUNCTION && t->start_iid ?
			       t->start_iid :
			       pftrace__str_iid(c->pf, a->sym->func);
	case DESCRIBE_SYM_SITE:
		return t && a->name == SCHEMA_ARG_CREATED_AT && t->site_iid ?
			       t->site_iid :
			       pftrace__str_iid(c->pf,
						describe__sym_site(a->sym, buf, sizeof(buf)));
	default:
		return pftrace__str_iid(c->pf, a->text);
	}
}

/*
 * n described args as debug annotations, into a. Returns n. Inlined: most
 * are numbers, and a call per span cost more than its loop.
 */
static inline __attribute__((always_inline)) size_t pf_args(struct cv *c, struct replay *r,
							    const struct tg *t,
							    const struct darg *d, size_t n,
							    struct pf_arg *a)
{
	size_t i;

	for (i = 0; i < n; i++) {
		a[i].name_iid = c->arg_iid[d[i].name];
		switch (d[i].kind) {
		case DESCRIBE_UINT:
			a[i].type = PF_ARG_UINT;
			a[i].u = d[i].u;
			break;
		case DESCRIBE_BOOL:
			a[i].type = PF_ARG_BOOL;
			a[i].b = true;
			break;
		default:
			a[i].type = PF_ARG_STR;
			/* The most frequent string, a wait reason interned already: no call. */
			if (d[i].src == DESCRIBE_REASON && d[i].state == GOTL_G_WAITING &&
			    c->reason_str_iid[d[i].reason])
				a[i].str_iid = c->reason_str_iid[d[i].reason];
			else
				a[i].str_iid = str_iid(c, r, t, &d[i]);
			break;
		}
	}
	return n;
}

/* describe__span_args's put: one arg, at the end of the annotations so far. */
struct pf_put {
	struct cv *c;
	struct replay *r;
	const struct tg *t;
	struct pf_arg *a;
	size_t n;
};

static inline __attribute__((always_inline)) void pf_put(void *enc, const struct darg *d)
{
	struct pf_put *p = enc;

	pf_args(p->c, p->r, p->t, d, 1, &p->a[p->n++]);
}

/* Whatever a span can carry, the writer takes: none is dropped on the way. */
_Static_assert(DESCRIBE_SPAN_ARGS <= PFTRACE_MAX_ARGS && DESCRIBE_SUSPECT_ARGS <= PFTRACE_MAX_ARGS,
	       "a described span has more args than pftrace writes");

/* ---- tracks ------------------------------------------------------------- */

/*
 * The group of the runtime's own goroutines (describe__system_goroutine),
 * the last in "Goroutines", after the program's own: collapsed in the UI,
 * as go tool trace hides them. Declared with the first of them.
 */
static uint64_t runtime_group(struct cv *c)
{
	struct pf_track d = { 0 };

	if (c->runtime_declared)
		return uuid_fixed(c, UUID_RUNTIME);
	d.uuid = uuid_fixed(c, UUID_RUNTIME);
	d.parent = uuid_fixed(c, UUID_GROUP);
	d.name = schema_track[SCHEMA_TRACK_RUNTIME];
	d.description = "The runtime's own goroutines (the GC's workers, sweeper and scavenger, "
			"the finalizer and cleanup goroutines, ...), by goroutine id.";
	d.child_ordering = 3; /* by sibling_order_rank = goid */
	d.has_rank = true;
	d.rank = INT32_MAX; /* after every goroutine of the program */
	d.no_merge = true;
	pftrace__track(c->pf, &d);
	c->runtime_declared = true;
	return d.uuid;
}

/*
 * Where a goroutine's track goes: under the group of its start function if
 * that function has many goroutines (declared with the first of them, which
 * ranks it among its siblings), else straight under "Goroutines", or under
 * the runtime's group for one of its own.
 */
static uint64_t fgroup_track(struct cv *c, struct replay *r, const struct rp_g *g,
			     const struct rp_sym *start)
{
	struct fgroup *f = g->startpc ? u64map__get(&c->starts, g->startpc) : NULL;
	uint64_t top = uuid_fixed(c, UUID_GROUP);
	struct pf_track d = { 0 };
	char name[512], desc[768];

	if (describe__system_goroutine(r, g))
		top = runtime_group(c);
	if (!f || f->count < FGROUP_MIN || !start || !*start->func)
		return top;
	if (f->uuid)
		return f->uuid;
	f->uuid = uuid_of(c, UK_FGROUP, ++c->fgroup_seq);
	snprintf(name, sizeof(name), "%s (%" PRIu64 " goroutines)", start->func, f->count);
	snprintf(desc, sizeof(desc),
		 "The %" PRIu64 " goroutines that start in %s (%s:%u), by "
		 "goroutine id.",
		 f->count, start->func, start->file, start->line);
	d.uuid = f->uuid;
	d.parent = top;
	d.name = name;
	d.description = desc;
	d.child_ordering = 3; /* by sibling_order_rank = goid */
	d.has_rank = true;
	d.rank = g->goid > INT32_MAX ? INT32_MAX : (int32_t)g->goid;
	d.no_merge = true;
	pftrace__track(c->pf, &d);
	return f->uuid;
}

/* g's track, with its name and a description of who it is. */
static void declare_track(struct cv *c, struct replay *r, struct rp_g *g)
{
	const struct rp_sym *start = replay__sym(r, g->startpc), *site = replay__sym(r, g->gopc);
	struct tg *t = tg_of(g);
	char name[512], desc[2048], id[32];
	struct pf_track d = { 0 };
	size_t n;

	if (g->goid) {
		t->uuid = uuid_of(c, UK_GOID, g->goid);
		snprintf(id, sizeof(id), "G%" PRIu64, g->goid);
	} else {
		t->uuid = uuid_of(c, UK_UNKNOWN, ++c->unknown_seq);
		snprintf(id, sizeof(id), "G?");
	}
	if (start && *start->func)
		snprintf(name, sizeof(name), "%s %s", id, start->func);
	else if (g->flags & RP_G_CGO)
		snprintf(name, sizeof(name), "%s (cgo callback)", id);
	else
		snprintf(name, sizeof(name), "%s", id);

	n = (size_t)snprintf(desc, sizeof(desc), "goroutine %s",
			     g->goid ? id + 1 : "(id unknown: it never ran)");
	if (start && *start->func && n < sizeof(desc))
		n += (size_t)snprintf(desc + n, sizeof(desc) - n, "\nstart function: %s (%s:%u)",
				      start->func, start->file, start->line);
	if (site && *site->func && g->parent_goid && n < sizeof(desc))
		n += (size_t)snprintf(desc + n, sizeof(desc) - n,
				      "\ncreated by goroutine %" PRIu64 " at %s (%s:%u)",
				      g->parent_goid, site->func, site->file, site->line);
	else if (site && *site->func && n < sizeof(desc))
		n += (size_t)snprintf(desc + n, sizeof(desc) - n,
				      "\ncreated by the runtime at %s "
				      "(%s:%u)",
				      site->func, site->file, site->line);
	else if (g->flags & RP_G_APPEARED && n < sizeof(desc))
		snprintf(desc + n, sizeof(desc) - n, "\n" SCHEMA_APPEARED);
	if (g->flags & RP_G_SNAPSHOT && n < sizeof(desc))
		snprintf(desc + n, sizeof(desc) - n, "\nexisted %s (its first state began earlier)",
			 replay__start(r)->flags & GOTL_START_WINDOW ? "at the window's start" :
								       "when gotl attached");

	d.uuid = t->uuid;
	d.parent = fgroup_track(c, r, g, start);
	d.name = name;
	d.description = desc;
	d.has_rank = true;
	d.rank = g->goid > INT32_MAX ? INT32_MAX : (int32_t)g->goid;
	d.no_merge = true;
	pftrace__track(c->pf, &d);

	/* Interned now, in the trace's order; its first span refers to them. */
	if (start && *start->func)
		t->start_iid = pftrace__str_iid(c->pf, start->func);
	if (site && *site->func)
		t->site_iid = pftrace__str_iid(c->pf, describe__sym_site(site, desc, sizeof(desc)));
}

static void ensure_track(struct cv *c, struct replay *r, struct rp_g *g)
{
	if (!tg_of(g)->uuid)
		declare_track(c, r, g);
}

/* ---- the sink ----------------------------------------------------------- */

/*
 * The schema's names (schema.h), interned once, in its order. long_lived
 * only where it can be: a recording attached to a running process.
 */
static void intern_schema(struct cv *c, bool attached)
{
	int k;

	for (k = 0; k < SCHEMA_CAT_MAX; k++)
		c->cat_iid[k] = pftrace__cat_iid(c->pf, schema_cat[k]);
	for (k = 0; k < SCHEMA_NAME_MAX; k++)
		c->name_iid[k] = pftrace__name_iid(c->pf, schema_name[k]);
	for (k = 0; k < SCHEMA_ARG_MAX; k++)
		if (k != SCHEMA_ARG_LONG_LIVED || attached)
			c->arg_iid[k] = pftrace__arg_iid(c->pf, schema_arg[k]);
}

/* Trace attributes, as described. */
static void put_attrs(struct cv *c, struct replay *r, const struct dattrs *d)
{
	char cmd[1024];
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct dattr *a = &d->a[i];

		if (a->kind == DATTR_UINT) {
			pftrace__attr_int(c->pf, a->key, (int64_t)a->u);
		} else if (a->kind == DATTR_ARGV) {
			describe__command(r, cmd, sizeof(cmd));
			pftrace__attr_str(c->pf, a->key, cmd);
		} else {
			pftrace__attr_str(c->pf, a->key, a->s);
		}
	}
}

static int on_start(void *ctx, struct replay *r)
{
	const struct gotl_rec_start *s = replay__start(r);
	struct cv *c = ctx;
	const char *name = replay__meta(r, "comm") ? replay__meta(r, "comm") : SCHEMA_PROCESS_NAME;
	char *const *argv = replay__argv(r);
	struct pf_track t = { 0 };
	uint32_t pid = s->pid ? s->pid : 1, salt;
	struct dattrs attrs;
	size_t i;
	int k;

	/* Unique per process; a pid seen again (an exec'd program) gets another base. */
	salt = 0;
	for (i = 0; i < c->npids; i++)
		if (c->pids[i] == pid)
			salt += 0x100000;
	c->proc_bits = (pid + salt) & 0x3fffff;
	c->proc_index = c->npids;
	c->pid = pid;
	c->flow_seq = c->proc_bits << 40; /* flow ids are global to the trace too */
	pftrace__start(c->pf, s->hdr.ts, s->monotonic_ns, s->realtime_ns);
	intern_schema(c, s->flags & GOTL_START_ATTACHED);

	describe__attrs_start(r, &attrs);
	put_attrs(c, r, &attrs);

	t.uuid = uuid_fixed(c, UUID_PROCESS);
	t.pid = (int32_t)pid;
	t.process_name = name;
	t.cmdline = (const char *const *)argv;
	pftrace__track(c->pf, &t);

	memset(&t, 0, sizeof(t));
	t.uuid = uuid_fixed(c, UUID_GROUP);
	t.parent = uuid_fixed(c, UUID_PROCESS);
	t.name = schema_track[SCHEMA_TRACK_GOROUTINES];
	t.description = "One track per goroutine, ordered by goroutine id; the runtime's own "
			"in a group of their own at the end.";
	t.child_ordering = 3; /* explicit: by sibling_order_rank = goid */
	t.no_merge = true;
	pftrace__track(c->pf, &t);

	for (k = 0; k < RP_C_MAX; k++) {
		memset(&t, 0, sizeof(t));
		t.uuid = c->counter_uuid[k] = uuid_fixed(c, UUID_COUNTER_BASE + (uint64_t)k);
		t.parent = uuid_fixed(c, UUID_PROCESS);
		t.name = schema_counter[k].track;
		t.counter = true;
		t.counter_unit = 2; /* count */
		pftrace__track(c->pf, &t);
	}
	return 0;
}

static void on_born(void *ctx, struct replay *r, struct rp_g *g, struct rp_g *parent)
{
	struct cv *c = ctx;
	struct tg *t = calloc(1, sizeof(*t));

	if (!t) {
		replay__fail(r, -ENOMEM, "out of memory");
		return;
	}
	g->sink = t;
	if (parent && parent->goid && tg_of(parent)) {
		ensure_track(c, r, parent);
		t->spawn_flow = ++c->flow_seq;
		t->spawn_ts = g->created;
		t->spawn_parent_uuid = tg_of(parent)->uuid;
		t->flow_in = t->spawn_flow;
	}
}

/* A leak suspect (describe.h): an instant on its track, and a row for the list. */
static void suspect(struct cv *c, struct replay *r, struct rp_g *g, uint64_t end)
{
	struct darg d[DESCRIBE_SUSPECT_ARGS];
	struct pf_arg a[DESCRIBE_SUSPECT_ARGS];
	struct tg *t = tg_of(g);
	struct dsuspect x;
	char name[512];
	size_t n;

	describe__suspect(r, g, &x);
	n = pf_args(c, r, t, d, describe__suspect_args(&x, end, d), a);
	pftrace__instant(c->pf, t->uuid, end, c->name_iid[SCHEMA_NAME_LEAK_SUSPECT],
			 c->cat_iid[SCHEMA_CAT_GOROUTINE], a, n, 0, 0);
	if (c->nsuspects == c->cap_suspects) {
		size_t ncap = c->cap_suspects ? c->cap_suspects * 2 : 16;
		struct suspect *ns = realloc(c->suspects, ncap * sizeof(*ns));

		if (!ns) {
			replay__fail(r, -ENOMEM, "out of memory");
			return;
		}
		c->suspects = ns;
		c->cap_suspects = ncap;
	}
	c->suspects[c->nsuspects].d = x;
	c->suspects[c->nsuspects++].name_iid =
		pftrace__name_iid(c->pf, describe__suspect_name(r, &x, name, sizeof(name)));
}

/*
 * A list: n instants at one time on the track UUID_<list> (the suspects,
 * the types), or a group of parts of SCHEMA_LIST_MAX items (schema.h), each
 * declared with its first item. The track of item i.
 */

static uint64_t list_track(struct cv *c, uint64_t list, size_t n, size_t i)
{
	struct pf_track t = { 0 };
	char name[64];

	if (n <= SCHEMA_LIST_MAX)
		return uuid_fixed(c, list);
	t.uuid = uuid_of(c, UK_LIST, list << 20 | i / SCHEMA_LIST_MAX);
	if (i % SCHEMA_LIST_MAX == 0) {
		snprintf(name, sizeof(name), SCHEMA_LIST_PART_FMT, (long)i + 1,
			 (long)(i + SCHEMA_LIST_MAX < n ? i + SCHEMA_LIST_MAX : n));
		t.parent = uuid_fixed(c, list);
		t.name = name;
		t.has_rank = true;
		t.rank = (int32_t)(i / SCHEMA_LIST_MAX);
		t.no_merge = true;
		pftrace__track(c->pf, &t);
	}
	return t.uuid;
}

/* The list of leak suspects: a track of its own, one instant per goroutine at the end. */
static void suspects_track(struct cv *c, struct replay *r, uint64_t end)
{
	struct pf_track t = { 0 };
	char name[64];
	size_t i;

	if (!c->nsuspects)
		return;
	snprintf(name, sizeof(name), SCHEMA_COUNTED_FMT, schema_track[SCHEMA_TRACK_SUSPECTS],
		 (long)c->nsuspects);
	t.uuid = uuid_fixed(c, UUID_SUSPECTS);
	t.parent = uuid_fixed(c, UUID_PROCESS);
	t.name = name;
	t.description = "Goroutines still blocked at the end of the recording on a channel, "
			"select, lock or cond (gotl report lists them grouped by site).";
	t.no_merge = true;
	if (c->nsuspects > SCHEMA_LIST_MAX)
		t.child_ordering = 3; /* its parts, in order */
	pftrace__track(c->pf, &t);
	for (i = 0; i < c->nsuspects; i++) {
		const struct suspect *s = &c->suspects[i];
		struct darg d[DESCRIBE_SUSPECT_ARGS];
		struct pf_arg a[DESCRIBE_SUSPECT_ARGS];
		size_t n = pf_args(c, r, NULL, d, describe__suspect_args(&s->d, end, d), a);

		pftrace__instant(c->pf, list_track(c, UUID_SUSPECTS, c->nsuspects, i), end,
				 s->name_iid, c->cat_iid[SCHEMA_CAT_GOROUTINE], a, n, 0, 0);
	}
}

/*
 * The OS thread side of a Running or Syscall span (describe__thread), on
 * the thread's track: a real thread track, pid and tid, so that goroutines
 * line up with a system trace of the same threads.
 */
static void thread_slice(struct cv *c, struct replay *r, struct rp_g *g, uint64_t end)
{
	struct thr *th = u64map__get(&c->threads, g->tid);
	struct tg *t = tg_of(g);
	struct dthread d;
	struct pf_arg a[1];
	char name[300];

	if (!th) {
		struct pf_track t = { 0 };

		th = calloc(1, sizeof(*th));
		if (!th || u64map__put(&c->threads, g->tid, th)) {
			free(th);
			return;
		}
		t.uuid = uuid_of(c, UK_THREAD, g->tid);
		/* Ignored by Perfetto (the pid places it), but it says which process it is. */
		t.parent = uuid_fixed(c, UUID_PROCESS);
		t.tid = g->tid;
		t.thread_pid = (int32_t)c->pid;
		t.thread_name = replay__meta(r, "comm");
		pftrace__track(c->pf, &t);
	}
	if (!describe__thread(g, end, &th->last_end, &d))
		return;
	/* Interned once per goroutine and thread state. */
	if (!t->thr_iid[d.syscall])
		t->thr_iid[d.syscall] = pftrace__name_iid(c->pf,
							  describe__thread_name(r, g, name,
										sizeof(name)));
	pftrace__slice(c->pf, uuid_of(c, UK_THREAD, g->tid), d.begin, d.end, t->thr_iid[d.syscall],
		       c->cat_iid[SCHEMA_CAT_GOROUTINE], a, pf_args(c, r, t, d.a, d.n, a), 0, 0);
}

/* g's current state is over: its span (describe__span), and what comes with it. */
static void on_state_end(void *ctx, struct replay *r, struct rp_g *g, uint64_t end, enum rp_end how)
{
	struct pf_arg a[DESCRIBE_SPAN_ARGS];
	struct cv *c = ctx;
	struct tg *t = tg_of(g);
	uint64_t name, stack;
	struct dspan s;
	size_t n;

	if (!t || !describe__span(r, g, end, how, !t->introduced, t->flow_in || t->spawn_flow, &s))
		return;
	ensure_track(c, r, g);
	if (t->spawn_flow) {
		/* The parent's `go` statement, with the parent's stack at that point. */
		struct darg d[1];
		struct pf_arg ca[1];

		n = pf_args(c, r, t, d, describe__spawn(g, d), ca);
		pftrace__instant(c->pf, t->spawn_parent_uuid, t->spawn_ts,
				 c->name_iid[SCHEMA_NAME_GO_CREATE],
				 c->cat_iid[SCHEMA_CAT_GOROUTINE], ca, n, t->spawn_flow,
				 callstack(c, r, g->create_stack));
		t->spawn_flow = 0;
	}
	n = describe__span_args(r, g, &s, pf_put, &(struct pf_put){ c, r, t, a, 0 });
	t->introduced = true;
	name = state_name(c, r, s.state, s.reason);
	stack = callstack(c, r, s.stack);
	pftrace__slice(c->pf, t->uuid, s.begin, s.end, name, c->cat_iid[SCHEMA_CAT_GOROUTINE], a, n,
		       t->flow_in, stack);
	t->flow_in = 0;
	if (s.thread)
		thread_slice(c, r, g, end);
	if (s.suspect)
		suspect(c, r, g, end);
}

static void on_wake(void *ctx, struct replay *r, struct rp_g *w, struct rp_g *g, uint64_t ts)
{
	struct cv *c = ctx;
	struct tg *t = tg_of(g);
	struct pf_arg a[1];
	struct darg d[1];
	size_t n;

	if (!t || !tg_of(w))
		return;
	ensure_track(c, r, w);
	t->flow_in = ++c->flow_seq;
	n = pf_args(c, r, NULL, d, describe__wake(g, d), a);
	pftrace__instant(c->pf, tg_of(w)->uuid, ts, c->name_iid[SCHEMA_NAME_GO_UNBLOCK],
			 c->cat_iid[SCHEMA_CAT_GOROUTINE], a, n, t->flow_in, 0);
}

static void on_gone(void *ctx, struct replay *r, struct rp_g *g)
{
	free(g->sink);
	g->sink = NULL;
}

/* The counters that changed (all of them the first time), once per state change: hot. */
static void on_counters(void *ctx, struct replay *r, uint64_t ts, const int64_t *counts)
{
	struct cv *c = ctx;
	bool all = !c->counters_started;
	int k;

	for (k = 0; k < RP_C_MAX; k++) {
		if (!all && counts[k] == c->emitted[k])
			continue;
		if (pftrace__counter(c->pf, c->counter_uuid[k], ts, counts[k]))
			return;
		c->emitted[k] = counts[k];
	}
	c->counters_started = true;
}

/* ---- allocations ---------------------------------------------------------- */

static void process_track(struct cv *c, uint64_t uuid, const char *name, const char *desc,
			  bool counter, int32_t unit, const char *unit_name)
{
	struct pf_track t = { 0 };

	t.uuid = uuid_fixed(c, uuid);
	t.parent = uuid_fixed(c, UUID_PROCESS);
	t.name = name;
	t.description = desc;
	t.counter = counter;
	t.counter_unit = unit;
	t.counter_unit_name = unit_name;
	t.no_merge = true;
	pftrace__track(c->pf, &t);
}

static void on_galloc(void *ctx, struct replay *r, struct rp_g *g, uint64_t ts)
{
	struct cv *c = ctx;
	struct tg *t = tg_of(g);
	struct pf_track d = { 0 };
	char name[64];

	if (!c->o->goroutine_alloc_counters || !t || !g->goid)
		return;
	ensure_track(c, r, g);
	if (!t->galloc_declared) {
		snprintf(name, sizeof(name), SCHEMA_GALLOC_FMT " " SCHEMA_GALLOC_KEY, g->goid);
		d.uuid = uuid_of(c, UK_GALLOC, g->goid);
		d.parent = t->uuid;
		d.name = name;
		d.counter = true;
		d.counter_unit = 3; /* bytes */
		pftrace__track(c->pf, &d);
		t->galloc_declared = true;
	}
	pftrace__counter(c->pf, uuid_of(c, UK_GALLOC, g->goid), ts, (int64_t)g->alloc_bytes);
}

/* An allocation (or a sample): an instant with its stack, weighted by its bytes. */
static void on_alloc(void *ctx, struct replay *r, struct rp_g *g, const struct gotl_ev_alloc *e,
		     const struct rp_stack *stack)
{
	struct cv *c = ctx;
	struct pf_arg a[4];
	struct dalloc d;
	uint64_t track;
	size_t n;

	describe__alloc(r, g, e, stack, &d);
	if (g && tg_of(g)) {
		ensure_track(c, r, g);
		track = tg_of(g)->uuid;
	} else {
		if (!c->nog_declared)
			process_track(c, UUID_NOG_ALLOCS, schema_track[SCHEMA_TRACK_NOG_ALLOCS],
				      "Allocations the runtime made on a system stack, with no "
				      "user goroutine running on the thread.",
				      false, 0, NULL);
		c->nog_declared = true;
		track = uuid_fixed(c, UUID_NOG_ALLOCS);
	}
	c->alloc_records++;
	n = pf_args(c, r, NULL, d.a, d.n, a);
	pftrace__sample(c->pf, track, e->hdr.ts, pftrace__name_iid(c->pf, d.name),
			c->cat_iid[SCHEMA_CAT_ALLOC], a, n, callstack(c, r, stack),
			(double)e->weight);
}

/* Heap bytes allocated so far, and the rate since the previous total. */
static void on_alloc_total(void *ctx, struct replay *r, uint64_t ts,
			   const struct gotl_rec_alloc_total *t)
{
	struct cv *c = ctx;

	if (!c->heap_declared) {
		process_track(c, UUID_HEAP, schema_counter[SCHEMA_COUNTER_HEAP].track,
			      "Heap bytes allocated since the start (size classes, as "
			      "runtime.MemStats.TotalAlloc counts them).",
			      true, 3, NULL);
		process_track(c, UUID_RATE, schema_counter[SCHEMA_COUNTER_RATE].track,
			      "Heap bytes allocated per second.", true, 0, "bytes/s");
		c->heap_declared = true;
	}
	if (c->have_total && t->bytes < c->total_bytes)
		return; /* an older total, late */
	pftrace__counter(c->pf, uuid_fixed(c, UUID_HEAP), ts, (int64_t)t->bytes);
	if (c->have_total && ts > c->total_ts) {
		double rate = (double)(t->bytes - c->total_bytes) * 1e9 /
			      (double)(ts - c->total_ts);

		/* Both come from the log: a rate past int64 is clamped (converting it is UB). */
		pftrace__counter(c->pf, uuid_fixed(c, UUID_RATE), c->total_ts,
				 rate < 0x1p63 ? (int64_t)rate : INT64_MAX);
	}
	c->have_total = true;
	c->total_ts = ts;
	c->total_bytes = t->bytes;
	c->total = *t;
}

static void on_alloc_class(void *ctx, struct replay *r, uint64_t ts,
			   const struct gotl_rec_alloc_class *cl)
{
	struct cv *c = ctx;
	char name[512];

	if (atab__update(c->types, describe__class_id(&cl->key),
			 describe__class_name(r, &cl->key, name, sizeof(name)), ts, cl->count,
			 cl->bytes))
		replay__fail(r, -ENOMEM, "out of memory");
}

/*
 * At the end: every type on a list track (an instant each, largest first),
 * and the largest few as counter tracks of their bytes over time.
 */
static void types_tracks(struct cv *c, struct replay *r, uint64_t end)
{
	const struct atab_name **v;
	struct pf_track t = { 0 };
	char name[128];
	long n, i;

	n = atab__sorted(c->types, false, &v);
	if (n <= 0) {
		if (n == 0)
			free(v);
		return;
	}
	snprintf(name, sizeof(name), SCHEMA_COUNTED_FMT, schema_track[SCHEMA_TRACK_TYPES], n);
	t.uuid = uuid_fixed(c, UUID_TYPES);
	t.parent = uuid_fixed(c, UUID_PROCESS);
	t.name = name;
	t.description = "Every type allocated, largest first, with its allocations (count) and "
			"heap bytes; untyped memory (strings, []byte) by the function that asked "
			"for it.";
	t.no_merge = true;
	if (n > SCHEMA_LIST_MAX)
		t.child_ordering = 3; /* its parts, in order */
	pftrace__track(c->pf, &t);
	for (i = 0; i < n; i++) {
		struct pf_arg a[2];
		struct darg d[2];
		size_t na = pf_args(c, r, NULL, d, describe__type(v[i]->count, v[i]->bytes, d), a);

		pftrace__instant(c->pf, list_track(c, UUID_TYPES, (size_t)n, (size_t)i), end,
				 pftrace__name_iid(c->pf, v[i]->name), c->cat_iid[SCHEMA_CAT_ALLOC],
				 a, na, 0, 0);
	}
	process_track(c, UUID_TYPES_GROUP, schema_track[SCHEMA_TRACK_TYPES_GROUP],
		      "Cumulative heap bytes of the types allocated most.", false, 0, NULL);
	for (i = 0; i < n && i < SCHEMA_TOP_TYPES; i++) {
		size_t k;

		memset(&t, 0, sizeof(t));
		t.uuid = uuid_fixed(c, UUID_TYPE_BASE + (uint64_t)i);
		t.parent = uuid_fixed(c, UUID_TYPES_GROUP);
		t.name = v[i]->name;
		t.counter = true;
		t.counter_unit = 3;
		t.has_rank = true;
		t.rank = (int32_t)i;
		t.no_merge = true;
		pftrace__track(c->pf, &t);
		for (k = 0; k < v[i]->nseries; k++)
			pftrace__counter(c->pf, t.uuid, v[i]->series[k].ts,
					 (int64_t)v[i]->series[k].bytes);
	}
	free(v);
}

/* ---- garbage collector ---------------------------------------------------- */

static void on_gc(void *ctx, struct replay *r, const struct rp_gc *g)
{
	struct cv *c = ctx;
	uint64_t track = uuid_fixed(c, UUID_GC);
	struct pf_arg a[6];
	struct dgc d;
	size_t k, n;

	describe__gc(g, &d);
	if (!c->gc_declared)
		process_track(c, UUID_GC, schema_track[SCHEMA_TRACK_GC],
			      "Garbage collection cycles and their phases.", false, 0, NULL);
	c->gc_declared = true;
	/* Phases first: at equal times an inner END must come before the outer one. */
	for (k = 0; k < d.nphases; k++)
		pftrace__slice(c->pf, track, d.phase[k].begin, d.phase[k].end,
			       c->name_iid[d.phase[k].name], c->cat_iid[SCHEMA_CAT_GC], NULL, 0, 0,
			       0);
	n = pf_args(c, r, NULL, d.a, d.n, a);
	pftrace__slice(c->pf, track, d.begin, d.end, pftrace__name_iid(c->pf, d.name),
		       c->cat_iid[SCHEMA_CAT_GC], a, n, 0, 0);
}

static void on_stw(void *ctx, struct replay *r, const struct rp_stw *s)
{
	struct cv *c = ctx;
	struct pf_arg a[2];
	struct darg d[2];
	size_t n;

	if (!c->stw_declared)
		process_track(c, UUID_STW, schema_track[SCHEMA_TRACK_STW],
			      "Every stop-the-world pause, named by the runtime's reason.", false,
			      0, NULL);
	c->stw_declared = true;
	n = pf_args(c, r, NULL, d, describe__stw(s, d), a);
	pftrace__slice(c->pf, uuid_fixed(c, UUID_STW), s->start, s->end,
		       pftrace__name_iid(c->pf, s->reason), c->cat_iid[SCHEMA_CAT_GC], a, n, 0, 0);
}

static void on_finish(void *ctx, struct replay *r, uint64_t end)
{
	struct cv *c = ctx;
	struct dattrs attrs;

	suspects_track(c, r, end);
	types_tracks(c, r, end);
	convert__follows(r, &c->follows, &c->nfollows);
	/* Nothing is allocated after the last total. */
	if (c->have_total)
		pftrace__counter(c->pf, uuid_fixed(c, UUID_RATE), c->total_ts, 0);
	describe__attrs_end(r, c->have_total ? &c->total : NULL, c->nsuspects, &attrs);
	put_attrs(c, r, &attrs);
}

/*
 * How many goroutines each start function has in the log (creations and
 * attach-time snapshots): a quick pass over the record headers, before the
 * replay, so that a group track can say its count when it is declared.
 * Anything wrong with the log is the replay's to report: this just stops.
 */
static void count_starts(const char *log, struct u64map *m)
{
	const struct gotl_rec *rec;
	struct logr *lr;
	char err[256];
	uint64_t released = 0;

	if (logr__open(log, &lr, err, sizeof(err)))
		return;
	while (logr__next(lr, &rec) == 1) {
		uint64_t pc;
		struct fgroup *f;

		/* The log's pages go back as they are read: memory stays flat. */
		if (logr__offset(lr) - released > LOGR_RELEASE_BYTES) {
			logr__release(lr, rec);
			released = logr__offset(lr);
		}

		if (rec->type == GOTL_REC_CREATE && rec->size >= sizeof(struct gotl_ev_create))
			pc = ((const struct gotl_ev_create *)rec)->startpc;
		else if (rec->type == GOTL_REC_GSNAP && rec->size >= sizeof(struct gotl_ev_gsnap))
			pc = ((const struct gotl_ev_gsnap *)rec)->startpc;
		else
			continue;
		f = pc ? u64map__get(m, pc) : NULL;
		if (!f && pc) {
			f = calloc(1, sizeof(*f));
			if (!f || u64map__put(m, pc, f)) {
				free(f);
				break;
			}
		}
		if (f)
			f->count++;
	}
	logr__free(lr);
}

/*
 * One log into the trace: one process. The logs it names (META follow_log)
 * come back in *follows.
 */
struct pf_out {
	const struct convert_opts *o;
	struct pftrace *pf;
};

static int convert_log(void *out, const char *log, int proc, const uint32_t *pids, size_t npids,
		       struct convert_stats *st, struct follow **follows, int *nfollows, char *err,
		       size_t errlen)
{
	const struct convert_opts *o = ((struct pf_out *)out)->o;
	struct pftrace *pf = ((struct pf_out *)out)->pf;
	struct cv c;
	struct rp_sink sink = {
		.ctx = &c,
		.start = on_start,
		.born = on_born,
		.state_end = on_state_end,
		.wake = on_wake,
		.gone = on_gone,
		.counters = on_counters,
		.finish = on_finish,
		.galloc = on_galloc,
		.alloc = on_alloc,
		.alloc_total = on_alloc_total,
		.alloc_class = on_alloc_class,
		.gc = on_gc,
		.stw = on_stw,
	};
	struct replay_stats rs;
	int ret;
	size_t i;

	memset(&c, 0, sizeof(c));
	memset(st, 0, sizeof(*st));
	if (proc) {
		char prefix[32];

		snprintf(prefix, sizeof(prefix), SCHEMA_PROC_FMT, proc);
		pftrace__attr_prefix(pf, prefix);
	}
	c.o = o;
	c.pf = pf;
	c.pids = pids;
	c.npids = npids;
	ret = atab__new(true, &c.types);
	if (ret) {
		snprintf(err, errlen, "out of memory");
		return ret;
	}
	count_starts(log, &c.starts);
	ret = replay__run(log, &sink, &rs, err, errlen);
	convert__stats(st, &rs, c.nsuspects, c.have_total ? &c.total : NULL);
	free(c.suspects);
	for (i = 0; i < c.stacks.cap; i++)
		free(c.stacks.slots[i].v);
	u64map__free(&c.stacks);
	u64map__free(&c.sites);
	atab__free(c.types);
	for (size_t k = 0; k < c.threads.cap; k++)
		free(c.threads.slots[k].v);
	u64map__free(&c.threads);
	for (size_t k = 0; k < c.starts.cap; k++)
		free(c.starts.slots[k].v);
	u64map__free(&c.starts);
	*follows = c.follows;
	*nfollows = c.nfollows;
	return ret;
}

int pfsink__run(const struct convert_opts *o, struct convert_stats *st, char *err, size_t errlen)
{
	struct pf_out out = { .o = o };
	struct pftrace *pf = NULL;
	int nfollows = 0, ret, werr;

	ret = pftrace__open(o->trace_path, &pf);
	if (ret) {
		snprintf(err, errlen, "cannot create '%s': %s", o->trace_path, strerror(-ret));
		return ret;
	}
	if (o->compress && (ret = pftrace__compress(pf, o->compress))) {
		snprintf(err, errlen, "cannot compress at level %d: %s", o->compress,
			 strerror(-ret));
		pftrace__close(pf);
		return ret;
	}
	out.pf = pf;
	ret = convert__logs(o, convert_log, &out, st, &nfollows, err, errlen);
	pftrace__attr_prefix(pf, "");
	if (nfollows)
		pftrace__attr_int(pf, schema_attr[SCHEMA_ATTR_PROCESSES], (int64_t)st->processes);
	/* The last compressed chunk; an error comes back at close. */
	pftrace__flush(pf);
	st->trace_bytes = pftrace__bytes(pf);
	st->trace_raw_bytes = pftrace__raw_bytes(pf);
	werr = pftrace__close(pf);
	if (!ret && werr) {
		ret = werr;
		snprintf(err, errlen, "cannot write '%s': %s", o->trace_path, strerror(-werr));
	}
	return ret;
}
