// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_watchtrace.c: `gotl watch`'s trace (convert/watchtrace.c), written
 * from made-up censuses and read back with tracedec.h (protobuf-c): the
 * tracks under the process, counters written when they change (0 when a
 * name goes missing), the largest groups given a track, an instant per
 * census with its cost, a suspect slice for as long as the group is one,
 * open ones ended at the end, and a trace of many censuses that stays small.
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
#include "tracedec.h"
#include "watchtrace.h"

#define S	1000000000ull

static char path[64];

static const char *gname(void *ctx, size_t i, char *buf, size_t len)
{
	const struct wtrace_count *g = ctx;

	snprintf(buf, len, "main.worker%llu <- main.go:%llu, chan send",
		 (unsigned long long)g[i].id, (unsigned long long)(30 + g[i].id));
	return buf;
}

static struct wtrace *open_trace(void)
{
	struct wtrace_info in = { .pid = 4242,
				  .process_name = "server",
				  .go_version = "go1.26.8",
				  .every_ns = S,
				  .leak_after_ns = 60 * S,
				  .boot_ns = 100 * S,
				  .mono_ns = 90 * S,
				  .real_ns = 1700000000 * S };
	struct wtrace *w;

	snprintf(path, sizeof(path), "/tmp/gotl-test-wtrace-%d.pftrace", (int)getpid());
	assert_int_equal(wtrace__open(path, &in, &w), 0);
	return w;
}

/* The values written on a counter track, in time order. */
static int values(const struct tdec *d, uint64_t track, uint64_t *ts, int64_t *v, int max)
{
	int i, n = 0;

	for (i = 0; i < d->ncounters; i++)
		if (d->counters[i].track == track && n < max) {
			ts[n] = d->counters[i].ts;
			v[n++] = d->counters[i].v;
		}
	return n;
}

static const struct td_track *track(const struct tdec *d, const char *name)
{
	const struct td_track *t = NULL;

	for (int i = 0; i < d->ntracks; i++)
		if (!strcmp(d->tracks[i].name, name))
			t = &d->tracks[i];
	assert_non_null(t);
	return t;
}

static void test_tracks_and_counters(void **state)
{
	struct wtrace *w = open_trace();
	struct wtrace_count st[3][2] = {
		{ { .name = "waiting", .value = 10 }, { .name = "running", .value = 2 } },
		{ { .name = "waiting", .value = 10 }, { .name = "running", .value = 3 } },
		{ { .name = "waiting", .value = 12 } },
	};
	struct wtrace_count rs[] = { { .name = "chan send", .value = 10 } };
	struct wtrace_count gs[12];
	struct tdec *d;
	uint64_t ts[16];
	int64_t v[16];
	int k, n, i;

	for (i = 0; i < 12; i++)
		gs[i] = (struct wtrace_count){ .id = (uint64_t)i + 1, .value = 100 - i };
	for (k = 0; k < 3; k++) {
		struct wtrace_census c = { .ts = (100 + (uint64_t)k) * S,
					   .alive = 12,
					   .states = st[k],
					   .nstates = k == 2 ? 1 : 2,
					   .reasons = rs,
					   .nreasons = 1,
					   .groups = gs,
					   .ngroups = 12,
					   .group_name = gname,
					   .ctx = gs,
					   .wall_ns = 1000 + (uint64_t)k,
					   .cpu_ns = 900,
					   .bytes = 4096,
					   .syscalls = 5,
					   .rounds = 4 };

		assert_int_equal(wtrace__census(w, &c), 0);
	}
	assert_int_equal(wtrace__close(w, 103 * S, NULL), 0);
	d = td_read(path);
	assert_non_null(d);
	assert_int_equal(d->errors, 0);

	/* alive: written once, it never changed */
	n = values(d, track(d, "Goroutines")->uuid, ts, v, 16);
	assert_int_equal(n, 1);
	assert_int_equal(v[0], 12);
	/* running: 2, 3, then 0 once it is missing */
	n = values(d, track(d, "running")->uuid, ts, v, 16);
	assert_int_equal(n, 3);
	assert_int_equal(v[0], 2);
	assert_int_equal(v[1], 3);
	assert_int_equal(v[2], 0);
	assert_int_equal(ts[2], 102 * S);
	n = values(d, track(d, "waiting")->uuid, ts, v, 16);
	assert_int_equal(n, 2);
	assert_int_equal(v[1], 12);
	assert_int_equal(track(d, "running")->parent, track(d, "By state")->uuid);
	assert_int_equal(track(d, "chan send")->parent, track(d, "By wait reason")->uuid);
	/* the 10 largest groups have a track, the others not */
	assert_int_equal(track(d, "main.worker1 <- main.go:31, chan send")->parent,
			 track(d, "Largest groups")->uuid);
	assert_non_null(td_track_named(d, "main.worker10 <"));
	assert_null(td_track_named(d, "main.worker11 <"));
	/* an instant per census, with its cost; the time on a counter of its own */
	n = 0;
	for (i = 0; i < d->nslices; i++)
		if (d->slices[i].instant && !strcmp(d->slices[i].name, "census")) {
			assert_int_equal(d->slices[i].track, track(d, "Censuses")->uuid);
			assert_int_equal(td_arg(&d->slices[i], "wall_ns")->u, 1000 + (uint64_t)n);
			assert_int_equal(td_arg(&d->slices[i], "bytes_read")->u, 4096);
			n++;
		}
	assert_int_equal(n, 3);
	assert_int_equal(values(d, track(d, "Census time")->uuid, ts, v, 16), 3);
	td_free(d);
	unlink(path);
}

static void test_suspects(void **state)
{
	struct wtrace *w = open_trace();
	struct wtrace_count sus = { .id = 7,
				    .name = "main.leaker <- main.go:64, chan send",
				    .per_hour = 18000 };
	struct wtrace_count sus2 = { .id = 9, .name = "main.other <- x.go:3, select" };
	const struct td_slice *s;
	struct tdec *d;
	uint64_t ts[16];
	int64_t v[16];
	int k;

	for (k = 0; k < 10; k++) {
		/* 7 is a suspect at censuses 2..5, then not; 9 from 8 to the end */
		struct wtrace_count both[2] = { sus, sus2 };
		struct wtrace_census c = { .ts = (100 + (uint64_t)k) * S, .alive = 5 };

		sus.value = 10 + k;
		both[0] = sus;
		if (k >= 2 && k <= 5) {
			c.suspects = both;
			c.nsuspects = 1;
		} else if (k >= 8) {
			c.suspects = &both[1];
			c.nsuspects = 1;
		}
		assert_int_equal(wtrace__census(w, &c), 0);
	}
	assert_int_equal(wtrace__close(w, 110 * S, NULL), 0);
	d = td_read(path);
	assert_non_null(d);
	assert_int_equal(d->errors, 0);
	s = td_nth_slice(d, track(d, sus.name)->uuid, 0);
	assert_non_null(s);
	assert_string_equal(s->name, sus.name);
	assert_int_equal(s->ts, 102 * S);
	assert_int_equal(s->dur, 4 * S); /* until the census where it is not one */
	assert_int_equal(td_arg(s, "goroutines_at_end")->u, 15);
	assert_int_equal(td_arg(s, "growth_per_hour")->u, 18000);
	assert_int_equal(td_count_slices(d, track(d, sus.name)->uuid), 1);
	s = td_nth_slice(d, track(d, sus2.name)->uuid, 0);
	assert_int_equal(s->ts, 108 * S);
	assert_int_equal(s->dur, 2 * S); /* open at the end: ended there */
	assert_int_equal(track(d, sus.name)->parent, track(d, "Leak suspect groups")->uuid);
	/* their number: 0, 1 at 102, 0 at 106, 1 at 108 */
	assert_int_equal(values(d, track(d, "Leak suspects")->uuid, ts, v, 16), 4);
	assert_int_equal(ts[1], 102 * S);
	assert_int_equal(v[2], 0);
	assert_int_equal(ts[3], 108 * S);
	td_free(d);
	unlink(path);
}

/* A day of censuses every 10 s of a steady service: a small file. */
static void test_small(void **state)
{
	struct wtrace *w = open_trace();
	struct wtrace_count st[] = { { .name = "waiting", .value = 980 },
				     { .name = "running", .value = 2 },
				     { .name = "runnable", .value = 1 } };
	struct wtrace_count rs[] = { { .name = "chan receive", .value = 900 },
				     { .name = "IO wait", .value = 80 } };
	struct wtrace_count gs[40];
	uint64_t bytes;
	int k, i;

	for (i = 0; i < 40; i++)
		gs[i] = (struct wtrace_count){ .id = (uint64_t)i + 1, .value = 500 / (i + 1) };
	for (k = 0; k < 8640; k++) {
		struct wtrace_census c = { .ts = (100 + 10 * (uint64_t)k) * S,
					   .alive = 983,
					   .states = st,
					   .nstates = 3,
					   .reasons = rs,
					   .nreasons = 2,
					   .groups = gs,
					   .ngroups = 40,
					   .group_name = gname,
					   .ctx = gs,
					   .wall_ns = 300000,
					   .cpu_ns = 250000,
					   .bytes = 400000,
					   .syscalls = 6 };

		st[1].value = 1 + k % 3; /* some numbers move */
		gs[k % 40].value += k & 1 ? 1 : -1;
		assert_int_equal(wtrace__census(w, &c), 0);
	}
	assert_int_equal(wtrace__close(w, (100 + 86400) * S, &bytes), 0);
	/* ~145 bytes a census (1.2 MB a day): the instant and its cost, its time, the
	 * counters that moved; not a byte for those that did not */
	assert_true(bytes < 8640 * 160);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tracks_and_counters),
		cmocka_unit_test(test_suspects),
		cmocka_unit_test(test_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
