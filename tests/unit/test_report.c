// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_report.c: `gotl report` on a synthetic log whose story is known to
 * the nanosecond: two workers leak on a channel send, one sleeps 5 ms and
 * exits, a runtime goroutine and an IO waiter are blocked at the end and
 * must not be suspects (unless --all-waits). Every analysis is checked
 * against that story, in the JSON and in the text.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gotl/event.h"
#include "logw.h"
#include "logbuild.h"
#include "convert.h"
#include "report.h"
#include "schema.h"
#pragma GCC diagnostic ignored "-Wunused-function"
#include "jsondec.h"
#pragma GCC diagnostic error "-Wunused-function"

#define GP8 0xc000004000ull
#define GP9 0xc000005000ull
#define GP10 0xc000006000ull
#define GP11 0xc000007000ull
#define PC_BGSWEEP 0x400500ull
#define MS 1000000ull

static const uint64_t park_send[] = { 0x403000, 0x403100, 0x402010, 0x402020 };

static const uint64_t alloc_at[] = { 0x405000, 0x402030, 0x402020 };
static const struct gotl_alloc_key k_point = { .type = 0x4a0000 };
static const struct gotl_alloc_key k_bytes = { .type = 0x4a0100, .flags = GOTL_ALLOC_ARRAY };

static void story(struct logw *lw)
{
	prologue(lw);
	type_rec(lw, 0x4a0000, "main.Point", 24);
	type_rec(lw, 0x4a0100, "uint8", 1);
	frames(lw, 0x405000, "runtime.newobject", "/go/src/runtime/malloc.go", 1700);
	frames(lw, 0x402030, "main.worker", "/src/main.go", 33);
	assert_int_equal(logw__sym(lw, PC_BGSWEEP, GOTL_SYM_ENTRY, "runtime.bgsweep",
				   "/go/src/runtime/mgcsweep.go", 270),
			 0);
	assert_int_equal(logw__waitreason(lw, 2, "IO wait"), 0);
	frames(lw, 0x403000, "runtime.gopark", "/go/src/runtime/proc.go", 460);
	frames(lw, 0x403100, "runtime.chansend1", "/go/src/runtime/chan.go", 161);
	frames(lw, 0x402010, "main.worker", "/src/main.go", 30);
	frames(lw, 0x402020, "runtime.goexit", "/go/src/runtime/asm.s", 1700);

	/* G1 runs main; the runtime's G10 blocks on a channel of its own. */
	create(lw, 1000, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	status(lw, 1100, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	create(lw, 1200, GP10, 10, GP1, 1, PC_BGSWEEP, PC_RT);
	/* Three workers from main.main main.go:14. */
	create(lw, 2000, GP7, 7, GP1, 1, PC_WORKER, PC_GO);
	create(lw, 2000 + 10, GP8, 8, GP1, 1, PC_WORKER, PC_GO);
	create(lw, 2000 + 20, GP9, 9, GP1, 1, PC_WORKER, PC_GO);
	create(lw, 2000 + 30, GP11, 11, GP1, 1, PC_WORKER, PC_GO);
	status(lw, 2500, 101, GP10, 10, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	status(lw, 2600, 101, GP10, 10, GOTL_G_RUNNING, GOTL_G_WAITING, 14, 0, 0);
	/* first runs: 1000, 1090, 1080, 1070 ns after creation */
	status(lw, 3000, 101, GP7, 7, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	/* G7 allocates 3 main.Point (one recorded, with its stack) and a 1 KiB []uint8. */
	alloc_ev(lw, 3050, GP7, 7, 0x4a0000, 24, 24);
	stack(lw, 3050, GP7, GOTL_STACK_ALLOC, alloc_at, 3, 8192);
	galloc(lw, 3100, GP7, 7, 3 * 24 + 1024, 4);
	status(lw, 3100, 101, GP7, 7, GOTL_G_RUNNING, GOTL_G_WAITING, 15, 0, 0);
	stack(lw, 3100, GP7, GOTL_STACK_BLOCK, park_send, 4, 8192);
	alloc_class(lw, 3150, &k_point, 3, 72);
	alloc_class(lw, 3150, &k_bytes, 1, 1024);
	alloc_total(lw, 3150, GOTL_ALLOC_ALL, 4, 3 * 24 + 1024);
	/* A runtime.GC() cycle started by G1. */
	gc_ev(lw, 3200, GP1, 1, GOTL_GC_TRIGGER, GOTL_GC_TRIGGER_CYCLE);
	gc_ev(lw, 3210, GP1, 1, GOTL_GC_BEGIN, 0);
	gc_ev(lw, 3220, 0, 0, GOTL_GC_STW_STOP, GOTL_GC_STW_UNKNOWN);
	gc_ev(lw, 3240, 0, 0, GOTL_GC_STW_START, 0);
	gc_ev(lw, 3300, 0, 0, GOTL_GC_STW_STOP, GOTL_GC_STW_UNKNOWN);
	gc_ev(lw, 3310, GP1, 1, GOTL_GC_MARKTERM, 0);
	gc_ev(lw, 3330, 0, 0, GOTL_GC_STW_START, 0);
	status(lw, 3100, 100, GP8, 8, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	status(lw, 3200, 100, GP8, 8, GOTL_G_RUNNING, GOTL_G_WAITING, 15, 0, 0);
	stack(lw, 3200, GP8, GOTL_STACK_BLOCK, park_send, 4, 16384);
	status(lw, 3100, 102, GP9, 9, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	status(lw, 3300, 102, GP9, 9, GOTL_G_RUNNING, GOTL_G_WAITING, 19, 0, 0); /* sleep */
	status(lw, 3100, 103, GP11, 11, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	status(lw, 3400, 103, GP11, 11, GOTL_G_RUNNING, GOTL_G_WAITING, 2, 0, 0); /* IO */
	/* G9 sleeps 5 ms, waits 200 ns for a P, runs 100 ns and exits. */
	status(lw, 3300 + 5 * MS, 100, GP9, 9, GOTL_G_WAITING, GOTL_G_RUNNABLE, 0, 0, 0);
	status(lw, 3500 + 5 * MS, 100, GP9, 9, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	status(lw, 3600 + 5 * MS, 100, GP9, 9, GOTL_G_RUNNING, GOTL_G_DEAD, 0, 0, 0);
	end(lw, 100 * MS, 0);
}

/* Run the report on a log or a trace into a string. */
static char *report_on(const char *path, bool json, bool all_waits, struct report_result *res)
{
	struct report_opts o = { .log_path = path, .json = json, .all_waits = all_waits, .top = 10 };
	char err[256] = "", *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_int_equal(report__run(&o, out, res, err, sizeof(err)), 0);
	fclose(out);
	return buf;
}

static char *report(struct fixture *f, bool json, bool all_waits, struct report_result *res)
{
	return report_on(f->log, json, all_waits, res);
}

static void has(const char *text, const char *want)
{
	if (!strstr(text, want))
		fail_msg("missing %s\nin: %s", want, text);
}

static void test_json(void **state)
{
	struct fixture *f = *state;
	struct report_result res;
	char *j;

	story(f->lw);
	assert_int_equal(logw__close(f->lw), 0);
	f->lw = NULL;
	j = report(f, true, false, &res);
	/* Two workers leak on the send: one group, the runtime's G10 and the IO waiter aside. */
	assert_int_equal(res.leak_suspects, 2);
	assert_int_equal(res.leak_groups, 1);
	has(j, "\"leak_suspects\":[{\"count\":2,\"wait_reason\":\"chan send\","
	       "\"created_at\":\"main.main /src/main.go:14\","
	       "\"blocked_at\":\"main.worker /src/main.go:30\","
	       "\"blocked_min_ns\":99996800,\"blocked_max_ns\":99996900,\"goids\":[7,8]}]");
	has(j, "\"goroutines\":{\"seen\":6,\"peak_alive\":6,\"peak_at_ns\":1030,\"exited\":1,"
	       "\"alive_at_end\":5,\"blocked_at_end\":4}");
	/* G9 lived from 2020 to 5003600 ns. */
	has(j, "\"lifetime\":{\"n\":1,\"min\":5001580,");
	/* First runs: G1 100, G10 1300, G7 1000, G8 1090, G9 1080, G11 1070. */
	has(j, "\"create_to_first_run\":{\"n\":6,\"min\":100,");
	assert_true(strstr(strstr(j, "\"create_to_first_run\""), "\"max\":1300,") <
		    strstr(j, "\"runnable_to_running\""));
	/* Runnable -> running: those five, G1's 100 ns, and G9's 200 ns after its sleep. */
	has(j, "\"runnable_to_running\":{\"n\":7,\"min\":100,");
	/* One 5 ms sleep, in the 1-10 ms bucket. */
	has(j, "\"sleep\":{\"n\":1,\"min\":5000000,");
	has(j, "{\"from_ns\":1000000,\"count\":1}");
	/* Stack sizes: the largest seen per goroutine, where known (G7 8 KiB, G8 16 KiB). */
	has(j, "\"stack_bytes\":{\"n\":2,\"min\":8192,");
	has(j, "\"spawn_sites\":[{\"site\":\"main.main /src/main.go:14\",\"count\":4,");
	has(j, "{\"site\":\"runtime.rt0_go asm.s:1\",\"count\":2,");
	has(j, "{\"wait_reason\":\"chan send\",\"count\":2,\"total_ns\":199993700,");
	has(j, "{\"site\":\"main.worker /src/main.go:30\",\"wait_reason\":\"chan send\","
	       "\"count\":2,");
	/* The tree: G1 (made by the runtime) with one node of 4 workers and the runtime's G10. */
	has(j, "{\"id\":1,\"parent\":0,\"count\":1,\"alive_at_end\":1,"
	       "\"start_function\":\"main.main\",\"created_at\":\"runtime.rt0_go asm.s:1\","
	       "\"goids\":[1]}");
	has(j, "\"parent\":1,\"count\":4,\"alive_at_end\":3,\"start_function\":\"main.worker\","
	       "\"created_at\":\"main.main /src/main.go:14\",\"goids\":[7,8,9,11]}");
	/* Allocations: G7's, by type, goroutine and site; the GC cycle and its two pauses. */
	has(j, "\"allocations\":{\"mode\":\"all\",\"count\":4,\"bytes\":1096,\"unclassified\":0,"
	       "\"by_type\":[{\"type\":\"[]uint8\",\"count\":1,\"bytes\":1024},"
	       "{\"type\":\"main.Point\",\"count\":3,\"bytes\":72}],"
	       "\"by_goroutine\":[{\"goid\":7,\"start_function\":\"main.worker\",\"count\":4,"
	       "\"bytes\":1096}],\"recorded\":1,"
	       "\"by_site\":[{\"site\":\"main.worker /src/main.go:33\",\"recorded\":1,"
	       "\"bytes\":24}]}");
	has(j, "\"gc\":{\"cycles\":1,\"open_at_end\":0,\"by_trigger\":{\"heap\":0,\"time\":0,"
	       "\"runtime.GC\":1,\"unknown\":0},\"cycle_stw_ns\":50,\"stw\":{\"pauses\":2,"
	       "\"total_ns\":50,\"max_ns\":30,\"by_reason\":[{\"reason\":\"GC mark termination\","
	       "\"count\":1,\"total_ns\":30,\"max_ns\":30},{\"reason\":\"GC sweep termination\","
	       "\"count\":1,\"total_ns\":20,\"max_ns\":20}]}}");
	free(j);

	/* --all-waits: the runtime goroutine and the IO waiter are suspects too. */
	j = report(f, true, true, &res);
	assert_int_equal(res.leak_suspects, 4);
	assert_int_equal(res.leak_groups, 3);
	has(j, "\"wait_reason\":\"IO wait\"");
	free(j);
}

/*
 * report --json is valid JSON whatever the log holds: a program's argv and
 * path are bytes, not UTF-8 (a Latin-1 file name, a cut multi-byte
 * character, a control character).
 */
static void test_json_not_utf8(void **state)
{
	struct fixture *f = *state;
	struct report_result res;
	char path[] = "/tmp/gotl-test-report-XXXXXX", err[128];
	struct jd *doc;
	char *j;
	FILE *out;
	int fd;

	assert_int_equal(logw__meta(f->lw, "binary", "/srv/caf\xe9/prog"), 0);
	assert_int_equal(logw__meta(f->lw, "arg", "--name=\xc3"), 0);
	assert_int_equal(logw__meta(f->lw, "arg", "\x01\x7f\xed\xa0\x80\xf4\x90\x80\x80"), 0);
	story(f->lw);
	assert_int_equal(logw__close(f->lw), 0);
	f->lw = NULL;
	j = report(f, true, false, &res);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	out = fdopen(fd, "w");
	fputs(j, out);
	fclose(out);
	doc = jd_read(path, err, sizeof(err));
	unlink(path);
	if (!doc)
		fail_msg("report --json is not JSON: %s\n%s", err, j);
	/* Each invalid byte is one U+FFFD; valid text around it is kept. */
	has(j, "caf\\ufffd/prog");
	has(j, "--name=\\ufffd");
	has(j, "\\u0001\x7f\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd");
	jd_free(doc);
	free(j);
}

/*
 * record -p: a goroutine running when gotl attached spawns one before its own
 * first transition. The child hangs under it in the tree.
 */
static void test_attach_parent(void **state)
{
	struct fixture *f = *state;
	struct report_result res;
	char *j;

	prologue(f->lw);
	gsnap(f->lw, 1000, 1100, GP7, 7, GOTL_G_RUNNING, 0, PC_MAIN, PC_RT, 0);
	create(f->lw, 1500, GP9, 9, GP7, 7, PC_WORKER, PC_GO);
	status(f->lw, 1600, 101, GP9, 9, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	end(f->lw, 3000, 0);
	assert_int_equal(logw__close(f->lw), 0);
	f->lw = NULL;
	j = report(f, true, false, &res);
	has(j, "\"tree\":[{\"id\":1,\"parent\":0,\"count\":1,\"alive_at_end\":1,"
	       "\"start_function\":\"main.main\",\"created_at\":\"runtime.rt0_go asm.s:1\","
	       "\"goids\":[7]},{\"id\":2,\"parent\":1,\"count\":1,\"alive_at_end\":1,"
	       "\"start_function\":\"main.worker\"");
	free(j);
}

static void test_text(void **state)
{
	struct fixture *f = *state;
	struct report_result res;
	char *t;

	story(f->lw);
	assert_int_equal(logw__close(f->lw), 0);
	f->lw = NULL;
	t = report(f, false, false, &res);
	has(t, "gotl report: prog (pid 4242, go1.23.4), recorded 100.0 ms, exit status 0\n");
	has(t, "Leak suspects: 2 goroutines in 1 group (blocked at the end on a channel, select, "
	       "lock or cond)\n  2 x chan send, blocked for 100.0 ms\n"
	       "      created at  main.main /src/main.go:14\n"
	       "      blocked at  main.worker /src/main.go:30\n      goroutines  G7 G8\n");
	has(t, "  1 x main.main  <- runtime.rt0_go asm.s:1  [G1] 1 alive at the end\n"
	       "    4 x main.worker  <- main.main /src/main.go:14  [G7 G8 G9 G11] 3 alive at "
	       "the end\n");
	free(t);
}

/* The log-linear histogram: exact below 128 ns, within 1.6% above, at any scale. */
static void test_percentiles(void **state)
{
	struct fixture *f = *state;
	struct report_result res;
	uint64_t gp = 0xc100000000ull, ts = 2000, i;
	char *j, want[128];

	prologue(f->lw);
	/* 1000 goroutines waiting 1..1000 us before their first run. */
	for (i = 1; i <= 1000; i++, gp += 0x1000) {
		create(f->lw, ts, gp, 100 + i, 0, 0, PC_WORKER, PC_GO);
		status(f->lw, ts + i * 1000, 100, gp, 100 + i, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0,
		       0, 0);
		status(f->lw, ts + i * 1000 + 1, 100, gp, 100 + i, GOTL_G_RUNNING, GOTL_G_DEAD, 0,
		       0, 0);
		ts += 2000000;
	}
	end(f->lw, ts, 0);
	assert_int_equal(logw__close(f->lw), 0);
	f->lw = NULL;
	j = report(f, true, false, &res);
	/* p50 = 500 us, p90 = 900 us, p99 = 990 us, each within 1.6%. */
	{
		const char *p = strstr(j, "\"create_to_first_run\":{\"n\":1000,\"min\":1000,"
					  "\"p50\":");
		unsigned long long p50, p90, p99;

		assert_non_null(p);
		assert_int_equal(sscanf(strchr(p, 'p') + 5, "%llu,\"p90\":%llu,\"p99\":%llu", &p50,
					&p90, &p99),
				 3);
		assert_true(p50 >= 500000 * 0.984 && p50 <= 500000 * 1.016);
		assert_true(p90 >= 900000 * 0.984 && p90 <= 900000 * 1.016);
		assert_true(p99 >= 990000 * 0.984 && p99 <= 990000 * 1.016);
	}
	snprintf(want, sizeof(want), "\"max\":1000000,\"sum\":%llu", 500500000ull);
	has(j, want);
	free(j);
}

/* The JSON without the keys that differ by input: "source" and "stack_bytes". */
static void strip(char *j)
{
	static const char *const keys[] = { "\"source\":", "\"stack_bytes\":" };
	size_t k;

	for (k = 0; k < 2; k++) {
		char *a = strstr(j, keys[k]), *b;

		assert_non_null(a);
		b = strchr(a, k ? '}' : ',') + 1;
		if (*b == ',')
			b++;
		memmove(a, b, strlen(b) + 1);
	}
}

/* The report of the trace convert wrote from a log is the report of the log. */
static void test_trace_input(void **state)
{
	struct fixture *f = *state;
	struct convert_opts co = { .log_path = f->log, .trace_path = f->trace };
	struct convert_stats cs;
	struct report_result r1, r2;
	char err[256], *a, *b;

	story(f->lw);
	assert_int_equal(logw__close(f->lw), 0);
	f->lw = NULL;
	assert_int_equal(convert__run(&co, &cs, err, sizeof(err)), 0);
	a = report_on(f->log, true, false, &r1);
	b = report_on(f->trace, true, false, &r2);
	has(b, "\"source\":\"trace\"");
	has(b, "\"stack_bytes\":{\"n\":0}");
	strip(a);
	strip(b);
	assert_string_equal(a, b);
	assert_int_equal(r1.leak_suspects, r2.leak_suspects);
	free(a);
	free(b);
	a = report_on(f->trace, false, false, &r2);
	has(a, "(not in a trace: report on the raw log)");
	free(a);
}

/*
 * More types than one track of the trace lists (schema.h's SCHEMA_LIST_MAX):
 * the trace has them in parts, and the report read from it has them all.
 */
static void test_long_types_trace_input(void **state)
{
	struct fixture *f = *state;
	struct convert_opts co = { .log_path = f->log, .trace_path = f->trace };
	struct convert_stats cs;
	struct report_result r1, r2;
	char err[256], name[32], *a, *b;
	uint64_t i, n = SCHEMA_LIST_MAX + 7;

	prologue(f->lw);
	create(f->lw, 1000, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	status(f->lw, 1100, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	for (i = 0; i < n; i++) {
		struct gotl_alloc_key k = { .type = 0x4a0000 + 0x40 * i };

		snprintf(name, sizeof(name), "main.T%" PRIu64, i);
		type_rec(f->lw, k.type, name, 8 * (i + 1));
		alloc_class(f->lw, 2000, &k, 1, 8 * (i + 1));
	}
	alloc_total(f->lw, 2000, GOTL_ALLOC_ALL, n, 4 * n * (n + 1));
	end(f->lw, 3000, 0);
	assert_int_equal(logw__close(f->lw), 0);
	f->lw = NULL;
	assert_int_equal(convert__run(&co, &cs, err, sizeof(err)), 0);
	a = report_on(f->log, true, false, &r1);
	b = report_on(f->trace, true, false, &r2);
	/* --top 10: the largest ten, the last types of the list's second part */
	has(a, "\"type\":\"main.T506\"");
	has(a, "\"type\":\"main.T497\"");
	strip(a);
	strip(b);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

/* A trace written with --compress reports exactly as the plain one. */
static void test_compressed_trace_input(void **state)
{
	struct fixture *f = *state;
	struct convert_opts co = { .log_path = f->log, .trace_path = f->trace };
	struct convert_stats cs;
	struct report_result r1, r2;
	char err[256], *a, *b;
	int json;

	story(f->lw);
	assert_int_equal(logw__close(f->lw), 0);
	f->lw = NULL;
	for (json = 0; json < 2; json++) {
		co.compress = 0;
		assert_int_equal(convert__run(&co, &cs, err, sizeof(err)), 0);
		a = report_on(f->trace, json, false, &r1);
		co.compress = 9;
		assert_int_equal(convert__run(&co, &cs, err, sizeof(err)), 0);
		assert_true(cs.trace_bytes < cs.trace_raw_bytes);
		b = report_on(f->trace, json, false, &r2);
		assert_string_equal(a, b);
		assert_int_equal(r1.leak_suspects, r2.leak_suspects);
		free(a);
		free(b);
	}
}

/* The verdict's part of a JSON report: its two lists, "leak_suspects" to "lifetime". */
static char *verdict_of(const char *j)
{
	const char *a = strstr(j, "\"leak_suspects\":"), *b = strstr(j, "\"lifetime\":");

	assert_non_null(a);
	assert_true(b > a);
	return strndup(a, (size_t)(b - a));
}

/* The verdicts of two JSON reports are the same; both are freed. */
static void same_verdict(char *x, char *y)
{
	char *a = verdict_of(x), *b = verdict_of(y);

	assert_string_equal(a, b);
	free(a);
	free(b);
	free(x);
	free(y);
}

/*
 * record -p (verdict_story, logbuild.h): the suspects are those created
 * during the recording and blocked at the end (G20) and the whole of a
 * group that grew (G8, there at the attach, with G21 and G22); the rest of
 * the snapshot is long-lived, listed apart with the same fields: alone and
 * back at its wait (G2), come to its wait during the recording (G9), an
 * idle pool (G3-G5), the one left of a group that did not grow (G6). The
 * same from the trace; the result --fail-on-leak reads counts the suspects
 * only.
 */
static void test_verdict_attached(void **state)
{
	struct fixture *f = *state;
	struct convert_opts co = { .log_path = f->log, .trace_path = f->trace };
	struct convert_stats cs;
	struct report_result res, r2;
	char err[256], *j, *t;

	verdict_story(f->lw, GOTL_START_ATTACHED);
	assert_int_equal(logw__close(f->lw), 0);
	f->lw = NULL;
	j = report(f, true, false, &res);
	assert_int_equal(res.leak_suspects, 4);
	assert_int_equal(res.leak_groups, 2);
	assert_int_equal(res.long_lived, 6);
	assert_int_equal(res.long_lived_groups, 4);
	has(j, "\"leak_suspects\":[{\"count\":3,\"wait_reason\":\"chan send\","
	       "\"start_function\":\"main.grow\",\"created_at\":\"main.main /src/main.go:23\","
	       "\"blocked_at\":\"main.grow /src/main.go:80\",\"blocked_min_ns\":6999500,"
	       "\"blocked_max_ns\":9999000,\"goids\":[8,21,22]},"
	       "{\"count\":1,\"wait_reason\":\"chan send\",\"start_function\":\"main.leak\","
	       "\"created_at\":\"main.main /src/main.go:21\","
	       "\"blocked_at\":\"main.leak /src/main.go:60\",\"blocked_min_ns\":7999300,"
	       "\"blocked_max_ns\":7999300,\"goids\":[20]}],"
	       "\"long_lived\":[{\"count\":3,\"wait_reason\":\"chan receive\","
	       "\"start_function\":\"main.pool\",\"created_at\":\"main.main /src/main.go:20\","
	       "\"blocked_at\":\"main.pool /src/main.go:50\",\"blocked_min_ns\":9999000,"
	       "\"blocked_max_ns\":9999000,\"goids\":[3,4,5]},"
	       "{\"count\":1,\"wait_reason\":\"chan send\",\"start_function\":\"main.leak\","
	       "\"created_at\":\"main.main /src/main.go:21\","
	       "\"blocked_at\":\"main.leak /src/main.go:60\",\"blocked_min_ns\":9999000,"
	       "\"blocked_max_ns\":9999000,\"goids\":[6]},"
	       "{\"count\":1,\"wait_reason\":\"chan receive\",\"start_function\":\"main.loop\","
	       "\"created_at\":\"main.main /src/main.go:22\","
	       "\"blocked_at\":\"main.loop /src/main.go:70\",\"blocked_min_ns\":7000000,"
	       "\"blocked_max_ns\":7000000,\"goids\":[2]},"
	       "{\"count\":1,\"wait_reason\":\"chan receive\",\"start_function\":\"main.loop\","
	       "\"created_at\":\"main.main /src/main.go:24\","
	       "\"blocked_at\":\"main.loop /src/main.go:70\",\"blocked_min_ns\":6000000,"
	       "\"blocked_max_ns\":6000000,\"goids\":[9]}],\"lifetime\":");

	/* The trace says the same. */
	assert_int_equal(convert__run(&co, &cs, err, sizeof(err)), 0);
	assert_int_equal(cs.leak_suspects, 4);
	t = report_on(f->trace, true, false, &r2);
	same_verdict(j, t);
	assert_int_equal(r2.leak_suspects, 4);
	assert_int_equal(r2.long_lived, 6);

	/* --all-waits: G11, in IO wait since before the attach, is long-lived too. */
	j = report(f, true, true, &res);
	assert_int_equal(res.leak_suspects, 4);
	assert_int_equal(res.long_lived, 7);
	has(j, "{\"count\":1,\"wait_reason\":\"IO wait\",\"start_function\":\"main.pool\","
	       "\"created_at\":\"main.main /src/main.go:25\",\"blocked_at\":\"(no stack)\"");
	assert_true(strstr(j, "\"IO wait\"") > strstr(j, "\"long_lived\""));
	same_verdict(j, report_on(f->trace, true, true, &r2));

	t = report(f, false, false, &res);
	has(t, "\nLeak suspects: 4 goroutines in 2 groups (blocked at the end on a channel, "
	       "select, lock or cond; created while gotl recorded, or in a group that grew)\n"
	       "  3 x chan send, blocked for 7.0 ms to 10.0 ms\n"
	       "      created at  main.main /src/main.go:23\n"
	       "      blocked at  main.grow /src/main.go:80\n"
	       "      goroutines  G8 G21 G22\n");
	has(t, "\nLong-lived: 6 goroutines in 4 groups (there when gotl attached, in a group "
	       "that did not grow: no leak suspects)\n"
	       "  3 x chan receive, blocked for 10.0 ms\n"
	       "      created at  main.main /src/main.go:20\n"
	       "      blocked at  main.pool /src/main.go:50\n"
	       "      goroutines  G3 G4 G5\n");
	free(t);
}

/* The same records from a launched program: today's report, every one blocked a suspect. */
static void test_verdict_launched(void **state)
{
	struct fixture *f = *state;
	struct report_result res;
	char *j;

	verdict_story(f->lw, GOTL_START_LAUNCHED);
	assert_int_equal(logw__close(f->lw), 0);
	f->lw = NULL;
	j = report(f, true, false, &res);
	assert_int_equal(res.leak_suspects, 10);
	assert_int_equal(res.leak_groups, 5);
	assert_int_equal(res.long_lived, 0);
	assert_null(strstr(j, "long_lived"));
	assert_null(strstr(j, "\"leak_suspects\":[{\"count\":3,\"wait_reason\":\"chan receive\","
			      "\"start_function\""));
	has(j, "\"leak_suspects\":[{\"count\":3,\"wait_reason\":\"chan receive\","
	       "\"created_at\":\"main.main /src/main.go:20\"");
	has(j, "{\"count\":3,\"wait_reason\":\"chan send\",\"created_at\":\"main.main "
	       "/src/main.go:23\",\"blocked_at\":\"main.grow /src/main.go:80\","
	       "\"blocked_min_ns\":6999500,\"blocked_max_ns\":9999000,\"goids\":[8,21,22]}");
	has(j, "\"goids\":[6,20]}");
	free(j);
	j = report(f, false, false, &res);
	has(j, "\nLeak suspects: 10 goroutines in 5 groups (blocked at the end on a channel, "
	       "select, lock or cond)\n");
	assert_null(strstr(j, "Long-lived"));
	free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_not_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_percentiles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compressed_trace_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_types_trace_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verdict_attached, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verdict_launched, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
