// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * top.c: `gotl top -p PID`: a live view of a running Go process's
 * goroutines, like top: a census every --every (1 s), then goroutines by
 * state and by wait reason, the groups (creation site + block site + wait
 * reason) with their count, their change since the last refresh and how
 * long the oldest one has been blocked, sorted by growth, and what reading
 * cost. On a terminal it redraws one screen (cut to its width, 80 columns
 * is enough) and `q` quits; otherwise it prints one plain block per
 * refresh. Never writes to the process; the terminal is put back as it
 * was however top ends.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "census.h"
#include "gview.h"
#include "cli.h"

#define TOP_EVERY	1000000000ull
#define TOP_DEPTH	32	/* frames read per goroutine: enough to reach the user's code */
#define PLAIN_GROUPS	20
#define LINE_MAX_TOP	512

static const char usage_top[] =
	"usage: gotl top -p PID [--every DUR] [-d DUR] [-n N]\n"
	"\n"
	"A live view of the goroutines of the running Go process PID, like top: every\n"
	"DUR (default 1s) their census, read from the process's memory without\n"
	"stopping it, shows\n"
	"  - the goroutines by state and, for those waiting, by wait reason;\n"
	"  - the groups: goroutines with the same creation site, the same place where\n"
	"    they wait (the innermost frame of their stack in the program's own code)\n"
	"    and the same state or wait reason, with their count, the change since the\n"
	"    last refresh and how long the oldest one has been blocked (at least),\n"
	"    those that grew most first;\n"
	"  - what reading them cost (time, gotl's CPU time, bytes and reads).\n"
	"On a terminal the screen is redrawn at each refresh, space refreshes at once\n"
	"and `q` (or Ctrl-C) quits; when stdout is not a terminal, each refresh prints\n"
	"one plain block.\n"
	"top ends when the process exits (status 0). The runtime's own goroutines\n"
	"are left out, as in Go's dumps. How long a goroutine has been blocked is\n"
	"what gotl saw across refreshes and the runtime noted (see `gotl watch\n"
	"--help`).\n"
	"\n"
	"Needs root or CAP_SYS_PTRACE (not CAP_BPF).\n"
	"\n"
	"options:\n"
	"  -p, --pid PID       the process\n"
	"      --every DUR     time between refreshes (default 1s; e.g. 500ms, 5s)\n"
	"  -d, --duration DUR  stop after DUR\n"
	"  -n, --groups N      groups in each plain block (default 20; a terminal shows\n"
	"                      as many as fit)\n"
	"  -h, --help          this help\n"
	"\n"
	"exit status:\n"
	"  0     q, Ctrl-C, -d or the process's exit ended it\n"
	"  1     the process's memory cannot be read\n"
	"  2     bad usage, no such process, or not a Go program\n"
	"\n"
	"examples:\n"
	"  sudo gotl top -p $(pidof server)\n"
	"  sudo gotl top -p 1234 --every 5s -d 1m > top.log\n";

struct top {
	struct census *c;
	struct gview *v;
	pid_t pid;
	const char *comm, *go_version;
	uint64_t every;
	bool tty;
	int rows, cols;
	int groups;	 /* in a plain block */
	uint32_t *order; /* groups, by growth */
	size_t caporder;
	char line[LINE_MAX_TOP];
	struct termios saved;
	bool raw;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ----------------------------------------------------------- the screen */

/* One line of output: on a terminal cut to its width, then cleared to its end. */
static void out_line(struct top *t, int *row, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void out_line(struct top *t, int *row, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->tty && *row >= t->rows)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->line, sizeof(t->line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (t->tty) {
		/* one column short of the width: a full line would wrap on some terminals */
		if (t->cols > 1 && n >= t->cols)
			t->line[t->cols - 1] = 0;
		fputs(*row ? "\r\n" : "", stdout);
		fputs(t->line, stdout);
		fputs("\033[K", stdout);
	} else {
		puts(t->line);
	}
	(*row)++;
}

static void screen_size(struct top *t)
{
	struct winsize ws;

	t->rows = 24;
	t->cols = 80;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		t->rows = ws.ws_row;
		t->cols = ws.ws_col;
	}
}

static struct top *restore_me;

static void restore_terminal(void)
{
	struct top *t = restore_me;

	if (!t || !t->tty)
		return;
	fputs("\033[?25h\033[?1049l", stdout);
	fflush(stdout);
	if (t->raw)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &t->saved);
	t->raw = false;
	restore_me = NULL;
}

static void setup_terminal(struct top *t)
{
	static bool registered;
	struct termios tio;

	restore_me = t;
	if (!registered)
		atexit(restore_terminal);
	registered = true;
	if (isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &t->saved)) {
		tio = t->saved;
		tio.c_lflag &= ~(tcflag_t)(ICANON |
					   ECHO); /* keys one by one, unechoed; ISIG stays */
		tio.c_cc[VMIN] = 0;
		tio.c_cc[VTIME] = 0;
		if (!tcsetattr(STDIN_FILENO, TCSAFLUSH, &tio))
			t->raw = true;
	}
	fputs("\033[?1049h\033[?25l", stdout); /* the alternate screen, no cursor */
}

/* Groups by growth, then size, then the oldest wait. */
static int by_growth(const void *a, const void *b, void *ctx)
{
	const struct gview *v = ctx;
	struct lw_group x, y;

	leakwatch__group(v->lw, *(const uint32_t *)a, &x);
	leakwatch__group(v->lw, *(const uint32_t *)b, &y);
	if (x.change != y.change)
		return x.change > y.change ? -1 : 1;
	if (x.n != y.n)
		return x.n > y.n ? -1 : 1;
	if (x.oldest_ns != y.oldest_ns)
		return x.oldest_ns > y.oldest_ns ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

static void human_bytes(uint64_t n, char *buf, size_t len)
{
	if (n >= (10ull << 20))
		snprintf(buf, len, "%lluMiB", (unsigned long long)(n >> 20));
	else if (n >= (10ull << 10))
		snprintf(buf, len, "%lluKiB", (unsigned long long)(n >> 10));
	else
		snprintf(buf, len, "%lluB", (unsigned long long)n);
}

/* "waiting: 1000 chan receive, 200 select, ...": the reasons, largest first. */
static void reasons_line(struct top *t, int *row)
{
	const struct gview *v = t->v;
	bool used[256] = { 0 };
	char buf[LINE_MAX_TOP];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "waiting:");
	int k, first = 1;

	for (k = 0; k < 256; k++) {
		size_t best = 0;
		int r, pick = -1;

		for (r = 0; r < 256; r++)
			if (!used[r] && v->by_reason[r] > best) {
				best = v->by_reason[r];
				pick = r;
			}
		if (pick < 0)
			break;
		used[pick] = true;
		if (n < sizeof(buf))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s %zu %s",
					      first ? "" : ",", best,
					      pick ? census__reason(v->c, (uint8_t)pick) :
						     "(no reason)");
		first = 0;
	}
	if (first)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, " none");
	out_line(t, row, "%s", buf);
}

static void draw(struct top *t)
{
	const struct gview *v = t->v;
	static const uint8_t states[] = { GOTL_G_RUNNING, GOTL_G_RUNNABLE,  GOTL_G_SYSCALL,
					  GOTL_G_WAITING, GOTL_G_PREEMPTED, GOTL_G_COPYSTACK,
					  GOTL_G_LEAKED };
	char buf[LINE_MAX_TOP], bytes[32], wall[32], cpu[32], clock[16];
	size_t i, ng = leakwatch__count(v->lw), n;
	time_t wallclock = (time_t)(v->real_ns / 1000000000ull);
	struct tm tm;
	int row = 0, max, shown;

	if (t->tty) {
		screen_size(t);
		fputs("\033[H", stdout);
	} else if (v->censuses > 1) {
		putchar('\n');
	}
	localtime_r(&wallclock, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	gview__dur((int64_t)t->every, wall, sizeof(wall));
	out_line(t, &row, "gotl top  pid %d (%s, %s)  %s  every %s%s", (int)t->pid, t->comm,
		 t->go_version, clock, wall, t->tty ? "  q: quit" : "");
	n = (size_t)snprintf(buf, sizeof(buf), "%zu goroutines:", v->n);
	for (i = 0; i < sizeof(states); i++)
		if (v->by_state[states[i]] || states[i] <= GOTL_G_WAITING)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, " %zu %s,",
					      v->by_state[states[i]], census__state(states[i]));
	buf[n - 1] = 0;
	if (v->hidden)
		snprintf(buf + n - 1, sizeof(buf) - n + 1, " (+%zu runtime)", v->hidden);
	out_line(t, &row, "%s", buf);
	reasons_line(t, &row);
	human_bytes(v->cost.bytes, bytes, sizeof(bytes));
	snprintf(wall, sizeof(wall), "%.1fms", (double)v->cost.wall_ns / 1e6);
	snprintf(cpu, sizeof(cpu), "%.1fms", (double)v->cost.cpu_ns / 1e6);
	out_line(t, &row, "read in %s (%s cpu): %s, %llu reads, %u read again, %zu unsettled", wall,
		 cpu, bytes, (unsigned long long)v->cost.syscalls, v->cost.reread, v->unsettled);
	out_line(t, &row, "%s", "");
	out_line(t, &row, "%6s %6s %7s  %-14s %s", "COUNT", "CHANGE", "OLDEST", "STATE",
		 "START <- CREATED AT, WAITING AT");

	if (ng > t->caporder) {
		void *p = realloc(t->order, ng * sizeof(*t->order));

		if (!p)
			ng = t->caporder;
		else {
			t->order = p;
			t->caporder = ng;
		}
	}
	for (i = 0; i < ng; i++)
		t->order[i] = (uint32_t)i;
	qsort_r(t->order, ng, sizeof(*t->order), by_growth, (void *)v);
	max = t->tty ? t->rows - row : t->groups;
	for (i = 0, shown = 0; i < ng && shown < max; i++, shown++) {
		struct lw_group g;
		const struct gv_g *m;
		char change[16], oldest[32], where[LINE_MAX_TOP];
		size_t k;

		leakwatch__group(v->lw, t->order[i], &g);
		m = &v->gs[g.members[0]];
		if (v->censuses > 1)
			snprintf(change, sizeof(change), "%+lld", (long long)g.change);
		else
			snprintf(change, sizeof(change), "-");
		/* 0: not seen blocked across two censuses yet, and no GC noted it: unknown. */
		if (g.oldest_ns)
			gview__dur(g.oldest_ns, oldest, sizeof(oldest));
		else
			snprintf(oldest, sizeof(oldest), "-");
		k = (size_t)snprintf(where, sizeof(where), "%s", m->start ? m->start : "?");
		if (m->created && k < sizeof(where))
			k += (size_t)snprintf(where + k, sizeof(where) - k, " <- %s:%d",
					      gview__base(m->created->file), m->created->line);
		if (m->at && k < sizeof(where))
			snprintf(where + k, sizeof(where) - k, ", %s:%d", gview__base(m->at->file),
				 m->at->line);
		out_line(t, &row, "%6u %6s %7s  %-14.14s %s", g.n, change, oldest,
			 gview__what(v, m), where);
	}
	if (!t->tty && i < ng)
		out_line(t, &row, "(%zu more group%s)", ng - i, ng - i == 1 ? "" : "s");
	if (t->tty)
		fputs("\033[J", stdout);
	fflush(stdout);
}

/* ------------------------------------------------------------- the loop */

static int parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

static void read_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	snprintf(buf, len, "?");
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

int cmd_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "every", required_argument, NULL, 'e' },
		{ "duration", required_argument, NULL, 'd' },
		{ "groups", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct census_opts co = { .max_frames = TOP_DEPTH, .retries = 2 };
	struct top t = { .every = TOP_EVERY, .groups = PLAIN_GROUPS };
	const struct census_snap *s;
	uint64_t duration = 0, start, next;
	struct pollfd pfd[3];
	char err[512], comm[64];
	int c, ret, status = 0, sfd = -1, pidfd = -1;
	bool exited = false;
	sigset_t mask;
	long v;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:d:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_int(optarg, 1, INT32_MAX, &v))
				return cli_bad_usage("top ", "invalid --pid '%s'", optarg);
			t.pid = (pid_t)v;
			break;
		case 'e':
			if (cli_parse_duration(optarg, &t.every) || t.every < 10000000ull)
				return cli_bad_usage("top ",
						     "invalid --every '%s': want e.g. 1s, "
						     "500ms (10ms at least)",
						     optarg);
			break;
		case 'd':
			if (cli_parse_duration(optarg, &duration))
				return cli_bad_usage("top ",
						     "invalid --duration '%s': want e.g. 30s, "
						     "2m",
						     optarg);
			break;
		case 'n':
			if (parse_int(optarg, 1, 100000, &v))
				return cli_bad_usage("top ", "invalid --groups '%s'", optarg);
			t.groups = (int)v;
			break;
		case 'h':
			fputs(usage_top, stdout);
			return 0;
		default:
			return cli_bad_option("top ", c, argv);
		}
	}
	if (optind < argc)
		return cli_bad_usage("top ", "unexpected argument '%s' (the process is -p PID)",
				     argv[optind]);
	if (!t.pid)
		return cli_bad_usage("top ", "no process given (-p PID)");

	ret = census__new(t.pid, NULL, &co, &t.c, err, sizeof(err));
	if (ret) {
		cli_warn("%s", err);
		return ret == -ESRCH || ret == -EPROTONOSUPPORT || ret == -ENOTSUP ||
				       ret == -ENOEXEC || ret == -ENOENT ?
			       2 :
			       1;
	}
	if (gview__new(t.c, 0, &t.v)) {
		cli_warn("out of memory");
		census__free(t.c);
		return 1;
	}
	read_comm(t.pid, comm, sizeof(comm));
	t.comm = comm;
	{
		struct census_info in;

		census__info(t.c, &in);
		t.go_version = in.go_version;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGWINCH);
	sigaddset(&mask, SIGTSTP);
	sigaddset(&mask, SIGCONT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	pidfd = (int)syscall(SYS_pidfd_open, t.pid, 0);
	t.tty = isatty(STDOUT_FILENO);
	if (t.tty)
		setup_terminal(&t);

	start = next = now_ns();
	for (;;) {
		uint64_t now = now_ns();
		int timeout, np = 0;

		if (now >= next) {
			ret = census__take(t.c, &s, err, sizeof(err));
			if (ret == -ESRCH) {
				exited = true;
				break;
			}
			if (ret || gview__update(t.v, s)) {
				restore_terminal();
				cli_warn("%s", ret ? err : "out of memory");
				status = 1;
				break;
			}
			draw(&t);
			while (next <= now_ns())
				next += t.every;
		}
		if (duration && now_ns() >= start + duration)
			break;
		now = now_ns();
		timeout = (int)((next - now + 999999) / 1000000);
		if (duration && start + duration < next)
			timeout = start + duration > now ?
					  (int)((start + duration - now + 999999) / 1000000) :
					  0;
		if (sfd >= 0)
			pfd[np++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		if (pidfd >= 0)
			pfd[np++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		if (t.raw)
			pfd[np++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		if (poll(pfd, (nfds_t)np, timeout) <= 0)
			continue;
		for (int k = 0; k < np; k++) {
			if (!(pfd[k].revents & (POLLIN | POLLHUP)))
				continue;
			if (pfd[k].fd == sfd) {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo == SIGTSTP) {
					/* Ctrl-Z: the terminal as it was while stopped, then ours again */
					if (t.tty) {
						restore_terminal();
						kill(getpid(), SIGSTOP);
						setup_terminal(&t);
					} else {
						kill(getpid(), SIGSTOP);
					}
				}
				if (si.ssi_signo == SIGWINCH || si.ssi_signo == SIGTSTP ||
				    si.ssi_signo == SIGCONT) {
					if (t.v->censuses)
						draw(&t);
					continue;
				}
				goto done;
			}
			if (pfd[k].fd == pidfd) {
				exited = true;
				goto done;
			}
			if (pfd[k].fd == STDIN_FILENO) {
				char keys[64];
				ssize_t r = read(STDIN_FILENO, keys, sizeof(keys));

				if (r <= 0)
					goto done; /* the terminal went away */
				if (memchr(keys, 'q', (size_t)r) || memchr(keys, 'Q', (size_t)r))
					goto done;
				if (memchr(keys, ' ', (size_t)r))
					next = now_ns(); /* refresh now */
			}
		}
	}
done:
	restore_terminal();
	if (exited)
		cli_warn("process %d exited", (int)t.pid);
	if (sfd >= 0)
		close(sfd);
	if (pidfd >= 0)
		close(pidfd);
	free(t.order);
	gview__free(t.v);
	census__free(t.c);
	return status;
}
