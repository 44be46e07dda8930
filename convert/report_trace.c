// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report_trace.c: `gotl report` on a Perfetto trace gotl wrote. The trace
 * keeps what the report needs — one track per goroutine whose slices are
 * its states in order, with their wait reason, block site, creation site,
 * start function, parent and allocations as args, the "Goroutines alive"
 * counter, the recorded allocations (instants with a site and bytes), the
 * list of allocated types, the GC and stop-the-world tracks, and the
 * recording's attributes — except stack sizes. Two passes over the
 * packets: the first learns the tracks, the lives and the metadata; the
 * second feeds every state span to the report core (report_int.h), each
 * goroutine's spans in the order its track has them.
 *
 * It reads only traces in gotl's own shape (pfsink.c), compressed or not
 * (`--compress`: compressed_packets are inflated one at a time): another
 * program's trace gives an error, not a wrong report. Memory: the
 * goroutine tracks and the intern tables, not the events.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "gotl/event.h"
#include "perfetto_trace.pb-c.h"
#include "describe.h"
#include "report_int.h"
#include "schema.h"
#include "u64map.h"

/* An intern table of the one sequence gotl writes: iid -> string. */
struct itab {
	char **v;
	size_t cap;
};

/* A BEGIN waiting for its END (gotl writes the END right after, on the same track). */
struct open_span {
	struct rspan s;
	char *reason, *site;
};

/* One goroutine track: its life, and what pass 2 needs of it. */
struct gtrack {
	uint64_t uuid;
	struct rlife l;
	char *start, *site;
	uint64_t nspans; /* slices in the track */
	uint64_t fed;	 /* fed to the core so far */
	bool last_open;	 /* its last slice is still open at the end */
	bool seen_first; /* pass 1 took the life's facts from its first slice */
	struct open_span *open;
	/*
	 * A cgo callback's goroutine lives once per callback, all on one track,
	 * with gaps between the lives: the indices of slices that end a life.
	 */
	uint64_t *life_ends;
	size_t nlife_ends, cap_life_ends;
	uint64_t last_end; /* end of the latest slice (pass 1, then pass 2) */
};

struct tr {
	uint8_t *data;
	size_t size;
	struct itab names, args, strs;
	struct gtrack *g;
	size_t ng, capg;
	struct u64map by_uuid;	  /* track uuid -> gtrack (rebuilt after sorting) */
	struct u64map fgroups;	  /* uuids of the start-function groups in the goroutine group */
	struct u64map type_parts; /* uuids of the parts of a long types list (schema.h) */
	struct u64map by_goid;	  /* goid -> gtrack, for parents */
	uint64_t group_uuid, alive_uuid, types_uuid, nog_uuid, gc_uuid, stw_uuid;
	struct rmeta_alloc alloc;
	/* the open slice on the GC and the stop-the-world tracks (B and E are adjacent) */
	uint64_t gc_begin, stw_begin;
	char *gc_trigger, *stw_reason;
	uint64_t gc_stw_ns;
	bool gc_open, gc_is_cycle;
	struct rep *rep;
	struct rmeta *m;
	char *comm, *go_version;
	char *info[RM_MAX];
	/* Timestamps as the importer reads them (resolve_ts), from the start of a pass. */
	uint32_t def_clock;    /* the sequence's default clock */
	bool inc[64];	       /* sequence clocks 64-127 that are incremental */
	uint64_t inc_last[64]; /* and their time so far */
};

static int itab_set(struct itab *t, uint64_t iid, const char *s, size_t len)
{
	char *c;

	if (!iid || iid > (1u << 26))
		return 0;
	if (iid >= t->cap) {
		size_t ncap = t->cap ? t->cap : 256;
		char **n;

		while (ncap <= iid)
			ncap *= 2;
		n = realloc(t->v, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		memset(n + t->cap, 0, (ncap - t->cap) * sizeof(*n));
		t->v = n;
		t->cap = ncap;
	}
	c = malloc(len + 1);
	if (!c)
		return -ENOMEM;
	memcpy(c, s ? s : "", len);
	c[len] = 0;
	free(t->v[iid]);
	t->v[iid] = c;
	return 0;
}

static const char *itab_get(const struct itab *t, uint64_t iid)
{
	return iid < t->cap ? t->v[iid] : NULL;
}

static void itab_free(struct itab *t)
{
	size_t i;

	for (i = 0; i < t->cap; i++)
		free(t->v[i]);
	free(t->v);
}

static int take_interned(struct tr *t, const Gotl__Perfetto__InternedData *d)
{
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < d->n_event_names; i++)
		ret = itab_set(&t->names, d->event_names[i]->iid, d->event_names[i]->name,
			       d->event_names[i]->name ? strlen(d->event_names[i]->name) : 0);
	for (i = 0; !ret && i < d->n_debug_annotation_names; i++)
		ret = itab_set(&t->args, d->debug_annotation_names[i]->iid,
			       d->debug_annotation_names[i]->name,
			       d->debug_annotation_names[i]->name ?
				       strlen(d->debug_annotation_names[i]->name) :
				       0);
	for (i = 0; !ret && i < d->n_debug_annotation_string_values; i++)
		ret = itab_set(&t->strs, d->debug_annotation_string_values[i]->iid,
			       (const char *)d->debug_annotation_string_values[i]->str.data,
			       d->debug_annotation_string_values[i]->str.len);
	return ret;
}

/* A debug annotation by name: its string value, or "" with its number in *u; NULL if absent. */
static const char *arg(const struct tr *t, const Gotl__Perfetto__TrackEvent *te, const char *name,
		       uint64_t *u)
{
	size_t i;

	for (i = 0; i < te->n_debug_annotations; i++) {
		const Gotl__Perfetto__DebugAnnotation *a = te->debug_annotations[i];
		const char *n = a->name ? a->name : itab_get(&t->args, a->name_iid);

		if (!n || strcmp(n, name))
			continue;
		if (u)
			*u = a->has_uint_value ? a->uint_value :
			     a->has_int_value  ? (uint64_t)a->int_value :
			     a->has_bool_value ? (uint64_t)a->bool_value :
						 0;
		if (a->has_string_value_iid)
			return itab_get(&t->strs, a->string_value_iid);
		return a->string_value ? a->string_value : "";
	}
	return NULL;
}

/* The most a compressed_packets packet may hold once inflated (gotl writes 256 KiB). */
#define INFLATED_MAX		(64u << 20)

/* A compressed_packets payload (zlib or gzip), inflated into a malloc'd buffer. */
static int inflate_packets(const uint8_t *z, size_t zlen, uint8_t **out, size_t *outlen)
{
	size_t cap = 1 << 20, len = 0;
	uint8_t *buf = NULL, *n;
	z_stream zs = { 0 };
	int ret = -EPROTO, zr;

	if (inflateInit2(&zs, 15 + 32) != Z_OK)
		return -ENOMEM;
	zs.next_in = (uint8_t *)z;
	zs.avail_in = (uInt)zlen;
	do {
		if (!buf || len == cap) {
			if (buf)
				cap *= 2;
			if (cap > INFLATED_MAX)
				goto out;
			n = realloc(buf, cap);
			if (!n) {
				ret = -ENOMEM;
				goto out;
			}
			buf = n;
		}
		zs.next_out = buf + len;
		zs.avail_out = (uInt)(cap - len);
		zr = inflate(&zs, Z_NO_FLUSH);
		len = cap - zs.avail_out;
		if (zr != Z_OK && zr != Z_STREAM_END)
			goto out;
	} while (zr != Z_STREAM_END);
	if (zs.avail_in)
		goto out; /* bytes after the compressed data */
	*out = buf;
	*outlen = len;
	buf = NULL;
	ret = 0;
out:
	inflateEnd(&zs);
	free(buf);
	return ret;
}

/*
 * p's timestamp made absolute, as Perfetto's importer does in file order: on
 * an incremental clock (gotl's default clock, pftrace.c) it is a delta from
 * the time before, starting at the clock's snapshot value.
 */
static void resolve_ts(struct tr *t, Gotl__Perfetto__TracePacket *p)
{
	uint32_t clock;
	size_t i;

	if (p->clock_snapshot)
		for (i = 0; i < p->clock_snapshot->n_clocks; i++) {
			const Gotl__Perfetto__ClockSnapshot__Clock *c = p->clock_snapshot->clocks[i];

			if (c->is_incremental && c->clock_id >= 64 && c->clock_id < 128) {
				t->inc[c->clock_id - 64] = true;
				t->inc_last[c->clock_id - 64] = c->timestamp;
			}
		}
	if (p->trace_packet_defaults && p->trace_packet_defaults->has_timestamp_clock_id)
		t->def_clock = p->trace_packet_defaults->timestamp_clock_id;
	if (!p->has_timestamp)
		return;
	clock = p->has_timestamp_clock_id ? p->timestamp_clock_id : t->def_clock;
	if (clock >= 64 && clock < 128 && t->inc[clock - 64])
		p->timestamp = t->inc_last[clock - 64] += p->timestamp;
}

/*
 * Call fn on every packet of data, in order, the packets inside a
 * compressed_packets packet in its place (one level: no compressed packets
 * within); stops at the first error or malformed packet.
 */
static int packets_in(struct tr *t, const uint8_t *data, size_t size, bool inner,
		      int (*fn)(struct tr *, Gotl__Perfetto__TracePacket *))
{
	size_t pos = 0;
	int ret = 0;

	while (pos < size && !ret) {
		Gotl__Perfetto__TracePacket *p;
		uint64_t len = 0;
		int shift = 0;

		if (data[pos++] != 0x0a)
			return -EPROTO;
		for (;;) {
			uint8_t b;

			if (pos >= size || shift > 56)
				return -EPROTO;
			b = data[pos++];
			len |= (uint64_t)(b & 0x7f) << shift;
			shift += 7;
			if (!(b & 0x80))
				break;
		}
		if (len > size - pos)
			return -EPROTO;
		p = gotl__perfetto__trace_packet__unpack(NULL, len, data + pos);
		if (!p)
			return -EPROTO;
		pos += len;
		if (p->has_compressed_packets) {
			uint8_t *buf = NULL;
			size_t n = 0;

			ret = inner ? -EPROTO :
				      inflate_packets(p->compressed_packets.data,
						      p->compressed_packets.len, &buf, &n);
			if (!ret)
				ret = packets_in(t, buf, n, true, fn);
			free(buf);
			gotl__perfetto__trace_packet__free_unpacked(p, NULL);
			continue;
		}
		ret = p->interned_data ? take_interned(t, p->interned_data) : 0;
		resolve_ts(t, p);
		if (!ret)
			ret = fn(t, p);
		gotl__perfetto__trace_packet__free_unpacked(p, NULL);
	}
	return ret;
}

/* Call fn on every packet, in file order; stops at the first error or malformed packet. */
static int each_packet(struct tr *t, int (*fn)(struct tr *, Gotl__Perfetto__TracePacket *))
{
	t->def_clock = 0;
	memset(t->inc, 0, sizeof(t->inc));
	return packets_in(t, t->data, t->size, false, fn);
}

static bool goroutine_track_name(const char *n)
{
	return n && n[0] == 'G' && ((n[1] >= '0' && n[1] <= '9') || n[1] == '?');
}

/* ---- pass 1: tracks, lives, metadata ------------------------------------ */

static void take_attribute(struct tr *t, const Gotl__Perfetto__TraceAttributes__Attribute *a)
{
	struct rmeta *m = t->m;
	const char *k = a->key ? a->key : "";

	for (int i = 0; i < RM_MAX; i++)
		if (!strcmp(k, schema_attr[rmeta_attr[i]]) && a->string_value) {
			free(t->info[i]);
			t->info[i] = strdup(a->string_value);
		}
	if (!strcmp(k, schema_attr[SCHEMA_ATTR_GO_VERSION]) && a->string_value) {
		free(t->go_version);
		t->go_version = strdup(a->string_value);
	} else if (!strcmp(k, schema_attr[SCHEMA_ATTR_EVENTS])) {
		m->events = (uint64_t)a->long_value;
	} else if (!strcmp(k, schema_attr[SCHEMA_ATTR_EVENTS_LOST])) {
		m->lost = (uint64_t)a->long_value;
	} else if (!strcmp(k, schema_attr[SCHEMA_ATTR_LOG])) {
		m->truncated = true;
	} else if (!strcmp(k, schema_attr[SCHEMA_ATTR_MODE])) {
		m->attached = true; /* said of attach recordings only (describe__attrs_end) */
	} else if (!strcmp(k, schema_attr[SCHEMA_ATTR_EXIT_STATUS])) {
		m->has_exit = true;
		m->exit_status = (int)a->long_value;
	} else if (!strcmp(k, schema_attr[SCHEMA_ATTR_KILLED_BY_SIGNAL])) {
		m->has_exit = m->signaled = true;
		m->exit_status = 128 + (int)a->long_value;
	} else if (!strcmp(k, schema_attr[SCHEMA_ATTR_ALLOC_MODE]) && a->string_value) {
		t->alloc.mode = !strcmp(a->string_value, describe__alloc_mode(GOTL_ALLOC_ALL)) ?
					GOTL_ALLOC_ALL :
				!strcmp(a->string_value, describe__alloc_mode(GOTL_ALLOC_SAMPLED)) ?
					GOTL_ALLOC_SAMPLED :
					GOTL_ALLOC_OFF;
	} else if (!strcmp(k, schema_attr[SCHEMA_ATTR_ALLOC_COUNT])) {
		t->alloc.count = (uint64_t)a->long_value;
	} else if (!strcmp(k, schema_attr[SCHEMA_ATTR_ALLOC_BYTES])) {
		t->alloc.bytes = (uint64_t)a->long_value;
	} else if (!strcmp(k, schema_attr[SCHEMA_ATTR_ALLOC_SAMPLE_BYTES])) {
		t->alloc.sample_bytes = (uint64_t)a->long_value;
	} else if (!strcmp(k, schema_attr[SCHEMA_ATTR_ALLOC_UNCLASSIFIED])) {
		t->alloc.unclassified = (uint64_t)a->long_value;
	}
}

static int take_track(struct tr *t, const Gotl__Perfetto__TrackDescriptor *d)
{
	struct gtrack *g;

	if (d->process) {
		t->m->pid = (uint32_t)d->process->pid;
		free(t->comm);
		t->comm = strdup(d->process->process_name ? d->process->process_name : "");
		return t->comm ? 0 : -ENOMEM;
	}
	/* The first process's: the traced program (record --follow adds others). */
	if (d->name && !d->counter && !strcmp(d->name, schema_track[SCHEMA_TRACK_GOROUTINES])) {
		if (!t->group_uuid)
			t->group_uuid = d->uuid;
		return 0;
	}
	/* A start function's group (many goroutines of one function) inside it. */
	if (d->name && !d->counter && t->group_uuid && d->parent_uuid == t->group_uuid &&
	    !goroutine_track_name(d->name))
		return u64map__put(&t->fgroups, d->uuid, t);
	if (d->counter && d->name && !strcmp(d->name, schema_counter[SCHEMA_COUNTER_ALIVE].track)) {
		t->alive_uuid = d->uuid;
		return 0;
	}
	/* "1-500", "501-647": the parts of a types list longer than SCHEMA_LIST_MAX. */
	if (!d->counter && t->types_uuid && d->parent_uuid == t->types_uuid)
		return u64map__put(&t->type_parts, d->uuid, t);
	if (!d->counter && d->name) {
		size_t types = strlen(schema_track[SCHEMA_TRACK_TYPES]);

		/* "Allocated types (12)" */
		if (!strncmp(d->name, schema_track[SCHEMA_TRACK_TYPES], types) &&
		    !strncmp(d->name + types, " (", 2))
			t->types_uuid = d->uuid;
		else if (!strcmp(d->name, schema_track[SCHEMA_TRACK_NOG_ALLOCS]))
			t->nog_uuid = d->uuid;
		else if (!strcmp(d->name, schema_track[SCHEMA_TRACK_GC]))
			t->gc_uuid = d->uuid;
		else if (!strcmp(d->name, schema_track[SCHEMA_TRACK_STW]))
			t->stw_uuid = d->uuid;
	}
	if (!goroutine_track_name(d->name) || !t->group_uuid ||
	    (d->parent_uuid != t->group_uuid && !u64map__get(&t->fgroups, d->parent_uuid)) ||
	    u64map__get(&t->by_uuid, d->uuid))
		return 0;
	if (t->ng == t->capg) {
		size_t ncap = t->capg ? t->capg * 2 : 256, i;
		struct gtrack *n = realloc(t->g, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		t->g = n;
		t->capg = ncap;
		/* The array moved: the map points into it. */
		for (i = 0; i < t->ng; i++)
			if (u64map__put(&t->by_uuid, t->g[i].uuid, &t->g[i]))
				return -ENOMEM;
	}
	g = &t->g[t->ng++];
	memset(g, 0, sizeof(*g));
	g->uuid = d->uuid;
	g->l.born_seen = !(d->description && strstr(d->description, SCHEMA_APPEARED));
	return u64map__put(&t->by_uuid, d->uuid, g);
}

/* The first slice of a goroutine's track says who it is. */
static int take_first(struct tr *t, struct gtrack *g, const Gotl__Perfetto__TrackEvent *te,
		      uint64_t ts)
{
	bool cgo = arg(t, te, schema_arg[SCHEMA_ARG_CGO_CALLBACK], NULL) != NULL;
	const char *start = arg(t, te, schema_arg[SCHEMA_ARG_START_FUNCTION], NULL);
	const char *site = arg(t, te, schema_arg[SCHEMA_ARG_CREATED_AT], NULL);
	uint64_t u = 0;

	g->seen_first = true;
	g->l.created = ts;
	if (arg(t, te, schema_arg[SCHEMA_ARG_GOID], &u))
		g->l.goid = u;
	if (arg(t, te, schema_arg[SCHEMA_ARG_PARENT_GOID], &u))
		g->l.parent_goid = u;
	if (cgo)
		g->l.born_seen = false;
	g->start = strdup(start ? start : cgo ? "(cgo callback)" : "(unknown)");
	g->site = strdup(!g->l.born_seen ? "(first seen running)" : site ? site : "(unknown)");
	if (!g->start || !g->site)
		return -ENOMEM;
	g->l.runtime = describe__runtime_func(g->start);
	return 0;
}

/* A value of "Goroutines alive": the peak and when it was first reached. */
static void take_alive(struct rmeta *m, uint64_t ts, int64_t v)
{
	if (v > 0 && (uint64_t)v > m->max_alive) {
		m->max_alive = (uint64_t)v;
		m->max_alive_ts = ts;
	}
}

static int pass1(struct tr *t, Gotl__Perfetto__TracePacket *p)
{
	const Gotl__Perfetto__TrackEvent *te = p->track_event;
	struct rmeta *m = t->m;
	struct gtrack *g;
	size_t i;

	/* The snapshot that sets the trace clock (not the delta clock's). */
	if (p->clock_snapshot && p->clock_snapshot->has_primary_trace_clock)
		for (i = 0; i < p->clock_snapshot->n_clocks; i++)
			if (p->clock_snapshot->clocks[i]->clock_id == 6) /* BOOTTIME */
				m->start = p->clock_snapshot->clocks[i]->timestamp;
	if (p->trace_attributes)
		for (i = 0; i < p->trace_attributes->n_attribute; i++)
			take_attribute(t, p->trace_attributes->attribute[i]);
	if (p->track_descriptor)
		return take_track(t, p->track_descriptor);
	if (!te || !p->has_timestamp)
		return 0;
	if (p->timestamp > m->end)
		m->end = p->timestamp;
	if (te->type == 4 && te->track_uuid == t->alive_uuid)
		take_alive(m, p->timestamp, te->counter_value);
	/* Counter values riding on another event (a slice's END, as gotl writes them). */
	for (i = 0; i < te->n_extra_counter_values && i < te->n_extra_counter_track_uuids; i++)
		if (te->extra_counter_track_uuids[i] == t->alive_uuid)
			take_alive(m, p->timestamp, te->extra_counter_values[i]);
	if (!(g = u64map__get(&t->by_uuid, te->track_uuid)))
		return 0;
	if (te->type == 2) {
		g->last_end = p->timestamp;
		return 0;
	}
	if (te->type != 1)
		return 0;
	if (g->nspans && p->timestamp > g->last_end) {
		/* A gap: the slice before it ended a life. */
		if (g->nlife_ends == g->cap_life_ends) {
			size_t ncap = g->cap_life_ends ? 2 * g->cap_life_ends : 4;
			uint64_t *n = realloc(g->life_ends, ncap * sizeof(*n));

			if (!n)
				return -ENOMEM;
			g->life_ends = n;
			g->cap_life_ends = ncap;
		}
		g->life_ends[g->nlife_ends++] = g->nspans - 1;
	}
	g->nspans++;
	g->last_open = arg(t, te, schema_arg[SCHEMA_ARG_OPEN_AT_END], NULL) != NULL;
	return g->seen_first ? 0 : take_first(t, g, te, p->timestamp);
}

/* Does slice k (0-based) of g end one of its lives before the last? */
static bool ends_life(const struct gtrack *g, uint64_t k)
{
	size_t i;

	for (i = 0; i < g->nlife_ends; i++)
		if (g->life_ends[i] == k)
			return true;
	return false;
}

/* ---- pass 2: spans ------------------------------------------------------ */

/* A recorded allocation: an instant with a site and bytes (goroutine or no-goroutine track). */
static int take_alloc(struct tr *t, const Gotl__Perfetto__TrackEvent *te)
{
	uint64_t bytes = 0;
	const char *site = arg(t, te, schema_arg[SCHEMA_ARG_SITE], NULL);

	if (!site || !arg(t, te, schema_arg[SCHEMA_ARG_BYTES], &bytes))
		return 0;
	return rep__alloc_sample(t->rep, site, bytes);
}

/* The GC and stop-the-world tracks: slices, each BEGIN followed by its END. */
static int take_gc(struct tr *t, const Gotl__Perfetto__TrackEvent *te, uint64_t ts)
{
	bool gc = te->track_uuid == t->gc_uuid;
	const char *name = itab_get(&t->names, te->name_iid), *trigger;
	uint64_t u = 0;
	int ret = 0;

	if (te->type == 1 && gc) {
		trigger = arg(t, te, schema_arg[SCHEMA_ARG_TRIGGER], NULL);
		t->gc_is_cycle = trigger != NULL;
		if (!trigger)
			return 0; /* a phase */
		free(t->gc_trigger);
		t->gc_trigger = strdup(trigger);
		t->gc_stw_ns = arg(t, te, schema_arg[SCHEMA_ARG_STW_NS], &u) ? u : 0;
		t->gc_open = arg(t, te, schema_arg[SCHEMA_ARG_OPEN_AT_END], NULL) != NULL;
		return t->gc_trigger ? 0 : -ENOMEM;
	}
	if (te->type == 1) {
		free(t->stw_reason);
		t->stw_reason = strdup(name ? name : "?");
		t->stw_begin = ts;
		return t->stw_reason ? 0 : -ENOMEM;
	}
	if (te->type != 2)
		return 0;
	if (gc && t->gc_is_cycle) {
		ret = rep__gc(t->rep, t->gc_trigger, t->gc_stw_ns, t->gc_open);
		t->gc_is_cycle = false;
	} else if (!gc && t->stw_reason) {
		ret = rep__stw(t->rep, t->stw_reason, ts - t->stw_begin);
		free(t->stw_reason);
		t->stw_reason = NULL;
	}
	return ret;
}

static int pass2(struct tr *t, Gotl__Perfetto__TracePacket *p)
{
	const Gotl__Perfetto__TrackEvent *te = p->track_event;
	struct gtrack *g;
	uint64_t u;
	int ret;

	if (!te)
		return 0;
	if (te->type == 3 && te->track_uuid &&
	    (te->track_uuid == t->types_uuid || u64map__get(&t->type_parts, te->track_uuid))) {
		uint64_t count = 0, bytes = 0;
		const char *name = itab_get(&t->names, te->name_iid);

		arg(t, te, schema_arg[SCHEMA_ARG_COUNT], &count);
		arg(t, te, schema_arg[SCHEMA_ARG_BYTES], &bytes);
		return name ? rep__alloc_type(t->rep, name, count, bytes) : -EPROTO;
	}
	if (te->type == 3 && te->track_uuid && te->track_uuid == t->nog_uuid)
		return take_alloc(t, te);
	if (te->track_uuid && (te->track_uuid == t->gc_uuid || te->track_uuid == t->stw_uuid))
		return take_gc(t, te, p->timestamp);
	if (!(g = u64map__get(&t->by_uuid, te->track_uuid)) || !g->seen_first)
		return 0;
	if (te->type == 3)
		return take_alloc(t, te);
	if (te->type == 1) {
		const char *name = itab_get(&t->names, te->name_iid);
		const char *reason = arg(t, te, schema_arg[SCHEMA_ARG_WAIT_REASON], NULL);
		const char *site = arg(t, te, schema_arg[SCHEMA_ARG_BLOCKED_AT], NULL);
		struct open_span *o = g->open;

		if (!name)
			return -EPROTO;
		if (g->fed && ends_life(g, g->fed - 1)) {
			/* The next life of a cgo callback's goroutine. */
			g->l.created = p->timestamp;
			g->l.node = 0;
			g->l.noted = false;
			g->l.alloc_bytes = g->l.alloc_count = 0;
			if (rep__born(t->rep, &g->l, NULL))
				return -ENOMEM;
			t->m->seen++;
		}
		if (!o && !(o = g->open = calloc(1, sizeof(*o))))
			return -ENOMEM;
		free(o->reason);
		free(o->site);
		o->reason = strdup(reason ? reason : name);
		o->site = strdup(site ? site : "(no stack)");
		if (!o->reason || !o->site)
			return -ENOMEM;
		o->s = (struct rspan){
			.begin = p->timestamp,
			.first = g->fed == 0,
			.reason = o->reason,
			.block_site = o->site,
			.kind = !strcmp(name, schema_name[SCHEMA_NAME_RUNNING])	 ? RS_RUNNING :
				!strcmp(name, schema_name[SCHEMA_NAME_RUNNABLE]) ? RS_RUNNABLE :
				!strcmp(name, schema_name[SCHEMA_NAME_SYSCALL])	 ? RS_SYSCALL :
										   RS_BLOCKED,
		};
		o->s.long_lived = arg(t, te, schema_arg[SCHEMA_ARG_LONG_LIVED], NULL) != NULL;
		if (arg(t, te, schema_arg[SCHEMA_ARG_ALLOC_BYTES], &u))
			o->s.alloc_bytes = u;
		if (arg(t, te, schema_arg[SCHEMA_ARG_ALLOC_COUNT], &u))
			o->s.alloc_count = u;
		return 0;
	}
	if (te->type != 2 || !g->open)
		return 0;
	g->open->s.end = p->timestamp;
	g->fed++;
	if (g->fed == g->nspans)
		g->open->s.how = g->last_open ? RP_END_RECORDING : RP_END_EXIT;
	else
		g->open->s.how = ends_life(g, g->fed - 1) ? RP_END_EXIT : RP_END_NEXT;
	ret = rep__span(t->rep, &g->l, &g->open->s);
	if (!ret && g->open->s.how != RP_END_NEXT)
		ret = rep__died(t->rep, &g->l, g->open->s.how, g->open->s.end);
	return ret;
}

static int by_created(const void *a, const void *b)
{
	const struct gtrack *x = a, *y = b;

	if (x->l.created != y->l.created)
		return x->l.created < y->l.created ? -1 : 1;
	return x->l.goid < y->l.goid ? -1 : x->l.goid > y->l.goid;
}

int report_trace__run(const char *path, struct rep *p, char *err, size_t errlen)
{
	struct rmeta m = { .source = "trace", .stacks_unknown = true };
	struct tr t = { .rep = p, .m = &m };
	struct stat st;
	size_t i;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		ret = -errno;
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(-ret));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	t.size = (size_t)st.st_size;
	t.data = t.size ? mmap(NULL, t.size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	close(fd);
	if (t.data == MAP_FAILED) {
		ret = -errno;
		t.data = NULL;
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(-ret));
		return ret;
	}
	ret = each_packet(&t, pass1);
	if (ret == -ENOMEM)
		goto oom;
	if (ret || !t.group_uuid) {
		snprintf(err, errlen, "'%s' is not a trace gotl wrote (%s)", path,
			 ret ? "malformed packets" : "no Goroutines track");
		ret = ret ? ret : -EPROTO;
		goto cleanup;
	}

	/* Lives in creation order, so a parent is born before its children. */
	if (t.ng) /* t.g is NULL when there are none, and qsort's base must not be */
		qsort(t.g, t.ng, sizeof(*t.g), by_created);
	u64map__free(&t.by_uuid);
	for (i = 0; i < t.ng; i++) {
		struct gtrack *g = &t.g[i], *parent;

		if (u64map__put(&t.by_uuid, g->uuid, g))
			goto oom;
		if (!g->seen_first)
			continue; /* a track without slices */
		g->l.start = g->start;
		g->l.site = g->site;
		parent = g->l.parent_goid ? u64map__get(&t.by_goid, g->l.parent_goid) : NULL;
		if (rep__born(p, &g->l, parent ? &parent->l : NULL) ||
		    (g->l.goid && u64map__put(&t.by_goid, g->l.goid, g)))
			goto oom;
		m.seen++;
	}
	ret = each_packet(&t, pass2);
	if (ret == -ENOMEM)
		goto oom;
	if (ret) {
		snprintf(err, errlen, "'%s' is not a trace gotl wrote (malformed packets)", path);
		goto cleanup;
	}
	rep__alloc_totals(p, &t.alloc);
	m.comm = t.comm;
	m.go_version = t.go_version;
	for (i = 0; i < RM_MAX; i++)
		m.info[i] = t.info[i];
	if (!m.max_alive_ts)
		m.max_alive_ts = m.start;
	rep__output(p, &m);
	goto cleanup;
oom:
	ret = -ENOMEM;
	snprintf(err, errlen, "out of memory");
cleanup:
	for (i = 0; i < t.ng; i++) {
		free(t.g[i].start);
		free(t.g[i].site);
		free(t.g[i].life_ends);
		if (t.g[i].open) {
			free(t.g[i].open->reason);
			free(t.g[i].open->site);
			free(t.g[i].open);
		}
	}
	free(t.g);
	u64map__free(&t.by_uuid);
	u64map__free(&t.fgroups);
	u64map__free(&t.type_parts);
	u64map__free(&t.by_goid);
	itab_free(&t.names);
	itab_free(&t.args);
	itab_free(&t.strs);
	free(t.comm);
	free(t.go_version);
	for (i = 0; i < RM_MAX; i++)
		free(t.info[i]);
	free(t.gc_trigger);
	free(t.stw_reason);
	if (t.data)
		munmap(t.data, t.size);
	return ret;
}
