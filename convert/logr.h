/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * logr: read a gotl event log (format: include/gotl/event.h) record by
 * record. The file is untrusted input: every record handed out has been
 * checked to be whole and, for the types defined in event.h, at least as
 * large as its struct with every embedded length inside the record. A file
 * that ends inside a record is "truncated", not an error: everything before
 * it is readable. Pure: never prints.
 */
#ifndef GOTL_LOGR_H
#define GOTL_LOGR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gotl/event.h"

struct logr;

/*
 * Open a log. On failure returns -errno and a one-line reason in err:
 * -ENOENT etc. (cannot open), -EPROTO (not a gotl log), -EPROTONOSUPPORT
 * (a log version this gotl cannot read).
 */
int logr__open(const char *path, struct logr **out, char *err, size_t errlen);
/* Same, over 8-byte aligned bytes in memory (not copied; must outlive the reader). */
int logr__open_mem(const void *data, size_t size, struct logr **out, char *err, size_t errlen);

/*
 * The next record: 1 with *rec set (valid until logr__free), 0 at the end
 * of the records (see logr__truncated), or -EBADMSG when a record is
 * malformed (its offset is logr__offset); reading stops there.
 */
int logr__next(struct logr *lr, const struct gotl_rec **rec);

/*
 * The caller keeps no pointer to records before upto (an address handed
 * out by logr__next, or the end of the data): a mapped file's pages there
 * leave memory (a pointer kept anyway still reads the same bytes, from the
 * file again). Keeps a reader's memory bounded on logs of any size.
 */
void logr__release(struct logr *lr, const void *upto);
/* How much a reader goes through between two calls of logr__release. */
#define LOGR_RELEASE_BYTES	(8ull << 20)

/* True if the file ended inside a record (a recorder killed mid-write). */
bool logr__truncated(const struct logr *lr);
/* Byte offset of the next record (or of the bad one after -EBADMSG). */
uint64_t logr__offset(const struct logr *lr);
void logr__free(struct logr *lr);

#endif /* GOTL_LOGR_H */
