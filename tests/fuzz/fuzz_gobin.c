// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_gobin: libFuzzer target for the Go binary reader — ELF, build info,
 * notes, pclntab, moduledata, DWARF, type descriptors, the wait-reason and
 * stop-the-world tables (probes/gobin.c, gopcln.c, godwarf.c, gotypes.c,
 * gotable.c) — and for what plans probes from it (plan.c, probesite.c).
 * Each input is written to a memfd and opened by path as `gotl inspect`
 * would; when it opens, every query runs: functions by name, by address and
 * in order, symbolization with inlined frames, wrappers, types, offsets, the
 * reason tables, the census's unwinding info and stack printing (gosym);
 * then a probe plan is made from the same file. The first
 * bytes also go straight to the prologue decoder. Only a crash, a hang, a
 * leak or a sanitizer report is a finding: rejecting the input is the
 * expected outcome. It must not write anywhere but its memfd, nor keep
 * state between inputs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gobin.h"
#include "gosym.h"
#include "plan.h"
#include "probesite.h"

/* Bounds on the work per input, so that a big real binary stays fast. */
#define MAX_FUNCS_ITER	100000
#define MAX_FUNCS_DEEP	48
#define MAX_TYPES	64
#define MAX_FRAMES	16

static int fd = -1;
static char path[64];

static void put(const uint8_t *data, size_t size)
{
	size_t done = 0;

	if (fd < 0) {
		fd = memfd_create("fuzz_gobin", MFD_CLOEXEC);
		if (fd < 0) {
			perror("fuzz_gobin: memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0)) {
		perror("fuzz_gobin: ftruncate");
		abort();
	}
	while (done < size) {
		ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);

		if (n <= 0) {
			perror("fuzz_gobin: pwrite");
			abort();
		}
		done += (size_t)n;
	}
}

static uint64_t sink;

/* Strings the reader hands out must be NUL-terminated and readable. */
static void use(const char *s)
{
	if (s)
		sink += strlen(s);
}

/* What the census reads of the stack at these pcs, and how it prints them. */
static void stack_at(struct gosym *sym, const struct gobin *gb, const uint64_t *pcs, int n)
{
	struct gosym_line lines[4 * MAX_FRAMES];
	const struct gosym_unwind *u;
	struct gobin_unwind gu;
	int total, k, i;

	for (i = 0; i < n; i++) {
		if (!gobin__unwind_info(gb, pcs[i], &gu)) {
			use(gu.name);
			sink += (uint64_t)gu.spdelta + gu.top_frame + gu.sp_write + gu.wrapper;
		}
		u = gosym__unwind(sym, pcs[i]);
		if (u)
			sink += (uint64_t)u->spdelta + u->flags;
	}
	k = gosym__traceback(sym, pcs, n, n & 1, lines, 4 * MAX_FRAMES, &total);
	if (k > 4 * MAX_FRAMES || (k > 0 && total < k))
		abort();
	for (i = 0; i < k; i++) {
		use(lines[i].frame->func);
		use(lines[i].frame->file);
		sink += lines[i].offset;
	}
	if (gosym__created_by(sym, pcs[0], true, &lines[0])) {
		use(lines[0].frame->func);
		use(lines[0].frame->file);
	}
	if (gosym__start(sym, pcs[0]))
		use(gosym__start(sym, pcs[0])->func);
}

static void one_func(const struct gobin *gb, struct gosym *sym, const struct gobin_func *fn)
{
	struct gobin_frame fr[MAX_FRAMES];
	struct gobin_func other;
	uint8_t code[64];
	uint64_t pcs[3], off;
	int n, i, j;

	use(fn->name);
	pcs[0] = fn->entry;
	pcs[1] = fn->entry + (fn->end - fn->entry) / 2;
	pcs[2] = fn->end ? fn->end - 1 : 0;
	for (i = 0; i < 3; i++) {
		n = gobin__symbolize(gb, pcs[i], fr, MAX_FRAMES);
		if (n > MAX_FRAMES)
			abort();
		for (j = 0; j < n; j++) {
			use(fr[j].func);
			use(fr[j].file);
		}
		if (!gobin__func_at(gb, pcs[i], &other))
			use(other.name);
	}
	n = gobin__symbolize(gb, fn->entry, fr, 1);
	if (n > 1)
		abort();
	stack_at(sym, gb, pcs, 3);
	if (!gobin__wrapped_func(gb, fn->entry, &other))
		use(other.name);
	if (!gobin__vaddr_to_offset(gb, fn->entry, &off))
		sink += off;
	if (!gobin__read(gb, fn->entry, code, sizeof(code))) {
		struct probesite ps;

		probesite__choose(code, sizeof(code), &ps);
	}
}

static void query(const struct gobin *gb, struct gosym *sym)
{
	static const char *const names[] = {
		"runtime.casgstatus",
		"runtime.park_m",
		"runtime.mallocgc",
		"runtime.gcStart",
		"runtime.newproc1",
		"main.main",
		"runtime.waitReasonStrings",
		"",
		"no.such",
	};
	const char *const *strs;
	struct gobin_offsets off;
	struct gobin_info info;
	struct gobin_func fn;
	struct gobin_type ty;
	uint64_t types, etypes;
	const char *how;
	size_t it = 0, k;
	int n, i;

	use(gobin__version(gb));
	sink += (uint64_t)gobin__minor(gb);
	use(gobin__modinfo(gb));
	sink += gobin__is_pie(gb) + gobin__has_dwarf(gb) + gobin__has_symtab(gb);
	gobin__info(gb, &info);
	use(info.buildinfo);
	use(info.pclntab);
	use(info.moduledata);
	use(info.interp);
	use(gobin__go_build_id(gb));
	use(gobin__gnu_build_id(gb));

	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (!gobin__find_func(gb, names[k], &fn))
			one_func(gb, sym, &fn);
	for (k = 0; k < MAX_FUNCS_ITER && !gobin__func_next(gb, &it, &fn); k++) {
		if (fn.end < fn.entry)
			abort();
		/* The first functions, then every 64th: a big binary stays fast. */
		if (k < MAX_FUNCS_DEEP || !(k & 63))
			one_func(gb, sym, &fn);
	}
	if (!gobin__symbolize(gb, info.text, NULL, 0))
		sink++;

	if (!gobin__offsets(gb, &off))
		use(off.source);
	if (!gobin__wait_reasons(gb, &strs, &n, &how)) {
		use(how);
		for (i = 0; i < n; i++)
			use(strs[i]);
	}
	if (!gobin__stw_reasons(gb, &strs, &n, &how)) {
		use(how);
		for (i = 0; i < n; i++)
			use(strs[i]);
	}
	if (!gobin__types(gb, &types, &etypes)) {
		uint64_t span = etypes > types ? etypes - types : 0;

		for (k = 0; k < MAX_TYPES; k++) {
			/* spread over [types, etypes), 8-aligned, plus a few odd ones */
			uint64_t a = types + (span ? (k * 0x9e3779b97f4a7c15ull) % span : 0);

			if (k >= MAX_TYPES - 4)
				a |= k & 7;
			else
				a &= ~7ull;
			if (!gobin__type(gb, a, &ty))
				for (size_t c = 0; c < ty.name_len; c++)
					sink += (uint8_t)ty.name[c];
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct probesite ps;
	struct gobin *gb = NULL;
	struct gosym *sym = NULL;
	struct plan *p = NULL;
	char err[512];

	probesite__choose(data, size < 64 ? size : 64, &ps);
	put(data, size);
	if (gobin__open(path, &gb, err, sizeof(err)))
		return 0;
	if (gosym__new(gb, &sym))
		abort();
	query(gb, sym);
	gosym__free(sym);
	gobin__free(gb);
	if (!plan__new(path, &p, err, sizeof(err)))
		plan__free(p);
	return 0;
}
