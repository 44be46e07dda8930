// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * probeset.c: the BPF object of one recording (see probeset.h): open, fill
 * rodata, load, attach, detach. The plan says what goes where; this file
 * only hands it to libbpf and the kernel. It must not read the events or
 * write the log: the recorder does (record.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "gotl/event.h"
#include "diag.h"
#include "plan.h"
#include "probeset.h"
#include "umulti.h"
#include "gotl.skel.h"

/* errno as -errno, never 0: libbpf does not always set it. Before a diag, which may change it. */
static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

bool probeset__on(const struct probeset *ps, int i)
{
	if (!ps->plan->probes[i].found)
		return false;
	return i != GOTL_PROBE_MALLOC || ps->o.alloc_mode != GOTL_ALLOC_OFF;
}

/* What the programs must know before they load: offsets, sites, options. */
static void fill_rodata(struct probeset *ps)
{
	const struct plan *pl = ps->plan;
	const struct probeset_opts *o = &ps->o;
	struct gotl_bpf *skel = ps->skel;
	int i;

	/* Every offset the programs read that the binary has (gooffsets.h). */
#define OFFSET_RODATA(field)						\
	if (pl->off.field >= 0)						\
		skel->rodata->off_##field = (__u64)pl->off.field;
	GOBIN_BPF_OFFSETS(OFFSET_RODATA)
#undef OFFSET_RODATA
	if (pl->probes[GOTL_PROBE_COROSWITCH].found)
		skel->rodata->reason_coroutine = (__u32)pl->reason_coroutine;
	skel->rodata->goid_at_create = pl->goid_at_create;
	skel->rodata->casg_ret_off = pl->probes[GOTL_PROBE_CASGSTATUS].site.sp_delta;
	skel->rodata->casg_fix_on = pl->nreason_fix > 0;
	skel->rodata->stw_reason_arg = pl->stw_reason_arg;
	skel->rodata->sysexitp_on = pl->probes[GOTL_PROBE_SYSEXITP].found;
	skel->rodata->malloc_header = pl->malloc_header;
	skel->rodata->alloc_mode = (__u32)o->alloc_mode;
	skel->rodata->alloc_sample_bytes = o->alloc_sample_bytes ? o->alloc_sample_bytes :
								   512 << 10;
	skel->rodata->mallocgc_start = pl->probes[GOTL_PROBE_MALLOC].fn.entry;
	skel->rodata->mallocgc_end = pl->probes[GOTL_PROBE_MALLOC].fn.end;
	if (pl->stacks && o->stack_depth > 0) {
		skel->rodata->stack_depth = o->stack_depth > GOTL_STACK_MAX ? GOTL_STACK_MAX :
									      (__u32)o->stack_depth;
		skel->rodata->park_m_start = pl->park_m.entry;
		skel->rodata->park_m_end = pl->park_m.end;
		skel->rodata->gopark_start = pl->gopark.entry;
		skel->rodata->gopark_end = pl->gopark.end;
	}
	skel->rodata->wakeup_bytes = o->ring_size / 4;
	/* Execs and forks are watched from the first set only. */
	skel->rodata->follow = o->follow;
	if (o->followed)
		bpf_program__set_autoload(skel->progs.on_exec, false);
	if (o->followed || !o->follow) {
		bpf_program__set_autoload(skel->progs.on_fork, false);
		bpf_program__set_autoload(skel->progs.on_exit, false);
	}
	for (i = 0; i < GOTL_PROBE_MAX; i++) {
		if (probeset__on(ps, i))
			skel->rodata->probe_addr[i] = pl->probes[i].addr;
		else
			bpf_program__set_autoload(ps->progs[i], false);
		if (probeset__on(ps, i) && ps->multi)
			bpf_program__set_expected_attach_type(ps->progs[i], UMULTI_ATTACH_TYPE);
	}
}

/* Go <= 1.19: the casgstatus call sites that park before setting g.waitreason. */
static int fill_casg_fix(struct probeset *ps)
{
	const struct plan *pl = ps->plan;
	int i, err;

	_Static_assert(sizeof(pl->reason_fix) / sizeof(pl->reason_fix[0]) <= GOTL_CASG_FIX_MAX,
		       "every reason fix fits in the BPF map casg_fix");
	for (i = 0; i < pl->nreason_fix; i++) {
		__u64 ret = pl->reason_fix[i].ret;
		__u8 reason = pl->reason_fix[i].reason;

		err = bpf_map__update_elem(ps->skel->maps.casg_fix, &ret, sizeof(ret), &reason,
					   sizeof(reason), BPF_ANY);
		if (err) {
			diag("cannot fill the BPF map casg_fix: %s", strerror(-err));
			return err;
		}
	}
	return 0;
}

int probeset__new(const struct plan *plan, const struct probeset_opts *o, struct probeset **out)
{
	struct probeset *ps;
	int err;

	ps = calloc(1, sizeof(*ps));
	if (!ps) {
		diag("out of memory");
		return -ENOMEM;
	}
	ps->plan = plan;
	ps->o = *o;
	ps->skel = gotl_bpf__open();
	if (!ps->skel) {
		err = neg_errno();
		diag("cannot open the BPF object: %s", strerror(-err));
		goto fail;
	}
#define PROBE_PROG(name, program, function) \
	ps->progs[GOTL_PROBE_##name] = ps->skel->progs.program;
	GOTL_PROBE_LIST(PROBE_PROG)
#undef PROBE_PROG
	ps->multi = umulti__supported();
	fill_rodata(ps);
	err = bpf_map__set_max_entries(ps->skel->maps.events, (__u32)o->ring_size);
	if (err) {
		diag("invalid ring buffer size %zu: %s", o->ring_size, strerror(-err));
		goto fail;
	}
	err = gotl_bpf__load(ps->skel);
	if (err) {
		if (err == -EPERM || err == -EACCES)
			diag("cannot load the BPF programs: %s (gotl record needs root, or "
			     "CAP_BPF and CAP_PERFMON)",
			     strerror(-err));
		else
			diag("cannot load the BPF programs: %s%s", strerror(-err),
			     o->verbose ? "" : " (-v shows libbpf's details)");
		goto fail;
	}
	err = fill_casg_fix(ps);
	if (err)
		goto fail;
	*out = ps;
	return 0;
fail:
	probeset__free(ps);
	return err;
}

/*
 * The allocation program's cookie: where it is (for the load bias), where
 * the return address is, and whether mallocgc may be the caller (see
 * gotl.bpf.c).
 */
static __u64 malloc_cookie(const struct plan_probe *p, bool sibling)
{
	return (p->addr & ((1ull << 48) - 1)) | ((__u64)(p->site.sp_delta & 0xff) << 48) |
	       (sibling ? 1ull << 56 : 0);
}

static int attach_one(struct probeset *ps, struct bpf_program *prog, const struct plan_probe *p,
		      pid_t pid, __u64 cookie, struct bpf_link **out)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .bpf_cookie = cookie);
	int err;

	*out = bpf_program__attach_uprobe_opts(prog, pid, ps->plan->path, (size_t)p->file_offset,
					       &uo);
	if (*out)
		return 0;
	err = neg_errno();
	diag("cannot attach a uprobe to %s in '%s': %s", p->func, ps->plan->path, strerror(-err));
	return err;
}

/*
 * One uprobe_multi link for probe i's program: its site, and for
 * allocations every allocation function's.
 */
static int attach_multi(struct probeset *ps, int i, pid_t pid)
{
	const struct plan *pl = ps->plan;
	const struct plan_probe *p = &pl->probes[i];
	size_t n = 1, k;
	uint64_t *offs, *cookies;
	int fd;

	if (i == GOTL_PROBE_MALLOC)
		n += (size_t)pl->nmallocs;
	offs = calloc(n, sizeof(*offs));
	cookies = calloc(n, sizeof(*cookies));
	if (!offs || !cookies) {
		free(offs);
		free(cookies);
		diag("out of memory");
		return -ENOMEM;
	}
	offs[0] = p->file_offset;
	cookies[0] = i == GOTL_PROBE_MALLOC ? malloc_cookie(p, false) : 0;
	for (k = 1; k < n; k++) {
		offs[k] = pl->mallocs[k - 1].file_offset;
		cookies[k] = malloc_cookie(&pl->mallocs[k - 1], true);
	}
	fd = umulti__attach(bpf_program__fd(ps->progs[i]), pl->path, offs, cookies, n, pid);
	free(offs);
	free(cookies);
	if (fd < 0) {
		diag("cannot attach a uprobe to %s in '%s': %s", p->func, pl->path, strerror(-fd));
		return fd;
	}
	ps->mlinks[ps->nmlinks++] = fd;
	return 0;
}

/* The exec tracepoint, and with follow the fork and exit ones. */
static int attach_tracepoints(struct probeset *ps, pid_t pid)
{
	const struct probeset_opts *o = &ps->o;
	int err;

	/* Execs first: the launch mode's own exec comes right after this. */
	ps->skel->bss->target_tgid = (__u32)pid;
	ps->skel->bss->target_skip_execs = o->attach ? 0 : 1;
	if (o->followed)
		return 0;
	ps->exec_link = bpf_program__attach(ps->skel->progs.on_exec);
	if (!ps->exec_link) {
		err = neg_errno();
		if (o->follow) {
			diag("cannot watch for exec (tracepoint sched_process_exec: %s): cannot "
			     "--follow",
			     strerror(-err));
			return err;
		}
		diag("warning: cannot watch for exec (tracepoint sched_process_exec: %s): if the "
		     "program execs, the trace goes on as if it had not",
		     strerror(-err));
	}
	if (o->follow) {
		ps->fork_link = bpf_program__attach(ps->skel->progs.on_fork);
		ps->exit_link = bpf_program__attach(ps->skel->progs.on_exit);
		if (!ps->fork_link || !ps->exit_link) {
			err = neg_errno();
			diag("cannot watch for new processes (tracepoints sched_process_fork/exit: "
			     "%s): cannot --follow",
			     strerror(-err));
			return err;
		}
	}
	return 0;
}

int probeset__attach(struct probeset *ps, pid_t pid)
{
	const struct plan *pl = ps->plan;
	int i, err;

	err = attach_tracepoints(ps, pid);
	if (err)
		return err;
	for (i = 0; ps->multi && i < GOTL_PROBE_MAX; i++)
		if (probeset__on(ps, i) && (err = attach_multi(ps, i, pid)))
			return err;
	if (ps->multi)
		return 0;
	for (i = 0; i < GOTL_PROBE_MAX; i++) {
		const struct plan_probe *p = &pl->probes[i];

		if (!probeset__on(ps, i))
			continue;
		err = attach_one(ps, ps->progs[i], p, pid,
				 i == GOTL_PROBE_MALLOC ? malloc_cookie(p, false) : 0,
				 &ps->links[i]);
		if (err)
			return err;
	}
	if (!probeset__on(ps, GOTL_PROBE_MALLOC) || !pl->nmallocs)
		return 0;
	ps->malloc_links = calloc((size_t)pl->nmallocs, sizeof(*ps->malloc_links));
	if (!ps->malloc_links) {
		diag("out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < pl->nmallocs; i++) {
		err = attach_one(ps, ps->progs[GOTL_PROBE_MALLOC], &pl->mallocs[i], pid,
				 malloc_cookie(&pl->mallocs[i], true), &ps->malloc_links[i]);
		if (err)
			return err;
	}
	return 0;
}

void probeset__detach(struct probeset *ps, bool all)
{
	int i;

	/*
	 * A perf_event uprobe takes ~0.1 s to go (an RCU grace period, serialised
	 * in the kernel); a uprobe_multi link ~0.05 s, and closed together their
	 * grace periods overlap.
	 */
	umulti__close(ps->mlinks, (size_t)ps->nmlinks);
	ps->nmlinks = 0;
	for (i = 0; i < GOTL_PROBE_MAX; i++) {
		bpf_link__destroy(ps->links[i]);
		ps->links[i] = NULL;
	}
	for (i = 0; ps->malloc_links && i < ps->plan->nmallocs; i++) {
		bpf_link__destroy(ps->malloc_links[i]);
		ps->malloc_links[i] = NULL;
	}
	ps->off = true;
	/* --follow: the exec and fork tracepoints stay until the end of the recording. */
	if (ps->o.follow && !ps->o.followed && !all)
		return;
	bpf_link__destroy(ps->exec_link);
	ps->exec_link = NULL;
	bpf_link__destroy(ps->fork_link);
	ps->fork_link = NULL;
	bpf_link__destroy(ps->exit_link);
	ps->exit_link = NULL;
}

void probeset__free(struct probeset *ps)
{
	if (!ps)
		return;
	probeset__detach(ps, true);
	free(ps->malloc_links);
	gotl_bpf__destroy(ps->skel);
	free(ps);
}

/*
 * The program has exited: its probes protect nothing any more, but removing
 * them takes ~0.1 s each (an RCU grace period per uprobe, one after the
 * other in the kernel), a second or more before gotl could write the trace
 * and exit. A detached grandchild takes a reference to them and drops it
 * when it exits, which is when the kernel removes them; gotl's own closes
 * are then instant. It holds nothing else: its stdio is /dev/null (a pipe
 * that gotl writes to sees its end when gotl exits), and it is reaped by
 * init. If it cannot be made, the probes are removed here as before.
 */
void probeset__release_in_background(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return;
	if (pid == 0) {
		if (fork() != 0)
			_exit(0);
		setsid();
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}
