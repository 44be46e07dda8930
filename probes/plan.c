// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * plan.c: the version policy of gotl in one place (see plan.h). Facts about
 * Go versions live here and in gobin; the recorder and the inspect command
 * only consume a plan. Must not guess: a fact it cannot read or look up
 * makes the plan fail with a reason, never a silently wrong trace.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "plan.h"

/*
 * When each probe of GOTL_PROBE_LIST is needed and why: POLICY_<NAME> is
 * { first Go minor that needs it (0: all), required, why }. A probe
 * without one does not compile.
 */
#define POLICY_CASGSTATUS	{ 0, true, "every state change the runtime makes through " \
	"casgstatus: create, run, park, ready, yield, preempt, exit (and syscalls before Go 1.26)" }
#define POLICY_REENTERSYSCALL	{ 26, true, \
	"Go 1.26+ enters syscalls with a direct CAS, bypassing casgstatus" }
#define POLICY_EXITSYSCALL	{ 26, true, \
	"Go 1.26+ leaves syscalls with a direct CAS, bypassing casgstatus" }
#define POLICY_PREEMPTPARK	{ 0, false, \
	"the GC's asynchronous preemption parks a goroutine without casgstatus" }
#define POLICY_COROSWITCH	{ 22, false, \
	"coroutine switches (iter.Pull) block and run goroutines without casgstatus" }
#define POLICY_MALLOC		{ 0, false, \
	"every heap allocation (--alloc): size, type, goroutine" }
#define POLICY_GCSTART		{ 0, false, \
	"a GC is asked for, and why: heap goal, timer, runtime.GC()" }
#define POLICY_GCBEGIN		{ 0, false, \
	"runs once per GC cycle, when gcStart has decided to start one" }
#define POLICY_GCMARKTERM	{ 0, false, "marking is done: the GC's mark termination begins" }
#define POLICY_STWSTOP		{ 0, false, \
	"a stop-the-world pause begins (its reason from Go 1.21)" }
#define POLICY_STWSTART		{ 0, false, "a stop-the-world pause ends" }
#define POLICY_SYSEXITP		{ 26, false, "Go 1.26+ leaves a syscall whose P was taken " \
	"by waiting for one: where exitsyscall gets one (its call of acquirepNoTrace)" }

static const struct probe_policy {
	int since; /* first Go minor that needs it; 0 = all */
	bool required;
	const char *why;
} probe_policy[GOTL_PROBE_MAX] = {
#define PROBE_POLICY(name, program, function)	[GOTL_PROBE_##name] = POLICY_##name,
	GOTL_PROBE_LIST(PROBE_POLICY)
#undef PROBE_POLICY
};

static const char *const probe_funcs[GOTL_PROBE_MAX] = {
#define PROBE_FUNC(name, program, function)	[GOTL_PROBE_##name] = function,
	GOTL_PROBE_LIST(PROBE_FUNC)
#undef PROBE_FUNC
};

/*
 * The size-specialised allocation functions the compiler calls directly
 * for small `new(T)` (Go 1.26 with GOEXPERIMENT=sizespecializedmalloc, Go
 * 1.27+): runtime.mallocgc<family><N>. mallocgc dispatches to them too,
 * which the probe tells apart by the caller. Other runtime.mallocgc*
 * functions are only reached from these or from mallocgc.
 */
static const char *const malloc_families[] = {
	"TinySize",
	"TinySC",
	"SmallNoScanSC",
	"SmallScanNoHeaderSC",
};
static const char *const malloc_helpers[] = {
	"Large",
	"SmallNoscan",
	"SmallScanHeader",
	"SmallScanNoHeader",
	"Tiny",
	"SmallNoscanReuse",
	"SlowPathStub",
	"SmallNoScanSlowPath",
	"SmallScanSlowPath",
	"TinySlowPath",
};

int plan__resolve(const char *arg0, char out[PATH_MAX])
{
	const char *path, *p;
	char buf[PATH_MAX];

	if (strchr(arg0, '/'))
		return realpath(arg0, out) ? 0 : -errno;
	path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;;) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		/* An empty PATH entry means the current directory. */
		if (snprintf(buf, sizeof(buf), "%.*s/%s", (int)(len ? len : 1), len ? p : ".",
			     arg0) < (int)sizeof(buf) &&
		    access(buf, X_OK) == 0)
			return realpath(buf, out) ? 0 : -errno;
		if (!end)
			return -ENOENT;
		p = end + 1;
	}
}

static int find_reason(const struct plan *p, const char *name)
{
	int i;

	for (i = 0; i < p->nreasons; i++)
		if (p->reasons[i] && !strcmp(p->reasons[i], name))
			return i;
	return -1;
}

/* Choose the probe site in pp->fn. */
static int place_probe(struct plan *p, struct plan_probe *pp, char *err, size_t errlen)
{
	uint8_t code[64];
	size_t len;

	len = pp->fn.end - pp->fn.entry;
	if (len > sizeof(code))
		len = sizeof(code);
	if (!len || gobin__read(p->gb, pp->fn.entry, code, len) ||
	    probesite__choose(code, len, &pp->site) ||
	    gobin__vaddr_to_offset(p->gb, pp->fn.entry + pp->site.offset, &pp->file_offset)) {
		snprintf(err, errlen, "'%s': the code of %s is not in the file", p->path, pp->func);
		return -ENOEXEC;
	}
	pp->addr = pp->fn.entry + pp->site.offset;
	pp->found = true;
	return 0;
}

/*
 * Go <= 1.19: where the runtime parks a goroutine with casgstatus and sets
 * g.waitreason only after it (or not at all), by the function holding the
 * call (closures included), and the reason Go 1.20+ names these waits with.
 */
static const struct {
	const char *func;
	const char *reason;
} stale_reason_callers[] = {
	{ "runtime.gcAssistAlloc1", "GC assist marking" },
	{ "runtime.gcMarkTermination", "garbage collection" },
	{ "runtime.markroot", "garbage collection scan" },
	{ "runtime.gcMarkDone", "GC mark termination" },
	{ "runtime.gcBgMarkWorker", "GC worker (active)" },
	{ "runtime.stopTheWorld", "stopping the world" },
	{ "runtime.writeheapdump_m", "dumping heap" },
	{ "runtime.debugCallWrap1", "debug call" },
	{ "runtime.debugCallWrap2", "debug call" },
};

/*
 * The next call rel32 (e8) to target in code, the len bytes of a function
 * at entry, from *off on: true with *off at it, false if there is none.
 */
static bool call_at(const uint8_t *code, uint64_t len, uint64_t entry, uint64_t target,
		    uint64_t *off)
{
	for (; *off + 5 <= len; (*off)++) {
		int32_t rel;

		if (code[*off] != 0xe8)
			continue;
		memcpy(&rel, code + *off + 1, 4);
		if (entry + *off + 5 + (uint64_t)(int64_t)rel == target)
			return true;
	}
	return false;
}

/* name is base, or a closure inside it (base.funcN, base.funcN.M). */
static bool func_or_closure(const char *name, const char *base)
{
	size_t n = strlen(base);

	return !strncmp(name, base, n) && (!name[n] || !strncmp(name + n, ".func", 5));
}

/* The index of a reason: the binary's own, or a synthetic one. */
static int reason_index(struct plan *p, const char *reason)
{
	int i = find_reason(p, reason);

	if (i > 0)
		return i;
	for (i = 0; i < p->nsynth; i++)
		if (!strcmp(p->synth_reasons[i], reason))
			return PLAN_SYNTH_REASON + i;
	if (p->nsynth == PLAN_MAX_SYNTH)
		return -1;
	p->synth_reasons[p->nsynth] = reason;
	return PLAN_SYNTH_REASON + p->nsynth++;
}

/* Find the calls to casgstatus in those functions (E8 rel32 whose target is casgstatus). */
static void plan_reason_fixes(struct plan *p)
{
	const struct plan_probe *casg = &p->probes[GOTL_PROBE_CASGSTATUS];
	struct gobin_func fn;
	size_t it = 0, k;
	uint8_t *code = NULL;

	while (!gobin__func_next(p->gb, &it, &fn)) {
		uint64_t len = fn.end - fn.entry, off;
		int idx = -1;
		uint8_t *n;

		for (k = 0; k < sizeof(stale_reason_callers) / sizeof(stale_reason_callers[0]); k++)
			if (func_or_closure(fn.name, stale_reason_callers[k].func))
				break;
		if (k == sizeof(stale_reason_callers) / sizeof(stale_reason_callers[0]) ||
		    len < 5 || len > (1u << 20))
			continue;
		n = realloc(code, len);
		if (!n)
			break;
		code = n;
		if (gobin__read(p->gb, fn.entry, code, len))
			continue;
		for (off = 0; call_at(code, len, fn.entry, casg->fn.entry, &off); off++) {
			if (idx < 0 && (idx = reason_index(p, stale_reason_callers[k].reason)) < 0)
				break;
			if (p->nreason_fix == PLAN_MAX_REASON_FIX)
				break;
			p->reason_fix[p->nreason_fix].ret = fn.entry + off + 5;
			p->reason_fix[p->nreason_fix++].reason = (uint8_t)idx;
		}
	}
	free(code);
}

/*
 * Go 1.26+: the probe of GOTL_PROBE_SYSEXITP is not on its function,
 * runtime.acquirepNoTrace (every M that gets a P calls it), but on the
 * call of it in the closure of runtime.exitsyscall that installs the P
 * exitsyscallTryGetP found: the kernel emulates a call. Without that call
 * site (or m.p's offset, which exitsyscall reads to see the P was lost),
 * there is no such probe and exitsyscall says Running as before.
 */
static void plan_sysexitp(struct plan *p)
{
	struct plan_probe *pp = &p->probes[GOTL_PROBE_SYSEXITP];
	uint64_t target = pp->fn.entry;
	struct gobin_func fn;
	size_t it = 0;
	uint8_t *code = NULL;

	if (!pp->found)
		return;
	pp->found = false;
	if (p->off.m_p < 0)
		return;
	while (!pp->found && !gobin__func_next(p->gb, &it, &fn)) {
		uint64_t len = fn.end - fn.entry, off;
		uint8_t *n;

		if (!func_or_closure(fn.name, "runtime.exitsyscall") ||
		    !strcmp(fn.name, "runtime.exitsyscall") || len < 5 || len > (1u << 16))
			continue;
		n = realloc(code, len);
		if (!n)
			break;
		code = n;
		if (gobin__read(p->gb, fn.entry, code, len))
			continue;
		for (off = 0; call_at(code, len, fn.entry, target, &off); off++) {
			if (gobin__vaddr_to_offset(p->gb, fn.entry + off, &pp->file_offset))
				continue;
			pp->func = fn.name;
			pp->fn = fn;
			memset(&pp->site, 0, sizeof(pp->site));
			pp->site.offset = (unsigned)off;
			pp->site.emulated = true;
			snprintf(pp->site.insn, sizeof(pp->site.insn),
				 "call runtime.acquirepNoTrace");
			pp->addr = fn.entry + off;
			pp->found = true;
			break;
		}
	}
	free(code);
}

/* Locate one probe; a missing required function is an error. */
static int plan_probe(struct plan *p, int i, char *err, size_t errlen)
{
	struct plan_probe *pp = &p->probes[i];

	pp->func = probe_funcs[i];
	pp->why = probe_policy[i].why;
	pp->wanted = p->newer || p->minor >= probe_policy[i].since;
	if (!pp->wanted)
		return 0;
	if (gobin__find_func(p->gb, pp->func, &pp->fn)) {
		if (!probe_policy[i].required)
			return 0;
		snprintf(err, errlen, "'%s' (%s) has no %s, which gotl needs to see goroutines",
			 p->path, gobin__version(p->gb), pp->func);
		return -ENOENT;
	}
	return place_probe(p, pp, err, errlen);
}

/* Does name (after "runtime.mallocgc") match <one of list><digits> or <one of list>? */
static bool malloc_suffix_in(const char *rest, const char *const *list, size_t n, bool digits)
{
	size_t i, l;

	for (i = 0; i < n; i++) {
		l = strlen(list[i]);
		if (strncmp(rest, list[i], l))
			continue;
		if (!digits && !rest[l])
			return true;
		if (digits && rest[l] && strspn(rest + l, "0123456789") == strlen(rest + l))
			return true;
	}
	return false;
}

/* The size-specialised siblings of mallocgc, each with its own probe site. */
static int plan_mallocs(struct plan *p, char *err, size_t errlen)
{
	static const char prefix[] = "runtime.mallocgc";
	const size_t nfam = sizeof(malloc_families) / sizeof(malloc_families[0]);
	const size_t nhelp = sizeof(malloc_helpers) / sizeof(malloc_helpers[0]);
	struct gobin_func fn;
	size_t it = 0;
	int ret;

	while (!gobin__func_next(p->gb, &it, &fn)) {
		const char *rest;
		struct plan_probe *pp, *n;

		if (strncmp(fn.name, prefix, sizeof(prefix) - 1))
			continue;
		rest = fn.name + sizeof(prefix) - 1;
		if (!*rest || malloc_suffix_in(rest, malloc_helpers, nhelp, false))
			continue;
		if (!malloc_suffix_in(rest, malloc_families, nfam, true)) {
			if (!p->malloc_unknown)
				p->malloc_unknown = fn.name;
			continue;
		}
		n = realloc(p->mallocs, (size_t)(p->nmallocs + 1) * sizeof(*n));
		if (!n) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		p->mallocs = n;
		pp = &p->mallocs[p->nmallocs];
		memset(pp, 0, sizeof(*pp));
		pp->func = fn.name;
		pp->why = "a size-specialised allocation function the compiler calls directly";
		pp->wanted = true;
		pp->fn = fn;
		ret = place_probe(p, pp, err, errlen);
		if (ret)
			return ret;
		p->nmallocs++;
	}
	return 0;
}

int plan__new(const char *path, struct plan **out, char *err, size_t errlen)
{
	struct plan *p;
	int ret, i;

	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(p->path, sizeof(p->path), "%s", path);
	ret = gobin__open(path, &p->gb, err, errlen);
	if (ret)
		goto fail;
	p->minor = gobin__minor(p->gb);
	p->newer = p->minor == 0 || p->minor > GOBIN_NEWEST_KNOWN_MINOR;

	ret = gobin__offsets(p->gb, &p->off);
	if (ret || p->off.g_goid < 0 || p->off.g_waitreason < 0 || p->off.g_gopc < 0 ||
	    p->off.g_startpc < 0 || p->off.g_m < 0 || p->off.m_curg < 0) {
		if (ret == -EINVAL)
			snprintf(err, errlen,
				 "'%s' (%s): its runtime struct offsets make no sense "
				 "(%s)",
				 path, gobin__version(p->gb), p->off.source);
		else if (p->newer)
			snprintf(err, errlen,
				 "'%s' was built by %s, newer than the Go versions gotl "
				 "knows (up to go1.%d), and has no DWARF to read the runtime's "
				 "layout from: build it without -ldflags=-w, or update gotl",
				 path, gobin__version(p->gb), GOBIN_NEWEST_KNOWN_MINOR);
		else
			snprintf(err, errlen, "'%s' (%s): cannot find the runtime's struct offsets",
				 path, gobin__version(p->gb));
		ret = ret == -EINVAL ? -ENOEXEC : -ENOTSUP;
		goto fail;
	}
	if (gobin__wait_reasons(p->gb, &p->reasons, &p->nreasons, &p->reasons_how)) {
		p->reasons = NULL;
		p->nreasons = 0;
		p->reasons_how = "not found";
	}
	/* Go 1.24 moved the goid write (runtime.newproc1) before the creation CAS. */
	p->goid_at_create = p->newer || p->minor >= 24;
	p->reason_coroutine = find_reason(p, "coroutine");

	for (i = 0; i < GOTL_PROBE_MAX; i++) {
		ret = plan_probe(p, i, err, errlen);
		if (ret)
			goto fail;
	}
	if (!p->newer && p->minor <= 19)
		plan_reason_fixes(p);
	plan_sysexitp(p);
	p->alloc = p->probes[GOTL_PROBE_MALLOC].found;
	if (p->alloc) {
		ret = plan_mallocs(p, err, errlen);
		if (ret)
			goto fail;
	}
	p->stw_reason_arg = p->newer || p->minor >= 21;
	p->malloc_header = p->newer || p->minor >= 22;
	if (gobin__stw_reasons(p->gb, &p->stw_reasons, &p->nstw_reasons, NULL)) {
		p->stw_reasons = NULL;
		p->nstw_reasons = 0;
	}

	/* Coroutine switches need three more offsets; without them the probe would misread. */
	if (p->probes[GOTL_PROBE_COROSWITCH].found &&
	    (p->off.g_coroarg < 0 || p->off.g_coroexit < 0 || p->off.coro_gp < 0 ||
	     p->reason_coroutine <= 0))
		p->probes[GOTL_PROBE_COROSWITCH].found = false;

	/* Stacks: walked from g.sched at parks (through park_m) and at creations. */
	p->stacks = !gobin__find_func(p->gb, "runtime.park_m", &p->park_m) &&
		    p->off.g_sched_pc >= 0 && p->off.g_sched_bp >= 0 && p->off.g_stack_lo >= 0 &&
		    p->off.g_stack_hi >= 0;
	/* Optional: lets the park probe tell a park from g.sched alone (gotl.bpf.c). */
	if (p->off.g_sched_sp < 0 || gobin__find_func(p->gb, "runtime.gopark", &p->gopark))
		memset(&p->gopark, 0, sizeof(p->gopark));

	if (p->newer)
		snprintf(p->note, sizeof(p->note),
			 "%s is newer than the Go versions gotl knows "
			 "(go1.17 to go1.%d): the runtime's layout was read from its DWARF and "
			 "its wait reasons from the binary; the probes are those of go1.%d",
			 gobin__version(p->gb), GOBIN_NEWEST_KNOWN_MINOR, GOBIN_NEWEST_KNOWN_MINOR);
	*out = p;
	return 0;
fail:
	plan__free(p);
	return ret;
}

void plan__free(struct plan *p)
{
	if (!p)
		return;
	gobin__free(p->gb);
	free(p->mallocs);
	free(p);
}
