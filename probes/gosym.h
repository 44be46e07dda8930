/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * gosym: what the code addresses of a Go binary mean to a stack, cached per
 * address, for the census and the commands built on it: the frame size and
 * flags the unwinder needs, and the frames a stack prints as, the way Go's
 * own traceback prints them (`goroutine?debug=2`, runtime.Stack): inlined
 * calls expanded, runtime internals and compiler wrappers left out at
 * GOTRACEBACK's default level, "created by F in goroutine N" from g.gopc.
 *
 * Each distinct address is symbolized once for the life of the object, so
 * a census every second does not symbolize again; memory grows with the
 * distinct addresses seen (bounded by the binary's code), never with the
 * number of censuses. Every pointer it returns (frames, strings) stays
 * valid until gosym__free. Pure: no I/O, never prints. Not thread-safe.
 * All addresses are link-time (the process's, minus the load bias).
 */
#ifndef GOTL_GOSYM_H
#define GOTL_GOSYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gobin;
struct gosym;

/* Bits of struct gosym_frame.flags. */
#define GOSYM_INLINED	0x1	/* an inlined call: Go prints "(...)" and no +0x offset */
#define GOSYM_RUNTIME	0x2	/* runtime internals: hidden at the default level */
#define GOSYM_WRAPPER	0x4	/* a compiler wrapper: hidden unless it called a panic */
#define GOSYM_PANIC	0x8	/* runtime.gopanic: shown, as "panic", unless innermost */
#define GOSYM_PANICKY	0x10	/* gopanic, sigpanic, panicwrap: a wrapper calling one shows */

/* One logical frame (a function, inlined or not, at a line). */
struct gosym_frame {
	const char *func; /* as Go prints it: "main.worker", "main.F[...]", "panic" */
	const char *file; /* "?" if unknown */
	int line;	  /* 0 if unknown */
	uint32_t id;	  /* same id <=> same func, file and line; ids are 1, 2, 3, ... */
	uint32_t flags;	  /* GOSYM_* */
};

/* A line of a printed stack: a frame, and for a physical one its offset. */
struct gosym_line {
	const struct gosym_frame *frame;
	uint64_t offset; /* pc - function entry ("+0x45"); 0: none printed */
};

/* Bits of struct gosym_unwind.flags. */
#define GOSYM_U_TOP	0x1	/* the bottom of a stack (runtime.goexit): stop after it */
#define GOSYM_U_SPWRITE	0x2	/* moves SP arbitrarily: what is above it is not trusted */
#define GOSYM_U_INJECTED 0x4	/* asyncPreempt, sigpanic, debugCall: the pc above is no call */

/* What unwinding a frame at pc needs. */
struct gosym_unwind {
	uint64_t entry;	 /* of the function */
	int32_t spdelta; /* the return address is at SP + spdelta; -1: unknown */
	uint32_t flags;	 /* GOSYM_U_* */
};

/* What a goroutine's start function says about it (struct gosym_start.kind). */
enum gosym_start_kind {
	GOSYM_START_USER,      /* main, or any function outside the runtime */
	GOSYM_START_SYSTEM,    /* the runtime's own (GC workers, sweeper, ...): Go hides them */
	GOSYM_START_FINALIZER, /* the finalizer or a cleanup goroutine: a system goroutine
				 * unless it is running user code (Go's isSystemGoroutine) */
};

struct gosym_start {
	const char *func; /* the function the goroutine runs, as printed; for a `go f(x)`
				 * wrapper (main.main.gowrap1) the function it calls */
	enum gosym_start_kind kind;
};

/* Over an open gobin, which must outlive it. Returns 0 or -ENOMEM. */
int gosym__new(const struct gobin *gb, struct gosym **out);
void gosym__free(struct gosym *s);

/* Unwinding info for pc, or NULL if pc is in no function of the binary. */
const struct gosym_unwind *gosym__unwind(struct gosym *s, uint64_t pc);

/*
 * The logical frames at pc, innermost (inlined) first: *out points at n
 * frames, n returned (0 if pc is in no function, -ENOMEM). call: pc is a
 * return address (the frame is at the call before it, as Go reads every pc
 * but the one after an injected call); false for an exact pc.
 */
int gosym__frames(struct gosym *s, uint64_t pc, bool call, const struct gosym_frame **out);

/*
 * A goroutine's stack as Go's traceback prints it: from its physical frames
 * pcs[0..n) (innermost first: the resume pc, then return addresses, as the
 * census reads them), the lines to print into out (at most max; *total is
 * how many there were). all: every frame, as GOTRACEBACK=system; otherwise
 * the default level (runtime internals and wrappers left out; if that
 * leaves nothing, every frame, as Go does). Returns the lines written, or
 * -ENOMEM.
 */
int gosym__traceback(struct gosym *s, const uint64_t *pcs, int n, bool all, struct gosym_line *out,
		     int max, int *total);

/*
 * The "created by" line for a goroutine created at gopc: Go names the
 * function holding the go statement and gives the position of the
 * statement (its innermost inlined line). Returns false when Go prints no
 * such line: gopc 0 or in no function, or, unless all, made by the
 * runtime. The caller leaves it out for goroutine 1, as Go does.
 */
bool gosym__created_by(struct gosym *s, uint64_t gopc, bool all, struct gosym_line *out);

/* What the goroutine starting at startpc (a function entry) is; NULL if none. */
const struct gosym_start *gosym__start(struct gosym *s, uint64_t startpc);

#endif /* GOTL_GOSYM_H */
