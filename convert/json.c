// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * json.c: the Chrome trace-event JSON sink of the replay (replay.h) —
 * `gotl convert -f json`. It tells the same story as the Perfetto sink
 * (pfsink.c) from the same replay callbacks, in the legacy JSON format
 * chrome://tracing, Perfetto's JSON importer and other viewers read.
 *
 * Mapping: the Go program is a process (its pid); each goroutine a thread
 * of it with a synthetic tid (JSON_TID_* below: above any real Linux tid),
 * named "G17 main.worker" by "M" events, sorted by goid; each state an "X"
 * slice with the same args as the protobuf slice (its stack as a string);
 * spawns and wake-ups a 0-duration "X" marker (GoCreate, GoUnblock) on the
 * source thread holding a v1 flow "s", ended by an "f" with "bp":"e" at the
 * start of the target slice; counters "C" events; allocations thread
 * instants; GC cycles, stop-the-world pauses, leak suspects and types on
 * pseudo-threads; the trace attributes in the top-level "metadata".
 * Timestamps are in µs with three decimals (ns), rebased to the log's start
 * record (metadata gotl.ts0_*: what ts 0 is). With record --follow each
 * program followed is a process of the same document (convert.c walks the
 * logs), on the main log's time base, its metadata keys prefixed "proc.N."
 * as the protobuf trace's attributes.
 *
 * It streams: every event is written when the replay tells it, nothing of
 * the document is kept (memory: the live goroutines, the leak suspects and
 * the allocated types, as pfsink.c). It must not print, nor write invalid
 * JSON whatever the log holds: every string goes through jsonstr__put(), which
 * escapes quotes, backslashes and control characters and replaces invalid
 * UTF-8 with U+FFFD.
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
#include "atab.h"
#include "jsonstr.h"
#include "replay.h"
#include "schema.h"
#include "u64map.h"

/*
 * Thread ids. Linux tids are below 2^22 (PID_MAX_LIMIT), so none of these
 * can be a real thread of the program.
 */
#define JSON_TID_GOID	(1u << 22)	/* + goid, for goids below JSON_GOID_MAX */
#define JSON_GOID_MAX	((1u << 30) - JSON_TID_GOID)
#define JSON_TID_OTHER	(1u << 30)	/* + n: goroutines whose id is unknown (or past JSON_GOID_MAX) */
#define JSON_TID_PSEUDO	0x7fffff00u	/* + PT_*: tracks that are no goroutine */

/* The pseudo-threads: the schema's first tracks (SCHEMA_TRACK_GC ...), tid JSON_TID_PSEUDO + id. */
#define PT_MAX		SCHEMA_PSEUDO_TRACKS

/* What the writer keeps for each goroutine. */
struct jg {
	uint32_t tid;		/* 0 until its thread is named */
	uint64_t flow_in;	/* flow that ends at the current slice's start */
	bool flow_in_spawn;	/* ... and it is the spawn flow */
	uint64_t spawn_flow;	/* flow from the parent's `go` statement, not written yet */
	uint64_t spawn_ts;
	uint32_t spawn_parent_tid;
	bool own_tid;		/* its goid's tid is taken by another life (a damaged log) */
	bool introduced;	/* its first slice, with who it is, is written */
};

struct jsuspect {
	uint64_t goid, since;
	uint32_t tid;
	char *name, *reason, *blocked_at, *created_at;
};

/* The document: every process of the recording (record --follow) goes into one. */
struct jdoc {
	const struct convert_opts *o;
	FILE *f;
	bool first;		/* no event written yet */
	uint64_t ts0;		/* the main log's start record: ts 0 of every process */
	uint64_t flow_seq;	/* flow ids are the document's */
	FILE *meta;		/* the "metadata" keys so far (each process's at its end) */
	char *meta_buf;
	size_t meta_len;
	bool meta_first;	/* no metadata key written yet */
};

/* One log: one process of the document. */
struct jw {
	struct jdoc *doc;
	const struct convert_opts *o;
	FILE *f;		/* doc->f */
	int proc;		/* 0: the main log; n: the n-th program followed */
	const uint32_t *pids;	/* the pids of the processes before it */
	size_t npids;
	uint32_t pid;		/* its "pid" in the document (see on_start) */
	uint32_t real_pid;
	uint64_t other_seq;
	bool pseudo_named[PT_MAX];
	int64_t emitted[RP_C_MAX];
	bool counters_started;
	struct atab *types;
	bool have_total;
	uint64_t total_ts, total_bytes;
	struct gotl_rec_alloc_total total;
	struct jsuspect *suspects;
	size_t nsuspects, cap_suspects;
	struct follow *follows;	/* the follow logs it names */
	int nfollows;
	struct u64map owners;	/* goroutine tid -> the live life (struct jg) that has it */
	struct u64map os_threads;	/* real OS tid -> uint64_t: where its last slice ended */
};

static struct jg *jg_of(struct rp_g *g)
{
	return g->sink;
}

/* ---- JSON text -------------------------------------------------------------- */

/* A time as µs since ts0, with ns precision: "1234.567". */
static void jts(struct jw *j, uint64_t t)
{
	uint64_t ts0 = j->doc->ts0, d = t >= ts0 ? t - ts0 : ts0 - t;

	fprintf(j->f, "%s%" PRIu64 ".%03u", t >= ts0 ? "" : "-", d / 1000,
		(unsigned)(d % 1000));
}

static void jdur(struct jw *j, uint64_t d)
{
	fprintf(j->f, "%" PRIu64 ".%03u", d / 1000, (unsigned)(d % 1000));
}

/* The start of an event, up to its name and cat; the caller adds fields and ev_end(). */
static void ev_begin(struct jw *j, const char *ph, uint32_t tid, bool has_ts, uint64_t ts,
		     const char *name, const char *cat)
{
	fputs(j->doc->first ? "\n" : ",\n", j->f);
	j->doc->first = false;
	fprintf(j->f, "{\"ph\":\"%s\",\"pid\":%" PRIu32, ph, j->pid);
	if (tid)
		fprintf(j->f, ",\"tid\":%" PRIu32, tid);
	if (has_ts) {
		fputs(",\"ts\":", j->f);
		jts(j, ts);
	}
	fputs(",\"name\":", j->f);
	jsonstr__put(j->f, name);
	if (cat) {
		fputs(",\"cat\":", j->f);
		jsonstr__put(j->f, cat);
	}
}

static void ev_end(struct jw *j)
{
	fputc('}', j->f);
}

/* args: args_open(), then arg_*() with *first = true before the first one, then args_close(). */
static void args_open(struct jw *j, bool *first)
{
	fputs(",\"args\":{", j->f);
	*first = true;
}

static void arg_key(struct jw *j, bool *first, const char *key)
{
	if (!*first)
		fputc(',', j->f);
	*first = false;
	jsonstr__put(j->f, key);
	fputc(':', j->f);
}

static void arg_u(struct jw *j, bool *first, const char *key, uint64_t v)
{
	arg_key(j, first, key);
	fprintf(j->f, "%" PRIu64, v);
}

static void arg_i(struct jw *j, bool *first, const char *key, int64_t v)
{
	arg_key(j, first, key);
	fprintf(j->f, "%" PRId64, v);
}

static void arg_s(struct jw *j, bool *first, const char *key, const char *v)
{
	arg_key(j, first, key);
	jsonstr__put(j->f, v);
}

static void arg_b(struct jw *j, bool *first, const char *key)
{
	arg_key(j, first, key);
	fputs("true", j->f);
}

static void args_close(struct jw *j)
{
	fputc('}', j->f);
}

/* ---- names (the same as pfsink.c's) ----------------------------------------- */

/* The slice name of g's current state. */
static const char *state_str(struct replay *r, const struct rp_g *g, char *buf, size_t len)
{
	switch (g->state) {
	case GOTL_G_RUNNING:	return schema_name[SCHEMA_NAME_RUNNING];
	case GOTL_G_RUNNABLE:	return schema_name[SCHEMA_NAME_RUNNABLE];
	case GOTL_G_SYSCALL:	return schema_name[SCHEMA_NAME_SYSCALL];
	case GOTL_G_PREEMPTED:	return schema_name[SCHEMA_NAME_PREEMPTED];
	case GOTL_G_LEAKED:	return schema_name[SCHEMA_NAME_LEAKED];
	default:		return replay__reason_str(r, g->reason, buf, len);
	}
}

/* The wait_reason arg of a blocked state. */
static const char *reason_arg(struct replay *r, const struct rp_g *g, char *buf, size_t len)
{
	if (g->state == GOTL_G_PREEMPTED)
		return schema_name[SCHEMA_NAME_PREEMPTED];
	if (g->state == GOTL_G_LEAKED)
		return schema_name[SCHEMA_NAME_LEAKED];
	return replay__reason_str(r, g->reason, buf, len);
}

/*
 * A recorded stack as a string arg: one "function file:line" a line,
 * innermost frame first (as Go prints stacks); the protobuf output has it as
 * an interned callstack.
 */
static void arg_stack(struct jw *j, bool *first, struct replay *r, const struct rp_stack *s)
{
	bool nl = false;
	char buf[64];
	int p, k;

	if (!s || !s->n)
		return;
	arg_key(j, first, SCHEMA_ARG_STACK);
	fputc('"', j->f);
	for (p = 0; p < s->n; p++) {
		const struct rp_frames *fr = replay__frames(r, s->pcs[p]);

		if (!fr || !fr->n) {
			snprintf(buf, sizeof(buf), "%s0x%" PRIx64, nl ? "\n" : "", s->pcs[p]);
			jsonstr__put_inner(j->f, buf);
			nl = true;
			continue;
		}
		for (k = 0; k < fr->n; k++) {
			if (nl)
				jsonstr__put_inner(j->f, "\n");
			jsonstr__put_inner(j->f, fr->f[k].func);
			jsonstr__put_inner(j->f, " ");
			jsonstr__put_inner(j->f, basename(fr->f[k].file));
			snprintf(buf, sizeof(buf), ":%u", fr->f[k].line);
			jsonstr__put_inner(j->f, buf);
			nl = true;
		}
	}
	if (s->truncated)
		jsonstr__put_inner(j->f, "\n...");
	fputc('"', j->f);
}

/* ---- threads ------------------------------------------------------------------ */

static void thread_meta(struct jw *j, uint32_t tid, const char *name, int64_t sort)
{
	bool a;

	ev_begin(j, "M", tid, false, 0, "thread_name", NULL);
	args_open(j, &a);
	arg_s(j, &a, "name", name);
	args_close(j);
	ev_end(j);
	ev_begin(j, "M", tid, false, 0, "thread_sort_index", NULL);
	args_open(j, &a);
	arg_i(j, &a, "sort_index", sort);
	args_close(j);
	ev_end(j);
}

/* A pseudo-thread's tid, named when first used ("Leak suspects (3)": n > 0 is a count). */
static uint32_t pseudo_tid(struct jw *j, enum schema_track p, long n)
{
	char name[64];

	if (!j->pseudo_named[p]) {
		if (n > 0)
			snprintf(name, sizeof(name), SCHEMA_COUNTED_FMT, schema_track[p], n);
		else
			snprintf(name, sizeof(name), "%s", schema_track[p]);
		thread_meta(j, JSON_TID_PSEUDO + p, name, (int64_t)p - PT_MAX);
	}
	j->pseudo_named[p] = true;
	return JSON_TID_PSEUDO + p;
}

/*
 * Claim the tid of g's goid for this life. Two lives of one goid at once
 * (only in a damaged log) would overlap on one thread: the second one then
 * gets a tid of its own. false if another live life has it.
 */
static bool claim(struct jw *j, struct replay *r, struct rp_g *g)
{
	struct jg *t = jg_of(g), *o;
	uint64_t tid = JSON_TID_GOID + g->goid;

	if (!g->goid || g->goid >= JSON_GOID_MAX || t->own_tid)
		return false;
	o = u64map__get(&j->owners, tid);
	if (o && o != t) {
		t->own_tid = true;
		return false;
	}
	if (!o && u64map__put(&j->owners, tid, t))
		replay__fail(r, -ENOMEM, "out of memory");
	return true;
}

/* g's thread: its tid and its name, "G17 main.worker" as pfsink.c's track. */
static uint32_t thread_of(struct jw *j, struct replay *r, struct rp_g *g)
{
	const struct rp_sym *start;
	struct jg *t = jg_of(g);
	char name[512], id[32];

	if (t->tid)
		return t->tid;
	start = replay__sym(r, g->startpc);
	if (claim(j, r, g)) {
		t->tid = JSON_TID_GOID + (uint32_t)g->goid;
	} else {
		t->tid = JSON_TID_OTHER + (uint32_t)(j->other_seq++ % (JSON_TID_PSEUDO - JSON_TID_OTHER));
	}
	if (g->goid)
		snprintf(id, sizeof(id), "G%" PRIu64, g->goid);
	else
		snprintf(id, sizeof(id), "G?");
	if (start && *start->func)
		snprintf(name, sizeof(name), "%s %s", id, start->func);
	else if (g->flags & RP_G_CGO)
		snprintf(name, sizeof(name), "%s (cgo callback)", id);
	else
		snprintf(name, sizeof(name), "%s", id);
	thread_meta(j, t->tid, name, g->goid > INT32_MAX ? INT32_MAX : (int64_t)g->goid);
	return t->tid;
}

/* ---- the sink ------------------------------------------------------------------- */

static int on_start(void *ctx, struct replay *r)
{
	const struct gotl_rec_start *s = replay__start(r);
	struct jw *j = ctx;
	const char *name = replay__meta(r, "comm") ? replay__meta(r, "comm") :
				 SCHEMA_PROCESS_NAME;
	char *const *argv = replay__argv(r);
	uint32_t salt = 0;
	bool a;
	size_t i;

	/*
	 * A pid seen again in the document (an exec'd program keeps its pid)
	 * is another process: pid + 2^22 * (how many before had it). Linux pids
	 * are below 2^22 (PID_MAX_LIMIT).
	 */
	j->real_pid = s->pid ? s->pid : 1;
	for (i = 0; i < j->npids; i++)
		if (j->pids[i] == j->real_pid)
			salt++;
	j->pid = j->real_pid + ((salt & 0x3ff) << 22);
	if (!j->proc)
		j->doc->ts0 = s->hdr.ts;
	ev_begin(j, "M", 0, false, 0, "process_name", NULL);
	args_open(j, &a);
	arg_s(j, &a, "name", name);
	args_close(j);
	ev_end(j);
	if (argv && argv[0]) {
		ev_begin(j, "M", 0, false, 0, "process_labels", NULL);
		args_open(j, &a);
		arg_key(j, &a, "labels");
		fputc('"', j->f);
		for (i = 0; argv[i]; i++) {
			if (i)
				jsonstr__put_inner(j->f, " ");
			jsonstr__put_inner(j->f, argv[i]);
		}
		fputc('"', j->f);
		args_close(j);
		ev_end(j);
	}
	return 0;
}

static void on_born(void *ctx, struct replay *r, struct rp_g *g, struct rp_g *parent)
{
	struct jw *j = ctx;
	struct jg *t = calloc(1, sizeof(*t));

	if (!t) {
		replay__fail(r, -ENOMEM, "out of memory");
		return;
	}
	g->sink = t;
	claim(j, r, g);
	if (parent && parent->goid && jg_of(parent)) {
		t->spawn_flow = ++j->doc->flow_seq;
		t->spawn_ts = g->created;
		t->spawn_parent_tid = thread_of(j, r, parent);
		t->flow_in = t->spawn_flow;
		t->flow_in_spawn = true;
	}
}

/* A 0-duration marker on the source thread and the flow's start inside it. */
static void flow_start(struct jw *j, struct replay *r, uint32_t tid, uint64_t ts, const char *name,
		       uint64_t goid, const struct rp_stack *stack, uint64_t id)
{
	bool a;

	ev_begin(j, "X", tid, true, ts, name, schema_cat[SCHEMA_CAT_GOROUTINE]);
	fputs(",\"dur\":0", j->f);
	if (goid || stack) {
		args_open(j, &a);
		if (goid)
			arg_u(j, &a, schema_arg[SCHEMA_ARG_GOID], goid);
		arg_stack(j, &a, r, stack);
		args_close(j);
	}
	ev_end(j);
	if (!id)
		return;
	ev_begin(j, "s", tid, true, ts, name, schema_cat[SCHEMA_CAT_GOROUTINE]);
	fprintf(j->f, ",\"id\":%" PRIu64, id);
	ev_end(j);
}

static int add_suspect(struct jw *j, struct rp_g *g, uint32_t tid, const char *name,
		       const char *reason, const char *blocked_at, const char *created_at)
{
	struct jsuspect *s;

	if (j->nsuspects == j->cap_suspects) {
		size_t ncap = j->cap_suspects ? j->cap_suspects * 2 : 16;
		struct jsuspect *ns = realloc(j->suspects, ncap * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		j->suspects = ns;
		j->cap_suspects = ncap;
	}
	s = &j->suspects[j->nsuspects];
	memset(s, 0, sizeof(*s));
	s->goid = g->goid;
	s->since = g->since;
	s->tid = tid;
	s->name = strdup(name);
	s->reason = strdup(reason);
	s->blocked_at = blocked_at ? strdup(blocked_at) : NULL;
	s->created_at = created_at ? strdup(created_at) : NULL;
	j->nsuspects++;
	if (!s->name || !s->reason || (blocked_at && !s->blocked_at) ||
	    (created_at && !s->created_at))
		return -ENOMEM;
	return 0;
}

static void suspect_args(struct jw *j, uint64_t goid, const char *reason, uint64_t blocked_for,
			 const char *blocked_at, const char *created_at)
{
	bool a;

	args_open(j, &a);
	arg_u(j, &a, schema_arg[SCHEMA_ARG_GOID], goid);
	arg_s(j, &a, schema_arg[SCHEMA_ARG_WAIT_REASON], reason);
	arg_u(j, &a, schema_arg[SCHEMA_ARG_BLOCKED_FOR], blocked_for);
	if (blocked_at)
		arg_s(j, &a, schema_arg[SCHEMA_ARG_BLOCKED_AT], blocked_at);
	if (created_at)
		arg_s(j, &a, schema_arg[SCHEMA_ARG_CREATED_AT], created_at);
	args_close(j);
}

/* A goroutine still blocked at the end on a channel, select, lock or cond (pfsink.c's rule). */
static void suspect(struct jw *j, struct replay *r, struct rp_g *g, uint64_t end,
		    const char *blocked_at, const char *created_at, const struct rp_frame *uf)
{
	char buf[64], name[512];
	const char *reason = g->state == GOTL_G_WAITING ? replay__reason_str(r, g->reason, buf, sizeof(buf))
						      : "preempted";
	uint32_t tid = jg_of(g)->tid;

	if (!replay__leak_reason(reason, false) || replay__runtime_goroutine(r, g))
		return;
	ev_begin(j, "i", tid, true, end, schema_name[SCHEMA_NAME_LEAK_SUSPECT],
		 schema_cat[SCHEMA_CAT_GOROUTINE]);
	fputs(",\"s\":\"t\"", j->f);
	suspect_args(j, g->goid, reason, end - g->since, blocked_at, created_at);
	ev_end(j);
	if (uf)
		snprintf(name, sizeof(name), "G%" PRIu64 " %s at %s:%u", g->goid, reason,
			 basename(uf->file), uf->line);
	else
		snprintf(name, sizeof(name), "G%" PRIu64 " %s", g->goid, reason);
	if (add_suspect(j, g, tid, name, reason, blocked_at, created_at))
		replay__fail(r, -ENOMEM, "out of memory");
}

/* Write the slice of g's current state, [g->since, end), with its flows. */
/*
 * The OS thread side of a Running or Syscall state, as in the protobuf trace:
 * a slice named after the goroutine's start function (its goid in the args)
 * on the real thread (its own tid, below
 * JSON_TID_GOID), never overlapping the thread's previous one.
 */
static void os_thread_slice(struct jw *j, struct replay *r, struct rp_g *g, uint64_t end)
{
	uint64_t *last = u64map__get(&j->os_threads, g->tid), begin = g->since;
	const struct rp_sym *s;
	char name[300];
	bool a;

	if (g->tid >= JSON_TID_GOID)
		return;
	if (!last) {
		last = calloc(1, sizeof(*last));
		if (!last || u64map__put(&j->os_threads, g->tid, last)) {
			free(last);
			return;
		}
		thread_meta(j, g->tid, replay__meta(r, "comm") ? replay__meta(r, "comm") : "thread",
			    (int64_t)1 << 40 | g->tid);
	}
	if (begin < *last)
		begin = *last;
	if (begin >= end)
		return;
	*last = end;
	s = replay__sym(r, g->startpc);
	snprintf(name, sizeof(name), "%s%s", s && s->func[0] ? s->func : "goroutine",
		 g->state == GOTL_G_SYSCALL ? " (syscall)" : "");
	ev_begin(j, "X", g->tid, true, begin, name, schema_cat[SCHEMA_CAT_GOROUTINE]);
	fputs(",\"dur\":", j->f);
	jdur(j, end - begin);
	args_open(j, &a);
	if (g->goid)
		arg_u(j, &a, schema_arg[SCHEMA_ARG_GOID], g->goid);
	args_close(j);
	ev_end(j);
}

static void on_state_end(void *ctx, struct replay *r, struct rp_g *g, uint64_t end, enum rp_end how)
{
	struct jw *j = ctx;
	struct jg *t = jg_of(g);
	bool at_end = how == RP_END_RECORDING, a;
	const struct rp_sym *start, *site;
	const struct rp_frame *uf = NULL;
	char buf[64], rbuf[64], blocked_at[1024], created_at[1024];
	uint32_t tid;

	if (!t)
		return;
	if (end == g->since && !t->flow_in && !t->spawn_flow && !at_end)
		return;		/* nothing happened in between: no zero-length slice */
	tid = thread_of(j, r, g);
	if (t->spawn_flow) {
		/* The parent's `go` statement; its flow only if it still ends here. */
		flow_start(j, r, t->spawn_parent_tid, t->spawn_ts, schema_name[SCHEMA_NAME_GO_CREATE], g->goid, g->create_stack,
			   t->flow_in_spawn && t->flow_in == t->spawn_flow ? t->spawn_flow : 0);
		t->spawn_flow = 0;
	}
	start = replay__sym(r, g->startpc);
	site = replay__sym(r, g->gopc);
	blocked_at[0] = created_at[0] = 0;
	if (g->block_stack && (uf = replay__user_frame(r, g->block_stack)))
		snprintf(blocked_at, sizeof(blocked_at), "%s %s:%u", uf->func, uf->file, uf->line);
	if (site && *site->func)
		snprintf(created_at, sizeof(created_at), "%s %s:%u", site->func, site->file,
			 site->line);

	ev_begin(j, "X", tid, true, g->since, state_str(r, g, buf, sizeof(buf)), schema_cat[SCHEMA_CAT_GOROUTINE]);
	fputs(",\"dur\":", j->f);
	jdur(j, end - g->since);
	args_open(j, &a);
	if (g->goid)
		arg_u(j, &a, schema_arg[SCHEMA_ARG_GOID], g->goid);
	if (g->state == GOTL_G_RUNNING)
		arg_u(j, &a, schema_arg[SCHEMA_ARG_THREAD], g->tid);
	if (replay__blocked(g->state))
		arg_s(j, &a, schema_arg[SCHEMA_ARG_WAIT_REASON], reason_arg(r, g, rbuf, sizeof(rbuf)));
	if (blocked_at[0])
		arg_s(j, &a, schema_arg[SCHEMA_ARG_BLOCKED_AT], blocked_at);
	if (g->state == GOTL_G_RUNNABLE && g->woken_by)
		arg_u(j, &a, schema_arg[SCHEMA_ARG_WOKEN_BY], g->woken_by);
	/* Who the goroutine is: on its first slice only, as in the protobuf trace. */
	if (start && *start->func && !t->introduced)
		arg_s(j, &a, schema_arg[SCHEMA_ARG_START_FUNCTION], start->func);
	if (created_at[0] && !t->introduced)
		arg_s(j, &a, schema_arg[SCHEMA_ARG_CREATED_AT], created_at);
	if (g->parent_goid && !t->introduced)
		arg_u(j, &a, schema_arg[SCHEMA_ARG_PARENT_GOID], g->parent_goid);
	t->introduced = true;
	if (g->flags & RP_G_CGO)
		arg_b(j, &a, schema_arg[SCHEMA_ARG_CGO_CALLBACK]);
	if ((g->flags & RP_G_SNAPSHOT) && g->first) {
		arg_b(j, &a, schema_arg[SCHEMA_ARG_EXISTED_AT_ATTACH]);
		if (g->waited_since && replay__blocked(g->state))
			arg_u(j, &a, schema_arg[SCHEMA_ARG_BLOCKED_BEFORE], g->since - g->waited_since);
	}
	if (g->state_alloc_count) {
		arg_u(j, &a, schema_arg[SCHEMA_ARG_ALLOC_BYTES], g->state_alloc_bytes);
		arg_u(j, &a, schema_arg[SCHEMA_ARG_ALLOC_COUNT], g->state_alloc_count);
	}
	if (at_end) {
		arg_b(j, &a, schema_arg[SCHEMA_ARG_OPEN_AT_END]);
		if (replay__blocked(g->state))
			arg_b(j, &a, schema_arg[SCHEMA_ARG_STILL_BLOCKED]);
	}
	if (g->flags & RP_G_GAP)
		arg_b(j, &a, schema_arg[SCHEMA_ARG_UNOBSERVED]);
	arg_stack(j, &a, r, g->block_stack);
	args_close(j);
	ev_end(j);

	if (t->flow_in) {
		/* Bound to the enclosing slice: the one just written, which starts here. */
		ev_begin(j, "f", tid, true, g->since, t->flow_in_spawn ? schema_name[SCHEMA_NAME_GO_CREATE] : schema_name[SCHEMA_NAME_GO_UNBLOCK], schema_cat[SCHEMA_CAT_GOROUTINE]);
		fprintf(j->f, ",\"bp\":\"e\",\"id\":%" PRIu64, t->flow_in);
		ev_end(j);
	}
	t->flow_in = 0;
	t->flow_in_spawn = false;
	if ((g->state == GOTL_G_RUNNING || g->state == GOTL_G_SYSCALL) && g->tid)
		os_thread_slice(j, r, g, end);
	if (at_end && replay__blocked(g->state))
		suspect(j, r, g, end, blocked_at[0] ? blocked_at : NULL,
			created_at[0] ? created_at : NULL, uf);
}

static void on_wake(void *ctx, struct replay *r, struct rp_g *w, struct rp_g *g, uint64_t ts)
{
	struct jw *j = ctx;
	struct jg *t = jg_of(g);

	if (!t || !jg_of(w))
		return;
	t->flow_in = ++j->doc->flow_seq;
	t->flow_in_spawn = false;
	flow_start(j, r, thread_of(j, r, w), ts, schema_name[SCHEMA_NAME_GO_UNBLOCK], g->goid, NULL, t->flow_in);
}

static void on_gone(void *ctx, struct replay *r, struct rp_g *g)
{
	struct jw *j = ctx;

	if (g->goid && g->goid < JSON_GOID_MAX &&
	    u64map__get(&j->owners, JSON_TID_GOID + g->goid) == g->sink)
		u64map__del(&j->owners, JSON_TID_GOID + g->goid);
	free(g->sink);
	g->sink = NULL;
}

/* One "C" event: Perfetto names its counter track "name key". */
static void counter(struct jw *j, uint64_t ts, const char *name, const char *key, int64_t v)
{
	bool a;

	ev_begin(j, "C", 0, true, ts, name, NULL);
	args_open(j, &a);
	arg_i(j, &a, key, v);
	args_close(j);
	ev_end(j);
}

/*
 * The goroutine counters: one "Goroutines" event with every state's count
 * (chrome://tracing draws them stacked; they are tracks "Goroutines alive",
 * "Goroutines running", ... in Perfetto), and "gotl events" {"lost"}.
 */
static void on_counters(void *ctx, struct replay *r, uint64_t ts, const int64_t *counts)
{
	struct jw *j = ctx;
	bool changed = !j->counters_started, a;
	int k;

	for (k = 0; k < RP_C_LOST; k++)
		changed |= counts[k] != j->emitted[k];
	if (changed) {
		ev_begin(j, "C", 0, true, ts, schema_counter[SCHEMA_COUNTER_ALIVE].group, NULL);
		args_open(j, &a);
		for (k = 0; k < RP_C_LOST; k++)
			arg_i(j, &a, schema_counter[k].key, counts[k]);
		args_close(j);
		ev_end(j);
	}
	if (!j->counters_started || counts[RP_C_LOST] != j->emitted[RP_C_LOST])
		counter(j, ts, schema_counter[RP_C_LOST].group, schema_counter[RP_C_LOST].key,
			counts[RP_C_LOST]);
	memcpy(j->emitted, counts, sizeof(j->emitted));
	j->counters_started = true;
}

/* ---- allocations ------------------------------------------------------------------ */

static void on_galloc(void *ctx, struct replay *r, struct rp_g *g, uint64_t ts)
{
	struct jw *j = ctx;
	char name[64];

	if (!j->o->goroutine_alloc_counters || !jg_of(g) || !g->goid)
		return;
	thread_of(j, r, g);
	snprintf(name, sizeof(name), SCHEMA_GALLOC_FMT, g->goid);
	counter(j, ts, name, SCHEMA_GALLOC_KEY, (int64_t)g->alloc_bytes);
}

/* An allocation (or a sample): an instant on its goroutine's thread, with its stack. */
static void on_alloc(void *ctx, struct replay *r, struct rp_g *g, const struct gotl_ev_alloc *e,
		     const struct rp_stack *stack)
{
	struct jw *j = ctx;
	char name[512], site[1024];
	uint32_t tid;
	bool a;

	if (g && jg_of(g))
		tid = thread_of(j, r, g);
	else
		tid = pseudo_tid(j, SCHEMA_TRACK_NOG_ALLOCS, 0);
	ev_begin(j, "i", tid, true, e->hdr.ts, replay__class_name(r, &e->key, name, sizeof(name)),
		 schema_cat[SCHEMA_CAT_ALLOC]);
	fputs(",\"s\":\"t\"", j->f);
	args_open(j, &a);
	if (g && g->goid)
		arg_u(j, &a, schema_arg[SCHEMA_ARG_GOID], g->goid);
	arg_u(j, &a, schema_arg[SCHEMA_ARG_SIZE], e->size);
	arg_u(j, &a, schema_arg[SCHEMA_ARG_BYTES], e->weight);
	arg_s(j, &a, schema_arg[SCHEMA_ARG_SITE], replay__site(r, stack, site, sizeof(site)));
	arg_stack(j, &a, r, stack);
	args_close(j);
	ev_end(j);
}

static void on_alloc_total(void *ctx, struct replay *r, uint64_t ts,
			   const struct gotl_rec_alloc_total *t)
{
	struct jw *j = ctx;

	if (j->have_total && t->bytes < j->total_bytes)
		return;		/* an older total, late */
	counter(j, ts, schema_counter[SCHEMA_COUNTER_HEAP].group,
		schema_counter[SCHEMA_COUNTER_HEAP].key, (int64_t)t->bytes);
	if (j->have_total && ts > j->total_ts) {
		double rate = (double)(t->bytes - j->total_bytes) * 1e9 / (double)(ts - j->total_ts);

		counter(j, j->total_ts, schema_counter[SCHEMA_COUNTER_RATE].group,
			schema_counter[SCHEMA_COUNTER_RATE].key, rate < 0x1p63 ? (int64_t)rate : INT64_MAX);
	}
	j->have_total = true;
	j->total_ts = ts;
	j->total_bytes = t->bytes;
	j->total = *t;
}

static void on_alloc_class(void *ctx, struct replay *r, uint64_t ts,
			   const struct gotl_rec_alloc_class *cl)
{
	struct jw *j = ctx;
	char name[512];

	if (atab__update(j->types, replay__class_id(&cl->key),
			 replay__class_name(r, &cl->key, name, sizeof(name)), ts, cl->count,
			 cl->bytes))
		replay__fail(r, -ENOMEM, "out of memory");
}

/* At the end: every type an instant (largest first), the largest few counters of their bytes. */
static void types_events(struct jw *j, uint64_t end)
{
	const struct atab_name **v;
	uint32_t tid;
	long n, i;
	size_t k;
	bool a;

	n = atab__sorted(j->types, false, &v);
	if (n <= 0) {
		if (n == 0)
			free(v);
		return;
	}
	tid = pseudo_tid(j, SCHEMA_TRACK_TYPES, n);
	for (i = 0; i < n; i++) {
		ev_begin(j, "i", tid, true, end, v[i]->name, schema_cat[SCHEMA_CAT_ALLOC]);
		fputs(",\"s\":\"t\"", j->f);
		args_open(j, &a);
		arg_u(j, &a, schema_arg[SCHEMA_ARG_COUNT], v[i]->count);
		arg_u(j, &a, schema_arg[SCHEMA_ARG_BYTES], v[i]->bytes);
		args_close(j);
		ev_end(j);
	}
	for (i = 0; i < n && i < SCHEMA_TOP_TYPES; i++)
		for (k = 0; k < v[i]->nseries; k++)
			counter(j, v[i]->series[k].ts, v[i]->name, SCHEMA_TYPE_KEY,
				(int64_t)v[i]->series[k].bytes);
	free(v);
}

/* ---- garbage collector -------------------------------------------------------------- */

static void slice(struct jw *j, uint32_t tid, uint64_t start, uint64_t end, const char *name,
		  const char *cat)
{
	ev_begin(j, "X", tid, true, start, name, cat);
	fputs(",\"dur\":", j->f);
	jdur(j, end - start);
}

static void on_gc(void *ctx, struct replay *r, const struct rp_gc *g)
{
	struct jw *j = ctx;
	uint32_t tid = pseudo_tid(j, SCHEMA_TRACK_GC, 0);
	uint64_t mark_start, mark_end;
	char name[64];
	bool a;

	if (g->sweepterm_start && g->sweepterm_end) {
		slice(j, tid, g->sweepterm_start, g->sweepterm_end, schema_name[SCHEMA_NAME_SWEEP_TERM],
		      schema_cat[SCHEMA_CAT_GC]);
		ev_end(j);
	}
	mark_start = g->sweepterm_end ? g->sweepterm_end : g->start;
	mark_end = g->markterm_start ? g->markterm_start : g->end;
	if (mark_end > mark_start) {
		slice(j, tid, mark_start, mark_end, schema_name[SCHEMA_NAME_MARK],
		      schema_cat[SCHEMA_CAT_GC]);
		ev_end(j);
	}
	if (g->markterm_start) {
		slice(j, tid, g->markterm_start, g->end, schema_name[SCHEMA_NAME_MARK_TERM],
		      schema_cat[SCHEMA_CAT_GC]);
		ev_end(j);
	}
	snprintf(name, sizeof(name), "GC %" PRIu64 " (%s)", g->n, replay__trigger_str(g->trigger));
	slice(j, tid, g->start, g->end, name, schema_cat[SCHEMA_CAT_GC]);
	args_open(j, &a);
	arg_u(j, &a, schema_arg[SCHEMA_ARG_GC_CYCLE], g->n);
	arg_s(j, &a, schema_arg[SCHEMA_ARG_TRIGGER], replay__trigger_str(g->trigger));
	if (g->by_goid)
		arg_u(j, &a, schema_arg[SCHEMA_ARG_STARTED_BY], g->by_goid);
	arg_u(j, &a, schema_arg[SCHEMA_ARG_STW_NS], g->stw_ns);
	if (g->open)
		arg_b(j, &a, schema_arg[SCHEMA_ARG_OPEN_AT_END]);
	if (g->began_unseen)
		arg_b(j, &a, schema_arg[SCHEMA_ARG_BEGAN_BEFORE]);
	args_close(j);
	ev_end(j);
}

static void on_stw(void *ctx, struct replay *r, const struct rp_stw *s)
{
	struct jw *j = ctx;
	bool a;

	slice(j, pseudo_tid(j, SCHEMA_TRACK_STW, 0), s->start, s->end, s->reason,
	      schema_cat[SCHEMA_CAT_GC]);
	if (s->gc || s->open) {
		args_open(j, &a);
		if (s->gc)
			arg_u(j, &a, schema_arg[SCHEMA_ARG_GC_CYCLE], s->gc);
		if (s->open)
			arg_b(j, &a, schema_arg[SCHEMA_ARG_OPEN_AT_END]);
		args_close(j);
	}
	ev_end(j);
}

/*
 * A key of the top-level "metadata": the process's prefix ("proc.2." for
 * the second program followed, as the protobuf trace prefixes its trace
 * attributes; "" for the main log) and the name.
 */
static void md_key(struct jw *j, const char *key)
{
	struct jdoc *d = j->doc;
	char k[128];

	if (!d->meta_first)
		fputc(',', d->meta);
	d->meta_first = false;
	if (j->proc) {
		snprintf(k, sizeof(k), SCHEMA_PROC_FMT "%s", j->proc, key);
		jsonstr__put(d->meta, k);
	} else {
		jsonstr__put(d->meta, key);
	}
	fputc(':', d->meta);
}

static void md_u(struct jw *j, const char *key, uint64_t v)
{
	md_key(j, key);
	fprintf(j->doc->meta, "%" PRIu64, v);
}

static void md_s(struct jw *j, const char *key, const char *v)
{
	md_key(j, key);
	jsonstr__put(j->doc->meta, v);
}

/*
 * The trace attributes of pfsink.c, as keys of the top-level "metadata"
 * (strings and integers), kept until the document ends. What ts 0 and the
 * tids are is the document's: the main log says it.
 */
static void metadata(struct jw *j, struct replay *r, const struct replay_stats *st)
{
	const struct gotl_rec_start *s = replay__start(r);
	const struct gotl_rec_end *e = replay__end(r);
	char *const *argv = replay__argv(r);
	FILE *f = j->doc->meta;
	size_t i;
	int k;

	md_s(j, schema_attr[SCHEMA_ATTR_VERSION], GOTL_VERSION);
	for (k = 0; k < SCHEMA_META_ATTR_MAX; k++)
		if (replay__meta(r, schema_meta_attr[k].meta))
			md_s(j, schema_attr[schema_meta_attr[k].attr],
			     replay__meta(r, schema_meta_attr[k].meta));
	if (argv && argv[0]) {
		md_key(j, schema_attr[SCHEMA_ATTR_COMMAND]);
		fputc('"', f);
		for (i = 0; argv[i]; i++) {
			if (i)
				jsonstr__put_inner(f, " ");
			jsonstr__put_inner(f, argv[i]);
		}
		fputc('"', f);
	}
	if (replay__probes(r))
		md_s(j, schema_attr[SCHEMA_ATTR_PROBES], replay__probes(r));
	md_u(j, schema_attr[SCHEMA_ATTR_PID], j->real_pid);
	if (!j->proc) {
		md_u(j, schema_attr[SCHEMA_ATTR_TS0_BOOTTIME], j->doc->ts0);
		if (s && s->monotonic_ns)
			md_u(j, schema_attr[SCHEMA_ATTR_TS0_MONOTONIC], s->monotonic_ns);
		if (s && s->realtime_ns)
			md_u(j, schema_attr[SCHEMA_ATTR_TS0_REALTIME], s->realtime_ns);
	}
	if (s && s->realtime_ns) {
		char when[64];

		convert__wall_time(s->realtime_ns, when, sizeof(when));
		md_s(j, schema_attr[SCHEMA_ATTR_START_TIME], when);
	}
	if (!j->proc)
		md_s(j, schema_attr[SCHEMA_ATTR_TIDS], "goroutine G: tid 4194304+G (G < 1069547520); unknown "
		     "goroutine ids: 1073741824+n; other tracks: 2147483392+n");
	if (j->have_total) {
		md_s(j, schema_attr[SCHEMA_ATTR_ALLOC_MODE], replay__alloc_mode_str(j->total.mode));
		if (j->total.mode == GOTL_ALLOC_SAMPLED)
			md_u(j, schema_attr[SCHEMA_ATTR_ALLOC_SAMPLE_BYTES], j->total.sample_bytes);
		md_u(j, schema_attr[SCHEMA_ATTR_ALLOC_COUNT], j->total.count);
		md_u(j, schema_attr[SCHEMA_ATTR_ALLOC_BYTES], j->total.bytes);
		if (j->total.unclassified)
			md_u(j, schema_attr[SCHEMA_ATTR_ALLOC_UNCLASSIFIED], j->total.unclassified);
	}
	md_u(j, schema_attr[SCHEMA_ATTR_GC_CYCLES], st->gc_cycles);
	md_u(j, schema_attr[SCHEMA_ATTR_LEAK_SUSPECTS], j->nsuspects);
	md_u(j, schema_attr[SCHEMA_ATTR_EVENTS], st->events);
	md_u(j, schema_attr[SCHEMA_ATTR_EVENTS_LOST], st->lost);
	for (k = 0; k < GOTL_LOSS_KINDS; k++) {
		char key[64];

		if (!st->lost_kind[k])
			continue;
		snprintf(key, sizeof(key), SCHEMA_LOST_KIND_FMT, schema_attr[SCHEMA_ATTR_EVENTS_LOST],
			 gotl_loss_kind_name(k));
		md_u(j, key, st->lost_kind[k]);
	}
	md_u(j, schema_attr[SCHEMA_ATTR_GOROUTINES], st->goroutines);
	if (st->unobserved)
		md_u(j, schema_attr[SCHEMA_ATTR_UNOBSERVED], st->unobserved);
	if (st->truncated)
		md_s(j, schema_attr[SCHEMA_ATTR_LOG], "truncated: the recorder stopped mid-write");
	if (s && (s->flags & GOTL_START_ATTACHED))
		md_s(j, schema_attr[SCHEMA_ATTR_MODE], "attached to a running process (record -p)");
	if (e && (e->flags & GOTL_END_DETACHED))
		md_s(j, schema_attr[SCHEMA_ATTR_END], "detached: the process ran on");
	if (replay__exec(r)) {
		const struct gotl_ev_exec *x = replay__exec(r);
		char fn[GOTL_EXEC_PATH_MAX + 1];

		snprintf(fn, sizeof(fn), "%.*s", (int)sizeof(x->filename), x->filename);
		md_s(j, schema_attr[SCHEMA_ATTR_EXEC], fn);
		md_u(j, schema_attr[SCHEMA_ATTR_EXEC_TS], x->hdr.ts);
	}
	if (e && (e->flags & GOTL_END_EXITED) && !(e->flags & GOTL_END_NO_STATUS)) {
		uint32_t ws = e->status;

		if ((ws & 0x7f) == 0)
			md_u(j, schema_attr[SCHEMA_ATTR_EXIT_STATUS], (ws >> 8) & 0xff);
		else
			md_u(j, schema_attr[SCHEMA_ATTR_KILLED_BY_SIGNAL], ws & 0x7f);
	}
}

/*
 * The end of the document: the events so far, the unit, the metadata of
 * every process (none if the main log failed: then the version only), and
 * with record --follow how many processes there are.
 */
static int close_doc(struct jdoc *d, int nfollows, uint32_t processes)
{
	fputs("\n],\n\"displayTimeUnit\":\"ns\"", d->f);
	if (fflush(d->meta) || ferror(d->meta))
		return -ENOMEM;
	if (!d->meta_len) {
		fputs(",\n\"metadata\":{", d->f);
		jsonstr__put(d->f, schema_attr[SCHEMA_ATTR_VERSION]);
		fputc(':', d->f);
		jsonstr__put(d->f, GOTL_VERSION);
		fputc('}', d->f);
	} else {
		fputs(",\n\"metadata\":{", d->f);
		fwrite(d->meta_buf, 1, d->meta_len, d->f);
		if (nfollows) {
			fputc(',', d->f);
			jsonstr__put(d->f, schema_attr[SCHEMA_ATTR_PROCESSES]);
			fprintf(d->f, ":%" PRIu32 ",", processes);
			jsonstr__put(d->f, schema_attr[SCHEMA_ATTR_PIDS]);
			fputc(':', d->f);
			jsonstr__put(d->f, "each process its pid; a pid that k earlier processes had "
				     "(an exec keeps it): pid+4194304*k");
		}
		fputs("}", d->f);
	}
	fputs("}\n", d->f);
	return 0;
}

/* ---- the end: the list of suspects, the types, the trace metadata -------------------- */

static void on_finish(void *ctx, struct replay *r, uint64_t end)
{
	struct jw *j = ctx;
	size_t i;

	if (j->nsuspects) {
		uint32_t tid = pseudo_tid(j, SCHEMA_TRACK_SUSPECTS, (long)j->nsuspects);

		for (i = 0; i < j->nsuspects; i++) {
			const struct jsuspect *s = &j->suspects[i];

			ev_begin(j, "i", tid, true, end, s->name, schema_cat[SCHEMA_CAT_GOROUTINE]);
			fputs(",\"s\":\"t\"", j->f);
			suspect_args(j, s->goid, s->reason, end - s->since, s->blocked_at,
				     s->created_at);
			ev_end(j);
		}
	}
	types_events(j, end);
	if (j->have_total)
		/* Nothing is allocated after the last total. */
		counter(j, j->total_ts, schema_counter[SCHEMA_COUNTER_RATE].group,
			schema_counter[SCHEMA_COUNTER_RATE].key, 0);
	metadata(j, r, replay__stats(r));
	convert__follows(r, &j->follows, &j->nfollows);
}

/* One log into the document (convert_log_fn). */
static int json_log(void *out, const char *log, int proc, const uint32_t *pids, size_t npids,
		    struct convert_stats *st, struct follow **follows, int *nfollows, char *err,
		    size_t errlen)
{
	struct jdoc *d = out;
	struct jw j;
	struct rp_sink sink = {
		.ctx = &j, .start = on_start, .born = on_born, .state_end = on_state_end,
		.wake = on_wake, .gone = on_gone, .counters = on_counters, .finish = on_finish,
		.galloc = on_galloc, .alloc = on_alloc, .alloc_total = on_alloc_total,
		.alloc_class = on_alloc_class, .gc = on_gc, .stw = on_stw,
	};
	struct replay_stats rs;
	int ret;
	size_t i;

	memset(&j, 0, sizeof(j));
	memset(st, 0, sizeof(*st));
	j.doc = d;
	j.o = d->o;
	j.f = d->f;
	j.proc = proc;
	j.pids = pids;
	j.npids = npids;
	ret = atab__new(true, &j.types);
	if (ret) {
		snprintf(err, errlen, "out of memory");
		return ret;
	}
	ret = replay__run(log, &sink, &rs, err, errlen);
	convert__stats(st, &rs, j.nsuspects, j.have_total ? &j.total : NULL);
	for (i = 0; i < j.nsuspects; i++) {
		free(j.suspects[i].name);
		free(j.suspects[i].reason);
		free(j.suspects[i].blocked_at);
		free(j.suspects[i].created_at);
	}
	free(j.suspects);
	u64map__free(&j.owners);
	for (size_t k = 0; k < j.os_threads.cap; k++)
		free(j.os_threads.slots[k].v);
	u64map__free(&j.os_threads);
	atab__free(j.types);
	*follows = j.follows;
	*nfollows = j.nfollows;
	return ret;
}

int json__run(const struct convert_opts *o, struct convert_stats *st, char *err, size_t errlen)
{
	struct jdoc d;
	int nfollows, ret, werr = 0;

	memset(&d, 0, sizeof(d));
	memset(st, 0, sizeof(*st));
	d.o = o;
	d.first = true;
	d.meta_first = true;
	d.meta = open_memstream(&d.meta_buf, &d.meta_len);
	if (!d.meta) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	d.f = fopen(o->trace_path, "w");
	if (!d.f) {
		ret = -errno;
		snprintf(err, errlen, "cannot create '%s': %s", o->trace_path, strerror(-ret));
		fclose(d.meta);
		free(d.meta_buf);
		return ret;
	}
	setvbuf(d.f, NULL, _IOFBF, 1 << 16);
	fputs("{\"traceEvents\":[", d.f);
	ret = convert__logs(o, json_log, &d, st, &nfollows, err, errlen);
	/* A replay that failed still ends a JSON document. */
	werr = close_doc(&d, nfollows, st->processes);
	if (!werr && (fflush(d.f) || ferror(d.f)))
		werr = errno ? -errno : -EIO;
	else if (!werr)
		st->trace_bytes = (uint64_t)ftello(d.f);
	if (fclose(d.f) && !werr)
		werr = errno ? -errno : -EIO;
	fclose(d.meta);
	free(d.meta_buf);
	if (!ret && werr) {
		ret = werr;
		snprintf(err, errlen, "cannot write '%s': %s", o->trace_path, strerror(-werr));
	}
	return ret;
}
