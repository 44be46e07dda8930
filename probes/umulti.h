/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * umulti: uprobe_multi links (BPF_TRACE_UPROBE_MULTI, Linux 6.6+), made with
 * the bpf(2) syscall because the libbpf gotl builds against (1.1) predates
 * them. One link puts one program on many sites of a binary, and closing it
 * removes them all after one grace period, where a perf_event uprobe costs
 * one each (~0.1 s), serialised in the kernel. Knows nothing of Go.
 */
#ifndef GOTL_UMULTI_H
#define GOTL_UMULTI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The expected_attach_type a program needs, before it is loaded, to be used here. */
#define UMULTI_ATTACH_TYPE	48	/* BPF_TRACE_UPROBE_MULTI */

/*
 * Whether this kernel has uprobe_multi links that filter by process (Linux
 * 6.9 fixed a pid filter that matched one thread): asked once, by loading a
 * two-instruction program and making links that must fail in known ways.
 */
bool umulti__supported(void);

/*
 * A link from prog_fd (loaded with UMULTI_ATTACH_TYPE) to cnt file offsets
 * of path, each with its bpf_get_attach_cookie() value (cookies may be
 * NULL), in process pid only (0: every process). Returns the link's fd or
 * -errno.
 */
int umulti__attach(int prog_fd, const char *path, const uint64_t *offsets, const uint64_t *cookies,
		   size_t cnt, pid_t pid);

/* Close links at once, each in its own thread: their grace periods overlap. */
void umulti__close(const int *fds, size_t n);

#endif
