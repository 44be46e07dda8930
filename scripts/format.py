#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""format: gotl's C code against .clang-format, with the one clang-format
version the style is tuned for (pip's clang-format, installed by make deps).

    format.py check FILE...     exit 1, showing the changes, if clang-format
                                would change a line of FILE
    format.py changed BASE      the same for the lines changed since the git
                                revision BASE (committed or not), in every C file
    format.py fix FILE...       format FILE in place
    format.py report [FILE...]  lines clang-format would change, per file and
                                in all (default: every C file git knows)
    format.py wanted            the clang-format version wanted
    format.py binary            its path (to install: make deps)

Reads the files and .clang-format; writes only with fix.
"""
import difflib
import os
import re
import subprocess
import sys

WANTED = "23.1.5"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def binary():
    try:
        import clang_format
    except ImportError:
        sys.exit("format: no clang-format %s for %s (make deps installs it: pip install "
                 "clang-format==%s)" % (WANTED, sys.executable, WANTED))
    exe = clang_format.get_executable("clang-format")
    v = subprocess.run([exe, "--version"], stdout=subprocess.PIPE, text=True).stdout
    if "version %s" % WANTED not in v:
        sys.exit("format: %s is %s, the style is for clang-format %s (make deps)"
                 % (exe, v.strip(), WANTED))
    return exe


def formatted(exe, path, lines=None):
    argv = [exe, "--style=file", "--assume-filename=" + path]
    argv += ["--lines=%d:%d" % r for r in lines or []]
    with open(os.path.join(ROOT, path)) as f:
        src = f.read()
    r = subprocess.run(argv, input=src, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, cwd=ROOT)
    if r.returncode:
        sys.exit("format: clang-format %s: %s" % (path, r.stderr.strip()))
    return src, r.stdout


def changed_lines(a, b):
    sm = difflib.SequenceMatcher(None, a.splitlines(), b.splitlines(), autojunk=False)
    return sum(i2 - i1 for op, i1, i2, _, _ in sm.get_opcodes() if op != "equal")


def show(path, a, b):
    sys.stdout.writelines(difflib.unified_diff(a.splitlines(True), b.splitlines(True),
                                               "a/" + path, "b/" + path))


def c_files():
    r = subprocess.run(["git", "ls-files", "*.c", "*.h"], cwd=ROOT, stdout=subprocess.PIPE,
                       text=True, check=True)
    return r.stdout.split()


def check(files, ranges=None):
    exe, bad = binary(), []
    for path in files:
        if ranges is not None and not ranges.get(path):
            continue
        a, b = formatted(exe, path, ranges.get(path) if ranges is not None else None)
        if a != b:
            show(path, a, b)
            bad.append("%s (%d lines)" % (path, changed_lines(a, b)))
    if bad:
        print("format: not as .clang-format has it: %s; `scripts/format.py fix FILE` formats "
              "a file" % ", ".join(bad), file=sys.stderr)
        return 1
    print("format: %d files as .clang-format has them" % len(
        [f for f in files if ranges is None or ranges.get(f)]))
    return 0


def since(base):
    """{path: [(first, last)]}: the lines of each C file changed since base."""
    r = subprocess.run(["git", "diff", "-U0", "--no-color", base, "--", "*.c", "*.h"], cwd=ROOT,
                       stdout=subprocess.PIPE, text=True, check=True)
    out, path = {}, None
    for line in r.stdout.splitlines():
        if line.startswith("+++ "):
            path = line[6:] if line.startswith("+++ b/") else None
        m = re.match(r"@@ -\S+ \+(\d+)(?:,(\d+))? @@", line)
        if m and path and int(m.group(2) or 1):
            first = int(m.group(1))
            out.setdefault(path, []).append((first, first + int(m.group(2) or 1) - 1))
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "wanted":
        print(WANTED)
    elif cmd == "binary":
        print(binary())
    elif cmd == "check":
        return check(args)
    elif cmd == "changed" and len(args) == 1:
        r = since(args[0])
        return check(sorted(r), r)
    elif cmd == "fix":
        exe = binary()
        for path in args:
            a, b = formatted(exe, path)
            if a != b:
                with open(os.path.join(ROOT, path), "w") as f:
                    f.write(b)
    elif cmd == "report":
        exe, total, lines = binary(), 0, 0
        for path in args or c_files():
            a, b = formatted(exe, path)
            n = changed_lines(a, b)
            total, lines = total + n, lines + len(a.splitlines())
            print("%6d of %6d  %s" % (n, len(a.splitlines()), path))
        print("%6d of %6d  lines clang-format would change (%.1f%%)" % (
            total, lines, 100.0 * total / max(lines, 1)))
    else:
        sys.exit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main())
