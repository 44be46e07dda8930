// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mklog: write a synthetic gotl event log for the converter benchmarks and
 * the converter's equivalence checks: many goroutines living through
 * consistent state machines (created by a running goroutine, Runnable ->
 * Running on one of a few Ps, parking with wait reasons and sometimes a
 * stack, woken by a running goroutine or by the scheduler, syscalls,
 * preemptions, exits), with the SYM and FRAMES records the recorder writes
 * before the first record that needs them, and a little arrival disorder
 * like the ring buffer's.
 *
 *	mklog [-n EVENTS] [-g GOROUTINES] [-a ALIVE] [-p PS] [-s SEED]
 *	      [-k STACK_PERCENT] OUT.gotl
 *
 * EVENTS status/create records in all; GOROUTINES created in all (their
 * lives are spread over the log), at most ALIVE at once. The same options
 * and seed write the same bytes. It writes logs, nothing else: it must not
 * need the converter, root or a Go program.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gotl/event.h"
#include "gobin.h"
#include "logw.h"

#define NFUNCS		64	/* start functions (and their `go` statements) */
#define NSTACKS		256	/* distinct stacks */
#define NPCS		512	/* distinct stack pcs */
#define MAXPS		64
#define GP_BASE		0xc000100000ull
#define PC_START	0x480000ull
#define PC_GO		0x490000ull
#define PC_STACK	0x4a0000ull
#define PC_GOPARK	0x4b0000ull

enum { S_RUNNABLE, S_RUNNING, S_WAITING, S_SYSCALL };

struct gor {
	uint64_t gp, goid;
	int state, p;
	long budget; /* it exits when it runs after this many transitions */
	int func;
};

static const struct {
	unsigned idx;
	const char *s;
} reasons[] = {
	{ 2, "GC assist marking" },
	{ 7, "chan receive" },
	{ 8, "chan send" },
	{ 9, "finalizer wait" },
	{ 10, "force gc (idle)" },
	{ 13, "IO wait" },
	{ 14, "chan receive (nil chan)" },
	{ 16, "select" },
	{ 17, "select (no cases)" },
	{ 18, "sleep" },
	{ 19, "sync.Cond.Wait" },
	{ 20, "sync.Mutex.Lock" },
	{ 21, "sync.RWMutex.RLock" },
	{ 23, "semacquire" },
};
#define NREASONS (sizeof(reasons) / sizeof(reasons[0]))

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static unsigned rndn(unsigned n)
{
	return (unsigned)((rnd() >> 33) % n);
}

struct gen {
	struct logw *lw;
	uint64_t ts, events, goid_seq, created;
	struct gor *g;		    /* alive goroutines, unordered */
	uint64_t *free_gp, next_gp; /* addresses of exited goroutines' g structs */
	size_t nfree;
	size_t alive, max_alive;
	uint64_t total, ngor;
	int nps, stack_pct;
	long mean_budget;
	struct gor *running[MAXPS];
	bool func_sym[NFUNCS], pc_frames[NPCS];
	uint64_t stacks[NSTACKS][GOTL_STACK_MAX];
	int stack_n[NSTACKS];
	/* One record held back and written after the next: arrival disorder. */
	uint8_t held[sizeof(struct gotl_ev_status)];
	bool have_held;
	int err;
};

static void put(struct gen *G, const void *rec, size_t size)
{
	if (!G->err)
		G->err = logw__append(G->lw, rec, size);
}

static void flush_held(struct gen *G)
{
	if (G->have_held)
		put(G, G->held, sizeof(struct gotl_ev_status));
	G->have_held = false;
}

static void frames_for(struct gen *G, uint64_t pc)
{
	char func[64], file[64];
	struct gobin_frame f;
	unsigned i = (unsigned)((pc - PC_STACK) / 16);

	if (pc == PC_GOPARK || i >= NPCS || G->pc_frames[i])
		return;
	G->pc_frames[i] = true;
	if (i % 5 == 0)
		snprintf(func, sizeof(func), "runtime.chanrecv%u", i % 3);
	else if (i % 7 == 0)
		snprintf(func, sizeof(func), "sync.(*Mutex).lockSlow");
	else
		snprintf(func, sizeof(func), "main.handler%u", i);
	snprintf(file, sizeof(file), "/src/app/pkg%u/file%u.go", i % 9, i % 17);
	f = (struct gobin_frame){ .func = func, .file = file, .line = 10 + (int)(i % 300) };
	if (!G->err)
		G->err = logw__frames(G->lw, pc, &f, 1);
}

static void stack(struct gen *G, uint64_t gp, uint8_t kind, int which)
{
	struct gotl_ev_stack e = { .hdr = { .type = GOTL_REC_STACK, .tid = 1000, .ts = G->ts },
				   .gp = gp,
				   .kind = kind,
				   .gp_stack_size = 8192 };
	int n = G->stack_n[which], i;

	for (i = 0; i < n; i++)
		frames_for(G, G->stacks[which][i]);
	memcpy(e.pcs, G->stacks[which], 8 * (size_t)n);
	e.n = (uint8_t)n;
	e.hdr.size = (uint16_t)(offsetof(struct gotl_ev_stack, pcs) + 8 * (size_t)n);
	put(G, &e, e.hdr.size);
}

/* A status record; may be held back behind the next record when no stack follows. */
static void status(struct gen *G, struct gor *g, int from, int to, unsigned reason,
		   const struct gor *w, uint32_t tid, uint8_t probe, bool may_delay)
{
	static const uint8_t gs[] = { GOTL_G_RUNNABLE, GOTL_G_RUNNING, GOTL_G_WAITING,
				      GOTL_G_SYSCALL };
	struct gotl_ev_status e = {
		.hdr = { .type = GOTL_REC_STATUS, .size = sizeof(e), .tid = tid, .ts = G->ts },
		.gp = g->gp,
		.goid = g->goid,
		.other_gp = w ? w->gp : 0,
		.other_goid = w ? w->goid : 0,
		.from = from < 0 ? GOTL_G_DEAD : gs[from],
		.to = to < 0 ? GOTL_G_DEAD : gs[to],
		.reason = (uint8_t)reason,
		.probe = probe,
	};

	G->events++;
	g->budget--;
	if (may_delay && !G->have_held && rndn(100) < 2) {
		memcpy(G->held, &e, sizeof(e));
		G->have_held = true;
		return;
	}
	put(G, &e, sizeof(e));
	if (!may_delay)
		return;
	flush_held(G);
}

static void create(struct gen *G, struct gor *parent)
{
	struct gor *g = &G->g[G->alive++];
	int f = (int)rndn(NFUNCS);
	struct gotl_ev_create e = { .hdr = { .type = GOTL_REC_CREATE,
					     .size = sizeof(e),
					     .tid = parent ? 1000 + (uint32_t)parent->p : 1000,
					     .ts = G->ts } };
	char func[64], file[64];

	flush_held(G);
	if (!G->func_sym[f]) {
		snprintf(func, sizeof(func), "main.worker%d", f);
		snprintf(file, sizeof(file), "/src/app/worker%d.go", f % 11);
		if (!G->err)
			G->err = logw__sym(G->lw, PC_START + 64 * (uint64_t)f, GOTL_SYM_ENTRY, func,
					   file, 20 + (uint32_t)f);
		snprintf(func, sizeof(func), "main.spawn%d", f % 13);
		if (!G->err)
			G->err = logw__sym(G->lw, PC_GO + 64 * (uint64_t)f, GOTL_SYM_RETURN, func,
					   "/src/app/main.go", 100 + (uint32_t)f);
		G->func_sym[f] = true;
	}
	/* A g struct is reused after its goroutine exits. */
	g->gp = G->nfree ? G->free_gp[--G->nfree] : GP_BASE + 0x400 * G->next_gp++;
	g->goid = ++G->goid_seq;
	g->state = S_RUNNABLE;
	g->p = -1;
	g->func = f;
	g->budget = 1 + (long)rndn((unsigned)(2 * G->mean_budget));
	e.gp = g->gp;
	e.goid = g->goid;
	e.parent_gp = parent ? parent->gp : 0;
	e.parent_goid = parent ? parent->goid : 0;
	e.startpc = PC_START + 64 * (uint64_t)f;
	e.gopc = PC_GO + 64 * (uint64_t)f;
	e.to = GOTL_G_RUNNABLE;
	put(G, &e, sizeof(e));
	G->events++;
	G->created++;
	if (G->stack_pct && rndn(100) < (unsigned)G->stack_pct)
		stack(G, g->gp, GOTL_STACK_CREATE, (int)rndn(NSTACKS));
}

/* g exits: its g struct goes on the free list (reused first, as the runtime's gfree). */
static void retire(struct gen *G, struct gor *g)
{
	struct gor *last = &G->g[G->alive - 1];
	int p;

	G->free_gp[G->nfree++] = g->gp;
	if (g != last) {
		*g = *last;
		for (p = 0; p < G->nps; p++)
			if (G->running[p] == last)
				G->running[p] = g;
	}
	G->alive--;
}

static struct gor *random_running(struct gen *G)
{
	int p = (int)rndn((unsigned)G->nps), i;

	for (i = 0; i < G->nps; i++, p = (p + 1) % G->nps)
		if (G->running[p] && G->running[p]->state == S_RUNNING)
			return G->running[p];
	return NULL;
}

static int free_p(struct gen *G)
{
	int p;

	for (p = 0; p < G->nps; p++)
		if (!G->running[p])
			return p;
	return -1;
}

static void step(struct gen *G, struct gor *g)
{
	uint32_t tid = g->p >= 0 ? 1000 + (uint32_t)g->p : 999;
	unsigned r;
	int p;

	switch (g->state) {
	case S_RUNNABLE:
		p = free_p(G);
		if (p < 0) {
			/* Every P is busy: one of them moves on, or (rarely) is preempted. */
			struct gor *y = G->running[rndn((unsigned)G->nps)];

			if (y->state != S_RUNNING)
				return;
			if (rndn(100) < 85) {
				step(G, y);
				return;
			}
			status(G, y, S_RUNNING, S_RUNNABLE, 0, NULL, 1000 + (uint32_t)y->p,
			       GOTL_PROBE_CASGSTATUS, true);
			y->state = S_RUNNABLE;
			G->running[y->p] = NULL;
			p = y->p;
			y->p = -1;
			G->ts += 50 + rndn(200);
		}
		g->p = p;
		G->running[p] = g;
		status(G, g, S_RUNNABLE, S_RUNNING, 0, NULL, 1000 + (uint32_t)p,
		       GOTL_PROBE_CASGSTATUS, true);
		g->state = S_RUNNING;
		if (g->budget > 0)
			break;
		/* Its work is done: it returns from its function right away. */
		G->ts += 100 + rndn(1000);
		tid = 1000 + (uint32_t)p;
		/* fall through */
	case S_RUNNING:
		if (g->budget <= 0) {
			status(G, g, S_RUNNING, -1, 0, NULL, tid, GOTL_PROBE_CASGSTATUS, true);
			G->running[g->p] = NULL;
			retire(G, g);
			break;
		}
		r = rndn(100);
		if (r < 55) {
			const unsigned k = rndn(NREASONS);
			bool stk = G->stack_pct && rndn(100) < (unsigned)G->stack_pct;

			status(G, g, S_RUNNING, S_WAITING, reasons[k].idx, NULL, tid,
			       GOTL_PROBE_CASGSTATUS, !stk);
			if (stk)
				stack(G, g->gp, GOTL_STACK_BLOCK, (int)rndn(NSTACKS));
			G->running[g->p] = NULL;
			g->p = -1;
			g->state = S_WAITING;
		} else if (r < 70) {
			status(G, g, S_RUNNING, S_RUNNABLE, 0, NULL, tid, GOTL_PROBE_CASGSTATUS,
			       true);
			G->running[g->p] = NULL;
			g->p = -1;
			g->state = S_RUNNABLE;
		} else if (r < 85) {
			status(G, g, S_RUNNING, S_SYSCALL, 0, NULL, tid, GOTL_PROBE_REENTERSYSCALL,
			       true);
			g->state = S_SYSCALL;
		} else if (G->alive < G->max_alive && G->created < G->ngor) {
			create(G, g);
		}
		break;
	case S_WAITING:
		/* Woken by a running goroutine, or by the scheduler (netpoll, timers). */
		status(G, g, S_WAITING, S_RUNNABLE, 0, rndn(100) < 70 ? random_running(G) : NULL,
		       999, GOTL_PROBE_CASGSTATUS, true);
		g->state = S_RUNNABLE;
		break;
	case S_SYSCALL:
		status(G, g, S_SYSCALL, S_RUNNING, 0, NULL, tid, GOTL_PROBE_EXITSYSCALL, true);
		g->state = S_RUNNING;
		break;
	}
}

static void prologue(struct gen *G)
{
	struct gotl_rec_start s = {
		.hdr = { .type = GOTL_REC_START, .size = sizeof(s), .ts = G->ts },
		.pid = 4242,
		.flags = GOTL_START_LAUNCHED,
		.monotonic_ns = G->ts - 1000,
		.realtime_ns = 1700000000000000000ull
	};
	struct gobin_frame park = { "runtime.gopark", "/usr/local/go/src/runtime/proc.go", 435 };
	size_t i;
	int k, n;

	logw__meta(G->lw, "go_version", "go1.26.0");
	logw__meta(G->lw, "comm", "synthetic");
	logw__meta(G->lw, "arg", "./synthetic");
	logw__meta(G->lw, "gotl_version", "mklog");
	for (i = 0; i < NREASONS; i++)
		logw__waitreason(G->lw, reasons[i].idx, reasons[i].s);
	logw__frames(G->lw, PC_GOPARK, &park, 1);
	for (k = 0; k < NSTACKS; k++) {
		n = 3 + (int)rndn(GOTL_STACK_MAX - 3);
		G->stack_n[k] = n;
		G->stacks[k][0] = PC_GOPARK;
		for (i = 1; i < (size_t)n; i++)
			G->stacks[k][i] = PC_STACK + 16 * (uint64_t)rndn(NPCS);
	}
	put(G, &s, sizeof(s));
}

static void epilogue(struct gen *G)
{
	struct gotl_rec_end e = { .hdr = { .type = GOTL_REC_END, .size = sizeof(e), .ts = G->ts },
				  .status = 0,
				  .flags = GOTL_END_EXITED };

	flush_held(G);
	put(G, &e, sizeof(e));
}

static void usage(void)
{
	fprintf(stderr, "usage: mklog [-n EVENTS] [-g GOROUTINES] [-a ALIVE] [-p PS] [-s SEED] "
			"[-k STACK_PERCENT] OUT.gotl\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct gen G = { .total = 1000000,
			 .ngor = 10000,
			 .max_alive = 1000,
			 .nps = 4,
			 .stack_pct = 30,
			 .ts = 1000000000ull };
	int c, err;

	while ((c = getopt(argc, argv, "n:g:a:p:s:k:")) != -1) {
		switch (c) {
		case 'n':
			G.total = strtoull(optarg, NULL, 0);
			break;
		case 'g':
			G.ngor = strtoull(optarg, NULL, 0);
			break;
		case 'a':
			G.max_alive = strtoull(optarg, NULL, 0);
			break;
		case 'p':
			G.nps = atoi(optarg);
			break;
		case 's':
			rng ^= strtoull(optarg, NULL, 0) * 0x9e3779b97f4a7c15ull;
			break;
		case 'k':
			G.stack_pct = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1 || G.nps < 1 || G.nps > MAXPS || !G.max_alive || !G.ngor ||
	    G.stack_pct < 0 || G.stack_pct > 100)
		usage();
	/* Every goroutine makes about this many transitions, so all GOROUTINES fit in EVENTS. */
	G.mean_budget = (long)(G.total * 4 / 5 / G.ngor); /* room for the last ones to end */
	if (G.mean_budget < 1)
		G.mean_budget = 1;
	G.g = calloc(G.max_alive, sizeof(*G.g));
	G.free_gp = calloc(G.max_alive, sizeof(*G.free_gp));
	if (!G.g || !G.free_gp) {
		fprintf(stderr, "mklog: out of memory\n");
		return 1;
	}
	err = logw__open(argv[optind], &G.lw);
	if (err) {
		fprintf(stderr, "mklog: cannot create %s: %s\n", argv[optind], strerror(-err));
		return 1;
	}
	prologue(&G);
	create(&G, NULL);
	while (!G.err && G.events < G.total) {
		G.ts += 100 + rndn(800); /* ~2M events/s: a few CPUs of trapping */
		/* Keep ALIVE goroutines going while there are more to create. */
		if (G.alive < G.max_alive && G.created < G.ngor &&
		    (G.alive < 2 || rndn(100) < 30)) {
			create(&G, random_running(&G));
			continue;
		}
		if (!G.alive)
			break;
		step(&G, &G.g[rndn((unsigned)G.alive)]);
	}
	epilogue(&G);
	err = logw__close(G.lw);
	if (!err)
		err = G.err;
	if (err) {
		fprintf(stderr, "mklog: cannot write %s: %s\n", argv[optind], strerror(-err));
		return 1;
	}
	fprintf(stderr, "mklog: %s: %llu events, %llu goroutines, at most %zu alive\n",
		argv[optind], (unsigned long long)G.events, (unsigned long long)G.created,
		G.max_alive);
	free(G.g);
	free(G.free_gp);
	return 0;
}
