// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * watchtrace.c: `gotl watch`'s Perfetto trace over pftrace (see
 * watchtrace.h). The tracks, under the process track: "Goroutines" (alive),
 * the groups "By state", "By wait reason" and "Largest groups" of counter
 * tracks, "Censuses" (an instant per census) with "Census time", and
 * "Leak suspects" (their number, and a slice track per suspect group).
 * Counter tracks are made the first time their value is not 0 and written
 * when their value changes, 0 when their name is missing from a census.
 * Must not print, nor keep anything per census.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gotl/version.h"
#include "pftrace.h"
#include "watchtrace.h"

#define UUID_BASE	0x7761746368000000ull	/* "watch" */
#define GTAB		(4 * WT_MAX_GROUP_TRACKS)	/* a power of two */

/* A counter track. */
struct ctrack {
	uint64_t id; /* groups */
	char *name;  /* states and reasons */
	uint64_t uuid;
	int64_t last;
	bool seen;
};

struct clist {
	struct ctrack *t;
	size_t n, cap;
	uint64_t parent;
};

/* A suspect group's slice track. */
struct strack {
	uint64_t id, uuid, name_iid, begin;
	int64_t count;
	double per_hour;
	bool open, seen;
};

struct wtrace {
	struct pftrace *pf;
	uint64_t next_uuid;
	uint64_t u_proc, u_alive, u_censuses, u_cost, u_nsusp, u_susp;
	struct clist states, reasons, groups;
	struct strack *susp;
	size_t nsusp, capsusp;
	int64_t alive, nsuspects;
	bool started;
	uint64_t cat, n_census, a_goroutines, a_wall, a_cpu, a_bytes, a_syscalls, a_rounds,
		a_reread, a_unsettled, a_count, a_per_hour, a_group;
	uint32_t gtab[GTAB]; /* group id -> its counter track in groups + 1 */
};

static int ensure(void **p, size_t *cap, size_t n, size_t size)
{
	void *q;
	size_t c;

	if (n <= *cap)
		return 0;
	for (c = *cap ? *cap : 16; c < n; c *= 2)
		;
	q = realloc(*p, c * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

static uint64_t group_track(struct wtrace *w, uint64_t parent, const char *name, const char *desc)
{
	struct pf_track t = { .uuid = w->next_uuid++,
			      .parent = parent,
			      .name = name,
			      .description = desc,
			      .no_merge = true,
			      .child_ordering = 2 };

	pftrace__track(w->pf, &t);
	return t.uuid;
}

static uint64_t counter_track(struct wtrace *w, uint64_t parent, const char *name, int unit,
			      const char *desc)
{
	struct pf_track t = { .uuid = w->next_uuid++,
			      .parent = parent,
			      .name = name,
			      .description = desc,
			      .counter = true,
			      .counter_unit = unit };

	pftrace__track(w->pf, &t);
	return t.uuid;
}

int wtrace__open(const char *path, const struct wtrace_info *in, struct wtrace **out)
{
	struct wtrace *w = calloc(1, sizeof(*w));
	struct pf_track t = { 0 };
	char name[256];
	int ret;

	*out = NULL;
	if (!w)
		return -ENOMEM;
	ret = pftrace__open(path, &w->pf);
	if (!ret && in->compress)
		ret = pftrace__compress(w->pf, in->compress);
	if (ret) {
		pftrace__close(w->pf);
		free(w);
		return ret;
	}
	w->next_uuid = UUID_BASE + 1;
	pftrace__start(w->pf, in->boot_ns, in->mono_ns, in->real_ns);
	pftrace__attr_str(w->pf, "gotl.version", GOTL_VERSION);
	pftrace__attr_str(w->pf, "gotl.mode", "watch");
	pftrace__attr_int(w->pf, "gotl.pid", in->pid);
	if (in->go_version)
		pftrace__attr_str(w->pf, "gotl.go_version", in->go_version);
	pftrace__attr_int(w->pf, "gotl.watch_every_ns", (int64_t)in->every_ns);
	pftrace__attr_int(w->pf, "gotl.watch_leak_after_ns", (int64_t)in->leak_after_ns);

	snprintf(name, sizeof(name), "%s", in->process_name ? in->process_name : "?");
	t.uuid = w->u_proc = w->next_uuid++;
	t.pid = in->pid;
	t.process_name = name;
	t.cmdline = in->cmdline;
	pftrace__track(w->pf, &t);

	w->u_alive = counter_track(w, w->u_proc, "Goroutines", 2,
				   "Goroutines alive at each census (the runtime's own left out).");
	w->states.parent = group_track(w, w->u_proc, "By state", "Goroutines by state.");
	w->reasons.parent = group_track(w, w->u_proc, "By wait reason",
					"Waiting goroutines by the runtime's wait reason.");
	w->groups.parent = group_track(w, w->u_proc, "Largest groups",
				       "Goroutines by group (start function <- creation site, "
				       "state or wait reason at the place they wait), for the "
				       "groups that were once among the largest.");
	w->u_censuses =
		group_track(w, w->u_proc, "Censuses",
			    "One instant per census, with what reading the goroutines cost.");
	w->u_cost = counter_track(w, w->u_proc, "Census time", 1,
				  "Wall time of each census (reading every goroutine).");
	w->u_nsusp = counter_track(w, w->u_proc, "Leak suspects", 2,
				   "Groups that are leak suspects (see gotl watch --help).");
	w->u_susp = group_track(w, w->u_proc, "Leak suspect groups",
				"One track per group that was a leak suspect, with a slice for "
				"as long as it was one.");
	w->cat = pftrace__cat_iid(w->pf, "watch");
	w->n_census = pftrace__name_iid(w->pf, "census");
	w->a_goroutines = pftrace__arg_iid(w->pf, "goroutines");
	w->a_wall = pftrace__arg_iid(w->pf, "wall_ns");
	w->a_cpu = pftrace__arg_iid(w->pf, "cpu_ns");
	w->a_bytes = pftrace__arg_iid(w->pf, "bytes_read");
	w->a_syscalls = pftrace__arg_iid(w->pf, "read_calls");
	w->a_rounds = pftrace__arg_iid(w->pf, "rounds");
	w->a_reread = pftrace__arg_iid(w->pf, "read_again");
	w->a_unsettled = pftrace__arg_iid(w->pf, "unsettled");
	w->a_count = pftrace__arg_iid(w->pf, "goroutines_at_end");
	w->a_per_hour = pftrace__arg_iid(w->pf, "growth_per_hour");
	w->a_group = pftrace__arg_iid(w->pf, "group_id");
	*out = w;
	return 0;
}

static size_t gslot(uint64_t id)
{
	id *= 0x9e3779b97f4a7c15ull;
	return (size_t)(id >> 40) & (GTAB - 1);
}

/* The counter track of a name (or of a group id when name is NULL), made if new; NULL if none. */
static struct ctrack *ctrack_of(struct wtrace *w, struct clist *l, const char *name, uint64_t id,
				const struct wtrace_census *c, size_t gi)
{
	char buf[512];
	size_t i, j = 0;

	if (name) {
		for (i = 0; i < l->n; i++)
			if (!strcmp(l->t[i].name, name))
				return &l->t[i];
	} else {
		for (j = gslot(id); w->gtab[j]; j = (j + 1) & (GTAB - 1))
			if (l->t[w->gtab[j] - 1].id == id)
				return &l->t[w->gtab[j] - 1];
		if (gi >= WT_TOP_GROUPS || l->n >= WT_MAX_GROUP_TRACKS)
			return NULL; /* a group gets a track only when among the largest */
	}
	if (ensure((void **)&l->t, &l->cap, l->n + 1, sizeof(*l->t)))
		return NULL;
	if (!name)
		name = c->group_name(c->ctx, gi, buf, sizeof(buf));
	l->t[l->n] = (struct ctrack){ .id = id, .name = strdup(name), .last = 0 };
	if (!l->t[l->n].name)
		return NULL;
	l->t[l->n].uuid = counter_track(w, l->parent, name, 2, NULL);
	if (l == &w->groups)
		w->gtab[j] = (uint32_t)l->n + 1;
	return &l->t[l->n++];
}

static void put(struct wtrace *w, uint64_t ts, struct ctrack *t, int64_t v)
{
	t->seen = true;
	if (v != t->last)
		pftrace__counter(w->pf, t->uuid, ts, v);
	t->last = v;
}

static void counters(struct wtrace *w, struct clist *l, const struct wtrace_census *c,
		     const struct wtrace_count *v, size_t n, bool by_id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		l->t[i].seen = false;
	for (i = 0; i < n; i++) {
		struct ctrack *t;

		if (!v[i].value && !by_id)
			continue;
		t = ctrack_of(w, l, by_id ? NULL : v[i].name, v[i].id, c, i);
		if (t)
			put(w, c->ts, t, v[i].value);
	}
	for (i = 0; i < l->n; i++)
		if (!l->t[i].seen)
			put(w, c->ts, &l->t[i], 0);
}

static void end_suspect(struct wtrace *w, struct strack *s, uint64_t ts)
{
	struct pf_arg a[3] = {
		{ .name_iid = w->a_count, .type = PF_ARG_INT, .i = s->count },
		{ .name_iid = w->a_per_hour, .type = PF_ARG_INT, .i = (int64_t)s->per_hour },
		{ .name_iid = w->a_group, .type = PF_ARG_UINT, .u = s->id },
	};

	pftrace__slice(w->pf, s->uuid, s->begin, ts > s->begin ? ts : s->begin + 1, s->name_iid,
		       w->cat, a, 3, 0, 0);
	s->open = false;
}

static void suspects(struct wtrace *w, const struct wtrace_census *c)
{
	size_t i, k;

	for (k = 0; k < w->nsusp; k++)
		w->susp[k].seen = false;
	for (i = 0; i < c->nsuspects; i++) {
		const struct wtrace_count *v = &c->suspects[i];
		struct strack *s = NULL;

		for (k = 0; k < w->nsusp && !s; k++)
			if (w->susp[k].id == v->id)
				s = &w->susp[k];
		if (!s) {
			struct pf_track t = { .parent = w->u_susp,
					      .name = v->name,
					      .no_merge = true };

			if (w->nsusp >= WT_MAX_GROUP_TRACKS ||
			    ensure((void **)&w->susp, &w->capsusp, w->nsusp + 1, sizeof(*w->susp)))
				continue;
			s = &w->susp[w->nsusp++];
			*s = (struct strack){ .id = v->id,
					      .uuid = w->next_uuid++,
					      .name_iid = pftrace__name_iid(w->pf, v->name) };
			t.uuid = s->uuid;
			pftrace__track(w->pf, &t);
		}
		if (!s->open) {
			s->open = true;
			s->begin = c->ts;
		}
		s->seen = true;
		s->count = v->value;
		s->per_hour = v->per_hour;
	}
	for (k = 0; k < w->nsusp; k++)
		if (w->susp[k].open && !w->susp[k].seen)
			end_suspect(w, &w->susp[k], c->ts);
	if (!w->started || (int64_t)c->nsuspects != w->nsuspects)
		pftrace__counter(w->pf, w->u_nsusp, c->ts, (int64_t)c->nsuspects);
	w->nsuspects = (int64_t)c->nsuspects;
}

int wtrace__census(struct wtrace *w, const struct wtrace_census *c)
{
	struct pf_arg a[8] = {
		{ .name_iid = w->a_goroutines, .type = PF_ARG_INT, .i = c->alive },
		{ .name_iid = w->a_wall, .type = PF_ARG_UINT, .u = c->wall_ns },
		{ .name_iid = w->a_cpu, .type = PF_ARG_UINT, .u = c->cpu_ns },
		{ .name_iid = w->a_bytes, .type = PF_ARG_UINT, .u = c->bytes },
		{ .name_iid = w->a_syscalls, .type = PF_ARG_UINT, .u = c->syscalls },
		{ .name_iid = w->a_rounds, .type = PF_ARG_UINT, .u = c->rounds },
		{ .name_iid = w->a_reread, .type = PF_ARG_UINT, .u = c->reread },
		{ .name_iid = w->a_unsettled, .type = PF_ARG_UINT, .u = c->unsettled },
	};

	/* the last two are 0 but for a process that changes fast: not written then */
	pftrace__instant(w->pf, w->u_censuses, c->ts, w->n_census, w->cat, a,
			 c->unsettled ? 8 :
			 c->reread    ? 7 :
					6,
			 0, 0);
	pftrace__counter(w->pf, w->u_cost, c->ts, (int64_t)c->wall_ns);
	if (!w->started || c->alive != w->alive)
		pftrace__counter(w->pf, w->u_alive, c->ts, c->alive);
	w->alive = c->alive;
	counters(w, &w->states, c, c->states, c->nstates, false);
	counters(w, &w->reasons, c, c->reasons, c->nreasons, false);
	counters(w, &w->groups, c, c->groups, c->ngroups, true);
	suspects(w, c);
	w->started = true;
	return pftrace__flush(w->pf);
}

static void free_list(struct clist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->t[i].name);
	free(l->t);
}

int wtrace__close(struct wtrace *w, uint64_t end_ts, uint64_t *bytes)
{
	size_t k;
	int ret;

	if (!w)
		return 0;
	for (k = 0; k < w->nsusp; k++)
		if (w->susp[k].open)
			end_suspect(w, &w->susp[k], end_ts);
	ret = pftrace__flush(w->pf);
	if (bytes)
		*bytes = pftrace__bytes(w->pf);
	if (!ret)
		ret = pftrace__close(w->pf);
	else
		pftrace__close(w->pf);
	free_list(&w->states);
	free_list(&w->reasons);
	free_list(&w->groups);
	free(w->susp);
	free(w);
	return ret;
}
