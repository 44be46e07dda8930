// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_json.c: `gotl convert -f json` on synthetic event streams. Each test
 * writes a log with logw as the recorder would, converts it to trace-event
 * JSON, reads it back with a strict parser (jsondec.h) and checks it against
 * what the log says happened — threads, state slices and their args, spawn
 * and wake-up flows, counters, metadata — against the structural rules of
 * the format (jd_check), and against the protobuf trace of the same log
 * (tracedec.h): both outputs must tell the same story.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gotl/event.h"
#include "convert.h"
#include "logw.h"
#include "logbuild.h"
#include "tracedec.h"
#include "jsondec.h"

/* The tid of goroutine G (json.c's documented mapping). */
#define TID(goid) (4194304 + (goid))
#define TS0 1000	/* the prologue's start record: JSON ts 0 */

static struct jd *json_ok(struct fixture *f, struct convert_stats *st)
{
	struct convert_opts o = { .log_path = f->log,
				  .trace_path = f->trace,
				  .format = CONVERT_JSON };
	struct convert_stats local;
	char err[256] = "";
	struct jd *doc;

	if (f->lw) {
		assert_int_equal(logw__close(f->lw), 0);
		f->lw = NULL;
	}
	assert_int_equal(convert__run(&o, st ? st : &local, err, sizeof(err)), 0);
	doc = jd_read(f->trace, err, sizeof(err));
	if (!doc)
		fail_msg("invalid JSON: %s", err);
	if (jd_check(doc, err, sizeof(err)))
		fail_msg("bad trace-event structure: %s", err);
	return doc;
}

static const struct jd *events(const struct jd *doc)
{
	return jd_get(doc, "traceEvents");
}

/* The n-th event with this phase of process pid and thread tid (-1: any) named name (NULL: any). */
static const struct jd *nth_in(const struct jd *doc, const char *ph, int64_t pid, int64_t tid,
			       const char *name, int n)
{
	const struct jd *ev = events(doc);
	size_t i;

	for (i = 0; i < ev->n; i++) {
		const struct jd *e = &ev->v[i];

		if (strcmp(jd_str(e, "ph"), ph) || (pid >= 0 && jd_int(e, "pid") != pid) ||
		    (tid >= 0 && jd_int(e, "tid") != tid) ||
		    (name && strcmp(jd_str(e, "name"), name)))
			continue;
		if (n-- == 0)
			return e;
	}
	return NULL;
}

/* The same in any process. */
static const struct jd *nth(const struct jd *doc, const char *ph, int64_t tid, const char *name,
			    int n)
{
	return nth_in(doc, ph, -1, tid, name, n);
}

static int count(const struct jd *doc, const char *ph, int64_t tid, const char *name)
{
	int n = 0;

	while (nth(doc, ph, tid, name, n))
		n++;
	return n;
}

/* The state slices of a goroutine thread of pid (-1: any), no 0-length flow markers, by time. */
static int states_in(const struct jd *doc, int64_t pid, int64_t tid, const struct jd **out, int max)
{
	const struct jd *ev = events(doc);
	int n = 0, i, k;
	size_t e;

	for (e = 0; e < ev->n; e++) {
		const struct jd *x = &ev->v[e];

		if (strcmp(jd_str(x, "ph"), "X") || jd_int(x, "tid") != tid ||
		    (pid >= 0 && jd_int(x, "pid") != pid) ||
		    !strcmp(jd_str(x, "name"), "GoCreate") ||
		    !strcmp(jd_str(x, "name"), "GoUnblock"))
			continue;
		assert_true(n < max);
		out[n++] = x;
	}
	for (i = 1; i < n; i++) /* insertion sort by ts */
		for (k = i; k > 0 && jd_ns(out[k - 1], "ts") > jd_ns(out[k], "ts"); k--) {
			const struct jd *t = out[k];

			out[k] = out[k - 1];
			out[k - 1] = t;
		}
	return n;
}

static int states(const struct jd *doc, int64_t tid, const struct jd **out, int max)
{
	return states_in(doc, -1, tid, out, max);
}

static void assert_x(const struct jd *x, const char *name, int64_t ts, int64_t dur)
{
	assert_non_null(x);
	assert_string_equal(jd_str(x, "name"), name);
	assert_int_equal(jd_ns(x, "ts"), ts - TS0);
	assert_int_equal(jd_ns(x, "dur"), dur);
	assert_string_equal(jd_str(x, "cat"), "goroutine");
}

static const char *thread_name_in(const struct jd *doc, int64_t pid, int64_t tid)
{
	const struct jd *m = nth_in(doc, "M", pid, tid, "thread_name", 0);

	return m ? jd_str(jd_get(m, "args"), "name") : NULL;
}

static const char *thread_name(const struct jd *doc, int64_t tid)
{
	return thread_name_in(doc, -1, tid);
}

/* The flow id ending at slice x (the "f" at its start on its thread), or -1. */
static int64_t flow_into(const struct jd *doc, const struct jd *x)
{
	const struct jd *ev = events(doc);
	size_t i;

	for (i = 0; i < ev->n; i++) {
		const struct jd *e = &ev->v[i];

		if (!strcmp(jd_str(e, "ph"), "f") && jd_int(e, "tid") == jd_int(x, "tid") &&
		    jd_int(e, "pid") == jd_int(x, "pid") && jd_ns(e, "ts") == jd_ns(x, "ts"))
			return jd_int(e, "id");
	}
	return -1;
}

static const struct jd *flow_start(const struct jd *doc, int64_t id)
{
	const struct jd *ev = events(doc);
	size_t i;

	for (i = 0; i < ev->n; i++)
		if (!strcmp(jd_str(&ev->v[i], "ph"), "s") && jd_int(&ev->v[i], "id") == id)
			return &ev->v[i];
	return NULL;
}

/* The value of a "C" key at time t (ns since TS0): the last event at or before t. */
static int64_t counter_at(const struct jd *doc, const char *name, const char *key, int64_t t)
{
	const struct jd *ev = events(doc);
	int64_t v = -1;
	size_t i;

	for (i = 0; i < ev->n; i++) {
		const struct jd *e = &ev->v[i];

		if (!strcmp(jd_str(e, "ph"), "C") && !strcmp(jd_str(e, "name"), name) &&
		    jd_ns(e, "ts") <= t - TS0 && jd_get(jd_get(e, "args"), key))
			v = jd_int(jd_get(e, "args"), key);
	}
	return v;
}

/* Same story as test_convert.c: G1 spawns G7 (goid unknown until it runs), they ping. */
static void write_story(struct logw *lw)
{
	prologue(lw);
	create(lw, 1000, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	status(lw, 2000, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	create(lw, 3000, GP7, 0, GP1, 1, PC_WORKER, PC_GO);
	status(lw, 4000, 100, GP1, 1, GOTL_G_RUNNING, GOTL_G_WAITING, 14, 0, 0);
	status(lw, 5000, 101, GP7, 7, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	status(lw, 6000, 101, GP1, 1, GOTL_G_WAITING, GOTL_G_RUNNABLE, 0, GP7, 7);
	status(lw, 7000, 101, GP7, 7, GOTL_G_RUNNING, GOTL_G_WAITING, 15, 0, 0);
	status(lw, 8000, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	end(lw, 10000, 0);
}

static void test_story(void **state)
{
	struct fixture *f = *state;
	const struct jd *s[16], *md, *a, *fs, *m;
	struct convert_stats st;
	struct jd *doc;
	int64_t id;

	write_story(f->lw);
	doc = json_ok(f, &st);
	assert_int_equal(st.events, 8);
	assert_int_equal(st.goroutines, 2);
	assert_int_equal(st.leak_suspects, 1);
	assert_true(st.trace_bytes > 0);

	/* The program is the process; each goroutine a thread of it, sorted by goid. */
	m = nth(doc, "M", -1, "process_name", 0);
	assert_int_equal(jd_int(m, "pid"), 4242);
	assert_string_equal(jd_str(jd_get(m, "args"), "name"), "prog");
	assert_string_equal(jd_str(jd_get(nth(doc, "M", -1, "process_labels", 0), "args"),
				   "labels"),
			    "./prog");
	assert_string_equal(thread_name(doc, TID(1)), "G1 main.main");
	assert_string_equal(thread_name(doc, TID(7)), "G7 main.worker");
	assert_int_equal(jd_int(jd_get(nth(doc, "M", TID(7), "thread_sort_index", 0), "args"),
				"sort_index"),
			 7);
	assert_int_equal(count(doc, "M", TID(1), "thread_name"), 1);

	/* G1: back-to-back states to the end of the recording. */
	assert_int_equal(states(doc, TID(1), s, 16), 5);
	assert_x(s[0], "Runnable", 1000, 1000);
	assert_string_equal(jd_str(s[0], "ph"), "X");
	assert_string_equal(jd_str(jd_get(s[0], "args"), "start_function"), "main.main");
	assert_x(s[1], "Running", 2000, 2000);
	a = jd_get(s[1], "args");
	assert_int_equal(jd_int(a, "thread"), 100);
	/* Who it is (goid included): on its first slice only. */
	assert_int_equal(jd_int(jd_get(s[0], "args"), "goid"), 1);
	assert_null(jd_get(a, "goid"));
	assert_null(jd_get(a, "start_function"));
	assert_x(s[2], "chan receive", 4000, 2000);
	assert_string_equal(jd_str(jd_get(s[2], "args"), "wait_reason"), "chan receive");
	assert_x(s[3], "Runnable", 6000, 2000);
	assert_int_equal(jd_int(jd_get(s[3], "args"), "woken_by"), 7);
	assert_x(s[4], "Running", 8000, 2000);
	assert_true(jd_get(jd_get(s[4], "args"), "open_at_end")->b);
	assert_null(jd_get(jd_get(s[4], "args"), "still_blocked_at_end"));

	/* The wake-up: a GoUnblock marker on G7 at 6000 holding the s, the f on G1's Runnable. */
	id = flow_into(doc, s[3]);
	assert_true(id > 0);
	fs = flow_start(doc, id);
	assert_non_null(fs);
	assert_int_equal(jd_int(fs, "tid"), TID(7));
	assert_int_equal(jd_ns(fs, "ts"), 6000 - TS0);
	assert_string_equal(jd_str(fs, "name"), "GoUnblock");
	m = nth(doc, "X", TID(7), "GoUnblock", 0);
	assert_int_equal(jd_ns(m, "ts"), 6000 - TS0);
	assert_int_equal(jd_ns(m, "dur"), 0);
	assert_int_equal(jd_int(jd_get(m, "args"), "goid"), 1);
	assert_int_equal(count(doc, "s", -1, NULL), 2);
	assert_int_equal(count(doc, "f", -1, NULL), 2);

	/* G7: created by G1 (its goid learnt when it first ran), blocked to the end. */
	assert_int_equal(states(doc, TID(7), s, 16), 3);
	assert_x(s[0], "Runnable", 3000, 2000);
	a = jd_get(s[0], "args");
	assert_int_equal(jd_int(a, "parent_goid"), 1);
	assert_string_equal(jd_str(a, "created_at"), "main.main /src/main.go:14");
	id = flow_into(doc, s[0]);
	fs = flow_start(doc, id);
	assert_non_null(fs);
	assert_string_equal(jd_str(fs, "name"), "GoCreate");
	assert_int_equal(jd_int(fs, "tid"), TID(1));
	assert_int_equal(jd_ns(fs, "ts"), 3000 - TS0);
	assert_int_equal(jd_int(jd_get(nth(doc, "X", TID(1), "GoCreate", 0), "args"), "goid"), 7);
	assert_x(s[2], "chan send", 7000, 3000);
	assert_true(jd_get(jd_get(s[2], "args"), "still_blocked_at_end")->b);

	/* The leak suspect: an instant on G7 and on the suspects' thread. */
	m = nth(doc, "i", TID(7), "leak suspect", 0);
	assert_non_null(m);
	assert_int_equal(jd_int(jd_get(m, "args"), "blocked_for_ns"), 3000);
	assert_int_equal(count(doc, "i", -1, "G7 chan send"), 1);
	assert_non_null(thread_name(doc, jd_int(nth(doc, "i", -1, "G7 chan send", 0), "tid")));
	assert_string_equal(thread_name(doc, jd_int(nth(doc, "i", -1, "G7 chan send", 0), "tid")),
			    "Leak suspects (1)");

	/* Counters, as the protobuf "Goroutines alive" ... tracks. */
	assert_int_equal(counter_at(doc, "Goroutines", "alive", 1500), 1);
	assert_int_equal(counter_at(doc, "Goroutines", "alive", 3500), 2);
	assert_int_equal(counter_at(doc, "Goroutines", "runnable", 3500), 1);
	assert_int_equal(counter_at(doc, "Goroutines", "running", 3500), 1);
	assert_int_equal(counter_at(doc, "Goroutines", "blocked", 4500), 1);
	assert_int_equal(counter_at(doc, "Goroutines", "blocked", 9000), 1);
	assert_int_equal(counter_at(doc, "gotl events", "lost", 9000), 0);

	/* The trace attributes. */
	md = jd_get(doc, "metadata");
	assert_string_equal(jd_str(md, "go.version"), "go1.23.4");
	assert_string_equal(jd_str(md, "gotl.command"), "./prog");
	assert_int_equal(jd_int(md, "gotl.pid"), 4242);
	assert_int_equal(jd_int(md, "gotl.events"), 8);
	assert_int_equal(jd_int(md, "gotl.events_lost"), 0);
	assert_int_equal(jd_int(md, "gotl.goroutines"), 2);
	assert_int_equal(jd_int(md, "gotl.leak_suspects"), 1);
	assert_int_equal(jd_int(md, "go.exit_status"), 0);
	assert_int_equal(jd_int(md, "gotl.ts0_boottime_ns"), TS0);
	assert_int_equal(jd_int(md, "gotl.ts0_realtime_ns"), 1700000000000000000ll);
	jd_free(doc);
}

/*
 * Strings from the log go out escaped whatever they hold: quotes,
 * backslashes, control characters, and invalid UTF-8 (U+FFFD for each bad
 * byte) in symbol names, the command line and wait reasons.
 */
static void test_escaping(void **state)
{
	struct fixture *f = *state;
	struct gotl_rec_start s = {
		.hdr = { .type = GOTL_REC_START, .size = sizeof(s), .ts = 1000 },
		.pid = 4242,
		.flags = GOTL_START_LAUNCHED,
	};
	const struct jd *x[4];
	struct jd *doc;

	assert_int_equal(logw__meta(f->lw, "comm", "p\"r\\o\ng"), 0);
	assert_int_equal(logw__meta(f->lw, "arg", "./prog"), 0);
	assert_int_equal(logw__meta(f->lw, "arg",
				    "tab\there \x01\x1f \xc3\xa9t\xc3\xa9 \xf0\x9f\x90\xb9"),
			 0);
	assert_int_equal(logw__waitreason(f->lw, 14, "chan \"recv\"\\"), 0);
	assert_int_equal(logw__sym(f->lw, PC_MAIN, GOTL_SYM_ENTRY,
				   "main.\xff\xfe\xc3(x)\xed\xa0\x80", "/src/ma\"in.go", 10),
			 0);
	assert_int_equal(logw__append(f->lw, &s, sizeof(s)), 0);
	create(f->lw, 1000, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	status(f->lw, 2000, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	status(f->lw, 3000, 100, GP1, 1, GOTL_G_RUNNING, GOTL_G_WAITING, 14, 0, 0);
	end(f->lw, 4000, 0);
	doc = json_ok(f, NULL);
	assert_string_equal(jd_str(jd_get(nth(doc, "M", -1, "process_name", 0), "args"), "name"),
			    "p\"r\\o\ng");
	assert_string_equal(jd_str(jd_get(doc, "metadata"), "gotl.command"),
			    "./prog tab\there \x01\x1f \xc3\xa9t\xc3\xa9 \xf0\x9f\x90\xb9");
	/* 0xff, 0xfe, a lone 0xc3, and the three bytes of an encoded surrogate: 6 U+FFFD. */
	assert_string_equal(thread_name(doc, TID(1)), "G1 main.\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
						      "(x)\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_int_equal(states(doc, TID(1), x, 4), 3);
	assert_string_equal(jd_str(x[2], "name"), "chan \"recv\"\\");
	assert_string_equal(jd_str(jd_get(x[2], "args"), "wait_reason"), "chan \"recv\"\\");
	jd_free(doc);
}

/* The process track a protobuf track is under (its own uuid for a process track). */
static uint64_t td_root(const struct tdec *d, uint64_t uuid)
{
	int i, hops;

	for (hops = 0; hops < 16; hops++) {
		for (i = 0; i < d->ntracks && d->tracks[i].uuid != uuid; i++)
			;
		if (i == d->ntracks || !d->tracks[i].parent)
			return uuid;
		uuid = d->tracks[i].parent;
	}
	return uuid;
}

/* A tracedec stack ("func /path/file:line > ...") with each file's base name only, in buf. */
static const char *base_names(const char *stack, char *buf, size_t len)
{
	size_t n = 0;
	const char *p = stack;

	buf[0] = 0;
	while (*p && n < len) {
		const char *end = strstr(p, " > "), *stop = end ? end : p + strlen(p);
		const char *sp = p, *q, *slash = NULL;

		/* The frame's last space separates its function from its file:line. */
		for (q = p; q < stop; q++)
			if (*q == ' ')
				sp = q;
		for (q = sp; q < stop; q++)
			if (*q == '/')
				slash = q;
		if (slash)
			n += (size_t)snprintf(buf + n, len - n, "%.*s %.*s%s", (int)(sp - p), p,
					      (int)(stop - slash - 1), slash + 1, end ? " > " : "");
		else
			n += (size_t)snprintf(buf + n, len - n, "%.*s%s", (int)(stop - p), p,
					      end ? " > " : "");
		p = end ? end + 3 : stop;
	}
	return buf;
}

/* The JSON process pid against the protobuf process track proc: same slices, stacks, args. */
static void same_process(const struct tdec *d, const struct jd *doc, uint64_t proc, int64_t pid)
{
	char js[1024], pb[1024];
	int i, k, n;

	for (i = 0; i < d->ntracks; i++) {
		const struct td_track *t = &d->tracks[i];
		const struct jd *x[64];
		uint64_t goid;

		if (t->name[0] != 'G' || t->name[1] < '0' || t->name[1] > '9' ||
		    td_root(d, t->uuid) != proc)
			continue;
		goid = strtoull(t->name + 1, NULL, 10);
		assert_string_equal(thread_name_in(doc, pid, TID((int64_t)goid)), t->name);
		n = states_in(doc, pid, TID((int64_t)goid), x, 64);
		assert_int_equal(n, td_count_slices(d, t->uuid));
		for (k = 0; k < n; k++) {
			const struct td_slice *s = td_nth_slice(d, t->uuid, k);
			const char *stack = jd_str(jd_get(x[k], "args"), "stack");
			int a;

			assert_string_equal(jd_str(x[k], "name"), s->name);
			/* (its goid only on its first: every arg is compared below) */
			if (td_arg(s, "goid"))
				assert_int_equal(jd_int(jd_get(x[k], "args"), "goid"),
						 td_arg(s, "goid")->u);
			assert_int_equal(jd_ns(x[k], "ts") + TS0, s->ts);
			assert_int_equal(jd_ns(x[k], "dur"), s->dur);
			for (a = 0; a < s->nargs; a++) {
				const struct jd *v = jd_get(jd_get(x[k], "args"), s->args[a].name);

				assert_non_null(v);
				if (s->args[a].is_str)
					assert_string_equal(v->s, s->args[a].s);
				else if (v->t == JD_NUM)
					assert_int_equal(strtoull(v->s, NULL, 10), s->args[a].u);
				else
					assert_int_equal(v->b, s->args[a].u);
			}
			/*
			 * The stack: innermost first, one "func file:line" a line (the
			 * file's base name); the protobuf callstack's frames the same
			 * way, with the file's whole path.
			 */
			if (!s->stack[0]) {
				assert_null(stack);
				continue;
			}
			assert_non_null(stack);
			{
				char *copy = strdup(stack), *line, *save = NULL;
				size_t len = strlen(copy);

				/* "..." ends a cut stack; the protobuf callstack just ends */
				if (len > 4 && !strcmp(copy + len - 4, "\n..."))
					copy[len - 4] = 0;

				js[0] = 0;
				for (line = strtok_r(copy, "\n", &save); line;
				     line = strtok_r(NULL, "\n", &save)) {
					size_t n = strlen(js);

					snprintf(js + n, sizeof(js) - n, "%s%s", n ? " > " : "",
						 line);
				}
				free(copy);
				assert_string_equal(js, base_names(s->stack, pb, sizeof(pb)));
			}
		}
	}
}

/*
 * Compare the JSON against the protobuf trace of the same log: the same
 * processes in the same order, each with the same slices, stacks and args;
 * the same number of flows; every trace attribute a metadata key with the
 * same value.
 */
static void same_as_protobuf(struct fixture *f, const struct jd *doc)
{
	struct convert_opts o = { .log_path = f->log, .trace_path = f->trace };
	const struct jd *md = jd_get(doc, "metadata");
	struct convert_stats st;
	char err[256];
	struct tdec *d;
	int i, procs = 0, flows = 0;

	assert_int_equal(convert__run(&o, &st, err, sizeof(err)), 0);
	d = td_read(f->trace);
	assert_non_null(d);
	assert_int_equal(d->errors, 0);
	assert_non_null(td_track_named(d, "G1 "));
	for (i = 0; i < d->ntracks; i++) {
		const struct jd *pm;

		if (!d->tracks[i].pid)
			continue;
		pm = nth(doc, "M", -1, "process_name", procs++);
		assert_non_null(pm);
		assert_int_equal(jd_int(pm, "pid") & ((1 << 22) - 1), d->tracks[i].pid);
		same_process(d, doc, d->tracks[i].uuid, jd_int(pm, "pid"));
	}
	assert_int_equal(count(doc, "M", -1, "process_name"), procs);
	for (i = 0; i < d->nslices; i++)
		flows += d->slices[i].flow_in != 0;
	assert_int_equal(count(doc, "f", -1, NULL), flows);
	assert_int_equal(count(doc, "s", -1, NULL), flows);
	for (i = 0; i < d->nattrs; i++) {
		const struct jd *v = jd_get(md, d->attrs[i][0]);

		if (!v)
			fail_msg("trace attribute %s is not in the JSON metadata", d->attrs[i][0]);
		assert_string_equal(v->s, d->attrs[i][1]);
	}
	td_free(d);
}

/*
 * Stacks, allocations, GC and a leak suspect: the stack strings, the alloc
 * instants, the GC and stop-the-world pseudo-threads, and the same slices as
 * the protobuf trace.
 */
static void test_rich(void **state)
{
	static const uint64_t park[] = { 0x403000, 0x403100, 0x402010, 0x402020 };
	static const uint64_t born[] = { 0x404000, 0x401300, 0x401400 };
	static const uint64_t at[] = { 0x405000, 0x402030, 0x402020 };
	struct gotl_alloc_key point = { .type = 0x4a0000 };
	struct fixture *f = *state;
	const struct jd *x[8], *e, *gc;
	struct convert_stats st;
	struct jd *doc;
	int64_t gctid;

	prologue(f->lw);
	assert_int_equal(logw__meta(f->lw, "stw_reason", "1 GC mark termination"), 0);
	assert_int_equal(logw__meta(f->lw, "stw_reason", "2 GC sweep termination"), 0);
	frames(f->lw, 0x403000, "runtime.gopark", "/go/src/runtime/proc.go", 460);
	frames(f->lw, 0x403100, "runtime.chansend1", "/go/src/runtime/chan.go", 161);
	frames(f->lw, 0x402010, "main.worker", "/src/main.go", 30);
	frames(f->lw, 0x402020, "runtime.goexit", "/go/src/runtime/asm.s", 1700);
	frames(f->lw, 0x404000, "runtime.newproc", "/go/src/runtime/proc.go", 5298);
	frames(f->lw, 0x401300, "main.main", "/src/main.go", 14);
	frames(f->lw, 0x401400, "runtime.main", "/go/src/runtime/proc.go", 290);
	frames(f->lw, 0x405000, "runtime.newobject", "/go/src/runtime/malloc.go", 1700);
	frames(f->lw, 0x402030, "main.worker", "/src/main.go", 31);
	type_rec(f->lw, 0x4a0000, "main.Point", 16);
	create(f->lw, 1000, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	status(f->lw, 1500, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	create(f->lw, 2000, GP7, 7, GP1, 1, PC_WORKER, PC_GO);
	stack(f->lw, 2000, GP7, GOTL_STACK_CREATE, born, 3, 8192);
	status(f->lw, 3000, 101, GP7, 7, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	alloc_ev(f->lw, 3100, GP7, 7, 0x4a0000, 16, 16);
	stack(f->lw, 3100, GP7, GOTL_STACK_ALLOC, at, 3, 8192);
	galloc(f->lw, 3900, GP7, 7, 16, 1);
	alloc_class(f->lw, 3900, &point, 1, 16);
	alloc_total(f->lw, 3900, GOTL_ALLOC_ALL, 1, 16);
	status(f->lw, 4000, 101, GP7, 7, GOTL_G_RUNNING, GOTL_G_WAITING, 15, 0, 0);
	stack(f->lw, 4000, GP7, GOTL_STACK_BLOCK, park, 4, 8192);
	{
		/* G1 blocks with a stack cut at the depth asked for. */
		struct gotl_ev_stack e = {
			.hdr = { .type = GOTL_REC_STACK, .tid = 100, .ts = 4500 },
			.gp = GP1,
			.kind = GOTL_STACK_BLOCK,
			.n = 2,
			.truncated = 1,
			.pcs = { 0x403000, 0x402010 },
		};

		status(f->lw, 4500, 100, GP1, 1, GOTL_G_RUNNING, GOTL_G_WAITING, 19, 0, 0);
		e.hdr.size = (uint16_t)(offsetof(struct gotl_ev_stack, pcs) + 16);
		assert_int_equal(logw__append(f->lw, &e, e.hdr.size), 0);
		status(f->lw, 4900, 100, GP1, 1, GOTL_G_WAITING, GOTL_G_RUNNABLE, 0, 0, 0);
		status(f->lw, 4950, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	}
	gc_ev(f->lw, 5000, GP1, 1, GOTL_GC_TRIGGER, GOTL_GC_TRIGGER_CYCLE);
	gc_ev(f->lw, 5100, GP1, 1, GOTL_GC_BEGIN, 0);
	gc_ev(f->lw, 5200, 0, 0, GOTL_GC_STW_STOP, 2);
	gc_ev(f->lw, 5300, 0, 0, GOTL_GC_STW_START, 0);
	gc_ev(f->lw, 6000, 0, 0, GOTL_GC_STW_STOP, 1);
	gc_ev(f->lw, 6050, GP1, 1, GOTL_GC_MARKTERM, 0);
	gc_ev(f->lw, 6100, 0, 0, GOTL_GC_STW_START, 0);
	end(f->lw, 9000, 0);
	doc = json_ok(f, &st);
	assert_int_equal(st.gc_cycles, 1);
	assert_int_equal(st.alloc_count, 1);

	/* G7's blocked slice: where in the user's code, and the whole stack, innermost first. */
	assert_int_equal(states(doc, TID(7), x, 8), 3);
	assert_x(x[2], "chan send", 4000, 5000);
	assert_string_equal(jd_str(jd_get(x[2], "args"), "blocked_at"),
			    "main.worker /src/main.go:30");
	assert_string_equal(jd_str(jd_get(x[2], "args"), "stack"),
			    "runtime.gopark proc.go:460\nruntime.chansend1 chan.go:161\n"
			    "main.worker main.go:30\nruntime.goexit asm.s:1700");
	assert_int_equal(jd_int(jd_get(x[1], "args"), "alloc_bytes"), 16);
	assert_int_equal(states(doc, TID(1), x, 8), 5);
	assert_x(x[2], "sleep", 4500, 400);
	assert_string_equal(jd_str(jd_get(x[2], "args"), "stack"),
			    "runtime.gopark proc.go:460\nmain.worker main.go:30\n...");
	/* The `go` statement's stack on the GoCreate marker (newproc's frame dropped). */
	e = nth(doc, "X", TID(1), "GoCreate", 0);
	assert_int_equal(jd_ns(e, "ts"), 2000 - TS0);
	assert_string_equal(jd_str(jd_get(e, "args"), "stack"),
			    "main.main main.go:14\nruntime.main proc.go:290");
	/* The allocation: an instant on G7's thread. */
	e = nth(doc, "i", TID(7), "main.Point", 0);
	assert_non_null(e);
	assert_int_equal(jd_ns(e, "ts"), 3100 - TS0);
	assert_string_equal(jd_str(e, "cat"), "alloc");
	assert_int_equal(jd_int(jd_get(e, "args"), "size"), 16);
	assert_string_equal(jd_str(jd_get(e, "args"), "site"), "main.worker /src/main.go:31");
	assert_int_equal(counter_at(doc, "Heap", "allocated", 4000), 16);
	assert_string_equal(jd_str(jd_get(doc, "metadata"), "gotl.alloc_mode"), "all");
	/* GC: the cycle and its phases nested on the "GC" thread; the pauses on their own. */
	gc = nth(doc, "X", -1, "GC 1 (runtime.GC)", 0);
	assert_non_null(gc);
	gctid = jd_int(gc, "tid");
	assert_string_equal(thread_name(doc, gctid), "GC");
	assert_int_equal(jd_ns(gc, "ts"), 5100 - TS0);
	assert_int_equal(jd_ns(gc, "dur"), 1000);
	assert_int_equal(jd_int(jd_get(gc, "args"), "stw_ns"), 200);
	assert_int_equal(count(doc, "X", gctid, NULL), 4);
	e = nth(doc, "X", -1, "GC sweep termination", 0);
	assert_non_null(e);
	assert_string_equal(thread_name(doc, jd_int(e, "tid")), "Stop the world");
	assert_int_equal(count(doc, "X", jd_int(e, "tid"), NULL), 2);
	assert_string_equal(thread_name(doc, jd_int(nth(doc, "i", -1, "main.Point", 1), "tid")),
			    "Allocated types (1)");
	same_as_protobuf(f, doc);
	jd_free(doc);
}

/* Lost events: the slice marked, the loss counted, flows still paired. */
/*
 * record -p (verdict_story, logbuild.h): the JSON has the protobuf trace's
 * verdict - long_lived on the last span of G2 G3 G4 G5 G6 G9 G11, suspects
 * G8 G20 G21 G22 marked and listed, nobody else.
 */
static void test_verdict(void **state)
{
	static const int64_t longlived[] = { 2, 3, 4, 5, 6, 9, 11 }, suspects[] = { 8, 20, 21, 22 };
	struct fixture *f = *state;
	const struct jd *s[16], *a;
	struct convert_stats st;
	struct jd *doc;
	size_t i;
	int n;

	verdict_story(f->lw, GOTL_START_ATTACHED);
	doc = json_ok(f, &st);
	assert_int_equal(st.leak_suspects, 4);
	for (i = 0; i < sizeof(longlived) / sizeof(longlived[0]); i++) {
		n = states(doc, TID(longlived[i]), s, 16);
		a = jd_get(s[n - 1], "args");
		assert_true(jd_get(a, "long_lived")->b);
		assert_null(jd_get(a, "still_blocked_at_end"));
		assert_null(nth(doc, "i", TID(longlived[i]), "leak suspect", 0));
	}
	for (i = 0; i < sizeof(suspects) / sizeof(suspects[0]); i++) {
		n = states(doc, TID(suspects[i]), s, 16);
		assert_true(jd_get(jd_get(s[n - 1], "args"), "still_blocked_at_end")->b);
		assert_non_null(nth(doc, "i", TID(suspects[i]), "leak suspect", 0));
	}
	assert_int_equal(count(doc, "i", -1, "leak suspect"), 4);
	a = nth(doc, "i", -1, "G21 chan send at main.go:80", 0);
	assert_non_null(a);
	assert_string_equal(thread_name(doc, jd_int(a, "tid")), "Leak suspects (4)");
	assert_int_equal(jd_int(jd_get(doc, "metadata"), "gotl.leak_suspects"), 4);
	same_as_protobuf(f, doc);
	jd_free(doc);
}

static void test_lost_events(void **state)
{
	struct fixture *f = *state;
	struct gotl_rec_stats s = {
		.hdr = { .type = GOTL_REC_STATS, .size = sizeof(s), .ts = 3500 },
	};
	const struct jd *x[8];
	struct jd *doc;

	s.lost[GOTL_PROBE_CASGSTATUS] = 5;
	prologue(f->lw);
	create(f->lw, 1000, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	status(f->lw, 2000, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	create(f->lw, 2500, GP7, 7, GP1, 1, PC_WORKER, PC_GO);
	assert_int_equal(logw__append(f->lw, &s, sizeof(s)), 0);
	status(f->lw, 5000, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	status(f->lw, 5500, 100, GP7, 7, GOTL_G_WAITING, GOTL_G_RUNNABLE, 0, GP1, 1);
	end(f->lw, 7000, 0);
	doc = json_ok(f, NULL);
	assert_int_equal(states(doc, TID(1), x, 8), 3);
	assert_x(x[1], "Running", 2000, 3000);
	assert_true(jd_get(jd_get(x[1], "args"), "unobserved_transitions")->b);
	assert_int_equal(counter_at(doc, "gotl events", "lost", 4000), 5);
	assert_int_equal(jd_int(jd_get(doc, "metadata"), "gotl.events_lost"), 5);
	same_as_protobuf(f, doc);
	jd_free(doc);
}

/* A log cut short converts into a complete document up to its last whole record. */
static void test_truncated(void **state)
{
	struct fixture *f = *state;
	const struct jd *x[4];
	struct jd *doc;
	long size;
	FILE *fp;

	prologue(f->lw);
	create(f->lw, 1000, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	status(f->lw, 2000, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	status(f->lw, 3000, 100, GP1, 1, GOTL_G_RUNNING, GOTL_G_WAITING, 14, 0, 0);
	assert_int_equal(logw__close(f->lw), 0);
	f->lw = NULL;
	fp = fopen(f->log, "rb");
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	fclose(fp);
	assert_int_equal(truncate(f->log, size - 20), 0);
	doc = json_ok(f, NULL);
	assert_int_equal(states(doc, TID(1), x, 4), 2);
	assert_x(x[1], "Running", 2000, 0);
	assert_true(jd_get(jd_get(x[1], "args"), "open_at_end")->b);
	assert_non_null(strstr(jd_str(jd_get(doc, "metadata"), "gotl.log"), "truncated"));
	jd_free(doc);
}

/*
 * record --follow: every program followed is a process of the document,
 * as in the protobuf trace - its own pid (a pid seen again, an exec'd
 * program, another one), goroutine threads, OS threads, flows and leak
 * suspects, on the main log's time base, and its metadata prefixed
 * "proc.N."; a follow log that is missing costs only its process.
 */
static void test_follow(void **state)
{
	struct fixture *f = *state;
	char child[80], again[80];
	const struct jd *x[8], *md, *fs;
	struct convert_stats st;
	struct logw *lw;
	struct jd *doc;
	int64_t id, pid3 = 4242 + (1 << 22);

	snprintf(child, sizeof(child), "%s.4300", f->log);
	snprintf(again, sizeof(again), "%s.4242", f->log);
	prologue(f->lw);
	assert_int_equal(logw__meta(f->lw, "follow_log", strrchr(child, '/') + 1), 0);
	assert_int_equal(logw__meta(f->lw, "follow_log", "no-such-log.gotl"), 0);
	assert_int_equal(logw__meta(f->lw, "follow_log", strrchr(again, '/') + 1), 0);
	create(f->lw, 1000, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	status(f->lw, 2000, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	end(f->lw, 5000, 0);

	/* A program it started: G1 spawns G7, which blocks for good on a channel. */
	assert_int_equal(logw__open(child, &lw), 0);
	prologue_pid(lw, 4300);
	create(lw, 1500, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	status(lw, 1550, 4300, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	create(lw, 1600, GP7, 7, GP1, 1, PC_WORKER, PC_GO);
	status(lw, 1700, 101, GP7, 7, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	status(lw, 2000, 101, GP7, 7, GOTL_G_RUNNING, GOTL_G_WAITING, 15, 0, 0);
	end(lw, 3000, 0);
	assert_int_equal(logw__close(lw), 0);
	/* The program the main one exec'd: its pid again. */
	assert_int_equal(logw__open(again, &lw), 0);
	prologue_pid(lw, 4242);
	create(lw, 5000, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	status(lw, 5100, 4242, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	end(lw, 6000, 0);
	assert_int_equal(logw__close(lw), 0);

	doc = json_ok(f, &st);
	assert_int_equal(st.processes, 3);
	assert_int_equal(st.follow_missing, 1);
	assert_non_null(strstr(st.follow_err, "no-such-log.gotl"));
	assert_int_equal(st.goroutines, 4);
	assert_int_equal(st.leak_suspects, 1);

	/* Three processes, in order; the exec'd program apart from the one it replaced. */
	assert_int_equal(count(doc, "M", -1, "process_name"), 3);
	assert_int_equal(jd_int(nth(doc, "M", -1, "process_name", 0), "pid"), 4242);
	assert_int_equal(jd_int(nth(doc, "M", -1, "process_name", 1), "pid"), 4300);
	assert_int_equal(jd_int(nth(doc, "M", -1, "process_name", 2), "pid"), pid3);
	assert_string_equal(thread_name_in(doc, 4242, TID(1)), "G1 main.main");
	assert_null(thread_name_in(doc, 4242, TID(7)));
	assert_string_equal(thread_name_in(doc, 4300, TID(1)), "G1 main.main");
	assert_string_equal(thread_name_in(doc, 4300, TID(7)), "G7 main.worker");
	assert_string_equal(thread_name_in(doc, pid3, TID(1)), "G1 main.main");
	/* Its OS threads, under its pid. */
	assert_string_equal(thread_name_in(doc, 4300, 101), "prog");
	assert_non_null(nth_in(doc, "X", 4300, 101, "main.worker", 0));
	assert_non_null(nth_in(doc, "X", pid3, 4242, "main.main", 0));

	/* The child's G7, on the main log's time base, spawned by the child's G1. */
	assert_int_equal(states_in(doc, 4300, TID(7), x, 8), 3);
	assert_x(x[0], "Runnable", 1600, 100);
	assert_x(x[1], "Running", 1700, 300);
	assert_x(x[2], "chan send", 2000, 1000);
	assert_true(jd_get(jd_get(x[2], "args"), "still_blocked_at_end")->b);
	id = flow_into(doc, x[0]);
	fs = flow_start(doc, id);
	assert_non_null(fs);
	assert_int_equal(jd_int(fs, "pid"), 4300);
	assert_int_equal(jd_int(fs, "tid"), TID(1));
	assert_non_null(nth_in(doc, "i", 4300, TID(7), "leak suspect", 0));
	assert_string_equal(thread_name_in(doc, 4300,
					   jd_int(nth(doc, "i", -1, "G7 chan send", 0), "tid")),
			    "Leak suspects (1)");
	assert_int_equal(jd_int(nth(doc, "i", -1, "G7 chan send", 0), "pid"), 4300);
	assert_int_equal(counter_at(doc, "Goroutines", "alive", 9000), 0);

	/* Each process's metadata, prefixed; what ts 0 is, the main log's only. */
	md = jd_get(doc, "metadata");
	assert_int_equal(jd_int(md, "gotl.pid"), 4242);
	assert_int_equal(jd_int(md, "gotl.goroutines"), 1);
	assert_int_equal(jd_int(md, "proc.1.gotl.pid"), 4300);
	assert_int_equal(jd_int(md, "proc.1.gotl.goroutines"), 2);
	assert_int_equal(jd_int(md, "proc.1.gotl.leak_suspects"), 1);
	assert_string_equal(jd_str(md, "proc.1.go.version"), "go1.23.4");
	assert_string_equal(jd_str(md, "proc.1.gotl.command"), "./prog");
	assert_null(jd_get(md, "proc.2.gotl.pid"));
	assert_int_equal(jd_int(md, "proc.3.gotl.pid"), 4242);
	assert_int_equal(jd_int(md, "proc.3.gotl.events"), 2);
	assert_int_equal(jd_int(md, "gotl.processes"), 3);
	assert_int_equal(jd_int(md, "gotl.ts0_boottime_ns"), TS0);
	assert_null(jd_get(md, "proc.1.gotl.ts0_boottime_ns"));
	same_as_protobuf(f, doc);
	unlink(child);
	unlink(again);
	jd_free(doc);
}

/* Bad input: an error, once; an output that cannot be created names the file. */
/* The tid of the thread named name, or -1. */
static int64_t tid_named(const struct jd *doc, const char *name)
{
	const struct jd *ev = events(doc);
	size_t i;

	for (i = 0; i < ev->n; i++)
		if (!strcmp(jd_str(&ev->v[i], "ph"), "M") &&
		    !strcmp(jd_str(&ev->v[i], "name"), "thread_name") &&
		    !strcmp(jd_str(jd_get(&ev->v[i], "args"), "name"), name))
			return jd_int(&ev->v[i], "tid");
	return -1;
}

/*
 * A list longer than Perfetto's importer nests on one thread (512): 501 leak
 * suspects are two threads, "Leak suspects (501) 1-500" with the first 500
 * and "Leak suspects (501) 501-501" with the last, as the protobuf trace's
 * two parts; nothing is on a thread named as the list alone.
 */
static void test_long_list(void **state)
{
	struct fixture *f = *state;
	int64_t t1, t2;
	struct jd *doc;

	prologue(f->lw);
	leaked_workers(f->lw, 501);
	doc = json_ok(f, NULL);
	t1 = tid_named(doc, "Leak suspects (501) 1-500");
	t2 = tid_named(doc, "Leak suspects (501) 501-501");
	assert_true(t1 >= 0 && t2 >= 0 && t1 != t2);
	assert_int_equal(tid_named(doc, "Leak suspects (501)"), -1);
	assert_int_equal(count(doc, "i", t1, NULL), 500);
	assert_int_equal(count(doc, "i", t2, NULL), 1);
	assert_int_equal(strncmp(jd_str(nth(doc, "i", t2, NULL, 0), "name"), "G510 ", 5), 0);
	jd_free(doc);
}

static void test_errors(void **state)
{
	struct fixture *f = *state;
	struct convert_opts o = { .log_path = f->log,
				  .trace_path = "/nonexistent/dir/x.json",
				  .format = CONVERT_JSON };
	struct convert_stats st;
	char err[256] = "";

	write_story(f->lw);
	assert_int_equal(logw__close(f->lw), 0);
	f->lw = NULL;
	assert_int_equal(convert__run(&o, &st, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/dir/x.json"));
	/* Not a log: an error, and no output file left behind. */
	o.log_path = "/etc/hostname";
	o.trace_path = f->trace;
	err[0] = 0;
	unlink(f->trace);
	assert_true(convert__run(&o, &st, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "not a gotl event log"));
	assert_int_equal(access(f->trace, F_OK), -1);
}

/*
 * Whatever the log holds, the output is one valid JSON document; and when
 * the conversion succeeds, one that keeps the format's rules. The inputs:
 * every file of the fuzzing corpus (malformed, cut, hostile logs included).
 */
static void test_corpus(void **state)
{
	static const char dir[] = "tests/fuzz/corpus/log";
	struct fixture *f = *state;
	struct convert_opts o = { .trace_path = f->trace, .format = CONVERT_JSON };
	struct convert_stats st;
	char path[512], err[256];
	struct dirent *de;
	int files = 0, ok = 0;
	DIR *d = opendir(dir);

	if (!d)
		fail_msg("no %s: run the unit tests from the top of the tree", dir);
	while ((de = readdir(d))) {
		struct jd *doc;
		int ret;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		o.log_path = path;
		o.goroutine_alloc_counters = files & 1;
		ret = convert__run(&o, &st, err, sizeof(err));
		doc = jd_read(f->trace, err, sizeof(err));
		if (!doc)
			fail_msg("%s: invalid JSON: %s", path, err);
		if (!ret && jd_check(doc, err, sizeof(err)))
			fail_msg("%s: %s", path, err);
		ok += !ret;
		files++;
		jd_free(doc);
	}
	closedir(d);
	assert_true(files >= 100);
	assert_true(ok > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_story, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escaping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rich, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verdict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corpus, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
