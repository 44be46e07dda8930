/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * logw: append records to a gotl event log (format: include/gotl/event.h).
 *
 * Buffered, append-only, with a sticky error: a failed write is remembered
 * and returned by every later call and by logw__close, so callers may check
 * once. logw__flush hands the buffer to the kernel; after it, a kill -9 of
 * the recorder loses nothing that was flushed, and a partial last record is
 * what a reader will see at worst. Pure: never prints.
 */
#ifndef GOTL_LOGW_H
#define GOTL_LOGW_H

#include <stddef.h>
#include <stdint.h>

struct logw;

/* Create (truncate) path and write the file header. Returns 0 or -errno. */
int logw__open(const char *path, struct logw **out);
/*
 * The same, but what would be written goes to sink(ctx, buf, len) instead
 * of a file: the header, then whole records only. A non-zero return is
 * the writer's sticky error.
 */
int logw__open_sink(int (*sink)(void *ctx, const void *buf, size_t len), void *ctx,
		    struct logw **out);
/* Append one whole record (rec->size bytes, already filled in). */
int logw__append(struct logw *lw, const void *rec, size_t size);
/* Append a GOTL_REC_META record key = value. */
int logw__meta(struct logw *lw, const char *key, const char *value);
/* Append a GOTL_REC_WAITREASON record. */
int logw__waitreason(struct logw *lw, uint32_t index, const char *str);
/* Append a GOTL_REC_SYM record. */
int logw__sym(struct logw *lw, uint64_t pc, uint32_t flags, const char *func, const char *file,
	      uint32_t line);
/* Append a GOTL_REC_TYPE record (name: name_len bytes, not NUL-terminated; cut at 1024). */
int logw__type(struct logw *lw, uint64_t addr, uint64_t size, uint8_t kind, uint32_t flags,
	       const char *name, size_t name_len);
/*
 * Append a GOTL_REC_FRAMES record: n frames, innermost first. It keeps the
 * first LOGW_FRAMES_MAX and cuts names at LOGW_FRAME_NAME_MAX bytes, and
 * says so in its flags (GOTL_FRAMES_DEPTH_CUT, GOTL_FRAMES_NAMES_CUT).
 * NULL names are written as "".
 */
#define LOGW_FRAMES_MAX		32
#define LOGW_FRAME_NAME_MAX	400
struct gobin_frame;
int logw__frames(struct logw *lw, uint64_t pc, const struct gobin_frame *frames, int n);
int logw__flush(struct logw *lw);
/* Bytes appended so far, header included. */
uint64_t logw__size(const struct logw *lw);
/* Flush, fsync-free close, free. Returns the sticky error or 0. NULL-safe. */
int logw__close(struct logw *lw);

#endif /* GOTL_LOGW_H */
