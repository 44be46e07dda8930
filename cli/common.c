// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * common.c: what every gotl command shares for talking to the user: one
 * "gotl: " line per message on stderr, the usage errors (status 2), and the
 * parsers of option values (sizes, durations, formats, levels), so that a
 * value means the same to every command. Nothing here writes to stdout,
 * which belongs to data (and, under `gotl record`, to the traced program).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

int cli_parse_bytes(const char *s, uint64_t *out)
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

int cli_parse_format(const char *s, int *out)
{
	if (!strcmp(s, "perfetto") || !strcmp(s, "pftrace") || !strcmp(s, "protobuf"))
		*out = CONVERT_PERFETTO;
	else if (!strcmp(s, "json"))
		*out = CONVERT_JSON;
	else
		return -EINVAL;
	return 0;
}

enum convert_format cli_out_format(int asked, const char *out)
{
	size_t n = out ? strlen(out) : 0;

	if (asked >= 0)
		return (enum convert_format)asked;
	return n >= 5 && !strcasecmp(out + n - 5, ".json") ? CONVERT_JSON : CONVERT_PERFETTO;
}

int cli_parse_compress(bool on, const char *arg, int *level)
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
