// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * flightrec.c: the flight recorder (flight.c) in a recording, record
 * --flight: the log goes to it rather than to a file; each turn of the
 * wait loop moves its window on and writes a dump on SIGUSR1; the end of
 * the recording writes the last one, named by how the program ended. It
 * must not change how the program is recorded, only where the log goes.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include "diag.h"
#include "flight.h"
#include "logw.h"
#include "record.h"
#include "recorder.h"
#include "signals.h"

int recorder__flight_open(struct recorder *r)
{
	int err = flight__new(r->o->flight, &r->flight);

	if (!err)
		err = logw__open_sink(flight__sink, r->flight, &r->log);
	if (err)
		diag("cannot start the flight recorder: %s", strerror(-err));
	return err ? RECORD_FAILED : 0;
}

bool recorder__flight_tick(struct recorder *r)
{
	uint64_t now = clock_ns(CLOCK_BOOTTIME);

	if (!r->flight)
		return false;
	if (flight__done(r->flight))
		return true;
	flight__tick(r->flight, now);
	if (signals__dump_requested())
		flight__dump(r->flight, now, "SIGUSR1");
	if (!flight__done(r->flight))
		return false;
	diag("the last dump --max-dumps allows is written: the recording stops%s",
	     r->o->pid ? "" : " (the program runs on without probes)");
	return true;
}

/*
 * Attached: how a process that is not gotl's child ended, while it is a
 * zombie (its parent has not reaped it yet): /proc/PID/stat's exit_code
 * (field 52), a wait(2) status. -1 if that cannot be known any more.
 */
static int zombie_status(pid_t pid)
{
	char path[64], buf[2048], *p, *save = NULL;
	size_t n;
	FILE *f;
	int k;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p || strncmp(p, ") Z ", 4))
		return -1;
	/* Fields from the state on: the 3rd is the state, the 52nd exit_code. */
	p = strtok_r(p + 2, " ", &save);
	for (k = 3; p && k < 52; k++)
		p = strtok_r(NULL, " ", &save);
	return p ? atoi(p) : -1;
}

/* How the program ended, for the last dump's trigger. */
static void end_why(const struct recorder *r, int status, bool exited, bool failed, char *buf,
		    size_t len)
{
	if (exited && r->o->pid)
		status = zombie_status(r->o->pid);
	if (failed)
		snprintf(buf, len, "the recording broke off");
	else if (r->o->pid && (!exited || status < 0))
		snprintf(buf, len, exited ? "the process exited" : "the end of the recording");
	else if (!exited)
		snprintf(buf, len, "the end of the recording");
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "the program died of signal %d (SIG%s)", WTERMSIG(status),
			 sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
	else if (WEXITSTATUS(status) == 2)
		snprintf(buf, len,
			 "the program exited with status 2 (as a Go panic or fatal "
			 "error does)");
	else
		snprintf(buf, len, "the program exited with status %d", WEXITSTATUS(status));
}

void recorder__flight_end(struct recorder *r, int status, bool exited, bool failed)
{
	char why[128];
	uint64_t ts = clock_ns(CLOCK_BOOTTIME);

	if (!r->flight)
		return;
	end_why(r, status, exited, failed, why, sizeof(why));
	flight__ended(r->flight, &ts);
	flight__dump(r->flight, ts, why);
}
