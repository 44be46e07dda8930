#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""The build, as a user and a packager use it (no root needed).

    test_build.py [--only PART,...]

deps      touching a header makes `make gotl` rebuild exactly the objects whose
          sources include it (as the compiler's own -MM finds them, with the
          build's flags), the skeleton's users when the BPF program does, and
          nothing else (make -n -W on the tree: nothing is built).
parallel  in a copy of the tree: `make -j8 clean all` twice, each building
          everything once (protoc-c once) and leaving a working gotl, then
          `make -j8 all` from clean, after which make has nothing to do.
nobpf     in a fresh copy, with clang, llvm-* and bpftool hidden from PATH:
          `make test-unit` builds and passes every unit test.
install   `make install DESTDIR=D PREFIX=/usr`: the binary, gotl(1) and the
          completion at their places and modes, working from there; the
          default PREFIX is /usr/local; `make uninstall` removes them.
static    `make static`: gotl-static has no interpreter and no shared
          library (readelf, file, ldd), and gives what ./gotl gives for
          --version, inspect of Go binaries and convert of event logs.
          (tests/cli/test_static.py records with it, as root.)

The copies are of the files git knows (tracked or not ignored), so what is
tested is the tree as it is. Prints one line per part and "N passed,
N failed" at the end; exit 1 on any failure.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAKE = os.environ.get("MAKE", "make")


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def run(argv, cwd=ROOT, env=None, timeout=600):
    return subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=timeout)


def make(args, cwd=ROOT, env=None, want=0):
    r = run([MAKE, "--no-print-directory"] + args, cwd=cwd, env=env)
    out = r.stdout.decode(errors="replace")
    check(want is None or r.returncode == want, "make %s: exit %d, want %d:\n%s"
          % (" ".join(args), r.returncode, want, out[-2000:]))
    return out


def copy_tree(dst):
    """The files git knows (tracked, or new and not ignored) into dst."""
    r = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=ROOT,
                       stdout=subprocess.PIPE, check=True)
    for f in r.stdout.decode().split("\0"):
        if f and os.path.isfile(os.path.join(ROOT, f)) and not os.path.islink(
                os.path.join(ROOT, f)):
            os.makedirs(os.path.join(dst, os.path.dirname(f)), exist_ok=True)
            shutil.copy2(os.path.join(ROOT, f), os.path.join(dst, f))


def objects_in(out):
    """The objects (and other files) the compile commands of make's output write."""
    return {m for m in re.findall(r"(?:^|\s)-o (\S+)", out)}


# ---------------------------------------------------------------- deps

def gotl_sources():
    srcs = [f for f in glob.glob(os.path.join(ROOT, "probes", "*.c")) if not f.endswith(".bpf.c")]
    srcs += glob.glob(os.path.join(ROOT, "convert", "*.c")) + glob.glob(os.path.join(ROOT, "cli",
                                                                                     "*.c"))
    return sorted(os.path.relpath(f, ROOT) for f in srcs)


def compile_flags(out, src):
    """The compiler and flags of the command of make's output that compiles src, without
    its file arguments and dependency flags."""
    line = next(l for l in out.splitlines() if " -c " + src in l)
    words = line.split()
    drop = {"-c", "-o", "-MF", "-MT"}
    flags, skip = [], False
    for w in words[1:]:
        if skip:
            skip = False
        elif w in drop:
            skip = True
        elif w not in ("-MMD", "-MP"):
            flags.append(w)
    return words[0], flags


def includes(cc, flags, src):
    r = subprocess.run([cc] + flags + ["-MM", src], cwd=ROOT, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    check(r.returncode == 0, "%s -MM %s: %s" % (cc, src, r.stderr.decode()[:500]))
    return set(r.stdout.decode().replace("\\\n", " ").split(":", 1)[1].split())


def test_deps():
    make(["gotl"])
    cc, flags = compile_flags(make(["-n", "-B", ".output/cli/common.o"]), "cli/common.c")
    srcs = gotl_sources()
    inc = {s: includes(cc, flags, s) for s in srcs}
    bcc, bflags = compile_flags(make(["-n", "-B", ".output/gotl.bpf.o"]), "probes/gotl.bpf.c")
    binc = includes(bcc, bflags, "probes/gotl.bpf.c")
    skel_users = {s for s in srcs if ".output/gotl.skel.h" in inc[s]}
    headers = sorted(os.path.relpath(h, ROOT) for d in ("include/gotl", "probes", "convert",
                                                         "cli")
                     for h in glob.glob(os.path.join(ROOT, d, "*.h")))
    wrong = []
    for h in headers:
        want = {".output/" + s[:-2] + ".o" for s in srcs if h in inc[s]}
        if h in binc:
            want |= {".output/gotl.bpf.o"} | {".output/" + s[:-2] + ".o" for s in skel_users}
        got = objects_in(make(["-n", "-W", h, "gotl"])) - {"gotl"}
        if got != want:
            wrong.append("%s: make rebuilds %s; its includers are %s" % (
                h, sorted(got - want) or "no more", sorted(want - got) or "no more"))
    check(not wrong, "\n  ".join(["touching a header rebuilds the wrong objects:"] + wrong))
    n = len([o for o in objects_in(make(["-n", "-W", "cli/cli.h", "gotl"])) if o != "gotl"])
    return "%d headers, each rebuilds its includers only (cli/cli.h: %d of %d objects)" % (
        len(headers), n, len(srcs) + 1)


# ---------------------------------------------------------------- parallel

def test_parallel():
    ncc = len(gotl_sources()) + 1     # and the protobuf-c code
    with tempfile.TemporaryDirectory() as d:
        copy_tree(d)
        notes = []
        for i in (1, 2):
            out = make(["-j8", "clean", "all"], cwd=d)
            cc = len(re.findall(r"^  CC\s+\.output/(?:probes|convert|cli|proto)/", out, re.M))
            check(cc == ncc, "make -j8 clean all (%d): %d objects compiled, want %d:\n%s"
                  % (i, cc, ncc, out[-1500:]))
            check(out.count("PROTOC") == 1, "make -j8 clean all (%d): protoc-c ran %d times"
                  % (i, out.count("PROTOC")))
            r = run([os.path.join(d, "gotl"), "--version"], cwd=d)
            check(r.returncode == 0, "gotl after make -j8 clean all (%d): %r" % (i, r.stdout))
            notes.append(cc)
        make(["clean"], cwd=d)
        out = make(["-j8", "all"], cwd=d)
        check(out.count("PROTOC") == 1, "make -j8 all: protoc-c ran %d times:\n%s"
              % (out.count("PROTOC"), out[-1500:]))
        again = make(["-j8", "all"], cwd=d)
        check("Nothing to be done" in again and "CC" not in again,
              "make all after make all did something:\n" + again[-1500:])
    return "twice %d objects, protoc-c once; then make -j8 all, and again: nothing to do" % ncc


# ---------------------------------------------------------------- nobpf

HIDDEN = re.compile(r"^(clang.*|llvm.*|bpftool.*|lld.*|ld\.lld.*)$")


def path_without_bpf(farm):
    """A directory of links to every command of PATH but clang, llvm-* and bpftool."""
    os.makedirs(farm)
    for d in os.environ.get("PATH", "/usr/bin:/bin").split(":"):
        if not os.path.isdir(d):
            continue
        for name in os.listdir(d):
            dst = os.path.join(farm, name)
            src = os.path.join(d, name)
            if not HIDDEN.match(name) and not os.path.lexists(dst) and os.access(src, os.X_OK):
                os.symlink(src, dst)
    return farm


def test_nobpf():
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "src")
        copy_tree(src)
        env = dict(os.environ, PATH=path_without_bpf(os.path.join(d, "bin")))
        for tool in ("clang", "bpftool", "llvm-strip"):
            check(shutil.which(tool, path=env["PATH"]) is None, "%s still in PATH" % tool)
        out = make(["-j2", "test-unit"], cwd=src, env=env)
        tests = glob.glob(os.path.join(ROOT, "tests", "unit", "test_*.c"))
        passed = re.findall(r"\[  PASSED  \] (\d+) test", out)
        check(len(passed) == len(tests), "%d of %d unit tests passed:\n%s"
              % (len(passed), len(tests), out[-1500:]))
        check(not os.path.exists(os.path.join(src, ".output", "gotl.skel.h")),
              "the BPF skeleton was made")
    return "%d unit test programs, %d tests, without clang or bpftool" % (
        len(passed), sum(int(p) for p in passed))


# ---------------------------------------------------------------- install

def test_install():
    make(["all"])
    with tempfile.TemporaryDirectory() as d:
        make(["install", "DESTDIR=" + d, "PREFIX=/usr"])
        files = {"usr/bin/gotl": 0o755, "usr/share/man/man1/gotl.1": 0o644,
                 "usr/share/bash-completion/completions/gotl": 0o644}
        got = sorted(os.path.relpath(os.path.join(p, f), d) for p, _, fs in os.walk(d) for f in fs)
        check(got == sorted(files), "installed %s, want %s" % (got, sorted(files)))
        for f, mode in files.items():
            st = os.stat(os.path.join(d, f))
            check(st.st_mode & 0o7777 == mode, "%s has mode %o, want %o" % (f, st.st_mode, mode))
        with open(os.path.join(ROOT, "gotl"), "rb") as a, \
                open(os.path.join(d, "usr/bin/gotl"), "rb") as b:
            check(a.read() == b.read(), "the installed gotl is not ./gotl")
        r = run([os.path.join(d, "usr/bin/gotl"), "--version"])
        check(r.returncode == 0 and r.stdout.startswith(b"gotl "), "installed gotl: %r" % r.stdout)
        r = run(["man", "-l", os.path.join(d, "usr/share/man/man1/gotl.1")],
                env=dict(os.environ, MANWIDTH="100"))
        check(r.returncode == 0 and b"gotl record" in r.stdout and b"EXIT STATUS" in r.stdout,
              "man -l of the installed page: %r" % r.stdout[:300])
        r = run(["bash", "--norc", "-c", "source %s && complete -p gotl" %
                 os.path.join(d, "usr/share/bash-completion/completions/gotl")])
        check(r.stdout.strip() == b"complete -F _gotl gotl", "the completion: %r" % r.stdout)
        make(["uninstall", "DESTDIR=" + d, "PREFIX=/usr"])
        left = [os.path.join(p, f) for p, _, fs in os.walk(d) for f in fs]
        check(not left, "make uninstall left %s" % left)
    out = make(["-n", "install", "DESTDIR=/x"])
    for f in ("/x/usr/local/bin/gotl", "/x/usr/local/share/man/man1/gotl.1",
              "/x/usr/local/share/bash-completion/completions/gotl"):
        check(f in out, "the default install does not write %s:\n%s" % (f, out))
    return "3 files at DESTDIR/usr, modes 755/644, working; default /usr/local; uninstall"


# ---------------------------------------------------------------- static

def test_static():
    make(["gotl", "static"])
    static = os.path.join(ROOT, "gotl-static")
    r = run(["readelf", "-l", "-d", static])
    text = r.stdout.decode()
    check(r.returncode == 0 and "INTERP" not in text and "(NEEDED)" not in text,
          "gotl-static has an interpreter or needs shared libraries:\n" + text[-1500:])
    f = run(["file", "-b", static]).stdout.decode()
    check("statically linked" in f, "file: " + f)
    ldd = run(["ldd", static]).stdout.decode()
    check("not a dynamic executable" in ldd, "ldd: " + ldd)
    gotl = os.path.join(ROOT, "gotl")
    same = 0
    bins = sorted(glob.glob(os.path.join(ROOT, "tests", "fuzz", "corpus", "gobin", "*")))[:12]
    logs = sorted(glob.glob(os.path.join(ROOT, "tests", "fuzz", "corpus", "log", "*")))[:12]
    with tempfile.TemporaryDirectory() as d:
        cmds = [["--version"]] + [["inspect", "-v", b] for b in bins]
        cmds += [["convert", l, "-o", os.path.join(d, "t.pftrace")] for l in logs]
        cmds += [["report", "--json", l] for l in logs]
        for argv in cmds:
            out = []
            for exe in (gotl, static):
                r = run([exe] + argv)
                data = b""
                if argv[0] == "convert" and os.path.exists(os.path.join(d, "t.pftrace")):
                    with open(os.path.join(d, "t.pftrace"), "rb") as t:
                        data = t.read()
                    os.unlink(os.path.join(d, "t.pftrace"))
                out.append((r.returncode, r.stdout, data))
            check(out[0] == out[1], "gotl and gotl-static differ on %s" % " ".join(argv[:2]))
            same += 1
    return "no interpreter, no shared library; %d runs the same as ./gotl" % same


PARTS = [("deps", test_deps), ("parallel", test_parallel), ("nobpf", test_nobpf),
         ("install", test_install), ("static", test_static)]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help="comma-separated parts: " + ",".join(p for p, _ in PARTS))
    a = ap.parse_args()
    only = a.only.split(",") if a.only else [p for p, _ in PARTS]
    passed = failed = 0
    for name, fn in PARTS:
        if name not in only:
            continue
        try:
            note = fn()
            print("ok   %-10s %s" % (name, note), flush=True)
            passed += 1
        except (Failure, subprocess.TimeoutExpired) as e:
            print("FAIL %-10s %s" % (name, e), flush=True)
            failed += 1
    print("build: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
