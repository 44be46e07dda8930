// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * common.c: what every gotl command shares for talking to the user: one
 * "gotl: " line per message on stderr, the usage errors (status 2), and
 * how a duration is written on the command line. Nothing here writes to
 * stdout, which belongs to data (and, under `gotl record`, to the traced
 * program).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("gotl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_bad_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("gotl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'gotl %s--help')\n", cmd);
	return 2;
}

/*
 * getopt runs with opterr = 0 and a leading ':' in its option string, so it
 * returns ':' for a missing value and '?' for an unknown option, and gotl
 * names the bad option once, itself.
 */
int cli_bad_option(const char *cmd, int c, char **argv)
{
	if (c == ':')
		return cli_bad_usage(cmd, "option '%s' needs a value", argv[optind - 1]);
	if (optopt)
		return cli_bad_usage(cmd, "invalid option '-%c'", optopt);
	return cli_bad_usage(cmd, "invalid option '%s'", argv[optind - 1]);
}

/* "30", "1.5s", "500ms", "2m", "1h": nanoseconds, more than 0. */
int cli_parse_duration(const char *s, uint64_t *out)
{
	char *end;
	double v, mul = 1e9;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !(v > 0))
		return -EINVAL;
	if (!strcmp(end, "ms"))
		mul = 1e6;
	else if (!strcmp(end, "us"))
		mul = 1e3;
	else if (!strcmp(end, "m"))
		mul = 60e9;
	else if (!strcmp(end, "h"))
		mul = 3600e9;
	else if (*end && strcmp(end, "s"))
		return -EINVAL;
	if (v * mul > 1e18 || v * mul < 1)
		return -EINVAL;
	*out = (uint64_t)(v * mul);
	return 0;
}
