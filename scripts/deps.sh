#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Install what gotl needs to build and test, if it is missing (Debian/Ubuntu,
# as root). Prints what it does; exits non-zero with the reason if it cannot.
set -eu

PKGS="clang llvm libclang-rt-dev libbpf-dev bpftool libelf-dev zlib1g-dev protobuf-c-compiler \
libprotobuf-c-dev libcmocka-dev golang-1.19-go python3 gcc make binutils libc6-dev \
groff-base man-db file strace util-linux coreutils"

missing=""
# the man page's checks (groff, man), make static's (file, readelf) and the
# static binary's recording in an empty root (strace, unshare, chroot)
for c in clang bpftool protoc-c python3 gcc objdump groff man file readelf strace unshare \
	 chroot; do
	command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
# make static links these archives
a=/usr/lib/$(uname -m)-linux-gnu
for h in /usr/include/bpf/libbpf.h /usr/include/libelf.h /usr/include/zlib.h \
	 /usr/include/protobuf-c/protobuf-c.h /usr/include/cmocka.h $a/libbpf.a $a/libelf.a \
	 $a/libz.a $a/libprotobuf-c.a $a/libc.a; do
	[ -e "$h" ] || missing="$missing $h"
done
[ -x /usr/lib/go-1.19/bin/go ] || missing="$missing go1.19"
# libFuzzer and the sanitizer runtimes, for `make test-fuzz` and `make fuzz`
if command -v clang >/dev/null 2>&1; then
	[ -e "$(clang -print-file-name="libclang_rt.fuzzer-$(uname -m).a")" ] ||
		missing="$missing libFuzzer"
fi
# clang-format, pinned for make format-check: the version .clang-format is tuned for
cf=$(python3 "$(dirname "$0")/format.py" wanted 2>/dev/null || echo "")
python3 "$(dirname "$0")/format.py" binary >/dev/null 2>&1 || missing="$missing clang-format==$cf"
if [ -z "$missing" ]; then
	echo "deps: everything is installed"
	exit 0
fi
echo "deps: missing:$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: run as root (or: sudo apt-get install $PKGS)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q $PKGS >/tmp/gotl-deps.log 2>&1; then
	apt-get update -q >>/tmp/gotl-deps.log 2>&1
	apt-get install -y -q $PKGS >>/tmp/gotl-deps.log 2>&1 || {
		echo "deps: apt-get install failed, see /tmp/gotl-deps.log" >&2
		exit 1
	}
fi
if [ -n "$cf" ] && ! python3 "$(dirname "$0")/format.py" binary >/dev/null 2>&1; then
	python3 -m pip install -q --root-user-action=ignore "clang-format==$cf" \
		>>/tmp/gotl-deps.log 2>&1 || {
		echo "deps: pip install clang-format==$cf failed, see /tmp/gotl-deps.log" >&2
		exit 1
	}
fi
echo "deps: installed what was missing of $PKGS clang-format==$cf"
