// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * gotl.bpf.c: uprobes on the Go runtime that turn goroutine state
 * transitions into struct gotl_ev_status / gotl_ev_create records in a ring
 * buffer. One trap per transition: runtime.casgstatus sees almost all of
 * them; the other programs cover only the transitions the runtime makes
 * without casgstatus (Go 1.26 syscall fast paths, GC preemption parks,
 * coroutine switches), and the loader attaches them only where needed.
 *
 * Keep this file small and cheap: no strings, no maps on the hot path beyond
 * the per-CPU counters; a handful of user-memory reads per event, plus one
 * bounded frame-pointer walk (GOTL_STACK_MAX reads at most) when a goroutine
 * parks or is created, if stacks are asked for.
 * Every register is read unconditionally into a local first (the verifier
 * rejects loads from a ctx pointer chosen at run time). Never a uretprobe:
 * Go moves goroutine stacks and a rewritten return address crashes it.
 */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "gotl/event.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * Filled by the loader before load (probes/record.c). Offsets come from the
 * binary's DWARF or gotl's per-version table (probes/gobin.c).
 */
const volatile __u64 off_g_goid = 152;
const volatile __u64 off_g_waitreason = 176;
const volatile __u64 off_g_gopc = 288;
const volatile __u64 off_g_startpc = 304;
const volatile __u64 off_g_m = 48;
const volatile __u64 off_g_coroarg = 0;
const volatile __u64 off_g_coroexit = 0;
const volatile __u64 off_m_curg = 184;
const volatile __u64 off_coro_gp = 0;
const volatile __u64 off_g_stack_lo = 0;
const volatile __u64 off_g_stack_hi = 8;
const volatile __u64 off_g_sched_pc = 64;
const volatile __u64 off_g_sched_bp = 96;
/* Frames to walk for stacks (0: no stacks), at most GOTL_STACK_MAX. */
const volatile __u32 stack_depth = 0;
/* Where casgstatus's return address is at the probe: rsp + this. */
const volatile __u64 casg_ret_off = 0;
/* runtime.park_m [start, end), link-time: a park whose g.sched is fresh. */
const volatile __u64 park_m_start = 0;
const volatile __u64 park_m_end = 0;
/* Link-time address of the instruction each probe sits on (for the PIE bias). */
const volatile __u64 probe_addr[GOTL_PROBE_MAX];
/* 1 when the runtime writes the new goid before the creation transition (Go 1.24+). */
const volatile __u32 goid_at_create = 0;
/* waitReason value of "coroutine" in this binary. */
const volatile __u32 reason_coroutine = 0;
/* Wake the consumer only when this much data waits; below it, it drains on a timer. */
const volatile __u64 wakeup_bytes = 1 << 20;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);	/* resized by the loader */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gotl_bpf_stats);
} stats SEC(".maps");

static __always_inline struct gotl_bpf_stats *stats_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&stats, &zero);
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

/* Submit without waking the consumer unless a lot of data waits. */
static __always_inline __u64 submit_flags(void)
{
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

static __always_inline int emit_status(struct gotl_bpf_stats *st, int probe, __u64 ts,
				       __u64 gp, __u32 from, __u32 to, __u32 reason,
				       __u64 waker)
{
	struct gotl_ev_status *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&st->lost[probe], 1);
		return 0;
	}
	e->hdr.type = GOTL_REC_STATUS;
	e->hdr.size = sizeof(*e);
	e->hdr.tid = (__u32)bpf_get_current_pid_tgid();
	e->hdr.ts = ts;
	e->gp = gp;
	e->goid = read_u64(gp + off_g_goid);
	e->other_gp = waker;
	e->other_goid = waker ? read_u64(waker + off_g_goid) : 0;
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
	__u64 next;	/* the caller's frame pointer */
	__u64 ret;	/* the return address into the caller */
};

/*
 * Record gp's stack for the event just emitted: pc0 (if non-zero), then
 * the return addresses along the frame-pointer chain from fp, staying
 * inside the stack [lo, hi) and moving only towards its top.
 */
static __always_inline void emit_stack(struct gotl_bpf_stats *st, __u64 ts, __u64 bias,
				       __u64 gp, __u8 kind, __u64 pc0, __u64 fp, __u64 lo,
				       __u64 hi, __u64 gp_stack_size)
{
	struct gotl_ev_stack *e;
	struct frame f;
	__u32 n = 0, i;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&st->lost[GOTL_PROBE_CASGSTATUS], 1);
		return;
	}
	if (pc0) {
		e->pcs[0] = pc0 - bias;
		n = 1;
	}
	e->truncated = 0;
	for (i = 0; i < GOTL_STACK_MAX; i++) {
		if (fp < lo || fp + sizeof(f) > hi || (fp & 7))
			break;
		if (bpf_probe_read_user(&f, sizeof(f), (const void *)fp) || !f.ret)
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
	__sync_fetch_and_add(&st->emitted[GOTL_PROBE_CASGSTATUS], 1);
}

static __always_inline __u64 stack_size(__u64 gp)
{
	return read_u64(gp + off_g_stack_hi) - read_u64(gp + off_g_stack_lo);
}

static __always_inline int emit_create(struct gotl_bpf_stats *st, __u64 ts, __u64 ip,
				       __u64 g, __u64 gp, __u32 to)
{
	struct gotl_ev_create *e;
	__u64 bias, parent, pc;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&st->lost[GOTL_PROBE_CASGSTATUS], 1);
		return 0;
	}
	/* At a uprobe ip is the probed instruction: runtime - link = load bias. */
	bias = ip - probe_addr[GOTL_PROBE_CASGSTATUS];
	/* newproc1 runs on g0 (systemstack); m.curg is the goroutine running `go`. */
	parent = current_user_g(g);
	if (parent == gp)
		parent = 0;

	e->hdr.type = GOTL_REC_CREATE;
	e->hdr.size = sizeof(*e);
	e->hdr.tid = (__u32)bpf_get_current_pid_tgid();
	e->hdr.ts = ts;
	e->gp = gp;
	/* On Go <= 1.23 the field still holds the previous life's goid here. */
	e->goid = goid_at_create ? read_u64(gp + off_g_goid) : 0;
	e->parent_gp = parent;
	e->parent_goid = parent ? read_u64(parent + off_g_goid) : 0;
	pc = read_u64(gp + off_g_startpc);
	e->startpc = pc ? pc - bias : 0;
	pc = read_u64(gp + off_g_gopc);
	e->gopc = pc ? pc - bias : 0;
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
	if (stack_depth && parent)
		emit_stack(st, ts, bias, gp, GOTL_STACK_CREATE, 0,
			   read_u64(parent + off_g_sched_bp), read_u64(parent + off_g_stack_lo),
			   read_u64(parent + off_g_stack_hi), stack_size(gp));
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
	struct gotl_bpf_stats *st = stats_get();
	__u64 waker = 0, bias, ret;

	if (!st)
		return 0;
	__sync_fetch_and_add(&st->hits[GOTL_PROBE_CASGSTATUS], 1);

	/* Stack growth (Running <-> Copystack) is not a scheduling event. */
	if (from == GOTL_G_COPYSTACK || to == GOTL_G_COPYSTACK)
		return 0;
	/* A g struct being allocated (Idle -> Dead / DeadExtra) is not a goroutine yet. */
	if (from == GOTL_G_IDLE)
		return 0;
	if (from == GOTL_G_DEAD && (to == GOTL_G_RUNNABLE || to == GOTL_G_WAITING))
		return emit_create(st, ts, ip, g, gp, to);

	if ((from == GOTL_G_WAITING || from == GOTL_G_PREEMPTED) && to == GOTL_G_RUNNABLE) {
		waker = current_user_g(g);
		if (waker == gp)
			waker = 0;
	}
	emit_status(st, GOTL_PROBE_CASGSTATUS, ts, gp, from, to,
		    to == GOTL_G_WAITING ? read_u8(gp + off_g_waitreason) : 0, waker);

	/*
	 * A park: when casgstatus was called by park_m, mcall has just saved the
	 * goroutine's state in g.sched (pc in gopark, bp its frame): its stack
	 * is there to walk, with no trap at gopark.
	 */
	if (stack_depth && from == GOTL_G_RUNNING && to == GOTL_G_WAITING) {
		bias = ip - probe_addr[GOTL_PROBE_CASGSTATUS];
		ret = read_u64(sp + casg_ret_off) - bias;
		if (ret >= park_m_start && ret < park_m_end)
			emit_stack(st, ts, bias, gp, GOTL_STACK_BLOCK,
				   read_u64(gp + off_g_sched_pc), read_u64(gp + off_g_sched_bp),
				   read_u64(gp + off_g_stack_lo), read_u64(gp + off_g_stack_hi),
				   stack_size(gp));
	}
	return 0;
}

/*
 * Go 1.26+: runtime.reentersyscall(pc, sp, bp) and runtime.exitsyscall()
 * switch Running <-> Syscall with a direct CAS. Both run on the user
 * goroutine; take it from R14 -> m -> curg all the same.
 */
SEC("uprobe")
int reentersyscall(struct pt_regs *ctx)
{
	__u64 ts = bpf_ktime_get_boot_ns();
	__u64 g = ctx->r14;
	struct gotl_bpf_stats *st = stats_get();
	__u64 gp;

	if (!st)
		return 0;
	__sync_fetch_and_add(&st->hits[GOTL_PROBE_REENTERSYSCALL], 1);
	gp = current_user_g(g);
	if (!gp)
		return 0;
	return emit_status(st, GOTL_PROBE_REENTERSYSCALL, ts, gp, GOTL_G_RUNNING,
			   GOTL_G_SYSCALL, 0, 0);
}

SEC("uprobe")
int exitsyscall(struct pt_regs *ctx)
{
	__u64 ts = bpf_ktime_get_boot_ns();
	__u64 g = ctx->r14;
	struct gotl_bpf_stats *st = stats_get();
	__u64 gp;

	if (!st)
		return 0;
	__sync_fetch_and_add(&st->hits[GOTL_PROBE_EXITSYSCALL], 1);
	gp = current_user_g(g);
	if (!gp)
		return 0;
	return emit_status(st, GOTL_PROBE_EXITSYSCALL, ts, gp, GOTL_G_SYSCALL,
			   GOTL_G_RUNNING, 0, 0);
}

/* runtime.preemptPark(gp *g): Running -> Preempted, bypassing casgstatus. */
SEC("uprobe")
int preemptpark(struct pt_regs *ctx)
{
	__u64 ts = bpf_ktime_get_boot_ns();
	__u64 gp = ctx->rax;
	struct gotl_bpf_stats *st = stats_get();

	if (!st)
		return 0;
	__sync_fetch_and_add(&st->hits[GOTL_PROBE_PREEMPTPARK], 1);
	return emit_status(st, GOTL_PROBE_PREEMPTPARK, ts, gp, GOTL_G_RUNNING,
			   GOTL_G_PREEMPTED, 0, 0);
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
	struct gotl_bpf_stats *st = stats_get();
	__u64 coro, next;
	__u8 exiting;

	if (!st)
		return 0;
	__sync_fetch_and_add(&st->hits[GOTL_PROBE_COROSWITCH], 1);
	exiting = read_u8(gp + off_g_coroexit);
	coro = read_u64(gp + off_g_coroarg);
	next = coro ? read_u64(coro + off_coro_gp) : 0;
	if (!exiting)
		emit_status(st, GOTL_PROBE_COROSWITCH, ts, gp, GOTL_G_RUNNING, GOTL_G_WAITING,
			    reason_coroutine, 0);
	if (next && next != gp)
		emit_status(st, GOTL_PROBE_COROSWITCH, ts, next, GOTL_G_WAITING, GOTL_G_RUNNING,
			    0, gp);
	return 0;
}
