// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * flight.c: the flight recorder's window and its dumps (see flight.h).
 *
 * The ring is a list of chunks (1/16 of --flight-size each, 256K to 4M)
 * holding whole records in log order; a record falls off the front when
 * it is older than the window (or the previous dump's end) or when a new
 * chunk would take the ring past --flight-size, and goes through the
 * start state (fstate) then. A dump's window starts at the newest of: the
 * window's cutoff, the newest record that fell off, the recording's start.
 * Records that came out of order across CPUs may be a little older than
 * that: the converter puts them in order, at the start.
 *
 * It must not change what the recorder reads from the probes or how
 * fast: per record a copy and a state update, as the raw log's write was.
 * It knows nothing of the converter (the caller's convert does that).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "gotl/event.h"
#include "diag.h"
#include "flight.h"
#include "fstate.h"
#include "ftrigger.h"
#include "logw.h"

struct chunk {
	struct chunk *next;
	size_t used, head; /* bytes written; the first not fallen off */
	uint8_t data[];
};

struct flight {
	struct flight_opts o;
	size_t chunk_size;
	struct chunk *first, *last, *spare;
	size_t nchunks;
	uint64_t ring_bytes; /* records in the ring */
	/* records that describe (META, WAITREASON, SYM, FRAMES, TYPE), kept for good */
	uint8_t *pro;
	size_t pro_len, pro_cap;
	struct gotl_rec_start start; /* the log's start record (hdr.type 0: not yet) */
	struct gotl_rec_end end;     /* its end record (hdr.type 0: not yet) */
	size_t header_left;	     /* bytes of the log header still to skip */
	struct fstate head;	     /* at the ring's oldest record */
	struct fstate live;	     /* at its newest (triggers) */
	struct ftrigger *trig;	     /* NULL: no --trigger */
	bool pending;		     /* a trigger held: a dump is due */
	char pending_why[256];
	int pending_more;	/* triggers that held after it, before its dump */
	char pending_also[128]; /* the conditions of those, when not its own */
	uint64_t fell_ts;	/* the newest record that fell off the ring */
	uint64_t last_end;	/* the previous dump's end (0: none) */
	int dumps;
	pthread_t converter; /* the previous dump's conversion, if converting */
	bool converting;
	bool reasons_checked; /* the reason= triggers were looked up in the program's table */
	int err;	      /* sticky: the state could not keep up (-ENOMEM) */
};

int flight__new(const struct flight_opts *o, struct flight **out)
{
	struct flight *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	f->o = *o;
	f->chunk_size = (size_t)(o->size / 16);
	if (f->chunk_size < (256u << 10))
		f->chunk_size = 256u << 10;
	if (f->chunk_size > (4u << 20))
		f->chunk_size = 4u << 20;
	f->header_left = sizeof(struct gotl_log_header);
	if (o->ntriggers && ftrigger__new(o->triggers, o->ntriggers, &f->trig)) {
		free(f);
		return -ENOMEM;
	}
	*out = f;
	return 0;
}

/* A trigger held: a dump is due (or, already due, it counts in it). */
static void held(struct flight *f, const char *why)
{
	const char *colon = strchr(why, ':');
	int n = colon ? (int)(colon - why) : (int)strlen(why);
	size_t len = strlen(f->pending_also);
	char name[80];

	if (f->pending) {
		/* Another condition than the first: named in the dump too, once. */
		f->pending_more++;
		snprintf(name, sizeof(name), "%.*s", n, why);
		if (strncmp(f->pending_why, why, (size_t)n + 1) && !strstr(f->pending_also, name) &&
		    len + strlen(name) + 3 < sizeof(f->pending_also))
			snprintf(f->pending_also + len, sizeof(f->pending_also) - len, "%s%s",
				 len ? ", " : "", name);
		return;
	}
	f->pending = true;
	f->pending_more = 0;
	f->pending_also[0] = 0;
	snprintf(f->pending_why, sizeof(f->pending_why), "%.250s", why);
}

/* ---- the ring ------------------------------------------------------------ */

/* The front record falls off into the start state. */
static void fall(struct flight *f, const struct gotl_rec *rec)
{
	if (fstate__apply(&f->head, rec) && !f->err) {
		f->err = -ENOMEM;
		diag("warning: flight recorder: out of memory: windows may miss goroutines");
	}
	if (rec->ts > f->fell_ts)
		f->fell_ts = rec->ts;
	f->ring_bytes -= rec->size;
}

/* The front chunk, emptied, leaves the ring (kept as the spare). */
static void drop_first(struct flight *f)
{
	struct chunk *c = f->first;

	while (c->head < c->used) {
		const struct gotl_rec *rec = (const void *)(c->data + c->head);

		fall(f, rec);
		c->head += rec->size;
	}
	f->first = c->next;
	if (!f->first)
		f->last = NULL;
	f->nchunks--;
	if (f->spare)
		free(c);
	else
		f->spare = c;
}

/* Records older than cutoff fall off. */
static void fall_until(struct flight *f, uint64_t cutoff)
{
	while (f->first) {
		struct chunk *c = f->first;
		const struct gotl_rec *rec;

		if (c->head == c->used) {
			if (c == f->last) {
				c->head = c->used = 0;
				return;
			}
			drop_first(f);
			continue;
		}
		rec = (const void *)(c->data + c->head);
		if (rec->ts >= cutoff)
			return;
		fall(f, rec);
		c->head += rec->size;
	}
}

static int push(struct flight *f, const struct gotl_rec *rec)
{
	struct chunk *c = f->last;

	if (rec->size > f->chunk_size)
		return -E2BIG;
	if (!c || c->used + rec->size > f->chunk_size) {
		/* Room first: a new chunk may not take the ring past --flight-size. */
		while (f->first && (f->nchunks + 1) * f->chunk_size > f->o.size) {
			drop_first(f);
		}
		c = f->spare;
		f->spare = NULL;
		if (!c)
			c = malloc(sizeof(*c) + f->chunk_size);
		if (!c)
			return -ENOMEM;
		c->next = NULL;
		c->used = c->head = 0;
		if (f->last)
			f->last->next = c;
		else
			f->first = c;
		f->last = c;
		f->nchunks++;
	}
	memcpy(c->data + c->used, rec, rec->size);
	c->used += rec->size;
	f->ring_bytes += rec->size;
	if (f->trig) {
		char why[256];

		if (ftrigger__record(f->trig, &f->live, rec, why, sizeof(why)))
			held(f, why);
		if (fstate__apply(&f->live, rec))
			return -ENOMEM;
	}
	return 0;
}

static int keep(struct flight *f, const struct gotl_rec *rec)
{
	if (f->pro_len + rec->size > f->pro_cap) {
		size_t ncap = f->pro_cap ? f->pro_cap * 2 : 64u << 10;
		uint8_t *n;

		while (ncap < f->pro_len + rec->size)
			ncap *= 2;
		n = realloc(f->pro, ncap);
		if (!n)
			return -ENOMEM;
		f->pro = n;
		f->pro_cap = ncap;
	}
	memcpy(f->pro + f->pro_len, rec, rec->size);
	f->pro_len += rec->size;
	return 0;
}

int flight__sink(void *ctx, const void *buf, size_t len)
{
	struct flight *f = ctx;
	const uint8_t *p = buf, *e = p + len;
	int err = 0;

	if (f->header_left) {
		size_t n = len < f->header_left ? len : f->header_left;

		p += n;
		f->header_left -= n;
	}
	while (!err && e - p >= (ptrdiff_t)sizeof(struct gotl_rec)) {
		const struct gotl_rec *rec = (const void *)p;

		if (rec->size < sizeof(*rec) || rec->size > e - p)
			return -EPROTO; /* logw hands over whole records only */
		switch (rec->type) {
		case GOTL_REC_WAITREASON:
			if (f->trig && rec->size >= sizeof(struct gotl_rec_waitreason))
				ftrigger__reason(f->trig, (const void *)rec);
			/* fallthrough */
		case GOTL_REC_META:
		case GOTL_REC_SYM:
		case GOTL_REC_FRAMES:
		case GOTL_REC_TYPE:
			err = keep(f, rec);
			break;
		case GOTL_REC_START:
			if (!f->start.hdr.type && rec->size == sizeof(f->start))
				memcpy(&f->start, rec, sizeof(f->start));
			break;
		case GOTL_REC_END:
			if (rec->size == sizeof(f->end))
				memcpy(&f->end, rec, sizeof(f->end));
			break;
		default:
			err = push(f, rec);
			break;
		}
		p += rec->size;
	}
	return err;
}

static uint64_t cutoff(const struct flight *f, uint64_t now)
{
	uint64_t c = now > f->o.window_ns ? now - f->o.window_ns : 0;

	return c > f->last_end ? c : f->last_end;
}

void flight__tick(struct flight *f, uint64_t now)
{
	char why[512];

	fall_until(f, cutoff(f, now));
	if (!f->trig || flight__done(f))
		return;
	/* The wait reasons come before the start: by now a reason= is known or never will be. */
	if (!f->reasons_checked && f->start.hdr.type) {
		const struct flight_trigger *t;
		int k;

		f->reasons_checked = true;
		for (k = 0; (t = ftrigger__unknown_reason(f->trig, k)); k++)
			diag("warning: --trigger '%s': the program has no wait reason '%s': it never "
			     "holds",
			     t->text, t->reason);
	}
	if (ftrigger__tick(f->trig, &f->live, now, why, sizeof(why)))
		held(f, why);
	/* Not the seconds of the previous dump again: a whole new window first. */
	if (f->pending && (!f->dumps || now >= f->last_end + f->o.window_ns)) {
		if (f->pending_more)
			snprintf(why, sizeof(why), "%s (and %d more after it%s%s)", f->pending_why,
				 f->pending_more, f->pending_also[0] ? ": " : "", f->pending_also);
		else
			snprintf(why, sizeof(why), "%s", f->pending_why);
		f->pending = false;
		flight__dump(f, now, why);
	}
}

/* ---- a dump --------------------------------------------------------------- */

static void wall_time(uint64_t realtime_ns, char *buf, size_t len)
{
	time_t t = (time_t)(realtime_ns / 1000000000ull);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf + strlen(buf), len - strlen(buf), ".%03uZ",
		 (unsigned)(realtime_ns / 1000000ull % 1000));
}

static uint64_t realtime_at(const struct flight *f, uint64_t ts)
{
	return f->start.realtime_ns + (ts - f->start.hdr.ts);
}

/* The start state's goroutines, by goid (the same log for the same state). */
static int collect(void *ctx, const struct fs_g *g)
{
	const struct fs_g ***p = ctx;

	*(*p)++ = g;
	return 0;
}

static int by_goid(const void *a, const void *b)
{
	const struct fs_g *x = *(const struct fs_g *const *)a, *y = *(const struct fs_g *const *)b;

	if (x->goid != y->goid)
		return x->goid < y->goid ? -1 : 1;
	return x->gp < y->gp ? -1 : x->gp > y->gp;
}

/* Every goroutine alive at w, in its state then. */
static int write_state(struct flight *f, struct logw *lw, uint64_t w)
{
	size_t n = fstate__len(&f->head), i;
	const struct fs_g **all = calloc(n ? n : 1, sizeof(*all)), **p = all;

	if (!all)
		return -ENOMEM;
	fstate__each(&f->head, collect, &p);
	qsort(all, n, sizeof(*all), by_goid);
	for (i = 0; i < n; i++) {
		const struct fs_g *g = all[i];
		struct gotl_ev_gsnap s = {
			.hdr = { .type = GOTL_REC_GSNAP, .size = sizeof(s), .ts = w },
			.gp = g->gp,
			.goid = g->goid,
			.parent_goid = g->parent_goid,
			.startpc = g->startpc,
			.gopc = g->gopc,
			.waitsince = g->blocked_from,
			.read_ts = w,
			.status = g->state,
			.reason = g->reason,
		};

		if (g->state == GOTL_G_RUNNING)
			s.hdr.tid = g->tid;
		logw__append(lw, &s, sizeof(s));
	}
	/* After every goroutine: the converter's counters begin at the first record after. */
	for (i = 0; i < n; i++) {
		struct gotl_ev_stack st;

		if (!all[i]->stack)
			continue;
		memcpy(&st, all[i]->stack, all[i]->stack->hdr.size);
		st.hdr.ts = w;
		logw__append(lw, &st, st.hdr.size);
	}
	free(all);
	/* The counters as they stood (a loss counter of 0 if none was written yet). */
	if (f->head.stats.hdr.type) {
		struct gotl_rec_stats s = f->head.stats;

		s.hdr.ts = w;
		logw__append(lw, &s, s.hdr.size);
	} else {
		struct gotl_rec_stats s = {
			.hdr = { .type = GOTL_REC_STATS, .size = sizeof(s), .ts = w }
		};

		logw__append(lw, &s, sizeof(s));
	}
	if (f->head.loss.hdr.type) {
		struct gotl_rec_loss l = f->head.loss;

		l.hdr.ts = w;
		logw__append(lw, &l, sizeof(l));
	}
	if (f->head.total.hdr.type) {
		struct gotl_rec_alloc_total t = f->head.total;

		t.hdr.ts = w;
		logw__append(lw, &t, sizeof(t));
	}
	for (i = 0; i < f->head.classes.cap; i++) {
		struct gotl_rec_alloc_class c;

		if (!f->head.classes.slots[i].v)
			continue;
		c = *(const struct gotl_rec_alloc_class *)f->head.classes.slots[i].v;
		c.hdr.ts = w;
		logw__append(lw, &c, sizeof(c));
	}
	return 0;
}

/* The window [w, now] as a log that stands alone, at path. */
static int write_window(struct flight *f, const char *path, uint64_t w, uint64_t now,
			const struct flight_dump *d)
{
	struct gotl_rec_start s = f->start;
	struct gotl_rec_end end = { .hdr = { .type = GOTL_REC_END, .size = sizeof(end) } };
	char buf[256], a[64], b[64];
	struct logw *lw;
	struct chunk *c;
	int err;

	err = logw__open(path, &lw);
	if (err)
		return err;
	logw__append(lw, f->pro, f->pro_len);
	/* What wrote it and when: before the start, where the trace's attributes are made. */
	snprintf(buf, sizeof(buf), "%d", d->n);
	logw__meta(lw, "flight_dump", buf);
	logw__meta(lw, "flight_trigger", d->why);
	wall_time(realtime_at(f, now), a, sizeof(a));
	logw__meta(lw, "flight_time", a);
	wall_time(realtime_at(f, w), a, sizeof(a));
	wall_time(realtime_at(f, now), b, sizeof(b));
	snprintf(buf, sizeof(buf), "%.3f s, %s to %s%s", (double)(now - w) / 1e9, a, b,
		 d->cut ? " (cut to --flight-size)" : "");
	logw__meta(lw, "flight_window", buf);
	if (w > s.hdr.ts) {
		s.monotonic_ns += w - s.hdr.ts;
		s.realtime_ns += w - s.hdr.ts;
		s.hdr.ts = w;
		s.flags |= GOTL_START_ATTACHED;
	}
	s.flags |= GOTL_START_WINDOW;
	logw__append(lw, &s, sizeof(s));
	err = write_state(f, lw, w);
	for (c = f->first; !err && c; c = c->next)
		logw__append(lw, c->data + c->head, c->used - c->head);
	if (f->end.hdr.type) {
		end = f->end;
	} else {
		end.hdr.ts = now;
		end.flags = GOTL_END_DETACHED;
	}
	logw__append(lw, &end, sizeof(end));
	if (err) {
		logw__close(lw);
		return err;
	}
	return logw__close(lw);
}

/* A window's log to convert into its trace (on a thread of its own). */
struct job {
	const struct flight_opts *o;
	char log[4096], trace[4096], why[600];
	struct flight_dump d;
};

static void *convert_job(void *arg)
{
	struct job *j = arg;
	int err = j->o->convert(j->o->ctx, j->log, j->trace, &j->d);

	if (!j->o->raw && !err)
		unlink(j->log);
	else if (err)
		diag("the window's raw event log is kept in %s", j->log);
	free(j);
	return NULL;
}

/* The previous dump's conversion is over (its line written). */
static void converted(struct flight *f)
{
	if (f->converting)
		pthread_join(f->converter, NULL);
	f->converting = false;
}

/* OUT-N.EXT (the extension is what follows the last dot of the file name), or RAW-N. */
static void dump_name(const char *base, bool ext, int n, char *buf, size_t len)
{
	const char *slash = strrchr(base, '/'), *dot = strrchr(base, '.');

	if (!ext || !dot || (slash && dot < slash) || dot == (slash ? slash + 1 : base))
		snprintf(buf, len, "%s-%d", base, n);
	else
		snprintf(buf, len, "%.*s-%d%s", (int)(dot - base), base, n, dot);
}

int flight__dump(struct flight *f, uint64_t now, const char *why)
{
	struct flight_dump d = { .n = f->dumps + 1, .why = why };
	char also[600];
	struct job *j;
	uint64_t w;
	int err;

	if (flight__done(f) || !f->start.hdr.type)
		return 0;
	if (f->pending) {
		/* A trigger's dump that was due goes in this one. */
		snprintf(also, sizeof(also), "%s; and %s%s", why, f->pending_why,
			 f->pending_more ? " (and more after it)" : "");
		d.why = also;
		f->pending = false;
	}
	if (f->end.hdr.type && f->end.hdr.ts > now)
		now = f->end.hdr.ts;
	fall_until(f, cutoff(f, now));
	w = cutoff(f, now);
	/* Records younger than the window's cutoff fell off for room: a window cut short. */
	d.cut = f->fell_ts > w;
	if (f->fell_ts > w)
		w = f->fell_ts;
	if (f->start.hdr.ts > w)
		w = f->start.hdr.ts;
	if (w > now)
		w = now;
	d.start = w;
	d.end = now;
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->o = &f->o;
	dump_name(f->o.out, true, d.n, j->trace, sizeof(j->trace));
	if (f->o.raw)
		dump_name(f->o.raw, false, d.n, j->log, sizeof(j->log));
	else
		snprintf(j->log, sizeof(j->log), "%.4000s.gotl-tmp", j->trace);
	snprintf(j->why, sizeof(j->why), "%s", d.why);
	d.why = j->why;
	j->d = d;
	/* The dumps' lines in their order, and one converter at a time. */
	converted(f);
	err = write_window(f, j->log, w, now, &d);
	if (err) {
		diag("cannot write '%s': %s", j->log, strerror(-err));
		unlink(j->log);
		free(j);
		return err;
	}
	f->dumps++;
	f->last_end = now;
	/* Its seconds are written: they leave the ring. */
	fall_until(f, now);
	/*
	 * Converted while the recording goes on (the probes' ring buffer is
	 * drained meanwhile); the last one, after the end, before returning.
	 */
	if (!f->end.hdr.type && !pthread_create(&f->converter, NULL, convert_job, j)) {
		f->converting = true;
		return 0;
	}
	convert_job(j);
	return 0;
}

void flight__sync(struct flight *f)
{
	converted(f);
}

bool flight__done(const struct flight *f)
{
	return f->dumps >= f->o.max_dumps;
}

bool flight__ended(const struct flight *f, uint64_t *ts)
{
	if (f->end.hdr.type && ts)
		*ts = f->end.hdr.ts;
	return f->end.hdr.type != 0;
}

void flight__free(struct flight *f)
{
	struct chunk *c, *n;

	if (!f)
		return;
	converted(f);
	for (c = f->first; c; c = n) {
		n = c->next;
		free(c);
	}
	free(f->spare);
	free(f->pro);
	fstate__free(&f->head);
	fstate__free(&f->live);
	ftrigger__free(f->trig);
	free(f);
}
