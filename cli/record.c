// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * record.c: `gotl record`: parses its options, runs the recorder
 * (probes/record.c) on a program it launches or a process it attaches to,
 * converts the raw log (cli/convert.c) and gives what it wrote to the user
 * who ran sudo. Exits with the traced program's own status (128+N if it
 * died of signal N), 1 if gotl could not record, 2 for bad usage or a
 * program gotl cannot trace. stdout is left to the traced program; gotl's
 * messages go to stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "gotl/event.h"
#include "convert.h"
#include "flight.h"
#include "record.h"
#include "cli.h"

#define DEFAULT_TRACE	"gotl.pftrace"
#define DEFAULT_JSON	"gotl.json"
#define DEFAULT_RING	(16u << 20)
#define DEFAULT_STACK_DEPTH	16
#define DEFAULT_ALLOC_SAMPLE	(512u << 10)
#define DEFAULT_FLIGHT_SIZE	(64ull << 20)
#define DEFAULT_MAX_DUMPS	10
#define STR_(x)			#x
#define STR(x)			STR_(x)

static const char usage_record[] =
	"usage: gotl record [options] [--] PROG [ARGS...]\n"
	"       gotl record [options] -p PID [-d DURATION]\n"
	"       gotl record --flight DUR [options] (PROG [ARGS...] | -p PID)\n"
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
	"SIGTERM, SIGHUP, DURATION or its exit; the process runs on untouched, without\n"
	"probes. gotl then exits 0; a second Ctrl-C or SIGTERM while it stops ends it at\n"
	"once (128+N), keeping the raw event log. SIGQUIT, SIGUSR1 and SIGUSR2 are no\n"
	"stop: they act on gotl as on any program. Needs root (or CAP_BPF, CAP_PERFMON\n"
	"and CAP_SYS_PTRACE).\n"
	"\n"
	"With --flight, a flight recorder: the same recording, but only its last DUR\n"
	"(at most SIZE bytes of events) is kept, in memory, and written as a trace of\n"
	"its own on SIGUSR1 (sent to gotl: `kill -USR1`, in both modes; not forwarded)\n"
	"and at the end of the recording (the window up to the program's death, if it\n"
	"died): FILE-1.pftrace, FILE-2.pftrace, ... for -o FILE.pftrace, each named on\n"
	"stderr with what wrote it. A window starts with every goroutine alive then, in\n"
	"the state it was in (and since when), the counters as they stood; it never\n"
	"holds seconds an earlier dump wrote. No raw log is written (-r RAW keeps each\n"
	"window's, RAW-1, RAW-2, ...); not with --follow.\n"
	"\n"
	"options:\n"
	"  -o, --output FILE     the trace to write (default: " DEFAULT_TRACE ", or\n"
	"                        " DEFAULT_JSON " with -f json)\n"
	"  -f, --format perfetto|json\n"
	"                        perfetto (protobuf, the default) or json (Chrome\n"
	"                        trace-event JSON; the default when FILE ends in .json);\n"
	"                        see `gotl convert --help` for what JSON lacks\n"
	"  -p, --pid PID         attach to a running Go process\n"
	"  -d, --duration TIME   stop after TIME: 30s, 1.5s, 500ms, 100us, 2m, 1h (a bare\n"
	"                        number is seconds); with PROG, PROG then gets SIGINT as\n"
	"                        if Ctrl-C\n"
	"      --as-root         under sudo, run PROG as root rather than as the user\n"
	"      --follow          also record the Go programs that PROG (or any process\n"
	"                        it starts, through any number of forks and execs, e.g.\n"
	"                        a shell) execs, each as a process of its own in the\n"
	"                        same trace; with -r their logs are FILE.PID next to\n"
	"                        FILE. Each such process is held (SIGSTOP) at its exec\n"
	"                        while its probes go in, then continued; those still\n"
	"                        running when PROG ends are detached and run on\n"
	"      --no-hostname     keep this machine's host name out of the trace (it is in\n"
	"                        the trace metadata otherwise, with the kernel version)\n"
	"      --no-progress     no live status line on stderr (shown when stderr is a\n"
	"                        terminal, with -p or when PROG's stdout is redirected)\n"
	"  -r, --raw FILE        keep the raw event log in FILE; `gotl convert FILE`\n"
	"                        turns it into a trace again, even if gotl was killed\n"
	"      --ring-size SIZE  BPF ring buffer size, e.g. 16M or 64M (default 16M);\n"
	"                        events that do not fit are counted and reported as lost\n"
	"      --stack-depth N   frames of the goroutine's stack to record where it\n"
	"                        blocks, where it is created and where it allocates\n"
	"                        (0-16, default 16; 0: no stacks)\n"
	"      --alloc off|sampled|all\n"
	"                        heap allocations: off (default), sampled or all.\n"
	"                        sampled and all count every allocation by type and by\n"
	"                        goroutine; sampled records a stack for one allocation in\n"
	"                        every --alloc-sample bytes, all for every allocation.\n"
	"                        Each allocation then costs a uprobe trap (~1 us; see\n"
	"                        BENCHMARKS.md): allocation-heavy code runs much slower\n"
	"      --alloc-sample SIZE  mean bytes between two allocation samples (default\n"
	"                        512K, as Go's own heap profile)\n"
	"      --alloc-counters  add a heap-bytes counter track under each goroutine\n"
	"      --compress[=LEVEL]  write the trace as zlib-compressed packets (Perfetto's\n"
	"                        compressed_packets), LEVEL 1-9: the default, at level 1\n"
	"      --no-compress     plain packets: ~3x larger, converted ~4x faster\n"
	"      --flight DUR      a flight recorder keeping the last DUR (e.g. 10s, 1m)\n"
	"      --flight-size SIZE  at most SIZE bytes of events in memory (default 64M,\n"
	"                        at least 1M): the window is shorter if they fill it\n"
	"      --max-dumps N     write at most N dumps (default 10): the recording\n"
	"                        stops after the last\n"
	"      --trigger COND    also write a dump when COND holds (may be repeated):\n"
	"                        blocked>DUR (a goroutine blocked that long on a\n"
	"                        channel, select, lock or cond), runnable>DUR (one\n"
	"                        waited that long for a thread), goroutines>N (alive),\n"
	"                        reason=REASON>N (that many blocked for the wait\n"
	"                        reason REASON at once, e.g. 'reason=chan send>100').\n"
	"                        Within DUR of the previous dump, the dump waits for a\n"
	"                        whole new window\n"
	"  -v, --verbose         say what gotl found in PROG and where it put its probes;\n"
	"                        -vv adds libbpf's debug output\n"
	"  -h, --help            this help\n"
	"\n"
	"exit status:\n"
	"  N     PROG's own exit status, or 128+N if PROG died of signal N\n"
	"  0     with -p, when the recording ends (the process is not gotl's child)\n"
	"  1     gotl could not record, or (PROG having exited 0) not write the trace;\n"
	"        the raw log is then kept\n"
	"  2     bad usage, or a program gotl cannot trace\n"
	"\n"
	"environment:\n"
	"  SUDO_UID, SUDO_GID\n"
	"        set by sudo: PROG runs as that user and group, with the user's groups\n"
	"        (unless --as-root), and the trace and raw log are given to the user\n"
	"  GOTL_NO_UPROBE_MULTI=1\n"
	"        attach each probe as a perf_event uprobe, not through uprobe_multi\n"
	"        links (the fallback for kernels without them)\n"
	"\n"
	"examples:\n"
	"  sudo gotl record -o out.pftrace -- ./server -addr :8080\n"
	"  sudo gotl record -r run.gotl -o run.pftrace ./prog\n"
	"  sudo gotl record -p $(pidof server) -d 30s -o server.pftrace\n"
	"  sudo gotl record -p $(pidof server) --flight 10s -o server.pftrace\n";

/* A ring buffer size: a power of two from 4K to 2G. */
static int parse_size(const char *s, size_t *out)
{
	uint64_t v;

	if (cli_parse_bytes(s, 1ull << 31, &v) || v < 4096 || (v & (v - 1)))
		return -EINVAL;
	*out = (size_t)v;
	return 0;
}

/* Under sudo, give what gotl wrote to the user who ran it. */
static void give_to_sudo_user(const char *path)
{
	const char *su = getenv("SUDO_UID"), *sg = getenv("SUDO_GID");
	uint64_t uid, gid;

	/* (uid_t)-1 would mean "leave unchanged" to chown: not a user. */
	if (!path || !su || !sg || geteuid() != 0 || cli_parse_uint(su, 0, UINT32_MAX - 1, &uid) ||
	    cli_parse_uint(sg, 0, UINT32_MAX - 1, &gid))
		return;
	if (chown(path, (uid_t)uid, (gid_t)gid))
		return; /* best effort: the file is written either way */
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

/* --trigger COND: blocked>DUR, runnable>DUR, goroutines>N or reason=REASON>N. */
static int parse_trigger(const char *s, struct flight_trigger *t)
{
	const char *gt = strrchr(s, '>');
	size_t klen = gt ? (size_t)(gt - s) : 0;

	memset(t, 0, sizeof(*t));
	t->text = s;
	if (!gt)
		return -EINVAL;
	if (klen == 7 && !strncmp(s, "blocked", 7)) {
		t->kind = FTRIGGER_BLOCKED;
		return cli_parse_duration(gt + 1, &t->ns);
	}
	if (klen == 8 && !strncmp(s, "runnable", 8)) {
		t->kind = FTRIGGER_RUNNABLE;
		return cli_parse_duration(gt + 1, &t->ns);
	}
	if (klen == 10 && !strncmp(s, "goroutines", 10)) {
		t->kind = FTRIGGER_GOROUTINES;
		return cli_parse_uint(gt + 1, 0, UINT32_MAX, &t->n);
	}
	if (klen > 7 && klen - 7 < sizeof(t->reason) && !strncmp(s, "reason=", 7)) {
		t->kind = FTRIGGER_REASON;
		memcpy(t->reason, s + 7, klen - 7);
		return cli_parse_uint(gt + 1, 0, UINT32_MAX, &t->n);
	}
	return -EINVAL;
}

/* How a dump of the flight recorder is converted (record --flight). */
struct flight_cli {
	bool alloc_counters;
	enum convert_format format;
	int compress;
	const char *raw;
};

/* The flight recorder's converter: the window's log into its trace, one line on stderr. */
static int flight_convert(void *ctx, const char *log, const char *trace,
			  const struct flight_dump *d)
{
	const struct flight_cli *fc = ctx;
	struct convert_stats cs;

	give_to_sudo_user(log);
	if (cli_convert(log, trace, fc->alloc_counters, fc->format, fc->compress, &cs))
		return 1;
	give_to_sudo_user(trace);
	cli_warn("wrote %s (%llu bytes; %.1f s, %llu events, %llu goroutines%s%s): %s", trace,
		 (unsigned long long)cs.trace_bytes, (double)(d->end - d->start) / 1e9,
		 (unsigned long long)cs.events, (unsigned long long)cs.goroutines,
		 d->cut ? "; cut to --flight-size" : "", cs.lost ? "; events were lost" : "",
		 d->why);
	return 0;
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
			     o->stack_depth,
			     o->alloc_mode >= 0 && o->alloc_mode <= 2 ? modes[o->alloc_mode] : "?");
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
		n += (size_t)snprintf(buf + n, len - n, " --no-hostname");
	if (o->flight && n < len) {
		size_str(o->flight->size, ring, sizeof(ring));
		snprintf(buf + n, len - n, " --flight %llums --flight-size %s --max-dumps %d",
			 (unsigned long long)(o->flight->window_ns / 1000000), ring,
			 o->flight->max_dumps);
	}
}

int cmd_record(int argc, char **argv)
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
		{ "flight", required_argument, NULL, 'W' },
		{ "flight-size", required_argument, NULL, 'X' },
		{ "max-dumps", required_argument, NULL, 'M' },
		{ "trigger", required_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool no_progress = false;
	struct record_opts ro = { .ring_size = DEFAULT_RING,
				  .stack_depth = DEFAULT_STACK_DEPTH,
				  .alloc_mode = GOTL_ALLOC_OFF,
				  .alloc_sample_bytes = DEFAULT_ALLOC_SAMPLE };
	struct record_result rr;
	struct flight_opts fo = { .size = DEFAULT_FLIGHT_SIZE, .max_dumps = DEFAULT_MAX_DUMPS };
	struct flight_cli fc;
	struct flight_trigger triggers[FTRIGGER_MAX];
	bool flight_size = false, max_dumps = false;
	struct convert_stats cs;
	const char *out = NULL, *raw = NULL;
	enum convert_format format;
	bool alloc_counters = false;
	char tmp[4096], optdesc[512];
	int c, ret, status, asked = -1, compress = CLI_COMPRESS;
	uint64_t v;
	size_t i;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:o:f:r:p:d:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'f':
			if (cli_parse_format(optarg, &asked))
				return cli_bad_value("record ", "format", optarg,
						     "perfetto or json");
			break;
		case 'p':
			if (cli_parse_uint(optarg, 1, INT32_MAX, &v))
				return cli_bad_value("record ", "pid", optarg, "a process id");
			ro.pid = (pid_t)v;
			break;
		case 'd':
			if (cli_parse_duration(optarg, &ro.duration_ns))
				return cli_bad_value("record ", "duration", optarg,
						     "e.g. 30s, 500ms, 2m");
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
		case 'W':
			if (cli_parse_duration(optarg, &fo.window_ns) || fo.window_ns < 1000000)
				return cli_bad_value("record ", "flight", optarg,
						     "a duration of 1ms or more, e.g. 10s, 1m");
			break;
		case 'X':
			if (cli_parse_bytes(optarg, 1ull << 40, &v) || v < FLIGHT_SIZE_MIN)
				return cli_bad_value("record ", "flight-size", optarg,
						     "a size of 1M or more, e.g. 64M");
			fo.size = v;
			flight_size = true;
			break;
		case 'M':
			if (cli_parse_uint(optarg, 1, 1000000, &v))
				return cli_bad_value("record ", "max-dumps", optarg,
						     "a number from 1 to 1000000");
			fo.max_dumps = (int)v;
			max_dumps = true;
			break;
		case 'T':
			if (fo.ntriggers == FTRIGGER_MAX)
				return cli_bad_usage("record ", "more than %d --trigger",
						     FTRIGGER_MAX);
			if (parse_trigger(optarg, &triggers[fo.ntriggers]))
				return cli_bad_value("record ", "trigger", optarg,
						     "blocked>DUR, runnable>DUR, goroutines>N or "
						     "reason=REASON>N");
			fo.ntriggers++;
			break;
		case 'R':
			if (parse_size(optarg, &ro.ring_size))
				return cli_bad_value("record ", "ring-size", optarg,
						     "a power of two between 4K and 2G, e.g. 16M");
			break;
		case 'S':
			if (cli_parse_uint(optarg, 0, GOTL_STACK_MAX, &v))
				return cli_bad_value("record ", "stack-depth", optarg,
						     "0 (no stacks) to " STR(GOTL_STACK_MAX));
			ro.stack_depth = (int)v;
			break;
		case 'C':
			alloc_counters = true;
			break;
		case 'Z':
		case 'N':
			if (cli_parse_compress(c == 'Z', optarg, &compress))
				return cli_bad_value("record ", "compress", optarg,
						     "a level from 1 to 9");
			break;
		case 'A':
			if (!strcmp(optarg, "off"))
				ro.alloc_mode = GOTL_ALLOC_OFF;
			else if (!strcmp(optarg, "sampled"))
				ro.alloc_mode = GOTL_ALLOC_SAMPLED;
			else if (!strcmp(optarg, "all"))
				ro.alloc_mode = GOTL_ALLOC_ALL;
			else
				return cli_bad_value("record ", "alloc", optarg,
						     "off, sampled or all");
			break;
		case 'a':
			if (cli_parse_bytes(optarg, 1ull << 30, &v) || !v)
				return cli_bad_value("record ", "alloc-sample", optarg,
						     "a size from 1 to 1G, e.g. 512K");
			ro.alloc_sample_bytes = v;
			break;
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
	if (!fo.window_ns && (flight_size || max_dumps || fo.ntriggers))
		return cli_bad_usage("record ", "--%s needs --flight",
				     flight_size ? "flight-size" :
				     max_dumps	 ? "max-dumps" :
						   "trigger");
	fo.triggers = triggers;
	if (fo.window_ns && ro.follow)
		return cli_bad_usage("record ", "--flight and --follow do not go together");
	ro.argv = ro.pid ? NULL : argv + optind;
	if (fo.window_ns)
		ro.flight = &fo;
	describe_options(&ro, optdesc, sizeof(optdesc));
	ro.options = optdesc;
	format = cli_out_format(asked, out);
	if (!out)
		out = format == CONVERT_JSON ? DEFAULT_JSON : DEFAULT_TRACE;
	fc = (struct flight_cli){ alloc_counters, format, compress, raw };
	fo.out = out;
	fo.raw = raw;
	fo.convert = flight_convert;
	fo.ctx = &fc;
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
		status = 0; /* gotl's own: the process is not gotl's child */
		cli_warn("recorded process %d for %.1f s (%s); %zu goroutines existed at attach",
			 (int)ro.pid, rr.seconds, rr.exited ? "it exited" : "detached, it runs on",
			 rr.snapshot);
	} else {
		status = WIFSIGNALED(rr.status) ? 128 + WTERMSIG(rr.status) :
						  WEXITSTATUS(rr.status);
		if (ro.verbose)
			cli_warn("%s exited with status %d after %.3f s; %llu uprobe hits, "
				 "%llu events",
				 ro.argv[0], status, rr.seconds, (unsigned long long)rr.hits,
				 (unsigned long long)rr.events);
	}
	if (rr.exec_file[0] && !ro.follow)
		cli_warn("note: the program exec'd %s: its goroutines are recorded up to the exec, "
			 "not in what it became",
			 rr.exec_file);
	if (ro.flight) {
		/* The dumps are written, each with its line; there is no log to convert. */
		record__result_free(&rr);
		return status;
	}
	give_to_sudo_user(ro.log_path);
	for (i = 0; i < rr.nfollow; i++)
		give_to_sudo_user(rr.follow_logs[i]);
	if (cli_convert(ro.log_path, out, alloc_counters, format, compress, &cs)) {
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
	cli_summary(out, &cs, raw, format);
	return status;
}
