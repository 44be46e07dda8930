/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * gsnap: the goroutines a running Go process has when gotl attaches, read
 * from its memory by one census (census.h), as the recorder's records (see
 * gsnap.c). Reads only; never writes the log.
 */
#ifndef GOTL_GSNAP_H
#define GOTL_GSNAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "gotl/event.h"

struct gobin;
struct plan;

struct gsnap_g {
	struct gotl_ev_gsnap ev;    /* hdr.ts left 0: the recorder sets it */
	struct gotl_ev_stack stack; /* where a Waiting one blocked; stack.n == 0 if none */
};

struct gsnap {
	struct gsnap_g *gs; /* the live goroutines, in allgs order */
	size_t n;
	size_t allgs_len;      /* len(allgs): live and free gs */
	size_t unreadable;     /* entries skipped: unreadable or implausible */
	size_t unsettled;      /* goroutines that changed at every read: no stack */
	const char *allgs_how; /* how runtime.allgs was found */
};

/*
 * The load bias of the process's executable: 0 unless it is PIE, else
 * where its first byte is mapped minus its link-time address (from
 * /proc/PID/maps). Returns 0 or -errno.
 */
int gsnap__bias(pid_t pid, const struct gobin *gb, uint64_t *bias);

/*
 * Read every live goroutine of process pid, whose binary is pl's, loaded
 * at bias (as gsnap__bias found it); up to stack_depth frames of the
 * blocked ones (at most GOTL_STACK_MAX). Returns 0 with *out to free with
 * gsnap__free, or -errno with a one-line reason in err (no "gotl:" prefix).
 */
int gsnap__read(const struct plan *pl, pid_t pid, uint64_t bias, int stack_depth,
		struct gsnap **out, char *err, size_t errlen);

void gsnap__free(struct gsnap *s);

#endif /* GOTL_GSNAP_H */
