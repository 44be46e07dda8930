// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * follow.c: --follow. The main recorder's exec tracepoint stops a followed
 * process at its exec (GOTL_EXEC_STOPPED); here, after the drain that saw
 * it, the program it became gets a recorder of its own: a plan, a probe
 * set, a log next to the main one (named in it), then SIGCONT. A program
 * ends at its exit, its next exec or the end of the recording; its probes
 * go on a thread of their own. Whatever happens, a stopped process is
 * continued: this file must never leave one stopped.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "gotl/event.h"
#include "diag.h"
#include "logw.h"
#include "record.h"
#include "recorder.h"

/* --follow: an exec to act on after this drain (the process waits, stopped). */
void follow__queue(struct recorder *r, const struct gotl_ev_exec *x)
{
	struct gotl_ev_exec *p = realloc(r->pending, (size_t)(r->npending + 1) * sizeof(*p));

	if (!p) {
		if (x->flags & GOTL_EXEC_STOPPED)
			kill((pid_t)x->pid, SIGCONT);
		return;
	}
	r->pending = p;
	r->pending[r->npending++] = *x;
}

static void *reap(void *s)
{
	recorder__free(s);
	return NULL;
}

/*
 * A followed program ends: it exited (EXITED, with NO_STATUS unless gotl is
 * its parent), exec'd x, or the recording is over (DETACHED). Its probes go.
 */
void follow__end(struct recorder *s, uint32_t flags, uint32_t status, const struct gotl_ev_exec *x)
{
	struct gotl_rec_end end = { .hdr = { .type = GOTL_REC_END, .size = sizeof(end) } };
	struct gotl_rec_stats st;
	int err;

	end.hdr.ts = recorder__end_log(s, &st);
	if (x)
		logw__append(s->log, x, sizeof(*x));
	end.flags = flags;
	end.status = status;
	logw__append(s->log, &end, sizeof(end));
	err = logw__close(s->log);
	s->log = NULL;
	if (err)
		diag("cannot write '%s': %s", s->log_path, strerror(-err));
	if (s->o->verbose)
		diag("process %d (%s): %llu events in %s", (int)s->pid, s->exe,
		     (unsigned long long)s->events, s->log_path);
	s->ended = true;
	/* Its probes take up to ~1 s to go: not on the thread that drains the others. */
	s->reaping = !pthread_create(&s->reaper, NULL, reap, s);
	if (!s->reaping)
		recorder__free(s);
}

static struct recorder *active_sub(struct recorder *m, pid_t pid)
{
	int i;

	for (i = 0; i < m->nsubs; i++)
		if (!m->subs[i]->ended && m->subs[i]->pid == pid)
			return m->subs[i];
	return NULL;
}

/* Is the process gone? (pidfd readable) */
bool follow__gone(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return pidfd >= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/*
 * A followed process exec'd x->filename, and waits stopped (GOTL_EXEC_STOPPED)
 * before its first instruction: if it is a Go program, record it into a log
 * of its own, next to the main one, with its probes in place before it runs;
 * then let it go. Whatever happens, it is continued.
 */
static void start_sub(struct recorder *m, const struct gotl_ev_exec *x)
{
	pid_t pid = (pid_t)x->pid;
	bool stopped = x->flags & GOTL_EXEC_STOPPED;
	struct recorder *s, **subs;
	char path[PATH_MAX + 32], buf[PATH_MAX + 32];
	int i, n = 0, ret;

	for (i = 0; i < m->nsubs; i++)
		n += m->subs[i]->pid == pid;
	subs = realloc(m->subs, (size_t)(m->nsubs + 1) * sizeof(*subs));
	s = calloc(1, sizeof(*s));
	if (!subs || !s) {
		free(s);
		if (subs)
			m->subs = subs;
		diag("warning: out of memory: process %d is not followed", (int)pid);
		goto out;
	}
	m->subs = subs;
	m->subs[m->nsubs++] = s;
	s->o = m->o;
	s->pid = pid;
	s->followed = true;
	s->stopped = stopped;
	s->pidfd = -1;
	if (n)
		snprintf(path, sizeof(path), "%s.%d-%d", m->log_path, (int)pid, n + 1);
	else
		snprintf(path, sizeof(path), "%s.%d", m->log_path, (int)pid);
	s->log_path = strdup(path);
	if (!s->log_path)
		goto fail;
	ret = recorder__prepare(s);
	if (ret)
		goto fail;
	ret = recorder__attach(s, pid);
	if (ret)
		goto fail;
	snprintf(buf, sizeof(buf), "%d %s", (int)m->pid, m->log_path);
	logw__meta(s->log, "followed_by", buf);
	/* Not stopped (the signal failed): it may have run already, as in attach mode. */
	recorder__write_start(s, pid,
			      GOTL_START_FOLLOWED |
				      (stopped ? GOTL_START_LAUNCHED : GOTL_START_ATTACHED));
	if (!stopped)
		s->gs_snapshot = recorder__write_snapshot(s, pid, clock_ns(CLOCK_BOOTTIME));
	if (pid != m->pid)
		s->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (logw__flush(s->log)) {
		diag("cannot write '%s'", s->log_path);
		goto fail;
	}
	snprintf(buf, sizeof(buf), "%s", s->log_path);
	logw__meta(m->log, "follow_log", basename(buf));
	goto out;

fail:
	if (s->log) {
		logw__close(s->log);
		s->log = NULL;
		unlink(s->log_path);
	}
	recorder__free(s);
	s->ended = true;
	free((char *)s->log_path);
	s->log_path = NULL; /* not a log: not listed */
out:
	if (stopped)
		kill(pid, SIGCONT);
}

/* The execs the last drain saw: end what each process was, follow what it became. */
void follow__start_pending(struct recorder *m)
{
	int i;

	for (i = 0; i < m->npending; i++) {
		const struct gotl_ev_exec *x = &m->pending[i];
		struct recorder *s = active_sub(m, (pid_t)x->pid);

		if (s)
			follow__end(s, 0, 0, x);
		start_sub(m, x);
	}
	m->npending = 0;
}

/* The recording is over: every program still followed ends with it. */
void follow__end_all(struct recorder *m, bool main_exited, int main_status)
{
	int i;

	for (i = 0; i < m->nsubs; i++) {
		struct recorder *s = m->subs[i];

		if (s->ended)
			continue;
		if (s->pid == m->pid && main_exited && !m->o->pid)
			follow__end(s, GOTL_END_EXITED, (uint32_t)main_status, NULL);
		else if ((s->pid == m->pid && main_exited) || follow__gone(s->pidfd))
			follow__end(s, GOTL_END_EXITED | GOTL_END_NO_STATUS, 0, NULL);
		else
			follow__end(s, GOTL_END_DETACHED, 0, NULL);
	}
	/* Their processes may still be stopped if the recording ended in between. */
	for (i = 0; i < m->npending; i++)
		if (m->pending[i].flags & GOTL_EXEC_STOPPED)
			kill((pid_t)m->pending[i].pid, SIGCONT);
	m->npending = 0;
}
