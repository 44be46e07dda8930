// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * record.c: one recording, from the plan to the END record: launch a Go
 * program with uprobes attached before its first instruction (or attach to
 * a running one), and stream the events into a log.
 *
 * Sequence: read the binary (gobin) and plan the probes; load the BPF
 * object with the offsets for this Go version (probeset); fork a child
 * that waits on a pipe (spawn); attach the uprobes to the child's pid
 * (they survive exec and fire from the runtime's very first transition);
 * let the child exec; drain the ring buffer every 10 ms (records are
 * submitted without wake-ups) until the child exits; write the end
 * records. Allocation totals are read from BPF maps as they go (every
 * 10 ms) and the per-class table every 100 ms, and written as snapshots
 * (tables.c); the types and code addresses they name are described in the
 * log before first use (describe.c).
 *
 * Attach mode (record -p PID): the same probes on /proc/PID/exe (a PIE,
 * deleted or other-namespace binary included), filtered to that process;
 * then the goroutines it already has are read from its memory (gsnap) and
 * written before any event. Recording stops on SIGINT/SIGTERM/SIGHUP, the
 * duration or the process's exit; closing the links removes the probes and
 * the process runs on as before.
 *
 * What it must not do: change anything the program sees. stdin, stdout,
 * stderr, the environment and the process group are inherited as they are;
 * signals typed at the terminal reach the program directly, and signals
 * sent to gotl alone are forwarded to it (signals.c). Under sudo the
 * program runs as the invoking user (unless --as-root). gotl never writes
 * to stdout, and never stops, signals or writes to a process it attached to.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "gotl/event.h"
#include "diag.h"
#include "flight.h"
#include "gobin.h"
#include "gsnap.h"
#include "logw.h"
#include "plan.h"
#include "probeset.h"
#include "record.h"
#include "recorder.h"
#include "signals.h"
#include "spawn.h"
#include "gotl.skel.h"

#define DRAIN_MS	10
#define CLASSES_MS	100

/* libbpf's own lines are for -v (1) and -vv (2, its debug lines too): gotl reports failures. */
static int libbpf_verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && libbpf_verbose < 2)
		return 0;
	if (libbpf_verbose < 1)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static void set_libbpf_verbosity(int verbose)
{
	libbpf_verbose = verbose;
	libbpf_set_print(libbpf_print);
}

/*
 * The ring buffer's callback, for each record BPF wrote: what it names is
 * described in the log first, then it is copied there (a stack trimmed to
 * the frames walked). The exec of a followed process is queued for after
 * the drain.
 */
static int on_record(void *ctx, void *data, size_t size)
{
	struct recorder *r = ctx;
	const struct gotl_rec *h = data;

	if (size < sizeof(*h) || h->size != size || (size & 7)) {
		r->bad_records++;
		return 0;
	}
	if (h->type == GOTL_REC_STACK && size == sizeof(struct gotl_ev_stack)) {
		struct gotl_ev_stack s; /* the ring buffer is read-only here: trim a copy */
		unsigned i;

		memcpy(&s, data, sizeof(s));
		if (s.n > GOTL_STACK_MAX)
			s.n = GOTL_STACK_MAX;
		for (i = 0; i < s.n; i++)
			recorder__describe_frames(r, s.pcs[i]);
		/* Only the pcs walked go to the log. */
		s.hdr.size = (uint16_t)(offsetof(struct gotl_ev_stack, pcs) + 8 * s.n);
		r->events++;
		logw__append(r->log, &s, s.hdr.size);
		return 0;
	}
	if (h->type == GOTL_REC_EXEC && size >= sizeof(struct gotl_ev_exec)) {
		const struct gotl_ev_exec *x = data;

		if (x->pid == (uint32_t)r->pid && r->execs_to_skip > 0) {
			r->execs_to_skip--;
			return 0;
		}
		if (r->o->follow)
			follow__queue(r, x);
		if (x->pid != (uint32_t)r->pid || r->execed)
			return 0;
		r->execed = true;
		snprintf(r->exec_file, sizeof(r->exec_file), "%.*s", (int)sizeof(x->filename),
			 x->filename);
	}
	if (h->type == GOTL_REC_ALLOC && size >= sizeof(struct gotl_ev_alloc))
		recorder__describe_class(r, &((const struct gotl_ev_alloc *)data)->key);
	if (h->type == GOTL_REC_CREATE && size >= sizeof(struct gotl_ev_create)) {
		const struct gotl_ev_create *c = data;

		recorder__describe_sym(r, c->startpc, GOTL_SYM_ENTRY);
		recorder__describe_sym(r, c->gopc, GOTL_SYM_RETURN);
		r->gs_created++;
	}
	if (h->type == GOTL_REC_STATUS && size >= sizeof(struct gotl_ev_status)) {
		uint8_t to = ((const struct gotl_ev_status *)data)->to;

		r->gs_exited += to == GOTL_G_DEAD || to == GOTL_G_DEADEXTRA;
	}
	r->events++;
	/* A write error is sticky in logw and reported at the end. */
	logw__append(r->log, data, size);
	return 0;
}

/* GOTL_REC_START: pid, how it is recorded, and the three clocks read together. */
int recorder__write_start(struct recorder *r, pid_t pid, uint32_t flags)
{
	struct gotl_rec_start s = {
		.hdr = { .type = GOTL_REC_START, .size = sizeof(s) },
		.pid = (uint32_t)pid,
		.flags = flags,
	};

	s.hdr.ts = clock_ns(CLOCK_BOOTTIME);
	s.monotonic_ns = clock_ns(CLOCK_MONOTONIC);
	s.realtime_ns = clock_ns(CLOCK_REALTIME);
	return logw__append(r->log, &s, sizeof(s));
}

/* Everything the ring buffer holds now, through on_record. */
void recorder__drain(struct recorder *r)
{
	int n;

	do {
		n = ring_buffer__consume(r->rb);
	} while (n > 0);
}

/* The live status line: events, goroutines alive, losses (a terminal only). */
static void progress(struct recorder *r, uint64_t now, bool done)
{
	uint64_t alive = r->gs_snapshot + r->gs_created - r->gs_exited, events = r->events;
	double rate;
	int i;

	if (!r->o->progress)
		return;
	for (i = 0; i < r->nsubs; i++) {
		const struct recorder *s = r->subs[i];

		events += s->events;
		if (!s->ended)
			alive += s->gs_snapshot + s->gs_created - s->gs_exited;
	}
	if (done) {
		if (r->progress_shown)
			fputs("\r\033[K", stderr);
		return;
	}
	if (!r->progress_ts) {
		r->progress_ts = now;
		return;
	}
	if (now - r->progress_ts < 1000000000ull)
		return;
	rate = (double)(events - r->progress_events) * 1e9 / (double)(now - r->progress_ts);
	fprintf(stderr, "\rgotl: %llu events (%.0f/s), %llu goroutines, %llu lost\033[K",
		(unsigned long long)events, rate, (unsigned long long)alive,
		(unsigned long long)r->lost_seen);
	r->progress_ts = now;
	r->progress_events = events;
	r->progress_shown = true;
}

/*
 * A process that runs already (attach mode, or a followed one that could
 * not be held): its goroutines as they were at ts (their transitions since
 * come as events). A failure costs only the snapshot.
 */
size_t recorder__write_snapshot(struct recorder *r, pid_t pid, uint64_t ts)
{
	struct gsnap *snap;
	char err[512];
	uint64_t bias = 0;
	size_t i, n;
	int ret;

	ret = gsnap__bias(pid, r->gb, &bias);
	if (ret) {
		diag("warning: cannot find where process %d's binary is loaded: %s; goroutines "
		     "that already exist appear at their next event",
		     (int)pid, strerror(-ret));
		return 0;
	}
	ret = gsnap__read(r->plan, pid, bias, r->o->stack_depth, &snap, err, sizeof(err));
	if (ret) {
		diag("warning: %s; goroutines that already exist appear at their next event", err);
		return 0;
	}
	for (i = 0; i < snap->n; i++) {
		struct gsnap_g *g = &snap->gs[i];
		unsigned k;

		g->ev.hdr.ts = ts;
		recorder__describe_sym(r, g->ev.startpc, GOTL_SYM_ENTRY);
		recorder__describe_sym(r, g->ev.gopc, GOTL_SYM_RETURN);
		logw__append(r->log, &g->ev, sizeof(g->ev));
		if (!g->stack.n)
			continue;
		for (k = 0; k < g->stack.n; k++)
			recorder__describe_frames(r, g->stack.pcs[k]);
		g->stack.hdr.ts = ts;
		logw__append(r->log, &g->stack, g->stack.hdr.size);
	}
	if (r->o->verbose)
		diag("process %d has %zu goroutines (%zu entries in runtime.allgs, found by %s%s)",
		     (int)pid, snap->n, snap->allgs_len, snap->allgs_how,
		     snap->unreadable ? ", some unreadable" : "");
	n = snap->n;
	gsnap__free(snap);
	return n;
}

/* The file to plan for: the program found as exec would, or a process's /proc/PID/exe. */
static int find_binary(struct recorder *r, char path[PATH_MAX])
{
	const struct record_opts *o = r->o;
	ssize_t n;
	int err;

	if (!o->pid && !r->followed) {
		err = plan__resolve(o->argv[0], path);
		if (err) {
			diag("cannot find '%s': %s", o->argv[0], strerror(-err));
			return RECORD_BADINPUT;
		}
		return 0;
	}
	/* The file the process runs, even if replaced, deleted or in another mount namespace. */
	snprintf(r->attach_path, sizeof(r->attach_path), "/proc/%d/exe", (int)r->pid);
	n = readlink(r->attach_path, r->exe, sizeof(r->exe) - 1);
	if (n < 0) {
		if (r->followed)
			diag("warning: cannot follow process %d: %s: %s", (int)r->pid,
			     r->attach_path, strerror(errno));
		else if (errno == ENOENT && kill(r->pid, 0) && errno == ESRCH)
			diag("no process %d", (int)r->pid);
		else
			diag("cannot attach to process %d: %s: %s", (int)r->pid, r->attach_path,
			     strerror(errno));
		return RECORD_BADINPUT;
	}
	r->exe[n] = 0;
	snprintf(path, PATH_MAX, "%s", r->attach_path);
	return 0;
}

/* What the plan means for this recording: notes, and what it cannot do. */
static int check_plan(struct recorder *r)
{
	const struct record_opts *o = r->o;
	const struct plan *pl = r->plan;

	if (pl->note[0] && !r->followed)
		diag("note: %s", pl->note);
	if (r->followed)
		diag("following process %d: %s (%s)", (int)r->pid, r->exe, gobin__version(r->gb));
	if (!pl->nreasons)
		diag("warning: no wait-reason table in '%s': blocked spans will be named by number",
		     r->path);
	if (o->alloc_mode != GOTL_ALLOC_OFF && !pl->alloc) {
		diag("%s'%s' has no runtime.mallocgc: cannot record allocations (--alloc=off)",
		     r->followed ? "warning: not following: " : "", r->path);
		return RECORD_BADINPUT;
	}
	if (o->alloc_mode != GOTL_ALLOC_OFF && pl->malloc_unknown)
		diag("warning: %s is an allocation function gotl does not know: allocations "
		     "through it are not counted",
		     pl->malloc_unknown);
	return 0;
}

/* -v: what was found and where the probes go. */
static void say_plan(const struct recorder *r)
{
	const struct plan *pl = r->plan;
	int i;

	diag("%s: %s, %s%s, offsets from %s, %d wait reasons (%s)", r->path, gobin__version(r->gb),
	     gobin__is_pie(r->gb) ? "PIE" : "not PIE", gobin__has_dwarf(r->gb) ? "" : ", stripped",
	     pl->off.source, pl->nreasons, pl->reasons_how);
	for (i = 0; i < GOTL_PROBE_MAX; i++) {
		const struct plan_probe *p = &pl->probes[i];

		if (probeset__on(r->ps, i))
			diag("probe %s+0x%x (file offset 0x%llx): %s%s", p->func, p->site.offset,
			     (unsigned long long)p->file_offset, p->site.insn,
			     p->site.emulated ? ", emulated" : "");
	}
	diag("uprobes attached as %s",
	     r->ps->multi ? "uprobe_multi links (one per program, removed in ~0.05 s)" :
			    "perf_event uprobes (no uprobe_multi here: ~0.1 s each to remove)");
	if (r->o->alloc_mode != GOTL_ALLOC_OFF && pl->nmallocs)
		diag("probe %d size-specialised allocation functions (%s ...)", pl->nmallocs,
		     pl->mallocs[0].func);
}

/* Plan, load the probes, open the ring buffer and the log, write its prologue. */
int recorder__prepare(struct recorder *r)
{
	const struct record_opts *o = r->o;
	struct probeset_opts po = {
		.alloc_mode = o->alloc_mode,
		.alloc_sample_bytes = o->alloc_sample_bytes,
		.stack_depth = o->stack_depth,
		.ring_size = o->ring_size,
		.follow = o->follow,
		.followed = r->followed,
		.attach = o->pid != 0,
		.verbose = o->verbose,
	};
	char path[PATH_MAX], err_msg[512];
	int err;

	err = find_binary(r, path);
	if (err)
		return err;
	err = plan__new(path, &r->plan, err_msg, sizeof(err_msg));
	if (err) {
		/* Following, most programs started are not Go (a shell, a tool): fine. */
		if (!r->followed)
			diag("%s", err_msg);
		else if (o->verbose)
			diag("process %d exec'd %s: not followed: %s", (int)r->pid, r->exe,
			     err_msg);
		return RECORD_BADINPUT;
	}
	r->gb = r->plan->gb;
	r->path = r->plan->path;
	err = check_plan(r);
	if (err)
		return err;
	if (probeset__new(r->plan, &po, &r->ps))
		return RECORD_FAILED;
	r->ncpus = libbpf_num_possible_cpus();
	if (r->ncpus <= 0) {
		diag("cannot count CPUs: %s", strerror(-r->ncpus));
		return RECORD_FAILED;
	}
	r->rb = ring_buffer__new(bpf_map__fd(r->ps->skel->maps.events), on_record, r, NULL);
	if (!r->rb) {
		diag("cannot open the ring buffer: %s", strerror(errno));
		return RECORD_FAILED;
	}
	if (o->flight && !r->followed) {
		if (recorder__flight_open(r))
			return RECORD_FAILED;
	} else {
		err = logw__open(r->log_path, &r->log);
		if (err) {
			diag("cannot create '%s': %s", r->log_path, strerror(-err));
			return RECORD_FAILED;
		}
	}
	err = recorder__write_prologue(r);
	if (err) {
		diag("cannot write '%s': %s", r->log_path, strerror(-err));
		return RECORD_FAILED;
	}
	if (o->verbose)
		say_plan(r);
	return 0;
}

int recorder__attach(struct recorder *r, pid_t pid)
{
	return probeset__attach(r->ps, pid) ? RECORD_FAILED : 0;
}

/* Drain what the probes wrote, then write what ends a log (the END record is the caller's). */
uint64_t recorder__end_log(struct recorder *r, struct gotl_rec_stats *st)
{
	uint64_t ts;

	recorder__drain(r);
	recorder__log_stats(r, true, st);
	ts = clock_ns(CLOCK_BOOTTIME);
	recorder__log_galloc_rest(r, ts);
	recorder__log_alloc_total(r, true);
	recorder__log_alloc_classes(r);
	return ts;
}

void recorder__free(struct recorder *r)
{
	if (r->ps)
		probeset__detach(r->ps, true);
	free(r->types.slots);
	free(r->classes.slots);
	ring_buffer__free(r->rb);
	r->rb = NULL;
	probeset__free(r->ps);
	r->ps = NULL;
	logw__close(r->log);
	r->log = NULL;
	flight__free(r->flight);
	r->flight = NULL;
	plan__free(r->plan);
	r->plan = NULL;
	free(r->syms.slots);
	free(r->frame_pcs.slots);
	memset(&r->types, 0, sizeof(r->types));
	memset(&r->classes, 0, sizeof(r->classes));
	memset(&r->syms, 0, sizeof(r->syms));
	memset(&r->frame_pcs, 0, sizeof(r->frame_pcs));
	if (r->pidfd >= 0)
		close(r->pidfd);
	r->pidfd = -1;
}

/* The periodic work of one recorder: counters, allocation tables, flush. */
static void tick(struct recorder *r, uint64_t now, uint64_t *last_stats, uint64_t *last_classes)
{
	if (now - *last_stats > 100000000ull)
		recorder__log_stats(r, false, NULL);
	recorder__log_alloc_total(r, false);
	if (now - *last_classes >= CLASSES_MS * 1000000ull)
		recorder__log_alloc_classes(r);
	logw__flush(r->log);
}

/*
 * Drain until the end: the launched child exits (its status in *status),
 * or, attached, the process exits, the duration is over or a signal asks
 * to stop. *exited says whether the program ended. With --follow, the
 * programs followed are drained and ended here too. If poll fails, the
 * recording ends there with the error in *poll_err (the program runs on).
 */
static int wait_loop(struct recorder *r, pid_t pid, int *status, bool *exited, int *poll_err)
{
	struct pollfd *pfd = NULL;
	uint64_t last_stats = 0, last_classes = 0, t0 = clock_ns(CLOCK_MONOTONIC), now = t0;
	int pidfd, n, i, npfd;

	*exited = false;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0 && r->o->pid)
		return -errno; /* not our child: nothing else tells when it ends */
	for (;;) {
		struct pollfd *p = realloc(pfd, (size_t)(2 + 2 * r->nsubs) * sizeof(*pfd));

		if (!p) {
			n = -ENOMEM;
			goto out;
		}
		pfd = p;
		pfd[0].fd = pidfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = ring_buffer__epoll_fd(r->rb);
		pfd[1].events = POLLIN;
		npfd = 2;
		for (i = 0; i < r->nsubs; i++) {
			if (r->subs[i]->ended)
				continue;
			pfd[npfd].fd = r->subs[i]->pidfd; /* -1 is ignored */
			pfd[npfd++].events = POLLIN;
			pfd[npfd].fd = ring_buffer__epoll_fd(r->subs[i]->rb);
			pfd[npfd++].events = POLLIN;
		}
		n = poll(pfd, (nfds_t)npfd, DRAIN_MS);
		if (n < 0 && errno != EINTR) {
			*poll_err = -errno;
			break;
		}
		recorder__drain(r);
		signals__forward();
		/* After an exec the Go program is gone: its probes must not see the next one. */
		if (r->execed && !r->ps->off) {
			probeset__detach(r->ps, false);
			if (r->o->verbose)
				diag("%s exec'd %s: recording of goroutines ends there",
				     r->o->pid ? "the process" : r->o->argv[0], r->exec_file);
		}
		now = clock_ns(CLOCK_MONOTONIC);
		for (i = 0; i < r->nsubs; i++) {
			struct recorder *s = r->subs[i];

			if (s->ended)
				continue;
			if (follow__gone(s->pidfd))
				follow__end(s, GOTL_END_EXITED | GOTL_END_NO_STATUS, 0, NULL);
			else
				recorder__drain(s);
		}
		if (r->npending)
			follow__start_pending(r);
		for (i = 0; i < r->nsubs; i++)
			if (!r->subs[i]->ended)
				tick(r->subs[i], now, &last_stats, &last_classes);
		tick(r, now, &last_stats, &last_classes);
		if (now - last_stats > 100000000ull)
			last_stats = now;
		if (now - last_classes >= CLASSES_MS * 1000000ull)
			last_classes = now;
		progress(r, now, false);
		/* The last dump --max-dumps allows: attached, the end; launched, no more probes. */
		if (r->flight && recorder__flight_tick(r)) {
			if (r->o->pid)
				break;
			if (!r->ps->off)
				probeset__detach(r->ps, false);
		}
		if (r->o->pid) {
			if (pfd[0].revents & POLLIN) {
				*exited = true;
				break;
			}
			if (signals__stop_requested() ||
			    (r->o->duration_ns && now - t0 >= r->o->duration_ns))
				break;
			continue;
		}
		if (pidfd < 0 || (pfd[0].revents & POLLIN)) {
			pid_t w = waitpid(pid, status, pidfd < 0 ? WNOHANG : 0);

			if (w == pid) {
				*exited = true;
				break;
			}
			if (w < 0 && errno != EINTR) {
				n = -errno;
				goto out;
			}
		}
		/* --duration in launch mode: the program is stopped the way Ctrl-C would. */
		if (r->o->duration_ns && now - t0 >= r->o->duration_ns &&
		    !signals__stop_requested()) {
			signals__stop();
			kill(pid, SIGINT);
		}
	}
	n = 0;
out:
	free(pfd);
	if (pidfd >= 0)
		close(pidfd);
	progress(r, now, true);
	return n;
}

/* Launch mode: fork, attach, exec. Returns 0 with *pid running, or RECORD_*. */
static int launch(struct recorder *r, pid_t *pidp, struct record_result *res)
{
	const struct record_opts *o = r->o;
	struct spawn *sp;
	int ret, stage;

	ret = spawn__new(r->path, o->argv, o->as_root, &sp);
	if (ret) {
		diag("cannot start '%s': %s", o->argv[0], strerror(-ret));
		return RECORD_FAILED;
	}
	*pidp = sp->pid;
	r->pid = sp->pid;
	signals__set_child(sp->pid);
	res->pid = sp->pid;
	r->execs_to_skip = 1; /* the child becoming the program */
	ret = recorder__attach(r, sp->pid);
	if (ret)
		goto out;
	if (recorder__write_start(r, sp->pid, GOTL_START_LAUNCHED) || logw__flush(r->log)) {
		diag("cannot write '%s'", r->log_path);
		ret = RECORD_FAILED;
		goto out;
	}
	/* Go: the child execs the program, its uprobes already in place. */
	ret = spawn__exec(sp, &stage);
	if (!ret)
		goto out;
	if (stage == SPAWN_GO) {
		diag("cannot start '%s': %s", o->argv[0], strerror(-ret));
		ret = RECORD_FAILED;
		goto out;
	}
	*pidp = -1; /* it has exited, reaped */
	signals__set_child(0);
	if (stage == SPAWN_USER)
		diag("cannot run '%s' as the user who ran sudo (SUDO_UID %s): %s "
		     "(--as-root runs it as root)",
		     o->argv[0], getenv("SUDO_UID"), strerror(-ret));
	else
		diag("cannot execute '%s': %s", o->argv[0], strerror(-ret));
	ret = stage == SPAWN_USER ? RECORD_FAILED : RECORD_BADINPUT;
out:
	spawn__free(sp); /* if it was not let go, the child exits without exec */
	return ret;
}

/* Attach mode: probes on the running process, then its goroutines as they are. */
static int attach_running(struct recorder *r, struct record_result *res)
{
	pid_t pid = r->o->pid;
	uint64_t ts;
	int ret;

	res->pid = pid;
	/* The start comes first: every event, and the snapshot, is at or after it. */
	if (recorder__write_start(r, pid, GOTL_START_ATTACHED)) {
		diag("cannot write '%s'", r->o->log_path);
		return RECORD_FAILED;
	}
	ts = clock_ns(CLOCK_BOOTTIME);
	ret = recorder__attach(r, pid);
	if (ret)
		return ret;
	/* The ring buffer keeps the events meanwhile: the snapshot goes first in the log. */
	r->gs_snapshot = recorder__write_snapshot(r, pid, ts);
	res->snapshot = (size_t)r->gs_snapshot;
	if (logw__flush(r->log)) {
		diag("cannot write '%s'", r->o->log_path);
		return RECORD_FAILED;
	}
	return 0;
}

/*
 * The end of the main log: the programs followed end with it, the last
 * counters, the END record (how the program ended, or that the recording
 * broke off), what res reports. Returns 0, or RECORD_FAILED if the log
 * could not be written.
 */
static int finish(struct recorder *r, int status, bool exited, int poll_err,
		  struct record_result *res)
{
	struct gotl_rec_end end = { .hdr = { .type = GOTL_REC_END, .size = sizeof(end) } };
	struct gotl_rec_stats st;
	int err, i;

	follow__end_all(r, exited, status);
	end.hdr.ts = recorder__end_log(r, &st);
	res->alloc_count = r->last_total.count;
	res->alloc_bytes = r->last_total.bytes;
	res->exited = exited;
	if (r->execed)
		snprintf(res->exec_file, sizeof(res->exec_file), "%s", r->exec_file);
	if (poll_err) {
		end.flags = GOTL_END_DETACHED | GOTL_END_FAILED;
	} else if (!r->o->pid) {
		end.status = (uint32_t)status;
		end.flags = GOTL_END_EXITED;
	} else {
		end.flags = exited ? GOTL_END_EXITED | GOTL_END_NO_STATUS : GOTL_END_DETACHED;
	}
	logw__append(r->log, &end, sizeof(end));
	for (i = 0; i < r->nsubs; i++) {
		char **l;

		if (!r->subs[i]->log_path)
			continue;
		l = realloc(res->follow_logs, (res->nfollow + 1) * sizeof(*l));
		if (!l)
			break;
		res->follow_logs = l;
		res->follow_logs[res->nfollow++] = (char *)r->subs[i]->log_path;
		r->subs[i]->log_path = NULL;
		res->events += r->subs[i]->events;
	}
	res->status = status;
	res->events += r->events;
	res->lost = probe_sum(st.lost);
	res->hits = probe_sum(st.hits);
	res->log_bytes = logw__size(r->log);
	err = logw__close(r->log);
	r->log = NULL;
	recorder__flight_end(r, status, exited, poll_err != 0);
	if (err)
		diag("cannot write '%s': %s", r->o->log_path, strerror(-err));
	else if (r->bad_records)
		diag("warning: %llu malformed records from the probes were dropped",
		     (unsigned long long)r->bad_records);
	return err ? RECORD_FAILED : 0;
}

int record__run(const struct record_opts *o, struct record_result *res)
{
	struct recorder r;
	int status = 0, ret, err, i, poll_err = 0;
	const char *what = o->pid ? "the process" : o->argv[0];
	bool exited = false;
	uint64_t t0;
	pid_t pid = -1;

	memset(&r, 0, sizeof(r));
	memset(res, 0, sizeof(*res));
	r.o = o;
	r.pid = o->pid;
	r.log_path = o->log_path;
	r.pidfd = -1;
	set_libbpf_verbosity(o->verbose);

	ret = recorder__prepare(&r);
	if (ret)
		goto cleanup;

	signals__install(o);
	t0 = clock_ns(CLOCK_MONOTONIC);
	ret = o->pid ? attach_running(&r, res) : launch(&r, &pid, res);
	if (ret)
		goto cleanup;

	err = wait_loop(&r, o->pid ? o->pid : pid, &status, &exited, &poll_err);
	signals__stop(); /* attach mode: a signal from now on ends gotl at once */
	if (err) {
		diag("lost track of %s: %s", what, strerror(-err));
		ret = RECORD_FAILED;
		goto cleanup;
	}
	if (poll_err)
		diag("cannot wait for events: poll: %s: the recording stops here (the raw event "
		     "log up to here is kept in %s); %s runs on%s",
		     strerror(-poll_err), o->log_path, what, o->pid ? "" : ", gotl waits for it");
	res->seconds = (double)(clock_ns(CLOCK_MONOTONIC) - t0) / 1e9;
	if (!poll_err) {
		signals__set_child(0);
		pid = -1;
	}
	ret = finish(&r, status, exited, poll_err, res);
	if (poll_err) {
		/* The program runs on without probes; a launched one is still waited for. */
		probeset__detach(r.ps, true);
		ret = RECORD_FAILED;
		if (pid > 0) {
			status = signals__wait_child(pid);
			res->status = status;
			res->exited = true;
			if (WIFSIGNALED(status) || WEXITSTATUS(status))
				ret = WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
							    WEXITSTATUS(status);
		}
		signals__set_child(0);
		pid = -1;
	}

cleanup:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	signals__set_child(0);
	/* Attach mode: a signal while the trace is written still ends gotl at once. */
	if (!o->pid || ret)
		signals__restore();
	/* A failure while following: nothing may stay stopped or probed. */
	follow__end_all(&r, false, 0);
	for (i = 0; i < r.nsubs; i++) {
		if (r.subs[i]->reaping)
			pthread_join(r.subs[i]->reaper, NULL);
		recorder__free(r.subs[i]);
		free((char *)r.subs[i]->log_path);
		free(r.subs[i]);
	}
	free(r.subs);
	free(r.pending);
	/* Closing the links takes the probes out of the process (attach: it runs on). */
	if (!o->pid && exited)
		probeset__release_in_background();
	recorder__free(&r);
	return ret;
}

void record__result_free(struct record_result *res)
{
	size_t i;

	for (i = 0; i < res->nfollow; i++)
		free(res->follow_logs[i]);
	free(res->follow_logs);
	res->follow_logs = NULL;
	res->nfollow = 0;
}
