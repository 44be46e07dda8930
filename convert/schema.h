/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * schema: the names gotl's outputs use, one list each - the args of spans
 * and instants, the names of events, categories, tracks and counters, the
 * trace attributes (the JSON output's "metadata" keys) and which of the
 * log's metadata they show. The Perfetto sink and the trace-event JSON
 * sink write them from here and report's reader of traces reads them back
 * by the same names: a name is spelt nowhere else. Only convert/ includes
 * this; it holds names, not rules (describe.h says when each is written).
 *
 * Each list is an X-macro: X(ID, "name") gives the enum SCHEMA_<KIND>_ID
 * and the string in schema_<kind>[]. Within a kind, the order is the order
 * the Perfetto sink interns them at the start of a trace (the interned ids
 * follow it): add at the end.
 */
#ifndef GOTL_SCHEMA_H
#define GOTL_SCHEMA_H

#include <inttypes.h>
#include "replay.h"

/* Args (Perfetto debug annotations, JSON "args"). */
#define SCHEMA_ARGS(X)							\
	X(GOID, "goid")							\
	X(THREAD, "thread")						\
	X(WAIT_REASON, "wait_reason")					\
	X(START_FUNCTION, "start_function")				\
	X(CREATED_AT, "created_at")					\
	X(PARENT_GOID, "parent_goid")					\
	X(WOKEN_BY, "woken_by")						\
	X(OPEN_AT_END, "open_at_end")					\
	X(STILL_BLOCKED, "still_blocked_at_end")			\
	X(UNOBSERVED, "unobserved_transitions")				\
	X(CGO_CALLBACK, "cgo_callback")					\
	X(EXISTED_AT_ATTACH, "existed_at_attach")			\
	X(BLOCKED_BEFORE, "blocked_before_recording_ns")		\
	X(BLOCKED_AT, "blocked_at")					\
	X(BLOCKED_FOR, "blocked_for_ns")				\
	X(SITE, "site")							\
	X(ALLOC_BYTES, "alloc_bytes")					\
	X(ALLOC_COUNT, "alloc_count")					\
	X(SIZE, "size")							\
	X(BYTES, "bytes")						\
	X(COUNT, "count")						\
	X(TRIGGER, "trigger")						\
	X(STARTED_BY, "started_by_goid")				\
	X(STW_NS, "stw_ns")						\
	X(GC_CYCLE, "gc_cycle")						\
	X(BEGAN_BEFORE, "began_before_recording")			\
	X(LONG_LIVED, "long_lived")

/* The JSON output's one arg of its own: a stack as text (the protobuf trace has callstacks). */
#define SCHEMA_ARG_STACK	"stack"

/* Event names. */
#define SCHEMA_NAMES(X)							\
	X(RUNNING, "Running")						\
	X(RUNNABLE, "Runnable")						\
	X(SYSCALL, "Syscall")						\
	X(PREEMPTED, "preempted")					\
	X(LEAKED, "leaked")						\
	X(GO_CREATE, "GoCreate")					\
	X(GO_UNBLOCK, "GoUnblock")					\
	X(LEAK_SUSPECT, "leak suspect")					\
	X(SWEEP_TERM, "sweep termination (STW)")			\
	X(MARK, "mark")							\
	X(MARK_TERM, "mark termination (STW)")

/* Event categories. */
#define SCHEMA_CATS(X)							\
	X(GOROUTINE, "goroutine")					\
	X(ALLOC, "alloc")						\
	X(GC, "gc")

/*
 * Tracks that are no goroutine (the JSON output's pseudo-threads, in this
 * order), the group of every goroutine track, and the one of the runtime's
 * own goroutines in it.
 */
#define SCHEMA_TRACKS(X)						\
	X(GC, "GC")							\
	X(STW, "Stop the world")					\
	X(NOG_ALLOCS, "Allocations on no goroutine")			\
	X(SUSPECTS, "Leak suspects")					\
	X(TYPES, "Allocated types")					\
	X(GOROUTINES, "Goroutines")					\
	X(TYPES_GROUP, "Heap allocated by type")			\
	X(RUNTIME, "Runtime goroutines")

/* The first pseudo-thread tracks; SCHEMA_TRACK_GOROUTINES and after are not. */
#define SCHEMA_PSEUDO_TRACKS	SCHEMA_TRACK_GOROUTINES

/*
 * A counted track's name: "Leak suspects (3)", "Allocated types (12)". How
 * many: a long (see the snprintf calls' casts).
 */
#define SCHEMA_COUNTED_FMT	"%s (%ld)"

/*
 * A list of instants at one time (the suspects, the types) stacks one a row
 * in the UI: Perfetto's importer nests 512 slices on a track and drops the
 * others. A longer list is written in parts of SCHEMA_LIST_MAX items, named
 * by their range ("1-500", "501-647"): child tracks of the list's track in
 * the protobuf trace, threads of their own in the JSON one.
 */
#define SCHEMA_LIST_MAX		500
#define SCHEMA_LIST_PART_FMT	"%ld-%ld"

/*
 * Counters, each a group and a key: the JSON output writes a "C" event of
 * the group with the key, which Perfetto's importer shows as the track
 * "group key", the name the protobuf trace gives its counter track. The
 * goroutine counters are indexed by enum rp_counter.
 */
#define SCHEMA_COUNTERS(X)						\
	X(ALIVE, "Goroutines", "alive")					\
	X(RUNNING, "Goroutines", "running")				\
	X(RUNNABLE, "Goroutines", "runnable")				\
	X(BLOCKED, "Goroutines", "blocked")				\
	X(SYSCALL, "Goroutines", "in syscall")				\
	X(LOST, "gotl events", "lost")					\
	X(HEAP, "Heap", "allocated")					\
	X(RATE, "Allocation", "rate")

/* A goroutine's heap counter: group "G<goid> heap", key SCHEMA_GALLOC_KEY. */
#define SCHEMA_GALLOC_FMT	"G%" PRIu64 " heap"
#define SCHEMA_GALLOC_KEY	"allocated"
/* A type's counter in the JSON output: group the type's name, key SCHEMA_TYPE_KEY. */
#define SCHEMA_TYPE_KEY		"bytes"

/* The process's name when the log has no "comm". */
#define SCHEMA_PROCESS_NAME	"go program"

/* Types that get a counter track of their own (by bytes allocated). */
#define SCHEMA_TOP_TYPES	10

/*
 * What a goroutine track's description says of a goroutine first seen
 * after its creation (report's reader of traces looks for it).
 */
#define SCHEMA_APPEARED		"first seen after its creation"

/*
 * Trace attributes (Perfetto trace attributes, the JSON output's
 * "metadata"). A program record --follow followed has its own, prefixed
 * SCHEMA_PROC_FMT.
 */
#define SCHEMA_ATTRS(X)							\
	X(VERSION, "gotl.version")					\
	X(RECORDER_VERSION, "gotl.recorder_version")			\
	X(GO_VERSION, "go.version")					\
	X(GO_BINARY, "go.binary")					\
	X(GO_BUILD_ID, "go.build_id")					\
	X(GNU_BUILD_ID, "go.gnu_build_id")				\
	X(OFFSETS, "gotl.offsets")					\
	X(HOST, "host.name")						\
	X(KERNEL, "host.kernel")					\
	X(OPTIONS, "gotl.options")					\
	X(COMMAND, "gotl.command")					\
	X(PROBES, "gotl.probes")					\
	X(START_TIME, "gotl.start_time")				\
	X(PID, "gotl.pid")						\
	X(TS0_BOOTTIME, "gotl.ts0_boottime_ns")				\
	X(TS0_MONOTONIC, "gotl.ts0_monotonic_ns")			\
	X(TS0_REALTIME, "gotl.ts0_realtime_ns")				\
	X(TIDS, "gotl.tids")						\
	X(ALLOC_MODE, "gotl.alloc_mode")				\
	X(ALLOC_SAMPLE_BYTES, "gotl.alloc_sample_bytes")		\
	X(ALLOC_COUNT, "gotl.alloc_count")				\
	X(ALLOC_BYTES, "gotl.alloc_bytes")				\
	X(ALLOC_UNCLASSIFIED, "gotl.alloc_unclassified")		\
	X(GC_CYCLES, "gotl.gc_cycles")					\
	X(LEAK_SUSPECTS, "gotl.leak_suspects")				\
	X(EVENTS, "gotl.events")					\
	X(EVENTS_LOST, "gotl.events_lost")				\
	X(GOROUTINES, "gotl.goroutines")				\
	X(UNOBSERVED, "gotl.unobserved_transitions")			\
	X(LOG, "gotl.log")						\
	X(MODE, "gotl.mode")						\
	X(END, "gotl.end")						\
	X(EXEC, "go.exec")						\
	X(EXEC_TS, "go.exec_ts")					\
	X(EXIT_STATUS, "go.exit_status")				\
	X(KILLED_BY_SIGNAL, "go.killed_by_signal")			\
	X(PROCESSES, "gotl.processes")					\
	X(PIDS, "gotl.pids")						\
	X(FLIGHT_DUMP, "gotl.flight.dump")				\
	X(FLIGHT_TRIGGER, "gotl.flight.trigger")			\
	X(FLIGHT_TIME, "gotl.flight.time")				\
	X(FLIGHT_WINDOW, "gotl.flight.window")

/* The events lost of one kind: SCHEMA_ATTR_EVENTS_LOST "." the kind's name. */
#define SCHEMA_LOST_KIND_FMT	"%s.%s"
/* The attributes of the n-th program followed (1, 2, ...): this before the name. */
#define SCHEMA_PROC_FMT		"proc.%d."

/*
 * The log's metadata a trace shows as trace attributes, in this order: the
 * META key (gotl/event.h) and the attribute.
 */
#define SCHEMA_META_ATTRS(X)						\
	X("gotl_version", RECORDER_VERSION)				\
	X("go_version", GO_VERSION)					\
	X("binary", GO_BINARY)						\
	X("go_build_id", GO_BUILD_ID)					\
	X("gnu_build_id", GNU_BUILD_ID)					\
	X("offsets", OFFSETS)						\
	X("hostname", HOST)						\
	X("kernel", KERNEL)						\
	X("options", OPTIONS)						\
	X("flight_dump", FLIGHT_DUMP)					\
	X("flight_trigger", FLIGHT_TRIGGER)				\
	X("flight_time", FLIGHT_TIME)					\
	X("flight_window", FLIGHT_WINDOW)

#define SCHEMA_ENUM_ARG(id, name)	SCHEMA_ARG_##id,
#define SCHEMA_ENUM_NAME(id, name)	SCHEMA_NAME_##id,
#define SCHEMA_ENUM_CAT(id, name)	SCHEMA_CAT_##id,
#define SCHEMA_ENUM_TRACK(id, name)	SCHEMA_TRACK_##id,
#define SCHEMA_ENUM_COUNTER(id, g, k)	SCHEMA_COUNTER_##id,
#define SCHEMA_ENUM_ATTR(id, name)	SCHEMA_ATTR_##id,

enum schema_arg { SCHEMA_ARGS(SCHEMA_ENUM_ARG) SCHEMA_ARG_MAX };
enum schema_name { SCHEMA_NAMES(SCHEMA_ENUM_NAME) SCHEMA_NAME_MAX };
enum schema_cat { SCHEMA_CATS(SCHEMA_ENUM_CAT) SCHEMA_CAT_MAX };
enum schema_track { SCHEMA_TRACKS(SCHEMA_ENUM_TRACK) SCHEMA_TRACK_MAX };
enum schema_counter { SCHEMA_COUNTERS(SCHEMA_ENUM_COUNTER) SCHEMA_COUNTER_MAX };
enum schema_attr { SCHEMA_ATTRS(SCHEMA_ENUM_ATTR) SCHEMA_ATTR_MAX };

/* The goroutine counters are the first, in the order of enum rp_counter. */
_Static_assert((int)SCHEMA_COUNTER_ALIVE == RP_C_ALIVE &&
		       (int)SCHEMA_COUNTER_RUNNING == RP_C_RUNNING &&
		       (int)SCHEMA_COUNTER_RUNNABLE == RP_C_RUNNABLE &&
		       (int)SCHEMA_COUNTER_BLOCKED == RP_C_BLOCKED &&
		       (int)SCHEMA_COUNTER_SYSCALL == RP_C_SYSCALL &&
		       (int)SCHEMA_COUNTER_LOST == RP_C_LOST,
	       "SCHEMA_COUNTERS starts with enum rp_counter, in its order");

extern const char *const schema_arg[SCHEMA_ARG_MAX];
extern const char *const schema_name[SCHEMA_NAME_MAX];
extern const char *const schema_cat[SCHEMA_CAT_MAX];
extern const char *const schema_track[SCHEMA_TRACK_MAX];
extern const char *const schema_attr[SCHEMA_ATTR_MAX];

/* A counter: its group and key (JSON), and "group key" (the protobuf trace's track name). */
struct schema_counter_names {
	const char *group, *key, *track;
};
extern const struct schema_counter_names schema_counter[SCHEMA_COUNTER_MAX];

/* The log's metadata shown as trace attributes (SCHEMA_META_ATTRS). */
struct schema_meta_attr {
	const char *meta; /* the META key */
	enum schema_attr attr;
};
#define SCHEMA_ONE(a, b)	+1
enum { SCHEMA_META_ATTR_MAX = 0 SCHEMA_META_ATTRS(SCHEMA_ONE) };
extern const struct schema_meta_attr schema_meta_attr[SCHEMA_META_ATTR_MAX];

#endif /* GOTL_SCHEMA_H */
