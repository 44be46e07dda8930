// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_convert.c: the converter on synthetic event streams. Each test writes
 * a log with logw exactly as the recorder would (the same records the BPF
 * side emits), converts it, decodes the trace with tracedec.h and checks
 * what a viewer would see: tracks, back-to-back state slices and their
 * args, spawn and wake-up flows, counters, the end of the recording.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "gotl/event.h"
#include "convert.h"
#include "logw.h"
#include "logbuild.h"
#include "tracedec.h"

static struct tdec *convert_ok(struct fixture *f, struct convert_stats *st)
{
	struct convert_opts o = { .log_path = f->log, .trace_path = f->trace };
	struct convert_stats local;
	char err[256] = "";
	struct tdec *d;

	assert_int_equal(logw__close(f->lw), 0);
	f->lw = NULL;
	assert_int_equal(convert__run(&o, st ? st : &local, err, sizeof(err)), 0);
	d = td_read(f->trace);
	assert_non_null(d);
	assert_int_equal(d->errors, 0);
	return d;
}

static void assert_slice(const struct td_slice *s, const char *name, uint64_t ts, uint64_t dur)
{
	assert_non_null(s);
	assert_string_equal(s->name, name);
	assert_int_equal(s->ts, ts);
	assert_int_equal(s->dur, dur);
	assert_int_equal(s->depth, 0);
}

static uint64_t arg_u(const struct td_slice *s, const char *name)
{
	const struct td_arg *a = td_arg(s, name);

	assert_non_null(a);
	return a->u;
}

static const char *arg_s(const struct td_slice *s, const char *name)
{
	const struct td_arg *a = td_arg(s, name);

	assert_non_null(a);
	assert_true(a->is_str);
	return a->s;
}

/*
 * The story: G1 (main) starts, spawns G7 (goid unknown at creation, as on
 * Go <= 1.23), blocks on a channel; G7 runs, wakes G1, blocks forever on a
 * send; G1 runs to the end of the recording.
 */
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
	const struct td_track *g1, *g7, *grp, *proc;
	const struct td_slice *s;
	struct convert_stats st;
	struct tdec *d;
	int i, creates = 0, unblocks = 0;

	write_story(f->lw);
	d = convert_ok(f, &st);
	assert_int_equal(st.events, 8);
	assert_int_equal(st.goroutines, 2);
	assert_int_equal(st.lost, 0);
	assert_true(st.ended);
	assert_false(st.truncated);
	/* The trace clock's, then the default (delta) clock's; the sequence starts after. */
	assert_int_equal(d->clock_snapshots, 2);
	assert_true(d->cleared_first);

	proc = td_track_named(d, "");
	for (i = 0; i < d->ntracks; i++)
		if (d->tracks[i].pid)
			proc = &d->tracks[i];
	assert_int_equal(proc->pid, 4242);
	grp = td_track_named(d, "Goroutines");
	assert_non_null(grp);
	assert_int_equal(grp->parent, proc->uuid);
	g1 = td_track_named(d, "G1 ");
	g7 = td_track_named(d, "G7 ");
	assert_non_null(g1);
	assert_non_null(g7);
	assert_string_equal(g1->name, "G1 main.main");
	assert_string_equal(g7->name, "G7 main.worker");
	assert_int_equal(g7->parent, grp->uuid);
	assert_int_equal(g7->rank, 7);
	assert_non_null(strstr(g7->desc, "created by goroutine 1 at main.main (/src/main.go:14)"));

	/* G1: back-to-back states to the end of the recording. */
	assert_int_equal(td_count_slices(d, g1->uuid), 5);
	s = td_nth_slice(d, g1->uuid, 0);
	assert_slice(s, "Runnable", 1000, 1000);
	assert_string_equal(arg_s(s, "start_function"), "main.main");
	s = td_nth_slice(d, g1->uuid, 1);
	assert_slice(s, "Running", 2000, 2000);
	assert_int_equal(arg_u(s, "thread"), 100);
	/*
	 * Who it is (goid included): on its first slice and in its track's name and
	 * description, not on every slice.
	 */
	assert_int_equal(arg_u(td_nth_slice(d, g1->uuid, 0), "goid"), 1);
	assert_null(td_arg(s, "goid"));
	assert_null(td_arg(s, "start_function"));
	s = td_nth_slice(d, g1->uuid, 2);
	assert_slice(s, "chan receive", 4000, 2000);
	assert_string_equal(arg_s(s, "wait_reason"), "chan receive");
	s = td_nth_slice(d, g1->uuid, 3);
	assert_slice(s, "Runnable", 6000, 2000);
	assert_int_equal(arg_u(s, "woken_by"), 7);
	assert_true(s->flow_in != 0);
	s = td_nth_slice(d, g1->uuid, 4);
	assert_slice(s, "Running", 8000, 2000);
	assert_int_equal(arg_u(s, "open_at_end"), 1);
	assert_null(td_arg(s, "still_blocked_at_end"));

	/* G7: spawned at 3000, its goid learned at its first run, blocked at the end. */
	assert_int_equal(td_count_slices(d, g7->uuid), 3);
	s = td_nth_slice(d, g7->uuid, 0);
	assert_slice(s, "Runnable", 3000, 2000);
	assert_int_equal(arg_u(s, "goid"), 7);
	assert_int_equal(arg_u(s, "parent_goid"), 1);
	assert_string_equal(arg_s(s, "created_at"), "main.main /src/main.go:14");
	assert_true(s->flow_in != 0);
	assert_slice(td_nth_slice(d, g7->uuid, 1), "Running", 5000, 2000);
	s = td_nth_slice(d, g7->uuid, 2);
	assert_slice(s, "chan send", 7000, 3000);
	assert_int_equal(arg_u(s, "still_blocked_at_end"), 1);

	/* Flow sources: instants on the parent's and the waker's tracks, at the exact time. */
	for (i = 0; i < d->nslices; i++) {
		const struct td_slice *x = &d->slices[i];

		if (!x->instant)
			continue;
		if (!strcmp(x->name, "GoCreate")) {
			creates++;
			assert_int_equal(x->track, g1->uuid);
			assert_int_equal(x->ts, 3000);
			assert_int_equal(x->depth, 1); /* inside G1's Running slice */
			assert_int_equal(x->flow_out, td_nth_slice(d, g7->uuid, 0)->flow_in);
			assert_int_equal(arg_u(x, "goid"), 7);
		} else if (!strcmp(x->name, "GoUnblock")) {
			unblocks++;
			assert_int_equal(x->track, g7->uuid);
			assert_int_equal(x->ts, 6000);
			assert_int_equal(x->flow_out, td_nth_slice(d, g1->uuid, 3)->flow_in);
			assert_int_equal(arg_u(x, "goid"), 1);
		}
	}
	assert_int_equal(creates, 1);
	assert_int_equal(unblocks, 1);
	td_free(d);
}

/* Counter values: the last value of each counter track at or before ts. */
static int64_t counter_at(const struct tdec *d, const char *name, uint64_t ts)
{
	const struct td_track *t = td_track_named(d, name);
	int64_t v = -1;
	int i;

	assert_non_null(t);
	assert_true(t->counter);
	for (i = 0; i < d->ncounters; i++)
		if (d->counters[i].track == t->uuid && d->counters[i].ts <= ts)
			v = d->counters[i].v;
	return v;
}

static void test_counters(void **state)
{
	struct fixture *f = *state;
	struct tdec *d;

	write_story(f->lw);
	d = convert_ok(f, NULL);
	assert_int_equal(counter_at(d, "Goroutines alive", 1500), 1);
	assert_int_equal(counter_at(d, "Goroutines alive", 3500), 2);
	assert_int_equal(counter_at(d, "Goroutines runnable", 3500), 1);
	assert_int_equal(counter_at(d, "Goroutines running", 3500), 1);
	assert_int_equal(counter_at(d, "Goroutines blocked", 4500), 1);
	assert_int_equal(counter_at(d, "Goroutines blocked", 9000), 1);
	assert_int_equal(counter_at(d, "Goroutines running", 9000), 1);
	assert_int_equal(counter_at(d, "gotl events lost", 9000), 0);
	td_free(d);
}

/* Records arrive out of order (several CPUs share one ring buffer). */
static void test_reorder(void **state)
{
	struct fixture *f = *state;
	const struct td_track *g1;
	struct tdec *d;

	prologue(f->lw);
	create(f->lw, 1000, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	status(f->lw, 4000, 100, GP1, 1, GOTL_G_RUNNING, GOTL_G_WAITING, 19, 0, 0);
	status(f->lw, 2000, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	status(f->lw, 6000, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	status(f->lw, 5000, 100, GP1, 1, GOTL_G_WAITING, GOTL_G_RUNNABLE, 0, 0, 0);
	end(f->lw, 7000, 0);
	d = convert_ok(f, NULL);
	g1 = td_track_named(d, "G1 ");
	assert_int_equal(td_count_slices(d, g1->uuid), 5);
	assert_slice(td_nth_slice(d, g1->uuid, 0), "Runnable", 1000, 1000);
	assert_slice(td_nth_slice(d, g1->uuid, 1), "Running", 2000, 2000);
	assert_slice(td_nth_slice(d, g1->uuid, 2), "sleep", 4000, 1000);
	assert_slice(td_nth_slice(d, g1->uuid, 3), "Runnable", 5000, 1000);
	assert_slice(td_nth_slice(d, g1->uuid, 4), "Running", 6000, 1000);
	td_free(d);
}

/* A g struct is recycled: the new goroutine must not inherit the old goid. */
static void test_recycled_g(void **state)
{
	struct fixture *f = *state;
	const struct td_track *g7, *g9;
	struct convert_stats st;
	struct tdec *d;

	prologue(f->lw);
	create(f->lw, 1000, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	status(f->lw, 1500, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	create(f->lw, 2000, GP7, 0, GP1, 1, PC_WORKER, PC_GO);
	status(f->lw, 3000, 101, GP7, 7, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	status(f->lw, 4000, 101, GP7, 7, GOTL_G_RUNNING, GOTL_G_DEAD, 0, 0, 0);
	/* Go <= 1.23: the creation record has no goid; the g still holds 7. */
	create(f->lw, 5000, GP7, 0, GP1, 1, PC_WORKER, PC_GO);
	status(f->lw, 6000, 101, GP7, 9, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	end(f->lw, 8000, 0);
	d = convert_ok(f, &st);
	assert_int_equal(st.goroutines, 3);
	assert_int_equal(st.unobserved, 0);
	g7 = td_track_named(d, "G7 ");
	g9 = td_track_named(d, "G9 ");
	assert_non_null(g7);
	assert_non_null(g9);
	assert_int_equal(td_count_slices(d, g7->uuid), 2);
	assert_slice(td_nth_slice(d, g7->uuid, 1), "Running", 3000, 1000); /* ends at exit */
	assert_int_equal(td_count_slices(d, g9->uuid), 2);
	assert_slice(td_nth_slice(d, g9->uuid, 0), "Runnable", 5000, 1000);
	assert_int_equal(arg_u(td_nth_slice(d, g9->uuid, 0), "goid"), 9);
	td_free(d);
}

/* Lost events: marked on the slice whose end was not seen, and counted. */
static void test_lost_events(void **state)
{
	struct fixture *f = *state;
	struct gotl_rec_stats s = {
		.hdr = { .type = GOTL_REC_STATS, .size = sizeof(s), .ts = 3500 },
	};
	const struct td_track *g1;
	struct convert_stats st;
	const struct td_slice *x;
	struct tdec *d;

	s.lost[GOTL_PROBE_CASGSTATUS] = 5;
	prologue(f->lw);
	create(f->lw, 1000, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	status(f->lw, 2000, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	/* 2 -> 4 and 4 -> 1 were lost: the next event says 1 -> 2. */
	assert_int_equal(logw__append(f->lw, &s, sizeof(s)), 0);
	status(f->lw, 5000, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	status(f->lw, 6000, 100, GP1, 1, GOTL_G_RUNNING, GOTL_G_SYSCALL, 0, 0, 0);
	end(f->lw, 7000, 0);
	d = convert_ok(f, &st);
	assert_int_equal(st.lost, 5);
	assert_int_equal(st.unobserved, 1);
	g1 = td_track_named(d, "G1 ");
	x = td_nth_slice(d, g1->uuid, 1);
	assert_slice(x, "Running", 2000, 3000);
	assert_int_equal(arg_u(x, "unobserved_transitions"), 1);
	assert_null(td_arg(td_nth_slice(d, g1->uuid, 2), "unobserved_transitions"));
	assert_int_equal(counter_at(d, "gotl events lost", 4000), 5);
	td_free(d);
}

/* The same transition reported by two probes (Go 1.26 bubble fallback) is one slice. */
static void test_duplicate_transition(void **state)
{
	struct fixture *f = *state;
	const struct td_track *g1;
	struct convert_stats st;
	struct tdec *d;

	prologue(f->lw);
	create(f->lw, 1000, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	status(f->lw, 2000, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	status_from(f->lw, GOTL_PROBE_REENTERSYSCALL, 3000, 100, GP1, 1, GOTL_G_RUNNING,
		    GOTL_G_SYSCALL, 0, 0, 0);
	status(f->lw, 3001, 100, GP1, 1, GOTL_G_RUNNING, GOTL_G_SYSCALL, 0, 0, 0);
	status_from(f->lw, GOTL_PROBE_EXITSYSCALL, 4000, 100, GP1, 1, GOTL_G_SYSCALL,
		    GOTL_G_RUNNING, 0, 0, 0);
	end(f->lw, 5000, 0);
	d = convert_ok(f, &st);
	g1 = td_track_named(d, "G1 ");
	assert_int_equal(td_count_slices(d, g1->uuid), 4);
	assert_slice(td_nth_slice(d, g1->uuid, 2), "Syscall", 3000, 1000);
	assert_int_equal(st.unobserved, 0);
	td_free(d);
}

/* A log cut short by a killed recorder converts up to its last whole record. */
static void test_truncated(void **state)
{
	struct fixture *f = *state;
	struct convert_opts o = { .log_path = f->log, .trace_path = f->trace };
	struct convert_stats st;
	const struct td_track *g1;
	char err[256];
	struct tdec *d;

	prologue(f->lw);
	create(f->lw, 1000, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	status(f->lw, 2000, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	status(f->lw, 3000, 100, GP1, 1, GOTL_G_RUNNING, GOTL_G_WAITING, 14, 0, 0);
	assert_int_equal(logw__close(f->lw), 0);
	f->lw = NULL;
	/* Cut into the middle of the last record. */
	assert_int_equal(truncate(f->log, 0) == 0 ? 0 : 0, 0);
	{
		struct logw *lw;

		assert_int_equal(logw__open(f->log, &lw), 0);
		prologue(lw);
		create(lw, 1000, GP1, 1, 0, 0, PC_MAIN, PC_RT);
		status(lw, 2000, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
		status(lw, 3000, 100, GP1, 1, GOTL_G_RUNNING, GOTL_G_WAITING, 14, 0, 0);
		assert_int_equal(logw__close(lw), 0);
	}
	{
		FILE *fp = fopen(f->log, "rb+");
		long size;

		fseek(fp, 0, SEEK_END);
		size = ftell(fp);
		fclose(fp);
		assert_int_equal(truncate(f->log, size - 20), 0);
	}
	assert_int_equal(convert__run(&o, &st, err, sizeof(err)), 0);
	assert_true(st.truncated);
	assert_false(st.ended);
	assert_int_equal(st.events, 2);
	d = td_read(f->trace);
	assert_non_null(d);
	assert_int_equal(d->errors, 0);
	g1 = td_track_named(d, "G1 ");
	assert_int_equal(td_count_slices(d, g1->uuid), 2);
	/* The last slice is closed at the last event seen, marked open. */
	assert_slice(td_nth_slice(d, g1->uuid, 1), "Running", 2000, 0);
	assert_int_equal(arg_u(td_nth_slice(d, g1->uuid, 1), "open_at_end"), 1);
	td_free(d);
}

static void test_bad_logs(void **state)
{
	struct fixture *f = *state;
	struct convert_opts o = { .log_path = f->log, .trace_path = f->trace };
	struct gotl_log_header h = { .version = 99, .header_size = sizeof(h) };
	struct convert_stats st;
	char err[256];
	FILE *fp;

	assert_int_equal(logw__close(f->lw), 0);
	f->lw = NULL;

	fp = fopen(f->log, "wb");
	fputs("this is not a log, it is a text file with some words in it\n", fp);
	fclose(fp);
	assert_int_equal(convert__run(&o, &st, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "not a gotl event log"));

	memcpy(h.magic, GOTL_LOG_MAGIC, 8);
	fp = fopen(f->log, "wb");
	fwrite(&h, sizeof(h), 1, fp);
	fclose(fp);
	assert_int_equal(convert__run(&o, &st, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_non_null(strstr(err, "version 99"));

	/* A record whose size is not a multiple of 8. */
	{
		struct gotl_rec r = { .type = GOTL_REC_META, .size = 13 };

		h.version = GOTL_LOG_VERSION;
		fp = fopen(f->log, "wb");
		fwrite(&h, sizeof(h), 1, fp);
		fwrite(&r, sizeof(r), 1, fp);
		fclose(fp);
		assert_int_equal(convert__run(&o, &st, err, sizeof(err)), -EBADMSG);
		assert_non_null(strstr(err, "corrupt at byte 32"));
	}
	assert_int_equal(convert__run(&(struct convert_opts){ .log_path = "/nonexistent/x.gotl",
							      .trace_path = f->trace },
				      &st, err, sizeof(err)),
			 -ENOENT);
}

/* Converting the same log twice gives the same bytes. */
static void test_deterministic(void **state)
{
	struct fixture *f = *state;
	struct convert_opts o = { .log_path = f->log, .trace_path = f->trace };
	char err[256], t2[80], *a, *b;
	struct convert_stats st;
	size_t na, nb;
	FILE *fp;

	write_story(f->lw);
	assert_int_equal(logw__close(f->lw), 0);
	f->lw = NULL;
	assert_int_equal(convert__run(&o, &st, err, sizeof(err)), 0);
	snprintf(t2, sizeof(t2), "%s.2", f->trace);
	o.trace_path = t2;
	assert_int_equal(convert__run(&o, &st, err, sizeof(err)), 0);
	a = calloc(1, 1 << 20);
	b = calloc(1, 1 << 20);
	fp = fopen(f->trace, "rb");
	na = fread(a, 1, 1 << 20, fp);
	fclose(fp);
	fp = fopen(t2, "rb");
	nb = fread(b, 1, 1 << 20, fp);
	fclose(fp);
	unlink(t2);
	assert_true(na > 0);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	free(a);
	free(b);
}

/*
 * Stacks: a goroutine parks with a stack (its block site is the innermost
 * frame outside the standard library) and was created with its parent's
 * stack; still blocked on a channel at the end, it is a leak suspect.
 */
static void test_stacks_and_suspects(void **state)
{
	static const uint64_t park[] = { 0x403000, 0x403100, 0x402010, 0x402020 };
	static const uint64_t born[] = { 0x404000, 0x401300, 0x401400 };
	struct fixture *f = *state;
	const struct td_track *g7, *sus;
	const struct td_slice *s;
	struct convert_stats st;
	struct tdec *d;
	int i, marks = 0;

	prologue(f->lw);
	frames(f->lw, 0x403000, "runtime.gopark", "/go/src/runtime/proc.go", 460);
	frames(f->lw, 0x403100, "runtime.chansend1", "/go/src/runtime/chan.go", 161);
	frames(f->lw, 0x402010, "main.worker", "/src/main.go", 30);
	frames(f->lw, 0x402020, "runtime.goexit", "/go/src/runtime/asm.s", 1700);
	frames(f->lw, 0x404000, "runtime.newproc", "/go/src/runtime/proc.go", 5298);
	frames(f->lw, 0x401300, "main.main", "/src/main.go", 14);
	frames(f->lw, 0x401400, "runtime.main", "/go/src/runtime/proc.go", 290);
	create(f->lw, 1000, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	status(f->lw, 1500, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	create(f->lw, 2000, GP7, 7, GP1, 1, PC_WORKER, PC_GO);
	stack(f->lw, 2000, GP7, GOTL_STACK_CREATE, born, 3, 8192);
	status(f->lw, 3000, 101, GP7, 7, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	status(f->lw, 4000, 101, GP7, 7, GOTL_G_RUNNING, GOTL_G_WAITING, 15, 0, 0);
	stack(f->lw, 4000, GP7, GOTL_STACK_BLOCK, park, 4, 8192);
	end(f->lw, 9000, 0);
	d = convert_ok(f, &st);
	assert_int_equal(st.leak_suspects, 1);

	g7 = td_track_named(d, "G7 ");
	s = td_nth_slice(d, g7->uuid, 2);
	assert_slice(s, "chan send", 4000, 5000);
	assert_string_equal(arg_s(s, "blocked_at"), "main.worker /src/main.go:30");
	/* Innermost first, as Go prints it; each frame with its file and line. */
	assert_string_equal(s->stack,
			    "runtime.gopark /go/src/runtime/proc.go:460 > "
			    "runtime.chansend1 /go/src/runtime/chan.go:161 > "
			    "main.worker /src/main.go:30 > runtime.goexit /go/src/runtime/asm.s:1700");
	assert_int_equal(s->runtime_frames, 3);
	for (i = 0; i < d->nslices; i++) {
		const struct td_slice *x = &d->slices[i];

		if (x->instant && !strcmp(x->name, "GoCreate")) {
			/* The creator's stack at its `go` statement (newproc's frame dropped). */
			assert_string_equal(x->stack, "main.main /src/main.go:14 > "
						      "runtime.main /go/src/runtime/proc.go:290");
			assert_int_equal(x->runtime_frames, 1);
		} else if (x->instant && !strcmp(x->name, "leak suspect")) {
			marks++;
			assert_int_equal(x->track, g7->uuid);
			assert_int_equal(x->ts, 9000);
			assert_int_equal(arg_u(x, "blocked_for_ns"), 5000);
		}
	}
	assert_int_equal(marks, 1);
	sus = td_track_named(d, "Leak suspects (1)");
	assert_non_null(sus);
	for (i = 0, marks = 0; i < d->nslices; i++)
		if (d->slices[i].track == sus->uuid) {
			marks++;
			assert_string_equal(d->slices[i].name, "G7 chan send at main.go:30");
			assert_string_equal(arg_s(&d->slices[i], "created_at"),
					    "main.main /src/main.go:14");
		}
	assert_int_equal(marks, 1);
	td_free(d);
}

#define TYPE_POINT 0x4a0000ull
#define TYPE_BYTE 0x4a0100ull

/*
 * Allocations: G7's totals arrive when it stops running and land on that
 * Running slice; a recorded allocation is an instant with its stack and a
 * weight; class snapshots are cumulative and merge by name (two untyped
 * classes from different call paths of main.worker); heap counters follow
 * the totals.
 */
static void test_allocations(void **state)
{
	static const uint64_t at[] = { 0x405000, 0x402030, 0x402020 };
	struct gotl_alloc_key point = { .type = TYPE_POINT };
	struct gotl_alloc_key bytes_a = { .pcs = { 0x406000, 0x402040 } };
	struct gotl_alloc_key bytes_b = { .pcs = { 0x406000, 0x402050 } };
	struct gotl_alloc_key slice = { .type = TYPE_BYTE, .flags = GOTL_ALLOC_ARRAY };
	struct fixture *f = *state;
	const struct td_track *g7, *types, *heap;
	const struct td_slice *s;
	struct convert_stats st;
	struct tdec *d;
	int i, listed = 0, samples = 0;

	prologue(f->lw);
	type_rec(f->lw, TYPE_POINT, "main.Point", 24);
	type_rec(f->lw, TYPE_BYTE, "uint8", 1);
	frames(f->lw, 0x405000, "runtime.newobject", "/go/src/runtime/malloc.go", 1700);
	frames(f->lw, 0x402030, "main.worker", "/src/main.go", 33);
	frames(f->lw, 0x402020, "runtime.goexit", "/go/src/runtime/asm.s", 1700);
	frames(f->lw, 0x406000, "runtime.slicebytetostring", "/go/src/runtime/string.go", 100);
	frames(f->lw, 0x402040, "main.worker", "/src/main.go", 35);
	frames(f->lw, 0x402050, "main.worker", "/src/main.go", 36);
	create(f->lw, 1000, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	status(f->lw, 1500, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	create(f->lw, 2000, GP7, 7, GP1, 1, PC_WORKER, PC_GO);
	status(f->lw, 3000, 101, GP7, 7, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	alloc_ev(f->lw, 3500, GP7, 7, TYPE_POINT, 24, 24);
	stack(f->lw, 3500, GP7, GOTL_STACK_ALLOC, at, 3, 8192);
	alloc_total(f->lw, 3600, GOTL_ALLOC_ALL, 10, 1000);
	galloc(f->lw, 4000, GP7, 7, 1000, 10);
	status(f->lw, 4000, 101, GP7, 7, GOTL_G_RUNNING, GOTL_G_RUNNABLE, 0, 0, 0);
	status(f->lw, 5000, 101, GP7, 7, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	alloc_class(f->lw, 5100, &point, 4, 96);
	alloc_class(f->lw, 5100, &bytes_a, 2, 64);
	alloc_class(f->lw, 5100, &bytes_b, 1, 16);
	alloc_total(f->lw, 5200, GOTL_ALLOC_ALL, 12, 1500);
	galloc(f->lw, 6000, GP7, 7, 500, 2);
	status(f->lw, 6000, 101, GP7, 7, GOTL_G_RUNNING, GOTL_G_DEAD, 0, 0, 0);
	alloc_class(f->lw, 6100, &point, 10, 240); /* cumulative: replaces 4/96 */
	alloc_class(f->lw, 6100, &slice, 2, 1200);
	alloc_total(f->lw, 6200, GOTL_ALLOC_ALL, 12, 1500);
	end(f->lw, 9000, 0);
	d = convert_ok(f, &st);
	assert_int_equal(st.alloc_count, 12);
	assert_int_equal(st.alloc_bytes, 1500);

	g7 = td_track_named(d, "G7 ");
	s = td_nth_slice(d, g7->uuid, 1);
	assert_slice(s, "Running", 3000, 1000);
	assert_int_equal(arg_u(s, "alloc_bytes"), 1000);
	assert_int_equal(arg_u(s, "alloc_count"), 10);
	s = td_nth_slice(d, g7->uuid, 3);
	assert_slice(s, "Running", 5000, 1000);
	assert_int_equal(arg_u(s, "alloc_bytes"), 500);
	assert_int_equal(arg_u(s, "alloc_count"), 2);

	types = td_track_named(d, "Allocated types (3)");
	assert_non_null(types);
	for (i = 0; i < d->nslices; i++) {
		const struct td_slice *x = &d->slices[i];

		if (x->track == types->uuid) {
			listed++;
			if (!strcmp(x->name, "[]uint8"))
				assert_int_equal(arg_u(x, "bytes"), 1200);
			else if (!strcmp(x->name, "main.Point"))
				assert_int_equal(arg_u(x, "count"), 10);
			else if (!strcmp(x->name, "untyped (main.worker)"))
				assert_int_equal(arg_u(x, "count"), 3);
			else
				fail_msg("unexpected type %s", x->name);
		} else if (x->instant && x->track == g7->uuid && !strcmp(x->name, "main.Point")) {
			samples++;
			assert_int_equal(x->ts, 3500);
			assert_true(x->weight == 24.0);
			assert_string_equal(arg_s(x, "site"), "main.worker /src/main.go:33");
			assert_string_equal(x->stack,
					    "runtime.newobject /go/src/runtime/malloc.go:1700 > "
					    "main.worker /src/main.go:33 > "
					    "runtime.goexit /go/src/runtime/asm.s:1700");
		}
	}
	assert_int_equal(listed, 3);
	assert_int_equal(samples, 1);
	heap = td_track_named(d, "Heap allocated");
	assert_non_null(heap);
	for (i = 0; i < d->ncounters; i++)
		if (d->counters[i].track == heap->uuid)
			assert_true(d->counters[i].v == 1000 || d->counters[i].v == 1500);
	td_free(d);
}

/*
 * The GC: a runtime.GC() cycle with its two stop-the-world pauses, as Go
 * 1.21+ reports them (reasons from the runtime's table), a pause that is
 * not the GC's, and a heap-triggered cycle on a Go without reasons (255),
 * whose pauses are named from the cycle; it is still running at the end.
 */
static void test_gc(void **state)
{
	struct fixture *f = *state;
	const struct td_track *gc, *stw;
	struct convert_stats st;
	struct tdec *d;
	int i, cycles = 0, pauses = 0;

	prologue(f->lw);
	assert_int_equal(logw__meta(f->lw, "stw_reason", "1 GC mark termination"), 0);
	assert_int_equal(logw__meta(f->lw, "stw_reason", "2 GC sweep termination"), 0);
	assert_int_equal(logw__meta(f->lw, "stw_reason", "7 read mem stats"), 0);
	create(f->lw, 1000, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	status(f->lw, 1500, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	gc_ev(f->lw, 2000, GP1, 1, GOTL_GC_TRIGGER, GOTL_GC_TRIGGER_CYCLE);
	gc_ev(f->lw, 2100, GP1, 1, GOTL_GC_BEGIN, 0);
	gc_ev(f->lw, 2200, 0, 0, GOTL_GC_STW_STOP, 2);
	gc_ev(f->lw, 2300, 0, 0, GOTL_GC_STW_START, 0);
	gc_ev(f->lw, 3000, 0, 0, GOTL_GC_STW_STOP, 1);
	gc_ev(f->lw, 3050, GP1, 1, GOTL_GC_MARKTERM, 0);
	gc_ev(f->lw, 3100, 0, 0, GOTL_GC_STW_START, 0);
	gc_ev(f->lw, 4000, 0, 0, GOTL_GC_STW_STOP, 7);
	gc_ev(f->lw, 4010, 0, 0, GOTL_GC_STW_START, 0);
	gc_ev(f->lw, 5000, GP1, 1, GOTL_GC_TRIGGER, GOTL_GC_TRIGGER_HEAP);
	gc_ev(f->lw, 5100, GP1, 1, GOTL_GC_BEGIN, 0);
	gc_ev(f->lw, 5200, 0, 0, GOTL_GC_STW_STOP, GOTL_GC_STW_UNKNOWN);
	gc_ev(f->lw, 5250, 0, 0, GOTL_GC_STW_START, 0);
	end(f->lw, 9000, 0);
	d = convert_ok(f, &st);
	assert_int_equal(st.gc_cycles, 2);
	assert_int_equal(st.stw_pauses, 4);

	gc = td_track_named(d, "GC");
	stw = td_track_named(d, "Stop the world");
	assert_non_null(gc);
	assert_non_null(stw);
	for (i = 0; i < d->nslices; i++) {
		const struct td_slice *x = &d->slices[i];

		if (x->track == gc->uuid && x->depth == 0) {
			cycles++;
			if (cycles == 1) {
				assert_string_equal(x->name, "GC 1 (runtime.GC)");
				assert_int_equal(x->ts, 2100);
				assert_int_equal(x->dur, 1000);
				assert_int_equal(arg_u(x, "started_by_goid"), 1);
				assert_int_equal(arg_u(x, "stw_ns"), 200);
			} else {
				assert_string_equal(x->name, "GC 2 (heap)");
				assert_int_equal(x->ts + x->dur, 9000);
				assert_true(td_arg(x, "open_at_end") != NULL);
			}
		} else if (x->track == gc->uuid && x->ts == 2200) {
			assert_string_equal(x->name, "sweep termination (STW)");
			assert_int_equal(x->depth, 1);
		} else if (x->track == gc->uuid && x->ts == 3000) {
			assert_string_equal(x->name, "mark termination (STW)");
			assert_int_equal(x->dur, 100);
		} else if (x->track == stw->uuid) {
			pauses++;
			if (x->ts == 2200)
				assert_string_equal(x->name, "GC sweep termination");
			else if (x->ts == 3000)
				assert_string_equal(x->name, "GC mark termination");
			else if (x->ts == 4000)
				assert_string_equal(x->name, "read mem stats");
			else
				/* inferred */
				assert_string_equal(x->name, "GC sweep termination");
		}
	}
	assert_int_equal(cycles, 2);
	assert_int_equal(pauses, 4);
	td_free(d);
}

#define GP9 0xc000004000ull

static void test_attach_snapshot(void **state)
{
	struct fixture *f = *state;
	const uint64_t block_pcs[] = { 0x401100 };
	const struct td_track *g1, *g7, *g9;
	const struct td_slice *x;
	struct convert_stats st;
	struct tdec *d;

	prologue(f->lw);
	frames(f->lw, 0x401100, "main.main", "/src/main.go", 20);
	/* G1 blocked since 500 (the runtime's waitsince), with its stack. */
	gsnap(f->lw, 1000, 1100, GP1, 1, GOTL_G_WAITING, 14, PC_MAIN, PC_RT, 500);
	stack(f->lw, 1000, GP1, GOTL_STACK_BLOCK, block_pcs, 1, 8192);
	/* G7 read at 1200 as Runnable, after its 1050 Running -> Runnable. */
	gsnap(f->lw, 1000, 1200, GP7, 7, GOTL_G_RUNNABLE, 0, PC_WORKER, PC_GO, 0);
	/* G9 created at 1250 while gotl attached, and in the snapshot too (read at 1300). */
	gsnap(f->lw, 1000, 1300, GP9, 9, GOTL_G_RUNNABLE, 0, PC_WORKER, PC_GO, 0);
	status(f->lw, 1050, 101, GP7, 7, GOTL_G_RUNNING, GOTL_G_RUNNABLE, 0, 0, 0);
	create(f->lw, 1250, GP9, 0, GP7, 7, PC_WORKER, PC_GO);
	status(f->lw, 1400, 101, GP9, 9, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	status(f->lw, 2000, 101, GP1, 1, GOTL_G_WAITING, GOTL_G_RUNNABLE, 0, GP9, 9);
	end(f->lw, 3000, 0);
	d = convert_ok(f, &st);
	assert_int_equal(st.goroutines, 3);
	assert_int_equal(st.unobserved, 0);

	g1 = td_track_named(d, "G1 ");
	x = td_nth_slice(d, g1->uuid, 0);
	assert_slice(x, "chan receive", 1000, 1000);
	assert_int_equal(arg_u(x, "existed_at_attach"), 1);
	assert_int_equal(arg_u(x, "blocked_before_recording_ns"), 500);
	assert_string_equal(arg_s(x, "blocked_at"), "main.main /src/main.go:20");
	assert_slice(td_nth_slice(d, g1->uuid, 1), "Runnable", 2000, 1000);
	assert_null(td_arg(td_nth_slice(d, g1->uuid, 1), "existed_at_attach"));

	/*
	 * The state before the 1050 transition holds from the start, not the one
	 * read later; Running on the thread that left it.
	 */
	g7 = td_track_named(d, "G7 ");
	x = td_nth_slice(d, g7->uuid, 0);
	assert_slice(x, "Running", 1000, 50);
	assert_int_equal(arg_u(x, "thread"), 101);
	assert_slice(td_nth_slice(d, g7->uuid, 1), "Runnable", 1050, 1950);

	/* Told once, by its creation. */
	g9 = td_track_named(d, "G9 ");
	assert_int_equal(td_count_slices(d, g9->uuid), 2);
	x = td_nth_slice(d, g9->uuid, 0);
	assert_slice(x, "Runnable", 1250, 150);
	assert_null(td_arg(x, "existed_at_attach"));
	assert_int_equal(arg_u(x, "parent_goid"), 7);
	td_free(d);
}

/*
 * A goroutine running when gotl attached creates one before its own first
 * transition: the parent, from the snapshot, is known to the trace by then
 * and the spawn arrow starts on its track.
 */
static void test_attach_snapshot_parent(void **state)
{
	struct fixture *f = *state;
	const struct td_track *g7, *g9;
	const struct td_slice *x;
	struct convert_stats st;
	struct tdec *d;
	int i, creates = 0;

	prologue(f->lw);
	gsnap(f->lw, 1000, 1100, GP7, 7, GOTL_G_RUNNING, 0, PC_WORKER, PC_GO, 0);
	create(f->lw, 1500, GP9, 9, GP7, 7, PC_WORKER, PC_GO);
	status(f->lw, 1600, 101, GP9, 9, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	end(f->lw, 3000, 0);
	d = convert_ok(f, &st);
	assert_int_equal(st.goroutines, 2);
	assert_int_equal(st.unobserved, 0);

	g7 = td_track_named(d, "G7 ");
	assert_non_null(g7);
	assert_int_equal(td_count_slices(d, g7->uuid), 1);
	x = td_nth_slice(d, g7->uuid, 0);
	assert_slice(x, "Running", 1000, 2000);
	assert_int_equal(arg_u(x, "existed_at_attach"), 1);

	g9 = td_track_named(d, "G9 ");
	x = td_nth_slice(d, g9->uuid, 0);
	assert_slice(x, "Runnable", 1500, 100);
	assert_int_equal(arg_u(x, "parent_goid"), 7);
	assert_true(x->flow_in != 0);
	for (i = 0; i < d->nslices; i++) {
		const struct td_slice *c = &d->slices[i];

		if (!c->instant || strcmp(c->name, "GoCreate"))
			continue;
		creates++;
		assert_int_equal(c->track, g7->uuid);
		assert_int_equal(c->ts, 1500);
		assert_int_equal(c->flow_out, x->flow_in);
	}
	assert_int_equal(creates, 1);
	td_free(d);
}

/*
 * A g reused while gotl read the snapshot, before it read that g: the
 * snapshot holds the new life. The earlier lives' events (a creation and an
 * exit, or the exit alone of one that was there at the start) come first;
 * the snapshot's life begins at its own creation. No transition is unobserved.
 */
static void test_attach_snapshot_reused(void **state)
{
	struct fixture *f = *state;
	const struct td_track *g5, *g8, *g9;
	struct convert_stats st;
	struct tdec *d;

	prologue(f->lw);
	gsnap(f->lw, 1000, 1300, GP9, 9, GOTL_G_RUNNABLE, 0, PC_WORKER, PC_GO, 0);
	gsnap(f->lw, 1000, 1300, GP7, 7, GOTL_G_RUNNING, 0, PC_WORKER, PC_GO, 0);
	/* GP9's life as G5 (there at the start) ends, G8 lives and ends, G9 begins. */
	status(f->lw, 1050, 101, GP9, 5, GOTL_G_RUNNING, GOTL_G_DEAD, 0, 0, 0);
	create(f->lw, 1100, GP9, 8, GP7, 7, PC_WORKER, PC_GO);
	status(f->lw, 1120, 101, GP9, 8, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	status(f->lw, 1150, 101, GP9, 8, GOTL_G_RUNNING, GOTL_G_DEAD, 0, 0, 0);
	create(f->lw, 1200, GP9, 9, GP7, 7, PC_WORKER, PC_GO);
	status(f->lw, 1400, 101, GP9, 9, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	end(f->lw, 3000, 0);
	d = convert_ok(f, &st);
	assert_int_equal(st.unobserved, 0);
	assert_int_equal(st.goroutines, 3);

	g5 = td_track_named(d, "G5 ");
	assert_null(g5);
	g8 = td_track_named(d, "G8 ");
	assert_non_null(g8);
	assert_int_equal(td_count_slices(d, g8->uuid), 2);
	assert_slice(td_nth_slice(d, g8->uuid, 0), "Runnable", 1100, 20);
	assert_slice(td_nth_slice(d, g8->uuid, 1), "Running", 1120, 30);
	g9 = td_track_named(d, "G9 ");
	assert_non_null(g9);
	assert_slice(td_nth_slice(d, g9->uuid, 0), "Runnable", 1200, 200);
	assert_null(td_arg(td_nth_slice(d, g9->uuid, 0), "existed_at_attach"));
	assert_slice(td_nth_slice(d, g9->uuid, 1), "Running", 1400, 1600);
	td_free(d);
}

/* The last state slice of goroutine n's track ("G<n> ..."). */
static const struct td_slice *last_slice(const struct tdec *d, uint64_t n)
{
	char name[32];
	const struct td_track *t;

	snprintf(name, sizeof(name), "G%" PRIu64 " ", n);
	t = td_track_named(d, name);
	assert_non_null(t);
	return td_nth_slice(d, t->uuid, td_count_slices(d, t->uuid) - 1);
}

/* A trace attribute's value, or NULL. */
static const char *attr_of(const struct tdec *d, const char *key)
{
	int i;

	for (i = 0; i < d->nattrs; i++)
		if (!strcmp(d->attrs[i][0], key))
			return d->attrs[i][1];
	return NULL;
}

/*
 * The goroutines with a "leak suspect" instant on their track, in the order
 * of their tracks (a goroutine of the snapshot that never moved is told at
 * the end), as a list "G20 main.leak G8 main.grow".
 */
static void marked(const struct tdec *d, char *buf, size_t len)
{
	size_t n = 0;
	int i, k;

	buf[0] = 0;
	for (i = 0; i < d->ntracks; i++)
		for (k = 0; k < d->nslices; k++)
			if (d->slices[k].instant && d->slices[k].track == d->tracks[i].uuid &&
			    !strcmp(d->slices[k].name, "leak suspect"))
				n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " " : "",
						      d->tracks[i].name);
}

/*
 * record -p (verdict_story, logbuild.h): who is a leak suspect and who is
 * long-lived. Alone and there at the attach (G2, which moved and came back;
 * G9, which came to its wait during the recording), an idle pool (G3-G5),
 * the one left of a group a new goroutine joined without it growing (G6):
 * long-lived, their last span says so, no suspect mark. Created during the
 * recording and blocked at the end (G20, G21, G22), or in a group that
 * grew (G8, there at the attach): suspects, marked and on the list.
 */
static void test_verdict_attached(void **state)
{
	static const uint64_t longlived[] = { 2, 3, 4, 5, 6, 9, 11 };
	static const uint64_t suspects[] = { 8, 20, 21, 22 };
	struct fixture *f = *state;
	const struct td_track *list;
	const struct td_slice *x;
	struct convert_stats st;
	struct tdec *d;
	char buf[512];
	size_t i;
	int k, rows = 0;

	verdict_story(f->lw, GOTL_START_ATTACHED);
	d = convert_ok(f, &st);
	assert_int_equal(st.leak_suspects, 4);
	assert_int_equal(st.unobserved, 0);
	for (i = 0; i < sizeof(longlived) / sizeof(longlived[0]); i++) {
		x = last_slice(d, longlived[i]);
		assert_int_equal(arg_u(x, "open_at_end"), 1);
		assert_int_equal(arg_u(x, "long_lived"), 1);
		assert_null(td_arg(x, "still_blocked_at_end"));
	}
	for (i = 0; i < sizeof(suspects) / sizeof(suspects[0]); i++) {
		x = last_slice(d, suspects[i]);
		assert_int_equal(arg_u(x, "still_blocked_at_end"), 1);
		assert_null(td_arg(x, "long_lived"));
	}
	/* G2 blocked again where the snapshot read it: the probes' stack, the same site. */
	x = last_slice(d, 2);
	assert_int_equal(x->ts, 3 * VS_MS);
	assert_string_equal(arg_s(x, "blocked_at"), "main.loop /src/main.go:70");
	marked(d, buf, sizeof(buf));
	assert_string_equal(buf, "G20 main.leak G21 main.grow G22 main.grow G8 main.grow");
	list = td_track_named(d, "Leak suspects (4)");
	assert_non_null(list);
	for (k = 0; k < d->nslices; k++)
		if (d->slices[k].track == list->uuid)
			rows++;
	assert_int_equal(rows, 4);
	assert_string_equal(attr_of(d, "gotl.leak_suspects"), "4");
	td_free(d);
}

/* The same records from a launched program: today's verdict, every blocked one a suspect. */
static void test_verdict_launched(void **state)
{
	struct fixture *f = *state;
	struct convert_stats st;
	struct tdec *d;
	char buf[512];
	int k;

	verdict_story(f->lw, GOTL_START_LAUNCHED);
	d = convert_ok(f, &st);
	assert_int_equal(st.leak_suspects, 10);
	for (k = 0; k < d->nslices; k++)
		assert_null(td_arg(&d->slices[k], "long_lived"));
	assert_int_equal(arg_u(last_slice(d, 2), "still_blocked_at_end"), 1);
	/* IO wait: still blocked, no suspect. */
	assert_int_equal(arg_u(last_slice(d, 11), "still_blocked_at_end"), 1);
	marked(d, buf, sizeof(buf));
	assert_string_equal(buf,
			    "G2 main.loop G9 main.loop G20 main.leak G21 main.grow "
			    "G22 main.grow G3 main.pool G4 main.pool G5 main.pool G6 main.leak "
			    "G8 main.grow");
	assert_non_null(td_track_named(d, "Leak suspects (10)"));
	td_free(d);
}

static void test_exec(void **state)
{
	struct fixture *f = *state;
	struct gotl_ev_exec x = { .hdr = { .type = GOTL_REC_EXEC, .size = sizeof(x), .ts = 3000 },
				  .pid = 4242,
				  .old_pid = 4242,
				  .filename = "/bin/sh" };
	const struct td_track *g1;
	struct convert_stats st;
	struct tdec *d;

	prologue(f->lw);
	create(f->lw, 1000, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	status(f->lw, 2000, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	assert_int_equal(logw__append(f->lw, &x, sizeof(x)), 0);
	/* What the probes still saw of the new image is not the Go program's story. */
	create(f->lw, 3500, GP7, 1, 0, 0, PC_MAIN, PC_RT);
	status(f->lw, 3600, 100, GP1, 1, GOTL_G_RUNNING, GOTL_G_WAITING, 14, 0, 0);
	end(f->lw, 5000, 0);
	d = convert_ok(f, &st);
	assert_int_equal(st.goroutines, 1);
	g1 = td_track_named(d, "G1 ");
	assert_int_equal(td_count_slices(d, g1->uuid), 2);
	assert_slice(td_nth_slice(d, g1->uuid, 1), "Running", 2000, 1000);
	assert_int_equal(arg_u(td_nth_slice(d, g1->uuid, 1), "open_at_end"), 1);
	assert_int_equal(counter_at(d, "Goroutines alive", 4000), 0);
	td_free(d);
}

/*
 * record --follow: the main log names the logs of the programs followed; one
 * trace holds them all, each a process with its own pid, tracks and flows.
 * A follow log that is missing costs only its process.
 */
static void test_follow(void **state)
{
	struct fixture *f = *state;
	char child[80], name[80];
	const struct td_track *procs[3];
	struct convert_stats st;
	struct logw *lw;
	struct tdec *d;
	int i, n = 0, g1s = 0;

	snprintf(child, sizeof(child), "%s.4300", f->log);
	snprintf(name, sizeof(name), "%s", strrchr(child, '/') + 1);
	prologue(f->lw);
	assert_int_equal(logw__meta(f->lw, "follow_log", name), 0);
	assert_int_equal(logw__meta(f->lw, "follow_log", "no-such-log.gotl"), 0);
	create(f->lw, 1000, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	status(f->lw, 2000, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	end(f->lw, 5000, 0);

	assert_int_equal(logw__open(child, &lw), 0);
	prologue_pid(lw, 4300);
	create(lw, 1500, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	create(lw, 1600, GP7, 7, GP1, 1, PC_WORKER, PC_GO);
	status(lw, 1700, 101, GP7, 7, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	end(lw, 3000, 0);
	assert_int_equal(logw__close(lw), 0);

	d = convert_ok(f, &st);
	unlink(child);
	assert_int_equal(st.processes, 2);
	assert_int_equal(st.follow_missing, 1);
	assert_non_null(strstr(st.follow_err, "no-such-log.gotl"));
	assert_int_equal(st.goroutines, 3);
	for (i = 0; i < d->ntracks; i++) {
		if (d->tracks[i].pid && n < 3)
			procs[n++] = &d->tracks[i];
		g1s += !strncmp(d->tracks[i].name, "G1 ", 3);
	}
	assert_int_equal(n, 2);
	assert_int_equal(procs[0]->pid, 4242);
	assert_int_equal(procs[1]->pid, 4300);
	assert_int_not_equal(procs[0]->uuid, procs[1]->uuid);
	assert_int_equal(g1s, 2); /* one G1 per process */
	assert_non_null(td_track_named(d, "G7 "));
	td_free(d);
}

/* A follow_log META record with value as given, NULs and all. */
static void follow_meta(struct logw *lw, const char *value, size_t len)
{
	struct {
		struct gotl_rec_meta m;
		char data[64];
	} r;
	size_t size = (sizeof(r.m) + 10 + len + 7) & ~(size_t)7;

	assert_true(10 + len <= sizeof(r.data));
	memset(&r, 0, sizeof(r));
	r.m.hdr.type = GOTL_REC_META;
	r.m.hdr.size = (uint16_t)size;
	r.m.key_len = 10;
	r.m.value_len = (uint16_t)len;
	memcpy(r.data, "follow_log", 10);
	memcpy(r.data + 10, value, len);
	assert_int_equal(logw__append(lw, &r, size), 0);
}

/*
 * A follow log is named by its file name, beside the log. A crafted log
 * must not make convert open anything else: a path (absolute or with a
 * '/', even to a good log), ".", "..", an empty name, control characters or
 * a NUL inside are refused, each counted as a follow log missing, the first
 * said in one line; the trace is the main log's.
 */
static void test_follow_names(void **state)
{
	static const char *const bad[] = { "", ".", "..", "a\nb" };
	struct fixture *f = *state;
	char dir[80], away[128], rel[160];
	struct convert_stats st;
	struct logw *lw;
	struct tdec *d;
	int i, procs = 0;
	size_t k;

	/* A good log, but elsewhere: /tmp/gotl-test-PID.d/child.gotl. */
	snprintf(dir, sizeof(dir), "%s.d", f->log);
	snprintf(away, sizeof(away), "%s/child.gotl", dir);
	snprintf(rel, sizeof(rel), "../%s", away + 1);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(logw__open(away, &lw), 0);
	prologue_pid(lw, 4300);
	create(lw, 1500, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	end(lw, 3000, 0);
	assert_int_equal(logw__close(lw), 0);

	prologue(f->lw);
	assert_int_equal(logw__meta(f->lw, "follow_log", away), 0);
	assert_int_equal(logw__meta(f->lw, "follow_log", rel), 0);
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		follow_meta(f->lw, bad[k], strlen(bad[k]));
	follow_meta(f->lw, "x\0/etc/passwd", 13);
	create(f->lw, 1000, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	end(f->lw, 5000, 0);

	d = convert_ok(f, &st);
	unlink(away);
	rmdir(dir);
	assert_int_equal(st.processes, 1);
	assert_int_equal(st.follow_missing, 7);
	assert_non_null(strstr(st.follow_err, away));
	assert_non_null(strstr(st.follow_err, "is not a file name beside it: refused"));
	assert_null(strchr(st.follow_err, '\n'));
	assert_int_equal(st.goroutines, 1);
	for (i = 0; i < d->ntracks; i++)
		procs += d->tracks[i].pid != 0;
	assert_int_equal(procs, 1);
	td_free(d);
}

/*
 * 100,000 workers must stay usable: a start function with many goroutines
 * gets a group track of its own (named with its count, ranked by its first
 * goid); a function with few stays directly in "Goroutines".
 */
static void test_function_groups(void **state)
{
	struct fixture *f = *state;
	const struct td_track *grp, *top, *g1, *w;
	struct convert_stats st;
	struct tdec *d;
	int i, under = 0;

	prologue(f->lw);
	create(f->lw, 1000, GP1, 1, 0, 0, PC_MAIN, PC_RT);
	for (i = 0; i < 20; i++)
		create(f->lw, 1100 + (uint64_t)i, GP7 + 0x1000 * (uint64_t)i, 10 + (uint64_t)i, GP1,
		       1, PC_WORKER, PC_GO);
	end(f->lw, 5000, 0);
	d = convert_ok(f, &st);
	assert_int_equal(st.goroutines, 21);
	top = td_track_named(d, "Goroutines");
	grp = td_track_named(d, "main.worker (20 goroutines)");
	assert_non_null(top);
	assert_non_null(grp);
	assert_int_equal(grp->parent, top->uuid);
	assert_int_equal(grp->rank, 10); /* its first goroutine's id */
	g1 = td_track_named(d, "G1 ");
	assert_int_equal(g1->parent, top->uuid);
	for (i = 0; i < d->ntracks; i++) {
		w = &d->tracks[i];
		if (!strncmp(w->name, "G", 1) && strstr(w->name, " main.worker")) {
			assert_int_equal(w->parent, grp->uuid);
			under++;
		}
	}
	assert_int_equal(under, 20);
	td_free(d);
}

/*
 * The runtime's own goroutines go into a group of their own, ranked after
 * every goroutine of the program; G1 (runtime.main, the program's main) and
 * the program's stay in "Goroutines". OS thread tracks are described on a
 * sequence of their own, without interned data: on the events' sequence
 * the importer would tag every goroutine slice with the thread.
 */
static void test_runtime_group(void **state)
{
	struct fixture *f = *state;
	const struct td_track *top, *rt, *g1, *g2, *g7;
	struct tdec *d;
	int i, threads = 0;

	prologue(f->lw);
	assert_int_equal(logw__sym(f->lw, 0x403800, GOTL_SYM_ENTRY, "runtime.bgsweep",
				   "/go/src/runtime/mgcsweep.go", 280),
			 0);
	assert_int_equal(logw__sym(f->lw, 0x403900, GOTL_SYM_ENTRY, "runtime.main",
				   "/go/src/runtime/proc.go", 140),
			 0);
	create(f->lw, 1000, GP1, 1, 0, 0, 0x403900, PC_RT);
	status(f->lw, 1500, 100, GP1, 1, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	create(f->lw, 2000, GP7 + 0x1000, 2, GP1, 1, 0x403800, PC_GO);
	create(f->lw, 3000, GP7, 7, GP1, 1, PC_WORKER, PC_GO);
	status(f->lw, 4000, 100, GP1, 1, GOTL_G_RUNNING, GOTL_G_WAITING, 14, 0, 0);
	status(f->lw, 4500, 101, GP7 + 0x1000, 2, GOTL_G_RUNNABLE, GOTL_G_RUNNING, 0, 0, 0);
	end(f->lw, 5000, 0);
	d = convert_ok(f, NULL);
	top = td_track_named(d, "Goroutines");
	rt = td_track_named(d, "Runtime goroutines");
	g1 = td_track_named(d, "G1 ");
	g2 = td_track_named(d, "G2 ");
	g7 = td_track_named(d, "G7 ");
	assert_non_null(top);
	assert_non_null(rt);
	assert_non_null(g1);
	assert_non_null(g2);
	assert_non_null(g7);
	assert_string_equal(g1->name, "G1 runtime.main");
	assert_string_equal(g2->name, "G2 runtime.bgsweep");
	assert_int_equal(rt->parent, top->uuid);
	assert_true(rt->has_rank);
	assert_int_equal(rt->rank, INT32_MAX);
	assert_int_equal(g2->parent, rt->uuid);
	assert_int_equal(g1->parent, top->uuid);
	assert_int_equal(g7->parent, top->uuid);
	for (i = 0; i < d->ntracks; i++) {
		if (!d->tracks[i].tid)
			continue;
		threads++;
		assert_int_not_equal(d->tracks[i].seq, d->event_seq);
		assert_false(d->tracks[i].interned);
	}
	assert_int_equal(threads, 2); /* tids 100 and 101 ran goroutines */
	assert_true(d->event_seq != 0);
	td_free(d);
}

/*
 * A list longer than the importer nests on one track (512): 501 suspects
 * are a "Leak suspects (501)" group of two parts, "1-500" and "501-501",
 * the first 500 on the one, the last on the other.
 */
static void test_long_list(void **state)
{
	struct fixture *f = *state;
	const struct td_track *list, *p1, *p2;
	struct tdec *d;
	int i, on1 = 0, on2 = 0;

	prologue(f->lw);
	leaked_workers(f->lw, 501);
	d = convert_ok(f, NULL);
	list = td_track_named(d, "Leak suspects (501)");
	p1 = td_track_named(d, "1-500");
	p2 = td_track_named(d, "501-501");
	assert_non_null(list);
	assert_non_null(p1);
	assert_non_null(p2);
	assert_int_equal(p1->parent, list->uuid);
	assert_int_equal(p2->parent, list->uuid);
	assert_true(p1->rank < p2->rank);
	for (i = 0; i < d->nslices; i++) {
		on1 += d->slices[i].track == p1->uuid;
		on2 += d->slices[i].track == p2->uuid;
		assert_int_not_equal(d->slices[i].track, list->uuid);
	}
	assert_int_equal(on1, 500);
	assert_int_equal(on2, 1);
	td_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_story, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reorder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recycled_g, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_transition, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_logs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stacks_and_suspects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allocations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_snapshot_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_snapshot_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verdict_attached, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verdict_launched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follow_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_function_groups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runtime_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_list, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
