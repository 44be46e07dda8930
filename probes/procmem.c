// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * procmem.c: batched reads of another process's memory (see procmem.h).
 * process_vm_readv copies up to IOV_MAX ranges per call and stops at the
 * first one it cannot copy whole; that range is marked failed and the call
 * resumes after it, so one bad address costs one more call, not the batch.
 * /proc/PID/mem (one pread per range) is used only if process_vm_readv is
 * not available (ENOSYS, e.g. a seccomp filter). Must not write to the
 * process, stop or signal it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "procmem.h"

#ifndef IOV_MAX
#define IOV_MAX 1024
#endif
#define BATCH IOV_MAX

struct procmem {
	pid_t pid;
	int memfd;		/* /proc/PID/mem, opened only for the fallback */
	bool use_memfd;
	struct iovec local[BATCH];
	struct iovec remote[BATCH];
};

int procmem__new(pid_t pid, struct procmem **out)
{
	struct procmem *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (!m)
		return -ENOMEM;
	m->pid = pid;
	m->memfd = -1;
	*out = m;
	return 0;
}

void procmem__free(struct procmem *m)
{
	if (!m)
		return;
	if (m->memfd >= 0)
		close(m->memfd);
	free(m);
}

/* A process that exited reads as a zombie: its memory is gone. */
static int gone_or(pid_t pid, int err)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	return access(path, F_OK) && (errno == ENOENT || errno == ESRCH) ? -ESRCH : err;
}

static int read_memfd(struct procmem *m, struct procmem_req *reqs, size_t n,
		      struct procmem_stats *st)
{
	size_t i;

	if (m->memfd < 0) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/mem", (int)m->pid);
		m->memfd = open(path, O_RDONLY | O_CLOEXEC);
		if (m->memfd < 0)
			return errno == ENOENT ? -ESRCH : -errno;
	}
	for (i = 0; i < n; i++) {
		struct procmem_req *r = &reqs[i];
		ssize_t got;

		if (!r->len)
			continue;
		got = pread(m->memfd, r->buf, r->len, (off_t)r->addr);
		st->syscalls++;
		if (got == (ssize_t)r->len) {
			st->bytes += r->len;
			continue;
		}
		if (got == 0)	/* end of file: the process's memory is gone */
			return gone_or(m->pid, -EIO);
		if (got < 0 && errno == ESRCH)
			return -ESRCH;
		r->err = -EFAULT;
		st->failed++;
	}
	return 0;
}

int procmem__read(struct procmem *m, struct procmem_req *reqs, size_t n,
		  struct procmem_stats *st)
{
	struct procmem_stats none;
	size_t i = 0;

	if (!st)
		st = &none;
	for (size_t k = 0; k < n; k++)
		reqs[k].err = 0;
	st->ranges += n;
	if (m->use_memfd)
		return read_memfd(m, reqs, n, st);
	while (i < n) {
		size_t k = 0, j, first = i;
		uint64_t want = 0;
		ssize_t got;

		for (; i < n && k < BATCH; i++) {
			if (!reqs[i].len)
				continue;
			m->local[k].iov_base = reqs[i].buf;
			m->local[k].iov_len = reqs[i].len;
			m->remote[k].iov_base = (void *)(uintptr_t)reqs[i].addr;
			m->remote[k].iov_len = reqs[i].len;
			want += reqs[i].len;
			k++;
		}
		if (!k)
			break;
		got = process_vm_readv(m->pid, m->local, k, m->remote, k, 0);
		st->syscalls++;
		if (got < 0) {
			if (errno == ENOSYS) {
				m->use_memfd = true;
				return read_memfd(m, reqs + first, n - first, st);
			}
			if (errno == ESRCH)
				return -ESRCH;
			if (errno != EFAULT)
				return errno == EPERM || errno == EACCES ? gone_or(m->pid, -errno) :
									    -errno;
			got = 0;	/* the first range failed */
		}
		st->bytes += (uint64_t)got;
		if ((uint64_t)got == want)
			continue;
		/* The call stopped in the range at byte got: mark it, go on after it. */
		for (j = first; j < n; j++) {
			if (!reqs[j].len)
				continue;
			if ((uint64_t)got >= reqs[j].len) {
				got -= reqs[j].len;
				continue;
			}
			reqs[j].err = -EFAULT;
			st->failed++;
			break;
		}
		i = j + 1;
	}
	return 0;
}
