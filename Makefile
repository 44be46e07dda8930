# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# gotl build. `make` leaves ./gotl (and its man page and bash completion in
# .output/doc/); `make test` installs what is missing, builds, and runs every
# test (unit + end-to-end, the latter needs root); `make demo` records a
# sample (`make screenshots` shoots its trace in the Perfetto UI for the
# README); `make install` (PREFIX, DESTDIR) installs; `make static` leaves
# gotl-static, one statically linked binary to copy onto another host.
# Intermediates go to .output/ (OUTPUT=DIR for another place).

OUTPUT   := .output
CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
PROTOC_C ?= protoc-c
PYTHON   ?= python3
ARCH     := x86

# Go toolchains used by the end-to-end tests and the demo.
GO126    ?= $(firstword $(wildcard /usr/local/go/bin/go) $(shell command -v go 2>/dev/null))
GO119    ?= /usr/lib/go-1.19/bin/go

WARNINGS := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
CFLAGS   ?= -g -O2
ALL_CFLAGS := $(CFLAGS) -std=gnu11 -D_GNU_SOURCE $(WARNINGS) -Iinclude -Iprobes -Iconvert -Icli \
	      -I$(OUTPUT) -I$(OUTPUT)/proto $(EXTRA_CFLAGS)
LDLIBS   := -lbpf -lelf -lz -lprotobuf-c -lm -lpthread $(EXTRA_LDFLAGS)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	      -Iinclude -I/usr/include/$(shell uname -m)-linux-gnu

ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=$(SANITIZE) -fno-omit-frame-pointer
LDLIBS     += -fsanitize=$(SANITIZE)
endif

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

PROTO        := proto/perfetto_trace.proto
PROTO_C      := $(OUTPUT)/proto/perfetto_trace.pb-c.c
PROTO_H      := $(OUTPUT)/proto/perfetto_trace.pb-c.h
SKEL         := $(OUTPUT)/gotl.skel.h

LIB_SRCS     := $(filter-out %.bpf.c,$(wildcard probes/*.c)) $(wildcard convert/*.c) \
		$(filter-out cli/main.c,$(wildcard cli/*.c))
LIB_OBJS     := $(patsubst %.c,$(OUTPUT)/%.o,$(LIB_SRCS)) $(OUTPUT)/proto/perfetto_trace.pb-c.o
UNIT_TESTS   := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(wildcard tests/unit/test_*.c))

# The objects that include the BPF skeleton, directly or through a header of
# probes/ or cli/: on a first build they wait for it (and so for clang and
# bpftool); later their .d files say so. The rest, libgotl-host.a, builds
# without the BPF toolchain, and the unit tests link only that.
empty        :=
space        := $(empty) $(empty)
skel_hdrs    := $(notdir $(shell grep -l '"gotl.skel.h"' probes/*.h cli/*.h 2>/dev/null))
SKEL_USERS   := $(patsubst %.c,$(OUTPUT)/%.o,$(shell grep -lE \
		'^\#include "($(subst $(space),|,gotl.skel.h $(skel_hdrs)))"' probes/*.c cli/*.c))
HOST_OBJS    := $(filter-out $(SKEL_USERS),$(LIB_OBJS))

# Each compiler run writes what the object was made from (-MMD) beside it.
DEPFLAGS     = -MMD -MP -MF $@.d -MT $@

.PHONY: all doc clean deps test test-unit test-cli test-build test-static test-e2e test-matrix \
	demo screenshots bench fuzz test-fuzz \
	install uninstall static format-check format-changed format-report
.DELETE_ON_ERROR:
.SECONDARY:

# `make -j clean all`: nothing may be built beside the clean.
ifneq ($(and $(filter clean,$(MAKECMDGOALS)),$(filter-out clean,$(MAKECMDGOALS))),)
.NOTPARALLEL:
endif

all: gotl doc

gotl: $(OUTPUT)/cli/main.o $(OUTPUT)/libgotl.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/libgotl.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUTPUT)/libgotl-host.a: $(HOST_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# The generated headers must exist before the first compile that may include
# them; after that, the .d files name the headers each object really includes.
$(OUTPUT)/%.o: %.c | $(PROTO_H)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(SKEL_USERS): | $(SKEL)

# Generated protobuf-c code: not ours, so not -Werror. One run of protoc-c
# makes both files (a grouped target: make -j runs it once).
$(PROTO_C) $(PROTO_H) &: $(PROTO)
	$(call msg,PROTOC,$(PROTO))
	$(Q)mkdir -p $(OUTPUT)/proto
	$(Q)$(PROTOC_C) --proto_path=proto --c_out=$(OUTPUT)/proto $(PROTO)

$(OUTPUT)/proto/perfetto_trace.pb-c.o: $(PROTO_C)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -I$(OUTPUT)/proto -c $< -o $@

$(OUTPUT)/gotl.bpf.o: probes/gotl.bpf.c
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(OUTPUT)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(SKEL): $(OUTPUT)/gotl.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name gotl_bpf > $@

# gotl(1) and the bash completion, made from `--help` (scripts/gendoc.py, doc/*.in):
# a command or option added to cli/ is in them at the next make.
DOCS := $(OUTPUT)/doc/gotl.1 $(OUTPUT)/doc/gotl.bash

doc: $(DOCS)

$(OUTPUT)/doc/gotl.1: doc/gotl.1.in scripts/gendoc.py gotl
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(PYTHON) scripts/gendoc.py --gotl ./gotl man $< > $@

$(OUTPUT)/doc/gotl.bash: doc/gotl.bash.in scripts/gendoc.py gotl
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(PYTHON) scripts/gendoc.py --gotl ./gotl bash $< > $@

# `make install [PREFIX=/usr/local] [DESTDIR=]`: the binary, gotl(1) and the
# bash completion (where bash-completion looks for it, by command name).
PREFIX      ?= /usr/local
prefix      ?= $(PREFIX)
bindir      ?= $(prefix)/bin
datarootdir ?= $(prefix)/share
mandir      ?= $(datarootdir)/man
bashcompdir ?= $(datarootdir)/bash-completion/completions
INSTALL     ?= install

install: gotl $(DOCS)
	$(call msg,INSTALL,$(DESTDIR)$(bindir)/gotl)
	$(Q)$(INSTALL) -d $(DESTDIR)$(bindir) $(DESTDIR)$(mandir)/man1 $(DESTDIR)$(bashcompdir)
	$(Q)$(INSTALL) -m 0755 gotl $(DESTDIR)$(bindir)/gotl
	$(Q)$(INSTALL) -m 0644 $(OUTPUT)/doc/gotl.1 $(DESTDIR)$(mandir)/man1/gotl.1
	$(Q)$(INSTALL) -m 0644 $(OUTPUT)/doc/gotl.bash $(DESTDIR)$(bashcompdir)/gotl

uninstall:
	$(Q)rm -f $(DESTDIR)$(bindir)/gotl $(DESTDIR)$(mandir)/man1/gotl.1 \
		$(DESTDIR)$(bashcompdir)/gotl

# `make static`: gotl-static, the whole of gotl in one statically linked file
# that needs nothing of the host but a kernel (no libc, no libbpf, no
# /etc/nsswitch.conf modules), to copy onto a production host. Its main.o
# asks glibc's NSS for the files backend only (GOTL_STATIC in cli/main.c):
# the warnings of the static link about getpwuid and initgroups are about
# the modules that this avoids loading.
static: gotl-static

gotl-static: $(OUTPUT)/static/cli/main.o $(OUTPUT)/libgotl.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -static $^ $(LDLIBS) -o $@

$(OUTPUT)/static/%.o: %.c | $(PROTO_H)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -DGOTL_STATIC $(DEPFLAGS) -c $< -o $@

$(OUTPUT)/tests/%: tests/unit/%.c $(OUTPUT)/libgotl-host.a | $(PROTO_H)
	$(call msg,TEST-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) $< $(OUTPUT)/libgotl-host.a $(LDLIBS) -lcmocka -o $@

# The trap floor for the benchmarks: empty uprobes, no gotl (tests/bench/bareprobe.c).
$(OUTPUT)/bench/bare.bpf.o: tests/bench/bare.bpf.c
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(OUTPUT)/bench/bare.skel.h: $(OUTPUT)/bench/bare.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name bare_bpf > $@

$(OUTPUT)/bench/bareprobe: tests/bench/bareprobe.c probes/umulti.c $(OUTPUT)/bench/bare.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -I$(OUTPUT)/bench tests/bench/bareprobe.c probes/umulti.c \
		-lbpf -lelf -lz -lpthread -o $@

# The converter benchmark's synthetic event logs (tests/bench/mklog.c).
$(OUTPUT)/bench/mklog: tests/bench/mklog.c $(OUTPUT)/libgotl-host.a | $(PROTO_H)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) $< $(OUTPUT)/libgotl-host.a $(LDLIBS) -o $@

# What one census costs (tests/bench/censusbench.c, for bench_census.py).
$(OUTPUT)/bench/censusbench: tests/bench/censusbench.c $(OUTPUT)/libgotl.a
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $< $(OUTPUT)/libgotl.a $(LDLIBS) -o $@

# ---- fuzzing ---------------------------------------------------------------
# libFuzzer targets (tests/fuzz/fuzz_<target>.c) built with clang, ASan and
# UBSan into $(OUTPUT)/fuzz/, from the library sources each one reads with.
# `make test-fuzz` replays every file of tests/fuzz/corpus/<target>/ once;
# `make fuzz` runs each target for FUZZ_SECONDS (FUZZ=log or gobin for one).
FUZZ_SECONDS ?= 60
FUZZ         ?= log gobin
FUZZ_OUT     := $(OUTPUT)/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  := -g -O1 -std=gnu11 -D_GNU_SOURCE $(WARNINGS) $(FUZZ_SAN) \
		-fsanitize=fuzzer-no-link -Iinclude -Iprobes -Iconvert -I$(OUTPUT)/proto
FUZZ_OPTS    := -rss_limit_mb=2048 -timeout=10 -malloc_limit_mb=512 -max_len=2097152
FUZZ_log_SRCS   := $(wildcard convert/*.c)
FUZZ_gobin_SRCS := probes/gobin.c probes/gopcln.c probes/godwarf.c probes/gotable.c \
		   probes/gotypes.c probes/probesite.c probes/plan.c probes/gosym.c
FUZZ_BINS    := $(FUZZ_OUT)/fuzz_log $(FUZZ_OUT)/fuzz_gobin

$(FUZZ_OUT)/%.o: %.c | $(PROTO_H)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(FUZZ_OUT)/proto/perfetto_trace.pb-c.o: $(PROTO_C)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(DEPFLAGS) -I$(OUTPUT)/proto \
		-c $< -o $@

$(FUZZ_OUT)/fuzz_log: $(FUZZ_OUT)/tests/fuzz/fuzz_log.o \
		      $(patsubst %.c,$(FUZZ_OUT)/%.o,$(FUZZ_log_SRCS)) \
		      $(FUZZ_OUT)/proto/perfetto_trace.pb-c.o
	$(call msg,FUZZ-LD,$@)
	$(Q)$(CLANG) $(FUZZ_SAN) -fsanitize=fuzzer $^ -lprotobuf-c -lz -lm -o $@

$(FUZZ_OUT)/fuzz_gobin: $(FUZZ_OUT)/tests/fuzz/fuzz_gobin.o \
			$(patsubst %.c,$(FUZZ_OUT)/%.o,$(FUZZ_gobin_SRCS))
	$(call msg,FUZZ-LD,$@)
	$(Q)$(CLANG) $(FUZZ_SAN) -fsanitize=fuzzer $^ -lelf -lz -o $@

# Replay: every corpus file once (-runs=0), failing on any crash, leak or
# sanitizer report.
test-fuzz: $(FUZZ_BINS)
	$(Q)set -e; for t in log gobin; do \
		printf '  %-8s %s\n' FUZZ "tests/fuzz/corpus/$$t ($$(ls tests/fuzz/corpus/$$t | wc -l) files)"; \
		mkdir -p $(FUZZ_OUT)/artifacts/$$t; \
		$(FUZZ_OUT)/fuzz_$$t $(FUZZ_OPTS) -runs=0 -artifact_prefix=$(FUZZ_OUT)/artifacts/$$t/ \
			tests/fuzz/corpus/$$t \
			>$(FUZZ_OUT)/replay-$$t.log 2>&1 || { cat $(FUZZ_OUT)/replay-$$t.log; exit 1; }; \
	done

# New inputs go to $(FUZZ_OUT)/new/<target> (the checked-in corpus is only
# read); crashes to $(FUZZ_OUT)/artifacts/<target>/.
fuzz: $(FUZZ_BINS)
	$(Q)set -e; for t in $(FUZZ); do \
		mkdir -p $(FUZZ_OUT)/new/$$t $(FUZZ_OUT)/artifacts/$$t; \
		printf '  %-8s %s\n' FUZZ "fuzz_$$t for $(FUZZ_SECONDS) s"; \
		$(FUZZ_OUT)/fuzz_$$t $(FUZZ_OPTS) -max_total_time=$(FUZZ_SECONDS) \
			-print_final_stats=1 -artifact_prefix=$(FUZZ_OUT)/artifacts/$$t/ \
			$(FUZZ_OUT)/new/$$t tests/fuzz/corpus/$$t || { \
			echo "fuzz: fuzz_$$t found a bug: the input is in $(FUZZ_OUT)/artifacts/$$t/;" \
			     "rerun: $(FUZZ_OUT)/fuzz_$$t FILE; once fixed, copy it into" \
			     "tests/fuzz/corpus/$$t/" >&2; exit 1; }; \
		echo "fuzz: to keep the new inputs that add coverage:" \
		     "$(FUZZ_OUT)/fuzz_$$t -merge=1 -use_counters=0 tests/fuzz/corpus/$$t $(FUZZ_OUT)/new/$$t"; \
	done

# ---- code format --------------------------------------------------------------
# .clang-format is the style the code is written in, for the clang-format
# version scripts/format.py names (make deps installs it). Every C file git
# knows keeps to it exactly (make format-check, in make test). format-changed
# checks the lines changed since BASE; format-report counts, per file, what
# clang-format would change.
FORMAT_FILES ?= $(or $(shell git ls-files '*.c' '*.h' 2>/dev/null),\
		$(wildcard */*.[ch] tests/*/*.[ch] include/gotl/*.h))
BASE         ?= HEAD

format-check:
	$(Q)$(PYTHON) scripts/format.py check $(FORMAT_FILES)

format-changed:
	$(Q)$(PYTHON) scripts/format.py changed $(BASE)

format-report:
	$(Q)$(PYTHON) scripts/format.py report

# ---- set-up, tests, demo ---------------------------------------------------

deps:
	$(Q)scripts/deps.sh

# Unit tests: no root, no BPF, no Go needed.
test-unit: $(UNIT_TESTS)
	$(Q)set -e; for t in $(UNIT_TESTS); do \
		printf '  %-8s %s\n' UNIT $$t; $$t >$$t.log 2>&1 || { cat $$t.log; exit 1; }; \
		grep -h 'PASSED' $$t.log | sed 's/^/           /'; \
	done

# The command line as a user runs it: bad values, usage errors, the help
# against the code, gotl(1) and the completion (no root).
test-cli: gotl
	$(Q)$(PYTHON) tests/cli/test_cli.py --gotl ./gotl

# The build as a user and a packager use it: header dependencies, make -j,
# test-unit without the BPF toolchain, install, static (no root; in copies
# of the tree, except what writes only gotl-static and a DESTDIR).
test-build:
	$(Q)$(PYTHON) tests/cli/test_build.py

# gotl-static recording in an empty root, as on another distribution (root).
test-static: gotl gotl-static
	$(Q)GO126=$(GO126) $(PYTHON) tests/cli/test_static.py --gotl ./gotl --gotl-static ./gotl-static

# End-to-end: real Go toolchains and real uprobes; needs root, never skips.
# run_fidelity.py compares gotl's trace of a run with Go's own execution tracer of the
# same run, on every release from 1.17 to the newest, and prints the figures.
# The CI matrix: Go 1.19 1.21 1.23 1.25 1.26 and the newest release, each
# default, stripped and PIE, plus cgo and static on the newest (releases other
# than 1.19 and 1.26 are fetched once into .cache/go).
test-e2e: gotl
	$(Q)GO126=$(GO126) GO119=$(GO119) $(PYTHON) tests/e2e/run_e2e.py --gotl ./gotl --matrix ci
	$(Q)$(PYTHON) tests/e2e/test_gobin.py
	$(Q)GO126=$(GO126) GO119=$(GO119) $(PYTHON) tests/e2e/run_stress.py --gotl ./gotl
	$(Q)GO126=$(GO126) GO119=$(GO119) $(PYTHON) tests/e2e/run_census.py --gotl ./gotl
	$(Q)GO126=$(GO126) GO119=$(GO119) $(PYTHON) tests/e2e/run_watch.py --gotl ./gotl
	$(Q)GO126=$(GO126) GO119=$(GO119) $(PYTHON) tests/e2e/run_flight.py --gotl ./gotl
	$(Q)GO126=$(GO126) GO119=$(GO119) $(PYTHON) tests/e2e/run_fidelity.py --gotl ./gotl

# Every Go minor from 1.17 to the newest release x every binary shape; writes
# the table into README.md.
test-matrix: deps gotl
	$(Q)GO126=$(GO126) GO119=$(GO119) $(PYTHON) tests/e2e/run_e2e.py --gotl ./gotl --matrix full \
		--readme

test: deps
	$(Q)$(MAKE) --no-print-directory all test-unit test-fuzz test-cli format-check
	$(Q)$(MAKE) --no-print-directory test-build
	$(Q)$(MAKE) --no-print-directory test-static test-e2e

# What gotl costs, as ratios measured in one run; writes BENCHMARKS.md. Needs root.
# BENCH_ARGS passes options, e.g. BENCH_ARGS="--only http,rss --runs 3" (--list).
bench: deps
	$(Q)$(MAKE) --no-print-directory all $(OUTPUT)/bench/bareprobe $(OUTPUT)/bench/mklog \
		$(OUTPUT)/bench/censusbench
	$(Q)GO126=$(GO126) $(PYTHON) tests/bench/run_bench.py --gotl ./gotl \
		--bareprobe $(OUTPUT)/bench/bareprobe $(BENCH_ARGS)

DEMO_TRACE := gotl-demo.pftrace

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(call msg,GO,samples/leaky)
	$(Q)mkdir -p $(OUTPUT)/demo && cd samples && $(GO126) build -o ../$(OUTPUT)/demo/leaky ./leaky
	$(Q)if [ "$$(id -u)" != 0 ]; then \
		echo "demo: recording needs root: run 'sudo make demo'" >&2; exit 1; fi
	@echo "demo: sudo ./gotl record -o $(DEMO_TRACE) -- $(OUTPUT)/demo/leaky"
	$(Q)./gotl record -o $(DEMO_TRACE) -- $(OUTPUT)/demo/leaky
	@echo
	@echo "demo: the trace is $(CURDIR)/$(DEMO_TRACE)"
	@echo "demo: open https://ui.perfetto.dev, click 'Open trace file' and pick it."
	@echo "demo: under the 'leaky' process, expand 'Goroutines': three main.Gather"
	@echo "demo: workers stay in 'chan send' to the end (click one: still_blocked_at_end)."

# The README's screenshots of a trace in the real Perfetto UI, doc/trace-*.png
# (scripts/screenshots.sh: records samples/leaky, shoots it with perfetto-ui-shot). Root.
PFUI_SHOT ?= $(abspath ../shared/tools/perfetto-ui-shot)

screenshots: deps
	$(Q)$(MAKE) --no-print-directory gotl
	$(Q)GO126=$(GO126) PFUI_SHOT=$(PFUI_SHOT) scripts/screenshots.sh

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT) gotl gotl-static

# What each object, test and skeleton was made from, as the compilers saw it.
-include $(shell find $(OUTPUT) -name '*.d' 2>/dev/null)
