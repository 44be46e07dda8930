// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * describe.c: the records that make a log stand alone. The prologue says
 * what was recorded, where and how (META, the wait-reason table); then,
 * before the first record that names a code address or a type, what it is
 * (SYM, FRAMES, TYPE), read from the binary once per address. It must not
 * write events: record.c does.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "gotl/event.h"
#include "gotl/version.h"
#include "gobin.h"
#include "logw.h"
#include "plan.h"
#include "record.h"
#include "recorder.h"

/* Where v's probe sequence starts in a table of cap (a power of two) slots. */
static size_t slot_of(uint64_t v, size_t cap)
{
	return (size_t)(v * 0x9e3779b97f4a7c15ull) & (cap - 1);
}

/* Add pc: 1 if it is new, 0 if it was there, -ENOMEM. */
static int pcset__add(struct pcset *s, uint64_t pc)
{
	size_t i;

	if (s->len * 2 >= s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 1024, j;
		uint64_t *n = calloc(ncap, sizeof(*n));

		if (!n)
			return -ENOMEM;
		for (j = 0; j < s->cap; j++) {
			uint64_t v = s->slots[j];

			if (!v)
				continue;
			for (i = slot_of(v, ncap); n[i]; i = (i + 1) & (ncap - 1))
				;
			n[i] = v;
		}
		free(s->slots);
		s->slots = n;
		s->cap = ncap;
	}
	for (i = slot_of(pc, s->cap); s->slots[i]; i = (i + 1) & (s->cap - 1))
		if (s->slots[i] == pc)
			return 0;
	s->slots[i] = pc;
	s->len++;
	return 1;
}

/* ---- code addresses and types -------------------------------------------- */

/* Make sure the log describes pc before a record that uses it. */
int recorder__describe_sym(struct recorder *r, uint64_t pc, uint32_t kind)
{
	struct gobin_frame frames[16];
	struct gobin_func fn;
	uint64_t pc_for_line;
	int n, added;

	if (!pc)
		return 0;
	added = pcset__add(&r->syms, pc);
	if (added <= 0)
		return added;
	if (kind == GOTL_SYM_ENTRY) {
		/* The physical function, named by what it wraps for `go f(x)` wrappers. */
		if (gobin__func_at(r->gb, pc, &fn))
			return logw__sym(r->log, pc, GOTL_SYM_UNKNOWN, "", "", 0);
		if (fn.entry == pc && !gobin__wrapped_func(r->gb, pc, &fn)) {
			pc_for_line = fn.entry;
			kind |= GOTL_SYM_WRAPPED;
		} else {
			pc_for_line = pc;
		}
		n = gobin__symbolize(r->gb, pc_for_line, frames, 16);
		return logw__sym(r->log, pc, kind, fn.name, n > 0 ? frames[n - 1].file : "?",
				 n > 0 ? (uint32_t)frames[n - 1].line : 0);
	}
	/* A return address: the call before it, innermost inlined frame. */
	n = gobin__symbolize(r->gb, pc - 1, frames, 16);
	if (n <= 0)
		return logw__sym(r->log, pc, kind | GOTL_SYM_UNKNOWN, "", "", 0);
	return logw__sym(r->log, pc, kind, frames[0].func, frames[0].file,
			 (uint32_t)frames[0].line);
}

/* Make sure the log has the frames of a stack pc (a return address) before its use. */
int recorder__describe_frames(struct recorder *r, uint64_t pc)
{
	struct gobin_frame frames[LOGW_FRAMES_MAX + 1]; /* one more: logw says if some are cut */
	int n, added;

	added = pcset__add(&r->frame_pcs, pc);
	if (added <= 0)
		return added;
	n = pc ? gobin__symbolize(r->gb, pc - 1, frames, LOGW_FRAMES_MAX + 1) : 0;
	return logw__frames(r->log, pc, frames, n > 0 ? n : 0);
}

/* Make sure the log describes a type address before a record that uses it. */
static int describe_type(struct recorder *r, uint64_t addr)
{
	struct gobin_type t;
	int added;

	if (!addr)
		return 0;
	added = pcset__add(&r->types, addr);
	if (added <= 0)
		return added;
	if (gobin__type(r->gb, addr, &t))
		return logw__type(r->log, addr, 0, 0, GOTL_TYPE_UNKNOWN, "", 0);
	return logw__type(r->log, addr, t.size, t.kind, 0, t.name, t.name_len);
}

/* The types and pcs an allocation class names. */
void recorder__describe_class(struct recorder *r, const struct gotl_alloc_key *k)
{
	int i;

	describe_type(r, k->type);
	for (i = 0; i < GOTL_ALLOC_PCS && k->pcs[i]; i++)
		recorder__describe_frames(r, k->pcs[i]);
}

/* ---- the prologue --------------------------------------------------------- */

/* Read /proc/PID/name into buf (NUL-terminated); the bytes read, or -1. */
static ssize_t read_proc(pid_t pid, const char *name, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	return n;
}

/* A running process (attach mode, followed programs): its name and arguments, from /proc. */
static void write_proc_meta(struct recorder *r)
{
	char buf[4096];
	ssize_t n;
	size_t i;

	if (read_proc(r->pid, "comm", buf, sizeof(buf)) > 0) {
		buf[strcspn(buf, "\n")] = 0;
		logw__meta(r->log, "comm", buf);
	}
	/* NUL-separated arguments; a long one is cut. */
	n = read_proc(r->pid, "cmdline", buf, sizeof(buf));
	for (i = 0; n > 0 && i < (size_t)n; i += strlen(buf + i) + 1)
		logw__meta(r->log, "arg", buf + i);
}

/* Where and how it was recorded: for whoever reads the trace in a bug report. */
static void write_host_meta(struct recorder *r)
{
	struct utsname u;
	char buf[1024];

	if (!r->o->no_hostname && !gethostname(buf, sizeof(buf) - 1)) {
		buf[sizeof(buf) - 1] = 0;
		logw__meta(r->log, "hostname", buf);
	}
	if (!uname(&u)) {
		snprintf(buf, sizeof(buf), "%s %s %s %s", u.sysname, u.release, u.version,
			 u.machine);
		logw__meta(r->log, "kernel", buf);
	}
	if (r->o->options)
		logw__meta(r->log, "options", r->o->options);
}

int recorder__write_prologue(struct recorder *r)
{
	const struct plan *pl = r->plan;
	char buf[512];
	int i;

	logw__meta(r->log, "gotl_version", GOTL_VERSION);
	write_host_meta(r);
	logw__meta(r->log, "go_version", gobin__version(r->gb));
	logw__meta(r->log, "binary", r->o->pid || r->followed ? r->exe : r->path);
	if (gobin__go_build_id(r->gb))
		logw__meta(r->log, "go_build_id", gobin__go_build_id(r->gb));
	if (gobin__gnu_build_id(r->gb))
		logw__meta(r->log, "gnu_build_id", gobin__gnu_build_id(r->gb));
	if (r->o->pid || r->followed) {
		write_proc_meta(r);
	} else {
		snprintf(buf, sizeof(buf), "%s", r->o->argv[0]);
		logw__meta(r->log, "comm", basename(buf));
		for (i = 0; r->o->argv[i]; i++)
			logw__meta(r->log, "arg", r->o->argv[i]);
	}
	for (i = 0; i < GOTL_PROBE_MAX; i++) {
		const struct plan_probe *p = &pl->probes[i];

		if (!p->found)
			continue;
		snprintf(buf, sizeof(buf), "%s+0x%x %s%s", p->func, p->site.offset, p->site.insn,
			 p->site.emulated ? " (emulated)" : "");
		logw__meta(r->log, "probe", buf);
	}
	if (pl->nmallocs) {
		snprintf(buf, sizeof(buf),
			 "%d size-specialised allocation functions "
			 "(runtime.mallocgc%s ...)",
			 pl->nmallocs, pl->mallocs[0].func + strlen("runtime.mallocgc"));
		if (r->o->alloc_mode != GOTL_ALLOC_OFF)
			logw__meta(r->log, "probe", buf);
	}
	logw__meta(r->log, "offsets", pl->off.source);
	for (i = 0; i < pl->nstw_reasons; i++) {
		snprintf(buf, sizeof(buf), "%d %s", i, pl->stw_reasons[i]);
		logw__meta(r->log, "stw_reason", buf);
	}
	for (i = 0; i < pl->nreasons; i++)
		logw__waitreason(r->log, (uint32_t)i, pl->reasons[i] ? pl->reasons[i] : "");
	for (i = 0; i < pl->nsynth; i++)
		logw__waitreason(r->log, (uint32_t)(PLAN_SYNTH_REASON + i), pl->synth_reasons[i]);
	/* Appends keep their first error; the flush returns it. */
	return logw__flush(r->log);
}
