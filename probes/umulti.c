// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * umulti.c: uprobe_multi links through bpf(2) BPF_LINK_CREATE, with the
 * attribute laid out here (the libbpf and uapi headers gotl builds with are
 * older than the feature), a probe of the kernel's support, and closing
 * many links at once. It must not load gotl's programs or decide what to
 * probe: probeset.c does.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "umulti.h"

/* union bpf_attr's link_create, as far as uprobe_multi uses it (Linux 6.6+). */
struct umulti_attr {
	uint32_t prog_fd;
	uint32_t target_fd;
	uint32_t attach_type;
	uint32_t flags;
	uint64_t path;	  /* const char * */
	uint64_t offsets; /* const unsigned long * */
	uint64_t ref_ctr_offsets;
	uint64_t cookies; /* const __u64 * */
	uint32_t cnt;
	uint32_t uflags; /* BPF_F_UPROBE_MULTI_RETURN: never here */
	uint32_t pid;
	uint32_t pad;
};

_Static_assert(sizeof(struct umulti_attr) == 64, "link_create.uprobe_multi ends at 60");
_Static_assert(offsetof(struct umulti_attr, path) == 16, "the union starts at 16");
_Static_assert(sizeof(unsigned long) == sizeof(uint64_t), "offsets are unsigned long");

static int link_create(int prog_fd, const char *path, const uint64_t *offsets,
		       const uint64_t *cookies, size_t cnt, uint32_t pid)
{
	struct umulti_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_fd = (uint32_t)prog_fd;
	a.attach_type = UMULTI_ATTACH_TYPE;
	a.path = (uint64_t)(uintptr_t)path;
	a.offsets = (uint64_t)(uintptr_t)offsets;
	a.cookies = (uint64_t)(uintptr_t)cookies;
	a.cnt = (uint32_t)cnt;
	a.pid = pid;
	fd = (int)syscall(__NR_bpf, BPF_LINK_CREATE, &a, sizeof(a));
	return fd < 0 ? -errno : fd;
}

static int probe(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, lo, .expected_attach_type = UMULTI_ATTACH_TYPE);
	uint64_t off = 0;
	int prog, fd, ok;

	prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, NULL, "GPL", insns, 2, &lo);
	if (prog < 0)
		return 0;
	/* "/" is no regular file: a kernel with uprobe_multi says EBADF. */
	fd = link_create(prog, "/", &off, NULL, 1, 0);
	ok = fd == -EBADF;
	if (fd >= 0)
		close(fd);
	/*
	 * Before Linux 6.9 the pid filter matched one thread, not the process:
	 * a kernel with the fix refuses pid -1 (EINVAL) before it looks at the path.
	 */
	if (ok) {
		fd = link_create(prog, "/", &off, NULL, 1, (uint32_t)-1);
		ok = fd == -EINVAL;
		if (fd >= 0)
			close(fd);
	}
	close(prog);
	return ok;
}

bool umulti__supported(void)
{
	static int known = -1;
	const char *off = getenv("GOTL_NO_UPROBE_MULTI");

	/* The tests' way to the perf_event fallback on a kernel that has both. */
	if (off && *off && strcmp(off, "0"))
		return false;
	if (known < 0)
		known = probe();
	return known;
}

int umulti__attach(int prog_fd, const char *path, const uint64_t *offsets, const uint64_t *cookies,
		   size_t cnt, pid_t pid)
{
	if (!cnt || pid < 0)
		return -EINVAL;
	return link_create(prog_fd, path, offsets, cookies, cnt, (uint32_t)pid);
}

static void *close_one(void *fd)
{
	close((int)(intptr_t)fd);
	return NULL;
}

void umulti__close(const int *fds, size_t n)
{
	pthread_t th[64];
	bool started[64] = { false };
	size_t i;

	for (i = 0; i < n; i++) {
		if (fds[i] < 0)
			continue;
		if (i < 64 && !pthread_create(&th[i], NULL, close_one, (void *)(intptr_t)fds[i]))
			started[i] = true;
		else
			close(fds[i]);
	}
	for (i = 0; i < n && i < 64; i++)
		if (started[i])
			pthread_join(th[i], NULL);
}
