// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * verdict.c: `gotl watch`'s leak verdict as it is printed, at the end or on
 * SIGUSR1: the suspect groups and the long-lived ones of the last census
 * (their judgment is leakwatch's), in text for people or as one line of
 * JSON for machines. Writes only to the stream it is given.
 */
#include <stdio.h>
#include <stdlib.h>
#include "jsonstr.h"
#include "watch.h"

#define TEXT_GOIDS	16

void watch_site(const struct gview *v, const struct lw_group *g, struct watch_site *out)
{
	const struct gv_g *m = &v->gs[g->members[0]];
	bool waiting = m->status == GOTL_G_WAITING || m->status == GOTL_G_LEAKED;

	out->start = m->start ? m->start : "";
	out->state = census__state(m->status);
	out->reason = waiting && m->reason ? census__reason(v->c, m->reason) : "";
	out->created = m->created;
	out->at = m->at;
}

static int by_goid(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The goids of a group, in ascending order (malloc'd; NULL: out of memory). */
static uint64_t *goids(const struct gview *v, const struct lw_group *g)
{
	uint64_t *ids = malloc((g->n ? g->n : 1) * sizeof(*ids));

	if (!ids)
		return NULL;
	for (uint32_t i = 0; i < g->n; i++)
		ids[i] = v->gs[g->members[i]].goid;
	qsort(ids, g->n, sizeof(*ids), by_goid);
	return ids;
}

/* The groups of one verdict, largest first (leakwatch's order). */
static size_t pick(const struct gview *v, enum lw_verdict which, uint32_t *idx)
{
	size_t i, n = 0;

	for (i = 0; i < leakwatch__count(v->lw); i++) {
		struct lw_group g;

		leakwatch__group(v->lw, i, &g);
		if (g.verdict == which)
			idx[n++] = (uint32_t)i;
	}
	return n;
}

static void text_group(FILE *f, const struct gview *v, const struct lw_group *g,
		       const struct watch_meta *m, bool suspect)
{
	struct watch_site s;
	char d[32], after[32];
	uint64_t *ids = goids(v, g);
	uint32_t i;

	watch_site(v, g, &s);
	fprintf(f, "  %u goroutine%s  %s  %s\n", g->n, g->n == 1 ? "" : "s",
		s.start[0] ? s.start : "?", s.reason[0] ? s.reason : s.state);
	if (s.created)
		fprintf(f, "      created at %s:%d (%s)\n", s.created->file, s.created->line,
			s.created->func);
	if (s.at)
		fprintf(f, "      blocked at %s:%d (%s)\n", s.at->file, s.at->line, s.at->func);
	gview__dur(g->oldest_ns, d, sizeof(d));
	gview__dur((int64_t)m->leak_after_ns, after, sizeof(after));
	if (suspect)
		fprintf(f,
			"      growing by %.0f an hour; %u blocked %s or more; the oldest for %s\n",
			g->per_hour, g->blocked_long, after, d);
	else
		fprintf(f, "      the oldest blocked for %s\n", d);
	fputs("      goroutines", f);
	for (i = 0; ids && i < g->n && i < TEXT_GOIDS; i++)
		fprintf(f, " %llu", (unsigned long long)ids[i]);
	if (i < g->n)
		fprintf(f, " ... (%u more)", g->n - i);
	fputc('\n', f);
	free(ids);
}

static void json_frame(FILE *f, const struct gosym_frame *fr)
{
	if (!fr) {
		fputs("null", f);
		return;
	}
	fputs("{\"function\":", f);
	jsonstr__put(f, fr->func);
	fputs(",\"file\":", f);
	jsonstr__put(f, fr->file);
	fprintf(f, ",\"line\":%d}", fr->line);
}

static void json_group(FILE *f, const struct gview *v, const struct lw_group *g)
{
	struct watch_site s;
	uint64_t *ids = goids(v, g);
	uint32_t i;

	watch_site(v, g, &s);
	fputs("{\"start_function\":", f);
	if (s.start[0])
		jsonstr__put(f, s.start);
	else
		fputs("null", f);
	fputs(",\"created_at\":", f);
	json_frame(f, s.created);
	fputs(",\"blocked_at\":", f);
	json_frame(f, s.at);
	fputs(",\"state\":", f);
	jsonstr__put(f, s.state);
	fputs(",\"wait_reason\":", f);
	if (s.reason[0])
		jsonstr__put(f, s.reason);
	else
		fputs("null", f);
	fprintf(f, ",\"count\":%u,\"goids\":[", g->n);
	for (i = 0; ids && i < g->n; i++)
		fprintf(f, i ? ",%llu" : "%llu", (unsigned long long)ids[i]);
	free(ids);
	fprintf(f,
		"],\"blocked_long\":%u,\"created_during_watch\":%u,\"growth_per_hour\":%.1f,"
		"\"oldest_wait_ns\":",
		g->blocked_long, g->arrived, g->per_hour);
	if (g->oldest_ns >= 0)
		fprintf(f, "%lld", (long long)g->oldest_ns);
	else
		fputs("null", f);
	fprintf(f, ",\"left\":%llu}", (unsigned long long)g->left);
}

size_t watch_verdict(FILE *f, const struct gview *v, const struct watch_meta *m, bool json)
{
	size_t ng = leakwatch__count(v->lw), ns, nl, i;
	uint32_t *sus = calloc(ng ? ng : 1, sizeof(*sus)), *ll = calloc(ng ? ng : 1, sizeof(*ll));
	uint64_t span = m->last_ns > m->first_ns ? m->last_ns - m->first_ns : 0;
	char every[32], after[32], watched[32];

	if (!sus || !ll) {
		free(sus);
		free(ll);
		fputs(json ? "{\"error\":\"out of memory\"}\n" : "gotl: out of memory\n", f);
		return 0;
	}
	ns = pick(v, LW_SUSPECT, sus);
	nl = pick(v, LW_LONG_LIVED, ll);
	gview__dur((int64_t)m->every_ns, every, sizeof(every));
	gview__dur((int64_t)m->leak_after_ns, after, sizeof(after));
	gview__dur((int64_t)span, watched, sizeof(watched));
	if (json) {
		fprintf(f, "{\"pid\":%d,\"process\":", (int)m->pid);
		jsonstr__put(f, m->comm);
		fputs(",\"go_version\":", f);
		jsonstr__put(f, m->go_version);
		fprintf(f,
			",\"censuses\":%llu,\"watched_ns\":%llu,\"every_ns\":%llu,"
			"\"leak_after_ns\":%llu,\"exited\":%s,\"goroutines\":%zu,\"suspects\":[",
			(unsigned long long)m->censuses, (unsigned long long)span,
			(unsigned long long)m->every_ns, (unsigned long long)m->leak_after_ns,
			m->exited ? "true" : "false", v->n);
		for (i = 0; i < ns; i++) {
			struct lw_group g;

			leakwatch__group(v->lw, sus[i], &g);
			fputs(i ? "," : "", f);
			json_group(f, v, &g);
		}
		fputs("],\"long_lived\":[", f);
		for (i = 0; i < nl; i++) {
			struct lw_group g;

			leakwatch__group(v->lw, ll[i], &g);
			fputs(i ? "," : "", f);
			json_group(f, v, &g);
		}
		fputs("]}\n", f);
	} else {
		fprintf(f,
			"process %d (%s, %s): %zu goroutines at the last of %llu censuses over "
			"%s, every %s%s\n",
			(int)m->pid, m->comm, m->go_version, v->n, (unsigned long long)m->censuses,
			watched, every, m->exited ? " (it exited)" : "");
		if (!ns)
			fprintf(f,
				"no leak suspect: no group of goroutines blocked %s or more on a "
				"channel, select, lock or cond kept growing\n",
				after);
		else
			fprintf(f,
				"%zu leak suspect%s: goroutines that keep piling up at one place, "
				"each blocked %s or more on a channel, select, lock or cond\n",
				ns, ns == 1 ? "" : "s", after);
		for (i = 0; i < ns; i++) {
			struct lw_group g;

			leakwatch__group(v->lw, sus[i], &g);
			text_group(f, v, &g, m, true);
		}
		if (nl)
			fprintf(f,
				"%zu long-lived group%s, not leaks: alive %s or more without "
				"growing (loops, tickers, idle pools)\n",
				nl, nl == 1 ? "" : "s", after);
		for (i = 0; i < nl; i++) {
			struct lw_group g;

			leakwatch__group(v->lw, ll[i], &g);
			text_group(f, v, &g, m, false);
		}
	}
	fflush(f);
	free(sus);
	free(ll);
	return ns;
}
