// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pftrace.c: Perfetto trace writer over protobuf-c. Builds each TracePacket
 * from stack structs, packs it into a reusable scratch buffer and appends
 * the framed bytes to a 1 MiB output buffer in front of write(2).
 *
 * It knows the wire rules (sequence id on every packet, CLEARED on the
 * first, NEEDS on those using interned ids, interned entries in the packet
 * that first uses them) and nothing about goroutines.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "perfetto_trace.pb-c.h"
#include "pftrace.h"

#define PF_SEQ_ID		0x676f746cu	/* "gotl" */
#define PF_SEQ_CLEARED		1
#define PF_SEQ_NEEDS		2
#define PF_OUTBUF		(1 << 20)
#define PF_MAX_ARGS		16

#define CLOCK_REALTIME_ID	1
#define CLOCK_MONOTONIC_ID	3
#define CLOCK_BOOTTIME_ID	6

/* An intern table: string -> iid, plus the entries not yet written. */
struct itab {
	struct ient {
		char *s;
		uint64_t hash;
		uint64_t iid;
	} *slots;
	size_t cap, len;
	uint64_t *pend;		/* iids of entries to send with the next packet */
	size_t npend, cap_pend;
};

/*
 * Intern tables. IT_FUNC entries are also sent as Frames with the same iid;
 * an IT_STACK key is its frame iids, outermost first, as "3,5,9".
 */
enum { IT_NAME, IT_CAT, IT_ARG, IT_STR, IT_FUNC, IT_STACK, IT_MAX };

struct pftrace {
	int fd;
	int err;
	uint64_t bytes;
	struct itab it[IT_MAX];
	char **by_iid[IT_MAX];	/* iid -> string, for building interned data */
	size_t by_iid_cap[IT_MAX];
	uint8_t *scratch;
	size_t scratch_cap;
	size_t used;
	bool started;		/* the clock snapshot is written */
	char attr_prefix[64];
	uint8_t out[PF_OUTBUF];
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a */

	while (*s)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ull;
	return h;
}

static int itab_grow(struct itab *t)
{
	size_t ncap = t->cap ? t->cap * 2 : 256, i, j;
	struct ient *n = calloc(ncap, sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (i = 0; i < t->cap; i++) {
		if (!t->slots[i].s)
			continue;
		for (j = t->slots[i].hash & (ncap - 1); n[j].s; j = (j + 1) & (ncap - 1))
			;
		n[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = n;
	t->cap = ncap;
	return 0;
}

static uint64_t intern(struct pftrace *pf, int kind, const char *s)
{
	struct itab *t = &pf->it[kind];
	uint64_t h = hash_str(s);
	size_t i;

	if (pf->err)
		return 0;
	if ((t->len + 1) * 2 > t->cap && itab_grow(t))
		goto oom;
	for (i = h & (t->cap - 1); t->slots[i].s; i = (i + 1) & (t->cap - 1))
		if (t->slots[i].hash == h && !strcmp(t->slots[i].s, s))
			return t->slots[i].iid;
	t->slots[i].s = strdup(s);
	if (!t->slots[i].s)
		goto oom;
	t->slots[i].hash = h;
	t->slots[i].iid = ++t->len;
	if (t->len >= pf->by_iid_cap[kind]) {
		size_t ncap = pf->by_iid_cap[kind] ? pf->by_iid_cap[kind] * 2 : 256;
		char **n = realloc(pf->by_iid[kind], ncap * sizeof(*n));

		if (!n)
			goto oom;
		pf->by_iid[kind] = n;
		pf->by_iid_cap[kind] = ncap;
	}
	pf->by_iid[kind][t->len] = t->slots[i].s;
	if (t->npend == t->cap_pend) {
		size_t ncap = t->cap_pend ? t->cap_pend * 2 : 64;
		uint64_t *n = realloc(t->pend, ncap * sizeof(*n));

		if (!n)
			goto oom;
		t->pend = n;
		t->cap_pend = ncap;
	}
	t->pend[t->npend++] = t->len;
	return t->len;
oom:
	pf->err = -ENOMEM;
	return 0;
}

uint64_t pftrace__name_iid(struct pftrace *pf, const char *s) { return intern(pf, IT_NAME, s); }
uint64_t pftrace__cat_iid(struct pftrace *pf, const char *s) { return intern(pf, IT_CAT, s); }
uint64_t pftrace__arg_iid(struct pftrace *pf, const char *s) { return intern(pf, IT_ARG, s); }
uint64_t pftrace__str_iid(struct pftrace *pf, const char *s) { return intern(pf, IT_STR, s); }
uint64_t pftrace__frame_iid(struct pftrace *pf, const char *s) { return intern(pf, IT_FUNC, s); }

uint64_t pftrace__callstack_iid(struct pftrace *pf, const uint64_t *frames, size_t n)
{
	char key[16 * 64 + 1];
	size_t i, len = 0;

	if (!n)
		return 0;
	for (i = 0; i < n && len + 21 < sizeof(key); i++)
		len += (size_t)snprintf(key + len, sizeof(key) - len, "%s%llu", i ? "," : "",
					(unsigned long long)frames[i]);
	return intern(pf, IT_STACK, key);
}

static int flush_out(struct pftrace *pf)
{
	size_t off = 0;

	while (off < pf->used) {
		ssize_t w = write(pf->fd, pf->out + off, pf->used - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			pf->err = -errno;
			return pf->err;
		}
		off += (size_t)w;
	}
	pf->used = 0;
	return 0;
}

static int emit(struct pftrace *pf, const uint8_t *p, size_t n)
{
	if (n > sizeof(pf->out) - pf->used && flush_out(pf))
		return pf->err;
	if (n > sizeof(pf->out)) {
		while (n) {
			ssize_t w = write(pf->fd, p, n);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				pf->err = -errno;
				return pf->err;
			}
			p += w;
			n -= (size_t)w;
		}
		return 0;
	}
	memcpy(pf->out + pf->used, p, n);
	pf->used += n;
	return 0;
}

/* Allocations that live only while one packet is packed. */
struct arena {
	void **blocks;
	size_t n, cap;
};

static void *arena_alloc(struct arena *a, size_t size)
{
	void *p;

	if (a->n == a->cap) {
		size_t ncap = a->cap ? a->cap * 2 : 16;
		void **b = realloc(a->blocks, ncap * sizeof(*b));

		if (!b)
			return NULL;
		a->blocks = b;
		a->cap = ncap;
	}
	p = calloc(1, size ? size : 1);
	if (p)
		a->blocks[a->n++] = p;
	return p;
}

static void arena_free(struct arena *a)
{
	while (a->n)
		free(a->blocks[--a->n]);
	free(a->blocks);
}

/* {iid, string} messages of the entries of table k waiting to be sent. */
#define PENDING(T, INIT, FIELD_SET)							\
	do {										\
		T *m = arena_alloc(a, t->npend * sizeof(*m));				\
		T **p = arena_alloc(a, t->npend * sizeof(*p));				\
											\
		if (!m || !p)								\
			return -ENOMEM;							\
		for (i = 0; i < t->npend; i++) {					\
			T x = INIT;							\
			const char *str = pf->by_iid[k][t->pend[i]];			\
											\
			x.has_iid = true;						\
			x.iid = t->pend[i];						\
			FIELD_SET;							\
			m[i] = x;							\
			p[i] = &m[i];							\
		}									\
		list = (void **)p;							\
	} while (0)

static int build_interned(struct pftrace *pf, Gotl__Perfetto__InternedData *d, struct arena *a)
{
	size_t i, k;

	for (k = 0; k < IT_MAX; k++) {
		struct itab *t = &pf->it[k];
		void **list = NULL;

		if (!t->npend)
			continue;
		switch (k) {
		case IT_NAME:
			PENDING(Gotl__Perfetto__EventName, GOTL__PERFETTO__EVENT_NAME__INIT,
				x.name = (char *)str);
			d->n_event_names = t->npend;
			d->event_names = (Gotl__Perfetto__EventName **)list;
			break;
		case IT_CAT:
			PENDING(Gotl__Perfetto__EventCategory, GOTL__PERFETTO__EVENT_CATEGORY__INIT,
				x.name = (char *)str);
			d->n_event_categories = t->npend;
			d->event_categories = (Gotl__Perfetto__EventCategory **)list;
			break;
		case IT_ARG:
			PENDING(Gotl__Perfetto__DebugAnnotationName,
				GOTL__PERFETTO__DEBUG_ANNOTATION_NAME__INIT, x.name = (char *)str);
			d->n_debug_annotation_names = t->npend;
			d->debug_annotation_names = (Gotl__Perfetto__DebugAnnotationName **)list;
			break;
		case IT_STR:
			PENDING(Gotl__Perfetto__InternedString, GOTL__PERFETTO__INTERNED_STRING__INIT,
				(x.has_str = true, x.str.data = (uint8_t *)str,
				 x.str.len = strlen(str)));
			d->n_debug_annotation_string_values = t->npend;
			d->debug_annotation_string_values = (Gotl__Perfetto__InternedString **)list;
			break;
		case IT_FUNC:
			PENDING(Gotl__Perfetto__InternedString, GOTL__PERFETTO__INTERNED_STRING__INIT,
				(x.has_str = true, x.str.data = (uint8_t *)str,
				 x.str.len = strlen(str)));
			d->n_function_names = t->npend;
			d->function_names = (Gotl__Perfetto__InternedString **)list;
			/* Each function name is also a frame, with the same iid. */
			PENDING(Gotl__Perfetto__Frame, GOTL__PERFETTO__FRAME__INIT,
				(x.has_function_name_id = true, x.function_name_id = x.iid,
				 (void)str));
			d->n_frames = t->npend;
			d->frames = (Gotl__Perfetto__Frame **)list;
			break;
		case IT_STACK: {
			Gotl__Perfetto__Callstack *m = arena_alloc(a, t->npend * sizeof(*m));
			Gotl__Perfetto__Callstack **p = arena_alloc(a, t->npend * sizeof(*p));

			if (!m || !p)
				return -ENOMEM;
			for (i = 0; i < t->npend; i++) {
				const char *key = pf->by_iid[k][t->pend[i]];
				uint64_t *ids = arena_alloc(a, (strlen(key) / 2 + 1) * sizeof(*ids));
				size_t n = 0;
				char *end;

				if (!ids)
					return -ENOMEM;
				m[i] = (Gotl__Perfetto__Callstack)GOTL__PERFETTO__CALLSTACK__INIT;
				m[i].has_iid = true;
				m[i].iid = t->pend[i];
				for (; *key; key = *end ? end + 1 : end)
					ids[n++] = strtoull(key, &end, 10);
				m[i].n_frame_ids = n;
				m[i].frame_ids = ids;
				p[i] = &m[i];
			}
			d->n_callstacks = t->npend;
			d->callstacks = p;
			break;
		}
		}
	}
	return 0;
}

/* Attach pending intern entries to pkt, pack it, frame it, append it. */
static int write_packet(struct pftrace *pf, Gotl__Perfetto__TracePacket *pkt, bool uses_interning)
{
	Gotl__Perfetto__InternedData idata = GOTL__PERFETTO__INTERNED_DATA__INIT;
	struct arena arena = { 0 };
	size_t total = 0, k, i, n, hdr;
	uint8_t frame[16];
	int err = 0;

	if (pf->err)
		return pf->err;
	pkt->has_trusted_packet_sequence_id = true;
	pkt->trusted_packet_sequence_id = PF_SEQ_ID;
	if (uses_interning && !pkt->has_sequence_flags) {
		pkt->has_sequence_flags = true;
		pkt->sequence_flags = PF_SEQ_NEEDS;
	}
	for (k = 0; k < IT_MAX; k++)
		total += pf->it[k].npend;
	if (total) {
		err = build_interned(pf, &idata, &arena);
		if (err)
			goto out;
		pkt->interned_data = &idata;
	}

	n = protobuf_c_message_get_packed_size(&pkt->base);
	if (n > pf->scratch_cap) {
		size_t ncap = n * 2 > 4096 ? n * 2 : 4096;
		uint8_t *s = realloc(pf->scratch, ncap);

		if (!s) {
			err = pf->err = -ENOMEM;
			goto out;
		}
		pf->scratch = s;
		pf->scratch_cap = ncap;
	}
	protobuf_c_message_pack(&pkt->base, pf->scratch);
	/* Trace.packet = field 1, wire type 2. */
	frame[0] = 0x0a;
	hdr = 1;
	for (i = n; i >= 0x80; i >>= 7)
		frame[hdr++] = (uint8_t)(i | 0x80);
	frame[hdr++] = (uint8_t)i;
	err = emit(pf, frame, hdr);
	if (!err)
		err = emit(pf, pf->scratch, n);
	if (!err) {
		pf->bytes += hdr + n;
		for (k = 0; k < IT_MAX; k++)
			pf->it[k].npend = 0;
	}
out:
	pkt->interned_data = NULL;
	arena_free(&arena);
	return err;
}

int pftrace__open(const char *path, struct pftrace **out)
{
	struct pftrace *pf;
	int err;

	pf = malloc(sizeof(*pf));
	if (!pf)
		return -ENOMEM;
	memset(pf, 0, offsetof(struct pftrace, out));
	pf->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (pf->fd < 0) {
		err = -errno;
		free(pf);
		return err;
	}
	*out = pf;
	return 0;
}

uint64_t pftrace__bytes(const struct pftrace *pf)
{
	return pf->bytes;
}

int pftrace__close(struct pftrace *pf)
{
	int err, k;
	size_t i;

	if (!pf)
		return 0;
	flush_out(pf);
	err = pf->err;
	if (close(pf->fd) && !err)
		err = -errno;
	for (k = 0; k < IT_MAX; k++) {
		for (i = 0; i < pf->it[k].cap; i++)
			free(pf->it[k].slots[i].s);
		free(pf->it[k].slots);
		free(pf->it[k].pend);
		free(pf->by_iid[k]);
	}
	free(pf->scratch);
	free(pf);
	return err;
}

int pftrace__start(struct pftrace *pf, uint64_t boottime, uint64_t monotonic, uint64_t realtime)
{
	Gotl__Perfetto__TracePacket pkt = GOTL__PERFETTO__TRACE_PACKET__INIT;
	Gotl__Perfetto__ClockSnapshot cs = GOTL__PERFETTO__CLOCK_SNAPSHOT__INIT;
	Gotl__Perfetto__ClockSnapshot__Clock c[3] = {
		GOTL__PERFETTO__CLOCK_SNAPSHOT__CLOCK__INIT,
		GOTL__PERFETTO__CLOCK_SNAPSHOT__CLOCK__INIT,
		GOTL__PERFETTO__CLOCK_SNAPSHOT__CLOCK__INIT,
	};
	Gotl__Perfetto__ClockSnapshot__Clock *cp[3] = { &c[0], &c[1], &c[2] };
	uint32_t ids[3] = { CLOCK_BOOTTIME_ID, CLOCK_MONOTONIC_ID, CLOCK_REALTIME_ID };
	uint64_t vals[3] = { boottime, monotonic, realtime };
	int i, err;

	/* Several processes (record --follow) share the first one's clock snapshot. */
	if (pf->started)
		return 0;
	pf->started = true;

	for (i = 0; i < 3; i++) {
		c[i].has_clock_id = true;
		c[i].clock_id = ids[i];
		c[i].has_timestamp = true;
		c[i].timestamp = vals[i];
	}
	cs.n_clocks = realtime ? 3 : 2;
	cs.clocks = cp;
	cs.has_primary_trace_clock = true;
	cs.primary_trace_clock = CLOCK_BOOTTIME_ID;
	/* A clock snapshot is consumed alone: give it a packet of its own, first. */
	pkt.clock_snapshot = &cs;
	err = write_packet(pf, &pkt, false);
	if (err)
		return err;

	pkt = (Gotl__Perfetto__TracePacket)GOTL__PERFETTO__TRACE_PACKET__INIT;
	pkt.has_sequence_flags = true;
	pkt.sequence_flags = PF_SEQ_CLEARED;
	pkt.has_first_packet_on_sequence = true;
	pkt.first_packet_on_sequence = true;
	return write_packet(pf, &pkt, false);
}

static int attr(struct pftrace *pf, const char *key, const char *s, bool has_long, int64_t v)
{
	Gotl__Perfetto__TracePacket pkt = GOTL__PERFETTO__TRACE_PACKET__INIT;
	Gotl__Perfetto__TraceAttributes ta = GOTL__PERFETTO__TRACE_ATTRIBUTES__INIT;
	Gotl__Perfetto__TraceAttributes__Attribute a =
		GOTL__PERFETTO__TRACE_ATTRIBUTES__ATTRIBUTE__INIT;
	Gotl__Perfetto__TraceAttributes__Attribute *ap = &a;
	char k[256];

	if (pf->attr_prefix[0]) {
		snprintf(k, sizeof(k), "%s%s", pf->attr_prefix, key);
		key = k;
	}
	a.key = (char *)key;
	a.string_value = (char *)s;
	a.has_long_value = has_long;
	a.long_value = v;
	ta.n_attribute = 1;
	ta.attribute = &ap;
	pkt.trace_attributes = &ta;
	return write_packet(pf, &pkt, false);
}

void pftrace__attr_prefix(struct pftrace *pf, const char *prefix)
{
	snprintf(pf->attr_prefix, sizeof(pf->attr_prefix), "%s", prefix);
}

int pftrace__attr_str(struct pftrace *pf, const char *key, const char *value)
{
	return attr(pf, key, value, false, 0);
}

int pftrace__attr_int(struct pftrace *pf, const char *key, int64_t value)
{
	return attr(pf, key, NULL, true, value);
}

int pftrace__track(struct pftrace *pf, const struct pf_track *t)
{
	Gotl__Perfetto__TracePacket pkt = GOTL__PERFETTO__TRACE_PACKET__INIT;
	Gotl__Perfetto__TrackDescriptor td = GOTL__PERFETTO__TRACK_DESCRIPTOR__INIT;
	Gotl__Perfetto__ProcessDescriptor pd = GOTL__PERFETTO__PROCESS_DESCRIPTOR__INIT;
	Gotl__Perfetto__CounterDescriptor cd = GOTL__PERFETTO__COUNTER_DESCRIPTOR__INIT;
	Gotl__Perfetto__ThreadDescriptor thd = GOTL__PERFETTO__THREAD_DESCRIPTOR__INIT;
	size_t n = 0;

	td.has_uuid = true;
	td.uuid = t->uuid;
	if (t->parent) {
		td.has_parent_uuid = true;
		td.parent_uuid = t->parent;
	}
	td.name = (char *)t->name;
	td.description = (char *)t->description;
	if (t->pid) {
		pd.has_pid = true;
		pd.pid = t->pid;
		pd.process_name = (char *)t->process_name;
		if (t->cmdline) {
			while (t->cmdline[n])
				n++;
			pd.n_cmdline = n;
			pd.cmdline = (char **)t->cmdline;
		}
		td.process = &pd;
	}
	if (t->tid) {
		thd.has_pid = true;
		thd.pid = t->thread_pid;
		thd.has_tid = true;
		thd.tid = t->tid;
		thd.thread_name = (char *)t->thread_name;
		td.thread = &thd;
	}
	if (t->counter) {
		if (t->counter_unit) {
			cd.has_unit = true;
			cd.unit = t->counter_unit;
		}
		cd.unit_name = (char *)t->counter_unit_name;
		td.counter = &cd;
	}
	if (t->child_ordering) {
		td.has_child_ordering = true;
		td.child_ordering = t->child_ordering;
	}
	if (t->has_rank) {
		td.has_sibling_order_rank = true;
		td.sibling_order_rank = t->rank;
	}
	if (t->no_merge) {
		td.has_sibling_merge_behavior = true;
		td.sibling_merge_behavior = 2;
	}
	pkt.track_descriptor = &td;
	return write_packet(pf, &pkt, false);
}

/* Fill debug annotations from args; returns the count written. */
static size_t fill_args(const struct pf_arg *args, size_t nargs, Gotl__Perfetto__DebugAnnotation *da,
			Gotl__Perfetto__DebugAnnotation **dap)
{
	size_t i;

	if (nargs > PF_MAX_ARGS)
		nargs = PF_MAX_ARGS;
	for (i = 0; i < nargs; i++) {
		da[i] = (Gotl__Perfetto__DebugAnnotation)GOTL__PERFETTO__DEBUG_ANNOTATION__INIT;
		da[i].has_name_iid = true;
		da[i].name_iid = args[i].name_iid;
		switch (args[i].type) {
		case PF_ARG_INT:
			da[i].has_int_value = true;
			da[i].int_value = args[i].i;
			break;
		case PF_ARG_UINT:
			da[i].has_uint_value = true;
			da[i].uint_value = args[i].u;
			break;
		case PF_ARG_BOOL:
			da[i].has_bool_value = true;
			da[i].bool_value = args[i].b;
			break;
		case PF_ARG_STR:
			da[i].has_string_value_iid = true;
			da[i].string_value_iid = args[i].str_iid;
			break;
		}
		dap[i] = &da[i];
	}
	return nargs;
}

static int event_w(struct pftrace *pf, int type, uint64_t track, uint64_t ts, uint64_t name_iid,
		   uint64_t cat_iid, const struct pf_arg *args, size_t nargs, uint64_t flow_out,
		   uint64_t flow_in, uint64_t callstack_iid, bool has_counter, int64_t value,
		   double weight)
{
	Gotl__Perfetto__TracePacket pkt = GOTL__PERFETTO__TRACE_PACKET__INIT;
	Gotl__Perfetto__TrackEvent te = GOTL__PERFETTO__TRACK_EVENT__INIT;
	Gotl__Perfetto__DebugAnnotation da[PF_MAX_ARGS], *dap[PF_MAX_ARGS];

	pkt.has_timestamp = true;
	pkt.timestamp = ts;
	te.has_type = true;
	te.type = type;
	te.has_track_uuid = true;
	te.track_uuid = track;
	if (name_iid) {
		te.has_name_iid = true;
		te.name_iid = name_iid;
	}
	if (cat_iid) {
		te.n_category_iids = 1;
		te.category_iids = &cat_iid;
	}
	if (nargs) {
		te.n_debug_annotations = fill_args(args, nargs, da, dap);
		te.debug_annotations = dap;
	}
	if (flow_out) {
		te.n_flow_ids = 1;
		te.flow_ids = &flow_out;
	}
	if (flow_in) {
		te.n_terminating_flow_ids = 1;
		te.terminating_flow_ids = &flow_in;
	}
	if (callstack_iid) {
		te.has_callstack_iid = true;
		te.callstack_iid = callstack_iid;
		if (weight > 0) {
			te.has_callstack_weight = true;
			te.callstack_weight = weight;
		}
	}
	if (has_counter) {
		te.has_counter_value = true;
		te.counter_value = value;
	}
	pkt.track_event = &te;
	return write_packet(pf, &pkt, true);
}

static int event(struct pftrace *pf, int type, uint64_t track, uint64_t ts, uint64_t name_iid,
		 uint64_t cat_iid, const struct pf_arg *args, size_t nargs, uint64_t flow_out,
		 uint64_t flow_in, uint64_t callstack_iid, bool has_counter, int64_t value)
{
	return event_w(pf, type, track, ts, name_iid, cat_iid, args, nargs, flow_out, flow_in,
		       callstack_iid, has_counter, value, 0);
}

int pftrace__sample(struct pftrace *pf, uint64_t track, uint64_t ts, uint64_t name_iid,
		    uint64_t cat_iid, const struct pf_arg *args, size_t nargs,
		    uint64_t callstack_iid, double weight)
{
	return event_w(pf, 3, track, ts, name_iid, cat_iid, args, nargs, 0, 0, callstack_iid,
		       false, 0, weight);
}

int pftrace__slice(struct pftrace *pf, uint64_t track, uint64_t begin, uint64_t end,
		   uint64_t name_iid, uint64_t cat_iid, const struct pf_arg *args, size_t nargs,
		   uint64_t flow_in, uint64_t callstack_iid)
{
	int err;

	err = event(pf, 1, track, begin, name_iid, cat_iid, args, nargs, 0, flow_in,
		    callstack_iid, false, 0);
	if (!err)
		err = event(pf, 2, track, end, 0, 0, NULL, 0, 0, 0, 0, false, 0);
	return err;
}

int pftrace__instant(struct pftrace *pf, uint64_t track, uint64_t ts, uint64_t name_iid,
		     uint64_t cat_iid, const struct pf_arg *args, size_t nargs, uint64_t flow_out,
		     uint64_t callstack_iid)
{
	return event(pf, 3, track, ts, name_iid, cat_iid, args, nargs, flow_out, 0,
		     callstack_iid, false, 0);
}

int pftrace__counter(struct pftrace *pf, uint64_t track, uint64_t ts, int64_t value)
{
	return event(pf, 4, track, ts, 0, 0, NULL, 0, 0, 0, 0, true, value);
}
