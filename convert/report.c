// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report.c: the core of `gotl report` (report_int.h): it aggregates the
 * lives and spans its front ends feed it - an event log's replay
 * (report_log.c) or a trace gotl wrote (report_trace.c), picked here by
 * the file's first bytes - and writes the report as text or JSON.
 * Everything is aggregated as lives and spans arrive, in memory bounded by
 * the live goroutines and the number of distinct sites: distributions are
 * log-linear histograms (exact below 128 ns, within 1.6% above), the
 * goroutine tree is kept collapsed by creation site from the start.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gotl/event.h"
#include "describe.h"
#include "jsonstr.h"
#include "replay.h"
#include "report_int.h"

/* ---- log-linear histogram ----------------------------------------------- */

#define LH_SUB		64
#define LH_BUCKETS	(59 * LH_SUB)

struct lhist {
	uint64_t n, sum, min, max;
	uint32_t *counts; /* LH_BUCKETS, allocated on first use */
};

static unsigned lh_index(uint64_t v)
{
	unsigned msb, shift;

	if (v < 2 * LH_SUB)
		return (unsigned)v;
	msb = 63u - (unsigned)__builtin_clzll(v);
	shift = msb - 6;
	return (shift + 1) * LH_SUB + (unsigned)((v >> shift) - LH_SUB);
}

/* The middle of bucket i. */
static uint64_t lh_value(unsigned i)
{
	unsigned shift;

	if (i < 2 * LH_SUB)
		return i;
	shift = i / LH_SUB - 1;
	return ((uint64_t)(i % LH_SUB + LH_SUB) << shift) + ((1ull << shift) >> 1);
}

static int lh_add(struct lhist *h, uint64_t v)
{
	if (!h->counts) {
		h->counts = calloc(LH_BUCKETS, sizeof(*h->counts));
		if (!h->counts)
			return -ENOMEM;
		h->min = v;
	}
	h->counts[lh_index(v)]++;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->n++;
	h->sum += v;
	return 0;
}

static uint64_t lh_pct(const struct lhist *h, double p)
{
	uint64_t want, seen = 0, v;
	unsigned i;

	if (!h->n)
		return 0;
	want = (uint64_t)ceil(p * (double)h->n);
	if (want < 1)
		want = 1;
	for (i = 0; i < LH_BUCKETS; i++) {
		seen += h->counts[i];
		if (seen >= want)
			break;
	}
	v = lh_value(i < LH_BUCKETS ? i : LH_BUCKETS - 1);
	return v < h->min ? h->min : v > h->max ? h->max : v;
}

/* How many values fell in [lo, hi), from the buckets (exact at decade edges above 128 ns). */
static uint64_t lh_range(const struct lhist *h, uint64_t lo, uint64_t hi)
{
	uint64_t n = 0;
	unsigned i;

	if (!h->n)
		return 0;
	for (i = 0; i < LH_BUCKETS; i++)
		if (h->counts[i] && lh_value(i) >= lo && lh_value(i) < hi)
			n += h->counts[i];
	return n;
}

/* ---- string-keyed aggregates -------------------------------------------- */

struct agg {
	char *key;
	char *a, *b, *c; /* parts of the key, for output */
	uint64_t n;	 /* goroutines / spans */
	uint64_t total;	 /* ns */
	uint64_t max;
	uint64_t first_ts;
	uint64_t *goids; /* leak groups: every goid (capped) */
	char *start;	 /* leak groups: the start function of the first one */
	size_t ngoids, cap;
	uint64_t min_blocked, max_blocked;
};

struct smap {
	struct agg **slots;
	size_t cap, len;
};

static uint64_t str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ull;
	return h;
}

/* The aggregate for the key a|b|c, created empty; NULL when out of memory. */
static struct agg *smap_get(struct smap *m, const char *a, const char *b, const char *c)
{
	char key[3072];
	size_t i;

	snprintf(key, sizeof(key), "%s\x1f%s\x1f%s", a ? a : "", b ? b : "", c ? c : "");
	if ((m->len + 1) * 2 > m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 64, j;
		struct agg **n = calloc(ncap, sizeof(*n));

		if (!n)
			return NULL;
		for (j = 0; j < m->cap; j++) {
			if (!m->slots[j])
				continue;
			i = str_hash(m->slots[j]->key) & (ncap - 1);
			while (n[i])
				i = (i + 1) & (ncap - 1);
			n[i] = m->slots[j];
		}
		free(m->slots);
		m->slots = n;
		m->cap = ncap;
	}
	for (i = str_hash(key) & (m->cap - 1); m->slots[i]; i = (i + 1) & (m->cap - 1))
		if (!strcmp(m->slots[i]->key, key))
			return m->slots[i];
	m->slots[i] = calloc(1, sizeof(struct agg));
	if (!m->slots[i])
		return NULL;
	m->slots[i]->key = strdup(key);
	m->slots[i]->a = strdup(a ? a : "");
	m->slots[i]->b = strdup(b ? b : "");
	m->slots[i]->c = strdup(c ? c : "");
	m->len++;
	return m->slots[i];
}

static void smap_free(struct smap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++) {
		if (!m->slots[i])
			continue;
		free(m->slots[i]->key);
		free(m->slots[i]->a);
		free(m->slots[i]->b);
		free(m->slots[i]->c);
		free(m->slots[i]->goids);
		free(m->slots[i]->start);
		free(m->slots[i]);
	}
	free(m->slots);
}

/* The aggregates sorted by n (then total, then key), largest first; caller frees. */
static int agg_cmp(const void *x, const void *y)
{
	const struct agg *a = *(struct agg *const *)x, *b = *(struct agg *const *)y;

	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	return strcmp(a->key, b->key);
}

/* Count one span of @dur ns under the key (a, b). */
static int agg_span(struct smap *m, const char *a, const char *b, uint64_t dur)
{
	struct agg *g = smap_get(m, a, b, NULL);

	if (!g)
		return -ENOMEM;
	g->n++;
	g->total += dur;
	if (dur > g->max)
		g->max = dur;
	return 0;
}

static struct agg **smap_sorted(const struct smap *m)
{
	struct agg **v = calloc(m->len + 1, sizeof(*v));
	size_t i, n = 0;

	if (!v)
		return NULL;
	for (i = 0; i < m->cap; i++)
		if (m->slots[i])
			v[n++] = m->slots[i];
	qsort(v, n, sizeof(*v), agg_cmp);
	return v;
}

/* ---- the goroutine tree, collapsed by creation site ---------------------- */

struct node {
	uint32_t parent;
	char *start;	   /* start function */
	char *site;	   /* creation site */
	uint64_t n;	   /* goroutines created here */
	uint64_t alive;	   /* still alive at the end */
	uint64_t goids[4]; /* the first few */
	int ngoids;
};

struct rep {
	const struct report_opts *o;
	FILE *out;
	struct report_result *res;
	struct lhist lifetime, first_run, runnable, sleep, stack;
	struct smap spawn, by_reason, by_site, leaks, long_lived;
	struct node *nodes;
	size_t nnodes, cap_nodes;
	uint64_t exited, alive_end, blocked_end, appeared;
	uint64_t end;
	struct rep_alloc *alloc;
};

static uint32_t node_child(struct rep *p, uint32_t parent, const char *start, const char *site)
{
	size_t i;

	for (i = 1; i < p->nnodes; i++)
		if (p->nodes[i].parent == parent && !strcmp(p->nodes[i].start, start) &&
		    !strcmp(p->nodes[i].site, site))
			return (uint32_t)i;
	if (p->nnodes == p->cap_nodes) {
		size_t ncap = p->cap_nodes ? p->cap_nodes * 2 : 64;
		struct node *n = realloc(p->nodes, ncap * sizeof(*n));

		if (!n)
			return 0;
		p->nodes = n;
		p->cap_nodes = ncap;
	}
	p->nodes[p->nnodes] = (struct node){ .parent = parent,
					     .start = strdup(start),
					     .site = strdup(site) };
	return (uint32_t)p->nnodes++;
}

/* ---- the core: lives and spans in ----------------------------------------- */

/*
 * A node shows its lowest few goids, sorted: the same whatever order they
 * became known in (on Go <= 1.23 a goid is known only after the first state).
 */
static void note_goid(struct rep *p, struct rlife *l)
{
	struct node *nd;
	int i;

	if (l->noted || !l->goid || !l->node)
		return;
	l->noted = true;
	nd = &p->nodes[l->node];
	for (i = 0; i < nd->ngoids; i++)
		if (nd->goids[i] == l->goid)
			return; /* another life of the same goroutine (cgo callbacks) */
	if (nd->ngoids == 4 && l->goid > nd->goids[3])
		return;
	if (nd->ngoids < 4)
		nd->ngoids++;
	for (i = nd->ngoids - 1; i > 0 && nd->goids[i - 1] > l->goid; i--)
		nd->goids[i] = nd->goids[i - 1];
	nd->goids[i] = l->goid;
}

int rep__born(struct rep *p, struct rlife *l, struct rlife *parent)
{
	struct node *nd;

	if (strcmp(l->site, "(first seen running)")) {
		struct agg *a = smap_get(&p->spawn, l->site, NULL, NULL);

		if (!a)
			return -ENOMEM;
		a->n++;
	}
	l->node = node_child(p, parent ? parent->node : 0, l->start, l->site);
	if (!l->node)
		return -ENOMEM;
	nd = &p->nodes[l->node];
	nd->n++;
	nd->alive++;
	note_goid(p, l);
	return 0;
}

int rep__span(struct rep *p, struct rlife *l, const struct rspan *s)
{
	uint64_t dur = s->end - s->begin;
	struct agg *a;

	note_goid(p, l);
	l->alloc_bytes += s->alloc_bytes;
	l->alloc_count += s->alloc_count;
	switch (s->kind) {
	case RS_RUNNABLE:
		if (s->how != RP_END_NEXT)
			return 0;
		if (lh_add(&p->runnable, dur))
			return -ENOMEM;
		/* The first Runnable of a created goroutine ends with its first run. */
		if (s->first && l->born_seen && lh_add(&p->first_run, dur))
			return -ENOMEM;
		return 0;
	case RS_BLOCKED:
		break;
	default:
		return 0;
	}
	if (!strcmp(s->reason, "sleep") && s->how == RP_END_NEXT && lh_add(&p->sleep, dur))
		return -ENOMEM;
	if (agg_span(&p->by_reason, s->reason, NULL, dur) ||
	    agg_span(&p->by_site, s->block_site, s->reason, dur))
		return -ENOMEM;

	if (s->how != RP_END_RECORDING)
		return 0;
	p->blocked_end++;
	if (!describe__leak_reason(s->reason, p->o->all_waits) || (!p->o->all_waits && l->runtime))
		return 0;
	a = smap_get(s->long_lived ? &p->long_lived : &p->leaks, l->site, s->block_site, s->reason);
	if (!a || (!a->start && !(a->start = strdup(l->start))))
		return -ENOMEM;
	if (!a->n || dur < a->min_blocked)
		a->min_blocked = dur;
	if (dur > a->max_blocked)
		a->max_blocked = dur;
	a->n++;
	a->total += dur;
	if (a->ngoids == a->cap && a->cap < 4096) {
		size_t ncap = a->cap ? a->cap * 2 : 8;
		uint64_t *n = realloc(a->goids, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		a->goids = n;
		a->cap = ncap;
	}
	if (a->ngoids < a->cap)
		a->goids[a->ngoids++] = l->goid;
	return 0;
}

int rep__died(struct rep *p, struct rlife *l, enum rp_end how, uint64_t end)
{
	note_goid(p, l);
	if (rep_alloc__life(p->alloc, l->goid, l->start, l->alloc_count, l->alloc_bytes))
		return -ENOMEM;
	/* The largest stack the goroutine had, when stacks were recorded. */
	if (l->stack_size && lh_add(&p->stack, l->stack_size))
		return -ENOMEM;
	if (how == RP_END_RECORDING) {
		p->alive_end++;
		return 0;
	}
	if (l->node)
		p->nodes[l->node].alive--;
	if (how == RP_END_EXIT) {
		p->exited++;
		if (l->born_seen && lh_add(&p->lifetime, end - l->created))
			return -ENOMEM;
	}
	return 0;
}

/* ---- output ------------------------------------------------------------- */

static void dur_str(uint64_t ns, char *buf, size_t len)
{
	if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 " ns", ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1f us", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.1f ms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.2f s", (double)ns / 1e9);
}

/* A duration for people ("1.23 ms"), in one of 16 static buffers: up to 16 in one printf. */
const char *rep__dur(uint64_t ns)
{
	static char ring[16][32];
	static int i;

	i = (i + 1) % 16;
	dur_str(ns, ring[i], sizeof(ring[i]));
	return ring[i];
}

static const uint64_t decades[] = {
	0,	  1000,	     10000,	 100000,	 1000000,
	10000000, 100000000, 1000000000, 10000000000ull, UINT64_MAX,
};
static const char *const decade_names[] = {
	"< 1 us",    "1-10 us",	   "10-100 us", "100 us-1 ms", "1-10 ms",
	"10-100 ms", "100 ms-1 s", "1-10 s",	">= 10 s",
};

static void text_hist(FILE *f, const char *title, const struct lhist *h)
{
	uint64_t top = 0, c;
	size_t i;

	fprintf(f, "\n%s (n=%" PRIu64 ")", title, h->n);
	if (!h->n) {
		fprintf(f, ": none\n");
		return;
	}
	fprintf(f, ": p50 %s, p90 %s, p99 %s, max %s\n", rep__dur(lh_pct(h, 0.5)),
		rep__dur(lh_pct(h, 0.9)), rep__dur(lh_pct(h, 0.99)), rep__dur(h->max));
	for (i = 0; i + 1 < sizeof(decades) / sizeof(decades[0]); i++) {
		c = lh_range(h, decades[i], decades[i + 1]);
		if (c > top)
			top = c;
	}
	for (i = 0; i + 1 < sizeof(decades) / sizeof(decades[0]); i++) {
		c = lh_range(h, decades[i], decades[i + 1]);
		if (c)
			fprintf(f, "  %-12s %8" PRIu64 "  %.*s\n", decade_names[i], c,
				(int)(40 * c / top ? 40 * c / top : 1),
				"########################################");
	}
}

static void text_pct(FILE *f, const char *title, const struct lhist *h)
{
	fprintf(f, "%-34s", title);
	if (!h->n)
		fprintf(f, "none\n");
	else
		fprintf(f, "n=%" PRIu64 ", p50 %s, p90 %s, p99 %s, max %s\n", h->n,
			rep__dur(lh_pct(h, 0.5)), rep__dur(lh_pct(h, 0.9)),
			rep__dur(lh_pct(h, 0.99)), rep__dur(h->max));
}

static void text_tree(FILE *f, const struct rep *p, uint32_t node, int depth, int top)
{
	uint32_t kids[256];
	size_t i, n = 0, j;

	for (i = 1; i < p->nnodes && n < 256; i++)
		if (p->nodes[i].parent == node)
			kids[n++] = (uint32_t)i;
	/* Largest groups first. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && p->nodes[kids[j]].n > p->nodes[kids[j - 1]].n; j--) {
			uint32_t t = kids[j];

			kids[j] = kids[j - 1];
			kids[j - 1] = t;
		}
	for (i = 0; i < n; i++) {
		const struct node *nd = &p->nodes[kids[i]];
		int k;

		if ((int)i == top) {
			fprintf(f, "%*s... %zu more sites\n", 2 + 2 * depth, "", n - i);
			break;
		}
		fprintf(f, "%*s%" PRIu64 " x %s", 2 + 2 * depth, "", nd->n, nd->start);
		if (strcmp(nd->site, "(first seen running)"))
			fprintf(f, "  <- %s", nd->site);
		fprintf(f, "  [");
		for (k = 0; k < nd->ngoids; k++)
			fprintf(f, "%sG%" PRIu64, k ? " " : "", nd->goids[k]);
		fprintf(f, "%s]", nd->n > (uint64_t)nd->ngoids ? " ..." : "");
		if (nd->alive)
			fprintf(f, " %" PRIu64 " alive at the end", nd->alive);
		fputc('\n', f);
		if (depth < 8)
			text_tree(f, p, kids[i], depth + 1, top);
	}
}

const enum schema_attr rmeta_attr[RM_MAX] = {
	[RM_BINARY] = SCHEMA_ATTR_GO_BINARY, [RM_BUILD_ID] = SCHEMA_ATTR_GO_BUILD_ID,
	[RM_COMMAND] = SCHEMA_ATTR_COMMAND,  [RM_GOTL_VERSION] = SCHEMA_ATTR_RECORDER_VERSION,
	[RM_HOST] = SCHEMA_ATTR_HOST,	     [RM_KERNEL] = SCHEMA_ATTR_KERNEL,
	[RM_OPTIONS] = SCHEMA_ATTR_OPTIONS,  [RM_START_TIME] = SCHEMA_ATTR_START_TIME,
};
const char *const rmeta_key[RM_MAX] = {
	"binary", "build_id", "command", "gotl_version", "host", "kernel", "options", "start_time",
};

/* Leak groups (suspects, long-lived), largest first. */
static void text_groups(FILE *f, const struct smap *m)
{
	struct agg **v = smap_sorted(m);
	size_t i, k;

	for (i = 0; v && i < m->len; i++) {
		const char *lo = rep__dur(v[i]->min_blocked), *hi = rep__dur(v[i]->max_blocked);

		fprintf(f, "  %" PRIu64 " x %s, blocked for %s", v[i]->n, v[i]->c, lo);
		if (strcmp(lo, hi))
			fprintf(f, " to %s", hi);
		fprintf(f, "\n      created at  %s\n      blocked at  %s\n      goroutines ",
			v[i]->a, v[i]->b);
		for (k = 0; k < v[i]->ngoids && k < 20; k++)
			fprintf(f, " G%" PRIu64, v[i]->goids[k]);
		fprintf(f, "%s\n", v[i]->ngoids > 20 ? " ..." : "");
	}
	free(v);
}

static void text(struct rep *p, const struct rmeta *m)
{
	FILE *f = p->out;
	struct agg **v;
	size_t i;
	int top = p->o->top > 0 ? p->o->top : 10;

	fprintf(f, "gotl report: %s", m->comm ? m->comm : "?");
	fprintf(f, " (pid %u, %s), recorded %s", m->pid, m->go_version ? m->go_version : "?",
		rep__dur(m->end - m->start));
	if (m->has_exit && m->signaled)
		fprintf(f, ", killed by signal %d", m->exit_status - 128);
	else if (m->has_exit)
		fprintf(f, ", exit status %d", m->exit_status);
	fprintf(f, "\n%" PRIu64 " goroutines, %" PRIu64 " events, %" PRIu64 " lost%s%s\n", m->seen,
		m->events, m->lost, m->truncated ? ", the log was cut short" : "",
		strcmp(m->source, "trace") ? "" :
					     " (from the trace: stack sizes need the raw log)");
	if (m->info[RM_COMMAND])
		fprintf(f, "command:   %s\n", m->info[RM_COMMAND]);
	if (m->info[RM_BINARY])
		fprintf(f, "binary:    %s%s%s\n", m->info[RM_BINARY],
			m->info[RM_BUILD_ID] ? ", build id " : "",
			m->info[RM_BUILD_ID] ? m->info[RM_BUILD_ID] : "");
	if (m->info[RM_START_TIME] || m->info[RM_HOST] || m->info[RM_KERNEL])
		fprintf(f, "recorded:  %s%s%s%s%s\n",
			m->info[RM_START_TIME] ? m->info[RM_START_TIME] : "",
			m->info[RM_HOST] ? " on " : "", m->info[RM_HOST] ? m->info[RM_HOST] : "",
			m->info[RM_KERNEL] ? ", " : "",
			m->info[RM_KERNEL] ? m->info[RM_KERNEL] : "");
	if (m->info[RM_OPTIONS] || m->info[RM_GOTL_VERSION])
		fprintf(f, "gotl:      %s%s%s\n",
			m->info[RM_GOTL_VERSION] ? m->info[RM_GOTL_VERSION] : "?",
			m->info[RM_OPTIONS] ? ", " : "",
			m->info[RM_OPTIONS] ? m->info[RM_OPTIONS] : "");

	fprintf(f, "\nLeak suspects: %" PRIu64 " goroutine%s in %zu group%s (%s%s)\n",
		p->res->leak_suspects, p->res->leak_suspects == 1 ? "" : "s", p->leaks.len,
		p->leaks.len == 1 ? "" : "s",
		p->o->all_waits ? "every goroutine blocked at the end" :
				  "blocked at the end on a channel, select, lock or cond",
		m->attached ? "; created while gotl recorded, or in a group that grew" : "");
	text_groups(f, &p->leaks);
	if (m->attached) {
		fprintf(f,
			"\nLong-lived: %" PRIu64 " goroutine%s in %zu group%s (there when gotl "
			"attached, in a group that did not grow: no leak suspects)\n",
			p->res->long_lived, p->res->long_lived == 1 ? "" : "s", p->long_lived.len,
			p->long_lived.len == 1 ? "" : "s");
		text_groups(f, &p->long_lived);
	}

	fprintf(f,
		"\nGoroutines: %" PRIu64 " seen, peak %" PRIu64 " alive at +%s, %" PRIu64
		" exited, %" PRIu64 " alive at the end (%" PRIu64 " blocked)\n",
		m->seen, m->max_alive, rep__dur(m->max_alive_ts - m->start), p->exited,
		p->alive_end, p->blocked_end);
	text_hist(f, "Lifetime of goroutines that exited", &p->lifetime);
	fprintf(f, "\nLatency\n");
	text_pct(f, "  created -> first run", &p->first_run);
	text_pct(f, "  runnable -> running", &p->runnable);
	text_hist(f, "Sleep durations", &p->sleep);

	v = smap_sorted(&p->spawn);
	fprintf(f, "\nTop spawn sites\n");
	for (i = 0; v && i < p->spawn.len && (int)i < top; i++)
		fprintf(f, "  %8" PRIu64 "  %s\n", v[i]->n, v[i]->a);
	free(v);

	v = smap_sorted(&p->by_reason);
	fprintf(f, "\nBlocked time by wait reason\n");
	for (i = 0; v && i < p->by_reason.len && (int)i < top; i++)
		fprintf(f, "  %-28s %8" PRIu64 " spans  total %-10s max %s\n", v[i]->a, v[i]->n,
			rep__dur(v[i]->total), rep__dur(v[i]->max));
	free(v);

	v = smap_sorted(&p->by_site);
	fprintf(f, "\nBlocked time by site\n");
	for (i = 0; v && i < p->by_site.len && (int)i < top; i++)
		fprintf(f, "  %8" PRIu64 " spans  total %-10s %s  (%s)\n", v[i]->n,
			rep__dur(v[i]->total), v[i]->a, v[i]->b);
	free(v);

	fprintf(f, "\nGoroutine tree, collapsed by creation site\n");
	text_tree(f, p, 0, 0, top);

	fprintf(f, "\nStack sizes ");
	if (!p->stack.n)
		fprintf(f, "%s\n",
			m->stacks_unknown ? "(not in a trace: report on the raw log)" :
					    "(not recorded: gotl record --stack-depth 0?)");
	else
		fprintf(f, "(n=%" PRIu64 "): p50 %" PRIu64 " KiB, max %" PRIu64 " KiB\n",
			p->stack.n, lh_pct(&p->stack, 0.5) / 1024, p->stack.max / 1024);
	rep_alloc__text(p->alloc, f, top);
}

/* ---- JSON --------------------------------------------------------------- */

static void jhist(FILE *f, const char *name, const struct lhist *h, bool decade)
{
	size_t i;

	fprintf(f, "\"%s\":{\"n\":%" PRIu64, name, h->n);
	if (h->n)
		fprintf(f,
			",\"min\":%" PRIu64 ",\"p50\":%" PRIu64 ",\"p90\":%" PRIu64
			",\"p99\":%" PRIu64 ",\"max\":%" PRIu64 ",\"sum\":%" PRIu64,
			h->min, lh_pct(h, 0.5), lh_pct(h, 0.9), lh_pct(h, 0.99), h->max, h->sum);
	if (decade) {
		fprintf(f, ",\"buckets\":[");
		for (i = 0; i + 1 < sizeof(decades) / sizeof(decades[0]); i++)
			fprintf(f, "%s{\"from_ns\":%" PRIu64 ",\"count\":%" PRIu64 "}",
				i ? "," : "", decades[i], lh_range(h, decades[i], decades[i + 1]));
		fputc(']', f);
	}
	fputc('}', f);
}

static void jaggs(FILE *f, const char *name, const struct smap *m, const char *ka, const char *kb)
{
	struct agg **v = smap_sorted(m);
	size_t i;

	fprintf(f, "\"%s\":[", name);
	for (i = 0; v && i < m->len; i++) {
		fprintf(f, "%s{\"%s\":", i ? "," : "", ka);
		jsonstr__put(f, v[i]->a);
		if (kb) {
			fprintf(f, ",\"%s\":", kb);
			jsonstr__put(f, v[i]->b);
		}
		fprintf(f,
			",\"count\":%" PRIu64 ",\"total_ns\":%" PRIu64 ",\"max_ns\":%" PRIu64 "}",
			v[i]->n, v[i]->total, v[i]->max);
	}
	fputc(']', f);
	free(v);
}

/*
 * A list of leak groups, largest first, and a comma. start: with each
 * group's start_function (an attach recording's two lists have it).
 */
static void jgroups(FILE *f, const char *name, const struct smap *m, bool start)
{
	struct agg **v = smap_sorted(m);
	size_t i, k;

	fprintf(f, ",\"%s\":[", name);
	for (i = 0; v && i < m->len; i++) {
		fprintf(f, "%s{\"count\":%" PRIu64 ",\"wait_reason\":", i ? "," : "", v[i]->n);
		jsonstr__put(f, v[i]->c);
		if (start) {
			fprintf(f, ",\"start_function\":");
			jsonstr__put(f, v[i]->start);
		}
		fprintf(f, ",\"created_at\":");
		jsonstr__put(f, v[i]->a);
		fprintf(f, ",\"blocked_at\":");
		jsonstr__put(f, v[i]->b);
		fprintf(f,
			",\"blocked_min_ns\":%" PRIu64 ",\"blocked_max_ns\":%" PRIu64
			",\"goids\":[",
			v[i]->min_blocked, v[i]->max_blocked);
		for (k = 0; k < v[i]->ngoids; k++)
			fprintf(f, "%s%" PRIu64, k ? "," : "", v[i]->goids[k]);
		fprintf(f, "]}");
	}
	fprintf(f, "]");
	free(v);
}

static void json(struct rep *p, const struct rmeta *m)
{
	FILE *f = p->out;
	size_t i, k;

	fprintf(f, "{\"source\":");
	jsonstr__put(f, m->source);
	fprintf(f, ",\"comm\":");
	jsonstr__put(f, m->comm);
	fprintf(f, ",\"go_version\":");
	jsonstr__put(f, m->go_version);
	for (i = 0; i < RM_MAX; i++) {
		fprintf(f, ",\"%s\":", rmeta_key[i]);
		jsonstr__put(f, m->info[i]);
	}
	fprintf(f,
		",\"pid\":%u,\"duration_ns\":%" PRIu64 ",\"events\":%" PRIu64
		",\"events_lost\":%" PRIu64 ",\"truncated\":%s",
		m->pid, m->end - m->start, m->events, m->lost, m->truncated ? "true" : "false");
	if (m->has_exit)
		fprintf(f, ",\"exit_status\":%d", m->exit_status);
	fprintf(f,
		",\"goroutines\":{\"seen\":%" PRIu64 ",\"peak_alive\":%" PRIu64
		",\"peak_at_ns\":%" PRIu64 ",\"exited\":%" PRIu64 ",\"alive_at_end\":%" PRIu64
		",\"blocked_at_end\":%" PRIu64 "}",
		m->seen, m->max_alive, m->max_alive_ts - m->start, p->exited, p->alive_end,
		p->blocked_end);

	jgroups(f, "leak_suspects", &p->leaks, m->attached);
	if (m->attached)
		jgroups(f, "long_lived", &p->long_lived, true);
	fputc(',', f);
	jhist(f, "lifetime", &p->lifetime, true);
	fputc(',', f);
	jhist(f, "create_to_first_run", &p->first_run, false);
	fputc(',', f);
	jhist(f, "runnable_to_running", &p->runnable, false);
	fputc(',', f);
	jhist(f, "sleep", &p->sleep, true);
	fputc(',', f);
	jhist(f, "stack_bytes", &p->stack, false);
	fputc(',', f);
	jaggs(f, "spawn_sites", &p->spawn, "site", NULL);
	fputc(',', f);
	jaggs(f, "blocked_by_reason", &p->by_reason, "wait_reason", NULL);
	fputc(',', f);
	jaggs(f, "blocked_by_site", &p->by_site, "site", "wait_reason");
	fprintf(f, ",\"tree\":[");
	for (i = 1; i < p->nnodes; i++) {
		const struct node *nd = &p->nodes[i];

		fprintf(f,
			"%s{\"id\":%zu,\"parent\":%u,\"count\":%" PRIu64
			",\"alive_at_end\":%" PRIu64 ",\"start_function\":",
			i > 1 ? "," : "", i, nd->parent, nd->n, nd->alive);
		jsonstr__put(f, nd->start);
		fprintf(f, ",\"created_at\":");
		jsonstr__put(f, nd->site);
		fprintf(f, ",\"goids\":[");
		for (k = 0; k < (size_t)nd->ngoids; k++)
			fprintf(f, "%s%" PRIu64, k ? "," : "", nd->goids[k]);
		fprintf(f, "]}");
	}
	fprintf(f, "],");
	rep_alloc__json(p->alloc, f);
	fprintf(f, "}\n");
}

/* ---- entry -------------------------------------------------------------- */

struct rep *rep__new(const struct report_opts *o, FILE *out, struct report_result *res)
{
	struct rep *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->o = o;
	p->out = out;
	p->res = res;
	p->alloc = rep_alloc__new();
	if (!p->alloc) {
		free(p);
		return NULL;
	}
	memset(res, 0, sizeof(*res));
	/* Node 0 is the root: goroutines with no parent in the recording. */
	p->nodes = calloc(64, sizeof(*p->nodes));
	if (!p->nodes) {
		rep_alloc__free(p->alloc);
		free(p);
		return NULL;
	}
	p->cap_nodes = 64;
	p->nnodes = 1;
	p->nodes[0] = (struct node){ .start = strdup(""), .site = strdup("") };
	return p;
}

void rep__output(struct rep *p, const struct rmeta *m)
{
	size_t i;

	for (i = 0; i < p->leaks.cap; i++)
		if (p->leaks.slots[i])
			p->res->leak_suspects += p->leaks.slots[i]->n;
	p->res->leak_groups = p->leaks.len;
	for (i = 0; i < p->long_lived.cap; i++)
		if (p->long_lived.slots[i])
			p->res->long_lived += p->long_lived.slots[i]->n;
	p->res->long_lived_groups = p->long_lived.len;
	if (p->o->json)
		json(p, m);
	else
		text(p, m);
}

void rep__free(struct rep *p)
{
	size_t i;

	if (!p)
		return;
	free(p->lifetime.counts);
	free(p->first_run.counts);
	free(p->runnable.counts);
	free(p->sleep.counts);
	free(p->stack.counts);
	smap_free(&p->spawn);
	smap_free(&p->by_reason);
	smap_free(&p->by_site);
	smap_free(&p->leaks);
	smap_free(&p->long_lived);
	for (i = 0; i < p->nnodes; i++) {
		free(p->nodes[i].start);
		free(p->nodes[i].site);
	}
	free(p->nodes);
	rep_alloc__free(p->alloc);
	free(p);
}

void rep__alloc_totals(struct rep *p, const struct rmeta_alloc *t)
{
	rep_alloc__totals(p->alloc, t);
}

int rep__alloc_type(struct rep *p, const char *name, uint64_t count, uint64_t bytes)
{
	return rep_alloc__type(p->alloc, name, count, bytes);
}

int rep__alloc_sample(struct rep *p, const char *site, uint64_t bytes)
{
	return rep_alloc__sample(p->alloc, site, bytes);
}

int rep__gc(struct rep *p, const char *trigger, uint64_t stw_ns, bool open)
{
	return rep_alloc__gc(p->alloc, trigger, stw_ns, open);
}

int rep__stw(struct rep *p, const char *reason, uint64_t dur)
{
	return rep_alloc__stw(p->alloc, reason, dur);
}

static bool is_trace(const char *path)
{
	unsigned char b[8] = { 0 };
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return false;
	n = fread(b, 1, sizeof(b), f);
	fclose(f);
	/* A gotl log starts with its magic; a Perfetto trace with Trace.packet (0x0a). */
	return n >= 2 && b[0] == 0x0a && memcmp(b, GOTL_LOG_MAGIC, n < 8 ? n : 8);
}

int report__run(const struct report_opts *o, FILE *out, struct report_result *res, char *err,
		size_t errlen)
{
	struct rep *p = rep__new(o, out, res);
	int ret;

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (is_trace(o->log_path))
		ret = report_trace__run(o->log_path, p, err, errlen);
	else
		ret = report_log__run(o->log_path, p, err, errlen);
	rep__free(p);
	return ret;
}
