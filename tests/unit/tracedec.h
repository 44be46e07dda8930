/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tracedec.h: a test-only reader of the Perfetto traces gotl writes. It
 * unpacks every TracePacket with protobuf-c, resolves interned names, and
 * replays BEGIN/END per track into closed slices, so tests can assert on
 * what a viewer would show. Header-only; include it in one test file.
 * It checks framing strictly and fails the test on anything malformed.
 */
#ifndef GOTL_TRACEDEC_H
#define GOTL_TRACEDEC_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "perfetto_trace.pb-c.h"

#define TD_MAX 4096

struct td_arg {
	char name[48];
	int is_str;
	char s[256];
	uint64_t u;
};

struct td_slice {
	uint64_t track, ts, dur; /* dur UINT64_MAX while open */
	int instant;
	char name[128];
	struct td_arg args[16];
	int nargs;
	uint64_t flow_out, flow_in;
	int depth;
	/* Callstack frames in the trace's order, "func file:line" (or "func"), " > " between. */
	char stack[1024];
	int runtime_frames; /* of them, frames of kind KIND_RUNTIME */
	double weight;	    /* callstack_weight, 0 if none */
};

struct td_track {
	uint64_t uuid, parent;
	char name[256];
	char desc[1024];
	int pid, counter, rank, has_rank;
	int64_t tid;  /* a thread track's */
	uint32_t seq; /* the sequence of its descriptor */
	int interned; /* its packet carries interned data */
};

struct td_counter {
	uint64_t track, ts;
	int64_t v;
};

struct tdec {
	struct td_track tracks[TD_MAX];
	int ntracks;
	struct td_slice slices[TD_MAX];
	int nslices;
	struct td_counter counters[TD_MAX * 4];
	int ncounters;
	char *names[TD_MAX], *args[TD_MAX], *strs[TD_MAX], *cats[64];
	char *funcs[TD_MAX];		     /* function_names */
	char *srcs[TD_MAX];		     /* source_paths */
	Gotl__Perfetto__Frame frame[TD_MAX]; /* frame iid -> its (copied) fields */
	uint64_t *stacks[TD_MAX];	     /* callstack iid -> frame iids */
	size_t nstack[TD_MAX];
	int packets, clock_snapshots, cleared_first, errors;
	uint32_t event_seq; /* the sequence of the first event */
	char attrs[64][2][256];
	int nattrs;
};

static char *td_dup(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

static const char *td_lookup(char **tab, uint64_t iid)
{
	if (iid >= TD_MAX || !tab[iid])
		return NULL;
	return tab[iid];
}

/* Packet order is file order; slices are built after sorting by ts (stable). */
struct td_ev {
	uint64_t ts;
	int order;
	Gotl__Perfetto__TrackEvent *te;
	struct td_arg args[16];
	int nargs;
	char name[128];
};

static int td_ev_cmp(const void *a, const void *b)
{
	const struct td_ev *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->order - y->order;
}

static void td_free(struct tdec *d)
{
	int i;

	for (i = 0; i < TD_MAX; i++) {
		free(d->names[i]);
		free(d->args[i]);
		free(d->strs[i]);
		free(d->funcs[i]);
		free(d->srcs[i]);
		free(d->stacks[i]);
	}
	for (i = 0; i < 64; i++)
		free(d->cats[i]);
	free(d);
}

/* Decode path into a freshly allocated tdec; NULL on malformed input. */
static struct tdec *td_read(const char *path)
{
	struct tdec *d = calloc(1, sizeof(*d));
	Gotl__Perfetto__TracePacket **pkts = NULL;
	struct td_ev *evs = NULL;
	int npkts = 0, nevs = 0, i, j;
	uint32_t def_clock = 0;
	int inc[64] = { 0 };
	uint64_t inc_last[64];
	size_t size, pos = 0;
	uint8_t *buf;
	FILE *f;

	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(size ? size : 1);
	if (fread(buf, 1, size, f) != size) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	pkts = calloc(size / 2 + 1, sizeof(*pkts));
	while (pos < size) {
		uint64_t len = 0;
		int shift = 0;

		if (buf[pos++] != 0x0a) {
			d->errors++;
			break;
		}
		while (pos < size) {
			uint8_t b = buf[pos++];

			len |= (uint64_t)(b & 0x7f) << shift;
			shift += 7;
			if (!(b & 0x80))
				break;
		}
		if (pos + len > size) {
			d->errors++;
			break;
		}
		pkts[npkts] = gotl__perfetto__trace_packet__unpack(NULL, len, buf + pos);
		if (!pkts[npkts]) {
			d->errors++;
			break;
		}
		npkts++;
		pos += len;
	}
	d->packets = npkts;
	evs = calloc((size_t)npkts + 1, sizeof(*evs));
	for (i = 0; i < npkts; i++) {
		Gotl__Perfetto__TracePacket *p = pkts[i];
		Gotl__Perfetto__InternedData *id = p->interned_data;

		if (p->clock_snapshot) {
			d->clock_snapshots++;
			for (j = 0; j < (int)p->clock_snapshot->n_clocks; j++) {
				Gotl__Perfetto__ClockSnapshot__Clock *c =
					p->clock_snapshot->clocks[j];

				if (c->is_incremental && c->clock_id >= 64 && c->clock_id < 128) {
					inc[c->clock_id - 64] = 1;
					inc_last[c->clock_id - 64] = c->timestamp;
				}
			}
		}
		if (p->trace_packet_defaults && p->trace_packet_defaults->has_timestamp_clock_id)
			def_clock = p->trace_packet_defaults->timestamp_clock_id;
		if (p->has_timestamp) {
			/* As the importer reads it: on an incremental clock, a delta. */
			uint32_t clock = p->has_timestamp_clock_id ? p->timestamp_clock_id :
								     def_clock;

			if (clock >= 64 && clock < 128 && inc[clock - 64])
				p->timestamp = inc_last[clock - 64] += p->timestamp;
		}
		if (p->has_sequence_flags && (p->sequence_flags & 1) && i <= 2)
			d->cleared_first = 1;
		if (id) {
			for (j = 0; j < (int)id->n_event_names; j++)
				if (id->event_names[j]->iid < TD_MAX)
					d->names[id->event_names[j]->iid] =
						strdup(id->event_names[j]->name);
			for (j = 0; j < (int)id->n_debug_annotation_names; j++)
				if (id->debug_annotation_names[j]->iid < TD_MAX)
					d->args[id->debug_annotation_names[j]->iid] =
						strdup(id->debug_annotation_names[j]->name);
			for (j = 0; j < (int)id->n_debug_annotation_string_values; j++) {
				Gotl__Perfetto__InternedString *s =
					id->debug_annotation_string_values[j];

				if (s->iid < TD_MAX)
					d->strs[s->iid] = td_dup((const char *)s->str.data,
								 s->str.len);
			}
			for (j = 0; j < (int)id->n_function_names; j++) {
				Gotl__Perfetto__InternedString *s = id->function_names[j];

				if (s->iid < TD_MAX)
					d->funcs[s->iid] = td_dup((const char *)s->str.data,
								  s->str.len);
			}
			for (j = 0; j < (int)id->n_source_paths; j++) {
				Gotl__Perfetto__InternedString *s = id->source_paths[j];

				if (s->iid < TD_MAX)
					d->srcs[s->iid] = td_dup((const char *)s->str.data,
								 s->str.len);
			}
			for (j = 0; j < (int)id->n_frames; j++)
				if (id->frames[j]->iid < TD_MAX)
					d->frame[id->frames[j]->iid] = *id->frames[j];
			for (j = 0; j < (int)id->n_callstacks; j++) {
				Gotl__Perfetto__Callstack *c = id->callstacks[j];

				if (c->iid >= TD_MAX)
					continue;
				d->stacks[c->iid] = calloc(c->n_frame_ids + 1, sizeof(uint64_t));
				memcpy(d->stacks[c->iid], c->frame_ids,
				       c->n_frame_ids * sizeof(uint64_t));
				d->nstack[c->iid] = c->n_frame_ids;
			}
			for (j = 0; j < (int)id->n_event_categories; j++)
				if (id->event_categories[j]->iid < 64)
					d->cats[id->event_categories[j]->iid] =
						strdup(id->event_categories[j]->name);
		}
		if (p->trace_attributes && d->nattrs < 64) {
			Gotl__Perfetto__TraceAttributes__Attribute *a =
				p->trace_attributes->attribute[0];

			snprintf(d->attrs[d->nattrs][0], 256, "%s", a->key);
			if (a->string_value)
				snprintf(d->attrs[d->nattrs][1], 256, "%s", a->string_value);
			else
				snprintf(d->attrs[d->nattrs][1], 256, "%lld",
					 (long long)a->long_value);
			d->nattrs++;
		}
		if (p->track_descriptor && d->ntracks < TD_MAX) {
			Gotl__Perfetto__TrackDescriptor *t = p->track_descriptor;
			struct td_track *o = &d->tracks[d->ntracks++];

			o->uuid = t->uuid;
			o->parent = t->has_parent_uuid ? t->parent_uuid : 0;
			snprintf(o->name, sizeof(o->name), "%s", t->name ? t->name : "");
			snprintf(o->desc, sizeof(o->desc), "%s",
				 t->description ? t->description : "");
			o->pid = t->process ? t->process->pid : 0;
			o->counter = t->counter != NULL;
			o->has_rank = t->has_sibling_order_rank;
			o->rank = t->sibling_order_rank;
			o->tid = t->thread ? t->thread->tid : 0;
			o->seq = p->trusted_packet_sequence_id;
			o->interned = id != NULL;
		}
		if (p->track_event) {
			Gotl__Perfetto__TrackEvent *te = p->track_event;
			struct td_ev *e = &evs[nevs++];

			if (!p->has_trusted_packet_sequence_id || !p->has_timestamp)
				d->errors++;
			if (!d->event_seq)
				d->event_seq = p->trusted_packet_sequence_id;
			e->ts = p->timestamp;
			e->order = i;
			e->te = te;
			if (te->has_name_iid) {
				const char *n = td_lookup(d->names, te->name_iid);

				if (!n)
					d->errors++;
				snprintf(e->name, sizeof(e->name), "%s", n ? n : "?");
			}
			for (j = 0; j < (int)te->n_debug_annotations && j < 16; j++) {
				Gotl__Perfetto__DebugAnnotation *a = te->debug_annotations[j];
				const char *an = td_lookup(d->args, a->name_iid);
				struct td_arg *o = &e->args[e->nargs++];

				if (!an)
					d->errors++;
				snprintf(o->name, sizeof(o->name), "%s", an ? an : "?");
				if (a->has_string_value_iid) {
					const char *sv = td_lookup(d->strs, a->string_value_iid);

					if (!sv)
						d->errors++;
					o->is_str = 1;
					snprintf(o->s, sizeof(o->s), "%s", sv ? sv : "?");
				} else if (a->has_uint_value) {
					o->u = a->uint_value;
				} else if (a->has_int_value) {
					o->u = (uint64_t)a->int_value;
				} else if (a->has_bool_value) {
					o->u = a->bool_value;
				}
			}
		}
	}
	qsort(evs, (size_t)nevs, sizeof(*evs), td_ev_cmp);
	for (i = 0; i < nevs; i++) {
		Gotl__Perfetto__TrackEvent *te = evs[i].te;
		int k;

		/* Values riding on an event (extra_counter_values), then its own. */
		for (k = 0; k < (int)te->n_extra_counter_values; k++) {
			if (k >= (int)te->n_extra_counter_track_uuids)
				d->errors++; /* a value without its track */
			else if (d->ncounters < TD_MAX * 4)
				d->counters[d->ncounters++] = (struct td_counter){
					te->extra_counter_track_uuids[k], evs[i].ts,
					te->extra_counter_values[k]
				};
		}
		if (te->type == 4) {
			if (d->ncounters < TD_MAX * 4)
				d->counters[d->ncounters++] = (struct td_counter){
					te->track_uuid, evs[i].ts, te->counter_value
				};
		} else if (te->type == 1 || te->type == 3) {
			struct td_slice *s;
			int depth = 0;

			if (d->nslices >= TD_MAX)
				continue;
			for (k = 0; k < d->nslices; k++)
				if (d->slices[k].track == te->track_uuid && !d->slices[k].instant &&
				    d->slices[k].dur == UINT64_MAX)
					depth++;
			s = &d->slices[d->nslices++];
			s->track = te->track_uuid;
			s->ts = evs[i].ts;
			s->dur = te->type == 3 ? 0 : UINT64_MAX;
			s->instant = te->type == 3;
			s->depth = depth;
			memcpy(s->name, evs[i].name, sizeof(s->name));
			memcpy(s->args, evs[i].args, sizeof(s->args));
			s->weight = te->has_callstack_weight ? te->callstack_weight : 0;
			if (te->has_callstack_iid) {
				uint64_t cs = te->callstack_iid;
				size_t f, len = 0;

				if (cs >= TD_MAX || !d->stacks[cs])
					d->errors++;
				for (f = 0; cs < TD_MAX && f < d->nstack[cs]; f++) {
					uint64_t fr = d->stacks[cs][f];
					const Gotl__Perfetto__Frame *x = fr < TD_MAX ?
										 &d->frame[fr] :
										 NULL;
					const char *fn = x ? td_lookup(d->funcs,
								       x->function_name_id) :
							     NULL;
					const char *src = x && x->has_source_path_iid ?
								  td_lookup(d->srcs,
									    x->source_path_iid) :
								  NULL;
					char line[16] = "";

					if (!fn || (x->has_source_path_iid && !src))
						d->errors++;
					if (src)
						snprintf(line, sizeof(line), ":%u", x->line_number);
					s->runtime_frames += x && x->has_kind && x->kind == 6;
					len += (size_t)snprintf(s->stack + len,
								sizeof(s->stack) - len,
								"%s%s%s%s%s", f ? " > " : "",
								fn ? fn : "?", src ? " " : "",
								src ? src : "", line);
					if (len >= sizeof(s->stack))
						break;
				}
			}
			s->nargs = evs[i].nargs;
			s->flow_out = te->n_flow_ids ? te->flow_ids[0] : 0;
			s->flow_in = te->n_terminating_flow_ids ? te->terminating_flow_ids[0] : 0;
		} else if (te->type == 2) {
			for (k = d->nslices - 1; k >= 0; k--)
				if (d->slices[k].track == te->track_uuid && !d->slices[k].instant &&
				    d->slices[k].dur == UINT64_MAX)
					break;
			if (k < 0)
				d->errors++;
			else
				d->slices[k].dur = evs[i].ts - d->slices[k].ts;
		}
	}
	for (i = 0; i < npkts; i++)
		gotl__perfetto__trace_packet__free_unpacked(pkts[i], NULL);
	free(pkts);
	free(evs);
	free(buf);
	return d;
}

static const struct td_track *td_track_named(const struct tdec *d, const char *prefix)
{
	int i;

	for (i = 0; i < d->ntracks; i++)
		if (!strncmp(d->tracks[i].name, prefix, strlen(prefix)))
			return &d->tracks[i];
	return NULL;
}

static const struct td_arg *td_arg(const struct td_slice *s, const char *name)
{
	int i;

	for (i = 0; i < s->nargs; i++)
		if (!strcmp(s->args[i].name, name))
			return &s->args[i];
	return NULL;
}

/* The n-th (0-based) non-instant slice on a track, in time order, or NULL. */
static const struct td_slice *td_nth_slice(const struct tdec *d, uint64_t track, int n)
{
	int i;

	for (i = 0; i < d->nslices; i++)
		if (d->slices[i].track == track && !d->slices[i].instant && n-- == 0)
			return &d->slices[i];
	return NULL;
}

static int td_count_slices(const struct tdec *d, uint64_t track)
{
	int i, n = 0;

	for (i = 0; i < d->nslices; i++)
		if (d->slices[i].track == track && !d->slices[i].instant)
			n++;
	return n;
}

#endif /* GOTL_TRACEDEC_H */
