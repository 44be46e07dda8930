// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * main.c: the gotl command line. Parses options, runs the subcommands
 * (record = probes/record + convert/convert; convert), and prints the
 * user-facing summary. The only place that decides exit statuses:
 *
 *	record	the traced program's own status (128+N if it died of signal N);
 *		1 if gotl could not record, 2 for bad usage or a program gotl
 *		cannot trace
 *	others	0 ok, 1 failure, 2 bad usage or input
 *
 * stdout is left to the traced program; gotl's messages go to stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "gotl/event.h"
#include "gotl/version.h"
#include "convert.h"
#include "record.h"
#include "report.h"
#include "cli.h"

#define DEFAULT_TRACE	"gotl.pftrace"
#define DEFAULT_JSON	"gotl.json"
#define DEFAULT_RING	(16u << 20)
#define DEFAULT_STACK_DEPTH	16
#define DEFAULT_ALLOC_SAMPLE	(512u << 10)

static const char usage_main[] =
"usage: gotl <command> [options] [args]\n"
"\n"
"Record a Go program's goroutines with eBPF uprobes on the Go runtime (no code\n"
"change, no rebuild) and write a Perfetto trace: one track per goroutine with\n"
"Running / Runnable / Syscall / blocked spans named by the runtime's wait reason,\n"
"flows for spawns and wake-ups, and goroutine counters. Open traces at\n"
"https://ui.perfetto.dev.\n"
"\n"
"commands:\n"
"  record    run a Go program, or attach to one (-p PID), and record it\n"
"            (needs root)\n"
"  convert   turn a raw event log (record -r) into a Perfetto trace, or\n"
"            Chrome trace-event JSON (-f json)\n"
"  inspect   show what gotl finds in a Go binary and where it would probe\n"
"  report    leak suspects and goroutine statistics from a log or a trace\n"
"  top       a live view of a running Go process's goroutines, like top,\n"
"            read from its memory (needs root or CAP_SYS_PTRACE)\n"
"  watch     a census of a running Go process every few seconds, for hours:\n"
"            the leak verdict, a Perfetto trace, OpenMetrics\n"
"\n"
"options:\n"
"  -h, --help      this help; `gotl <command> --help` for a command\n"
"      --version   print gotl's version\n"
"\n"
"examples:\n"
"  sudo gotl record -o out.pftrace -- ./prog arg1 arg2\n"
"  sudo gotl record -r out.gotl -- ./prog && gotl convert out.gotl -o out.pftrace\n";

static const char usage_record[] =
"usage: gotl record [options] [--] PROG [ARGS...]\n"
"       gotl record [options] -p PID [-d DURATION]\n"
"\n"
"Run PROG with ARGS under uprobes on the Go runtime, attached before its first\n"
"instruction, until it exits; then write a Perfetto trace. PROG's stdin, stdout,\n"
"stderr, environment and exit status are its own: gotl exits with PROG's status\n"
"(128+N if PROG died of signal N). Ctrl-C reaches PROG as it would without gotl,\n"
"and the trace is still written. Under sudo, PROG runs as the user who ran sudo.\n"
"If PROG execs another program, its recording ends at the exec; programs it\n"
"starts are not recorded, unless --follow.\n"
"\n"
"With -p, attach to the running Go process PID instead: its goroutines as they\n"
"are (read from its memory) start the trace, then every transition until Ctrl-C,\n"
"SIGTERM, DURATION or its exit; the process runs on untouched, without probes.\n"
"gotl then exits 0. Needs root (or CAP_BPF, CAP_PERFMON and CAP_SYS_PTRACE).\n"
"\n"
"options:\n"
"  -o, --output FILE     the trace to write (default: " DEFAULT_TRACE ", or\n"
"                        " DEFAULT_JSON " with -f json)\n"
"  -f, --format FORMAT   perfetto (protobuf, the default) or json (Chrome\n"
"                        trace-event JSON; the default when FILE ends in .json);\n"
"                        see `gotl convert --help` for what JSON lacks\n"
"  -p, --pid PID         attach to a running Go process\n"
"  -d, --duration TIME   stop after TIME (e.g. 30s, 500ms, 2m; a bare number is\n"
"                        seconds); with PROG, PROG then gets SIGINT as if Ctrl-C\n"
"      --as-root         under sudo, run PROG as root rather than as the user\n"
"      --follow          also record the Go programs that PROG (or any process\n"
"                        it starts, through any number of forks and execs, e.g.\n"
"                        a shell) execs, each as a process of its own in the\n"
"                        same trace; with -r their logs are FILE.PID next to\n"
"                        FILE. Each such process is held (SIGSTOP) at its exec\n"
"                        while its probes go in, then continued; those still\n"
"                        running when PROG ends are detached and run on\n"
"      --no-hostname     keep this machine's host name out of the trace (it is\n"
"                        in the trace metadata otherwise, with the kernel version)\n"
"      --no-progress     no live status line on stderr (shown when stderr is a\n"
"                        terminal, with -p or when PROG's stdout is redirected)\n"
"  -r, --raw FILE        keep the raw event log in FILE; `gotl convert FILE`\n"
"                        turns it into a trace again, even if gotl was killed\n"
"      --ring-size SIZE  BPF ring buffer size, e.g. 16M or 64M (default 16M);\n"
"                        events that do not fit are counted and reported as lost\n"
"      --stack-depth N   frames of the goroutine's stack to record where it blocks,\n"
"                        where it is created and where it allocates (0-16,\n"
"                        default 16; 0: no stacks)\n"
"      --alloc MODE      heap allocations: off (default), sampled or all.\n"
"                        sampled and all count every allocation by type and by\n"
"                        goroutine; sampled records a stack for one allocation in\n"
"                        every --alloc-sample bytes, all for every allocation.\n"
"                        Each allocation then costs a uprobe trap (~1 us; see\n"
"                        BENCHMARKS.md): allocation-heavy code runs much slower\n"
"      --alloc-sample SIZE  mean bytes between two allocation samples (default\n"
"                        512K, as Go's own heap profile)\n"
"      --alloc-counters  add a heap-bytes counter track under each goroutine\n"
"      --compress[=LEVEL]  write the trace as zlib-compressed packets (Perfetto's\n"
"                        compressed_packets, LEVEL 1-9, default 1): ~4x smaller,\n"
"                        ~4x the conversion time; off by default (--no-compress)\n"
"  -v, --verbose         say what gotl found in PROG and where it put its probes;\n"
"                        -vv adds libbpf's debug output\n"
"  -h, --help            this help\n"
"\n"
"examples:\n"
"  sudo gotl record -o out.pftrace -- ./server -addr :8080\n"
"  sudo gotl record -r run.gotl -o run.pftrace ./prog\n"
"  sudo gotl record -p $(pidof server) -d 30s -o server.pftrace\n";

static const char usage_convert[] =
"usage: gotl convert [options] LOG\n"
"\n"
"Turn a raw event log written by `gotl record -r LOG` into a Perfetto trace.\n"
"Works without root and without the traced binary (the log carries what it\n"
"needs), and on a log cut short by a killed recorder (up to its last record).\n"
"\n"
"With -f json (or an output FILE ending in .json), write the same timeline as\n"
"Chrome trace-event JSON (chrome://tracing, Perfetto, other viewers): the\n"
"program is a process, each goroutine a thread named \"G17 main.worker\" with\n"
"the synthetic tid 4194304+goid (no real tid is that high), each state an X\n"
"slice with the protobuf slice's args, spawns and wake-ups v1 flows from a\n"
"0-length GoCreate/GoUnblock slice, counters C events, GC, stop-the-world, leak\n"
"suspects and types on pseudo-threads, the trace attributes in \"metadata\".\n"
"Unlike the protobuf trace: times are us since the recording's start\n"
"(metadata gotl.ts0_*), stacks are string args (no flamegraphs), no track\n"
"groups or descriptions, counters are per process (\"Goroutines\" {alive,\n"
"running, ...}), and files are larger.\n"
"\n"
"options:\n"
"  -o, --output FILE   the trace to write (default: LOG with its extension\n"
"                      replaced by .pftrace, or .json with -f json)\n"
"  -f, --format FORMAT perfetto (the default) or json; FILE ending in .json\n"
"                      picks json\n"
"      --alloc-counters  add a heap-bytes counter track under each goroutine\n"
"      --compress[=LEVEL]  write the trace as zlib-compressed packets (Perfetto's\n"
"                      compressed_packets, LEVEL 1-9, default 1): ~4x smaller,\n"
"                      ~4x the time; off by default (--no-compress)\n"
"  -h, --help          this help\n";

/* "512", "64K", "16M", "1G" (also "16MiB", "16MB"): bytes, at most 1T. */
static int parse_bytes(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (*s == '-')
		return -EINVAL;
	v = strtoull(s, &end, 10);
	if (errno || end == s || v > (1ull << 40))
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end == 'i' || *end == 'B')
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

/* A ring buffer size: a power of two from 4K to 2G. */
static int parse_size(const char *s, size_t *out)
{
	uint64_t v;

	if (parse_bytes(s, &v) || v < 4096 || v > (1ull << 31) || (v & (v - 1)))
		return -EINVAL;
	*out = (size_t)v;
	return 0;
}

/* Under sudo, give what gotl wrote to the user who ran it. */
static void give_to_sudo_user(const char *path)
{
	const char *su = getenv("SUDO_UID"), *sg = getenv("SUDO_GID");

	if (!path || !su || !sg || geteuid() != 0)
		return;
	if (chown(path, (uid_t)strtoul(su, NULL, 10), (gid_t)strtoul(sg, NULL, 10)))
		return;		/* best effort: the file is written either way */
}

static const char usage_report[] =
"usage: gotl report [options] LOG|TRACE\n"
"\n"
"Analyse a raw event log written by `gotl record -r LOG`, or a .pftrace gotl\n"
"wrote (the same report, without stack sizes): leak suspects\n"
"(goroutines still blocked at the end on a channel, select, lock or cond,\n"
"grouped by creation site, block site and wait reason), goroutine lifetimes,\n"
"peak concurrency, top spawn sites, created -> first run and runnable ->\n"
"running latencies, sleep durations, blocked time by wait reason and by site,\n"
"the goroutine tree collapsed by creation site, and stack sizes. Text on\n"
"stdout; no root needed.\n"
"\n"
"options:\n"
"      --json           JSON instead of text\n"
"      --fail-on-leak   exit with status 1 if there are leak suspects (for CI)\n"
"      --all-waits      count goroutines blocked on IO, sleeps and timers at the\n"
"                       end as suspects too\n"
"      --top N          rows in the top lists (default 10)\n"
"  -h, --help           this help\n"
"\n"
"exit status: 0, or 1 with --fail-on-leak when there are suspects; 2 if the\n"
"input cannot be read.\n";

static void human_size(uint64_t n, char *buf, size_t len)
{
	if (n >= 10ull << 20)
		snprintf(buf, len, "%.0f MiB", (double)n / (1 << 20));
	else if (n >= 10ull << 10)
		snprintf(buf, len, "%.0f KiB", (double)n / (1 << 10));
	else
		snprintf(buf, len, "%llu bytes", (unsigned long long)n);
}

/* "-f FORMAT": 0, or -EINVAL. */
static int parse_format(const char *s, int *out)
{
	if (!strcmp(s, "perfetto") || !strcmp(s, "pftrace") || !strcmp(s, "protobuf"))
		*out = CONVERT_PERFETTO;
	else if (!strcmp(s, "json"))
		*out = CONVERT_JSON;
	else
		return -EINVAL;
	return 0;
}

/* The format asked for, or else the output name's: *.json is JSON. */
static enum convert_format out_format(int asked, const char *out)
{
	size_t n = out ? strlen(out) : 0;

	if (asked >= 0)
		return (enum convert_format)asked;
	return n >= 5 && !strcasecmp(out + n - 5, ".json") ? CONVERT_JSON : CONVERT_PERFETTO;
}

/* --compress[=LEVEL] (zlib level, default 1) or --no-compress (level 0). */
static int parse_compress(bool on, const char *arg, int *level)
{
	char *end;
	long v;

	if (!on) {
		*level = 0;
		return 0;
	}
	if (!arg) {
		*level = 1;	/* BENCHMARKS.md: 4x smaller for 5x the time; higher levels gain little */
		return 0;
	}
	v = strtol(arg, &end, 10);
	if (*end || end == arg || v < 1 || v > 9)
		return -EINVAL;
	*level = (int)v;
	return 0;
}

static int do_convert(const char *log, const char *out, bool alloc_counters,
		      enum convert_format format, int compress, struct convert_stats *cs)
{
	struct convert_opts co = { .log_path = log, .trace_path = out,
				   .goroutine_alloc_counters = alloc_counters,
				   .format = format, .compress = compress };
	char err[512];
	int ret;

	ret = convert__run(&co, cs, err, sizeof(err));
	if (ret)
		cli_warn("%s", err);
	return ret;
}

static void summary(const char *trace, const struct convert_stats *cs, const char *raw,
		    enum convert_format format)
{
	char size[32];

	human_size(cs->trace_bytes, size, sizeof(size));
	if (cs->lost) {
		char kinds[256];

		record__loss_str(cs->lost_kind, kinds, sizeof(kinds));
		cli_warn("warning: %llu events were lost%s%s%s: the ring buffer was full (try a "
			 "larger --ring-size); the affected spans are marked "
			 "'unobserved_transitions'", (unsigned long long)cs->lost,
			 kinds[0] ? " (" : "", kinds, kinds[0] ? ")" : "");
	}
	if (cs->truncated)
		cli_warn("warning: the event log was cut short; the trace ends at its last whole record");
	if (cs->leak_suspects)
		cli_warn("%llu leak suspect%s: goroutine%s still blocked at the end on a channel, "
			 "select, lock or cond (details: gotl report on the raw log, -r)",
			 (unsigned long long)cs->leak_suspects, cs->leak_suspects == 1 ? "" : "s",
			 cs->leak_suspects == 1 ? "" : "s");
	if (cs->follow_missing)
		cli_warn("warning: %u of the programs followed are missing from the trace: %s",
			 cs->follow_missing, cs->follow_err);
	cli_warn("%llu events, %llu lost, %llu goroutines (peak %llu alive)",
	      (unsigned long long)cs->events, (unsigned long long)cs->lost,
	      (unsigned long long)cs->goroutines, (unsigned long long)cs->max_alive);
	if (cs->processes > 1)
		cli_warn("%u Go processes: the program and %u it started (--follow)", cs->processes,
			 cs->processes - 1);
	if (cs->alloc_mode != GOTL_ALLOC_OFF) {
		char heap[32];

		human_size(cs->alloc_bytes, heap, sizeof(heap));
		cli_warn("%llu heap allocations (%s), %llu GC cycle%s",
			 (unsigned long long)cs->alloc_count, heap,
			 (unsigned long long)cs->gc_cycles, cs->gc_cycles == 1 ? "" : "s");
	} else if (cs->gc_cycles) {
		cli_warn("%llu GC cycle%s", (unsigned long long)cs->gc_cycles,
			 cs->gc_cycles == 1 ? "" : "s");
	}
	if (raw)
		cli_warn("raw event log: %s", raw);
	if (format == CONVERT_JSON)
		cli_warn("wrote %s (%s, trace-event JSON); open it at https://ui.perfetto.dev or "
			 "chrome://tracing", trace, size);
	else
		cli_warn("wrote %s (%s); open it at https://ui.perfetto.dev (Open trace file)",
			 trace, size);
}

static void size_str(uint64_t n, char *buf, size_t len)
{
	if (n && !(n & ((1u << 20) - 1)))
		snprintf(buf, len, "%lluM", (unsigned long long)(n >> 20));
	else if (n && !(n & 1023))
		snprintf(buf, len, "%lluK", (unsigned long long)(n >> 10));
	else
		snprintf(buf, len, "%llu", (unsigned long long)n);
}

/* The recording options in effect, defaults included, as a command line gives them. */
static void describe_options(const struct record_opts *o, char *buf, size_t len)
{
	static const char *const modes[] = { "off", "sampled", "all" };
	char ring[32], sample[32];
	size_t n;

	size_str(o->ring_size, ring, sizeof(ring));
	size_str(o->alloc_sample_bytes, sample, sizeof(sample));
	n = (size_t)snprintf(buf, len, "--ring-size %s --stack-depth %d --alloc %s", ring,
			     o->stack_depth, o->alloc_mode >= 0 && o->alloc_mode <= 2 ?
			     modes[o->alloc_mode] : "?");
	if (o->alloc_mode == GOTL_ALLOC_SAMPLED && n < len)
		n += (size_t)snprintf(buf + n, len - n, " --alloc-sample %s", sample);
	if (o->duration_ns && n < len)
		n += (size_t)snprintf(buf + n, len - n, " -d %llums",
				      (unsigned long long)(o->duration_ns / 1000000));
	if (o->pid && n < len)
		n += (size_t)snprintf(buf + n, len - n, " -p %d", (int)o->pid);
	if (o->follow && n < len)
		n += (size_t)snprintf(buf + n, len - n, " --follow");
	if (o->as_root && n < len)
		n += (size_t)snprintf(buf + n, len - n, " --as-root");
	if (o->no_hostname && n < len)
		snprintf(buf + n, len - n, " --no-hostname");
}

static int cmd_record(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "raw", required_argument, NULL, 'r' },
		{ "ring-size", required_argument, NULL, 'R' },
		{ "stack-depth", required_argument, NULL, 'S' },
		{ "alloc", required_argument, NULL, 'A' },
		{ "alloc-sample", required_argument, NULL, 'a' },
		{ "alloc-counters", no_argument, NULL, 'C' },
		{ "compress", optional_argument, NULL, 'Z' },
		{ "no-compress", no_argument, NULL, 'N' },
		{ "pid", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ "as-root", no_argument, NULL, 'U' },
		{ "follow", no_argument, NULL, 'F' },
		{ "no-progress", no_argument, NULL, 'P' },
		{ "no-hostname", no_argument, NULL, 'H' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool no_progress = false;
	struct record_opts ro = { .ring_size = DEFAULT_RING, .stack_depth = DEFAULT_STACK_DEPTH,
				  .alloc_mode = GOTL_ALLOC_OFF,
				  .alloc_sample_bytes = DEFAULT_ALLOC_SAMPLE };
	struct record_result rr;
	struct convert_stats cs;
	const char *out = NULL, *raw = NULL;
	enum convert_format format;
	bool alloc_counters = false;
	char tmp[4096], optdesc[512];
	int c, ret, status, asked = -1, compress = 0;
	size_t i;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:o:f:r:p:d:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'f':
			if (parse_format(optarg, &asked))
				return cli_bad_usage("record ", "invalid --format '%s': want perfetto "
						     "or json", optarg);
			break;
		case 'p': {
			char *end;
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v <= 0 || v > INT32_MAX)
				return cli_bad_usage("record ", "invalid --pid '%s'", optarg);
			ro.pid = (pid_t)v;
			break;
		}
		case 'd':
			if (cli_parse_duration(optarg, &ro.duration_ns))
				return cli_bad_usage("record ", "invalid --duration '%s': want e.g. "
						     "30s, 500ms, 2m", optarg);
			break;
		case 'U':
			ro.as_root = true;
			break;
		case 'F':
			ro.follow = true;
			break;
		case 'P':
			no_progress = true;
			break;
		case 'H':
			ro.no_hostname = true;
			break;
		case 'r':
			raw = optarg;
			break;
		case 'R':
			if (parse_size(optarg, &ro.ring_size))
				return cli_bad_usage("record ", "invalid --ring-size '%s': want a power "
						 "of two between 4K and 2G, e.g. 16M", optarg);
			break;
		case 'S': {
			char *end;

			errno = 0;
			ro.stack_depth = (int)strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || ro.stack_depth < 0 ||
			    ro.stack_depth > 16)
				return cli_bad_usage("record ", "invalid --stack-depth '%s': want 0 "
						     "(no stacks) to 16", optarg);
			break;
		}
		case 'C':
			alloc_counters = true;
			break;
		case 'Z':
		case 'N':
			if (parse_compress(c == 'Z', optarg, &compress))
				return cli_bad_usage("record ",
						     "invalid --compress level '%s' (1-9)", optarg);
			break;
		case 'A':
			if (!strcmp(optarg, "off"))
				ro.alloc_mode = GOTL_ALLOC_OFF;
			else if (!strcmp(optarg, "sampled"))
				ro.alloc_mode = GOTL_ALLOC_SAMPLED;
			else if (!strcmp(optarg, "all"))
				ro.alloc_mode = GOTL_ALLOC_ALL;
			else
				return cli_bad_usage("record ", "invalid --alloc '%s': want off, "
						     "sampled or all", optarg);
			break;
		case 'a': {
			uint64_t v;

			if (parse_bytes(optarg, &v) || !v || v > (1ull << 30))
				return cli_bad_usage("record ", "invalid --alloc-sample '%s': want "
						     "a size from 1 to 1G, e.g. 512K", optarg);
			ro.alloc_sample_bytes = v;
			break;
		}
		case 'v':
			ro.verbose++;
			break;
		case 'h':
			fputs(usage_record, stdout);
			return 0;
		default:
			return cli_bad_option("record ", c, argv);
		}
	}
	if (ro.pid && optind < argc)
		return cli_bad_usage("record ", "either -p PID or a program to run, not both");
	if (!ro.pid && optind >= argc)
		return cli_bad_usage("record ", "no program to record (or -p PID)");
	ro.argv = ro.pid ? NULL : argv + optind;
	describe_options(&ro, optdesc, sizeof(optdesc));
	ro.options = optdesc;
	format = out_format(asked, out);
	if (!out)
		out = format == CONVERT_JSON ? DEFAULT_JSON : DEFAULT_TRACE;
	/* A status line on the terminal, unless the program's output goes there too. */
	ro.progress = !no_progress && isatty(2) && (ro.pid || !isatty(1));
	if (raw) {
		ro.log_path = raw;
	} else {
		/* The raw log is kept only if the conversion fails (or gotl is killed). */
		snprintf(tmp, sizeof(tmp), "%s.gotl-tmp", out);
		ro.log_path = tmp;
	}

	ret = record__run(&ro, &rr);
	if (ret)
		return ret;
	if (ro.pid) {
		status = 0;	/* gotl's own: the process is not gotl's child */
		cli_warn("recorded process %d for %.1f s (%s); %zu goroutines existed at attach",
			 (int)ro.pid, rr.seconds, rr.exited ? "it exited" : "detached, it runs on",
			 rr.snapshot);
	} else {
		status = WIFSIGNALED(rr.status) ? 128 + WTERMSIG(rr.status) :
						  WEXITSTATUS(rr.status);
		if (ro.verbose)
			cli_warn("%s exited with status %d after %.3f s; %llu uprobe hits, "
				 "%llu events", ro.argv[0], status, rr.seconds,
				 (unsigned long long)rr.hits, (unsigned long long)rr.events);
	}
	if (rr.exec_file[0] && !ro.follow)
		cli_warn("note: the program exec'd %s: its goroutines are recorded up to the exec, "
			 "not in what it became", rr.exec_file);
	give_to_sudo_user(ro.log_path);
	for (i = 0; i < rr.nfollow; i++)
		give_to_sudo_user(rr.follow_logs[i]);
	if (do_convert(ro.log_path, out, alloc_counters, format, compress, &cs)) {
		cli_warn("the raw event log is kept in %s%s", ro.log_path,
			 rr.nfollow ? " (and those of the programs followed, next to it)" : "");
		record__result_free(&rr);
		return status ? status : 1;
	}
	give_to_sudo_user(out);
	if (!raw) {
		unlink(ro.log_path);
		for (i = 0; i < rr.nfollow; i++)
			unlink(rr.follow_logs[i]);
	}
	record__result_free(&rr);
	summary(out, &cs, raw, format);
	return status;
}

static int cmd_convert(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "alloc-counters", no_argument, NULL, 'C' },
		{ "compress", optional_argument, NULL, 'Z' },
		{ "no-compress", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct convert_stats cs;
	const char *out = NULL;
	enum convert_format format;
	char def[4096], *dot;
	bool alloc_counters = false;
	int c, asked = -1, compress = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'f':
			if (parse_format(optarg, &asked))
				return cli_bad_usage("convert ", "invalid --format '%s': want perfetto "
						     "or json", optarg);
			break;
		case 'C':
			alloc_counters = true;
			break;
		case 'Z':
		case 'N':
			if (parse_compress(c == 'Z', optarg, &compress))
				return cli_bad_usage("convert ",
						     "invalid --compress level '%s' (1-9)", optarg);
			break;
		case 'h':
			fputs(usage_convert, stdout);
			return 0;
		default:
			return cli_bad_option("convert ", c, argv);
		}
	}
	if (optind != argc - 1)
		return cli_bad_usage("convert ", optind >= argc ? "no event log given" :
				 "one event log at a time");
	format = out_format(asked, out);
	if (!out) {
		snprintf(def, sizeof(def), "%s", argv[optind]);
		dot = strrchr(def, '.');
		if (dot && !strchr(dot, '/'))
			*dot = 0;
		strncat(def, format == CONVERT_JSON ? ".json" : ".pftrace",
			sizeof(def) - strlen(def) - 1);
		out = def;
	}
	if (do_convert(argv[optind], out, alloc_counters, format, compress, &cs))
		return 1;
	summary(out, &cs, NULL, format);
	return 0;
}

static int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "fail-on-leak", no_argument, NULL, 'f' },
		{ "all-waits", no_argument, NULL, 'a' },
		{ "top", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct report_opts ro = { .top = 10 };
	struct report_result res;
	bool fail_on_leak = false;
	char err[512], *end;
	int c, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ro.json = true;
			break;
		case 'f':
			fail_on_leak = true;
			break;
		case 'a':
			ro.all_waits = true;
			break;
		case 't':
			errno = 0;
			ro.top = (int)strtol(optarg, &end, 10);
			if (errno || *end || ro.top < 1)
				return cli_bad_usage("report ", "invalid --top '%s'", optarg);
			break;
		case 'h':
			fputs(usage_report, stdout);
			return 0;
		default:
			return cli_bad_option("report ", c, argv);
		}
	}
	if (optind != argc - 1)
		return cli_bad_usage("report ", optind >= argc ? "no event log given" :
				     "one event log at a time");
	ro.log_path = argv[optind];
	ret = report__run(&ro, stdout, &res, err, sizeof(err));
	fflush(stdout);
	if (ret) {
		cli_warn("%s", err);
		return 2;
	}
	return fail_on_leak && res.leak_suspects ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd || !strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		fputs(usage_main, cmd ? stdout : stderr);
		return cmd ? 0 : 2;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("gotl %s\n", GOTL_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "record"))
		return cmd_record(argc - 1, argv + 1);
	if (!strcmp(cmd, "convert"))
		return cmd_convert(argc - 1, argv + 1);
	if (!strcmp(cmd, "inspect"))
		return cmd_inspect(argc - 1, argv + 1);
	if (!strcmp(cmd, "report"))
		return cmd_report(argc - 1, argv + 1);
	if (!strcmp(cmd, "dump"))
		return cmd_dump(argc - 1, argv + 1);
	if (!strcmp(cmd, "top"))
		return cmd_top(argc - 1, argv + 1);
	if (!strcmp(cmd, "watch"))
		return cmd_watch(argc - 1, argv + 1);
	return cli_bad_usage("", "unknown command '%s'", cmd);
}
