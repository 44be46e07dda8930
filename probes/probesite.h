/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * probesite: choose where in a Go function's prologue to put a uprobe.
 *
 * A uprobe costs ~0.6 us when the kernel can emulate the probed instruction
 * (push, 1-byte nop, jmp/jcc, call, the 5-byte nop) and ~11 us when it must
 * single-step it out of line (e.g. Go's `sub $N,%rsp` or the stack-bound
 * `cmp` every split function starts with). So: walk the straight-line
 * prologue from the entry, and pick the first emulated instruction that
 * every call executes and that comes before anything writes the registers
 * the probe reads (RAX, RBX, RCX, RDI, RSI, R14) — arguments and g.
 *
 * Pure: decodes bytes, no I/O. It understands only the instructions Go's
 * compilers put in prologues; on anything else it stops and falls back to
 * the entry (correct, only slower), and says so.
 */
#ifndef GOTL_PROBESITE_H
#define GOTL_PROBESITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct probesite {
	unsigned offset;   /* bytes from the function entry */
	unsigned sp_delta; /* RSP at the site = RSP at entry - sp_delta */
	bool emulated;	   /* the kernel emulates the instruction: no single-step */
	char insn[40];	   /* what the instruction is, e.g. "push %rbp", "jbe", "nop" */
};

/*
 * Analyse code (the first len bytes of a function; 64 are plenty) and fill
 * *out. Always succeeds for len > 0: the fallback is offset 0, emulated
 * only if the entry instruction itself is. Returns 0, or -EINVAL for len 0.
 */
int probesite__choose(const uint8_t *code, size_t len, struct probesite *out);

#endif /* GOTL_PROBESITE_H */
