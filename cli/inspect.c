// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * inspect.c: `gotl inspect PROG` prints what gotl finds in a Go binary and
 * what it would do with it — the text a user pastes into a bug report when
 * a trace looks wrong. Reads the file only (no root, no BPF). Data goes to
 * stdout; a binary gotl cannot trace still gets the facts that could be
 * read, then one line on stderr saying why, and status 2.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gobin.h"
#include "plan.h"
#include "cli.h"

static const char usage_inspect[] =
	"usage: gotl inspect [-v] PROG\n"
	"\n"
	"Print what gotl finds in the Go binary PROG and how: Go version and build\n"
	"settings, binary shape, where its runtime tables are, the struct offsets\n"
	"gotl would use and where they come from, the wait-reason table, and where\n"
	"each uprobe would go and why. Needs no root. PROG is a path, or a command\n"
	"found in PATH.\n"
	"\n"
	"options:\n"
	"  -v, --verbose   list every allocation function probed, not two of them\n"
	"  -h, --help      this help\n"
	"\n"
	"exit status:\n"
	"  0     gotl can trace PROG\n"
	"  2     it cannot (the reason is on stderr, after what could be read), or bad\n"
	"        usage\n"
	"\n"
	"examples:\n"
	"  gotl inspect ./server\n"
	"  gotl inspect -v $(which prog)\n";

#define ROW(label, ...) do { printf("%-14s", label); printf(__VA_ARGS__); putchar('\n'); } while (0)

static const char *layout_of(uint32_t magic)
{
	switch (magic) {
	case 0xfffffffa:
		return "Go 1.16-1.17 layout";
	case 0xfffffff0:
		return "Go 1.18-1.19 layout";
	case 0xfffffff1:
		return "Go 1.20+ layout";
	default:
		return "unknown layout";
	}
}

/* The modinfo lines worth a bug report: module path and build settings. */
static void print_modinfo(const char *mi)
{
	const char *line = mi;
	bool any = false;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		int len = end ? (int)(end - line) : (int)strlen(line);

		if (!strncmp(line, "path\t", 5))
			ROW("main package", "%.*s", len - 5, line + 5);
		else if (!strncmp(line, "build\t", 6) && strncmp(line + 6, "DefaultGODEBUG=", 15)) {
			printf("%s%.*s", any ? " " : "build         ", len - 6, line + 6);
			any = true;
		}
		line = end ? end + 1 : NULL;
	}
	if (any)
		putchar('\n');
}

static void print_file(struct gobin *gb, const char *path)
{
	struct gobin_info in;

	gobin__info(gb, &in);
	ROW("binary", "%s", path);
	ROW("file", "%s, x86-64, %s%s", gobin__is_pie(gb) ? "PIE executable" : "executable",
	    in.interp ? "dynamically linked, interpreter " : "statically linked",
	    in.interp ? in.interp : "");
	ROW("go version", "%s (build info: %s)", gobin__version(gb), in.buildinfo);
	print_modinfo(gobin__modinfo(gb));
	ROW("build ids", "go %s; gnu %s", gobin__go_build_id(gb) ? gobin__go_build_id(gb) : "none",
	    gobin__gnu_build_id(gb) ? gobin__gnu_build_id(gb) : "none");
	ROW("debug info", "DWARF %s, symbol table %s",
	    gobin__has_dwarf(gb) ? "yes" : "no (stripped)",
	    gobin__has_symtab(gb) ? "yes" : "no (stripped)");
	ROW("pclntab", "0x%llx, found by %s, magic 0x%x (%s), %llu functions",
	    (unsigned long long)in.pclntab_addr, in.pclntab, in.pclntab_magic,
	    layout_of(in.pclntab_magic), (unsigned long long)in.nfunc);
	if (in.moduledata_addr)
		ROW("moduledata", "0x%llx, found by %s; Go code starts at 0x%llx",
		    (unsigned long long)in.moduledata_addr, in.moduledata,
		    (unsigned long long)in.text);
	else
		ROW("moduledata", "not found; Go code starts at 0x%llx",
		    (unsigned long long)in.text);
}

static void print_site(const struct plan_probe *pp)
{
	printf("  %-24s 0x%llx+0x%x (file offset 0x%llx): %s, %s\n", pp->func,
	       (unsigned long long)pp->fn.entry, pp->site.offset,
	       (unsigned long long)pp->file_offset, pp->site.insn,
	       pp->site.emulated ? "emulated by the kernel (no single-step)" :
				   "single-stepped (~20x the cost of an emulated probe)");
}

static const char *types_found(const struct gobin *gb)
{
	static char buf[96];
	uint64_t t, e;

	if (gobin__types(gb, &t, &e))
		return "type descriptors not found: allocations would not be named by type";
	snprintf(buf, sizeof(buf), "type descriptors at 0x%llx-0x%llx", (unsigned long long)t,
		 (unsigned long long)e);
	return buf;
}

/* Every field of the list gotl knows in this binary, "g.goid 152", wrapped at 100 columns. */
static void print_offsets(const struct gobin_offsets *o)
{
	int col = 0;
	size_t i;

	for (i = 0; i < gobin_noffset_fields; i++) {
		char item[64];
		int v = gobin_offset_get(o, i), n;

		if (v < 0)
			continue;
		n = snprintf(item, sizeof(item), "%s %d", gobin_offset_fields[i].path, v);
		if (col && col + 3 + n > 100) {
			fputs(",\n", stdout);
			col = 0;
		}
		col += col ? printf(", %s", item) : printf("%14s%s", "", item);
	}
	if (col)
		putchar('\n');
}

static void print_plan(const struct plan *p, bool verbose)
{
	const struct gobin_offsets *o = &p->off;
	int i;

	ROW("supported", "%s",
	    p->newer ? "newer than gotl knows (see note)" : "yes (gotl knows go1.17 to go1.27)");
	ROW("wait reasons", "%d, found by %s%s", p->nreasons, p->reasons_how,
	    p->nreasons ? "" : ": blocked spans would be named by number");
	ROW("offsets", "from %s", o->source);
	print_offsets(o);
	if (p->nreason_fix)
		ROW("wait fixes",
		    "%d casgstatus calls that park before setting g.waitreason "
		    "(Go <= 1.19) get their reason from the call site",
		    p->nreason_fix);
	ROW("new goids", "%s",
	    p->goid_at_create ?
		    "written before the creation transition (Go 1.24+): read at creation" :
		    "written after the creation transition (Go <= 1.23): read at the goroutine's "
		    "first run");
	ROW("probes", "found by name in pclntab; placed on the first instruction the kernel "
		      "emulates");
	for (i = 0; i < GOTL_PROBE_MAX; i++) {
		const struct plan_probe *pp = &p->probes[i];

		if (!pp->wanted) {
			printf("  %-24s not probed: not needed before this Go version\n", pp->func);
			continue;
		}
		if (!pp->found) {
			printf("  %-24s not probed: %s\n", pp->func,
			       gobin__find_func(p->gb, pp->func, &(struct gobin_func){ 0 }) ?
				       "not in this binary (unused by the program)" :
				       "the runtime offsets it needs are unknown");
			continue;
		}
		print_site(pp);
		printf("  %-24s   why: %s\n", "", pp->why);
	}
	if (p->nmallocs) {
		int emulated = 0;

		for (i = 0; i < p->nmallocs; i++)
			emulated += p->mallocs[i].site.emulated;
		printf("  %d size-specialised allocation functions the compiler calls directly "
		       "(%d emulated)%s\n",
		       p->nmallocs, emulated, verbose ? ":" : ", e.g.");
		for (i = 0; i < p->nmallocs; i++)
			if (verbose || i == 0 || i == p->nmallocs - 1)
				print_site(&p->mallocs[i]);
	}
	if (p->malloc_unknown)
		ROW("warning",
		    "%s is an allocation function gotl does not know: allocations "
		    "through it may be missed",
		    p->malloc_unknown);
	ROW("types", "%s", types_found(p->gb));
	if (p->nstw_reasons)
		ROW("stw reasons", "%d (runtime.stwReasonStrings)", p->nstw_reasons);
	if (p->note[0])
		ROW("note", "%s", p->note);
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char path[PATH_MAX], err[512];
	struct gobin *gb = NULL;
	struct plan *p = NULL;
	bool verbose = false;
	int c, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":vh", opts, NULL)) != -1) {
		if (c == 'v') {
			verbose = true;
			continue;
		}
		if (c != 'h')
			return cli_bad_option("inspect ", c, argv);
		fputs(usage_inspect, stdout);
		return 0;
	}
	if (optind != argc - 1)
		return cli_bad_usage("inspect ",
				     optind >= argc ? "no program given" : "one program at a time");
	ret = plan__resolve(argv[optind], path);
	if (ret) {
		cli_warn("cannot find '%s': %s", argv[optind], strerror(-ret));
		return 2;
	}
	ret = plan__new(path, &p, err, sizeof(err));
	if (ret) {
		/* Show what can be read, then why gotl cannot trace it. */
		char ignored[16];

		if (!gobin__open(path, &gb, ignored, sizeof(ignored))) {
			print_file(gb, path);
			gobin__free(gb);
			fflush(stdout);
		}
		cli_warn("%s", err);
		return 2;
	}
	print_file(p->gb, path);
	print_plan(p, verbose);
	plan__free(p);
	return 0;
}
