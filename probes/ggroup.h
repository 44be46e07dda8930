/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ggroup: goroutines grouped by a key, the way panicparse and
 * `goroutine?debug=1` fold a dump: members whose keys are equal word for
 * word form one group. The key is the caller's: `gotl dump` uses state,
 * wait reason, flags, creation site and every frame of the stack; top and
 * watch use creation site, block site and wait reason. Groups come out
 * largest first (ties: the group whose first member came first).
 *
 * Made for a census every second: ggroups__reset keeps every buffer, so
 * once they have grown to the largest census, grouping allocates nothing.
 * Pure: no I/O, knows nothing of goroutines beyond the words it is given.
 */
#ifndef GOTL_GGROUP_H
#define GOTL_GGROUP_H

#include <stddef.h>
#include <stdint.h>

struct ggroups;

struct ggroup {
	uint32_t n;		 /* members */
	const uint32_t *members; /* the callers' indices, in the order they were added */
	const uint32_t *key;	 /* the key the group shares */
	uint32_t keylen;
};

int ggroups__new(struct ggroups **out);
void ggroups__free(struct ggroups *g);
/* Forget every member and group, keep the memory. */
void ggroups__reset(struct ggroups *g);
/* Add member idx with key[0..n). Returns 0 or -ENOMEM. */
int ggroups__add(struct ggroups *g, uint32_t idx, const uint32_t *key, uint32_t n);
/* Sort the groups; then ggroups__count and ggroups__get. Returns 0 or -ENOMEM. */
int ggroups__finish(struct ggroups *g);
size_t ggroups__count(const struct ggroups *g);
/* Group i (0: the largest); its arrays are valid until the next reset, add or free. */
struct ggroup ggroups__get(const struct ggroups *g, size_t i);

#endif /* GOTL_GGROUP_H */
