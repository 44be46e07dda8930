/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * jsonstr: the one JSON string escaper. Every writer of JSON in gotl (the
 * trace-event sink, report --json, the census commands) puts its strings
 * through it, so that no input - a program's argv, a path, a symbol name
 * from a corrupt binary - can make the output invalid JSON (RFC 8259):
 * quotes, backslashes and control characters are escaped, and every byte
 * that is not part of valid UTF-8 becomes U+FFFD. Writes only to the FILE
 * it is given; never allocates.
 */
#ifndef GOTL_JSONSTR_H
#define GOTL_JSONSTR_H

#include <stdio.h>

/* s as a JSON string, quotes included; NULL is written as "". */
void jsonstr__put(FILE *f, const char *s);

/* s as the inside of a JSON string (no quotes), for a string written in parts. */
void jsonstr__put_inner(FILE *f, const char *s);

#endif /* GOTL_JSONSTR_H */
