/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * convert_int.h: what the conversion driver (convert.c) shares with the
 * output formats it drives, the Perfetto sink (pfsink.c) and the
 * trace-event JSON sink (json.c). A recording is a main log and, with record --follow, the
 * logs of the programs it followed, each a process of one output: the
 * driver walks them, a format turns one log into one process. Only
 * convert/ includes this.
 */
#ifndef GOTL_CONVERT_INT_H
#define GOTL_CONVERT_INT_H

#include <stddef.h>
#include <stdint.h>
#include "convert.h"
#include "replay.h"

/* A follow log a log names (META follow_log): len bytes, as the log has them. */
struct follow {
	char *name;
	size_t len;
};

/*
 * One log into the output as process proc (0: the main log; 1, 2, ...:
 * the programs it followed, in order). pids: the pids of the npids
 * processes before it. The follow logs the log names come back in
 * *follows (the caller frees them, convert__follows_free). 0 or -errno
 * with a one-line reason in err; st is filled either way.
 */
typedef int (*convert_log_fn)(void *out, const char *log, int proc, const uint32_t *pids,
			      size_t npids, struct convert_stats *st, struct follow **follows,
			      int *nfollows, char *err, size_t errlen);

/*
 * The main log o->log_path, then every follow log it names (beside it),
 * through fn into out; st sums them all (st->processes, follow_missing,
 * follow_err). *nfollows: how many follow logs the main log names. The
 * main log's error is the result; a follow log that cannot be read only
 * costs its process.
 */
int convert__logs(const struct convert_opts *o, convert_log_fn fn, void *out,
		  struct convert_stats *st, int *nfollows, char *err, size_t errlen);

/*
 * A log's stats from its replay's and the sink's own: the leak suspects it
 * found and the last allocation total (NULL if none).
 */
void convert__stats(struct convert_stats *st, const struct replay_stats *rs, size_t suspects,
		    const struct gotl_rec_alloc_total *total);

/* At the end of a log (a sink's finish): the follow logs it names, added to *f, *n. */
void convert__follows(struct replay *r, struct follow **f, int *n);
void convert__follows_free(struct follow *f, int n);

/* The two outputs, into o->trace_path: convert__run has checked the log can be read. */
int pfsink__run(const struct convert_opts *o, struct convert_stats *st, char *err, size_t errlen);
int json__run(const struct convert_opts *o, struct convert_stats *st, char *err, size_t errlen);

#endif /* GOTL_CONVERT_INT_H */
