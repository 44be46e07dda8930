/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * cli.h: what the gotl commands share (cli/common.c: messages and the
 * parsers of option values; cli/convert.c: the conversion step and its
 * summary) and the commands themselves, one file each (cli/<command>.c),
 * which cli/main.c dispatches to. Only cli/ (and its tests) include it.
 *
 * A command's --help is the source of gotl(1) and of the bash completion
 * (scripts/gendoc.py), so every help keeps to one layout, at most 80
 * columns: "usage: gotl CMD ..." (more forms on lines starting
 * "       gotl CMD"), the description, then sections, each a "name:" line
 * and its items. An item starts two spaces in, as "  term   text", and
 * goes on in lines indented further. Every command has "options:",
 * "exit status:" and "examples:" (make test-cli checks), "environment:"
 * if it reads any. An option item is "  -x, --long ARG   text", or
 * "      --long ARG" without a short form; --long[=ARG] for an optional
 * value, and a|b|c for ARG when the value is one of a fixed set. A blank
 * line ends a section.
 */
#ifndef GOTL_CLI_H
#define GOTL_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include "convert.h"

/* "gotl: <message>" on stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A usage error: one line naming `gotl <cmd>--help`; returns 2 (cmd is "" or "record "). */
int cli_bad_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The usage error for getopt's ':' or '?' (opterr = 0, leading ':' in optstring). */
int cli_bad_option(const char *cmd, int c, char **argv);
/* The usage error for a bad value: "invalid --OPTION 'VALUE': want WANT"; returns 2. */
int cli_bad_value(const char *cmd, const char *option, const char *value, const char *want);

/*
 * Parsers of option values. Each returns 0 with *out set, or -EINVAL with
 * *out untouched.
 */
/* Decimal digits only (no sign, space or junk), from min to max. */
int cli_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* "512", "64K", "16M", "1G" (also "16MiB", "16Mi", "16MB", "512B"): bytes, at most max. */
int cli_parse_bytes(const char *s, uint64_t max, uint64_t *out);
/* "30", "1.5s", "500ms", "100us", "2m", "1h": nanoseconds, from 1 to 10^18. */
int cli_parse_duration(const char *s, uint64_t *out);
/* "-f FORMAT": perfetto (or pftrace, protobuf) or json, as enum convert_format. */
int cli_parse_format(const char *s, int *out);
/*
 * --compress[=LEVEL] (zlib level, CLI_COMPRESS when none) or --no-compress
 * (on false: level 0). Without either, a trace is compressed at CLI_COMPRESS.
 */
#define CLI_COMPRESS	1	/* BENCHMARKS.md (Converter): higher levels cost more than they save */
int cli_parse_compress(bool on, const char *arg, int *level);

/* The format asked for (-1: none), or else the output name's: *.json is JSON. */
enum convert_format cli_out_format(int asked, const char *out);

/*
 * Convert the event log at log into out (cli/convert.c); on failure, says
 * why on stderr and returns non-zero. cli_summary() then tells the user
 * what the trace holds (events, losses, leak suspects, where it is).
 */
int cli_convert(const char *log, const char *out, bool alloc_counters, enum convert_format format,
		int compress, struct convert_stats *cs);
void cli_summary(const char *trace, const struct convert_stats *cs, const char *raw,
		 enum convert_format format);

/* The commands: argv[0] is the command's name; the return value is gotl's exit status. */
int cmd_record(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_watch(int argc, char **argv);

#endif /* GOTL_CLI_H */
