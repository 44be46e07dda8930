/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * gobin.c: open a Go executable and answer gobin.h — the ELF side (program and
 * section headers via libelf, RELATIVE relocations, notes and build IDs), the
 * Go version and modinfo from .go.buildinfo, the wait-reason strings, and the
 * choice between DWARF and the per-version table for struct offsets. pclntab
 * work lives in gopcln.c, the DWARF reader in godwarf.c, the table in
 * gotable.c. The file is untrusted input: every read is bounds-checked, and
 * nothing here prints, exits or touches BPF.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gobin_int.h"

#define BUILDINFO_MAGIC "\xff Go buildinf:"
#define BUILDINFO_MAGIC_LEN 14
#define MAX_VERSION_LEN 1024
#define MAX_MODINFO_LEN (4 << 20)
#define MAX_WAIT_REASONS 256
#define MAX_STW_REASONS 64
#define MAX_TABLE_STRING_LEN 128

/* ---------------------------------------------------------------- helpers */

void gobin_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

size_t gobin_uvarint(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < 10 && p + i < end; i++) {
		x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*v = x;
			return i + 1;
		}
	}
	return 0;
}

size_t gobin_sleb128(const uint8_t *p, const uint8_t *end, int64_t *v)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < 10 && p + i < end; i++) {
		x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			if (7 * (i + 1) < 64 && (p[i] & 0x40))
				x |= ~(uint64_t)0 << (7 * (i + 1));
			*v = (int64_t)x;
			return i + 1;
		}
	}
	return 0;
}

int gobin_parse_minor(const char *vers)
{
	const char *s;
	long minor = 0;

	if (!vers)
		return 0;
	s = strstr(vers, "go1.");
	if (!s)
		return 0;
	s += 4;
	if (*s < '0' || *s > '9')
		return 0;
	while (*s >= '0' && *s <= '9' && minor < 100000)
		minor = minor * 10 + (*s++ - '0');
	return minor > 1000 ? 0 : (int)minor;
}

const uint8_t *gobin_va_ptr(const struct gobin *gb, uint64_t va, uint64_t len)
{
	size_t i;

	for (i = 0; i < gb->nsegs; i++) {
		const struct gobin_seg *s = &gb->segs[i];

		if (va < s->vaddr || va - s->vaddr >= s->filesz)
			continue;
		if (len > s->filesz - (va - s->vaddr))
			continue;
		return gb->data + s->offset + (va - s->vaddr);
	}
	return NULL;
}

static const struct gobin_reloc *find_reloc(const struct gobin *gb, uint64_t va)
{
	size_t lo = 0, hi = gb->nrelocs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (gb->relocs[mid].where < va)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < gb->nrelocs && gb->relocs[lo].where == va)
		return &gb->relocs[lo];
	return NULL;
}

int gobin_read_ptr(const struct gobin *gb, uint64_t va, uint64_t *out)
{
	const struct gobin_reloc *r = find_reloc(gb, va);
	const uint8_t *p;

	if (r) {
		*out = r->addend;
		return 0;
	}
	p = gobin_va_ptr(gb, va, 8);
	if (!p)
		return -EFAULT;
	*out = gobin_le64(p);
	return 0;
}

const struct gobin_sec *gobin_section(const struct gobin *gb, const char *name)
{
	size_t i;

	for (i = 0; i < gb->nsecs; i++)
		if (strcmp(gb->secs[i].name, name) == 0)
			return &gb->secs[i];
	return NULL;
}

const uint8_t *gobin_sec_data(const struct gobin *gb, const struct gobin_sec *sec)
{
	if (!sec || sec->type == SHT_NOBITS || !sec->size)
		return NULL;
	return gb->data + sec->offset;
}

/* A malloc'ed copy of len bytes, NUL-terminated. */
static char *dup_bytes(const uint8_t *p, size_t len)
{
	char *s = malloc(len + 1);

	if (!s)
		return NULL;
	memcpy(s, p, len);
	s[len] = 0;
	return s;
}

/* ------------------------------------------------------------ buildinfo */

/* The bytes of a Go string header {ptr, len} at va (pointer format build info). */
static int go_string_at(const struct gobin *gb, uint64_t va, size_t max, const uint8_t **out,
			size_t *outlen)
{
	const uint8_t *lenp, *bytes;
	uint64_t ptr, len;

	if (gobin_read_ptr(gb, va, &ptr))
		return -EINVAL;
	lenp = gobin_va_ptr(gb, va + 8, 8);
	if (!lenp)
		return -EINVAL;
	len = gobin_le64(lenp);
	if (len > max)
		return -EINVAL;
	bytes = len ? gobin_va_ptr(gb, ptr, len) : (const uint8_t *)"";
	if (!bytes)
		return -EINVAL;
	*out = bytes;
	*outlen = (size_t)len;
	return 0;
}

/* The bytes of a uvarint-prefixed string at *pp (inline format); advances *pp. */
static int inline_string(const uint8_t **pp, const uint8_t *end, size_t max, const uint8_t **out,
			 size_t *outlen)
{
	const uint8_t *p = *pp;
	uint64_t len;
	size_t n;

	n = gobin_uvarint(p, end, &len);
	if (!n)
		return -EINVAL;
	p += n;
	if (len > max || len > (uint64_t)(end - p))
		return -EINVAL;
	*out = p;
	*outlen = (size_t)len;
	*pp = p + len;
	return 0;
}

/*
 * modinfo is framed by two 16-byte sentinels (cmd/go's infoStart/infoEnd, which
 * contain NUL bytes): keep what is between them.
 */
static char *dup_modinfo(const uint8_t *p, size_t len)
{
	if (len >= 33 && p[len - 17] == '\n') {
		p += 16;
		len -= 32;
	}
	return dup_bytes(p, len);
}

int gobin_parse_buildinfo(const struct gobin *gb, const uint8_t *p, size_t len, uint64_t va,
			  char **vers, char **mod)
{
	const uint8_t *end = p + len, *q, *vb = NULL, *mb = (const uint8_t *)"";
	size_t off, vlen = 0, mlen = 0;
	char *v = NULL, *m = NULL;
	int ret;

	*vers = *mod = NULL;
	/* the header is 16-byte aligned in address space */
	off = (size_t)((16 - (va & 15)) & 15);
	for (; off + 32 <= len; off += 16)
		if (memcmp(p + off, BUILDINFO_MAGIC, BUILDINFO_MAGIC_LEN) == 0)
			break;
	if (off + 32 > len)
		return -ENOENT;
	q = p + off;

	if (q[15] & 2) {
		/* Go 1.18+: two uvarint-prefixed strings right after the header */
		const uint8_t *s = q + 32;

		if (inline_string(&s, end, MAX_VERSION_LEN, &vb, &vlen))
			return -EINVAL;
		/* a version without (readable) modinfo is still useful */
		if (inline_string(&s, end, MAX_MODINFO_LEN, &mb, &mlen))
			mlen = 0;
	} else {
		/* Go <= 1.17: pointers to runtime.buildVersion / runtime.modinfo */
		uint64_t vp, mp;

		if (q[14] != 8 || (q[15] & 1) || !gb)
			return -EINVAL;
		if (gobin_read_ptr(gb, va + off + 16, &vp) ||
		    gobin_read_ptr(gb, va + off + 24, &mp))
			return -EINVAL;
		if (go_string_at(gb, vp, MAX_VERSION_LEN, &vb, &vlen))
			return -EINVAL;
		if (go_string_at(gb, mp, MAX_MODINFO_LEN, &mb, &mlen))
			mlen = 0;
	}
	if (!vlen || !vb[0])
		return -EINVAL;
	v = dup_bytes(vb, vlen);
	m = mlen ? dup_modinfo(mb, mlen) : strdup("");
	if (!v || !m) {
		ret = -ENOMEM;
		goto cleanup;
	}
	*vers = v;
	*mod = m;
	v = m = NULL;
	ret = 0;
cleanup:
	free(v);
	free(m);
	return ret;
}

static int load_buildinfo(struct gobin *gb)
{
	const struct gobin_sec *sec = gobin_section(gb, ".go.buildinfo");
	const uint8_t *p = gobin_sec_data(gb, sec);
	size_t i;
	int ret = -ENOENT;

	if (p) {
		gb->bi_where = "section .go.buildinfo";
		ret = gobin_parse_buildinfo(gb, p, sec->size, sec->addr, &gb->version,
					    &gb->modinfo);
		if (ret != -ENOENT)
			return ret;
	}
	gb->bi_where = "first writable segment (no .go.buildinfo section)";
	/* no section header: scan the first writable, non-executable PT_LOAD */
	for (i = 0; i < gb->nsegs; i++) {
		const struct gobin_seg *s = &gb->segs[i];

		if (!(s->flags & PF_W) || (s->flags & PF_X))
			continue;
		return gobin_parse_buildinfo(gb, gb->data + s->offset, s->filesz, s->vaddr,
					     &gb->version, &gb->modinfo);
	}
	return ret;
}

void gobin__info(const struct gobin *gb, struct gobin_info *out)
{
	const struct gobin_sec *interp = gobin_section(gb, ".interp");
	static char bi[160], pcln[96];

	memset(out, 0, sizeof(*out));
	/* The format follows from the version: the inline strings came with Go 1.18. */
	snprintf(bi, sizeof(bi), "%s, %s", gb->bi_where ? gb->bi_where : "?",
		 gb->minor >= 18 || !gb->minor ?
			 "inline version and module strings (Go 1.18+)" :
			 "pointers to runtime.buildVersion and runtime.modinfo"
			 " (Go <= 1.17)");
	out->buildinfo = bi;
	/* pcln.where is a section name, or how the table was found without one. */
	snprintf(pcln, sizeof(pcln), "%s%s",
		 gb->pcln.where && gb->pcln.where[0] == '.' ? "section " : "",
		 gb->pcln.where ? gb->pcln.where : "?");
	out->pclntab = pcln;
	out->pclntab_addr = gb->pcln.va;
	out->pclntab_magic = gb->pcln.magic;
	out->nfunc = gb->nfns;
	out->moduledata = gb->pcln.md_how ? gb->pcln.md_how : "not found";
	out->moduledata_addr = gb->pcln.md_va;
	out->text = gb->pcln.text;
	/* Go 1.17's pclntab holds absolute PCs and needs no text start; moduledata has it. */
	if (!out->text && gb->pcln.md_va)
		gobin_read_ptr(gb, gb->pcln.md_va + 176, &out->text);
	if (interp && interp->size) {
		const char *s = (const char *)gobin_sec_data(gb, interp);

		if (s && memchr(s, 0, interp->size))
			out->interp = s;
	}
}

/* ----------------------------------------------------------------- notes */

static char *hex_string(const uint8_t *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *s = malloc(2 * len + 1);
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < len; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 15];
	}
	s[2 * len] = 0;
	return s;
}

/* Walk ELF notes in [p, p+len) and pick up the Go and GNU build IDs. */
static int scan_notes(struct gobin *gb, const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (len - off >= 12) {
		uint32_t namesz = gobin_le32(p + off);
		uint32_t descsz = gobin_le32(p + off + 4);
		uint32_t type = gobin_le32(p + off + 8);
		uint64_t name_off = off + 12;
		uint64_t desc_off = name_off + (((uint64_t)namesz + 3) & ~3ULL);
		uint64_t next = desc_off + (((uint64_t)descsz + 3) & ~3ULL);
		const uint8_t *name = p + name_off, *desc = p + desc_off;

		if (desc_off > len || descsz > len - desc_off)
			break;
		/* cmd/link writes namesz 4 ("Go\0\0"); accept the strict 3 too */
		if ((namesz == 4 || namesz == 3) && desc_off >= name_off + 3 &&
		    memcmp(name, "Go", 3) == 0 && type == 4 && !gb->go_build_id) {
			size_t n = descsz;

			while (n && !desc[n - 1])
				n--;
			gb->go_build_id = dup_bytes(desc, n);
			if (!gb->go_build_id)
				return -ENOMEM;
		} else if (namesz == 4 && memcmp(name, "GNU", 4) == 0 && type == NT_GNU_BUILD_ID &&
			   !gb->gnu_build_id && descsz) {
			gb->gnu_build_id = hex_string(desc, descsz);
			if (!gb->gnu_build_id)
				return -ENOMEM;
		}
		if (next > len)
			break;
		off = next;
	}
	return 0;
}

static int load_notes(struct gobin *gb)
{
	GElf_Phdr ph;
	size_t i, n;
	int ret;

	for (i = 0; i < gb->nsecs; i++) {
		const struct gobin_sec *s = &gb->secs[i];

		if (s->type != SHT_NOTE || !s->size)
			continue;
		ret = scan_notes(gb, gb->data + s->offset, s->size);
		if (ret)
			return ret;
	}
	if ((gb->go_build_id && gb->gnu_build_id) || elf_getphdrnum(gb->elf, &n))
		return 0;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(gb->elf, i, &ph) || ph.p_type != PT_NOTE)
			continue;
		if (ph.p_offset > gb->size || ph.p_filesz > gb->size - ph.p_offset)
			continue;
		ret = scan_notes(gb, gb->data + ph.p_offset, ph.p_filesz);
		if (ret)
			return ret;
	}
	return 0;
}

/* ------------------------------------------------------------------- ELF */

static const char *machine_name(unsigned int m)
{
	switch (m) {
	case EM_386:
		return "i386";
	case EM_ARM:
		return "arm";
	case EM_AARCH64:
		return "aarch64";
	case EM_PPC:
		return "ppc";
	case EM_PPC64:
		return "ppc64";
	case EM_S390:
		return "s390x";
	case EM_MIPS:
		return "mips";
	case EM_RISCV:
		return "riscv";
	case 258:
		return "loongarch";
	default:
		return NULL;
	}
}

static int cmp_reloc(const void *a, const void *b)
{
	const struct gobin_reloc *x = a, *y = b;

	return x->where < y->where ? -1 : x->where > y->where;
}

static int load_relocs(struct gobin *gb)
{
	size_t i, j, n = 0, cap = 0;
	bool sorted = true;

	for (i = 0; i < gb->nsecs; i++) {
		const struct gobin_sec *s = &gb->secs[i];

		if (s->type == SHT_RELA && s->size >= 24)
			cap += s->size / 24;
	}
	if (!cap)
		return 0;
	gb->relocs = malloc(cap * sizeof(*gb->relocs));
	if (!gb->relocs)
		return -ENOMEM;
	for (i = 0; i < gb->nsecs; i++) {
		const struct gobin_sec *s = &gb->secs[i];

		if (s->type != SHT_RELA)
			continue;
		for (j = 0; j + 24 <= s->size; j += 24) {
			const uint8_t *r = gb->data + s->offset + j;

			if (ELF64_R_TYPE(gobin_le64(r + 8)) != R_X86_64_RELATIVE)
				continue;
			gb->relocs[n].where = gobin_le64(r);
			gb->relocs[n].addend = gobin_le64(r + 16);
			if (n && gb->relocs[n].where < gb->relocs[n - 1].where)
				sorted = false;
			n++;
		}
	}
	gb->nrelocs = n;
	if (!sorted)
		qsort(gb->relocs, n, sizeof(*gb->relocs), cmp_reloc);
	return 0;
}

static int load_elf(struct gobin *gb, char *err, size_t errlen)
{
	const char *path = gb->path;
	GElf_Ehdr eh;
	Elf *elf;
	size_t i, n, shstrndx;
	Elf_Scn *scn;

	if (gb->size < 4 || memcmp(gb->data, ELFMAG, SELFMAG) != 0) {
		gobin_set_err(err, errlen, "'%s' is not an ELF file", path);
		return -ENOEXEC;
	}
	if (gb->size < sizeof(Elf64_Ehdr)) {
		gobin_set_err(err, errlen, "'%s' is a truncated ELF file (%zu bytes)", path,
			      gb->size);
		return -ENOEXEC;
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		gobin_set_err(err, errlen, "libelf is unusable: %s", elf_errmsg(-1));
		return -ENOTSUP;
	}
	elf = elf_memory((char *)gb->data, gb->size);
	gb->elf = elf;
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		gobin_set_err(err, errlen, "'%s' is not a valid ELF file (%s)", path,
			      elf_errmsg(-1));
		return -ENOEXEC;
	}
	if (gelf_getclass(elf) != ELFCLASS64) {
		gobin_set_err(err, errlen, "'%s' is a 32-bit ELF file, gotl supports x86-64 only",
			      path);
		return -ENOTSUP;
	}
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB) {
		gobin_set_err(err, errlen,
			      "'%s' is a big-endian ELF file, gotl supports x86-64 only", path);
		return -ENOTSUP;
	}
	if (eh.e_machine != EM_X86_64) {
		const char *m = machine_name(eh.e_machine);

		if (m)
			gobin_set_err(err, errlen, "'%s' is for %s, gotl supports x86-64 only",
				      path, m);
		else
			gobin_set_err(err, errlen,
				      "'%s' is for ELF machine %u, gotl supports x86-64 "
				      "only",
				      path, eh.e_machine);
		return -ENOTSUP;
	}
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
		gobin_set_err(err, errlen, "'%s' is not an executable (ELF type %u)", path,
			      eh.e_type);
		return -ENOEXEC;
	}
	gb->pie = eh.e_type == ET_DYN;

	if (elf_getphdrnum(elf, &n)) {
		gobin_set_err(err, errlen, "'%s' is a corrupt ELF file (%s)", path, elf_errmsg(-1));
		return -ENOEXEC;
	}
	gb->segs = calloc(n ? n : 1, sizeof(*gb->segs));
	if (!gb->segs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, i, &ph)) {
			gobin_set_err(err, errlen,
				      "'%s' is a corrupt ELF file (program header %zu)", path, i);
			return -ENOEXEC;
		}
		if (ph.p_type != PT_LOAD)
			continue;
		if (ph.p_offset > gb->size || ph.p_filesz > gb->size - ph.p_offset ||
		    ph.p_vaddr + ph.p_filesz < ph.p_vaddr) {
			gobin_set_err(err, errlen,
				      "'%s' is truncated or corrupt (a segment lies beyond "
				      "the end of the file)",
				      path);
			return -ENOEXEC;
		}
		gb->segs[gb->nsegs++] = (struct gobin_seg){
			.vaddr = ph.p_vaddr,
			.offset = ph.p_offset,
			.filesz = ph.p_filesz,
			.memsz = ph.p_memsz,
			.flags = ph.p_flags,
		};
	}
	if (!gb->nsegs) {
		gobin_set_err(err, errlen, "'%s' has no loadable segments", path);
		return -ENOEXEC;
	}

	if (elf_getshdrnum(elf, &n) || elf_getshdrstrndx(elf, &shstrndx))
		n = 0; /* section headers are optional */
	gb->secs = calloc(n ? n : 1, sizeof(*gb->secs));
	if (!gb->secs)
		return -ENOMEM;
	/* secs[i] is ELF section i (0 is the null section), so sh_link indexes it */
	for (i = 0; i < n; i++) {
		struct gobin_sec *s;
		GElf_Shdr sh;
		const char *name;

		scn = elf_getscn(elf, i);
		if (!scn || !gelf_getshdr(scn, &sh)) {
			gobin_set_err(err, errlen,
				      "'%s' is a corrupt ELF file (section header %zu)", path, i);
			return -ENOEXEC;
		}
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		s = &gb->secs[gb->nsecs++];
		*s = (struct gobin_sec){
			.name = name ? name : "",
			.type = sh.sh_type,
			.flags = sh.sh_flags,
			.addr = sh.sh_addr,
			.offset = sh.sh_offset,
			.size = sh.sh_type == SHT_NOBITS ? 0 : sh.sh_size,
			.link = sh.sh_link,
		};
		if (s->size && (s->offset > gb->size || s->size > gb->size - s->offset)) {
			gobin_set_err(err, errlen,
				      "'%s' is truncated or corrupt (section %s lies beyond "
				      "the end of the file)",
				      path, s->name[0] ? s->name : "?");
			return -ENOEXEC;
		}
		if (s->type == SHT_SYMTAB && s->size)
			gb->has_symtab = true;
		if ((!strcmp(s->name, ".debug_info") || !strcmp(s->name, ".zdebug_info")) &&
		    s->size)
			gb->has_dwarf = true;
	}
	return gb->pie ? load_relocs(gb) : 0;
}

/* ------------------------------------------------------------ open/free */

static int map_file(struct gobin *gb, char *err, size_t errlen)
{
	struct stat st;
	int fd, ret = 0;

	fd = open(gb->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		gobin_set_err(err, errlen, "cannot open '%s': %s", gb->path, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		gobin_set_err(err, errlen, "cannot stat '%s': %s", gb->path, strerror(-ret));
		goto cleanup;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = -EISDIR;
		gobin_set_err(err, errlen, "'%s' is a directory", gb->path);
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -ENOEXEC;
		gobin_set_err(err, errlen, "'%s' is not a regular file", gb->path);
		goto cleanup;
	}
	if ((uint64_t)st.st_size > SIZE_MAX / 2) {
		ret = -EFBIG;
		gobin_set_err(err, errlen, "'%s' is too large", gb->path);
		goto cleanup;
	}
	gb->size = (size_t)st.st_size;
	if (!gb->size) {
		ret = -ENOEXEC;
		gobin_set_err(err, errlen, "'%s' is not an ELF file (empty)", gb->path);
		goto cleanup;
	}
	/* private and writable so that nothing (libelf included) can fault on it */
	gb->data = mmap(NULL, gb->size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (gb->data != MAP_FAILED) {
		gb->mapped = true;
		goto cleanup;
	}
	gb->data = malloc(gb->size);
	if (!gb->data) {
		ret = -ENOMEM;
		gobin_set_err(err, errlen, "out of memory reading '%s'", gb->path);
		goto cleanup;
	}
	for (size_t got = 0; got < gb->size;) {
		ssize_t r = pread(fd, gb->data + got, gb->size - got, (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ret = r < 0 ? -errno : -EIO;
			gobin_set_err(err, errlen, "cannot read '%s': %s", gb->path,
				      strerror(-ret));
			goto cleanup;
		}
		got += (size_t)r;
	}
cleanup:
	close(fd);
	return ret;
}

int gobin__open(const char *path, struct gobin **out, char *err, size_t errlen)
{
	struct gobin *gb = NULL;
	int ret;

	if (err && errlen)
		err[0] = 0;
	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!path || !path[0]) {
		gobin_set_err(err, errlen, "no binary given");
		return -EINVAL;
	}
	gb = calloc(1, sizeof(*gb));
	if (!gb || !(gb->path = strdup(path))) {
		ret = -ENOMEM;
		gobin_set_err(err, errlen, "out of memory");
		goto cleanup;
	}
	ret = map_file(gb, err, errlen);
	if (ret)
		goto cleanup;
	ret = load_elf(gb, err, errlen);
	if (ret) {
		if (ret == -ENOMEM)
			gobin_set_err(err, errlen, "out of memory");
		goto cleanup;
	}

	ret = load_buildinfo(gb);
	if (ret == -ENOMEM) {
		gobin_set_err(err, errlen, "out of memory");
		goto cleanup;
	}
	if (ret) {
		struct gobin_pcln pc;
		const struct gobin_sec *s = gobin_section(gb, ".gopclntab");

		ret = -EPROTONOSUPPORT;
		if (s && s->size >= 8 && gobin_le32(gb->data + s->offset) == 0xfffffffbU) {
			gobin_set_err(err, errlen,
				      "'%s' was built by Go 1.15 or older, gotl needs Go "
				      "1.17 or newer",
				      path);
			ret = -ENOTSUP;
		} else if (s && gobin_pcln_check(gb->data + s->offset, s->size, s->addr, &pc)) {
			gobin_set_err(err, errlen,
				      "'%s' looks like a Go binary but its build "
				      "information (.go.buildinfo) is missing or corrupt",
				      path);
		} else {
			gobin_set_err(err, errlen,
				      "'%s' is not a Go binary (no Go build information)", path);
		}
		goto cleanup;
	}
	gb->minor = gobin_parse_minor(gb->version);
	if (gb->minor && gb->minor < 17) {
		gobin_set_err(err, errlen, "'%s' was built by %s, gotl needs Go 1.17 or newer",
			      path, gb->version);
		ret = -ENOTSUP;
		goto cleanup;
	}

	ret = gobin_pcln_load(gb, err, errlen);
	if (ret)
		goto cleanup;
	ret = load_notes(gb);
	if (ret) {
		gobin_set_err(err, errlen, "out of memory");
		goto cleanup;
	}
	*out = gb;
	gb = NULL;
cleanup:
	gobin__free(gb);
	return ret;
}

static void strtab_free(struct gobin_strtab *t);

void gobin__free(struct gobin *gb)
{
	if (!gb)
		return;
	gobin_pcln_free(gb);
	strtab_free(&gb->wr);
	strtab_free(&gb->stw);
	if (gb->elf)
		elf_end(gb->elf);
	if (gb->data && gb->mapped)
		munmap(gb->data, gb->size);
	else
		free(gb->data);
	free(gb->segs);
	free(gb->secs);
	free(gb->relocs);
	free(gb->version);
	free(gb->modinfo);
	free(gb->go_build_id);
	free(gb->gnu_build_id);
	free(gb->path);
	free(gb);
}

/* ------------------------------------------------------------- accessors */

const char *gobin__version(const struct gobin *gb)
{
	return gb->version;
}

int gobin__minor(const struct gobin *gb)
{
	return gb->minor;
}

const char *gobin__modinfo(const struct gobin *gb)
{
	return gb->modinfo ? gb->modinfo : "";
}

bool gobin__is_pie(const struct gobin *gb)
{
	return gb->pie;
}

bool gobin__has_dwarf(const struct gobin *gb)
{
	return gb->has_dwarf;
}

bool gobin__has_symtab(const struct gobin *gb)
{
	return gb->has_symtab;
}

const char *gobin__go_build_id(const struct gobin *gb)
{
	return gb->go_build_id;
}

const char *gobin__gnu_build_id(const struct gobin *gb)
{
	return gb->gnu_build_id;
}

int gobin__read(const struct gobin *gb, uint64_t vaddr, void *buf, size_t len)
{
	const uint8_t *p = gobin_va_ptr(gb, vaddr, len);

	if (!p || (len && vaddr + len < vaddr))
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

int gobin__vaddr_to_offset(const struct gobin *gb, uint64_t vaddr, uint64_t *offset)
{
	size_t i;

	for (i = 0; i < gb->nsegs; i++) {
		const struct gobin_seg *s = &gb->segs[i];

		if (vaddr >= s->vaddr && vaddr - s->vaddr < s->filesz) {
			*offset = vaddr - s->vaddr + s->offset;
			return 0;
		}
	}
	return -EFAULT;
}

/* -------------------------------------------------------------- offsets */

int gobin__offsets(const struct gobin *gb, struct gobin_offsets *out)
{
	struct gobin *g = (struct gobin *)gb; /* cache lives in the (mutable) object */
	char why[128];
	int ret;

	if (!g->off_done) {
		ret = -ENOENT;
		if (g->has_dwarf)
			ret = gobin_dwarf_offsets(g, &g->off);
		if (ret)
			ret = gobin_table_offsets(g->minor, &g->off);
		/* Once, here: every reader of the offsets may then trust them. */
		if (!ret && gobin_offsets_check(&g->off, why, sizeof(why))) {
			snprintf(g->off_why, sizeof(g->off_why), "%s: %s", g->off.source, why);
			ret = -EINVAL;
		}
		g->off_err = ret;
		g->off_done = true;
	}
	if (g->off_err) {
		gobin_offsets_unknown(out);
		if (g->off_err == -EINVAL)
			out->source = g->off_why;
		return g->off_err;
	}
	*out = g->off;
	return 0;
}

/* --------------------------------------------------------- wait reasons */

/* Address and size of a .symtab symbol, or -ENOENT. */
static int find_symbol(const struct gobin *gb, const char *name, uint64_t *value, uint64_t *size)
{
	size_t i, j, nlen = strlen(name);

	for (i = 0; i < gb->nsecs; i++) {
		const struct gobin_sec *s = &gb->secs[i], *str;

		if (s->type != SHT_SYMTAB || !s->size || s->link >= gb->nsecs)
			continue;
		str = &gb->secs[s->link];
		if (!str->size)
			continue;
		for (j = 0; j + sizeof(Elf64_Sym) <= s->size; j += sizeof(Elf64_Sym)) {
			const uint8_t *sym = gb->data + s->offset + j;
			uint32_t st_name = gobin_le32(sym);

			if (st_name >= str->size || str->size - st_name <= nlen)
				continue;
			if (memcmp(gb->data + str->offset + st_name, name, nlen + 1))
				continue;
			*value = gobin_le64(sym + 8);
			*size = gobin_le64(sym + 16);
			return 0;
		}
	}
	return -ENOENT;
}

/* One string table entry {ptr, len} at va; -EINVAL if it is not a plausible string. */
static int read_table_string(const struct gobin *gb, uint64_t va, char **out)
{
	const uint8_t *lenp = gobin_va_ptr(gb, va + 8, 8), *bytes;
	uint64_t ptr, len, i;

	if (!lenp || gobin_read_ptr(gb, va, &ptr))
		return -EINVAL;
	len = gobin_le64(lenp);
	if (len > MAX_TABLE_STRING_LEN)
		return -EINVAL;
	bytes = len ? gobin_va_ptr(gb, ptr, len) : (const uint8_t *)"";
	if (!bytes)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (bytes[i] < 0x20 || bytes[i] > 0x7e)
			return -EINVAL;
	*out = dup_bytes(bytes, len);
	return *out ? 0 : -ENOMEM;
}

static bool table_string_is(const struct gobin *gb, uint64_t va, const char *want)
{
	size_t n = strlen(want);
	const uint8_t *lenp = gobin_va_ptr(gb, va + 8, 8), *bytes;
	uint64_t ptr;

	if (!lenp || gobin_le64(lenp) != n)
		return false;
	if (!n)
		return true;
	if (gobin_read_ptr(gb, va, &ptr))
		return false;
	bytes = gobin_va_ptr(gb, ptr, n);
	return bytes && memcmp(bytes, want, n) == 0;
}

/*
 * A runtime `var x = [...]string{...}` table gotl reads: by its symbol, its
 * DWARF variable, or — stripped — by its first three entries, which have
 * not changed in any Go version gotl supports.
 */
struct strtab_desc {
	const char *symbol;
	const char *first[3];
	int max;
};

static const struct strtab_desc wait_reasons_desc = {
	"runtime.waitReasonStrings",
	{ "", "GC assist marking", "IO wait" },
	MAX_WAIT_REASONS,
};
static const struct strtab_desc stw_reasons_desc = {
	"runtime.stwReasonStrings",
	{ "unknown", "GC mark termination", "GC sweep termination" },
	MAX_STW_REASONS,
};

/* Find a table by its first entries, in writable (data) segments. */
static int find_table_by_pattern(const struct gobin *gb, const struct strtab_desc *d,
				 uint64_t *addr)
{
	size_t i, l0 = strlen(d->first[0]), l1 = strlen(d->first[1]), l2 = strlen(d->first[2]);

	for (i = 0; i < gb->nsegs; i++) {
		const struct gobin_seg *s = &gb->segs[i];
		const uint8_t *dat = gb->data + s->offset;
		uint64_t off = (8 - (s->vaddr & 7)) & 7;

		if (!(s->flags & PF_W))
			continue;
		for (; off + 48 <= s->filesz; off += 8) {
			uint64_t va = s->vaddr + off;

			/* Cheap length test first, then the strings. */
			if (gobin_le64(dat + off + 8) != l0 || gobin_le64(dat + off + 24) != l1 ||
			    gobin_le64(dat + off + 40) != l2)
				continue;
			if (table_string_is(gb, va, d->first[0]) &&
			    table_string_is(gb, va + 16, d->first[1]) &&
			    table_string_is(gb, va + 32, d->first[2])) {
				*addr = va;
				return 0;
			}
		}
	}
	return -ENOENT;
}

static int load_table(struct gobin *gb, const struct strtab_desc *d, struct gobin_strtab *t)
{
	uint64_t addr = 0, size = 0, count = 0;
	bool by_pattern = false;
	int ret, n;

	if (find_symbol(gb, d->symbol, &addr, &size) == 0 && size >= 16 &&
	    size / 16 <= (uint64_t)d->max) {
		count = size / 16;
		t->how = "symbol";
	} else if (gb->has_dwarf && gobin_dwarf_array_var(gb, d->symbol, &addr, &count) == 0 &&
		   count && count <= (uint64_t)d->max) {
		t->how = "DWARF";
	} else if (find_table_by_pattern(gb, d, &addr) == 0) {
		count = (uint64_t)d->max;
		by_pattern = true;
		t->how = "pattern";
	} else {
		return -ENOENT;
	}
	t->s = calloc(count, sizeof(*t->s));
	if (!t->s)
		return -ENOMEM;
	for (n = 0; (uint64_t)n < count; n++) {
		char *str = NULL;

		ret = read_table_string(gb, addr + 16 * (uint64_t)n, &str);
		if (ret == -ENOMEM)
			return ret;
		if (by_pattern && n > 0 && (ret || !str[0])) {
			free(str);
			break; /* end of the array: the next thing is not one of its strings */
		}
		if (ret) {
			str = strdup(n ? "?" : "");
			if (!str)
				return -ENOMEM;
		}
		t->s[t->n++] = str;
	}
	return 0;
}

static void strtab_free(struct gobin_strtab *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->s[i]);
	free(t->s);
	t->s = NULL;
	t->n = 0;
}

static int get_table(const struct gobin *gb, const struct strtab_desc *d, struct gobin_strtab *t,
		     const char *const **strs, int *n, const char **how)
{
	if (!t->done) {
		t->err = load_table((struct gobin *)gb, d, t);
		if (t->err)
			strtab_free(t);
		t->done = true;
	}
	if (t->err)
		return t->err;
	if (strs)
		*strs = (const char *const *)t->s;
	if (n)
		*n = t->n;
	if (how)
		*how = t->how;
	return 0;
}

int gobin__wait_reasons(const struct gobin *gb, const char *const **strs, int *n, const char **how)
{
	/* The cache lives in the (mutable) object. */
	return get_table(gb, &wait_reasons_desc, &((struct gobin *)gb)->wr, strs, n, how);
}

int gobin__stw_reasons(const struct gobin *gb, const char *const **strs, int *n, const char **how)
{
	return get_table(gb, &stw_reasons_desc, &((struct gobin *)gb)->stw, strs, n, how);
}

/* ------------------------------------------------------------ runtime.allgs */

/* Is [va, va+len) inside a writable segment (data or bss)? */
static bool in_writable(const struct gobin *gb, uint64_t va, uint64_t len)
{
	size_t i;

	for (i = 0; i < gb->nsegs; i++) {
		const struct gobin_seg *s = &gb->segs[i];

		if ((s->flags & PF_W) && va >= s->vaddr && va - s->vaddr < s->memsz &&
		    len <= s->memsz - (va - s->vaddr))
			return true;
	}
	return false;
}

int gobin__allgs(const struct gobin *gb, uint64_t *addr, const char **how)
{
	uint64_t targets[32], size, va;
	struct gobin_func fn;
	const uint8_t *code;
	size_t n = 0, i, j, len;

	if (find_symbol(gb, "runtime.allgs", addr, &size) == 0 && in_writable(gb, *addr, 24)) {
		*how = "symbol";
		return 0;
	}
	/*
	 * Stripped: runtime.forEachG is `lock(&allglock); for _, gp := range
	 * allgs {...}`; it loads the slice's pointer and length with two
	 * RIP-relative MOVs from addresses 8 bytes apart.
	 */
	if (gobin__find_func(gb, "runtime.forEachG", &fn) || fn.end <= fn.entry ||
	    fn.end - fn.entry > 4096)
		return -ENOENT;
	len = (size_t)(fn.end - fn.entry);
	code = gobin_va_ptr(gb, fn.entry, len);
	if (!code)
		return -ENOENT;
	for (i = 0; i + 7 <= len && n < 32; i++) {
		/* REX.W (+R) 8B /r with mod=00 rm=101: mov r64, [rip+disp32] */
		if ((code[i] & 0xfb) != 0x48 || code[i + 1] != 0x8b || (code[i + 2] & 0xc7) != 0x05)
			continue;
		va = fn.entry + i + 7 + (uint64_t)(int64_t)(int32_t)gobin_le32(code + i + 3);
		targets[n++] = va;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			if (targets[j] == targets[i] + 8 && in_writable(gb, targets[i], 24)) {
				*addr = targets[i];
				*how = "runtime.forEachG";
				return 0;
			}
	return -ENOENT;
}

uint64_t gobin__first_vaddr(const struct gobin *gb)
{
	uint64_t lo = UINT64_MAX;
	size_t i;

	for (i = 0; i < gb->nsegs; i++)
		if (gb->segs[i].offset == 0 && gb->segs[i].vaddr < lo)
			lo = gb->segs[i].vaddr;
	return lo == UINT64_MAX ? 0 : lo;
}
