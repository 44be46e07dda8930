/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * pftrace: a streaming writer of Perfetto protobuf traces, for the subset in
 * proto/perfetto_trace.proto. Each call appends whole TracePackets to the
 * file (tag 0x0A, varint length, packet), through a 1 MiB buffer (and, when
 * compressing, a 256 KiB chunk), so memory stays O(buffers + intern tables)
 * whatever the trace size.
 *
 * Everything goes on one packet sequence but the descriptors of OS thread
 * tracks, which go on one of their own. The first packet clears its
 * incremental state; names, categories, annotation names and annotation
 * string values, stack frames (functions, source files) and callstacks are
 * interned (pftrace__*_iid return ids; new entries ride on the next packet
 * written). Timestamps are deltas from the packet before (a sequence clock
 * equal to BOOTTIME), but for a time earlier than the packet before's: that
 * one is absolute. The rules of Perfetto's importer (its
 * trace_processor) that depend on meaning are the caller's to respect:
 * declare a track before its first event, write the END of a slice before
 * a BEGIN at the same time on the same track, write a flow's source before
 * its target.
 *
 * Errors are sticky: a failed write is kept and returned by later calls and
 * by pftrace__close. Pure: never prints.
 */
#ifndef GOTL_PFTRACE_H
#define GOTL_PFTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pftrace;

enum pf_arg_type {
	PF_ARG_INT,  /* i */
	PF_ARG_UINT, /* u */
	PF_ARG_BOOL, /* b */
	PF_ARG_STR,  /* iid of an interned string value (pftrace__str_iid) */
};

/* The most debug annotations an event carries: more are not written. */
#define PFTRACE_MAX_ARGS	16

/* One debug annotation: shown as args.debug.<name> in the Perfetto UI. */
struct pf_arg {
	uint64_t name_iid; /* pftrace__arg_iid */
	enum pf_arg_type type;
	union {
		int64_t i;
		uint64_t u;
		bool b;
		uint64_t str_iid;
	};
};

/* A track descriptor. Unset (0/NULL) fields are not written. */
struct pf_track {
	uint64_t uuid;
	uint64_t parent; /* 0 = none */
	const char *name;
	const char *description;
	int32_t pid; /* non-zero: a process track */
	const char *process_name;
	const char *const *cmdline; /* NULL-terminated, process tracks only */
	bool counter;		    /* a counter track */
	int32_t counter_unit;	    /* 1 ns, 2 count, 3 bytes */
	const char *counter_unit_name;
	int32_t child_ordering; /* 1 lexicographic, 2 chronological, 3 explicit */
	bool has_rank;
	int32_t rank;  /* sibling_order_rank */
	bool no_merge; /* sibling_merge_behavior = NONE */
	int64_t tid;   /* non-zero: a thread track (thread_pid's thread tid) */
	int32_t thread_pid;
	const char *thread_name;
};

/* Create path; nothing is written until the first packet. Returns 0 or -errno. */
int pftrace__open(const char *path, struct pftrace **out);
/* Flush, close, free. Returns the first error of the whole write, or 0. NULL-safe. */
int pftrace__close(struct pftrace *pf);
/*
 * Compress the packets that follow (zlib level 1-9; 0 = off, the default):
 * framed packets are gathered into chunks of at most 256 KiB, each written
 * as one TracePacket.compressed_packets (field 50), which Perfetto's
 * importer unpacks in place. Only before the first packet. 0 or -errno.
 */
int pftrace__compress(struct pftrace *pf, int level);
/* Write out everything buffered (compressing a partial chunk). Returns the sticky error. */
int pftrace__flush(struct pftrace *pf);
/* Bytes written to the file so far (after compression), and framed packets before it. */
uint64_t pftrace__bytes(const struct pftrace *pf);
uint64_t pftrace__raw_bytes(const struct pftrace *pf);

/* Interned ids (> 0) for event names, categories, arg names and string arg values. */
uint64_t pftrace__name_iid(struct pftrace *pf, const char *s);
uint64_t pftrace__cat_iid(struct pftrace *pf, const char *s);
uint64_t pftrace__arg_iid(struct pftrace *pf, const char *s);
uint64_t pftrace__str_iid(struct pftrace *pf, const char *s);
/*
 * An interned stack frame: func (e.g. "main.worker") at file:line (file
 * NULL or "" if not known: no source location); runtime marks the Go
 * runtime's own frames (Frame kind KIND_RUNTIME). 0 only on error.
 */
uint64_t pftrace__frame_iid(struct pftrace *pf, const char *func, const char *file, uint32_t line,
			    bool runtime);
/* An interned callstack of frame iids, in the order given; 0 if n is 0. */
uint64_t pftrace__callstack_iid(struct pftrace *pf, const uint64_t *frames, size_t n);

/*
 * The first packets of a trace: a clock snapshot making BOOTTIME the trace
 * clock (with MONOTONIC and REALTIME read at the same moment, so the UI can
 * show wall-clock time), one declaring the delta clock, then the packet that
 * starts the sequence (with the delta clock as its default).
 */
int pftrace__start(struct pftrace *pf, uint64_t boottime, uint64_t monotonic, uint64_t realtime);

/* Trace metadata (Perfetto "Trace Attributes"): a string or an integer value. */
int pftrace__attr_str(struct pftrace *pf, const char *key, const char *value);
int pftrace__attr_int(struct pftrace *pf, const char *key, int64_t value);
/* Put prefix (e.g. "proc.1234.") before the keys of the attributes that follow; "" for none. */
void pftrace__attr_prefix(struct pftrace *pf, const char *prefix);

int pftrace__track(struct pftrace *pf, const struct pf_track *t);

/*
 * A complete slice [begin, end) on a track: a BEGIN and an END packet.
 * flow_in, if non-zero, is a flow id this slice terminates; callstack_iid,
 * if non-zero, the stack shown with it.
 */
int pftrace__slice(struct pftrace *pf, uint64_t track, uint64_t begin, uint64_t end,
		   uint64_t name_iid, uint64_t cat_iid, const struct pf_arg *args, size_t nargs,
		   uint64_t flow_in, uint64_t callstack_iid);

/* An instant (0-duration slice); flow_out, if non-zero, starts a flow there. */
int pftrace__instant(struct pftrace *pf, uint64_t track, uint64_t ts, uint64_t name_iid,
		     uint64_t cat_iid, const struct pf_arg *args, size_t nargs, uint64_t flow_out,
		     uint64_t callstack_iid);

/*
 * An instant with a callstack that stands for weight (e.g. bytes allocated):
 * the UI's area-selection flamegraph sums the weights (callstack_weight).
 */
int pftrace__sample(struct pftrace *pf, uint64_t track, uint64_t ts, uint64_t name_iid,
		    uint64_t cat_iid, const struct pf_arg *args, size_t nargs,
		    uint64_t callstack_iid, double weight);

/*
 * A counter value on a counter track. At the time of the END of the slice
 * written last (nothing in between) it rides on that END packet
 * (extra_counter_values); otherwise it is a COUNTER packet of its own.
 */
int pftrace__counter(struct pftrace *pf, uint64_t track, uint64_t ts, int64_t value);

#endif /* GOTL_PFTRACE_H */
