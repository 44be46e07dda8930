/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * plan: everything gotl decides about a Go binary before it loads any BPF —
 * which runtime functions to probe for this Go version and where exactly
 * (probe sites), the struct offsets and where they came from, the
 * wait-reason table, the version-dependent behaviour the probes must know.
 * `gotl record` loads BPF from a plan; `gotl inspect` prints one.
 *
 * A plan is only made for a binary gotl can trace correctly: otherwise
 * plan__new fails with a one-line reason. For a Go newer than gotl knows it
 * succeeds only if every fact it needs came from the binary itself, and
 * says so in plan->note. Pure: never prints, never touches BPF.
 */
#ifndef GOTL_PLAN_H
#define GOTL_PLAN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gotl/event.h"
#include "gobin.h"
#include "probesite.h"

#define PLAN_MAX_REASON_FIX	GOTL_CASG_FIX_MAX	/* all go into that BPF map */
#define PLAN_MAX_SYNTH		8
#define PLAN_SYNTH_REASON	200
_Static_assert(PLAN_SYNTH_REASON + PLAN_MAX_SYNTH <= 256, "a wait reason is a __u8");

struct plan_probe {
	const char *func; /* runtime function, e.g. "runtime.casgstatus" */
	const char *why;  /* why gotl probes it (or why not, when !wanted) */
	bool wanted;	  /* this Go version needs the probe */
	bool found;	  /* the binary has the function */
	struct gobin_func fn;
	struct probesite site;
	uint64_t addr;	      /* link-time address of the probed instruction */
	uint64_t file_offset; /* where the uprobe attaches */
};

struct plan {
	char path[PATH_MAX]; /* the binary (absolute) */
	struct gobin *gb;
	int minor;  /* Go minor version; 0 if unknown */
	bool newer; /* a Go newer than gotl knows */
	struct gobin_offsets off;
	const char *const *reasons;
	int nreasons;
	const char *reasons_how;
	bool goid_at_create;	  /* the runtime writes the new goid before the creation CAS */
	int reason_coroutine;	  /* waitReason of "coroutine", or -1 */
	struct gobin_func park_m; /* runtime.park_m, for block stacks */
	struct gobin_func gopark; /* runtime.gopark, or entry 0: a park seen without a read */
	/*
	 * Go <= 1.19: runtime-internal waits set g.waitreason only after their
	 * casgstatus(Running -> Waiting), so the probe would read a stale one.
	 * These call sites of casgstatus (by return address) and the reason
	 * each stands for; reasons the binary's table lacks get indices from
	 * PLAN_SYNTH_REASON up (their names in synth_reasons).
	 */
	struct plan_reason_fix {
		uint64_t ret; /* link-time return address of the call */
		uint8_t reason;
	} reason_fix[PLAN_MAX_REASON_FIX];
	int nreason_fix;
	const char *synth_reasons[PLAN_MAX_SYNTH];
	int nsynth;
	bool stacks; /* stacks can be walked (park_m and the offsets are known) */
	struct plan_probe probes[GOTL_PROBE_MAX]; /* [GOTL_PROBE_MALLOC]: runtime.mallocgc */
	/* Allocations: mallocgc's size-specialised siblings (Go 1.26 experiment, 1.27+). */
	bool alloc; /* allocations can be recorded (mallocgc found) */
	struct plan_probe *mallocs;
	int nmallocs;
	const char *malloc_unknown; /* a runtime.mallocgc* gotl does not know, or NULL */
	bool malloc_header; /* 1.22+: objects with pointers over 512 B have an 8-byte header */
	/* Stop-the-world reasons: the runtime's stwReasonStrings (Go 1.21+). */
	bool stw_reason_arg; /* stopTheWorldWithSema(reason) takes it in AL */
	const char *const *stw_reasons;
	int nstw_reasons;
	char note[256]; /* something the user should know, or "" */
};

/*
 * Find a program as execvp(3) would (a name without '/' is searched in
 * $PATH) and make its path absolute, resolving symlinks: uprobes attach to
 * the file exec will map. Returns 0 or -errno.
 */
int plan__resolve(const char *arg0, char out[PATH_MAX]);

/*
 * Plan the probes for the binary at path (absolute). Returns 0, or -errno
 * with a one-line reason in err (no "gotl:" prefix): the gobin__open
 * errors, -ENOTSUP when the runtime offsets are unknown (stripped binary of
 * a Go newer than gotl knows), -ENOEXEC when they make no sense (a field
 * past what gotl reads of its struct: a corrupt or crafted DWARF), -ENOENT
 * when a runtime function the probes need is missing.
 */
int plan__new(const char *path, struct plan **out, char *err, size_t errlen);
void plan__free(struct plan *p);

#endif /* GOTL_PLAN_H */
