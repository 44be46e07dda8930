/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * gview.h: what `gotl top` and `gotl watch` make of each census (cli/gview.c):
 * every goroutine with its creation site, the place it waits at and its
 * wait reason; the counts by state and by wait reason; the groups (creation
 * site + block site + wait reason + state) and their history, through
 * leakwatch. Only cli/ includes it.
 */
#ifndef GOTL_GVIEW_H
#define GOTL_GVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "census.h"
#include "gosym.h"
#include "leakwatch.h"

/* One goroutine as top and watch show it. */
struct gv_g {
	uint64_t goid;
	uint8_t status;			   /* GOTL_G_* */
	uint8_t reason;			   /* census reason; 0 unless waiting */
	bool leaky;			   /* waiting on a channel, select, lock or cond */
	int64_t wait_ns;		   /* the runtime's; -1 unknown */
	const char *start;		   /* start function, or NULL */
	const struct gosym_frame *created; /* its go statement, or NULL */
	const struct gosym_frame *at;	   /* where it waits (or is), or NULL: no stack */
};

struct gview {
	struct census *c; /* borrowed */
	struct leakwatch *lw;
	struct gv_g *gs; /* the goroutines shown (the runtime's are not) */
	size_t n, cap;
	size_t hidden; /* the runtime's own goroutines, left out */
	size_t by_state[GOTL_G_MAX];
	size_t by_reason[256];
	size_t unsettled, unreadable;
	struct census_cost cost;
	uint64_t mono_ns, boot_ns, real_ns; /* when the census was taken */
	uint64_t censuses;
};

int gview__new(struct census *c, uint64_t leak_after_ns, struct gview **out);
void gview__free(struct gview *v);
/* Take in a census. Returns 0 or -ENOMEM. */
int gview__update(struct gview *v, const struct census_snap *s);

/* A file name without its directories. */
const char *gview__base(const char *path);
/*
 * A group's name: "main.worker <- main.go:39, chan send at main.go:41" (its
 * start function, creation site, state or wait reason, and where it waits),
 * arrow "<-" or a UTF-8 one. Returns buf.
 */
char *gview__name(const struct gview *v, const struct lw_group *g, const char *arrow, char *buf,
		  size_t len);
/* What a group's goroutines show: the wait reason when waiting, else the state. */
const char *gview__what(const struct gview *v, const struct gv_g *g);
/* "1h02m", "5m03s", "12.3s", "450ms", "-" for -1. Returns buf. */
char *gview__dur(int64_t ns, char *buf, size_t len);

#endif /* GOTL_GVIEW_H */
