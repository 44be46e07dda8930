/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * census: every goroutine of a running Go process, read from its memory -
 * runtime.allgs, each g, the stack of each one that is not running - with
 * no uprobe, no ptrace stop, no signal and nothing written: the program
 * runs on at full speed while it is read. `gotl dump`, `gotl top`, `gotl
 * watch` and `record -p`'s attach snapshot all take theirs through it.
 *
 * THE CONTRACT
 *
 * A census object is opened once per process (census__new) and then takes
 * as many snapshots as asked (census__take): every second for days. All its
 * memory is reused from one snapshot to the next and grows only to the
 * largest snapshot taken (goroutines, frames); symbolization is cached per
 * code address in its gosym for the object's life (bounded by the binary's
 * code). Steady state: no allocation per goroutine, no growth.
 *
 * A snapshot (struct census_snap) is valid until the next census__take or
 * census__free on the same object; copy what must outlive it. Goroutines
 * are in allgs order (creation order of their g, not of their goid).
 *
 * What is read, and how it is checked. The process runs on while it is
 * read, so each goroutine's g is read before its stack and again after; if
 * its status, goid, stack bounds, saved pc/sp or transition count
 * (g.trackingSeq) differ, it is read again, up to opts.retries times, then
 * flagged CENSUS_G_UNSETTLED (its fields are those of the last read, it has
 * no stack). No stack is ever returned torn: each frame's pc lies in a
 * function of the binary, each frame inside the goroutine's stack bounds.
 * A goroutine that is running has no stack (CENSUS_G_NOSTACK): an outside
 * reader cannot see where it is, and says so rather than guess.
 *
 * Cost. Reads are batched (process_vm_readv, IOV_MAX ranges per call): one
 * round for allgs, one for the g's (only the bytes of a g the fields need),
 * one or more for the stacks (a window from the saved SP, larger rounds
 * only for goroutines whose frames did not fit), one to re-read the g's
 * with stacks; snap->cost says what each took. BENCHMARKS.md has figures
 * for 1k, 10k and 100k goroutines.
 *
 * Use, as `gotl top` would (errors left out):
 *
 *	struct census *c;
 *	const struct census_snap *s;
 *	struct gosym_line lines[64], created;
 *	int n, total;
 *
 *	census__new(pid, NULL, NULL, &c, err, sizeof(err));
 *	while (census__take(c, &s, err, sizeof(err)) == 0) {	// -ESRCH: it exited
 *		for (size_t i = 0; i < s->n; i++) {
 *			const struct census_g *g = &s->gs[i];
 *
 *			if (g->flags & CENSUS_G_SYSTEM)
 *				continue;		// Go's dumps leave these out
 *			n = gosym__traceback(census__sym(c), s->pcs + g->stack, g->nstack,
 *					     false, lines, 64, &total);
 *			// block site: lines[0].frame (->id is a cheap key); creation site:
 *			gosym__created_by(census__sym(c), g->gopc, false, &created);
 *			// state: census__state(g->status), census__reason(c, g->reason)
 *		}
 *		sleep(1);
 *	}
 *	census__free(c);
 *
 * Across censuses a goroutine is the same while its goid and gp are; goids
 * are never reused by the runtime. g.waitsince is noted only by the GC
 * (from its second cycle after the goroutine blocked; the runtime forces
 * one every 2 minutes at least), so a command that needs how long a
 * goroutine has been blocked to the second should also note when it first
 * saw it blocked at the same site.
 *
 * Needs root, or CAP_SYS_PTRACE (process_vm_readv's ptrace access check);
 * not CAP_BPF. The binary is read through /proc/PID/exe, so a process in
 * another mount namespace, or whose binary was deleted, works. Pure
 * otherwise: never prints, never exits.
 */
#ifndef GOTL_CENSUS_H
#define GOTL_CENSUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "gotl/event.h" /* GOTL_G_* states */

struct gobin;
struct gosym;
struct census;

#define CENSUS_DEFAULT_FRAMES	64
#define CENSUS_MAX_FRAMES	1024

struct census_opts {
	int max_frames;	 /* physical frames per stack; 0: no stacks. Default
				 * CENSUS_DEFAULT_FRAMES when the opts are NULL */
	int retries;	 /* reads again of a goroutine that changed while read (2) */
	uint32_t window; /* first stack bytes read per goroutine (2048; it grows for
				 * the goroutines whose frames need more) */
};

/* Bits of census_g.flags. */
#define CENSUS_G_LOCKED		0x01	/* locked to a thread (g.lockedm set) */
#define CENSUS_G_SYSTEM		0x02	/* the runtime's own: Go's tracebacks and
					 * NumGoroutine leave it out (isSystemGoroutine) */
#define CENSUS_G_SCAN		0x04	/* the GC was scanning it (the _Gscan bit) */
#define CENSUS_G_UNSETTLED	0x08	/* changed at every read: last read's fields, no stack */
#define CENSUS_G_NOSTACK	0x10	/* no stack: running, or a state with none, or no stacks
					 * asked for */
#define CENSUS_G_TRUNCATED	0x20	/* more frames than max_frames (or 1 MiB of stack) */
#define CENSUS_G_BADSTACK	0x40	/* a stable stack whose unwinding stopped early (a
					 * return address in no function): the frames before
					 * it are kept */

struct census_g {
	uint64_t gp; /* the g's address in the process */
	uint64_t goid;
	uint64_t parent_goid; /* the creating goroutine; 0: unknown (before Go 1.21) */
	uint64_t startpc;     /* link-time: the function it started in (see gosym__start) */
	uint64_t gopc;	      /* link-time: its go statement (see gosym__created_by) */
	uint64_t waitsince;   /* g.waitsince in gotl's CLOCK_MONOTONIC ns; 0: unknown */
	int64_t wait_ns;      /* how long it has waited, by the runtime's waitsince (at least
				 * that long: the GC notes it), at the census; -1: unknown */
	uint64_t stack_size;  /* g.stack.hi - g.stack.lo */
	uint32_t tid;	      /* the thread running it (running, syscall); 0: unknown */
	uint8_t status;	      /* GOTL_G_*, the scan bit removed */
	uint8_t reason;	      /* g.waitreason while waiting (census__reason), else 0 */
	uint16_t flags;	      /* CENSUS_G_* */
	uint32_t stack;	      /* its first pc in snap->pcs */
	uint32_t nstack;      /* physical frames: resume pc, then return addresses; 0 none */
	uint8_t seq;	      /* g.trackingSeq: +1 (mod 256) each time it stops running, so
				 * one seen waiting twice with the same seq and waitsince did
				 * not run in between (unless it ran 256 times) */
};

struct census_cost {
	uint64_t wall_ns;  /* from start to end of census__take */
	uint64_t cpu_ns;   /* gotl's CPU time (user and system) in it */
	uint64_t syscalls; /* read system calls */
	uint64_t bytes;	   /* bytes read from the process */
	uint64_t ranges;   /* address ranges read */
	uint32_t rounds;   /* batches of reads */
	uint32_t reread;   /* goroutines read again because they changed */
};

struct census_snap {
	const struct census_g *gs; /* every live goroutine (not dead or free) */
	size_t n;
	const uint64_t *pcs;  /* the stacks' link-time pcs */
	size_t allgs_len;     /* len(runtime.allgs): live and free g's */
	size_t unsettled;     /* goroutines flagged CENSUS_G_UNSETTLED */
	size_t unreadable;    /* allgs entries unreadable or making no sense */
	uint64_t mono_ns;     /* when it was taken: gotl's CLOCK_MONOTONIC */
	uint64_t boot_ns;     /* CLOCK_BOOTTIME (what gotl's event logs use) */
	uint64_t end_boot_ns; /* CLOCK_BOOTTIME after the last read: each g was read in between */
	uint64_t real_ns;     /* CLOCK_REALTIME */
	struct census_cost cost;
};

/* What census__new found, for -v and bug reports. */
struct census_info {
	pid_t pid;
	const char *exe;	/* "/proc/PID/exe" or the binary given */
	const char *go_version; /* "go1.26.8" */
	uint64_t bias;		/* load bias (PIE), 0 otherwise */
	const char *allgs_how;	/* how runtime.allgs was found */
	const char *offsets;	/* where the struct offsets came from */
	int nreasons;		/* wait reasons the binary names */
};

/*
 * Open process pid for censuses. gb: its binary, already open (borrowed,
 * must outlive the census), or NULL to open /proc/PID/exe. o: NULL for the
 * defaults. Checks that gotl may read the process's memory, but reads none
 * yet (a process that exits from then on exits "during the census").
 * Returns 0, or -errno with a one-line reason in err (no "gotl:" prefix):
 *	-ESRCH			no such process
 *	-EPERM			not allowed to read it (root or CAP_SYS_PTRACE)
 *	-EPROTONOSUPPORT	not a Go program
 *	-ENOTSUP, -ENOEXEC	a Go program gotl cannot read (version, layout)
 *	-ENOENT			runtime.allgs not found in its binary
 *	-EINVAL			bad opts
 */
int census__new(pid_t pid, struct gobin *gb, const struct census_opts *o, struct census **out,
		char *err, size_t errlen);

/*
 * Take a census. Returns 0 and *snap, or -errno with a one-line reason:
 * -ESRCH if the process exited (before or during), -EPERM if its memory may
 * not be read, -EINVAL if what was read makes no sense (no goroutine 1:
 * wrong runtime.allgs or offsets), -EIO, -ENOMEM.
 */
int census__take(struct census *c, const struct census_snap **snap, char *err, size_t errlen);

void census__free(struct census *c);

/*
 * The load bias of process pid's executable gb: 0 unless it is PIE, else
 * where its first byte is mapped minus its link-time address (from
 * /proc/PID/maps). Returns 0 or -errno.
 */
int census__load_bias(pid_t pid, const struct gobin *gb, uint64_t *bias);

void census__info(const struct census *c, struct census_info *out);
/* The binary, and the symbolizer over it (both owned by the census). */
const struct gobin *census__gobin(const struct census *c);
struct gosym *census__sym(struct census *c);

/* A wait reason's name ("chan receive"), "" for none, "?" past the binary's table. */
const char *census__reason(const struct census *c, uint8_t reason);
/* Go's name for a state, as tracebacks print it: "running", "waiting", ... */
const char *census__state(uint8_t status);

#endif /* GOTL_CENSUS_H */
