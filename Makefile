# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# gotl build. `make` leaves ./gotl; `make test` installs what is missing,
# builds, and runs every test (unit + end-to-end, the latter needs root);
# `make demo` records a sample. Intermediates go to .output/.

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
ALL_CFLAGS := $(CFLAGS) -std=gnu11 -D_GNU_SOURCE $(WARNINGS) -Iinclude -Iprobes -Iconvert \
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

.PHONY: all clean deps test test-unit test-e2e test-matrix demo bench fuzz test-fuzz
.DELETE_ON_ERROR:
.SECONDARY:

all: gotl

gotl: $(OUTPUT)/cli/main.o $(OUTPUT)/libgotl.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/libgotl.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUTPUT)/%.o: %.c $(wildcard include/gotl/*.h probes/*.h convert/*.h cli/*.h) $(PROTO_H) $(SKEL)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

# Generated protobuf-c code: not ours, so not -Werror.
$(PROTO_C) $(PROTO_H): $(PROTO)
	$(call msg,PROTOC,$@)
	$(Q)mkdir -p $(OUTPUT)/proto
	$(Q)$(PROTOC_C) --proto_path=proto --c_out=$(OUTPUT)/proto $(PROTO)

$(OUTPUT)/proto/perfetto_trace.pb-c.o: $(PROTO_C)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I$(OUTPUT)/proto -c $< -o $@

$(OUTPUT)/gotl.bpf.o: probes/gotl.bpf.c include/gotl/event.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(OUTPUT)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(SKEL): $(OUTPUT)/gotl.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name gotl_bpf > $@

$(OUTPUT)/tests/%: tests/unit/%.c $(OUTPUT)/libgotl.a
	$(call msg,TEST-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $< $(OUTPUT)/libgotl.a $(LDLIBS) -lcmocka -o $@

# The trap floor for the benchmarks: empty uprobes, no gotl (tests/bench/bareprobe.c).
$(OUTPUT)/bench/bare.bpf.o: tests/bench/bare.bpf.c
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/bench/bare.skel.h: $(OUTPUT)/bench/bare.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name bare_bpf > $@

$(OUTPUT)/bench/bareprobe: tests/bench/bareprobe.c probes/umulti.c $(OUTPUT)/bench/bare.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -I$(OUTPUT)/bench tests/bench/bareprobe.c probes/umulti.c \
		-lbpf -lelf -lz -lpthread -o $@

# The converter benchmark's synthetic event logs (tests/bench/mklog.c).
$(OUTPUT)/bench/mklog: tests/bench/mklog.c $(OUTPUT)/libgotl.a
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
		   probes/gotypes.c probes/probesite.c probes/plan.c
FUZZ_BINS    := $(FUZZ_OUT)/fuzz_log $(FUZZ_OUT)/fuzz_gobin

$(FUZZ_OUT)/%.o: %.c $(wildcard include/gotl/*.h probes/*.h convert/*.h) $(PROTO_H)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_OUT)/proto/perfetto_trace.pb-c.o: $(PROTO_C)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link -I$(OUTPUT)/proto -c $< -o $@

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

# ---- set-up, tests, demo ---------------------------------------------------

deps:
	$(Q)scripts/deps.sh

# Unit tests: no root, no BPF, no Go needed.
test-unit: $(UNIT_TESTS)
	$(Q)set -e; for t in $(UNIT_TESTS); do \
		printf '  %-8s %s\n' UNIT $$t; $$t >$$t.log 2>&1 || { cat $$t.log; exit 1; }; \
		grep -h 'PASSED' $$t.log | sed 's/^/           /'; \
	done

# End-to-end: real Go toolchains and real uprobes; needs root, never skips.
# The CI matrix: Go 1.19 1.21 1.23 1.25 1.26 and the newest release, each
# default, stripped and PIE, plus cgo and static on the newest (releases other
# than 1.19 and 1.26 are fetched once into .cache/go).
test-e2e: gotl
	$(Q)GO126=$(GO126) GO119=$(GO119) $(PYTHON) tests/e2e/run_e2e.py --gotl ./gotl --matrix ci
	$(Q)$(PYTHON) tests/e2e/test_gobin.py
	$(Q)GO126=$(GO126) GO119=$(GO119) $(PYTHON) tests/e2e/run_stress.py --gotl ./gotl
	$(Q)GO126=$(GO126) GO119=$(GO119) $(PYTHON) tests/e2e/run_watch.py --gotl ./gotl

# Every Go minor from 1.17 to the newest release x every binary shape; writes
# the table into README.md.
test-matrix: deps gotl
	$(Q)GO126=$(GO126) GO119=$(GO119) $(PYTHON) tests/e2e/run_e2e.py --gotl ./gotl --matrix full --readme

test: deps
	$(Q)$(MAKE) --no-print-directory all test-unit test-fuzz
	$(Q)$(MAKE) --no-print-directory test-e2e

# What gotl costs, as ratios measured in one run; writes BENCHMARKS.md. Needs root.
# BENCH_ARGS passes options, e.g. BENCH_ARGS="--only http,rss --runs 3" (--list).
bench: deps
	$(Q)$(MAKE) --no-print-directory all $(OUTPUT)/bench/bareprobe $(OUTPUT)/bench/mklog
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

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT) gotl
