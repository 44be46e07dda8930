// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * signals.c: gotl's signal handling while it records (see signals.h). The
 * handler only sets flags, except for the one that ends gotl at once,
 * which uses async-signal-safe calls only. It must not signal a process it
 * attached to: only a program gotl launched gets signals from it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "record.h"
#include "signals.h"

#define WAIT_MS		10

static volatile sig_atomic_t child_pid;
static volatile sig_atomic_t forward_pending[_NSIG];
static volatile sig_atomic_t attached;	     /* attach mode: SIGINT/SIGTERM/SIGHUP stop */
static volatile sig_atomic_t stop_requested; /* the recording ends */
static const char *kept_log;		     /* attach mode: what a second signal leaves */
static bool erase_status_line;		     /* o->progress: the line end_now writes over */
static volatile sig_atomic_t flight;	     /* record --flight: SIGUSR1 asks for a dump */
static volatile sig_atomic_t dump_requested;

static void write_str(const char *s)
{
	ssize_t n = write(2, s, strlen(s));

	(void)n;
}

/*
 * Attach mode: SIGINT or SIGTERM while gotl already stops ends it at once,
 * in the signal handler (async-signal-safe calls only); the log has what
 * was flushed. The probes go when the last copy of their fds is closed,
 * which takes ~0.1 s per perf_event uprobe: a child that outlives gotl,
 * its stdio on /dev/null, closes them, and gotl ends now.
 */
static void end_now(int sig)
{
	struct timespec ms = { 0, 1000000 };
	pid_t parent = getpid();
	int fd;

	if (erase_status_line)
		write_str("\r\033[K");
	write_str("gotl: ");
	write_str(sig == SIGINT ? "SIGINT" : "SIGTERM");
	if (flight) {
		write_str(" while stopping: stopped at once, without the last dump\n");
	} else {
		write_str(" while stopping: stopped at once; the raw event log is kept in ");
		write_str(kept_log);
		write_str("\n");
	}
	if (fork() == 0) {
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		while (getppid() == parent)
			nanosleep(&ms, NULL);
		_exit(0);
	}
	_exit(128 + sig);
}

/*
 * Launch mode: signals typed at the terminal (si_code SI_KERNEL) went to
 * the whole foreground process group, the program included: leave them to
 * it. A signal someone sent to gotl itself is forwarded to the program.
 * Attach mode: the first SIGINT, SIGTERM or SIGHUP stops the recording.
 */
static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (flight && sig == SIGUSR1) {
		dump_requested = 1;
		return;
	}
	if (attached) {
		if (stop_requested && sig != SIGHUP)
			end_now(sig);
		stop_requested = 1;
		return;
	}
	if (si->si_code == SI_KERNEL)
		return;
	if (child_pid && si->si_pid == child_pid)
		return;
	forward_pending[sig] = 1;
}

/* Launch mode forwards these; attach mode handles the first three. */
static const int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
#define NSIGNALS	(sizeof(forwarded_signals) / sizeof(forwarded_signals[0]))
#define ATTACH_SIGNALS	3

void signals__install(const struct record_opts *o)
{
	struct sigaction sa;
	size_t i, n = o->pid ? ATTACH_SIGNALS : NSIGNALS;

	attached = o->pid != 0;
	stop_requested = 0;
	child_pid = 0;
	kept_log = o->log_path;
	erase_status_line = o->progress;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < n; i++)
		sigaction(forwarded_signals[i], &sa, NULL);
	flight = o->flight != NULL;
	dump_requested = 0;
	if (flight)
		sigaction(SIGUSR1, &sa, NULL);
}

void signals__restore(void)
{
	size_t i;

	for (i = 0; i < NSIGNALS; i++)
		signal(forwarded_signals[i], SIG_DFL);
	attached = 0;
	flight = 0;
}

bool signals__dump_requested(void)
{
	if (!dump_requested)
		return false;
	dump_requested = 0;
	return true;
}

void signals__set_child(pid_t pid)
{
	child_pid = pid;
}

void signals__forward(void)
{
	size_t i;

	for (i = 0; i < NSIGNALS; i++) {
		int sig = forwarded_signals[i];

		if (forward_pending[sig]) {
			forward_pending[sig] = 0;
			if (child_pid)
				kill(child_pid, sig);
		}
	}
}

bool signals__stop_requested(void)
{
	return stop_requested;
}

void signals__stop(void)
{
	stop_requested = 1;
}

/* nanosleep, unlike waitpid under SA_RESTART, returns to forward a signal. */
int signals__wait_child(pid_t pid)
{
	struct timespec ts = { 0, WAIT_MS * 1000000L };
	int status = 0;
	pid_t w;

	for (;;) {
		signals__forward();
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR))
			return w == pid ? status : 0;
		nanosleep(&ts, NULL);
	}
}
