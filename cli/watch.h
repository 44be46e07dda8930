/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * watch.h: what `gotl watch` tells of a process, apart from how it watches
 * (cli/watch.c): the leak verdict, in text or JSON (cli/verdict.c), and the
 * OpenMetrics exposition served at /metrics (cli/openmetrics.c), both from
 * the last census taken in (a gview). Only cli/ includes it.
 */
#ifndef GOTL_WATCH_H
#define GOTL_WATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "gview.h"

#define WATCH_METRIC_GROUPS	20	/* the largest groups exposed, with their sites */

/* The watch so far. */
struct watch_meta {
	pid_t pid;
	const char *comm, *go_version;
	uint64_t every_ns, leak_after_ns;
	uint64_t censuses;
	uint64_t first_ns, last_ns; /* CLOCK_MONOTONIC of the first and the last census */
	uint64_t cpu_ns, wall_ns, bytes, syscalls; /* over every census */
	bool exited;				   /* the process exited */
};

/*
 * The verdict of the last census: text, or with json one line holding one
 * object (see `gotl watch --help`). Returns how many suspect groups it has.
 */
size_t watch_verdict(FILE *f, const struct gview *v, const struct watch_meta *m, bool json);

/* The OpenMetrics text of the last census ("# EOF" last). */
void watch_openmetrics(FILE *f, const struct gview *v, const struct watch_meta *m);

/* A group's state or wait reason, where it waits and how it was created, for labels. */
struct watch_site {
	const char *start;			/* start function, "" if unknown */
	const char *state, *reason;		/* reason "" unless waiting */
	const struct gosym_frame *created, *at; /* NULL: none */
};
void watch_site(const struct gview *v, const struct lw_group *g, struct watch_site *out);

#endif /* GOTL_WATCH_H */
