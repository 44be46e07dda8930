#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""gotl-static records on a host that has nothing of this one but its kernel.

    test_static.py [--gotl-static ./gotl-static] [--gotl ./gotl]

The host is an empty root directory: gotl-static, two Go samples built
without cgo, an /etc with passwd, group and an nsswitch.conf that names a
module (sss) before files, and the kernel's /proc, /sys and /dev mounted in
a mount namespace of its own. No libc, no libbpf, no loader: what the
binary needs beyond the kernel, it does not find.

leaky    `chroot ROOT /gotl record` of samples/leaky: the program's status and
         its ground truth as without gotl; the trace passes pfcheck and the
         e2e checks of the sample (tests/e2e/run_e2e.py: its leaked
         goroutines blocked at the end, who created whom); the raw log
         converts to the same bytes with ./gotl.
sudo     with SUDO_UID and SUDO_GID, samples/whoami runs as that user with
         the groups the chroot's /etc/group gives it, and gets the trace;
         strace shows gotl-static never tried to load an NSS module
         (libnss_*.so), which it would have to take from the host.

Needs root (BPF, chroot, mounts), Go 1.26 and strace; fails, never skips.
Prints one line per part and "N passed, N failed" at the end.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import run_e2e  # noqa: E402
import toolchains  # noqa: E402
from tracemodel import Failure, Model, check, pfcheck  # noqa: E402

PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
GROUP = "root:x:0:\nnogroup:x:65534:\nstaff:x:50:nobody\nwheel:x:10:root\n"
NSSWITCH = "passwd: sss files\ngroup: sss files\nshadow: files\n"


def build(sample, out):
    """samples/SAMPLE built with Go 1.26, without cgo: it needs no libc either."""
    binary = os.path.join(out, sample)
    env = toolchains.go_env(toolchains.go_version(toolchains.GO126), {"CGO_ENABLED": "0"},
                            os.path.join(ROOT, ".output", "e2e"))
    r = subprocess.run([toolchains.GO126, "build", "-o", binary, "./" + sample],
                       cwd=os.path.join(ROOT, "samples"), env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    check(r.returncode == 0, "go build %s: %s" % (sample, r.stderr.decode()[-800:]))
    return binary


def make_root(d, static, samples):
    root = os.path.join(d, "root")
    for sub in ("proc", "sys", "dev", "etc", "work"):
        os.makedirs(os.path.join(root, sub))
    shutil.copy2(static, os.path.join(root, "gotl"))
    for s in samples:
        shutil.copy2(s, os.path.join(root, "work", os.path.basename(s)))
    for name, text in (("passwd", PASSWD), ("group", GROUP), ("nsswitch.conf", NSSWITCH)):
        with open(os.path.join(root, "etc", name), "w") as f:
            f.write(text)
    for p in (root, os.path.join(root, "work")):
        os.chmod(p, 0o755)
    return root


def in_root(root, argv, env=None, strace=None, timeout=120):
    """argv run chrooted in root, with /proc, /sys and /dev mounted in a private mount
    namespace (gone with it); under strace (openat only) into the file strace if given."""
    mounts = ("mount -t proc proc {r}/proc && mount -t sysfs sysfs {r}/sys && "
              "mount --rbind /dev {r}/dev && ").format(r=root)
    cmd = ["chroot", root] + argv
    if strace:
        cmd = ["strace", "-f", "-qq", "-e", "trace=openat,open", "-o", strace] + cmd
    script = mounts + "exec " + " ".join("'%s'" % a.replace("'", "'\\''") for a in cmd)
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                          timeout=timeout)


def test_leaky(gotl, static, d):
    leaky = build("leaky", d)
    root = make_root(d, static, [leaky])
    plain = in_root(root, ["/work/leaky"])
    rec = in_root(root, ["/gotl", "record", "-r", "/work/leaky.gotl", "-o", "/work/leaky.pftrace",
                         "--", "/work/leaky"])
    err = rec.stderr.decode(errors="replace")
    check(rec.returncode == plain.returncode, "exit %d under gotl-static, %d without: %s"
          % (rec.returncode, plain.returncode, err[-800:]))
    check("wrote /work/leaky.pftrace" in err and " 0 lost" in err, "stderr: " + err[-800:])
    truth, alone = run_e2e.truth_of(rec.stdout), run_e2e.truth_of(plain.stdout)
    check(truth["wait_reason"] == alone["wait_reason"] and len(truth["leaked"]) ==
          len(alone["leaked"]), "the sample differs under gotl-static: %s vs %s" % (truth, alone))
    trace = os.path.join(root, "work", "leaky.pftrace")
    model = Model(pfcheck(trace))
    procs = [t for t in model.m["tracks"] if t["kind"] == "process"]
    run_e2e.check_generic(model, procs[0]["pid"] if procs else -1)
    run_e2e.s_leaky(model, truth, {"minor": 26})
    again = os.path.join(d, "again.pftrace")
    r = subprocess.run([gotl, "convert", os.path.join(root, "work", "leaky.gotl"), "-o", again],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(r.returncode == 0, "./gotl convert of gotl-static's log: " + r.stderr.decode())
    with open(trace, "rb") as a, open(again, "rb") as b:
        check(a.read() == b.read(), "./gotl converts gotl-static's raw log into another trace")
    return "exit %d, %d goroutines, %d leaked as the sample says; ./gotl converts it the same" % (
        rec.returncode, len(model.by_goid), len(truth["leaked"]))


def test_sudo(gotl, static, d):
    whoami = build("whoami", d)
    root = make_root(d, static, [whoami])
    log = os.path.join(d, "strace.log")
    env = dict(os.environ, SUDO_UID="65534", SUDO_GID="65534", SUDO_USER="nobody")
    r = in_root(root, ["/gotl", "record", "-o", "/work/w.pftrace", "--", "/work/whoami"], env=env,
                strace=log)
    err = r.stderr.decode(errors="replace")
    check(r.returncode == 0, "exit %d: %s" % (r.returncode, err[-800:]))
    t = run_e2e.truth_of(r.stdout)
    check(t["uid"] == 65534 and t["euid"] == 65534 and t["gid"] == 65534,
          "the program ran as %s, want uid and gid 65534" % t)
    check(sorted(t["groups"]) == [50, 65534], "the program's groups are %s, want [50, 65534] "
          "(/etc/group of the root)" % t["groups"])
    trace = os.path.join(root, "work", "w.pftrace")
    check(os.stat(trace).st_uid == 65534, "the trace is not given to the sudo user")
    pfcheck(trace)
    with open(log) as f:
        opened = [l.strip() for l in f if "open" in l]
    check(any('"/etc/group"' in l for l in opened), "strace saw no read of /etc/group")
    nss = [l for l in opened if "libnss_" in l]
    check(not nss, "gotl-static tried to load NSS modules: %s" % nss[:3])
    return "uid/gid 65534, groups %s from the root's /etc/group, no libnss_* opened" % t["groups"]


PARTS = [("leaky", test_leaky), ("sudo", test_sudo)]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gotl-static", default=os.path.join(ROOT, "gotl-static"))
    ap.add_argument("--gotl", default=os.path.join(ROOT, "gotl"))
    a = ap.parse_args()
    problems = []
    if os.geteuid() != 0:
        problems.append("needs root (BPF, chroot, mounts)")
    for tool in ("strace", "unshare", "chroot"):
        if not shutil.which(tool):
            problems.append("no %s (make deps installs it)" % tool)
    for exe in (a.gotl_static, a.gotl, toolchains.GO126):
        if not os.access(exe, os.X_OK):
            problems.append("no %s (make gotl static)" % exe)
    if problems:
        for p in problems:
            print("FAIL: " + p, file=sys.stderr)
        return 1
    passed = failed = 0
    for name, fn in PARTS:
        with tempfile.TemporaryDirectory() as d:
            try:
                note = fn(os.path.abspath(a.gotl), os.path.abspath(a.gotl_static), d)
                print("ok   %-8s %s" % (name, note), flush=True)
                passed += 1
            except (Failure, subprocess.TimeoutExpired, json.JSONDecodeError, KeyError,
                    IndexError) as e:
                print("FAIL %-8s %s: %s" % (name, type(e).__name__, e), flush=True)
                failed += 1
    print("static: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
