// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * describe.c: what the outputs say, once (describe.h). Every rule of
 * which span, suspect or attribute carries which arg lives here; the sinks
 * that encode them must not add or drop one. It reads the replay and
 * writes only into the descriptions it is given.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "gotl/version.h"
#include "describe.h"

const char *describe__thread_name(struct replay *r, const struct rp_g *g, char *buf, size_t len)
{
	const struct rp_sym *s = replay__sym(r, g->startpc);

	snprintf(buf, len, "%s%s", s && s->func[0] ? s->func : "goroutine",
		 g->state == GOTL_G_SYSCALL ? " (syscall)" : "");
	return buf;
}

/* ---- leak suspects ------------------------------------------------------- */

void describe__suspect(struct replay *r, const struct rp_g *g, struct dsuspect *d)
{
	const struct rp_sym *site = replay__sym(r, g->gopc);

	d->goid = g->goid;
	d->since = g->since;
	d->reason = g->reason;
	d->blocked_at = g->block_stack ? replay__user_frame(r, g->block_stack) : NULL;
	d->created_at = site && *site->func ? site : NULL;
}

size_t describe__suspect_args(const struct dsuspect *d, uint64_t end, struct darg *a)
{
	struct darg *x;
	size_t n = 0;

	darg_u(a, &n, SCHEMA_ARG_GOID, d->goid);
	x = darg_s(a, &n, SCHEMA_ARG_WAIT_REASON, DESCRIBE_REASON);
	x->state = GOTL_G_WAITING;
	x->reason = d->reason;
	darg_u(a, &n, SCHEMA_ARG_BLOCKED_FOR, end - d->since);
	if (d->blocked_at)
		darg_s(a, &n, SCHEMA_ARG_BLOCKED_AT, DESCRIBE_FRAME)->frame = d->blocked_at;
	if (d->created_at)
		darg_s(a, &n, SCHEMA_ARG_CREATED_AT, DESCRIBE_SYM_SITE)->sym = d->created_at;
	return n;
}

const char *describe__suspect_name(struct replay *r, const struct dsuspect *d, char *buf,
				   size_t len)
{
	char rbuf[64];
	const char *reason = describe__reason_str(r, d->reason, rbuf, sizeof(rbuf));

	if (d->blocked_at)
		snprintf(buf, len, "G%" PRIu64 " %s at %s:%u", d->goid, reason,
			 basename(d->blocked_at->file), d->blocked_at->line);
	else
		snprintf(buf, len, "G%" PRIu64 " %s", d->goid, reason);
	return buf;
}

/* ---- markers, the garbage collector, allocations ------------------------- */

size_t describe__spawn(const struct rp_g *g, struct darg *a)
{
	size_t n = 0;

	if (g->goid)
		darg_u(a, &n, SCHEMA_ARG_GOID, g->goid);
	return n;
}

size_t describe__wake(const struct rp_g *g, struct darg *a)
{
	size_t n = 0;

	darg_u(a, &n, SCHEMA_ARG_GOID, g->goid);
	return n;
}

void describe__gc(const struct rp_gc *g, struct dgc *d)
{
	uint64_t mark_start = g->sweepterm_end ? g->sweepterm_end : g->start;
	uint64_t mark_end = g->markterm_start ? g->markterm_start : g->end;
	size_t n = 0;

	d->nphases = 0;
	if (g->sweepterm_start && g->sweepterm_end) {
		d->phase[d->nphases].name = SCHEMA_NAME_SWEEP_TERM;
		d->phase[d->nphases].begin = g->sweepterm_start;
		d->phase[d->nphases++].end = g->sweepterm_end;
	}
	if (mark_end > mark_start) {
		d->phase[d->nphases].name = SCHEMA_NAME_MARK;
		d->phase[d->nphases].begin = mark_start;
		d->phase[d->nphases++].end = mark_end;
	}
	if (g->markterm_start) {
		d->phase[d->nphases].name = SCHEMA_NAME_MARK_TERM;
		d->phase[d->nphases].begin = g->markterm_start;
		d->phase[d->nphases++].end = g->end;
	}
	d->begin = g->start;
	d->end = g->end;
	snprintf(d->name, sizeof(d->name), "GC %" PRIu64 " (%s)", g->n,
		 describe__trigger(g->trigger));
	darg_u(d->a, &n, SCHEMA_ARG_GC_CYCLE, g->n);
	darg_s(d->a, &n, SCHEMA_ARG_TRIGGER, DESCRIBE_TEXT)->text = describe__trigger(g->trigger);
	if (g->by_goid)
		darg_u(d->a, &n, SCHEMA_ARG_STARTED_BY, g->by_goid);
	darg_u(d->a, &n, SCHEMA_ARG_STW_NS, g->stw_ns);
	if (g->open)
		darg_b(d->a, &n, SCHEMA_ARG_OPEN_AT_END);
	if (g->began_unseen)
		darg_b(d->a, &n, SCHEMA_ARG_BEGAN_BEFORE);
	d->n = n;
}

size_t describe__stw(const struct rp_stw *s, struct darg *a)
{
	size_t n = 0;

	if (s->gc)
		darg_u(a, &n, SCHEMA_ARG_GC_CYCLE, s->gc);
	if (s->open)
		darg_b(a, &n, SCHEMA_ARG_OPEN_AT_END);
	return n;
}

void describe__alloc(struct replay *r, const struct rp_g *g, const struct gotl_ev_alloc *e,
		     const struct rp_stack *stack, struct dalloc *d)
{
	size_t n = 0;

	describe__class_name(r, &e->key, d->name, sizeof(d->name));
	if (g && g->goid)
		darg_u(d->a, &n, SCHEMA_ARG_GOID, g->goid);
	darg_u(d->a, &n, SCHEMA_ARG_SIZE, e->size);
	darg_u(d->a, &n, SCHEMA_ARG_BYTES, e->weight);
	darg_s(d->a, &n, SCHEMA_ARG_SITE, DESCRIBE_TEXT)->text = describe__site(r, stack, d->site,
										sizeof(d->site));
	d->n = n;
}

size_t describe__type(uint64_t count, uint64_t bytes, struct darg *a)
{
	size_t n = 0;

	darg_u(a, &n, SCHEMA_ARG_COUNT, count);
	darg_u(a, &n, SCHEMA_ARG_BYTES, bytes);
	return n;
}

/* ---- trace attributes ------------------------------------------------------ */

/* Room for every attribute there can be: attrs_start's and attrs_end's. */
_Static_assert(sizeof(((struct dattrs *)0)->a) / sizeof(struct dattr) >= 6 + SCHEMA_META_ATTR_MAX &&
		       sizeof(((struct dattrs *)0)->a) / sizeof(struct dattr) >=
			       17 + GOTL_LOSS_KINDS,
	       "struct dattrs too small");
_Static_assert(sizeof(((struct dattrs *)0)->buf) >= 64 * GOTL_LOSS_KINDS + GOTL_EXEC_PATH_MAX + 1,
	       "struct dattrs' strings too small");

static struct dattr *attr(struct dattrs *d, uint8_t id, uint8_t kind)
{
	struct dattr *a = &d->a[d->n++];

	*a = (struct dattr){ .id = id, .kind = kind, .key = schema_attr[id] };
	return a;
}

static void attr_s(struct dattrs *d, uint8_t id, const char *s)
{
	attr(d, id, DATTR_STR)->s = s;
}

static void attr_u(struct dattrs *d, uint8_t id, uint64_t u)
{
	attr(d, id, DATTR_UINT)->u = u;
}

/* Room in d->buf for a string of at most len bytes, or NULL. */
static char *attr_buf(struct dattrs *d, size_t len)
{
	char *b = d->buf + d->used;

	if (len > sizeof(d->buf) - d->used)
		return NULL;
	d->used += len;
	return b;
}

void describe__attrs_start(struct replay *r, struct dattrs *d)
{
	const struct gotl_rec_start *s = replay__start(r);
	char *const *argv = replay__argv(r);
	char *when;
	int k;

	d->n = d->used = 0;
	attr_s(d, SCHEMA_ATTR_VERSION, GOTL_VERSION);
	for (k = 0; k < SCHEMA_META_ATTR_MAX; k++)
		if (replay__meta(r, schema_meta_attr[k].meta))
			attr_s(d, schema_meta_attr[k].attr,
			       replay__meta(r, schema_meta_attr[k].meta));
	if (argv && argv[0])
		attr(d, SCHEMA_ATTR_COMMAND, DATTR_ARGV)->argv = argv;
	if (replay__probes(r))
		attr_s(d, SCHEMA_ATTR_PROBES, replay__probes(r));
	if (s->realtime_ns && (when = attr_buf(d, 64))) {
		describe__wall_time(s->realtime_ns, when, 64);
		attr_s(d, SCHEMA_ATTR_START_TIME, when);
	}
	attr_u(d, SCHEMA_ATTR_PID, s->pid ? s->pid : 1);
}

void describe__attrs_end(struct replay *r, const struct gotl_rec_alloc_total *total,
			 size_t suspects, struct dattrs *d)
{
	const struct replay_stats *st = replay__stats(r);
	const struct gotl_rec_start *s = replay__start(r);
	const struct gotl_rec_end *e = replay__end(r);
	const struct gotl_ev_exec *x = replay__exec(r);
	struct dattr *a;
	int k;

	d->n = d->used = 0;
	if (total) {
		attr_s(d, SCHEMA_ATTR_ALLOC_MODE, describe__alloc_mode(total->mode));
		if (total->mode == GOTL_ALLOC_SAMPLED)
			attr_u(d, SCHEMA_ATTR_ALLOC_SAMPLE_BYTES, total->sample_bytes);
		attr_u(d, SCHEMA_ATTR_ALLOC_COUNT, total->count);
		attr_u(d, SCHEMA_ATTR_ALLOC_BYTES, total->bytes);
		if (total->unclassified)
			attr_u(d, SCHEMA_ATTR_ALLOC_UNCLASSIFIED, total->unclassified);
	}
	attr_u(d, SCHEMA_ATTR_GC_CYCLES, st->gc_cycles);
	attr_u(d, SCHEMA_ATTR_LEAK_SUSPECTS, suspects);
	attr_u(d, SCHEMA_ATTR_EVENTS, st->events);
	attr_u(d, SCHEMA_ATTR_EVENTS_LOST, st->lost);
	for (k = 0; k < GOTL_LOSS_KINDS; k++) {
		char *key;

		if (!st->lost_kind[k] || !(key = attr_buf(d, 64)))
			continue;
		snprintf(key, 64, SCHEMA_LOST_KIND_FMT, schema_attr[SCHEMA_ATTR_EVENTS_LOST],
			 gotl_loss_kind_name(k));
		a = attr(d, SCHEMA_ATTR_EVENTS_LOST, DATTR_UINT);
		a->key = key;
		a->u = st->lost_kind[k];
	}
	attr_u(d, SCHEMA_ATTR_GOROUTINES, st->goroutines);
	if (st->unobserved)
		attr_u(d, SCHEMA_ATTR_UNOBSERVED, st->unobserved);
	if (st->truncated)
		attr_s(d, SCHEMA_ATTR_LOG, "truncated: the recorder stopped mid-write");
	if (s && (s->flags & GOTL_START_WINDOW))
		attr_s(d, SCHEMA_ATTR_MODE, "a window of a flight recording (record --flight)");
	else if (s && (s->flags & GOTL_START_ATTACHED))
		attr_s(d, SCHEMA_ATTR_MODE, "attached to a running process (record -p)");
	if (e && (e->flags & GOTL_END_DETACHED))
		attr_s(d, SCHEMA_ATTR_END, "detached: the process ran on");
	if (x) {
		char *fn = attr_buf(d, GOTL_EXEC_PATH_MAX + 1);

		if (fn) {
			snprintf(fn, GOTL_EXEC_PATH_MAX + 1, "%.*s", (int)sizeof(x->filename),
				 x->filename);
			attr_s(d, SCHEMA_ATTR_EXEC, fn);
		}
		attr_u(d, SCHEMA_ATTR_EXEC_TS, x->hdr.ts);
	}
	if (e && (e->flags & GOTL_END_EXITED) && !(e->flags & GOTL_END_NO_STATUS)) {
		uint32_t ws = e->status;

		if ((ws & 0x7f) == 0)
			attr_u(d, SCHEMA_ATTR_EXIT_STATUS, (ws >> 8) & 0xff);
		else
			attr_u(d, SCHEMA_ATTR_KILLED_BY_SIGNAL, ws & 0x7f);
	}
}

/* ---- presentation helpers --------------------------------------------------- */

const char *describe__goroutine_name(struct replay *r, const struct rp_g *g, char *buf, size_t len)
{
	const struct rp_sym *start = replay__sym(r, g->startpc);
	char id[32];

	if (g->goid)
		snprintf(id, sizeof(id), "G%" PRIu64, g->goid);
	else
		snprintf(id, sizeof(id), "G?");
	if (start && *start->func)
		snprintf(buf, len, "%s %s", id, start->func);
	else if (g->flags & RP_G_CGO)
		snprintf(buf, len, "%s (cgo callback)", id);
	else
		snprintf(buf, len, "%s", id);
	return buf;
}

const char *describe__reason_str(const struct replay *r, uint8_t reason, char *buf, size_t len)
{
	const char *s = replay__reason(r, reason);

	if (s && *s)
		return s;
	if (reason)
		snprintf(buf, len, "waiting (reason %u)", reason);
	else
		snprintf(buf, len, "waiting");
	return buf;
}

const char *describe__state_name(struct replay *r, uint8_t state, uint8_t reason, char *buf,
				 size_t len)
{
	switch (state) {
	case GOTL_G_RUNNING:
		return schema_name[SCHEMA_NAME_RUNNING];
	case GOTL_G_RUNNABLE:
		return schema_name[SCHEMA_NAME_RUNNABLE];
	case GOTL_G_SYSCALL:
		return schema_name[SCHEMA_NAME_SYSCALL];
	case GOTL_G_PREEMPTED:
		return schema_name[SCHEMA_NAME_PREEMPTED];
	case GOTL_G_LEAKED:
		return schema_name[SCHEMA_NAME_LEAKED];
	default:
		return describe__reason_str(r, reason, buf, len);
	}
}

const char *describe__reason_arg(struct replay *r, uint8_t state, uint8_t reason, char *buf,
				 size_t len)
{
	if (state == GOTL_G_PREEMPTED)
		return schema_name[SCHEMA_NAME_PREEMPTED];
	if (state == GOTL_G_LEAKED)
		return schema_name[SCHEMA_NAME_LEAKED];
	return describe__reason_str(r, reason, buf, len);
}

const char *describe__frame_site(const struct rp_frame *f, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s:%u", f->func, f->file, f->line);
	return buf;
}

const char *describe__sym_site(const struct rp_sym *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s:%u", s->func, s->file, s->line);
	return buf;
}

const char *describe__site(const struct replay *r, const struct rp_stack *s, char *buf, size_t len)
{
	const struct rp_frame *f = replay__user_frame(r, s);

	if (f)
		return describe__frame_site(f, buf, len);
	snprintf(buf, len, "(no stack)");
	return buf;
}

bool describe__leak_reason(const char *reason, bool all_waits)
{
	static const char *const prefixes[] = {
		"chan send", "chan receive", "select", "sync.", "semacquire",
	};
	size_t i;

	if (!reason || !*reason)
		return all_waits;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(reason, prefixes[i], strlen(prefixes[i])))
			return true;
	return all_waits;
}

/*
 * The start functions of the runtime's own goroutines, as prefixes: its
 * package (forcegchelper, bgsweep, bgscavenge, the finalizer and cleanup
 * goroutines, the GOMAXPROCS updater, the GC mark workers, ...).
 */
static const char *const runtime_starts[] = { "runtime." };

bool describe__runtime_func(const char *start)
{
	size_t i;

	for (i = 0; i < sizeof(runtime_starts) / sizeof(runtime_starts[0]); i++)
		if (!strncmp(start, runtime_starts[i], strlen(runtime_starts[i])))
			return true;
	return false;
}

bool describe__runtime_goroutine(const struct replay *r, const struct rp_g *g)
{
	const struct rp_sym *s = replay__sym(r, g->startpc);

	return s && describe__runtime_func(s->func);
}

/*
 * Start functions of package runtime that run the program's code: its main
 * goroutine, a coroutine (iter.Pull), wasm's event handler (as Go's own
 * runtime.isSystemGoroutine has them).
 */
static const char *const program_starts[] = {
	"runtime.main",
	"runtime.corostart",
	"runtime.handleAsyncEvent",
};

bool describe__system_goroutine(const struct replay *r, const struct rp_g *g)
{
	size_t i;

	if (!describe__runtime_goroutine(r, g))
		return false;
	for (i = 0; i < sizeof(program_starts) / sizeof(program_starts[0]); i++)
		if (!strcmp(replay__sym(r, g->startpc)->func, program_starts[i]))
			return false;
	return true;
}

void describe__command(const struct replay *r, char *buf, size_t len)
{
	char *const *argv = replay__argv(r);
	size_t n = 0;
	int i;

	buf[0] = 0;
	for (i = 0; argv && argv[i] && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? " " : "", argv[i]);
}

const char *describe__trigger(uint8_t trigger)
{
	switch (trigger) {
	case GOTL_GC_TRIGGER_HEAP:
		return "heap";
	case GOTL_GC_TRIGGER_TIME:
		return "time";
	case GOTL_GC_TRIGGER_CYCLE:
		return "runtime.GC";
	default:
		return "unknown";
	}
}

const char *describe__alloc_mode(uint32_t mode)
{
	switch (mode) {
	case GOTL_ALLOC_SAMPLED:
		return "sampled";
	case GOTL_ALLOC_ALL:
		return "all";
	default:
		return "off";
	}
}

/* The runtime and its internal packages: not who "allocated" raw memory. */
static bool runtime_or_internal(const char *f)
{
	return !strncmp(f, "runtime.", 8) || !strncmp(f, "internal/", 9);
}

const char *describe__class_name(const struct replay *r, const struct gotl_alloc_key *k, char *buf,
				 size_t len)
{
	const struct rp_frame *first = NULL;
	const struct rp_type *t;
	int i, j;

	if (k->type) {
		t = replay__type(r, k->type);
		if (!t || !t->name[0])
			snprintf(buf, len, "%stype 0x%" PRIx64,
				 (k->flags & GOTL_ALLOC_ARRAY) ? "[]" : "", (uint64_t)k->type);
		else
			snprintf(buf, len, "%s%s", (k->flags & GOTL_ALLOC_ARRAY) ? "[]" : "",
				 t->name);
		return buf;
	}
	for (i = 0; i < GOTL_ALLOC_PCS && k->pcs[i]; i++) {
		const struct rp_frames *fr = replay__frames(r, k->pcs[i]);

		for (j = 0; fr && j < fr->n; j++) {
			if (!first)
				first = &fr->f[j];
			if (!runtime_or_internal(fr->f[j].func)) {
				snprintf(buf, len, "untyped (%s)", fr->f[j].func);
				return buf;
			}
		}
	}
	snprintf(buf, len, "untyped (%s)", first ? first->func : "?");
	return buf;
}

uint64_t describe__class_id(const struct gotl_alloc_key *k)
{
	uint64_t h = (k->type ^ k->flags) * 0x9e3779b97f4a7c15ull;
	int i;

	for (i = 0; i < GOTL_ALLOC_PCS; i++)
		h = (h ^ (h >> 31) ^ k->pcs[i]) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

void describe__wall_time(uint64_t realtime_ns, char *buf, size_t len)
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
