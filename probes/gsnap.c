// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * gsnap.c: the goroutines a running Go process already has, read from the
 * outside when gotl attaches (record -p). Walks the runtime's allgs slice
 * through /proc/PID/mem: for each live g its goid, status, wait reason,
 * start function, `go` statement, parent, how long the runtime says it has
 * waited, and for a blocked one the stack it blocked in (frame pointers
 * from g.sched, as the BPF side walks them).
 *
 * What it must not do: stop, signal or write to the process (reads only;
 * the process runs on while it is read, so every value is checked and a g
 * that does not make sense is skipped), or write the log (the recorder
 * does, describing the pcs first).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "gotl/event.h"
#include "gobin.h"
#include "gsnap.h"
#include "plan.h"

#define G_READ		512	/* bytes of a g to read: more than sizeof(runtime.g) in any version */
#define MAX_GS		(1u << 24)	/* a sanity bound on len(allgs) */
#define GS_SCANBIT	0x1000

static int read_at(int fd, uint64_t addr, void *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len, (off_t)addr);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static uint64_t u64_at(const uint8_t *g, int off)
{
	uint64_t v;

	if (off < 0 || off + 8 > G_READ)
		return 0;
	memcpy(&v, g + off, 8);
	return v;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int gsnap__bias(pid_t pid, const struct gobin *gb, uint64_t *bias)
{
	char path[64], line[512];
	struct stat st;
	FILE *f;
	int ret = -ENOENT;

	if (!gobin__is_pie(gb)) {
		*bias = 0;
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if (stat(path, &st))
		return -errno;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	/* "start-end perms offset major:minor inode path": the exe's mapping of offset 0. */
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, off, ino;
		unsigned maj, min;
		char perms[8];

		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu", &start, &end, perms, &off, &maj,
			   &min, &ino) != 7)
			continue;
		if (ino != (unsigned long long)st.st_ino || off != 0)
			continue;
		*bias = start - (gobin__first_vaddr(gb) & ~0xfffull);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

/* Walk a parked goroutine's frames from its saved pc and frame pointer. */
static void walk(int fd, uint64_t bias, uint64_t pc, uint64_t fp, uint64_t lo, uint64_t hi,
		 int depth, struct gotl_ev_stack *s)
{
	uint64_t f[2];		/* saved frame pointer, return address */
	unsigned n = 0;

	if (pc)
		s->pcs[n++] = pc - bias;
	while (n < GOTL_STACK_MAX) {
		if (fp < lo || fp + sizeof(f) > hi || (fp & 7))
			break;
		if (read_at(fd, fp, f, sizeof(f)) || !f[1])
			break;
		if (n >= (unsigned)depth) {
			s->truncated = 1;
			break;
		}
		s->pcs[n++] = f[1] - bias;
		if (f[0] <= fp)
			break;
		fp = f[0];
	}
	s->n = (uint8_t)n;
}

int gsnap__read(const struct plan *pl, pid_t pid, uint64_t bias, int stack_depth,
		struct gsnap **out, char *err, size_t errlen)
{
	const struct gobin_offsets *o = &pl->off;
	uint64_t allgs, slice[3], *ptrs = NULL, mono_to_boot;
	struct gsnap *s = NULL;
	const char *how;
	char path[64];
	uint8_t g[G_READ];
	bool main_seen = false;
	int fd, ret;
	size_t i;

	*out = NULL;
	if (gobin__allgs(pl->gb, &allgs, &how)) {
		snprintf(err, errlen, "cannot find runtime.allgs in '%s': existing goroutines "
			 "cannot be listed", pl->path);
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot read the memory of process %d: %s", (int)pid,
			 strerror(errno));
		return ret;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		ret = -ENOMEM;
		goto nomem;
	}
	s->allgs_how = how;
	ret = read_at(fd, allgs + bias, slice, sizeof(slice));
	if (ret || slice[1] > MAX_GS || slice[1] > slice[2]) {
		snprintf(err, errlen, "cannot read runtime.allgs of process %d%s%s", (int)pid,
			 ret ? ": " : " (implausible length)", ret ? strerror(-ret) : "");
		ret = ret ? ret : -EINVAL;
		goto cleanup;
	}
	s->allgs_len = (size_t)slice[1];
	ptrs = calloc(s->allgs_len ? s->allgs_len : 1, sizeof(*ptrs));
	s->gs = calloc(s->allgs_len ? s->allgs_len : 1, sizeof(*s->gs));
	if (!ptrs || !s->gs) {
		ret = -ENOMEM;
		goto nomem;
	}
	ret = s->allgs_len ? read_at(fd, slice[0], ptrs, 8 * s->allgs_len) : 0;
	if (ret) {
		snprintf(err, errlen, "cannot read runtime.allgs of process %d: %s", (int)pid,
			 strerror(-ret));
		goto cleanup;
	}
	mono_to_boot = clock_ns(CLOCK_BOOTTIME) - clock_ns(CLOCK_MONOTONIC);
	for (i = 0; i < s->allgs_len; i++) {
		struct gsnap_g *e = &s->gs[s->n];
		struct gotl_ev_gsnap *ev = &e->ev;
		uint32_t status;
		uint64_t since;

		if (!ptrs[i] || read_at(fd, ptrs[i], g, sizeof(g))) {
			s->unreadable++;
			continue;
		}
		memcpy(&status, g + o->g_atomicstatus, 4);
		status &= ~(uint32_t)GS_SCANBIT;
		if (status == GOTL_G_DEAD || status == GOTL_G_IDLE || status == GOTL_G_DEADEXTRA)
			continue;	/* a free g waiting for reuse */
		if (status >= GOTL_G_MAX || status == 5 || status == 7) {
			s->unreadable++;
			continue;
		}
		memset(e, 0, sizeof(*e));
		ev->hdr.type = GOTL_REC_GSNAP;
		ev->hdr.size = sizeof(*ev);
		ev->read_ts = clock_ns(CLOCK_BOOTTIME);
		ev->gp = ptrs[i];
		ev->goid = u64_at(g, o->g_goid);
		ev->parent_goid = o->g_parentgoid >= 0 ? u64_at(g, o->g_parentgoid) : 0;
		ev->startpc = u64_at(g, o->g_startpc);
		ev->gopc = u64_at(g, o->g_gopc);
		ev->startpc = ev->startpc ? ev->startpc - bias : 0;
		ev->gopc = ev->gopc ? ev->gopc - bias : 0;
		ev->status = (uint8_t)status;
		if (status == GOTL_G_WAITING || status == GOTL_G_LEAKED)
			ev->reason = g[o->g_waitreason];
		since = u64_at(g, o->g_waitsince);
		if (since && (int64_t)since > 0 && (status == GOTL_G_WAITING ||
						     status == GOTL_G_SYSCALL))
			ev->waitsince = since + mono_to_boot;
		if (status == GOTL_G_RUNNING || status == GOTL_G_SYSCALL) {
			uint64_t m = u64_at(g, o->g_m), procid = 0;

			if (m && o->m_procid >= 0 && !read_at(fd, m + (uint64_t)o->m_procid,
							       &procid, sizeof(procid)))
				ev->hdr.tid = (uint32_t)procid;
		}
		if (ev->goid == 1)
			main_seen = true;
		if (stack_depth > 0 && status == GOTL_G_WAITING && o->g_sched_pc >= 0 &&
		    o->g_sched_bp >= 0 && o->g_stack_lo >= 0 && o->g_stack_hi >= 0) {
			struct gotl_ev_stack *st = &e->stack;
			uint64_t lo = u64_at(g, o->g_stack_lo), hi = u64_at(g, o->g_stack_hi);

			st->hdr.type = GOTL_REC_STACK;
			st->gp = ev->gp;
			st->kind = GOTL_STACK_BLOCK;
			st->gp_stack_size = hi > lo ? hi - lo : 0;
			walk(fd, bias, u64_at(g, o->g_sched_pc), u64_at(g, o->g_sched_bp), lo, hi,
			     stack_depth, st);
			st->hdr.size = (uint16_t)(offsetof(struct gotl_ev_stack, pcs) + 8 * st->n);
		}
		s->n++;
	}
	/* The main goroutine lives as long as the process: a snapshot without it is wrong. */
	if (s->n && !main_seen) {
		snprintf(err, errlen, "the goroutines read from process %d make no sense (no "
			 "goroutine 1 among %zu): wrong runtime.allgs (%s) or g offsets (%s)",
			 (int)pid, s->n, how, o->source);
		ret = -EINVAL;
		goto cleanup;
	}
	free(ptrs);
	close(fd);
	*out = s;
	return 0;

nomem:
	snprintf(err, errlen, "out of memory");
cleanup:
	free(ptrs);
	gsnap__free(s);
	close(fd);
	return ret;
}

void gsnap__free(struct gsnap *s)
{
	if (!s)
		return;
	free(s->gs);
	free(s);
}
