/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * logbuild.h: test-only helpers that write synthetic gotl event logs with
 * logw, record for record as the recorder and the BPF programs would, and
 * a cmocka fixture holding a log and a trace path. Header-only; include it
 * in one test file (after cmocka.h).
 */
#ifndef GOTL_LOGBUILD_H
#define GOTL_LOGBUILD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gotl/event.h"
#include "gobin.h"
#include "logw.h"

#define GP1 0xc000002000ull
#define GP7 0xc000003000ull
#define PC_MAIN 0x401000ull
#define PC_WORKER 0x402000ull
#define PC_GO 0x401234ull
#define PC_RT 0x400100ull

struct fixture {
	char log[64], trace[64];
	struct logw *lw;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->log, sizeof(f->log), "/tmp/gotl-test-%d.gotl", getpid());
	snprintf(f->trace, sizeof(f->trace), "/tmp/gotl-test-%d.pftrace", getpid());
	assert_int_equal(logw__open(f->log, &f->lw), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	logw__close(f->lw);
	unlink(f->log);
	unlink(f->trace);
	free(f);
	return 0;
}

/* The prologue of a recording: flags GOTL_START_* (LAUNCHED, or ATTACHED for record -p). */
static void prologue_flags(struct logw *lw, uint32_t pid, uint32_t flags)
{
	struct gotl_rec_start s = {
		.hdr = { .type = GOTL_REC_START, .size = sizeof(s), .ts = 1000 },
		.pid = pid,
		.flags = flags,
		.monotonic_ns = 900,
		.realtime_ns = 1700000000000000000ull,
	};

	assert_int_equal(logw__meta(lw, "go_version", "go1.23.4"), 0);
	assert_int_equal(logw__meta(lw, "comm", "prog"), 0);
	assert_int_equal(logw__meta(lw, "arg", "./prog"), 0);
	assert_int_equal(logw__waitreason(lw, 0, ""), 0);
	assert_int_equal(logw__waitreason(lw, 14, "chan receive"), 0);
	assert_int_equal(logw__waitreason(lw, 15, "chan send"), 0);
	assert_int_equal(logw__waitreason(lw, 19, "sleep"), 0);
	assert_int_equal(logw__sym(lw, PC_MAIN, GOTL_SYM_ENTRY, "main.main", "/src/main.go", 10),
			 0);
	assert_int_equal(logw__sym(lw, PC_WORKER, GOTL_SYM_ENTRY, "main.worker", "/src/main.go",
				   30),
			 0);
	assert_int_equal(logw__sym(lw, PC_GO, GOTL_SYM_RETURN, "main.main", "/src/main.go", 14), 0);
	assert_int_equal(logw__sym(lw, PC_RT, GOTL_SYM_RETURN, "runtime.rt0_go", "asm.s", 1), 0);
	assert_int_equal(logw__append(lw, &s, sizeof(s)), 0);
}

static void prologue_pid(struct logw *lw, uint32_t pid)
{
	prologue_flags(lw, pid, GOTL_START_LAUNCHED);
}

static void prologue(struct logw *lw)
{
	prologue_pid(lw, 4242);
}

static void create(struct logw *lw, uint64_t ts, uint64_t gp, uint64_t goid, uint64_t pgp,
		   uint64_t pgoid, uint64_t start, uint64_t gopc)
{
	struct gotl_ev_create e = {
		.hdr = { .type = GOTL_REC_CREATE, .size = sizeof(e), .tid = 100, .ts = ts },
		.gp = gp,
		.goid = goid,
		.parent_gp = pgp,
		.parent_goid = pgoid,
		.startpc = start,
		.gopc = gopc,
		.to = GOTL_G_RUNNABLE,
	};

	assert_int_equal(logw__append(lw, &e, sizeof(e)), 0);
}

static void status_from(struct logw *lw, uint8_t probe, uint64_t ts, uint32_t tid, uint64_t gp,
			uint64_t goid, uint8_t from, uint8_t to, uint8_t reason, uint64_t wgp,
			uint64_t wgoid)
{
	struct gotl_ev_status e = {
		.hdr = { .type = GOTL_REC_STATUS, .size = sizeof(e), .tid = tid, .ts = ts },
		.gp = gp,
		.goid = goid,
		.other_gp = wgp,
		.other_goid = wgoid,
		.from = from,
		.to = to,
		.reason = reason,
		.probe = probe,
	};

	assert_int_equal(logw__append(lw, &e, sizeof(e)), 0);
}

static void status(struct logw *lw, uint64_t ts, uint32_t tid, uint64_t gp, uint64_t goid,
		   uint8_t from, uint8_t to, uint8_t reason, uint64_t wgp, uint64_t wgoid)
{
	status_from(lw, GOTL_PROBE_CASGSTATUS, ts, tid, gp, goid, from, to, reason, wgp, wgoid);
}

/* A goroutine read from a running process at attach time (record -p). */
static __attribute__((unused)) void gsnap(struct logw *lw, uint64_t ts, uint64_t read_ts,
					  uint64_t gp, uint64_t goid, uint8_t status,
					  uint8_t reason, uint64_t start, uint64_t gopc,
					  uint64_t since)
{
	struct gotl_ev_gsnap e = {
		.hdr = { .type = GOTL_REC_GSNAP, .size = sizeof(e), .ts = ts },
		.gp = gp,
		.goid = goid,
		.startpc = start,
		.gopc = gopc,
		.waitsince = since,
		.read_ts = read_ts,
		.status = status,
		.reason = reason,
	};

	assert_int_equal(logw__append(lw, &e, sizeof(e)), 0);
}

static void end(struct logw *lw, uint64_t ts, uint32_t wstatus)
{
	struct gotl_rec_end e = { .hdr = { .type = GOTL_REC_END, .size = sizeof(e), .ts = ts },
				  .status = wstatus,
				  .flags = GOTL_END_EXITED };

	assert_int_equal(logw__append(lw, &e, sizeof(e)), 0);
}


/*
 * A list of leak suspects: G1 (main) then n workers G10... it creates, each
 * running and then blocked for good in "chan send" (reason 15), to the end
 * at 100000.
 */
static __attribute__((unused)) void leaked_workers(struct logw *lw, int n)
{
	int i;

	create(lw, 1000, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	for (i = 0; i < n; i++) {
		uint64_t gp = GP7 + 0x1000 * (uint64_t)i, goid = 10 + (uint64_t)i;

		create(lw, 2000 + 10 * (uint64_t)i, gp, goid, GP1, 1, PC_WORKER, PC_GO);
		status(lw, 2001 + 10 * (uint64_t)i, 100, gp, goid, GOTL_G_RUNNABLE, GOTL_G_RUNNING,
		       0, 0, 0);
		status(lw, 2002 + 10 * (uint64_t)i, 100, gp, goid, GOTL_G_RUNNING, GOTL_G_WAITING,
		       15, 0, 0);
	}
	end(lw, 100000, 0);
}

/* A stack record: pcs innermost first, as BPF writes it (then trimmed). */
static __attribute__((unused)) void stack(struct logw *lw, uint64_t ts, uint64_t gp, uint8_t kind,
					  const uint64_t *pcs, int n, uint64_t stack_size)
{
	struct gotl_ev_stack e = {
		.hdr = { .type = GOTL_REC_STACK, .tid = 100, .ts = ts },
		.gp = gp,
		.kind = kind,
		.n = (uint8_t)n,
		.gp_stack_size = stack_size,
	};

	memcpy(e.pcs, pcs, 8 * (size_t)n);
	e.hdr.size = (uint16_t)(offsetof(struct gotl_ev_stack, pcs) + 8 * (size_t)n);
	assert_int_equal(logw__append(lw, &e, e.hdr.size), 0);
}

/* The frames of a stack pc, innermost first. */
static __attribute__((unused)) void frames(struct logw *lw, uint64_t pc, const char *func,
					   const char *file, int line)
{
	struct gobin_frame f = { .func = func, .file = file, .line = line };

	assert_int_equal(logw__frames(lw, pc, &f, 1), 0);
}

/* A type record, as the recorder writes one before the first use of its address. */
static __attribute__((unused)) void type_rec(struct logw *lw, uint64_t addr, const char *name,
					     uint64_t size)
{
	assert_int_equal(logw__type(lw, addr, size, 25, 0, name, strlen(name)), 0);
}

static __attribute__((unused)) void galloc(struct logw *lw, uint64_t ts, uint64_t gp, uint64_t goid,
					   uint64_t bytes, uint64_t count)
{
	struct gotl_ev_galloc e = {
		.hdr = { .type = GOTL_REC_GALLOC, .size = sizeof(e), .tid = 100, .ts = ts },
		.gp = gp,
		.goid = goid,
		.bytes = bytes,
		.count = count,
	};

	assert_int_equal(logw__append(lw, &e, sizeof(e)), 0);
}

static __attribute__((unused)) void alloc_ev(struct logw *lw, uint64_t ts, uint64_t gp,
					     uint64_t goid, uint64_t type, uint64_t size,
					     uint64_t weight)
{
	struct gotl_ev_alloc e = {
		.hdr = { .type = GOTL_REC_ALLOC, .size = sizeof(e), .tid = 100, .ts = ts },
		.gp = gp,
		.goid = goid,
		.size = size,
		.weight = weight,
		.key = { .type = type },
	};

	assert_int_equal(logw__append(lw, &e, sizeof(e)), 0);
}

static __attribute__((unused)) void alloc_class(struct logw *lw, uint64_t ts,
						const struct gotl_alloc_key *k, uint64_t count,
						uint64_t bytes)
{
	struct gotl_rec_alloc_class c = {
		.hdr = { .type = GOTL_REC_ALLOC_CLASS, .size = sizeof(c), .ts = ts },
		.key = *k,
		.count = count,
		.bytes = bytes,
	};

	assert_int_equal(logw__append(lw, &c, sizeof(c)), 0);
}

static __attribute__((unused)) void alloc_total(struct logw *lw, uint64_t ts, uint32_t mode,
						uint64_t count, uint64_t bytes)
{
	struct gotl_rec_alloc_total t = {
		.hdr = { .type = GOTL_REC_ALLOC_TOTAL, .size = sizeof(t), .ts = ts },
		.count = count,
		.bytes = bytes,
		.mode = mode,
		.sample_bytes = mode == GOTL_ALLOC_SAMPLED ? 512 << 10 : 0,
	};

	assert_int_equal(logw__append(lw, &t, sizeof(t)), 0);
}

static __attribute__((unused)) void gc_ev(struct logw *lw, uint64_t ts, uint64_t gp, uint64_t goid,
					  uint8_t what, uint8_t arg)
{
	struct gotl_ev_gc e = {
		.hdr = { .type = GOTL_REC_GC, .size = sizeof(e), .tid = 100, .ts = ts },
		.gp = gp,
		.goid = goid,
		.what = what,
		.arg = arg,
	};

	assert_int_equal(logw__append(lw, &e, sizeof(e)), 0);
}

/*
 * The leak verdict's story (record -p, or the same records with flags
 * LAUNCHED): a service whose goroutines the snapshot reads at 1000, then
 * 10 ms of its life. GN(n) is goroutine n's g. At the attach:
 *
 *   G1 main.main, running all along;
 *   G2 main.loop (main.go:22), alone, in chan receive at main.go:70; it
 *      wakes at 2 ms and blocks there again (a stack from the probes);
 *   G3 G4 G5 main.pool (main.go:20), an idle pool in chan receive at
 *      main.go:50, never moving;
 *   G6 G7 main.leak (main.go:21), in chan send at main.go:60; G7 is woken
 *      and exits, G20 (created during the recording) takes its place;
 *   G8 main.grow (main.go:23), in chan send at main.go:80, joined by G21
 *      and G22 created during the recording: the group grows, 1 -> 3;
 *   G9 main.loop (main.go:24), running; it blocks in chan receive at
 *      main.go:70 at 4 ms (a group of its own, empty at the attach);
 *   G11 main.pool (main.go:25) in IO wait, no stack.
 *
 * Attached, the suspects are G8 G20 G21 G22; the long-lived G2 G3 G4 G5 G6
 * G9 (and G11 with --all-waits). Launched, every one blocked on a channel
 * is a suspect.
 */
#define GN(n)		(0xc000100000ull + 0x1000ull * (n))
#define VS_MS		1000000ull
#define PC_POOL		0x402100ull
#define PC_LEAK		0x402200ull
#define PC_LOOP		0x402300ull
#define PC_GROW		0x402400ull
#define GO_POOL		0x401500ull	/* main.main main.go:20 */
#define GO_LEAK		0x401510ull	/* :21 */
#define GO_LOOP		0x401520ull	/* :22 */
#define GO_GROW		0x401530ull	/* :23 */
#define GO_TICK		0x401540ull	/* :24 */
#define GO_IO		0x401550ull	/* :25 */

/* A state change of goroutine n; a blocking one (to Waiting) with its stack at user pc. */
static __attribute__((unused)) void vs_move(struct logw *lw, uint64_t ts, uint64_t n, uint8_t from,
					    uint8_t to, uint8_t reason, uint64_t user)
{
	uint64_t pcs[] = { 0x403000, reason == 15 ? 0x403100 : 0x403200, user, 0x402020 };

	status(lw, ts, 100, GN(n), n, from, to, reason, 0, 0);
	if (to == GOTL_G_WAITING && user)
		stack(lw, ts, GN(n), GOTL_STACK_BLOCK, pcs, 4, 8192);
}

static __attribute__((unused)) void vs_snap(struct logw *lw, uint64_t n, uint8_t st, uint8_t reason,
					    uint64_t start, uint64_t gopc, uint64_t user)
{
	uint64_t pcs[] = { 0x403000, reason == 15 ? 0x403100 : 0x403200, user, 0x402020 };

	gsnap(lw, 1000, 1000 + 10 * n, GN(n), n, st, reason, start, gopc, 0);
	if (user)
		stack(lw, 1000, GN(n), GOTL_STACK_BLOCK, pcs, 4, 8192);
}

/* A goroutine created by G9 during the recording, that blocks for good at user. */
static __attribute__((unused)) void vs_new(struct logw *lw, uint64_t ts, uint64_t n, uint64_t start,
					   uint64_t gopc, uint8_t reason, uint64_t user)
{
	create(lw, ts, GN(n), n, GN(9), 9, start, gopc);
	vs_move(lw, ts + 100, n, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0);
	vs_move(lw, ts + 200, n, GOTL_G_RUNNING, GOTL_G_WAITING, reason, user);
}

static __attribute__((unused)) void verdict_story(struct logw *lw, uint32_t flags)
{
	prologue_flags(lw, 4242, flags);
	assert_int_equal(logw__waitreason(lw, 2, "IO wait"), 0);
	frames(lw, 0x403000, "runtime.gopark", "/go/src/runtime/proc.go", 460);
	frames(lw, 0x403100, "runtime.chansend1", "/go/src/runtime/chan.go", 161);
	frames(lw, 0x403200, "runtime.chanrecv1", "/go/src/runtime/chan.go", 489);
	frames(lw, 0x402020, "runtime.goexit", "/go/src/runtime/asm.s", 1700);
	frames(lw, 0x402110, "main.pool", "/src/main.go", 50);
	frames(lw, 0x402210, "main.leak", "/src/main.go", 60);
	frames(lw, 0x402310, "main.loop", "/src/main.go", 70);
	frames(lw, 0x402410, "main.grow", "/src/main.go", 80);
	assert_int_equal(logw__sym(lw, PC_POOL, GOTL_SYM_ENTRY, "main.pool", "/src/main.go", 48),
			 0);
	assert_int_equal(logw__sym(lw, PC_LEAK, GOTL_SYM_ENTRY, "main.leak", "/src/main.go", 58),
			 0);
	assert_int_equal(logw__sym(lw, PC_LOOP, GOTL_SYM_ENTRY, "main.loop", "/src/main.go", 68),
			 0);
	assert_int_equal(logw__sym(lw, PC_GROW, GOTL_SYM_ENTRY, "main.grow", "/src/main.go", 78),
			 0);
	assert_int_equal(logw__sym(lw, GO_POOL, GOTL_SYM_RETURN, "main.main", "/src/main.go", 20),
			 0);
	assert_int_equal(logw__sym(lw, GO_LEAK, GOTL_SYM_RETURN, "main.main", "/src/main.go", 21),
			 0);
	assert_int_equal(logw__sym(lw, GO_LOOP, GOTL_SYM_RETURN, "main.main", "/src/main.go", 22),
			 0);
	assert_int_equal(logw__sym(lw, GO_GROW, GOTL_SYM_RETURN, "main.main", "/src/main.go", 23),
			 0);
	assert_int_equal(logw__sym(lw, GO_TICK, GOTL_SYM_RETURN, "main.main", "/src/main.go", 24),
			 0);
	assert_int_equal(logw__sym(lw, GO_IO, GOTL_SYM_RETURN, "main.main", "/src/main.go", 25), 0);

	vs_snap(lw, 1, GOTL_G_RUNNING, 0, PC_MAIN, PC_RT, 0);
	vs_snap(lw, 2, GOTL_G_WAITING, 14, PC_LOOP, GO_LOOP, 0x402310);
	vs_snap(lw, 3, GOTL_G_WAITING, 14, PC_POOL, GO_POOL, 0x402110);
	vs_snap(lw, 4, GOTL_G_WAITING, 14, PC_POOL, GO_POOL, 0x402110);
	vs_snap(lw, 5, GOTL_G_WAITING, 14, PC_POOL, GO_POOL, 0x402110);
	vs_snap(lw, 6, GOTL_G_WAITING, 15, PC_LEAK, GO_LEAK, 0x402210);
	vs_snap(lw, 7, GOTL_G_WAITING, 15, PC_LEAK, GO_LEAK, 0x402210);
	vs_snap(lw, 8, GOTL_G_WAITING, 15, PC_GROW, GO_GROW, 0x402410);
	vs_snap(lw, 9, GOTL_G_RUNNING, 0, PC_LOOP, GO_TICK, 0);
	vs_snap(lw, 11, GOTL_G_WAITING, 2, PC_POOL, GO_IO, 0);

	vs_move(lw, 2 * VS_MS, 2, GOTL_G_WAITING, GOTL_G_RUNNABLE, 0, 0);
	vs_move(lw, 2 * VS_MS + 100, 2, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0);
	vs_move(lw, 3 * VS_MS, 2, GOTL_G_RUNNING, GOTL_G_WAITING, 14, 0x402310);
	vs_move(lw, 2 * VS_MS + 10, 7, GOTL_G_WAITING, GOTL_G_RUNNABLE, 0, 0);
	vs_move(lw, 2 * VS_MS + 200, 7, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0);
	vs_move(lw, 2 * VS_MS + 300, 7, GOTL_G_RUNNING, GOTL_G_DEAD, 0, 0);
	vs_new(lw, 2 * VS_MS + 500, 20, PC_LEAK, GO_LEAK, 15, 0x402210);
	vs_new(lw, 3 * VS_MS + 100, 21, PC_GROW, GO_GROW, 15, 0x402410);
	vs_new(lw, 3 * VS_MS + 300, 22, PC_GROW, GO_GROW, 15, 0x402410);
	vs_move(lw, 4 * VS_MS, 9, GOTL_G_RUNNING, GOTL_G_WAITING, 14, 0x402310);
	end(lw, 10 * VS_MS, 0);
}

#endif /* GOTL_LOGBUILD_H */
