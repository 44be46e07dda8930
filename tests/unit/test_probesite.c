// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_probesite.c: probe placement on real Go prologues (bytes copied from
 * `go tool objdump` of binaries built with each toolchain) and on inputs
 * the decoder must refuse to step over.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "probesite.h"

/* Go 1.26 runtime.casgstatus: nosplit, starts with push %rbp (emulated). */
static const uint8_t casg_126[] = {
	0x55, 0x48, 0x89, 0xe5, 0x48, 0x83, 0xec, 0x58, 0x48, 0x89, 0x44, 0x24, 0x68,
};

/*
 * Go 1.19 runtime.casgstatus: sub $0x40,%rsp; mov %rbp,0x38(%rsp);
 * lea 0x38(%rsp),%rbp; mov %rax,0x48(%rsp); mov %ebx,0x50(%rsp);
 * mov %ecx,0x54(%rsp); bt $0xc,%ebx; nop; jb ...
 */
static const uint8_t casg_119[] = {
	0x48, 0x83, 0xec, 0x40, 0x48, 0x89, 0x6c, 0x24, 0x38, 0x48, 0x8d, 0x6c,
	0x24, 0x38, 0x48, 0x89, 0x44, 0x24, 0x48, 0x89, 0x5c, 0x24, 0x50, 0x89,
	0x4c, 0x24, 0x54, 0x0f, 0xba, 0xe3, 0x0c, 0x90, 0x72, 0x0a,
};

/* Go 1.26 runtime.preemptPark: cmp 0x18(%r14),%rsp; jbe morestack (a split function). */
static const uint8_t split_126[] = {
	0x49, 0x3b, 0x66, 0x18, 0x0f, 0x86, 0xc1, 0x02, 0x00, 0x00, 0x55,
};

/*
 * Go 1.19 runtime.reentersyscall: sub; mov; lea; mov %rax; mov %rbx; mov %r14;
 * mov 0x30(%r14),%rcx
 */
static const uint8_t clobber_119[] = {
	0x48, 0x83, 0xec, 0x30, 0x48, 0x89, 0x6c, 0x24, 0x28, 0x48, 0x8d, 0x6c, 0x24, 0x28,
	0x48, 0x89, 0x44, 0x24, 0x38, 0x48, 0x89, 0x5c, 0x24, 0x40, 0x4c, 0x89, 0x74, 0x24,
	0x10, 0x49, 0x8b, 0x4e, 0x30, 0xff, 0x81, 0x08, 0x01, 0x00, 0x00, 0x90,
};

static void test_push_at_entry(void **state)
{
	struct probesite ps;

	assert_int_equal(probesite__choose(casg_126, sizeof(casg_126), &ps), 0);
	assert_int_equal(ps.offset, 0);
	assert_int_equal(ps.sp_delta, 0);
	assert_true(ps.emulated);
	assert_string_equal(ps.insn, "push %rbp");
}

static void test_nop_after_prologue(void **state)
{
	struct probesite ps;

	assert_int_equal(probesite__choose(casg_119, sizeof(casg_119), &ps), 0);
	assert_int_equal(ps.offset, 0x1f);
	assert_int_equal(ps.sp_delta, 0x40); /* the return address is at rsp+0x40 */
	assert_true(ps.emulated);
	assert_string_equal(ps.insn, "nop");
}

static void test_jbe_in_split_function(void **state)
{
	struct probesite ps;

	assert_int_equal(probesite__choose(split_126, sizeof(split_126), &ps), 0);
	assert_int_equal(ps.offset, 4);
	assert_int_equal(ps.sp_delta, 0);
	assert_true(ps.emulated);
}

/* A load into RCX (an argument register) comes before the nop: fall back to the entry. */
static void test_clobbered_argument_falls_back(void **state)
{
	struct probesite ps;

	assert_int_equal(probesite__choose(clobber_119, sizeof(clobber_119), &ps), 0);
	assert_int_equal(ps.offset, 0);
	assert_false(ps.emulated);
	assert_non_null(strstr(ps.insn, "single-stepped"));
}

/* Unknown or cut-off instructions are never stepped over. */
static void test_unknown_and_truncated(void **state)
{
	static const uint8_t unknown[] = { 0x0f, 0x05, 0x90 }; /* syscall; nop */
	static const uint8_t cut[] = { 0x48, 0x83 };	       /* half an instruction */
	static const uint8_t nop5[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	struct probesite ps;

	assert_int_equal(probesite__choose(unknown, sizeof(unknown), &ps), 0);
	assert_int_equal(ps.offset, 0);
	assert_false(ps.emulated);
	assert_int_equal(probesite__choose(cut, sizeof(cut), &ps), 0);
	assert_int_equal(ps.offset, 0);
	assert_false(ps.emulated);
	assert_int_equal(probesite__choose(nop5, sizeof(nop5), &ps), 0);
	assert_int_equal(ps.offset, 0);
	assert_true(ps.emulated);
	assert_int_equal(probesite__choose(nop5, 0, &ps), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_at_entry),
		cmocka_unit_test(test_nop_after_prologue),
		cmocka_unit_test(test_jbe_in_split_function),
		cmocka_unit_test(test_clobbered_argument_falls_back),
		cmocka_unit_test(test_unknown_and_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
