/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Unit tests for what `gotl dump` prints and how it folds goroutines, on
 * goroutines made up here (no process, no binary): probes/ggroup (groups by
 * key, largest first, memory kept across resets) and cli/dump.c's text (as
 * Go's goroutine?debug=2 prints a goroutine: header, frames, inlined ones
 * without offset, created by, running/unsettled/truncated notes, Go 1.21's
 * elision of long stacks), its groups (count, goids, minutes range) and
 * its JSON (parsed back strictly, strings escaped).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "census.h"
#include "../../cli/dump.h"
#include "ggroup.h"
#pragma GCC diagnostic ignored "-Wunused-function"
#include "jsondec.h"
#pragma GCC diagnostic error "-Wunused-function"

/* ---------------------------------------------------------------- helpers */

/* What f wrote, NUL-terminated (the caller frees it). */
static char *capture(void (*fn)(FILE *, void *), void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, arg);
	fclose(f);
	return buf;
}

static void text_fn(FILE *f, void *arg)
{
	dump_text(f, arg);
}

static void json_fn(FILE *f, void *arg)
{
	dump_json_g(f, arg);
}

/* Parse JSON text strictly (jsondec reads files). */
static struct jd *parse_json(const char *text)
{
	char path[] = "/tmp/gotl-test-dump-XXXXXX", err[128];
	struct jd *d;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	d = jd_read(path, err, sizeof(err));
	unlink(path);
	if (!d)
		fail_msg("invalid JSON (%s): %s", err, text);
	return d;
}

static struct gosym_frame fr_worker = { "main.worker", "/src/w.go", 12, 1, 0 };
static struct gosym_frame fr_helper = { "main.helper", "/src/w.go", 5, 2, GOSYM_INLINED };
static struct gosym_frame fr_main = { "main.main", "/src/m.go", 20, 3, 0 };
static struct gosym_frame fr_other = { "main.worker", "/src/w.go", 13, 4, 0 };

static struct dump_g waiting_g(void)
{
	static struct gosym_line lines[2];

	lines[0] = (struct gosym_line){ &fr_helper, 0 };
	lines[1] = (struct gosym_line){ &fr_worker, 0x45 };
	return (struct dump_g){
		.goid = 7,
		.status = GOTL_G_WAITING,
		.reason = "chan receive",
		.wait_ns = -1,
		.start = "main.worker",
		.lines = lines,
		.nlines = 2,
		.created = true,
		.created_by = { &fr_main, 0x85 },
		.parent_goid = 1,
		.retries = 3,
	};
}

/* ------------------------------------------------------------------ ggroup */

static void test_groups(void **state)
{
	struct ggroups *g;
	const uint32_t a[] = { 1, 2, 3 }, b[] = { 1, 2, 4 }, c[] = { 1, 2 };
	struct ggroup gr;

	assert_int_equal(ggroups__new(&g), 0);
	for (int round = 0; round < 3; round++) {
		ggroups__reset(g);
		assert_int_equal(ggroups__add(g, 10, b, 3), 0);
		assert_int_equal(ggroups__add(g, 11, a, 3), 0);
		assert_int_equal(ggroups__add(g, 12, a, 3), 0);
		assert_int_equal(ggroups__add(g, 13, c, 2), 0); /* a prefix is another key */
		assert_int_equal(ggroups__add(g, 14, b, 3), 0);
		assert_int_equal(ggroups__add(g, 15, a, 3), 0);
		assert_int_equal(ggroups__finish(g), 0);
		assert_int_equal(ggroups__count(g), 3);
		gr = ggroups__get(g, 0); /* the largest */
		assert_int_equal(gr.n, 3);
		assert_int_equal(gr.members[0], 11);
		assert_int_equal(gr.members[1], 12);
		assert_int_equal(gr.members[2], 15);
		assert_int_equal(gr.keylen, 3);
		assert_memory_equal(gr.key, a, sizeof(a));
		gr = ggroups__get(g, 1); /* ties: the first seen first */
		assert_int_equal(gr.n, 2);
		assert_int_equal(gr.members[0], 10);
		assert_int_equal(gr.members[1], 14);
		gr = ggroups__get(g, 2);
		assert_int_equal(gr.n, 1);
		assert_int_equal(gr.members[0], 13);
		assert_int_equal(ggroups__get(g, 3).n, 0);
	}
	/* many groups and members: the table grows, every member is kept once */
	ggroups__reset(g);
	for (uint32_t i = 0; i < 50000; i++) {
		uint32_t k[2] = { i % 1000, 7 };

		assert_int_equal(ggroups__add(g, i, k, 2), 0);
	}
	assert_int_equal(ggroups__finish(g), 0);
	assert_int_equal(ggroups__count(g), 1000);
	for (size_t i = 0; i < 1000; i++) {
		gr = ggroups__get(g, i);
		assert_int_equal(gr.n, 50);
		assert_int_equal(gr.members[0], i); /* equal sizes: by first member */
		for (uint32_t j = 0; j < gr.n; j++)
			assert_int_equal(gr.members[j] % 1000, gr.key[0]);
	}
	ggroups__free(g);
}

/* ------------------------------------------------------------------- text */

static void test_text(void **state)
{
	struct dump_g g = waiting_g();
	char *t;

	t = capture(text_fn, &g);
	assert_string_equal(t, "goroutine 7 [chan receive]:\n"
			       "main.helper(...)\n\t/src/w.go:5\n"
			       "main.worker(...)\n\t/src/w.go:12 +0x45\n"
			       "created by main.main in goroutine 1\n\t/src/m.go:20 +0x85\n");
	free(t);

	/* ", N minutes" from a minute on (Go's integer minutes), locked, no parent known */
	g.wait_ns = 3 * 60000000000ll + 5;
	g.flags = CENSUS_G_LOCKED;
	g.parent_goid = 0;
	t = capture(text_fn, &g);
	assert_non_null(strstr(t, "goroutine 7 [chan receive, 3 minutes, locked to thread]:\n"));
	assert_non_null(strstr(t, "created by main.main\n\t/src/m.go:20 +0x85\n"));
	free(t);
	g.wait_ns = 59999999999ll;
	t = capture(text_fn, &g);
	assert_non_null(strstr(t, "[chan receive, locked to thread]:"));
	free(t);

	/* not waiting: the state, not the stale reason; scan bit */
	g = waiting_g();
	g.status = GOTL_G_RUNNABLE;
	g.flags = CENSUS_G_SCAN;
	t = capture(text_fn, &g);
	assert_non_null(strstr(t, "goroutine 7 [runnable (scan)]:\n"));
	free(t);

	/* running: Go's own words; created by still there */
	g = waiting_g();
	g.status = GOTL_G_RUNNING;
	g.flags = CENSUS_G_NOSTACK;
	g.nlines = 0;
	t = capture(text_fn, &g);
	assert_string_equal(t, "goroutine 7 [running]:\n"
			       "\tgoroutine running on other thread; stack unavailable\n"
			       "created by main.main in goroutine 1\n\t/src/m.go:20 +0x85\n");
	free(t);

	/* unsettled: said, with how many reads */
	g = waiting_g();
	g.flags = CENSUS_G_UNSETTLED | CENSUS_G_NOSTACK;
	g.nlines = 0;
	t = capture(text_fn, &g);
	assert_non_null(strstr(t, "\tstack not read: the goroutine changed each time it was read "
				  "(4 times)\n"));
	free(t);

	/* truncated and partial stacks are marked; goroutine 1 has no created by */
	g = waiting_g();
	g.flags = CENSUS_G_TRUNCATED | CENSUS_G_BADSTACK;
	g.created = false;
	g.goid = 1;
	t = capture(text_fn, &g);
	assert_non_null(strstr(t, "+0x45\n...additional frames elided...\n\t...stack read up to "
				  "here"));
	assert_null(strstr(t, "created by"));
	free(t);
}

/* Go 1.21+: a stack of more than 100 lines shows the first 50 and the last 50. */
static void test_long_stack(void **state)
{
	struct gosym_line lines[130];
	struct dump_g g = waiting_g();
	char *t, *p;
	int n = 0;

	for (int i = 0; i < 130; i++)
		lines[i] = (struct gosym_line){ i == 60 ? &fr_other : &fr_worker, 0x10 };
	g.lines = lines;
	g.nlines = 130;
	t = capture(text_fn, &g);
	for (p = t; (p = strstr(p, "main.worker(...)")); p++)
		n++;
	assert_int_equal(n, 100);
	assert_non_null(strstr(t, "\n...30 frames elided...\n"));
	assert_null(strstr(t, "w.go:13")); /* line 60 is in the elided part */
	free(t);
}

/* ----------------------------------------------------------------- groups */

struct group_arg {
	struct dump_g *gs;
	uint32_t *idx;
	uint32_t n;
	bool all;
};

static void group_fn(FILE *f, void *arg)
{
	struct group_arg *a = arg;

	dump_text_group(f, a->gs, a->idx, a->n, a->all);
}

static void json_group_fn(FILE *f, void *arg)
{
	struct group_arg *a = arg;

	dump_json_group(f, a->gs, a->idx, a->n);
}

static void test_group_text(void **state)
{
	struct dump_g gs[20];
	uint32_t idx[20];
	struct group_arg a = { gs, idx, 20, false };
	struct jd *d;
	char *t;

	for (int i = 0; i < 20; i++) {
		gs[i] = waiting_g();
		gs[i].goid = 100 + (uint64_t)i;
		gs[i].wait_ns = i == 3 ? 5 * 60000000000ll : i == 4 ? 61000000000ll : -1;
		idx[i] = (uint32_t)(19 - i); /* the order given is the order printed */
	}
	t = capture(group_fn, &a);
	assert_non_null(strstr(t, "20 goroutines [chan receive, 1~5 minutes]: 119 118 117 116 115 "
				  "114 113 112 111 110 109 108 107 106 105 104 ... (4 more)\n"
				  "main.helper(...)\n"));
	assert_non_null(strstr(t, "created by main.main in goroutine 1\n"));
	free(t);
	a.all = true;
	gs[5].parent_goid = 9; /* then the creators differ: no "in goroutine" */
	t = capture(group_fn, &a);
	assert_non_null(strstr(t, "105 104 103 102 101 100\n"));
	assert_non_null(strstr(t, "created by main.main\n"));
	free(t);

	t = capture(json_group_fn, &a);
	d = parse_json(t);
	assert_int_equal(jd_int(d, "count"), 20);
	assert_int_equal(jd_get(d, "goids")->n, 20);
	assert_int_equal((int64_t)jd_get(d, "goids")->v[0].num, 119);
	assert_int_equal(jd_int(d, "wait_ns_min"), 61000000000ll);
	assert_int_equal(jd_int(d, "wait_ns_max"), 5 * 60000000000ll);
	assert_string_equal(jd_str(d, "wait_reason"), "chan receive");
	assert_int_equal(jd_get(jd_get(d, "created_by"), "goid")->t, JD_NULL);
	assert_int_equal(jd_get(d, "frames")->n, 2);
	jd_free(d);
	free(t);

	/* one goroutine alone prints as it would with -v */
	a.n = 1;
	t = capture(group_fn, &a);
	assert_true(!strncmp(t, "goroutine 119 [chan receive]:\n", 30));
	free(t);
}

/* The key: same state and stack, same key; anything printed that differs, another. */
static void test_key(void **state)
{
	uint32_t ka[64], kb[64];
	struct gosym_line other[2];
	struct dump_g a = waiting_g(), b = waiting_g();
	uint32_t na, nb;

	b.goid = 99;
	b.wait_ns = 12345;
	b.parent_goid = 42;
	na = dump_key(&a, ka, 64);
	nb = dump_key(&b, kb, 64);
	assert_int_equal(na, nb);
	assert_memory_equal(ka, kb, na * sizeof(*ka));
	/* another line of the same function */
	memcpy(other, a.lines, sizeof(other));
	other[1].frame = &fr_other;
	b.lines = other;
	nb = dump_key(&b, kb, 64);
	assert_true(na != nb || memcmp(ka, kb, na * sizeof(*ka)));
	b = waiting_g();
	b.flags = CENSUS_G_LOCKED;
	nb = dump_key(&b, kb, 64);
	assert_true(memcmp(ka, kb, na * sizeof(*ka)));
	b = waiting_g();
	b.reason = "select";
	nb = dump_key(&b, kb, 64);
	assert_true(memcmp(ka, kb, na * sizeof(*ka)));
	b = waiting_g();
	b.created = false;
	nb = dump_key(&b, kb, 64);
	assert_true(memcmp(ka, kb, na * sizeof(*ka)));
	/* a short buffer: the length needed still comes back */
	assert_int_equal(dump_key(&a, ka, 2), na);
}

/* ------------------------------------------------------------------- JSON */

static void test_json(void **state)
{
	static struct gosym_frame weird = { "main.\"q\"\x01\xff", "/src/\\w.go", 3, 9, 0 };
	struct gosym_line lines[1] = { { &weird, 0x10 } };
	struct dump_g g = waiting_g();
	const struct jd *f, *c;
	struct jd *d;
	char *t;

	g.wait_ns = 1500;
	g.tid = 4242;
	t = capture(json_fn, &g);
	d = parse_json(t);
	assert_int_equal(jd_int(d, "goid"), 7);
	assert_string_equal(jd_str(d, "state"), "waiting");
	assert_string_equal(jd_str(d, "wait_reason"), "chan receive");
	assert_int_equal(jd_int(d, "wait_ns"), 1500);
	assert_int_equal(jd_int(d, "thread"), 4242);
	assert_string_equal(jd_str(d, "start_function"), "main.worker");
	assert_string_equal(jd_str(d, "stack"), "complete");
	assert_false(jd_get(d, "locked")->b);
	f = jd_get(d, "frames");
	assert_int_equal(f->n, 2);
	assert_string_equal(jd_str(&f->v[0], "function"), "main.helper");
	assert_true(jd_get(&f->v[0], "inlined")->b);
	assert_string_equal(jd_str(&f->v[1], "file"), "/src/w.go");
	assert_int_equal(jd_int(&f->v[1], "line"), 12);
	assert_false(jd_get(&f->v[1], "inlined")->b);
	c = jd_get(d, "created_by");
	assert_int_equal(jd_int(c, "goid"), 1);
	assert_string_equal(jd_str(c, "function"), "main.main");
	assert_int_equal(jd_int(c, "line"), 20);
	jd_free(d);
	free(t);

	/* running, unknown wait, no creator; names that are not plain text stay valid JSON */
	g = waiting_g();
	g.status = GOTL_G_RUNNING;
	g.flags = CENSUS_G_NOSTACK | CENSUS_G_SYSTEM;
	g.lines = lines;
	g.nlines = 1;
	g.created = false;
	g.start = NULL;
	t = capture(json_fn, &g);
	d = parse_json(t);
	assert_string_equal(jd_str(d, "state"), "running");
	assert_int_equal(jd_get(d, "wait_reason")->t, JD_NULL);
	assert_int_equal(jd_get(d, "wait_ns")->t, JD_NULL);
	assert_int_equal(jd_get(d, "thread")->t, JD_NULL);
	assert_int_equal(jd_get(d, "start_function")->t, JD_NULL);
	assert_int_equal(jd_get(d, "created_by")->t, JD_NULL);
	assert_true(jd_get(d, "system")->b);
	assert_string_equal(jd_str(d, "stack"), "running");
	f = jd_get(d, "frames");
	assert_string_equal(jd_str(&f->v[0], "function"), "main.\"q\"\x01\xef\xbf\xbd");
	assert_string_equal(jd_str(&f->v[0], "file"), "/src/\\w.go");
	jd_free(d);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups),	   cmocka_unit_test(test_text),
		cmocka_unit_test(test_long_stack), cmocka_unit_test(test_group_text),
		cmocka_unit_test(test_key),	   cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
