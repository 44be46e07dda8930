// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * census.c: every goroutine of a running Go process from its memory (see
 * census.h for the contract). One census is a few rounds of batched reads
 * (procmem): runtime.allgs, the needed bytes of every g, a window of stack
 * from each saved SP (unwound here by the binary's pcsp tables, as the
 * runtime's traceback does), the g's again to check that they did not move
 * meanwhile, and the threads of the running ones. A goroutine that changed
 * is read again; one that never holds still is flagged, never shown torn.
 *
 * Must not write to the process, stop it or signal it; must not print or
 * allocate per goroutine once its buffers have grown to the largest census.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "gobin.h"
#include "gosym.h"
#include "procmem.h"
#include "census.h"

#define MAX_GS		(1u << 24)	/* a sanity bound on len(allgs) */
#define GS_SCANBIT	0x1000
#define PTR_CHUNK	(64u << 10)	/* bytes of allgs's array per range read */
#define MAX_WINDOW	(1u << 20)	/* stack bytes read per goroutine at most */
#define BATCH_BYTES	(512u << 10)	/* stack window bytes read, then unwound, at once */
#define DEFAULT_WINDOW	2048
/*
 * g's of one size class sit side by side: reading the few hundred bytes
 * between two as part of one range costs less than a range each (the
 * kernel pins pages per range). Stack windows are each in their own stack.
 */
#define G_GAP		512
#define WIN_GAP		0

/* What a census reads of a g. */
struct gread {
	uint32_t status; /* as read, scan bit included */
	uint8_t reason, seq;
	uint64_t goid, lo, hi, m, sp, pc, scsp, scpc, since, lockedm, parent, gopc, startpc;
};

/* A live goroutine through the rounds of one census. */
enum { W_NEEDWIN, W_CHECK, W_REREAD, W_FINAL };

struct work {
	uint32_t slot;	    /* its index in allgs */
	uint8_t state;	    /* W_* */
	uint8_t tries;	    /* reads again so far */
	uint16_t flags;	    /* CENSUS_G_* found so far */
	uint64_t sp0, pc0;  /* where its stack starts */
	uint32_t winlen;    /* stack bytes to read from sp0 */
	const uint8_t *win; /* its window's bytes, this round (procmem's buffer) */
	uint32_t pcs, npcs; /* its frames in c->pcs */
	uint32_t tid;
	struct gread r; /* its g as read last in full */
};

struct census {
	pid_t pid;
	char exe[64];
	struct gobin *gb;
	bool own_gb;
	struct gobin_offsets off;
	struct gosym *sym;
	struct procmem *mem;
	struct census_opts o;
	uint64_t bias;
	uint64_t allgs; /* link-time address of the slice header */
	const char *allgs_how;
	const char *const *reasons;
	int nreasons;
	int span;	    /* bytes read of each g: up to its last field gotl reads */
	int check_span;	    /* bytes read again to check it held still */
	int64_t mono_delta; /* the process's CLOCK_MONOTONIC minus gotl's */

	/* buffers, grown to the largest census and reused */
	uint64_t *ptrs;
	size_t capptrs;
	struct work *work;
	size_t capwork;
	uint32_t *todo; /* the goroutines whose stacks are being read */
	size_t captodo;
	struct procmem_req *reqs;
	size_t capreqs;
	uint64_t *pcs;
	size_t npcs, cappcs;
	uint64_t *tmp; /* one stack being unwound */
	struct census_g *gs;
	size_t capgs;
	struct census_snap snap;
};

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int ensure(void **p, size_t *cap, size_t n, size_t size)
{
	void *q;
	size_t c;

	if (n <= *cap)
		return 0;
	for (c = *cap ? *cap : 64; c < n; c *= 2)
		;
	q = realloc(*p, c * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

static uint64_t get(const uint8_t *g, int off, int size)
{
	uint64_t v = 0;

	if (off < 0)
		return 0;
	memcpy(&v, g + off, (size_t)size);
	return v;
}

static void parse(const struct census *c, const uint8_t *g, struct gread *r)
{
	const struct gobin_offsets *o = &c->off;

	r->status = (uint32_t)get(g, o->g_atomicstatus, 4);
	r->reason = (uint8_t)get(g, o->g_waitreason, 1);
	r->seq = (uint8_t)get(g, o->g_trackingseq, 1);
	r->goid = get(g, o->g_goid, 8);
	r->lo = get(g, o->g_stack_lo, 8);
	r->hi = get(g, o->g_stack_hi, 8);
	r->m = get(g, o->g_m, 8);
	r->sp = get(g, o->g_sched_sp, 8);
	r->pc = get(g, o->g_sched_pc, 8);
	r->scsp = get(g, o->g_syscallsp, 8);
	r->scpc = get(g, o->g_syscallpc, 8);
	r->since = get(g, o->g_waitsince, 8);
	r->lockedm = get(g, o->g_lockedm, 8);
	r->parent = get(g, o->g_parentgoid, 8);
	r->gopc = get(g, o->g_gopc, 8);
	r->startpc = get(g, o->g_startpc, 8);
}

/* Did the goroutine move between two reads, as far as its stack and thread are concerned? */
static bool same(const struct gread *a, const struct gread *b)
{
	return (a->status & ~GS_SCANBIT) == (b->status & ~GS_SCANBIT) && a->goid == b->goid &&
	       a->lo == b->lo && a->hi == b->hi && a->sp == b->sp && a->pc == b->pc &&
	       a->scsp == b->scsp && a->scpc == b->scpc && a->seq == b->seq &&
	       a->reason == b->reason && a->m == b->m;
}

/* ------------------------------------------------------------------ open */

int census__load_bias(pid_t pid, const struct gobin *gb, uint64_t *bias)
{
	char path[64], line[512];
	struct stat st;
	FILE *f;
	int ret = -ENOENT;

	*bias = 0;
	if (!gobin__is_pie(gb))
		return 0;
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
		if (ino != (unsigned long long)st.st_ino || off != 0 ||
		    makedev(maj, min) != st.st_dev)
			continue;
		*bias = start - (gobin__first_vaddr(gb) & ~0xfffull);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

/* A time namespace's CLOCK_MONOTONIC offset (ns) from /proc/PID/timens_offsets; 0 if none. */
static int64_t mono_offset(const char *pid)
{
	char path[64], name[32];
	long long sec, nsec;
	int64_t off = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/timens_offsets", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fscanf(f, "%31s %lld %lld", name, &sec, &nsec) == 3)
		if (!strcmp(name, "monotonic") || !strcmp(name, "1"))
			off = (int64_t)sec * 1000000000 + nsec;
	fclose(f);
	return off;
}

/* The bytes of a g that same() compares: up to the end of the last of those fields. */
static int check_span(const struct gobin_offsets *o)
{
	const int f[][2] = {
		{ o->g_atomicstatus, 4 }, { o->g_waitreason, 1 }, { o->g_trackingseq, 1 },
		{ o->g_goid, 8 },	  { o->g_stack_lo, 8 },	  { o->g_stack_hi, 8 },
		{ o->g_sched_sp, 8 },	  { o->g_sched_pc, 8 },	  { o->g_syscallsp, 8 },
		{ o->g_syscallpc, 8 },	  { o->g_m, 8 },
	};
	int span = 0;

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (f[i][0] >= 0 && f[i][0] + f[i][1] > span)
			span = f[i][0] + f[i][1];
	return (span + 7) & ~7;
}

/* The bytes of a g the census reads: up to the end of the last g field it uses. */
static int g_span(const struct gobin_offsets *o)
{
	const int f[][2] = {
		{ o->g_atomicstatus, 4 },
		{ o->g_waitreason, 1 },
		{ o->g_trackingseq, 1 },
		{ o->g_goid, 8 },
		{ o->g_stack_lo, 8 },
		{ o->g_stack_hi, 8 },
		{ o->g_m, 8 },
		{ o->g_sched_sp, 8 },
		{ o->g_sched_pc, 8 },
		{ o->g_syscallsp, 8 },
		{ o->g_syscallpc, 8 },
		{ o->g_waitsince, 8 },
		{ o->g_lockedm, 8 },
		{ o->g_parentgoid, 8 },
		{ o->g_gopc, 8 },
		{ o->g_startpc, 8 },
	};
	int span = 0;

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (f[i][0] >= 0 && f[i][0] + f[i][1] > span)
			span = f[i][0] + f[i][1];
	return (span + 7) & ~7;
}

/*
 * May gotl read the process's memory? process_vm_readv makes its ptrace
 * access check before it touches an address: asked for address 0, it
 * fails with EFAULT when allowed, EPERM when not, ESRCH when there is no
 * process - and reads nothing. (/proc/PID/mem would also need the file's
 * owner or CAP_DAC_OVERRIDE, which CAP_SYS_PTRACE alone does not give.)
 */
static int check_access(pid_t pid)
{
	char b;
	struct iovec local = { &b, 1 }, remote = { NULL, 1 };

	if (process_vm_readv(pid, &local, 1, &remote, 1, 0) >= 0 || errno == EFAULT ||
	    errno == ENOSYS)
		return 0;
	return errno == ESRCH ? -ESRCH : errno == EACCES ? -EPERM : -errno;
}

static bool pid_exists(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	return access(path, F_OK) == 0 || (errno != ENOENT && errno != ESRCH);
}

int census__new(pid_t pid, struct gobin *gb, const struct census_opts *o, struct census **out,
		char *err, size_t errlen)
{
	struct census *c;
	char gerr[512], spid[16];
	int ret;

	*out = NULL;
	if (o && (o->max_frames < 0 || o->max_frames > CENSUS_MAX_FRAMES || o->retries < 0 ||
		  o->retries > 100)) {
		snprintf(err, errlen, "invalid census options");
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		goto nomem;
	c->pid = pid;
	c->o = o ? *o : (struct census_opts){ .max_frames = CENSUS_DEFAULT_FRAMES, .retries = 2 };
	if (!c->o.window)
		c->o.window = DEFAULT_WINDOW;
	if (c->o.window > MAX_WINDOW)
		c->o.window = MAX_WINDOW;
	snprintf(c->exe, sizeof(c->exe), "/proc/%d/exe", (int)pid);
	if (!pid_exists(pid)) {
		snprintf(err, errlen, "no process %d", (int)pid);
		ret = -ESRCH;
		goto fail;
	}
	if (gb) {
		c->gb = gb;
	} else {
		ret = gobin__open(c->exe, &c->gb, gerr, sizeof(gerr));
		if (ret) {
			if (ret == -ENOENT || ret == -ESRCH) {
				snprintf(err, errlen, "no process %d", (int)pid);
				ret = -ESRCH;
			} else if (ret == -EACCES || ret == -EPERM) {
				snprintf(err, errlen,
					 "cannot read process %d's binary: %s (needs "
					 "root or CAP_SYS_PTRACE)",
					 (int)pid, strerror(-ret));
				ret = -EPERM;
			} else if (ret == -EPROTONOSUPPORT) {
				snprintf(err, errlen, "process %d is not a Go program", (int)pid);
			} else {
				snprintf(err, errlen, "process %d: %s", (int)pid, gerr);
			}
			goto fail;
		}
		c->own_gb = true;
	}
	ret = gobin__offsets(c->gb, &c->off);
	if (ret || c->off.g_goid < 0 || c->off.g_atomicstatus < 0 || c->off.g_startpc < 0 ||
	    c->off.g_gopc < 0 || c->off.g_stack_lo < 0 || c->off.g_stack_hi < 0 ||
	    c->off.g_sched_sp < 0 || c->off.g_sched_pc < 0 || c->off.g_waitreason < 0) {
		snprintf(err, errlen, "process %d (%s): %s", (int)pid, gobin__version(c->gb),
			 ret == -EINVAL ?
				 c->off.source :
				 "the runtime's struct offsets are unknown (a stripped binary of a Go "
				 "newer than gotl knows)");
		ret = ret == -EINVAL ? -ENOEXEC : -ENOTSUP;
		goto fail;
	}
	c->span = g_span(&c->off);
	c->check_span = check_span(&c->off);
	if (c->span > GOBIN_COPY_G) { /* cannot happen: gobin__offsets checked them */
		ret = -ENOEXEC;
		snprintf(err, errlen, "process %d: implausible g offsets", (int)pid);
		goto fail;
	}
	if (gobin__allgs(c->gb, &c->allgs, &c->allgs_how)) {
		snprintf(err, errlen, "process %d (%s): cannot find runtime.allgs in its binary",
			 (int)pid, gobin__version(c->gb));
		ret = -ENOENT;
		goto fail;
	}
	if (gobin__wait_reasons(c->gb, &c->reasons, &c->nreasons, NULL)) {
		c->reasons = NULL;
		c->nreasons = 0;
	}
	ret = census__load_bias(pid, c->gb, &c->bias);
	if (ret) {
		snprintf(err, errlen, "cannot find where process %d's binary is loaded: %s",
			 (int)pid, strerror(-ret));
		ret = pid_exists(pid) ? ret : -ESRCH;
		goto fail;
	}
	snprintf(spid, sizeof(spid), "%d", (int)pid);
	c->mono_delta = mono_offset(spid) - mono_offset("self");
	if (gosym__new(c->gb, &c->sym) || procmem__new(pid, &c->mem))
		goto nomem;
	c->tmp = calloc((size_t)c->o.max_frames + 1, sizeof(*c->tmp));
	if (!c->tmp)
		goto nomem;
	ret = check_access(pid);
	if (ret) {
		if (ret == -ESRCH)
			snprintf(err, errlen, "no process %d", (int)pid);
		else
			snprintf(err, errlen,
				 "cannot read the memory of process %d: %s (needs "
				 "root or CAP_SYS_PTRACE)",
				 (int)pid, strerror(-ret));
		goto fail;
	}
	*out = c;
	return 0;

nomem:
	snprintf(err, errlen, "out of memory");
	ret = -ENOMEM;
fail:
	census__free(c);
	return ret;
}

void census__free(struct census *c)
{
	if (!c)
		return;
	gosym__free(c->sym);
	procmem__free(c->mem);
	if (c->own_gb)
		gobin__free(c->gb);
	free(c->ptrs);
	free(c->work);
	free(c->todo);
	free(c->reqs);
	free(c->pcs);
	free(c->tmp);
	free(c->gs);
	free(c);
}

/* ------------------------------------------------------------------- take */

/* gap: read ranges this close together as one (procmem__read). */
static int read_batch(struct census *c, size_t n, uint32_t gap)
{
	struct procmem_stats st = { 0 };
	int ret;

	if (!n)
		return 0;
	ret = procmem__read(c->mem, c->reqs, n, gap, &st);
	c->snap.cost.syscalls += st.syscalls;
	c->snap.cost.bytes += st.bytes;
	c->snap.cost.ranges += st.ranges;
	c->snap.cost.rounds++;
	return ret;
}

/* allgs: its length, and its g pointers in c->ptrs. */
static int read_allgs(struct census *c, size_t *len, char *err, size_t errlen)
{
	uint64_t hdr[3], again[3];
	int attempt, ret;

	for (attempt = 0; attempt < 4; attempt++) {
		size_t n, i, k;

		if (ensure((void **)&c->reqs, &c->capreqs, 1, sizeof(*c->reqs)))
			return -ENOMEM;
		c->reqs[0] = (struct procmem_req){ .addr = c->allgs + c->bias, .len = sizeof(hdr) };
		ret = read_batch(c, 1, 0);
		if (!ret && c->reqs[0].err)
			ret = -EIO;
		if (ret)
			goto fail;
		memcpy(hdr, c->reqs[0].data, sizeof(hdr));
		if (hdr[1] > MAX_GS || hdr[1] > hdr[2] || (hdr[1] && !hdr[0])) {
			snprintf(err, errlen,
				 "runtime.allgs of process %d makes no sense (length "
				 "%llu, capacity %llu)",
				 (int)c->pid, (unsigned long long)hdr[1],
				 (unsigned long long)hdr[2]);
			return -EINVAL;
		}
		n = (size_t)hdr[1];
		k = (8 * n + PTR_CHUNK - 1) / PTR_CHUNK + 1;
		if (ensure((void **)&c->ptrs, &c->capptrs, n ? n : 1, sizeof(*c->ptrs)) ||
		    ensure((void **)&c->reqs, &c->capreqs, k, sizeof(*c->reqs)))
			return -ENOMEM;
		for (i = 0, k = 0; i < 8 * n; i += PTR_CHUNK, k++) {
			uint32_t l = (uint32_t)(8 * n - i < PTR_CHUNK ? 8 * n - i : PTR_CHUNK);

			c->reqs[k] = (struct procmem_req){ .addr = hdr[0] + i, .len = l };
		}
		/* and the header again: the array must not have been reallocated meanwhile */
		c->reqs[k++] = (struct procmem_req){ .addr = c->allgs + c->bias,
						     .len = sizeof(again) };
		ret = read_batch(c, k, 0);
		for (i = 0; !ret && i < k; i++)
			if (c->reqs[i].err)
				ret = -EIO;
		if (ret == -ESRCH)
			goto fail;
		if (ret)
			continue;
		for (i = 0; i + 1 < k; i++)
			memcpy((uint8_t *)c->ptrs + i * PTR_CHUNK, c->reqs[i].data, c->reqs[i].len);
		memcpy(again, c->reqs[k - 1].data, sizeof(again));
		if (again[0] == hdr[0] && again[1] >= hdr[1]) {
			*len = n;
			return 0;
		}
	}
	ret = -EIO;
fail:
	if (ret == -ESRCH || !pid_exists(c->pid)) {
		snprintf(err, errlen, "process %d exited", (int)c->pid);
		return -ESRCH;
	}
	snprintf(err, errlen, "cannot read runtime.allgs of process %d: %s%s", (int)c->pid,
		 strerror(-ret), ret == -EPERM ? " (needs root or CAP_SYS_PTRACE)" : "");
	return ret;
}

/* Where a goroutine's stack starts, from its g: false if it has none to read. */
static bool stack_start(const struct census *c, const struct gread *r, struct work *w)
{
	uint32_t st = r->status & ~GS_SCANBIT;

	if (st == GOTL_G_SYSCALL && r->scsp) {
		w->sp0 = r->scsp;
		w->pc0 = r->scpc;
	} else if (st == GOTL_G_WAITING || st == GOTL_G_RUNNABLE || st == GOTL_G_PREEMPTED ||
		   st == GOTL_G_LEAKED) {
		w->sp0 = r->sp;
		w->pc0 = r->pc;
	} else {
		return false;
	}
	return true;
}

/* Decide what a goroutine needs after a read of its g (r). */
static void plan_work(struct census *c, const struct gread *r, struct work *w)
{
	uint32_t st = r->status & ~GS_SCANBIT;

	w->npcs = 0;
	w->flags &= ~(CENSUS_G_NOSTACK | CENSUS_G_TRUNCATED | CENSUS_G_BADSTACK);
	if (!c->o.max_frames || st == GOTL_G_RUNNING || !stack_start(c, r, w)) {
		/* copystack is a stack being moved: read it again, it does not last */
		w->state = st == GOTL_G_COPYSTACK && c->o.max_frames ? W_REREAD : W_FINAL;
		w->flags |= CENSUS_G_NOSTACK;
		return;
	}
	/* A saved SP outside the stack, or a pc in no function: read in the middle of a move. */
	if (r->lo >= r->hi || r->hi - r->lo > (1ull << 30) || w->sp0 < r->lo || w->sp0 >= r->hi ||
	    w->pc0 < c->bias || !gosym__unwind(c->sym, w->pc0 - c->bias)) {
		w->state = W_REREAD;
		return;
	}
	w->winlen = (uint32_t)(r->hi - w->sp0 < c->o.window ? r->hi - w->sp0 : c->o.window);
	w->state = W_NEEDWIN;
}

enum { U_DONE, U_MORE, U_BAD };

/*
 * Unwind a goroutine's stack from its window, as the runtime's unwinder
 * does: the return address of a frame at pc is at SP + spdelta(pc), its
 * caller's SP just above. Frames go to c->tmp; *n says how many.
 */
static int unwind(struct census *c, const struct gread *r, struct work *w, bool syscall, int *n)
{
	const uint8_t *win = w->win;
	uint64_t pc = w->pc0 - c->bias, sp = w->sp0;
	int k = 0;

	for (;;) {
		const struct gosym_unwind *u = gosym__unwind(c->sym, pc);
		uint64_t fp, lr;

		if (!u) {
			*n = k;
			return U_BAD;
		}
		c->tmp[k++] = pc;
		if (u->flags & GOSYM_U_TOP)
			break;
		if (k == c->o.max_frames) {
			w->flags |= CENSUS_G_TRUNCATED;
			break;
		}
		/* what is above a function that moves SP cannot be unwound (the runtime stops) */
		if (((u->flags & GOSYM_U_SPWRITE) && !(k == 1 && syscall)) || u->spdelta < 0)
			break;
		fp = sp + (uint64_t)u->spdelta + 8;
		if (fp > r->hi || fp < sp) {
			*n = k;
			return U_BAD;
		}
		if (fp > w->sp0 + w->winlen) {
			*n = k;
			return U_MORE;
		}
		memcpy(&lr, win + (fp - 8 - w->sp0), 8);
		if (!lr)
			break;
		if (lr < c->bias) {
			*n = k;
			return U_BAD;
		}
		pc = lr - c->bias;
		sp = fp;
	}
	*n = k;
	return U_DONE;
}

static int keep_frames(struct census *c, struct work *w, int n)
{
	if (ensure((void **)&c->pcs, &c->cappcs, c->npcs + (size_t)n, sizeof(*c->pcs)))
		return -ENOMEM;
	memcpy(c->pcs + c->npcs, c->tmp, (size_t)n * sizeof(*c->pcs));
	w->pcs = (uint32_t)c->npcs;
	w->npcs = (uint32_t)n;
	c->npcs += (size_t)n;
	return 0;
}

/*
 * Read the stack windows of every goroutine that needs one, and unwind
 * them, a batch at a time: small enough that the bytes are still in the
 * cache when they are unwound.
 */
static int stack_rounds(struct census *c, size_t nw)
{
	size_t i, n = 0;

	if (ensure((void **)&c->todo, &c->captodo, nw ? nw : 1, sizeof(*c->todo)))
		return -ENOMEM;
	for (i = 0; i < nw; i++)
		if (c->work[i].state == W_NEEDWIN)
			c->todo[n++] = (uint32_t)i;
	while (n) {
		size_t start = 0, more = 0; /* those needing a larger window, from todo[0] */

		while (start < n) {
			size_t end = start, bytes = 0, k;
			int ret;

			while (end < n && (end == start ||
					   bytes + c->work[c->todo[end]].winlen <= BATCH_BYTES))
				bytes += c->work[c->todo[end++]].winlen;
			if (ensure((void **)&c->reqs, &c->capreqs, end - start, sizeof(*c->reqs)))
				return -ENOMEM;
			for (k = start; k < end; k++) {
				const struct work *w = &c->work[c->todo[k]];

				c->reqs[k - start] = (struct procmem_req){ .addr = w->sp0,
									   .len = w->winlen };
			}
			ret = read_batch(c, end - start, WIN_GAP);
			if (ret)
				return ret;
			for (k = start; k < end; k++) {
				struct work *w = &c->work[c->todo[k]];
				const struct procmem_req *rq = &c->reqs[k - start];
				int nf, u;

				if (rq->err) {
					w->state = W_REREAD;
					continue;
				}
				w->win = rq->data;
				u = unwind(c, &w->r, w,
					   (w->r.status & ~GS_SCANBIT) == GOTL_G_SYSCALL, &nf);
				w->win = NULL;
				if (u == U_MORE) {
					uint64_t room = w->r.hi - w->sp0;
					uint64_t l = (uint64_t)w->winlen * 4;

					if (w->winlen < room && w->winlen < MAX_WINDOW) {
						l = l < room ? l : room;
						l = l < MAX_WINDOW ? l : MAX_WINDOW;
						w->winlen = (uint32_t)l;
						c->todo[more++] = c->todo[k]; /* more <= k */
						continue;
					}
					w->flags |= CENSUS_G_TRUNCATED;
				}
				if (u == U_BAD)
					w->flags |= CENSUS_G_BADSTACK;
				if (keep_frames(c, w, nf))
					return -ENOMEM;
				w->state = W_CHECK;
			}
			start = end;
		}
		n = more;
	}
	return 0;
}

/*
 * Read again the g's of the goroutines with a stack (the fields same()
 * compares) and of those in doubt (in full); settle or retry them.
 */
static int check_round(struct census *c, size_t nw, size_t *pending)
{
	size_t i, k = 0;
	int ret;

	*pending = 0;
	if (ensure((void **)&c->reqs, &c->capreqs, nw, sizeof(*c->reqs)))
		return -ENOMEM;
	for (i = 0; i < nw; i++) {
		struct work *w = &c->work[i];

		if (w->state != W_CHECK && w->state != W_REREAD)
			continue;
		c->reqs[k++] = (struct procmem_req){
			.addr = c->ptrs[w->slot],
			.len = (uint32_t)(w->state == W_CHECK ? c->check_span : c->span)
		};
	}
	if (!k)
		return 0;
	ret = read_batch(c, k, G_GAP);
	if (ret)
		return ret;
	for (i = 0, k = 0; i < nw; i++) {
		struct work *w = &c->work[i];
		struct gread rb;

		if (w->state != W_CHECK && w->state != W_REREAD)
			continue;
		if (c->reqs[k].err) {
			k++;
			w->state = W_FINAL;
			w->flags |= CENSUS_G_UNSETTLED | CENSUS_G_NOSTACK;
			w->npcs = 0;
			continue;
		}
		parse(c, c->reqs[k++].data, &rb);
		if (w->state == W_CHECK) {
			if (same(&w->r, &rb)) {
				w->state = W_FINAL;
				continue;
			}
			/* It moved: read it again in full. */
			c->snap.cost.reread++;
			w->state = W_REREAD;
			(*pending)++;
			continue;
		}
		w->r = rb;
		if (++w->tries > c->o.retries) {
			w->state = W_FINAL;
			w->flags |= CENSUS_G_UNSETTLED | CENSUS_G_NOSTACK;
			w->npcs = 0;
			continue;
		}
		if ((rb.status & ~GS_SCANBIT) == GOTL_G_DEAD) {
			w->state = W_FINAL; /* it exited meanwhile: dropped below */
			w->flags |= CENSUS_G_NOSTACK;
			w->npcs = 0;
			continue;
		}
		plan_work(c, &rb, w);
		if (w->state != W_FINAL)
			(*pending)++;
	}
	return 0;
}

/* Is the goroutine on a thread (running, or in a syscall), as last read? */
static bool on_thread(const struct work *w, uint64_t *m)
{
	uint32_t st = w->r.status & ~GS_SCANBIT;

	*m = w->r.m;
	return (st == GOTL_G_RUNNING || st == GOTL_G_SYSCALL) && w->r.m;
}

/* The threads of the goroutines that are on one: their m's procid. */
static int thread_round(struct census *c, size_t nw)
{
	size_t i, k = 0;
	uint64_t m;
	int ret;

	if (c->off.g_m < 0 || c->off.m_procid < 0)
		return 0;
	for (i = 0; i < nw; i++)
		k += on_thread(&c->work[i], &m);
	if (ensure((void **)&c->reqs, &c->capreqs, k, sizeof(*c->reqs)))
		return -ENOMEM;
	for (i = 0, k = 0; i < nw; i++) {
		if (!on_thread(&c->work[i], &m))
			continue;
		c->reqs[k] = (struct procmem_req){ .addr = m + (uint64_t)c->off.m_procid,
						   .len = 8 };
		k++;
	}
	ret = read_batch(c, k, 0);
	if (ret)
		return ret;
	for (i = 0, k = 0; i < nw; i++) {
		if (!on_thread(&c->work[i], &m))
			continue;
		if (!c->reqs[k].err) {
			uint64_t id;

			memcpy(&id, c->reqs[k].data, sizeof(id));
			if (id && id < (1ull << 32))
				c->work[i].tid = (uint32_t)id;
		}
		k++;
	}
	return 0;
}

/* Is a finalizer or cleanup goroutine running user code (then Go shows it)? */
static bool runs_user_code(struct census *c, const struct work *w)
{
	for (uint32_t i = 0; i < w->npcs; i++) {
		const struct gosym_frame *f;
		int n = gosym__frames(c->sym, c->pcs[w->pcs + i], i > 0, &f);

		for (int j = 0; j < n; j++)
			if (strncmp(f[j].func, "runtime.", 8) && !(f[j].flags & GOSYM_WRAPPER))
				return true;
	}
	return false;
}

static void fill(struct census *c, const struct work *w, struct census_g *g)
{
	const struct gosym_start *start;
	const struct gread r = w->r;
	uint32_t st = r.status & ~GS_SCANBIT;

	memset(g, 0, sizeof(*g));
	g->gp = c->ptrs[w->slot];
	g->goid = r.goid;
	g->parent_goid = r.parent;
	g->startpc = r.startpc >= c->bias ? r.startpc - c->bias : 0;
	g->gopc = r.gopc >= c->bias ? r.gopc - c->bias : 0;
	g->status = (uint8_t)st;
	g->reason = st == GOTL_G_WAITING || st == GOTL_G_LEAKED ? r.reason : 0;
	g->stack_size = r.hi > r.lo ? r.hi - r.lo : 0;
	g->tid = w->tid;
	g->flags = w->flags;
	g->seq = r.seq;
	g->wait_ns = -1;
	if ((int64_t)r.since > 0 && (st == GOTL_G_WAITING || st == GOTL_G_SYSCALL)) {
		int64_t since = (int64_t)r.since - c->mono_delta;
		int64_t d = (int64_t)c->snap.mono_ns - since;

		g->waitsince = since > 0 ? (uint64_t)since : 0;
		g->wait_ns = d > 0 ? d : 0;
	}
	if (r.lockedm)
		g->flags |= CENSUS_G_LOCKED;
	if (r.status & GS_SCANBIT)
		g->flags |= CENSUS_G_SCAN;
	if (!(w->flags & CENSUS_G_NOSTACK)) {
		g->stack = w->pcs;
		g->nstack = w->npcs;
	}
	start = g->startpc ? gosym__start(c->sym, g->startpc) : NULL;
	if (start && (start->kind == GOSYM_START_SYSTEM ||
		      (start->kind == GOSYM_START_FINALIZER && !runs_user_code(c, w))))
		g->flags |= CENSUS_G_SYSTEM;
}

int census__take(struct census *c, const struct census_snap **snap, char *err, size_t errlen)
{
	struct census_snap *s = &c->snap;
	uint64_t cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	size_t len, i, nw = 0, k, pending;
	bool main_seen = false;
	int ret;

	*snap = NULL;
	memset(s, 0, sizeof(*s));
	s->mono_ns = clock_ns(CLOCK_MONOTONIC);
	s->boot_ns = clock_ns(CLOCK_BOOTTIME);
	s->real_ns = clock_ns(CLOCK_REALTIME);
	c->npcs = 0;
	ret = read_allgs(c, &len, err, errlen);
	if (ret)
		return ret;
	s->allgs_len = len;
	if (ensure((void **)&c->reqs, &c->capreqs, len ? len : 1, sizeof(*c->reqs)) ||
	    ensure((void **)&c->work, &c->capwork, len ? len : 1, sizeof(*c->work)))
		goto nomem;

	/* Round 1: every g. */
	for (i = 0, k = 0; i < len; i++) {
		if (!c->ptrs[i] || (c->ptrs[i] & 7))
			continue;
		c->reqs[k++] = (struct procmem_req){ .addr = c->ptrs[i], .len = (uint32_t)c->span };
	}
	ret = read_batch(c, k, G_GAP);
	if (ret)
		goto read_failed;
	for (i = 0, k = 0; i < len; i++) {
		struct work *w = &c->work[nw];
		struct gread r;
		uint32_t st;

		if (!c->ptrs[i] || (c->ptrs[i] & 7)) {
			s->unreadable++;
			continue;
		}
		if (c->reqs[k].err) {
			k++;
			s->unreadable++;
			continue;
		}
		parse(c, c->reqs[k++].data, &r);
		st = r.status & ~GS_SCANBIT;
		if (st == GOTL_G_DEAD || st == GOTL_G_IDLE || st == GOTL_G_DEADEXTRA)
			continue; /* a free g waiting for reuse */
		if (st >= GOTL_G_MAX || st == 5 || st == 7 || (r.status & ~(GS_SCANBIT | 0xf))) {
			s->unreadable++;
			continue;
		}
		memset(w, 0, sizeof(*w));
		w->slot = (uint32_t)i;
		w->r = r;
		plan_work(c, &r, w);
		nw++;
	}

	/* Stacks, then the check that each goroutine held still; again for those that moved. */
	do {
		ret = stack_rounds(c, nw);
		if (!ret)
			ret = check_round(c, nw, &pending);
		if (ret)
			goto read_failed;
	} while (pending);
	ret = thread_round(c, nw);
	if (ret)
		goto read_failed;
	s->end_boot_ns = clock_ns(CLOCK_BOOTTIME);

	if (ensure((void **)&c->gs, &c->capgs, nw ? nw : 1, sizeof(*c->gs)))
		goto nomem;
	for (i = 0, k = 0; i < nw; i++) {
		if ((c->work[i].r.status & ~GS_SCANBIT) == GOTL_G_DEAD)
			continue;
		fill(c, &c->work[i], &c->gs[k]);
		if (c->gs[k].goid == 1)
			main_seen = true;
		if (c->gs[k].flags & CENSUS_G_UNSETTLED)
			s->unsettled++;
		k++;
	}
	s->gs = c->gs;
	s->n = k;
	s->pcs = c->pcs;
	/* The main goroutine lives as long as the process: a census without it is wrong. */
	if (s->n && !main_seen) {
		if (!pid_exists(c->pid)) {
			snprintf(err, errlen, "process %d exited", (int)c->pid);
			return -ESRCH;
		}
		snprintf(err, errlen,
			 "the goroutines read from process %d make no sense (no "
			 "goroutine 1 among %zu): wrong runtime.allgs (%s) or g offsets (%s)",
			 (int)c->pid, s->n, c->allgs_how, c->off.source);
		return -EINVAL;
	}
	s->cost.wall_ns = clock_ns(CLOCK_MONOTONIC) - s->mono_ns;
	s->cost.cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	*snap = s;
	return 0;

read_failed:
	if (ret == -ENOMEM)
		goto nomem;
	if (ret == -ESRCH || !pid_exists(c->pid)) {
		snprintf(err, errlen, "process %d exited", (int)c->pid);
		return -ESRCH;
	}
	snprintf(err, errlen, "cannot read the memory of process %d: %s", (int)c->pid,
		 strerror(-ret));
	return ret;
nomem:
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

/* ----------------------------------------------------------------- queries */

void census__info(const struct census *c, struct census_info *out)
{
	out->pid = c->pid;
	out->exe = c->own_gb ? c->exe : "the binary given";
	out->go_version = gobin__version(c->gb);
	out->bias = c->bias;
	out->allgs_how = c->allgs_how;
	out->offsets = c->off.source;
	out->nreasons = c->nreasons;
}

const struct gobin *census__gobin(const struct census *c)
{
	return c->gb;
}

struct gosym *census__sym(struct census *c)
{
	return c->sym;
}

const char *census__reason(const struct census *c, uint8_t reason)
{
	if (!reason)
		return "";
	return reason < c->nreasons && c->reasons[reason] ? c->reasons[reason] : "?";
}

const char *census__state(uint8_t status)
{
	static const char *const names[GOTL_G_MAX] = {
		[GOTL_G_IDLE] = "idle",		  [GOTL_G_RUNNABLE] = "runnable",
		[GOTL_G_RUNNING] = "running",	  [GOTL_G_SYSCALL] = "syscall",
		[GOTL_G_WAITING] = "waiting",	  [GOTL_G_DEAD] = "dead",
		[GOTL_G_COPYSTACK] = "copystack", [GOTL_G_PREEMPTED] = "preempted",
		[GOTL_G_LEAKED] = "leaked",	  [GOTL_G_DEADEXTRA] = "waiting for cgo callback",
	};

	return status < GOTL_G_MAX && names[status] ? names[status] : "???";
}
