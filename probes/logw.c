// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * logw.c: the event-log writer. A 1 MiB buffer in front of write(2), so the
 * ring-buffer callback costs a memcpy per record; the recorder flushes after
 * every drain so the file on disk trails the ring buffer by at most one
 * drain period. Writes only whole records and never reorders them, to a
 * file or to a sink (the flight recorder), which gets whole records only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gotl/event.h"
#include "gobin.h"
#include "logw.h"

#define LOGW_BUF	(1 << 20)
#define ALIGN8(x)	(((x) + 7) & ~(size_t)7)

struct logw {
	int fd; /* -1 with a sink */
	int (*sink)(void *ctx, const void *buf, size_t len);
	void *sink_ctx;
	int err; /* sticky: first error, as -errno */
	size_t used;
	uint64_t written; /* bytes handed to the kernel */
	uint8_t buf[LOGW_BUF];
};

static int write_all(struct logw *lw, const uint8_t *p, size_t n)
{
	int fd = lw->fd;

	if (lw->sink)
		return lw->sink(lw->sink_ctx, p, n);
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int logw__flush(struct logw *lw)
{
	int err;

	if (lw->err)
		return lw->err;
	if (!lw->used)
		return 0;
	err = write_all(lw, lw->buf, lw->used);
	if (err) {
		lw->err = err;
		return err;
	}
	lw->written += lw->used;
	lw->used = 0;
	return 0;
}

int logw__append(struct logw *lw, const void *rec, size_t size)
{
	int err;

	if (lw->err)
		return lw->err;
	if (size > sizeof(lw->buf) - lw->used) {
		err = logw__flush(lw);
		if (err)
			return err;
		if (size > sizeof(lw->buf)) {
			lw->err = write_all(lw, rec, size);
			if (!lw->err)
				lw->written += size;
			return lw->err;
		}
	}
	memcpy(lw->buf + lw->used, rec, size);
	lw->used += size;
	return 0;
}

static int open_with(const char *path, int (*sink)(void *, const void *, size_t), void *ctx,
		     struct logw **out)
{
	struct gotl_log_header hdr = {
		.version = GOTL_LOG_VERSION,
		.header_size = sizeof(hdr),
	};
	struct logw *lw;
	int err;

	lw = malloc(sizeof(*lw));
	if (lw)
		memset(lw, 0, offsetof(struct logw, buf));
	if (!lw)
		return -ENOMEM;
	lw->sink = sink;
	lw->sink_ctx = ctx;
	lw->fd = sink ? -1 : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (!sink && lw->fd < 0) {
		err = -errno;
		free(lw);
		return err;
	}
	memcpy(hdr.magic, GOTL_LOG_MAGIC, sizeof(hdr.magic));
	err = logw__append(lw, &hdr, sizeof(hdr));
	if (err) {
		logw__close(lw);
		return err;
	}
	*out = lw;
	return 0;
}

int logw__open(const char *path, struct logw **out)
{
	return open_with(path, NULL, NULL, out);
}

int logw__open_sink(int (*sink)(void *ctx, const void *buf, size_t len), void *ctx,
		    struct logw **out)
{
	return open_with(NULL, sink, ctx, out);
}

/* Append a record made of a fixed part and up to two strings, zero padded. */
static int append_var(struct logw *lw, void *fixed, size_t fixed_size, const char *a, size_t alen,
		      const char *b, size_t blen)
{
	uint8_t tmp[4096];
	size_t size = ALIGN8(fixed_size + alen + blen);
	struct gotl_rec *hdr = fixed;

	if (size > sizeof(tmp) || size > UINT16_MAX)
		return -E2BIG;
	hdr->size = (uint16_t)size;
	memset(tmp, 0, size);
	memcpy(tmp, fixed, fixed_size);
	memcpy(tmp + fixed_size, a, alen);
	memcpy(tmp + fixed_size + alen, b, blen);
	return logw__append(lw, tmp, size);
}

int logw__meta(struct logw *lw, const char *key, const char *value)
{
	struct gotl_rec_meta m = { .hdr.type = GOTL_REC_META };
	size_t kl = strlen(key), vl = strlen(value);

	/* Records stay small; a longer value (a huge argv entry) is cut. */
	if (kl > 255)
		kl = 255;
	if (vl > 3000)
		vl = 3000;
	m.key_len = (uint16_t)kl;
	m.value_len = (uint16_t)vl;
	return append_var(lw, &m, sizeof(m), key, kl, value, vl);
}

int logw__waitreason(struct logw *lw, uint32_t index, const char *str)
{
	struct gotl_rec_waitreason w = { .hdr.type = GOTL_REC_WAITREASON, .index = index };
	size_t len = strlen(str);

	if (len > 255)
		len = 255;
	w.len = (uint32_t)len;
	return append_var(lw, &w, sizeof(w), str, len, "", 0);
}

int logw__sym(struct logw *lw, uint64_t pc, uint32_t flags, const char *func, const char *file,
	      uint32_t line)
{
	struct gotl_rec_sym s = { .hdr.type = GOTL_REC_SYM, .pc = pc, .flags = flags, .line = line };
	size_t fl = strlen(func), sl = strlen(file);

	/* Generic instantiations can make very long names; keep records small. */
	if (fl > 1024)
		fl = 1024;
	if (sl > 1024)
		sl = 1024;
	s.func_len = (uint16_t)fl;
	s.file_len = (uint16_t)sl;
	return append_var(lw, &s, sizeof(s), func, fl, file, sl);
}

int logw__type(struct logw *lw, uint64_t addr, uint64_t size, uint8_t kind, uint32_t flags,
	       const char *name, size_t name_len)
{
	struct gotl_rec_type t = { .hdr.type = GOTL_REC_TYPE,
				   .addr = addr,
				   .size = size,
				   .kind = kind,
				   .flags = flags };

	if (name_len > 1024)
		name_len = 1024;
	t.name_len = (uint16_t)name_len;
	return append_var(lw, &t, sizeof(t), name, name_len, "", 0);
}

/* The largest GOTL_REC_FRAMES record logw__frames writes. */
#define FRAMES_REC_MAX	(sizeof(struct gotl_rec_frames) + LOGW_FRAMES_MAX * \
			 (sizeof(struct gotl_frame) + 2 * LOGW_FRAME_NAME_MAX))
_Static_assert(FRAMES_REC_MAX <= UINT16_MAX - 7, "a frames record's size fits in hdr.size");
_Static_assert(FRAMES_REC_MAX <= LOGW_BUF, "a frames record fits in the buffer");

int logw__frames(struct logw *lw, uint64_t pc, const struct gobin_frame *frames, int n)
{
	struct gotl_rec_frames r = { .hdr.type = GOTL_REC_FRAMES, .pc = pc };
	uint16_t len[LOGW_FRAMES_MAX][2];
	const char *name[LOGW_FRAMES_MAX][2];
	size_t size, off;
	uint8_t *p;
	int i, k, err;

	if (lw->err)
		return lw->err;
	if (n < 0)
		n = 0;
	if (n > LOGW_FRAMES_MAX) {
		n = LOGW_FRAMES_MAX;
		r.flags |= GOTL_FRAMES_DEPTH_CUT;
	}
	size = sizeof(r) + (size_t)n * sizeof(struct gotl_frame);
	for (i = 0; i < n; i++) {
		name[i][0] = frames[i].func ? frames[i].func : "";
		name[i][1] = frames[i].file ? frames[i].file : "";
		for (k = 0; k < 2; k++) {
			size_t l = strlen(name[i][k]);

			if (l > LOGW_FRAME_NAME_MAX) {
				l = LOGW_FRAME_NAME_MAX;
				r.flags |= GOTL_FRAMES_NAMES_CUT;
			}
			len[i][k] = (uint16_t)l;
			size += l;
		}
	}
	r.nframes = (uint16_t)n;
	r.hdr.size = (uint16_t)ALIGN8(size);
	/* Written in place: the record is at most FRAMES_REC_MAX bytes, the buffer holds it. */
	if (r.hdr.size > sizeof(lw->buf) - lw->used) {
		err = logw__flush(lw);
		if (err)
			return err;
	}
	p = lw->buf + lw->used;
	memcpy(p, &r, sizeof(r));
	off = sizeof(r);
	for (i = 0; i < n; i++) {
		struct gotl_frame f = {
			.line = frames[i].line > 0 ? (uint32_t)frames[i].line : 0,
			.func_len = len[i][0],
			.file_len = len[i][1],
		};

		memcpy(p + off, &f, sizeof(f));
		off += sizeof(f);
	}
	for (i = 0; i < n; i++)
		for (k = 0; k < 2; k++) {
			memcpy(p + off, name[i][k], len[i][k]);
			off += len[i][k];
		}
	memset(p + off, 0, r.hdr.size - off);
	lw->used += r.hdr.size;
	return 0;
}

uint64_t logw__size(const struct logw *lw)
{
	return lw->written + lw->used;
}

int logw__close(struct logw *lw)
{
	int err;

	if (!lw)
		return 0;
	err = logw__flush(lw);
	if (lw->fd >= 0 && close(lw->fd) && !err)
		err = -errno;
	free(lw);
	return err;
}
