// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report_alloc.c: the allocation and garbage-collector part of the report
 * core (report_int.h): heap totals, types by bytes and by count, goroutines
 * by bytes, allocation sites from the recorded allocations (every one with
 * --alloc=all, samples otherwise), GC cycles by trigger and stop-the-world
 * pauses by reason. Both front ends feed it the same facts, so the log and
 * the trace give the same report. Writes text or JSON; reads nothing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gotl/event.h"
#include "jsonstr.h"
#include "describe.h"
#include "report_int.h"
#include "u64map.h"

struct named {
	char *name;
	uint64_t n, bytes; /* count, and bytes (or ns for pauses) */
	uint64_t max;
};

/* Entries by name, in first-seen order; sorted copies for output. */
struct names {
	struct named *v;
	size_t len, cap;
	struct u64map idx; /* string hash (+ probe) -> 1 + index */
};

struct galloc_row {
	uint64_t goid;
	char *start;
	uint64_t n, bytes;
};

struct rep_alloc {
	struct rmeta_alloc tot;
	struct names types, sites, stw;
	struct galloc_row *gs;
	size_t ngs, capgs;
	uint64_t samples;
	uint64_t cycles, by_trigger[4], open_cycles, gc_stw_ns;
	uint64_t pauses, pause_ns, pause_max;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ull;
	return h;
}

static struct named *names_get(struct names *m, const char *name)
{
	uint64_t h = hash(name);
	uintptr_t i;

	for (;; h++) {
		i = (uintptr_t)u64map__get(&m->idx, h);
		if (!i)
			break;
		if (!strcmp(m->v[i - 1].name, name))
			return &m->v[i - 1];
	}
	if (m->len == m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 32;
		struct named *n = realloc(m->v, ncap * sizeof(*n));

		if (!n)
			return NULL;
		m->v = n;
		m->cap = ncap;
	}
	m->v[m->len] = (struct named){ .name = strdup(name) };
	if (!m->v[m->len].name || u64map__put(&m->idx, h, (void *)(uintptr_t)(m->len + 1))) {
		free(m->v[m->len].name);
		return NULL;
	}
	return &m->v[m->len++];
}

static void names_free(struct names *m)
{
	size_t i;

	for (i = 0; i < m->len; i++)
		free(m->v[i].name);
	free(m->v);
	u64map__free(&m->idx);
}

static int cmp_bytes(const void *a, const void *b)
{
	const struct named *x = *(const struct named *const *)a;
	const struct named *y = *(const struct named *const *)b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int cmp_count(const void *a, const void *b)
{
	const struct named *x = *(const struct named *const *)a;
	const struct named *y = *(const struct named *const *)b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return cmp_bytes(a, b);
}

static const struct named **sorted(const struct names *m, bool by_count)
{
	const struct named **v = calloc(m->len + 1, sizeof(*v));
	size_t i;

	if (!v)
		return NULL;
	for (i = 0; i < m->len; i++)
		v[i] = &m->v[i];
	qsort(v, m->len, sizeof(*v), by_count ? cmp_count : cmp_bytes);
	return v;
}

/* ---- input -------------------------------------------------------------- */

struct rep_alloc *rep_alloc__new(void)
{
	return calloc(1, sizeof(struct rep_alloc));
}

void rep_alloc__free(struct rep_alloc *a)
{
	size_t i;

	if (!a)
		return;
	names_free(&a->types);
	names_free(&a->sites);
	names_free(&a->stw);
	for (i = 0; i < a->ngs; i++)
		free(a->gs[i].start);
	free(a->gs);
	free(a);
}

void rep_alloc__totals(struct rep_alloc *a, const struct rmeta_alloc *t)
{
	a->tot = *t;
}

int rep_alloc__type(struct rep_alloc *a, const char *name, uint64_t count, uint64_t bytes)
{
	struct named *e = names_get(&a->types, name);

	if (!e)
		return -ENOMEM;
	e->n += count;
	e->bytes += bytes;
	return 0;
}

int rep_alloc__sample(struct rep_alloc *a, const char *site, uint64_t bytes)
{
	struct named *e = names_get(&a->sites, site);

	if (!e)
		return -ENOMEM;
	e->n++;
	e->bytes += bytes;
	a->samples++;
	return 0;
}

int rep_alloc__life(struct rep_alloc *a, uint64_t goid, const char *start, uint64_t count,
		    uint64_t bytes)
{
	struct galloc_row *r;

	if (!count)
		return 0;
	if (a->ngs == a->capgs) {
		size_t ncap = a->capgs ? a->capgs * 2 : 64;
		struct galloc_row *n = realloc(a->gs, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		a->gs = n;
		a->capgs = ncap;
	}
	r = &a->gs[a->ngs];
	r->start = strdup(start ? start : "(unknown)");
	if (!r->start)
		return -ENOMEM;
	r->goid = goid;
	r->n = count;
	r->bytes = bytes;
	a->ngs++;
	return 0;
}

static int trigger_index(const char *trigger)
{
	if (!strcmp(trigger, "heap"))
		return 0;
	if (!strcmp(trigger, "time"))
		return 1;
	if (!strcmp(trigger, "runtime.GC"))
		return 2;
	return 3;
}

static const char *const trigger_names[4] = { "heap", "time", "runtime.GC", "unknown" };

int rep_alloc__gc(struct rep_alloc *a, const char *trigger, uint64_t stw_ns, bool open)
{
	a->cycles++;
	a->by_trigger[trigger_index(trigger)]++;
	a->gc_stw_ns += stw_ns;
	if (open)
		a->open_cycles++;
	return 0;
}

int rep_alloc__stw(struct rep_alloc *a, const char *reason, uint64_t dur)
{
	struct named *e = names_get(&a->stw, reason);

	if (!e)
		return -ENOMEM;
	e->n++;
	e->bytes += dur;
	if (dur > e->max)
		e->max = dur;
	a->pauses++;
	a->pause_ns += dur;
	if (dur > a->pause_max)
		a->pause_max = dur;
	return 0;
}

/* ---- output ------------------------------------------------------------- */

/* A byte count for people ("1.5 MiB"), in one of 8 static buffers: up to 8 in one printf. */
static const char *bytes_str(uint64_t b)
{
	static char ring[8][32];
	static int i;

	i = (i + 1) % 8;
	if (b < 1024)
		snprintf(ring[i], sizeof(ring[i]), "%" PRIu64 " B", b);
	else if (b < 1024 * 1024)
		snprintf(ring[i], sizeof(ring[i]), "%.1f KiB", (double)b / 1024);
	else if (b < 1024ull * 1024 * 1024)
		snprintf(ring[i], sizeof(ring[i]), "%.1f MiB", (double)b / (1024 * 1024));
	else
		snprintf(ring[i], sizeof(ring[i]), "%.2f GiB", (double)b / (1024.0 * 1024 * 1024));
	return ring[i];
}

static int cmp_g(const void *x, const void *y)
{
	const struct galloc_row *a = x, *b = y;

	if (a->bytes != b->bytes)
		return a->bytes > b->bytes ? -1 : 1;
	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return a->goid < b->goid ? -1 : a->goid > b->goid;
}

void rep_alloc__text(struct rep_alloc *a, FILE *f, int top)
{
	const struct named **v;
	const char *sep;
	size_t i;

	if (a->tot.mode == GOTL_ALLOC_OFF) {
		fprintf(f, "\nAllocations: not recorded (gotl record --alloc=off)\n");
	} else {
		fprintf(f, "\nAllocations: %" PRIu64 " (%s)", a->tot.count,
			bytes_str(a->tot.bytes));
		if (a->tot.mode == GOTL_ALLOC_SAMPLED)
			fprintf(f, ", stacks sampled every ~%s", bytes_str(a->tot.sample_bytes));
		fputc('\n', f);
		if (a->tot.unclassified)
			fprintf(f,
				"  %" PRIu64 " allocations without a type: gotl's type "
				"table was full\n",
				a->tot.unclassified);
		for (int pass = 0; pass < 2; pass++) {
			v = sorted(&a->types, pass == 1);
			fprintf(f, "  Top types by %s\n", pass ? "count" : "bytes");
			for (i = 0; v && i < a->types.len && (int)i < top; i++)
				fprintf(f, "    %10s %10" PRIu64 " x  %s\n", bytes_str(v[i]->bytes),
					v[i]->n, v[i]->name);
			free(v);
		}
		if (a->ngs) /* a->gs is NULL when there are none */
			qsort(a->gs, a->ngs, sizeof(*a->gs), cmp_g);
		fprintf(f, "  Top goroutines by bytes\n");
		for (i = 0; i < a->ngs && (int)i < top; i++)
			fprintf(f, "    %10s %10" PRIu64 " x  G%" PRIu64 " %s\n",
				bytes_str(a->gs[i].bytes), a->gs[i].n, a->gs[i].goid,
				a->gs[i].start);
		v = sorted(&a->sites, false);
		fprintf(f, "  Top allocation sites (%s)\n",
			a->tot.mode == GOTL_ALLOC_ALL ? "every allocation" :
							"estimated from the samples");
		for (i = 0; v && i < a->sites.len && (int)i < top; i++)
			fprintf(f, "    %10s %10" PRIu64 " %s  %s\n", bytes_str(v[i]->bytes),
				v[i]->n, a->tot.mode == GOTL_ALLOC_ALL ? "x" : "samples",
				v[i]->name);
		free(v);
	}

	fprintf(f, "\nGarbage collector: %" PRIu64 " cycle%s", a->cycles,
		a->cycles == 1 ? "" : "s");
	for (i = 0, sep = " ("; i < 4; i++) {
		if (!a->by_trigger[i])
			continue;
		fprintf(f, "%s%" PRIu64 " %s", sep, a->by_trigger[i], trigger_names[i]);
		sep = ", ";
	}
	fprintf(f, "%s%s\n", a->cycles ? ")" : "",
		a->open_cycles ? ", one still running at the end" : "");
	fprintf(f, "  stop-the-world: %" PRIu64 " pause%s, total %s, max %s\n", a->pauses,
		a->pauses == 1 ? "" : "s", rep__dur(a->pause_ns), rep__dur(a->pause_max));
	v = sorted(&a->stw, true);
	for (i = 0; v && i < a->stw.len && (int)i < top; i++)
		fprintf(f, "    %-28s %6" PRIu64 " x  total %-10s max %s\n", v[i]->name, v[i]->n,
			rep__dur(v[i]->bytes), rep__dur(v[i]->max));
	free(v);
}

static void jnamed(FILE *f, const char *key, const struct names *m, bool by_count,
		   const char *kname, const char *kn, const char *kbytes, bool with_max)
{
	const struct named **v = sorted(m, by_count);
	size_t i;

	fprintf(f, "\"%s\":[", key);
	for (i = 0; v && i < m->len; i++) {
		fprintf(f, "%s{\"%s\":", i ? "," : "", kname);
		jsonstr__put(f, v[i]->name);
		fprintf(f, ",\"%s\":%" PRIu64 ",\"%s\":%" PRIu64, kn, v[i]->n, kbytes, v[i]->bytes);
		if (with_max)
			fprintf(f, ",\"max_ns\":%" PRIu64, v[i]->max);
		fputc('}', f);
	}
	fputc(']', f);
	free(v);
}

void rep_alloc__json(struct rep_alloc *a, FILE *f)
{
	size_t i;

	fputs("\"allocations\":{\"mode\":", f);
	jsonstr__put(f, describe__alloc_mode(a->tot.mode));
	if (a->tot.mode != GOTL_ALLOC_OFF) {
		fprintf(f, ",\"count\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"unclassified\":%" PRIu64,
			a->tot.count, a->tot.bytes, a->tot.unclassified);
		if (a->tot.mode == GOTL_ALLOC_SAMPLED)
			fprintf(f, ",\"sample_bytes\":%" PRIu64, a->tot.sample_bytes);
		fputc(',', f);
		jnamed(f, "by_type", &a->types, false, "type", "count", "bytes", false);
		if (a->ngs)
			qsort(a->gs, a->ngs, sizeof(*a->gs), cmp_g);
		fprintf(f, ",\"by_goroutine\":[");
		for (i = 0; i < a->ngs; i++) {
			fprintf(f, "%s{\"goid\":%" PRIu64 ",\"start_function\":", i ? "," : "",
				a->gs[i].goid);
			jsonstr__put(f, a->gs[i].start);
			fprintf(f, ",\"count\":%" PRIu64 ",\"bytes\":%" PRIu64 "}", a->gs[i].n,
				a->gs[i].bytes);
		}
		fprintf(f, "],\"recorded\":%" PRIu64 ",", a->samples);
		jnamed(f, "by_site", &a->sites, false, "site", "recorded", "bytes", false);
	}
	fprintf(f, "},\"gc\":{\"cycles\":%" PRIu64 ",\"open_at_end\":%" PRIu64 ",\"by_trigger\":{",
		a->cycles, a->open_cycles);
	for (i = 0; i < 4; i++)
		fprintf(f, "%s\"%s\":%" PRIu64, i ? "," : "", trigger_names[i], a->by_trigger[i]);
	fprintf(f,
		"},\"cycle_stw_ns\":%" PRIu64 ",\"stw\":{\"pauses\":%" PRIu64
		",\"total_ns\":%" PRIu64 ",\"max_ns\":%" PRIu64 ",",
		a->gc_stw_ns, a->pauses, a->pause_ns, a->pause_max);
	jnamed(f, "by_reason", &a->stw, true, "reason", "count", "total_ns", true);
	fprintf(f, "}}");
}
