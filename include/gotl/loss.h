/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * loss.h: the events lost, by kind, as people read them: "12 status, 3
 * stack", from the counters of GOTL_REC_LOSS (event.h names the kinds).
 * The one formatter for the recorder's warnings and the summaries of
 * `gotl record` and `gotl convert`: header-only, libc only, so that the
 * converter's side needs nothing of the recorder. Not for BPF.
 */
#ifndef GOTL_LOSS_H
#define GOTL_LOSS_H

#include <stddef.h>
#include <stdio.h>
#include "gotl/event.h"

/* "12 status, 3 stack": the kinds with losses, in GOTL_REC_LOSS order; "" if none. */
static inline void gotl_loss_str(const __u64 lost[GOTL_LOSS_KINDS], char *buf, size_t len)
{
	size_t n = 0;
	int k;

	buf[0] = 0;
	for (k = 0; k < GOTL_LOSS_KINDS && n < len; k++)
		if (lost[k])
			n += (size_t)snprintf(buf + n, len - n, "%s%llu %s", n ? ", " : "",
					      (unsigned long long)lost[k], gotl_loss_kind_name(k));
}

#endif /* GOTL_LOSS_H */
