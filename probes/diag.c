// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * diag.c: the recorder's lines on stderr (see diag.h). Nothing else: what
 * to say, and saying it once, is the caller's.
 */
#include <stdarg.h>
#include <stdio.h>
#include "diag.h"

void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("gotl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
