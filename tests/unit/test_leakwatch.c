// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_leakwatch.c: the leak verdict over censuses (probes/leakwatch.c) on
 * made-up goroutines whose truth the test decides: a leak that grows, idle
 * and busy worker pools, a pool made at once, a ticker, a burst that
 * drains, a steady churn of long waits, what waitsince and trackingSeq
 * say, and memory that stays flat over thousands of censuses.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "leakwatch.h"

#define MS	1000000ull
#define EVERY	(200 * MS)
#define AFTER	(2000 * MS)

/* A made-up goroutine. */
struct sim {
	uint64_t goid;
	uint32_t key; /* its group: creation site = block site = key, for the test */
	bool alive, parked, leaky;
	uint8_t seq;
	uint64_t waitsince;
	int64_t wait_ns;
};

struct world {
	struct leakwatch *lw;
	struct sim g[4096];
	size_t n;
	uint64_t next_goid;
	uint64_t census; /* censuses taken */
};

static void world_init(struct world *w)
{
	struct leakwatch_opts o = { .leak_after_ns = AFTER };

	memset(w, 0, sizeof(*w));
	w->next_goid = 10;
	assert_int_equal(leakwatch__new(&o, &w->lw), 0);
}

static struct sim *spawn(struct world *w, uint32_t key, bool leaky)
{
	struct sim *s = &w->g[w->n++];

	assert_true(w->n <= 4096);
	*s = (struct sim){ .goid = w->next_goid++,
			   .key = key,
			   .alive = true,
			   .parked = true,
			   .leaky = leaky,
			   .seq = (uint8_t)rand(),
			   .wait_ns = -1 };
	return s;
}

/* The goroutine ran and parked again at the same place (the runtime bumps its seq). */
static void wake(struct sim *s)
{
	s->seq++;
	s->waitsince = 0;
	s->wait_ns = -1;
}

static void take(struct world *w)
{
	size_t i;

	leakwatch__begin(w->lw, 1000 * MS + w->census * EVERY);
	for (i = 0; i < w->n; i++) {
		const struct sim *s = &w->g[i];
		struct lw_g g = { .goid = s->goid,
				  .waitsince = s->waitsince,
				  .wait_ns = s->wait_ns,
				  .seq = s->seq,
				  .parked = s->parked,
				  .leaky = s->leaky };
		uint32_t key[3] = { s->key, s->key, s->leaky };

		if (s->alive)
			assert_int_equal(leakwatch__add(w->lw, &g, key, 3), 0);
	}
	assert_int_equal(leakwatch__end(w->lw), 0);
	w->census++;
}

/* The group of key in the last census, or NULL. */
static const struct lw_group *group(struct world *w, uint32_t key, struct lw_group *out)
{
	size_t i;

	for (i = 0; i < leakwatch__count(w->lw); i++) {
		leakwatch__group(w->lw, i, out);
		if (out->keylen == 3 && out->key[0] == key)
			return out;
	}
	return NULL;
}

static enum lw_verdict verdict(struct world *w, uint32_t key)
{
	struct lw_group g;

	return group(w, key, &g) ? g.verdict : LW_NONE;
}

static void test_leak_grows(void **state)
{
	struct world w;
	struct lw_group g;
	int k;

	world_init(&w);
	spawn(&w, 7, true); /* one was already there */
	for (k = 0; k < 30; k++) {
		take(&w);
		if (k < 10) /* nothing blocked for 2 s yet */
			assert_int_not_equal(verdict(&w, 7), LW_SUSPECT);
		spawn(&w, 7, true); /* one more every census: 5 a second */
	}
	assert_non_null(group(&w, 7, &g));
	assert_int_equal(g.verdict, LW_SUSPECT);
	assert_int_equal(g.n, 30);
	assert_int_equal(g.change, 1);
	assert_int_equal(g.left, 0);
	/* blocked 2 s or more: the one from before and those of censuses 1..19 */
	assert_int_equal(g.blocked_long, 20);
	assert_int_equal(g.arrived, 19);
	assert_int_equal(g.arrivals, LW_MIN_ARRIVALS);
	assert_int_equal(g.oldest_ns, 29 * EVERY);
	/* from 1 to 30 in 29 censuses of 200 ms: 5 per second */
	assert_true(g.per_hour > 17999.0 && g.per_hour < 18001.0);
	leakwatch__free(w.lw);
}

static void test_idle_pool(void **state)
{
	struct world w;
	struct lw_group g;
	int i, k;

	world_init(&w);
	for (i = 0; i < 8; i++)
		spawn(&w, 3, true);
	for (k = 0; k < 50; k++) {
		take(&w);
		assert_int_not_equal(verdict(&w, 3), LW_SUSPECT);
		assert_int_equal(verdict(&w, 3), k >= 10 ? LW_LONG_LIVED : LW_NONE);
	}
	assert_non_null(group(&w, 3, &g));
	assert_int_equal(g.n, 8);
	assert_int_equal(g.change, 0);
	assert_int_equal(g.blocked_long, 8);
	assert_int_equal(g.arrived, 0);
	assert_true(g.per_hour == 0.0);
	leakwatch__free(w.lw);
}

static void test_pool_made_at_once(void **state)
{
	struct world w;
	int i, k;

	world_init(&w);
	spawn(&w, 1, true); /* main, say */
	for (k = 0; k < 60; k++) {
		if (k == 5)
			for (i = 0; i < 16; i++)
				spawn(&w, 3, true);
		take(&w);
		assert_int_not_equal(verdict(&w, 3), LW_SUSPECT);
	}
	assert_int_equal(verdict(&w, 3), LW_LONG_LIVED);
	leakwatch__free(w.lw);
}

static void test_busy_pool(void **state)
{
	struct world w;
	struct sim *workers[8];
	struct lw_group g;
	int i, k;

	world_init(&w);
	for (i = 0; i < 8; i++)
		workers[i] = spawn(&w, 3, true);
	for (k = 0; k < 80; k++) {
		/* a job now and then, to one worker or another */
		if (k % 7 == 0)
			wake(workers[k % 8]);
		take(&w);
		assert_int_not_equal(verdict(&w, 3), LW_SUSPECT);
	}
	assert_non_null(group(&w, 3, &g));
	assert_true(g.left > 0);
	assert_true(g.oldest_ns < 80 * (int64_t)EVERY);
	leakwatch__free(w.lw);
}

static void test_ticker(void **state)
{
	struct world w;
	struct sim *t;
	struct lw_group g;
	int k;

	world_init(&w);
	t = spawn(&w, 5, true);
	for (k = 0; k < 40; k++) {
		wake(t); /* it ticks between every two censuses */
		take(&w);
		assert_int_equal(leakwatch__blocked_ns(w.lw, 0), 0);
	}
	assert_non_null(group(&w, 5, &g));
	assert_int_equal(g.verdict, LW_LONG_LIVED);
	assert_int_equal(g.blocked_long, 0);
	leakwatch__free(w.lw);
}

static void test_burst_drains(void **state)
{
	struct world w;
	bool was_suspect = false;
	size_t i;
	int k, j;

	world_init(&w);
	spawn(&w, 1, true);
	for (k = 0; k < 40; k++) {
		if (k >= 1 && k <= 5)
			for (j = 0; j < 4; j++)
				spawn(&w, 9, true);
		if (k == 25) /* the channel is read at last: all of them go */
			for (i = 1; i < w.n; i++)
				w.g[i].alive = false;
		take(&w);
		was_suspect |= verdict(&w, 9) == LW_SUSPECT;
		if (k >= 25)
			assert_int_equal(verdict(&w, 9), LW_NONE);
	}
	/* while it was piling up and blocked for long, it looked like a leak */
	assert_true(was_suspect);
	leakwatch__free(w.lw);
}

static void test_churn_of_long_waits(void **state)
{
	struct world w;
	struct lw_group g;
	size_t i;
	int k;

	world_init(&w);
	spawn(&w, 1, true);
	for (k = 0; k < 120; k++) {
		/* two long polls start each census and each lasts 3 s (15 censuses) */
		spawn(&w, 4, true);
		spawn(&w, 4, true);
		for (i = 1; i < w.n; i++)
			if (w.g[i].alive && w.g[i].goid + 30 < w.next_goid)
				w.g[i].alive = false;
		take(&w);
		if (k >= 40)
			assert_int_not_equal(verdict(&w, 4), LW_SUSPECT);
	}
	assert_non_null(group(&w, 4, &g));
	assert_int_equal(g.n, 30);
	assert_true(g.left > g.arrived);
	leakwatch__free(w.lw);
}

static void test_waitsince(void **state)
{
	struct world w;
	struct sim *a, *b, *c;
	int k;

	world_init(&w);
	a = spawn(&w, 1, true);
	b = spawn(&w, 2, true);
	c = spawn(&w, 3, true);
	a->waitsince = b->waitsince = 111;
	c->wait_ns = 600000 * (int64_t)MS; /* the runtime noted it 10 minutes ago */
	c->waitsince = 42;
	take(&w);
	assert_int_equal(leakwatch__blocked_ns(w.lw, 0), 0);
	assert_int_equal(leakwatch__blocked_ns(w.lw, 2), 600000 * (int64_t)MS);
	assert_int_equal(verdict(&w, 3), LW_LONG_LIVED);
	for (k = 1; k <= 5; k++) {
		/* b ran 256 times and parked at the same place: the seq is the same, but a GC
		 * noted its new wait */
		if (k == 3)
			b->waitsince = 222;
		c->wait_ns += EVERY;
		take(&w);
	}
	assert_int_equal(leakwatch__blocked_ns(w.lw, 0), 5 * EVERY);
	assert_int_equal(leakwatch__blocked_ns(w.lw, 1), 2 * EVERY);
	/* a not parked: not blocked at all */
	a->parked = false;
	take(&w);
	assert_int_equal(leakwatch__blocked_ns(w.lw, 0), -1);
	leakwatch__free(w.lw);
}

static void test_change(void **state)
{
	struct world w;
	struct lw_group g;

	world_init(&w);
	spawn(&w, 1, true);
	spawn(&w, 1, true);
	take(&w);
	assert_non_null(group(&w, 1, &g));
	assert_int_equal(g.change, 2);
	w.g[0].alive = false;
	take(&w);
	assert_non_null(group(&w, 1, &g));
	assert_int_equal(g.change, -1);
	w.g[1].alive = false;
	take(&w);
	assert_null(group(&w, 1, &g));
	spawn(&w, 1, true);
	take(&w);
	assert_non_null(group(&w, 1, &g));
	assert_int_equal(g.change, 1);
	leakwatch__free(w.lw);
}

/* A steady service for 3000 censuses: goroutines come and go, new groups keep appearing. */
static void test_memory_flat(void **state)
{
	struct leakwatch_opts o = { .leak_after_ns = AFTER };
	struct leakwatch *lw;
	size_t at500 = 0;
	uint64_t goid = 1;
	int k, i;

	assert_int_equal(leakwatch__new(&o, &lw), 0);
	for (k = 0; k < 3000; k++) {
		leakwatch__begin(lw, (uint64_t)k * EVERY);
		for (i = 0; i < 2000; i++) {
			/* 1800 that live on, 200 new ones each census; 20 of those in a group of
			 * their own that lives one census (a new site each time) */
			uint64_t id = i < 1800 ? (uint64_t)i + 1 : goid + (uint64_t)i;
			uint32_t key[3] = { (uint32_t)(i % 50), 7, 1 };
			struct lw_g g = { .goid = id,
					  .seq = (uint8_t)(k * (i & 1)),
					  .parked = true,
					  .leaky = true,
					  .wait_ns = -1 };

			if (i >= 1980)
				key[1] = 1000 + (uint32_t)k;
			assert_int_equal(leakwatch__add(lw, &g, key, 3), 0);
		}
		goid += 200;
		assert_int_equal(leakwatch__end(lw), 0);
		if (k == 500)
			at500 = leakwatch__footprint(lw);
	}
	assert_true(at500 > 0);
	assert_int_equal(leakwatch__footprint(lw), at500);
	assert_true(leakwatch__count(lw) == 50 + 20);
	leakwatch__free(lw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leak_grows),
		cmocka_unit_test(test_idle_pool),
		cmocka_unit_test(test_pool_made_at_once),
		cmocka_unit_test(test_busy_pool),
		cmocka_unit_test(test_ticker),
		cmocka_unit_test(test_burst_drains),
		cmocka_unit_test(test_churn_of_long_waits),
		cmocka_unit_test(test_waitsince),
		cmocka_unit_test(test_change),
		cmocka_unit_test(test_memory_flat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
