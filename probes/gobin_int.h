/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * gobin_int.h: the private half of gobin — struct gobin itself and the helpers
 * shared by gobin.c (ELF, build info, notes, wait reasons), gopcln.c (pclntab,
 * function index, symbolization), godwarf.c (minimal DWARF reader) and
 * gotable.c (per-version struct offsets). Only those files and the test code
 * (tests/unit/test_gobin.c, tests/tools/gobin_dump.c) include it; nothing else
 * in gotl may depend on it.
 */
#ifndef GOTL_GOBIN_INT_H
#define GOTL_GOBIN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gobin.h"

struct gobin_seg { /* a PT_LOAD program header */
	uint64_t vaddr;
	uint64_t offset;
	uint64_t filesz;
	uint64_t memsz;
	uint32_t flags; /* PF_R/PF_W/PF_X */
};

struct gobin_sec {	  /* a section header, already checked against the file size */
	const char *name; /* "" if it has none */
	uint32_t type;
	uint64_t flags;
	uint64_t addr;
	uint64_t offset;
	uint64_t size; /* 0 for SHT_NOBITS */
	uint32_t link;
};

struct gobin_reloc { /* an R_X86_64_RELATIVE relocation */
	uint64_t where;
	uint64_t addend;
};

/* A runtime [N]string table read from the binary, loaded on first use. */
struct gobin_strtab {
	bool done;
	int err;
	char **s;
	int n;
	const char *how; /* "symbol", "DWARF", "pattern" */
};

struct gobin_fn { /* one functab entry */
	uint64_t entry;
	uint64_t end;
	const uint8_t *func; /* the _func record (in the file image) */
	uint64_t func_va;    /* and its link-time address */
	const char *name;    /* NUL-terminated inside funcnametab, or "?" */
	uint32_t next;	     /* next index in the same hash bucket, UINT32_MAX = none */
};

/* pclntab layouts, by header magic */
#define GOBIN_PCLN_116	0xfffffffaU	/* Go 1.16, 1.17 */
#define GOBIN_PCLN_118	0xfffffff0U	/* Go 1.18, 1.19 */
#define GOBIN_PCLN_120	0xfffffff1U	/* Go 1.20 and later */

struct gobin_pcln {
	uint64_t va;	     /* link-time address of pcHeader */
	const uint8_t *base; /* its bytes in the file image */
	uint64_t len;	     /* bytes readable from base */
	uint32_t magic;
	uint64_t nfunc;
	uint64_t nfiles;
	/* byte offsets from base; each table ends where the next one starts */
	uint64_t funcname_off, cu_off, filetab_off, pctab_off, pcln_off;
	uint64_t text;	    /* start of Go text (entries are relative to it from 1.18) */
	uint64_t md_va;	    /* runtime.firstmoduledata, 0 if not found */
	const char *md_how; /* how it was found, for gobin__info */
	uint64_t gofunc;    /* moduledata.gofunc (1.18+), 0 if unknown */
	int func_hdr;	    /* size of the fixed part of _func (where pcdata starts) */
	uint8_t wrapper_id; /* FuncIDWrapper: the last funcID of every version, so the largest */
	const char *where;  /* how the table was found, for diagnostics */
};

struct gobin {
	char *path;
	uint8_t *data; /* the whole file (mmap'ed private, or malloc'ed) */
	size_t size;
	bool mapped;
	void *elf; /* libelf handle (Elf *) */

	bool pie;
	bool has_dwarf;
	bool has_symtab;

	struct gobin_seg *segs;
	size_t nsegs;
	struct gobin_sec *secs;
	size_t nsecs;
	struct gobin_reloc *relocs; /* sorted by where */
	size_t nrelocs;

	char *version;
	char *modinfo;
	const char *bi_where; /* where .go.buildinfo was found, for gobin__info */
	int minor;
	char *go_build_id;
	char *gnu_build_id;

	struct gobin_pcln pcln;
	struct gobin_fn *fns; /* sorted by entry */
	size_t nfns;
	uint32_t *buckets; /* name hash -> first index in fns */
	size_t nbuckets;   /* power of two */

	/* computed on first use (gobin is not meant for concurrent first calls) */
	struct gobin_strtab wr;	 /* runtime.waitReasonStrings */
	struct gobin_strtab stw; /* runtime.stwReasonStrings */
	bool off_done;
	int off_err;
	struct gobin_offsets off;
	char off_why[160]; /* why the offsets were refused, for off.source */
};

/* ---- byte helpers (little-endian, unaligned-safe) ---- */
static inline uint16_t gobin_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t gobin_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static inline uint64_t gobin_le64(const uint8_t *p)
{
	return (uint64_t)gobin_le32(p) | ((uint64_t)gobin_le32(p + 4) << 32);
}

/*
 * Unsigned LEB128 / Go uvarint at p (not reading at or past end). Returns the
 * number of bytes used, or 0 if truncated or longer than 10 bytes.
 */
size_t gobin_uvarint(const uint8_t *p, const uint8_t *end, uint64_t *v);
/* Signed LEB128 (DWARF). Same return convention. */
size_t gobin_sleb128(const uint8_t *p, const uint8_t *end, int64_t *v);

/*
 * Go pc-value table lookup (runtime.pcvalue): the value for targetpc in the
 * table at tab (bounded by end) of a function starting at entry. Returns 0 and
 * *val, or -ENOENT if the table does not cover targetpc, -EINVAL if it is
 * corrupt. A table offset of 0 means "no table" and is the caller's business.
 */
int gobin_pcvalue(const uint8_t *tab, const uint8_t *end, uint64_t entry, uint64_t targetpc,
		  int32_t *val);

/* Go minor version from a version string ("go1.22.3" -> 22, "devel go1.27-x" -> 27), 0 if none */
int gobin_parse_minor(const char *vers);

/*
 * Parse a .go.buildinfo blob (p, len bytes, at link-time address va). Both the
 * pointer format (Go <= 1.17; dereferenced through gb) and the inline format
 * (Go >= 1.18). On success *vers and *mod are malloc'ed (mod may be "").
 * Returns 0, -ENOENT (no magic), -EINVAL (malformed) or -ENOMEM.
 */
int gobin_parse_buildinfo(const struct gobin *gb, const uint8_t *p, size_t len, uint64_t va,
			  char **vers, char **mod);

/* ---- address helpers (gobin.c) ---- */
/* The file bytes of [va, va+len) if one PT_LOAD maps all of it from the file, else NULL. */
const uint8_t *gobin_va_ptr(const struct gobin *gb, uint64_t va, uint64_t len);
/* An 8-byte pointer at va: the RELATIVE relocation addend if there is one, else the file word. */
int gobin_read_ptr(const struct gobin *gb, uint64_t va, uint64_t *out);
/* A section by exact name, or NULL. */
const struct gobin_sec *gobin_section(const struct gobin *gb, const char *name);
/* A section's bytes in the file, or NULL for NOBITS/empty ones. */
const uint8_t *gobin_sec_data(const struct gobin *gb, const struct gobin_sec *sec);

/* ---- pclntab (gopcln.c) ---- */
/* Validate a pcHeader candidate of len readable bytes; fills pcln (not text/md/gofunc). */
bool gobin_pcln_check(const uint8_t *base, uint64_t len, uint64_t va, struct gobin_pcln *pcln);
/* Locate and index pclntab; fills gb->pcln, gb->fns, gb->buckets. */
int gobin_pcln_load(struct gobin *gb, char *err, size_t errlen);
void gobin_pcln_free(struct gobin *gb);

/* Write a one-line reason into err (NULL-safe), for gobin__open's callers. */
void gobin_set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- DWARF (godwarf.c) ---- */
/* Struct offsets from DWARF. Returns 0, -ENOENT (no runtime.g), -EINVAL (corrupt), -ENOMEM... */
int gobin_dwarf_offsets(const struct gobin *gb, struct gobin_offsets *out);
/* Address and element count of a global array variable (e.g. runtime.waitReasonStrings). */
int gobin_dwarf_array_var(const struct gobin *gb, const char *name, uint64_t *addr,
			  uint64_t *count);
/* Decompress section data: SHF_COMPRESSED (zlib) or .zdebug ("ZLIB" + BE64 size). */
int gobin_dwarf_inflate(const uint8_t *p, size_t len, bool shf_compressed, uint8_t **out,
			size_t *outlen);

/* ---- per-version table (gotable.c) ---- */
void gobin_offsets_unknown(struct gobin_offsets *o);
/* Offsets for a Go minor version the table has a column for. Returns 0 or -ENOTSUP. */
int gobin_table_offsets(int minor, struct gobin_offsets *out);
/*
 * Every known offset fits in what gotl's readers copy of its struct? 0, or
 * -EINVAL with the first field that does not, as "g.goid at 5000 is ...".
 */
int gobin_offsets_check(const struct gobin_offsets *o, char *why, size_t whylen);

#endif /* GOTL_GOBIN_INT_H */
