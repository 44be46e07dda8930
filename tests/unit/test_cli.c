// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_cli.c: the parsers of option values (cli/common.c) give the value
 * the help promises, and refuse what would wrap, truncate or carry junk
 * (tests/cli/test_cli.py runs the same through ./gotl).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include "cli.h"

static uint64_t bytes(const char *s, uint64_t max)
{
	uint64_t v = 12345;

	assert_int_equal(cli_parse_bytes(s, max, &v), 0);
	return v;
}

static void no_bytes(const char *s, uint64_t max)
{
	uint64_t v = 12345;

	assert_int_equal(cli_parse_bytes(s, max, &v), -EINVAL);
	assert_int_equal(v, 12345); /* untouched */
}

static void test_bytes(void **state)
{
	assert_int_equal(bytes("512", 1 << 30), 512);
	assert_int_equal(bytes("512B", 1 << 30), 512);
	assert_int_equal(bytes("64K", 1 << 30), 64 << 10);
	assert_int_equal(bytes("64k", 1 << 30), 64 << 10);
	assert_int_equal(bytes("16M", 1 << 30), 16 << 20);
	assert_int_equal(bytes("16MiB", 1 << 30), 16 << 20);
	assert_int_equal(bytes("16Mi", 1 << 30), 16 << 20);
	assert_int_equal(bytes("16MB", 1 << 30), 16 << 20);
	assert_int_equal(bytes("1G", 1 << 30), 1 << 30);
	assert_int_equal(bytes("1048576K", 1 << 30), 1 << 30);
	assert_int_equal(bytes("0", 1 << 30), 0);
	assert_int_equal(bytes("18446744073709551615", UINT64_MAX), UINT64_MAX);
	/* The range applies to the value, not to the digits before the unit. */
	no_bytes("17179869185G", UINT64_MAX); /* (2^34 + 1) << 30 wraps to 1G */
	no_bytes("17179869184G", UINT64_MAX); /* 2^64 exactly */
	no_bytes("1025M", 1 << 30);
	no_bytes("1073741825", 1 << 30);
	no_bytes("18446744073709551616", UINT64_MAX);
	no_bytes("99999999999999999999999", UINT64_MAX);
	const char *junk[] = { "",     "-1",   "+1",	 " 1",	 "1 ", "1x", "0x10", "1.5M",
			       "16iB", "16BB", "16MiBx", "16MM", "1T", "K",  "1e3" };
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		no_bytes(junk[i], UINT64_MAX);
}

static void test_uint(void **state)
{
	uint64_t v = 7;

	assert_int_equal(cli_parse_uint("16", 0, 16, &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(cli_parse_uint("0", 0, 16, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(cli_parse_uint("0016", 0, 16, &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(cli_parse_uint("2147483647", 1, INT_MAX, &v), 0);
	assert_int_equal(v, INT_MAX);
	v = 7;
	/* 2^32 + 1 and 2^32 + 16 are 1 and 16 once cut to an int. */
	assert_int_equal(cli_parse_uint("4294967297", 0, 16, &v), -EINVAL);
	assert_int_equal(cli_parse_uint("4294967312", 0, 16, &v), -EINVAL);
	assert_int_equal(cli_parse_uint("4294967306", 1, INT_MAX, &v), -EINVAL);
	assert_int_equal(cli_parse_uint("2147483648", 1, INT_MAX, &v), -EINVAL);
	assert_int_equal(cli_parse_uint("17", 0, 16, &v), -EINVAL);
	assert_int_equal(cli_parse_uint("0", 1, 16, &v), -EINVAL);
	assert_int_equal(cli_parse_uint("-1", 0, 16, &v), -EINVAL);
	assert_int_equal(cli_parse_uint("", 0, 16, &v), -EINVAL);
	assert_int_equal(cli_parse_uint("1 ", 0, 16, &v), -EINVAL);
	assert_int_equal(cli_parse_uint("18446744073709551616", 0, UINT64_MAX, &v), -EINVAL);
	assert_int_equal(v, 7);
	assert_int_equal(cli_parse_uint("18446744073709551615", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, UINT64_MAX);
}

static void test_duration(void **state)
{
	static const struct {
		const char *s;
		uint64_t ns;
	} good[] = {
		{ "30", 30000000000ull },   { "1.5s", 1500000000ull },
		{ "2.5s", 2500000000ull },  { "500ms", 500000000ull },
		{ "100us", 100000ull },	    { "2m", 120000000000ull },
		{ "1h", 3600000000000ull }, { "0.5", 500000000ull },
		{ "0.001us", 1 },	    { "277777h", 999997200000000000ull },
	};
	const char *bad[] = {
		"",    "0",   "0s",  "-1s",  "+1s",	 " 1s",	    "1s ",
		"nan", "inf", "1e3", "0x10", "1.",	 ".5",	    "1..5",
		"5ss", "5S",  "10d", "1s5",  "0.0001us", "277778h", "1000000000000000000000000s"
	};
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 0;
		assert_int_equal(cli_parse_duration(good[i].s, &v), 0);
		assert_int_equal(v, good[i].ns);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 7;
		if (cli_parse_duration(bad[i], &v) != -EINVAL)
			fail_msg("'%s' taken as %llu ns", bad[i], (unsigned long long)v);
		assert_int_equal(v, 7);
	}
}

static void test_compress_and_format(void **state)
{
	int level = -1, f = -1;

	assert_int_equal(cli_parse_compress(false, NULL, &level), 0);
	assert_int_equal(level, 0);
	assert_int_equal(cli_parse_compress(true, NULL, &level), 0);
	assert_int_equal(level, 1);
	assert_int_equal(cli_parse_compress(true, "9", &level), 0);
	assert_int_equal(level, 9);
	assert_int_equal(cli_parse_compress(true, "4294967297", &level), -EINVAL);
	assert_int_equal(cli_parse_compress(true, "0", &level), -EINVAL);
	assert_int_equal(cli_parse_compress(true, "", &level), -EINVAL);
	assert_int_equal(level, 9);
	assert_int_equal(cli_parse_format("json", &f), 0);
	assert_int_equal(f, CONVERT_JSON);
	assert_int_equal(cli_parse_format("protobuf", &f), 0);
	assert_int_equal(f, CONVERT_PERFETTO);
	assert_int_equal(cli_parse_format("JSON", &f), -EINVAL);
	assert_int_equal(cli_out_format(-1, "x.JSON"), CONVERT_JSON);
	assert_int_equal(cli_out_format(-1, "x.pftrace"), CONVERT_PERFETTO);
	assert_int_equal(cli_out_format(-1, NULL), CONVERT_PERFETTO);
	assert_int_equal(cli_out_format(CONVERT_PERFETTO, "x.json"), CONVERT_PERFETTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_uint),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_compress_and_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
