/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * flight: `gotl record --flight`, the flight recorder. The recorder's log
 * writer hands it the event log as it is written (logw's sink) instead of
 * a file: it keeps the records that describe (metadata, symbols, frames,
 * types, wait reasons: bounded by the binary) for good, the timed records
 * of the last window (--flight DUR, at most --flight-size bytes) in a
 * ring, and the state of every goroutine at the ring's oldest record
 * (fstate), advanced as records fall off. A dump writes a log that stands
 * alone — the descriptions, the window's start record, every goroutine
 * alive then in the state it was in (GOTL_REC_GSNAP, with the stack it
 * blocked in and since when), the counters as they stood, the ring's
 * records, an end — and hands it to the caller's converter, which makes
 * it OUT-N.EXT. It never writes a window's seconds twice: a dump's window
  * starts no earlier than the previous dump's end. A trigger (ftrigger)
 * that holds writes a dump at once if none was written in the last DUR;
 * otherwise the dump waits until a whole new window is there (the
 * previous dump's end + DUR, or the end of the recording), and triggers
 * that hold meanwhile are counted in it. It prints one line per dump
 * (through the converter) and its warnings; it does not convert.
 */
#ifndef GOTL_FLIGHT_H
#define GOTL_FLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ftrigger.h"

struct flight;

/* What a dump was, for the converter's line and the trace's attributes. */
struct flight_dump {
	int n;		     /* 1, 2, ... */
	const char *why;     /* what wrote it: "SIGUSR1", "the end of the recording", ... */
	uint64_t start, end; /* the window, BOOTTIME ns */
	bool cut;	     /* shorter than DUR: --flight-size held less */
};

struct flight_opts {
	uint64_t window_ns; /* --flight DUR */
	uint64_t size;	    /* --flight-size: bytes of records the ring holds at most */
	int max_dumps;	    /* --max-dumps */
	const char *out;    /* the trace's name; dump N is OUT-N.EXT */
	const char *raw;    /* -r RAW: each window's log is kept as RAW-N, or NULL */
	const struct flight_trigger *triggers; /* --trigger, ntriggers of them */
	int ntriggers;

	/* Convert the log at log into trace; 0, or non-zero after saying why. */
	int (*convert)(void *ctx, const char *log, const char *trace, const struct flight_dump *d);
	void *ctx;
};

/* The smallest --flight-size. */
#define FLIGHT_SIZE_MIN		(1ull << 20)

int flight__new(const struct flight_opts *o, struct flight **out);
/* logw's sink: len bytes of whole records (the log header first). 0 or -errno. */
int flight__sink(void *ctx, const void *buf, size_t len);
/*
 * The window moves on to now (BOOTTIME ns): older records fall off into the
 * start state; a trigger that held writes its dump (when it may).
 */
void flight__tick(struct flight *f, uint64_t now);
/*
 * Write dump N+1 of the window up to now (BOOTTIME ns; after the log's end
 * record, its time) for why. 0, or -errno after saying why (the recording
 * goes on).
 */
int flight__dump(struct flight *f, uint64_t now, const char *why);
/*
 * A dump is converted on a thread of its own while the recording goes on
 * (the last one, after the log's end, before flight__dump returns): wait
 * until the one being converted is written.
 */
void flight__sync(struct flight *f);
/* The last dump --max-dumps allows has been written. */
bool flight__done(const struct flight *f);
/* The log's end record has come: the recording is over (its time in *ts). */
bool flight__ended(const struct flight *f, uint64_t *ts);
void flight__free(struct flight *f);

#endif /* GOTL_FLIGHT_H */
