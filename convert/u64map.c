// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * u64map.c: a map from u64 keys to non-NULL pointers for the converter's
 * hot paths (g pointers, PCs, track uuids): open addressing with linear
 * probing, backward-shift deletion so lookups never stop early, doubling
 * at half full. No iteration order guarantee; callers that need one sort.
 */
#include <errno.h>
#include <stdlib.h>
#include "u64map.h"

static size_t idx(const struct u64map *m, uint64_t k)
{
	return (size_t)((k * 0x9e3779b97f4a7c15ull) >> 17) & (m->cap - 1);
}

void *u64map__get(const struct u64map *m, uint64_t k)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = idx(m, k); m->slots[i].v; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].k == k)
			return m->slots[i].v;
	return NULL;
}

void u64map__prefetch(const struct u64map *m, uint64_t k)
{
	if (m->cap)
		__builtin_prefetch(&m->slots[idx(m, k)]);
}

int u64map__put(struct u64map *m, uint64_t k, void *v)
{
	size_t i;

	if ((m->len + 1) * 2 > m->cap) {
		struct u64map n = { .cap = m->cap ? m->cap * 2 : 1024 };

		n.slots = calloc(n.cap, sizeof(*n.slots));
		if (!n.slots)
			return -ENOMEM;
		for (i = 0; i < m->cap; i++)
			if (m->slots[i].v)
				u64map__put(&n, m->slots[i].k, m->slots[i].v);
		free(m->slots);
		*m = n;
	}
	for (i = idx(m, k); m->slots[i].v; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].k == k) {
			m->slots[i].v = v;
			return 0;
		}
	m->slots[i].k = k;
	m->slots[i].v = v;
	m->len++;
	return 0;
}

void u64map__del(struct u64map *m, uint64_t k)
{
	size_t i, j, h;

	if (!m->cap)
		return;
	for (i = idx(m, k); m->slots[i].v; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].k == k)
			break;
	if (!m->slots[i].v)
		return;
	m->len--;
	/* Backward-shift the cluster after i so lookups never stop early. */
	for (j = (i + 1) & (m->cap - 1); m->slots[j].v; j = (j + 1) & (m->cap - 1)) {
		h = idx(m, m->slots[j].k);
		if ((j > i && (h <= i || h > j)) || (j < i && (h <= i && h > j))) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i].v = NULL;
	m->slots[i].k = 0;
}

void u64map__free(struct u64map *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->len = 0;
}
