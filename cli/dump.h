/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * dump.h: how `gotl dump` prints goroutines (cli/dump.c), apart from where
 * they come from, so that tests/unit/test_dump.c can check the text, the
 * groups and the JSON on goroutines it makes up. Only cli/ and the tests
 * include it.
 */
#ifndef GOTL_DUMP_H
#define GOTL_DUMP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "gosym.h"

/* One goroutine as dump prints it. */
struct dump_g {
	uint64_t goid;
	uint8_t status;			/* GOTL_G_* */
	const char *reason;		/* its wait reason, "" for none */
	int64_t wait_ns;		/* -1: unknown */
	uint16_t flags;			/* CENSUS_G_* */
	uint32_t tid;			/* 0: unknown */
	int retries;			/* reads again before it was given up (unsettled) */
	const char *start;		/* start function, or NULL */
	const struct gosym_line *lines; /* its stack as Go prints it */
	int nlines;
	bool created; /* a "created by" line */
	struct gosym_line created_by;
	uint64_t parent_goid; /* 0: unknown */
};

/* Go's traceback header status: the wait reason for a waiting one, else the state. */
const char *dump_status(const struct dump_g *g);

/* One goroutine, as `goroutine?debug=2` prints it (arguments as "(...)"). */
void dump_text(FILE *f, const struct dump_g *g);

/*
 * A group of n goroutines with the same state and stack (g[idx[0]] stands
 * for them): a header with the count and the goids (all of them when
 * all_goids, else the first few), then the shared stack.
 */
void dump_text_group(FILE *f, const struct dump_g *gs, const uint32_t *idx, uint32_t n,
		     bool all_goids);

/*
 * The key a goroutine is grouped by: state, wait reason, the flags that
 * change what is printed, the creation site and every frame. Writes at most
 * max words; returns how many the key has.
 */
uint32_t dump_key(const struct dump_g *g, uint32_t *key, uint32_t max);

/* JSON: one goroutine object, and one group object (see `gotl dump --help`). */
void dump_json_g(FILE *f, const struct dump_g *g);
void dump_json_group(FILE *f, const struct dump_g *gs, const uint32_t *idx, uint32_t n);

#endif /* GOTL_DUMP_H */
