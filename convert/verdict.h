/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * verdict: which goroutines blocked at the end of a recording attached to a
 * running process (record -p) are long-lived rather than leak suspects.
 * The replay asks it once, when the recording ends and before any output
 * is told the last spans; every output reads the answer in one flag
 * (RP_G_LONG_LIVED). A launched program's recording has no verdict object:
 * there a goroutine still blocked at the end keeps today's verdict.
 *
 * The goroutines blocked at the end fall into groups: creation site, block
 * site and wait reason (sites compared as the outputs name them, "func
 * file:line"). A group's members at the attach are the snapshot's
 * goroutines blocked there then (their first state); its members at the
 * end, those blocked there at the end. A group grew when it ends with more
 * members than it had at the attach and a goroutine created during the
 * recording is among them: goroutines that were only elsewhere at the
 * attach (busy, or in another wait) and came back to a wait of theirs are
 * no growth. A goroutine from the snapshot (RP_G_SNAPSHOT) whose group did
 * not grow is long-lived; the rest keep the launched verdict: a goroutine
 * created during the recording, and every member of a group that grew,
 * old ones too.
 *
 * Pure: never prints. Memory: one entry per group of the goroutines the
 * snapshot caught blocked, and per group at the end.
 */
#ifndef GOTL_VERDICT_H
#define GOTL_VERDICT_H

#include <stddef.h>
#include "replay.h"

struct verdict;

/* 0 or -ENOMEM. */
int verdict__new(struct verdict **out);
void verdict__free(struct verdict *v);

/*
 * g, from the snapshot, leaves its first state: the state the snapshot
 * read, as the replay settled it. Counted in its group at the attach if it
 * is a blocked state. 0 or -ENOMEM.
 */
int verdict__attach(struct verdict *v, const struct replay *r, const struct rp_g *g);

/*
 * The recording ends with these n goroutines alive, in their last states:
 * the snapshot's goroutines still in their first state count at the attach
 * too, then RP_G_LONG_LIVED is set on the long-lived ones. 0 or -ENOMEM.
 */
int verdict__end(struct verdict *v, const struct replay *r, struct rp_g *const *all, size_t n);

#endif /* GOTL_VERDICT_H */
