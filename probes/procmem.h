/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * procmem: read many ranges of another process's memory at once, with
 * process_vm_readv (IOV_MAX ranges per system call), or /proc/PID/mem when
 * that call is unavailable. A range that cannot be read fails alone; the
 * others are still read. Reads only: nothing is ever written, the process
 * is never stopped or signalled. Needs what ptrace attach needs (root, or
 * CAP_SYS_PTRACE, or the same user where Yama allows it).
 */
#ifndef GOTL_PROCMEM_H
#define GOTL_PROCMEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct procmem;

/* One range to read: addr..addr+len into buf; err is set by procmem__read. */
struct procmem_req {
	uint64_t addr;
	void *buf;
	uint32_t len;
	int32_t err;		/* 0, or -EFAULT: the range is not (all) mapped */
};

/* What reading cost, added up over the calls (procmem__read adds to it). */
struct procmem_stats {
	uint64_t syscalls;
	uint64_t bytes;
	uint64_t ranges;
	uint64_t failed;	/* ranges that could not be read */
};

/* For process pid. Returns 0, -ENOMEM. Checks nothing yet: the first read does. */
int procmem__new(pid_t pid, struct procmem **out);
void procmem__free(struct procmem *m);

/*
 * Read every range. Returns 0 when each range was read or failed on its
 * own (see req->err), or, for the whole batch: -ESRCH (the process has
 * exited: no such process, or a zombie), -EPERM/-EACCES (not allowed to
 * read it), -ENOMEM.
 */
int procmem__read(struct procmem *m, struct procmem_req *reqs, size_t n,
		  struct procmem_stats *st);

#endif /* GOTL_PROCMEM_H */
