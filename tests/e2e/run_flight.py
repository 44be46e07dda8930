#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""End-to-end tests of `gotl record --flight`, the flight recorder, on
samples/flight (a steady ping-pong beside a goroutine blocked since the
start; pile-ups, stalls, spawns, a death and a panic on cue).

  launch    --flight 1s with a program: SIGUSR1 after 2.5 s writes dump 1,
            the program's exit dump 2. Dump 1 holds the last second only; it
            starts with every goroutine alive then (the one blocked since the
            start shows as blocked from the window's start, with how long it
            had waited and where it blocked), nothing else appears without
            its creation, the counters start at their value then, every flow
            has both ends, the trace attributes name the trigger and the
            window. Dump 2 starts where dump 1 ended (no second written
            twice) and holds the pile-up, created in it. Each is checked by
            pfcheck (0 errors, 0 warnings) and trace_processor_shell (no
            error or data loss in its stats)
  attach    the same with -p PID: the window starts after the attach, its
            goroutines from the recorder's state (the snapshot's and the
            events'); the end of the recording (SIGINT) writes the last dump
  attach-panic  -p, the process panics: gotl reads its exit status while it is a
            zombie (the test, its parent, has not reaped it): the last dump says
            status 2; gotl exits 0
  death     the program kills itself (SIGTERM): the last dump is the window up
            to its death, named so; gotl exits 143
  panic     the program panics: the last dump says it exited with status 2
  triggers  --trigger blocked>1500ms (the goroutine blocked since the start
            writes dump 1 as it crosses 1.5 s: the window ends there),
            reason=chan send>20 (a pile-up of 30), goroutines>150 (200
            spawned), runnable>5ms (GOMAXPROCS=1 and a CPU spinner): each
            writes a dump named by what held, no two windows overlap
  max       --max-dumps 1: the first trigger's dump ends the recording (the
            probes go, the program runs on to its exit, no second dump)
  size      --flight 10s --flight-size 1M: the window holds less than 10 s,
            says it was cut, and still starts with every goroutine alive then
  alloc     --alloc sampled: the heap counters (total, rate, each type's) start at
            the window's start, at their value then
  raw       -r RAW keeps each window's log (RAW-1, ...): `gotl convert`
            gives the same trace again, byte for byte; a reason= trigger for a
            wait reason the program does not have is said to never hold
  errors    bad --flight, --flight-size, --max-dumps, --trigger, --flight with
            --follow, --flight-size or --trigger without --flight: one line,
            status 2

Needs root, Go 1.26 (or --go GO) and ../shared/tools.

  run_flight.py [--gotl ./gotl] [--go GO] [--cases launch,attach,...]
"""
import argparse
import os
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import toolchains  # noqa: E402
import tpq  # noqa: E402
from clicheck import refused  # noqa: E402
import tracemodel  # noqa: E402
from cases import run as run_cases  # noqa: E402
from tracemodel import Failure, check  # noqa: E402

SAMPLES = os.path.join(ROOT, "samples")
MODE = "a window of a flight recording (record --flight)"
MS = 1000000


GO = [toolchains.GO126]


def build(out):
    go = GO[0]
    version = toolchains.go_version(go)
    binary = os.path.join(out, "flight-sample-" + version)
    if os.path.exists(binary):
        return binary
    r = subprocess.run([go, "build", "-o", binary, "./flight"], cwd=SAMPLES,
                       env=toolchains.go_env(version, {}, out), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=600)
    check(r.returncode == 0, "go build: %s" % r.stdout.decode()[-800:])
    return binary


class Lines:
    """A pipe's lines, read by a thread as they come."""

    def __init__(self, f):
        self.lines, self.f = [], f
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for line in iter(self.f.readline, b""):
            self.lines.append(line.decode(errors="replace").rstrip("\n"))

    def wait_for(self, text, timeout=30):
        t0 = time.time()
        while time.time() - t0 < timeout:
            for line in self.lines:
                if text in line:
                    return line
            time.sleep(0.02)
        raise Failure("no line with %r in %s" % (text, self.lines[-10:]))


class Sample:
    """samples/flight, under gotl (argv) or alone, driven through its stdin."""

    def __init__(self, argv, env=None):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=env)
        self.err = Lines(self.p.stderr)
        line = self.p.stdout.readline().decode()
        if not line.startswith("ready "):
            self.p.kill()
            self.p.wait()
            raise Failure("%s: no ready line: %r %s" % (argv[:3], line, self.err.lines[-5:]))
        f = line.split()
        self.pid, self.long_goid, self.long_file, self.long_line = \
            int(f[1]), int(f[2]), f[3], int(f[4])

    def cmd(self, c):
        self.p.stdin.write((c + "\n").encode())
        self.p.stdin.flush()
        if c.split()[0] in ("exit", "die", "panic"):
            return
        line = self.p.stdout.readline().decode()
        check(line.strip() == "ok " + c.split()[0], "%s: %r" % (c, line))

    def wait(self, timeout=60):
        out = self.p.stdout.read().decode()
        rc = self.p.wait(timeout=timeout)
        self.err.t.join(5)
        return rc, out


class Attached:
    """`gotl record -p PID --flight 1s -o TRACE` in the background, its stderr read as it
    comes (err)."""

    def __init__(self, gotl, pid, trace):
        self.p = subprocess.Popen([gotl, "record", "-p", str(pid), "--flight", "1s", "-o", trace,
                                   "--no-progress"], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.err = Lines(self.p.stderr)

    def wait(self, timeout=60):
        rc = self.p.wait(timeout=timeout)
        self.err.t.join(5)
        return rc


def goroutine_slices(model):
    return {goid: model.states(goid) for goid in model.by_goid}


def check_window(path, why, dur_ns, sample, prev_end=None, full=True, attached=False,
                 min_before=None, cut=False):
    """One dump: the checkers, its attributes, a window that makes sense on its own.
    Returns (start, end) of the window (trace timestamps)."""
    m = tracemodel.pfcheck(path)  # and Perfetto's importer (tpq.compare)
    attrs, _, _ = tracemodel.trace_metadata(path)
    name = os.path.basename(path)
    check(attrs.get("gotl.flight.trigger") == why, "%s: trigger %r, want %r"
          % (name, attrs.get("gotl.flight.trigger"), why))
    check(attrs.get("gotl.mode") == MODE, "%s: mode %r" % (name, attrs.get("gotl.mode")))
    for k in ("gotl.flight.dump", "gotl.flight.time", "gotl.flight.window"):
        check(attrs.get(k), "%s: no %s attribute" % (name, k))
    check(("cut to --flight-size" in attrs["gotl.flight.window"]) == cut,
          "%s: window %r (cut: %s)" % (name, attrs["gotl.flight.window"], cut))
    model = tracemodel.Model(m)
    gs = goroutine_slices(model)
    check(gs, "%s: no goroutine" % name)
    w = min(s[0]["ts"] for s in gs.values() if s)
    end = max(s[-1]["ts"] + s[-1]["dur"] for s in gs.values() if s)
    span = end - w
    check(span <= dur_ns + 50 * MS, "%s: the window holds %.3f s, more than %.3f s"
          % (name, span / 1e9, dur_ns / 1e9))
    if full:
        check(span >= dur_ns - 50 * MS, "%s: the window holds %.3f s, not %.3f s"
              % (name, span / 1e9, dur_ns / 1e9))
    if prev_end is not None:
        check(w >= prev_end - MS, "%s: starts %.3f s before the previous dump's end"
              % (name, (prev_end - w) / 1e9))
    # Nothing from nowhere: each goroutine is there at the start, or created in the window.
    at_start = 0
    for goid, sl in gs.items():
        if not sl:
            continue
        if sl[0]["ts"] == w:
            at_start += 1
            if w > 0 and (attached or full):
                check(sl[0]["args"].get("existed_at_attach") is True,
                      "%s: G%d at the window's start not marked: %s" % (name, goid,
                                                                       sl[0]["args"]))
            continue
        srcs = [src for src, _, dst in model.flows_into(goid) if dst is sl[0] or
                dst["ts"] == sl[0]["ts"]]
        check(srcs, "%s: G%d appears at +%.3f s without a creation" % (name, goid,
                                                                    (sl[0]["ts"] - w) / 1e9))
    # The goroutine blocked since the start: blocked from the window's start, for how long.
    long = gs.get(sample.long_goid)
    check(long, "%s: no track for G%d (blocked since the start)" % (name, sample.long_goid))
    first = long[0]
    check(first["ts"] == w and first["name"] == "chan receive" and len(long) == 1,
          "%s: G%d: %s" % (name, sample.long_goid,
                           [(s["ts"] - w, s["name"]) for s in long][:5]))
    before = first["args"].get("blocked_before_recording_ns", 0)
    if min_before is None:
        min_before = (0.9 if full else 0.3) * 1e9
    check(before >= min_before, "%s: G%d blocked %.3f s before the window"
          % (name, sample.long_goid, before / 1e9))
    site = "main.go:%d" % (sample.long_line + 1)   # the receive, after truth.Here
    check(site in str(first.get("callstack")) + str(first["args"]),
          "%s: G%d's stack does not say %s: %s %s" % (name, sample.long_goid, site,
                                                     first.get("callstack"), first["args"]))
    # Counters start at their value at the window's start.
    alive = [t["uuid"] for t in m["tracks"] if t["kind"] == "counter" and
             t.get("name") == "Goroutines alive"]
    check(len(alive) == 1, "%s: Goroutines alive tracks: %s" % (name, alive))
    cs = sorted((c["ts"], c["value"]) for c in m["counters"] if c["track"] == alive[0])
    check(cs and cs[0][0] == w and cs[0][1] == at_start,
          "%s: Goroutines alive starts %s, want %d at the window's start" % (name, cs[:3],
                                                                            at_start))
    lost = [t["uuid"] for t in m["tracks"] if t["kind"] == "counter" and
            "lost" in (t.get("name") or "")]
    check(lost and any(c["ts"] == w for c in m["counters"] if c["track"] == lost[0]),
          "%s: the lost counter does not start at the window's start" % name)
    # Every flow has both ends.
    for f in m["flows"]:
        check(f["from"] in model.refs and f["to"] in model.refs, "%s: a dangling flow %s"
              % (name, f))
    return w, end, model


def dumps_named(err, base, n):
    lines = [line for line in err.lines if "wrote " + base in line]
    check(len(lines) == n, "want %d dump lines, got %s" % (n, lines or err.lines[-8:]))
    return lines


def launch(gotl, out):
    binary = build(out)
    trace = os.path.join(out, "launch.pftrace")
    for n in range(1, 5):
        if os.path.exists(trace[:-8] + "-%d.pftrace" % n):
            os.unlink(trace[:-8] + "-%d.pftrace" % n)
    s = Sample([gotl, "record", "--flight", "1s", "-o", trace, "--no-progress", "--", binary])
    time.sleep(2.5)
    os.kill(s.p.pid, signal.SIGUSR1)
    s.err.wait_for("launch-1.pftrace")
    time.sleep(0.2)
    s.cmd("pile 5")
    time.sleep(0.3)
    s.cmd("exit")
    rc, stdout = s.wait()
    check(rc == 0, "gotl exited %d: %s" % (rc, s.err.lines[-5:]))
    check("gotl-truth" in stdout, "no truth line")
    lines = dumps_named(s.err, os.path.join(out, "launch-"), 2)
    check(lines[0].endswith(": SIGUSR1"), lines[0])
    check(lines[1].endswith(": the program exited with status 0"), lines[1])
    w1, e1, _ = check_window(trace[:-8] + "-1.pftrace", "SIGUSR1", 1000 * MS, s)
    w2, e2, m2 = check_window(trace[:-8] + "-2.pftrace", "the program exited with status 0",
                              1000 * MS, s, prev_end=e1, full=False)
    piled = [g for g, sl in goroutine_slices(m2).items() if sl and sl[-1]["name"] == "chan send"]
    check(len(piled) == 5, "dump 2: %d goroutines end in chan send, not 5" % len(piled))
    left = [f for f in os.listdir(out) if f.endswith(".gotl-tmp")]
    check(not left, "temporary logs left: %s" % left)
    return "dump 1: %.3f s, dump 2: %.3f s from its end" % ((e1 - w1) / 1e9, (e2 - w2) / 1e9)


def attach(gotl, out):
    binary = build(out)
    trace = os.path.join(out, "attach.pftrace")
    s = Sample([binary])
    try:
        g = Attached(gotl, s.pid, trace)
        err = g.err
        time.sleep(2.5)
        os.kill(g.p.pid, signal.SIGUSR1)
        err.wait_for("attach-1.pftrace")
        s.cmd("pile 3")
        time.sleep(0.3)
        g.p.send_signal(signal.SIGINT)
        rc = g.wait()
        check(rc == 0, "gotl exited %d: %s" % (rc, err.lines[-5:]))
        lines = dumps_named(err, os.path.join(out, "attach-"), 2)
        check(lines[1].endswith(": the end of the recording"), lines[1])
        w1, e1, _ = check_window(trace[:-8] + "-1.pftrace", "SIGUSR1", 1000 * MS, s,
                                 attached=True)
        check_window(trace[:-8] + "-2.pftrace", "the end of the recording", 1000 * MS, s,
                     prev_end=e1, full=False, attached=True)
        s.cmd("exit")
        rc, _ = s.wait()
        check(rc == 0, "the sample exited %d after the recording" % rc)
    finally:
        if s.p.poll() is None:
            s.p.kill()
            s.p.wait()
    return "dump 1: %.3f s" % ((e1 - w1) / 1e9)


def attach_panic(gotl, out):
    binary = build(out)
    trace = os.path.join(out, "apanic.pftrace")
    s = Sample([binary])
    try:
        g = Attached(gotl, s.pid, trace)
        err = g.err
        time.sleep(2.5)
        s.cmd("panic")
        rc = g.wait()     # the sample is not reaped until s.wait()
        why = "the program exited with status 2 (as a Go panic or fatal error does)"
        check(rc == 0, "gotl exited %d: %s" % (rc, err.lines[-5:]))
        lines = dumps_named(err, os.path.join(out, "apanic-"), 1)
        check(lines[0].endswith(": " + why), lines[0])
        w, e, _ = check_window(trace[:-8] + "-1.pftrace", why, 1000 * MS, s, attached=True)
    finally:
        if s.p.poll() is None:
            s.p.kill()
    rc, _ = s.wait()
    check(rc == 2, "the sample exited %d, not 2" % rc)
    return "%.3f s up to the end: %s" % ((e - w) / 1e9, why)


def ending(gotl, out, cmd, want_rc, why):
    binary = build(out)
    trace = os.path.join(out, "%s.pftrace" % cmd)
    s = Sample([gotl, "record", "--flight", "1s", "-o", trace, "--no-progress", "--", binary])
    time.sleep(2.5)
    s.cmd(cmd)
    rc, _ = s.wait()
    check(rc == want_rc, "gotl exited %d, not %d: %s" % (rc, want_rc, s.err.lines[-5:]))
    lines = dumps_named(s.err, os.path.join(out, cmd + "-"), 1)
    check(lines[0].endswith(": " + why), lines[0])
    w, e, _ = check_window(trace[:-8] + "-1.pftrace", why, 1000 * MS, s)
    return "%.3f s up to the end: %s" % ((e - w) / 1e9, why)


def triggers(gotl, out):
    binary = build(out)
    trace = os.path.join(out, "trig.pftrace")
    env = dict(os.environ, GOMAXPROCS="1")
    conds = ["blocked>1500ms", "reason=chan send>20", "goroutines>150", "runnable>5ms"]
    argv = [gotl, "record", "--flight", "1s", "-o", trace, "--no-progress"]
    for c in conds:
        argv += ["--trigger", c]
    s = Sample(argv + ["--", binary], env=env)
    s.err.wait_for("trig-1.pftrace", timeout=10)
    time.sleep(1.2)
    s.cmd("pile 30")
    s.err.wait_for("trig-2.pftrace", timeout=10)
    time.sleep(1.2)
    s.cmd("spawn 200")
    time.sleep(1.2)
    s.cmd("spin 300")
    time.sleep(1.2)
    s.cmd("exit")
    rc, _ = s.wait()
    check(rc == 0, "gotl exited %d: %s" % (rc, s.err.lines[-5:]))
    lines = [line for line in s.err.lines if "wrote " + os.path.join(out, "trig-") in line]
    whys = [line.split("): ", 1)[1] for line in lines]
    first = "blocked>1500ms: G%d blocked " % s.long_goid
    check(whys and whys[0].startswith(first), "dump 1: %r, want %r..." % (whys[:1], first))
    for c in conds[1:]:
        check(any(c in w for w in whys), "no dump for %s: %s" % (c, whys))
    prev, detail = None, []
    for n, why in enumerate(whys, 1):
        path = trace[:-8] + "-%d.pftrace" % n
        w, e, model = check_window(path, why, 1000 * MS, s, prev_end=prev, full=n < len(whys),
                                   min_before=0.3e9)
        if n == 1:
            long = model.states(s.long_goid)[0]
            held = long["args"]["blocked_before_recording_ns"] + (e - w)
            check(1.5e9 <= held <= 1.5e9 + 150 * MS, "dump 1 ends %.3f s into the wait, "
                  "not at 1.5 s" % (held / 1e9))
        prev = e
        detail.append(why.split(":")[0])
    return "%d dumps: %s" % (len(whys), ", ".join(detail))


def max_dumps(gotl, out):
    binary = build(out)
    trace = os.path.join(out, "max.pftrace")
    s = Sample([gotl, "record", "--flight", "1s", "--max-dumps", "1", "--trigger",
                "blocked>1500ms", "-o", trace, "--no-progress", "--", binary])
    s.err.wait_for("max-1.pftrace", timeout=10)
    s.err.wait_for("the recording stops")
    time.sleep(0.5)
    os.kill(s.p.pid, signal.SIGUSR1)
    s.cmd("pile 3")
    s.cmd("exit")
    rc, stdout = s.wait()
    check(rc == 0 and "gotl-truth" in stdout, "gotl exited %d" % rc)
    dumps_named(s.err, os.path.join(out, "max-"), 1)
    check(not os.path.exists(trace[:-8] + "-2.pftrace"), "a second dump")
    why = s.err.wait_for("max-1.pftrace").split("): ", 1)[1]
    check(why.startswith("blocked>1500ms: G%d blocked" % s.long_goid), why)
    check_window(trace[:-8] + "-1.pftrace", why, 1000 * MS, s, min_before=0.3e9)
    return "one dump, then the program ran on without probes"


def size(gotl, out):
    binary = build(out)
    trace = os.path.join(out, "size.pftrace")
    s = Sample([gotl, "record", "--flight", "10s", "--flight-size", "1M", "-o", trace,
                "--no-progress", "--", binary])
    time.sleep(9)
    os.kill(s.p.pid, signal.SIGUSR1)
    line = s.err.wait_for("size-1.pftrace", timeout=20)
    s.cmd("exit")
    rc, _ = s.wait()
    check(rc == 0, "gotl exited %d" % rc)
    check("cut to --flight-size" in line, line)
    attrs, _, _ = tracemodel.trace_metadata(trace[:-8] + "-1.pftrace")
    check("cut to --flight-size" in attrs.get("gotl.flight.window", ""), attrs)
    w, e, _ = check_window(trace[:-8] + "-1.pftrace", "SIGUSR1", 10000 * MS, s, full=False,
                           cut=True)
    check(e - w < 8.5e9, "the window holds %.3f s: not cut" % ((e - w) / 1e9))
    return "1M held %.3f s of the 10 s" % ((e - w) / 1e9)


def alloc(gotl, out):
    binary = build(out)
    trace = os.path.join(out, "alloc.pftrace")
    s = Sample([gotl, "record", "--flight", "1s", "--alloc", "sampled", "-o", trace,
                "--no-progress", "--", binary])
    time.sleep(2.2)
    os.kill(s.p.pid, signal.SIGUSR1)
    s.err.wait_for("alloc-1.pftrace")
    s.cmd("exit")
    rc, _ = s.wait()
    check(rc == 0, "gotl exited %d" % rc)
    w, e, _ = check_window(trace[:-8] + "-1.pftrace", "SIGUSR1", 1000 * MS, s)
    rows = tpq.run(trace[:-8] + "-1.pftrace",
                   "select 'first', t.name, min(c.ts) from counter c join counter_track t on "
                   "c.track_id = t.id group by t.name;")
    if rows is None:
        return "no trace_processor_shell: the counters' start not checked"
    first = {x[1]: int(x[2]) for x in rows if x[0] == "first"}
    check(first.get("Heap allocated") == w, "Heap allocated starts at %s, the window at %d"
          % (first.get("Heap allocated"), w))
    early = {n: ts for n, ts in first.items() if ts < w}
    check(not early, "counters before the window: %s" % early)
    types = [n for n, ts in first.items() if ts == w and not n.startswith(("Goroutines",
                                                                           "Heap", "Alloc",
                                                                           "gotl"))]
    check(types, "no type counter at the window's start: %s" % first)
    return "%d counters, %d types at the window's start" % (len(first), len(types))


def raw(gotl, out):
    binary = build(out)
    trace = os.path.join(out, "raw.pftrace")
    log = os.path.join(out, "raw.gotl")
    s = Sample([gotl, "record", "--flight", "500ms", "-r", log, "-o", trace, "--no-progress",
                "--trigger", "reason=no such wait>1", "--", binary])
    time.sleep(1.2)
    s.cmd("exit")
    rc, _ = s.wait()
    check(rc == 0, "gotl exited %d" % rc)
    s.err.wait_for("--trigger 'reason=no such wait>1': the program has no wait reason 'no such "
                   "wait': it never holds", timeout=1)
    check(os.path.exists(log + "-1") and not os.path.exists(log), "raw logs: %s"
          % sorted(f for f in os.listdir(out) if f.startswith("raw.gotl")))
    again = os.path.join(out, "raw-again.pftrace")
    r = subprocess.run([gotl, "convert", "-o", again, log + "-1"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    check(r.returncode == 0, "convert: %s" % r.stderr.decode()[-300:])
    check(open(again, "rb").read() == open(trace[:-8] + "-1.pftrace", "rb").read(),
          "gotl convert RAW-1 differs from the dump")
    return "RAW-1 converts to the same bytes"


def errors(gotl, out):
    bad = [["--flight", "0"], ["--flight", "xyz"], ["--flight", "1s", "--flight-size", "10K"],
           ["--flight", "1s", "--max-dumps", "0"], ["--flight-size", "8M"],
           ["--max-dumps", "3"], ["--flight", "1s", "--follow"], ["--trigger", "blocked>1s"],
           ["--flight", "1s", "--trigger", "blocked"], ["--flight", "1s", "--trigger", "x>3"],
           ["--flight", "1s", "--trigger", "goroutines>many"],
           ["--flight", "1s", "--trigger", "runnable>"], ["--flight", "1s", "--trigger",
                                                         "reason=>3"]]
    for b in bad:
        refused([gotl, "record"] + b + ["--", "/bin/true"])
    return "%d bad command lines: one line, status 2" % len(bad)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gotl", default=os.path.join(ROOT, "gotl"))
    ap.add_argument("--cases", help="comma-separated: launch,attach,attach-panic,death,panic,"
                    "triggers,max,size,alloc,raw,errors")
    ap.add_argument("--out", default=os.path.join(ROOT, ".output", "e2e-flight"))
    ap.add_argument("--go", default=toolchains.GO126, help="the Go toolchain of the sample")
    a = ap.parse_args()
    GO[0] = a.go
    gotl = os.path.abspath(a.gotl)
    if os.geteuid() != 0:
        print("FAIL: run_flight.py needs root", file=sys.stderr)
        return 1
    os.makedirs(a.out, exist_ok=True)
    cases = [("launch", "", lambda: launch(gotl, a.out)),
             ("attach", "", lambda: attach(gotl, a.out)),
             ("attach-panic", "", lambda: attach_panic(gotl, a.out)),
             ("death", "", lambda: ending(gotl, a.out, "die", 143,
                                      "the program died of signal 15 (SIGTERM)")),
             ("panic", "", lambda: ending(gotl, a.out, "panic", 2, "the program exited with "
                                      "status 2 (as a Go panic or fatal error does)")),
             ("triggers", "", lambda: triggers(gotl, a.out)),
             ("max", "", lambda: max_dumps(gotl, a.out)),
             ("size", "", lambda: size(gotl, a.out)),
             ("alloc", "", lambda: alloc(gotl, a.out)),
             ("raw", "", lambda: raw(gotl, a.out)),
             ("errors", "", lambda: errors(gotl, a.out))]
    return run_cases("flight", cases, a.cases, widths=(8, 0))


if __name__ == "__main__":
    sys.exit(main())
