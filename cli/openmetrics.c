// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * openmetrics.c: what `gotl watch --metrics` serves at /metrics: the last
 * census in the OpenMetrics text format (1.0.0): the watched process,
 * goroutines by state and by wait reason, the largest groups with their
 * sites as labels, the leak suspects, and what the censuses cost. Series
 * names are gotl_*; every value is of the last census except the *_total
 * counters (the whole watch). Pure text: writes only to the stream it is
 * given; label values are escaped and kept valid UTF-8.
 */
#include <stdio.h>
#include <string.h>
#include "watch.h"

/* A label value: \\, \" and \n escaped, control bytes and bytes that are not UTF-8 as '?'. */
static void label(FILE *f, const char *name, const char *v, bool first)
{
	const unsigned char *s = (const unsigned char *)(v ? v : "");

	fprintf(f, "%s%s=\"", first ? "" : ",", name);
	while (*s) {
		int n = *s < 0x80	    ? 1 :
			(*s & 0xe0) == 0xc0 ? 2 :
			(*s & 0xf0) == 0xe0 ? 3 :
			(*s & 0xf8) == 0xf0 ? 4 :
					      0;
		int k;

		for (k = 1; k < n && (s[k] & 0xc0) == 0x80; k++)
			;
		if (n > 1 && k == n) {
			fwrite(s, 1, (size_t)n, f);
			s += n;
			continue;
		}
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s < 0x20 || *s >= 0x80 ? '?' : *s, f);
		s++;
	}
	fputc('"', f);
}

static void family(FILE *f, const char *name, const char *type, const char *unit, const char *help)
{
	fprintf(f, "# TYPE %s %s\n", name, type);
	if (unit)
		fprintf(f, "# UNIT %s %s\n", name, unit);
	fprintf(f, "# HELP %s %s\n", name, help);
}

static void site_label(FILE *f, const char *name, const struct gosym_frame *fr)
{
	char buf[1024];

	if (fr)
		snprintf(buf, sizeof(buf), "%s:%d", fr->file, fr->line);
	label(f, name, fr ? buf : "", false);
}

/* The labels of a group. */
static void group_labels(FILE *f, const struct watch_site *s)
{
	fputc('{', f);
	label(f, "start_function", s->start, true);
	site_label(f, "created_at", s->created);
	label(f, "created_in", s->created ? s->created->func : "", false);
	site_label(f, "blocked_at", s->at);
	label(f, "blocked_in", s->at ? s->at->func : "", false);
	label(f, "state", s->state, false);
	label(f, "wait_reason", s->reason, false);
	fputc('}', f);
}

static bool same_frame(const struct gosym_frame *a, const struct gosym_frame *b)
{
	return a == b || (a && b && a->id == b->id);
}

static bool same_site(const struct watch_site *a, const struct watch_site *b)
{
	return !strcmp(a->start, b->start) && same_frame(a->created, b->created) &&
	       same_frame(a->at, b->at) && !strcmp(a->state, b->state) &&
	       !strcmp(a->reason, b->reason);
}

/*
 * Series of groups: the first max groups of verdict which (LW_NONE: any),
 * groups whose labels would be the same (two creation sites of one line)
 * added up, as a label set must appear once.
 */
static void group_series(FILE *f, const struct gview *v, const char *name, bool suspects,
			 size_t max)
{
	struct watch_site s[WATCH_METRIC_GROUPS];
	int64_t val[WATCH_METRIC_GROUPS];
	size_t i, k, n = 0;

	for (i = 0; i < leakwatch__count(v->lw) && n < max && n < WATCH_METRIC_GROUPS; i++) {
		struct lw_group g;
		struct watch_site ws;

		leakwatch__group(v->lw, i, &g);
		if (suspects && g.verdict != LW_SUSPECT)
			continue;
		watch_site(v, &g, &ws);
		for (k = 0; k < n && !same_site(&s[k], &ws); k++)
			;
		if (k == n) {
			s[n] = ws;
			val[n++] = 0;
		}
		val[k] += g.n;
	}
	for (k = 0; k < n; k++) {
		fputs(name, f);
		group_labels(f, &s[k]);
		fprintf(f, " %lld\n", (long long)val[k]);
	}
}

void watch_openmetrics(FILE *f, const struct gview *v, const struct watch_meta *m)
{
	static const uint8_t states[] = { GOTL_G_RUNNING, GOTL_G_RUNNABLE,  GOTL_G_SYSCALL,
					  GOTL_G_WAITING, GOTL_G_PREEMPTED, GOTL_G_COPYSTACK,
					  GOTL_G_LEAKED };
	char pid[16];
	size_t i, nsus = 0;

	family(f, "gotl_watch", "info", NULL, "The process gotl watches.");
	snprintf(pid, sizeof(pid), "%d", (int)m->pid);
	fputs("gotl_watch_info{", f);
	label(f, "pid", pid, true);
	label(f, "process", m->comm, false);
	label(f, "go_version", m->go_version, false);
	fputs("} 1\n", f);

	family(f, "gotl_goroutines", "gauge", NULL,
	       "Goroutines of the process at the last census (the runtime's own left out).");
	fprintf(f, "gotl_goroutines %zu\n", v->n);
	family(f, "gotl_runtime_goroutines", "gauge", NULL, "The runtime's own goroutines.");
	fprintf(f, "gotl_runtime_goroutines %zu\n", v->hidden);
	family(f, "gotl_goroutines_by_state", "gauge", NULL, "Goroutines by state.");
	for (i = 0; i < sizeof(states); i++)
		if (states[i] <= GOTL_G_WAITING || v->by_state[states[i]]) {
			fputs("gotl_goroutines_by_state{", f);
			label(f, "state", census__state(states[i]), true);
			fprintf(f, "} %zu\n", v->by_state[states[i]]);
		}
	family(f, "gotl_goroutines_waiting", "gauge", NULL,
	       "Waiting goroutines by the runtime's wait reason.");
	for (i = 0; i < 256; i++)
		if (v->by_reason[i]) {
			fputs("gotl_goroutines_waiting{", f);
			label(f, "wait_reason", i ? census__reason(v->c, (uint8_t)i) : "(none)",
			      true);
			fprintf(f, "} %zu\n", v->by_reason[i]);
		}
	family(f, "gotl_group_goroutines", "gauge", NULL,
	       "The largest groups: goroutines with the same start function, creation site, "
	       "place where they wait and state or wait reason.");
	group_series(f, v, "gotl_group_goroutines", false, WATCH_METRIC_GROUPS);

	for (i = 0; i < leakwatch__count(v->lw); i++) {
		struct lw_group g;

		leakwatch__group(v->lw, i, &g);
		nsus += g.verdict == LW_SUSPECT;
	}
	family(f, "gotl_leak_suspects", "gauge", NULL,
	       "Groups that are leak suspects: goroutines that keep piling up at one place, "
	       "each blocked longer than --leak-after on a channel, select, lock or cond.");
	fprintf(f, "gotl_leak_suspects %zu\n", nsus);
	family(f, "gotl_leak_suspect_goroutines", "gauge", NULL,
	       "Goroutines of each leak suspect group.");
	group_series(f, v, "gotl_leak_suspect_goroutines", true, WATCH_METRIC_GROUPS);

	family(f, "gotl_census_duration_seconds", "gauge", "seconds",
	       "Wall time of the last census (reading every goroutine).");
	fprintf(f, "gotl_census_duration_seconds %.9f\n", (double)v->cost.wall_ns / 1e9);
	family(f, "gotl_census_read_bytes", "gauge", "bytes",
	       "Bytes of the process's memory read by the last census.");
	fprintf(f, "gotl_census_read_bytes %llu\n", (unsigned long long)v->cost.bytes);
	family(f, "gotl_census_unsettled_goroutines", "gauge", NULL,
	       "Goroutines that changed each time the last census read them (shown without "
	       "a stack).");
	fprintf(f, "gotl_census_unsettled_goroutines %zu\n", v->unsettled);
	family(f, "gotl_censuses", "counter", NULL, "Censuses taken.");
	fprintf(f, "gotl_censuses_total %llu\n", (unsigned long long)m->censuses);
	family(f, "gotl_census_cpu_seconds", "counter", "seconds",
	       "gotl's CPU time in censuses, over the whole watch.");
	fprintf(f, "gotl_census_cpu_seconds_total %.9f\n", (double)m->cpu_ns / 1e9);
	family(f, "gotl_census_wall_seconds", "counter", "seconds",
	       "Wall time of every census, over the whole watch.");
	fprintf(f, "gotl_census_wall_seconds_total %.9f\n", (double)m->wall_ns / 1e9);
	family(f, "gotl_census_read_calls", "counter", NULL,
	       "Read system calls of every census, over the whole watch.");
	fprintf(f, "gotl_census_read_calls_total %llu\n", (unsigned long long)m->syscalls);
	fputs("# EOF\n", f);
}
