/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * report: `gotl report` — what a recording says about its goroutines, as
 * text for people or JSON for machines: leak suspects (goroutines still
 * blocked at the end on channels, select, sync primitives or conds, grouped
 * by creation site, block site and wait reason; in a recording attached to
 * a running process the long-lived ones apart, verdict.h), lifetimes, peak
 * concurrency, spawn sites, create -> first-run and runnable -> running
 * latencies, sleep durations, blocked time by wait reason and by site, the
 * parent/child tree collapsed by creation site, stack sizes.
 *
 * A sink of the replay (replay.h): it reads the event log, never the
 * binary. It writes only to the stream it is given.
 */
#ifndef GOTL_REPORT_H
#define GOTL_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct report_opts {
	const char *log_path;
	bool json;
	bool all_waits; /* count goroutines blocked on IO, sleeps, timers as suspects too */
	int top;	/* rows in "top" lists (default 10) */
};

struct report_result {
	uint64_t leak_suspects; /* goroutines */
	uint64_t leak_groups;
	uint64_t long_lived; /* goroutines of an attach recording that are no suspects */
	uint64_t long_lived_groups;
};

/*
 * Write the report on out. Returns 0, or -errno with a one-line reason in
 * err (no "gotl:" prefix).
 */
int report__run(const struct report_opts *o, FILE *out, struct report_result *res, char *err,
		size_t errlen);

#endif /* GOTL_REPORT_H */
