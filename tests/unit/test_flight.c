// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_flight.c: the flight recorder on a synthetic recording fed through
 * logw's sink as the recorder would: a dump's log starts at the window's
 * start with every goroutine alive then in the state it was in (a
 * goroutine blocked long before: GSNAP with its wait's start and its block
 * stack), the counters as they stood, only the window's events after; the
 * next dump starts at the previous one's end; --flight-size cuts the
 * window; the window converts (convert__run) into a trace with both
 * goroutines. No root, no BPF.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gotl/event.h"
#include "convert.h"
#include "flight.h"
#include "logr.h"
#include "logbuild.h"

#define S 1000000000ull

struct conv {
	int calls;
	char log[256], trace[256], why[600];
	struct flight_dump d;
};

static int fake_convert(void *ctx, const char *log, const char *trace, const struct flight_dump *d)
{
	struct conv *c = ctx;

	c->calls++;
	snprintf(c->log, sizeof(c->log), "%s", log);
	snprintf(c->trace, sizeof(c->trace), "%s", trace);
	c->d = *d;
	snprintf(c->why, sizeof(c->why), "%s", d->why);
	c->d.why = NULL;
	return 0;
}

static void st_(struct logw *lw, uint64_t gp, uint64_t goid, uint64_t ts, uint8_t from, uint8_t to,
		uint8_t reason)
{
	struct gotl_ev_status e = {
		.hdr = { .type = GOTL_REC_STATUS, .size = sizeof(e), .ts = ts, .tid = 9 },
		.gp = gp,
		.goid = goid,
		.from = from,
		.to = to,
		.reason = reason
	};

	assert_int_equal(logw__append(lw, &e, sizeof(e)), 0);
}

static void cr_(struct logw *lw, uint64_t gp, uint64_t goid, uint64_t parent_gp,
		uint64_t parent_goid, uint64_t pc, uint64_t ts)
{
	struct gotl_ev_create c = { .hdr = { .type = GOTL_REC_CREATE, .size = sizeof(c), .ts = ts },
				    .gp = gp,
				    .goid = goid,
				    .parent_gp = parent_gp,
				    .parent_goid = parent_goid,
				    .startpc = pc,
				    .gopc = PC_GO,
				    .to = GOTL_G_RUNNABLE };

	assert_int_equal(logw__append(lw, &c, sizeof(c)), 0);
}

/* main (G1) created at 1 s, G7 blocked in chan receive from 2.2 s; G1 busy until `until`. */
static void record(struct logw *lw, uint64_t until)
{
	struct gotl_ev_stack st = { .hdr = { .type = GOTL_REC_STACK,
					     .size = offsetof(struct gotl_ev_stack, pcs) + 8,
					     .ts = 2200000000ull },
				    .gp = GP7,
				    .kind = GOTL_STACK_BLOCK,
				    .n = 1,
				    .pcs = { PC_GO } };
	uint64_t t;
	int k = 0;

	prologue_flags(lw, 42, GOTL_START_LAUNCHED);
	cr_(lw, GP1, 1, 0, 0, PC_MAIN, 1 * S);
	st_(lw, GP1, 1, 1100000000ull, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0);
	cr_(lw, GP7, 7, GP1, 1, PC_WORKER, 2 * S);
	st_(lw, GP7, 7, 2100000000ull, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0);
	st_(lw, GP7, 7, 2200000000ull, GOTL_G_RUNNING, GOTL_G_WAITING, 14);
	assert_int_equal(logw__append(lw, &st, st.hdr.size), 0);
	for (t = 3 * S; t <= until; t += S / 2, k++)
		st_(lw, GP1, 1, t, k % 2 ? GOTL_G_RUNNABLE : GOTL_G_RUNNING,
		    k % 2 ? GOTL_G_RUNNING : GOTL_G_RUNNABLE, 0);
	assert_int_equal(logw__flush(lw), 0);
}

static const char *meta(const struct gotl_rec *rec, const char *key, char *buf, size_t len)
{
	const struct gotl_rec_meta *m = (const void *)rec;

	if (m->key_len != strlen(key) || memcmp(m->data, key, m->key_len))
		return NULL;
	snprintf(buf, len, "%.*s", (int)m->value_len, m->data + m->key_len);
	return buf;
}

struct window {
	uint64_t start;
	uint32_t flags;
	char trigger[256];
	int gsnaps, stacks, stats, events_before;
	struct gotl_ev_gsnap g7;
	uint64_t first_event;
};

static void read_window(const char *path, struct window *w)
{
	const struct gotl_rec *rec;
	struct logr *lr;
	char err[256], buf[256];

	memset(w, 0, sizeof(*w));
	assert_int_equal(logr__open(path, &lr, err, sizeof(err)), 0);
	while (logr__next(lr, &rec) > 0) {
		if (rec->type == GOTL_REC_META && meta(rec, "flight_trigger", buf, sizeof(buf)))
			snprintf(w->trigger, sizeof(w->trigger), "%s", buf);
		if (rec->type == GOTL_REC_START) {
			w->start = rec->ts;
			w->flags = ((const struct gotl_rec_start *)rec)->flags;
		}
		if (rec->type == GOTL_REC_GSNAP) {
			const struct gotl_ev_gsnap *g = (const void *)rec;

			w->gsnaps++;
			assert_int_equal(g->hdr.ts, w->start);
			if (g->gp == GP7)
				w->g7 = *g;
		}
		if (rec->type == GOTL_REC_STACK && rec->ts == w->start)
			w->stacks++;
		if (rec->type == GOTL_REC_STATS)
			w->stats++;
		if (rec->type == GOTL_REC_STATUS || rec->type == GOTL_REC_CREATE) {
			if (!w->first_event)
				w->first_event = rec->ts;
			w->events_before += rec->ts < w->start;
		}
	}
	logr__free(lr);
}

static void test_window_start_state(void **state)
{
	char out[128], raw[128], one[160], two[160], trace[160];
	struct flight_opts o = { .window_ns = 5 * S,
				 .size = 4ull << 20,
				 .max_dumps = 10,
				 .out = out,
				 .raw = raw,
				 .convert = fake_convert };
	struct convert_opts co = { .format = CONVERT_PERFETTO };
	struct convert_stats cs;
	struct flight *f;
	struct logw *lw;
	struct conv c = { 0 };
	struct window w;
	char err[256];

	(void)state;
	snprintf(out, sizeof(out), "/tmp/gotl-flight-%d.pftrace", getpid());
	snprintf(raw, sizeof(raw), "/tmp/gotl-flight-%d.gotl", getpid());
	snprintf(one, sizeof(one), "%s-1", raw);
	snprintf(two, sizeof(two), "%s-2", raw);
	o.ctx = &c;
	assert_int_equal(flight__new(&o, &f), 0);
	assert_int_equal(logw__open_sink(flight__sink, f, &lw), 0);
	record(lw, 20 * S);
	flight__tick(f, 20 * S);
	assert_int_equal(flight__dump(f, 20 * S, "test"), 0);
	flight__sync(f);
	assert_int_equal(c.calls, 1);
	assert_string_equal(c.log, one);
	snprintf(trace, sizeof(trace), "/tmp/gotl-flight-%d-1.pftrace", getpid());
	assert_string_equal(c.trace, trace);
	assert_int_equal(c.d.start, 15 * S);
	assert_false(c.d.cut);

	read_window(one, &w);
	assert_string_equal(w.trigger, "test");
	assert_int_equal(w.start, 15 * S);
	assert_true(w.flags & GOTL_START_WINDOW);
	assert_true(w.flags & GOTL_START_ATTACHED);
	assert_int_equal(w.gsnaps, 2);
	assert_int_equal(w.stacks, 1);
	assert_int_equal(w.stats, 1);
	assert_int_equal(w.events_before, 0);
	assert_true(w.first_event >= 15 * S);
	/* G7: blocked since 2.2 s, long before the window, where it blocked. */
	assert_int_equal(w.g7.goid, 7);
	assert_int_equal(w.g7.parent_goid, 1);
	assert_int_equal(w.g7.startpc, PC_WORKER);
	assert_int_equal(w.g7.status, GOTL_G_WAITING);
	assert_int_equal(w.g7.reason, 14);
	assert_int_equal(w.g7.waitsince, 2200000000ull);
	assert_int_equal(w.g7.read_ts, 15 * S);

	/* The converter takes the window as it is. */
	co.log_path = one;
	co.trace_path = trace;
	assert_int_equal(convert__run(&co, &cs, err, sizeof(err)), 0);
	assert_int_equal(cs.goroutines, 2);
	assert_int_equal(cs.late, 0);
	assert_int_equal(cs.unobserved, 0);

	/* The next dump starts where this one ended, not DUR before its end. */
	st_(lw, GP1, 1, 21 * S, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0);
	assert_int_equal(logw__flush(lw), 0);
	assert_int_equal(flight__dump(f, 22 * S, "again"), 0);
	flight__sync(f);
	assert_int_equal(c.calls, 2);
	assert_int_equal(c.d.start, 20 * S);
	read_window(two, &w);
	assert_int_equal(w.start, 20 * S);
	assert_int_equal(w.g7.waitsince, 2200000000ull);
	assert_int_equal(w.events_before, 0);

	logw__close(lw);
	flight__free(f);
	unlink(one);
	unlink(two);
	unlink(trace);
}

/* --flight-size smaller than the window's events: the window is cut, and says so. */
static void test_size_cuts(void **state)
{
	char out[128], raw[128], one[160];
	struct flight_opts o = { .window_ns = 1000 * S,
				 .size = 1ull << 20,
				 .max_dumps = 1,
				 .out = out,
				 .raw = raw,
				 .convert = fake_convert };
	struct conv c = { 0 };
	struct flight *f;
	struct logw *lw;
	struct window w;
	uint64_t t;
	int k = 0;

	(void)state;
	snprintf(out, sizeof(out), "/tmp/gotl-flight-cut-%d.pftrace", getpid());
	snprintf(raw, sizeof(raw), "/tmp/gotl-flight-cut-%d.gotl", getpid());
	snprintf(one, sizeof(one), "%s-1", raw);
	o.ctx = &c;
	assert_int_equal(flight__new(&o, &f), 0);
	assert_int_equal(logw__open_sink(flight__sink, f, &lw), 0);
	record(lw, 3 * S);
	/* 40000 status records (2.2 MB): more than 1M holds. */
	for (t = 4 * S; k < 40000; t += 1000000, k++)
		st_(lw, GP1, 1, t, k % 2 ? GOTL_G_RUNNABLE : GOTL_G_RUNNING,
		    k % 2 ? GOTL_G_RUNNING : GOTL_G_RUNNABLE, 0);
	assert_int_equal(logw__flush(lw), 0);
	assert_int_equal(flight__dump(f, t, "full"), 0);
	flight__sync(f);
	assert_true(c.d.cut);
	assert_true(c.d.start > 4 * S);
	assert_true(flight__done(f));
	assert_int_equal(flight__dump(f, t + S, "more"), 0);
	flight__sync(f);
	assert_int_equal(c.calls, 1); /* --max-dumps 1 */
	read_window(one, &w);
	assert_int_equal(w.start, c.d.start);
	assert_int_equal(w.g7.waitsince, 2200000000ull);
	assert_int_equal(w.events_before, 0);
	logw__close(lw);
	flight__free(f);
	unlink(one);
}

/*
 * Triggers: G7's wait (chan receive, a channel's) crosses 1 s, so the first
 * dump is written at once; goroutines>1 holds at the next turn, within DUR
 * of it: its dump waits for a whole new window.
 */
static void test_triggers(void **state)
{
	char out[128], raw[128], one[160], two[160];
	struct flight_trigger t[] = {
		{ .kind = FTRIGGER_BLOCKED, .ns = 1 * S, .text = "blocked>1s" },
		{ .kind = FTRIGGER_GOROUTINES, .n = 1, .text = "goroutines>1" },
		{ .kind = FTRIGGER_REASON,
		  .n = 0,
		  .reason = "chan send",
		  .text = "reason=chan send>0" },
	};
	struct flight_opts o = { .window_ns = 5 * S,
				 .size = 4ull << 20,
				 .max_dumps = 10,
				 .out = out,
				 .raw = raw,
				 .convert = fake_convert,
				 .triggers = t,
				 .ntriggers = 3 };
	struct conv c = { 0 };
	struct flight *f;
	struct logw *lw;
	struct window w;

	(void)state;
	snprintf(out, sizeof(out), "/tmp/gotl-flight-trig-%d.pftrace", getpid());
	snprintf(raw, sizeof(raw), "/tmp/gotl-flight-trig-%d.gotl", getpid());
	snprintf(one, sizeof(one), "%s-1", raw);
	snprintf(two, sizeof(two), "%s-2", raw);
	o.ctx = &c;
	assert_int_equal(flight__new(&o, &f), 0);
	assert_int_equal(logw__open_sink(flight__sink, f, &lw), 0);
	record(lw, 3 * S);
	flight__tick(f, 3 * S); /* G7 has waited 0.8 s; goroutines>1 holds: at once */
	flight__sync(f);
	assert_int_equal(c.calls, 1);
	assert_string_equal(c.why, "goroutines>1: 2 goroutines alive");
	flight__tick(f, 3200000000ull + 100000000ull); /* 1.1 s: blocked>1s, within DUR */
	flight__tick(f, 6 * S);
	flight__sync(f);
	assert_int_equal(c.calls, 1);
	flight__tick(f, 8 * S + 1); /* a whole new window since the first dump */
	flight__sync(f);
	assert_int_equal(c.calls, 2);
	assert_string_equal(c.why, "blocked>1s: G7 blocked 1.10 s");
	assert_int_equal(c.d.start, 3 * S + 1); /* the last DUR, after the first dump's end */
	read_window(two, &w);
	assert_int_equal(w.start, 3 * S + 1);
	assert_int_equal(w.g7.status, GOTL_G_WAITING);
	/* Once per wait: G7's goes on, no other dump; no goroutine in chan send. */
	flight__tick(f, 20 * S);
	flight__sync(f);
	assert_int_equal(c.calls, 2);
	logw__close(lw);
	flight__free(f);
	unlink(one);
	unlink(two);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_start_state),
		cmocka_unit_test(test_size_cuts),
		cmocka_unit_test(test_triggers),
	};

	(void)setup; /* logbuild.h's fixture and helpers: not needed here */
	(void)teardown;
	(void)prologue;
	(void)create;
	(void)status;
	(void)end;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
