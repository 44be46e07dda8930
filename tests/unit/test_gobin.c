/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Unit tests for probes/gobin on synthetic inputs: varint and pc-value
 * decoding, both .go.buildinfo formats, a small hand-built "Go binary" (ELF
 * with pclntab, inline tree, moduledata, wait reasons, notes, DWARF v4 + v5
 * plain/SHF_COMPRESSED/.zdebug), the error paths (not ELF, not Go, wrong
 * arch, too old, truncated), and truncated/corrupted copies that must give an
 * error or a consistent answer, never a crash (run under ASan/UBSan too). No
 * real Go toolchain is needed: tests/e2e/test_gobin.py covers real binaries.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <elf.h>
#include <zlib.h>

#include "gobin.h"
#include "gobin_int.h"
#include "plan.h"

/* ------------------------------------------------------------ byte buffer */

struct buf {
	uint8_t *p;
	size_t len;
	size_t cap;
};

static void reserve(struct buf *b, size_t n)
{
	if (b->len + n <= b->cap)
		return;
	while (b->len + n > b->cap)
		b->cap = b->cap ? 2 * b->cap : 256;
	b->p = realloc(b->p, b->cap);
	assert_non_null(b->p);
}

static size_t put(struct buf *b, const void *d, size_t n)
{
	size_t at = b->len;

	reserve(b, n);
	if (d)
		memcpy(b->p + b->len, d, n);
	else
		memset(b->p + b->len, 0, n);
	b->len += n;
	return at;
}

static size_t put8(struct buf *b, uint8_t v)
{
	return put(b, &v, 1);
}
static size_t put16(struct buf *b, uint16_t v)
{
	return put(b, &v, 2);
}
static size_t put32(struct buf *b, uint32_t v)
{
	return put(b, &v, 4);
}
static size_t put64(struct buf *b, uint64_t v)
{
	return put(b, &v, 8);
}
static size_t puts0(struct buf *b, const char *s)
{
	return put(b, s, strlen(s) + 1);
}

static size_t putuleb(struct buf *b, uint64_t v)
{
	size_t at = b->len;

	do {
		uint8_t c = v & 0x7f;

		v >>= 7;
		put8(b, (uint8_t)(c | (v ? 0x80 : 0)));
	} while (v);
	return at;
}

static size_t putsleb(struct buf *b, int64_t v)
{
	size_t at = b->len;
	bool more = true;

	while (more) {
		uint8_t c = v & 0x7f;

		v >>= 7;
		if ((v == 0 && !(c & 0x40)) || (v == -1 && (c & 0x40)))
			more = false;
		else
			c |= 0x80;
		put8(b, c);
	}
	return at;
}

static void align(struct buf *b, size_t a)
{
	while (b->len % a)
		put8(b, 0);
}

static void set32(struct buf *b, size_t at, uint32_t v)
{
	memcpy(b->p + at, &v, 4);
}
static void set64(struct buf *b, size_t at, uint64_t v)
{
	memcpy(b->p + at, &v, 8);
}

/* ---------------------------------------------------------- small decoders */

static void test_uvarint(void **state)
{
	const uint8_t a[] = { 0x00 }, b[] = { 0x7f }, c[] = { 0x80, 0x01 };
	const uint8_t d[] = { 0xe5, 0x8e, 0x26 }; /* 624485 */
	const uint8_t trunc[] = { 0x80, 0x80 };
	const uint8_t big[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
	const uint8_t toolong[11] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
				      0x80, 0x80, 0x80, 0x80, 0x01 };
	const uint8_t s1[] = { 0x7f }, s2[] = { 0x80, 0x7f }, s3[] = { 0x3f };
	uint64_t v;
	int64_t s;

	assert_int_equal(gobin_uvarint(a, a + 1, &v), 1);
	assert_int_equal(v, 0);
	assert_int_equal(gobin_uvarint(b, b + 1, &v), 1);
	assert_int_equal(v, 127);
	assert_int_equal(gobin_uvarint(c, c + 2, &v), 2);
	assert_int_equal(v, 128);
	assert_int_equal(gobin_uvarint(d, d + 3, &v), 3);
	assert_int_equal(v, 624485);
	assert_int_equal(gobin_uvarint(trunc, trunc + 2, &v), 0);
	assert_int_equal(gobin_uvarint(d, d + 2, &v), 0); /* end cuts it short */
	assert_int_equal(gobin_uvarint(a, a, &v), 0);	  /* empty */
	assert_int_equal(gobin_uvarint(big, big + 10, &v), 10);
	assert_true(v == UINT64_MAX);
	assert_int_equal(gobin_uvarint(toolong, toolong + 11, &v), 0);

	assert_int_equal(gobin_sleb128(s1, s1 + 1, &s), 1);
	assert_int_equal(s, -1);
	assert_int_equal(gobin_sleb128(s2, s2 + 2, &s), 2);
	assert_int_equal(s, -128);
	assert_int_equal(gobin_sleb128(s3, s3 + 1, &s), 1);
	assert_int_equal(s, 63);
	assert_int_equal(gobin_sleb128(s2, s2 + 1, &s), 0);
}

/* Encode a pc-value table: n (value, end pc offset) pairs, like cmd/link does. */
static void pcvalue_encode(struct buf *b, const int32_t *vals, const uint32_t *ends, int n)
{
	int32_t prev = -1;
	uint32_t pc = 0;
	int i;

	for (i = 0; i < n; i++) {
		int32_t d = vals[i] - prev;
		uint32_t zz = ((uint32_t)d << 1) ^ (uint32_t)(d >> 31);

		/* the very first delta may be 0; later a 0 would end the table */
		putuleb(b, zz);
		putuleb(b, ends[i] - pc);
		prev = vals[i];
		pc = ends[i];
	}
	put8(b, 0);
}

static void test_pcvalue(void **state)
{
	const int32_t vals[] = { 10, 12, 7, -1, 300 };
	const uint32_t ends[] = { 5, 8, 0x100, 0x101, 0x200 };
	struct buf b = { 0 };
	int32_t v;
	uint64_t pc;

	pcvalue_encode(&b, vals, ends, 5);
	for (pc = 0; pc < 0x200; pc++) {
		int32_t want = pc < 5 ? 10 : pc < 8 ? 12 : pc < 0x100 ? 7 : pc < 0x101 ? -1 : 300;

		assert_int_equal(gobin_pcvalue(b.p, b.p + b.len, 0x1000, 0x1000 + pc, &v), 0);
		assert_int_equal(v, want);
	}
	/* past the last pc: not covered */
	assert_int_equal(gobin_pcvalue(b.p, b.p + b.len, 0x1000, 0x1200, &v), -ENOENT);
	/* truncated tables are corrupt, never read beyond end */
	for (size_t n = 0; n < b.len - 1; n++) {
		int r = gobin_pcvalue(b.p, b.p + n, 0x1000, 0x11ff, &v);

		assert_true(r == -EINVAL);
	}
	/* a first pair with a zero value delta is legal (value stays -1) */
	b.len = 0;
	put8(&b, 0);
	put8(&b, 4);
	put8(&b, 0);
	assert_int_equal(gobin_pcvalue(b.p, b.p + b.len, 0, 3, &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(gobin_pcvalue(b.p, b.p + b.len, 0, 4, &v), -ENOENT);
	free(b.p);
}

static void test_parse_minor(void **state)
{
	assert_int_equal(gobin_parse_minor("go1.26.8"), 26);
	assert_int_equal(gobin_parse_minor("go1.17"), 17);
	assert_int_equal(gobin_parse_minor("go1.21rc2"), 21);
	assert_int_equal(gobin_parse_minor("devel go1.27-6c87434dpre +master"), 27);
	assert_int_equal(gobin_parse_minor("devel +abcdef Tue"), 0);
	assert_int_equal(gobin_parse_minor("go1."), 0);
	assert_int_equal(gobin_parse_minor("go2.0"), 0);
	assert_int_equal(gobin_parse_minor(""), 0);
	assert_int_equal(gobin_parse_minor(NULL), 0);
	assert_int_equal(gobin_parse_minor("go1.99999999999999"), 0);
}

/* ------------------------------------------------------------- buildinfo */

static const char modinfo_body[] = "path\tgobinprog\nmod\tgobinprog\t(devel)\t\n"
				   "build\tCGO_ENABLED=1\n";

static void put_sentinel_modinfo(struct buf *b, bool with_len)
{
	/* the 16-byte sentinels cmd/go puts around modinfo; the second holds a NUL */
	static const char start[16] = "\x30\x77\xaf\x0c\x92\x74\x08\x02\x41\xe1\xc1\x07"
				      "\xe6\xd6\x18\xe6";
	static const char end[16] = "\xf9\x32\x43\x31\x86\x18\x20\x72\x00\x82\x42\x10"
				    "\x41\x16\xd8\xf2";
	size_t n = strlen(modinfo_body);

	if (with_len)
		putuleb(b, 32 + n);
	put(b, start, 16);
	put(b, modinfo_body, n);
	put(b, end, 16);
}

static void put_buildinfo_inline(struct buf *b, const char *vers)
{
	put(b, "\xff Go buildinf:", 14);
	put8(b, 8);
	put8(b, 2);
	put(b, NULL, 16);
	putuleb(b, strlen(vers));
	put(b, vers, strlen(vers));
	put_sentinel_modinfo(b, true);
}

static void test_buildinfo_inline(void **state)
{
	struct buf b = { 0 };
	char *v = NULL, *m = NULL;
	size_t full;

	put(&b, NULL, 32); /* the header is found at a 16-byte aligned offset */
	put_buildinfo_inline(&b, "go1.22.3");
	full = b.len;
	assert_int_equal(gobin_parse_buildinfo(NULL, b.p, b.len, 0x5000, &v, &m), 0);
	assert_string_equal(v, "go1.22.3");
	assert_string_equal(m, modinfo_body);
	free(v);
	free(m);

	/* a header at a misaligned address is not a header */
	assert_int_equal(gobin_parse_buildinfo(NULL, b.p, b.len, 0x5008, &v, &m), -ENOENT);
	/* alignment is about addresses, not about where the buffer starts */
	assert_int_equal(gobin_parse_buildinfo(NULL, b.p + 8, b.len - 8, 0x5008, &v, &m), 0);
	free(v);
	free(m);

	/* every truncation is handled: no header, bad version, or version without modinfo */
	for (size_t n = 0; n < full; n++) {
		int r = gobin_parse_buildinfo(NULL, b.p, n, 0x5000, &v, &m);

		if (n < 32 + 32)
			assert_int_equal(r, -ENOENT);
		else if (n < 32 + 32 + 1 + 8)
			assert_int_equal(r, -EINVAL);
		else {
			assert_int_equal(r, 0);
			assert_string_equal(v, "go1.22.3");
			assert_true(!strcmp(m, "") || !strcmp(m, modinfo_body));
			free(v);
			free(m);
		}
	}
	/* an empty version is not accepted */
	b.len = 0;
	put_buildinfo_inline(&b, "");
	assert_int_equal(gobin_parse_buildinfo(NULL, b.p, b.len, 0x5000, &v, &m), -EINVAL);
	/* a huge varint length */
	b.len = 32;
	put(&b, "\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 9);
	assert_int_equal(gobin_parse_buildinfo(NULL, b.p, b.len, 0x5000, &v, &m), -EINVAL);
	free(b.p);
}

/* A fake gobin over one RW segment, enough for pointer dereferences. */
static void fake_gobin(struct gobin *gb, struct gobin_seg *seg, uint8_t *data, size_t len,
		       uint64_t va)
{
	memset(gb, 0, sizeof(*gb));
	*seg = (struct gobin_seg){ .vaddr = va,
				   .offset = 0,
				   .filesz = len,
				   .memsz = len,
				   .flags = 6 };
	gb->data = data;
	gb->size = len;
	gb->segs = seg;
	gb->nsegs = 1;
}

static void test_buildinfo_pointer(void **state)
{
	const uint64_t va = 0x10000;
	struct gobin gb;
	struct gobin_seg seg;
	struct gobin_reloc rel[2];
	struct buf b = { 0 };
	char *v = NULL, *m = NULL;
	size_t at;

	/* Go <= 1.17: header with pointers to string headers */
	put(&b, "\xff Go buildinf:", 14);
	put8(&b, 8);
	put8(&b, 0);
	put64(&b, va + 0x40); /* &runtime.buildVersion */
	put64(&b, va + 0x50); /* &runtime.modinfo */
	put(&b, NULL, 0x40 - b.len);
	put64(&b, va + 0x60);
	put64(&b, 7);
	put64(&b, va + 0x70);
	at = b.len;
	put64(&b, 0);
	put(&b, "go1.17x", 7); /* at 0x60 */
	put(&b, NULL, 0x70 - b.len);
	put_sentinel_modinfo(&b, false);
	set64(&b, at, b.len - 0x70);

	fake_gobin(&gb, &seg, b.p, b.len, va);
	assert_int_equal(gobin_parse_buildinfo(&gb, b.p, b.len, va, &v, &m), 0);
	assert_string_equal(v, "go1.17x");
	assert_string_equal(m, modinfo_body);
	free(v);
	free(m);

	/* a PIE with zeroed words: the RELATIVE addends are used */
	set64(&b, 16, 0);
	set64(&b, 0x40, 0);
	rel[0] = (struct gobin_reloc){ va + 16, va + 0x40 };
	rel[1] = (struct gobin_reloc){ va + 0x40, va + 0x60 };
	gb.relocs = rel;
	gb.nrelocs = 2;
	assert_int_equal(gobin_parse_buildinfo(&gb, b.p, b.len, va, &v, &m), 0);
	assert_string_equal(v, "go1.17x");
	free(v);
	free(m);

	/* pointers outside the file */
	gb.nrelocs = 0;
	set64(&b, 16, va + 0x100000);
	assert_int_equal(gobin_parse_buildinfo(&gb, b.p, b.len, va, &v, &m), -EINVAL);
	set64(&b, 16, va + 0x40);
	set64(&b, 0x40, va + b.len - 3); /* string runs off the end */
	assert_int_equal(gobin_parse_buildinfo(&gb, b.p, b.len, va, &v, &m), -EINVAL);
	/* without a gobin to dereference through */
	assert_int_equal(gobin_parse_buildinfo(NULL, b.p, b.len, va, &v, &m), -EINVAL);
	/* a missing modinfo string is tolerated */
	set64(&b, 0x40, va + 0x60);
	set64(&b, 24, 0);
	assert_int_equal(gobin_parse_buildinfo(&gb, b.p, b.len, va, &v, &m), 0);
	assert_string_equal(m, "");
	free(v);
	free(m);
	free(b.p);
}

/* -------------------------------------------------- synthetic Go binary */

#define TEXT_VA 0x401000ULL
#define RO_VA 0x402000ULL
#define RW_VA 0x403000ULL
#define SEG_ALIGN 0x1000

enum { DW_NONE, DW_PLAIN, DW_SHF, DW_ZDEBUG };

struct opts {
	const char *version;
	bool pointer_buildinfo;
	bool no_buildinfo;
	bool no_pclntab;
	bool symtab;
	int dwarf;
	uint16_t machine;
	uint16_t type;
};

struct sec {
	const char *name;
	uint32_t type;
	uint64_t flags;
	int seg;    /* 0 text, 1 ro, 2 rw, -1 file-only */
	size_t off; /* in the segment */
	size_t size;
	struct buf own; /* file-only data */
	uint32_t link;
	uint64_t entsize;
};

struct image {
	struct buf seg[3];
	struct sec secs[24];
	int nsecs;
	/* interesting addresses, for the assertions */
	uint64_t pcln_va;
	size_t pcln_ro_off;
	size_t pcln_ro_len;
	uint64_t gofunc;
};

static int add_sec(struct image *im, const char *name, uint32_t type, uint64_t flags, int seg,
		   size_t off, size_t size)
{
	struct sec *s = &im->secs[im->nsecs];

	assert_true(im->nsecs < 24);
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->type = type;
	s->flags = flags;
	s->seg = seg;
	s->off = off;
	s->size = size;
	return im->nsecs++;
}

static struct buf *add_file_sec(struct image *im, const char *name, uint32_t type, uint64_t flags)
{
	int i = add_sec(im, name, type, flags, -1, 0, 0);

	return &im->secs[i].own;
}

/*
 * Three functions: an ABI wrapper "runtime.casgstatus" (<autogenerated>) at
 * 0x401000, the real runtime.casgstatus at 0x401010, and main.main at
 * 0x401040 into which main.helper is inlined at [0x401050, 0x401060).
 */
static void build_pclntab(struct image *im)
{
	struct buf *ro = &im->seg[1];
	struct buf pct = { 0 };
	size_t h, names, cutab, filetab, pctab, pcln, inl;
	size_t name_cas, name_main, name_helper;
	size_t f_auto, f_proc, f_main, f_helper;
	uint32_t tab[16];
	int i;

	align(ro, 8);
	h = put(ro, NULL, 72);
	im->pcln_ro_off = h;
	im->pcln_va = RO_VA + h;
	names = ro->len;
	name_cas = puts0(ro, "runtime.casgstatus") - names;
	name_main = puts0(ro, "main.main") - names;
	name_helper = puts0(ro, "main.helper") - names;
	cutab = ro->len;
	put(ro, NULL, 16); /* 4 file indexes, filled below */
	filetab = ro->len;
	f_auto = puts0(ro, "<autogenerated>") - filetab;
	f_proc = puts0(ro, "/src/runtime/proc.go") - filetab;
	f_main = puts0(ro, "/src/app/main.go") - filetab;
	f_helper = puts0(ro, "/src/app/helper.go") - filetab;
	set32(ro, cutab, (uint32_t)f_auto);
	set32(ro, cutab + 4, (uint32_t)f_proc);
	set32(ro, cutab + 8, (uint32_t)f_main);
	set32(ro, cutab + 12, (uint32_t)f_helper);

	/* pctab: offset 0 means "no table" */
	put8(&pct, 0);
	{
		int32_t v0[] = { 0 }, l0[] = { 1 }, v1[] = { 1 }, l1[] = { 100, 101 };
		int32_t vf2[] = { 2, 3, 2 }, vl2[] = { 10, 11, 21, 12 }, vi2[] = { -1, 0, -1 };
		uint32_t e0[] = { 0x10 }, e1[] = { 0x30 }, e1b[] = { 0x18, 0x30 };
		uint32_t ef2[] = { 0x10, 0x20, 0x40 }, el2[] = { 0x08, 0x10, 0x20, 0x40 };

		tab[0] = (uint32_t)pct.len;
		pcvalue_encode(&pct, v0, e0, 1); /* wrapper: file 0 */
		tab[1] = (uint32_t)pct.len;
		pcvalue_encode(&pct, l0, e0, 1); /* wrapper: line 1 */
		tab[2] = (uint32_t)pct.len;
		pcvalue_encode(&pct, v1, e1, 1); /* casgstatus: file 1 */
		tab[3] = (uint32_t)pct.len;
		pcvalue_encode(&pct, l1, e1b, 2); /* casgstatus: lines 100, 101 */
		tab[4] = (uint32_t)pct.len;
		pcvalue_encode(&pct, vf2, ef2, 3); /* main: main.go, helper.go, main.go */
		tab[5] = (uint32_t)pct.len;
		pcvalue_encode(&pct, vl2, el2, 4); /* main: 10, 11 (call site), 21, 12 */
		tab[6] = (uint32_t)pct.len;
		pcvalue_encode(&pct, vi2, ef2, 3); /* main: inline index -1, 0, -1 */
	}
	pctab = put(ro, pct.p, pct.len);

	/* functab + _func records (Go 1.20 layout, 44-byte header) */
	pcln = ro->len;
	{
		const uint32_t entries[4] = { 0x00, 0x10, 0x40, 0x80 };
		size_t funcs[3];

		put(ro, NULL, 4 * 8);
		for (i = 0; i < 3; i++) {
			uint32_t npcdata = i == 2 ? 3 : 0, nfuncdata = i == 2 ? 4 : 0;
			uint32_t nameoff = (uint32_t)(i < 2 ? name_cas : name_main);

			align(ro, 4);
			funcs[i] = ro->len;
			put32(ro, entries[i]); /* entryOff */
			put32(ro, nameoff);
			put32(ro, 0);		   /* args */
			put32(ro, 0);		   /* deferreturn */
			put32(ro, 0);		   /* pcsp */
			put32(ro, tab[2 * i]);	   /* pcfile */
			put32(ro, tab[2 * i + 1]); /* pcln */
			put32(ro, npcdata);
			put32(ro, 0); /* cuOffset */
			put32(ro, 0); /* startLine */
			put8(ro, 0);  /* funcID */
			put8(ro, 0);  /* flag */
			put8(ro, 0);
			put8(ro, (uint8_t)nfuncdata);
			if (i == 2) {
				put32(ro, 0);	   /* pcdata[0] */
				put32(ro, 0);	   /* pcdata[1] */
				put32(ro, tab[6]); /* pcdata[2] = inline tree index */
				put32(ro, UINT32_MAX);
				put32(ro, UINT32_MAX);
				put32(ro, UINT32_MAX);
				put32(ro, 0); /* funcdata[3]: inline tree at gofunc+0 */
			}
		}
		for (i = 0; i < 4; i++) {
			set32(ro, pcln + 8 * (size_t)i, entries[i]);
			set32(ro, pcln + 8 * (size_t)i + 4,
			      i < 3 ? (uint32_t)(funcs[i] - pcln) : 0);
		}
	}
	im->pcln_ro_len = ro->len - h;

	/* header */
	set32(ro, h, GOBIN_PCLN_120);
	ro->p[h + 4] = 0;
	ro->p[h + 5] = 0;
	ro->p[h + 6] = 1;
	ro->p[h + 7] = 8;
	set64(ro, h + 8, 3);
	set64(ro, h + 16, 4);
	set64(ro, h + 24, 0); /* textStart: 0 like Go 1.26, moduledata has it */
	set64(ro, h + 32, names - h);
	set64(ro, h + 40, cutab - h);
	set64(ro, h + 48, filetab - h);
	set64(ro, h + 56, pctab - h);
	set64(ro, h + 64, pcln - h);

	/* gofunc: the inline tree (Go 1.20 inlinedCall) */
	align(ro, 8);
	inl = ro->len;
	put8(ro, 0); /* funcID */
	put(ro, NULL, 3);
	put32(ro, (uint32_t)name_helper);
	put32(ro, 0x08); /* parentPc: an instruction at the call site */
	put32(ro, 20);	 /* startLine */
	im->gofunc = RO_VA + inl;
	free(pct.p);
}

static void put_str_hdr(struct buf *rw, uint64_t ptr, uint64_t len)
{
	put64(rw, ptr);
	put64(rw, len);
}

/* Minimal DWARF: a Go v4 unit, a C v5 unit (with a decoy runtime.g) and a Go v5 unit. */
enum {
	OFF_G_STACK = 0,
	OFF_G_M = 48,
	OFF_G_SCHED = 56,
	OFF_G_STATUS = 144,
	OFF_G_GOID = 152,
	OFF_G_WAITSINCE = 168,
	OFF_G_WAITREASON = 176,
	OFF_G_PARENT = 272,
	OFF_G_GOPC = 280,
	OFF_G_STARTPC = 296,
	OFF_G_COROARG = 368,
	OFF_G_COROEXIT = 187,
	OFF_M_PROCID = 72,
	OFF_M_CURG = 192,
	OFF_M_P = 208,
	OFF_P_GOIDCACHE = 384,
	OFF_GOBUF_SP = 0,
	OFF_GOBUF_PC = 8,
	OFF_GOBUF_BP = 48,
	OFF_STACK_HI = 8,
};

/* Where the synthetic DWARF puts runtime.g's atomicstatus (test_offsets_checked moves it). */
static int dwarf_g_status = OFF_G_STATUS;

struct dwarf_out {
	struct buf info, abbrev, str, line_str, str_offsets;
};

static void abbrev_begin(struct buf *a, unsigned code, unsigned tag, bool children)
{
	putuleb(a, code);
	putuleb(a, tag);
	put8(a, children);
}

static void abbrev_attr(struct buf *a, unsigned at, unsigned form)
{
	putuleb(a, at);
	putuleb(a, form);
}

static void abbrev_end(struct buf *a)
{
	put8(a, 0);
	put8(a, 0);
}

static void build_dwarf(struct dwarf_out *d, uint64_t wr_va)
{
	struct buf *a = &d->abbrev, *in = &d->info;
	static const char *const indexed[] = {
		/* DW_FORM_strx* index = position */
		"GNU C17", "runtime.m", "procid", "runtime.p", "runtime.coro", "gp",
	};
	size_t abbrev_c, abbrev_go5, unit, strp_g, ls_name, arr, var_type_at, so_base;
	int i;

	/* .debug_str, .debug_line_str, .debug_str_offsets */
	puts0(&d->str, "");
	strp_g = puts0(&d->str, "runtime.g");
	puts0(&d->line_str, "");
	ls_name = puts0(&d->line_str, "x.c");
	put32(&d->str_offsets, 4 + 4 * 6); /* v5 contribution header */
	put16(&d->str_offsets, 5);
	put16(&d->str_offsets, 0);
	so_base = d->str_offsets.len;
	for (i = 0; i < 6; i++)
		put32(&d->str_offsets, (uint32_t)puts0(&d->str, indexed[i]));

	/* abbrevs for the Go v4 unit, at offset 0 */
	abbrev_begin(a, 1, 0x11, true); /* compile_unit */
	abbrev_attr(a, 0x03, 0x08);	/* name string */
	abbrev_attr(a, 0x13, 0x0b);	/* language data1 */
	abbrev_end(a);
	abbrev_begin(a, 2, 0x13, true); /* structure_type */
	abbrev_attr(a, 0x03, 0x0e);	/* name strp */
	abbrev_attr(a, 0x0b, 0x0f);	/* byte_size udata */
	abbrev_end(a);
	abbrev_begin(a, 3, 0x0d, false); /* member, Go style */
	abbrev_attr(a, 0x03, 0x08);
	abbrev_attr(a, 0x38, 0x0f);   /* data_member_location udata */
	abbrev_attr(a, 0x49, 0x10);   /* type ref_addr */
	abbrev_attr(a, 0x2903, 0x0c); /* Go's embedded-field flag */
	abbrev_end(a);
	abbrev_begin(a, 4, 0x0d, false); /* member, DWARF 2 style location */
	abbrev_attr(a, 0x03, 0x08);
	abbrev_attr(a, 0x38, 0x0a); /* block1: DW_OP_plus_uconst */
	abbrev_end(a);
	abbrev_begin(a, 5, 0x34, false); /* variable */
	abbrev_attr(a, 0x03, 0x08);
	abbrev_attr(a, 0x02, 0x18); /* location exprloc */
	abbrev_attr(a, 0x49, 0x13); /* type ref4 */
	abbrev_end(a);
	abbrev_begin(a, 6, 0x01, true); /* array_type */
	abbrev_attr(a, 0x03, 0x08);
	abbrev_end(a);
	abbrev_begin(a, 7, 0x21, false); /* subrange_type */
	abbrev_attr(a, 0x37, 0x0b);	 /* count data1 */
	abbrev_end(a);
	abbrev_begin(a, 8, 0x24, false); /* base_type with forms to skip */
	abbrev_attr(a, 0x03, 0x08);
	abbrev_attr(a, 0x3e, 0x05); /* data2 */
	abbrev_attr(a, 0x3f, 0x19); /* flag_present */
	abbrev_attr(a, 0x1c, 0x0d); /* sdata */
	abbrev_attr(a, 0x3b, 0x03); /* block2 */
	abbrev_attr(a, 0x3c, 0x04); /* block4 */
	abbrev_attr(a, 0x3d, 0x07); /* data8 */
	abbrev_attr(a, 0x3a, 0x06); /* data4 */
	abbrev_attr(a, 0x10, 0x17); /* sec_offset */
	abbrev_attr(a, 0x01, 0x12); /* ref2 */
	abbrev_attr(a, 0x50, 0x16); /* indirect -> udata */
	abbrev_attr(a, 0x51, 0x09); /* block (uleb length) */
	abbrev_attr(a, 0x52, 0x14); /* ref8 */
	abbrev_attr(a, 0x53, 0x15); /* ref_udata */
	abbrev_attr(a, 0x54, 0x01); /* addr */
	abbrev_end(a);
	put8(a, 0);

	/* abbrevs for the C v5 unit */
	abbrev_c = a->len;
	abbrev_begin(a, 1, 0x11, true);
	abbrev_attr(a, 0x25, 0x25); /* producer strx1 */
	abbrev_attr(a, 0x13, 0x0b); /* language data1 (C11) */
	abbrev_attr(a, 0x03, 0x1f); /* name line_strp */
	abbrev_attr(a, 0x72, 0x17); /* str_offsets_base */
	abbrev_end(a);
	abbrev_begin(a, 2, 0x13, true);
	abbrev_attr(a, 0x03, 0x0e);
	abbrev_end(a);
	abbrev_begin(a, 3, 0x0d, false);
	abbrev_attr(a, 0x03, 0x08);
	abbrev_attr(a, 0x38, 0x21); /* implicit_const */
	putsleb(a, 999);
	abbrev_end(a);
	put8(a, 0);

	/* abbrevs for the Go v5 unit */
	abbrev_go5 = a->len;
	abbrev_begin(a, 1, 0x11, true);
	abbrev_attr(a, 0x13, 0x05); /* language data2 */
	abbrev_attr(a, 0x72, 0x17); /* str_offsets_base */
	abbrev_end(a);
	abbrev_begin(a, 2, 0x13, true);
	abbrev_attr(a, 0x03, 0x26); /* name strx2 */
	abbrev_end(a);
	abbrev_begin(a, 3, 0x0d, false); /* m.procid: strx1 + implicit_const */
	abbrev_attr(a, 0x03, 0x25);
	abbrev_attr(a, 0x38, 0x21);
	putsleb(a, OFF_M_PROCID);
	abbrev_end(a);
	abbrev_begin(a, 4, 0x0d, false); /* member: string name, data2 location */
	abbrev_attr(a, 0x03, 0x08);
	abbrev_attr(a, 0x38, 0x05); /* data2 */
	abbrev_end(a);
	abbrev_begin(a, 5, 0x24, false); /* v5-only forms to skip */
	abbrev_attr(a, 0x03, 0x28);	 /* strx4 */
	abbrev_attr(a, 0x60, 0x1e);	 /* data16 */
	abbrev_attr(a, 0x61, 0x1b);	 /* addrx */
	abbrev_attr(a, 0x62, 0x29);	 /* addrx1 */
	abbrev_attr(a, 0x63, 0x2a);	 /* addrx2 */
	abbrev_attr(a, 0x64, 0x2b);	 /* addrx3 */
	abbrev_attr(a, 0x65, 0x2c);	 /* addrx4 */
	abbrev_attr(a, 0x66, 0x22);	 /* loclistx */
	abbrev_attr(a, 0x67, 0x23);	 /* rnglistx */
	abbrev_attr(a, 0x68, 0x20);	 /* ref_sig8 */
	abbrev_attr(a, 0x69, 0x27);	 /* strx3 */
	abbrev_attr(a, 0x6a, 0x1a);	 /* strx */
	abbrev_attr(a, 0x6b, 0x1f);	 /* line_strp */
	abbrev_attr(a, 0x6c, 0x18);	 /* exprloc */
	abbrev_end(a);
	abbrev_begin(a, 6, 0x0d, false); /* member named by strx1, location udata */
	abbrev_attr(a, 0x03, 0x25);
	abbrev_attr(a, 0x38, 0x0f);
	abbrev_end(a);
	put8(a, 0);

	/* ---- unit 1: Go, DWARF 4 ---- */
	unit = put32(in, 0);
	put16(in, 4);
	put32(in, 0); /* abbrev offset */
	put8(in, 8);
	putuleb(in, 1);
	puts0(in, "runtime");
	put8(in, 0x16); /* DW_LANG_Go */
	putuleb(in, 8); /* a base type full of odd forms */
	puts0(in, "odd");
	put16(in, 1);
	putsleb(in, -5);
	put16(in, 2);
	put16(in, 0xabcd);
	put32(in, 3);
	put(in, "xyz", 3);
	put64(in, 1);
	put32(in, 2);
	put32(in, 0);
	put16(in, 0);
	putuleb(in, 0x0f); /* indirect: udata */
	putuleb(in, 300);
	putuleb(in, 2);
	put16(in, 0x0101);
	put64(in, 0);
	putuleb(in, 0);
	put64(in, 0x401000);
	/* runtime.stack, runtime.gobuf, runtime.g */
	putuleb(in, 2);
	{
		static const char *const snames[] = { "runtime.stack", "runtime.gobuf" };
		size_t at;

		for (i = 0; i < 2; i++) {
			at = puts0(&d->str, snames[i]);
			put32(in, (uint32_t)at);
			putuleb(in, 16);
			if (i == 0) {
				putuleb(in, 3);
				puts0(in, "lo");
				putuleb(in, 0);
				put32(in, 0);
				put8(in, 0);
				putuleb(in, 4);
				puts0(in, "hi");
				put8(in, 2);
				put8(in, 0x23); /* DW_OP_plus_uconst */
				put8(in, OFF_STACK_HI);
			} else {
				static const char *const g[] = { "sp", "pc", "g", "bp" };
				static const int o[] = { OFF_GOBUF_SP, OFF_GOBUF_PC, 16,
							 OFF_GOBUF_BP };

				for (int k = 0; k < 4; k++) {
					putuleb(in, 3);
					puts0(in, g[k]);
					putuleb(in, (uint64_t)o[k]);
					put32(in, 0);
					put8(in, 0);
				}
			}
			put8(in, 0); /* end of members */
			if (i == 0)
				putuleb(in, 2);
		}
	}
	putuleb(in, 2);
	put32(in, (uint32_t)strp_g);
	putuleb(in, 400);
	{
		static const char *const gf[] = { "stack",	  "m",		"sched",
						  "atomicstatus", "goid",	"waitsince",
						  "waitreason",	  "parentGoid", "gopc",
						  "startpc",	  "coroarg",	"coroexit" };
		const int go[] = { OFF_G_STACK, OFF_G_M,	 OFF_G_SCHED,	   dwarf_g_status,
				   OFF_G_GOID,	OFF_G_WAITSINCE, OFF_G_WAITREASON, OFF_G_PARENT,
				   OFF_G_GOPC,	OFF_G_STARTPC,	 OFF_G_COROARG,	   OFF_G_COROEXIT };

		for (i = 0; i < 12; i++) {
			putuleb(in, 3);
			puts0(in, gf[i]);
			putuleb(in, (uint64_t)go[i]);
			put32(in, 0);
			put8(in, 0);
		}
	}
	put8(in, 0);
	/* the wait reasons array variable and its type */
	putuleb(in, 5);
	puts0(in, "runtime.waitReasonStrings");
	putuleb(in, 9);
	put8(in, 0x03); /* DW_OP_addr */
	put64(in, wr_va);
	var_type_at = put32(in, 0);
	arr = in->len;
	set32(in, var_type_at, (uint32_t)(arr - unit));
	putuleb(in, 6);
	puts0(in, "[4]string");
	putuleb(in, 7);
	put8(in, 4);
	put8(in, 0);
	put8(in, 0); /* end of the unit's children */
	set32(in, unit, (uint32_t)(in->len - unit - 4));

	/* ---- unit 2: C, DWARF 5, with a decoy runtime.g ---- */
	unit = put32(in, 0);
	put16(in, 5);
	put8(in, 1); /* DW_UT_compile */
	put8(in, 8);
	put32(in, (uint32_t)abbrev_c);
	putuleb(in, 1);
	put8(in, 0);	/* strx1 0: "GNU C17" */
	put8(in, 0x1d); /* DW_LANG_C11 */
	put32(in, (uint32_t)ls_name);
	put32(in, (uint32_t)so_base);
	putuleb(in, 2);
	put32(in, (uint32_t)strp_g);
	putuleb(in, 3);
	puts0(in, "goid");
	put8(in, 0);
	put8(in, 0);
	set32(in, unit, (uint32_t)(in->len - unit - 4));

	/* ---- unit 3: Go, DWARF 5: runtime.m, runtime.p, runtime.coro ---- */
	unit = put32(in, 0);
	put16(in, 5);
	put8(in, 1);
	put8(in, 8);
	put32(in, (uint32_t)abbrev_go5);
	putuleb(in, 1);
	put16(in, 0x16);
	put32(in, (uint32_t)so_base);
	putuleb(in, 5); /* odd v5 forms */
	put32(in, 1);
	put(in, NULL, 16);
	putuleb(in, 1);
	put8(in, 1);
	put16(in, 1);
	put8(in, 1);
	put16(in, 0);
	put32(in, 1);
	putuleb(in, 0);
	putuleb(in, 0);
	put64(in, 0x1122334455667788ULL);
	put8(in, 0);
	put16(in, 0);
	putuleb(in, 2);
	put32(in, (uint32_t)ls_name);
	putuleb(in, 2); /* exprloc: 2 bytes */
	put8(in, 0x06);
	put8(in, 0x9f);
	/* runtime.m (strx2 1) */
	putuleb(in, 2);
	put16(in, 1);
	putuleb(in, 3);
	put8(in, 2); /* "procid" via strx1, offset implicit */
	putuleb(in, 4);
	puts0(in, "curg");
	put16(in, OFF_M_CURG);
	putuleb(in, 4);
	puts0(in, "p");
	put16(in, OFF_M_P);
	put8(in, 0);
	/* runtime.p */
	putuleb(in, 2);
	put16(in, 3);
	putuleb(in, 4);
	puts0(in, "goidcache");
	put16(in, OFF_P_GOIDCACHE);
	putuleb(in, 4);
	puts0(in, "goidcacheend");
	put16(in, OFF_P_GOIDCACHE + 8);
	put8(in, 0);
	/* runtime.coro */
	putuleb(in, 2);
	put16(in, 4);
	putuleb(in, 6);
	put8(in, 5); /* "gp" via strx1 */
	putuleb(in, 0);
	put8(in, 0);
	put8(in, 0);
	set32(in, unit, (uint32_t)(in->len - unit - 4));
}

/* Compress a DWARF section the way Go 1.19+ (SHF_COMPRESSED) or 1.17/1.18 (.zdebug) do. */
static void compress_into(struct buf *out, const struct buf *in, bool shf)
{
	uLongf n = compressBound(in->len);
	uint8_t *z = malloc(n);

	assert_non_null(z);
	assert_int_equal(compress2(z, &n, in->p, in->len, 9), Z_OK);
	if (shf) {
		put32(out, ELFCOMPRESS_ZLIB);
		put32(out, 0);
		put64(out, in->len);
		put64(out, 1);
	} else {
		put(out, "ZLIB", 4);
		for (int i = 7; i >= 0; i--)
			put8(out, (uint8_t)(in->len >> (8 * i)));
	}
	put(out, z, n);
	free(z);
}

static void add_dwarf(struct image *im, int mode, uint64_t wr_va)
{
	struct dwarf_out d = { 0 };
	const struct {
		const char *plain, *z;
		struct buf *b;
	} secs[] = {
		{ ".debug_info", ".zdebug_info", &d.info },
		{ ".debug_abbrev", ".zdebug_abbrev", &d.abbrev },
		{ ".debug_str", ".zdebug_str", &d.str },
		{ ".debug_line_str", ".zdebug_line_str", &d.line_str },
		{ ".debug_str_offsets", ".zdebug_str_offsets", &d.str_offsets },
	};
	size_t i;

	build_dwarf(&d, wr_va);
	for (i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		struct buf *b;

		if (mode == DW_PLAIN) {
			b = add_file_sec(im, secs[i].plain, SHT_PROGBITS, 0);
			put(b, secs[i].b->p, secs[i].b->len);
		} else if (mode == DW_SHF) {
			b = add_file_sec(im, secs[i].plain, SHT_PROGBITS, SHF_COMPRESSED);
			compress_into(b, secs[i].b, true);
		} else {
			b = add_file_sec(im, secs[i].z, SHT_PROGBITS, 0);
			compress_into(b, secs[i].b, false);
		}
		free(secs[i].b->p);
	}
}

static void put_note(struct buf *b, const char *name, uint32_t namesz, uint32_t type,
		     const void *desc, uint32_t descsz)
{
	put32(b, namesz);
	put32(b, descsz);
	put32(b, type);
	put(b, name, namesz);
	align(b, 4);
	put(b, desc, descsz);
	align(b, 4);
}

static void build_image(struct image *im, const struct opts *o)
{
	struct buf *text = &im->seg[0], *ro = &im->seg[1], *rw = &im->seg[2];
	uint64_t gofunc, s_gc, s_io, s_chan, wr_va, md_va;
	size_t at, n0, md, wr;
	int i;

	memset(im, 0, sizeof(*im));
	add_sec(im, "", SHT_NULL, 0, -1, 0, 0);
	/* text: 0x80 bytes of int3 */
	for (i = 0; i < 0x80; i++)
		put8(text, 0xcc);
	add_sec(im, ".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0, 0, text->len);

	/* ro: notes, pclntab, strings */
	at = ro->len;
	put_note(ro, "Go\0\0", 4, 4, "abc/def", 7); /* cmd/link: namesz 4 */
	add_sec(im, ".note.go.buildid", SHT_NOTE, SHF_ALLOC, 1, at, ro->len - at);
	at = ro->len;
	put_note(ro, "GNU", 4, NT_GNU_BUILD_ID, "\x01\x23\xab\xff", 4);
	add_sec(im, ".note.gnu.build-id", SHT_NOTE, SHF_ALLOC, 1, at, ro->len - at);
	if (!o->no_pclntab) {
		build_pclntab(im);
		gofunc = im->gofunc;
		add_sec(im, ".gopclntab", SHT_PROGBITS, SHF_ALLOC, 1, im->pcln_ro_off,
			im->pcln_ro_len);
	} else {
		gofunc = 0;
	}
	s_gc = RO_VA + put(ro, "GC assist marking", 17);
	s_io = RO_VA + put(ro, "IO wait", 7);
	s_chan = RO_VA + put(ro, "chan receive", 12);
	at = ro->len;
	put(ro, o->version, strlen(o->version));

	/* rw: buildinfo, moduledata, waitReasonStrings, the ≤1.17 string headers */
	if (!o->no_buildinfo) {
		n0 = rw->len;
		if (o->pointer_buildinfo) {
			put(rw, "\xff Go buildinf:", 14);
			put8(rw, 8);
			put8(rw, 0);
			put64(rw, RW_VA + 32);
			put64(rw, 0); /* no modinfo */
			put_str_hdr(rw, RO_VA + at, strlen(o->version));
		} else {
			put_buildinfo_inline(rw, o->version);
		}
		add_sec(im, ".go.buildinfo", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 2, n0,
			rw->len - n0);
	}
	align(rw, 16);
	put(rw, NULL, 16);
	md = rw->len;
	md_va = RW_VA + md;
	put(rw, NULL, 592);
	if (!o->no_pclntab) {
		set64(rw, md, im->pcln_va);
		set64(rw, md + 8, im->pcln_va + gobin_le64(ro->p + im->pcln_ro_off + 32));
		set64(rw, md + 176, TEXT_VA);
		set64(rw, md + 320, gofunc);
	}
	(void)md_va;
	wr = rw->len;
	wr_va = RW_VA + wr;
	put_str_hdr(rw, 0, 0);
	put_str_hdr(rw, s_gc, 17);
	put_str_hdr(rw, s_io, 7);
	put_str_hdr(rw, s_chan, 12);
	put_str_hdr(rw, 0, 0); /* what follows the array is not a wait reason */
	put_str_hdr(rw, s_io, 7);
	add_sec(im, ".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 2, md - 16, rw->len - md + 16);

	if (o->symtab) {
		struct buf *strtab, *symtab;
		int idx;

		idx = im->nsecs + 1;
		symtab = add_file_sec(im, ".symtab", SHT_SYMTAB, 0);
		im->secs[idx - 1].link = (uint32_t)idx;
		im->secs[idx - 1].entsize = sizeof(Elf64_Sym);
		strtab = add_file_sec(im, ".strtab", SHT_STRTAB, 0);
		put8(strtab, 0);
		put(symtab, NULL, sizeof(Elf64_Sym)); /* symbol 0 */
		{
			Elf64_Sym s = { 0 };

			s.st_name = (uint32_t)puts0(strtab, "runtime.waitReasonStrings");
			s.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT);
			s.st_value = wr_va;
			s.st_size = 3 * 16; /* the symbol says 3: it wins over the pattern */
			put(symtab, &s, sizeof(s));
		}
	}
	if (o->dwarf != DW_NONE)
		add_dwarf(im, o->dwarf, wr_va);
}

static void free_image(struct image *im)
{
	int i;

	for (i = 0; i < 3; i++)
		free(im->seg[i].p);
	for (i = 0; i < im->nsecs; i++)
		free(im->secs[i].own.p);
}

/* Lay the image out as an ELF64 executable: 3 PT_LOADs, then file-only sections, shdrs. */
static void write_elf(struct buf *f, const struct image *im, const struct opts *o)
{
	static const uint32_t flags[3] = { PF_R | PF_X, PF_R, PF_R | PF_W };
	static const uint64_t vas[3] = { TEXT_VA, RO_VA, RW_VA };
	struct buf shstr = { 0 };
	size_t seg_off[3], sec_off[24], name_off[24], shoff, shstr_off, shstr_name;
	Elf64_Ehdr eh = { 0 };
	int i;

	f->len = 0;
	put(f, NULL, sizeof(eh) + 3 * sizeof(Elf64_Phdr));
	for (i = 0; i < 3; i++) {
		while (f->len % SEG_ALIGN)
			put8(f, 0);
		seg_off[i] = put(f, im->seg[i].p, im->seg[i].len);
	}
	put8(&shstr, 0);
	for (i = 0; i < im->nsecs; i++) {
		name_off[i] = i ? puts0(&shstr, im->secs[i].name) : 0;
		if (im->secs[i].seg >= 0) {
			sec_off[i] = seg_off[im->secs[i].seg] + im->secs[i].off;
		} else {
			align(f, 8);
			sec_off[i] = put(f, im->secs[i].own.p, im->secs[i].own.len);
		}
	}
	shstr_name = puts0(&shstr, ".shstrtab");
	shstr_off = put(f, shstr.p, shstr.len);
	align(f, 8);
	shoff = f->len;
	for (i = 0; i <= im->nsecs; i++) {
		Elf64_Shdr sh = { 0 };

		if (i == im->nsecs) {
			sh.sh_name = (uint32_t)shstr_name;
			sh.sh_type = SHT_STRTAB;
			sh.sh_offset = shstr_off;
			sh.sh_size = shstr.len;
		} else if (i > 0) {
			const struct sec *s = &im->secs[i];

			sh.sh_name = (uint32_t)name_off[i];
			sh.sh_type = s->type;
			sh.sh_flags = s->flags;
			sh.sh_addr = s->seg >= 0 ? vas[s->seg] + s->off : 0;
			sh.sh_offset = sec_off[i];
			sh.sh_size = s->seg >= 0 ? s->size : s->own.len;
			sh.sh_link = s->link;
			sh.sh_entsize = s->entsize;
			sh.sh_addralign = 1;
		}
		put(f, &sh, sizeof(sh));
	}
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = o->type ? o->type : ET_EXEC;
	eh.e_machine = o->machine ? o->machine : EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_entry = TEXT_VA;
	eh.e_phoff = sizeof(eh);
	eh.e_shoff = shoff;
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = 3;
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = (uint16_t)(im->nsecs + 1);
	eh.e_shstrndx = (uint16_t)im->nsecs;
	memcpy(f->p, &eh, sizeof(eh));
	for (i = 0; i < 3; i++) {
		Elf64_Phdr ph = { 0 };

		ph.p_type = PT_LOAD;
		ph.p_flags = flags[i];
		ph.p_offset = seg_off[i];
		ph.p_vaddr = ph.p_paddr = vas[i];
		ph.p_filesz = ph.p_memsz = im->seg[i].len;
		ph.p_align = SEG_ALIGN;
		memcpy(f->p + sizeof(eh) + (size_t)i * sizeof(ph), &ph, sizeof(ph));
	}
	free(shstr.p);
}

static char tmpdir[64];

static int setup_dir(void **state)
{
	strcpy(tmpdir, "/tmp/test_gobin.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *write_file(const char *name, const void *p, size_t len)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	if (len)
		assert_int_equal(fwrite(p, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static const char *make_binary(const char *name, const struct opts *o, struct buf *file)
{
	struct image im;
	struct buf local = { 0 };
	const char *path;

	build_image(&im, o);
	write_elf(file ? file : &local, &im, o);
	path = write_file(name, (file ? file : &local)->p, (file ? file : &local)->len);
	free_image(&im);
	free(local.p);
	return path;
}

static const struct opts default_opts = { .version = "go1.22.1", .symtab = false };

/* --------------------------------------------------------- synthetic tests */

static void test_synthetic_binary(void **state)
{
	struct gobin *gb = NULL;
	struct gobin_func fn;
	struct gobin_frame fr[8];
	struct gobin_offsets off;
	const char *const *wr;
	const char *how, *path;
	char err[256];
	uint8_t code[4];
	uint64_t fo;
	int n;

	path = make_binary("t1", &default_opts, NULL);
	assert_int_equal(gobin__open(path, &gb, err, sizeof(err)), 0);
	assert_string_equal(gobin__version(gb), "go1.22.1");
	assert_int_equal(gobin__minor(gb), 22);
	assert_string_equal(gobin__modinfo(gb), modinfo_body);
	assert_false(gobin__is_pie(gb));
	assert_false(gobin__has_dwarf(gb));
	assert_false(gobin__has_symtab(gb));
	assert_string_equal(gobin__go_build_id(gb), "abc/def");
	assert_string_equal(gobin__gnu_build_id(gb), "0123abff");

	/* the real body wins over the <autogenerated> wrapper of the same name */
	assert_int_equal(gobin__find_func(gb, "runtime.casgstatus", &fn), 0);
	assert_string_equal(fn.name, "runtime.casgstatus");
	assert_int_equal(fn.entry, TEXT_VA + 0x10);
	assert_int_equal(fn.end, TEXT_VA + 0x40);
	assert_int_equal(fn.file_offset, 0x1010);
	assert_int_equal(gobin__find_func(gb, "runtime.casgstatus.abi0", &fn), 0);
	assert_int_equal(fn.entry, TEXT_VA + 0x10);
	assert_int_equal(gobin__find_func(gb, "main.main", &fn), 0);
	assert_int_equal(fn.entry, TEXT_VA + 0x40);
	assert_int_equal(fn.end, TEXT_VA + 0x80);
	assert_int_equal(gobin__find_func(gb, "main.helper", &fn), -ENOENT); /* inlined only */
	assert_int_equal(gobin__find_func(gb, "main", &fn), -ENOENT);

	assert_int_equal(gobin__func_at(gb, TEXT_VA + 0x5, &fn), 0);
	assert_int_equal(fn.entry, TEXT_VA);
	assert_int_equal(gobin__func_at(gb, TEXT_VA + 0x3f, &fn), 0);
	assert_int_equal(fn.entry, TEXT_VA + 0x10);
	assert_int_equal(gobin__func_at(gb, TEXT_VA + 0x7f, &fn), 0);
	assert_string_equal(fn.name, "main.main");
	assert_int_equal(gobin__func_at(gb, TEXT_VA + 0x80, &fn), -ENOENT);
	assert_int_equal(gobin__func_at(gb, TEXT_VA - 1, &fn), -ENOENT);
	assert_int_equal(gobin__func_at(gb, 0, &fn), -ENOENT);

	/* symbolization: plain, inlined (innermost first), and line tables */
	n = gobin__symbolize(gb, TEXT_VA + 0x20, fr, 8);
	assert_int_equal(n, 1);
	assert_string_equal(fr[0].func, "runtime.casgstatus");
	assert_string_equal(fr[0].file, "/src/runtime/proc.go");
	assert_int_equal(fr[0].line, 100);
	n = gobin__symbolize(gb, TEXT_VA + 0x30, fr, 8);
	assert_int_equal(n, 1);
	assert_int_equal(fr[0].line, 101);
	n = gobin__symbolize(gb, TEXT_VA + 0x44, fr, 8);
	assert_int_equal(n, 1);
	assert_string_equal(fr[0].func, "main.main");
	assert_string_equal(fr[0].file, "/src/app/main.go");
	assert_int_equal(fr[0].line, 10);
	n = gobin__symbolize(gb, TEXT_VA + 0x55, fr, 8);
	assert_int_equal(n, 2);
	assert_string_equal(fr[0].func, "main.helper");
	assert_string_equal(fr[0].file, "/src/app/helper.go");
	assert_int_equal(fr[0].line, 21);
	assert_string_equal(fr[1].func, "main.main");
	assert_string_equal(fr[1].file, "/src/app/main.go");
	assert_int_equal(fr[1].line, 11);
	n = gobin__symbolize(gb, TEXT_VA + 0x55, fr, 1); /* truncated: innermost kept */
	assert_int_equal(n, 1);
	assert_string_equal(fr[0].func, "main.helper");
	n = gobin__symbolize(gb, TEXT_VA + 0x70, fr, 8);
	assert_int_equal(n, 1);
	assert_int_equal(fr[0].line, 12);
	n = gobin__symbolize(gb, TEXT_VA + 0x5, fr, 8);
	assert_int_equal(n, 1);
	assert_string_equal(fr[0].file, "<autogenerated>");
	assert_int_equal(gobin__symbolize(gb, TEXT_VA + 0x80, fr, 8), -ENOENT);
	assert_int_equal(gobin__symbolize(gb, TEXT_VA, fr, 0), -EINVAL);

	/* reading and address translation */
	assert_int_equal(gobin__read(gb, TEXT_VA + 0x7c, code, 4), 0);
	assert_memory_equal(code, "\xcc\xcc\xcc\xcc", 4);
	assert_int_equal(gobin__read(gb, TEXT_VA + 0x7d, code, 4), -EFAULT);
	assert_int_equal(gobin__read(gb, 0x10, code, 1), -EFAULT);
	assert_int_equal(gobin__read(gb, UINT64_MAX - 1, code, 4), -EFAULT);
	assert_int_equal(gobin__vaddr_to_offset(gb, RO_VA + 3, &fo), 0);
	assert_int_equal(fo, 0x2003);
	assert_int_equal(gobin__vaddr_to_offset(gb, 0x1000, &fo), -EFAULT);

	/* no DWARF: the table for go1.22 */
	assert_int_equal(gobin__offsets(gb, &off), 0);
	assert_string_equal(off.source, "table for go1.22");
	assert_int_equal(off.g_goid, 152);
	assert_int_equal(off.g_coroarg, 368);
	assert_int_equal(off.coro_gp, 0);

	/* wait reasons by pattern: stops at the first implausible entry */
	assert_int_equal(gobin__wait_reasons(gb, &wr, &n, &how), 0);
	assert_string_equal(how, "pattern");
	assert_int_equal(n, 4);
	assert_string_equal(wr[0], "");
	assert_string_equal(wr[1], "GC assist marking");
	assert_string_equal(wr[2], "IO wait");
	assert_string_equal(wr[3], "chan receive");
	/* a second call returns the cached answer */
	assert_int_equal(gobin__wait_reasons(gb, &wr, &n, NULL), 0);
	assert_int_equal(n, 4);
	gobin__free(gb);
}

static void check_dwarf_offsets(const struct gobin_offsets *off)
{
	assert_string_equal(off->source, "DWARF");
	assert_int_equal(off->g_stack_lo, 0);
	assert_int_equal(off->g_stack_hi, OFF_STACK_HI);
	assert_int_equal(off->g_m, OFF_G_M);
	assert_int_equal(off->g_sched_sp, OFF_G_SCHED + OFF_GOBUF_SP);
	assert_int_equal(off->g_sched_pc, OFF_G_SCHED + OFF_GOBUF_PC);
	assert_int_equal(off->g_sched_bp, OFF_G_SCHED + OFF_GOBUF_BP);
	assert_int_equal(off->g_atomicstatus, OFF_G_STATUS);
	assert_int_equal(off->g_goid, OFF_G_GOID); /* not the decoy's 999 */
	assert_int_equal(off->g_waitsince, OFF_G_WAITSINCE);
	assert_int_equal(off->g_waitreason, OFF_G_WAITREASON);
	assert_int_equal(off->g_parentgoid, OFF_G_PARENT);
	assert_int_equal(off->g_gopc, OFF_G_GOPC);
	assert_int_equal(off->g_startpc, OFF_G_STARTPC);
	assert_int_equal(off->g_coroarg, OFF_G_COROARG);
	assert_int_equal(off->g_coroexit, OFF_G_COROEXIT);
	assert_int_equal(off->m_procid, OFF_M_PROCID);
	assert_int_equal(off->m_curg, OFF_M_CURG);
	assert_int_equal(off->m_p, OFF_M_P);
	assert_int_equal(off->p_goidcache, OFF_P_GOIDCACHE);
	assert_int_equal(off->p_goidcacheend, OFF_P_GOIDCACHE + 8);
	assert_int_equal(off->coro_gp, 0);
}

static void test_synthetic_dwarf(void **state)
{
	static const int modes[] = { DW_PLAIN, DW_SHF, DW_ZDEBUG };
	struct gobin *gb = NULL;
	struct gobin_offsets off;
	const char *const *wr;
	const char *how;
	char err[256];
	int n;

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct opts o = default_opts;
		const char *path;

		o.dwarf = modes[i];
		path = make_binary("dw", &o, NULL);
		assert_int_equal(gobin__open(path, &gb, err, sizeof(err)), 0);
		assert_true(gobin__has_dwarf(gb));
		assert_int_equal(gobin__offsets(gb, &off), 0);
		check_dwarf_offsets(&off);
		/* no .symtab but DWARF: the array's bound comes from its DWARF type */
		assert_int_equal(gobin__wait_reasons(gb, &wr, &n, &how), 0);
		assert_string_equal(how, "DWARF");
		assert_int_equal(n, 4);
		assert_string_equal(wr[3], "chan receive");
		gobin__free(gb);
	}
}

/*
 * Issue 14: an offset from DWARF past what gotl's readers copy of the
 * struct (the attach snapshot indexed its 512-byte copy of a g with
 * g.atomicstatus unchecked) is refused where the offsets are made, and a
 * plan is not made from it.
 */
static void test_offsets_checked(void **state)
{
	static const struct {
		int at;
		int ret;
	} cases[] = {
		{ 4000, -EINVAL },
		{ GOBIN_COPY_G - 3, -EINVAL }, /* the 4-byte field's last byte is past the copy */
		{ GOBIN_COPY_G - 4, 0 },       /* it just fits */
	};
	struct gobin_offsets off;
	struct gobin *gb = NULL;
	struct plan *p = NULL;
	char err[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct opts o = default_opts;
		const char *path;

		o.dwarf = DW_PLAIN;
		dwarf_g_status = cases[i].at;
		path = make_binary("dwbad", &o, NULL);
		dwarf_g_status = OFF_G_STATUS;
		assert_int_equal(gobin__open(path, &gb, err, sizeof(err)), 0);
		assert_int_equal(gobin__offsets(gb, &off), cases[i].ret);
		if (cases[i].ret) {
			char want[64];

			snprintf(want, sizeof(want), "g.atomicstatus at %d", cases[i].at);
			assert_non_null(strstr(off.source, "DWARF: "));
			assert_non_null(strstr(off.source, want));
			assert_int_equal(off.g_atomicstatus, -1);
			assert_int_equal(off.g_goid, -1);
			/* the cached answer is the same */
			assert_int_equal(gobin__offsets(gb, &off), -EINVAL);
			assert_int_equal(plan__new(path, &p, err, sizeof(err)), -ENOEXEC);
			assert_null(p);
			assert_non_null(strstr(err, want));
		} else {
			assert_int_equal(off.g_atomicstatus, GOBIN_COPY_G - 4);
		}
		gobin__free(gb);
		gb = NULL;
	}
}

static void test_synthetic_variants(void **state)
{
	struct gobin_frame fr[4];
	struct gobin *gb = NULL;
	struct gobin_offsets off;
	const char *const *wr;
	const char *how, *path;
	char err[256];
	struct opts o;
	int n;

	/* Go <= 1.17 pointer-format build info, and a symbol table */
	o = default_opts;
	o.version = "go1.17.13";
	o.pointer_buildinfo = true;
	o.symtab = true;
	path = make_binary("ptr", &o, NULL);
	assert_int_equal(gobin__open(path, &gb, err, sizeof(err)), 0);
	assert_string_equal(gobin__version(gb), "go1.17.13");
	assert_string_equal(gobin__modinfo(gb), "");
	assert_true(gobin__has_symtab(gb));
	assert_int_equal(gobin__offsets(gb, &off), 0);
	assert_string_equal(off.source, "table for go1.17");
	assert_int_equal(off.g_parentgoid, -1);
	assert_int_equal(off.p_goidcache, 1504);
	assert_int_equal(gobin__wait_reasons(gb, &wr, &n, &how), 0);
	assert_string_equal(how, "symbol");
	assert_int_equal(n, 3);
	gobin__free(gb);

	/* a version newer than gotl knows: no table (only its own DWARF would do) */
	o = default_opts;
	o.version = "devel go1.31-abcdef +x";
	path = make_binary("future", &o, NULL);
	assert_int_equal(gobin__open(path, &gb, err, sizeof(err)), 0);
	assert_int_equal(gobin__minor(gb), 31);
	assert_int_equal(gobin__offsets(gb, &off), -ENOTSUP);
	assert_int_equal(off.g_goid, -1);
	/* moduledata.gofunc is not where 1.27 keeps it: found by checking the inline tree */
	assert_int_equal(gobin__symbolize(gb, TEXT_VA + 0x55, fr, 4), 2);
	assert_string_equal(fr[0].func, "main.helper");
	gobin__free(gb);

	/* a version gotl cannot place: no table, and it says so */
	o.version = "devel +abcdef";
	path = make_binary("unknown", &o, NULL);
	assert_int_equal(gobin__open(path, &gb, err, sizeof(err)), 0);
	assert_int_equal(gobin__minor(gb), 0);
	assert_int_equal(gobin__offsets(gb, &off), -ENOTSUP);
	assert_int_equal(off.g_goid, -1);
	gobin__free(gb);
}

static void expect_open_error(const char *path, int want, const char *needle)
{
	struct gobin *gb = (struct gobin *)0x1;
	char err[256] = "untouched";
	int ret = gobin__open(path, &gb, err, sizeof(err));

	assert_int_equal(ret, want);
	assert_null(gb);
	assert_non_null(strstr(err, needle));
	assert_null(strchr(err, '\n'));
}

static void test_open_errors(void **state)
{
	struct opts o;
	struct gobin *gb;

	expect_open_error("/nonexistent/gotl-test", -ENOENT, "cannot open");
	expect_open_error(tmpdir, -EISDIR, "is a directory");
	expect_open_error(write_file("empty", "", 0), -ENOEXEC, "not an ELF file");
	expect_open_error(write_file("text", "#!/bin/sh\necho hi\n", 18), -ENOEXEC,
			  "not an ELF file");
	expect_open_error(write_file("elfhdr",
				     "\x7f"
				     "ELF\x02\x01\x01",
				     7),
			  -ENOEXEC, "truncated");

	o = default_opts;
	o.machine = EM_AARCH64;
	expect_open_error(make_binary("arm", &o, NULL), -ENOTSUP, "is for aarch64");
	o.machine = 0;
	o.type = ET_REL;
	expect_open_error(make_binary("rel", &o, NULL), -ENOEXEC, "not an executable");
	o = default_opts;
	o.version = "go1.16.15";
	expect_open_error(make_binary("old", &o, NULL), -ENOTSUP,
			  "was built by go1.16.15, gotl needs Go 1.17 or newer");
	o = default_opts;
	o.no_buildinfo = true;
	o.no_pclntab = true;
	expect_open_error(make_binary("notgo", &o, NULL), -EPROTONOSUPPORT,
			  "is not a Go binary (no Go build information)");
	o = default_opts;
	o.no_buildinfo = true;
	expect_open_error(make_binary("nobi", &o, NULL), -EPROTONOSUPPORT, "build information");
	o = default_opts;
	o.no_pclntab = true;
	expect_open_error(make_binary("nopcln", &o, NULL), -EPROTONOSUPPORT, "no pclntab");

	/* bad arguments */
	assert_int_equal(gobin__open(NULL, &gb, NULL, 0), -EINVAL);
	assert_int_equal(gobin__open("x", NULL, NULL, 0), -EINVAL);
	gobin__free(NULL);
}

/* Open a damaged file; if it opens, every query must stay within bounds. */
static bool exercise(const char *path)
{
	struct gobin *gb = NULL;
	struct gobin_func fn;
	struct gobin_frame fr[16];
	struct gobin_offsets off;
	const char *const *wr;
	const char *how;
	char err[256] = "";
	uint8_t b[16];
	int ret, n;

	ret = gobin__open(path, &gb, err, sizeof(err));
	if (ret) {
		assert_true(ret < 0);
		assert_null(gb);
		assert_true(err[0] != 0);
		return false;
	}
	assert_non_null(gobin__version(gb));
	gobin__find_func(gb, "runtime.casgstatus", &fn);
	gobin__find_func(gb, "main.main", &fn);
	for (uint64_t pc = TEXT_VA - 2; pc < TEXT_VA + 0x84; pc++) {
		if (gobin__func_at(gb, pc, &fn) == 0)
			assert_true(fn.entry <= pc && pc < fn.end);
		n = gobin__symbolize(gb, pc, fr, 16);
		assert_true(n == -ENOENT || (n >= 1 && n <= 16));
		for (int i = 0; i < n; i++) {
			assert_non_null(fr[i].func);
			assert_non_null(fr[i].file);
			(void)strlen(fr[i].func);
			(void)strlen(fr[i].file);
		}
	}
	gobin__offsets(gb, &off);
	if (gobin__wait_reasons(gb, &wr, &n, &how) == 0)
		for (int i = 0; i < n; i++)
			(void)strlen(wr[i]);
	gobin__read(gb, RW_VA, b, sizeof(b));
	gobin__free(gb);
	return true;
}

static void test_truncated_and_corrupt(void **state)
{
	struct buf file = { 0 };
	struct opts o = default_opts;
	uint8_t *copy;
	uint32_t seed = 12345;
	int opened = 0, tried = 0;

	o.dwarf = DW_SHF;
	o.symtab = true;
	make_binary("full", &o, &file);
	copy = malloc(file.len);
	assert_non_null(copy);

	/* every prefix of the file */
	for (size_t n = 0; n < file.len; n += (n < 0x4000 ? 1 : 7))
		exercise(write_file("trunc", file.p, n));
	/* the complete file is fine */
	assert_true(exercise(write_file("trunc", file.p, file.len)));

	/* random byte damage, concentrated on the parsed regions */
	for (int iter = 0; iter < 3000; iter++) {
		int k, nflip = 1 + iter % 4;

		memcpy(copy, file.p, file.len);
		for (k = 0; k < nflip; k++) {
			size_t at;

			seed = seed * 1103515245U + 12345U;
			if (iter % 3 == 0)
				at = 0x2000 + (seed >> 8) % 0x600; /* notes, pclntab */
			else if (iter % 3 == 1)
				at = 0x3000 + (seed >> 8) % 0x400; /* buildinfo, md */
			else
				at = (seed >> 8) % file.len;
			if (at >= file.len)
				continue;
			seed = seed * 1103515245U + 12345U;
			copy[at] = (iter & 8) ? (uint8_t)(seed >> 16) : (uint8_t)(copy[at] ^ 0xff);
		}
		opened += exercise(write_file("corrupt", copy, file.len));
		tried++;
	}
	print_message("%d of %d damaged copies opened and were queried\n", opened, tried);
	assert_true(opened > 0 && opened < tried); /* both paths were taken */
	free(copy);
	free(file.p);
}

static void test_inflate(void **state)
{
	struct buf in = { 0 }, z = { 0 };
	uint8_t *out;
	size_t outlen;

	for (int i = 0; i < 1000; i++)
		put8(&in, (uint8_t)(i * 7));
	compress_into(&z, &in, true);
	assert_int_equal(gobin_dwarf_inflate(z.p, z.len, true, &out, &outlen), 0);
	assert_int_equal(outlen, in.len);
	assert_memory_equal(out, in.p, in.len);
	free(out);
	/* truncated stream, wrong size, wrong type */
	assert_int_equal(gobin_dwarf_inflate(z.p, z.len - 10, true, &out, &outlen), -EINVAL);
	assert_null(out);
	set64(&z, 8, in.len + 1);
	assert_int_equal(gobin_dwarf_inflate(z.p, z.len, true, &out, &outlen), -EINVAL);
	set64(&z, 8, 1ULL << 40);
	assert_int_equal(gobin_dwarf_inflate(z.p, z.len, true, &out, &outlen), -EINVAL);
	set32(&z, 0, 2); /* ELFCOMPRESS_ZSTD */
	assert_int_equal(gobin_dwarf_inflate(z.p, z.len, true, &out, &outlen), -ENOTSUP);
	assert_int_equal(gobin_dwarf_inflate(z.p, 10, true, &out, &outlen), -EINVAL);

	z.len = 0;
	compress_into(&z, &in, false);
	assert_int_equal(gobin_dwarf_inflate(z.p, z.len, false, &out, &outlen), 0);
	assert_memory_equal(out, in.p, in.len);
	free(out);
	z.p[0] = 'X';
	assert_int_equal(gobin_dwarf_inflate(z.p, z.len, false, &out, &outlen), -EINVAL);
	free(in.p);
	free(z.p);
}

static void test_table(void **state)
{
	struct gobin_offsets o;

	assert_int_equal(gobin_table_offsets(16, &o), -ENOTSUP);
	assert_int_equal(o.g_goid, -1);
	assert_int_equal(gobin_table_offsets(0, &o), -ENOTSUP);
	assert_int_equal(gobin_table_offsets(GOBIN_NEWEST_KNOWN_MINOR + 1, &o), -ENOTSUP);
	assert_int_equal(o.g_goid, -1);
	for (int minor = 17; minor <= GOBIN_NEWEST_KNOWN_MINOR; minor++) {
		assert_int_equal(gobin_table_offsets(minor, &o), 0);
		assert_non_null(o.source);
		assert_int_equal(o.g_stack_lo, 0);
		assert_int_equal(o.g_m, 48);
		assert_true(o.g_goid > 0 && o.g_atomicstatus > 0 && o.m_curg > 0);
		assert_true((o.g_parentgoid >= 0) == (minor >= 21));
		assert_true((o.g_coroarg >= 0) == (minor >= 22));
		assert_true((o.coro_gp >= 0) == (minor >= 22));
		assert_true((o.g_syscallbp >= 0) == (minor >= 23));
		assert_true(o.g_syscallsp > o.g_sched_bp && o.g_syscallpc == o.g_syscallsp + 8);
		assert_true(o.g_lockedm > o.g_waitreason && o.g_trackingseq > o.g_waitreason);
		/* every value fits what the readers copy */
		assert_int_equal(gobin_offsets_check(&o, (char[128]){ 0 }, 128), 0);
	}
	/* the descriptors follow the list */
	assert_int_equal(gobin_noffset_fields, GOBIN_NFIELDS);
	assert_string_equal(gobin_offset_fields[GOBIN_FIELD_g_sched_pc].path, "g.sched.pc");
	assert_string_equal(gobin_offset_fields[GOBIN_FIELD_g_goid].name, "g_goid");
	assert_string_equal(gobin_offset_fields[GOBIN_FIELD_coro_gp].path, "coro.gp");
	gobin_table_offsets(26, &o);
	assert_int_equal(gobin_offset_get(&o, GOBIN_FIELD_g_lockedm), 208);
	gobin_table_offsets(23, &o);
	assert_int_equal(o.g_goid, 160);
	gobin_table_offsets(25, &o);
	assert_int_equal(o.m_curg, 184);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uvarint),
		cmocka_unit_test(test_pcvalue),
		cmocka_unit_test(test_parse_minor),
		cmocka_unit_test(test_buildinfo_inline),
		cmocka_unit_test(test_buildinfo_pointer),
		cmocka_unit_test(test_inflate),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_synthetic_binary),
		cmocka_unit_test(test_synthetic_dwarf),
		cmocka_unit_test(test_synthetic_variants),
		cmocka_unit_test(test_offsets_checked),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_truncated_and_corrupt),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
