/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * watchtrace: the Perfetto trace of `gotl watch -o FILE`, written as the
 * watch goes, one census at a time: under the process, counters over the
 * whole period (goroutines alive; by state; by wait reason; the largest
 * groups, by name), each census as an instant with what it cost (and a
 * counter of its time), and the leak suspects as a track: one slice per
 * suspect group, for as long as it was one.
 *
 * Small for hours of a service: a counter value is written only when it
 * changed (Perfetto holds a counter's value until the next one), and the
 * names are interned. Memory: one entry per track made (at most
 * WT_MAX_GROUP_TRACKS groups get one), whatever the length of the watch.
 * Knows nothing of censuses beyond the numbers and names it is given.
 * Pure over pftrace: never prints.
 */
#ifndef GOTL_WATCHTRACE_H
#define GOTL_WATCHTRACE_H

#include <stddef.h>
#include <stdint.h>

struct wtrace;

#define WT_TOP_GROUPS		10	/* groups given a counter when among the largest */
#define WT_MAX_GROUP_TRACKS	256

struct wtrace_info {
	int32_t pid;
	const char *process_name;
	const char *const *cmdline; /* NULL-terminated, or NULL */
	const char *go_version;
	uint64_t every_ns, leak_after_ns;
	uint64_t boot_ns, mono_ns, real_ns; /* the clocks, read at one moment */
	int compress;			    /* zlib level, 0: none */
};

/* A named number of one census: a state, a wait reason, a group, a suspect. */
struct wtrace_count {
	uint64_t id;	  /* groups and suspects: the group's id (stable) */
	const char *name; /* states and reasons; groups: see group_name */
	int64_t value;
	double per_hour; /* suspects: their growth */
};

struct wtrace_census {
	uint64_t ts; /* CLOCK_BOOTTIME ns */
	int64_t alive;
	const struct wtrace_count *states, *reasons;
	size_t nstates, nreasons;
	/* every group, largest first; group_name(ctx, i, buf, len) names group i */
	const struct wtrace_count *groups;
	size_t ngroups;
	const char *(*group_name)(void *ctx, size_t i, char *buf, size_t len);
	void *ctx;
	const struct wtrace_count *suspects; /* each with the name of its group */
	size_t nsuspects;
	/* what it cost */
	uint64_t wall_ns, cpu_ns, bytes, syscalls, unsettled;
	uint32_t rounds, reread;
};

/* Create path and write the trace's start. Returns 0 or -errno. */
int wtrace__open(const char *path, const struct wtrace_info *in, struct wtrace **out);
/* One census. Returns 0 or the sticky -errno of the file. */
int wtrace__census(struct wtrace *w, const struct wtrace_census *c);
/* End the open suspect slices at end_ts, write out, close, free; *bytes: the file's size. */
int wtrace__close(struct wtrace *w, uint64_t end_ts, uint64_t *bytes);

#endif /* GOTL_WATCHTRACE_H */
