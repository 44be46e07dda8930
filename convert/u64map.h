/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* u64map: u64 key -> non-NULL pointer (see u64map.c). Zero-initialized is empty. */
#ifndef GOTL_U64MAP_H
#define GOTL_U64MAP_H

#include <stddef.h>
#include <stdint.h>

struct u64map {
	struct kv {
		uint64_t k;
		void *v; /* NULL: an empty slot */
	} *slots;
	size_t cap, len;
};

void *u64map__get(const struct u64map *m, uint64_t k);
/* Start loading where k would be (a lookup coming soon): no effect on the map. */
void u64map__prefetch(const struct u64map *m, uint64_t k);
/* Insert or replace (v must not be NULL). Returns 0 or -ENOMEM. */
int u64map__put(struct u64map *m, uint64_t k, void *v);
void u64map__del(struct u64map *m, uint64_t k);
void u64map__free(struct u64map *m);

#endif /* GOTL_U64MAP_H */
