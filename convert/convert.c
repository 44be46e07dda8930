// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * convert.c: `gotl convert` - which output, and which logs. It checks the
 * log can be read, picks the output format (the Perfetto sink, pfsink.c,
 * or the trace-event JSON sink, json.c) and walks the recording's logs for
 * it: the main log, then with record --follow each follow log it names,
 * beside it, a process of the same output. It writes no output itself and
 * knows nothing of the log format (replay.c) or of either output.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "convert.h"
#include "describe.h"
#include "convert_int.h"
#include "logr.h"
#include "replay.h"

/* A followed program's stats count in the recording's. */
static void add_stats(struct convert_stats *st, const struct convert_stats *f)
{
	int k;

	st->events += f->events;
	st->goroutines += f->goroutines;
	st->lost += f->lost;
	for (k = 0; k < GOTL_LOSS_KINDS; k++)
		st->lost_kind[k] += f->lost_kind[k];
	st->unobserved += f->unobserved;
	st->late += f->late;
	st->leak_suspects += f->leak_suspects;
	st->alloc_count += f->alloc_count;
	st->alloc_bytes += f->alloc_bytes;
	st->gc_cycles += f->gc_cycles;
	st->stw_pauses += f->stw_pauses;
	st->truncated |= f->truncated;
	st->processes++;
}

void convert__stats(struct convert_stats *st, const struct replay_stats *rs, size_t suspects,
		    const struct gotl_rec_alloc_total *total)
{
	st->events = rs->events;
	st->goroutines = rs->goroutines;
	st->max_alive = rs->max_alive;
	st->lost = rs->lost;
	memcpy(st->lost_kind, rs->lost_kind, sizeof(st->lost_kind));
	st->unobserved = rs->unobserved;
	st->late = rs->late;
	st->pid = rs->pid;
	st->truncated = rs->truncated;
	st->ended = rs->ended;
	st->attached = rs->attached;
	st->leak_suspects = suspects;
	st->alloc_count = total ? total->count : 0;
	st->alloc_bytes = total ? total->bytes : 0;
	st->alloc_mode = total ? total->mode : GOTL_ALLOC_OFF;
	st->gc_cycles = rs->gc_cycles;
	st->stw_pauses = rs->stw_pauses;
}

/* s (len bytes) for a message: printable ASCII as it is, other bytes as \xNN, cut at 80. */
static void printable(const char *s, size_t len, char *buf, size_t size)
{
	size_t n = 0, i;

	for (i = 0; i < len && n + 8 < size && i < 80; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch >= 0x20 && ch < 0x7f)
			buf[n++] = (char)ch;
		else
			n += (size_t)snprintf(buf + n, size - n, "\\x%02x", ch);
	}
	if (i < len && n + 4 < size)
		n += (size_t)snprintf(buf + n, size - n, "...");
	buf[n] = 0;
}

/*
 * The path of a follow log the log at log names. The recorder writes the
 * follow log's file name, beside the log; the name is the log's word, and
 * a crafted log must not make convert open a file anywhere else: a path
 * ('/'), ".", "..", an empty or over-long name, a control character or a
 * NUL inside is refused (-EINVAL, a one-line reason in err).
 */
static int follow_path(const char *log, const struct follow *f, char *path, size_t len, char *err,
		       size_t errlen)
{
	const char *slash = strrchr(log, '/');
	bool plain = f->len > 0 && f->len <= NAME_MAX && strlen(f->name) == f->len &&
		     strcmp(f->name, ".") && strcmp(f->name, "..");
	char shown[400];
	size_t i;

	for (i = 0; plain && i < f->len; i++)
		plain = f->name[i] != '/' && (unsigned char)f->name[i] >= 0x20 &&
			f->name[i] != 0x7f;
	if (!plain) {
		printable(f->name, f->len, shown, sizeof(shown));
		snprintf(err, errlen,
			 "follow log '%s' named in '%s' is not a file name beside it: "
			 "refused",
			 shown, log);
		return -EINVAL;
	}
	if (snprintf(path, len, "%.*s%s", slash ? (int)(slash + 1 - log) : 0, log, f->name) >=
	    (int)len) {
		snprintf(err, errlen, "follow log '%s': path too long", f->name);
		return -ENAMETOOLONG;
	}
	return 0;
}

void convert__follows(struct replay *r, struct follow **f, int *n)
{
	const char *name;
	size_t len;
	int k;

	for (k = 0; (name = replay__follow_log(r, k, &len)); k++) {
		struct follow *l = realloc(*f, (size_t)(*n + 1) * sizeof(*l));

		if (!l)
			break;
		*f = l;
		l[*n].name = malloc(len + 1);
		if (!l[*n].name)
			continue;
		memcpy(l[*n].name, name, len + 1);
		l[(*n)++].len = len;
	}
}

void convert__follows_free(struct follow *f, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(f[i].name);
	free(f);
}

int convert__logs(const struct convert_opts *o, convert_log_fn fn, void *out,
		  struct convert_stats *st, int *nfollows, char *err, size_t errlen)
{
	struct follow *follows = NULL;
	char path[4096], ferr[512];
	uint32_t *pids = NULL;
	int ret, i;

	*nfollows = 0;
	ret = fn(out, o->log_path, 0, NULL, 0, st, &follows, nfollows, err, errlen);
	st->processes = 1;
	/* --follow: the programs followed, each a process of its own, next to the main log. */
	pids = calloc((size_t)*nfollows + 1, sizeof(*pids));
	if (pids)
		pids[0] = st->pid;
	for (i = 0; !ret && pids && i < *nfollows; i++) {
		struct convert_stats fs;
		struct follow *ff = NULL;
		int nff = 0, fret;

		memset(&fs, 0, sizeof(fs));
		fret = follow_path(o->log_path, &follows[i], path, sizeof(path), ferr,
				   sizeof(ferr));
		if (!fret)
			fret = fn(out, path, i + 1, pids, (size_t)i + 1, &fs, &ff, &nff, ferr,
				  sizeof(ferr));
		convert__follows_free(ff, nff);
		pids[i + 1] = fs.pid;
		if (fret && !fs.events && !fs.goroutines) {
			/* Missing, unreadable or refused: the rest of the trace is still good. */
			st->follow_missing++;
			if (!st->follow_err[0])
				snprintf(st->follow_err, sizeof(st->follow_err), "%.250s", ferr);
			continue;
		}
		add_stats(st, &fs);
	}
	convert__follows_free(follows, *nfollows);
	free(pids);
	return ret;
}

int convert__run(const struct convert_opts *o, struct convert_stats *st, char *err, size_t errlen)
{
	struct logr *lr;
	int ret;

	/* A log that cannot be read leaves no empty output behind. */
	memset(st, 0, sizeof(*st));
	ret = logr__open(o->log_path, &lr, err, errlen);
	if (ret)
		return ret;
	logr__free(lr);
	return o->format == CONVERT_JSON ? json__run(o, st, err, errlen) :
					   pfsink__run(o, st, err, errlen);
}
