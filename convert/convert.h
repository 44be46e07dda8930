/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * convert: turn a gotl event log into a Perfetto trace — one track per
 * goroutine with back-to-back state slices (Running, Runnable, Syscall, or
 * the runtime's wait reason), flows for spawns and wake-ups, and counters of
 * goroutines by state — or into the same timeline as Chrome trace-event JSON.
 *
 * Pure: reads the log, writes the trace, never prints; errors come back as
 * -errno plus a one-line reason. Needs neither root nor the traced binary.
 * Memory is bounded by the live goroutines and a short reorder window, not
 * by the length of the log.
 */
#ifndef GOTL_CONVERT_H
#define GOTL_CONVERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gotl/event.h"

/* What convert__run writes. */
enum convert_format {
	CONVERT_PERFETTO, /* Perfetto protobuf (pfsink.c) */
	CONVERT_JSON,	  /* Chrome trace-event JSON (json.c) */
};

struct convert_opts {
	const char *log_path;
	const char *trace_path;
	bool goroutine_alloc_counters; /* a counter track of heap bytes per goroutine */
	enum convert_format format;
	int compress; /* zlib level 1-9 for TracePacket.compressed_packets; 0: none */
};

struct convert_stats {
	uint64_t events;     /* goroutine event records read */
	uint64_t goroutines; /* goroutines seen (lives, not goids: a recycled g counts again) */
	uint64_t max_alive;  /* peak number of live goroutines */
	uint64_t lost;	     /* events the probes lost (ring buffer full) */
	__u64 lost_kind[GOTL_LOSS_KINDS]; /* by record type - GOTL_REC_STATUS */
	uint64_t unobserved;	  /* transitions that did not follow from the previous state */
	uint64_t late;		  /* events that arrived too late for the reorder window */
	uint64_t trace_bytes;	  /* written (compressed, with compress) */
	uint64_t trace_raw_bytes; /* the packets before compression */
	uint64_t alloc_count;	  /* heap allocations (0 when not recorded) */
	uint64_t alloc_bytes;
	uint32_t alloc_mode; /* GOTL_ALLOC_* of the recording */
	uint64_t gc_cycles;
	uint64_t stw_pauses;
	uint64_t leak_suspects; /* goroutines still blocked at the end on a channel, lock, ...
				 * (record -p: those created while recording, or in a group
				 * that grew; not the long-lived ones) */
	uint32_t pid;
	bool truncated; /* the log ended inside a record (recorder killed) */
	bool ended;	/* the log has its end record */
	bool attached;	/* the recording attached to a running process (record -p) */
	/* record --follow: the programs followed are processes of the same trace */
	uint32_t processes;	 /* processes in the trace (1 + programs followed) */
	uint32_t follow_missing; /* follow logs that could not be read */
	char follow_err[256];	 /* why the first of them could not */
};

/*
 * Convert o->log_path into o->trace_path. Returns 0, or -errno with a
 * one-line reason in err (no "gotl:" prefix, no newline).
 */
int convert__run(const struct convert_opts *o, struct convert_stats *st, char *err, size_t errlen);

#endif /* GOTL_CONVERT_H */
