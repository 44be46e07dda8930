// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * gotl.bpf.c: uprobes on the Go runtime that turn goroutine state
 * transitions into struct gotl_ev_status / gotl_ev_create records in a ring
 * buffer. One trap per transition: runtime.casgstatus sees almost all of
 * them; the other programs cover only the transitions the runtime makes
 * without casgstatus (Go 1.26 syscall fast paths, GC preemption parks,
 * coroutine switches), and the loader attaches them only where needed.
 *
 * Allocations (--alloc): one program on runtime.mallocgc and on each of its
 * size-specialised siblings counts every allocation once into per-class and
 * per-goroutine maps, and sends only samples (or, with --alloc=all, every
 * allocation) to user space; a goroutine's totals ride along when it stops
 * running. The GC programs fire a few times per GC cycle.
 *
 * Keep this file small and cheap: no strings; as few user-memory reads as
 * possible, because each bpf_probe_read_user costs about as much as an
 * eighth of the trap itself (BENCHMARKS.md): the fields of a g an event
 * needs come in one read of a window of the g, a stack walk reads the
 * first STACK_CHUNK bytes of the stack at once rather than frame by
 * frame. A hash lookup per transition only when allocations are recorded,
 * plus one bounded frame-pointer walk when a goroutine parks, is created,
 * or an allocation is sampled, if stacks are asked for.
 * Every register is read unconditionally into a local first (the verifier
 * rejects loads from a ctx pointer chosen at run time). Never a uretprobe:
 * Go moves goroutine stacks and a rewritten return address crashes it.
 */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "gotl/event.h"
#include "gooffsets.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * Filled by the loader before load (probes/probeset.c). Offsets (one
 * off_<field> per entry of GOBIN_BPF_OFFSETS) come from the binary's DWARF
 * or gotl's per-version table (probes/gooffsets.h).
 */
#define OFFSET_RODATA(field) const volatile __u64 off_##field = 0;
GOBIN_BPF_OFFSETS(OFFSET_RODATA)
#undef OFFSET_RODATA
/* Frames to walk for stacks (0: no stacks), at most GOTL_STACK_MAX. */
const volatile __u32 stack_depth = 0;
/* Where casgstatus's return address is at the probe: rsp + this. */
const volatile __u64 casg_ret_off = 0;
/* runtime.park_m [start, end), link-time: a park whose g.sched is fresh. */
const volatile __u64 park_m_start = 0;
const volatile __u64 park_m_end = 0;
/*
 * runtime.gopark [start, end), link-time, or 0: with it, a park is told from
 * g.sched alone (no read of casgstatus's return address). Only mcall from
 * gopark leaves g.sched.pc in gopark with g.sched.sp set: gogo and the
 * return from systemstack clear sched.sp, systemstack sets pc to
 * systemstack_switch, and gopark's only mcall is mcall(park_m).
 */
const volatile __u64 gopark_start = 0;
const volatile __u64 gopark_end = 0;
/* Link-time address of the instruction each probe sits on (for the PIE bias). */
const volatile __u64 probe_addr[GOTL_PROBE_MAX];
/* 1 when the runtime writes the new goid before the creation transition (Go 1.24+). */
const volatile __u32 goid_at_create = 0;
/* waitReason value of "coroutine" in this binary. */
const volatile __u32 reason_coroutine = 0;
/* Wake the consumer only when this much data waits; below it, it drains on a timer. */
const volatile __u64 wakeup_bytes = 1 << 20;
/* GOTL_ALLOC_*: what the allocation probes do. */
const volatile __u32 alloc_mode = GOTL_ALLOC_OFF;
/* --alloc=sampled: mean bytes between two samples. */
const volatile __u64 alloc_sample_bytes = 512 << 10;
/* runtime.mallocgc [start, end), link-time: its calls into its siblings are counted there. */
const volatile __u64 mallocgc_start = 0;
const volatile __u64 mallocgc_end = 0;
/* 1 when objects with pointers over 512 bytes carry an 8-byte malloc header (Go 1.22+). */
const volatile __u32 malloc_header = 0;
/* 1 when stopTheWorldWithSema(reason) takes the reason in AL (Go 1.21+). */
const volatile __u32 stw_reason_arg = 0;
/* 1 when the sysexitp program is attached (Go 1.26+, see exitsyscall). */
const volatile __u32 sysexitp_on = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* resized by the loader */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gotl_bpf_stats);
} stats SEC(".maps");

/*
 * Per OS thread (task storage: no other thread, and no preempting program on
 * the same CPU, can touch it while a program uses it): what saves reads of
 * user memory when a goroutine is made runnable by the one running here,
 * and scratch memory for a stack walk, which reads the first STACK_CHUNK
 * bytes of the goroutine's stack at once.
 *
 * g -> m: the runtime m of the g last seen in R14 on this thread (an m
 * belongs to one thread; its g0 only to it). curg -> curg_goid: the goid of
 * the goroutine that last started running on this thread. A goroutine's
 * goid changes only when its g is reused for a new goroutine, which must
 * then start running here (a transition to Running, which refreshes the
 * pair) before it can be m.curg here again; m.curg is always read.
 */
#define STACK_CHUNK	2048

struct thread_state {
	__u64 g;
	__u64 m;
	__u64 curg;
	__u64 curg_goid;
	__u64 nop_gp; /* left its syscall here without a P, told as Runnable (exitsyscall) */
	__u8 stk[STACK_CHUNK];
};


struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct thread_state);
} tstate SEC(".maps");

static __always_inline struct thread_state *thread_state(void)
{
	return bpf_task_storage_get(&tstate, bpf_get_current_task_btf(), 0,
				    BPF_LOCAL_STORAGE_GET_F_CREATE);
}

/* gp (goid) starts running on this thread: it is, or is about to be, m.curg here. */
static __always_inline void note_running(__u64 gp, __u64 goid)
{
	struct thread_state *t = thread_state();

	if (t) {
		t->curg = gp;
		t->curg_goid = goid;
	}
}

/*
 * Go <= 1.19: casgstatus call sites (link-time return address) whose
 * Running -> Waiting comes before the runtime sets g.waitreason, and the
 * reason to report instead of the stale one. Filled by the loader.
 */
const volatile __u32 casg_fix_on = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GOTL_CASG_FIX_MAX);
	__type(key, __u64);
	__type(value, __u8);
} casg_fix SEC(".maps");

/* Allocation classes: struct gotl_alloc_key -> totals; read by the recorder. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct gotl_alloc_key);
	__type(value, struct gotl_bpf_alloc_class);
} alloc_classes SEC(".maps");

/*
 * Per OS thread: what the goroutine running there allocated since it
 * started running. Only that thread's probes touch its entry (a goroutine
 * leaves and enters Running on the thread that runs it), so no atomics.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct gotl_bpf_thread_alloc);
} thread_alloc SEC(".maps");

/* Per CPU: allocation totals (summed by the recorder) and the sampling state. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gotl_bpf_alloc_cpu);
} alloc_totals SEC(".maps");

/*
 * An allocation probe's cookie (set per attachment by the loader): the
 * link-time address of the probed instruction, where the return address is
 * at the probe (rsp + ret_off), and whether mallocgc itself may be the
 * caller (a size-specialised sibling).
 */
#define COOKIE_ADDR(c)		((c) & ((1ull << 48) - 1))
#define COOKIE_RET_OFF(c)	(((c) >> 48) & 0xff)
#define COOKIE_SIBLING		(1ull << 56)

/* Every probe's first step: its hit counted; NULL (it does nothing) without the stats. */
static __always_inline struct gotl_bpf_stats *probe_hit(int probe)
{
	__u32 zero = 0;
	struct gotl_bpf_stats *st = bpf_map_lookup_elem(&stats, &zero);

	if (st)
		__sync_fetch_and_add(&st->hits[probe], 1);
	return st;
}

static __always_inline __u64 read_u64(__u64 addr)
{
	__u64 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (const void *)addr);
	return v;
}

static __always_inline __u8 read_u8(__u64 addr)
{
	__u8 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (const void *)addr);
	return v;
}

/*
 * The first G_HEAD bytes of a g, read at once: stack.lo/hi, m, sched (pc,
 * sp, bp), goid and waitreason in every Go version gotl supports (the g is
 * larger than that in all of them). A field beyond it is read on its own.
 */
#define G_HEAD	192

struct ghead {
	__u64 w[G_HEAD / 8];
};

static __always_inline __u64 ghead_u64(const struct ghead *h, __u64 gp, __u64 off)
{
	if (off <= G_HEAD - 8)
		return *(const __u64 *)((const __u8 *)h + off);
	return read_u64(gp + off);
}

static __always_inline __u8 ghead_u8(const struct ghead *h, __u64 gp, __u64 off)
{
	if (off <= G_HEAD - 1)
		return *((const __u8 *)h + off);
	return read_u8(gp + off);
}

/*
 * goid and waitreason together: one read of G_WIN bytes at the goid
 * (waitreason follows it by 24 bytes in every version).
 */
#define G_WIN	32

struct gwin {
	__u64 goid;
	__u8 rest[G_WIN - 8];
};

static __always_inline __u8 gwin_reason(const struct gwin *w, __u64 gp)
{
	__u64 d = off_g_waitreason - off_g_goid;

	if (off_g_waitreason >= off_g_goid && d <= G_WIN - 1)
		return *((const __u8 *)w + d);
	return read_u8(gp + off_g_waitreason);
}

static __always_inline void gwin_read(struct gwin *w, __u64 gp)
{
	if (bpf_probe_read_user(w, sizeof(*w), (const void *)(gp + off_g_goid)))
		__builtin_memset(w, 0, sizeof(*w));
}

/*
 * The user goroutine that owns the current thread: g (R14) -> g.m -> m.curg.
 * When the code runs on g0 (scheduler paths) curg is the goroutine the
 * thread was running when it switched to g0, or 0 inside schedule().
 */
static __always_inline __u64 current_user_g(__u64 g)
{
	__u64 m;

	if (!g)
		return 0;
	m = read_u64(g + off_g_m);
	if (!m)
		return 0;
	return read_u64(m + off_m_curg);
}

/*
 * current_user_g() and that goroutine's goid, with what this thread's
 * state already knows (see struct thread_state): one read (m.curg) instead
 * of three when it knows the g and the goroutine.
 */
static __always_inline __u64 current_user_g_goid(struct thread_state *t, __u64 g, __u64 *goid)
{
	__u64 m, curg;

	*goid = 0;
	if (!g)
		return 0;
	if (t && t->g == g) {
		m = t->m;
	} else {
		m = read_u64(g + off_g_m);
		if (t) {
			t->g = g;
			t->m = m;
		}
	}
	if (!m)
		return 0;
	curg = read_u64(m + off_m_curg);
	if (!curg)
		return 0;
	if (t && t->curg == curg) {
		*goid = t->curg_goid;
		return curg;
	}
	*goid = read_u64(curg + off_g_goid);
	if (t) {
		t->curg = curg;
		t->curg_goid = *goid;
	}
	return curg;
}

/* The ring buffer was full: a record of this type from this probe is lost. */
static __always_inline void lose(struct gotl_bpf_stats *st, int probe, __u16 type)
{
	__sync_fetch_and_add(&st->lost[probe], 1);
	__sync_fetch_and_add(&st->lost_kind[(type - GOTL_REC_STATUS) & (GOTL_LOSS_KINDS - 1)], 1);
}

/* Submit without waking the consumer unless a lot of data waits. */
static __always_inline __u64 submit_flags(void)
{
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

static __always_inline struct gotl_bpf_thread_alloc *thread_alloc_get(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct gotl_bpf_thread_alloc *t, zero = {};

	t = bpf_map_lookup_elem(&thread_alloc, &tid);
	if (t)
		return t;
	bpf_map_update_elem(&thread_alloc, &tid, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&thread_alloc, &tid);
}

/*
 * gp stops running on this thread: if it allocated while it ran, send what
 * (same ts as the status record that follows, so it belongs to the Running
 * span that ends).
 */
static __always_inline void flush_galloc(struct gotl_bpf_stats *st, int probe, __u64 ts, __u64 gp,
					 __u64 goid)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct gotl_bpf_thread_alloc *t;
	struct gotl_ev_galloc *e;

	if (alloc_mode == GOTL_ALLOC_OFF)
		return;
	t = bpf_map_lookup_elem(&thread_alloc, &tid);
	if (!t || !t->count)
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		e->hdr.type = GOTL_REC_GALLOC;
		e->hdr.size = sizeof(*e);
		e->hdr.tid = tid;
		e->hdr.ts = ts;
		e->gp = gp;
		e->goid = goid;
		e->bytes = t->bytes;
		e->count = t->count;
		bpf_ringbuf_submit(e, submit_flags());
		__sync_fetch_and_add(&st->emitted[probe], 1);
	} else {
		lose(st, probe, GOTL_REC_GALLOC);
	}
	t->count = 0;
	t->bytes = 0;
	t->gp = 0;
}

/* gp starts running on this thread: what the thread allocated before is no one's. */
static __always_inline void start_galloc(__u64 gp)
{
	struct gotl_bpf_thread_alloc *t;

	if (alloc_mode == GOTL_ALLOC_OFF)
		return;
	t = thread_alloc_get();
	if (!t)
		return;
	t->count = 0;
	t->bytes = 0;
	t->gp = gp;
}

static __always_inline int emit_status(struct gotl_bpf_stats *st, int probe, __u64 ts, __u64 gp,
				       __u64 goid, __u32 from, __u32 to, __u32 reason, __u64 waker,
				       __u64 waker_goid)
{
	struct gotl_ev_status *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		lose(st, probe, GOTL_REC_STATUS);
		return 0;
	}
	e->hdr.type = GOTL_REC_STATUS;
	e->hdr.size = sizeof(*e);
	e->hdr.tid = (__u32)bpf_get_current_pid_tgid();
	e->hdr.ts = ts;
	e->gp = gp;
	e->goid = goid;
	e->other_gp = waker;
	e->other_goid = waker_goid;
	e->from = from;
	e->to = to;
	e->reason = reason;
	e->probe = probe;
	e->pad = 0;
	bpf_ringbuf_submit(e, submit_flags());
	__sync_fetch_and_add(&st->emitted[probe], 1);
	return 0;
}

struct frame {
	__u64 next; /* the caller's frame pointer */
	__u64 ret;  /* the return address into the caller */
};

/*
 * Record gp's stack for the event just emitted: pc0 (if non-zero), then
 * the return addresses along the frame-pointer chain from fp, staying
 * inside the stack [lo, hi) and moving only towards its top. The first
 * STACK_CHUNK bytes from fp are read at once into this thread's scratch
 * memory (all of most stacks); frames past them, or all of them without
 * it (task storage busy), are read frame by frame.
 */
static __always_inline void emit_stack(struct gotl_bpf_stats *st, int probe, __u64 ts, __u64 bias,
				       __u64 gp, __u8 kind, __u64 pc0, __u64 fp, __u64 lo, __u64 hi,
				       __u64 gp_stack_size)
{
	struct thread_state *t;
	struct gotl_ev_stack *e;
	struct frame f;
	__u64 base = 0, len = 0, off;
	__u32 n = 0, i;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		lose(st, probe, GOTL_REC_STACK);
		return;
	}
	t = thread_state();
	if (pc0) {
		e->pcs[0] = pc0 - bias;
		n = 1;
	}
	e->truncated = 0;
	/*
	 * One window of the stack from the first frame up, read before the walk;
	 * frames past it are read one by one. A refill inside the loop doubled
	 * the paths the verifier walks at every frame (0.1 s of every start).
	 */
	if (t && fp >= lo && fp < hi) {
		len = hi - fp;
		if (len > STACK_CHUNK)
			len = STACK_CHUNK;
		base = fp;
		if (bpf_probe_read_user(t->stk, len, (const void *)fp))
			len = 0;
	}
	for (i = 0; i < GOTL_STACK_MAX; i++) {
		if (fp < lo || fp + sizeof(f) > hi || (fp & 7))
			break;
		off = fp - base;
		/* Keep clang from hoisting &t->stk above the null check (the verifier refuses). */
		asm volatile("" : "+r"(t));
		if (t && fp >= base && off + sizeof(f) <= len && off <= STACK_CHUNK - sizeof(f)) {
			__builtin_memcpy(&f, &t->stk[off], sizeof(f));
		} else if (bpf_probe_read_user(&f, sizeof(f), (const void *)fp)) {
			break;
		}
		if (!f.ret)
			break;
		if (n >= stack_depth || n >= GOTL_STACK_MAX) {
			e->truncated = 1;
			break;
		}
		e->pcs[n & (GOTL_STACK_MAX - 1)] = f.ret - bias;
		n++;
		if (f.next <= fp)
			break;
		fp = f.next;
	}
	e->hdr.type = GOTL_REC_STACK;
	e->hdr.size = sizeof(*e);
	e->hdr.tid = (__u32)bpf_get_current_pid_tgid();
	e->hdr.ts = ts;
	e->gp = gp;
	e->kind = kind;
	e->n = (__u8)n;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	e->gp_stack_size = gp_stack_size;
	bpf_ringbuf_submit(e, submit_flags());
	__sync_fetch_and_add(&st->emitted[probe], 1);
}

/* g.stack.lo and g.stack.hi: one read (hi follows lo in every Go version). */
static __always_inline void stack_bounds(__u64 gp, __u64 *lo, __u64 *hi)
{
	__u64 b[2] = {};

	if (off_g_stack_hi == off_g_stack_lo + 8) {
		bpf_probe_read_user(b, sizeof(b), (const void *)(gp + off_g_stack_lo));
		*lo = b[0];
		*hi = b[1];
		return;
	}
	*lo = read_u64(gp + off_g_stack_lo);
	*hi = read_u64(gp + off_g_stack_hi);
}

static __always_inline __u64 stack_size(__u64 gp)
{
	__u64 lo, hi;

	stack_bounds(gp, &lo, &hi);
	return hi - lo;
}

static __always_inline int emit_create(struct gotl_bpf_stats *st, __u64 ts, __u64 ip, __u64 g,
				       __u64 gp, __u32 to)
{
	struct gotl_ev_create *e;
	__u64 bias, parent, parent_goid, gopc, startpc, lo, hi, w[3] = {};

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		lose(st, GOTL_PROBE_CASGSTATUS, GOTL_REC_CREATE);
		return 0;
	}
	/* At a uprobe ip is the probed instruction: runtime - link = load bias. */
	bias = ip - probe_addr[GOTL_PROBE_CASGSTATUS];
	/*
	 * newproc1 runs on g0 (systemstack); m.curg is the goroutine running
	 * `go`. This thread's state knows its m and, as the goroutine it last
	 * ran, nearly always its goid: one read (m.curg) instead of three.
	 */
	parent = current_user_g_goid(thread_state(), g, &parent_goid);
	if (parent == gp)
		parent = parent_goid = 0;
	/* gopc and startpc: 16 bytes apart in every version, one read. */
	if (off_g_startpc == off_g_gopc + 16) {
		bpf_probe_read_user(w, sizeof(w), (const void *)(gp + off_g_gopc));
		gopc = w[0];
		startpc = w[2];
	} else {
		gopc = read_u64(gp + off_g_gopc);
		startpc = read_u64(gp + off_g_startpc);
	}

	e->hdr.type = GOTL_REC_CREATE;
	e->hdr.size = sizeof(*e);
	e->hdr.tid = (__u32)bpf_get_current_pid_tgid();
	e->hdr.ts = ts;
	e->gp = gp;
	/* On Go <= 1.23 the field still holds the previous life's goid here. */
	e->goid = goid_at_create ? read_u64(gp + off_g_goid) : 0;
	e->parent_gp = parent;
	e->parent_goid = parent_goid;
	e->startpc = startpc ? startpc - bias : 0;
	e->gopc = gopc ? gopc - bias : 0;
	e->to = to;
	e->reason = to == GOTL_G_WAITING ? read_u8(gp + off_g_waitreason) : 0;
	e->probe = GOTL_PROBE_CASGSTATUS;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	bpf_ringbuf_submit(e, submit_flags());
	__sync_fetch_and_add(&st->emitted[GOTL_PROBE_CASGSTATUS], 1);
	/*
	 * The creating goroutine's stack: newproc switched to g0 with systemstack,
	 * which saved its frame pointer in g.sched.bp; the first return address
	 * on that chain is the `go` statement's.
	 */
	if (stack_depth && parent) {
		stack_bounds(parent, &lo, &hi);
		emit_stack(st, GOTL_PROBE_CASGSTATUS, ts, bias, gp, GOTL_STACK_CREATE, 0,
			   read_u64(parent + off_g_sched_bp), lo, hi, stack_size(gp));
	}
	return 0;
}

/* runtime.casgstatus(gp *g, oldval, newval uint32): RAX, EBX, ECX. */
SEC("uprobe")
int casgstatus(struct pt_regs *ctx)
{
	__u64 ts = bpf_ktime_get_boot_ns();
	__u64 gp = ctx->rax;
	__u32 from = (__u32)ctx->rbx;
	__u32 to = (__u32)ctx->rcx;
	__u64 g = ctx->r14;
	__u64 ip = ctx->rip;
	__u64 sp = ctx->rsp;
	struct gotl_bpf_stats *st = probe_hit(GOTL_PROBE_CASGSTATUS);
	__u64 waker = 0, waker_goid = 0, goid, bias, ret, lo, hi, pc;
	struct ghead h;
	struct gwin w;
	__u8 reason, *fix;
	int park, in_park_m;

	if (!st)
		return 0;

	/* Stack growth (Running <-> Copystack) is not a scheduling event. */
	if (from == GOTL_G_COPYSTACK || to == GOTL_G_COPYSTACK)
		return 0;
	/* A g struct being allocated (Idle -> Dead / DeadExtra) is not a goroutine yet. */
	if (from == GOTL_G_IDLE)
		return 0;
	/*
	 * Go 1.26+, a syscall left without a P, already told as Syscall -> Runnable
	 * (exitsyscall): exitsyscall's fallback from its CAS (Syscall -> Running) and
	 * exitsyscallNoP's Running -> Runnable are that same wait.
	 */
	if (sysexitp_on && ((from == GOTL_G_SYSCALL && to == GOTL_G_RUNNING) ||
			    (from == GOTL_G_RUNNING && to == GOTL_G_RUNNABLE))) {
		struct thread_state *t = thread_state();

		if (t && t->nop_gp == gp) {
			if (to == GOTL_G_RUNNABLE)
				t->nop_gp = 0;
			return 0;
		}
	}
	if (from == GOTL_G_DEAD && (to == GOTL_G_RUNNABLE || to == GOTL_G_WAITING))
		return emit_create(st, ts, ip, g, gp, to);

	if ((from == GOTL_G_WAITING || from == GOTL_G_PREEMPTED) && to == GOTL_G_RUNNABLE) {
		waker = current_user_g_goid(thread_state(), g, &waker_goid);
		if (waker == gp)
			waker = waker_goid = 0;
	}
	park = stack_depth && from == GOTL_G_RUNNING && to == GOTL_G_WAITING;
	/* One read of the g: all a park with its stack needs, or goid and waitreason. */
	if (park) {
		if (bpf_probe_read_user(&h, sizeof(h), (const void *)gp))
			__builtin_memset(&h, 0, sizeof(h));
		goid = ghead_u64(&h, gp, off_g_goid);
		reason = ghead_u8(&h, gp, off_g_waitreason);
	} else {
		gwin_read(&w, gp);
		goid = w.goid;
		reason = to == GOTL_G_WAITING ? gwin_reason(&w, gp) : 0;
	}
	if (from == GOTL_G_RUNNING)
		flush_galloc(st, GOTL_PROBE_CASGSTATUS, ts, gp, goid);
	else if (to == GOTL_G_RUNNING)
		start_galloc(gp);
	if (to == GOTL_G_RUNNING)
		note_running(gp, goid);
	if (to != GOTL_G_WAITING)
		reason = 0;
	if (casg_fix_on && from == GOTL_G_RUNNING && to == GOTL_G_WAITING) {
		ret = read_u64(sp + casg_ret_off) - (ip - probe_addr[GOTL_PROBE_CASGSTATUS]);
		fix = bpf_map_lookup_elem(&casg_fix, &ret);
		if (fix)
			reason = *fix;
	}
	emit_status(st, GOTL_PROBE_CASGSTATUS, ts, gp, goid, from, to, reason, waker, waker_goid);

	/*
	 * A park: when casgstatus was called by park_m, mcall has just saved the
	 * goroutine's state in g.sched (pc in gopark, bp its frame): its stack
	 * is there to walk, with no trap at gopark.
	 */
	if (park) {
		bias = ip - probe_addr[GOTL_PROBE_CASGSTATUS];
		pc = ghead_u64(&h, gp, off_g_sched_pc);
		lo = ghead_u64(&h, gp, off_g_stack_lo);
		hi = ghead_u64(&h, gp, off_g_stack_hi);
		if (gopark_end) {
			in_park_m = ghead_u64(&h, gp, off_g_sched_sp) &&
				    pc - bias >= gopark_start && pc - bias < gopark_end;
		} else {
			ret = read_u64(sp + casg_ret_off) - bias;
			in_park_m = ret >= park_m_start && ret < park_m_end;
		}
		if (in_park_m)
			emit_stack(st, GOTL_PROBE_CASGSTATUS, ts, bias, gp, GOTL_STACK_BLOCK, pc,
				   ghead_u64(&h, gp, off_g_sched_bp), lo, hi, hi - lo);
	}
	return 0;
}

/*
 * Go 1.26+: runtime.reentersyscall(pc, sp, bp) and runtime.exitsyscall()
 * switch Running <-> Syscall with a direct CAS. Both run on the user
 * goroutine; take it from R14 -> m -> curg all the same (m and the goid as
 * this thread's state knows them: one read).
 */
SEC("uprobe")
int reentersyscall(struct pt_regs *ctx)
{
	__u64 ts = bpf_ktime_get_boot_ns();
	__u64 g = ctx->r14;
	struct gotl_bpf_stats *st = probe_hit(GOTL_PROBE_REENTERSYSCALL);
	__u64 gp, goid;

	if (!st)
		return 0;
	gp = current_user_g_goid(thread_state(), g, &goid);
	if (!gp)
		return 0;
	flush_galloc(st, GOTL_PROBE_REENTERSYSCALL, ts, gp, goid);
	return emit_status(st, GOTL_PROBE_REENTERSYSCALL, ts, gp, goid, GOTL_G_RUNNING,
			   GOTL_G_SYSCALL, 0, 0, 0);
}

/*
 * exitsyscall switches to Running even when the goroutine's P was taken
 * during the syscall (by sysmon, a stop-the-world, entersyscallblock): m.p
 * is then 0, and the goroutine waits for a P before it runs again. That
 * wait is told as Runnable: Syscall -> Runnable here; Runnable -> Running
 * where it gets one (sysexitp), or, when none is free, the Running ->
 * Runnable of exitsyscallNoP is dropped (casgstatus) and the scheduler's
 * Runnable -> Running ends the wait.
 */
SEC("uprobe")
int exitsyscall(struct pt_regs *ctx)
{
	__u64 ts = bpf_ktime_get_boot_ns();
	__u64 g = ctx->r14;
	struct gotl_bpf_stats *st = probe_hit(GOTL_PROBE_EXITSYSCALL);
	struct thread_state *t = thread_state();
	__u64 gp, goid;

	if (!st)
		return 0;
	gp = current_user_g_goid(t, g, &goid);
	if (!gp)
		return 0;
	if (sysexitp_on && t && t->m && !read_u64(t->m + off_m_p)) {
		t->nop_gp = gp;
		return emit_status(st, GOTL_PROBE_EXITSYSCALL, ts, gp, goid, GOTL_G_SYSCALL,
				   GOTL_G_RUNNABLE, 0, 0, 0);
	}
	start_galloc(gp);
	return emit_status(st, GOTL_PROBE_EXITSYSCALL, ts, gp, goid, GOTL_G_SYSCALL, GOTL_G_RUNNING,
			   0, 0, 0);
}

/*
 * Go 1.26+: exitsyscall, having left its syscall without a P, got one
 * (exitsyscallTryGetP) and installs it: the probe is on its call of
 * acquirepNoTrace, on the system stack (R14 is g0; m.curg the goroutine).
 */
SEC("uprobe")
int sysexitp(struct pt_regs *ctx)
{
	__u64 ts = bpf_ktime_get_boot_ns();
	__u64 g = ctx->r14;
	struct gotl_bpf_stats *st = probe_hit(GOTL_PROBE_SYSEXITP);
	struct thread_state *t = thread_state();
	__u64 gp, goid;

	if (!st)
		return 0;
	gp = current_user_g_goid(t, g, &goid);
	if (!gp || !t || t->nop_gp != gp)
		return 0;
	t->nop_gp = 0;
	start_galloc(gp);
	note_running(gp, goid);
	return emit_status(st, GOTL_PROBE_SYSEXITP, ts, gp, goid, GOTL_G_RUNNABLE, GOTL_G_RUNNING,
			   0, 0, 0);
}

/* runtime.preemptPark(gp *g): Running -> Preempted, bypassing casgstatus. */
SEC("uprobe")
int preemptpark(struct pt_regs *ctx)
{
	__u64 ts = bpf_ktime_get_boot_ns();
	__u64 gp = ctx->rax;
	struct gotl_bpf_stats *st = probe_hit(GOTL_PROBE_PREEMPTPARK);
	__u64 goid;

	if (!st)
		return 0;
	goid = read_u64(gp + off_g_goid);
	flush_galloc(st, GOTL_PROBE_PREEMPTPARK, ts, gp, goid);
	return emit_status(st, GOTL_PROBE_PREEMPTPARK, ts, gp, goid, GOTL_G_RUNNING,
			   GOTL_G_PREEMPTED, 0, 0, 0);
}

/*
 * runtime.coroswitch_m(gp *g), Go 1.22+: gp blocks (waitReasonCoroutine) or
 * exits (gp.coroexit; that exit goes through casgstatus), and the goroutine
 * parked in the coro, ((*coro)gp.coroarg).gp, starts running — both with a
 * direct CAS. One trap, two records.
 */
SEC("uprobe")
int coroswitch(struct pt_regs *ctx)
{
	__u64 ts = bpf_ktime_get_boot_ns();
	__u64 gp = ctx->rax;
	struct gotl_bpf_stats *st = probe_hit(GOTL_PROBE_COROSWITCH);
	__u64 coro, next, goid, ngoid;
	__u8 exiting;

	if (!st)
		return 0;
	exiting = read_u8(gp + off_g_coroexit);
	coro = read_u64(gp + off_g_coroarg);
	next = coro ? read_u64(coro + off_coro_gp) : 0;
	goid = read_u64(gp + off_g_goid);
	if (!exiting) {
		flush_galloc(st, GOTL_PROBE_COROSWITCH, ts, gp, goid);
		emit_status(st, GOTL_PROBE_COROSWITCH, ts, gp, goid, GOTL_G_RUNNING, GOTL_G_WAITING,
			    reason_coroutine, 0, 0);
	}
	if (next && next != gp) {
		start_galloc(next);
		ngoid = read_u64(next + off_g_goid);
		note_running(next, ngoid);
		emit_status(st, GOTL_PROBE_COROSWITCH, ts, next, ngoid, GOTL_G_WAITING,
			    GOTL_G_RUNNING, 0, gp, goid);
	}
	return 0;
}

/* ---- allocations ---------------------------------------------------------- */

/*
 * Go's size classes (runtime/sizeclasses.go, internal/runtime/gc from 1.25):
 * the same table in every Go version gotl supports (1.17 to 1.27).
 */
static const __u16 class_to_size[68] = {
	0,     8,     16,    24,    32,	   48,	  64,	 80,	96,    112,   128,   144,
	160,   176,   192,   208,   224,   240,	  256,	 288,	320,   352,   384,   416,
	448,   480,   512,   576,   640,   704,	  768,	 896,	1024,  1152,  1280,  1408,
	1536,  1792,  2048,  2304,  2688,  3072,  3200,	 3456,	4096,  4864,  5376,  6144,
	6528,  6784,  6912,  8192,  9472,  9728,  10240, 10880, 12288, 13568, 14336, 16384,
	18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768,
};
static const __u8 size_to_class8[129] = {
	0,  1,	2,  3,	4,  5,	5,  6,	6,  7,	7,  8,	8,  9,	9,  10, 10, 11, 11, 12, 12, 13,
	13, 14, 14, 15, 15, 16, 16, 17, 17, 18, 18, 19, 19, 19, 19, 20, 20, 20, 20, 21, 21, 21,
	21, 22, 22, 22, 22, 23, 23, 23, 23, 24, 24, 24, 24, 25, 25, 25, 25, 26, 26, 26, 26, 27,
	27, 27, 27, 27, 27, 27, 27, 28, 28, 28, 28, 28, 28, 28, 28, 29, 29, 29, 29, 29, 29, 29,
	29, 30, 30, 30, 30, 30, 30, 30, 30, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31,
	31, 31, 31, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32,
};
static const __u8 size_to_class128[249] = {
	32, 33, 34, 35, 36, 37, 37, 38, 38, 39, 39, 40, 40, 40, 41, 41, 41, 42, 43, 43, 44, 44, 44,
	44, 44, 45, 45, 45, 45, 45, 45, 46, 46, 46, 46, 47, 47, 47, 47, 47, 47, 48, 48, 48, 49, 49,
	50, 51, 51, 51, 51, 51, 51, 51, 51, 51, 51, 52, 52, 52, 52, 52, 52, 52, 52, 52, 52, 53, 53,
	54, 54, 54, 54, 55, 55, 55, 55, 55, 56, 56, 56, 56, 56, 56, 56, 56, 56, 56, 56, 57, 57, 57,
	57, 57, 57, 57, 57, 57, 57, 58, 58, 58, 58, 58, 58, 59, 59, 59, 59, 59, 59, 59, 59, 59, 59,
	59, 59, 59, 59, 59, 59, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 61,
	61, 61, 61, 61, 62, 62, 62, 62, 62, 62, 62, 62, 62, 62, 62, 63, 63, 63, 63, 63, 63, 63, 63,
	63, 63, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
	64, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 66,
	66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67,
	67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67,
};

/*
 * The heap bytes an allocation of size takes, as the runtime accounts them
 * (runtime.MemStats.TotalAlloc): its size class; whole 8 KiB pages above
 * 32 KiB; 8 bytes more for the malloc header of an object with pointers
 * over 512 bytes (Go 1.22+). A tiny allocation (pointer-free, under 16
 * bytes) shares a 16-byte block with others: it counts its own size.
 */
static __always_inline __u64 heap_bytes(__u64 size, int noscan)
{
	__u64 idx;

	if (noscan && size < 16)
		return size;
	/* Go 1.22+ decides small or large before adding the header. */
	if (size > (malloc_header ? 32768 - 8 : 32768))
		return (size + 8191) & ~8191ull;
	if (malloc_header && !noscan && size > 512)
		size += 8;
	if (size <= 1024 - 8) {
		idx = (size + 7) >> 3;
		if (idx >= sizeof(size_to_class8))
			return size;
		idx = size_to_class8[idx];
	} else {
		idx = (size - 1024 + 127) >> 7;
		if (idx >= sizeof(size_to_class128))
			return size;
		idx = size_to_class128[idx];
	}
	if (idx >= sizeof(class_to_size) / sizeof(class_to_size[0]))
		return size;
	return class_to_size[idx];
}

/* What the goroutine running on this thread allocated (see thread_alloc). */
static __always_inline void count_galloc(struct gotl_bpf_alloc_cpu *c, __u64 bytes)
{
	struct gotl_bpf_thread_alloc *t = thread_alloc_get();

	if (!t) {
		__sync_fetch_and_add(&c->untracked_g, 1);
		return;
	}
	t->count++;
	t->bytes += bytes;
}

static __always_inline void count_class(struct gotl_bpf_alloc_cpu *c,
					const struct gotl_alloc_key *key, __u64 size)
{
	struct gotl_bpf_alloc_class *v, zero = {};

	v = bpf_map_lookup_elem(&alloc_classes, key);
	if (!v) {
		bpf_map_update_elem(&alloc_classes, key, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&alloc_classes, key);
		if (!v) {
			__sync_fetch_and_add(&c->unclassified, 1);
			return;
		}
	}
	__sync_fetch_and_add(&v->count, 1);
	__sync_fetch_and_add(&v->bytes, size);
}

/* Is it this allocation's turn to be sent? Returns the bytes it stands for, or 0. */
static __always_inline __u64 sample_weight(struct gotl_bpf_alloc_cpu *c, __u64 size)
{
	__u64 since;

	if (alloc_mode == GOTL_ALLOC_ALL)
		return size;
	if (!c->next_sample) /* this CPU's first allocation: start the countdown */
		c->next_sample = bpf_get_prandom_u32() % (alloc_sample_bytes | 1) + 1;
	since = c->since_sample + size;
	if (since < c->next_sample) {
		c->since_sample = since;
		return 0;
	}
	/* Uniform in [mean/2, 3*mean/2): no aliasing with periodic allocation patterns. */
	c->since_sample = 0;
	c->next_sample = alloc_sample_bytes / 2 + bpf_get_prandom_u32() % (alloc_sample_bytes | 1);
	return since;
}

/*
 * runtime.mallocgc(size uintptr, typ *_type, needzero bool) and its
 * size-specialised siblings (same arguments): RAX = size, RBX = typ. At the
 * probe (before the function's own frame exists) RBP is still the caller's
 * frame pointer and the return address is at rsp + ret_off.
 */
SEC("uprobe")
int mallocgc(struct pt_regs *ctx)
{
	__u64 size = ctx->rax;
	__u64 typ = ctx->rbx;
	__u64 g = ctx->r14;
	__u64 ip = ctx->rip;
	__u64 sp = ctx->rsp;
	__u64 fp = ctx->rbp;
	__u64 cookie = bpf_get_attach_cookie(ctx);
	struct gotl_bpf_stats *st = probe_hit(GOTL_PROBE_MALLOC);
	struct gotl_alloc_key key = {};
	struct gotl_ev_alloc *e;
	struct gotl_bpf_alloc_cpu *c;
	struct frame f;
	__u64 bias, ret = 0, gp, weight, bytes, ts, lo = 0, hi = 0;
	__u64 t[2] = {}; /* abi.Type: Size_ at 0, PtrBytes at 8 (0: no pointers) */
	__u32 zero = 0, i;

	if (!st)
		return 0;
	if (!size)
		return 0; /* &zerobase: not an allocation */
	bias = ip - COOKIE_ADDR(cookie);
	/* The caller: to tell mallocgc's own dispatch, and to name untyped memory. */
	if ((cookie & COOKIE_SIBLING) || !typ)
		ret = read_u64(sp + COOKIE_RET_OFF(cookie));
	/* mallocgc dispatching into a sibling: already counted at mallocgc. */
	if ((cookie & COOKIE_SIBLING) && ret - bias >= mallocgc_start && ret - bias < mallocgc_end)
		return 0;
	c = bpf_map_lookup_elem(&alloc_totals, &zero);
	if (!c)
		return 0;
	if (typ)
		bpf_probe_read_user(t, sizeof(t), (const void *)typ);
	bytes = heap_bytes(size, !typ || !t[1]);
	__sync_fetch_and_add(&c->count, 1);
	__sync_fetch_and_add(&c->bytes, bytes);

	count_galloc(c, bytes);

	if (typ) {
		key.type = typ - bias;
		if (size > t[0])
			key.flags = GOTL_ALLOC_ARRAY;
	} else {
		/* Untyped: who asked, as return addresses up the frame-pointer chain. */
		key.pcs[0] = ret ? ret - bias : 0;
		if (g)
			stack_bounds(g, &lo, &hi);
		for (i = 1; i < GOTL_ALLOC_PCS; i++) {
			if (fp < lo || fp + sizeof(f) > hi || (fp & 7))
				break;
			if (bpf_probe_read_user(&f, sizeof(f), (const void *)fp) || !f.ret)
				break;
			key.pcs[i] = f.ret - bias;
			if (f.next <= fp)
				break;
			fp = f.next;
		}
		fp = ctx->rbp;
	}
	count_class(c, &key, bytes);

	weight = sample_weight(c, bytes);
	if (!weight)
		return 0;
	ts = bpf_ktime_get_boot_ns();
	gp = current_user_g(g);
	if (!ret)
		ret = read_u64(sp + COOKIE_RET_OFF(cookie));
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		lose(st, GOTL_PROBE_MALLOC, GOTL_REC_ALLOC);
		return 0;
	}
	e->hdr.type = GOTL_REC_ALLOC;
	e->hdr.size = sizeof(*e);
	e->hdr.tid = (__u32)bpf_get_current_pid_tgid();
	e->hdr.ts = ts;
	e->gp = gp;
	e->goid = gp ? read_u64(gp + off_g_goid) : 0;
	e->size = size;
	e->weight = weight;
	__builtin_memcpy(&e->key, &key, sizeof(key));
	bpf_ringbuf_submit(e, submit_flags());
	__sync_fetch_and_add(&st->emitted[GOTL_PROBE_MALLOC], 1);
	if (stack_depth && g) {
		if (!lo)
			stack_bounds(g, &lo, &hi);
		emit_stack(st, GOTL_PROBE_MALLOC, ts, bias, gp, GOTL_STACK_ALLOC, ret, fp, lo, hi,
			   gp ? stack_size(gp) : 0);
	}
	return 0;
}

/* ---- garbage collector ---------------------------------------------------- */

static __always_inline int emit_gc(int probe, __u8 what, __u8 arg, __u64 g)
{
	__u64 ts = bpf_ktime_get_boot_ns();
	struct gotl_bpf_stats *st = probe_hit(probe);
	struct gotl_ev_gc *e;
	__u64 gp;

	if (!st)
		return 0;
	gp = current_user_g(g);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		lose(st, probe, GOTL_REC_GC);
		return 0;
	}
	e->hdr.type = GOTL_REC_GC;
	e->hdr.size = sizeof(*e);
	e->hdr.tid = (__u32)bpf_get_current_pid_tgid();
	e->hdr.ts = ts;
	e->gp = gp;
	e->goid = gp ? read_u64(gp + off_g_goid) : 0;
	e->what = what;
	e->arg = arg;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	bpf_ringbuf_submit(e, submit_flags());
	__sync_fetch_and_add(&st->emitted[probe], 1);
	return 0;
}

/* runtime.gcStart(trigger gcTrigger): RAX = trigger.kind. */
SEC("uprobe")
int gcstart(struct pt_regs *ctx)
{
	__u64 kind = ctx->rax;
	__u64 g = ctx->r14;

	return emit_gc(GOTL_PROBE_GCSTART, GOTL_GC_TRIGGER, kind > 254 ? 254 : (__u8)kind, g);
}

SEC("uprobe")
int gcbegin(struct pt_regs *ctx)
{
	__u64 g = ctx->r14;

	return emit_gc(GOTL_PROBE_GCBEGIN, GOTL_GC_BEGIN, 0, g);
}

SEC("uprobe")
int gcmarkterm(struct pt_regs *ctx)
{
	__u64 g = ctx->r14;

	return emit_gc(GOTL_PROBE_GCMARKTERM, GOTL_GC_MARKTERM, 0, g);
}

/* runtime.stopTheWorldWithSema([reason stwReason]): AL = reason on Go 1.21+. */
SEC("uprobe")
int stwstop(struct pt_regs *ctx)
{
	__u64 rax = ctx->rax;
	__u64 g = ctx->r14;

	return emit_gc(GOTL_PROBE_STWSTOP, GOTL_GC_STW_STOP,
		       stw_reason_arg ? (__u8)rax : GOTL_GC_STW_UNKNOWN, g);
}

SEC("uprobe")
int stwstart(struct pt_regs *ctx)
{
	__u64 g = ctx->r14;

	return emit_gc(GOTL_PROBE_STWSTART, GOTL_GC_STW_START, 0, g);
}

/*
 * The traced process exec'd (tracepoint sched_process_exec, attached with
 * BTF, no tracefs needed). target_tgid is set by the recorder once it knows
 * the pid; the recorder removes the uprobes when it sees this.
 *
 * --follow (follow = 1): the traced process and every process it forks,
 * transitively, are in `followed`; an exec in any of them is reported and
 * the process is stopped (SIGSTOP, before the new program's first
 * instruction) so that the recorder can put probes in the new program before
 * it runs; the recorder then sends SIGCONT. target_skip_execs: launch mode's
 * own exec (the child becoming the program) is reported but not stopped.
 */
volatile __u32 target_tgid;
volatile __u32 target_skip_execs;
const volatile __u32 follow = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u32);
} followed SEC(".maps");

struct linux_binprm {
	const char *filename;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

#define SIGSTOP_NR	19

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, void *task, int old_pid, struct linux_binprm *bprm)
{
	struct gotl_ev_exec *e;
	__u32 tgid = (__u32)(bpf_get_current_pid_tgid() >> 32);
	const char *fn;
	__u32 stop;

	if (!target_tgid)
		return 0;
	if (tgid == target_tgid && target_skip_execs) {
		target_skip_execs = 0;
		stop = 0;
	} else if (tgid == target_tgid) {
		stop = follow;
	} else if (follow && bpf_map_lookup_elem(&followed, &tgid)) {
		stop = 1;
	} else {
		return 0;
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0; /* not stopped either: it is simply not followed */
	e->hdr.type = GOTL_REC_EXEC;
	e->hdr.size = sizeof(*e);
	e->hdr.tid = tgid;
	e->hdr.ts = bpf_ktime_get_boot_ns();
	e->pid = tgid;
	e->old_pid = (__u32)old_pid;
	fn = BPF_CORE_READ(bprm, filename);
	if (bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), fn) < 0)
		e->filename[0] = 0;
	e->flags = tgid != target_tgid ? GOTL_EXEC_FOLLOWED : 0;
	e->pad = 0;
	if (stop && bpf_send_signal(SIGSTOP_NR) == 0)
		e->flags |= GOTL_EXEC_STOPPED;
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	return 0;
}

/* --follow: a child of a followed process is followed. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = (__u32)parent->tgid, ctgid = (__u32)child->tgid, one = 1;

	if (ptgid == ctgid || (ptgid != target_tgid && !bpf_map_lookup_elem(&followed, &ptgid)))
		return 0;
	bpf_map_update_elem(&followed, &ctgid, &one, BPF_ANY);
	return 0;
}

/* --follow: a followed process is gone (its leader exited). */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *p)
{
	__u32 tgid = (__u32)p->tgid;

	if (p->pid == p->tgid)
		bpf_map_delete_elem(&followed, &tgid);
	return 0;
}
