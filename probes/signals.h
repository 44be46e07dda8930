/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * signals: what gotl does with the signals it gets while it records.
 * Launch mode: SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 sent
 * to gotl are forwarded to the program; those typed at the terminal reach
 * the program as they would without gotl, and are left to it. Attach mode:
 * the first SIGINT, SIGTERM or SIGHUP asks the recording to stop; once it
 * stops, SIGINT or SIGTERM ends gotl at once (one line naming the raw log,
 * exit 128+N); the other three keep their default actions. With record
 * --flight, SIGUSR1 (in both modes) asks for a dump and is not forwarded.
 * Process-wide state, one recording at a time.
 */
#ifndef GOTL_SIGNALS_H
#define GOTL_SIGNALS_H

#include <stdbool.h>
#include <sys/types.h>

struct record_opts;

/* Install the handlers for o's mode (o->pid: attach). */
void signals__install(const struct record_opts *o);
/* Every signal above back to its default action (also in the child, before exec). */
void signals__restore(void);
/* Launch mode: the program signals are forwarded to (0: none). */
void signals__set_child(pid_t pid);
/* Launch mode: send the program the signals gotl got since the last call. */
void signals__forward(void);
/* Attach mode: has a signal asked to stop? (Launch mode: has signals__stop been called?) */
bool signals__stop_requested(void);
/* record --flight: has SIGUSR1 asked for a dump since the last call? */
bool signals__dump_requested(void);
/* The recording stops: from now on, attached, SIGINT or SIGTERM ends gotl at once. */
void signals__stop(void);
/*
 * Wait for the launched program pid to exit, forwarding signals meanwhile;
 * its wait status (0 if it cannot be waited for).
 */
int signals__wait_child(pid_t pid);

#endif /* GOTL_SIGNALS_H */
