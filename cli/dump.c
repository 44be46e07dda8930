// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dump.c: `gotl dump -p PID`: every goroutine of a running Go process,
 * now, from one census (probes/census.h), printed as Go's own goroutine
 * dump (`goroutine?debug=2`) prints them, folded into groups by default
 * (as debug=1 and panicparse do), or as JSON. Data goes to stdout; what
 * could not be read is counted on stderr. Exit status: 0; 1 if the
 * process exited during the census or cannot be read; 2 for bad usage,
 * no such process, or not a Go program.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "census.h"
#include "ggroup.h"
#include "gosym.h"
#include "jsonstr.h"
#include "cli.h"
#include "dump.h"

#define DEFAULT_DEPTH	100
#define GROUP_GOIDS	16	/* goids listed in a group's text header */
#define INNER_LINES	50	/* Go 1.21+: a long stack's first and last 50 lines */
#define OUTER_LINES	50

static const char usage_dump[] =
	"usage: gotl dump -p PID [--json] [-v] [--all] [--depth N]\n"
	"\n"
	"Print every goroutine of the running Go process PID as it is now: its id,\n"
	"state and wait reason, how long it has waited, whether it is locked to a\n"
	"thread, where it was created and by which goroutine, and its stack\n"
	"(symbolized, inlined calls expanded, stripped binaries too): what\n"
	"/debug/pprof/goroutine?debug=2 prints, without a pprof endpoint, a rebuild\n"
	"or a stop. The goroutines are read from the process's memory: no probe, no\n"
	"signal, no ptrace stop, nothing written; the program runs on at full speed.\n"
	"A goroutine that changes while it is read is read again; one that never\n"
	"holds still is shown without a stack, and counted on stderr. The stack of a\n"
	"running goroutine cannot be seen from outside: it is shown as \"goroutine\n"
	"running on other thread; stack unavailable\", as Go says. Arguments are not\n"
	"read: frames show \"(...)\". How long a goroutine has waited is the\n"
	"runtime's own note (g.waitsince, taken by the first GC that saw it\n"
	"blocked), so it is unknown until a GC ran, and a lower bound.\n"
	"\n"
	"By default, goroutines with the same state, stack and creation site are\n"
	"folded into one entry with their count and ids, largest first. As in Go's\n"
	"own dumps, the runtime's goroutines (GC workers, ...) and runtime-internal\n"
	"frames are left out unless --all.\n"
	"\n"
	"Needs root or CAP_SYS_PTRACE (not CAP_BPF). Go 1.17 to 1.27; stripped, PIE,\n"
	"static and cgo binaries; processes in other mount namespaces (the binary is\n"
	"read through /proc/PID/exe).\n"
	"\n"
	"options:\n"
	"  -p, --pid PID     the process\n"
	"  -v, --verbose     every goroutine on its own, in the runtime's order, as\n"
	"                    goroutine?debug=2 prints them\n"
	"      --json        JSON on stdout: {\"pid\", \"go_version\", \"total\",\n"
	"                    \"goroutines\": [{\"goid\", \"state\", \"wait_reason\" (null\n"
	"                    unless waiting), \"wait_ns\" (null when unknown), \"locked\",\n"
	"                    \"system\", \"thread\", \"start_function\", \"stack\" (complete,\n"
	"                    truncated, partial, running, unsettled or none),\n"
	"                    \"frames\": [{\"function\", \"file\", \"line\", \"inlined\"}]\n"
	"                    innermost first, \"created_by\": {\"goid\" (null before Go\n"
	"                    1.21), \"function\", \"file\", \"line\"} or null}], \"groups\":\n"
	"                    [{\"count\", \"goids\", \"state\", \"wait_reason\", \"wait_ns_min\",\n"
	"                    \"wait_ns_max\", \"locked\", \"frames\", \"created_by\"}],\n"
	"                    \"unsettled\", \"unreadable\", \"census\": {its cost}}\n"
	"      --all         the runtime's goroutines and frames too (as\n"
	"                    GOTRACEBACK=system prints them)\n"
	"      --depth N     frames read per goroutine (1-1024, default 100)\n"
	"  -h, --help        this help\n"
	"\n"
	"exit status:\n"
	"  0     the goroutines were printed\n"
	"  1     the process exited during the census, or its memory cannot be read\n"
	"  2     bad usage, no such process, or not a Go program\n"
	"\n"
	"examples:\n"
	"  sudo gotl dump -p $(pidof server)\n"
	"  sudo gotl dump -p 1234 --json | jq '.groups[0]'\n";

/* ------------------------------------------------------------ formatting */

const char *dump_status(const struct dump_g *g)
{
	if ((g->status == GOTL_G_WAITING || g->status == GOTL_G_LEAKED) && g->reason &&
	    g->reason[0])
		return g->reason;
	return census__state(g->status);
}

/* runtime.goroutineheader's brackets, after the status: ", N minutes, locked to thread". */
static void header_tail(FILE *f, const struct dump_g *g, int64_t min_ns, int64_t max_ns)
{
	int64_t lo = min_ns / 60000000000ll, hi = max_ns / 60000000000ll;

	if (g->status == GOTL_G_LEAKED)
		fputs(" (leaked)", f);
	if (g->flags & CENSUS_G_SCAN)
		fputs(" (scan)", f);
	if (min_ns >= 0 && (g->status == GOTL_G_WAITING || g->status == GOTL_G_SYSCALL)) {
		if (lo >= 1 && hi > lo)
			fprintf(f, ", %lld~%lld minutes", (long long)lo, (long long)hi);
		else if (hi >= 1)
			fprintf(f, ", %lld minutes", (long long)hi);
	}
	if (g->flags & CENSUS_G_LOCKED)
		fputs(", locked to thread", f);
}

static void print_line(FILE *f, const struct gosym_line *l)
{
	fprintf(f, "%s(...)\n\t%s:%d", l->frame->func, l->frame->file, l->frame->line);
	if (l->offset)
		fprintf(f, " +0x%llx", (unsigned long long)l->offset);
	fputc('\n', f);
}

static void print_stack(FILE *f, const struct dump_g *g, bool same_parent)
{
	int i;

	if (g->flags & CENSUS_G_UNSETTLED) {
		fprintf(f,
			"\tstack not read: the goroutine changed each time it was read (%d "
			"times)\n",
			g->retries + 1);
	} else if (g->status == GOTL_G_RUNNING) {
		fputs("\tgoroutine running on other thread; stack unavailable\n", f);
	} else if (!g->nlines && (g->flags & CENSUS_G_NOSTACK)) {
		fputs("\tstack unavailable\n", f);
	} else if (g->nlines > INNER_LINES + OUTER_LINES) {
		/* as Go 1.21+ prints a long stack */
		for (i = 0; i < INNER_LINES; i++)
			print_line(f, &g->lines[i]);
		fprintf(f, "...%d frames elided...\n", g->nlines - INNER_LINES - OUTER_LINES);
		for (i = g->nlines - OUTER_LINES; i < g->nlines; i++)
			print_line(f, &g->lines[i]);
	} else {
		for (i = 0; i < g->nlines; i++)
			print_line(f, &g->lines[i]);
	}
	if (g->flags & CENSUS_G_TRUNCATED)
		fputs("...additional frames elided...\n", f);
	if (g->flags & CENSUS_G_BADSTACK)
		fputs("\t...stack read up to here: a return address in no function of the "
		      "binary\n",
		      f);
	if (g->created) {
		fprintf(f, "created by %s", g->created_by.frame->func);
		if (g->parent_goid && same_parent)
			fprintf(f, " in goroutine %llu", (unsigned long long)g->parent_goid);
		fprintf(f, "\n\t%s:%d", g->created_by.frame->file, g->created_by.frame->line);
		if (g->created_by.offset)
			fprintf(f, " +0x%llx", (unsigned long long)g->created_by.offset);
		fputc('\n', f);
	}
}

void dump_text(FILE *f, const struct dump_g *g)
{
	fprintf(f, "goroutine %llu [%s", (unsigned long long)g->goid, dump_status(g));
	header_tail(f, g, g->wait_ns, g->wait_ns);
	fputs("]:\n", f);
	print_stack(f, g, true);
}

void dump_text_group(FILE *f, const struct dump_g *gs, const uint32_t *idx, uint32_t n,
		     bool all_goids)
{
	const struct dump_g *g = &gs[idx[0]];
	int64_t lo = -1, hi = -1;
	bool same_parent = true;
	uint32_t i;

	if (n == 1) {
		dump_text(f, g);
		return;
	}
	for (i = 0; i < n; i++) {
		const struct dump_g *m = &gs[idx[i]];

		if (m->wait_ns >= 0 && (lo < 0 || m->wait_ns < lo))
			lo = m->wait_ns;
		if (m->wait_ns > hi)
			hi = m->wait_ns;
		same_parent &= m->parent_goid == g->parent_goid;
	}
	fprintf(f, "%u goroutines [%s", n, dump_status(g));
	header_tail(f, g, lo, hi);
	fputs("]:", f);
	for (i = 0; i < n && (all_goids || i < GROUP_GOIDS); i++)
		fprintf(f, " %llu", (unsigned long long)gs[idx[i]].goid);
	if (i < n)
		fprintf(f, " ... (%u more)", n - i);
	fputc('\n', f);
	print_stack(f, g, same_parent);
}

/* The flags that change what is printed for a goroutine. */
#define KEY_FLAGS (CENSUS_G_LOCKED | CENSUS_G_SCAN | CENSUS_G_UNSETTLED | CENSUS_G_NOSTACK | \
		   CENSUS_G_TRUNCATED | CENSUS_G_BADSTACK)

uint32_t dump_key(const struct dump_g *g, uint32_t *key, uint32_t max)
{
	uint32_t n = 0;
	int i;

#define PUT(v) do { if (n < max) key[n] = (v); n++; } while (0)
	PUT(g->status);
	/* the wait reason by its name: one word for its first bytes is not enough */
	PUT((uint32_t)(uintptr_t)g->reason);
	PUT((uint32_t)((uint64_t)(uintptr_t)g->reason >> 32));
	PUT(g->flags & KEY_FLAGS);
	PUT(g->created ? g->created_by.frame->id : 0);
	PUT((uint32_t)g->nlines);
	for (i = 0; i < g->nlines; i++)
		PUT(g->lines[i].frame->id);
#undef PUT
	return n;
}

static void json_frames(FILE *f, const struct gosym_line *lines, int n)
{
	int i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		fputs(i ? ",{\"function\":" : "{\"function\":", f);
		jsonstr__put(f, lines[i].frame->func);
		fputs(",\"file\":", f);
		jsonstr__put(f, lines[i].frame->file);
		fprintf(f, ",\"line\":%d,\"inlined\":%s}", lines[i].frame->line,
			lines[i].frame->flags & GOSYM_INLINED ? "true" : "false");
	}
	fputc(']', f);
}

static void json_created(FILE *f, const struct dump_g *g, bool with_goid)
{
	if (!g->created) {
		fputs("null", f);
		return;
	}
	fputs("{\"goid\":", f);
	if (g->parent_goid && with_goid)
		fprintf(f, "%llu", (unsigned long long)g->parent_goid);
	else
		fputs("null", f);
	fputs(",\"function\":", f);
	jsonstr__put(f, g->created_by.frame->func);
	fputs(",\"file\":", f);
	jsonstr__put(f, g->created_by.frame->file);
	fprintf(f, ",\"line\":%d}", g->created_by.frame->line);
}

static const char *stack_word(const struct dump_g *g)
{
	if (g->flags & CENSUS_G_UNSETTLED)
		return "unsettled";
	if (g->status == GOTL_G_RUNNING)
		return "running";
	if (g->flags & CENSUS_G_NOSTACK)
		return "none";
	if (g->flags & CENSUS_G_BADSTACK)
		return "partial";
	return g->flags & CENSUS_G_TRUNCATED ? "truncated" : "complete";
}

static void json_reason(FILE *f, const struct dump_g *g)
{
	if ((g->status == GOTL_G_WAITING || g->status == GOTL_G_LEAKED) && g->reason)
		jsonstr__put(f, g->reason);
	else
		fputs("null", f);
}

static void json_ns(FILE *f, int64_t ns)
{
	if (ns >= 0)
		fprintf(f, "%lld", (long long)ns);
	else
		fputs("null", f);
}

void dump_json_g(FILE *f, const struct dump_g *g)
{
	fprintf(f, "{\"goid\":%llu,\"state\":", (unsigned long long)g->goid);
	jsonstr__put(f, census__state(g->status));
	fputs(",\"wait_reason\":", f);
	json_reason(f, g);
	fputs(",\"wait_ns\":", f);
	json_ns(f, g->wait_ns);
	fprintf(f, ",\"locked\":%s,\"system\":%s,\"thread\":",
		g->flags & CENSUS_G_LOCKED ? "true" : "false",
		g->flags & CENSUS_G_SYSTEM ? "true" : "false");
	if (g->tid)
		fprintf(f, "%u", g->tid);
	else
		fputs("null", f);
	fputs(",\"start_function\":", f);
	if (g->start)
		jsonstr__put(f, g->start);
	else
		fputs("null", f);
	fprintf(f, ",\"stack\":\"%s\",\"frames\":", stack_word(g));
	json_frames(f, g->lines, g->nlines);
	fputs(",\"created_by\":", f);
	json_created(f, g, true);
	fputc('}', f);
}

void dump_json_group(FILE *f, const struct dump_g *gs, const uint32_t *idx, uint32_t n)
{
	const struct dump_g *g = &gs[idx[0]];
	int64_t lo = -1, hi = -1;
	bool same_parent = true;
	uint32_t i;

	fprintf(f, "{\"count\":%u,\"goids\":[", n);
	for (i = 0; i < n; i++) {
		const struct dump_g *m = &gs[idx[i]];

		fprintf(f, i ? ",%llu" : "%llu", (unsigned long long)m->goid);
		if (m->wait_ns >= 0 && (lo < 0 || m->wait_ns < lo))
			lo = m->wait_ns;
		if (m->wait_ns > hi)
			hi = m->wait_ns;
		same_parent &= m->parent_goid == g->parent_goid;
	}
	fputs("],\"state\":", f);
	jsonstr__put(f, census__state(g->status));
	fputs(",\"wait_reason\":", f);
	json_reason(f, g);
	fputs(",\"wait_ns_min\":", f);
	json_ns(f, lo);
	fputs(",\"wait_ns_max\":", f);
	json_ns(f, hi);
	fprintf(f, ",\"locked\":%s,\"stack\":\"%s\",\"frames\":",
		g->flags & CENSUS_G_LOCKED ? "true" : "false", stack_word(g));
	json_frames(f, g->lines, g->nlines);
	fputs(",\"created_by\":", f);
	json_created(f, g, same_parent);
	fputc('}', f);
}

/* --------------------------------------------------------------- the command */

struct dump {
	struct census *c;
	const struct census_snap *s;
	struct dump_g *gs;
	size_t n;		  /* shown */
	size_t hidden;		  /* system goroutines left out */
	struct gosym_line *lines; /* every shown goroutine's, one after the other */
	struct ggroups *groups;
	bool all;
	int retries;
};

/* Every goroutine of the census as dump prints it. */
static int build(struct dump *d)
{
	struct gosym *sym = census__sym(d->c);
	size_t i, nl = 0, cap = 0;
	struct gosym_line *buf = NULL;
	int max = 4 * CENSUS_MAX_FRAMES;

	d->gs = calloc(d->s->n ? d->s->n : 1, sizeof(*d->gs));
	buf = malloc((size_t)max * sizeof(*buf));
	if (!d->gs || !buf)
		goto nomem;
	for (i = 0; i < d->s->n; i++) {
		const struct census_g *cg = &d->s->gs[i];
		struct dump_g *g = &d->gs[d->n];
		const struct gosym_start *st;
		int n, total;

		if ((cg->flags & CENSUS_G_SYSTEM) && !d->all) {
			d->hidden++;
			continue;
		}
		g->goid = cg->goid;
		g->status = cg->status;
		g->reason = census__reason(d->c, cg->reason);
		g->wait_ns = cg->wait_ns;
		g->flags = cg->flags;
		g->tid = cg->tid;
		g->retries = d->retries;
		st = cg->startpc ? gosym__start(sym, cg->startpc) : NULL;
		g->start = st ? st->func : NULL;
		n = gosym__traceback(sym, d->s->pcs + cg->stack, (int)cg->nstack, d->all, buf, max,
				     &total);
		if (n < 0)
			goto nomem;
		if (nl + (size_t)n > cap) {
			size_t c = cap ? 2 * cap : 4096;
			void *p;

			while (c < nl + (size_t)n)
				c *= 2;
			p = realloc(d->lines, c * sizeof(*d->lines));
			if (!p)
				goto nomem;
			d->lines = p;
			cap = c;
		}
		memcpy(d->lines + nl, buf, (size_t)n * sizeof(*buf));
		/* an index into d->lines until the end: the array moves while it grows */
		g->lines = (const struct gosym_line *)(uintptr_t)nl;
		g->nlines = n;
		nl += (size_t)n;
		g->parent_goid = cg->parent_goid;
		g->created = cg->goid != 1 &&
			     gosym__created_by(sym, cg->gopc, d->all, &g->created_by);
		d->n++;
	}
	for (i = 0; i < d->n; i++)
		d->gs[i].lines = d->lines + (uintptr_t)d->gs[i].lines;
	free(buf);
	return 0;
nomem:
	free(buf);
	return -ENOMEM;
}

static int group(struct dump *d)
{
	uint32_t small[256], *key = small, need;
	size_t i;
	int ret = ggroups__new(&d->groups);

	for (i = 0; !ret && i < d->n; i++) {
		need = dump_key(&d->gs[i], key, 256);
		if (need > 256) {
			uint32_t *big = malloc(need * sizeof(*big));

			if (!big)
				return -ENOMEM;
			dump_key(&d->gs[i], big, need);
			ret = ggroups__add(d->groups, (uint32_t)i, big, need);
			free(big);
			continue;
		}
		ret = ggroups__add(d->groups, (uint32_t)i, key, need);
	}
	return ret ? ret : ggroups__finish(d->groups);
}

static void print_json(struct dump *d)
{
	const struct census_snap *s = d->s;
	struct census_info in;
	size_t i;

	census__info(d->c, &in);
	fprintf(stdout, "{\"pid\":%d,\"go_version\":", (int)in.pid);
	jsonstr__put(stdout, in.go_version);
	fprintf(stdout,
		",\"time_ns\":%llu,\"total\":%zu,\"system_hidden\":%zu,\"unsettled\":%zu,"
		"\"unreadable\":%zu,\"census\":{\"wall_ns\":%llu,\"cpu_ns\":%llu,\"bytes\":%llu,"
		"\"syscalls\":%llu,\"rounds\":%u,\"reread\":%u},\"goroutines\":[",
		(unsigned long long)s->real_ns, d->n, d->hidden, s->unsettled, s->unreadable,
		(unsigned long long)s->cost.wall_ns, (unsigned long long)s->cost.cpu_ns,
		(unsigned long long)s->cost.bytes, (unsigned long long)s->cost.syscalls,
		s->cost.rounds, s->cost.reread);
	for (i = 0; i < d->n; i++) {
		fputs(i ? ",\n" : "\n", stdout);
		dump_json_g(stdout, &d->gs[i]);
	}
	fputs("],\"groups\":[", stdout);
	for (i = 0; i < ggroups__count(d->groups); i++) {
		struct ggroup gr = ggroups__get(d->groups, i);

		fputs(i ? ",\n" : "\n", stdout);
		dump_json_group(stdout, d->gs, gr.members, gr.n);
	}
	fputs("]}\n", stdout);
}

static void print_text(struct dump *d, bool verbose)
{
	struct census_info in;
	size_t i, ng = ggroups__count(d->groups);

	if (verbose) {
		for (i = 0; i < d->n; i++) {
			if (i)
				fputc('\n', stdout);
			dump_text(stdout, &d->gs[i]);
		}
		return;
	}
	census__info(d->c, &in);
	printf("process %d (%s): %zu goroutine%s in %zu group%s", (int)in.pid, in.go_version, d->n,
	       d->n == 1 ? "" : "s", ng, ng == 1 ? "" : "s");
	if (d->hidden)
		printf("; %zu runtime goroutine%s not shown (--all)", d->hidden,
		       d->hidden == 1 ? "" : "s");
	putchar('\n');
	for (i = 0; i < ng; i++) {
		struct ggroup gr = ggroups__get(d->groups, i);

		putchar('\n');
		dump_text_group(stdout, d->gs, gr.members, gr.n, false);
	}
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

int cmd_dump(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "all", no_argument, NULL, 'a' },
		{ "depth", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct census_opts co = { .max_frames = DEFAULT_DEPTH, .retries = 3 };
	struct dump d = { .retries = 3 };
	bool json = false, verbose = false;
	long pid = 0, v;
	char err[512];
	int c, ret, status = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_int(optarg, 1, INT32_MAX, &pid))
				return cli_bad_usage("dump ", "invalid --pid '%s'", optarg);
			break;
		case 'j':
			json = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'a':
			d.all = true;
			break;
		case 'D':
			if (parse_int(optarg, 1, CENSUS_MAX_FRAMES, &v))
				return cli_bad_usage("dump ", "invalid --depth '%s': want 1 to %d",
						     optarg, CENSUS_MAX_FRAMES);
			co.max_frames = (int)v;
			break;
		case 'h':
			fputs(usage_dump, stdout);
			return 0;
		default:
			return cli_bad_option("dump ", c, argv);
		}
	}
	if (optind < argc)
		return cli_bad_usage("dump ", "unexpected argument '%s' (the process is -p PID)",
				     argv[optind]);
	if (!pid)
		return cli_bad_usage("dump ", "no process given (-p PID)");

	ret = census__new((pid_t)pid, NULL, &co, &d.c, err, sizeof(err));
	if (ret) {
		cli_warn("%s", err);
		return ret == -ESRCH || ret == -EPROTONOSUPPORT || ret == -ENOTSUP ||
				       ret == -ENOEXEC || ret == -ENOENT ?
			       2 :
			       1;
	}
	ret = census__take(d.c, &d.s, err, sizeof(err));
	if (ret) {
		cli_warn("%s%s", err, ret == -ESRCH ? " during the census" : "");
		status = 1;
		goto out;
	}
	if (build(&d) || group(&d)) {
		cli_warn("out of memory");
		status = 1;
		goto out;
	}
	if (json)
		print_json(&d);
	else
		print_text(&d, verbose);
	fflush(stdout);
	if (d.s->unsettled)
		cli_warn("%zu goroutine%s changed each time %s read (%d times): shown without a "
			 "stack",
			 d.s->unsettled, d.s->unsettled == 1 ? "" : "s",
			 d.s->unsettled == 1 ? "it was" : "they were", d.retries + 1);
	if (d.s->unreadable)
		cli_warn("%zu entr%s of runtime.allgs could not be read or made no sense",
			 d.s->unreadable, d.s->unreadable == 1 ? "y" : "ies");
out:
	ggroups__free(d.groups);
	free(d.gs);
	free(d.lines);
	census__free(d.c);
	return status;
}
