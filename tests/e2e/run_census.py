#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""End-to-end tests of the census (probes/census.c) through `gotl dump`.

The oracle is Go's own goroutine dump: samples/census serves net/http/pprof,
and on that quiet program /debug/pprof/goroutine?debug=2 taken just before
and just after `gotl dump` must agree with it on every goroutine that did
not change between the two (all but the ones serving the request): id,
state and wait reason, every frame (function, file, line and the +0x
offset of each physical frame), "created by" and the creating goroutine's
id, "locked to thread". The same goroutines come out of --json. Then:

  oracle    the above, for each toolchain x shape of the matrix
  many      100k goroutines under 16 frames: all there, one group
  churn     goroutines that change state all the time: dump after dump, no
            torn stack (every one as the program can be), unsettled counted
  exit      the process is killed during a census: one line, status 1
  errors    no such process, not a Go program, bad usage: one line, status 2
  caps      as nobody with CAP_SYS_PTRACE only (no CAP_BPF); refused without it
  mntns     a process in another mount namespace whose binary is deleted
  record-p  `record -p`'s snapshot (GOTL_REC_GSNAP records in the raw log)
            holds the same goroutines as the dump, deep stacks truncated

Needs root (process_vm_readv, unshare, BPF for record-p), gcc and Go
toolchains (tests/e2e/toolchains.py fetches them into .cache/go).

  run_census.py [--gotl ./gotl] [--matrix ci|full] [--cases oracle,many,...]
"""
import argparse
import json
import os
import re
import signal
import struct
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import toolchains  # noqa: E402
from clicheck import as_nobody, refused  # noqa: E402
from cases import run as run_cases  # noqa: E402
from tracemodel import Failure, check, pfcheck  # noqa: E402

SAMPLE = os.path.join(ROOT, "samples", "census")

# shape -> (environment, go build flags)
SHAPES = {
    "default": ({}, []),
    "stripped": ({}, ["-ldflags=-s -w"]),
    "pie": ({}, ["-buildmode=pie"]),
    "pie-stripped": ({}, ["-buildmode=pie", "-ldflags=-s -w"]),
    "static": ({"CGO_ENABLED": "0"}, []),
    "cgo": ({"CGO_ENABLED": "1"}, ["-tags", "gotlcgo"]),
    "cgo-pie-stripped": ({"CGO_ENABLED": "1"}, ["-tags", "gotlcgo", "-buildmode=pie",
                                                "-ldflags=-s -w"]),
}
# (Go minor, shape) cells of the oracle.
MATRIX = {
    "ci": [(17, "default"), (19, "default"), (19, "stripped"), (21, "default"),
           (23, "pie"), (26, "default"), (26, "pie-stripped"), (26, "static"),
           (26, "cgo"), (27, "default")],
    "full": [(m, s) for m in range(17, 28) for s in ("default", "stripped", "pie",
                                                      "pie-stripped", "static", "cgo",
                                                      "cgo-pie-stripped")],
}
GO_STATES = ("idle", "runnable", "running", "syscall", "waiting", "dead", "copystack",
             "preempted", "leaked", "waiting for cgo callback")
# What serves the pprof request itself: not stable between the two dumps.
HTTP_CREATORS = ("net/http.(*Server).Serve", "net/http.(*connReader).startBackgroundRead")


def go_for(minor):
    if minor == 26:
        return toolchains.GO126
    if minor == 19:
        return toolchains.GO119
    return toolchains.fetch(toolchains.KNOWN_LATEST[minor])


BUILT = {}


def build(minor, shape, out):
    key = (minor, shape)
    if key in BUILT:
        return BUILT[key]
    go = go_for(minor)
    check(go and os.access(go, os.X_OK), "no Go 1.%d toolchain" % minor)
    version = toolchains.go_version(go)
    env, flags = SHAPES[shape]
    binary = os.path.join(out, "census-%s-%s" % (version, shape))
    r = subprocess.run([go, "build", "-o", binary] + flags + ["."], cwd=SAMPLE,
                       env=toolchains.go_env(version, env, out), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=600)
    check(r.returncode == 0, "go build (%s %s): %s" % (version, shape,
                                                        r.stdout.decode()[-800:]))
    BUILT[key] = (binary, version)
    return BUILT[key]


class Prog:
    """samples/census running, once it said "ready ADDR"."""

    def __init__(self, argv, timeout=120):
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.pid = self.p.pid
        line = self.p.stdout.readline().decode()
        if not line.startswith("ready "):
            self.p.kill()
            self.p.wait()
            raise Failure("%s never got ready: %r %r" % (argv, line,
                                                         self.p.stderr.read()[-300:]))
        self.addr = line.split()[1]
        self.t0 = time.time()

    def goroutines(self):
        """Go's own dump: /debug/pprof/goroutine?debug=2."""
        with urllib.request.urlopen("http://%s/debug/pprof/goroutine?debug=2" % self.addr,
                                    timeout=60) as f:
            return f.read().decode()

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        return self.p.returncode


def gotl_dump(gotl, pid, *args, timeout=300):
    r = subprocess.run([gotl, "dump", "-p", str(pid)] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")


def parse_dump(text):
    """Go's (or gotl -v's) goroutine dump: goid -> {header, frames, created}."""
    out = {}
    for block in re.split(r"\n\n+", text.strip()):
        lines = block.split("\n")
        m = re.match(r"goroutine (\d+) (?:gp=\S+ m=\S+(?: mp=\S+)? )?\[(.*)\]:$", lines[0])
        if not m:
            continue
        g = {"header": m.group(2), "frames": [], "created": None, "notes": []}
        i = 1
        while i < len(lines):
            line = lines[i]
            if line.startswith("created by "):
                c = re.match(r"created by (.*?)(?: in goroutine (\d+))?$", line)
                pos = re.match(r"\t(.*):(\d+)(?: \+(0x[0-9a-f]+))?$", lines[i + 1])
                g["created"] = (c.group(1), c.group(2) and int(c.group(2)), pos.group(1),
                                int(pos.group(2)), pos.group(3))
                i += 2
                continue
            if line.startswith("\t") or line.startswith("..."):
                g["notes"].append(line.strip())
                i += 1
                continue
            f = re.match(r"(.*)\([^()]*\)$", line)
            pos = re.match(r"\t(.*):(\d+)(?: \+(0x[0-9a-f]+))?", lines[i + 1]) \
                if i + 1 < len(lines) else None
            check(f and pos, "unparsable frame %r / %r" % (line, lines[i + 1:i + 2]))
            g["frames"].append((f.group(1), pos.group(1), int(pos.group(2)), pos.group(3)))
            i += 2
        out[int(m.group(1))] = g
    return out


def serve_loop(g):
    return g and any(f[0] == "net/http.(*Server).Serve" for f in g["frames"])


def http_related(g):
    return (g["created"] and g["created"][0] in HTTP_CREATORS) or \
        any(f[0].startswith("runtime/pprof.") for f in g["frames"])


def quiet(prog):
    """Go's dump once the program is quiet: two in a row agree (on a loaded machine a
    goroutine may still be on its way from "ready" to where it blocks)."""
    last = parse_dump(prog.goroutines())
    for _ in range(20):
        time.sleep(0.1)
        text = prog.goroutines()
        now = parse_dump(text)
        if all(now.get(k) == v for k, v in last.items() if not http_related(v)):
            return text
        last = now
    raise Failure("the program never got quiet")


def header_state(header):
    """(state, wait_reason, locked) from a dump header's brackets."""
    parts = [p.strip() for p in header.split(",")]
    status = re.sub(r" \((scan|leaked)\)$", "", parts[0])
    locked = "locked to thread" in parts[1:]
    if status in GO_STATES:
        return status, None, locked
    return "waiting", status, locked


def oracle(gotl, minor, shape, out):
    binary, version = build(minor, shape, out)
    prog = Prog([binary])
    try:
        before = quiet(prog)
        rc_t, text, err_t = gotl_dump(gotl, prog.pid, "-v")
        rc_j, js, err_j = gotl_dump(gotl, prog.pid, "--json")
        rc_g, grouped, _ = gotl_dump(gotl, prog.pid)
        rc_a, js_all, _ = gotl_dump(gotl, prog.pid, "--json", "--all")
        after = prog.goroutines()
        uptime = time.time() - prog.t0
    finally:
        status = prog.stop()
    check(status == 0, "the program exited %s after the dumps" % status)
    check(rc_t == 0 and rc_j == 0 and rc_g == 0 and rc_a == 0,
          "gotl dump exited %d/%d/%d/%d: %s" % (rc_t, rc_j, rc_g, rc_a, (err_t + err_j)[-500:]))
    check(not err_t and not err_j, "gotl dump wrote on stderr: %r" % (err_t + err_j)[-300:])
    go_a, go_b = parse_dump(before), parse_dump(after)
    stable = {k: v for k, v in go_a.items() if go_b.get(k) == v and not http_related(v)}
    # main, the accept loop, the signal loop, the zoo's 21 and the spawner's child,
    # the generic one (Go 1.18+), the C call (cgo)
    want_min = 25 + (minor >= 18) + (shape.startswith("cgo"))
    # The accept loop may be caught on its way back to Accept by the second request.
    moved = {k: v for k, v in go_a.items() if k not in stable and not http_related(v)}
    loop = [k for k, v in moved.items() if serve_loop(v) or serve_loop(go_b.get(k))]
    check(len(stable) + len(loop) >= want_min and len(loop) == len(moved),
          "only %d goroutines were stable in Go's two dumps, want %d; moved: %s" % (
              len(stable), want_min, "; ".join(
                  "%d [%s] %s -> %s" % (k, v["header"], v["frames"][:1],
                                        go_b[k]["frames"][:1] if k in go_b else "gone")
                  for k, v in moved.items())))
    got = parse_dump(text)
    bad = []
    for goid, want in sorted(stable.items()):
        have = got.get(goid)
        if have != want:
            bad.append("goroutine %d: Go %s, gotl %s" % (goid, want, have))
    for goid in sorted(set(got) - set(stable)):
        if not http_related(got[goid]) and goid not in go_a and goid not in go_b:
            bad.append("goroutine %d in gotl's dump only: %s" % (goid, got[goid]))
        elif not http_related(got[goid]) and goid not in loop:
            bad.append("goroutine %d changed in Go's dumps, not in gotl's" % goid)
    check(not bad, "%d differences with goroutine?debug=2: %s" % (len(bad), "; ".join(bad[:3])))

    d = json.loads(js)
    byid = {g["goid"]: g for g in d["goroutines"]}
    check(d["go_version"] == version and d["pid"] == prog.pid, "JSON header %s" % d["go_version"])
    for goid, want in stable.items():
        g = byid.get(goid)
        check(g is not None, "goroutine %d missing from the JSON" % goid)
        state, reason, locked = header_state(want["header"])
        check((g["state"], g["wait_reason"], g["locked"]) == (state, reason, locked),
              "goroutine %d: JSON %s/%s/%s, Go [%s]" % (goid, g["state"], g["wait_reason"],
                                                       g["locked"], want["header"]))
        frames = [(f["function"], f["file"], f["line"]) for f in g["frames"]]
        check(frames == [f[:3] for f in want["frames"]],
              "goroutine %d: JSON frames %s, Go %s" % (goid, frames[:3], want["frames"][:3]))
        c = want["created"]
        jc = g["created_by"]
        check((c is None and jc is None) or
              (jc and (jc["function"], jc["goid"], jc["file"], jc["line"]) == c[:4]),
              "goroutine %d: JSON created_by %s, Go %s" % (goid, jc, c))
    # What the zoo holds, seen through the JSON.
    def find(pred, what):
        hits = [g for g in d["goroutines"] if pred(g)]
        check(hits, "no goroutine %s in the JSON" % what)
        return hits
    fnames = lambda g: [f["function"] for f in g["frames"]]  # noqa: E731
    find(lambda g: g["locked"] and "main.lockedWait" in fnames(g), "locked to its thread")
    find(lambda g: g["state"] == "syscall" and "main.rawRead" in fnames(g), "in a raw syscall")
    find(lambda g: fnames(g).count("main.deep") == 21, "21 frames deep")
    inl = find(lambda g: fnames(g)[:3] == ["main.waitInner", "main.waitOuter", "main.inlineHost"],
               "under the inlined chain")[0]
    check([f["inlined"] for f in inl["frames"][:3]] == [True, True, False],
          "inlined flags %s" % [f["inlined"] for f in inl["frames"][:3]])
    if minor >= 18:
        find(lambda g: "main.genWait[...]" in fnames(g), "in a generic function")
    if shape.startswith("cgo"):
        find(lambda g: g["state"] == "syscall" and any("_Cfunc_sleep" in f for f in fnames(g)),
             "in a C call")
    waited = [g for g in d["goroutines"] if "main.recvWorker" in fnames(g) and
              g["created_by"]["function"] == "main.zoo"]
    check(len(waited) == 3 and all(g["wait_ns"] is not None and
                                   0 < g["wait_ns"] < (uptime + 5) * 1e9 for g in waited),
          "wait_ns of the 3 recvWorkers: %s (up %.1f s)" % ([g["wait_ns"] for g in waited],
                                                           uptime))
    check(not any(g["system"] for g in d["goroutines"]), "system goroutines without --all")
    # Grouped: the three identical workers are one entry.
    check(re.search(r"^3 goroutines \[chan receive\]: (\d+) (\d+) (\d+)\nmain\.recvWorker\(",
                    grouped, re.M), "no group of the 3 recvWorkers in:\n" + grouped[:600])
    check(len(d["groups"]) < len(d["goroutines"]) and
          sum(gr["count"] for gr in d["groups"]) == d["total"], "JSON groups do not add up")
    # --all: the runtime's own goroutines too, flagged.
    da = json.loads(js_all)
    sysg = [g for g in da["goroutines"] if g["system"]]
    check(sysg and da["total"] == d["total"] + len(sysg) and d["system_hidden"] == len(sysg) and
          all(g["start_function"].startswith("runtime.") for g in sysg),
          "--all: %d system goroutines (%d hidden without)" % (len(sysg), d["system_hidden"]))
    return "%d goroutines agree with debug=2, %d groups, %d runtime ones with --all" % (
        len(stable), len(d["groups"]), len(sysg))


def many(gotl, out):
    binary, _ = build(26, "default", out)
    prog = Prog([binary, "-nozoo", "-idle", "100000", "-depth", "16"], timeout=300)
    try:
        rc, text, err = gotl_dump(gotl, prog.pid)
        rc2, js, err2 = gotl_dump(gotl, prog.pid, "--json", "--depth", "4")
    finally:
        prog.stop()
    check(rc == 0 and rc2 == 0, "gotl dump exited %d/%d: %s" % (rc, rc2, (err + err2)[-300:]))
    m = re.search(r"^100000 goroutines \[chan receive\]: [\d ]+\.\.\. \(99984 more\)\n"
                  r"((?:main\.deep\(\.\.\.\)\n\t.*\n){17})created by main\.idle", text, re.M)
    check(m, "no group of 100000 goroutines under 17 main.deep frames:\n" + text[:800])
    d = json.loads(js)
    deep = [g for g in d["goroutines"] if g["frames"] and g["frames"][0]["function"] == "main.deep"]
    check(len(deep) == 100000 and all(g["stack"] == "truncated" for g in deep) and
          d["unsettled"] == 0, "JSON: %d deep goroutines, %d unsettled" % (len(deep),
                                                                         d["unsettled"]))
    return "100000 goroutines, census %.0f ms wall, %.0f ms CPU (depth 4)" % (
        d["census"]["wall_ns"] / 1e6, d["census"]["cpu_ns"] / 1e6)


# The stacks a churning goroutine can have: (function, line) innermost user frame first.
def churn_ok(g, lines):
    f = [x["function"] for x in g["frames"]]
    if g["state"] == "running":
        return not f
    if not f or f[-1] not in ("main.churn.func1", "main.churn.func2"):
        return False
    return g["frames"][-1]["line"] in lines[f[-1]]


def churn(gotl, out):
    binary, _ = build(26, "default", out)
    src = open(os.path.join(SAMPLE, "main.go")).read().split("\n")
    body = {}
    start = [i for i, l in enumerate(src) if l.startswith("func churn(")][0]
    fn = None
    for i in range(start, start + 25):
        if "go func() {" in src[i]:
            fn = "main.churn.func%d" % (len(body) + 1)
            body[fn] = set()
        elif fn and src[i].strip() and src[i].strip() not in ("for {", "}", "}()"):
            body[fn].add(i + 1)
    prog = Prog([binary, "-churn", "200"])
    unsettled = torn = runs = 0
    notes = []
    try:
        for _ in range(15):
            rc, js, err = gotl_dump(gotl, prog.pid, "--json")
            check(rc == 0, "gotl dump exited %d: %s" % (rc, err[-300:]))
            d = json.loads(js)
            runs += 1
            unsettled += d["unsettled"]
            check((d["unsettled"] > 0) == ("shown without a stack" in err),
                  "unsettled %d but stderr %r" % (d["unsettled"], err))
            for g in d["goroutines"]:
                c = g["created_by"]
                if not c or c["function"] != "main.churn":
                    continue
                if g["stack"] == "unsettled":
                    check(not g["frames"], "an unsettled goroutine with frames")
                    continue
                if not churn_ok(g, body):
                    torn += 1
                    notes.append("%s %s" % (g["state"], g["frames"]))
    finally:
        prog.stop()
    check(not torn, "%d goroutines with a stack the program cannot have: %s" % (torn, notes[:2]))
    return "%d dumps of 400 churning goroutines, none torn, %d unsettled" % (runs, unsettled)


def exit_during(gotl, out):
    """Kill the process while gotl reads it: gotl says it exited, status 1."""
    binary, _ = build(26, "default", out)
    seen = {}
    for attempt in range(12):
        prog = Prog([binary, "-nozoo", "-idle", "100000", "-depth", "16"], timeout=300)
        delay = 0.005 + 0.01 * attempt
        p = subprocess.Popen([gotl, "dump", "-p", str(prog.pid), "--json"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        prog.p.kill()
        err = p.stderr.read().decode()
        rc = p.wait()
        prog.p.wait()
        lines = err.strip().split("\n") if err.strip() else []
        if rc == 0:
            kind = "finished"
            check(not lines, "finished but said %r" % err)
        elif rc == 1:
            kind = "exited"
            check(len(lines) == 1 and re.match(r"gotl: process %d exited during the census$"
                                               % prog.pid, lines[0]), "status 1: %r" % err)
        elif rc == 2:
            kind = "gone"
            check(len(lines) == 1 and "no process %d" % prog.pid in lines[0], "status 2: %r" % err)
        else:
            raise Failure("gotl dump exited %d: %r" % (rc, err))
        seen[kind] = seen.get(kind, 0) + 1
        if seen.get("exited", 0) >= 2:
            break
    check(seen.get("exited"), "never caught the process exiting during a census: %s" % seen)
    return ", ".join("%s %d" % kv for kv in sorted(seen.items()))


def errors(gotl, out):
    cases = []
    p = subprocess.Popen(["sleep", "30"])
    try:
        gone = 4194000
        while os.path.exists("/proc/%d" % gone):
            gone -= 1
        for args, want in (
                (["-p", str(gone)], r"gotl: no process %d$" % gone),
                (["-p", str(p.pid)], r"gotl: process %d is not a Go program$" % p.pid),
                ([], r"no process given"),
                (["-p", "abc"], r"invalid --pid 'abc'"),
                (["-p", "1", "extra"], r"unexpected argument 'extra'"),
                (["-p", "1", "--depth", "0"], r"invalid --depth '0'"),
                (["-p", "1", "--nope"], r"invalid option '--nope'")):
            refused([gotl, "dump"] + args, want)
            cases.append(args[-1] if args else "-")
    finally:
        p.kill()
        p.wait()
    r = subprocess.run([gotl, "dump", "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(r.returncode == 0 and b"usage: gotl dump" in r.stdout and not r.stderr, "--help")
    r = subprocess.run([gotl, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(re.search(rb"^  dump  ", r.stdout, re.M), "gotl --help does not list dump")
    return "%d refusals, each one line, status 2" % len(cases)


def caps(gotl, out):
    """Not root: CAP_SYS_PTRACE alone is enough (no CAP_BPF); without it, one line, status 1."""
    binary, _ = build(26, "default", out)
    prog = Prog([binary])
    try:
        r = as_nobody([gotl, "dump", "-p", str(prog.pid), "--json"], ptrace=True, timeout=120)
        check(r.returncode == 0 and not r.stderr, "as nobody with CAP_SYS_PTRACE: status %d, %r"
              % (r.returncode, r.stderr[-300:]))
        total = json.loads(r.stdout)["total"]
        check(total >= 25, "as nobody with CAP_SYS_PTRACE: %d goroutines" % total)
        r = as_nobody([gotl, "dump", "-p", str(prog.pid)], ptrace=False, timeout=120)
        err = r.stderr.decode().strip()
        check(r.returncode == 1 and "\n" not in err and "needs root or CAP_SYS_PTRACE" in err and
              not r.stdout, "as nobody without it: status %d, %r" % (r.returncode, err))
    finally:
        prog.stop()
    return "%d goroutines as nobody with CAP_SYS_PTRACE only; refused without it" % total


def mntns(gotl, out):
    """The binary exists only in the process's own mount namespace, and is deleted there."""
    binary, _ = build(26, "pie", out)
    script = ("set -e; d=$(mktemp -d); mount -t tmpfs gotl-census \"$d\"; cp %s \"$d/prog\"; "
              "\"$d/prog\" & pid=$!; sleep 0.1; rm \"$d/prog\"; wait $pid" % binary)
    p = subprocess.Popen(["unshare", "-m", "--propagation", "private", "sh", "-c", script],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = p.stdout.readline().decode()
    try:
        check(line.startswith("ready "), "the program in its namespace: %r %r" % (
            line, p.stderr.read()[-300:] if p.poll() is not None else b""))
        kids = subprocess.run(["pgrep", "-P", str(p.pid)], stdout=subprocess.PIPE).stdout.split()
        check(len(kids) == 1, "cannot find the program: %s" % kids)
        pid = int(kids[0])
        exe = os.readlink("/proc/%d/exe" % pid)
        check("(deleted)" in exe, "its binary is still there: %s" % exe)
        check(not os.path.exists(exe.replace(" (deleted)", "")), "its path exists here")
        check(os.readlink("/proc/%d/ns/mnt" % pid) != os.readlink("/proc/self/ns/mnt"),
              "not in another mount namespace")
        rc, js, err = gotl_dump(gotl, pid, "--json")
        check(rc == 0, "gotl dump exited %d: %s" % (rc, err))
        d = json.loads(js)
        check(d["total"] >= 25 and any(f["function"] == "main.lockedWait"
                                       for g in d["goroutines"] for f in g["frames"]),
              "%d goroutines, no main.lockedWait" % d["total"])
    finally:
        for k in subprocess.run(["pgrep", "-P", str(p.pid)],
                                stdout=subprocess.PIPE).stdout.split():
            os.kill(int(k), signal.SIGTERM)
        p.wait(timeout=30)
    return "%d goroutines of a PIE run from a deleted file in another mount namespace" % d["total"]


def log_records(path):
    b = open(path, "rb").read()
    off = struct.unpack_from("<I", b, 12)[0]
    while off + 16 <= len(b):
        t, size = struct.unpack_from("<HH", b, off)
        if size < 16:
            break
        yield t, b[off + 16:off + size]
        off += size


def record_p(gotl, out):
    """record -p's snapshot and dump --all hold the same goroutines."""
    binary, _ = build(26, "default", out)
    prog = Prog([binary])
    raw = os.path.join(out, "record-p.gotl")
    try:
        rc, js, err = gotl_dump(gotl, prog.pid, "--json", "--all")
        check(rc == 0, "gotl dump: %s" % err)
        r = subprocess.run([gotl, "record", "-p", str(prog.pid), "-d", "300ms", "-r", raw, "-o",
                            raw + ".pftrace"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=120)
        check(r.returncode == 0, "gotl record -p: %s" % r.stderr.decode()[-400:])
    finally:
        prog.stop()
    pfcheck(raw + ".pftrace")   # and Perfetto's importer (tpq)
    snap, stacks = {}, {}
    for t, body in log_records(raw):
        if t == 22:         # GOTL_REC_GSNAP
            gp, goid = struct.unpack_from("<QQ", body, 0)
            status, reason = struct.unpack_from("<BB", body, 56)
            snap[goid] = (gp, status)
        elif t == 18:       # GOTL_REC_STACK
            gp, kind, n, trunc = struct.unpack_from("<QBBB", body, 0)
            stacks.setdefault(gp, (kind, n, trunc))
    d = json.loads(js)
    states = {"runnable": 1, "running": 2, "syscall": 3, "waiting": 4}
    dumped = {g["goid"]: states.get(g["state"]) for g in d["goroutines"]}
    check(set(snap) == set(dumped), "snapshot goids %s, dump %s" % (
        sorted(set(snap) ^ set(dumped))[:5], len(dumped)))
    diff = [k for k in snap if snap[k][1] != dumped[k] and dumped[k] != 2 and snap[k][1] != 2]
    check(not diff, "states differ for %s" % diff[:5])
    deep = [g["goid"] for g in d["goroutines"]
            if [f["function"] for f in g["frames"]].count("main.deep") == 21]
    check(len(deep) == 1, "no deep goroutine in the dump")
    st = stacks.get(snap[deep[0]][0])
    check(st and st[1] == 16 and st[2] == 1, "the 21-frame stack in the snapshot: %s" % (st,))
    return "%d goroutines in both; the 21-frame stack is 16 frames, truncated" % len(snap)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gotl", default=os.path.join(ROOT, "gotl"))
    ap.add_argument("--matrix", choices=sorted(MATRIX), default="ci")
    ap.add_argument("--cases", help="comma-separated: oracle,many,churn,exit,errors,caps,"
                    "mntns,record-p")
    ap.add_argument("--out", default=os.path.join(ROOT, ".output", "e2e-census"))
    a = ap.parse_args()
    gotl = os.path.abspath(a.gotl)
    if os.geteuid() != 0:
        print("FAIL: run_census.py needs root", file=sys.stderr)
        return 1
    os.makedirs(a.out, exist_ok=True)
    cases = [("oracle", "go1.%d %s" % (m, s), lambda m=m, s=s: oracle(gotl, m, s, a.out))
             for m, s in MATRIX[a.matrix]]
    cases += [("many", "go1.26", lambda: many(gotl, a.out)),
              ("churn", "go1.26", lambda: churn(gotl, a.out)),
              ("exit", "go1.26", lambda: exit_during(gotl, a.out)),
              ("errors", "-", lambda: errors(gotl, a.out)),
              ("caps", "go1.26", lambda: caps(gotl, a.out)),
              ("mntns", "go1.26 pie", lambda: mntns(gotl, a.out)),
              ("record-p", "go1.26", lambda: record_p(gotl, a.out))]
    return run_cases("census", cases, a.cases, widths=(9, 22))


if __name__ == "__main__":
    sys.exit(main())
