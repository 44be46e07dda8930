/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * spawn: the program gotl launches. A child is forked first and waits,
 * so that the probes can go on its pid before it runs anything; then it is
 * let go: it drops root under sudo (unless as_root) and execs the program
 * with gotl's stdin, stdout, stderr, environment and process group. Pure:
 * never prints (the recorder says what failed).
 */
#ifndef GOTL_SPAWN_H
#define GOTL_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

struct spawn {
	pid_t pid;  /* the child, waiting until spawn__exec */
	int go_fd;  /* gotl's end of the go-ahead pipe */
	int err_fd; /* where the child says why it could not exec */
};

/* What spawn__exec could not do. */
#define SPAWN_GO	0	/* tell the child to go (gotl's pipe) */
#define SPAWN_USER	1	/* become the user who ran sudo */
#define SPAWN_EXEC	2	/* exec the program */

/*
 * Fork a child that will exec path with argv (argv[0] as typed). Signals
 * are back to their defaults in it. Returns 0 or -errno (nothing forked).
 */
int spawn__new(const char *path, char *const argv[], bool as_root, struct spawn **out);

/*
 * Let the child exec. Returns 0 when it runs the program; else -errno with
 * what failed in *stage (SPAWN_*): after SPAWN_USER and SPAWN_EXEC the
 * child has exited and been reaped.
 */
int spawn__exec(struct spawn *s, int *stage);

/* Close gotl's ends (a child not let go exits without exec) and free. NULL-safe. */
void spawn__free(struct spawn *s);

#endif /* GOTL_SPAWN_H */
