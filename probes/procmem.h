/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * procmem: read many ranges of another process's memory at once, with
 * process_vm_readv (IOV_MAX ranges per system call), or /proc/PID/mem when
 * that call is unavailable. A range that cannot be read fails alone; the
 * others are still read. The bytes stay in procmem's buffer (no copy to
 * the caller's). Reads only: nothing is ever written, the process
 * is never stopped or signalled. Needs what ptrace attach needs (root, or
 * CAP_SYS_PTRACE, or the same user where Yama allows it).
 */
#ifndef GOTL_PROCMEM_H
#define GOTL_PROCMEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct procmem;

/* One range to read: addr..addr+len; err and data are set by procmem__read. */
struct procmem_req {
	uint64_t addr;
	uint32_t len;
	int32_t err;	     /* 0, or -EFAULT: the range is not (all) mapped */
	const uint8_t *data; /* its bytes, in procmem's buffer: valid until the next
				 * procmem__read or procmem__free */
};

/* What reading cost, added up over the calls (procmem__read adds to it). */
struct procmem_stats {
	uint64_t syscalls;
	uint64_t bytes;
	uint64_t ranges;
	uint64_t failed; /* ranges that could not be read */
};

/* For process pid. Returns 0, -ENOMEM. Checks nothing yet: the first read does. */
int procmem__new(pid_t pid, struct procmem **out);
void procmem__free(struct procmem *m);

/*
 * Read every range into procmem's buffer (memory: the largest batch read,
 * kept for the next). Ranges that follow each other in reqs, in ascending
 * addresses less than gap bytes apart, are read as one (up to 64 KiB; the
 * kernel's cost is per range and per page, the bytes between are cheap);
 * gap 0 reads each on its own. Returns 0 when each range was read or
 * failed on its own (see req->err), or, for the whole batch: -ESRCH (the
 * process has exited: no such process, or a zombie), -EPERM/-EACCES (not
 * allowed to read it), -ENOMEM.
 */
int procmem__read(struct procmem *m, struct procmem_req *reqs, size_t n, uint32_t gap,
		  struct procmem_stats *st);

#endif /* GOTL_PROCMEM_H */
