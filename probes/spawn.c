// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * spawn.c: fork, wait for the go-ahead, drop privileges, exec (see
 * spawn.h). Between fork and exec the child only reads a pipe, changes its
 * ids and execs: the program's environment, stdio, process group and
 * exit status are its own. It must not attach anything or print.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "signals.h"
#include "spawn.h"

/* Why the child could not become the program (written to gotl through a pipe). */
struct child_err {
	int stage; /* SPAWN_USER or SPAWN_EXEC */
	int err;   /* errno */
};

/*
 * A user or group id from sudo's environment: decimal digits only, below
 * (uid_t)-1. strtoul took "-1", " 7" and 2^32 (which became 0: root).
 */
static int parse_id(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v >= UINT32_MAX)
			return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

/*
 * Under sudo, become the user who ran it (with their groups) before exec,
 * unless as_root. Returns 0 or -errno.
 */
static int drop_privileges(bool as_root)
{
	const char *su = getenv("SUDO_UID"), *sg = getenv("SUDO_GID");
	struct passwd *pw;
	uint32_t uid, gid;

	if (as_root || geteuid() != 0 || !su || !sg)
		return 0;
	if (parse_id(su, &uid) || parse_id(sg, &gid))
		return -EINVAL;
	if (uid == 0)
		return 0;
	pw = getpwuid((uid_t)uid);
	if (pw ? initgroups(pw->pw_name, (gid_t)gid) : setgroups(0, NULL))
		return -errno;
	if (setgid((gid_t)gid) || setuid((uid_t)uid))
		return -errno;
	return 0;
}

/* The child: wait for the go-ahead, then become the program or say why not. */
static void __attribute__((noreturn)) child(int go, int ep, const char *path, char *const argv[],
					    bool as_root)
{
	struct child_err ce = { SPAWN_EXEC, 0 };
	char c;
	ssize_t n;

	signals__restore();
	do
		n = read(go, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(127); /* gotl gave up before exec */
	ce.err = -drop_privileges(as_root);
	if (ce.err) {
		ce.stage = SPAWN_USER;
	} else {
		execv(path, argv);
		ce.err = errno;
	}
	if (write(ep, &ce, sizeof(ce)) < 0)
		_exit(127);
	_exit(127);
}

int spawn__new(const char *path, char *const argv[], bool as_root, struct spawn **out)
{
	int go[2] = { -1, -1 }, ep[2] = { -1, -1 }, err;
	struct spawn *s;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (pipe2(go, O_CLOEXEC) || pipe2(ep, O_CLOEXEC))
		goto fail;
	s->pid = fork();
	if (s->pid < 0)
		goto fail;
	if (s->pid == 0) {
		close(go[1]);
		close(ep[0]);
		child(go[0], ep[1], path, argv, as_root);
	}
	close(go[0]);
	close(ep[1]);
	s->go_fd = go[1];
	s->err_fd = ep[0];
	*out = s;
	return 0;
fail:
	err = -errno;
	if (go[0] >= 0) {
		close(go[0]);
		close(go[1]);
	}
	if (ep[0] >= 0) {
		close(ep[0]);
		close(ep[1]);
	}
	free(s);
	return err;
}

int spawn__exec(struct spawn *s, int *stage)
{
	struct child_err ce;
	ssize_t n;

	*stage = SPAWN_GO;
	if (write(s->go_fd, "g", 1) != 1)
		return -errno;
	close(s->go_fd);
	s->go_fd = -1;
	/* The pipe closes at exec (O_CLOEXEC): no message means the program runs. */
	do
		n = read(s->err_fd, &ce, sizeof(ce));
	while (n < 0 && errno == EINTR);
	close(s->err_fd);
	s->err_fd = -1;
	if (n != sizeof(ce))
		return 0;
	waitpid(s->pid, NULL, 0);
	*stage = ce.stage;
	return ce.err ? -ce.err : -EIO;
}

void spawn__free(struct spawn *s)
{
	if (!s)
		return;
	if (s->go_fd >= 0)
		close(s->go_fd);
	if (s->err_fd >= 0)
		close(s->err_fd);
	free(s);
}
