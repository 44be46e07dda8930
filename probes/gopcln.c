/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * gopcln.c: Go's pclntab — find it (section, or a validated magic scan), find
 * runtime.firstmoduledata (for the text start and gofunc), index every
 * function by address and by name, and turn a PC into function/file/line
 * frames with inlined calls expanded (PCDATA_InlTreeIndex + FUNCDATA_InlTree),
 * for the three layouts Go 1.17 … 1.26 use. Pure parsing of untrusted bytes:
 * every table offset is checked against the table it points into; nothing
 * here prints or allocates per lookup.
 */
#include <errno.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gobin_int.h"

#define MAX_NFUNC (1U << 24)
#define MAX_INLINE_DEPTH 256
#define PCDATA_INL_TREE_INDEX 2
#define FUNCDATA_INL_TREE 3
#define FUNCDATA_WRAP_INFO 7
#define FUNCFLAG_TOPFRAME 1
#define FUNCFLAG_SPWRITE 2
#define NO_FUNC UINT32_MAX

/* Where the fields of _func are, per pclntab layout. */
struct func_layout {
	int name;	   /* nameOff int32 (into funcnametab) */
	int pcsp;	   /* u32 offset into pctab: the frame size at each pc */
	int pcfile;	   /* u32 offset into pctab */
	int pcln;	   /* u32 offset into pctab */
	int npcdata;	   /* u32 */
	int cuoff;	   /* u32 index into cutab */
	int funcid;	   /* u8 funcID, then u8 flag (TopFrame 1, SPWrite 2) */
	int nfuncdata;	   /* u8 */
	int hdr;	   /* where pcdata[] starts */
	int inl_size;	   /* sizeof(inlinedCall) */
	int inl_name;	   /* inlinedCall.nameOff (func_ before 1.20) */
	int inl_parent_pc; /* inlinedCall.parentPc */
	int inl_funcid;	   /* inlinedCall.funcID */
};

/* go1.17 runtime/runtime2.go _func, runtime/symtab.go inlinedCall */
static const struct func_layout layout_116 = { 8, 20, 24, 28, 32, 36, 40, 43, 44, 20, 12, 16, 2 };
/* go1.18/go1.19: entryoff u32, no startLine; inlinedCall unchanged */
static const struct func_layout layout_118 = { 4, 16, 20, 24, 28, 32, 36, 39, 40, 20, 12, 16, 2 };
/* go1.20+: startLine added to _func; inlinedCall {funcID, _[3], nameOff, parentPc, startLine} */
static const struct func_layout layout_120 = { 4, 16, 20, 24, 28, 32, 40, 43, 44, 16, 4, 8, 0 };

static const struct func_layout *layout_of(const struct gobin_pcln *p)
{
	if (p->magic == GOBIN_PCLN_116)
		return &layout_116;
	if (p->magic == GOBIN_PCLN_118)
		return &layout_118;
	return &layout_120;
}

/* -------------------------------------------------------- pcvalue tables */

int gobin_pcvalue(const uint8_t *tab, const uint8_t *end, uint64_t entry, uint64_t targetpc,
		  int32_t *val)
{
	uint64_t pc = entry;
	int32_t v = -1;
	bool first = true;

	while (tab < end) {
		uint64_t uv, pcdelta;
		size_t n;

		n = gobin_uvarint(tab, end, &uv);
		if (!n)
			return -EINVAL;
		tab += n;
		if (uv == 0 && !first)
			return -ENOENT; /* end of table: targetpc not covered */
		first = false;
		/* zig-zag delta, 32-bit and wrapping like the runtime (signed overflow is UB in C) */
		v = (int32_t)((uint32_t)v + ((uint32_t)(-(int64_t)(uv & 1)) ^ (uint32_t)(uv >> 1)));
		n = gobin_uvarint(tab, end, &pcdelta);
		if (!n)
			return -EINVAL;
		tab += n;
		pc += (uint32_t)pcdelta; /* PCQuantum is 1 on amd64 */
		if (targetpc < pc) {
			*val = v;
			return 0;
		}
	}
	return -EINVAL;
}

/* ---------------------------------------------------------- the header */

/* A NUL-terminated string at off inside [tab, tab+tablen), or NULL. */
static const char *table_string(const uint8_t *tab, uint64_t tablen, uint64_t off)
{
	const uint8_t *p;

	if (off >= tablen)
		return NULL;
	p = tab + off;
	if (!memchr(p, 0, tablen - off))
		return NULL;
	return (const char *)p;
}

static bool plausible_name(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return false;
	return true;
}

bool gobin_pcln_check(const uint8_t *base, uint64_t len, uint64_t va, struct gobin_pcln *out)
{
	struct gobin_pcln p = { 0 };
	const struct func_layout *l;
	uint64_t o, entsz, funcoff, nameoff;

	if (len < 72)
		return false;
	p.magic = gobin_le32(base);
	if (p.magic != GOBIN_PCLN_116 && p.magic != GOBIN_PCLN_118 && p.magic != GOBIN_PCLN_120)
		return false;
	/* pad1, pad2, minLC (PCQuantum), ptrSize */
	if (base[4] || base[5] || base[6] != 1 || base[7] != 8)
		return false;
	p.nfunc = gobin_le64(base + 8);
	p.nfiles = gobin_le64(base + 16);
	if (!p.nfunc || p.nfunc > MAX_NFUNC || p.nfiles > MAX_NFUNC)
		return false;
	o = p.magic == GOBIN_PCLN_116 ? 24 : 32;
	p.funcname_off = gobin_le64(base + o);
	p.cu_off = gobin_le64(base + o + 8);
	p.filetab_off = gobin_le64(base + o + 16);
	p.pctab_off = gobin_le64(base + o + 24);
	p.pcln_off = gobin_le64(base + o + 32);
	if (p.funcname_off < o + 40 || p.cu_off < p.funcname_off || p.filetab_off < p.cu_off ||
	    p.pctab_off < p.filetab_off || p.pcln_off < p.pctab_off || p.pcln_off >= len)
		return false;
	entsz = p.magic == GOBIN_PCLN_116 ? 16 : 8;
	if ((p.nfunc + 1) * entsz > len - p.pcln_off)
		return false;
	p.va = va;
	p.base = base;
	p.len = len;
	l = layout_of(&p);
	p.func_hdr = l->hdr;

	/* the first function's name must decode */
	funcoff = entsz == 16 ? gobin_le64(base + p.pcln_off + 8) :
				gobin_le32(base + p.pcln_off + 4);
	if (funcoff > len - p.pcln_off || (uint64_t)l->hdr > len - p.pcln_off - funcoff)
		return false;
	nameoff = gobin_le32(base + p.pcln_off + funcoff + l->name);
	if (!plausible_name(table_string(base + p.funcname_off, p.cu_off - p.funcname_off,
					 nameoff)))
		return false;
	*out = p;
	return true;
}

static bool find_pcln(struct gobin *gb)
{
	static const char *const names[] = { ".gopclntab", ".data.rel.ro.gopclntab" };
	static const uint8_t key[] = { 0xff, 0xff, 0xff, 0x00, 0x00, 0x01, 0x08 };
	size_t i, pass;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct gobin_sec *s = gobin_section(gb, names[i]);
		const uint8_t *d = gobin_sec_data(gb, s);

		if (d && gobin_pcln_check(d, s->size, s->addr, &gb->pcln)) {
			gb->pcln.where = names[i];
			return true;
		}
	}
	/* external-linked PIE (<= 1.25) merges it into .data.rel.ro: scan for the header */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < gb->nsegs; i++) {
			const struct gobin_seg *s = &gb->segs[i];
			const uint8_t *d = gb->data + s->offset, *end = d + s->filesz, *hit;

			if (!!(s->flags & PF_X) != (pass == 1))
				continue;
			for (hit = d + 1; hit < end; hit++) {
				uint64_t va;

				hit = memmem(hit, (size_t)(end - hit), key, sizeof(key));
				if (!hit)
					break;
				va = s->vaddr + (uint64_t)(hit - 1 - d);
				if (gobin_pcln_check(hit - 1, (uint64_t)(end - hit + 1), va,
						     &gb->pcln)) {
					gb->pcln.where = "magic scan";
					return true;
				}
			}
		}
	}
	return false;
}

/* ------------------------------------------------------------ moduledata */

static bool md_check(const struct gobin *gb, uint64_t va)
{
	uint64_t p0, p1;

	return !gobin_read_ptr(gb, va, &p0) && p0 == gb->pcln.va &&
	       !gobin_read_ptr(gb, va + 8, &p1) && p1 == gb->pcln.va + gb->pcln.funcname_off;
}

static uint64_t find_moduledata(const struct gobin *gb, const char **how)
{
	const struct gobin_sec *s = gobin_section(gb, ".go.module");
	size_t i;

	*how = "not found";
	if (s && s->size && md_check(gb, s->addr)) {
		*how = "section .go.module";
		return s->addr;
	}
	*how = "pointer to pclntab in a writable segment";
	/* <= 1.25: a static variable in .noptrdata whose first word points at pcHeader */
	for (i = 0; i < gb->nsegs; i++) {
		const struct gobin_seg *g = &gb->segs[i];
		const uint8_t *d = gb->data + g->offset;
		uint64_t off = (8 - (g->vaddr & 7)) & 7;

		if (!(g->flags & PF_W))
			continue;
		for (; off + 16 <= g->filesz; off += 8)
			if (gobin_le64(d + off) == gb->pcln.va && md_check(gb, g->vaddr + off))
				return g->vaddr + off;
	}
	/* PIE whose linker left the words zero: the pointer is only a RELA addend */
	*how = "relocation addend pointing at pclntab";
	for (i = 0; i < gb->nrelocs; i++)
		if (gb->relocs[i].addend == gb->pcln.va && md_check(gb, gb->relocs[i].where))
			return gb->relocs[i].where;
	*how = "not found";
	return 0;
}

/*
 * moduledata.gofunc, the base of funcdata offsets (1.18+): 304 in 1.18/1.19, 320
 * from 1.20 (covctrs inserted) to 1.26, 344 in the 1.27 development tree. The
 * first candidate is the one for the version; the others are only tried when
 * it does not fit the inline trees (a future moduledata layout).
 */
static const int gofunc_offsets[] = { 320, 304, 344, 328, 336, 312 };

static int md_gofunc_offset(int minor, uint32_t magic)
{
	if (minor >= 27)
		return 344;
	if (minor >= 20)
		return 320;
	if (minor >= 18)
		return 304;
	return magic == GOBIN_PCLN_118 ? 304 : 320;
}

#define MD_TEXT 176		/* moduledata.text, the same in 1.17 … 1.27 */

static bool in_exec_segment(const struct gobin *gb, uint64_t va)
{
	size_t i;

	for (i = 0; i < gb->nsegs; i++) {
		const struct gobin_seg *s = &gb->segs[i];

		if ((s->flags & PF_X) && va >= s->vaddr && va - s->vaddr < s->memsz)
			return true;
	}
	return false;
}

/* ------------------------------------------------------------ the index */

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261U;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619U;
	return h;
}

static int cmp_fn(const void *a, const void *b)
{
	const struct gobin_fn *x = a, *y = b;

	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

static const char *funcname_at(const struct gobin_pcln *p, int64_t nameoff)
{
	const char *s;

	if (nameoff < 0)
		return NULL;
	s = table_string(p->base + p->funcname_off, p->cu_off - p->funcname_off, (uint64_t)nameoff);
	return s;
}

/* Bytes of the _func record that lie inside pclntab, from f->func. */
static uint64_t func_room(const struct gobin *gb, const struct gobin_fn *f)
{
	return gb->pcln.len - (uint64_t)(f->func - gb->pcln.base);
}

static int build_index(struct gobin *gb)
{
	struct gobin_pcln *p = &gb->pcln;
	const struct func_layout *l = layout_of(p);
	const uint8_t *ft = p->base + p->pcln_off;
	uint64_t ft_va = p->va + p->pcln_off, region = p->len - p->pcln_off;
	uint64_t k, prev_entry = 0, next_entry = 0;
	bool sorted = true;
	size_t i;

	gb->fns = calloc(p->nfunc, sizeof(*gb->fns));
	if (!gb->fns)
		return -ENOMEM;
	for (k = 0; k < p->nfunc; k++) {
		struct gobin_fn *f = &gb->fns[gb->nfns];
		uint64_t entry, funcoff;
		const char *name;

		if (p->magic == GOBIN_PCLN_116) {
			/* absolute PCs, relocated in PIE */
			if (k == 0 && gobin_read_ptr(gb, ft_va, &next_entry))
				return -EINVAL;
			entry = next_entry;
			if (gobin_read_ptr(gb, ft_va + 16 * (k + 1), &next_entry))
				return -EINVAL;
			funcoff = gobin_le64(ft + 16 * k + 8);
		} else {
			entry = p->text + gobin_le32(ft + 8 * k);
			next_entry = p->text + gobin_le32(ft + 8 * (k + 1));
			funcoff = gobin_le32(ft + 8 * k + 4);
		}
		if (funcoff > region || (uint64_t)l->hdr > region - funcoff)
			continue; /* a corrupt entry: leave it out */
		f->entry = entry;
		f->end = next_entry > entry ? next_entry : entry + 1;
		f->func = ft + funcoff;
		f->func_va = ft_va + funcoff;
		name = funcname_at(p, (int32_t)gobin_le32(f->func + l->name));
		f->name = name ? name : "?";
		if (f->func[l->funcid] > p->wrapper_id)
			p->wrapper_id = f->func[l->funcid];
		if (gb->nfns && entry < prev_entry)
			sorted = false;
		prev_entry = entry;
		gb->nfns++;
	}
	if (!gb->nfns)
		return -EINVAL;
	if (!sorted)
		qsort(gb->fns, gb->nfns, sizeof(*gb->fns), cmp_fn);

	for (gb->nbuckets = 16; gb->nbuckets < 2 * gb->nfns; gb->nbuckets *= 2)
		;
	gb->buckets = malloc(gb->nbuckets * sizeof(*gb->buckets));
	if (!gb->buckets)
		return -ENOMEM;
	memset(gb->buckets, 0xff, gb->nbuckets * sizeof(*gb->buckets));
	/* insert backwards so that each chain lists duplicates by ascending address */
	for (i = gb->nfns; i-- > 0;) {
		uint32_t b = name_hash(gb->fns[i].name) & (uint32_t)(gb->nbuckets - 1);

		gb->fns[i].next = gb->buckets[b];
		gb->buckets[b] = (uint32_t)i;
	}
	return 0;
}

/* Do the inline trees of a sample of functions make sense with this gofunc? */
static bool gofunc_plausible(const struct gobin *gb, uint64_t gofunc)
{
	const struct func_layout *l = layout_of(&gb->pcln);
	int checked = 0;
	size_t i;

	if (!gofunc || !gobin_va_ptr(gb, gofunc, 1))
		return false;
	for (i = 0; i < gb->nfns && checked < 32; i++) {
		const struct gobin_fn *f = &gb->fns[i];
		uint64_t at = (uint64_t)l->hdr + 4 * (uint64_t)gobin_le32(f->func + l->npcdata) +
			      4 * FUNCDATA_INL_TREE;
		const uint8_t *e;
		const char *name;
		uint32_t off;
		int32_t ppc;

		if (f->func[l->nfuncdata] <= FUNCDATA_INL_TREE || at + 4 > func_room(gb, f))
			continue;
		off = gobin_le32(f->func + at);
		if (off == UINT32_MAX)
			continue;
		checked++;
		e = gobin_va_ptr(gb, gofunc + off, (uint64_t)l->inl_size);
		if (!e)
			return false;
		name = funcname_at(&gb->pcln, (int32_t)gobin_le32(e + l->inl_name));
		ppc = (int32_t)gobin_le32(e + l->inl_parent_pc);
		if (!plausible_name(name) || ppc < 0 || (uint64_t)ppc >= f->end - f->entry)
			return false;
	}
	return true;
}

static uint64_t find_gofunc(const struct gobin *gb)
{
	const struct gobin_pcln *p = &gb->pcln;
	uint64_t gofunc;
	size_t i;
	int off;

	if (!p->md_va || p->magic == GOBIN_PCLN_116)
		return 0;
	off = md_gofunc_offset(gb->minor, p->magic);
	if (!gobin_read_ptr(gb, p->md_va + (uint64_t)off, &gofunc) && gofunc_plausible(gb, gofunc))
		return gofunc;
	for (i = 0; i < sizeof(gofunc_offsets) / sizeof(gofunc_offsets[0]); i++) {
		if (gofunc_offsets[i] == off)
			continue;
		if (!gobin_read_ptr(gb, p->md_va + (uint64_t)gofunc_offsets[i], &gofunc) &&
		    gofunc_plausible(gb, gofunc))
			return gofunc;
	}
	return 0; /* no inline expansion */
}

int gobin_pcln_load(struct gobin *gb, char *err, size_t errlen)
{
	struct gobin_pcln *p = &gb->pcln;
	int ret;

	if (!find_pcln(gb)) {
		gobin_set_err(err, errlen,
			      "'%s' is not a Go binary gotl can read (no pclntab found)", gb->path);
		return -EPROTONOSUPPORT;
	}
	p->md_va = find_moduledata(gb, &p->md_how);
	if (p->magic != GOBIN_PCLN_116) {
		uint64_t text = 0;

		if (p->md_va)
			gobin_read_ptr(gb, p->md_va + MD_TEXT, &text);
		if (!text) /* pcHeader.textStart (0 from Go 1.26 on) */
			gobin_read_ptr(gb, p->va + 24, &text);
		if (!text || !in_exec_segment(gb, text)) {
			gobin_set_err(err, errlen,
				      "'%s': cannot find the start of Go code "
				      "(no moduledata)",
				      gb->path);
			return -EPROTONOSUPPORT;
		}
		p->text = text;
	}
	ret = build_index(gb);
	if (ret) {
		if (ret == -ENOMEM)
			gobin_set_err(err, errlen, "out of memory");
		else
			gobin_set_err(err, errlen, "'%s' has a corrupt pclntab", gb->path);
		return ret == -ENOMEM ? ret : -ENOEXEC;
	}
	p->gofunc = find_gofunc(gb);
	return 0;
}

void gobin_pcln_free(struct gobin *gb)
{
	free(gb->fns);
	free(gb->buckets);
	gb->fns = NULL;
	gb->buckets = NULL;
	gb->nfns = gb->nbuckets = 0;
}

/* ---------------------------------------------------------- per function */

static const struct gobin_fn *fn_at(const struct gobin *gb, uint64_t pc)
{
	size_t lo = 0, hi = gb->nfns;

	/* the last function whose entry is <= pc */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (gb->fns[mid].entry <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || pc >= gb->fns[lo - 1].end)
		return NULL;
	return &gb->fns[lo - 1];
}

static int fn_pcvalue(const struct gobin *gb, const struct gobin_fn *f, uint32_t off, uint64_t pc,
		      int32_t *val)
{
	const struct gobin_pcln *p = &gb->pcln;
	uint64_t len = p->pcln_off - p->pctab_off;

	if (!off || off >= len)
		return -ENOENT;
	return gobin_pcvalue(p->base + p->pctab_off + off, p->base + p->pcln_off, f->entry, pc,
			     val);
}

static int fn_pcdata(const struct gobin *gb, const struct gobin_fn *f, uint32_t table, uint64_t pc,
		     int32_t *val)
{
	const struct func_layout *l = layout_of(&gb->pcln);
	uint32_t npcdata = gobin_le32(f->func + l->npcdata);
	uint64_t at = (uint64_t)l->hdr + 4 * (uint64_t)table;

	if (table >= npcdata || at + 4 > func_room(gb, f))
		return -ENOENT;
	return fn_pcvalue(gb, f, gobin_le32(f->func + at), pc, val);
}

/* Link-time address of funcdata[i], or 0. */
static uint64_t fn_funcdata(const struct gobin *gb, const struct gobin_fn *f, uint32_t i)
{
	const struct func_layout *l = layout_of(&gb->pcln);
	uint64_t npcdata = gobin_le32(f->func + l->npcdata);
	uint64_t at = (uint64_t)l->hdr + 4 * npcdata, va;
	uint32_t off;

	if (i >= f->func[l->nfuncdata])
		return 0;
	if (gb->pcln.magic == GOBIN_PCLN_116) {
		/* pointer-aligned absolute pointers after pcdata */
		va = f->func_va + at;
		if (va & 4)
			va += 4;
		if (gobin_read_ptr(gb, va + 8 * (uint64_t)i, &va))
			return 0;
		return va;
	}
	at += 4 * (uint64_t)i;
	if (at + 4 > func_room(gb, f) || !gb->pcln.gofunc)
		return 0;
	off = gobin_le32(f->func + at);
	if (off == UINT32_MAX)
		return 0;
	return gb->pcln.gofunc + off;
}

static void fn_file_line(const struct gobin *gb, const struct gobin_fn *f, uint64_t pc,
			 const char **file, int *line)
{
	const struct gobin_pcln *p = &gb->pcln;
	const struct func_layout *l = layout_of(p);
	int32_t fileno, ln;

	*file = "?";
	*line = 0;
	if (!fn_pcvalue(gb, f, gobin_le32(f->func + l->pcfile), pc, &fileno) && fileno >= 0) {
		uint64_t idx = (uint64_t)gobin_le32(f->func + l->cuoff) + (uint64_t)fileno;
		uint64_t culen = p->filetab_off - p->cu_off;

		if (idx < culen / 4) {
			uint32_t foff = gobin_le32(p->base + p->cu_off + 4 * idx);
			const char *s = NULL;

			if (foff != UINT32_MAX)
				s = table_string(p->base + p->filetab_off,
						 p->pctab_off - p->filetab_off, foff);
			if (s)
				*file = s;
		}
	}
	if (!fn_pcvalue(gb, f, gobin_le32(f->func + l->pcln), pc, &ln) && ln > 0)
		*line = ln;
}

/*
 * FuncIDWrapper is the largest funcID; 0 (FuncIDNormal) only if the binary has no special
 * function.
 */
static bool is_wrapper(const struct gobin *gb, uint8_t funcid)
{
	return funcid && funcid == gb->pcln.wrapper_id;
}

static void fill_func(const struct gobin *gb, const struct gobin_fn *f, struct gobin_func *out)
{
	uint64_t off = 0;

	out->name = f->name;
	out->entry = f->entry;
	out->end = f->end;
	gobin__vaddr_to_offset(gb, f->entry, &off);
	out->file_offset = off;
}

static bool is_autogenerated(const struct gobin *gb, const struct gobin_fn *f)
{
	const char *file;
	int line;

	fn_file_line(gb, f, f->entry, &file, &line);
	return strcmp(file, "<autogenerated>") == 0;
}

static const struct gobin_fn *lookup(const struct gobin *gb, const char *name)
{
	const struct gobin_fn *first = NULL;
	uint32_t i;

	if (!gb->nbuckets)
		return NULL;
	for (i = gb->buckets[name_hash(name) & (uint32_t)(gb->nbuckets - 1)]; i != NO_FUNC;
	     i = gb->fns[i].next) {
		const struct gobin_fn *f = &gb->fns[i];

		if (strcmp(f->name, name))
			continue;
		if (!is_autogenerated(gb, f))
			return f; /* a real body beats an ABI wrapper */
		if (!first)
			first = f;
	}
	return first;
}

int gobin__find_func(const struct gobin *gb, const char *name, struct gobin_func *out)
{
	const struct gobin_fn *f;
	size_t n;

	if (!name)
		return -ENOENT;
	f = lookup(gb, name);
	n = strlen(name);
	if (!f && n > 5 && !strcmp(name + n - 5, ".abi0") && n < 4096) {
		/* ELF symbol spelling of an assembly function: pclntab has no suffix */
		char buf[4096];

		memcpy(buf, name, n - 5);
		buf[n - 5] = 0;
		f = lookup(gb, buf);
	}
	if (!f)
		return -ENOENT;
	fill_func(gb, f, out);
	return 0;
}

int gobin__wrapped_func(const struct gobin *gb, uint64_t entry, struct gobin_func *out)
{
	const struct gobin_fn *f = fn_at(gb, entry), *w;
	uint64_t va;
	uint8_t b[4];

	if (!f || f->entry != entry)
		return -ENOENT;
	/* A u32 offset of the wrapped function from the start of the text (Go 1.18+). */
	va = fn_funcdata(gb, f, FUNCDATA_WRAP_INFO);
	if (!va || gb->pcln.magic == GOBIN_PCLN_116 || gobin__read(gb, va, b, sizeof(b)))
		return -ENOENT;
	w = fn_at(gb, gb->pcln.text + gobin_le32(b));
	if (!w || w->entry != gb->pcln.text + gobin_le32(b) || w == f)
		return -ENOENT;
	fill_func(gb, w, out);
	return 0;
}

int gobin__func_at(const struct gobin *gb, uint64_t pc, struct gobin_func *out)
{
	const struct gobin_fn *f = fn_at(gb, pc);

	if (!f)
		return -ENOENT;
	fill_func(gb, f, out);
	return 0;
}

int gobin__symbolize(const struct gobin *gb, uint64_t pc, struct gobin_frame *frames, int max)
{
	const struct func_layout *l = layout_of(&gb->pcln);
	const struct gobin_fn *f;
	uint64_t inl, cur = pc;
	int32_t ix = -1;
	int n = 0, depth;

	if (!frames || max <= 0)
		return -EINVAL;
	f = fn_at(gb, pc);
	if (!f)
		return -ENOENT;
	inl = fn_funcdata(gb, f, FUNCDATA_INL_TREE);
	if (inl && fn_pcdata(gb, f, PCDATA_INL_TREE_INDEX, cur, &ix))
		ix = -1;
	/* each inlined call: its callee's name, the position at cur, then up to the call site */
	for (depth = 0; inl && ix >= 0 && depth < MAX_INLINE_DEPTH; depth++) {
		const uint8_t *e = gobin_va_ptr(gb, inl + (uint64_t)ix * (uint64_t)l->inl_size,
						(uint64_t)l->inl_size);
		const char *name;
		int32_t parent_pc;

		if (!e)
			break;
		name = funcname_at(&gb->pcln, (int32_t)gobin_le32(e + l->inl_name));
		frames[n].func = name ? name : "?";
		frames[n].wrapper = is_wrapper(gb, e[l->inl_funcid]);
		fn_file_line(gb, f, cur, &frames[n].file, &frames[n].line);
		if (++n == max)
			return n;
		parent_pc = (int32_t)gobin_le32(e + l->inl_parent_pc);
		if (parent_pc < 0 || f->entry + (uint64_t)parent_pc >= f->end)
			break;
		cur = f->entry + (uint64_t)parent_pc;
		if (fn_pcdata(gb, f, PCDATA_INL_TREE_INDEX, cur, &ix))
			ix = -1;
	}
	frames[n].func = f->name;
	frames[n].wrapper = is_wrapper(gb, f->func[l->funcid]);
	fn_file_line(gb, f, cur, &frames[n].file, &frames[n].line);
	return n + 1;
}

int gobin__unwind_info(const struct gobin *gb, uint64_t pc, struct gobin_unwind *out)
{
	const struct func_layout *l = layout_of(&gb->pcln);
	const struct gobin_fn *f = fn_at(gb, pc);
	int32_t sp;

	if (!f)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->name = f->name;
	out->entry = f->entry;
	out->end = f->end;
	out->top_frame = f->func[l->funcid + 1] & FUNCFLAG_TOPFRAME;
	out->sp_write = f->func[l->funcid + 1] & FUNCFLAG_SPWRITE;
	out->wrapper = is_wrapper(gb, f->func[l->funcid]);
	/* No pcsp table: no frame information (an external function). */
	if (fn_pcvalue(gb, f, gobin_le32(f->func + l->pcsp), pc, &sp) || sp < 0)
		return -EINVAL;
	out->spdelta = sp;
	return 0;
}

int gobin__func_next(const struct gobin *gb, size_t *iter, struct gobin_func *out)
{
	while (*iter < gb->nfns) {
		const struct gobin_fn *f = &gb->fns[(*iter)++];

		if (is_autogenerated(gb, f))
			continue;
		fill_func(gb, f, out);
		return 0;
	}
	return -ENOENT;
}
