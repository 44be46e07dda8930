/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * diag: how the recorder's files tell the user something (record.h: the
 * recorder owns the diagnostics of recording): one line on stderr with the
 * "gotl: " prefix. Never stdout, which is the traced program's.
 */
#ifndef GOTL_DIAG_H
#define GOTL_DIAG_H

/* "gotl: " fmt "\n" on stderr. */
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* GOTL_DIAG_H */
