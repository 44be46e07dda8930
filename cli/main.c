// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * main.c: the gotl command line: the top-level help and --version, and
 * the dispatch to the commands, one file each (cli/<command>.c), which
 * parse their own options and decide their exit statuses:
 *
 *	record	the traced program's own status (128+N if it died of signal N);
 *		1 if gotl could not record, 2 for bad usage or a program gotl
 *		cannot trace
 *	others	0 ok, 1 failure, 2 bad usage or input
 */
#ifdef GOTL_STATIC
#include <nss.h>
#endif
#include <stdio.h>
#include <string.h>
#include "gotl/version.h"
#include "cli.h"

/*
 * The commands, in the order the help lists them: a new command is one line
 * here (and its file), and the help, gotl(1) and the bash completion, which
 * are made from the help, follow.
 */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *what; /* for the help; '\n' starts an indented line */
} commands[] = {
	{ "record", cmd_record,
	  "run a Go program, or attach to one (-p PID), and record it\n"
	  "(needs root)" },
	{ "convert", cmd_convert,
	  "turn a raw event log (record -r) into a Perfetto trace, or\n"
	  "Chrome trace-event JSON (-f json)" },
	{ "inspect", cmd_inspect, "show what gotl finds in a Go binary and where it would probe" },
	{ "report", cmd_report, "leak suspects and goroutine statistics from a log or a trace" },
	{ "dump", cmd_dump,
	  "every goroutine of a running Go process, now, from its memory\n"
	  "(no probe, no stop; root or CAP_SYS_PTRACE)" },
	{ "top", cmd_top,
	  "a live view of a running Go process's goroutines, like top,\n"
	  "read from its memory (needs root or CAP_SYS_PTRACE)" },
	{ "watch", cmd_watch,
	  "a census of a running Go process every few seconds, for hours:\n"
	  "the leak verdict, a Perfetto trace, OpenMetrics" },
};

static const char usage_head[] =
	"usage: gotl <command> [options] [args]\n"
	"\n"
	"Record a Go program's goroutines with eBPF uprobes on the Go runtime (no code\n"
	"change, no rebuild) and write a Perfetto trace: one track per goroutine with\n"
	"Running / Runnable / Syscall / blocked spans named by the runtime's wait reason,\n"
	"flows for spawns and wake-ups, and goroutine counters. Open traces at\n"
	"https://ui.perfetto.dev.\n"
	"\n"
	"Or read every goroutine of a running Go process from its memory, with no probe\n"
	"and no stop, cheap enough for production: now (dump), live (top), or every few\n"
	"seconds for days, with a leak verdict, a trace and OpenMetrics (watch).\n"
	"\n"
	"commands:\n";

static const char usage_tail[] =
	"\n"
	"options:\n"
	"  -h, --help      this help; `gotl <command> --help` for a command\n"
	"      --version   print gotl's version\n"
	"\n"
	"examples:\n"
	"  sudo gotl record -o out.pftrace -- ./prog arg1 arg2\n"
	"  sudo gotl record -r out.gotl -- ./prog && gotl convert out.gotl -o out.pftrace\n";

static void usage(FILE *f)
{
	const char *p;
	size_t i;

	fputs(usage_head, f);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		fprintf(f, "  %-9s ", commands[i].name);
		for (p = commands[i].what; *p; p++) {
			if (*p == '\n')
				fputs("\n           ", f);
			fputc(*p == '\n' ? ' ' : *p, f);
		}
		fputc('\n', f);
	}
	fputs(usage_tail, f);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	size_t i;

#ifdef GOTL_STATIC
	/*
	 * The static gotl (make static) runs on hosts whose libc is not the one
	 * it was linked with. glibc's NSS would load the modules nsswitch.conf
	 * names (libnss_systemd.so.2, libnss_sss.so.2, ...), built for the host's
	 * libc, into it, for the getpwuid and initgroups that run the program as
	 * the sudo user: users and groups come from /etc/passwd and /etc/group
	 * only, which glibc reads itself.
	 */
	__nss_configure_lookup("passwd", "files");
	__nss_configure_lookup("group", "files");
#endif
	if (!cmd || !strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		usage(cmd ? stdout : stderr);
		return cmd ? 0 : 2;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("gotl %s\n", GOTL_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	return cli_bad_usage("", "unknown command '%s'", cmd);
}
