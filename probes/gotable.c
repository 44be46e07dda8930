/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * gotable.c: gotl's built-in runtime struct offsets for binaries without
 * DWARF, one column per Go minor version 1.17 … 1.27 of the list in
 * gooffsets.h (where the values and how they were checked are); newer
 * versions get none (gotl traces them only from their own DWARF). Also the
 * list's per-field descriptors, and the check of offsets against what
 * gotl's readers copy. Data and arithmetic only: no parsing, no I/O.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "gobin_int.h"

_Static_assert(GOBIN_TABLE_LAST_MINOR == GOBIN_NEWEST_KNOWN_MINOR,
	       "the offsets table ends at the newest Go version gotl knows");

/* One array of GOBIN_TABLE_MINORS values per field, by the field's name. */
#define COLUMN(f, st, member, sub, submember, size, ...)				\
	static const short col_##f[] = { __VA_ARGS__ };					\
	_Static_assert(sizeof(col_##f) / sizeof(col_##f[0]) == GOBIN_TABLE_MINORS,	\
		       #f ": one offset per Go minor version of the table");
GOBIN_OFFSETS(COLUMN)
#undef COLUMN

const char *const gobin_struct_names[GOBIN_S_COUNT] = {
#define NAME(tok, dwarf, copy) [GOBIN_S_##tok] = dwarf,
	GOBIN_STRUCTS(NAME)
#undef NAME
};

const int gobin_struct_copy[GOBIN_S_COUNT] = {
#define COPY(tok, dwarf, copy) [GOBIN_S_##tok] = copy,
	GOBIN_STRUCTS(COPY)
#undef COPY
};

/* A field's path: its struct's short name, the member, and the submember if any. */
#define SNAME_G		"g"
#define SNAME_M		"m"
#define SNAME_P		"p"
#define SNAME_CORO	"coro"
#define SEP_NONE	""
#define SEP_GOBUF	"."
#define SEP_STACK	"."

const struct gobin_offset_field gobin_offset_fields[] = {
#define FIELD(f, st, member, sub, submember, size, ...)					\
	{ #f, SNAME_##st "." member SEP_##sub submember, GOBIN_S_##st, member,		\
	  GOBIN_S_##sub, submember, size, offsetof(struct gobin_offsets, f) },
	GOBIN_OFFSETS(FIELD)
#undef FIELD
};
const size_t gobin_noffset_fields = sizeof(gobin_offset_fields) / sizeof(gobin_offset_fields[0]);

void gobin_offsets_unknown(struct gobin_offsets *o)
{
	*o = (struct gobin_offsets){
#define UNKNOWN(f, ...) .f = -1,
		GOBIN_OFFSETS(UNKNOWN)
#undef UNKNOWN
			.source = NULL,
	};
}

int gobin_table_offsets(int minor, struct gobin_offsets *out)
{
	static const char *const sources[GOBIN_TABLE_MINORS] = {
		"table for go1.17", "table for go1.18", "table for go1.19", "table for go1.20",
		"table for go1.21", "table for go1.22", "table for go1.23", "table for go1.24",
		"table for go1.25", "table for go1.26", "table for go1.27",
	};
	int col;

	gobin_offsets_unknown(out);
	/* A Go newer than gotl knows: no guessing; only its own DWARF will do. */
	if (minor < GOBIN_TABLE_FIRST_MINOR || minor > GOBIN_TABLE_LAST_MINOR)
		return -ENOTSUP;
	col = minor - GOBIN_TABLE_FIRST_MINOR;
#define VALUE(f, ...) out->f = col_##f[col];
	GOBIN_OFFSETS(VALUE)
#undef VALUE
	out->source = sources[col];
	return 0;
}

int gobin_offsets_check(const struct gobin_offsets *o, char *why, size_t whylen)
{
	size_t i;

	for (i = 0; i < gobin_noffset_fields; i++) {
		int v = gobin_offset_get(o, i);

		const struct gobin_offset_field *f = &gobin_offset_fields[i];
		int copy = gobin_struct_copy[f->st];

		if (v < -1 || (v >= 0 && v + f->size > copy)) {
			snprintf(why, whylen, "%s at %d is outside the %d bytes of a %s gotl reads",
				 f->path, v, copy, gobin_struct_names[f->st]);
			return -EINVAL;
		}
	}
	return 0;
}
