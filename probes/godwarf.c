/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * godwarf.c: just enough DWARF (versions 2 to 5) to read the field offsets of
 * a few runtime structs and the address/length of a global array from a Go
 * binary: section loading (plain, SHF_COMPRESSED zlib, .zdebug_*), unit
 * headers, abbreviation tables, and a DIE walk that decodes or skips every
 * attribute form. Units from other languages (gcc's, in cgo binaries) are
 * skipped whole. It is not a general DWARF library: no line tables, no
 * location lists, no type resolution beyond one array bound. Untrusted input:
 * every read is bounds-checked and a corrupt section gives -EINVAL.
 */
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "gobin_int.h"

#define MAX_INFLATED (1ULL << 30)
/* deflate's best case is 1032:1; a larger claimed size is a lie, not a reason to allocate */
#define MAX_DEFLATE_RATIO 1032

/* the few DWARF constants used here */
#define DW_TAG_array_type	0x01
#define DW_TAG_member		0x0d
#define DW_TAG_structure_type	0x13
#define DW_TAG_subrange_type	0x21
#define DW_TAG_variable		0x34

#define DW_AT_location		0x02
#define DW_AT_name		0x03
#define DW_AT_language		0x13
#define DW_AT_upper_bound	0x2f
#define DW_AT_count		0x37
#define DW_AT_data_member_location 0x38
#define DW_AT_type		0x49
#define DW_AT_str_offsets_base	0x72

#define DW_LANG_Go		0x16
#define DW_OP_addr		0x03
#define DW_OP_plus_uconst	0x23

enum {
	DW_FORM_addr = 0x01,
	DW_FORM_block2 = 0x03,
	DW_FORM_block4 = 0x04,
	DW_FORM_data2 = 0x05,
	DW_FORM_data4 = 0x06,
	DW_FORM_data8 = 0x07,
	DW_FORM_string = 0x08,
	DW_FORM_block = 0x09,
	DW_FORM_block1 = 0x0a,
	DW_FORM_data1 = 0x0b,
	DW_FORM_flag = 0x0c,
	DW_FORM_sdata = 0x0d,
	DW_FORM_strp = 0x0e,
	DW_FORM_udata = 0x0f,
	DW_FORM_ref_addr = 0x10,
	DW_FORM_ref1 = 0x11,
	DW_FORM_ref2 = 0x12,
	DW_FORM_ref4 = 0x13,
	DW_FORM_ref8 = 0x14,
	DW_FORM_ref_udata = 0x15,
	DW_FORM_indirect = 0x16,
	DW_FORM_sec_offset = 0x17,
	DW_FORM_exprloc = 0x18,
	DW_FORM_flag_present = 0x19,
	DW_FORM_strx = 0x1a,
	DW_FORM_addrx = 0x1b,
	DW_FORM_ref_sup4 = 0x1c,
	DW_FORM_strp_sup = 0x1d,
	DW_FORM_data16 = 0x1e,
	DW_FORM_line_strp = 0x1f,
	DW_FORM_ref_sig8 = 0x20,
	DW_FORM_implicit_const = 0x21,
	DW_FORM_loclistx = 0x22,
	DW_FORM_rnglistx = 0x23,
	DW_FORM_ref_sup8 = 0x24,
	DW_FORM_strx1 = 0x25,
	DW_FORM_strx2 = 0x26,
	DW_FORM_strx3 = 0x27,
	DW_FORM_strx4 = 0x28,
	DW_FORM_addrx1 = 0x29,
	DW_FORM_addrx2 = 0x2a,
	DW_FORM_addrx3 = 0x2b,
	DW_FORM_addrx4 = 0x2c,
	DW_FORM_GNU_addr_index = 0x1f01,
	DW_FORM_GNU_str_index = 0x1f02,
	DW_FORM_GNU_ref_alt = 0x1f20,
	DW_FORM_GNU_strp_alt = 0x1f21,
};

struct dw_buf {
	const uint8_t *p;
	size_t len;
	uint8_t *owned;
};

struct dw_attr_spec {
	uint32_t name;
	uint32_t form;
	int64_t implicit;
};

struct dw_abbrev {
	uint64_t code;
	uint32_t tag;
	bool children;
	size_t first; /* index into the table's specs */
	size_t nspecs;
};

struct dw_abbrev_table {
	uint64_t offset;
	struct dw_abbrev *abbrevs;
	size_t n;
	struct dw_attr_spec *specs;
	size_t nspecs;
};

struct dw {
	const struct gobin *gb;
	struct dw_buf info, abbrev, str, line_str, str_offsets;
	struct dw_abbrev_table *tabs;
	size_t ntabs;
};

struct dw_cu {
	uint64_t off; /* unit header */
	uint64_t end;
	uint64_t die_off; /* first DIE */
	uint64_t abbrev_off;
	uint64_t str_offsets_base;
	int version;
	int offsz; /* 4 or 8 (32/64-bit DWARF) */
	int addrsz;
};

struct dw_die {
	uint64_t off;
	uint32_t tag;
	int depth;
	bool children;
	const char *name;
	bool has_member_loc;
	uint64_t member_loc;
	bool has_type;
	uint64_t type_off; /* absolute offset in .debug_info */
	bool has_addr;
	uint64_t addr;
	bool has_count;
	uint64_t count;
	bool has_upper;
	int64_t upper;
	bool has_lang;
	uint64_t lang;
	bool has_str_base;
	uint64_t str_base;
};

/* a decoded attribute value */
enum { V_NONE, V_CONST, V_SCONST, V_STR, V_STRP, V_LINE_STRP, V_STRX, V_BLOCK, V_REF, V_SECOFF };

struct dw_val {
	int kind;
	uint64_t u;
	int64_t s;
	const uint8_t *blk;
	uint64_t blen;
	const char *str;
};

struct cursor {
	const uint8_t *p;
	const uint8_t *end;
};

/* --------------------------------------------------------------- reading */

static bool take(struct cursor *c, size_t n, const uint8_t **out)
{
	if ((size_t)(c->end - c->p) < n)
		return false;
	*out = c->p;
	c->p += n;
	return true;
}

static bool read_fixed(struct cursor *c, size_t n, uint64_t *v)
{
	const uint8_t *p;
	uint64_t x = 0;
	size_t i;

	if (!take(c, n, &p))
		return false;
	for (i = 0; i < n && i < 8; i++)
		x |= (uint64_t)p[i] << (8 * i);
	*v = x;
	return true;
}

static bool read_uleb(struct cursor *c, uint64_t *v)
{
	size_t n = gobin_uvarint(c->p, c->end, v);

	c->p += n;
	return n != 0;
}

static bool read_sleb(struct cursor *c, int64_t *v)
{
	size_t n = gobin_sleb128(c->p, c->end, v);

	c->p += n;
	return n != 0;
}

/* ---------------------------------------------------------- decompression */

int gobin_dwarf_inflate(const uint8_t *p, size_t len, bool shf_compressed, uint8_t **out,
			size_t *outlen)
{
	uint64_t size;
	z_stream zs;
	uint8_t *buf = NULL;
	int ret, zr;

	*out = NULL;
	*outlen = 0;
	if (shf_compressed) {
		/* Elf64_Chdr: ch_type, ch_reserved, ch_size, ch_addralign */
		if (len < sizeof(Elf64_Chdr))
			return -EINVAL;
		if (gobin_le32(p) != ELFCOMPRESS_ZLIB)
			return -ENOTSUP;
		size = gobin_le64(p + 8);
		p += sizeof(Elf64_Chdr);
		len -= sizeof(Elf64_Chdr);
	} else {
		/* .zdebug_*: "ZLIB" + 8-byte big-endian size */
		if (len < 12 || memcmp(p, "ZLIB", 4))
			return -EINVAL;
		size = 0;
		for (int i = 0; i < 8; i++)
			size = (size << 8) | p[4 + i];
		p += 12;
		len -= 12;
	}
	if (size > MAX_INFLATED || size / MAX_DEFLATE_RATIO > len || len > UINT32_MAX)
		return -EINVAL;
	buf = malloc(size ? size : 1);
	if (!buf)
		return -ENOMEM;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit(&zs) != Z_OK) {
		ret = -ENOMEM;
		goto cleanup;
	}
	zs.next_in = (Bytef *)p;
	zs.avail_in = (uInt)len;
	zs.next_out = buf;
	zs.avail_out = (uInt)size;
	zr = inflate(&zs, Z_FINISH);
	inflateEnd(&zs);
	if (zr != Z_STREAM_END || zs.total_out != size) {
		ret = -EINVAL;
		goto cleanup;
	}
	*out = buf;
	*outlen = size;
	buf = NULL;
	ret = 0;
cleanup:
	free(buf);
	return ret;
}

static int load_section(const struct gobin *gb, const char *which, struct dw_buf *out)
{
	char name[64];
	const struct gobin_sec *s;
	const uint8_t *d;
	size_t outlen;
	int ret;

	memset(out, 0, sizeof(*out));
	snprintf(name, sizeof(name), ".debug_%s", which);
	s = gobin_section(gb, name);
	if (s && (d = gobin_sec_data(gb, s))) {
		if (!(s->flags & SHF_COMPRESSED)) {
			out->p = d;
			out->len = s->size;
			return 0;
		}
		ret = gobin_dwarf_inflate(d, s->size, true, &out->owned, &outlen);
		out->p = out->owned;
		out->len = outlen;
		return ret;
	}
	snprintf(name, sizeof(name), ".zdebug_%s", which);
	s = gobin_section(gb, name);
	if (s && (d = gobin_sec_data(gb, s))) {
		if (s->size < 4 || memcmp(d, "ZLIB", 4)) {
			out->p = d;
			out->len = s->size;
			return 0;
		}
		ret = gobin_dwarf_inflate(d, s->size, false, &out->owned, &outlen);
		out->p = out->owned;
		out->len = outlen;
		return ret;
	}
	return 0;
}

static void dw_free(struct dw *d)
{
	size_t i;

	free(d->info.owned);
	free(d->abbrev.owned);
	free(d->str.owned);
	free(d->line_str.owned);
	free(d->str_offsets.owned);
	for (i = 0; i < d->ntabs; i++) {
		free(d->tabs[i].abbrevs);
		free(d->tabs[i].specs);
	}
	free(d->tabs);
	memset(d, 0, sizeof(*d));
}

static int dw_open(const struct gobin *gb, struct dw *d)
{
	int ret;

	memset(d, 0, sizeof(*d));
	d->gb = gb;
	ret = load_section(gb, "info", &d->info);
	if (!ret)
		ret = load_section(gb, "abbrev", &d->abbrev);
	if (!ret)
		ret = load_section(gb, "str", &d->str);
	if (!ret)
		ret = load_section(gb, "line_str", &d->line_str);
	if (!ret)
		ret = load_section(gb, "str_offsets", &d->str_offsets);
	if (!ret && (!d->info.len || !d->abbrev.len))
		ret = -ENOENT;
	if (ret)
		dw_free(d);
	return ret;
}

/* --------------------------------------------------------------- abbrevs */

static int parse_abbrevs(struct dw *d, uint64_t offset, struct dw_abbrev_table *t)
{
	struct cursor c;
	size_t cap = 0, scap = 0;

	memset(t, 0, sizeof(*t));
	t->offset = offset;
	if (offset >= d->abbrev.len)
		return -EINVAL;
	c.p = d->abbrev.p + offset;
	c.end = d->abbrev.p + d->abbrev.len;
	for (;;) {
		struct dw_abbrev a = { 0 };
		uint64_t tag, name, form;
		const uint8_t *ch;

		if (!read_uleb(&c, &a.code))
			return -EINVAL;
		if (!a.code)
			return 0;
		if (!read_uleb(&c, &tag) || !take(&c, 1, &ch))
			return -EINVAL;
		a.tag = (uint32_t)tag;
		a.children = *ch != 0;
		a.first = t->nspecs;
		for (;;) {
			struct dw_attr_spec s = { 0 };

			if (!read_uleb(&c, &name) || !read_uleb(&c, &form))
				return -EINVAL;
			if (!name && !form)
				break;
			s.name = (uint32_t)name;
			s.form = (uint32_t)form;
			if (form == DW_FORM_implicit_const && !read_sleb(&c, &s.implicit))
				return -EINVAL;
			if (t->nspecs == scap) {
				void *n;

				scap = scap ? 2 * scap : 256;
				n = realloc(t->specs, scap * sizeof(*t->specs));
				if (!n)
					return -ENOMEM;
				t->specs = n;
			}
			t->specs[t->nspecs++] = s;
		}
		a.nspecs = t->nspecs - a.first;
		if (t->n == cap) {
			void *n;

			cap = cap ? 2 * cap : 64;
			n = realloc(t->abbrevs, cap * sizeof(*t->abbrevs));
			if (!n)
				return -ENOMEM;
			t->abbrevs = n;
		}
		t->abbrevs[t->n++] = a;
	}
}

static int get_abbrevs(struct dw *d, uint64_t offset, struct dw_abbrev_table **out)
{
	struct dw_abbrev_table *t;
	size_t i;
	int ret;

	for (i = 0; i < d->ntabs; i++) {
		if (d->tabs[i].offset == offset) {
			*out = &d->tabs[i];
			return 0;
		}
	}
	t = realloc(d->tabs, (d->ntabs + 1) * sizeof(*d->tabs));
	if (!t)
		return -ENOMEM;
	d->tabs = t;
	ret = parse_abbrevs(d, offset, &d->tabs[d->ntabs]);
	d->ntabs++; /* even when incomplete: freed with the rest */
	if (ret)
		return ret;
	*out = &d->tabs[d->ntabs - 1];
	return 0;
}

static const struct dw_abbrev *find_abbrev(const struct dw_abbrev_table *t, uint64_t code)
{
	size_t i;

	/* codes are normally 1..n in order */
	if (code >= 1 && code <= t->n && t->abbrevs[code - 1].code == code)
		return &t->abbrevs[code - 1];
	for (i = 0; i < t->n; i++)
		if (t->abbrevs[i].code == code)
			return &t->abbrevs[i];
	return NULL;
}

/* ----------------------------------------------------------------- forms */

static int read_form(const struct dw_cu *cu, struct cursor *c, uint32_t form, int64_t implicit,
		     struct dw_val *v, int nest)
{
	const uint8_t *p;
	uint64_t n;

	memset(v, 0, sizeof(*v));
	switch (form) {
	case DW_FORM_addr:
		v->kind = V_CONST;
		return read_fixed(c, (size_t)cu->addrsz, &v->u) ? 0 : -EINVAL;
	case DW_FORM_data1:
	case DW_FORM_flag:
	case DW_FORM_ref1:
	case DW_FORM_strx1:
	case DW_FORM_addrx1:
		n = 1;
		goto fixed;
	case DW_FORM_data2:
	case DW_FORM_ref2:
	case DW_FORM_strx2:
	case DW_FORM_addrx2:
		n = 2;
		goto fixed;
	case DW_FORM_strx3:
	case DW_FORM_addrx3:
		n = 3;
		goto fixed;
	case DW_FORM_data4:
	case DW_FORM_ref4:
	case DW_FORM_ref_sup4:
	case DW_FORM_strx4:
	case DW_FORM_addrx4:
		n = 4;
		goto fixed;
	case DW_FORM_data8:
	case DW_FORM_ref8:
	case DW_FORM_ref_sig8:
	case DW_FORM_ref_sup8:
		n = 8;
		goto fixed;
	case DW_FORM_data16:
		return take(c, 16, &p) ? 0 : -EINVAL;
	case DW_FORM_string:
		p = memchr(c->p, 0, (size_t)(c->end - c->p));
		if (!p)
			return -EINVAL;
		v->kind = V_STR;
		v->str = (const char *)c->p;
		c->p = p + 1;
		return 0;
	case DW_FORM_block1:
		if (!read_fixed(c, 1, &n))
			return -EINVAL;
		goto block;
	case DW_FORM_block2:
		if (!read_fixed(c, 2, &n))
			return -EINVAL;
		goto block;
	case DW_FORM_block4:
		if (!read_fixed(c, 4, &n))
			return -EINVAL;
		goto block;
	case DW_FORM_block:
	case DW_FORM_exprloc:
		if (!read_uleb(c, &n))
			return -EINVAL;
		goto block;
	case DW_FORM_sdata:
		v->kind = V_SCONST;
		return read_sleb(c, &v->s) ? 0 : -EINVAL;
	case DW_FORM_udata:
	case DW_FORM_ref_udata:
	case DW_FORM_strx:
	case DW_FORM_addrx:
	case DW_FORM_loclistx:
	case DW_FORM_rnglistx:
	case DW_FORM_GNU_addr_index:
	case DW_FORM_GNU_str_index:
		if (!read_uleb(c, &v->u))
			return -EINVAL;
		goto classify;
	case DW_FORM_strp:
	case DW_FORM_line_strp:
	case DW_FORM_sec_offset:
	case DW_FORM_strp_sup:
	case DW_FORM_GNU_ref_alt:
	case DW_FORM_GNU_strp_alt:
		if (!read_fixed(c, (size_t)cu->offsz, &v->u))
			return -EINVAL;
		goto classify;
	case DW_FORM_ref_addr:
		/* DWARF 2 sized it like an address, later versions like an offset */
		if (!read_fixed(c, (size_t)(cu->version == 2 ? cu->addrsz : cu->offsz), &v->u))
			return -EINVAL;
		v->kind = V_REF;
		return 0;
	case DW_FORM_flag_present:
		v->kind = V_CONST;
		v->u = 1;
		return 0;
	case DW_FORM_implicit_const:
		v->kind = V_SCONST;
		v->s = implicit;
		return 0;
	case DW_FORM_indirect:
		if (nest > 4 || !read_uleb(c, &n) || n > UINT32_MAX)
			return -EINVAL;
		return read_form(cu, c, (uint32_t)n, implicit, v, nest + 1);
	default:
		return -EINVAL; /* unknown form: the rest of the unit cannot be parsed */
	}
fixed:
	if (!read_fixed(c, (size_t)n, &v->u))
		return -EINVAL;
classify:
	switch (form) {
	case DW_FORM_ref1:
	case DW_FORM_ref2:
	case DW_FORM_ref4:
	case DW_FORM_ref8:
	case DW_FORM_ref_udata:
		v->kind = V_REF;
		v->u += cu->off; /* unit-relative */
		break;
	case DW_FORM_strp:
		v->kind = V_STRP;
		break;
	case DW_FORM_line_strp:
		v->kind = V_LINE_STRP;
		break;
	case DW_FORM_strx:
	case DW_FORM_strx1:
	case DW_FORM_strx2:
	case DW_FORM_strx3:
	case DW_FORM_strx4:
	case DW_FORM_GNU_str_index:
		v->kind = V_STRX;
		break;
	case DW_FORM_sec_offset:
		v->kind = V_SECOFF;
		break;
	case DW_FORM_ref_sig8:
	case DW_FORM_ref_sup4:
	case DW_FORM_ref_sup8:
	case DW_FORM_strp_sup:
	case DW_FORM_GNU_ref_alt:
	case DW_FORM_GNU_strp_alt:
		v->kind = V_NONE; /* in another file: not followed */
		break;
	default:
		v->kind = V_CONST;
		break;
	}
	return 0;
block:
	if (!take(c, (size_t)n, &p))
		return -EINVAL;
	v->kind = V_BLOCK;
	v->blk = p;
	v->blen = n;
	return 0;
}

static const char *buf_string(const struct dw_buf *b, uint64_t off)
{
	if (off >= b->len || !memchr(b->p + off, 0, b->len - off))
		return NULL;
	return (const char *)b->p + off;
}

static const char *val_string(const struct dw *d, const struct dw_cu *cu, const struct dw_val *v)
{
	uint64_t at, off;

	switch (v->kind) {
	case V_STR:
		return v->str;
	case V_STRP:
		return buf_string(&d->str, v->u);
	case V_LINE_STRP:
		return buf_string(&d->line_str, v->u);
	case V_STRX:
		at = cu->str_offsets_base + v->u * (uint64_t)cu->offsz;
		if (v->u > d->str_offsets.len || at + (uint64_t)cu->offsz > d->str_offsets.len)
			return NULL;
		off = cu->offsz == 8 ? gobin_le64(d->str_offsets.p + at) :
				       gobin_le32(d->str_offsets.p + at);
		return buf_string(&d->str, off);
	default:
		return NULL;
	}
}

static bool val_const(const struct dw_val *v, uint64_t *out)
{
	if (v->kind == V_CONST) {
		*out = v->u;
		return true;
	}
	if (v->kind == V_SCONST && v->s >= 0) {
		*out = (uint64_t)v->s;
		return true;
	}
	return false;
}

/* ------------------------------------------------------------------- walk */

/* Return > 0 to stop the walk, < 0 on error, 0 to go on. */
typedef int (*die_cb)(void *ctx, const struct dw_die *die);

static int parse_unit_header(const struct dw *d, uint64_t off, struct dw_cu *cu)
{
	struct cursor c = { d->info.p + off, d->info.p + d->info.len };
	uint64_t len, v, type;

	memset(cu, 0, sizeof(*cu));
	cu->off = off;
	if (!read_fixed(&c, 4, &len))
		return -EINVAL;
	cu->offsz = 4;
	if (len == 0xffffffffULL) {
		if (!read_fixed(&c, 8, &len))
			return -EINVAL;
		cu->offsz = 8;
	} else if (len >= 0xfffffff0ULL) {
		return -EINVAL;
	}
	if (len > (uint64_t)(c.end - c.p))
		return -EINVAL;
	cu->end = (uint64_t)(c.p - d->info.p) + len;
	c.end = c.p + len;
	if (!read_fixed(&c, 2, &v) || v < 2 || v > 5)
		return -EINVAL;
	cu->version = (int)v;
	if (cu->version >= 5) {
		if (!read_fixed(&c, 1, &type) || !read_fixed(&c, 1, &v) ||
		    !read_fixed(&c, (size_t)cu->offsz, &cu->abbrev_off))
			return -EINVAL;
		cu->addrsz = (int)v;
		if (type == 4 || type == 5) /* skeleton, split_compile: dwo_id */
			c.p += c.end - c.p >= 8 ? 8 : c.end - c.p;
		else if (type == 2 || type == 6) /* type units: signature + offset */
			c.p += c.end - c.p >= 8 + cu->offsz ? 8 + cu->offsz : c.end - c.p;
		cu->str_offsets_base = 8;
	} else {
		if (!read_fixed(&c, (size_t)cu->offsz, &cu->abbrev_off) || !read_fixed(&c, 1, &v))
			return -EINVAL;
		cu->addrsz = (int)v;
	}
	if (cu->addrsz != 4 && cu->addrsz != 8)
		return -EINVAL;
	cu->die_off = (uint64_t)(c.p - d->info.p);
	return 0;
}

static void apply_attr(const struct dw_cu *cu, uint32_t name, const struct dw_val *v,
		       struct dw_die *die, struct dw_val *name_val)
{
	uint64_t u;

	switch (name) {
	case DW_AT_name:
		*name_val = *v;
		break;
	case DW_AT_data_member_location:
		if (val_const(v, &u)) {
			die->has_member_loc = true;
			die->member_loc = u;
		} else if (v->kind == V_BLOCK && v->blen >= 2 && v->blk[0] == DW_OP_plus_uconst) {
			struct cursor c = { v->blk + 1, v->blk + v->blen };

			if (read_uleb(&c, &u)) {
				die->has_member_loc = true;
				die->member_loc = u;
			}
		}
		break;
	case DW_AT_type:
		if (v->kind == V_REF) {
			die->has_type = true;
			die->type_off = v->u;
		}
		break;
	case DW_AT_location:
		if (v->kind == V_BLOCK && v->blen == 1 + (uint64_t)cu->addrsz &&
		    v->blk[0] == DW_OP_addr) {
			die->has_addr = true;
			die->addr = cu->addrsz == 8 ? gobin_le64(v->blk + 1) :
						      gobin_le32(v->blk + 1);
		}
		break;
	case DW_AT_count:
		die->has_count = val_const(v, &die->count);
		break;
	case DW_AT_upper_bound:
		if (v->kind == V_SCONST) {
			die->has_upper = true;
			die->upper = v->s;
		} else if (v->kind == V_CONST) {
			die->has_upper = true;
			die->upper = (int64_t)v->u;
		}
		break;
	case DW_AT_language:
		die->has_lang = val_const(v, &die->lang);
		break;
	case DW_AT_str_offsets_base:
		if (v->kind == V_SECOFF || v->kind == V_CONST) {
			die->has_str_base = true;
			die->str_base = v->u;
		}
		break;
	default:
		break;
	}
}

/* Walk the DIEs of every Go unit (others are skipped) until cb says stop. */
static int walk(struct dw *d, die_cb cb, void *ctx)
{
	uint64_t off = 0;
	int ret;

	while (off < d->info.len) {
		struct dw_abbrev_table *tab;
		struct dw_cu cu;
		struct cursor c;
		int depth = 0;
		bool first = true;

		ret = parse_unit_header(d, off, &cu);
		if (ret)
			return ret;
		off = cu.end;
		ret = get_abbrevs(d, cu.abbrev_off, &tab);
		if (ret)
			return ret;
		c.p = d->info.p + cu.die_off;
		c.end = d->info.p + cu.end;
		while (c.p < c.end) {
			const struct dw_abbrev *a;
			struct dw_die die = { 0 };
			struct dw_val nv = { 0 };
			uint64_t code;
			size_t i;

			die.off = (uint64_t)(c.p - d->info.p);
			if (!read_uleb(&c, &code))
				return -EINVAL;
			if (!code) {
				depth--;
				continue;
			}
			a = find_abbrev(tab, code);
			if (!a)
				return -EINVAL;
			die.tag = a->tag;
			die.children = a->children;
			die.depth = depth;
			for (i = 0; i < a->nspecs; i++) {
				const struct dw_attr_spec *s = &tab->specs[a->first + i];
				struct dw_val v;

				ret = read_form(&cu, &c, s->form, s->implicit, &v, 0);
				if (ret)
					return ret;
				apply_attr(&cu, s->name, &v, &die, &nv);
			}
			if (first) {
				first = false;
				if (die.has_str_base)
					cu.str_offsets_base = die.str_base;
				if (die.has_lang && die.lang != DW_LANG_Go)
					break; /* gcc's units in cgo binaries */
			}
			die.name = val_string(d, &cu, &nv);
			ret = cb(ctx, &die);
			if (ret)
				return ret < 0 ? ret : 0;
			if (a->children)
				depth++;
		}
	}
	return 0;
}

/* --------------------------------------------------------- struct offsets */

/*
 * The fields are those of gooffsets.h (gobin_offset_fields): for each, the
 * offset of its member in its struct and, for a member that is a struct,
 * that of the submember in the substruct; the field's offset is the sum.
 */
struct offsets_ctx {
	int cur;       /* struct being read (enum gobin_struct), or -1 */
	int cur_depth; /* depth of its members */
	bool seen[GOBIN_S_COUNT];
	int nseen;
	int64_t member[GOBIN_NFIELDS]; /* offset of the field's member, -1 until found */
	int64_t sub[GOBIN_NFIELDS];    /* offset of its submember, -1 until found */
};

static int offsets_cb(void *arg, const struct dw_die *die)
{
	struct offsets_ctx *x = arg;
	size_t i;

	if (x->cur >= 0 && die->depth < x->cur_depth) {
		x->cur = -1;
		if (x->nseen == GOBIN_S_COUNT)
			return 1;
	}
	if (die->tag == DW_TAG_structure_type && die->name && die->children) {
		for (i = 0; i < GOBIN_S_COUNT; i++) {
			if (!x->seen[i] && !strcmp(die->name, gobin_struct_names[i])) {
				x->seen[i] = true;
				x->nseen++;
				x->cur = (int)i;
				x->cur_depth = die->depth + 1;
			}
		}
		return 0;
	}
	if (x->cur < 0 || die->tag != DW_TAG_member || die->depth != x->cur_depth || !die->name ||
	    !die->has_member_loc || die->member_loc > INT32_MAX)
		return 0;
	for (i = 0; i < gobin_noffset_fields; i++) {
		const struct gobin_offset_field *f = &gobin_offset_fields[i];

		if ((int)f->st == x->cur && !strcmp(die->name, f->member))
			x->member[i] = (int64_t)die->member_loc;
		if ((int)f->sub == x->cur && !strcmp(die->name, f->submember))
			x->sub[i] = (int64_t)die->member_loc;
	}
	return 0;
}

int gobin_dwarf_offsets(const struct gobin *gb, struct gobin_offsets *out)
{
	struct offsets_ctx x = { .cur = -1 };
	struct dw d;
	size_t i;
	int ret;

	for (i = 0; i < GOBIN_NFIELDS; i++)
		x.member[i] = x.sub[i] = -1;
	ret = dw_open(gb, &d);
	if (ret)
		return ret;
	ret = walk(&d, offsets_cb, &x);
	dw_free(&d);
	if (ret)
		return ret;
	if (!x.seen[GOBIN_S_G] || x.member[GOBIN_FIELD_g_goid] < 0)
		return -ENOENT;

	gobin_offsets_unknown(out);
	for (i = 0; i < gobin_noffset_fields; i++) {
		const struct gobin_offset_field *f = &gobin_offset_fields[i];
		int64_t v = x.member[i];

		if (v >= 0 && f->sub != GOBIN_S_NONE)
			v = x.sub[i] >= 0 ? v + x.sub[i] : -1;
		/* Beyond any struct's copy: gobin_offsets_check names it, without overflow. */
		*(int *)((char *)out + f->at) = v > INT32_MAX / 2 ? INT32_MAX / 2 : (int)v;
	}
	out->source = "DWARF";
	return 0;
}

/* ---------------------------------------------------------- array globals */

struct var_ctx {
	const char *name;
	bool found_var;
	uint64_t addr;
	uint64_t type_off;
	int array_depth; /* depth of the array type's children, -1 until found */
	bool found_count;
	uint64_t count;
};

static int var_cb(void *arg, const struct dw_die *die)
{
	struct var_ctx *x = arg;

	if (die->tag == DW_TAG_variable && die->name && die->has_addr && die->has_type &&
	    !strcmp(die->name, x->name)) {
		x->found_var = true;
		x->addr = die->addr;
		x->type_off = die->type_off;
		return 1;
	}
	return 0;
}

static int bound_cb(void *arg, const struct dw_die *die)
{
	struct var_ctx *x = arg;

	if (die->off == x->type_off) {
		if (die->tag != DW_TAG_array_type || !die->children)
			return -ENOENT;
		x->array_depth = die->depth + 1;
		return 0;
	}
	if (x->array_depth < 0)
		return 0;
	if (die->depth < x->array_depth)
		return -ENOENT;
	if (die->tag != DW_TAG_subrange_type || die->depth != x->array_depth)
		return 0;
	if (die->has_count) {
		x->count = die->count;
	} else if (die->has_upper && die->upper >= 0) {
		x->count = (uint64_t)die->upper + 1;
	} else {
		return -ENOENT;
	}
	x->found_count = true;
	return 1;
}

int gobin_dwarf_array_var(const struct gobin *gb, const char *name, uint64_t *addr, uint64_t *count)
{
	struct var_ctx x = { .name = name, .array_depth = -1 };
	struct dw d;
	int ret;

	ret = dw_open(gb, &d);
	if (ret)
		return ret;
	ret = walk(&d, var_cb, &x);
	if (!ret && !x.found_var)
		ret = -ENOENT;
	if (!ret)
		ret = walk(&d, bound_cb, &x);
	if (!ret && !x.found_count)
		ret = -ENOENT;
	dw_free(&d);
	if (ret)
		return ret;
	*addr = x.addr;
	*count = x.count;
	return 0;
}
