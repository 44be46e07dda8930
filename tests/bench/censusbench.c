// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * censusbench: what one census of a running Go process costs gotl, for
 * tests/bench/bench_census.py. Opens the process once (as top and watch do)
 * and takes RUNS censuses in a row, each one symbolizing every stack (as
 * dump does), and prints per census its wall and CPU time from
 * struct census_cost, the bytes and system calls, and gotl's resident
 * memory after it, one line each:
 *
 *	census N goroutines G wall_ns W cpu_ns C sym_ns S bytes B syscalls K rss_kb R
 *
 * Usage: censusbench PID FRAMES RUNS   (FRAMES 0: no stacks)
 * A measuring tool only: it must not grow features of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "census.h"
#include "gosym.h"

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static long rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kb = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	static struct gosym_line lines[4 * CENSUS_MAX_FRAMES];
	struct census_opts o = { .retries = 2 };
	const struct census_snap *s;
	struct census *c;
	char err[512];
	int runs, i;

	if (argc != 4) {
		fprintf(stderr, "usage: censusbench PID FRAMES RUNS\n");
		return 2;
	}
	o.max_frames = atoi(argv[2]);
	runs = atoi(argv[3]);
	if (census__new(atoi(argv[1]), NULL, &o, &c, err, sizeof(err))) {
		fprintf(stderr, "censusbench: %s\n", err);
		return 1;
	}
	for (i = 0; i < runs; i++) {
		uint64_t t0;
		size_t k;
		int total;

		if (census__take(c, &s, err, sizeof(err))) {
			fprintf(stderr, "censusbench: %s\n", err);
			return 1;
		}
		/* what a command does next: every stack as Go prints it */
		t0 = cpu_ns();
		for (k = 0; k < s->n; k++)
			gosym__traceback(census__sym(c), s->pcs + s->gs[k].stack,
					 (int)s->gs[k].nstack, false, lines, 4 * CENSUS_MAX_FRAMES,
					 &total);
		printf("census %d goroutines %zu wall_ns %llu cpu_ns %llu sym_ns %llu bytes %llu "
		       "syscalls %llu rss_kb %ld\n",
		       i, s->n, (unsigned long long)s->cost.wall_ns,
		       (unsigned long long)s->cost.cpu_ns, (unsigned long long)(cpu_ns() - t0),
		       (unsigned long long)s->cost.bytes, (unsigned long long)s->cost.syscalls,
		       rss_kb());
	}
	census__free(c);
	return 0;
}
