/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * describe: what gotl's outputs say about a recording, once, above the
 * encoders that write it. A goroutine's state span, a leak suspect, the
 * slice of an OS thread, the markers of a spawn and a wake-up, a GC cycle,
 * a stop-the-world pause, an allocation, an allocated type and the trace
 * attributes are described here - the name, which args (schema.h) and
 * when each is there - and the Perfetto sink (pfsink.c) and the
 * trace-event JSON sink (json.c) only encode the description. With it go
 * the presentation helpers every output shares: "func file:line" sites,
 * the names of states, wait reasons and GC triggers, command lines,
 * allocation classes, wall-clock times.
 *
 * A description points into the replay (frames, symbols, reasons: valid
 * until replay__run returns) or into itself; a string arg says where it
 * comes from (enum describe_src), so that an encoder may intern it once
 * per source. Pure: never prints, never allocates.
 */
#ifndef GOTL_DESCRIBE_H
#define GOTL_DESCRIBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gotl/event.h"
#include "replay.h"
#include "schema.h"

/* ---- presentation helpers ---- */

/* A goroutine's name: "G17 main.worker", "G5 (cgo callback)", "G?" (its id unknown). */
const char *describe__goroutine_name(struct replay *r, const struct rp_g *g, char *buf, size_t len);

/* The name of a state: "Running", "Runnable", "Syscall", or what it is blocked in. */
const char *describe__state_name(struct replay *r, uint8_t state, uint8_t reason, char *buf,
				 size_t len);
/* The wait_reason of a blocked state: "preempted", "leaked", or the wait reason. */
const char *describe__reason_arg(struct replay *r, uint8_t state, uint8_t reason, char *buf,
				 size_t len);
/* The runtime's name of a wait reason, or "waiting (reason N)" written into buf. */
const char *describe__reason_str(const struct replay *r, uint8_t reason, char *buf, size_t len);
/* "func file:line" of a frame, of a symbol. Return buf. */
const char *describe__frame_site(const struct rp_frame *f, char *buf, size_t len);
const char *describe__sym_site(const struct rp_sym *s, char *buf, size_t len);
/* replay__user_frame of a stack as "func file:line", or "(no stack)". Returns buf. */
const char *describe__site(const struct replay *r, const struct rp_stack *s, char *buf, size_t len);
/*
 * Would a goroutine still blocked with this wait reason at the end of the
 * recording be a leak suspect? Yes for channels, select, sync primitives and
 * conds; no for IO, sleeps, timers and the runtime's own waits, unless
 * all_waits. The reason is the runtime's string ("chan send", ...).
 */
bool describe__leak_reason(const char *reason, bool all_waits);
/* Is the goroutine one of the runtime's own (its start function is in package runtime)? */
bool describe__runtime_goroutine(const struct replay *r, const struct rp_g *g);
/* The same of a start function's name. */
bool describe__runtime_func(const char *start);
/*
 * One of the runtime's own, and none that runs the program's code (its main
 * goroutine, runtime.main; a coroutine, runtime.corostart): what Go's
 * execution tracer calls a system goroutine, which go tool trace hides by
 * default.
 */
bool describe__system_goroutine(const struct replay *r, const struct rp_g *g);
/* The command line recorded (argv joined by spaces, cut to len); "" if none. */
void describe__command(const struct replay *r, char *buf, size_t len);
/* What people read for a GC trigger (GOTL_GC_TRIGGER_*) and an --alloc mode (GOTL_ALLOC_*). */
const char *describe__trigger(uint8_t trigger);
const char *describe__alloc_mode(uint32_t mode);
/*
 * A name for an allocation class, for people: the type ("main.Point"),
 * "[]T" for several of T at once (a slice's backing array), "untyped
 * (main.f)" for raw memory (strings, []byte) with the function that asked
 * for it - the first frame outside the runtime - and "type 0x..." for a
 * type the binary does not describe. Returns buf.
 */
const char *describe__class_name(const struct replay *r, const struct gotl_alloc_key *k, char *buf,
				 size_t len);
/* A 64-bit identity for an allocation class key (a hash of all of it). */
uint64_t describe__class_id(const struct gotl_alloc_key *k);
/* "2026-11-23T06:00:12.345Z": a CLOCK_REALTIME time in UTC, for people. */
void describe__wall_time(uint64_t realtime_ns, char *buf, size_t len);

/* ---- descriptions ---- */

/* The kind of an arg's value. */
enum describe_kind {
	DESCRIBE_UINT,
	DESCRIBE_BOOL, /* always true: a flag that is there or not */
	DESCRIBE_STR,
};

/* Where a string value comes from (what an encoder may cache it by). */
enum describe_src {
	DESCRIBE_TEXT,	   /* text, as it is */
	DESCRIBE_REASON,   /* a blocked state's name: describe__reason_arg(state, reason) */
	DESCRIBE_FRAME,	   /* frame's site: describe__frame_site */
	DESCRIBE_FUNC,	   /* sym's function */
	DESCRIBE_SYM_SITE, /* sym's site: describe__sym_site */
};

/* One arg: its name and value. */
struct darg {
	uint8_t name;	       /* enum schema_arg */
	uint8_t kind;	       /* enum describe_kind */
	uint8_t src;	       /* DESCRIBE_STR: enum describe_src */
	uint8_t state, reason; /* DESCRIBE_REASON */
	union {
		uint64_t u;
		const char *text;
		const struct rp_frame *frame;
		const struct rp_sym *sym;
	};
};

/* Appending to an arg list: the describers' own (describe.c uses them too). */
static inline void darg_u(struct darg *a, size_t *n, uint8_t name, uint64_t v)
{
	a[(*n)++] = (struct darg){ .name = name, .kind = DESCRIBE_UINT, .u = v };
}

static inline void darg_b(struct darg *a, size_t *n, uint8_t name)
{
	a[(*n)++] = (struct darg){ .name = name, .kind = DESCRIBE_BOOL, .u = 1 };
}

static inline struct darg *darg_s(struct darg *a, size_t *n, uint8_t name, uint8_t src)
{
	a[*n] = (struct darg){ .name = name, .kind = DESCRIBE_STR, .src = src };
	return &a[(*n)++];
}

/* ---- goroutine spans ----------------------------------------------------- */

/* The most args a span carries (describe__span_args: the 16 listed there). */
#define DESCRIBE_SPAN_ARGS	16

/* A goroutine's state span [begin, end); its args: describe__span_args. */
struct dspan {
	uint64_t begin, end;
	uint8_t state, reason;		   /* its name: describe__state_name */
	const struct rp_stack *stack;	   /* where it blocked (its callstack), or NULL */
	const struct rp_frame *blocked_at; /* the user's frame of stack, or NULL */
	bool at_end;			   /* still in it when the recording ended */
	bool introduce;			   /* who the goroutine is goes on it */
	bool thread;  /* its OS thread has a slice for it too (describe__thread) */
	bool suspect; /* it ends g's life in the recording as a leak suspect */
};

/*
 * An encoder's writer of one arg. The describers of the spans written for
 * every state of every goroutine are inline and tell it each arg in turn:
 * with the encoder's put inlined too, nothing is built in between.
 */
typedef void describe_put_fn(void *enc, const struct darg *a);

/*
 * Blocked for good on a channel, select, lock or cond, and not one of the
 * runtime's own: only a Waiting state can be one (preempted and leaked say
 * nothing of a leak). Not a long-lived goroutine of a recording attached to
 * a running process (RP_G_LONG_LIVED: the replay's verdict, verdict.h).
 */
static inline bool describe_is_suspect(struct replay *r, const struct rp_g *g)
{
	char buf[64];

	return g->state == GOTL_G_WAITING && !(g->flags & RP_G_LONG_LIVED) &&
	       describe__leak_reason(describe__reason_str(r, g->reason, buf, sizeof(buf)), false) &&
	       !describe__runtime_goroutine(r, g);
}

/*
 * g's current state as a span that ends at end, how. introduce: the first
 * span of this life in the output (who the goroutine is goes on it only);
 * flow: a flow ends at its start. false if there is nothing to write: no
 * time passed, no flow ends there and it was not open at the end. Inline:
 * it runs for every state of every goroutine.
 */
static inline bool describe__span(struct replay *r, const struct rp_g *g, uint64_t end,
				  enum rp_end how, bool introduce, bool flow, struct dspan *s)
{
	bool at_end = how == RP_END_RECORDING;

	if (end == g->since && !flow && !at_end)
		return false;
	s->begin = g->since;
	s->end = end;
	s->state = g->state;
	s->reason = g->reason;
	s->stack = g->block_stack;
	s->blocked_at = g->block_stack ? replay__user_frame(r, g->block_stack) : NULL;
	s->at_end = at_end;
	s->introduce = introduce;
	s->thread = (g->state == GOTL_G_RUNNING || g->state == GOTL_G_SYSCALL) && g->tid;
	s->suspect = at_end && describe_is_suspect(r, g);
	return true;
}

/*
 * The args of g's span s, told to put in the order they are written: at
 * most DESCRIBE_SPAN_ARGS, these 16. Returns how many.
 */
static inline __attribute__((always_inline)) size_t describe__span_args(struct replay *r,
									const struct rp_g *g,
									const struct dspan *s,
									describe_put_fn *put,
									void *enc)
{
	const struct rp_sym *start, *site;
	bool blocked = replay__blocked(g->state);
	size_t n = 0;

#define DESCRIBE_PUT(...)	(put(enc, &(const struct darg){ __VA_ARGS__ }), n++)
	/* Its goid too (its track's name says it): on every span, a tenth of a trace. */
	if (g->goid && s->introduce)
		DESCRIBE_PUT(.name = SCHEMA_ARG_GOID, .kind = DESCRIBE_UINT, .u = g->goid);
	if (g->state == GOTL_G_RUNNING)
		DESCRIBE_PUT(.name = SCHEMA_ARG_THREAD, .kind = DESCRIBE_UINT, .u = g->tid);
	if (blocked)
		DESCRIBE_PUT(.name = SCHEMA_ARG_WAIT_REASON, .kind = DESCRIBE_STR,
			     .src = DESCRIBE_REASON, .state = g->state, .reason = g->reason);
	if (s->blocked_at)
		DESCRIBE_PUT(.name = SCHEMA_ARG_BLOCKED_AT, .kind = DESCRIBE_STR,
			     .src = DESCRIBE_FRAME, .frame = s->blocked_at);
	if (g->state == GOTL_G_RUNNABLE && g->woken_by)
		DESCRIBE_PUT(.name = SCHEMA_ARG_WOKEN_BY, .kind = DESCRIBE_UINT, .u = g->woken_by);
	/*
	 * Who the goroutine is goes on its first span only (a protobuf track
	 * says it in its description too): on every span they were a third of
	 * the bytes of span packets.
	 */
	if (s->introduce) {
		start = replay__sym(r, g->startpc);
		site = replay__sym(r, g->gopc);
		if (start && *start->func)
			DESCRIBE_PUT(.name = SCHEMA_ARG_START_FUNCTION, .kind = DESCRIBE_STR,
				     .src = DESCRIBE_FUNC, .sym = start);
		if (site && *site->func)
			DESCRIBE_PUT(.name = SCHEMA_ARG_CREATED_AT, .kind = DESCRIBE_STR,
				     .src = DESCRIBE_SYM_SITE, .sym = site);
		if (g->parent_goid)
			DESCRIBE_PUT(.name = SCHEMA_ARG_PARENT_GOID, .kind = DESCRIBE_UINT,
				     .u = g->parent_goid);
	}
	if (g->flags & RP_G_CGO)
		DESCRIBE_PUT(.name = SCHEMA_ARG_CGO_CALLBACK, .kind = DESCRIBE_BOOL, .u = 1);
	if ((g->flags & RP_G_SNAPSHOT) && g->first) {
		/* In this state since before the recording: since when, if the runtime knew. */
		DESCRIBE_PUT(.name = SCHEMA_ARG_EXISTED_AT_ATTACH, .kind = DESCRIBE_BOOL, .u = 1);
		if (g->waited_since && blocked)
			DESCRIBE_PUT(.name = SCHEMA_ARG_BLOCKED_BEFORE, .kind = DESCRIBE_UINT,
				     .u = g->since - g->waited_since);
	}
	if (g->state_alloc_count) {
		DESCRIBE_PUT(.name = SCHEMA_ARG_ALLOC_BYTES, .kind = DESCRIBE_UINT,
			     .u = g->state_alloc_bytes);
		DESCRIBE_PUT(.name = SCHEMA_ARG_ALLOC_COUNT, .kind = DESCRIBE_UINT,
			     .u = g->state_alloc_count);
	}
	if (s->at_end) {
		DESCRIBE_PUT(.name = SCHEMA_ARG_OPEN_AT_END, .kind = DESCRIBE_BOOL, .u = 1);
		/* Blocked at the end: what a leak looks like, unless it is long-lived. */
		if (blocked)
			DESCRIBE_PUT(.name = g->flags & RP_G_LONG_LIVED ? SCHEMA_ARG_LONG_LIVED :
									  SCHEMA_ARG_STILL_BLOCKED,
				     .kind = DESCRIBE_BOOL, .u = 1);
	}
	if (g->flags & RP_G_GAP)
		DESCRIBE_PUT(.name = SCHEMA_ARG_UNOBSERVED, .kind = DESCRIBE_BOOL, .u = 1);
#undef DESCRIBE_PUT
	return n;
}

/* The slice of a span's OS thread: the goroutine ran (or was in a syscall) there. */
struct dthread {
	uint64_t begin, end;
	bool syscall;
	size_t n;
	struct darg a[1];
};

/*
 * The OS-thread slice of g's span (s->thread) ending at end. One thread
 * runs one goroutine at a time: a slice that would start before *last_end,
 * where the thread's previous one ended (clocks of two CPUs, lost events),
 * starts there. false: nothing is left of it; else *last_end moves to end.
 */
static inline bool describe__thread(const struct rp_g *g, uint64_t end, uint64_t *last_end,
				    struct dthread *t)
{
	uint64_t begin = g->since;

	if (begin < *last_end)
		begin = *last_end;
	if (begin >= end)
		return false;
	*last_end = end;
	t->begin = begin;
	t->end = end;
	t->syscall = g->state == GOTL_G_SYSCALL;
	t->n = 0;
	if (g->goid)
		darg_u(t->a, &t->n, SCHEMA_ARG_GOID, g->goid);
	return true;
}

/*
 * Its name (the same for every slice of g in the same state): the start
 * function (or "goroutine"), " (syscall)" after it in a syscall. Not the
 * goroutine's id: that would be a name per goroutine.
 */
const char *describe__thread_name(struct replay *r, const struct rp_g *g, char *buf, size_t len);

/*
 * A leak suspect: a goroutine still blocked at the end of the recording on
 * a channel, select, lock or cond, that is not one of the runtime's own
 * nor long-lived (describe_is_suspect).
 */
struct dsuspect {
	uint64_t goid, since;
	uint8_t reason;			   /* of its Waiting state */
	const struct rp_frame *blocked_at; /* NULL if unknown */
	const struct rp_sym *created_at;   /* NULL if unknown */
};

/* g, whose last span makes it a leak suspect (dspan.suspect), as a suspect. */
void describe__suspect(struct replay *r, const struct rp_g *g, struct dsuspect *d);
/*
 * Its args at end (its instant on the goroutine's track and its row on the
 * list of suspects): goid, wait_reason, blocked_for_ns, blocked_at and
 * created_at when known. Returns how many, at most DESCRIBE_SUSPECT_ARGS.
 */
#define DESCRIBE_SUSPECT_ARGS	5
size_t describe__suspect_args(const struct dsuspect *d, uint64_t end, struct darg *a);
/* Its name on the list: "G18 chan send at main.go:42". */
const char *describe__suspect_name(struct replay *r, const struct dsuspect *d, char *buf,
				   size_t len);

/*
 * The marker of g's creation (on its parent, at its `go` statement) and of
 * its wake-up (on the waker), each an instant where a flow starts.
 * Returns how many args (at most 1): the goid, if known, of a creation;
 * the goid of a wake-up.
 */
size_t describe__spawn(const struct rp_g *g, struct darg *a);
size_t describe__wake(const struct rp_g *g, struct darg *a);

/* A GC cycle: its phases, then itself. */
struct dgc {
	struct {
		uint8_t name; /* SCHEMA_NAME_SWEEP_TERM, _MARK, _MARK_TERM */
		uint64_t begin, end;
	} phase[3];
	size_t nphases;
	uint64_t begin, end;
	char name[64]; /* "GC 3 (heap)" */
	size_t n;
	struct darg a[6];
};
void describe__gc(const struct rp_gc *g, struct dgc *d);

/* A stop-the-world pause's args (at most 2); its name is its reason. */
size_t describe__stw(const struct rp_stw *s, struct darg *a);

/* A recorded allocation (or sample), an instant named by its class. */
struct dalloc {
	char name[512]; /* describe__class_name */
	char site[1024];
	size_t n;
	struct darg a[4];
};
/* g: its goroutine, NULL for none; stack: where it was made. */
void describe__alloc(struct replay *r, const struct rp_g *g, const struct gotl_ev_alloc *e,
		     const struct rp_stack *stack, struct dalloc *d);

/* An allocated type on the list of types: its allocations and bytes (2 args). */
size_t describe__type(uint64_t count, uint64_t bytes, struct darg *a);

/* One trace attribute: its key and value. */
struct dattr {
	uint8_t id;   /* enum schema_attr: key is schema_attr[id] (or by kind) */
	uint8_t kind; /* DATTR_* */
	const char *key;
	const char *s;	   /* DATTR_STR */
	uint64_t u;	   /* DATTR_UINT */
	char *const *argv; /* DATTR_ARGV: joined by spaces */
};
enum { DATTR_STR, DATTR_UINT, DATTR_ARGV };

struct dattrs {
	size_t n;
	struct dattr a[48];
	char buf[2048]; /* the strings formatted for them */
	size_t used;
};

/*
 * What the log says about itself at its start: gotl's version, the log's
 * metadata (schema_meta_attr), the command, the probes, the start time,
 * the pid. Into d (emptied first).
 */
void describe__attrs_start(struct replay *r, struct dattrs *d);
/*
 * And at its end: allocations (total: the last total, NULL if none), GC
 * cycles, leak suspects, events, losses by kind, goroutines, and how the
 * recording and the program ended.
 */
void describe__attrs_end(struct replay *r, const struct gotl_rec_alloc_total *total,
			 size_t suspects, struct dattrs *d);

#endif /* GOTL_DESCRIBE_H */
