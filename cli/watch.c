// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * watch.c: `gotl watch -p PID`: a census of a running Go process every
 * --every (10 s) for as long as asked - Ctrl-C, SIGTERM, -d or the
 * process's exit end it - and the leak verdict over all of them, printed at
 * the end (and on SIGUSR1); meanwhile, if asked, a Perfetto trace of the
 * whole period (-o, convert/watchtrace.c) and OpenMetrics at /metrics
 * (--metrics, cli/metrics.c). One thread: a poll loop over the signals,
 * the process's pidfd and the metrics server's sockets, a census when one
 * is due. Memory stays flat however long it runs (the census, leakwatch
 * and the trace writer keep nothing per census). Never writes to the
 * process; the verdict goes to stdout, everything else to stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "census.h"
#include "watchtrace.h"
#include "metrics.h"
#include "watch.h"
#include "cli.h"

#define WATCH_EVERY	(10ull * 1000000000ull)
#define WATCH_DEPTH	32	/* frames read per goroutine: enough to reach the user's code */
#define SUSPECT_NAME	512

static const char usage_watch[] =
	"usage: gotl watch -p PID [--every DUR] [-d DUR] [-o FILE] [--metrics ADDR]\n"
	"                  [--leak-after DUR] [--fail-on-leak] [--json] [-v]\n"
	"\n"
	"Watch the goroutines of the running Go process PID for as long as asked\n"
	"(hours, days): a census every DUR (default 10s), read from the process's\n"
	"memory without stopping it, until Ctrl-C, SIGTERM, -d DUR or the process's\n"
	"exit; then print the leak verdict on stdout (SIGUSR1 prints it at once,\n"
	"without stopping).\n"
	"\n"
	"The verdict, by persistence and growth. Goroutines are grouped by creation\n"
	"site, the place where they wait (the innermost frame of their stack in the\n"
	"program's own code) and wait reason. A group is a leak suspect when its\n"
	"goroutines keep piling up: at least 3 goroutines created during the watch,\n"
	"first seen at 3 different censuses, each blocked longer than --leak-after on\n"
	"a channel, select, lock or cond, and more of them than the goroutines that\n"
	"were blocked that long in the group and then left it. A group whose\n"
	"goroutines have all lived that long without it growing - a signal loop, a\n"
	"ticker, a maintenance loop, an idle worker pool - is long-lived, not a leak.\n"
	"A burst that drains, or a pool made at once, is not a suspect.\n"
	"\n"
	"How long a goroutine has been blocked is known from outside only in part:\n"
	"gotl counts it from the first census that saw it waiting, for as long as\n"
	"later censuses see it waiting at the same place with the same count of\n"
	"times it stopped running (the runtime's g.trackingSeq), and takes the\n"
	"runtime's own note when longer (g.waitsince, set by the first GC that sees\n"
	"a goroutine blocked; a GC runs at least every 2 minutes). It cannot see what\n"
	"happens between two censuses: a worker that wakes and blocks again at the\n"
	"same place a multiple of 256 times between two of them, before a GC notes\n"
	"it, looks blocked throughout (the count is 8 bits).\n"
	"\n"
	"The runtime's own goroutines are left out. Needs root or CAP_SYS_PTRACE (not\n"
	"CAP_BPF).\n"
	"\n"
	"options:\n"
	"  -p, --pid PID         the process\n"
	"      --every DUR       time between censuses (default 10s; e.g. 1s, 500ms)\n"
	"  -d, --duration DUR    stop after DUR (e.g. 1h, 30m)\n"
	"      --leak-after DUR  how long a goroutine must be blocked to count (default\n"
	"                        1m)\n"
	"      --fail-on-leak    exit 1 when there are leak suspects\n"
	"      --json            the verdict as one line of JSON: {\"pid\", \"process\",\n"
	"                        \"go_version\", \"censuses\", \"watched_ns\", \"every_ns\",\n"
	"                        \"leak_after_ns\", \"exited\", \"goroutines\", \"suspects\":\n"
	"                        [group], \"long_lived\": [group]}, a group being\n"
	"                        {\"start_function\", \"created_at\" and \"blocked_at\"\n"
	"                        ({\"function\", \"file\", \"line\"} or null), \"state\",\n"
	"                        \"wait_reason\", \"count\", \"goids\", \"blocked_long\",\n"
	"                        \"created_during_watch\", \"growth_per_hour\",\n"
	"                        \"oldest_wait_ns\", \"left\"}\n"
	"  -o, --output FILE     write a Perfetto trace of the whole watch: counters of\n"
	"                        goroutines alive, by state, by wait reason and of the\n"
	"                        largest groups, each census as an instant with its\n"
	"                        cost, the leak suspects as a track (open it at\n"
	"                        https://ui.perfetto.dev)\n"
	"      --metrics ADDR    serve OpenMetrics at http://ADDR/metrics (e.g.\n"
	"                        127.0.0.1:9464): gotl_goroutines_by_state,\n"
	"                        gotl_goroutines_waiting, gotl_group_goroutines (the 20\n"
	"                        largest groups, their sites as labels),\n"
	"                        gotl_leak_suspects, gotl_leak_suspect_goroutines, what\n"
	"                        the censuses cost; for Prometheus to scrape\n"
	"  -v, --verbose         one line per census on stderr\n"
	"  -h, --help            this help\n"
	"\n"
	"exit status:\n"
	"  0     the watch ended (Ctrl-C, SIGTERM, -d, or the process's exit: the\n"
	"        verdict is still printed)\n"
	"  1     --fail-on-leak and there are suspects, or the process's memory cannot\n"
	"        be read\n"
	"  2     bad usage, no such process, or not a Go program\n"
	"\n"
	"examples:\n"
	"  sudo gotl watch -p $(pidof server) -d 1h -o server.pftrace\n"
	"  sudo gotl watch -p 1234 --every 1s --metrics 127.0.0.1:9464 &\n"
	"  sudo gotl watch -p 1234 -d 10m --json --fail-on-leak > verdict.json\n";

struct watch {
	struct census *c;
	struct gview *v;
	struct watch_meta m;
	struct wtrace *tr;
	struct msrv *ms;
	bool verbose, json;
	char comm[64];
	char **argv; /* the process's command line, for the trace */
	/* per census, reused */
	struct wtrace_count *counts; /* states, reasons, groups, suspects */
	size_t capcounts;
	char *names; /* the suspects' names */
	size_t capnames;
};

static uint64_t clock_of(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

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

static void read_proc(struct watch *w)
{
	char path[64], buf[4096];
	size_t n, i, k = 0, argc = 0;
	FILE *f;

	snprintf(w->comm, sizeof(w->comm), "?");
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)w->m.pid);
	f = fopen(path, "re");
	if (f) {
		if (fgets(w->comm, sizeof(w->comm), f))
			w->comm[strcspn(w->comm, "\n")] = 0;
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)w->m.pid);
	f = fopen(path, "re");
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	for (i = 0; i < n; i++)
		argc += !buf[i];
	w->argv = calloc(argc + 2, sizeof(*w->argv));
	for (i = 0; w->argv && i < n; i += strlen(buf + i) + 1)
		w->argv[k++] = strdup(buf + i);
}

/* ------------------------------------------------------------ each census */

static struct wtrace_count *counts(struct watch *w, size_t n)
{
	if (n > w->capcounts) {
		size_t cap = w->capcounts ? w->capcounts : 256;
		void *p;

		while (cap < n)
			cap *= 2;
		p = realloc(w->counts, cap * sizeof(*w->counts));
		if (!p)
			return NULL;
		w->counts = p;
		w->capcounts = cap;
	}
	return w->counts;
}

static const char *group_name(void *ctx, size_t i, char *buf, size_t len)
{
	struct watch *w = ctx;
	struct lw_group g;

	leakwatch__group(w->v->lw, i, &g);
	return gview__name(w->v, &g, "\xe2\x86\x90", buf, len); /* U+2190, a left arrow */
}

static int trace_census(struct watch *w)
{
	static const uint8_t states[] = { GOTL_G_RUNNING, GOTL_G_RUNNABLE,  GOTL_G_SYSCALL,
					  GOTL_G_WAITING, GOTL_G_PREEMPTED, GOTL_G_COPYSTACK,
					  GOTL_G_LEAKED };
	const struct gview *v = w->v;
	size_t ng = leakwatch__count(v->lw), nr = 0, ns = 0, i, k, at;
	struct wtrace_census c = { .ts = v->boot_ns,
				   .alive = (int64_t)v->n,
				   .group_name = group_name,
				   .ctx = w,
				   .wall_ns = v->cost.wall_ns,
				   .cpu_ns = v->cost.cpu_ns,
				   .bytes = v->cost.bytes,
				   .syscalls = v->cost.syscalls,
				   .unsettled = v->unsettled,
				   .rounds = v->cost.rounds,
				   .reread = v->cost.reread };
	struct wtrace_count *a;

	for (i = 0; i < 256; i++)
		nr += v->by_reason[i] != 0;
	a = counts(w, sizeof(states) + nr + 2 * ng);
	if (!a)
		return -ENOMEM;
	k = 0;
	for (i = 0; i < sizeof(states); i++)
		a[k++] = (struct wtrace_count){ .name = census__state(states[i]),
						.value = (int64_t)v->by_state[states[i]] };
	c.states = a;
	c.nstates = k;
	for (i = 0; i < 256; i++)
		if (v->by_reason[i])
			a[k++] = (struct wtrace_count){
				.name = i ? census__reason(v->c, (uint8_t)i) : "(none)",
				.value = (int64_t)v->by_reason[i]
			};
	c.reasons = a + c.nstates;
	c.nreasons = nr;
	at = k;
	for (i = 0; i < ng; i++) {
		struct lw_group g;

		leakwatch__group(v->lw, i, &g);
		a[k++] = (struct wtrace_count){ .id = g.id, .value = g.n };
	}
	c.groups = a + at;
	c.ngroups = ng;
	at = k;
	for (i = 0; i < ng; i++) {
		struct lw_group g;

		leakwatch__group(v->lw, i, &g);
		if (g.verdict == LW_SUSPECT)
			a[k++] = (struct wtrace_count){ .id = g.id,
							.value = g.n,
							.per_hour = g.per_hour };
	}
	ns = k - at;
	if (ns * SUSPECT_NAME > w->capnames) {
		void *p = realloc(w->names, ns * SUSPECT_NAME);

		if (!p)
			return -ENOMEM;
		w->names = p;
		w->capnames = ns * SUSPECT_NAME;
	}
	for (i = 0, k = at; i < ng; i++) {
		struct lw_group g;

		leakwatch__group(v->lw, i, &g);
		if (g.verdict == LW_SUSPECT) {
			a[k].name = gview__name(v, &g, "\xe2\x86\x90",
						w->names + (k - at) * SUSPECT_NAME, SUSPECT_NAME);
			k++;
		}
	}
	c.suspects = a + at;
	c.nsuspects = ns;
	return wtrace__census(w->tr, &c);
}

static int serve_census(struct watch *w)
{
	char *doc = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&doc, &len);
	int ret;

	if (!f)
		return -ENOMEM;
	watch_openmetrics(f, w->v, &w->m);
	fclose(f);
	ret = doc ? msrv__set(w->ms, doc, len) : -ENOMEM;
	free(doc);
	return ret;
}

static int one_census(struct watch *w, char *err, size_t errlen)
{
	const struct census_snap *s;
	int ret;

	ret = census__take(w->c, &s, err, errlen);
	if (ret)
		return ret;
	if (gview__update(w->v, s)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (!w->m.censuses)
		w->m.first_ns = s->mono_ns;
	w->m.last_ns = s->mono_ns;
	w->m.censuses++;
	w->m.cpu_ns += s->cost.cpu_ns;
	w->m.wall_ns += s->cost.wall_ns;
	w->m.bytes += s->cost.bytes;
	w->m.syscalls += s->cost.syscalls;
	if (w->tr && (ret = trace_census(w))) {
		snprintf(err, errlen, "cannot write the trace: %s", strerror(-ret));
		return ret;
	}
	if (w->ms && serve_census(w)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (w->verbose) {
		size_t i, ns = 0;

		for (i = 0; i < leakwatch__count(w->v->lw); i++) {
			struct lw_group g;

			leakwatch__group(w->v->lw, i, &g);
			ns += g.verdict == LW_SUSPECT;
		}
		cli_warn("census %llu: %zu goroutines in %zu groups, %zu leak suspect%s; read in "
			 "%.2f ms (%.2f ms cpu), %llu bytes",
			 (unsigned long long)w->m.censuses, w->v->n, leakwatch__count(w->v->lw), ns,
			 ns == 1 ? "" : "s", (double)s->cost.wall_ns / 1e6,
			 (double)s->cost.cpu_ns / 1e6, (unsigned long long)s->cost.bytes);
	}
	return 0;
}

/* --------------------------------------------------------------- the loop */

enum { END_ASKED, END_EXITED, END_FAILED };

static int loop(struct watch *w, uint64_t duration, int sfd, int pidfd)
{
	uint64_t start = clock_of(CLOCK_MONOTONIC), next = start, end = start + duration;
	struct pollfd pfd[2 + MSRV_FDS];
	char err[512];
	int ret;

	for (;;) {
		uint64_t now = clock_of(CLOCK_MONOTONIC), until;
		int np = 0, nm = 0, mt, timeout;

		if (now >= next || (duration && now >= end)) {
			ret = one_census(w, err, sizeof(err));
			if (ret == -ESRCH)
				return END_EXITED;
			if (ret) {
				cli_warn("%s", err);
				return END_FAILED;
			}
			if (duration && clock_of(CLOCK_MONOTONIC) >= end)
				return END_ASKED;
			while (next <= clock_of(CLOCK_MONOTONIC))
				next += w->m.every_ns;
		}
		until = duration && end < next ? end : next;
		now = clock_of(CLOCK_MONOTONIC);
		timeout = until > now ? (int)((until - now + 999999) / 1000000) : 0;
		pfd[np++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		if (pidfd >= 0)
			pfd[np++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		if (w->ms) {
			nm = msrv__pollfds(w->ms, pfd + np, &mt);
			if (mt >= 0 && mt < timeout)
				timeout = mt;
		}
		if (poll(pfd, (nfds_t)(np + nm), timeout) < 0 && errno != EINTR)
			return END_FAILED;
		if (w->ms)
			msrv__handle(w->ms, pfd + np, nm);
		if (pidfd >= 0 && (pfd[1].revents & POLLIN))
			return END_EXITED;
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo != SIGUSR1)
				return END_ASKED;
			watch_verdict(stdout, w->v, &w->m, w->json);
		}
	}
}

int cmd_watch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "every", required_argument, NULL, 'e' },
		{ "duration", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "metrics", required_argument, NULL, 'M' },
		{ "leak-after", required_argument, NULL, 'L' },
		{ "fail-on-leak", no_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct census_opts co = { .max_frames = WATCH_DEPTH, .retries = 2 };
	struct watch w = { .m = { .every_ns = WATCH_EVERY,
				  .leak_after_ns = LW_DEFAULT_LEAK_AFTER } };
	const char *out = NULL, *maddr = NULL;
	bool fail_on_leak = false;
	uint64_t duration = 0, bytes = 0;
	struct census_info in;
	char err[512];
	int c, ret, status = 0, sfd = -1, pidfd = -1, end;
	size_t suspects;
	sigset_t mask;
	long v;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:d:o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_int(optarg, 1, INT32_MAX, &v))
				return cli_bad_usage("watch ", "invalid --pid '%s'", optarg);
			w.m.pid = (pid_t)v;
			break;
		case 'e':
			if (cli_parse_duration(optarg, &w.m.every_ns) || w.m.every_ns < 10000000ull)
				return cli_bad_usage("watch ",
						     "invalid --every '%s': want e.g. 10s, "
						     "1s, 500ms (10ms at least)",
						     optarg);
			break;
		case 'd':
			if (cli_parse_duration(optarg, &duration))
				return cli_bad_usage("watch ",
						     "invalid --duration '%s': want e.g. 1h, "
						     "30m, 90s",
						     optarg);
			break;
		case 'L':
			if (cli_parse_duration(optarg, &w.m.leak_after_ns))
				return cli_bad_usage("watch ",
						     "invalid --leak-after '%s': want e.g. "
						     "1m, 30s",
						     optarg);
			break;
		case 'o':
			out = optarg;
			break;
		case 'M':
			maddr = optarg;
			break;
		case 'F':
			fail_on_leak = true;
			break;
		case 'j':
			w.json = true;
			break;
		case 'v':
			w.verbose = true;
			break;
		case 'h':
			fputs(usage_watch, stdout);
			return 0;
		default:
			return cli_bad_option("watch ", c, argv);
		}
	}
	if (optind < argc)
		return cli_bad_usage("watch ", "unexpected argument '%s' (the process is -p PID)",
				     argv[optind]);
	if (!w.m.pid)
		return cli_bad_usage("watch ", "no process given (-p PID)");

	ret = census__new(w.m.pid, NULL, &co, &w.c, err, sizeof(err));
	if (ret) {
		cli_warn("%s", err);
		return ret == -ESRCH || ret == -EPROTONOSUPPORT || ret == -ENOTSUP ||
				       ret == -ENOEXEC || ret == -ENOENT ?
			       2 :
			       1;
	}
	census__info(w.c, &in);
	w.m.go_version = in.go_version;
	read_proc(&w);
	w.m.comm = w.comm;
	if (gview__new(w.c, w.m.leak_after_ns, &w.v)) {
		cli_warn("out of memory");
		status = 1;
		goto out;
	}
	if (maddr) {
		ret = msrv__new(maddr, &w.ms, err, sizeof(err));
		if (ret) {
			cli_warn("%s", err);
			status = ret == -EINVAL ? 2 : 1;
			goto out;
		}
	}
	if (out) {
		struct wtrace_info ti = { .pid = w.m.pid,
					  .process_name = w.comm,
					  .cmdline = (const char *const *)w.argv,
					  .go_version = in.go_version,
					  .every_ns = w.m.every_ns,
					  .leak_after_ns = w.m.leak_after_ns,
					  .boot_ns = clock_of(CLOCK_BOOTTIME),
					  .mono_ns = clock_of(CLOCK_MONOTONIC),
					  .real_ns = clock_of(CLOCK_REALTIME) };

		ret = wtrace__open(out, &ti, &w.tr);
		if (ret) {
			cli_warn("cannot write %s: %s", out, strerror(-ret));
			status = 1;
			goto out;
		}
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		cli_warn("signalfd: %s", strerror(errno));
		status = 1;
		goto out;
	}
	pidfd = (int)syscall(SYS_pidfd_open, w.m.pid, 0);
	if (w.verbose || isatty(STDERR_FILENO)) {
		char every[32];

		cli_warn("watching process %d (%s, %s) every %s; Ctrl-C or SIGTERM ends it, "
			 "SIGUSR1 prints the verdict",
			 (int)w.m.pid, w.comm, in.go_version,
			 gview__dur((int64_t)w.m.every_ns, every, sizeof(every)));
	}
	if (w.ms) {
		cli_warn("metrics at http://%s/metrics", msrv__addr(w.ms));
	}

	end = loop(&w, duration, sfd, pidfd);
	if (end == END_EXITED) {
		w.m.exited = true;
		cli_warn("process %d exited", (int)w.m.pid);
	}
	if (end == END_FAILED)
		status = 1;
	suspects = watch_verdict(stdout, w.v, &w.m, w.json);
	if (fail_on_leak && suspects)
		status = 1;
out:
	if (w.tr) {
		ret = wtrace__close(w.tr, clock_of(CLOCK_BOOTTIME), &bytes);
		if (ret) {
			cli_warn("cannot write %s: %s", out, strerror(-ret));
			status = 1;
		} else if (w.m.censuses) {
			cli_warn("wrote %s (%llu bytes, %llu censuses); open it at "
				 "https://ui.perfetto.dev",
				 out, (unsigned long long)bytes, (unsigned long long)w.m.censuses);
		}
	}
	if (sfd >= 0)
		close(sfd);
	if (pidfd >= 0)
		close(pidfd);
	for (size_t i = 0; w.argv && w.argv[i]; i++)
		free(w.argv[i]);
	free(w.argv);
	free(w.counts);
	free(w.names);
	msrv__free(w.ms);
	gview__free(w.v);
	census__free(w.c);
	return status;
}
