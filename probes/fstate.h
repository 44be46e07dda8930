/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * fstate: the state of every goroutine of a recording at one point of its
 * event log, kept up to date by the log's records put through it in log
 * order. The flight recorder (flight.c) keeps two: one at the oldest
 * record it still holds (the state a window starts in) and one at the
 * newest (what its triggers look at). It is the recorder's, not the
 * converter's, state machine: it keeps only what a window's start needs
 * (state, wait reason, since when, the stack a goroutine blocked in, its
 * creation) and the last counters (GOTL_REC_STATS, LOSS, ALLOC_TOTAL, and
 * ALLOC_CLASS of each allocation class).
 * Pure: never prints, writes nothing.
 */
#ifndef GOTL_FSTATE_H
#define GOTL_FSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gotl/event.h"
#include "u64map.h"

/* One live goroutine. */
struct fs_g {
	uint64_t gp, goid, parent_goid, startpc, gopc;
	uint64_t since;		     /* when its current state began */
	uint64_t blocked_from;	     /* blocked: since at least then (<= since; a snapshot's
				 * waitsince), else 0 */
	uint32_t tid;		     /* Running: its OS thread */
	uint8_t state;		     /* GOTL_G_* */
	uint8_t reason;		     /* Waiting: the runtime's waitReason */
	bool fired;		     /* a trigger already fired on its current state (ftrigger.c) */
	struct gotl_ev_stack *stack; /* Waiting: where it blocked (n pcs), or NULL */
};

struct fstate {
	struct u64map gs;	     /* gp -> struct fs_g */
	bool execed;		     /* the program exec'd: its goroutines are gone */
	uint32_t waiting[256];	     /* Waiting goroutines, by wait reason */
	struct gotl_rec_stats stats; /* the last of each, hdr.type 0 if none yet */
	struct gotl_rec_loss loss;
	struct gotl_rec_alloc_total total;
	struct u64map classes; /* the last GOTL_REC_ALLOC_CLASS of each class, by key hash */
};

/*
 * Put one timed record through (any type: those that change nothing are
 * ignored). 0 or -ENOMEM (the record is then not applied).
 */
int fstate__apply(struct fstate *s, const struct gotl_rec *rec);
/* The goroutine gp, or NULL. */
static inline struct fs_g *fstate__get(const struct fstate *s, uint64_t gp)
{
	return u64map__get(&s->gs, gp);
}
/* Every goroutine, in no order, through fn; stop when it returns non-zero (returned). */
int fstate__each(const struct fstate *s, int (*fn)(void *ctx, const struct fs_g *g), void *ctx);
size_t fstate__len(const struct fstate *s);
void fstate__free(struct fstate *s);

#endif /* GOTL_FSTATE_H */
