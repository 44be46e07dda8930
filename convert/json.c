// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * json.c: the Chrome trace-event JSON sink of the replay (replay.h) —
 * `gotl convert -f json`. It tells the same story as the Perfetto sink
 * (pfsink.c) from the same replay callbacks, in the legacy JSON format
 * chrome://tracing, Perfetto's JSON importer and other viewers read.
 *
 * What each span, suspect and attribute says is describe.c's; this file
 * only encodes it. Mapping: the Go program is a process (its pid); each
 * goroutine a thread of it with a synthetic tid (JSON_TID_* below: above
 * any real Linux tid), named "G17 main.worker" by "M" events, sorted by
 * goid; each state an "X" slice with the args of the protobuf slice (its
 * stack as a string);
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
#include "describe.h"
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
/* + n: goroutines whose id is unknown (or past JSON_GOID_MAX) */
#define JSON_TID_OTHER	(1u << 30)
#define JSON_TID_LIST	0x7f000000u	/* + (PT_* << 20) + part: a long list's parts after the first */
#define JSON_TID_PSEUDO	0x7fffff00u	/* + PT_*: tracks that are no goroutine */
#define JSON_SORT_RUNTIME	(1ll << 30)	/* + goid: the runtime's goroutines' sort index */

/* The pseudo-threads: the schema's first tracks (SCHEMA_TRACK_GC ...), tid JSON_TID_PSEUDO + id */
#define PT_MAX		SCHEMA_PSEUDO_TRACKS
_Static_assert(JSON_TID_LIST + ((uint64_t)PT_MAX << 20) <= JSON_TID_PSEUDO,
	       "the parts of the pseudo-threads' lists reach the pseudo-threads");

/* What the writer keeps for each goroutine. */
struct jg {
	uint32_t tid;	     /* 0 until its thread is named */
	uint64_t flow_in;    /* flow that ends at the current slice's start */
	bool flow_in_spawn;  /* ... and it is the spawn flow */
	uint64_t spawn_flow; /* flow from the parent's `go` statement, not written yet */
	uint64_t spawn_ts;
	uint32_t spawn_parent_tid;
	bool own_tid;	 /* its goid's tid is taken by another life (a damaged log) */
	bool introduced; /* its first slice, with who it is, is written */
};

/* A leak suspect, listed at the end. */
struct jsuspect {
	struct dsuspect d;
	char *name; /* "G18 chan send at main.go:42" */
};

/* The document: every process of the recording (record --follow) goes into one. */
struct jdoc {
	const struct convert_opts *o;
	FILE *f;
	bool first;	   /* no event written yet */
	uint64_t ts0;	   /* the main log's start record: ts 0 of every process */
	uint64_t flow_seq; /* flow ids are the document's */
	FILE *meta;	   /* the "metadata" keys so far (each process's at its end) */
	char *meta_buf;
	size_t meta_len;
	bool meta_first; /* no metadata key written yet */
};

/* One log: one process of the document. */
struct jw {
	struct jdoc *doc;
	const struct convert_opts *o;
	FILE *f;	      /* doc->f */
	int proc;	      /* 0: the main log; n: the n-th program followed */
	const uint32_t *pids; /* the pids of the processes before it */
	size_t npids;
	uint32_t pid; /* its "pid" in the document (see on_start) */
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
	struct follow *follows; /* the follow logs it names */
	int nfollows;
	struct u64map owners;	  /* goroutine tid -> the live life (struct jg) that has it */
	struct u64map os_threads; /* real OS tid -> uint64_t: where its last slice ended */
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

	fprintf(j->f, "%s%" PRIu64 ".%03u", t >= ts0 ? "" : "-", d / 1000, (unsigned)(d % 1000));
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

static void args_close(struct jw *j)
{
	fputc('}', j->f);
}

/* ---- described values ------------------------------------------------------- */

static void arg_stack(struct jw *j, bool *first, struct replay *r, const struct rp_stack *s);

/* A described string value. */
static void put_str(struct jw *j, struct replay *r, const struct darg *a)
{
	char buf[1024];
	const char *v;

	switch (a->src) {
	case DESCRIBE_REASON:
		v = describe__reason_arg(r, a->state, a->reason, buf, sizeof(buf));
		break;
	case DESCRIBE_FRAME:
		v = describe__frame_site(a->frame, buf, sizeof(buf));
		break;
	case DESCRIBE_FUNC:
		v = a->sym->func;
		break;
	case DESCRIBE_SYM_SITE:
		v = describe__sym_site(a->sym, buf, sizeof(buf));
		break;
	default:
		v = a->text;
		break;
	}
	jsonstr__put(j->f, v);
}

/* n described args into an open "args" object. */
static void put_args(struct jw *j, struct replay *r, bool *first, const struct darg *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		arg_key(j, first, schema_arg[d[i].name]);
		if (d[i].kind == DESCRIBE_UINT)
			fprintf(j->f, "%" PRIu64, d[i].u);
		else if (d[i].kind == DESCRIBE_BOOL)
			fputs("true", j->f);
		else
			put_str(j, r, &d[i]);
	}
}

/* describe__span_args's put: one arg into the open "args" object. */
struct json_put {
	struct jw *j;
	struct replay *r;
	bool *first;
};

static void json_put(void *enc, const struct darg *d)
{
	struct json_put *p = enc;

	put_args(p->j, p->r, p->first, d, 1);
}

/* An "args" object of n described args (and, when there is one, a stack). */
static void args(struct jw *j, struct replay *r, const struct darg *d, size_t n,
		 const struct rp_stack *stack)
{
	bool a;

	args_open(j, &a);
	put_args(j, r, &a, d, n);
	arg_stack(j, &a, r, stack);
	args_close(j);
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
 * The thread of item i of a list of n instants at one time (the suspects,
 * the types): a longer list than the importer nests on one thread is in
 * parts of SCHEMA_LIST_MAX items (schema.h), each a thread named when its
 * first item is written, "Leak suspects (647) 1-500" and "... 501-647".
 */
static uint32_t list_tid(struct jw *j, enum schema_track p, long n, long i)
{
	long part = i / SCHEMA_LIST_MAX;
	char name[96];
	uint32_t tid;
	int len;

	if (n <= SCHEMA_LIST_MAX)
		return pseudo_tid(j, p, n);
	tid = part ? JSON_TID_LIST + ((uint32_t)p << 20) + (uint32_t)part : JSON_TID_PSEUDO + p;
	if (i % SCHEMA_LIST_MAX == 0) {
		len = snprintf(name, sizeof(name), SCHEMA_COUNTED_FMT " ", schema_track[p], n);
		snprintf(name + len, sizeof(name) - (size_t)len, SCHEMA_LIST_PART_FMT, i + 1,
			 i + SCHEMA_LIST_MAX < n ? i + SCHEMA_LIST_MAX : n);
		thread_meta(j, tid, name, (int64_t)p - PT_MAX);
	}
	return tid;
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

/*
 * g's thread's sort index: its goid; the runtime's own goroutines
 * (describe__system_goroutine) after every one of the program, as the
 * protobuf trace groups them at the end.
 */
static int64_t sort_of(struct replay *r, const struct rp_g *g)
{
	int64_t goid = g->goid >= JSON_SORT_RUNTIME ? JSON_SORT_RUNTIME - 1 : (int64_t)g->goid;

	return describe__system_goroutine(r, g) ? JSON_SORT_RUNTIME + goid : goid;
}

/* g's thread: its tid and its name (describe__goroutine_name), as the protobuf track's. */
static uint32_t thread_of(struct jw *j, struct replay *r, struct rp_g *g)
{
	struct jg *t = jg_of(g);
	char name[512];

	if (t->tid)
		return t->tid;
	if (claim(j, r, g))
		t->tid = JSON_TID_GOID + (uint32_t)g->goid;
	else
		t->tid = JSON_TID_OTHER +
			 (uint32_t)(j->other_seq++ % (JSON_TID_LIST - JSON_TID_OTHER));
	thread_meta(j, t->tid, describe__goroutine_name(r, g, name, sizeof(name)), sort_of(r, g));
	return t->tid;
}

/* ---- the sink ------------------------------------------------------------------- */

static int on_start(void *ctx, struct replay *r)
{
	const struct gotl_rec_start *s = replay__start(r);
	struct jw *j = ctx;
	const char *name = replay__meta(r, "comm") ? replay__meta(r, "comm") : SCHEMA_PROCESS_NAME;
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

/*
 * A spawn or wake-up marker (describe__spawn, describe__wake): a
 * 0-duration X on the source thread, and the flow's start inside it. Its
 * args only when it has some; a goid of 0 (unknown) is not written.
 */
static void marker(struct jw *j, struct replay *r, uint32_t tid, uint64_t ts, const char *name,
		   const struct darg *d, size_t n, const struct rp_stack *stack, uint64_t id)
{
	if (n && d[0].name == SCHEMA_ARG_GOID && !d[0].u)
		d++, n--;
	ev_begin(j, "X", tid, true, ts, name, schema_cat[SCHEMA_CAT_GOROUTINE]);
	fputs(",\"dur\":0", j->f);
	if (n || stack)
		args(j, r, d, n, stack);
	ev_end(j);
	if (!id)
		return;
	ev_begin(j, "s", tid, true, ts, name, schema_cat[SCHEMA_CAT_GOROUTINE]);
	fprintf(j->f, ",\"id\":%" PRIu64, id);
	ev_end(j);
}

/* A leak suspect (describe.h): an instant on its thread, and a row for the list. */
static void suspect(struct jw *j, struct replay *r, struct rp_g *g, uint64_t end)
{
	struct darg d[DESCRIBE_SUSPECT_ARGS];
	struct jsuspect *s;
	struct dsuspect x;
	char name[512];

	describe__suspect(r, g, &x);
	ev_begin(j, "i", jg_of(g)->tid, true, end, schema_name[SCHEMA_NAME_LEAK_SUSPECT],
		 schema_cat[SCHEMA_CAT_GOROUTINE]);
	fputs(",\"s\":\"t\"", j->f);
	args(j, r, d, describe__suspect_args(&x, end, d), NULL);
	ev_end(j);
	if (j->nsuspects == j->cap_suspects) {
		size_t ncap = j->cap_suspects ? j->cap_suspects * 2 : 16;
		struct jsuspect *ns = realloc(j->suspects, ncap * sizeof(*ns));

		if (!ns) {
			replay__fail(r, -ENOMEM, "out of memory");
			return;
		}
		j->suspects = ns;
		j->cap_suspects = ncap;
	}
	s = &j->suspects[j->nsuspects++];
	s->d = x;
	s->name = strdup(describe__suspect_name(r, &x, name, sizeof(name)));
	if (!s->name)
		replay__fail(r, -ENOMEM, "out of memory");
}

/*
 * The OS thread side of a Running or Syscall span (describe__thread), as in
 * the protobuf trace, on the real thread: its own tid, below JSON_TID_GOID.
 */
static void os_thread_slice(struct jw *j, struct replay *r, struct rp_g *g, uint64_t end)
{
	uint64_t *last = u64map__get(&j->os_threads, g->tid);
	struct dthread d;
	char name[300];

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
	if (!describe__thread(g, end, last, &d))
		return;
	ev_begin(j, "X", g->tid, true, d.begin, describe__thread_name(r, g, name, sizeof(name)),
		 schema_cat[SCHEMA_CAT_GOROUTINE]);
	fputs(",\"dur\":", j->f);
	jdur(j, d.end - d.begin);
	args(j, r, d.a, d.n, NULL);
	ev_end(j);
}

/* g's current state is over: its span (describe__span), and what comes with it. */
static void on_state_end(void *ctx, struct replay *r, struct rp_g *g, uint64_t end, enum rp_end how)
{
	struct jw *j = ctx;
	struct jg *t = jg_of(g);
	struct dspan s;
	char buf[64];
	uint32_t tid;
	bool a;

	if (!t || !describe__span(r, g, end, how, !t->introduced, t->flow_in || t->spawn_flow, &s))
		return;
	tid = thread_of(j, r, g);
	if (t->spawn_flow) {
		/* The parent's `go` statement; its flow only if it still ends here. */
		struct darg d[1];

		marker(j, r, t->spawn_parent_tid, t->spawn_ts, schema_name[SCHEMA_NAME_GO_CREATE],
		       d, describe__spawn(g, d), g->create_stack,
		       t->flow_in_spawn && t->flow_in == t->spawn_flow ? t->spawn_flow : 0);
		t->spawn_flow = 0;
	}
	ev_begin(j, "X", tid, true, s.begin,
		 describe__state_name(r, s.state, s.reason, buf, sizeof(buf)),
		 schema_cat[SCHEMA_CAT_GOROUTINE]);
	fputs(",\"dur\":", j->f);
	jdur(j, s.end - s.begin);
	args_open(j, &a);
	describe__span_args(r, g, &s, json_put, &(struct json_put){ j, r, &a });
	arg_stack(j, &a, r, s.stack);
	args_close(j);
	ev_end(j);
	t->introduced = true;

	if (t->flow_in) {
		/* Bound to the enclosing slice: the one just written, which starts here. */
		ev_begin(j, "f", tid, true, s.begin,
			 schema_name[t->flow_in_spawn ? SCHEMA_NAME_GO_CREATE :
							SCHEMA_NAME_GO_UNBLOCK],
			 schema_cat[SCHEMA_CAT_GOROUTINE]);
		fprintf(j->f, ",\"bp\":\"e\",\"id\":%" PRIu64, t->flow_in);
		ev_end(j);
	}
	t->flow_in = 0;
	t->flow_in_spawn = false;
	if (s.thread)
		os_thread_slice(j, r, g, end);
	if (s.suspect)
		suspect(j, r, g, end);
}

static void on_wake(void *ctx, struct replay *r, struct rp_g *w, struct rp_g *g, uint64_t ts)
{
	struct jw *j = ctx;
	struct jg *t = jg_of(g);
	struct darg d[1];

	if (!t || !jg_of(w))
		return;
	t->flow_in = ++j->doc->flow_seq;
	t->flow_in_spawn = false;
	marker(j, r, thread_of(j, r, w), ts, schema_name[SCHEMA_NAME_GO_UNBLOCK], d,
	       describe__wake(g, d), NULL, t->flow_in);
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

/* An allocation (or a sample, describe__alloc): an instant on its goroutine's thread. */
static void on_alloc(void *ctx, struct replay *r, struct rp_g *g, const struct gotl_ev_alloc *e,
		     const struct rp_stack *stack)
{
	struct jw *j = ctx;
	struct dalloc d;
	uint32_t tid;

	describe__alloc(r, g, e, stack, &d);
	if (g && jg_of(g))
		tid = thread_of(j, r, g);
	else
		tid = pseudo_tid(j, SCHEMA_TRACK_NOG_ALLOCS, 0);
	ev_begin(j, "i", tid, true, e->hdr.ts, d.name, schema_cat[SCHEMA_CAT_ALLOC]);
	fputs(",\"s\":\"t\"", j->f);
	args(j, r, d.a, d.n, stack);
	ev_end(j);
}

static void on_alloc_total(void *ctx, struct replay *r, uint64_t ts,
			   const struct gotl_rec_alloc_total *t)
{
	struct jw *j = ctx;

	if (j->have_total && t->bytes < j->total_bytes)
		return; /* an older total, late */
	counter(j, ts, schema_counter[SCHEMA_COUNTER_HEAP].group,
		schema_counter[SCHEMA_COUNTER_HEAP].key, (int64_t)t->bytes);
	if (j->have_total && ts > j->total_ts) {
		double rate = (double)(t->bytes - j->total_bytes) * 1e9 /
			      (double)(ts - j->total_ts);

		/* Both come from the log: a rate past int64 is clamped (converting it is UB). */
		counter(j, j->total_ts, schema_counter[SCHEMA_COUNTER_RATE].group,
			schema_counter[SCHEMA_COUNTER_RATE].key,
			rate < 0x1p63 ? (int64_t)rate : INT64_MAX);
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

	if (atab__update(j->types, describe__class_id(&cl->key),
			 describe__class_name(r, &cl->key, name, sizeof(name)), ts, cl->count,
			 cl->bytes))
		replay__fail(r, -ENOMEM, "out of memory");
}

/* At the end: every type an instant (largest first), the largest few counters of their bytes. */
static void types_events(struct jw *j, struct replay *r, uint64_t end)
{
	const struct atab_name **v;
	struct darg d[2];
	long n, i;
	size_t k;

	n = atab__sorted(j->types, false, &v);
	if (n <= 0) {
		if (n == 0)
			free(v);
		return;
	}
	for (i = 0; i < n; i++) {
		ev_begin(j, "i", list_tid(j, SCHEMA_TRACK_TYPES, n, i), true, end, v[i]->name,
			 schema_cat[SCHEMA_CAT_ALLOC]);
		fputs(",\"s\":\"t\"", j->f);
		args(j, r, d, describe__type(v[i]->count, v[i]->bytes, d), NULL);
		ev_end(j);
	}
	for (i = 0; i < n && i < SCHEMA_TOP_TYPES; i++)
		for (k = 0; k < v[i]->nseries; k++)
			counter(j, v[i]->series[k].ts, v[i]->name, SCHEMA_TYPE_KEY,
				(int64_t)v[i]->series[k].bytes);
	free(v);
}

/* ---- garbage collector -------------------------------------------------------------- */

/* An X from start to end, up to its dur; the caller adds its args and ev_end(). */
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
	struct dgc d;
	size_t k;

	describe__gc(g, &d);
	for (k = 0; k < d.nphases; k++) {
		slice(j, tid, d.phase[k].begin, d.phase[k].end, schema_name[d.phase[k].name],
		      schema_cat[SCHEMA_CAT_GC]);
		ev_end(j);
	}
	slice(j, tid, d.begin, d.end, d.name, schema_cat[SCHEMA_CAT_GC]);
	args(j, r, d.a, d.n, NULL);
	ev_end(j);
}

static void on_stw(void *ctx, struct replay *r, const struct rp_stw *s)
{
	struct jw *j = ctx;
	struct darg d[2];
	size_t n = describe__stw(s, d);

	slice(j, pseudo_tid(j, SCHEMA_TRACK_STW, 0), s->start, s->end, s->reason,
	      schema_cat[SCHEMA_CAT_GC]);
	if (n)
		args(j, r, d, n, NULL);
	ev_end(j);
}

/* ---- the trace attributes: the top-level "metadata" ------------------------------- */

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

/* One described attribute. */
static void md_attr(struct jw *j, const struct dattr *a)
{
	FILE *f = j->doc->meta;
	size_t i;

	if (a->kind == DATTR_UINT) {
		md_u(j, a->key, a->u);
	} else if (a->kind == DATTR_STR) {
		md_s(j, a->key, a->s);
	} else {
		md_key(j, a->key);
		fputc('"', f);
		for (i = 0; a->argv[i]; i++) {
			if (i)
				jsonstr__put_inner(f, " ");
			jsonstr__put_inner(f, a->argv[i]);
		}
		fputc('"', f);
	}
}

/*
 * The trace attributes of the protobuf trace (describe__attrs_start and
 * _end), as keys of the top-level "metadata", kept until the document
 * ends. The JSON's own keys, what ts 0 and the tids are, are the
 * document's: the main log's only, gotl.ts0_* after gotl.pid (and before
 * the start time, which follows them), gotl.tids after it.
 */
static void metadata(struct jw *j, struct replay *r)
{
	const struct gotl_rec_start *s = replay__start(r);
	const struct dattr *when = NULL;
	struct dattrs d;
	size_t i;

	describe__attrs_start(r, &d);
	for (i = 0; i < d.n; i++) {
		if (d.a[i].id == SCHEMA_ATTR_START_TIME) {
			when = &d.a[i];
			continue;
		}
		md_attr(j, &d.a[i]);
		if (d.a[i].id != SCHEMA_ATTR_PID)
			continue;
		if (!j->proc) {
			md_u(j, schema_attr[SCHEMA_ATTR_TS0_BOOTTIME], j->doc->ts0);
			if (s->monotonic_ns)
				md_u(j, schema_attr[SCHEMA_ATTR_TS0_MONOTONIC], s->monotonic_ns);
			if (s->realtime_ns)
				md_u(j, schema_attr[SCHEMA_ATTR_TS0_REALTIME], s->realtime_ns);
		}
		if (when)
			md_attr(j, when);
		if (!j->proc)
			md_s(j, schema_attr[SCHEMA_ATTR_TIDS],
			     "goroutine G: tid 4194304+G "
			     "(G < 1069547520); unknown goroutine ids: 1073741824+n; other "
			     "tracks: 2147483392+n; a list's parts after the first: "
			     "2130706432+1048576*n+part");
	}
	describe__attrs_end(r, j->have_total ? &j->total : NULL, j->nsuspects, &d);
	for (i = 0; i < d.n; i++)
		md_attr(j, &d.a[i]);
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
			jsonstr__put(d->f, "each process its pid; a pid that k earlier "
					   "processes had (an exec keeps it): pid+4194304*k");
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
		for (i = 0; i < j->nsuspects; i++) {
			const struct jsuspect *s = &j->suspects[i];
			struct darg d[DESCRIBE_SUSPECT_ARGS];
			uint32_t tid = list_tid(j, SCHEMA_TRACK_SUSPECTS, (long)j->nsuspects,
						(long)i);

			ev_begin(j, "i", tid, true, end, s->name, schema_cat[SCHEMA_CAT_GOROUTINE]);
			fputs(",\"s\":\"t\"", j->f);
			args(j, r, d, describe__suspect_args(&s->d, end, d), NULL);
			ev_end(j);
		}
	}
	types_events(j, r, end);
	if (j->have_total)
		/* Nothing is allocated after the last total. */
		counter(j, j->total_ts, schema_counter[SCHEMA_COUNTER_RATE].group,
			schema_counter[SCHEMA_COUNTER_RATE].key, 0);
	metadata(j, r);
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
		.ctx = &j,
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
	for (i = 0; i < j.nsuspects; i++)
		free(j.suspects[i].name);
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
