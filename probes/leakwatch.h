/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * leakwatch: goroutine leaks found over a series of censuses, by
 * persistence and growth, as production leak finders find them: a leak is
 * goroutines that keep piling up at one place (creation site, block site,
 * wait reason) and never leave it. `gotl watch` and `gotl top` feed it each
 * census's goroutines, each with the caller's group key; it keeps, per
 * goroutine and per group, what one census cannot know.
 *
 * How long a goroutine has been blocked, from outside. One census sees a
 * goroutine parked, not since when. The runtime's g.waitsince says it only
 * once a GC has scanned the goroutine parked (then it is the start of that
 * GC cycle, a little before the scan; a running goroutine's is reset to 0),
 * and a GC runs at least every 2 minutes. So across censuses: a goroutine
 * seen parked in the same group at consecutive censuses, with the same
 * g.trackingSeq (which the runtime bumps each time a goroutine stops
 * running) and no other waitsince, has not run in between, and has been
 * blocked at least since the first of them. Its blocked time is the longer
 * of that and the runtime's own wait (census_g.wait_ns). What that cannot
 * see: a goroutine that ran exactly a multiple of 256 times between two
 * censuses and parked again at the same place before any GC noted it looks
 * as if it never woke (the counter is 8 bits); anything shorter than the
 * time between two censuses.
 *
 * The verdict, at each census, for the groups it has:
 *   - suspect: its goroutines wait on a channel, select, lock or cond (the
 *     caller's `leaky`); at least LW_MIN_ARRIVALS of them, created during
 *     the watch (first seen after its first census) at as many different
 *     censuses, are each blocked at least leak_after; and they outnumber
 *     the goroutines that had been blocked that long in the group and then
 *     left it (ran or exited). A burst that drains, a pool created at once,
 *     a steady churn of long waits are not suspects.
 *   - long-lived: not a suspect, leaky, and every member has been alive (or
 *     blocked) at least leak_after: a signal loop, a ticker, a maintenance
 *     loop, an idle worker pool.
 *
 * Memory: per goroutine of the last census and per group seen lately (a
 * group absent for LW_FORGET censuses is forgotten); buffers are kept
 * across censuses, so a watch of days does not grow. Pure: no I/O, knows
 * nothing of goroutines beyond what it is given, never prints.
 */
#ifndef GOTL_LEAKWATCH_H
#define GOTL_LEAKWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct leakwatch;

#define LW_DEFAULT_LEAK_AFTER	(60ull * 1000000000ull)
#define LW_MIN_ARRIVALS		3	/* goroutines (and censuses) a growth needs */
#define LW_FORGET		64	/* censuses a group may be absent before it is forgotten */

/* One goroutine of a census, as the caller read it. */
struct lw_g {
	uint64_t goid;
	uint64_t waitsince; /* the runtime's g.waitsince as read (compared only); 0: none */
	int64_t wait_ns;    /* how long the runtime says it has waited; -1: unknown */
	uint8_t seq;	    /* g.trackingSeq */
	bool parked;	    /* waiting (not running, runnable or in a syscall) */
	bool leaky;	    /* parked on a channel, select, lock or cond */
};

enum lw_verdict { LW_NONE, LW_SUSPECT, LW_LONG_LIVED };

/* A group of the last census. */
struct lw_group {
	uint64_t id; /* 1, 2, ...: the same group keeps its id across censuses */
	const uint32_t *key;
	uint32_t keylen;
	uint32_t n;		 /* goroutines now */
	const uint32_t *members; /* their indices in the census (order of leakwatch__add) */
	int64_t change;		 /* n minus its count at the census before */
	uint32_t blocked_long;	 /* members blocked at least leak_after */
	uint32_t arrived;	 /* of those, created during the watch */
	uint32_t arrivals;	 /* the censuses those were first seen at (counted up to
					 * LW_MIN_ARRIVALS) */
	uint64_t left;		 /* goroutines that had been blocked leak_after in it and left */
	int64_t oldest_ns;	 /* the longest a member has been blocked; -1: none parked */
	double per_hour;	 /* growth: (n - n when first seen) / the time since, per hour */
	uint64_t first_ns;	 /* the census it was first seen at (this run of sightings) */
	enum lw_verdict verdict;
};

struct leakwatch_opts {
	uint64_t leak_after_ns; /* 0: LW_DEFAULT_LEAK_AFTER */
};

int leakwatch__new(const struct leakwatch_opts *o, struct leakwatch **out);
void leakwatch__free(struct leakwatch *lw);

/* A census at now_ns (any clock that only goes forward, the same for every census). */
void leakwatch__begin(struct leakwatch *lw, uint64_t now_ns);
/* Its next goroutine (index: how many were added before), in group key[0..n). 0 or -ENOMEM. */
int leakwatch__add(struct leakwatch *lw, const struct lw_g *g, const uint32_t *key, uint32_t n);
/* The census is complete: group, compare with the census before, judge. 0 or -ENOMEM. */
int leakwatch__end(struct leakwatch *lw);

/* The groups of the last census, largest first; the group i's arrays live until the next end. */
size_t leakwatch__count(const struct leakwatch *lw);
void leakwatch__group(const struct leakwatch *lw, size_t i, struct lw_group *out);
/* How long goroutine idx of the last census has been blocked at least; -1: not parked. */
int64_t leakwatch__blocked_ns(const struct leakwatch *lw, uint32_t idx);
/* Censuses ended so far. */
uint64_t leakwatch__censuses(const struct leakwatch *lw);
/* Bytes of memory it holds (for the tests that memory stays flat). */
size_t leakwatch__footprint(const struct leakwatch *lw);

#endif /* GOTL_LEAKWATCH_H */
