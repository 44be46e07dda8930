/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * gotable.c: gotl's built-in runtime struct offsets for binaries without
 * DWARF, one row per Go minor version 1.17 … 1.27; newer versions get no
 * row (gotl traces them only from their own DWARF). Every value was read
 * from the DWARF of a binary built by that toolchain (see the comment
 * above the table); tests/e2e/test_gobin.py checks
 * the table against DWARF again for every toolchain it finds. Data only: no
 * parsing, no I/O. -1 = the field does not exist in that version.
 */
#include <errno.h>

#include "gobin_int.h"

#define FIRST_MINOR 17
#define LAST_MINOR GOBIN_NEWEST_KNOWN_MINOR

/*
 * Order: stack.lo stack.hi m sched.sp sched.pc sched.bp atomicstatus goid
 * waitsince waitreason parentGoid gopc startpc coroarg coroexit | m.procid m.curg
 * m.p | p.goidcache p.goidcacheend | coro.gp
 *
 * Verified against DWARF (DW_AT_data_member_location) of tests/e2e/gobin_prog
 * built by go1.17.13, go1.18.10, go1.19.8 (Debian) and go1.19.13, go1.20.14,
 * go1.21.13, go1.22.12, go1.23.12, go1.24.13, go1.25.14, go1.26.8 and go1.27.4.
 */
static const short table[LAST_MINOR - FIRST_MINOR + 1][21] = {
	/* 1.17 */ { 0, 8, 48, 56, 64, 104, 144, 152, 168, 176, -1, 296, 312, -1, -1,
		     72, 192, 208, 1504, 1512, -1 },
	/* 1.18 */ { 0, 8, 48, 56, 64, 104, 144, 152, 168, 176, -1, 296, 312, -1, -1,
		     72, 192, 208, 384, 392, -1 },
	/* 1.19 */ { 0, 8, 48, 56, 64, 104, 144, 152, 168, 176, -1, 296, 312, -1, -1,
		     72, 192, 208, 384, 392, -1 },
	/* 1.20 */ { 0, 8, 48, 56, 64, 104, 144, 152, 168, 176, -1, 296, 312, -1, -1,
		     72, 192, 208, 384, 392, -1 },
	/* 1.21 */ { 0, 8, 48, 56, 64, 104, 144, 152, 168, 176, 272, 280, 296, -1, -1,
		     72, 192, 208, 384, 392, -1 },
	/* 1.22 */ { 0, 8, 48, 56, 64, 104, 144, 152, 168, 176, 272, 280, 296, 368, 187,
		     72, 192, 208, 384, 392, 0 },
	/* 1.23 */ { 0, 8, 48, 56, 64, 104, 152, 160, 176, 184, 280, 288, 304, 384, 195,
		     72, 192, 208, 376, 384, 0 },
	/* 1.24 */ { 0, 8, 48, 56, 64, 104, 152, 160, 176, 184, 280, 288, 304, 384, 195,
		     72, 192, 208, 376, 384, 0 },
	/* 1.25 */ { 0, 8, 48, 56, 64, 96, 144, 152, 168, 176, 272, 280, 296, 376, 187,
		     64, 184, 200, 376, 384, 0 },
	/* 1.26 */ { 0, 8, 48, 56, 64, 96, 144, 152, 168, 176, 280, 288, 304, 384, 187,
		     64, 184, 208, 384, 392, 0 },
	/* 1.27 */ { 0, 8, 48, 56, 64, 96, 144, 152, 168, 176, 280, 288, 304, 384, 187,
		     64, 184, 208, 384, 392, 0 },
};

static const char *const sources[LAST_MINOR - FIRST_MINOR + 1] = {
	"table for go1.17", "table for go1.18", "table for go1.19", "table for go1.20",
	"table for go1.21", "table for go1.22", "table for go1.23", "table for go1.24",
	"table for go1.25", "table for go1.26", "table for go1.27",
};

void gobin_offsets_unknown(struct gobin_offsets *o)
{
	*o = (struct gobin_offsets){
		.g_stack_lo = -1, .g_stack_hi = -1, .g_m = -1, .g_sched_sp = -1,
		.g_sched_pc = -1, .g_sched_bp = -1, .g_atomicstatus = -1, .g_goid = -1,
		.g_waitsince = -1, .g_waitreason = -1, .g_parentgoid = -1, .g_gopc = -1,
		.g_startpc = -1, .g_coroarg = -1, .g_coroexit = -1, .m_procid = -1,
		.m_curg = -1, .m_p = -1, .p_goidcache = -1, .p_goidcacheend = -1,
		.coro_gp = -1, .source = NULL,
	};
}

int gobin_table_offsets(int minor, struct gobin_offsets *out)
{
	const short *r;

	if (minor < FIRST_MINOR) {
		gobin_offsets_unknown(out);
		return -ENOTSUP;
	}
	if (minor > LAST_MINOR || minor == 0) {
		/* A Go newer than gotl knows: no guessing; only its own DWARF will do. */
		gobin_offsets_unknown(out);
		return -ENOTSUP;
	}
	r = table[minor - FIRST_MINOR];
	*out = (struct gobin_offsets){
		.g_stack_lo = r[0], .g_stack_hi = r[1], .g_m = r[2], .g_sched_sp = r[3],
		.g_sched_pc = r[4], .g_sched_bp = r[5], .g_atomicstatus = r[6], .g_goid = r[7],
		.g_waitsince = r[8], .g_waitreason = r[9], .g_parentgoid = r[10],
		.g_gopc = r[11], .g_startpc = r[12], .g_coroarg = r[13], .g_coroexit = r[14],
		.m_procid = r[15], .m_curg = r[16], .m_p = r[17], .p_goidcache = r[18],
		.p_goidcacheend = r[19], .coro_gp = r[20],
		.source = sources[minor - FIRST_MINOR],
	};
	return 0;
}
