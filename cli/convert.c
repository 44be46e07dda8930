// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * convert.c: `gotl convert LOG` turns a raw event log into a Perfetto trace
 * (or trace-event JSON) through convert/, and prints the summary of what
 * the trace holds on stderr: the conversion step and summary that
 * `gotl record` ends with too. Never writes to stdout.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "gotl/event.h"
#include "gotl/loss.h"
#include "convert.h"
#include "cli.h"

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
	"  -f, --format perfetto|json\n"
	"                      perfetto (the default) or json; FILE ending in .json\n"
	"                      picks json\n"
	"      --alloc-counters  add a heap-bytes counter track under each goroutine\n"
	"      --compress[=LEVEL]  write the trace as zlib-compressed packets (Perfetto's\n"
	"                      compressed_packets), LEVEL 1-9: the default, at level 1\n"
	"      --no-compress   plain packets: ~3x larger, written ~4x faster\n"
	"  -h, --help          this help\n"
	"\n"
	"exit status:\n"
	"  0     the trace was written\n"
	"  1     it was not: LOG is not a gotl event log, or cannot be read, or the\n"
	"        trace cannot be written (the reason is on stderr)\n"
	"  2     bad usage\n"
	"\n"
	"examples:\n"
	"  gotl convert run.gotl\n"
	"  gotl convert -f json -o run.json run.gotl\n";

static void human_size(uint64_t n, char *buf, size_t len)
{
	if (n >= 10ull << 20)
		snprintf(buf, len, "%.0f MiB", (double)n / (1 << 20));
	else if (n >= 10ull << 10)
		snprintf(buf, len, "%.0f KiB", (double)n / (1 << 10));
	else
		snprintf(buf, len, "%llu bytes", (unsigned long long)n);
}

int cli_convert(const char *log, const char *out, bool alloc_counters, enum convert_format format,
		int compress, struct convert_stats *cs)
{
	struct convert_opts co = { .log_path = log,
				   .trace_path = out,
				   .goroutine_alloc_counters = alloc_counters,
				   .format = format,
				   .compress = compress };
	char err[512];
	int ret;

	ret = convert__run(&co, cs, err, sizeof(err));
	if (ret)
		cli_warn("%s", err);
	return ret;
}

void cli_summary(const char *trace, const struct convert_stats *cs, const char *raw,
		 enum convert_format format)
{
	char size[32];

	human_size(cs->trace_bytes, size, sizeof(size));
	if (cs->lost) {
		char kinds[256];

		gotl_loss_str(cs->lost_kind, kinds, sizeof(kinds));
		cli_warn("warning: %llu events were lost%s%s%s: the ring buffer was full (try a "
			 "larger --ring-size); the affected spans are marked "
			 "'unobserved_transitions'",
			 (unsigned long long)cs->lost, kinds[0] ? " (" : "", kinds,
			 kinds[0] ? ")" : "");
	}
	if (cs->truncated)
		cli_warn("warning: the event log was cut short; the trace ends at its last whole record");
	if (cs->leak_suspects && cs->attached)
		cli_warn("%llu leak suspect%s: goroutine%s created while recording (or in a group "
			 "that grew) still blocked at the end on a channel, select, lock or cond; "
			 "those that were there before are long-lived (details: gotl report on the "
			 "raw log, -r)",
			 (unsigned long long)cs->leak_suspects, cs->leak_suspects == 1 ? "" : "s",
			 cs->leak_suspects == 1 ? "" : "s");
	else if (cs->leak_suspects)
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
			 "chrome://tracing",
			 trace, size);
	else
		cli_warn("wrote %s (%s); open it at https://ui.perfetto.dev (Open trace file)",
			 trace, size);
}

int cmd_convert(int argc, char **argv)
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
	int c, asked = -1, compress = CLI_COMPRESS;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'f':
			if (cli_parse_format(optarg, &asked))
				return cli_bad_value("convert ", "format", optarg,
						     "perfetto or json");
			break;
		case 'C':
			alloc_counters = true;
			break;
		case 'Z':
		case 'N':
			if (cli_parse_compress(c == 'Z', optarg, &compress))
				return cli_bad_value("convert ", "compress", optarg,
						     "a level from 1 to 9");
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
	format = cli_out_format(asked, out);
	if (!out) {
		snprintf(def, sizeof(def), "%s", argv[optind]);
		dot = strrchr(def, '.');
		if (dot && !strchr(dot, '/'))
			*dot = 0;
		strncat(def, format == CONVERT_JSON ? ".json" : ".pftrace",
			sizeof(def) - strlen(def) - 1);
		out = def;
	}
	if (cli_convert(argv[optind], out, alloc_counters, format, compress, &cs))
		return 1;
	cli_summary(out, &cs, NULL, format);
	return 0;
}
