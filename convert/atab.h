/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * atab: allocations by name — the table behind "allocations by type" in the
 * trace and in the report. It takes the log's cumulative per-class
 * snapshots (GOTL_REC_ALLOC_CLASS, a class is a type or, for untyped memory,
 * the code that asked for it), merges the classes that have one name
 * ("untyped (main.f)" from several call sites), and keeps, if asked, each
 * name's cumulative bytes over time for counter tracks.
 *
 * Pure: no I/O. Memory: one entry per class and per name, plus the series
 * (one point per name per snapshot in which it changed).
 */
#ifndef GOTL_ATAB_H
#define GOTL_ATAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct atab;

struct atab_point {
	uint64_t ts;
	uint64_t bytes; /* cumulative */
};

struct atab_name {
	char *name;
	uint64_t count;
	uint64_t bytes;
	struct atab_point *series; /* when kept */
	size_t nseries, cap;
};

/* keep_series: remember each name's bytes over time. Returns 0 or -ENOMEM. */
int atab__new(bool keep_series, struct atab **out);
void atab__free(struct atab *t);

/*
 * A class with a stable identity (hash of its key) and name has reached
 * count allocations and bytes at ts. Returns 0 or -ENOMEM.
 */
int atab__update(struct atab *t, uint64_t class_id, const char *name, uint64_t ts, uint64_t count,
		 uint64_t bytes);

/*
 * Every name, sorted by bytes (by_count: by count), largest first, ties by
 * name. The array is the caller's to free; the entries are the table's.
 * Returns the number of names, or -ENOMEM.
 */
long atab__sorted(const struct atab *t, bool by_count, const struct atab_name ***out);

/* Totals over every class. */
void atab__totals(const struct atab *t, uint64_t *count, uint64_t *bytes);

#endif /* GOTL_ATAB_H */
