// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pftrace.c: Perfetto trace writer. TrackEvent packets, the hot path (one
 * or more per goroutine event), are encoded by hand straight into the
 * output buffer: varints and length-delimited submessages, fields in
 * field-number order, byte for byte what protobuf-c would write for the
 * same packet. The rare packets (clock snapshot, track descriptors,
 * attributes, interned data) are built from stack structs and packed with
 * protobuf-c. Framed packets go to a 1 MiB output buffer in front of
 * write(2), or, with compression on, into a chunk of at most PF_CHUNK bytes
 * that is deflated (zlib) into one TracePacket.compressed_packets when full.
 *
 * It knows the wire rules (sequence id on every packet, CLEARED on the
 * first, interned entries in the packet that first uses them, timestamps as
 * deltas that never go back) and nothing about goroutines. It never holds
 * more than one chunk and one output buffer of the trace.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "perfetto_trace.pb-c.h"
#include "pftrace.h"

#define PF_SEQ_ID		0x67u	/* 'g': one byte on the wire, on every packet */
/*
 * OS thread descriptors go on a sequence of their own, with nothing else:
 * the importer takes the first thread descriptor of a sequence for the
 * thread that writes the sequence (a legacy rule), and would then give
 * every slice of its process-scoped tracks (every goroutine's) an arg
 * "legacy_event.passthrough_utid" naming that thread.
 */
#define PF_SEQ_THREADS		0x74u	/* 't' */
#define PF_SEQ_CLEARED		1
#define PF_SEQ_NEEDS		2
#define PF_OUTBUF		(1 << 20)
#define PF_MAX_ARGS		PFTRACE_MAX_ARGS
#define PF_MAX_EXTRA		8	/* counter values on one event: the importer's limit */
/*
 * Framed packets per compressed_packets packet, before compression:
 * Perfetto's importer wants each such packet under 512 KB, and deflate
 * never grows data by more than a few bytes per 16 KiB.
 */
#define PF_CHUNK		(256 << 10)

#define CLOCK_REALTIME_ID	1
#define CLOCK_MONOTONIC_ID	3
#define CLOCK_BOOTTIME_ID	6
/*
 * The sequence's default clock: BOOTTIME as deltas (a sequence-scoped
 * incremental clock, declared equal to BOOTTIME from 0, so the first delta
 * is an absolute time). A packet whose time is before the last one written
 * on it (a slice's BEGIN, written when the slice ends) names BOOTTIME
 * instead, with an absolute time: deltas never go back.
 */
#define CLOCK_DELTA_ID		64
#define FRAME_KIND_RUNTIME	6	/* Frame.Kind KIND_RUNTIME */

/* An intern table: string -> iid, plus the entries not yet written. */
struct itab {
	struct ient {
		char *s;
		uint64_t hash;
		uint64_t iid;
	} *slots;
	size_t cap, len;
	uint64_t *pend; /* iids of entries to send with the next packet */
	size_t npend, cap_pend;
};

/*
 * Intern tables. An IT_FRAME key is "function iid,source path iid,line,kind"
 * (iids of IT_FUNC and IT_SRC, 0 for none); an IT_STACK key is its frame
 * iids, in the caller's order, as "3,5,9".
 */
enum { IT_NAME, IT_CAT, IT_ARG, IT_STR, IT_FUNC, IT_SRC, IT_FRAME, IT_STACK, IT_MAX };

struct pftrace {
	int fd;
	int err;
	uint64_t bytes;
	struct itab it[IT_MAX];
	size_t npending; /* interned entries waiting for the next packet, in all tables */
	/*
	 * Encoded varints of the last timestamp and of recent tracks: a state's
	 * END, the counters that move with it and the next BEGIN share a time;
	 * a few tracks (the counters, the busy goroutines) take most events.
	 */
	struct venc {
		uint64_t v, bytes; /* bytes: the varint, in the low len bytes */
		size_t len;	   /* 0: empty */
	} ts_enc, track_enc[32];
	uint64_t clock_last;   /* CLOCK_DELTA_ID's time: that of the last packet on it */
	char **by_iid[IT_MAX]; /* iid -> string, for building interned data */
	size_t by_iid_cap[IT_MAX];
	/*
	 * A slice's END, held back until the next packet so that the counter
	 * values of the same instant ride on it (extra_counter_values) instead
	 * of taking a packet each: a transition ends a state and moves two
	 * counters at one time.
	 */
	struct pend_end {
		bool on;
		size_t n;
		size_t nz; /* the first nz values are the non-zero ones */
		uint64_t track, ts;
		uint64_t uuid[PF_MAX_EXTRA];
		int64_t val[PF_MAX_EXTRA];
	} end;
	uint8_t *scratch;
	size_t scratch_cap;
	uint8_t *pkt; /* an event packet with interned data */
	size_t pkt_cap;
	/* Compression (pftrace__compress): framed packets waiting to be deflated. */
	int level; /* zlib level, 0 = off */
	bool z_init;
	z_stream zs;
	uint8_t *chunk;
	size_t chunk_used;
	uint8_t *zout; /* one compressed packet, framed */
	size_t zout_cap;
	uint64_t raw_bytes; /* framed packets, before compression */
	size_t used;
	bool started; /* the clock snapshot is written */
	char attr_prefix[64];
	uint8_t out[PF_OUTBUF];
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

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
	pf->npending++;
	return t->len;
oom:
	pf->err = -ENOMEM;
	return 0;
}

uint64_t pftrace__name_iid(struct pftrace *pf, const char *s)
{
	return intern(pf, IT_NAME, s);
}
uint64_t pftrace__cat_iid(struct pftrace *pf, const char *s)
{
	return intern(pf, IT_CAT, s);
}
uint64_t pftrace__arg_iid(struct pftrace *pf, const char *s)
{
	return intern(pf, IT_ARG, s);
}
uint64_t pftrace__str_iid(struct pftrace *pf, const char *s)
{
	return intern(pf, IT_STR, s);
}

uint64_t pftrace__frame_iid(struct pftrace *pf, const char *func, const char *file, uint32_t line,
			    bool runtime)
{
	uint64_t fn = intern(pf, IT_FUNC, func), src = file && *file ? intern(pf, IT_SRC, file) : 0;
	char key[96];

	if (!fn || (file && *file && !src))
		return 0;
	snprintf(key, sizeof(key), "%llu,%llu,%u,%d", (unsigned long long)fn,
		 (unsigned long long)src, src ? line : 0, runtime ? FRAME_KIND_RUNTIME : 0);
	return intern(pf, IT_FRAME, key);
}

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

static int write_all(struct pftrace *pf, const uint8_t *p, size_t n)
{
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

static int flush_out(struct pftrace *pf)
{
	int err = write_all(pf, pf->out, pf->used);

	pf->used = 0;
	return err;
}

/* Append bytes to the file (through the output buffer). */
static int emit(struct pftrace *pf, const uint8_t *p, size_t n)
{
	if (n > sizeof(pf->out) - pf->used && flush_out(pf))
		return pf->err;
	pf->bytes += n;
	if (n > sizeof(pf->out))
		return write_all(pf, p, n);
	memcpy(pf->out + pf->used, p, n);
	pf->used += n;
	return 0;
}

static inline size_t varint_len(uint64_t v)
{
	return v ? (size_t)(63 - __builtin_clzll(v)) / 7 + 1 : 1;
}

static inline uint8_t *put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/*
 * put_varint for the hot path: spreads the 7-bit groups of a value under
 * 2^56 over one 8-byte store. It may write up to 8 bytes whatever the
 * value: only where 8 bytes are free and what follows is written later.
 */
static inline uint8_t *put_varint8(uint8_t *p, uint64_t v)
{
	uint64_t x;
	size_t n;

	if (v < 0x80) {
		*p = (uint8_t)v;
		return p + 1;
	}
	if (v < 0x4000) {
		p[0] = (uint8_t)(v | 0x80);
		p[1] = (uint8_t)(v >> 7);
		return p + 2;
	}
	if (v >= 1ull << 56)
		return put_varint(p, v);
	n = varint_len(v);
	x = (v & 0x7f) | (v & 0x3f80) << 1 | (v & 0x1fc000) << 2 | (v & 0xfe00000) << 3 |
	    (v & 0x7f0000000ull) << 4 | (v & 0x3f800000000ull) << 5 |
	    (v & 0x1fc0000000000ull) << 6 | (v & 0xfe000000000000ull) << 7;
	x |= 0x8080808080808080ull >> (8 * (9 - n)); /* "more" on all but the last byte */
	memcpy(p, &x, 8);			     /* little-endian: gotl only runs on x86-64 */
	return p + n;
}

/* put_varint8 through a one-entry cache of the encoding of v (only for 3 to 8 bytes). */
static inline uint8_t *put_varint_cached(uint8_t *p, uint64_t v, struct venc *c)
{
	uint8_t *end;

	if (c->v == v && c->len) {
		memcpy(p, &c->bytes, 8);
		return p + c->len;
	}
	end = put_varint8(p, v);
	if (v >= 0x4000 && v < 1ull << 56) {
		c->v = v;
		memcpy(&c->bytes, p, 8); /* what put_varint8 stored */
		c->len = (size_t)(end - p);
	}
	return end;
}

/* Field keys (field number << 3 | wire type) of the hand-encoded messages. */
#define K_VARINT(f)	((uint64_t)(f) << 3)
#define K_FIXED64(f)	((uint64_t)(f) << 3 | 1)
#define K_LEN(f)	((uint64_t)(f) << 3 | 2)

/* Keys and values of hand-encoded fields (8-byte stores: see put_varint8). */
static inline uint8_t *put_key_varint(uint8_t *p, uint64_t key, uint64_t v)
{
	return put_varint8(put_varint8(p, key), v);
}

static inline uint8_t *put_key_fixed64(uint8_t *p, uint64_t key, uint64_t v)
{
	p = put_varint8(p, key);
	memcpy(p, &v, 8); /* little-endian: gotl only runs on x86-64 */
	return p + 8;
}

static inline struct venc *track_enc(struct pftrace *pf, uint64_t track)
{
	return &pf->track_enc[(track * 0x9e3779b97f4a7c15ull) >> 59];
}

/* Deflate the chunk into one compressed_packets packet (TracePacket field 50). */
static int flush_chunk(struct pftrace *pf)
{
	size_t bound, zlen, hdr;
	uint8_t *p;
	int ret;

	if (!pf->chunk_used || pf->err)
		return pf->err;
	if (!pf->z_init) {
		if (deflateInit(&pf->zs, pf->level) != Z_OK)
			return pf->err = -ENOMEM;
		pf->z_init = true;
	} else if (deflateReset(&pf->zs) != Z_OK) {
		return pf->err = -EIO;
	}
	bound = deflateBound(&pf->zs, pf->chunk_used) + 16;
	if (bound > pf->zout_cap) {
		uint8_t *n = realloc(pf->zout, bound);

		if (!n)
			return pf->err = -ENOMEM;
		pf->zout = n;
		pf->zout_cap = bound;
	}
	/* Room for the frame: 0x0a, len, 0x92 0x03, zlen: at most 2 + 5 + 2 + 5 bytes. */
	hdr = 14;
	pf->zs.next_in = pf->chunk;
	pf->zs.avail_in = (uInt)pf->chunk_used;
	pf->zs.next_out = pf->zout + hdr;
	pf->zs.avail_out = (uInt)(pf->zout_cap - hdr);
	ret = deflate(&pf->zs, Z_FINISH);
	if (ret != Z_STREAM_END)
		return pf->err = -EIO;
	zlen = pf->zout_cap - hdr - pf->zs.avail_out;
	/* Frame it right before the data: Trace.packet { compressed_packets = data }. */
	hdr = 1 + varint_len(2 + varint_len(zlen) + zlen) + 2 + varint_len(zlen);
	p = pf->zout + 14 - hdr;
	*p++ = 0x0a;
	p = put_varint(p, 2 + varint_len(zlen) + zlen);
	*p++ = 0x92; /* field 50, wire type 2 */
	*p++ = 0x03;
	p = put_varint(p, zlen);
	pf->chunk_used = 0;
	return emit(pf, pf->zout + 14 - hdr, hdr + zlen);
}

/*
 * Room for n bytes of framed packets where they go (the output buffer, or
 * the chunk to compress); NULL if n is too large for either (or on error).
 */
static uint8_t *room_slow(struct pftrace *pf, size_t n)
{
	if (pf->err)
		return NULL;
	if (pf->level) {
		if (n > PF_CHUNK)
			return NULL;
		if (n > PF_CHUNK - pf->chunk_used && flush_chunk(pf))
			return NULL;
		return pf->chunk + pf->chunk_used;
	}
	if (n > sizeof(pf->out))
		return NULL;
	if (n > sizeof(pf->out) - pf->used && flush_out(pf))
		return NULL;
	return pf->out + pf->used;
}

static inline uint8_t *room(struct pftrace *pf, size_t n)
{
	if (!pf->level && n <= sizeof(pf->out) - pf->used)
		return pf->out + pf->used;
	return room_slow(pf, n);
}

/* The n bytes written at room() are done. */
static inline void commit(struct pftrace *pf, size_t n)
{
	pf->raw_bytes += n;
	if (pf->level) {
		pf->chunk_used += n;
	} else {
		pf->used += n;
		pf->bytes += n;
	}
}

/* Frame one packet (Trace.packet = field 1, wire type 2) and append it. */
static int put_packet(struct pftrace *pf, const uint8_t *pkt, size_t n)
{
	size_t framed = 1 + varint_len(n) + n;
	uint8_t *p = room(pf, framed), frame[16], *f;

	if (p) {
		*p++ = 0x0a;
		p = put_varint(p, n);
		memcpy(p, pkt, n);
		commit(pf, framed);
		return 0;
	}
	if (pf->err)
		return pf->err;
	/* Too large for a chunk: on its own, uncompressed, after what came before. */
	if (pf->level && flush_chunk(pf))
		return pf->err;
	f = frame;
	*f++ = 0x0a;
	f = put_varint(f, n);
	pf->raw_bytes += framed;
	if (emit(pf, frame, (size_t)(f - frame)))
		return pf->err;
	return emit(pf, pkt, n);
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

/* The same for one of InternedData's lists of InternedString. */
#define PENDING_STRINGS()								\
	PENDING(Gotl__Perfetto__InternedString, GOTL__PERFETTO__INTERNED_STRING__INIT,	\
		(x.has_str = true, x.str.data = (uint8_t *)str, x.str.len = strlen(str)))

/* A Frame from its IT_FRAME key (see pftrace__frame_iid). */
static void frame_of(Gotl__Perfetto__Frame *f, const char *key)
{
	char *end;
	uint64_t src, line, kind;

	f->has_function_name_id = true;
	f->function_name_id = strtoull(key, &end, 10);
	src = strtoull(end + 1, &end, 10);
	line = strtoull(end + 1, &end, 10);
	kind = strtoull(end + 1, &end, 10);
	if (src) {
		f->has_source_path_iid = true;
		f->source_path_iid = src;
		f->has_line_number = true;
		f->line_number = (uint32_t)line;
	}
	if (kind) {
		f->has_kind = true;
		f->kind = (int32_t)kind;
	}
}

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
			PENDING_STRINGS();
			d->n_debug_annotation_string_values = t->npend;
			d->debug_annotation_string_values = (Gotl__Perfetto__InternedString **)list;
			break;
		case IT_FUNC:
			PENDING_STRINGS();
			d->n_function_names = t->npend;
			d->function_names = (Gotl__Perfetto__InternedString **)list;
			break;
		case IT_SRC:
			PENDING_STRINGS();
			d->n_source_paths = t->npend;
			d->source_paths = (Gotl__Perfetto__InternedString **)list;
			break;
		case IT_FRAME:
			PENDING(Gotl__Perfetto__Frame, GOTL__PERFETTO__FRAME__INIT,
				frame_of(&x, str));
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
				uint64_t *ids = arena_alloc(a,
							    (strlen(key) / 2 + 1) * sizeof(*ids));
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

static int grow(uint8_t **buf, size_t *cap, size_t n)
{
	size_t ncap = n * 2 > 4096 ? n * 2 : 4096;
	uint8_t *s;

	if (n <= *cap)
		return 0;
	s = realloc(*buf, ncap);
	if (!s)
		return -ENOMEM;
	*buf = s;
	*cap = ncap;
	return 0;
}

static void sent(struct pftrace *pf)
{
	size_t k;

	for (k = 0; k < IT_MAX; k++)
		pf->it[k].npend = 0;
	pf->npending = 0;
}

/*
 * What a packet at ts puts in its timestamp field, in file order: the time
 * since the last packet on the default clock, or, for a time before it, the
 * time itself (*abs: the packet names BOOTTIME, put_clock).
 */
static inline uint64_t ts_field(struct pftrace *pf, uint64_t ts, bool *abs)
{
	uint64_t d;

	*abs = ts < pf->clock_last;
	if (*abs)
		return ts;
	d = ts - pf->clock_last;
	pf->clock_last = ts;
	return d;
}

/* TracePacket.timestamp_clock_id = 58 (BOOTTIME), the last field, for an absolute time. */
#define PF_CLOCK_LEN	3

static inline uint8_t *put_clock(uint8_t *p, bool abs)
{
	if (!abs)
		return p;
	p[0] = (uint8_t)(K_VARINT(58) | 0x80);
	p[1] = (uint8_t)(K_VARINT(58) >> 7);
	p[2] = CLOCK_BOOTTIME_ID;
	return p + PF_CLOCK_LEN;
}

/*
 * A TracePacket { timestamp = 8, trusted_packet_sequence_id = 10,
 * track_event = 11, ..., timestamp_clock_id = 58 } encoded in place at p,
 * in address order (put_varint8 writes past its end), with one byte for the
 * packet's and the TrackEvent's lengths; packet_close moves what follows a
 * length up a byte if it needs two. packet_head returns where the
 * TrackEvent goes and, in *lenp, where its length goes; *abs: the packet
 * ends with put_clock.
 */
static inline uint8_t *packet_head(struct pftrace *pf, uint8_t *p, uint64_t ts, uint8_t **lenp,
				   bool *abs)
{
	uint8_t *q;

	p[0] = 0x0a;
	p[2] = (uint8_t)K_VARINT(8);
	q = put_varint_cached(p + 3, ts_field(pf, ts, abs), &pf->ts_enc);
	q = put_key_varint(q, K_VARINT(10), PF_SEQ_ID);
	*q++ = (uint8_t)K_LEN(11);
	*lenp = q;
	return q + 1;
}

/*
 * The packet at p ends at t; its TrackEvent runs from t0 to t, less `after`
 * bytes of fields after it.
 */
static inline void packet_close(struct pftrace *pf, uint8_t *p, uint8_t *lenp, uint8_t *t0,
				uint8_t *t, size_t after)
{
	size_t tlen = (size_t)(t - t0) - after, n;

	if (tlen >= 0x80) {
		memmove(t0 + 1, t0, tlen + after);
		t++;
	}
	put_varint(lenp, tlen);
	n = (size_t)(t - (p + 2));
	if (n >= 0x80) {
		memmove(p + 3, p + 2, n);
		t++;
	}
	put_varint(p + 1, n);
	commit(pf, (size_t)(t - p));
}

/*
 * The held-back END (struct pend_end): TrackEvent { type = 9, track_uuid =
 * 11, extra_counter_values = 12, extra_counter_track_uuids = 31 } in place
 * (it uses no interned ids; entries waiting to be sent go with the next
 * packet, which is the one using them).
 */
static int write_end(struct pftrace *pf)
{
	struct pend_end *e = &pf->end;
	uint8_t *p, *q, *t0, *t;
	size_t i;
	bool abs;

	e->on = false;
	if (pf->err)
		return pf->err;
	p = room(pf, 2 + 11 + 2 + 2 + 2 + 2 + 10 + PF_MAX_EXTRA * (11 + 12) + PF_CLOCK_LEN + 8);
	if (!p)
		return pf->err ? pf->err : -EMSGSIZE;
	t0 = t = packet_head(pf, p, e->ts, &q, &abs);
	*t++ = (uint8_t)K_VARINT(9);
	*t++ = 2;
	*t++ = (uint8_t)K_VARINT(11);
	t = put_varint_cached(t, e->track, track_enc(pf, e->track));
	for (i = 0; i < e->n; i++) {
		*t++ = (uint8_t)K_VARINT(12);
		t = put_varint8(t, (uint64_t)e->val[i]);
	}
	for (i = 0; i < e->n; i++) {
		*t++ = (uint8_t)(K_VARINT(31) | 0x80);
		*t++ = (uint8_t)(K_VARINT(31) >> 7);
		t = put_varint_cached(t, e->uuid[i], track_enc(pf, e->uuid[i]));
	}
	t = put_clock(t, abs);
	packet_close(pf, p, q, t0, t, abs ? PF_CLOCK_LEN : 0);
	return 0;
}

/* Write what is held back: every other writer calls this first, so file order stays. */
static inline int settle(struct pftrace *pf)
{
	return pf->end.on ? write_end(pf) : 0;
}

/*
 * Attach pending intern entries to pkt, pack it, frame it, append it. On
 * another sequence than PF_SEQ_ID (seq), it uses no interned ids and takes
 * none of the pending entries.
 */
static int write_packet_on(struct pftrace *pf, Gotl__Perfetto__TracePacket *pkt,
			   bool uses_interning, uint32_t seq)
{
	Gotl__Perfetto__InternedData idata = GOTL__PERFETTO__INTERNED_DATA__INIT;
	struct arena arena = { 0 };
	size_t n;
	int err = 0;

	if (settle(pf))
		return pf->err;
	pkt->has_trusted_packet_sequence_id = true;
	pkt->trusted_packet_sequence_id = seq;
	if (uses_interning && !pkt->has_sequence_flags) {
		pkt->has_sequence_flags = true;
		pkt->sequence_flags = PF_SEQ_NEEDS;
	}
	if (pf->npending && seq == PF_SEQ_ID) {
		err = build_interned(pf, &idata, &arena);
		if (err)
			goto out;
		pkt->interned_data = &idata;
	}
	n = protobuf_c_message_get_packed_size(&pkt->base);
	if (grow(&pf->scratch, &pf->scratch_cap, n)) {
		err = pf->err = -ENOMEM;
		goto out;
	}
	protobuf_c_message_pack(&pkt->base, pf->scratch);
	err = put_packet(pf, pf->scratch, n);
	if (!err && pkt->interned_data)
		sent(pf);
out:
	pkt->interned_data = NULL;
	arena_free(&arena);
	return err;
}

static int write_packet(struct pftrace *pf, Gotl__Perfetto__TracePacket *pkt, bool uses_interning)
{
	return write_packet_on(pf, pkt, uses_interning, PF_SEQ_ID);
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

int pftrace__compress(struct pftrace *pf, int level)
{
	if (level < 0 || level > 9)
		return -EINVAL;
	if (pf->raw_bytes || pf->level)
		return -EBUSY; /* only before the first packet */
	if (!level)
		return 0;
	pf->chunk = malloc(PF_CHUNK);
	if (!pf->chunk)
		return -ENOMEM;
	pf->level = level;
	return 0;
}

int pftrace__flush(struct pftrace *pf)
{
	if (settle(pf))
		return pf->err;
	if (pf->level && flush_chunk(pf))
		return pf->err;
	if (flush_out(pf))
		return pf->err;
	return pf->err;
}

uint64_t pftrace__bytes(const struct pftrace *pf)
{
	return pf->bytes;
}

uint64_t pftrace__raw_bytes(const struct pftrace *pf)
{
	return pf->raw_bytes;
}

int pftrace__close(struct pftrace *pf)
{
	int err, k;
	size_t i;

	if (!pf)
		return 0;
	pftrace__flush(pf);
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
	if (pf->z_init)
		deflateEnd(&pf->zs);
	free(pf->chunk);
	free(pf->zout);
	free(pf->pkt);
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
	Gotl__Perfetto__TracePacketDefaults defaults = GOTL__PERFETTO__TRACE_PACKET_DEFAULTS__INIT;
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

	/*
	 * The default clock (CLOCK_DELTA_ID): BOOTTIME, as deltas from 0. A
	 * snapshot of its own (not the first's instant: 0 on both), since the
	 * first delta counts from the value a snapshot gives it.
	 */
	cs = (Gotl__Perfetto__ClockSnapshot)GOTL__PERFETTO__CLOCK_SNAPSHOT__INIT;
	for (i = 0; i < 2; i++) {
		c[i] = (Gotl__Perfetto__ClockSnapshot__Clock)
			GOTL__PERFETTO__CLOCK_SNAPSHOT__CLOCK__INIT;
		c[i].has_clock_id = true;
		c[i].clock_id = i ? CLOCK_DELTA_ID : CLOCK_BOOTTIME_ID;
		c[i].has_timestamp = true;
		c[i].timestamp = 0;
	}
	c[1].has_is_incremental = true;
	c[1].is_incremental = true;
	cs.n_clocks = 2;
	cs.clocks = cp;
	pkt = (Gotl__Perfetto__TracePacket)GOTL__PERFETTO__TRACE_PACKET__INIT;
	pkt.clock_snapshot = &cs;
	err = write_packet(pf, &pkt, false);
	if (err)
		return err;
	pf->clock_last = 0;

	pkt = (Gotl__Perfetto__TracePacket)GOTL__PERFETTO__TRACE_PACKET__INIT;
	pkt.has_sequence_flags = true;
	pkt.sequence_flags = PF_SEQ_CLEARED;
	pkt.has_first_packet_on_sequence = true;
	pkt.first_packet_on_sequence = true;
	defaults.has_timestamp_clock_id = true;
	defaults.timestamp_clock_id = CLOCK_DELTA_ID;
	pkt.trace_packet_defaults = &defaults;
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
	return write_packet_on(pf, &pkt, false, t->tid ? PF_SEQ_THREADS : PF_SEQ_ID);
}

/* What a TrackEvent packet says (the arguments of event_w). */
struct pf_ev {
	int type;
	uint64_t track, ts, name_iid, cat_iid;
	const struct pf_arg *args;
	size_t nargs;
	uint64_t flow_out, flow_in, callstack_iid;
	bool has_counter;
	int64_t value;
	double weight;
};

/*
 * One DebugAnnotation (TrackEvent field 4): name_iid = 1, then the value:
 * bool_value = 2, uint_value = 3, int_value = 4, string_value_iid = 17.
 * Its length is at most 23 bytes: one byte.
 */
static inline uint8_t *put_arg(uint8_t *p, const struct pf_arg *a)
{
	uint8_t *b = p + 2;

	b = put_key_varint(b, K_VARINT(1), a->name_iid);
	switch (a->type) {
	case PF_ARG_INT:
		b = put_key_varint(b, K_VARINT(4), (uint64_t)a->i);
		break;
	case PF_ARG_UINT:
		b = put_key_varint(b, K_VARINT(3), a->u);
		break;
	case PF_ARG_BOOL:
		b = put_key_varint(b, K_VARINT(2), a->b ? 1 : 0);
		break;
	default:
		b = put_key_varint(b, K_VARINT(17), a->str_iid);
		break;
	}
	p[0] = (uint8_t)K_LEN(4);
	p[1] = (uint8_t)(b - (p + 2));
	return b;
}

/*
 * A TrackEvent { category_iids = 3, debug_annotations = 4, type = 9,
 * name_iid = 10, track_uuid = 11, counter_value = 30, flow_ids = 47,
 * terminating_flow_ids = 48, callstack_iid = 56, callstack_weight = 57 }:
 * at most PF_TE_MAX bytes.
 */
#define PF_TE_MAX	(11 + PF_MAX_ARGS * 25 + 2 + 11 + 11 + 12 + 10 + 10 + 12 + 10)

static inline uint8_t *put_te(struct pftrace *pf, uint8_t *t, const struct pf_ev *e)
{
	size_t i;

	if (e->cat_iid)
		t = put_key_varint(t, K_VARINT(3), e->cat_iid);
	for (i = 0; i < e->nargs; i++)
		t = put_arg(t, &e->args[i]);
	t = put_key_varint(t, K_VARINT(9), (uint64_t)e->type);
	if (e->name_iid)
		t = put_key_varint(t, K_VARINT(10), e->name_iid);
	*t++ = (uint8_t)K_VARINT(11);
	t = put_varint_cached(t, e->track, track_enc(pf, e->track));
	if (e->has_counter)
		t = put_key_varint(t, K_VARINT(30), (uint64_t)e->value);
	if (e->flow_out)
		t = put_key_fixed64(t, K_FIXED64(47), e->flow_out);
	if (e->flow_in)
		t = put_key_fixed64(t, K_FIXED64(48), e->flow_in);
	if (e->callstack_iid) {
		t = put_key_varint(t, K_VARINT(56), e->callstack_iid);
		if (e->weight > 0) {
			uint64_t w;

			memcpy(&w, &e->weight, 8);
			t = put_key_fixed64(t, K_FIXED64(57), w);
		}
	}
	return t;
}

/*
 * The event packet (head: its timestamp, sequence id and track_event key,
 * then te: the TrackEvent) with the new interned entries riding on it:
 * field 12, after the event (then the clock if abs). Kept out of event_w,
 * whose fast path must not even initialise an InternedData.
 */
static __attribute__((noinline)) int event_interned(struct pftrace *pf, const uint8_t *head,
						    size_t hlen, const uint8_t *te, size_t tlen,
						    bool abs)
{
	Gotl__Perfetto__InternedData idata = GOTL__PERFETTO__INTERNED_DATA__INIT;
	struct arena arena = { 0 };
	size_t ilen, n;
	uint8_t *p;
	int err;

	err = build_interned(pf, &idata, &arena);
	if (err) {
		pf->err = err;
		goto out;
	}
	ilen = protobuf_c_message_get_packed_size(&idata.base);
	n = hlen + tlen + 1 + varint_len(ilen) + ilen + PF_CLOCK_LEN;
	if (grow(&pf->pkt, &pf->pkt_cap, n + 16)) { /* put_varint8 may store past its end */
		err = pf->err = -ENOMEM;
		goto out;
	}
	memcpy(pf->pkt, head, hlen);
	p = pf->pkt + hlen;
	memcpy(p, te, tlen);
	p += tlen;
	p = put_key_varint(p, K_LEN(12), ilen);
	protobuf_c_message_pack(&idata.base, p);
	p += ilen;
	p = put_clock(p, abs);
	err = put_packet(pf, pf->pkt, (size_t)(p - pf->pkt));
	if (!err)
		sent(pf);
out:
	arena_free(&arena);
	return err;
}

/*
 * A TracePacket { timestamp = 8, trusted_packet_sequence_id = 10,
 * track_event = 11, interned_data = 12, timestamp_clock_id = 58 }. Without
 * new interned entries (nearly always) it is encoded in place in the output
 * (packet_head, packet_close). No sequence_flags: the sequence's state is
 * never lost in a file written whole, and the importer resolves interned
 * ids on a valid sequence whether the packet says it needs them or not.
 */
static int event_w(struct pftrace *pf, const struct pf_ev *e)
{
	uint8_t te[PF_TE_MAX + 8], head[32], *t, *h = head, *p, *q, *t0;
	size_t tlen;
	bool abs;

	if (settle(pf))
		return pf->err;
	if (pf->npending) {
		t = put_te(pf, te, e);
		tlen = (size_t)(t - te);
		h = put_key_varint(h, K_VARINT(8), ts_field(pf, e->ts, &abs));
		h = put_key_varint(h, K_VARINT(10), PF_SEQ_ID);
		h = put_key_varint(h, K_LEN(11), tlen);
		return event_interned(pf, head, (size_t)(h - head), te, tlen, abs);
	}
	p = room(pf, 2 + 2 + 11 + 6 + 2 + PF_TE_MAX + PF_CLOCK_LEN + 8);
	if (!p)
		return pf->err ? pf->err : -EMSGSIZE;
	t0 = packet_head(pf, p, e->ts, &q, &abs);
	t = put_te(pf, t0, e);
	t = put_clock(t, abs);
	packet_close(pf, p, q, t0, t, abs ? PF_CLOCK_LEN : 0);
	return 0;
}

static int event(struct pftrace *pf, int type, uint64_t track, uint64_t ts, uint64_t name_iid,
		 uint64_t cat_iid, const struct pf_arg *args, size_t nargs, uint64_t flow_out,
		 uint64_t flow_in, uint64_t callstack_iid, bool has_counter, int64_t value)
{
	struct pf_ev e = {
		.type = type,
		.track = track,
		.ts = ts,
		.name_iid = name_iid,
		.cat_iid = cat_iid,
		.args = args,
		.nargs = nargs > PF_MAX_ARGS ? PF_MAX_ARGS : nargs,
		.flow_out = flow_out,
		.flow_in = flow_in,
		.callstack_iid = callstack_iid,
		.has_counter = has_counter,
		.value = value,
	};

	return event_w(pf, &e);
}

int pftrace__sample(struct pftrace *pf, uint64_t track, uint64_t ts, uint64_t name_iid,
		    uint64_t cat_iid, const struct pf_arg *args, size_t nargs,
		    uint64_t callstack_iid, double weight)
{
	struct pf_ev e = {
		.type = 3,
		.track = track,
		.ts = ts,
		.name_iid = name_iid,
		.cat_iid = cat_iid,
		.args = args,
		.nargs = nargs > PF_MAX_ARGS ? PF_MAX_ARGS : nargs,
		.callstack_iid = callstack_iid,
		.weight = weight,
	};

	return event_w(pf, &e);
}

/*
 * A counter value that could not ride on an END: TrackEvent { type = 9,
 * track_uuid = 11, counter_value = 30 } (type COUNTER) in place.
 */
static int counter_packet(struct pftrace *pf, uint64_t track, uint64_t ts, int64_t value)
{
	uint8_t *p, *q, *t0, *t;
	bool abs;

	if (settle(pf))
		return pf->err;
	p = room(pf, 2 + 11 + 2 + 2 + 2 + 2 + 10 + 11 + PF_CLOCK_LEN + 8);
	if (!p)
		return pf->err ? pf->err : -EMSGSIZE;
	t0 = t = packet_head(pf, p, ts, &q, &abs);
	*t++ = (uint8_t)K_VARINT(9);
	*t++ = 4;
	*t++ = (uint8_t)K_VARINT(11);
	t = put_varint_cached(t, track, track_enc(pf, track));
	t = put_key_varint(t, K_VARINT(30), (uint64_t)value);
	t = put_clock(t, abs);
	packet_close(pf, p, q, t0, t, abs ? PF_CLOCK_LEN : 0);
	return 0;
}

int pftrace__slice(struct pftrace *pf, uint64_t track, uint64_t begin, uint64_t end,
		   uint64_t name_iid, uint64_t cat_iid, const struct pf_arg *args, size_t nargs,
		   uint64_t flow_in, uint64_t callstack_iid)
{
	int err;

	err = event(pf, 1, track, begin, name_iid, cat_iid, args, nargs, 0, flow_in, callstack_iid,
		    false, 0);
	if (err)
		return err;
	pf->end.on = true; /* written by the next writer, with the counters of its time */
	pf->end.track = track;
	pf->end.ts = end;
	pf->end.n = 0;
	pf->end.nz = 0;
	return 0;
}

int pftrace__instant(struct pftrace *pf, uint64_t track, uint64_t ts, uint64_t name_iid,
		     uint64_t cat_iid, const struct pf_arg *args, size_t nargs, uint64_t flow_out,
		     uint64_t callstack_iid)
{
	return event(pf, 3, track, ts, name_iid, cat_iid, args, nargs, flow_out, 0, callstack_iid,
		     false, 0);
}

int pftrace__counter(struct pftrace *pf, uint64_t track, uint64_t ts, int64_t value)
{
	struct pend_end *e = &pf->end;

	if (e->on && e->ts == ts && e->n < PF_MAX_EXTRA) {
		/*
		 * Zeros last: Perfetto's importer (v58.2) reads every value after a
		 * 0 in extra_counter_values as 0 (the UI then shows the counter wrong).
		 */
		size_t at = e->n++;

		if (value && e->nz < at) { /* the first zero moves to the end */
			e->uuid[at] = e->uuid[e->nz];
			e->val[at] = e->val[e->nz];
			at = e->nz;
		}
		if (value)
			e->nz++;
		e->uuid[at] = track;
		e->val[at] = value;
		return pf->err;
	}
	return counter_packet(pf, track, ts, value);
}
