// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * gotypes.c: runtime type descriptors in a Go binary, by address — what
 * runtime.mallocgc's typ argument names. The descriptors live between
 * moduledata.types and moduledata.etypes; a descriptor's name is a nameOff
 * (int32 at offset 40, relative to moduledata.types) pointing at a name:
 * one flags byte, a uvarint length (Go 1.17+), the bytes. tflagExtraStar
 * (bit 1 of tflag, offset 20) says the stored name has a '*' too many.
 * The layout of the descriptor is the same in Go 1.17 to 1.27 (runtime._type,
 * internal/abi.Type since 1.21); stripping does not remove any of it.
 *
 * Pure and bounds-checked like the rest of gobin: a bad address gives
 * -ENOENT, never a crash. It must not guess names: a type it cannot read
 * is unknown.
 */
#include <errno.h>
#include <string.h>
#include "gobin_int.h"

#define TYPE_SIZE	0	/* uintptr size_ */
#define TYPE_TFLAG	20
#define TYPE_KIND	23
#define TYPE_STR	40	/* nameOff */
#define TYPE_MIN	48	/* sizeof(abi.Type) */

#define TFLAG_EXTRA_STAR	2
#define KIND_MASK		0x1f

/*
 * moduledata.types / .etypes: 280/288 in Go 1.17-1.19, 296/304 in 1.20-1.26,
 * 296/312 in 1.27. The pair for the version is tried first; the others only
 * when it does not make sense (a moduledata layout gotl does not know).
 */
static const int types_offsets[][2] = { { 296, 304 }, { 296, 312 }, { 280, 288 } };

static int version_pair(int minor)
{
	if (minor >= 27)
		return 1;
	if (minor >= 20 || minor == 0)
		return 0;
	return 2;
}

static bool types_plausible(const struct gobin *gb, uint64_t types, uint64_t etypes)
{
	if (!types || etypes <= types || etypes - types > (1ull << 30))
		return false;
	/* Both ends are in the file, in the same mapping. */
	return gobin_va_ptr(gb, types, etypes - types) != NULL;
}

static int types_range(const struct gobin *gb, uint64_t *types, uint64_t *etypes)
{
	uint64_t md = gb->pcln.md_va, t, e;
	int first = version_pair(gb->minor);
	size_t k;

	if (!md)
		return -ENOENT;
	for (k = 0; k < sizeof(types_offsets) / sizeof(types_offsets[0]); k++) {
		size_t i = k == 0 ? (size_t)first : (k == (size_t)first ? 0 : k);

		if (gobin_read_ptr(gb, md + (uint64_t)types_offsets[i][0], &t) ||
		    gobin_read_ptr(gb, md + (uint64_t)types_offsets[i][1], &e))
			continue;
		if (types_plausible(gb, t, e)) {
			*types = t;
			*etypes = e;
			return 0;
		}
	}
	return -ENOENT;
}

int gobin__types(const struct gobin *gb, uint64_t *types, uint64_t *etypes)
{
	return types_range(gb, types, etypes);
}

int gobin__type(const struct gobin *gb, uint64_t addr, struct gobin_type *out)
{
	const uint8_t *t, *n, *end;
	uint64_t types, etypes, len;
	int32_t str;
	size_t used;

	memset(out, 0, sizeof(*out));
	if (types_range(gb, &types, &etypes))
		return -ENOENT;
	if (addr < types || addr >= etypes || etypes - addr < TYPE_MIN || (addr & 7))
		return -ENOENT;
	t = gobin_va_ptr(gb, addr, TYPE_MIN);
	if (!t)
		return -ENOENT;
	str = (int32_t)gobin_le32(t + TYPE_STR);
	if (str <= 0 || (uint64_t)str >= etypes - types)
		return -ENOENT;
	/* The name: flags byte, uvarint length, bytes — all inside the types. */
	n = gobin_va_ptr(gb, types + (uint64_t)str, etypes - types - (uint64_t)str);
	if (!n)
		return -ENOENT;
	end = n + (etypes - types - (uint64_t)str);
	used = gobin_uvarint(n + 1, end, &len);
	if (!used || len == 0 || len > (uint64_t)(end - (n + 1 + used)))
		return -ENOENT;
	out->name = (const char *)n + 1 + used;
	out->name_len = (size_t)len;
	if ((t[TYPE_TFLAG] & TFLAG_EXTRA_STAR) && out->name_len > 1 && out->name[0] == '*') {
		out->name++;
		out->name_len--;
	}
	out->size = gobin_le64(t + TYPE_SIZE);
	out->kind = t[TYPE_KIND] & KIND_MASK;
	return 0;
}
