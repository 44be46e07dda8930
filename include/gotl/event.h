/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The gotl event log: the one definition of every record that crosses a
 * boundary. The BPF programs (probes/gotl.bpf.c) write the goroutine event
 * records into a ring buffer; the recorder (probes/record.c) copies them
 * verbatim into a log file and surrounds them with the records that let the
 * log stand alone (Go version, binary, symbols, wait-reason strings, clocks,
 * loss counters); the converter (convert/) reads the log and never needs the
 * traced binary or the machine it was recorded on.
 *
 * This header must compile both under `clang -target bpf` and in user space:
 * only <linux/types.h> fixed-width types, no libc, no enums or bools in
 * records, explicit padding, sizes pinned by _Static_assert. All integers
 * are little-endian (gotl only runs on x86-64).
 *
 * File layout:
 *
 *	struct gotl_log_header                  (32 bytes)
 *	record, record, record, ...             (each starts with struct gotl_rec)
 *
 * Every record's size is a multiple of 8 and at least 16; a reader skips
 * record types it does not know, and a file cut short anywhere is readable up
 * to its last whole record. Records are written in the order the recorder
 * received them, which is nearly but not exactly timestamp order (the ring
 * buffer is filled by several CPUs): readers sort events by ts.
 *
 * A record that names a PC (struct gotl_ev_create) is always preceded in the
 * file by a GOTL_REC_SYM record describing that PC, so a truncated log still
 * has every symbol it uses.
 */
#ifndef GOTL_EVENT_H
#define GOTL_EVENT_H

#include <linux/types.h>

#define GOTL_LOG_MAGIC		"GOTL-LOG"	/* 8 bytes, no NUL */
#define GOTL_LOG_VERSION	1

struct gotl_log_header {
	char magic[8];	   /* GOTL_LOG_MAGIC */
	__u32 version;	   /* GOTL_LOG_VERSION */
	__u32 header_size; /* sizeof(struct gotl_log_header); records start here */
	__u64 flags;	   /* reserved, 0 */
	__u64 reserved;
};

/* Record types. Values are stable: never renumber, only append. */
#define GOTL_REC_META		1	/* struct gotl_rec_meta: one key = value string */
#define GOTL_REC_START		2	/* struct gotl_rec_start: pid and clock snapshot */
#define GOTL_REC_WAITREASON	3	/* struct gotl_rec_waitreason: one wait-reason string */
#define GOTL_REC_SYM		4	/* struct gotl_rec_sym: what a PC is */
#define GOTL_REC_STATS		5	/* struct gotl_rec_stats: cumulative probe counters */
#define GOTL_REC_END		6	/* struct gotl_rec_end: the recording ended */
#define GOTL_REC_FRAMES		7	/* struct gotl_rec_frames: the source frames of a PC */
#define GOTL_REC_TYPE		8	/* struct gotl_rec_type: what a type address is */
#define GOTL_REC_ALLOC_TOTAL	9	/* struct gotl_rec_alloc_total: heap allocations so far */
#define GOTL_REC_ALLOC_CLASS	10	/* struct gotl_rec_alloc_class: one allocation class */
#define GOTL_REC_LOSS		11	/* struct gotl_rec_loss: events lost so far, by kind */
#define GOTL_REC_STATUS		16	/* struct gotl_ev_status: a goroutine changed state */
#define GOTL_REC_CREATE		17	/* struct gotl_ev_create: a goroutine was created */
#define GOTL_REC_STACK		18	/* struct gotl_ev_stack: a goroutine's stack at an event */
#define GOTL_REC_ALLOC		19	/* struct gotl_ev_alloc: an allocation, or a sample */
#define GOTL_REC_GALLOC		20	/* struct gotl_ev_galloc: what a goroutine allocated */
#define GOTL_REC_GC		21	/* struct gotl_ev_gc: a GC or stop-the-world event */
#define GOTL_REC_GSNAP		22	/* struct gotl_ev_gsnap: a goroutine there at attach time */
#define GOTL_REC_EXEC		23	/* struct gotl_ev_exec: the process exec'd a program */

/* Common header of every record. */
struct gotl_rec {
	__u16 type; /* GOTL_REC_* */
	__u16 size; /* bytes of the whole record, header included; multiple of 8 */
	__u32 tid;  /* OS thread that produced an event; 0 for other records */
	__u64 ts;   /* CLOCK_BOOTTIME in ns (bpf_ktime_get_boot_ns); 0 if timeless */
};

/*
 * Goroutine states: the runtime's own _G* values (runtime/runtime2.go), the
 * same in every Go version gotl supports. The scan bit (0x1000) never appears
 * in records.
 */
#define GOTL_G_IDLE		0
#define GOTL_G_RUNNABLE		1
#define GOTL_G_RUNNING		2
#define GOTL_G_SYSCALL		3
#define GOTL_G_WAITING		4
#define GOTL_G_DEAD		6
#define GOTL_G_COPYSTACK	8
#define GOTL_G_PREEMPTED	9
#define GOTL_G_LEAKED		10	/* Go 1.26+, GOEXPERIMENT=goroutineleakprofile */
#define GOTL_G_DEADEXTRA	11	/* Go 1.26+, a dead g parked on a cgo extra M */
#define GOTL_G_MAX		12

/*
 * The probes, one X(NAME, program, function) each: NAME makes
 * GOTL_PROBE_NAME, which probe saw an event (struct gotl_ev_status.probe)
 * and its index in GOTL_REC_STATS and the BPF stats, so entries are only
 * ever appended; program is its BPF program in gotl.bpf.c, function the
 * runtime function it is placed on (MALLOC: also that function's
 * size-specialised siblings; SYSEXITP: a call of that function in a closure
 * of runtime.exitsyscall, see probes/plan.c). A probe other than casgstatus reports what
 * the runtime does without casgstatus: syscall fast paths (Go 1.26+), GC
 * preemption parks, coroutine switches (Go 1.22+), allocations, GC and
 * stop-the-world phases. When each is needed, and why: probes/plan.c.
 */
#define GOTL_PROBE_LIST(X)                                                      \
	X(CASGSTATUS, casgstatus, "runtime.casgstatus")                         \
	X(REENTERSYSCALL, reentersyscall, "runtime.reentersyscall")             \
	X(EXITSYSCALL, exitsyscall, "runtime.exitsyscall")                      \
	X(PREEMPTPARK, preemptpark, "runtime.preemptPark")                      \
	X(COROSWITCH, coroswitch, "runtime.coroswitch_m")                       \
	X(MALLOC, mallocgc, "runtime.mallocgc")                                 \
	X(GCSTART, gcstart, "runtime.gcStart")                                  \
	X(GCBEGIN, gcbegin, "runtime.gcBgMarkStartWorkers")                     \
	X(GCMARKTERM, gcmarkterm, "runtime.gcMarkTermination")                  \
	X(STWSTOP, stwstop, "runtime.stopTheWorldWithSema")                     \
	X(STWSTART, stwstart, "runtime.startTheWorldWithSema")                  \
	X(SYSEXITP, sysexitp, "runtime.acquirepNoTrace")

#define GOTL_PROBE_ID(name, program, function)	GOTL_PROBE_##name,
enum gotl_probe { GOTL_PROBE_LIST(GOTL_PROBE_ID) GOTL_PROBE_MAX };
#undef GOTL_PROBE_ID

/*
 * GOTL_REC_STATUS: goroutine gp went from `from` to `to` at hdr.ts, on OS
 * thread hdr.tid. Written by BPF, copied verbatim into the log.
 *
 * goid is the runtime's goroutine id, read from the g at the time of the
 * event. It is valid for every status record: the runtime writes the goid
 * before the goroutine can make any transition after its creation.
 *
 * other_gp/other_goid is the waker (the goroutine running on the thread that
 * made gp runnable) for a Waiting -> Runnable transition, and 0 when the
 * scheduler itself did it (netpoller, timers, GC) or for other transitions.
 */
struct gotl_ev_status {
	struct gotl_rec hdr; /* type GOTL_REC_STATUS, size 56 */
	__u64 gp;	     /* address of the runtime g (identity while alive, reused after) */
	__u64 goid;
	__u64 other_gp;	  /* waker's g, or 0 */
	__u64 other_goid; /* waker's goid, or 0 */
	__u8 from;	  /* GOTL_G_* before */
	__u8 to;	  /* GOTL_G_* after */
	__u8 reason;	  /* when to is Waiting: the runtime's waitReason (a table index) */
	__u8 probe;	  /* GOTL_PROBE_* */
	__u32 pad;
};

/*
 * GOTL_REC_CREATE: goroutine gp was created by a `go` statement run by the
 * goroutine parent_gp (Dead -> Runnable, or Dead -> Waiting for a coroutine).
 *
 * goid is 0 when the runtime writes it only after the creation transition
 * (Go <= 1.23): the child's id is then the goid of the next status record
 * for the same gp. A g is recycled after exit, so a goid must never be
 * carried from an earlier life of the same gp.
 *
 * startpc and gopc are link-time virtual addresses (the runtime's load bias
 * is removed in BPF), so they can be looked up in the binary or in the log's
 * GOTL_REC_SYM records. gopc is the return address of the call into the
 * runtime made by the `go` statement.
 */
struct gotl_ev_create {
	struct gotl_rec hdr; /* type GOTL_REC_CREATE, size 72 */
	__u64 gp;
	__u64 goid;	 /* 0 = not yet assigned, see above */
	__u64 parent_gp; /* 0 when created by the runtime itself (no user goroutine) */
	__u64 parent_goid;
	__u64 startpc; /* entry PC of the function the goroutine starts in */
	__u64 gopc;    /* PC after the `go` statement's call */
	__u8 to;       /* GOTL_G_RUNNABLE, or GOTL_G_WAITING (coroutine, Go 1.23+) */
	__u8 reason;   /* waitReason when to is Waiting */
	__u8 probe;    /* GOTL_PROBE_* */
	__u8 pad[5];
};

/*
 * GOTL_REC_STACK: the call stack that goes with the event just before it
 * (same hdr.ts, same gp), found by walking frame pointers in BPF — no extra
 * uprobe trap:
 *
 *	GOTL_STACK_BLOCK	gp parked (Running -> Waiting through runtime.park_m):
 *				its stack from g.sched, pcs[0] in runtime.gopark
 *	GOTL_STACK_CREATE	gp was created: the creating goroutine's stack at
 *				the `go` statement, pcs[0] = the statement's gopc
 *	GOTL_STACK_ALLOC	an allocation (struct gotl_ev_alloc): the stack of the
 *				thread that allocated, pcs[0] = the return address
 *				into the caller of the allocation function
 *
 * pcs are link-time return addresses, innermost first (describe pc - 1).
 * BPF always writes GOTL_STACK_MAX slots; the recorder may write only the
 * first n to the log (size = 40 + 8 * n).
 */
#define GOTL_STACK_MAX		16
#define GOTL_STACK_BLOCK	1
#define GOTL_STACK_CREATE	2
#define GOTL_STACK_ALLOC	3

struct gotl_ev_stack {
	struct gotl_rec hdr; /* type GOTL_REC_STACK, size 40 + 8 * n */
	__u64 gp;	     /* the goroutine of the event (the parked one, the created one,
				 * the allocating one; 0 for an allocation on no goroutine) */
	__u8 kind;	     /* GOTL_STACK_* */
	__u8 n;		     /* valid entries in pcs */
	__u8 truncated;	     /* 1 if the walk stopped at GOTL_STACK_MAX or the depth asked for */
	__u8 pad[5];
	__u64 gp_stack_size; /* g.stack.hi - g.stack.lo of the goroutine whose stack this is */
	__u64 pcs[GOTL_STACK_MAX];
};

/*
 * Allocations. Every heap allocation enters the runtime through
 * runtime.mallocgc, or (Go 1.26 with GOEXPERIMENT=sizespecializedmalloc, Go
 * 1.27+) through a size-specialised sibling the compiler calls directly. The
 * probes count each one once, in BPF, into an allocation class: its type, or
 * for an untyped (pointer-free raw memory: strings, []byte growth) one the
 * code that asked for it. What crosses to user space:
 *
 *	- GOTL_REC_GALLOC when a goroutine stops running, if it allocated while
 *	  it ran: so every Running span knows what it allocated (counted per OS
 *	  thread in BPF: a running goroutine owns its thread);
 *	- GOTL_REC_ALLOC for every allocation (--alloc=all) or for one in every
 *	  N bytes (--alloc=sampled), with its stack: "who allocated what";
 *	- the class and total tables, which the recorder reads from BPF maps
 *	  and writes as GOTL_REC_ALLOC_CLASS / GOTL_REC_ALLOC_TOTAL snapshots.
 *
 * "Bytes" are heap bytes, as the runtime accounts them (MemStats.TotalAlloc):
 * the allocation's size class, whole 8 KiB pages above 32 KiB, plus an
 * 8-byte malloc header for objects with pointers over 512 bytes (Go 1.22+).
 * A tiny allocation (pointer-free, under 16 bytes; several share a 16-byte
 * block) counts the bytes it asked for.
 */
#define GOTL_ALLOC_OFF		0
#define GOTL_ALLOC_SAMPLED	1
#define GOTL_ALLOC_ALL		2

#define GOTL_ALLOC_PCS		6

/*
 * An allocation class (also the key of the BPF map that counts them).
 * type is the link-time address of the runtime type descriptor the
 * allocation function was given; GOTL_ALLOC_ARRAY says the allocation held
 * several of them (size > the type's size: a slice's backing array). For an
 * untyped allocation (type 0), pcs are the return addresses of the
 * allocation function's caller and of the next frames (0-terminated): the
 * first that is not in the runtime is "who allocated". pcs are 0 for typed
 * classes.
 */
struct gotl_alloc_key {
	__u64 type;
	__u64 pcs[GOTL_ALLOC_PCS];
	__u32 flags; /* GOTL_ALLOC_* */
	__u32 pad;
};
#define GOTL_ALLOC_ARRAY	1

/*
 * GOTL_REC_ALLOC: gp asked for size bytes of class key at hdr.ts. weight is
 * the heap bytes the record stands for: this allocation's with --alloc=all;
 * with --alloc=sampled those allocated on this CPU since the previous sample
 * (this one included), so the weights of all samples add up to the bytes
 * allocated up to each CPU's last sample. The first sample on a CPU comes
 * after a random share of N bytes, like the following ones. A GOTL_REC_STACK (kind
 * GOTL_STACK_ALLOC, same ts and gp) follows when stacks are recorded.
 */
struct gotl_ev_alloc {
	struct gotl_rec hdr; /* type GOTL_REC_ALLOC, size 112 */
	__u64 gp;	     /* 0: no goroutine (the runtime on a system stack) */
	__u64 goid;
	__u64 size;   /* bytes asked for */
	__u64 weight; /* heap bytes */
	struct gotl_alloc_key key;
};

/*
 * GOTL_REC_GALLOC: goroutine gp allocated bytes in count allocations while
 * it was running, up to hdr.ts (since it last started running). Written when
 * gp stops running (just before that status record, same ts) if it
 * allocated, and by the recorder at the end for the goroutines still
 * running. Allocations the runtime makes on a thread while no goroutine runs
 * there are in no GOTL_REC_GALLOC.
 */
struct gotl_ev_galloc {
	struct gotl_rec hdr; /* type GOTL_REC_GALLOC, size 48 */
	__u64 gp;
	__u64 goid;
	__u64 bytes;
	__u64 count;
};

/*
 * GOTL_REC_ALLOC_TOTAL: every allocation so far, as of hdr.ts (the
 * recorder reads the BPF counters every few milliseconds and writes a
 * record when they moved). unclassified counts allocations that could not
 * get a class because the class table was full (they are in bytes/count,
 * not in any GOTL_REC_ALLOC_CLASS); untracked_g those whose thread could
 * not be tracked because that table was full (they are in no
 * GOTL_REC_GALLOC).
 */
struct gotl_rec_alloc_total {
	struct gotl_rec hdr; /* type GOTL_REC_ALLOC_TOTAL, size 64 */
	__u64 bytes;
	__u64 count;
	__u64 unclassified;
	__u64 untracked_g;
	__u32 mode; /* GOTL_ALLOC_* */
	__u32 pad;
	__u64 sample_bytes; /* mean bytes between samples (--alloc=sampled) */
};

/*
 * GOTL_REC_ALLOC_CLASS: class key has had count allocations of bytes in
 * all so far, as of hdr.ts. Written for the classes that changed since the
 * previous snapshot (every 100 ms, and at the end). A GOTL_REC_TYPE for
 * key.type, and GOTL_REC_FRAMES for key.pcs, come before the first one.
 */
struct gotl_rec_alloc_class {
	struct gotl_rec hdr; /* type GOTL_REC_ALLOC_CLASS, size 96 */
	struct gotl_alloc_key key;
	__u64 count;
	__u64 bytes;
};

/*
 * GOTL_REC_TYPE: the runtime type descriptor at link-time address addr,
 * read from the binary: its name as the runtime prints it ("main.Point",
 * "*bytes.Buffer", "[]uint8"), its size and kind. An address that is not in
 * the binary's type section (a type made by reflect) has flags
 * GOTL_TYPE_UNKNOWN and an empty name.
 */
struct gotl_rec_type {
	struct gotl_rec hdr; /* type GOTL_REC_TYPE, ts 0 */
	__u64 addr;
	__u64 size; /* the type's size in bytes */
	__u8 kind;  /* the runtime's Kind (abi.Kind & 0x1f), e.g. 25 = struct */
	__u8 pad;
	__u16 name_len;
	__u32 flags; /* GOTL_TYPE_* */
	char name[]; /* name_len bytes, no NUL, then padding */
};
#define GOTL_TYPE_UNKNOWN	1

/*
 * GOTL_REC_GC: the garbage collector and stop-the-world pauses.
 *
 *	GOTL_GC_TRIGGER	gp asked for a GC (runtime.gcStart): arg = the
 *			trigger (GOTL_GC_TRIGGER_*). Nothing may come of it
 *			(a cycle is already running or the test fails).
 *	GOTL_GC_BEGIN	a GC cycle begins, started by gp (after its trigger)
 *	GOTL_GC_MARKTERM	marking is done; mark termination begins
 *	GOTL_GC_STW_STOP	the world is being stopped: arg = the runtime's
 *			stwReason (Go 1.21+; index into its stwReasonStrings
 *			table, GOTL_GC_STW_UNKNOWN before)
 *	GOTL_GC_STW_START	the world starts again
 *
 * A cycle ends when the world starts again after its GOTL_GC_MARKTERM.
 */
#define GOTL_GC_TRIGGER		1
#define GOTL_GC_BEGIN		2
#define GOTL_GC_MARKTERM	3
#define GOTL_GC_STW_STOP	4
#define GOTL_GC_STW_START	5

#define GOTL_GC_TRIGGER_HEAP	0	/* the heap reached its goal */
#define GOTL_GC_TRIGGER_TIME	1	/* no GC for 2 minutes (forcegc) */
#define GOTL_GC_TRIGGER_CYCLE	2	/* runtime.GC() or debug.FreeOSMemory() */
#define GOTL_GC_STW_UNKNOWN	255

struct gotl_ev_gc {
	struct gotl_rec hdr; /* type GOTL_REC_GC, size 40 */
	__u64 gp;	     /* the goroutine on whose behalf, 0 if none */
	__u64 goid;
	__u8 what; /* GOTL_GC_* */
	__u8 arg;
	__u8 pad[6];
};

/*
 * GOTL_REC_GSNAP: a goroutine that already existed when gotl attached to a
 * running process (record -p), read from the runtime's allgs through
 * process_vm_readv with the probes already in place. hdr.ts is the start
 * record's time (the state holds from there on); read_ts is a time by which
 * this g had been read (a census reads each g more than once, and ends
 * after its last read): events for gp before read_ts may already be
 * reflected in it, those after it are not.
 * A GOTL_REC_STACK (kind GOTL_STACK_BLOCK, same ts) may follow for a
 * Waiting goroutine: where it blocked, walked from its saved frame.
 *
 * startpc/gopc are link-time addresses (the load bias removed), as in
 * GOTL_REC_CREATE. waitsince is the runtime's g.waitsince in BOOTTIME ns,
 * 0 if the runtime did not note it (it does so only for goroutines that
 * were already blocked when a GC cycle scanned them): the goroutine has
 * been blocked since at least then. hdr.tid is the OS thread of a Running
 * goroutine, else 0.
 */
struct gotl_ev_gsnap {
	struct gotl_rec hdr; /* type GOTL_REC_GSNAP, size 80 */
	__u64 gp;
	__u64 goid;
	__u64 parent_goid; /* Go 1.21+; 0 if unknown */
	__u64 startpc;
	__u64 gopc;
	__u64 waitsince; /* BOOTTIME ns, 0 if unknown */
	__u64 read_ts;	 /* BOOTTIME ns by which the g had been read */
	__u8 status;	 /* GOTL_G_* */
	__u8 reason;	 /* waitReason when status is Waiting */
	__u8 pad[6];
};

/*
 * GOTL_REC_EXEC: the traced process called execve at hdr.ts: the Go program
 * (and every goroutine) ends there, the process runs on as `filename`.
 * Events of the new image are not recorded in this log (the probes are
 * removed); with --follow they go to a log of their own (META follow_log).
 * Written by BPF (tracepoint sched_process_exec).
 */
#define GOTL_EXEC_PATH_MAX	232
struct gotl_ev_exec {
	struct gotl_rec hdr; /* type GOTL_REC_EXEC, size 264 */
	__u32 pid;
	__u32 old_pid; /* the thread that called execve (it becomes the leader) */
	char filename[GOTL_EXEC_PATH_MAX]; /* as passed to execve, NUL-ended, may be cut */
	__u32 flags;			   /* GOTL_EXEC_* */
	__u32 pad;
};
#define GOTL_EXEC_STOPPED	1	/* --follow: held (SIGSTOP) before its first instruction */
#define GOTL_EXEC_FOLLOWED	2	/* --follow: not the traced program: a process it started */

/*
 * GOTL_REC_META: a piece of text about the recording: key, then value, both
 * without NUL, then zero padding to a multiple of 8. Keys in use:
 *	"go_version"	version from .go.buildinfo, e.g. "go1.26.8"
 *	"binary"	absolute path of the traced executable
 *	"go_build_id"	Go build ID (.note.go.buildid), if any
 *	"gnu_build_id"	GNU build ID in hex (.note.gnu.build-id), if any
 *	"comm"		program name shown for the process
 *	"arg"		one per command-line argument, in order (argv[0] first)
 *	"gotl_version"	version of the recorder
 *	"probe"		"<function>+<offset> <how the site was chosen>", one per probe
 *	"offsets"	where the runtime struct offsets came from
 *	"stw_reason"	"<index> <text>", one per entry of the runtime's
 *			stwReasonStrings (Go 1.21+)
 *	"hostname"	the machine's host name (unless record --no-hostname)
 *	"kernel"	uname: "<sysname> <release> <version> <machine>"
 *	"options"	the recording options, as a command line would give them
 *	"follow_log"	(--follow) the log of a program this one (or one of
 *			its descendants) exec'd: its file name, in this log's
 *			directory; one per program, in the order they started
 *	"followed_by"	(in a follow log) "<pid> <path of the main log>": the
 *			recording this program was followed from
 *	"flight_dump"	(a window, record --flight) its number: 1, 2, ...
 *	"flight_trigger"	what wrote it: "SIGUSR1", a trigger and what
 *			held, how the program ended, ...
 *	"flight_time"	when it was written (UTC, ISO 8601)
 *	"flight_window"	"<seconds> s, <start> to <end>" (UTC, ISO 8601)
 */
struct gotl_rec_meta {
	struct gotl_rec hdr; /* type GOTL_REC_META, ts 0 */
	__u16 key_len;
	__u16 value_len;
	__u32 pad;
	char data[]; /* key_len + value_len bytes, then padding */
};

/*
 * GOTL_REC_START: the traced process and a snapshot of three clocks taken
 * together at the start of the recording (hdr.ts is BOOTTIME).
 */
struct gotl_rec_start {
	struct gotl_rec hdr; /* type GOTL_REC_START, size 48 */
	__u32 pid;
	__u32 flags;	    /* GOTL_START_* */
	__u64 monotonic_ns; /* CLOCK_MONOTONIC at hdr.ts */
	__u64 realtime_ns;  /* CLOCK_REALTIME at hdr.ts (ns since the Unix epoch) */
	__u64 reserved;
};
#define GOTL_START_LAUNCHED	1	/* gotl started the program (probes attached before exec) */
#define GOTL_START_ATTACHED	2	/* gotl attached to a running process (gotl record -p) */
#define GOTL_START_FOLLOWED	4	/* --follow: a program a traced process exec'd
					 * (with LAUNCHED: probes in place before its
					 * first instruction) */
#define GOTL_START_WINDOW	8	/* record --flight: a window of a recording, written
					 * by the flight recorder: hdr.ts (and the clocks) is
					 * the window's start; with ATTACHED, the goroutines
					 * alive then come as GOTL_REC_GSNAP records, read
					 * from the recorder's own state (read_ts = hdr.ts,
					 * waitsince = when their wait began) */

/*
 * GOTL_REC_WAITREASON: entry `index` of the traced binary's
 * runtime.waitReasonStrings, e.g. 14 = "chan receive" on Go 1.25.
 */
struct gotl_rec_waitreason {
	struct gotl_rec hdr; /* type GOTL_REC_WAITREASON, ts 0 */
	__u32 index;
	__u32 len;
	char str[]; /* len bytes, no NUL, then padding */
};

/*
 * GOTL_REC_SYM: what the code address `pc` (link-time, as in events) is.
 * For GOTL_SYM_RETURN the file:line is that of the call instruction before
 * pc (pc is a return address); for GOTL_SYM_ENTRY it is the function's own
 * first line. func is the innermost function, inlined or not. Flags may be
 * combined (GOTL_SYM_ENTRY | GOTL_SYM_WRAPPED).
 */
struct gotl_rec_sym {
	struct gotl_rec hdr; /* type GOTL_REC_SYM, ts 0 */
	__u64 pc;
	__u32 line; /* 0 = unknown */
	__u16 func_len;
	__u16 file_len;
	__u32 flags; /* GOTL_SYM_* */
	__u32 pad;
	char data[]; /* func, then file, no NULs, then padding */
};
#define GOTL_SYM_ENTRY		1	/* pc is a function entry (a start function) */
#define GOTL_SYM_RETURN		2	/* pc is a return address (a `go` statement's call) */
#define GOTL_SYM_UNKNOWN	4	/* pc is in no known function */
#define GOTL_SYM_WRAPPED	8	/* pc is a compiler-generated wrapper (what `go f(x)`
					 * starts); func/file/line describe the function it
					 * calls, as the runtime's own tracer reports it */

/*
 * GOTL_REC_FRAMES: the source frames a code address stands for, innermost
 * (inlined) first, for a pc that appears in a GOTL_REC_STACK (a return
 * address: the frames are those of pc - 1). Written before the first
 * record that uses pc. nframes 0 means the pc is in no known function.
 *
 * The recorder keeps a record small: flags say what it left out. Logs
 * written before the flags existed have 0 there (it was zero padding) even
 * where names were cut; a reader ignores the flags it does not know.
 */
struct gotl_frame {
	__u32 line;
	__u16 func_len;
	__u16 file_len;
};

struct gotl_rec_frames {
	struct gotl_rec hdr; /* type GOTL_REC_FRAMES, ts 0 */
	__u64 pc;
	__u16 nframes;
	__u16 flags; /* GOTL_FRAMES_* */
	__u16 pad[2];
	struct gotl_frame frames[]; /* nframes, then every func and file string in order */
};
#define GOTL_FRAMES_NAMES_CUT	1	/* a func or file name is only its first bytes */
#define GOTL_FRAMES_DEPTH_CUT	2	/* pc stands for more frames: the outermost are missing */

/*
 * GOTL_REC_STATS: cumulative counters since the start, per probe, summed
 * over CPUs. Written whenever drops change and at the end. hits counts
 * every time the probe fired (uprobe traps), emitted the records written,
 * lost the records the ring buffer had no room for. The arrays have
 * GOTL_PROBE_MAX entries when written, but a reader takes their length from
 * the record, (hdr.size - 16) / 24: a log from a gotl with fewer probes has
 * shorter ones.
 */
struct gotl_rec_stats {
	struct gotl_rec hdr; /* type GOTL_REC_STATS, ts = when read */
	__u64 hits[GOTL_PROBE_MAX];
	__u64 emitted[GOTL_PROBE_MAX];
	__u64 lost[GOTL_PROBE_MAX];
};

/*
 * GOTL_REC_LOSS: records lost so far because the ring buffer was full, by
 * record type: lost[t - GOTL_REC_STATUS] for type t (status, create,
 * stack, alloc, galloc, gc, ...). Written with each GOTL_REC_STATS whose
 * losses moved, and at the end.
 */
#define GOTL_LOSS_KINDS		8	/* a power of two: BPF masks the index with it - 1 */
struct gotl_rec_loss {
	struct gotl_rec hdr; /* type GOTL_REC_LOSS, size 80, ts = when read */
	__u64 lost[GOTL_LOSS_KINDS];
};
_Static_assert((GOTL_LOSS_KINDS & (GOTL_LOSS_KINDS - 1)) == 0, "loss kinds: a power of two");
_Static_assert(GOTL_REC_EXEC - GOTL_REC_STATUS < GOTL_LOSS_KINDS,
	       "a loss kind for every record type from GOTL_REC_STATUS on");

#ifndef __bpf__
/* The name of lost[k] for people: "status", "create", "stack", ... */
static inline const char *gotl_loss_kind_name(int k)
{
	static const char *const names[] = {
		"status", "create", "stack", "alloc", "galloc", "gc", "snapshot", "exec",
	};
	_Static_assert(sizeof(names) / sizeof(names[0]) == GOTL_REC_EXEC - GOTL_REC_STATUS + 1,
		       "a name for every record type from GOTL_REC_STATUS on");

	return k >= 0 && k < (int)(sizeof(names) / sizeof(names[0])) ? names[k] : "?";
}
#endif

/*
 * GOTL_REC_END: the recording ended at hdr.ts. status is the wait(2)
 * status of the traced program when it ended (GOTL_END_EXITED), else 0.
 * A recording that failed while the program ran (GOTL_END_FAILED) ends
 * there; the program runs on without probes (GOTL_END_DETACHED).
 */
struct gotl_rec_end {
	struct gotl_rec hdr; /* type GOTL_REC_END, size 24 */
	__u32 status;	     /* wait status */
	__u32 flags;	     /* GOTL_END_* */
};
#define GOTL_END_EXITED		1	/* the program ended (status is valid) */
#define GOTL_END_DETACHED	2	/* gotl stopped recording while the program ran on */
#define GOTL_END_NO_STATUS	4	/* with EXITED: it ended, not as gotl's child (no status) */
#define GOTL_END_FAILED		8	/* with DETACHED: the recording broke off (gotl said why) */

/* Entries of the BPF map casg_fix (gotl.bpf.c), filled from the plan's reason fixes. */
#define GOTL_CASG_FIX_MAX	32

/* Allocation maps of the BPF side, read by the recorder (see gotl.bpf.c). */
struct gotl_bpf_alloc_class { /* map "alloc_classes": struct gotl_alloc_key -> this */
	__u64 count;
	__u64 bytes;
};

struct gotl_bpf_thread_alloc { /* map "thread_alloc": OS thread id -> this */
	__u64 count;	       /* allocations since gp started running here */
	__u64 bytes;
	__u64 gp; /* the goroutine running on the thread, 0 if none */
};

struct gotl_bpf_alloc_cpu { /* map "alloc_totals", per CPU */
	__u64 count;
	__u64 bytes;
	__u64 unclassified; /* the class table was full */
	__u64 untracked_g;  /* the goroutine table was full */
	__u64 since_sample; /* bytes since the last sample on this CPU */
	__u64 next_sample;  /* take one when since_sample reaches this */
};

/* Counters the BPF side keeps per CPU (map "stats"); summed into GOTL_REC_STATS. */
struct gotl_bpf_stats {
	__u64 hits[GOTL_PROBE_MAX];
	__u64 emitted[GOTL_PROBE_MAX];
	__u64 lost[GOTL_PROBE_MAX];
	__u64 lost_kind[GOTL_LOSS_KINDS]; /* the same by record type - GOTL_REC_STATUS */
};

_Static_assert(sizeof(struct gotl_log_header) == 32, "log header size");
_Static_assert(sizeof(struct gotl_rec) == 16, "record header size");
_Static_assert(sizeof(struct gotl_ev_status) == 56, "status record size");
_Static_assert(sizeof(struct gotl_ev_create) == 72, "create record size");
_Static_assert(sizeof(struct gotl_rec_meta) == 24, "meta record size");
_Static_assert(sizeof(struct gotl_rec_start) == 48, "start record size");
_Static_assert(sizeof(struct gotl_rec_waitreason) == 24, "wait reason record size");
_Static_assert(sizeof(struct gotl_rec_sym) == 40, "sym record size");
_Static_assert(sizeof(struct gotl_rec_stats) == 16 + 3 * 8 * GOTL_PROBE_MAX, "stats record size");
_Static_assert(sizeof(struct gotl_rec_end) == 24, "end record size");
_Static_assert(sizeof(struct gotl_ev_stack) == 40 + 8 * GOTL_STACK_MAX, "stack record size");
_Static_assert(sizeof(struct gotl_frame) == 8, "frame size");
_Static_assert(sizeof(struct gotl_rec_frames) == 32, "frames record size");
_Static_assert(sizeof(struct gotl_alloc_key) == 64, "allocation class size");
_Static_assert(sizeof(struct gotl_ev_alloc) == 112, "alloc record size");
_Static_assert(sizeof(struct gotl_ev_galloc) == 48, "galloc record size");
_Static_assert(sizeof(struct gotl_rec_alloc_total) == 64, "alloc total record size");
_Static_assert(sizeof(struct gotl_rec_alloc_class) == 96, "alloc class record size");
_Static_assert(sizeof(struct gotl_rec_type) == 40, "type record size");
_Static_assert(sizeof(struct gotl_ev_gc) == 40, "gc record size");
_Static_assert(sizeof(struct gotl_ev_gsnap) == 80, "gsnap record size");
_Static_assert(sizeof(struct gotl_ev_exec) == 264, "exec record size");
_Static_assert(sizeof(struct gotl_rec_loss) == 80, "loss record size");

#endif /* GOTL_EVENT_H */
