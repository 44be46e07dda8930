// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * schema.c: the strings of the lists in schema.h, expanded from them. It
 * must hold nothing but those lists.
 */
#include "schema.h"

#define SCHEMA_STR(id, name)		[SCHEMA_ARG_##id] = name,
const char *const schema_arg[SCHEMA_ARG_MAX] = { SCHEMA_ARGS(SCHEMA_STR) };
#undef SCHEMA_STR

#define SCHEMA_STR(id, name)		[SCHEMA_NAME_##id] = name,
const char *const schema_name[SCHEMA_NAME_MAX] = { SCHEMA_NAMES(SCHEMA_STR) };
#undef SCHEMA_STR

#define SCHEMA_STR(id, name)		[SCHEMA_CAT_##id] = name,
const char *const schema_cat[SCHEMA_CAT_MAX] = { SCHEMA_CATS(SCHEMA_STR) };
#undef SCHEMA_STR

#define SCHEMA_STR(id, name)		[SCHEMA_TRACK_##id] = name,
const char *const schema_track[SCHEMA_TRACK_MAX] = { SCHEMA_TRACKS(SCHEMA_STR) };
#undef SCHEMA_STR

#define SCHEMA_STR(id, name)		[SCHEMA_ATTR_##id] = name,
const char *const schema_attr[SCHEMA_ATTR_MAX] = { SCHEMA_ATTRS(SCHEMA_STR) };
#undef SCHEMA_STR

#define SCHEMA_STR(id, g, k)		[SCHEMA_COUNTER_##id] = { g, k, g " " k },
const struct schema_counter_names schema_counter[SCHEMA_COUNTER_MAX] = {
	SCHEMA_COUNTERS(SCHEMA_STR)
};
#undef SCHEMA_STR

#define SCHEMA_STR(meta, attr)		{ meta, SCHEMA_ATTR_##attr },
const struct schema_meta_attr schema_meta_attr[SCHEMA_META_ATTR_MAX] = {
	SCHEMA_META_ATTRS(SCHEMA_STR)
};
#undef SCHEMA_STR
