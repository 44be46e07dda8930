/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * gooffsets.h: the one list of the Go runtime struct fields gotl reads, as
 * an X-macro. Each entry names the field, where DWARF has it (the struct,
 * its member and, for a member that is itself a struct, the member of that
 * one: g.sched.pc is runtime.g's "sched" plus runtime.gobuf's "pc"), its
 * size in bytes, and its offset in each Go minor version gotl has a table
 * for (-1: the field does not exist in that version). Everything else
 * follows from it: struct gobin_offsets, its "unknown" initializer, the
 * per-version table (gotable.c), the DWARF reader's field list
 * (godwarf.c), the field names printed by `gotl inspect` and gobin_dump,
 * tests/e2e/test_gobin.py's field list (it reads this file), and the BPF
 * programs' offsets (GOBIN_BPF_OFFSETS below). Data only.
 *
 * Every table value was read from the DWARF (DW_AT_data_member_location)
 * of tests/e2e/gobin_prog built by go1.17.13, go1.18.10, go1.19.8
 * (Debian), go1.20.14, go1.21.13, go1.22.12, go1.23.12, go1.24.13,
 * go1.25.14, go1.26.8 and go1.27.4; test_gobin.py checks them against
 * DWARF again for every toolchain it finds.
 *
 * Adding a field: one entry here (test_gobin.py then checks it on every
 * toolchain). Adding a Go version: one more value in every entry, and
 * GOBIN_NEWEST_KNOWN_MINOR (gobin.h).
 */
#ifndef GOTL_GOOFFSETS_H
#define GOTL_GOOFFSETS_H

/* The Go minor versions the table has a column for. */
#define GOBIN_TABLE_FIRST_MINOR	17
#define GOBIN_TABLE_LAST_MINOR	27
#define GOBIN_TABLE_MINORS	(GOBIN_TABLE_LAST_MINOR - GOBIN_TABLE_FIRST_MINOR + 1)

/*
 * The structs, by the token an entry names them with: their DWARF name,
 * and how many bytes of one gotl's readers copy at most (the census
 * copies a g's fields into a buffer of GOBIN_COPY_G bytes). gobin__offsets
 * rejects an offset whose field does not fit in its struct's copy, so that
 * no reader can index past what it copied. GOBUF and STACK are only ever
 * members of a g: their fields count against the g's copy.
 */
#define GOBIN_COPY_G	1024
#define GOBIN_STRUCTS(S)						\
	S(G,     "runtime.g",     GOBIN_COPY_G)				\
	S(M,     "runtime.m",     4096)					\
	S(P,     "runtime.p",     16384)				\
	S(CORO,  "runtime.coro",  64)					\
	S(GOBUF, "runtime.gobuf", 0)					\
	S(STACK, "runtime.stack", 0)

enum gobin_struct {
#define GOBIN_STRUCT_ENUM(tok, dwarf, copy) GOBIN_S_##tok,
	GOBIN_STRUCTS(GOBIN_STRUCT_ENUM)
#undef GOBIN_STRUCT_ENUM
		GOBIN_S_COUNT,
	GOBIN_S_NONE = GOBIN_S_COUNT, /* no substruct: a plain member */
};

/*
 * X(field, struct, member, substruct, submember, size,
 *   offset in 1.17 … 1.27)
 * substruct NONE with submember "" for a plain member. Sizes: 8 for
 * pointers and 64-bit integers, 4 for g.atomicstatus, 1 for the uint8 and
 * bool fields.
 */
#define GOBIN_OFFSETS(X)							\
	/* 1.17  1.18  1.19  1.20  1.21  1.22  1.23  1.24  1.25  1.26  1.27 */		\
	X(g_stack_lo,     G, "stack",        STACK, "lo", 8,				\
	  0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0)		\
	X(g_stack_hi,     G, "stack",        STACK, "hi", 8,				\
	  8,    8,    8,    8,    8,    8,    8,    8,    8,    8,    8)		\
	X(g_m,            G, "m",            NONE,  "",   8,				\
	  48,   48,   48,   48,   48,   48,   48,   48,   48,   48,   48)		\
	X(g_sched_sp,     G, "sched",        GOBUF, "sp", 8,				\
	  56,   56,   56,   56,   56,   56,   56,   56,   56,   56,   56)		\
	X(g_sched_pc,     G, "sched",        GOBUF, "pc", 8,				\
	  64,   64,   64,   64,   64,   64,   64,   64,   64,   64,   64)		\
	X(g_sched_bp,     G, "sched",        GOBUF, "bp", 8,				\
	  104,  104,  104,  104,  104,  104,  104,  104,  96,   96,   96)		\
	X(g_syscallsp,    G, "syscallsp",    NONE,  "",   8,				\
	  112,  112,  112,  112,  112,  112,  112,  112,  104,  104,  104)		\
	X(g_syscallpc,    G, "syscallpc",    NONE,  "",   8,				\
	  120,  120,  120,  120,  120,  120,  120,  120,  112,  112,  112)		\
	X(g_syscallbp,    G, "syscallbp",    NONE,  "",   8,				\
	  -1,   -1,   -1,   -1,   -1,   -1,   128,  128,  120,  120,  120)		\
	X(g_atomicstatus, G, "atomicstatus", NONE,  "",   4,				\
	  144,  144,  144,  144,  144,  144,  152,  152,  144,  144,  144)		\
	X(g_goid,         G, "goid",         NONE,  "",   8,				\
	  152,  152,  152,  152,  152,  152,  160,  160,  152,  152,  152)		\
	X(g_waitsince,    G, "waitsince",    NONE,  "",   8,				\
	  168,  168,  168,  168,  168,  168,  176,  176,  168,  168,  168)		\
	X(g_waitreason,   G, "waitreason",   NONE,  "",   1,				\
	  176,  176,  176,  176,  176,  176,  184,  184,  176,  176,  176)		\
	X(g_trackingseq,  G, "trackingSeq",  NONE,  "",   1,				\
	  189,  189,  189,  189,  188,  191,  199,  199,  191,  191,  191)		\
	X(g_lockedm,      G, "lockedm",      NONE,  "",   8,				\
	  232,  232,  232,  232,  208,  208,  216,  216,  208,  208,  208)		\
	X(g_parentgoid,   G, "parentGoid",   NONE,  "",   8,				\
	  -1,   -1,   -1,   -1,   272,  272,  280,  280,  272,  280,  280)		\
	X(g_gopc,         G, "gopc",         NONE,  "",   8,				\
	  296,  296,  296,  296,  280,  280,  288,  288,  280,  288,  288)		\
	X(g_startpc,      G, "startpc",      NONE,  "",   8,				\
	  312,  312,  312,  312,  296,  296,  304,  304,  296,  304,  304)		\
	X(g_coroarg,      G, "coroarg",      NONE,  "",   8,				\
	  -1,   -1,   -1,   -1,   -1,   368,  384,  384,  376,  384,  384)		\
	X(g_coroexit,     G, "coroexit",     NONE,  "",   1,				\
	  -1,   -1,   -1,   -1,   -1,   187,  195,  195,  187,  187,  187)		\
	X(m_procid,       M, "procid",       NONE,  "",   8,				\
	  72,   72,   72,   72,   72,   72,   72,   72,   64,   64,   64)		\
	X(m_curg,         M, "curg",         NONE,  "",   8,				\
	  192,  192,  192,  192,  192,  192,  192,  192,  184,  184,  184)		\
	X(m_p,            M, "p",            NONE,  "",   8,				\
	  208,  208,  208,  208,  208,  208,  208,  208,  200,  208,  208)		\
	X(p_goidcache,    P, "goidcache",    NONE,  "",   8,				\
	  1504, 384,  384,  384,  384,  384,  376,  376,  376,  384,  384)		\
	X(p_goidcacheend, P, "goidcacheend", NONE,  "",   8,				\
	  1512, 392,  392,  392,  392,  392,  384,  384,  384,  392,  392)		\
	X(coro_gp,        CORO, "gp",        NONE,  "",   8,				\
	  -1,   -1,   -1,   -1,   -1,   0,    0,    0,    0,    0,    0)

/*
 * The fields the BPF programs read: probes/gotl.bpf.c declares a
 * `const volatile __u64 off_<field>` for each, and probeset.c fills every
 * one the binary has from the plan before load (a field a program reads
 * only for a feature - stacks, coroutines - is read only when that feature
 * is on). A name here that is not in GOBIN_OFFSETS does not compile.
 */
#define GOBIN_BPF_OFFSETS(B)						\
	B(g_goid) B(g_waitreason) B(g_gopc) B(g_startpc) B(g_m)		\
	B(g_coroarg) B(g_coroexit) B(m_curg) B(m_p) B(coro_gp)		\
	B(g_stack_lo) B(g_stack_hi) B(g_sched_pc) B(g_sched_bp) B(g_sched_sp)

#endif /* GOTL_GOOFFSETS_H */
