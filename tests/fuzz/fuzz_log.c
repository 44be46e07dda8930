// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_log: libFuzzer target for everything that reads a recording — the
 * event-log reader (logr), the replay behind `gotl convert` and `gotl
 * report`, and report's reader of Perfetto traces (an input that starts
 * like a trace goes there). Each input is written to a memfd and read by
 * path, exactly as the CLI would: walked record by record with logr (by
 * path, and from a heap copy of exactly its bytes, where ASan sees a read
 * one byte past the end), then converted to a trace (a second memfd),
 * reported as text and as JSON, and, when the conversion succeeded, the
 * trace it wrote is reported on too; then converted to trace-event JSON
 * (into the same memfd). A crash, a hang, a leak, a sanitizer report, or a
 * trace gotl wrote that its own report rejects is a finding: rejecting the
 * input is the expected outcome. It must not write anywhere but its two
 * memfds and /dev/null, nor keep state between inputs.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "convert.h"
#include "logr.h"
#include "report.h"

struct mfd {
	int fd;
	char path[64];
};

static struct mfd in = { -1 }, trace = { -1 };
static FILE *devnull;

static void mfd_init(struct mfd *m, const char *name)
{
	m->fd = memfd_create(name, MFD_CLOEXEC);
	if (m->fd < 0) {
		perror("fuzz_log: memfd_create");
		abort();
	}
	snprintf(m->path, sizeof(m->path), "/proc/self/fd/%d", m->fd);
}

static void init(void)
{
	mfd_init(&in, "fuzz_log.in");
	mfd_init(&trace, "fuzz_log.trace");
	devnull = fopen("/dev/null", "w");
	if (!devnull) {
		perror("fuzz_log: /dev/null");
		abort();
	}
}

static void put(const struct mfd *m, const uint8_t *data, size_t size)
{
	size_t done = 0;

	if (ftruncate(m->fd, 0)) {
		perror("fuzz_log: ftruncate");
		abort();
	}
	while (done < size) {
		ssize_t n = pwrite(m->fd, data + done, size - done, (off_t)done);

		if (n <= 0) {
			perror("fuzz_log: pwrite");
			abort();
		}
		done += (size_t)n;
	}
}

/*
 * Where the bytes the walk touches go: a global the compiler must keep,
 * so that the loads, and ASan's checks of them, are kept too (a local sum
 * nobody reads was dropped with the loop that filled it).
 */
static uint64_t sink;

/* Walk the records of a reader that opened; it is freed. */
static void walk_records(struct logr *lr)
{
	const struct gotl_rec *rec;
	int ret;

	/* Touch every byte of every record handed out: they must all be inside the file. */
	while ((ret = logr__next(lr, &rec)) > 0)
		for (size_t i = 0; i < rec->size; i++)
			sink += ((const uint8_t *)rec)[i];
	/* After an error or the end, the reader must stay there. */
	if (ret == 0 && logr__next(lr, &rec) != 0)
		abort();
	if (ret < 0 && logr__next(lr, &rec) != ret)
		abort();
	sink += logr__truncated(lr);
	sink += logr__offset(lr);
	logr__free(lr);
}

/*
 * The log by path (a mapped file: a read past its end but inside its last
 * page goes unseen), then from a malloc'ed copy of exactly its bytes.
 */
static void walk(const char *path, const uint8_t *data, size_t size)
{
	struct logr *lr = NULL;
	char err[256];
	uint8_t *copy;

	if (!logr__open(path, &lr, err, sizeof(err)))
		walk_records(lr);
	copy = malloc(size ? size : 1); /* malloc'ed: 8-byte aligned, as logr__open_mem needs */
	if (!copy)
		abort();
	memcpy(copy, data, size);
	if (!logr__open_mem(copy, size, &lr, err, sizeof(err)))
		walk_records(lr);
	free(copy);
}

static int report(const char *path, bool json, bool all_waits, int top)
{
	struct report_opts o = { .log_path = path,
				 .json = json,
				 .all_waits = all_waits,
				 .top = top };
	struct report_result res;
	char err[512];
	int ret;

	ret = report__run(&o, devnull, &res, err, sizeof(err));
	if (ret && path == trace.path) {
		/* gotl must read back any trace it wrote */
		fprintf(stderr, "fuzz_log: report on the converted trace: %s\n", err);
		abort();
	}
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct convert_opts co = { 0 };
	struct convert_stats cs;
	char err[512];

	if (in.fd < 0)
		init();
	put(&in, data, size);

	walk(in.path, data, size);
	co.log_path = in.path;
	co.trace_path = trace.path;
	co.goroutine_alloc_counters = size & 1;
	co.compress = size & 4 ? 1 : 0; /* report reads the compressed trace too */
	if (!convert__run(&co, &cs, err, sizeof(err)))
		report(trace.path, false, false, 10);
	co.format = CONVERT_JSON; /* the same story as trace-event JSON, over the trace */
	convert__run(&co, &cs, err, sizeof(err));
	report(in.path, false, size & 2, 3);
	report(in.path, true, false, 10);
	return 0;
}
