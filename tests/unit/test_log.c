// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_log.c: the event log, written by logw and read back by logr: round
 * trip of every record type, a file cut at every byte (always readable up to
 * its last whole record, never an error), records whose embedded lengths
 * lie, the frames of a pc that stands for more than a record keeps, and
 * the losses by kind as people read them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gotl/event.h"
#include "gotl/loss.h"
#include "gobin.h"
#include "logr.h"
#include "logw.h"

static char path[64];

static size_t write_sample(void)
{
	struct gotl_ev_status st = {
		.hdr = { .type = GOTL_REC_STATUS, .size = sizeof(st), .tid = 7, .ts = 123 },
		.gp = 0xc000001000,
		.goid = 5,
		.from = 1,
		.to = 2
	};
	struct logw *lw;
	FILE *f;
	long size;

	snprintf(path, sizeof(path), "/tmp/gotl-log-%d.gotl", getpid());
	assert_int_equal(logw__open(path, &lw), 0);
	assert_int_equal(logw__meta(lw, "go_version", "go1.26.8"), 0);
	assert_int_equal(logw__waitreason(lw, 19, "chan receive"), 0);
	assert_int_equal(logw__sym(lw, 0x401000, GOTL_SYM_ENTRY, "main.main", "/a/main.go", 12), 0);
	assert_int_equal(logw__append(lw, &st, sizeof(st)), 0);
	assert_int_equal(logw__close(lw), 0);
	f = fopen(path, "rb");
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	return (size_t)size;
}

static void *slurp(size_t *size)
{
	void *buf;
	FILE *f = fopen(path, "rb");

	fseek(f, 0, SEEK_END);
	*size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = aligned_alloc(8, (*size + 7) & ~(size_t)7);
	assert_int_equal(fread(buf, 1, *size, f), *size);
	fclose(f);
	return buf;
}

static void test_round_trip(void **state)
{
	const struct gotl_rec *r;
	struct logr *lr;
	char err[128];

	write_sample();
	assert_int_equal(logr__open(path, &lr, err, sizeof(err)), 0);
	assert_int_equal(logr__next(lr, &r), 1);
	assert_int_equal(r->type, GOTL_REC_META);
	{
		const struct gotl_rec_meta *m = (const void *)r;

		assert_int_equal(m->key_len, 10);
		assert_memory_equal(m->data, "go_versiongo1.26.8", 18);
	}
	assert_int_equal(logr__next(lr, &r), 1);
	assert_int_equal(r->type, GOTL_REC_WAITREASON);
	assert_int_equal(((const struct gotl_rec_waitreason *)r)->index, 19);
	assert_int_equal(logr__next(lr, &r), 1);
	assert_int_equal(r->type, GOTL_REC_SYM);
	{
		const struct gotl_rec_sym *s = (const void *)r;

		assert_int_equal(s->pc, 0x401000);
		assert_int_equal(s->line, 12);
		assert_memory_equal(s->data, "main.main/a/main.go", 19);
	}
	assert_int_equal(logr__next(lr, &r), 1);
	assert_int_equal(r->type, GOTL_REC_STATUS);
	assert_int_equal(((const struct gotl_ev_status *)r)->goid, 5);
	assert_int_equal(logr__next(lr, &r), 0);
	assert_false(logr__truncated(lr));
	logr__free(lr);
	unlink(path);
}

/* Cut the file at every length: never an error, never a partial record. */
static void test_every_truncation(void **state)
{
	size_t size, cut;
	uint8_t *buf;

	write_sample();
	buf = slurp(&size);
	for (cut = 0; cut <= size; cut++) {
		const struct gotl_rec *r;
		struct logr *lr;
		char err[128];
		int n = 0, ret;

		ret = logr__open_mem(buf, cut, &lr, err, sizeof(err));
		if (cut < sizeof(struct gotl_log_header)) {
			assert_int_equal(ret, -EPROTO);
			continue;
		}
		assert_int_equal(ret, 0);
		while ((ret = logr__next(lr, &r)) > 0) {
			assert_true((const uint8_t *)r + r->size <= buf + cut);
			n++;
		}
		assert_int_equal(ret, 0);
		assert_int_equal(logr__truncated(lr), cut != size && logr__offset(lr) != cut);
		logr__free(lr);
	}
	free(buf);
	unlink(path);
}

/* Records whose embedded string lengths point past their end are refused. */
static void test_lying_lengths(void **state)
{
	const struct gotl_rec *r;
	struct gotl_rec_meta *m;
	struct logr *lr;
	size_t size;
	uint8_t *buf;
	char err[128];

	write_sample();
	buf = slurp(&size);
	m = (void *)(buf + sizeof(struct gotl_log_header));
	m->value_len = 60000;
	assert_int_equal(logr__open_mem(buf, size, &lr, err, sizeof(err)), 0);
	assert_int_equal(logr__next(lr, &r), -EBADMSG);
	assert_int_equal(logr__offset(lr), sizeof(struct gotl_log_header));
	assert_int_equal(logr__next(lr, &r), -EBADMSG); /* and it stays stopped */
	logr__free(lr);
	/* A status record claiming to be smaller than its struct. */
	m->value_len = 8;
	m->hdr.type = GOTL_REC_STATUS;
	assert_int_equal(logr__open_mem(buf, size, &lr, err, sizeof(err)), 0);
	assert_int_equal(logr__next(lr, &r), -EBADMSG);
	logr__free(lr);
	/* Unaligned memory is refused rather than read with misaligned loads. */
	assert_int_equal(logr__open_mem(buf + 1, size - 1, &lr, err, sizeof(err)), -EINVAL);
	free(buf);
	unlink(path);
}

/* Read back the one GOTL_REC_FRAMES record of the file at path. */
static const struct gotl_rec_frames *read_frames(struct logr **lr)
{
	const struct gotl_rec *r;
	char err[128];

	assert_int_equal(logr__open(path, lr, err, sizeof(err)), 0);
	assert_int_equal(logr__next(*lr, &r), 1);
	assert_int_equal(r->type, GOTL_REC_FRAMES);
	return (const void *)r;
}

/*
 * A pc under a deep chain of inlined calls with long names (generic shapes,
 * deep packages): more frames than a record keeps, names longer than it
 * keeps. The record holds the innermost LOGW_FRAMES_MAX frames, each name
 * cut to LOGW_FRAME_NAME_MAX bytes, says so in its flags, and the rest of
 * the log is intact. (It once went to an 8 KiB buffer on the stack.)
 */
static void test_frames_cut(void **state)
{
	enum { N = LOGW_FRAMES_MAX + 8, LONG = LOGW_FRAME_NAME_MAX + 200 };
	struct gotl_ev_status st = { .hdr = { .type = GOTL_REC_STATUS, .size = sizeof(st) } };
	static char func[N][LONG + 1], file[N][LONG + 1];
	struct gobin_frame fr[N];
	const struct gotl_rec_frames *f;
	const struct gotl_rec *r;
	const char *str;
	struct logr *lr;
	struct logw *lw;
	int i;

	snprintf(path, sizeof(path), "/tmp/gotl-log-%d.gotl", getpid());
	for (i = 0; i < N; i++) {
		memset(func[i], 'a' + i % 26, LONG);
		memset(file[i], 'A' + i % 26, LONG);
		fr[i] = (struct gobin_frame){ func[i], file[i], 1000 + i };
	}
	assert_int_equal(logw__open(path, &lw), 0);
	assert_int_equal(logw__frames(lw, 0x401234, fr, N), 0);
	assert_int_equal(logw__append(lw, &st, sizeof(st)), 0);
	assert_int_equal(logw__close(lw), 0);

	f = read_frames(&lr);
	assert_int_equal(f->pc, 0x401234);
	assert_int_equal(f->nframes, LOGW_FRAMES_MAX);
	assert_int_equal(f->flags, GOTL_FRAMES_NAMES_CUT | GOTL_FRAMES_DEPTH_CUT);
	assert_int_equal(f->hdr.size, sizeof(*f) + LOGW_FRAMES_MAX * (sizeof(struct gotl_frame) +
								      2 * LOGW_FRAME_NAME_MAX));
	str = (const char *)&f->frames[f->nframes];
	for (i = 0; i < LOGW_FRAMES_MAX; i++) {
		assert_int_equal(f->frames[i].line, 1000 + i);
		assert_int_equal(f->frames[i].func_len, LOGW_FRAME_NAME_MAX);
		assert_int_equal(f->frames[i].file_len, LOGW_FRAME_NAME_MAX);
		assert_memory_equal(str, func[i], LOGW_FRAME_NAME_MAX);
		str += LOGW_FRAME_NAME_MAX;
		assert_memory_equal(str, file[i], LOGW_FRAME_NAME_MAX);
		str += LOGW_FRAME_NAME_MAX;
	}
	assert_int_equal(logr__next(lr, &r), 1);
	assert_int_equal(r->type, GOTL_REC_STATUS);
	assert_int_equal(logr__next(lr, &r), 0);
	logr__free(lr);

	/* Names that fit, NULL names, a line the table lacks: as they are, no flags. */
	fr[0] = (struct gobin_frame){ "main.inlined", "/src/a.go", 7 };
	fr[1] = (struct gobin_frame){ NULL, NULL, -1 };
	func[2][LOGW_FRAME_NAME_MAX] = 0;
	assert_int_equal(logw__open(path, &lw), 0);
	assert_int_equal(logw__frames(lw, 0x401000, fr, 3), 0);
	assert_int_equal(logw__close(lw), 0);
	f = read_frames(&lr);
	assert_int_equal(f->nframes, 3);
	assert_int_equal(f->flags, GOTL_FRAMES_NAMES_CUT); /* frame 2's file only */
	assert_int_equal(f->frames[0].func_len, 12);
	assert_int_equal(f->frames[0].file_len, 9);
	assert_int_equal(f->frames[1].func_len, 0);
	assert_int_equal(f->frames[1].file_len, 0);
	assert_int_equal(f->frames[1].line, 0);
	assert_int_equal(f->frames[2].func_len, LOGW_FRAME_NAME_MAX);
	str = (const char *)&f->frames[3];
	assert_memory_equal(str, "main.inlined/src/a.go", 21);
	logr__free(lr);

	fr[2].file = "/src/b.go";
	assert_int_equal(logw__open(path, &lw), 0);
	assert_int_equal(logw__frames(lw, 0x401000, fr, 3), 0);
	assert_int_equal(logw__frames(lw, 0, fr, 0), 0);
	assert_int_equal(logw__close(lw), 0);
	f = read_frames(&lr);
	assert_int_equal(f->flags, 0);
	assert_int_equal(logr__next(lr, &r), 1);
	f = (const void *)r;
	assert_int_equal(f->nframes, 0);
	assert_int_equal(f->hdr.size, sizeof(*f));
	logr__free(lr);
	unlink(path);
}

/* The losses by kind as the recorder's warning and both summaries print them. */
static void test_loss_str(void **state)
{
	__u64 lost[GOTL_LOSS_KINDS] = { 0 };
	char buf[64], tiny[8];

	gotl_loss_str(lost, buf, sizeof(buf));
	assert_string_equal(buf, "");
	lost[0] = 12;
	lost[2] = 3;
	lost[GOTL_REC_EXEC - GOTL_REC_STATUS] = 1;
	gotl_loss_str(lost, buf, sizeof(buf));
	assert_string_equal(buf, "12 status, 3 stack, 1 exec");
	gotl_loss_str(lost, tiny, sizeof(tiny)); /* cut, NUL-terminated, no overrun */
	assert_string_equal(tiny, "12 stat");
	assert_string_equal(gotl_loss_kind_name(GOTL_REC_GSNAP - GOTL_REC_STATUS), "snapshot");
	assert_string_equal(gotl_loss_kind_name(GOTL_LOSS_KINDS), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),    cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_lying_lengths), cmocka_unit_test(test_frames_cut),
		cmocka_unit_test(test_loss_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
