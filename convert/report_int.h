/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * report_int.h: the core of `gotl report` (report.c), shared by its two
 * front ends — the replay of an event log (report_log.c) and a reader of
 * the Perfetto traces gotl writes (report_trace.c). The core knows
 * goroutine lives and the spans of their states, as plain strings and
 * times; it aggregates them and writes the report. Only convert/report*.c
 * include this.
 */
#ifndef GOTL_REPORT_INT_H
#define GOTL_REPORT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "replay.h"
#include "report.h"
#include "schema.h"

struct rep;

/* One goroutine life. Strings belong to the front end; the core copies what it keeps. */
struct rlife {
	uint64_t goid; /* 0 until known */
	uint64_t parent_goid;
	uint64_t created;    /* when it was created (or first seen) */
	const char *start;   /* start function, or "(unknown)" / "(cgo callback)" */
	const char *site;    /* creation site "func file:line", "(unknown)", or
				 * "(first seen running)" for a life not seen created */
	bool born_seen;	     /* created while recorded: lifetime and first run measurable */
	bool runtime;	     /* one of the runtime's own goroutines */
	uint64_t stack_size; /* largest stack seen in bytes, 0 if unknown */
	/* the core's own */
	uint64_t alloc_bytes, alloc_count;
	uint32_t node;
	bool noted;
};

enum rspan_kind { RS_RUNNABLE, RS_RUNNING, RS_SYSCALL, RS_BLOCKED, RS_OTHER };

/* One state of a life, [begin, end). */
struct rspan {
	enum rspan_kind kind;
	const char *reason;	/* RS_BLOCKED: the wait reason as the runtime names it */
	const char *block_site; /* RS_BLOCKED: "func file:line", or "(no stack)" */
	uint64_t begin, end;
	bool first;	      /* the first state of the life */
	enum rp_end how;      /* how it ended */
	bool long_lived;      /* RP_END_RECORDING: long-lived, no leak suspect (verdict.h) */
	uint64_t alloc_bytes; /* heap bytes the goroutine allocated in it */
	uint64_t alloc_count;
};

/* What the recording says about itself (RM_*: index into rmeta.info). */
enum {
	RM_BINARY,
	RM_BUILD_ID,
	RM_COMMAND,
	RM_GOTL_VERSION,
	RM_HOST,
	RM_KERNEL,
	RM_OPTIONS,
	RM_START_TIME,
	RM_MAX
};
/* Their names: the trace attribute (schema.h), and the report's JSON key. */
extern const enum schema_attr rmeta_attr[RM_MAX];
extern const char *const rmeta_key[RM_MAX];

/* What the report says about the recording as a whole. */

struct rmeta {
	const char *comm, *go_version, *source; /* source: "log" or "trace" */
	const char *info[RM_MAX];		/* RM_*, NULL if unknown */
	uint32_t pid;
	uint64_t start, end;
	bool has_exit;
	int exit_status; /* 128+N if killed by signal N */
	bool signaled;
	uint64_t events, lost, seen, max_alive, max_alive_ts;
	bool truncated;
	bool stacks_unknown; /* the input cannot have stack sizes (a trace) */
	bool attached;	     /* recorded attached to a running process: long-lived ones apart */
};

/* Allocation totals of the recording (GOTL_REC_ALLOC_TOTAL, or the trace's attributes). */
struct rmeta_alloc {
	uint32_t mode; /* GOTL_ALLOC_*; OFF: not recorded */
	uint64_t count, bytes, unclassified, sample_bytes;
};

struct rep *rep__new(const struct report_opts *o, FILE *out, struct report_result *res);
/* A life begins (parent: its creator's life, or NULL). Returns 0 or -ENOMEM. */
int rep__born(struct rep *p, struct rlife *l, struct rlife *parent);
/* A state of l ended. */
int rep__span(struct rep *p, struct rlife *l, const struct rspan *s);
/* The life is over: how is RP_END_EXIT, RP_END_LOST or RP_END_RECORDING. */
int rep__died(struct rep *p, struct rlife *l, enum rp_end how, uint64_t end);
/* Write the report; totals go into the result. */
void rep__output(struct rep *p, const struct rmeta *m);
void rep__free(struct rep *p);

/*
 * Allocations and the GC (report_alloc.c, reached through these). Types and
 * totals are final values; a sample is one recorded allocation (every one
 * with --alloc=all) at its site ("func file:line" or "(no stack)"); a life's
 * allocations come with its spans (struct rspan.alloc_*).
 */
void rep__alloc_totals(struct rep *p, const struct rmeta_alloc *t);
int rep__alloc_type(struct rep *p, const char *name, uint64_t count, uint64_t bytes);
int rep__alloc_sample(struct rep *p, const char *site, uint64_t bytes);
/* A GC cycle (trigger: "heap", "time", "runtime.GC", "unknown") and a pause. */
int rep__gc(struct rep *p, const char *trigger, uint64_t stw_ns, bool open);
int rep__stw(struct rep *p, const char *reason, uint64_t dur);

/* Helpers the core shares with report_alloc.c. */
const char *rep__dur(uint64_t ns); /* "1.5 ms"; a ring of static buffers */

struct rep_alloc;
struct rep_alloc *rep_alloc__new(void);
void rep_alloc__free(struct rep_alloc *a);
void rep_alloc__totals(struct rep_alloc *a, const struct rmeta_alloc *t);
int rep_alloc__type(struct rep_alloc *a, const char *name, uint64_t count, uint64_t bytes);
int rep_alloc__sample(struct rep_alloc *a, const char *site, uint64_t bytes);
int rep_alloc__life(struct rep_alloc *a, uint64_t goid, const char *start, uint64_t count,
		    uint64_t bytes);
int rep_alloc__gc(struct rep_alloc *a, const char *trigger, uint64_t stw_ns, bool open);
int rep_alloc__stw(struct rep_alloc *a, const char *reason, uint64_t dur);
void rep_alloc__text(struct rep_alloc *a, FILE *f, int top);
void rep_alloc__json(struct rep_alloc *a, FILE *f);

/*
 * The two front ends, each feeding p and writing the report: the replay of
 * an event log (report_log.c), and the goroutine tracks of a trace gotl
 * wrote (report_trace.c). 0 or -errno with a one-line reason in err.
 */
int report_log__run(const char *path, struct rep *p, char *err, size_t errlen);
int report_trace__run(const char *path, struct rep *p, char *err, size_t errlen);

#endif /* GOTL_REPORT_INT_H */
