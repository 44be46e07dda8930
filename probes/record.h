/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * record: run a Go program under gotl's uprobes and stream its goroutine
 * events into an event log. This is the engine of `gotl record`: it owns
 * the user-facing diagnostics of recording (it prints them to stderr, once,
 * with the "gotl: " prefix) but not argument parsing or conversion, which
 * live in cli/ and convert/.
 */
#ifndef GOTL_RECORD_H
#define GOTL_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "gotl/event.h"

struct flight_opts;

struct record_opts {
	char *const *argv;    /* the program and its arguments, argv[0] as typed; NULL with pid */
	pid_t pid;	      /* attach to this running process instead (record -p), 0 if none */
	uint64_t duration_ns; /* stop after this long (0: when the program ends or on a signal) */
	bool as_root;	      /* under sudo, run the program as root, not as the invoking user */
	bool progress;	      /* a live one-line status on stderr (a terminal) */
	const char *log_path; /* the event log to write */
	size_t ring_size;     /* ring buffer bytes (power of two, >= 4096) */
	int stack_depth;      /* frames per stack at parks and creations, 0 = no stacks */
	int alloc_mode;	      /* GOTL_ALLOC_*: allocations off, sampled, or all */
	uint64_t alloc_sample_bytes; /* --alloc=sampled: mean bytes between samples */
	int verbose;		     /* 0 quiet, 1 -v, 2 -vv (libbpf debug too) */
	bool follow;	     /* also record the Go programs the program (or its children) exec */
	bool no_hostname;    /* keep the host name out of the log (and the trace) */
	const char *options; /* the recording options, as text for the log, or NULL */
	const struct flight_opts *flight; /* --flight: no log file, dumps of the window
						 * (flight.h); NULL: none */
};

struct record_result {
	pid_t pid;
	int status;	 /* wait(2) status of the program */
	uint64_t events; /* records the probes emitted */
	uint64_t lost;	 /* records lost because the ring buffer was full */
	uint64_t hits;	 /* uprobe traps */
	uint64_t log_bytes;
	uint64_t alloc_count; /* heap allocations seen (--alloc) */
	uint64_t alloc_bytes;
	double seconds;	     /* wall time from exec (or attach) to the end */
	bool exited;	     /* the program ended (status valid if launched) */
	size_t snapshot;     /* goroutines that existed at attach time */
	char exec_file[256]; /* the program exec'd this (its recording ended there), or "" */
	char **follow_logs;  /* --follow: the logs of the programs followed, next to the main */
	size_t nfollow;
};

/* Free what record__run allocated in res. */
void record__result_free(struct record_result *res);

/* Exit codes of record__run other than 0. */
#define RECORD_FAILED	1	/* gotl could not record (BPF, attach, I/O) */
#define RECORD_BADINPUT	2	/* the program is not something gotl can trace */

/*
 * Record the program until it exits. Returns 0 when the program ran (its
 * wait status is in res->status, the log is complete), or RECORD_FAILED /
 * RECORD_BADINPUT after printing why. The program's stdin, stdout, stderr,
 * environment and exit status are its own; gotl never writes to stdout.
 * Signals sent to gotl (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2)
 * are forwarded to the program; those typed at the terminal reach it as
 * they would without gotl.
 *
 * If the recording fails while the program runs, the log ends there
 * (GOTL_END_FAILED) and the program is still waited for: the return is
 * then its exit code (128+N for signal N) if not 0, else RECORD_FAILED.
 *
 * Attach mode (o->pid): until the process exits, the duration is over, or
 * gotl gets SIGINT, SIGTERM or SIGHUP; the process then runs on without
 * probes. From then on until gotl exits (the conversion after this call
 * included: the handler stays), SIGINT or SIGTERM ends gotl at once: one
 * line naming the raw log, which is kept, and exit status 128+N. SIGQUIT,
 * SIGUSR1 and SIGUSR2 keep their default actions.
 *
 * With o->flight (record --flight) the log goes to the flight recorder,
 * not to o->log_path: SIGUSR1 (in both modes, not forwarded) and the end
 * write its dumps (flight.h); after the last --max-dumps allows, attached,
 * the recording ends, launched, the probes go and the program is waited
 * for.
 */
int record__run(const struct record_opts *o, struct record_result *res);

#endif /* GOTL_RECORD_H */
