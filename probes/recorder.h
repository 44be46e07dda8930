/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * recorder.h: the state of one recording, shared by the files of the
 * recorder, and what they call in one another. record.h is the interface;
 * this is not: record.c runs a recording (set-up, the wait loop, the end),
 * describe.c writes what the log's records name before they name it,
 * tables.c the BPF counters and allocation tables, follow.c the programs
 * --follow records, flightrec.c the flight recorder (record --flight);
 * probeset.c, spawn.c and signals.c know nothing of it.
 */
#ifndef GOTL_RECORDER_H
#define GOTL_RECORDER_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include "gotl/event.h"

struct record_opts;
struct plan;
struct gobin;
struct probeset;
struct ring_buffer;
struct logw;
struct flight;

/* Addresses already described in the log (open addressing, 0 is never one). */
struct pcset {
	uint64_t *slots;
	size_t cap, len;
};

/* Allocation classes already written, with the count last written (open addressing). */
struct class_slot {
	struct gotl_alloc_key key;
	uint64_t count;
	bool used;
};

struct classtab {
	struct class_slot *slots;
	size_t cap, len;
};

struct recorder {
	const struct record_opts *o;
	pid_t pid;	      /* the process this recorder records (0 until known) */
	const char *log_path; /* o->log_path, or a follow log */
	bool followed;	      /* --follow: a program a traced process exec'd */
	bool stopped;	      /* followed: SIGSTOPped at its exec, to be continued */
	bool ended;	      /* followed: its log is complete */
	int pidfd;	      /* followed: readable when the process exits */
	pthread_t reaper;     /* followed: takes its probes out once it ended */
	bool reaping;
	/* --follow, in the main recorder: one recorder per program followed */
	struct recorder **subs;
	int nsubs;
	struct gotl_ev_exec *pending; /* execs to follow, seen in the last drain */
	int npending;
	struct plan *plan;
	struct gobin *gb; /* plan->gb */
	const char *path; /* plan->path: the file the probes are on */
	struct probeset *ps;
	struct ring_buffer *rb;
	int ncpus; /* possible CPUs: the per-CPU maps have as many values */
	struct logw *log;
	struct flight *flight;	/* record --flight: the log goes there (flightrec.c) */
	struct pcset syms;	/* pcs already described by GOTL_REC_SYM */
	struct pcset frame_pcs; /* pcs already described by GOTL_REC_FRAMES */
	struct pcset types;	/* type addresses already described by GOTL_REC_TYPE */
	struct classtab classes;
	struct gotl_rec_alloc_total last_total;
	bool total_moved; /* the last total written differed from the one before */
	uint64_t lost_seen;
	uint64_t events;
	uint64_t bad_records;
	/* attach mode, and followed programs */
	char attach_path[64]; /* /proc/PID/exe */
	char exe[PATH_MAX];   /* what it points at, for people */
	/* exec: the program ends there (the process runs on as another one) */
	int execs_to_skip; /* launch mode: the exec that starts the program */
	bool execed;
	char exec_file[GOTL_EXEC_PATH_MAX];
	/* the live status line */
	uint64_t gs_created, gs_exited, gs_snapshot;
	uint64_t progress_ts, progress_events;
	bool progress_shown;
};

static inline uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A per-probe counter summed over the probes. */
static inline uint64_t probe_sum(const __u64 v[GOTL_PROBE_MAX])
{
	uint64_t s = 0;
	int k;

	for (k = 0; k < GOTL_PROBE_MAX; k++)
		s += v[k];
	return s;
}

/* record.c: one recorder's life (0, or RECORD_* after saying why). */
int recorder__prepare(struct recorder *r);
int recorder__attach(struct recorder *r, pid_t pid);
int recorder__write_start(struct recorder *r, pid_t pid, uint32_t flags);
size_t recorder__write_snapshot(struct recorder *r, pid_t pid, uint64_t ts);
void recorder__drain(struct recorder *r);
uint64_t recorder__end_log(struct recorder *r, struct gotl_rec_stats *st);
void recorder__free(struct recorder *r);

/* describe.c: what a record names, described in the log before it (0 or -errno). */
int recorder__write_prologue(struct recorder *r);
int recorder__describe_sym(struct recorder *r, uint64_t pc, uint32_t kind);
int recorder__describe_frames(struct recorder *r, uint64_t pc);
void recorder__describe_class(struct recorder *r, const struct gotl_alloc_key *k);

/* tables.c: the BPF counters, written when they moved (or when force). */
int recorder__log_stats(struct recorder *r, bool force, struct gotl_rec_stats *out);
int recorder__log_alloc_total(struct recorder *r, bool force);
int recorder__log_alloc_classes(struct recorder *r);
void recorder__log_galloc_rest(struct recorder *r, uint64_t ts);

/*
 * flightrec.c: record --flight. open: the log into the flight recorder;
 * tick: each turn of the wait loop (true: the last dump allowed is written,
 * the recording stops); end: after the log's end, its last dump.
 */
int recorder__flight_open(struct recorder *r);
bool recorder__flight_tick(struct recorder *r);
void recorder__flight_end(struct recorder *r, int status, bool exited, bool failed);

/* follow.c: --follow, in the main recorder m. */
void follow__queue(struct recorder *m, const struct gotl_ev_exec *x);
void follow__start_pending(struct recorder *m);
bool follow__gone(int pidfd);
void follow__end(struct recorder *s, uint32_t flags, uint32_t status, const struct gotl_ev_exec *x);
void follow__end_all(struct recorder *m, bool main_exited, int main_status);

#endif /* GOTL_RECORDER_H */
