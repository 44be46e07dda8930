// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report.c: `gotl report LOG|TRACE` prints leak suspects and goroutine
 * statistics (convert/report.c does the analysis) on stdout, as text or
 * JSON. Needs no root; reads the file only.
 */
#include <limits.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include "report.h"
#include "cli.h"

static const char usage_report[] =
	"usage: gotl report [options] LOG|TRACE\n"
	"\n"
	"Analyse a raw event log written by `gotl record -r LOG`, or a .pftrace gotl\n"
	"wrote (the same report, without stack sizes): leak suspects\n"
	"(goroutines still blocked at the end on a channel, select, lock or cond,\n"
	"grouped by creation site, block site and wait reason; of a recording\n"
	"attached to a running process, `record -p`, only those created while\n"
	"recorded or in a group that grew: the others, there before gotl attached,\n"
	"are listed as long-lived), goroutine lifetimes, peak concurrency, top spawn\n"
	"sites, created -> first run and runnable -> running latencies, sleep\n"
	"durations, blocked time by wait reason and by site, the goroutine tree\n"
	"collapsed by creation site, and stack sizes. Text on stdout; no root needed.\n"
	"\n"
	"options:\n"
	"      --json           JSON instead of text\n"
	"      --fail-on-leak   exit with status 1 if there are leak suspects (for CI)\n"
	"      --all-waits      count goroutines blocked on IO, sleeps and timers at the\n"
	"                       end as suspects too\n"
	"      --top N          rows in the top lists (default 10)\n"
	"  -h, --help           this help\n"
	"\n"
	"exit status:\n"
	"  0     the report was written\n"
	"  1     --fail-on-leak, and there are leak suspects\n"
	"  2     bad usage, or the input cannot be read\n"
	"\n"
	"examples:\n"
	"  gotl report run.gotl\n"
	"  gotl report --json --top 3 run.pftrace\n"
	"  gotl report --fail-on-leak run.gotl || echo leaks\n";

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, /* long options only, but for -h */
		{ "fail-on-leak", no_argument, NULL, 'f' },
		{ "all-waits", no_argument, NULL, 'a' },
		{ "top", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct report_opts ro = { .top = 10 };
	struct report_result res;
	bool fail_on_leak = false;
	char err[512];
	uint64_t top;
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
			if (cli_parse_uint(optarg, 1, INT_MAX, &top))
				return cli_bad_value("report ", "top", optarg, "1 or more rows");
			ro.top = (int)top;
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
