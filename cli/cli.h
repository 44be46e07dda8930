/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * cli.h: the pieces the gotl commands share (cli/common.c) and the
 * commands that live outside main.c. Only cli/ includes it.
 */
#ifndef GOTL_CLI_H
#define GOTL_CLI_H

#include <stdint.h>

/* "gotl: <message>" on stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A usage error: one line naming `gotl <cmd>--help`; returns 2 (cmd is "" or "record "). */
int cli_bad_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The usage error for getopt's ':' or '?' (opterr = 0, leading ':' in optstring). */
int cli_bad_option(const char *cmd, int c, char **argv);

/* "30", "1.5s", "500ms", "2m", "1h" (a bare number is seconds): nanoseconds > 0. 0 or -EINVAL. */
int cli_parse_duration(const char *s, uint64_t *out);

int cmd_inspect(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_watch(int argc, char **argv);

#endif /* GOTL_CLI_H */
