// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * logr.c: the event-log reader. The file is mapped read-only and walked in
 * place; records are validated before they are handed out, so the
 * converter can use their fields without further checks. It must never
 * read outside the file, whatever the bytes say.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "logr.h"

struct logr {
	const uint8_t *data;
	size_t size;
	size_t pos;
	bool truncated;
	bool bad;
	void *map; /* mmap'ed file, or NULL for logr__open_mem */
	size_t map_size;
	size_t released;  /* bytes of the map given back (logr__release) */
	size_t populated; /* bytes of the map whose page tables are filled ahead */
};

/*
 * Reading a mapped file page by page takes a fault every 16 pages (the
 * kernel's fault-around) and each page comes in cold. Fill the page
 * tables LOGR_AHEAD bytes ahead of the reader instead (one call per
 * LOGR_AHEAD), so that the next records can be prefetched.
 */
#define LOGR_AHEAD	(1u << 20)

static int check_header(struct logr *lr, char *err, size_t errlen)
{
	const struct gotl_log_header *h = (const void *)lr->data;

	if (lr->size < sizeof(*h) || memcmp(h->magic, GOTL_LOG_MAGIC, sizeof(h->magic))) {
		snprintf(err, errlen, "not a gotl event log (bad magic)");
		return -EPROTO;
	}
	if (h->version != GOTL_LOG_VERSION) {
		snprintf(err, errlen, "gotl event log version %u, this gotl reads version %u",
			 h->version, GOTL_LOG_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (h->header_size < sizeof(*h) || h->header_size > lr->size || (h->header_size & 7)) {
		snprintf(err, errlen, "corrupt gotl event log header");
		return -EPROTO;
	}
	lr->pos = h->header_size;
	return 0;
}

int logr__open_mem(const void *data, size_t size, struct logr **out, char *err, size_t errlen)
{
	struct logr *lr;
	int ret;

	if ((uintptr_t)data & 7) {
		snprintf(err, errlen, "log data must be 8-byte aligned");
		return -EINVAL;
	}
	lr = calloc(1, sizeof(*lr));
	if (!lr) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	lr->data = data;
	lr->size = size;
	ret = check_header(lr, err, errlen);
	if (ret) {
		free(lr);
		return ret;
	}
	*out = lr;
	return 0;
}

int logr__open(const char *path, struct logr **out, char *err, size_t errlen)
{
	struct stat st;
	void *map = NULL;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(-ret));
		close(fd);
		return ret;
	}
	if (st.st_size > 0) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			ret = -errno;
			snprintf(err, errlen, "cannot read '%s': %s", path, strerror(-ret));
			close(fd);
			return ret;
		}
		madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	}
	close(fd);
	ret = logr__open_mem(map ? map : "", map ? (size_t)st.st_size : 0, out, err, errlen);
	if (ret) {
		char inner[256];

		snprintf(inner, sizeof(inner), "%s", err);
		snprintf(err, errlen, "'%s' is %s", path, inner);
		if (map)
			munmap(map, (size_t)st.st_size);
		return ret;
	}
	(*out)->map = map;
	(*out)->map_size = map ? (size_t)st.st_size : 0;
	return 0;
}

/* Minimum size of each known record type; 0 = unknown type (skipped by readers). */
static size_t min_size(uint16_t type)
{
	switch (type) {
	case GOTL_REC_META:
		return sizeof(struct gotl_rec_meta);
	case GOTL_REC_START:
		return sizeof(struct gotl_rec_start);
	case GOTL_REC_WAITREASON:
		return sizeof(struct gotl_rec_waitreason);
	case GOTL_REC_SYM:
		return sizeof(struct gotl_rec_sym);
	case GOTL_REC_STATS:
		return sizeof(struct gotl_rec) + 3 * 8;
	case GOTL_REC_END:
		return sizeof(struct gotl_rec_end);
	case GOTL_REC_STATUS:
		return sizeof(struct gotl_ev_status);
	case GOTL_REC_CREATE:
		return sizeof(struct gotl_ev_create);
	case GOTL_REC_FRAMES:
		return sizeof(struct gotl_rec_frames);
	case GOTL_REC_STACK:
		return offsetof(struct gotl_ev_stack, pcs);
	case GOTL_REC_TYPE:
		return sizeof(struct gotl_rec_type);
	case GOTL_REC_ALLOC_TOTAL:
		return sizeof(struct gotl_rec_alloc_total);
	case GOTL_REC_ALLOC_CLASS:
		return sizeof(struct gotl_rec_alloc_class);
	case GOTL_REC_ALLOC:
		return sizeof(struct gotl_ev_alloc);
	case GOTL_REC_GALLOC:
		return sizeof(struct gotl_ev_galloc);
	case GOTL_REC_GC:
		return sizeof(struct gotl_ev_gc);
	case GOTL_REC_GSNAP:
		return sizeof(struct gotl_ev_gsnap);
	case GOTL_REC_EXEC:
		return sizeof(struct gotl_ev_exec);
	case GOTL_REC_LOSS:
		return sizeof(struct gotl_rec_loss);
	default:
		return 0;
	}
}

/* Are the variable parts of a record inside it? */
static bool valid(const struct gotl_rec *r)
{
	size_t min = min_size(r->type), var;

	if (min && r->size < min)
		return false;
	switch (r->type) {
	case GOTL_REC_META: {
		const struct gotl_rec_meta *m = (const void *)r;

		var = (size_t)m->key_len + m->value_len;
		break;
	}
	case GOTL_REC_WAITREASON:
		var = ((const struct gotl_rec_waitreason *)r)->len;
		break;
	case GOTL_REC_TYPE:
		var = ((const struct gotl_rec_type *)r)->name_len;
		break;
	case GOTL_REC_SYM: {
		const struct gotl_rec_sym *s = (const void *)r;

		var = (size_t)s->func_len + s->file_len;
		break;
	}
	case GOTL_REC_FRAMES: {
		const struct gotl_rec_frames *f = (const void *)r;
		size_t i;

		var = (size_t)f->nframes * sizeof(struct gotl_frame);
		if (min + var > r->size)
			return false;
		for (i = 0; i < f->nframes; i++)
			var += (size_t)f->frames[i].func_len + f->frames[i].file_len;
		break;
	}
	case GOTL_REC_STACK: {
		const struct gotl_ev_stack *s = (const void *)r;

		if (s->n > GOTL_STACK_MAX)
			return false;
		var = 8 * (size_t)s->n;
		break;
	}
	default:
		var = 0;
	}
	return min + var <= r->size;
}

int logr__next(struct logr *lr, const struct gotl_rec **rec)
{
	const struct gotl_rec *r;
	size_t left;

	if (lr->bad)
		return -EBADMSG;
	left = lr->size - lr->pos;
	if (left == 0)
		return 0;
	if (left < sizeof(*r)) {
		lr->truncated = true;
		return 0;
	}
	r = (const void *)(lr->data + lr->pos);
	if (lr->map && lr->pos + LOGR_AHEAD > lr->populated && lr->populated < lr->size) {
		size_t from = lr->populated, len = 2 * LOGR_AHEAD;

		if (len > lr->size - from)
			len = lr->size - from;
		/* Best effort (Linux 5.14+): where it fails, pages fault in as before. */
		madvise((uint8_t *)lr->map + from, len, MADV_POPULATE_READ);
		lr->populated = from + len;
	}
	__builtin_prefetch((const uint8_t *)r + 512);
	if (r->size < sizeof(*r) || (r->size & 7)) {
		lr->bad = true;
		return -EBADMSG;
	}
	if (r->size > left) {
		lr->truncated = true;
		return 0;
	}
	if (!valid(r)) {
		lr->bad = true;
		return -EBADMSG;
	}
	lr->pos += r->size;
	*rec = r;
	return 1;
}

void logr__release(struct logr *lr, const void *upto)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), end;

	if (!lr->map || (const uint8_t *)upto < lr->data ||
	    (const uint8_t *)upto > lr->data + lr->size)
		return;
	end = (size_t)((const uint8_t *)upto - lr->data) & ~(page - 1);
	if (end <= lr->released)
		return;
	/* A private read-only file mapping: dropped pages fault in from the file again. */
	madvise((uint8_t *)lr->map + lr->released, end - lr->released, MADV_DONTNEED);
	lr->released = end;
}

bool logr__truncated(const struct logr *lr)
{
	return lr->truncated;
}

uint64_t logr__offset(const struct logr *lr)
{
	return lr->pos;
}

void logr__free(struct logr *lr)
{
	if (!lr)
		return;
	if (lr->map)
		munmap(lr->map, lr->map_size);
	free(lr);
}
