/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ftrigger: the flight recorder's triggers (record --flight --trigger),
 * over the goroutines as they are now (the newest state, fstate): when one
 * holds it says what held, in words, and the flight recorder writes a
 * dump. Each fires on what is new: a goroutine's wait that reaches the
 * limit (once per wait), a count that goes over its limit (again only
 * after it fell back to it). The command line parses them (cli/record.c);
 * this file only decides. Pure: never prints.
 */
#ifndef GOTL_FTRIGGER_H
#define GOTL_FTRIGGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gotl/event.h"

struct fstate;

enum ftrigger_kind {
	FTRIGGER_BLOCKED,    /* a goroutine blocked > ns on a channel, select, lock or cond */
	FTRIGGER_RUNNABLE,   /* a goroutine waited > ns for a thread (Runnable) */
	FTRIGGER_GOROUTINES, /* more than n goroutines alive */
	FTRIGGER_REASON,     /* more than n goroutines blocked at once for reason */
};

struct flight_trigger {
	enum ftrigger_kind kind;
	uint64_t ns;	  /* BLOCKED, RUNNABLE */
	uint64_t n;	  /* GOROUTINES, REASON */
	char reason[64];  /* REASON: the runtime's wait reason, as gotl shows it */
	const char *text; /* as given: "blocked>2s" */
};

struct ftrigger;

/* The most triggers. */
#define FTRIGGER_MAX	64

int ftrigger__new(const struct flight_trigger *t, int n, struct ftrigger **out);
/* A wait reason of the program (GOTL_REC_WAITREASON), as the log describes it. */
void ftrigger__reason(struct ftrigger *t, const struct gotl_rec_waitreason *w);
/*
 * A record about to change the state live (a goroutine that leaves its
 * Runnable state: how long it waited). true, with what held in why, when
 * a trigger fired.
 */
bool ftrigger__record(struct ftrigger *t, struct fstate *live, const struct gotl_rec *rec,
		      char *why, size_t len);
/* Each turn of the wait loop, at now (BOOTTIME ns): the same for what holds now. */
bool ftrigger__tick(struct ftrigger *t, struct fstate *live, uint64_t now, char *why, size_t len);
/* The k-th reason= trigger whose reason the program's table does not have, or NULL. */
const struct flight_trigger *ftrigger__unknown_reason(const struct ftrigger *t, int k);
void ftrigger__free(struct ftrigger *t);

#endif /* GOTL_FTRIGGER_H */
