// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * probesite.c: a deliberately small x86-64 decoder for Go function
 * prologues (see probesite.h for why). It knows three kinds of instruction:
 *
 *   emulated  push r64, nop (0x90, 66 90), nop5 (0f 1f 44 00 00), jcc, jmp,
 *             call — the kernel runs these without single-stepping; the
 *             first one reached is the probe site;
 *   safe      instructions that write only memory, flags, RSP by a known
 *             amount, or registers the probes do not read: stores to the
 *             stack, loads/lea into scratch registers, cmp/test/bt, sub $n,%rsp;
 *   anything  else: stop, and fall back to the entry.
 *
 * A branch is never stepped over: the first jcc/jmp/call found is itself
 * the site, so the site is executed on every call.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "probesite.h"

/* Registers the probes read at the site: RAX RCX RBX RSP RSI RDI R14. */
#define PROTECTED ((1u << 0) | (1u << 1) | (1u << 3) | (1u << 4) | (1u << 6) | (1u << 7) | \
		   (1u << 14))

enum kind { K_STOP, K_SAFE, K_EMULATED };

struct insn {
	enum kind kind;
	unsigned len;
	unsigned sp_sub; /* RSP decrement done by this instruction */
	const char *what;
};

/* Length of a ModRM operand (modrm + sib + displacement), 0 if out of bytes. */
static unsigned modrm_len(const uint8_t *p, size_t avail)
{
	unsigned mod, rm, len = 1;

	if (avail < 1)
		return 0;
	mod = p[0] >> 6;
	rm = p[0] & 7;
	if (mod != 3 && rm == 4) {
		if (avail < 2)
			return 0;
		len++;
		if (mod == 0 && (p[1] & 7) == 5)
			len += 4;
	}
	if (mod == 0 && rm == 5)
		len += 4;
	else if (mod == 1)
		len += 1;
	else if (mod == 2)
		len += 4;
	return len <= avail ? len : 0;
}

static bool writes_protected(unsigned reg)
{
	return PROTECTED & (1u << reg);
}

static void decode(const uint8_t *p, size_t avail, struct insn *in)
{
	unsigned i = 0, rex = 0, ml, reg, rm, mod, imm;
	bool opsize = false;
	uint8_t op;

	memset(in, 0, sizeof(*in));
	in->kind = K_STOP;
	in->what = "?";
	while (i < avail && p[i] == 0x66) {
		opsize = true;
		i++;
	}
	if (i < avail && (p[i] & 0xf0) == 0x40)
		rex = p[i++];
	if (i >= avail)
		return;
	op = p[i++];

	/* Emulated by the kernel's uprobe code (arch/x86/kernel/uprobes.c). */
	if (op >= 0x50 && op <= 0x57) {
		in->kind = K_EMULATED;
		in->len = i;
		in->sp_sub = 8;
		in->what = (op == 0x55 && !(rex & 1)) ? "push %rbp" : "push";
		return;
	}
	if (op == 0x90 && !rex) {
		in->kind = K_EMULATED;
		in->len = i;
		in->what = "nop";
		return;
	}
	if (op >= 0x70 && op <= 0x7f && i + 1 <= avail) {
		in->kind = K_EMULATED;
		in->len = i + 1;
		in->what = "jcc";
		return;
	}
	if ((op == 0xe8 || op == 0xe9) && i + 4 <= avail) {
		in->kind = K_EMULATED;
		in->len = i + 4;
		in->what = op == 0xe8 ? "call" : "jmp";
		return;
	}
	if (op == 0xeb && i + 1 <= avail) {
		in->kind = K_EMULATED;
		in->len = i + 1;
		in->what = "jmp";
		return;
	}

	if (op == 0x0f) {
		if (i >= avail)
			return;
		op = p[i++];
		if (op >= 0x80 && op <= 0x8f && i + 4 <= avail) {
			in->kind = K_EMULATED;
			in->len = i + 4;
			in->what = "jcc";
			return;
		}
		if (op == 0x1f) {
			ml = modrm_len(p + i, avail - i);
			if (!ml)
				return;
			/* The 5-byte nop is optimized by kernels with uprobe nop5 support. */
			in->kind = (!opsize && !rex && i == 2 && ml == 3 && p[2] == 0x44 &&
				    p[3] == 0x00 && p[4] == 0x00) ?
					   K_EMULATED :
					   K_SAFE;
			in->len = i + ml;
			in->what = in->kind == K_EMULATED ? "nop5" : "nopl";
			return;
		}
		if (op == 0xba && i < avail && ((p[i] >> 3) & 7) == 4) { /* bt $imm8, r/m */
			ml = modrm_len(p + i, avail - i);
			if (!ml || i + ml + 1 > avail)
				return;
			in->kind = K_SAFE;
			in->len = i + ml + 1;
			in->what = "bt";
		}
		return;
	}

	if (i >= avail)
		return;
	ml = modrm_len(p + i, avail - i);
	if (!ml)
		return;
	mod = p[i] >> 6;
	reg = ((p[i] >> 3) & 7) | ((rex & 4) ? 8 : 0);
	rm = (p[i] & 7) | ((rex & 1) ? 8 : 0);

	switch (op) {
	case 0x88:
	case 0x89: /* mov r, r/m */
		if (mod == 3 && writes_protected(rm))
			return;
		in->what = "mov (store)";
		break;
	case 0x8a:
	case 0x8b:
	case 0x8d: /* mov r/m, r; lea m, r */
		if (writes_protected(reg))
			return;
		in->what = op == 0x8d ? "lea" : "mov (load)";
		break;
	case 0x38:
	case 0x39:
	case 0x3a:
	case 0x3b:
	case 0x84:
	case 0x85: /* cmp, test */
		in->what = "cmp";
		break;
	case 0x80:
	case 0x83:
	case 0x81: { /* group 1 with an immediate */
		unsigned sub = (p[i] >> 3) & 7;

		imm = op == 0x81 ? (opsize ? 2 : 4) : 1;
		if (i + ml + imm > avail)
			return;
		if (sub == 7) { /* cmp */
			in->what = "cmp";
		} else if (sub == 5 && mod == 3 && rm == 4 && (rex & 8)) { /* sub $imm, %rsp */
			const uint8_t *ip = p + i + ml;

			in->sp_sub = imm == 1 ? ip[0] :
						(unsigned)(ip[0] | ip[1] << 8 | ip[2] << 16 |
							   (unsigned)ip[3] << 24);
			if (imm == 1 && (ip[0] & 0x80))
				return; /* a negative sub: not a prologue */
			in->what = "sub $n,%rsp";
		} else if (mod != 3) {
			in->what = "alu (memory)";
		} else {
			return;
		}
		in->kind = K_SAFE;
		in->len = i + ml + imm;
		return;
	}
	case 0xc6:
	case 0xc7: /* mov $imm, r/m */
		if (mod == 3 || ((p[i] >> 3) & 7) != 0)
			return;
		imm = op == 0xc6 ? 1 : (opsize ? 2 : 4);
		if (i + ml + imm > avail)
			return;
		in->kind = K_SAFE;
		in->len = i + ml + imm;
		in->what = "mov (store imm)";
		return;
	case 0xff: /* inc/dec of memory */
		if (mod == 3 || ((p[i] >> 3) & 7) > 1)
			return;
		in->what = "inc (memory)";
		break;
	default:
		return;
	}
	in->kind = K_SAFE;
	in->len = i + ml;
}

int probesite__choose(const uint8_t *code, size_t len, struct probesite *out)
{
	struct insn in;
	unsigned off = 0, sp = 0;

	if (!len)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	while (off < len) {
		decode(code + off, len - off, &in);
		if (in.kind == K_EMULATED) {
			out->offset = off;
			out->sp_delta = sp;
			out->emulated = true;
			snprintf(out->insn, sizeof(out->insn), "%s", in.what);
			return 0;
		}
		if (in.kind != K_SAFE)
			break;
		off += in.len;
		sp += in.sp_sub;
	}
	/* No emulated site before an instruction we do not understand: the entry. */
	decode(code, len, &in);
	out->offset = 0;
	out->sp_delta = 0;
	out->emulated = false;
	snprintf(out->insn, sizeof(out->insn), "%s (single-stepped)", in.what);
	return 0;
}
