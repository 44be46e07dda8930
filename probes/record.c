// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * record.c: launch a Go program with uprobes attached before its first
 * instruction, and stream the events into a log.
 *
 * Sequence: read the binary (gobin) and plan the probes; load the BPF
 * object with the offsets for this Go version; fork a child that waits on
 * a pipe; attach the uprobes to the child's pid (they survive exec and fire
 * from the runtime's very first transition); let the child exec; drain the
 * ring buffer every 10 ms (records are submitted without wake-ups) until
 * the child exits; write the end records. Allocation totals are read from
 * BPF maps as they go (every 10 ms) and the per-class table every 100 ms,
 * and written as snapshots; the types and code addresses they name are
 * described in the log before first use.
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
 * sent to gotl alone are forwarded to it. Under sudo the program runs as
 * the invoking user (unless --as-root). gotl never writes to stdout, and
 * never stops, signals or writes to a process it attached to.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "gotl/event.h"
#include "gotl/loss.h"
#include "gotl/version.h"
#include "gobin.h"
#include "gsnap.h"
#include "logw.h"
#include "plan.h"
#include "record.h"
#include "umulti.h"
#include "gotl.skel.h"

#define DRAIN_MS	10
#define CLASSES_MS	100

/* PCs already described by a GOTL_REC_SYM record (open addressing). */
struct pcset {
	uint64_t *slots;
	size_t cap, len;
};

/* Allocation classes already written, with the count last written (open addressing). */
struct class_slot {
	struct gotl_alloc_key key;
	uint64_t count;
	bool used;
};

struct classtab {
	struct class_slot *slots;
	size_t cap, len;
};

struct recorder {
	const struct record_opts *o;
	pid_t pid;			/* the process this recorder records (0 until known) */
	const char *log_path;		/* o->log_path, or a follow log */
	bool followed;			/* --follow: a program a traced process exec'd */
	bool stopped;			/* followed: SIGSTOPped at its exec, to be continued */
	bool ended;			/* followed: its log is complete */
	int pidfd;			/* followed: readable when the process exits */
	pthread_t reaper;		/* followed: takes its probes out once it ended */
	bool reaping;
	/* --follow, in the main recorder: one recorder per program followed */
	struct recorder **subs;
	int nsubs;
	struct gotl_ev_exec *pending;	/* execs to follow, seen in the last drain */
	int npending;
	struct plan *plan;
	struct gobin *gb;		/* plan->gb */
	struct gotl_bpf *skel;
	struct ring_buffer *rb;
	struct logw *log;
	struct pcset syms;
	struct pcset frame_pcs;		/* pcs already described by GOTL_REC_FRAMES */
	struct bpf_program *progs[GOTL_PROBE_MAX];
	struct bpf_link *links[GOTL_PROBE_MAX];
	struct bpf_link **malloc_links;	/* one per size-specialised allocation function */
	/*
	 * Or, where the kernel has them (umulti.h), one uprobe_multi link per
	 * program: the allocation program's one holds every allocation function.
	 */
	bool multi;
	int mlinks[GOTL_PROBE_MAX];
	int nmlinks;
	struct pcset types;		/* type addresses already described by GOTL_REC_TYPE */
	struct classtab classes;
	struct gotl_rec_alloc_total last_total;
	bool total_moved;		/* the last total written differed from the one before */
	const char *path;		/* plan->path */
	uint64_t lost_seen;
	uint64_t events;
	uint64_t bad_records;
	int ncpus;
	/* attach mode */
	char attach_path[64];		/* /proc/PID/exe */
	char exe[PATH_MAX];		/* what it points at, for people */
	/* exec: the program ends there (the process runs on as another one) */
	struct bpf_link *exec_link;
	struct bpf_link *fork_link, *exit_link;	/* --follow */
	int execs_to_skip;		/* launch mode: the exec that starts the program */
	bool execed, probes_off;
	char exec_file[GOTL_EXEC_PATH_MAX];
	/* the live status line */
	uint64_t gs_created, gs_exited, gs_snapshot;
	uint64_t progress_ts, progress_events;
	bool progress_shown;
};

static volatile sig_atomic_t child_pid;
static volatile sig_atomic_t forward_pending[_NSIG];
static volatile sig_atomic_t attached;		/* attach mode: SIGINT/SIGTERM/SIGHUP stop */
static volatile sig_atomic_t stop_requested;	/* attach mode: the recording ends */
static const char *kept_log;			/* attach mode: what a second signal leaves */
static bool erase_status_line;			/* o->progress: the line end_now writes over */

static void warnx(const char *fmt, ...)
{
	va_list ap;

	fputs("gotl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

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
	write_str(" while stopping: stopped at once; the raw event log is kept in ");
	write_str(kept_log);
	write_str("\n");
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
#define ATTACH_SIGNALS	3

static void install_signals(const struct record_opts *o)
{
	struct sigaction sa;
	size_t i, n = o->pid ? ATTACH_SIGNALS : sizeof(forwarded_signals) / sizeof(int);

	attached = o->pid != 0;
	kept_log = o->log_path;
	erase_status_line = o->progress;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < n; i++)
		sigaction(forwarded_signals[i], &sa, NULL);
}

static void restore_signals(void)
{
	size_t i;

	for (i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++)
		signal(forwarded_signals[i], SIG_DFL);
}

static void forward_signals(void)
{
	size_t i;

	for (i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++) {
		int sig = forwarded_signals[i];

		if (forward_pending[sig]) {
			forward_pending[sig] = 0;
			if (child_pid)
				kill(child_pid, sig);
		}
	}
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	static int verbose;

	if (!fmt) {			/* set the level: see set_libbpf_verbosity */
		verbose = level;
		return 0;
	}
	/* gotl reports failures itself, once; libbpf's own lines are for -v. */
	if (level == LIBBPF_DEBUG && verbose < 2)
		return 0;
	if (verbose < 1)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static void set_libbpf_verbosity(int verbose)
{
	va_list none;

	libbpf_print((enum libbpf_print_level)verbose, NULL, none);
	libbpf_set_print(libbpf_print);
}

/* ---- PC set ------------------------------------------------------------ */

static int pcset_add(struct pcset *s, uint64_t pc)
{
	size_t i;

	if (s->len * 2 >= s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 1024, j;
		uint64_t *n = calloc(ncap, sizeof(*n));

		if (!n)
			return -ENOMEM;
		for (j = 0; j < s->cap; j++) {
			uint64_t v = s->slots[j];

			if (!v)
				continue;
			for (i = (v * 0x9e3779b97f4a7c15ull) & (ncap - 1); n[i]; i = (i + 1) & (ncap - 1))
				;
			n[i] = v;
		}
		free(s->slots);
		s->slots = n;
		s->cap = ncap;
	}
	for (i = (pc * 0x9e3779b97f4a7c15ull) & (s->cap - 1); s->slots[i]; i = (i + 1) & (s->cap - 1))
		if (s->slots[i] == pc)
			return 0;
	s->slots[i] = pc;
	s->len++;
	return 1;
}

/* ---- symbols ------------------------------------------------------------ */

/* Make sure the log describes pc before a record that uses it. */
static int ensure_sym(struct recorder *r, uint64_t pc, uint32_t kind)
{
	struct gobin_frame frames[16];
	struct gobin_func fn;
	uint64_t pc_for_line;
	int n, added;

	if (!pc)
		return 0;
	added = pcset_add(&r->syms, pc);
	if (added <= 0)
		return added;
	if (kind == GOTL_SYM_ENTRY) {
		/* The physical function, named by what it wraps for `go f(x)` wrappers. */
		if (gobin__func_at(r->gb, pc, &fn))
			return logw__sym(r->log, pc, GOTL_SYM_UNKNOWN, "", "", 0);
		if (fn.entry == pc && !gobin__wrapped_func(r->gb, pc, &fn)) {
			pc_for_line = fn.entry;
			kind |= GOTL_SYM_WRAPPED;
		} else {
			pc_for_line = pc;
		}
		n = gobin__symbolize(r->gb, pc_for_line, frames, 16);
		return logw__sym(r->log, pc, kind, fn.name, n > 0 ? frames[n - 1].file : "?",
				 n > 0 ? (uint32_t)frames[n - 1].line : 0);
	}
	/* A return address: the call before it, innermost inlined frame. */
	n = gobin__symbolize(r->gb, pc - 1, frames, 16);
	if (n <= 0)
		return logw__sym(r->log, pc, kind | GOTL_SYM_UNKNOWN, "", "", 0);
	return logw__sym(r->log, pc, kind, frames[0].func, frames[0].file, (uint32_t)frames[0].line);
}

/* ---- ring buffer -------------------------------------------------------- */

/* Make sure the log has the frames of a stack pc (a return address) before its use. */
static int ensure_frames(struct recorder *r, uint64_t pc)
{
	struct gobin_frame frames[LOGW_FRAMES_MAX + 1];	/* one more: logw says if some are cut */
	int n, added;

	added = pcset_add(&r->frame_pcs, pc);
	if (added <= 0)
		return added;
	n = pc ? gobin__symbolize(r->gb, pc - 1, frames, LOGW_FRAMES_MAX + 1) : 0;
	return logw__frames(r->log, pc, frames, n > 0 ? n : 0);
}

/* ---- allocations -------------------------------------------------------- */

/* Make sure the log describes a type address before a record that uses it. */
static int ensure_type(struct recorder *r, uint64_t addr)
{
	struct gobin_type t;
	int added;

	if (!addr)
		return 0;
	added = pcset_add(&r->types, addr);
	if (added <= 0)
		return added;
	if (gobin__type(r->gb, addr, &t))
		return logw__type(r->log, addr, 0, 0, GOTL_TYPE_UNKNOWN, "", 0);
	return logw__type(r->log, addr, t.size, t.kind, 0, t.name, t.name_len);
}

/* The types and pcs an allocation class names. */
static void ensure_class(struct recorder *r, const struct gotl_alloc_key *k)
{
	int i;

	ensure_type(r, k->type);
	for (i = 0; i < GOTL_ALLOC_PCS && k->pcs[i]; i++)
		ensure_frames(r, k->pcs[i]);
}

static uint64_t key_hash(const struct gotl_alloc_key *k)
{
	uint64_t h = k->type * 0x9e3779b97f4a7c15ull ^ k->flags;
	int i;

	for (i = 0; i < GOTL_ALLOC_PCS; i++)
		h = (h ^ k->pcs[i]) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

/* The slot for key (a new, unused one if absent); NULL when out of memory. */
static struct class_slot *classtab_get(struct classtab *t, const struct gotl_alloc_key *k)
{
	size_t i;

	if (t->len * 2 >= t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 1024, j;
		struct class_slot *n = calloc(ncap, sizeof(*n));

		if (!n)
			return NULL;
		for (j = 0; j < t->cap; j++) {
			if (!t->slots[j].used)
				continue;
			for (i = key_hash(&t->slots[j].key) & (ncap - 1); n[i].used;
			     i = (i + 1) & (ncap - 1))
				;
			n[i] = t->slots[j];
		}
		free(t->slots);
		t->slots = n;
		t->cap = ncap;
	}
	for (i = key_hash(k) & (t->cap - 1); t->slots[i].used; i = (i + 1) & (t->cap - 1))
		if (!memcmp(&t->slots[i].key, k, sizeof(*k)))
			return &t->slots[i];
	t->slots[i].key = *k;
	t->slots[i].used = true;
	t->slots[i].count = 0;
	t->len++;
	return &t->slots[i];
}

/* Sum the per-CPU allocation totals; write a record if they moved (or if force). */
static int log_alloc_total(struct recorder *r, bool force)
{
	size_t vsz = sizeof(struct gotl_bpf_alloc_cpu);
	struct gotl_rec_alloc_total t;
	struct gotl_bpf_alloc_cpu *vals;
	__u32 zero = 0;
	bool moved;
	int cpu, err;

	if (r->o->alloc_mode == GOTL_ALLOC_OFF)
		return 0;
	vals = calloc((size_t)r->ncpus, vsz);
	if (!vals)
		return -ENOMEM;
	err = bpf_map__lookup_elem(r->skel->maps.alloc_totals, &zero, sizeof(zero), vals,
				   vsz * (size_t)r->ncpus, 0);
	if (err) {
		free(vals);
		return err;
	}
	memset(&t, 0, sizeof(t));
	t.hdr.type = GOTL_REC_ALLOC_TOTAL;
	t.hdr.size = sizeof(t);
	t.hdr.ts = clock_ns(CLOCK_BOOTTIME);
	t.mode = (uint32_t)r->o->alloc_mode;
	t.sample_bytes = r->o->alloc_mode == GOTL_ALLOC_SAMPLED ? r->o->alloc_sample_bytes : 0;
	for (cpu = 0; cpu < r->ncpus; cpu++) {
		t.bytes += vals[cpu].bytes;
		t.count += vals[cpu].count;
		t.unclassified += vals[cpu].unclassified;
		t.untracked_g += vals[cpu].untracked_g;
	}
	free(vals);
	moved = t.count != r->last_total.count || t.unclassified != r->last_total.unclassified ||
		t.untracked_g != r->last_total.untracked_g;
	/* One more record after the last move, so a rate drawn from them falls back to 0. */
	if (!force && !moved && !r->total_moved)
		return 0;
	r->total_moved = moved;
	r->last_total = t;
	return logw__append(r->log, &t, sizeof(t));
}

/* Write a GOTL_REC_ALLOC_CLASS for every class that changed since the last call. */
static int log_alloc_classes(struct recorder *r)
{
	struct bpf_map *m = r->skel->maps.alloc_classes;
	struct gotl_alloc_key key, next, *prev = NULL;
	struct gotl_bpf_alloc_class v;
	uint64_t ts = clock_ns(CLOCK_BOOTTIME);

	if (r->o->alloc_mode == GOTL_ALLOC_OFF)
		return 0;
	while (!bpf_map__get_next_key(m, prev, &next, sizeof(next))) {
		struct gotl_rec_alloc_class c;
		struct class_slot *slot;

		key = next;
		prev = &key;
		if (bpf_map__lookup_elem(m, &key, sizeof(key), &v, sizeof(v), 0))
			continue;
		slot = classtab_get(&r->classes, &key);
		if (!slot)
			return -ENOMEM;
		if (slot->count == v.count)
			continue;
		slot->count = v.count;
		ensure_class(r, &key);
		memset(&c, 0, sizeof(c));
		c.hdr.type = GOTL_REC_ALLOC_CLASS;
		c.hdr.size = sizeof(c);
		c.hdr.ts = ts;
		c.key = key;
		c.count = v.count;
		c.bytes = v.bytes;
		logw__append(r->log, &c, sizeof(c));
	}
	return 0;
}

/*
 * At the end: the goroutines still running (the program exited under them)
 * get what they allocated in their last Running span.
 */
static void log_galloc_rest(struct recorder *r, uint64_t ts)
{
	struct bpf_map *m = r->skel->maps.thread_alloc;
	struct gotl_bpf_thread_alloc v;
	__u32 key, next, *prev = NULL;

	if (r->o->alloc_mode == GOTL_ALLOC_OFF)
		return;
	while (!bpf_map__get_next_key(m, prev, &next, sizeof(next))) {
		struct gotl_ev_galloc e;

		key = next;
		prev = &key;
		if (bpf_map__lookup_elem(m, &key, sizeof(key), &v, sizeof(v), 0) || !v.count ||
		    !v.gp)
			continue;
		memset(&e, 0, sizeof(e));
		e.hdr.type = GOTL_REC_GALLOC;
		e.hdr.size = sizeof(e);
		e.hdr.tid = key;
		e.hdr.ts = ts;
		e.gp = v.gp;
		e.goid = 0;	/* the converter knows gp's goid */
		e.bytes = v.bytes;
		e.count = v.count;
		logw__append(r->log, &e, sizeof(e));
	}
}

/* --follow: an exec to act on after this drain (the process waits, stopped). */
static void queue_exec(struct recorder *r, const struct gotl_ev_exec *x)
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

static int on_record(void *ctx, void *data, size_t size)
{
	struct recorder *r = ctx;
	const struct gotl_rec *h = data;

	if (size < sizeof(*h) || h->size != size || (size & 7)) {
		r->bad_records++;
		return 0;
	}
	if (h->type == GOTL_REC_STACK && size == sizeof(struct gotl_ev_stack)) {
		struct gotl_ev_stack s;	/* the ring buffer is read-only here: trim a copy */
		unsigned i;

		memcpy(&s, data, sizeof(s));
		if (s.n > GOTL_STACK_MAX)
			s.n = GOTL_STACK_MAX;
		for (i = 0; i < s.n; i++)
			ensure_frames(r, s.pcs[i]);
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
			queue_exec(r, x);
		if (x->pid != (uint32_t)r->pid || r->execed)
			return 0;
		r->execed = true;
		snprintf(r->exec_file, sizeof(r->exec_file), "%.*s",
			 (int)sizeof(x->filename), x->filename);
	}
	if (h->type == GOTL_REC_ALLOC && size >= sizeof(struct gotl_ev_alloc))
		ensure_class(r, &((const struct gotl_ev_alloc *)data)->key);
	if (h->type == GOTL_REC_CREATE && size >= sizeof(struct gotl_ev_create)) {
		const struct gotl_ev_create *c = data;

		ensure_sym(r, c->startpc, GOTL_SYM_ENTRY);
		ensure_sym(r, c->gopc, GOTL_SYM_RETURN);
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

static int read_stats(struct recorder *r, struct gotl_rec_stats *out, struct gotl_rec_loss *loss)
{
	size_t vsz = (sizeof(struct gotl_bpf_stats) + 7) & ~(size_t)7;
	uint8_t *vals;
	__u32 zero = 0;
	int cpu, k, err;

	vals = calloc((size_t)r->ncpus, vsz);
	if (!vals)
		return -ENOMEM;
	err = bpf_map__lookup_elem(r->skel->maps.stats, &zero, sizeof(zero), vals,
				   vsz * (size_t)r->ncpus, 0);
	if (err) {
		free(vals);
		return err;
	}
	memset(out, 0, sizeof(*out));
	out->hdr.type = GOTL_REC_STATS;
	out->hdr.size = sizeof(*out);
	out->hdr.ts = clock_ns(CLOCK_BOOTTIME);
	memset(loss, 0, sizeof(*loss));
	loss->hdr.type = GOTL_REC_LOSS;
	loss->hdr.size = sizeof(*loss);
	loss->hdr.ts = out->hdr.ts;
	for (cpu = 0; cpu < r->ncpus; cpu++) {
		const struct gotl_bpf_stats *s = (const void *)(vals + vsz * (size_t)cpu);

		for (k = 0; k < GOTL_PROBE_MAX; k++) {
			out->hits[k] += s->hits[k];
			out->emitted[k] += s->emitted[k];
			out->lost[k] += s->lost[k];
		}
		for (k = 0; k < GOTL_LOSS_KINDS; k++)
			loss->lost[k] += s->lost_kind[k];
	}
	free(vals);
	return 0;
}

static uint64_t sum(const __u64 *v)
{
	uint64_t s = 0;
	int k;

	for (k = 0; k < GOTL_PROBE_MAX; k++)
		s += v[k];
	return s;
}

/* Write the stats (and loss) records if the loss count moved (or always, if force). */
static int log_stats(struct recorder *r, bool force, struct gotl_rec_stats *out)
{
	struct gotl_rec_stats st;
	struct gotl_rec_loss loss;
	char kinds[256];
	uint64_t lost;
	int err;

	err = read_stats(r, &st, &loss);
	if (err)
		return err;
	lost = sum(st.lost);
	if (lost != r->lost_seen) {
		if (!force) {
			gotl_loss_str(loss.lost, kinds, sizeof(kinds));
			if (r->progress_shown)
				fputs("\r\033[K", stderr);
			warnx("lost %llu events so far (%s): the ring buffer was full "
			      "(try a larger --ring-size)", (unsigned long long)lost, kinds);
		}
		r->lost_seen = lost;
		force = true;
	}
	if (out)
		*out = st;
	if (!force)
		return 0;
	err = logw__append(r->log, &st, sizeof(st));
	return err ? err : logw__append(r->log, &loss, sizeof(loss));
}

/* ---- the plan ----------------------------------------------------------- */

/* Read /proc/PID/name into buf (NUL-terminated); the bytes read, or -1. */
static ssize_t read_proc(pid_t pid, const char *name, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	return n;
}

/* Attach mode: the process's name and command line, from /proc. */
static void write_proc_meta(struct recorder *r)
{
	char buf[4096];
	ssize_t n;
	size_t i;

	if (read_proc(r->pid, "comm", buf, sizeof(buf)) > 0) {
		buf[strcspn(buf, "\n")] = 0;
		logw__meta(r->log, "comm", buf);
	}
	/* NUL-separated arguments; a long one is cut. */
	n = read_proc(r->pid, "cmdline", buf, sizeof(buf));
	for (i = 0; n > 0 && i < (size_t)n; i += strlen(buf + i) + 1)
		logw__meta(r->log, "arg", buf + i);
}

/* Where and how it was recorded: for whoever reads the trace in a bug report. */
static void write_host_meta(struct recorder *r)
{
	struct utsname u;
	char buf[1024];

	if (!r->o->no_hostname && !gethostname(buf, sizeof(buf) - 1)) {
		buf[sizeof(buf) - 1] = 0;
		logw__meta(r->log, "hostname", buf);
	}
	if (!uname(&u)) {
		snprintf(buf, sizeof(buf), "%s %s %s %s", u.sysname, u.release, u.version,
			 u.machine);
		logw__meta(r->log, "kernel", buf);
	}
	if (r->o->options)
		logw__meta(r->log, "options", r->o->options);
}

static int write_prologue(struct recorder *r)
{
	const struct plan *pl = r->plan;
	char buf[512];
	int i;

	logw__meta(r->log, "gotl_version", GOTL_VERSION);
	write_host_meta(r);
	logw__meta(r->log, "go_version", gobin__version(r->gb));
	logw__meta(r->log, "binary", r->o->pid || r->followed ? r->exe : r->path);
	if (gobin__go_build_id(r->gb))
		logw__meta(r->log, "go_build_id", gobin__go_build_id(r->gb));
	if (gobin__gnu_build_id(r->gb))
		logw__meta(r->log, "gnu_build_id", gobin__gnu_build_id(r->gb));
	if (r->o->pid || r->followed) {
		write_proc_meta(r);
	} else {
		snprintf(buf, sizeof(buf), "%s", r->o->argv[0]);
		logw__meta(r->log, "comm", basename(buf));
		for (i = 0; r->o->argv[i]; i++)
			logw__meta(r->log, "arg", r->o->argv[i]);
	}
	for (i = 0; i < GOTL_PROBE_MAX; i++) {
		const struct plan_probe *p = &pl->probes[i];

		if (!p->found)
			continue;
		snprintf(buf, sizeof(buf), "%s+0x%x %s%s", p->func, p->site.offset, p->site.insn,
			 p->site.emulated ? " (emulated)" : "");
		logw__meta(r->log, "probe", buf);
	}
	if (pl->nmallocs) {
		snprintf(buf, sizeof(buf), "%d size-specialised allocation functions "
			 "(runtime.mallocgc%s ...)", pl->nmallocs,
			 pl->mallocs[0].func + strlen("runtime.mallocgc"));
		if (r->o->alloc_mode != GOTL_ALLOC_OFF)
			logw__meta(r->log, "probe", buf);
	}
	logw__meta(r->log, "offsets", pl->off.source);
	for (i = 0; i < pl->nstw_reasons; i++) {
		snprintf(buf, sizeof(buf), "%d %s", i, pl->stw_reasons[i]);
		logw__meta(r->log, "stw_reason", buf);
	}
	for (i = 0; i < pl->nreasons; i++)
		logw__waitreason(r->log, (uint32_t)i, pl->reasons[i] ? pl->reasons[i] : "");
	for (i = 0; i < pl->nsynth; i++)
		logw__waitreason(r->log, (uint32_t)(PLAN_SYNTH_REASON + i), pl->synth_reasons[i]);
	/* Appends keep their first error; the flush returns it. */
	return logw__flush(r->log);
}

/* Is probe i attached in this recording? */
static bool probe_on(const struct recorder *r, int i)
{
	if (!r->plan->probes[i].found)
		return false;
	return i != GOTL_PROBE_MALLOC || r->o->alloc_mode != GOTL_ALLOC_OFF;
}

static int prepare(struct recorder *r)
{
	const struct record_opts *o = r->o;
	char path[PATH_MAX], err_msg[512];
	const struct plan *pl;
	int err, i;

	if (o->pid || r->followed) {
		ssize_t n;

		/* The file the process runs, even if replaced, deleted or in another mount namespace. */
		snprintf(r->attach_path, sizeof(r->attach_path), "/proc/%d/exe", (int)r->pid);
		n = readlink(r->attach_path, r->exe, sizeof(r->exe) - 1);
		if (n < 0) {
			if (r->followed)
				warnx("warning: cannot follow process %d: %s: %s", (int)r->pid,
				      r->attach_path, strerror(errno));
			else if (errno == ENOENT && kill(r->pid, 0) && errno == ESRCH)
				warnx("no process %d", (int)r->pid);
			else
				warnx("cannot attach to process %d: %s: %s", (int)r->pid,
				      r->attach_path, strerror(errno));
			return RECORD_BADINPUT;
		}
		r->exe[n] = 0;
		snprintf(path, sizeof(path), "%s", r->attach_path);
	} else {
		err = plan__resolve(o->argv[0], path);
		if (err) {
			warnx("cannot find '%s': %s", o->argv[0], strerror(-err));
			return RECORD_BADINPUT;
		}
	}
	err = plan__new(path, &r->plan, err_msg, sizeof(err_msg));
	if (err) {
		/* Following, most programs started are not Go (a shell, a tool): fine. */
		if (!r->followed)
			warnx("%s", err_msg);
		else if (o->verbose)
			warnx("process %d exec'd %s: not followed: %s", (int)r->pid, r->exe, err_msg);
		return RECORD_BADINPUT;
	}
	pl = r->plan;
	r->gb = pl->gb;
	r->path = pl->path;
	if (pl->note[0] && !r->followed)
		warnx("note: %s", pl->note);
	if (r->followed)
		warnx("following process %d: %s (%s)", (int)r->pid, r->exe, gobin__version(r->gb));
	if (!pl->nreasons)
		warnx("warning: no wait-reason table in '%s': blocked spans will be named by number",
		      r->path);

	r->skel = gotl_bpf__open();
	if (!r->skel) {
		warnx("cannot open the BPF object: %s", strerror(errno));
		return RECORD_FAILED;
	}
#define PROBE_PROG(name, program, function) \
	r->progs[GOTL_PROBE_##name] = r->skel->progs.program;
	GOTL_PROBE_LIST(PROBE_PROG)
#undef PROBE_PROG
	if (o->alloc_mode != GOTL_ALLOC_OFF && !pl->alloc) {
		warnx("%s'%s' has no runtime.mallocgc: cannot record allocations (--alloc=off)",
		      r->followed ? "warning: not following: " : "", r->path);
		return RECORD_BADINPUT;
	}
	if (o->alloc_mode != GOTL_ALLOC_OFF && pl->malloc_unknown)
		warnx("warning: %s is an allocation function gotl does not know: allocations "
		      "through it are not counted", pl->malloc_unknown);

	r->skel->rodata->off_g_goid = (__u64)pl->off.g_goid;
	r->skel->rodata->off_g_waitreason = (__u64)pl->off.g_waitreason;
	r->skel->rodata->off_g_gopc = (__u64)pl->off.g_gopc;
	r->skel->rodata->off_g_startpc = (__u64)pl->off.g_startpc;
	r->skel->rodata->off_g_m = (__u64)pl->off.g_m;
	r->skel->rodata->off_m_curg = (__u64)pl->off.m_curg;
	if (pl->probes[GOTL_PROBE_COROSWITCH].found) {
		r->skel->rodata->off_g_coroarg = (__u64)pl->off.g_coroarg;
		r->skel->rodata->off_g_coroexit = (__u64)pl->off.g_coroexit;
		r->skel->rodata->off_coro_gp = (__u64)pl->off.coro_gp;
		r->skel->rodata->reason_coroutine = (__u32)pl->reason_coroutine;
	}
	r->skel->rodata->goid_at_create = pl->goid_at_create;
	r->skel->rodata->casg_ret_off = pl->probes[GOTL_PROBE_CASGSTATUS].site.sp_delta;
	r->skel->rodata->casg_fix_on = pl->nreason_fix > 0;
	r->skel->rodata->stw_reason_arg = pl->stw_reason_arg;
	r->skel->rodata->malloc_header = pl->malloc_header;
	if (pl->off.g_stack_lo >= 0 && pl->off.g_stack_hi >= 0) {
		r->skel->rodata->off_g_stack_lo = (__u64)pl->off.g_stack_lo;
		r->skel->rodata->off_g_stack_hi = (__u64)pl->off.g_stack_hi;
	}
	r->skel->rodata->alloc_mode = (__u32)o->alloc_mode;
	r->skel->rodata->alloc_sample_bytes = o->alloc_sample_bytes ? o->alloc_sample_bytes :
					      512 << 10;
	r->skel->rodata->mallocgc_start = pl->probes[GOTL_PROBE_MALLOC].fn.entry;
	r->skel->rodata->mallocgc_end = pl->probes[GOTL_PROBE_MALLOC].fn.end;
	if (pl->stacks && o->stack_depth > 0) {
		r->skel->rodata->stack_depth = o->stack_depth > GOTL_STACK_MAX ? GOTL_STACK_MAX :
					       (__u32)o->stack_depth;
		r->skel->rodata->off_g_stack_lo = (__u64)pl->off.g_stack_lo;
		r->skel->rodata->off_g_stack_hi = (__u64)pl->off.g_stack_hi;
		r->skel->rodata->off_g_sched_pc = (__u64)pl->off.g_sched_pc;
		r->skel->rodata->off_g_sched_bp = (__u64)pl->off.g_sched_bp;
		r->skel->rodata->park_m_start = pl->park_m.entry;
		r->skel->rodata->park_m_end = pl->park_m.end;
		r->skel->rodata->gopark_start = pl->gopark.entry;
		r->skel->rodata->gopark_end = pl->gopark.end;
		r->skel->rodata->off_g_sched_sp = (__u64)pl->off.g_sched_sp;
	}
	r->skel->rodata->wakeup_bytes = o->ring_size / 4;
	/* Execs and forks are watched from the main recorder only. */
	r->skel->rodata->follow = o->follow;
	if (r->followed)
		bpf_program__set_autoload(r->skel->progs.on_exec, false);
	if (r->followed || !o->follow) {
		bpf_program__set_autoload(r->skel->progs.on_fork, false);
		bpf_program__set_autoload(r->skel->progs.on_exit, false);
	}
	r->multi = umulti__supported();
	for (i = 0; i < GOTL_PROBE_MAX; i++) {
		if (probe_on(r, i))
			r->skel->rodata->probe_addr[i] = pl->probes[i].addr;
		else
			bpf_program__set_autoload(r->progs[i], false);
		if (probe_on(r, i) && r->multi)
			bpf_program__set_expected_attach_type(r->progs[i], UMULTI_ATTACH_TYPE);
	}

	err = bpf_map__set_max_entries(r->skel->maps.events, (__u32)o->ring_size);
	if (err) {
		warnx("invalid ring buffer size %zu: %s", o->ring_size, strerror(-err));
		return RECORD_BADINPUT;
	}
	err = gotl_bpf__load(r->skel);
	if (err) {
		if (err == -EPERM || err == -EACCES)
			warnx("cannot load the BPF programs: %s (gotl record needs root, or "
			      "CAP_BPF and CAP_PERFMON)", strerror(-err));
		else
			warnx("cannot load the BPF programs: %s%s", strerror(-err),
			      o->verbose ? "" : " (-v shows libbpf's details)");
		return RECORD_FAILED;
	}
	_Static_assert(sizeof(pl->reason_fix) / sizeof(pl->reason_fix[0]) <= GOTL_CASG_FIX_MAX,
		       "every reason fix fits in the BPF map casg_fix");
	for (i = 0; i < pl->nreason_fix; i++) {
		__u64 ret = pl->reason_fix[i].ret;
		__u8 reason = pl->reason_fix[i].reason;

		err = bpf_map__update_elem(r->skel->maps.casg_fix, &ret, sizeof(ret), &reason,
					   sizeof(reason), BPF_ANY);
		if (err) {
			warnx("cannot fill the BPF map casg_fix: %s", strerror(-err));
			return RECORD_FAILED;
		}
	}
	r->ncpus = libbpf_num_possible_cpus();
	if (r->ncpus <= 0) {
		warnx("cannot count CPUs: %s", strerror(-r->ncpus));
		return RECORD_FAILED;
	}
	r->rb = ring_buffer__new(bpf_map__fd(r->skel->maps.events), on_record, r, NULL);
	if (!r->rb) {
		warnx("cannot open the ring buffer: %s", strerror(errno));
		return RECORD_FAILED;
	}
	err = logw__open(r->log_path, &r->log);
	if (err) {
		warnx("cannot create '%s': %s", r->log_path, strerror(-err));
		return RECORD_FAILED;
	}
	err = write_prologue(r);
	if (err) {
		warnx("cannot write '%s': %s", r->log_path, strerror(-err));
		return RECORD_FAILED;
	}
	if (o->verbose) {
		warnx("%s: %s, %s%s, offsets from %s, %d wait reasons (%s)", r->path,
		      gobin__version(r->gb), gobin__is_pie(r->gb) ? "PIE" : "not PIE",
		      gobin__has_dwarf(r->gb) ? "" : ", stripped", pl->off.source, pl->nreasons,
		      pl->reasons_how);
		for (i = 0; i < GOTL_PROBE_MAX; i++) {
			const struct plan_probe *p = &pl->probes[i];

			if (probe_on(r, i))
				warnx("probe %s+0x%x (file offset 0x%llx): %s%s", p->func,
				      p->site.offset, (unsigned long long)p->file_offset,
				      p->site.insn, p->site.emulated ? ", emulated" : "");
		}
		warnx("uprobes attached as %s", r->multi ?
		      "uprobe_multi links (one per program, removed in ~0.05 s)" :
		      "perf_event uprobes (no uprobe_multi here: ~0.1 s each to remove)");
		if (o->alloc_mode != GOTL_ALLOC_OFF && pl->nmallocs)
			warnx("probe %d size-specialised allocation functions (%s ...)",
			      pl->nmallocs, pl->mallocs[0].func);
	}
	return 0;
}

/*
 * The allocation program's cookie: where it is (for the load bias), where
 * the return address is, and whether mallocgc may be the caller (see
 * gotl.bpf.c).
 */
static __u64 malloc_cookie(const struct plan_probe *p, bool sibling)
{
	return (p->addr & ((1ull << 48) - 1)) | ((__u64)(p->site.sp_delta & 0xff) << 48) |
	       (sibling ? 1ull << 56 : 0);
}

static struct bpf_link *attach_one(struct recorder *r, struct bpf_program *prog,
				   const struct plan_probe *p, pid_t pid, __u64 cookie)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .bpf_cookie = cookie);
	struct bpf_link *l;

	l = bpf_program__attach_uprobe_opts(prog, pid, r->path, (size_t)p->file_offset, &uo);
	if (!l)
		warnx("cannot attach a uprobe to %s in '%s': %s", p->func, r->path,
		      strerror(errno));
	return l;
}

/*
 * One uprobe_multi link for probe i's program: its site, and for
 * allocations every allocation function's.
 */
static int attach_multi(struct recorder *r, int i, pid_t pid)
{
	const struct plan *pl = r->plan;
	const struct plan_probe *p = &pl->probes[i];
	size_t n = 1, k;
	uint64_t *offs, *cookies;
	int fd;

	if (i == GOTL_PROBE_MALLOC)
		n += (size_t)pl->nmallocs;
	offs = calloc(n, sizeof(*offs));
	cookies = calloc(n, sizeof(*cookies));
	if (!offs || !cookies) {
		free(offs);
		free(cookies);
		warnx("out of memory");
		return RECORD_FAILED;
	}
	offs[0] = p->file_offset;
	cookies[0] = i == GOTL_PROBE_MALLOC ? malloc_cookie(p, false) : 0;
	for (k = 1; k < n; k++) {
		offs[k] = pl->mallocs[k - 1].file_offset;
		cookies[k] = malloc_cookie(&pl->mallocs[k - 1], true);
	}
	fd = umulti__attach(bpf_program__fd(r->progs[i]), r->path, offs, cookies, n, pid);
	free(offs);
	free(cookies);
	if (fd < 0) {
		warnx("cannot attach a uprobe to %s in '%s': %s", p->func, r->path,
		      strerror(-fd));
		return RECORD_FAILED;
	}
	r->mlinks[r->nmlinks++] = fd;
	return 0;
}

static int attach(struct recorder *r, pid_t pid)
{
	const struct plan *pl = r->plan;
	int i;

	/* Execs first: the launch mode's own exec comes right after this. */
	r->skel->bss->target_tgid = (__u32)pid;
	r->skel->bss->target_skip_execs = r->o->pid ? 0 : 1;
	if (!r->followed)
		r->exec_link = bpf_program__attach(r->skel->progs.on_exec);
	if (!r->followed && !r->exec_link) {
		if (r->o->follow) {
			warnx("cannot watch for exec (tracepoint sched_process_exec: %s): cannot "
			      "--follow", strerror(errno));
			return RECORD_FAILED;
		}
		warnx("warning: cannot watch for exec (tracepoint sched_process_exec: %s): if the "
		      "program execs, the trace goes on as if it had not", strerror(errno));
	}
	if (!r->followed && r->o->follow) {
		r->fork_link = bpf_program__attach(r->skel->progs.on_fork);
		r->exit_link = bpf_program__attach(r->skel->progs.on_exit);
		if (!r->fork_link || !r->exit_link) {
			warnx("cannot watch for new processes (tracepoints sched_process_fork/exit: "
			      "%s): cannot --follow", strerror(errno));
			return RECORD_FAILED;
		}
	}

	for (i = 0; r->multi && i < GOTL_PROBE_MAX; i++)
		if (probe_on(r, i) && attach_multi(r, i, pid))
			return RECORD_FAILED;
	if (r->multi)
		return 0;
	for (i = 0; i < GOTL_PROBE_MAX; i++) {
		const struct plan_probe *p = &pl->probes[i];

		if (!probe_on(r, i))
			continue;
		r->links[i] = attach_one(r, r->progs[i], p, pid,
					 i == GOTL_PROBE_MALLOC ? malloc_cookie(p, false) : 0);
		if (!r->links[i])
			return RECORD_FAILED;
	}
	if (!probe_on(r, GOTL_PROBE_MALLOC) || !pl->nmallocs)
		return 0;
	r->malloc_links = calloc((size_t)pl->nmallocs, sizeof(*r->malloc_links));
	if (!r->malloc_links) {
		warnx("out of memory");
		return RECORD_FAILED;
	}
	for (i = 0; i < pl->nmallocs; i++) {
		r->malloc_links[i] = attach_one(r, r->progs[GOTL_PROBE_MALLOC], &pl->mallocs[i],
						pid, malloc_cookie(&pl->mallocs[i], true));
		if (!r->malloc_links[i])
			return RECORD_FAILED;
	}
	return 0;
}

/* ---- the run ------------------------------------------------------------ */

static int write_start(struct recorder *r, pid_t pid, uint32_t flags)
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

static void drain(struct recorder *r)
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
 * Attach mode: the goroutines the process has, as they were at ts (their
 * transitions since come as events). A failure costs only the snapshot.
 */
static size_t write_snapshot(struct recorder *r, pid_t pid, uint64_t ts)
{
	struct gsnap *snap;
	char err[512];
	uint64_t bias = 0;
	size_t i, n;
	int ret;

	ret = gsnap__bias(pid, r->gb, &bias);
	if (ret) {
		warnx("warning: cannot find where process %d's binary is loaded: %s; goroutines "
		      "that already exist appear at their next event", (int)pid, strerror(-ret));
		return 0;
	}
	ret = gsnap__read(r->plan, pid, bias, r->o->stack_depth, &snap, err, sizeof(err));
	if (ret) {
		warnx("warning: %s; goroutines that already exist appear at their next event",
		      err);
		return 0;
	}
	for (i = 0; i < snap->n; i++) {
		struct gsnap_g *g = &snap->gs[i];
		unsigned k;

		g->ev.hdr.ts = ts;
		ensure_sym(r, g->ev.startpc, GOTL_SYM_ENTRY);
		ensure_sym(r, g->ev.gopc, GOTL_SYM_RETURN);
		logw__append(r->log, &g->ev, sizeof(g->ev));
		if (!g->stack.n)
			continue;
		for (k = 0; k < g->stack.n; k++)
			ensure_frames(r, g->stack.pcs[k]);
		g->stack.hdr.ts = ts;
		logw__append(r->log, &g->stack, g->stack.hdr.size);
	}
	if (r->o->verbose)
		warnx("process %d has %zu goroutines (%zu entries in runtime.allgs, found by %s%s)",
		      (int)pid, snap->n, snap->allgs_len, snap->allgs_how,
		      snap->unreadable ? ", some unreadable" : "");
	n = snap->n;
	gsnap__free(snap);
	return n;
}

/*
 * Under sudo, become the user who ran it (with their groups) before exec,
 * unless --as-root. Returns 0 or -errno.
 */
static int drop_privileges(const struct record_opts *o)
{
	const char *su = getenv("SUDO_UID"), *sg = getenv("SUDO_GID");
	struct passwd *pw;
	char *end;
	unsigned long uid, gid;

	if (o->as_root || geteuid() != 0 || !su || !sg)
		return 0;
	errno = 0;
	uid = strtoul(su, &end, 10);
	if (errno || *end || end == su)
		return -EINVAL;
	gid = strtoul(sg, &end, 10);
	if (errno || *end || end == sg)
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

/* Why the child could not become the program (written to gotl through a pipe). */
struct child_err {
	int stage;		/* 0: exec, 1: dropping root */
	int err;		/* errno */
};

/* Fork a child that waits for the go-ahead, then execs the program. */
static pid_t spawn_waiting(struct recorder *r, int *go_fd, int *err_fd)
{
	int go[2], ep[2];
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) || pipe2(ep, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct child_err ce = { 0, 0 };
		char c;
		ssize_t n;

		close(go[1]);
		close(ep[0]);
		restore_signals();
		do
			n = read(go[0], &c, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)
			_exit(127);	/* gotl gave up before exec */
		ce.err = -drop_privileges(r->o);
		if (ce.err) {
			ce.stage = 1;
		} else {
			execv(r->path, r->o->argv);
			ce.err = errno;
		}
		if (write(ep[1], &ce, sizeof(ce)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(ep[1]);
	*go_fd = go[1];
	*err_fd = ep[0];
	return pid;
}

/* Take the uprobes (and the exec tracepoint) out of the process. */
static void probes_off(struct recorder *r, bool all)
{
	int i;

	/*
	 * A perf_event uprobe takes ~0.1 s to go (an RCU grace period, serialised
	 * in the kernel); a uprobe_multi link ~0.05 s, and closed together their
	 * grace periods overlap.
	 */
	umulti__close(r->mlinks, (size_t)r->nmlinks);
	r->nmlinks = 0;
	for (i = 0; i < GOTL_PROBE_MAX; i++) {
		bpf_link__destroy(r->links[i]);
		r->links[i] = NULL;
	}
	for (i = 0; r->malloc_links && i < r->plan->nmallocs; i++) {
		bpf_link__destroy(r->malloc_links[i]);
		r->malloc_links[i] = NULL;
	}
	r->probes_off = true;
	/* --follow: the exec and fork tracepoints stay until the end of the recording. */
	if (r->o->follow && !r->followed && !all)
		return;
	bpf_link__destroy(r->exec_link);
	r->exec_link = NULL;
	bpf_link__destroy(r->fork_link);
	r->fork_link = NULL;
	bpf_link__destroy(r->exit_link);
	r->exit_link = NULL;
}

/* ---- --follow ------------------------------------------------------------ */

/* Drain what the probes wrote, then write what ends a log (the END record is the caller's). */
static uint64_t end_log(struct recorder *r, struct gotl_rec_stats *st)
{
	uint64_t ts;

	drain(r);
	log_stats(r, true, st);
	ts = clock_ns(CLOCK_BOOTTIME);
	log_galloc_rest(r, ts);
	log_alloc_total(r, true);
	log_alloc_classes(r);
	return ts;
}

static void free_recorder(struct recorder *r)
{
	if (r->plan)
		probes_off(r, true);
	free(r->malloc_links);
	r->malloc_links = NULL;
	free(r->types.slots);
	free(r->classes.slots);
	ring_buffer__free(r->rb);
	r->rb = NULL;
	gotl_bpf__destroy(r->skel);
	r->skel = NULL;
	logw__close(r->log);
	r->log = NULL;
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

static void *reap(void *s)
{
	free_recorder(s);
	return NULL;
}

/*
 * A followed program ends: it exited (EXITED, with NO_STATUS unless gotl is
 * its parent), exec'd x, or the recording is over (DETACHED). Its probes go.
 */
static void end_sub(struct recorder *s, uint32_t flags, uint32_t status,
		    const struct gotl_ev_exec *x)
{
	struct gotl_rec_end end = { .hdr = { .type = GOTL_REC_END, .size = sizeof(end) } };
	struct gotl_rec_stats st;
	int err;

	end.hdr.ts = end_log(s, &st);
	if (x)
		logw__append(s->log, x, sizeof(*x));
	end.flags = flags;
	end.status = status;
	logw__append(s->log, &end, sizeof(end));
	err = logw__close(s->log);
	s->log = NULL;
	if (err)
		warnx("cannot write '%s': %s", s->log_path, strerror(-err));
	if (s->o->verbose)
		warnx("process %d (%s): %llu events in %s", (int)s->pid, s->exe,
		      (unsigned long long)s->events, s->log_path);
	s->ended = true;
	/* Its probes take ~1 s to go: not on the thread that drains the others. */
	s->reaping = !pthread_create(&s->reaper, NULL, reap, s);
	if (!s->reaping)
		free_recorder(s);
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
static bool pidfd_done(int pidfd)
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
		warnx("warning: out of memory: process %d is not followed", (int)pid);
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
	ret = prepare(s);
	if (ret)
		goto fail;
	ret = attach(s, pid);
	if (ret)
		goto fail;
	snprintf(buf, sizeof(buf), "%d %s", (int)m->pid, m->log_path);
	logw__meta(s->log, "followed_by", buf);
	/* Not stopped (the signal failed): it may have run already, as in attach mode. */
	write_start(s, pid, GOTL_START_FOLLOWED | (stopped ? GOTL_START_LAUNCHED :
						    GOTL_START_ATTACHED));
	if (!stopped)
		s->gs_snapshot = write_snapshot(s, pid, clock_ns(CLOCK_BOOTTIME));
	if (pid != m->pid)
		s->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (logw__flush(s->log)) {
		warnx("cannot write '%s'", s->log_path);
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
	free_recorder(s);
	s->ended = true;
	free((char *)s->log_path);
	s->log_path = NULL;	/* not a log: not listed */
out:
	if (stopped)
		kill(pid, SIGCONT);
}

/* The execs the last drain saw: end what each process was, follow what it became. */
static void follow_execs(struct recorder *m)
{
	int i;

	for (i = 0; i < m->npending; i++) {
		const struct gotl_ev_exec *x = &m->pending[i];
		struct recorder *s = active_sub(m, (pid_t)x->pid);

		if (s)
			end_sub(s, 0, 0, x);
		start_sub(m, x);
	}
	m->npending = 0;
}

/* The recording is over: every program still followed ends with it. */
static void end_subs(struct recorder *m, bool main_exited, int main_status)
{
	int i;

	for (i = 0; i < m->nsubs; i++) {
		struct recorder *s = m->subs[i];

		if (s->ended)
			continue;
		if (s->pid == m->pid && main_exited && !m->o->pid)
			end_sub(s, GOTL_END_EXITED, (uint32_t)main_status, NULL);
		else if ((s->pid == m->pid && main_exited) || pidfd_done(s->pidfd))
			end_sub(s, GOTL_END_EXITED | GOTL_END_NO_STATUS, 0, NULL);
		else
			end_sub(s, GOTL_END_DETACHED, 0, NULL);
	}
	/* Their processes may still be stopped if the recording ended in between. */
	for (i = 0; i < m->npending; i++)
		if (m->pending[i].flags & GOTL_EXEC_STOPPED)
			kill((pid_t)m->pending[i].pid, SIGCONT);
	m->npending = 0;
}

/* The periodic work of one recorder: counters, allocation tables, flush. */
static void tick(struct recorder *r, uint64_t now, uint64_t *last_stats, uint64_t *last_classes)
{
	if (now - *last_stats > 100000000ull)
		log_stats(r, false, NULL);
	log_alloc_total(r, false);
	if (now - *last_classes >= CLASSES_MS * 1000000ull)
		log_alloc_classes(r);
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
		return -errno;	/* not our child: nothing else tells when it ends */
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
			pfd[npfd].fd = r->subs[i]->pidfd;	/* -1 is ignored */
			pfd[npfd++].events = POLLIN;
			pfd[npfd].fd = ring_buffer__epoll_fd(r->subs[i]->rb);
			pfd[npfd++].events = POLLIN;
		}
		n = poll(pfd, (nfds_t)npfd, DRAIN_MS);
		if (n < 0 && errno != EINTR) {
			*poll_err = -errno;
			break;
		}
		drain(r);
		forward_signals();
		/* After an exec the Go program is gone: its probes must not see the next one. */
		if (r->execed && !r->probes_off) {
			probes_off(r, false);
			if (r->o->verbose)
				warnx("%s exec'd %s: recording of goroutines ends there",
				      r->o->pid ? "the process" : r->o->argv[0], r->exec_file);
		}
		now = clock_ns(CLOCK_MONOTONIC);
		for (i = 0; i < r->nsubs; i++) {
			struct recorder *s = r->subs[i];

			if (s->ended)
				continue;
			if (pidfd_done(s->pidfd))
				end_sub(s, GOTL_END_EXITED | GOTL_END_NO_STATUS, 0, NULL);
			else
				drain(s);
		}
		if (r->npending)
			follow_execs(r);
		for (i = 0; i < r->nsubs; i++)
			if (!r->subs[i]->ended)
				tick(r->subs[i], now, &last_stats, &last_classes);
		tick(r, now, &last_stats, &last_classes);
		if (now - last_stats > 100000000ull)
			last_stats = now;
		if (now - last_classes >= CLASSES_MS * 1000000ull)
			last_classes = now;
		progress(r, now, false);
		if (r->o->pid) {
			if (pfd[0].revents & POLLIN) {
				*exited = true;
				break;
			}
			if (stop_requested ||
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
		if (r->o->duration_ns && now - t0 >= r->o->duration_ns && !stop_requested) {
			stop_requested = 1;
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
	struct child_err ce;
	int go_fd = -1, err_fd = -1, ret;
	pid_t pid;
	ssize_t n;

	pid = spawn_waiting(r, &go_fd, &err_fd);
	if (pid < 0) {
		warnx("cannot start '%s': %s", o->argv[0], strerror(errno));
		return RECORD_FAILED;
	}
	*pidp = pid;
	r->pid = pid;
	child_pid = pid;
	res->pid = pid;
	r->execs_to_skip = 1;	/* the child becoming the program */
	ret = attach(r, pid);
	if (ret)
		goto fail;
	if (write_start(r, pid, GOTL_START_LAUNCHED) || logw__flush(r->log)) {
		warnx("cannot write '%s'", r->log_path);
		ret = RECORD_FAILED;
		goto fail;
	}
	/* Go: the child execs the program, its uprobes already in place. */
	if (write(go_fd, "g", 1) != 1) {
		warnx("cannot start '%s': %s", o->argv[0], strerror(errno));
		ret = RECORD_FAILED;
		goto fail;
	}
	close(go_fd);
	do
		n = read(err_fd, &ce, sizeof(ce));
	while (n < 0 && errno == EINTR);
	close(err_fd);
	if (n == sizeof(ce)) {
		waitpid(pid, NULL, 0);
		*pidp = -1;
		child_pid = 0;
		if (ce.stage == 1)
			warnx("cannot run '%s' as the user who ran sudo (SUDO_UID %s): %s "
			      "(--as-root runs it as root)", o->argv[0], getenv("SUDO_UID"),
			      strerror(ce.err));
		else
			warnx("cannot execute '%s': %s", o->argv[0], strerror(ce.err));
		return ce.stage == 1 ? RECORD_FAILED : RECORD_BADINPUT;
	}
	return 0;

fail:
	close(go_fd);		/* the child sees EOF and exits without exec */
	close(err_fd);
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
	if (write_start(r, pid, GOTL_START_ATTACHED)) {
		warnx("cannot write '%s'", r->o->log_path);
		return RECORD_FAILED;
	}
	ts = clock_ns(CLOCK_BOOTTIME);
	ret = attach(r, pid);
	if (ret)
		return ret;
	/* The ring buffer keeps the events meanwhile: the snapshot goes first in the log. */
	r->gs_snapshot = write_snapshot(r, pid, ts);
	res->snapshot = (size_t)r->gs_snapshot;
	if (logw__flush(r->log)) {
		warnx("cannot write '%s'", r->o->log_path);
		return RECORD_FAILED;
	}
	return 0;
}

/*
 * The recording broke off while the launched program runs: wait for it as
 * without gotl (signals sent to gotl still reach it), for its real status.
 * nanosleep, unlike waitpid, returns to forward a signal.
 */
static int wait_child(pid_t pid)
{
	struct timespec ts = { 0, DRAIN_MS * 1000000L };
	int status = 0;
	pid_t w;

	for (;;) {
		forward_signals();
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR))
			return w == pid ? status : 0;
		nanosleep(&ts, NULL);
	}
}

/*
 * The program has exited: its probes protect nothing any more, but removing
 * them takes ~0.1 s each (an RCU grace period per uprobe, one after the
 * other in the kernel), a second or more before gotl could write the trace
 * and exit. A detached grandchild takes a reference to them and drops it
 * when it exits, which is when the kernel removes them; gotl's own closes
 * are then instant. It holds nothing else: its stdio is /dev/null (a pipe
 * that gotl writes to sees its end when gotl exits), and it is reaped by
 * init. If it cannot be made, the probes are removed here as before.
 */
static void release_in_background(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return;
	if (pid == 0) {
		if (fork() != 0)
			_exit(0);
		setsid();
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

int record__run(const struct record_opts *o, struct record_result *res)
{
	struct recorder r;
	struct gotl_rec_stats st;
	struct gotl_rec_end end = { .hdr = { .type = GOTL_REC_END, .size = sizeof(end) } };
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
	stop_requested = 0;
	attached = 0;
	set_libbpf_verbosity(o->verbose);

	ret = prepare(&r);
	if (ret)
		goto cleanup;

	install_signals(o);
	t0 = clock_ns(CLOCK_MONOTONIC);
	ret = o->pid ? attach_running(&r, res) : launch(&r, &pid, res);
	if (ret)
		goto cleanup;

	err = wait_loop(&r, o->pid ? o->pid : pid, &status, &exited, &poll_err);
	stop_requested = 1;	/* attach mode: a signal from now on ends gotl at once */
	if (err) {
		warnx("lost track of %s: %s", what, strerror(-err));
		ret = RECORD_FAILED;
		goto cleanup;
	}
	if (poll_err)
		warnx("cannot wait for events: poll: %s: the recording stops here (the raw event "
		      "log up to here is kept in %s); %s runs on%s", strerror(-poll_err),
		      o->log_path, what, o->pid ? "" : ", gotl waits for it");
	res->seconds = (double)(clock_ns(CLOCK_MONOTONIC) - t0) / 1e9;
	if (!poll_err) {
		child_pid = 0;
		pid = -1;
	}
	end_subs(&r, exited, status);
	end.hdr.ts = end_log(&r, &st);
	res->alloc_count = r.last_total.count;
	res->alloc_bytes = r.last_total.bytes;
	res->exited = exited;
	if (r.execed)
		snprintf(res->exec_file, sizeof(res->exec_file), "%s", r.exec_file);
	if (poll_err) {
		end.flags = GOTL_END_DETACHED | GOTL_END_FAILED;
	} else if (!o->pid) {
		end.status = (uint32_t)status;
		end.flags = GOTL_END_EXITED;
	} else {
		end.flags = exited ? GOTL_END_EXITED | GOTL_END_NO_STATUS : GOTL_END_DETACHED;
	}
	logw__append(r.log, &end, sizeof(end));
	for (i = 0; i < r.nsubs; i++) {
		char **l;

		if (!r.subs[i]->log_path)
			continue;
		l = realloc(res->follow_logs, (res->nfollow + 1) * sizeof(*l));
		if (!l)
			break;
		res->follow_logs = l;
		res->follow_logs[res->nfollow++] = (char *)r.subs[i]->log_path;
		r.subs[i]->log_path = NULL;
		res->events += r.subs[i]->events;
	}
	res->status = status;
	res->events += r.events;
	res->lost = sum(st.lost);
	res->hits = sum(st.hits);
	res->log_bytes = logw__size(r.log);
	err = logw__close(r.log);
	r.log = NULL;
	if (err)
		warnx("cannot write '%s': %s", o->log_path, strerror(-err));
	else if (r.bad_records)
		warnx("warning: %llu malformed records from the probes were dropped",
		      (unsigned long long)r.bad_records);
	ret = err ? RECORD_FAILED : 0;
	if (poll_err) {
		/* The program runs on without probes; a launched one is still waited for. */
		probes_off(&r, true);
		ret = RECORD_FAILED;
		if (pid > 0) {
			status = wait_child(pid);
			res->status = status;
			res->exited = true;
			if (WIFSIGNALED(status) || WEXITSTATUS(status))
				ret = WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
							    WEXITSTATUS(status);
		}
		child_pid = 0;
		pid = -1;
	}

cleanup:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	child_pid = 0;
	/* Attach mode: a signal while the trace is written still ends gotl at once. */
	if (!o->pid || ret) {
		restore_signals();
		attached = 0;
	}
	/* A failure while following: nothing may stay stopped or probed. */
	end_subs(&r, false, 0);
	for (i = 0; i < r.nsubs; i++) {
		if (r.subs[i]->reaping)
			pthread_join(r.subs[i]->reaper, NULL);
		free_recorder(r.subs[i]);
		free((char *)r.subs[i]->log_path);
		free(r.subs[i]);
	}
	free(r.subs);
	free(r.pending);
	/* Closing the links takes the probes out of the process (attach: it runs on). */
	if (!o->pid && exited)
		release_in_background();
	free_recorder(&r);
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
