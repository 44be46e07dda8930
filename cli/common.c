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
int cli_bad_value(const char *cmd, const char *option, const char *value, const char *want)
{
	return cli_bad_usage(cmd, "invalid --%s '%s': want %s", option, value, want);
}

int cli_bad_option(const char *cmd, int c, char **argv)
{
	if (c == ':')
		return cli_bad_usage(cmd, "option '%s' needs a value", argv[optind - 1]);
	if (optopt)
		return cli_bad_usage(cmd, "invalid option '-%c'", optopt);
	return cli_bad_usage(cmd, "invalid option '%s'", argv[optind - 1]);
}

/*
 * The decimal digits at *s (at least one, nothing else: no sign, no space),
 * as a number no larger than max; *s is moved past them. The range is
 * checked before each digit is added, so nothing wraps.
 */
static int digits(const char **s, uint64_t max, uint64_t *out)
{
	const char *p = *s;
	uint64_t v = 0;

	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (d > max || v > (max - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	if (p == *s)
		return -EINVAL;
	*s = p;
	*out = v;
	return 0;
}

int cli_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;

	if (digits(&s, max, &v) || *s || v < min)
		return -EINVAL;
	*out = v;
	return 0;
}

int cli_parse_bytes(const char *s, uint64_t max, uint64_t *out)
{
	unsigned int shift = 0;
	uint64_t v;

	if (digits(&s, UINT64_MAX, &v))
		return -EINVAL;
	switch (*s) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	default:
		break;
	}
	if (shift) {
		s++;
		if (*s == 'i')
			s++;
	}
	if (*s == 'B')
		s++;
	/* The range before the shift, which would drop the high bits. */
	if (*s || v > max >> shift)
		return -EINVAL;
	*out = v << shift;
	return 0;
}

int cli_parse_duration(const char *s, uint64_t *out)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {
		{ "", 1e9 },   { "s", 1e9 },  { "ms", 1e6 },
		{ "us", 1e3 }, { "m", 60e9 }, { "h", 3600e9 },
	};
	const char *p = s;
	uint64_t ignored;
	double v;
	size_t i;

	/* Digits with an optional fraction: what strtod reads of it is all of it. */
	if (digits(&p, UINT64_MAX, &ignored))
		return -EINVAL;
	if (*p == '.') {
		p++;
		if (digits(&p, UINT64_MAX, &ignored))
			return -EINVAL;
	}
	v = strtod(s, NULL);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].unit))
			continue;
		if (!(v * units[i].ns >= 1 && v * units[i].ns <= 1e18))
			return -EINVAL;
		*out = (uint64_t)(v * units[i].ns);
		return 0;
	}
	return -EINVAL;
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
	uint64_t v;

	if (!on) {
		*level = 0;
		return 0;
	}
	if (!arg) {
		*level = CLI_COMPRESS;
		return 0;
	}
	if (cli_parse_uint(arg, 1, 9, &v))
		return -EINVAL;
	*level = (int)v;
	return 0;
}
