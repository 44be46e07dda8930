/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * probeset: the BPF side of one recording, as libbpf-tools do it: open the
 * skeleton, fill its rodata from a plan and the options, load it, then
 * attach the planned probes to one process; take them out again. One per
 * program recorded (--follow makes more). It prints what fails, once, with
 * the "gotl: " prefix (the recorder owns those diagnostics), and knows
 * nothing of logs or of what the events mean.
 */
#ifndef GOTL_PROBESET_H
#define GOTL_PROBESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "gotl/event.h"

struct plan;
struct gotl_bpf;
struct bpf_program;
struct bpf_link;

struct probeset_opts {
	int alloc_mode;		     /* GOTL_ALLOC_*: the allocation probe only if not OFF */
	uint64_t alloc_sample_bytes; /* --alloc=sampled: mean bytes between samples (0: 512K) */
	int stack_depth;	     /* frames per stack, 0 = none */
	size_t ring_size;	     /* ring buffer bytes */
	bool follow;		     /* --follow: watch forks and execs (the first set) */
	bool followed;		     /* a program a traced process exec'd: no exec watch here */
	bool attach;		     /* record -p: the process runs already (no exec to skip) */
	int verbose;		     /* -v: libbpf's details are on stderr already */
};

struct probeset {
	const struct plan *plan;
	struct probeset_opts o;
	struct gotl_bpf *skel; /* its maps are read by the recorder */
	struct bpf_program *progs[GOTL_PROBE_MAX];
	/*
	 * Where the kernel has them (umulti.h), one uprobe_multi link per
	 * program: the allocation program's one holds every allocation function.
	 */
	bool multi;
	int mlinks[GOTL_PROBE_MAX];
	int nmlinks;
	/* Or one perf_event uprobe per site. */
	struct bpf_link *links[GOTL_PROBE_MAX];
	struct bpf_link **malloc_links; /* one per size-specialised allocation function */
	/* The exec tracepoint (the program ends there); with follow, forks and exits. */
	struct bpf_link *exec_link;
	struct bpf_link *fork_link, *exit_link;
	bool off; /* the probes are out (probeset__detach) */
};

/*
 * Open, fill and load the BPF object for plan (which must outlive the set).
 * Returns 0 or -errno, after printing why.
 */
int probeset__new(const struct plan *plan, const struct probeset_opts *o, struct probeset **out);

/* Is probe i attached by this set (found in the binary, and asked for)? */
bool probeset__on(const struct probeset *ps, int i);

/*
 * Watch process pid's execs (and with follow its forks), then put the
 * probes on pid's binary, pid only. Returns 0 or -errno, after printing why.
 */
int probeset__attach(struct probeset *ps, pid_t pid);

/*
 * Take the uprobes out of the process; the exec tracepoint too, unless
 * this set watches for --follow and !all (they stay to the end).
 */
void probeset__detach(struct probeset *ps, bool all);

/* Detach everything and free. NULL-safe. */
void probeset__free(struct probeset *ps);

/*
 * Let a detached grandchild hold the probes of this process (every set)
 * and drop them when it exits, so that gotl's own closes are instant:
 * removing them costs ~0.1 s per perf_event uprobe. For when the program
 * has exited and gotl is about to.
 */
void probeset__release_in_background(void);

#endif /* GOTL_PROBESET_H */
