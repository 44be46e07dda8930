/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * replay: the goroutine story a gotl event log tells, in time order.
 *
 * It reads the log (logr), keeps its metadata, symbols and wait reasons,
 * puts events through a short reorder window, and runs the goroutine state
 * machine: every life of every g (keyed by g pointer while alive, since g
 * structs are recycled and on Go <= 1.23 a new goroutine's id is only known
 * at its first run), its current state and since when, its stacks, the
 * goroutine counters. What happens is told to a sink, once, in time order:
 * the Perfetto sink (pfsink.c), the trace-event JSON sink (json.c) and
 * the report's front end (report_log.c) are sinks.
 *
 * It must not trust the log: an event that does not follow from the state it
 * knows is applied anyway and flagged (RP_G_GAP); unknown goroutines start
 * where first seen. Pure: never prints. Memory: live goroutines plus the
 * reorder window, whatever the length of the log.
 */
#ifndef GOTL_REPLAY_H
#define GOTL_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gotl/event.h"

struct replay;

/* What a PC in a GOTL_REC_SYM record is (start functions, `go` statements). */
struct rp_sym {
	uint64_t pc;
	char *func; /* "" if unknown */
	char *file;
	uint32_t line;
	uint32_t flags; /* GOTL_SYM_* */
};

/* One source frame of a stack pc. */
struct rp_frame {
	const char *func;
	const char *file;
	uint32_t line;
	uint8_t cls; /* RP_F_*: what replay__user_frame asks of func, found once */
};

enum {
	RP_F_STDLIB = 1,    /* Go's standard library (runtime included) */
	RP_F_RUNTIME = 2,   /* "runtime." */
	RP_F_MACHINERY = 4, /* the runtime's parking and allocating functions */
};

/* The frames of a stack pc (a return address), innermost (inlined) first. */
struct rp_frames {
	uint64_t pc;
	int n; /* 0: the pc is in no known function */
	struct rp_frame *f;
};

/* A stack as recorded (struct gotl_ev_stack), pcs innermost first. */
struct rp_stack {
	uint8_t kind; /* GOTL_STACK_BLOCK, GOTL_STACK_CREATE or GOTL_STACK_ALLOC */
	uint8_t n;
	uint8_t truncated;
	uint64_t pcs[GOTL_STACK_MAX];
};

/* Goroutine flags. */
#define RP_G_GAP	1	/* the current state's end was not observed (events lost) */
#define RP_G_APPEARED	2	/* first seen after its creation */
#define RP_G_CGO	4	/* a cgo callback's goroutine on an extra M */
#define RP_G_SNAPSHOT	8	/* it existed when gotl attached (its first state began earlier) */
#define RP_G_UNTOLD	16	/* internal: a snapshot life the sink has not been told of yet */
/*
 * Set when the recording ends (before the sink is told its last span): the
 * recording attached to a running process, and g, blocked at the end,
 * existed at the attach in a group that did not grow: long-lived, not a
 * leak suspect (verdict.h says which group and when it grew).
 */
#define RP_G_LONG_LIVED	32
/* internal: a snapshot life whose first state the verdict has not counted yet */
#define RP_G_UNCOUNTED	64

/* One life of a goroutine. */
struct rp_g {
	uint64_t gp;
	uint64_t goid;	      /* 0 until known */
	uint64_t parent_goid; /* 0: created by the runtime, or unknown */
	uint64_t startpc;     /* 0 if it appeared without a creation */
	uint64_t gopc;
	uint64_t created;      /* when it was created (or first seen, or the recording began) */
	uint64_t waited_since; /* RP_G_SNAPSHOT: blocked since at least then (before the
				 * start), or 0 */
	uint64_t snap_read;    /* RP_G_SNAPSHOT: by when gotl had read it */
	uint64_t since;	       /* start of the current state */
	uint64_t woken_by;     /* goid that made the current state runnable, 0 if none */
	uint64_t stack_size;   /* bytes of its stack when last seen, 0 if unknown */
	uint32_t tid;	       /* the OS thread of the current Running state */
	uint8_t state;	       /* GOTL_G_* */
	uint8_t reason;	       /* waitReason of a Waiting state */
	uint8_t prev;	       /* the state before the current one */
	uint8_t probe;	       /* the probe that reported the current state */
	uint8_t flags;	       /* RP_G_* */
	bool first;	       /* the current state is the first of this life */
	uint64_t alloc_bytes;  /* heap bytes allocated in this life (so far) */
	uint64_t alloc_count;
	uint64_t state_alloc_bytes; /* of which during the current state */
	uint64_t state_alloc_count;
	struct rp_stack *block_stack;  /* where the current Waiting state began, or NULL */
	struct rp_stack *create_stack; /* the creating goroutine's stack at the `go`, or NULL */
	void *sink;		       /* the sink's own data for this goroutine */
};

/* How a state ended (struct rp_sink.state_end). */
enum rp_end {
	RP_END_NEXT,	  /* another state follows */
	RP_END_EXIT,	  /* the goroutine exited */
	RP_END_LOST,	  /* its life ended unseen (its g was reused: events were lost) */
	RP_END_RECORDING, /* it was still in this state when the recording ended */
};

/* Goroutine counters. */
enum rp_counter {
	RP_C_ALIVE,
	RP_C_RUNNING,
	RP_C_RUNNABLE,
	RP_C_BLOCKED,
	RP_C_SYSCALL,
	RP_C_LOST,
	RP_C_MAX
};

/* A runtime type descriptor named in the log (GOTL_REC_TYPE). */
struct rp_type {
	uint64_t addr;
	char *name; /* "" if unknown (flags GOTL_TYPE_UNKNOWN) */
	uint64_t size;
	uint8_t kind;
	uint32_t flags;
};

/* A garbage collection cycle. */
struct rp_gc {
	uint64_t n;	  /* 1, 2, ... in the order they began in the recording */
	uint8_t trigger;  /* GOTL_GC_TRIGGER_*, or RP_GC_TRIGGER_UNKNOWN */
	uint64_t by_goid; /* the goroutine that started it, 0 if none or unknown */
	uint64_t start, end;
	uint64_t sweepterm_start, sweepterm_end; /* its first stop-the-world, 0 if unseen */
	uint64_t markterm_start; /* its mark termination's stop-the-world, 0 if unseen */
	uint64_t stw_ns;	 /* stop-the-world time inside the cycle */
	bool open;		 /* it was still running when the recording ended */
	bool began_unseen;	 /* it began before the recording (start is the recording's) */
};
#define RP_GC_TRIGGER_UNKNOWN	255

/* A stop-the-world pause. */
struct rp_stw {
	uint64_t start, end;
	const char *reason; /* the runtime's reason ("GC mark termination", ...) */
	uint64_t gc;	    /* the GC cycle it is part of, 0 if none */
	bool open;	    /* still stopped when the recording ended */
};

/*
 * The sink: called in time order. Every callback is optional. A goroutine
 * passed to one is valid until its gone() call returns.
 */
struct rp_sink {
	void *ctx;
	/* After the log's start record: metadata and the start clocks are known. */
	int (*start)(void *ctx, struct replay *r);
	/* A new life: g was created by parent (NULL: by the runtime, or unknown) or appeared. */
	void (*born)(void *ctx, struct replay *r, struct rp_g *g, struct rp_g *parent);
	/* g's current state [g->since, end) is over. */
	void (*state_end)(void *ctx, struct replay *r, struct rp_g *g, uint64_t end,
			  enum rp_end how);
	/* waker made g runnable (or ran it, for a coroutine switch); g's new state is set. */
	void (*wake)(void *ctx, struct replay *r, struct rp_g *waker, struct rp_g *g, uint64_t ts);
	/* g's life is over; free what the sink keeps for it. */
	void (*gone)(void *ctx, struct replay *r, struct rp_g *g);
	/*
	 * g's allocation totals moved (g->alloc_bytes, ->state_alloc_bytes ...),
	 * just before the state they belong to ends.
	 */
	void (*galloc)(void *ctx, struct replay *r, struct rp_g *g, uint64_t ts);
	/* An allocation (--alloc=all) or a sample (sampled) by g (NULL: no goroutine). */
	void (*alloc)(void *ctx, struct replay *r, struct rp_g *g, const struct gotl_ev_alloc *a,
		      const struct rp_stack *stack);
	/* Allocation totals so far. */
	void (*alloc_total)(void *ctx, struct replay *r, uint64_t ts,
			    const struct gotl_rec_alloc_total *t);
	/* An allocation class's totals so far. */
	void (*alloc_class)(void *ctx, struct replay *r, uint64_t ts,
			    const struct gotl_rec_alloc_class *c);
	/* A GC cycle ended (or was still open at the end: c->open). */
	void (*gc)(void *ctx, struct replay *r, const struct rp_gc *c);
	/* A stop-the-world pause ended (or was still open at the end). */
	void (*stw)(void *ctx, struct replay *r, const struct rp_stw *s);
	/* The counters changed (or start); counts[RP_C_*]. */
	void (*counters)(void *ctx, struct replay *r, uint64_t ts, const int64_t *counts);
	/* The end: every live goroutine has had state_end(RP_END_RECORDING) and gone(). */
	void (*finish)(void *ctx, struct replay *r, uint64_t end);
};

struct replay_stats {
	uint64_t events;		  /* goroutine event records read */
	uint64_t goroutines;		  /* goroutine lives seen */
	uint64_t max_alive;		  /* peak number of live goroutines */
	uint64_t max_alive_ts;		  /* when the peak was first reached */
	uint64_t lost;			  /* events the probes lost (ring buffer full) */
	__u64 lost_kind[GOTL_LOSS_KINDS]; /* the same by record type - GOTL_REC_STATUS */
	uint64_t unobserved;		  /* transitions that did not follow from the state known */
	uint64_t late;			  /* events that arrived too late for the reorder window */
	uint64_t gc_cycles;		  /* GC cycles seen (begun) */
	uint64_t stw_pauses;
	uint64_t start, end; /* first and last time of the recording */
	uint32_t pid;
	bool truncated; /* the log ended inside a record (recorder killed) */
	bool ended;	/* the log has its end record */
	bool attached;	/* gotl attached to a running process (record -p) */
};

/*
 * Replay the log at path into sink. Returns 0, or -errno with a one-line
 * reason in err (no "gotl:" prefix), including a sink's start() error.
 */
int replay__run(const char *path, struct rp_sink *sink, struct replay_stats *st, char *err,
		size_t errlen);

/* ---- what a sink may ask during the replay ---- */

const struct replay_stats *replay__stats(const struct replay *r);
/* A GOTL_REC_SYM entry, or NULL. */
const struct rp_sym *replay__sym(const struct replay *r, uint64_t pc);
/* The frames of a stack pc, or NULL if the log did not describe it. */
const struct rp_frames *replay__frames(const struct replay *r, uint64_t pc);
/* A type named in the log, or NULL. */
const struct rp_type *replay__type(const struct replay *r, uint64_t addr);
/* The stop-the-world reason string for a stwReason value, or NULL. */
const char *replay__stw_reason(const struct replay *r, unsigned reason);
/* The wait-reason string for a waitReason value, or NULL. */
const char *replay__reason(const struct replay *r, unsigned reason);
/* A metadata value ("go_version", "binary", "comm", ...), or NULL; "arg" -> replay__argv. */
const char *replay__meta(const struct replay *r, const char *key);
/* Waiting, Preempted or Leaked: a state the goroutine is blocked in. */
static inline bool replay__blocked(uint8_t state)
{
	return state == GOTL_G_WAITING || state == GOTL_G_PREEMPTED || state == GOTL_G_LEAKED;
}

/*
 * The n-th (0, 1, ...) follow log named in the log (META follow_log), or
 * NULL: its name as the log has it, *len bytes (a NUL inside is the log's).
 * The recorder writes a file name beside the log; anything else is the
 * log's word only (see convert.c).
 */
const char *replay__follow_log(const struct replay *r, int n, size_t *len);
char *const *replay__argv(const struct replay *r);  /* NULL-terminated */
const char *replay__probes(const struct replay *r); /* "a; b; c" or NULL */
const struct gotl_rec_start *replay__start(const struct replay *r);
const struct gotl_rec_end *replay__end(const struct replay *r); /* NULL if the log has none */
/* The exec that ended the Go program (its goroutines end there), or NULL. */
const struct gotl_ev_exec *replay__exec(const struct replay *r);
/* Report an error from a sink (the first one wins; the replay stops). */
void replay__fail(struct replay *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Where a stack "is", for people: the innermost frame in code the user
 * wrote (package main, or an import path whose first element has a dot);
 * failing that, the innermost outside package runtime; failing that (the
 * runtime's own goroutines), the innermost past the parking or allocating
 * machinery (gopark, newobject, growslice, ...). NULL if the stack has no
 * known frame.
 */
const struct rp_frame *replay__user_frame(const struct replay *r, const struct rp_stack *s);

/*
 * Is func (as pclntab names it) in Go's standard library? The first element
 * of its import path has no dot ("runtime", "net/http"); "main" is the user's.
 */
bool replay__stdlib_func(const char *func);


#endif /* GOTL_REPLAY_H */
