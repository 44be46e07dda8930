// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * procmem.c: batched reads of another process's memory (see procmem.h).
 * Requests close together are merged into one range (the kernel's cost is
 * per range and per page more than per byte); process_vm_readv copies up
 * to IOV_MAX ranges per call into one buffer and stops at the first one it
 * cannot copy whole; that range is marked failed and the call resumes
 * after it, so one bad address costs one more call, not the batch.
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
#define MAX_RUN	(64u << 10)	/* bytes of one merged range at most */

struct procmem {
	pid_t pid;
	int memfd; /* /proc/PID/mem, opened only for the fallback */
	bool use_memfd;
	struct iovec local[BATCH];
	struct iovec remote[BATCH];
	struct range *runs; /* the ranges read: reqs merged when close together */
	size_t capruns;
	uint8_t *buf; /* what they are read into */
	size_t capbuf;
};

/* A range read into procmem's buffer. */
struct range {
	uint64_t addr;
	uint8_t *buf;
	uint32_t len;
	int32_t err;
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
	free(m->runs);
	free(m->buf);
	free(m);
}

/* A process that exited reads as a zombie: its memory is gone. */
static int gone_or(pid_t pid, int err)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	return access(path, F_OK) && (errno == ENOENT || errno == ESRCH) ? -ESRCH : err;
}

static int read_memfd(struct procmem *m, struct range *rs, size_t n, struct procmem_stats *st)
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
		struct range *r = &rs[i];
		ssize_t got;

		if (!r->len)
			continue;
		got = pread(m->memfd, r->buf, r->len, (off_t)r->addr);
		st->syscalls++;
		if (got == (ssize_t)r->len) {
			st->bytes += r->len;
			continue;
		}
		if (got == 0) /* end of file: the process's memory is gone */
			return gone_or(m->pid, -EIO);
		if (got < 0 && errno == ESRCH)
			return -ESRCH;
		r->err = -EFAULT;
	}
	return 0;
}

/* Each range its own iovec, IOV_MAX per call. */
static int read_ranges(struct procmem *m, struct range *rs, size_t n, struct procmem_stats *st)
{
	size_t i = 0;

	for (size_t k = 0; k < n; k++)
		rs[k].err = 0;
	if (m->use_memfd)
		return read_memfd(m, rs, n, st);
	while (i < n) {
		size_t k = 0, j, first = i;
		uint64_t want = 0;
		ssize_t got;

		for (; i < n && k < BATCH; i++) {
			if (!rs[i].len)
				continue;
			m->local[k].iov_base = rs[i].buf;
			m->local[k].iov_len = rs[i].len;
			m->remote[k].iov_base = (void *)(uintptr_t)rs[i].addr;
			m->remote[k].iov_len = rs[i].len;
			want += rs[i].len;
			k++;
		}
		if (!k)
			break;
		got = process_vm_readv(m->pid, m->local, k, m->remote, k, 0);
		st->syscalls++;
		if (got < 0) {
			if (errno == ENOSYS) {
				m->use_memfd = true;
				return read_memfd(m, rs + first, n - first, st);
			}
			if (errno == ESRCH)
				return -ESRCH;
			if (errno != EFAULT)
				return errno == EPERM || errno == EACCES ? gone_or(m->pid, -errno) :
									   -errno;
			got = 0; /* the first range failed */
		}
		st->bytes += (uint64_t)got;
		if ((uint64_t)got == want)
			continue;
		/* The call stopped in the range at byte got: mark it, go on after it. */
		for (j = first; j < n; j++) {
			if (!rs[j].len)
				continue;
			if ((uint64_t)got >= rs[j].len) {
				got -= rs[j].len;
				continue;
			}
			rs[j].err = -EFAULT;
			break;
		}
		i = j + 1;
	}
	return 0;
}

/* Where the run of requests starting at i ends (one past), and its length. */
static size_t run_end(const struct procmem_req *reqs, size_t n, size_t i, uint32_t gap,
		      uint64_t *len)
{
	uint64_t start = reqs[i].addr, end = start + reqs[i].len;
	size_t j = i + 1;

	if (reqs[i].len && gap)
		for (; j < n && reqs[j].len && reqs[j].addr >= end && reqs[j].addr - end <= gap &&
		       reqs[j].addr + reqs[j].len - start <= MAX_RUN;
		     j++)
			end = reqs[j].addr + reqs[j].len;
	*len = end - start;
	return j;
}

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	void *q;
	size_t c;

	if (n <= *cap)
		return 0;
	for (c = *cap ? *cap : 256; c < n; c *= 2)
		;
	q = realloc(*p, c * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

int procmem__read(struct procmem *m, struct procmem_req *reqs, size_t n, uint32_t gap,
		  struct procmem_stats *st)
{
	struct procmem_stats none = { 0 };
	size_t i, j, r, nruns = 0, bytes = 0, off = 0;
	uint64_t len;
	int ret;

	if (!st)
		st = &none;
	st->ranges += n;
	for (i = 0; i < n; i = j, nruns++) {
		j = run_end(reqs, n, i, gap, &len);
		bytes += len;
	}
	if (grow((void **)&m->runs, &m->capruns, nruns ? nruns : 1, sizeof(*m->runs)) ||
	    grow((void **)&m->buf, &m->capbuf, bytes ? bytes : 1, 1))
		return -ENOMEM;
	for (i = 0, r = 0; i < n; i = j, r++) {
		j = run_end(reqs, n, i, gap, &len);
		m->runs[r] = (struct range){ .addr = reqs[i].addr,
					     .buf = m->buf + off,
					     .len = (uint32_t)len };
		off += len;
	}
	ret = read_ranges(m, m->runs, nruns, st);
	if (ret)
		return ret;
	for (i = 0, r = 0; i < n; i = j, r++) {
		const struct range *run = &m->runs[r];

		j = run_end(reqs, n, i, gap, &len);
		for (size_t k = i; k < j; k++) {
			struct range one = { .addr = reqs[k].addr,
					     .buf = run->buf + (reqs[k].addr - run->addr),
					     .len = reqs[k].len };

			/* part of a merged range is not mapped: each on its own, to know which */
			if (run->err && j - i > 1 && (ret = read_ranges(m, &one, 1, st)))
				return ret;
			reqs[k].err = j - i > 1 ? one.err : run->err;
			reqs[k].data = one.buf;
			st->failed += reqs[k].err != 0;
		}
	}
	return 0;
}
