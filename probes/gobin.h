/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * gobin: read what gotl needs from a Go executable without running it —
 * the Go version (.go.buildinfo), functions and their file offsets (pclntab,
 * which survives stripping; .symtab only as a cross-check), the offsets of
 * the runtime struct fields the probes read (DWARF when present, else a
 * per-version table), the wait-reason strings (runtime.waitReasonStrings,
 * found by symbol or by pattern), build IDs, PC -> function/file/line
 * symbolization with inlined frames, and type names by descriptor address.
 *
 * It is a pure module: it never prints, never exits, never touches BPF. It
 * treats the file as untrusted input: every offset and length is
 * bounds-checked, so a corrupt file gives an error, never a crash.
 *
 * All addresses are link-time virtual addresses as in the ELF file (for a
 * PIE, what the runtime sees minus its load bias).
 */
#ifndef GOTL_GOBIN_H
#define GOTL_GOBIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gobin;

#include "gooffsets.h"

/*
 * Offsets (bytes) of the runtime struct fields gotl reads, one int per
 * entry of GOBIN_OFFSETS (gooffsets.h), named as there (g_goid, m_curg,
 * ...); -1 = unknown/absent.
 */
struct gobin_offsets {
#define GOBIN_OFFSET_FIELD(f, ...) int f;
	GOBIN_OFFSETS(GOBIN_OFFSET_FIELD)
#undef GOBIN_OFFSET_FIELD
	const char *source; /* "DWARF" or "table for go1.N" (static string) */
};

/* The fields by their index in the list: GOBIN_FIELD_g_goid, ... */
enum {
#define GOBIN_FIELD_ENUM(f, ...) GOBIN_FIELD_##f,
	GOBIN_OFFSETS(GOBIN_FIELD_ENUM)
#undef GOBIN_FIELD_ENUM
		GOBIN_NFIELDS
};

/* What the list says about each field, in its order: for printing and checks. */
struct gobin_offset_field {
	const char *name;      /* "g_sched_pc", the member of struct gobin_offsets */
	const char *path;      /* "g.sched.pc" */
	enum gobin_struct st;  /* GOBIN_S_G */
	const char *member;    /* "sched": its member in DWARF */
	enum gobin_struct sub; /* GOBIN_S_GOBUF, or GOBIN_S_NONE */
	const char *submember; /* "pc", or "" */
	int size;	       /* bytes */
	size_t at;	       /* offsetof(struct gobin_offsets, name) */
};
extern const struct gobin_offset_field gobin_offset_fields[GOBIN_NFIELDS];
extern const size_t gobin_noffset_fields; /* GOBIN_NFIELDS */
/* The structs' DWARF names and how much of one a reader copies, by enum gobin_struct. */
extern const char *const gobin_struct_names[GOBIN_S_COUNT];
extern const int gobin_struct_copy[GOBIN_S_COUNT];

static inline int gobin_offset_get(const struct gobin_offsets *o, size_t field)
{
	return *(const int *)((const char *)o + gobin_offset_fields[field].at);
}

/* A function found in pclntab. */
struct gobin_func {
	const char *name;     /* owned by the gobin; valid until gobin__free */
	uint64_t entry;	      /* link-time vaddr of the first instruction */
	uint64_t end;	      /* vaddr one past the last instruction */
	uint64_t file_offset; /* offset of entry in the file (what uprobes attach to) */
};

/* One frame of a symbolized PC. Strings are owned by the gobin. */
struct gobin_frame {
	const char *func; /* e.g. "main.Gather.func1" */
	const char *file; /* e.g. "/src/app/main.go"; "?" if unknown */
	int line;	  /* 0 if unknown */
	bool wrapper;	  /* compiler-generated (the runtime's FuncIDWrapper: method and
				 * ABI wrappers, a go statement's closure): Go's tracebacks
				 * leave it out */
};

/*
 * Open and index a Go binary. On failure returns -errno and writes a
 * one-line reason (no trailing newline, no "gotl:" prefix) into err, e.g.
 * "'/bin/ls' is not a Go binary (no .go.buildinfo)". Errors:
 *	-ENOENT/-EACCES/...	cannot open or read the file
 *	-ENOEXEC		not an ELF file, or a truncated/corrupt one
 *	-EPROTONOSUPPORT	not a Go binary (no build info, no pclntab)
 *	-ENOTSUP		not x86-64, or Go older than 1.17 (no register ABI)
 */
int gobin__open(const char *path, struct gobin **out, char *err, size_t errlen);
void gobin__free(struct gobin *gb);

/* "go1.26.8", "go1.19.8", "devel go1.27-abc +..." as in the binary. */
const char *gobin__version(const struct gobin *gb);
/* Go minor version (26 for go1.26.8); 0 if it cannot be parsed. */
int gobin__minor(const struct gobin *gb);
/* The modinfo text from .go.buildinfo (path/mod/dep/build lines), "" if none. */
const char *gobin__modinfo(const struct gobin *gb);
bool gobin__is_pie(const struct gobin *gb); /* ET_DYN */
bool gobin__has_dwarf(const struct gobin *gb);
bool gobin__has_symtab(const struct gobin *gb);
/* How gobin found what it read, for `gotl inspect` and bug reports. */
struct gobin_info {
	const char *buildinfo; /* where the build info was and its format */
	const char *pclntab;   /* how pclntab was found ("section .gopclntab", "magic scan") */
	uint64_t pclntab_addr;
	uint32_t pclntab_magic; /* 0xfffffffa (1.16-17), 0xfffffff0 (1.18-19), 0xfffffff1 (1.20+) */
	uint64_t nfunc;
	const char *moduledata; /* how runtime.firstmoduledata was found, or "not found" */
	uint64_t moduledata_addr;
	uint64_t text;	    /* start of Go code */
	const char *interp; /* the dynamic linker, or NULL for a static binary */
};
void gobin__info(const struct gobin *gb, struct gobin_info *out);

/* The newest Go minor version gotl has facts for (its offsets table, its probe set). */
#define GOBIN_NEWEST_KNOWN_MINOR	27

/* Go build ID (.note.go.buildid) or NULL; GNU build ID as hex or NULL. */
const char *gobin__go_build_id(const struct gobin *gb);
const char *gobin__gnu_build_id(const struct gobin *gb);

/*
 * Find a function by its exact pclntab name (no ".abi0" suffix), skipping
 * ABI wrappers (file "<autogenerated>") when a real body exists.
 * Returns 0, or -ENOENT if the binary has no such function.
 */
int gobin__find_func(const struct gobin *gb, const char *name, struct gobin_func *out);

/*
 * For a compiler-generated wrapper whose only job is to call one function —
 * what a `go f(x)` statement starts (main.main.gowrap1) — that function,
 * from the binary's FUNCDATA_WrapInfo (Go 1.18+; the runtime's tracer uses
 * it the same way). entry must be a function entry. Returns 0, or -ENOENT
 * if it is not such a wrapper or the binary does not say.
 */
int gobin__wrapped_func(const struct gobin *gb, uint64_t entry, struct gobin_func *out);

/*
 * Every function in address order, ABI wrappers left out: start with
 * *iter = 0; returns 0 and the next one, or -ENOENT after the last.
 */
int gobin__func_next(const struct gobin *gb, size_t *iter, struct gobin_func *out);

/* The function containing pc, or -ENOENT. */
int gobin__func_at(const struct gobin *gb, uint64_t pc, struct gobin_func *out);

/*
 * Copy len bytes at link-time vaddr into buf (code or data that is in the
 * file). Returns 0, or -EFAULT if the range is not backed by the file.
 */
int gobin__read(const struct gobin *gb, uint64_t vaddr, void *buf, size_t len);

/* File offset of a link-time vaddr in a PT_LOAD segment, or -EFAULT. */
int gobin__vaddr_to_offset(const struct gobin *gb, uint64_t vaddr, uint64_t *offset);

/*
 * Runtime struct offsets: from DWARF when the binary has it, otherwise from
 * gotl's per-version table. Returns 0, -ENOTSUP when neither applies
 * (stripped binary of a Go version gotl has no table for), or -EINVAL when
 * an offset is implausible (a field past what gotl's readers copy of its
 * struct, GOBIN_STRUCTS): then out->source says which field, e.g.
 * "DWARF: g.atomicstatus at 4000 is outside the 1024 bytes of a runtime.g
 * gotl reads". Otherwise out->source says where the offsets came from.
 */
int gobin__offsets(const struct gobin *gb, struct gobin_offsets *out);

/*
 * runtime.waitReasonStrings: *strs points at *n strings owned by the gobin
 * (index = the runtime's waitReason value; entry 0 is ""). *how says how it
 * was found ("symbol", "DWARF", "pattern"). Returns 0 or -ENOENT.
 */
int gobin__wait_reasons(const struct gobin *gb, const char *const **strs, int *n, const char **how);

/*
 * runtime.stwReasonStrings (Go 1.21+): why the world was stopped, indexed by
 * the runtime's stwReason (entry 0 is "unknown"). Same conventions as
 * gobin__wait_reasons; -ENOENT before Go 1.21.
 */
int gobin__stw_reasons(const struct gobin *gb, const char *const **strs, int *n, const char **how);

/*
 * Symbolize a code address: fills up to max frames, innermost (inlined)
 * first, outermost (the physical function) last; returns the number of
 * frames (>= 1), or -ENOENT if pc is in no function. For a return address
 * pass pc - 1 to get the line of the call.
 */
int gobin__symbolize(const struct gobin *gb, uint64_t pc, struct gobin_frame *frames, int max);

/*
 * What unwinding a goroutine's stack needs about the function containing
 * pc, as the runtime's own unwinder reads it: the frame size at pc (its
 * pcsp table: the return address of a frame at pc is at SP + spdelta) and
 * the flags that end a traceback (TopFrame: the bottom of a stack, e.g.
 * runtime.goexit; SPWrite: the function moves SP arbitrarily, so what is
 * above it cannot be trusted). Returns 0, -ENOENT if pc is in no function,
 * or -EINVAL if the function has no frame information.
 */
struct gobin_unwind {
	const char *name;    /* the function (owned by the gobin) */
	uint64_t entry, end; /* its link-time extent */
	int32_t spdelta;
	bool top_frame;
	bool sp_write;
	bool wrapper; /* as in struct gobin_frame */
};
int gobin__unwind_info(const struct gobin *gb, uint64_t pc, struct gobin_unwind *out);

/*
 * A runtime type descriptor (what runtime.mallocgc's typ points at, minus
 * the load bias). name is not NUL-terminated and is owned by the gobin.
 */
struct gobin_type {
	const char *name; /* as the runtime prints it: "main.T", "[]uint8", "*bytes.Buffer" */
	size_t name_len;
	uint64_t size; /* the type's size in bytes */
	uint8_t kind;  /* abi.Kind & 0x1f: 25 struct, 23 slice, 22 ptr, 24 string, ... */
};

/* The type descriptor at link-time address addr, or -ENOENT if there is none. */
int gobin__type(const struct gobin *gb, uint64_t addr, struct gobin_type *out);
/* [types, etypes): where the binary's type descriptors are; -ENOENT if unknown. */
int gobin__types(const struct gobin *gb, uint64_t *types, uint64_t *etypes);

/*
 * runtime.allgs (a []*g: every goroutine the runtime ever made, live or
 * dead), by symbol or, stripped, from the code of runtime.forEachG. *how
 * says which. Returns 0 or -ENOENT.
 */
int gobin__allgs(const struct gobin *gb, uint64_t *addr, const char **how);

/* The link-time address of the file's first byte (the PT_LOAD at offset 0), for load biases. */
uint64_t gobin__first_vaddr(const struct gobin *gb);

#endif /* GOTL_GOBIN_H */
