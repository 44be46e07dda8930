// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tables.c: what the BPF side counts in its maps, read and written into the
 * log as snapshots: the probes' hits and losses (GOTL_REC_STATS and
 * GOTL_REC_LOSS, and the warning when events are lost), the allocation
 * totals and classes, and at the end what the goroutines still running
 * allocated. A snapshot is written when its numbers moved. It must not
 * read the ring buffer: record.c does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "gotl/event.h"
#include "gotl/loss.h"
#include "diag.h"
#include "logw.h"
#include "probeset.h"
#include "record.h"
#include "recorder.h"
#include "gotl.skel.h"

/* ---- allocations ---------------------------------------------------------- */

static uint64_t key_hash(const struct gotl_alloc_key *k)
{
	uint64_t h = k->type * 0x9e3779b97f4a7c15ull ^ k->flags;
	int i;

	for (i = 0; i < GOTL_ALLOC_PCS; i++)
		h = (h ^ k->pcs[i]) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

/* The slot for key (a new, unused one if absent); NULL when out of memory. */
static struct class_slot *classtab_get(struct classtab *t, const struct gotl_alloc_key *k)
{
	size_t i;

	if (t->len * 2 >= t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 1024, j;
		struct class_slot *n = calloc(ncap, sizeof(*n));

		if (!n)
			return NULL;
		for (j = 0; j < t->cap; j++) {
			if (!t->slots[j].used)
				continue;
			for (i = key_hash(&t->slots[j].key) & (ncap - 1); n[i].used;
			     i = (i + 1) & (ncap - 1))
				;
			n[i] = t->slots[j];
		}
		free(t->slots);
		t->slots = n;
		t->cap = ncap;
	}
	for (i = key_hash(k) & (t->cap - 1); t->slots[i].used; i = (i + 1) & (t->cap - 1))
		if (!memcmp(&t->slots[i].key, k, sizeof(*k)))
			return &t->slots[i];
	t->slots[i].key = *k;
	t->slots[i].used = true;
	t->slots[i].count = 0;
	t->len++;
	return &t->slots[i];
}

/* Sum the per-CPU allocation totals; write a record if they moved (or if force). */
int recorder__log_alloc_total(struct recorder *r, bool force)
{
	size_t vsz = sizeof(struct gotl_bpf_alloc_cpu);
	struct gotl_rec_alloc_total t;
	struct gotl_bpf_alloc_cpu *vals;
	__u32 zero = 0;
	bool moved;
	int cpu, err;

	if (r->o->alloc_mode == GOTL_ALLOC_OFF)
		return 0;
	vals = calloc((size_t)r->ncpus, vsz);
	if (!vals)
		return -ENOMEM;
	err = bpf_map__lookup_elem(r->ps->skel->maps.alloc_totals, &zero, sizeof(zero), vals,
				   vsz * (size_t)r->ncpus, 0);
	if (err) {
		free(vals);
		return err;
	}
	memset(&t, 0, sizeof(t));
	t.hdr.type = GOTL_REC_ALLOC_TOTAL;
	t.hdr.size = sizeof(t);
	t.hdr.ts = clock_ns(CLOCK_BOOTTIME);
	t.mode = (uint32_t)r->o->alloc_mode;
	t.sample_bytes = r->o->alloc_mode == GOTL_ALLOC_SAMPLED ? r->o->alloc_sample_bytes : 0;
	for (cpu = 0; cpu < r->ncpus; cpu++) {
		t.bytes += vals[cpu].bytes;
		t.count += vals[cpu].count;
		t.unclassified += vals[cpu].unclassified;
		t.untracked_g += vals[cpu].untracked_g;
	}
	free(vals);
	moved = t.count != r->last_total.count || t.unclassified != r->last_total.unclassified ||
		t.untracked_g != r->last_total.untracked_g;
	/* One more record after the last move, so a rate drawn from them falls back to 0. */
	if (!force && !moved && !r->total_moved)
		return 0;
	r->total_moved = moved;
	r->last_total = t;
	return logw__append(r->log, &t, sizeof(t));
}

/* Write a GOTL_REC_ALLOC_CLASS for every class that changed since the last call. */
int recorder__log_alloc_classes(struct recorder *r)
{
	struct bpf_map *m = r->ps->skel->maps.alloc_classes;
	struct gotl_alloc_key key, next, *prev = NULL;
	struct gotl_bpf_alloc_class v;
	uint64_t ts = clock_ns(CLOCK_BOOTTIME);

	if (r->o->alloc_mode == GOTL_ALLOC_OFF)
		return 0;
	while (!bpf_map__get_next_key(m, prev, &next, sizeof(next))) {
		struct gotl_rec_alloc_class c;
		struct class_slot *slot;

		key = next;
		prev = &key;
		if (bpf_map__lookup_elem(m, &key, sizeof(key), &v, sizeof(v), 0))
			continue;
		slot = classtab_get(&r->classes, &key);
		if (!slot)
			return -ENOMEM;
		if (slot->count == v.count)
			continue;
		slot->count = v.count;
		recorder__describe_class(r, &key);
		memset(&c, 0, sizeof(c));
		c.hdr.type = GOTL_REC_ALLOC_CLASS;
		c.hdr.size = sizeof(c);
		c.hdr.ts = ts;
		c.key = key;
		c.count = v.count;
		c.bytes = v.bytes;
		logw__append(r->log, &c, sizeof(c));
	}
	return 0;
}

/*
 * At the end: the goroutines still running (the program exited under them)
 * get what they allocated in their last Running span.
 */
void recorder__log_galloc_rest(struct recorder *r, uint64_t ts)
{
	struct bpf_map *m = r->ps->skel->maps.thread_alloc;
	struct gotl_bpf_thread_alloc v;
	__u32 key, next, *prev = NULL;

	if (r->o->alloc_mode == GOTL_ALLOC_OFF)
		return;
	while (!bpf_map__get_next_key(m, prev, &next, sizeof(next))) {
		struct gotl_ev_galloc e;

		key = next;
		prev = &key;
		if (bpf_map__lookup_elem(m, &key, sizeof(key), &v, sizeof(v), 0) || !v.count ||
		    !v.gp)
			continue;
		memset(&e, 0, sizeof(e));
		e.hdr.type = GOTL_REC_GALLOC;
		e.hdr.size = sizeof(e);
		e.hdr.tid = key;
		e.hdr.ts = ts;
		e.gp = v.gp;
		e.goid = 0; /* the converter knows gp's goid */
		e.bytes = v.bytes;
		e.count = v.count;
		logw__append(r->log, &e, sizeof(e));
	}
}

/* ---- probe counters and losses -------------------------------------------- */

static int read_stats(struct recorder *r, struct gotl_rec_stats *out, struct gotl_rec_loss *loss)
{
	size_t vsz = (sizeof(struct gotl_bpf_stats) + 7) & ~(size_t)7;
	uint8_t *vals;
	__u32 zero = 0;
	int cpu, k, err;

	vals = calloc((size_t)r->ncpus, vsz);
	if (!vals)
		return -ENOMEM;
	err = bpf_map__lookup_elem(r->ps->skel->maps.stats, &zero, sizeof(zero), vals,
				   vsz * (size_t)r->ncpus, 0);
	if (err) {
		free(vals);
		return err;
	}
	memset(out, 0, sizeof(*out));
	out->hdr.type = GOTL_REC_STATS;
	out->hdr.size = sizeof(*out);
	out->hdr.ts = clock_ns(CLOCK_BOOTTIME);
	memset(loss, 0, sizeof(*loss));
	loss->hdr.type = GOTL_REC_LOSS;
	loss->hdr.size = sizeof(*loss);
	loss->hdr.ts = out->hdr.ts;
	for (cpu = 0; cpu < r->ncpus; cpu++) {
		const struct gotl_bpf_stats *s = (const void *)(vals + vsz * (size_t)cpu);

		for (k = 0; k < GOTL_PROBE_MAX; k++) {
			out->hits[k] += s->hits[k];
			out->emitted[k] += s->emitted[k];
			out->lost[k] += s->lost[k];
		}
		for (k = 0; k < GOTL_LOSS_KINDS; k++)
			loss->lost[k] += s->lost_kind[k];
	}
	free(vals);
	return 0;
}

/* Write the stats (and loss) records if the loss count moved (or always, if force). */
int recorder__log_stats(struct recorder *r, bool force, struct gotl_rec_stats *out)
{
	struct gotl_rec_stats st;
	struct gotl_rec_loss loss;
	char kinds[256];
	uint64_t lost;
	int err;

	err = read_stats(r, &st, &loss);
	if (err)
		return err;
	lost = probe_sum(st.lost);
	if (lost != r->lost_seen) {
		if (!force) {
			gotl_loss_str(loss.lost, kinds, sizeof(kinds));
			if (r->progress_shown)
				fputs("\r\033[K", stderr);
			diag("lost %llu events so far (%s): the ring buffer was full "
			     "(try a larger --ring-size)",
			     (unsigned long long)lost, kinds);
		}
		r->lost_seen = lost;
		force = true;
	}
	if (out)
		*out = st;
	if (!force)
		return 0;
	err = logw__append(r->log, &st, sizeof(st));
	return err ? err : logw__append(r->log, &loss, sizeof(loss));
}
