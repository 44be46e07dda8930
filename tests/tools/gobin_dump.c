/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * gobin_dump: print what probes/gobin finds in a Go binary, one tab-separated
 * record per line, for tests/e2e/test_gobin.py and for humans. A test tool
 * only: it links gobin directly and must not grow features of its own.
 *
 * Build (from the repo root, without the Makefile):
 *   gcc -std=gnu11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Iinclude -Iprobes \
 *       tests/tools/gobin_dump.c probes/gobin.c probes/gopcln.c probes/godwarf.c \
 *       probes/gotable.c probes/gotypes.c -lelf -lz -o .output/gobin_dump
 *
 * Usage: gobin_dump [--table] [--time] [--sym PC]... [--type ADDR]... BINARY [FUNC]...
 *   --table      also print gotl's built-in table row for the binary's Go version
 *   --time       print the time gobin__open took (stderr)
 *   --sym PC     symbolize a link-time PC (hex), innermost inlined frame first
 *   --type ADDR  name the type descriptor at a link-time address (hex)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gobin.h"
#include "gobin_int.h"

#define MAX_SYMS 256
#define MAX_FRAMES 64

/* Every field of the list (gooffsets.h), by name: "offset\tg_goid\t152". */
static void print_offsets(const char *tag, const struct gobin_offsets *o)
{
	size_t i;

	for (i = 0; i < gobin_noffset_fields; i++)
		printf("%s\t%s\t%d\n", tag, gobin_offset_fields[i].name, gobin_offset_get(o, i));
}

static double ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

int main(int argc, char **argv)
{
	uint64_t syms[MAX_SYMS], types[MAX_SYMS * 16];
	int nsyms = 0, ntypes = 0, i, ret, n;
	bool table = false, timing = false;
	struct gobin *gb = NULL;
	struct gobin_offsets off;
	const char *const *wr;
	const char *how, *path = NULL;
	struct timespec t0, t1;
	char err[512];

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--table")) {
			table = true;
		} else if (!strcmp(argv[i], "--time")) {
			timing = true;
		} else if (!strcmp(argv[i], "--sym") && i + 1 < argc && nsyms < MAX_SYMS) {
			syms[nsyms++] = strtoull(argv[++i], NULL, 16);
		} else if (!strcmp(argv[i], "--type") && i + 1 < argc && ntypes < MAX_SYMS * 16) {
			types[ntypes++] = strtoull(argv[++i], NULL, 16);
		} else {
			path = argv[i++];
			break;
		}
	}
	if (!path) {
		fprintf(stderr,
			"usage: gobin_dump [--table] [--time] [--sym PC]... [--type ADDR]... "
			"BINARY [FUNC]...\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = gobin__open(path, &gb, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (timing)
		fprintf(stderr, "open: %.3f ms\n", ms(&t0, &t1));
	if (ret) {
		printf("error\t%d\t%s\n", ret, err);
		fprintf(stderr, "gobin_dump: %s\n", err);
		return 1;
	}
	printf("path\t%s\n", path);
	printf("version\t%s\n", gobin__version(gb));
	printf("minor\t%d\n", gobin__minor(gb));
	printf("pie\t%d\n", gobin__is_pie(gb));
	printf("dwarf\t%d\n", gobin__has_dwarf(gb));
	printf("symtab\t%d\n", gobin__has_symtab(gb));
	printf("go_build_id\t%s\n", gobin__go_build_id(gb) ? gobin__go_build_id(gb) : "-");
	printf("gnu_build_id\t%s\n", gobin__gnu_build_id(gb) ? gobin__gnu_build_id(gb) : "-");
	for (const char *l = gobin__modinfo(gb); *l;) {
		size_t n = strcspn(l, "\n");

		printf("modinfo\t%.*s\n", (int)n, l);
		l += n + (l[n] == '\n');
	}
	/* internals, for diagnostics only */
	printf("pclntab\t%s\t%#x\t%#lx\tmoduledata\t%#lx\ttext\t%#lx\tgofunc\t%#lx\t"
	       "nfunc\t%zu\n",
	       gb->pcln.where, gb->pcln.magic, (unsigned long)gb->pcln.va,
	       (unsigned long)gb->pcln.md_va, (unsigned long)gb->pcln.text,
	       (unsigned long)gb->pcln.gofunc, gb->nfns);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = gobin__offsets(gb, &off);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (timing)
		fprintf(stderr, "offsets: %.3f ms\n", ms(&t0, &t1));
	if (ret) {
		printf("offsets_error\t%d\n", ret);
	} else {
		printf("offsets_source\t%s\n", off.source);
		print_offsets("offset", &off);
	}
	if (table) {
		ret = gobin_table_offsets(gobin__minor(gb), &off);
		if (ret) {
			printf("table_error\t%d\n", ret);
		} else {
			printf("table_source\t%s\n", off.source);
			print_offsets("table", &off);
		}
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = gobin__wait_reasons(gb, &wr, &n, &how);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (timing)
		fprintf(stderr, "wait reasons: %.3f ms\n", ms(&t0, &t1));
	if (ret) {
		printf("wait_reasons_error\t%d\n", ret);
	} else {
		printf("wait_reasons\t%d\t%s\n", n, how);
		for (int k = 0; k < n; k++)
			printf("wait_reason\t%d\t%s\n", k, wr[k]);
	}

	ret = gobin__stw_reasons(gb, &wr, &n, &how);
	if (ret) {
		printf("stw_reasons_error\t%d\n", ret);
	} else {
		printf("stw_reasons\t%d\t%s\n", n, how);
		for (int k = 0; k < n; k++)
			printf("stw_reason\t%d\t%s\n", k, wr[k]);
	}
	for (int k = 0; k < ntypes; k++) {
		struct gobin_type t;

		if (gobin__type(gb, types[k], &t))
			printf("notype\t%#lx\n", (unsigned long)types[k]);
		else
			printf("type\t%#lx\t%.*s\t%lu\t%u\n", (unsigned long)types[k],
			       (int)t.name_len, t.name, (unsigned long)t.size, t.kind);
	}

	for (; i < argc; i++) {
		struct gobin_func fn;

		if (gobin__find_func(gb, argv[i], &fn))
			printf("nofunc\t%s\n", argv[i]);
		else
			printf("func\t%s\t%#lx\t%#lx\t%#lx\n", argv[i], (unsigned long)fn.entry,
			       (unsigned long)fn.end, (unsigned long)fn.file_offset);
	}
	for (int k = 0; k < nsyms; k++) {
		struct gobin_frame fr[MAX_FRAMES];

		n = gobin__symbolize(gb, syms[k], fr, MAX_FRAMES);
		printf("sym\t%#lx\t%d\n", (unsigned long)syms[k], n);
		for (int j = 0; j < n; j++)
			printf("frame\t%#lx\t%d\t%s\t%s\t%d\n", (unsigned long)syms[k], j,
			       fr[j].func, fr[j].file, fr[j].line);
	}
	gobin__free(gb);
	return 0;
}
