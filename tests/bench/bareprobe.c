// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bareprobe: run a program with empty uprobes at given file offsets of its
 * binary, attached before its first instruction (as gotl record does), and
 * exit with its status. The trap floor for `make bench`. Test-only.
 *
 *	bareprobe OFFSET[,OFFSET...] -- PROG [ARGS...]
 *
 * Offsets are hex file offsets in PROG (gotl inspect -v prints them). The
 * uprobes are attached the way gotl record attaches its own: one
 * uprobe_multi link where the kernel has them (probes/umulti.c), else a
 * perf_event uprobe each.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "bare.skel.h"
#include "umulti.h"

#define MAX_PROBES 256

int main(int argc, char **argv)
{
	struct bpf_link *links[MAX_PROBES] = { 0 };
	uint64_t offs[MAX_PROBES];
	struct bare_bpf *skel;
	int go[2], n = 0, i, status = 0, ret = 1, mfd = -1;
	bool multi = umulti__supported();
	char *s, *tok, *save = NULL;
	pid_t pid;

	if (argc < 4 || strcmp(argv[2], "--")) {
		fprintf(stderr, "usage: bareprobe OFFSET[,OFFSET...] -- PROG [ARGS...]\n");
		return 2;
	}
	s = strdup(argv[1]);
	for (tok = strtok_r(s, ",", &save); tok && n < MAX_PROBES; tok = strtok_r(NULL, ",", &save))
		offs[n++] = strtoull(tok, NULL, 16);
	skel = bare_bpf__open();
	if (skel && multi)
		bpf_program__set_expected_attach_type(skel->progs.bare, UMULTI_ATTACH_TYPE);
	if (skel && bare_bpf__load(skel)) {
		bare_bpf__destroy(skel);
		skel = NULL;
	}
	if (!skel || pipe(go)) {
		fprintf(stderr, "bareprobe: cannot load the BPF object: %s\n", strerror(errno));
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		char c;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		execv(argv[3], argv + 3);
		_exit(127);
	}
	close(go[0]);
	if (multi) {
		mfd = umulti__attach(bpf_program__fd(skel->progs.bare), argv[3], offs, NULL,
				     (size_t)n, pid);
		if (mfd < 0) {
			fprintf(stderr, "bareprobe: cannot attach: %s\n", strerror(-mfd));
			kill(pid, SIGKILL);
			goto out;
		}
	}
	for (i = 0; !multi && i < n; i++) {
		links[i] = bpf_program__attach_uprobe(skel->progs.bare, false, pid, argv[3],
						      offs[i]);
		if (!links[i]) {
			fprintf(stderr, "bareprobe: cannot attach at 0x%" PRIx64 ": %s\n", offs[i],
				strerror(errno));
			kill(pid, SIGKILL);
			goto out;
		}
	}
	if (write(go[1], "g", 1) != 1)
		goto out;
	close(go[1]);
	if (waitpid(pid, &status, 0) == pid)
		ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	if (mfd >= 0)
		close(mfd);
	for (i = 0; i < n; i++)
		bpf_link__destroy(links[i]);
	bare_bpf__destroy(skel);
	free(s);
	return ret;
}
