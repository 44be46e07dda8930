// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bare.bpf.c: an empty uprobe program — the floor every gotl figure in
 * `make bench` is measured against: what one trap on this machine costs,
 * with nothing done in it. Test-only; gotl never loads it.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("uprobe")
int bare(void *ctx)
{
	return 0;
}
