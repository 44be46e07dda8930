// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_pftrace.c: the trace writer's hand-made encoding. Events of every
 * shape (each argument type, negative and 64-bit values, flows, callstacks
 * and weights, counters, counters at a slice's end that ride on its END
 * packet (up to 8, the rest in packets of their own), events long enough to
 * need two-byte lengths, new interned entries riding on an event), at
 * times that go back and forth, are written with pftrace, plain and
 * compressed; the file is then read back independently: framing by hand,
 * compressed_packets inflated with zlib, every packet unpacked with
 * protobuf-c, timestamps resolved as Perfetto's importer does (deltas on
 * the incremental default clock, absolute on BOOTTIME), and each field
 * compared with what was written. Stack frames: functions and source files
 * interned once each, a frame per function, file and line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "perfetto_trace.pb-c.h"
#include "pftrace.h"

#define NEV 3000

/* What one event was written with. */
struct want {
	int type;
	uint64_t track, ts, name, cat, flow_out, flow_in, cs;
	double weight;
	bool counter;
	int64_t value;
	struct pf_arg args[16];
	size_t nargs;
	/* Slices: counter values written at their end, right after them. */
	size_t nextra;
	uint64_t xtrack[12];
	int64_t xval[12];
};

static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A value of a random size: 0, small, or up to 64 bits. */
static uint64_t rval(void)
{
	switch (rnd() % 4) {
	case 0:
		return rnd() % 2;
	case 1:
		return rnd() % 200;
	case 2:
		return rnd() >> (rnd() % 64);
	default:
		return rnd();
	}
}

/* The framed packets of buf (inflating compressed ones), unpacked, appended to pkts. */
static void unpack_all(const uint8_t *buf, size_t size, Gotl__Perfetto__TracePacket **pkts,
		       size_t *n, size_t *ncompressed)
{
	size_t pos = 0;

	while (pos < size) {
		uint64_t len = 0;
		int shift = 0;

		assert_int_equal(buf[pos++], 0x0a);
		for (;;) {
			uint8_t b = buf[pos++];

			len |= (uint64_t)(b & 0x7f) << shift;
			shift += 7;
			if (!(b & 0x80))
				break;
		}
		assert_true(pos + len <= size);
		if (len > 2 && buf[pos] == 0x92 && buf[pos + 1] == 0x03) {
			/* TracePacket { compressed_packets = zlib(framed packets) } */
			const uint8_t *z = buf + pos + 2;
			uint64_t zlen = 0;
			uLongf out = 4 << 20;
			uint8_t *inner = malloc(out);

			shift = 0;
			for (;;) {
				uint8_t b = *z++;

				zlen |= (uint64_t)(b & 0x7f) << shift;
				shift += 7;
				if (!(b & 0x80))
					break;
			}
			assert_int_equal(z + zlen, buf + pos + len);
			assert_int_equal(uncompress(inner, &out, z, zlen), Z_OK);
			/* a chunk, under the 512 KB the importer takes */
			assert_true(out <= 256 << 10);
			unpack_all(inner, out, pkts, n, ncompressed);
			free(inner);
			(*ncompressed)++;
		} else {
			pkts[*n] = gotl__perfetto__trace_packet__unpack(NULL, len, buf + pos);
			assert_non_null(pkts[*n]);
			(*n)++;
		}
		pos += len;
	}
}

/*
 * p's time: a delta from *last on the default clock (64, incremental), or,
 * only for a time before *last, absolute on BOOTTIME (6).
 */
static uint64_t time_of(const Gotl__Perfetto__TracePacket *p, uint64_t *last)
{
	assert_true(p->has_timestamp);
	if (p->has_timestamp_clock_id) {
		assert_int_equal(p->timestamp_clock_id, 6);
		assert_true(p->timestamp < *last);
		return p->timestamp;
	}
	return *last += p->timestamp;
}

static void check_event(const Gotl__Perfetto__TracePacket *p, const struct want *w, uint64_t *last)
{
	const Gotl__Perfetto__TrackEvent *te = p->track_event;
	size_t i;

	assert_non_null(te);
	assert_int_equal(time_of(p, last), w->ts);
	assert_true(p->has_trusted_packet_sequence_id);
	/* No flags: the sequence is valid from its first packet on. */
	assert_false(p->has_sequence_flags);
	assert_int_equal(te->type, w->type);
	assert_int_equal(te->track_uuid, w->track);
	assert_int_equal(te->has_name_iid, w->name != 0);
	if (w->name)
		assert_int_equal(te->name_iid, w->name);
	assert_int_equal(te->n_category_iids, w->cat ? 1 : 0);
	if (w->cat)
		assert_int_equal(te->category_iids[0], w->cat);
	assert_int_equal(te->n_flow_ids, w->flow_out ? 1 : 0);
	if (w->flow_out)
		assert_int_equal(te->flow_ids[0], w->flow_out);
	assert_int_equal(te->n_terminating_flow_ids, w->flow_in ? 1 : 0);
	if (w->flow_in)
		assert_int_equal(te->terminating_flow_ids[0], w->flow_in);
	assert_int_equal(te->has_callstack_iid, w->cs != 0);
	if (w->cs)
		assert_int_equal(te->callstack_iid, w->cs);
	assert_int_equal(te->has_callstack_weight, w->cs && w->weight > 0);
	if (te->has_callstack_weight)
		assert_true(te->callstack_weight == w->weight);
	assert_int_equal(te->has_counter_value, w->counter);
	if (w->counter)
		assert_int_equal(te->counter_value, w->value);
	assert_int_equal(te->n_debug_annotations, w->nargs);
	for (i = 0; i < w->nargs; i++) {
		const Gotl__Perfetto__DebugAnnotation *d = te->debug_annotations[i];
		const struct pf_arg *a = &w->args[i];

		assert_int_equal(d->name_iid, a->name_iid);
		assert_int_equal(d->has_int_value, a->type == PF_ARG_INT);
		assert_int_equal(d->has_uint_value, a->type == PF_ARG_UINT);
		assert_int_equal(d->has_bool_value, a->type == PF_ARG_BOOL);
		assert_int_equal(d->has_string_value_iid, a->type == PF_ARG_STR);
		switch (a->type) {
		case PF_ARG_INT:
			assert_int_equal(d->int_value, a->i);
			break;
		case PF_ARG_UINT:
			assert_int_equal(d->uint_value, a->u);
			break;
		case PF_ARG_BOOL:
			assert_int_equal(d->bool_value, a->b);
			break;
		case PF_ARG_STR:
			assert_int_equal(d->string_value_iid, a->str_iid);
			break;
		}
	}
}

static void roundtrip(int level)
{
	char path[64];
	struct pftrace *pf;
	struct want *w = calloc(NEV, sizeof(*w));
	Gotl__Perfetto__TracePacket **pkts = calloc(NEV * 8 + 64, sizeof(*pkts));
	size_t npk = 0, nz = 0, i, j, k, n, ev = 0, interned = 0, absolute = 0;
	uint64_t last = 0, now = 1000;
	uint64_t names[8];
	uint8_t *buf;
	FILE *f;
	long size;

	snprintf(path, sizeof(path), "/tmp/gotl-test-pf-%d.pftrace", getpid());
	assert_int_equal(pftrace__open(path, &pf), 0);
	assert_int_equal(pftrace__compress(pf, level), 0);
	assert_int_equal(pftrace__start(pf, 1000, 900, 0), 0);
	for (i = 0; i < NEV; i++) {
		struct want *x = &w[i];
		char s[32];

		/* Every so often a new name: its interned entry rides on this event. */
		snprintf(s, sizeof(s), "name %zu", i % 97 == 0 ? i : i % 8);
		x->name = rnd() % 5 ? pftrace__name_iid(pf, s) : 0;
		/* Mostly forth (by steps of every size), a quarter of the time back. */
		if (rnd() % 4) {
			now += rval() >> 16;
			x->ts = now;
		} else {
			x->ts = now - rnd() % (now - 999);
		}
		x->track = rval();
		x->cat = rnd() % 2 ? pftrace__cat_iid(pf, "cat") : 0;
		x->nargs = rnd() % 3 ? rnd() % 17 : 0;
		for (k = 0; k < x->nargs; k++) {
			struct pf_arg *a = &x->args[k];

			a->name_iid = 1 + rval() % 1000;
			a->type = (enum pf_arg_type)(rnd() % 4);
			switch (a->type) {
			case PF_ARG_INT:
				a->i = (int64_t)rval() * (rnd() % 2 ? -1 : 1);
				break;
			case PF_ARG_UINT:
				a->u = rval();
				break;
			case PF_ARG_BOOL:
				a->b = true;
				break;
			case PF_ARG_STR:
				a->str_iid = 1 + rval() % 100000;
				break;
			}
		}
		switch (rnd() % 4) {
		case 0:
			x->type = 3;
			x->flow_out = rnd() % 2 ? 1 + rval() : 0;
			x->cs = rnd() % 2 ? 1 + rval() % 5000 : 0;
			assert_int_equal(pftrace__instant(pf, x->track, x->ts, x->name, x->cat,
							  x->args, x->nargs, x->flow_out, x->cs),
					 0);
			break;
		case 1:
			x->type = 3;
			x->cs = 1 + rval() % 5000;
			x->weight = (double)(rnd() % 3) * 1234.5;
			assert_int_equal(pftrace__sample(pf, x->track, x->ts, x->name, x->cat,
							 x->args, x->nargs, x->cs, x->weight),
					 0);
			break;
		case 2:
			x->type = 4;
			x->counter = true;
			x->value = (int64_t)rval() * (rnd() % 2 ? -1 : 1);
			x->name = x->cat = x->nargs = 0;
			assert_int_equal(pftrace__counter(pf, x->track, x->ts, x->value), 0);
			break;
		default:
			x->type = 1;
			x->flow_in = rnd() % 2 ? 1 + rval() : 0;
			x->cs = rnd() % 2 ? 1 + rval() % 5000 : 0;
			assert_int_equal(pftrace__slice(pf, x->track, x->ts, x->ts + 5, x->name,
							x->cat, x->args, x->nargs, x->flow_in,
							x->cs),
					 0);
			x->nextra = rnd() % 2 ? rnd() % 13 : 0;
			for (k = 0; k < x->nextra; k++) {
				x->xtrack[k] = rval();
				x->xval[k] = rnd() % 4 ? (int64_t)rval() * (rnd() % 2 ? -1 : 1) : 0;
				assert_int_equal(pftrace__counter(pf, x->xtrack[k], x->ts + 5,
								  x->xval[k]),
						 0);
			}
			break;
		}
	}
	names[0] = pftrace__name_iid(pf, "last");
	assert_int_equal(pftrace__close(pf), 0);

	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)size);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	unlink(path);
	unpack_all(buf, (size_t)size, pkts, &npk, &nz);
	if (level)
		assert_true(nz >= 1);
	else
		assert_int_equal(nz, 0);

	/*
	 * A clock snapshot; the default clock's, BOOTTIME from 0 as deltas; the
	 * sequence start, with that clock as its default; then the events in
	 * order (a slice is two).
	 */
	assert_non_null(pkts[0]->clock_snapshot);
	assert_true(pkts[0]->clock_snapshot->has_primary_trace_clock);
	assert_non_null(pkts[1]->clock_snapshot);
	assert_int_equal(pkts[1]->clock_snapshot->n_clocks, 2);
	assert_int_equal(pkts[1]->clock_snapshot->clocks[0]->clock_id, 6);
	assert_int_equal(pkts[1]->clock_snapshot->clocks[0]->timestamp, 0);
	assert_int_equal(pkts[1]->clock_snapshot->clocks[1]->clock_id, 64);
	assert_int_equal(pkts[1]->clock_snapshot->clocks[1]->timestamp, 0);
	assert_true(pkts[1]->clock_snapshot->clocks[1]->is_incremental);
	assert_int_equal(pkts[2]->sequence_flags, 1);
	assert_non_null(pkts[2]->trace_packet_defaults);
	assert_int_equal(pkts[2]->trace_packet_defaults->timestamp_clock_id, 64);
	for (i = 3; i < npk; i++) {
		const Gotl__Perfetto__TracePacket *p = pkts[i];

		assert_true(ev < NEV);
		if (p->interned_data)
			interned += p->interned_data->n_event_names;
		absolute += p->has_timestamp_clock_id;
		check_event(p, &w[ev], &last);
		if (w[ev].type == 1) {
			/* The END at ts + 5, same track, nothing else. */
			const Gotl__Perfetto__TrackEvent *end = pkts[++i]->track_event;

			assert_non_null(end);
			assert_int_equal(end->type, 2);
			assert_int_equal(end->track_uuid, w[ev].track);
			absolute += pkts[i]->has_timestamp_clock_id;
			assert_int_equal(time_of(pkts[i], &last), w[ev].ts + 5);
			assert_false(pkts[i]->has_sequence_flags);
			assert_int_equal(end->n_debug_annotations, 0);
			assert_false(end->has_name_iid);
			assert_false(end->has_counter_value);
			/*
			 * The first 8 counter values of its time ride on it, in order but
			 * the zeros last (Perfetto's importer reads what follows a 0 as 0)...
			 */
			n = w[ev].nextra < 8 ? w[ev].nextra : 8;
			assert_int_equal(end->n_extra_counter_values, n);
			assert_int_equal(end->n_extra_counter_track_uuids, n);
			for (k = 0, j = 0; k < n; k++) {
				if (!w[ev].xval[k])
					continue;
				assert_int_equal(end->extra_counter_track_uuids[j],
						 w[ev].xtrack[k]);
				assert_int_equal(end->extra_counter_values[j++], w[ev].xval[k]);
			}
			for (k = j; k < n; k++) {
				size_t z;
				bool found = false;

				assert_int_equal(end->extra_counter_values[k], 0);
				for (z = 0; z < n; z++)
					found |= !w[ev].xval[z] &&
						 w[ev].xtrack[z] ==
							 end->extra_counter_track_uuids[k];
				assert_true(found);
			}
			/* ...the others follow as counter packets. */
			for (k = n; k < w[ev].nextra; k++) {
				struct want c = { .type = 4,
						  .track = w[ev].xtrack[k],
						  .ts = w[ev].ts + 5,
						  .counter = true,
						  .value = w[ev].xval[k] };

				check_event(pkts[++i], &c, &last);
			}
		}
		ev++;
	}
	assert_int_equal(ev, NEV);
	/* Times went back often (absolute), and forth too (deltas). */
	assert_true(absolute > NEV / 10 && absolute < npk - 3 - NEV / 10);
	/* Every name but the last (never used by a packet) was sent once. */
	assert_int_equal(interned, names[0] - 1);
	for (i = 0; i < npk; i++)
		gotl__perfetto__trace_packet__free_unpacked(pkts[i], NULL);
	free(pkts);
	free(buf);
	free(w);
}

static void test_plain(void **state)
{
	roundtrip(0);
}

static void test_compressed(void **state)
{
	roundtrip(1);
	roundtrip(9);
}

/* The interned string iid of table tab (n entries) holding s, or 0. */
static uint64_t str_iid(Gotl__Perfetto__InternedString **tab, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tab[i]->str.len == strlen(s) && !memcmp(tab[i]->str.data, s, tab[i]->str.len))
			return tab[i]->iid;
	return 0;
}

/*
 * Frames: a function and a source file are interned once whatever their
 * frames; a frame is its function, file and line (and kind: the runtime's);
 * the same frame twice is one iid; a frame without a file has no source
 * location; a callstack keeps its frames in the order given.
 */
static void test_frames(void **state)
{
	Gotl__Perfetto__TracePacket *pkts[16];
	Gotl__Perfetto__InternedData *id = NULL;
	uint64_t f[5], cs;
	size_t npk = 0, nz = 0, i;
	char path[64];
	struct pftrace *pf;
	uint8_t buf[8192];
	FILE *fp;
	size_t size;

	snprintf(path, sizeof(path), "/tmp/gotl-test-pf-%d.pftrace", getpid());
	assert_int_equal(pftrace__open(path, &pf), 0);
	assert_int_equal(pftrace__start(pf, 1000, 900, 0), 0);
	f[0] = pftrace__frame_iid(pf, "runtime.gopark", "/go/src/runtime/proc.go", 460, true);
	f[1] = pftrace__frame_iid(pf, "main.worker", "/src/main.go", 30, false);
	f[2] = pftrace__frame_iid(pf, "main.worker", "/src/main.go", 31, false);
	f[3] = pftrace__frame_iid(pf, "0x401000", NULL, 0, false);
	f[4] = pftrace__frame_iid(pf, "main.worker", "/src/main.go", 30, false);
	assert_int_equal(f[4], f[1]);
	cs = pftrace__callstack_iid(pf, f, 4);
	assert_int_not_equal(cs, 0);
	assert_int_equal(pftrace__instant(pf, 7, 2000, pftrace__name_iid(pf, "x"), 0, NULL, 0, 0,
					  cs),
			 0);
	assert_int_equal(pftrace__close(pf), 0);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	size = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	unlink(path);
	assert_true(size > 0 && size < sizeof(buf));
	unpack_all(buf, size, pkts, &npk, &nz);
	for (i = 0; i < npk; i++)
		if (pkts[i]->interned_data)
			id = pkts[i]->interned_data;
	assert_non_null(id);
	assert_non_null(pkts[npk - 1]->track_event);
	assert_int_equal(pkts[npk - 1]->track_event->callstack_iid, cs);

	assert_int_equal(id->n_function_names, 3); /* gopark, worker, 0x401000 */
	assert_int_equal(id->n_source_paths, 2);
	assert_int_equal(id->n_frames, 4);
	assert_int_equal(id->n_callstacks, 1);
	assert_int_equal(id->callstacks[0]->iid, cs);
	assert_int_equal(id->callstacks[0]->n_frame_ids, 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(id->callstacks[0]->frame_ids[i], f[i]);
	for (i = 0; i < id->n_frames; i++) {
		const Gotl__Perfetto__Frame *x = id->frames[i];
		uint64_t fn = str_iid(id->function_names, id->n_function_names,
				      x->iid == f[0] ? "runtime.gopark" :
				      x->iid == f[3] ? "0x401000" :
						       "main.worker");
		const char *file = x->iid == f[0] ? "/go/src/runtime/proc.go" :
				   x->iid == f[3] ? NULL :
						    "/src/main.go";

		assert_true(x->iid == f[0] || x->iid == f[1] || x->iid == f[2] || x->iid == f[3]);
		assert_int_not_equal(fn, 0);
		assert_int_equal(x->function_name_id, fn);
		assert_int_equal(x->has_source_path_iid, file != NULL);
		assert_int_equal(x->has_line_number, file != NULL);
		if (file) {
			assert_int_equal(x->source_path_iid,
					 str_iid(id->source_paths, id->n_source_paths, file));
			assert_int_equal(x->line_number, x->iid == f[0] ? 460 :
							 x->iid == f[1] ? 30 :
									  31);
		}
		/* KIND_RUNTIME (6) on the runtime's frame only. */
		assert_int_equal(x->has_kind, x->iid == f[0]);
		if (x->has_kind)
			assert_int_equal(x->kind, 6);
	}
	for (i = 0; i < npk; i++)
		gotl__perfetto__trace_packet__free_unpacked(pkts[i], NULL);
}

static void test_compress_only_first(void **state)
{
	char path[64];
	struct pftrace *pf;

	snprintf(path, sizeof(path), "/tmp/gotl-test-pf-%d.pftrace", getpid());
	assert_int_equal(pftrace__open(path, &pf), 0);
	assert_int_equal(pftrace__compress(pf, 10), -EINVAL);
	assert_int_equal(pftrace__start(pf, 1000, 900, 0), 0);
	assert_int_equal(pftrace__compress(pf, 1), -EBUSY);
	assert_int_equal(pftrace__close(pf), 0);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_compressed),
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_compress_only_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
