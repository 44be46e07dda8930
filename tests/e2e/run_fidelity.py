#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Fidelity: gotl's trace of a run against Go's own execution tracer of the same run.

Each program runs once under `gotl record` with Go's tracer (runtime/trace) on in the
same process: three of our samples with their -trace flag, `go test -c` binaries of
standard library packages (sync, context, net/http) and of golang.org/x/sync with
-test.trace. Go's trace is read by Go's own parser (`go tool trace -d=parsed` of the
newest release in the run, which reads the traces of every release from Go 1.11 on);
gotl's from its trace-event JSON (`-f json`, the same replay as its Perfetto trace),
checked and decoded by jsontrace.py. Then, goroutine by goroutine,
over the span of time Go's tracer was on, three figures:

  spawn        every goroutine in Go's trace has a gotl track; one that Go saw created
               has gotl's parent_goid and a GoCreate arrow from the goroutine Go says
               created it (none when Go says no goroutine did);
  wake         every wake-up (Waiting -> Runnable) that Go attributes to a goroutine
               starts a gotl Runnable span within TOL of it, woken_by that goroutine,
               with a GoUnblock arrow from it;
  transitions  every transition Go records into Running, Runnable, Syscall or Waiting
               (by reason: Go's tracer names a reason class, gotl the runtime's own
               wait reason; WAIT_REASONS maps one to the other, from the runtime's
               gopark calls) starts a gotl span of that state within TOL, in order
               (gotl's own extra spans, such as a GC assist, are passed over).

Times: Go 1.22+ stamps events with CLOCK_MONOTONIC (nanotime), which gotl's clock
snapshot links to its BOOTTIME; Go 1.17-1.21 (trace format v1) count CPU ticks from
another epoch, so their clock is fitted (offset and rate) to gotl's: on the goroutine
creations both saw, then on each transition's nearest gotl span of its state (two
numbers fitted to thousands of points). A v1 syscall that did not block is one instant
in Go's trace, which the parser turns into a 1 ns Syscall: its end is the parser's, not
Go's, and is not counted.

The goal is 99.9% on each figure. A miss is most often the machine's: gotl stamps a
transition at the runtime call that makes it, Go's tracer as it writes the event just
after, and a thread the kernel preempts between the two (a uprobe's return is a
preemption point) puts them more than 100 us apart; on this 2-core machine under load
that is up to a few in a thousand. So a run fails when a figure over a release's programs
falls below --threshold (99.5%) or one program's below --program-threshold (98%, and 3
misses or more) twice in a row: the machine's misses do not repeat, a gotl bug's do.

Go's tracer also writes transitions the goroutine does not make, which are not counted:
the Gosched and GoStart it writes when GOMAXPROCS takes away the P of the goroutine that
starts the world again (runtime.procresize; the goroutine stays _Grunning) and, on Go <=
1.21, for the goroutine that stops it (runtime.StopTrace); a Waiting -> Waiting status
at a generation boundary; on Go <= 1.25 the Runnable instant it writes between Syscall
and Running when a goroutine whose P was taken gets one at once (its status goes
_Gsyscall -> _Grunning: that pair counts as the one transition it is). Misses are
printed. Needs root (BPF); fails, never skips, when a toolchain or a build is missing.

  run_fidelity.py [--gotl ./gotl] [--go LABEL=PATH]... [--programs a,b] [--keep]
"""
import argparse
import bisect
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import toolchains  # noqa: E402
import jsontrace  # noqa: E402
from tracemodel import Failure, Model, check  # noqa: E402

TOL = 100 * 1000            # ns: a gotl span starts this close to Go's transition
CACHE = os.path.join(os.path.dirname(toolchains.CACHE), "fidelity")
XSYNC = ("golang.org/x/sync", "v0.18.0")

# Programs: (kind, what to build, arguments; {trace} is Go's trace file, oldest minor).
# Tests are chosen short, with goroutines that block, wake, make system calls and are
# made; names present in every release from 1.17.
PROGRAMS = {
    "pipeline": ("sample", "pipeline", ["-trace", "{trace}"], 17),
    "spawn": ("sample", "spawn", ["-trace", "{trace}"], 17),
    "sysexit": ("sample", "sysexit", ["-trace", "{trace}"], 17),
    "sync": ("std", "sync", ["-test.run", "^(TestCondSignal|TestMutex|"
                             "TestMutexFairness|TestRWMutex|TestParallelReaders|TestWaitGroup|"
                             "TestWaitGroupRace|TestOnce|TestPool|TestSemaphore)$",
                             "-test.short"], 17),
    "context": ("std", "context", ["-test.short"], 17),
    "net/http": ("std", "net/http", ["-test.run", "^(TestServeFile|TestHostHandlers|"
                                     "TestServeMuxHandler|TestTransportKeepAlives|"
                                     "TestTransportConnectionCloseOnResponse|"
                                     "TestClientRedirects|TestTransportMaxPerHostIdleConns|"
                                     "TestTransportReuseConnEmptyResponseBody)$",
                                     "-test.short"], 17),
    # golang.org/x/sync v0.18.0 says go 1.24.0: older releases refuse it.
    "errgroup": ("module", "golang.org/x/sync/errgroup", ["-test.run", "^Test"], 24),
    "semaphore": ("module", "golang.org/x/sync/semaphore", [
        "-test.run", "^Test(WeightedPanic|WeightedTryAcquire|WeightedAcquire|"
        "WeightedDoesntBlockIfTooBig|LargeAcquireDoesntStarve|AllocCancelDoesntStarve|"
        "WeightedAcquireCanceled)$"], 24),      # not TestWeighted: 6 s of the same
}

# Go's tracer names a blocked goroutine's reason by class (runtime traceBlockReason, or
# the v1 event kind on Go <= 1.21); gotl by the runtime's waitReason string. Which
# waitReasons each class is parked with, from the runtime's gopark calls (1.17-1.27).
WAIT_REASONS = {
    "chan receive": {"chan receive"},
    "chan send": {"chan send"},
    "select": {"select"},
    "sync": {"semacquire", "sync.Mutex.Lock", "sync.RWMutex.RLock", "sync.RWMutex.Lock",
             "sync.WaitGroup.Wait"},
    "sync.(*Cond).Wait": {"sync.Cond.Wait"},
    "network": {"IO wait"},
    "sleep": {"sleep"},
    "forever": {"chan receive (nil chan)", "chan send (nil chan)", "select (no cases)",
                "forever", "force gc (idle)", "GC worker (idle)", "finalizer wait",
                "GC scavenge wait", "GC sweep wait", "trace reader (blocked)",
                "wait for debug call", "panicwait", "GOMAXPROCS updater (idle)"},
    "system goroutine wait": {"force gc (idle)", "GC worker (idle)", "finalizer wait",
                              "GC scavenge wait", "trace reader (blocked)",
                              "GC weak to strong wait", "GOMAXPROCS updater (idle)",
                              "cleanup wait", "sleep", "synctest"},
    "GC mark assist wait for work": {"GC assist wait"},
    "GC background sweeper wait": {"GC sweep wait"},
    "wait until GC ends": {"wait for GC cycle"},
    "GC weak to strong wait": {"GC weak to strong wait"},
    "preempted": {"preempted"},
    "wait for debug call": {"wait for debug call"},
    "": {"preempted", "GC worker (idle)", "force gc (idle)", "finalizer wait", "GC scavenge wait",
         "GC sweep wait", "trace reader (blocked)", "panicwait", "select (no cases)",
         "chan receive (nil chan)", "chan send (nil chan)", "wait for GC cycle",
         "GC assist wait", "debug call", "wait for debug call"},
    "unspecified": {"panicwait", "GC worker (idle)"},
}

STATES = ("Running", "Runnable", "Syscall", "Waiting")


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


# ---------------------------------------------------------------- Go's side

EV = re.compile(r'^M=(-?\d+) P=(-?\d+) G=(-?\d+) (\w+) Time=(-?\d+)(.*)$')
GOTR = re.compile(r' GoID=(\d+) (\w+)->(\w+) Reason="((?:[^"\\]|\\.)*)"')


class GoTrace:
    """Go's execution trace as Go's parser gives it: per goroutine, its transitions
    [(t, old, new, reason, by)] in order (by: the goroutine the event happened on, or
    -1), and the span of time the tracer was on."""

    def __init__(self, text):
        self.tr = {}
        self.t0 = self.t1 = None
        self.p_switches = 0
        last = None         # the transition whose stack may follow
        for line in text.splitlines():
            m = EV.match(line)
            if not m:
                if last is not None and line.startswith(("\truntime.startTheWorld",
                                                          "\truntime.StopTrace")):
                    last[5] = True
                continue
            last = None
            t = int(m.group(5))
            self.t0 = t if self.t0 is None else min(self.t0, t)
            self.t1 = t if self.t1 is None else max(self.t1, t)
            if m.group(4) != "StateTransition":
                continue
            g = GOTR.match(m.group(6))
            if not g:
                continue            # a P's transition
            goid = int(g.group(1))
            last = [t, g.group(2), g.group(3), g.group(4).encode().decode("unicode_escape"),
                    int(m.group(3)), False]
            self.tr.setdefault(goid, []).append(last)
        check(self.tr, "no goroutine transitions in Go's trace")
        # When GOMAXPROCS takes away the P of the goroutine that starts the world again,
        # Go's tracer writes a Gosched and a GoStart for it "to keep the trace consistent"
        # (runtime.procresize); on Go <= 1.21 it also writes a Gosched for the goroutine
        # that stops it (runtime.StopTrace). The goroutine never leaves _Grunning, so gotl
        # shows no transition: these are the tracer's, not the goroutine's, not counted.
        for goid, trs in self.tr.items():
            keep = []
            for i, x in enumerate(trs):
                if x[5] is True and x[1] == "Running" and x[2] == "Runnable" and \
                        x[3] == "runtime.Gosched":
                    if i + 1 < len(trs) and trs[i + 1][1] == "Runnable" and \
                            trs[i + 1][2] == "Running":
                        trs[i + 1][5] = "drop"
                    self.p_switches += 1
                    continue
                if x[5] != "drop":
                    keep.append(tuple(x[:5]))
            self.tr[goid] = keep
        self.lostp_exits = 0

    def drop_lostp_exits(self):
        """Go <= 1.25: a goroutine leaves a syscall whose P was taken and gets one at once
        (exitsyscallfast) while its status stays _Gsyscall, then goes _Grunning
        (casgstatus); the tracer writes that as Syscall -> Runnable and, at once,
        Runnable -> Running (GoSysExit(lostP) and GoStart in exitsyscall). The goroutine
        never is Runnable: such a pair is the tracer's, not counted. (Go 1.26+ marks it
        running before it has a P, and gotl shows that wait as Runnable: counted.)"""
        for goid, trs in self.tr.items():
            keep, i = [], 0
            while i < len(trs):
                x = trs[i]
                if x[1] == "Syscall" and x[2] == "Runnable" and i + 1 < len(trs) and \
                        trs[i + 1][1] == "Runnable" and trs[i + 1][2] == "Running" and \
                        trs[i + 1][0] - x[0] <= 5000:
                    keep.append((x[0], "Syscall", "Running", "", x[4]))
                    self.lostp_exits += 1
                    i += 2
                    continue
                keep.append(x)
                i += 1
            self.tr[goid] = keep


def parse_go_trace(parser_go, path):
    r = run([parser_go, "tool", "trace", "-d=parsed", path],
            env=toolchains.go_env(toolchains.go_version(parser_go)), timeout=300)
    check(r.returncode == 0, "go tool trace -d=parsed %s: %s" % (path, r.stderr.decode()[-800:]))
    return GoTrace(r.stdout.decode(errors="replace"))


# ---------------------------------------------------------------- gotl's side

def state_of(name):
    """(state, reason) of a gotl span name."""
    if name in ("Running", "Runnable", "Syscall"):
        return name, ""
    return "Waiting", name


class Gotl:
    """gotl's trace (its trace-event JSON, decoded and checked by jsontrace into the
    shape tracemodel reads): per goroutine, its spans [(t_mono, state, reason, slice)]."""

    def __init__(self, trace):
        doc = jsontrace.load(trace)
        jsontrace.check_doc(doc)
        self.model = Model(jsontrace.model(doc))
        # JSON times count from the recording's start, whose MONOTONIC time it says.
        # (jsontrace gives BOOTTIME, as the protobuf trace has: the recording's start in
        # both clocks is in the metadata.)
        md = doc["metadata"]
        check(isinstance(md.get("gotl.ts0_monotonic_ns"), int) and
              isinstance(md.get("gotl.ts0_boottime_ns"), int),
              "no gotl.ts0_monotonic_ns / gotl.ts0_boottime_ns in gotl's trace")
        self.boot2mono = md["gotl.ts0_monotonic_ns"] - md["gotl.ts0_boottime_ns"]
        self.spans = {}
        for goid in self.model.by_goid:
            self.spans[goid] = [(s["ts"] + self.boot2mono,) + state_of(s["name"]) + (s,)
                                for s in self.model.states(goid)]
        self.starts = {g: [x[0] for x in v] for g, v in self.spans.items()}
        self.flows = {}
        for f in self.model.m["flows"]:
            src, dst = self.model.refs[f["from"]], self.model.refs[f["to"]]
            self.flows.setdefault(dst.get("ref"), []).append(src)

    def flow_from(self, dst_slice, name, goid):
        """Is there a `name` flow into dst_slice from goroutine goid's track?"""
        want = self.model.by_goid.get(goid)
        return any(s["name"] == name and want is not None and s["track"] == want["uuid"]
                   for s in self.flows.get(dst_slice.get("ref"), []))


# ---------------------------------------------------------------- comparison

class Clock:
    """Go's trace time -> gotl's (CLOCK_MONOTONIC ns): identity on Go 1.22+, fitted on
    older releases (v1 traces count CPU ticks)."""

    def __init__(self, rate=1.0, offset=0.0):
        self.rate, self.offset = rate, offset

    def __call__(self, t):
        return self.rate * t + self.offset

    def __str__(self):
        return "rate %.7f offset %+.0f" % (self.rate, self.offset)


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if xs else 0


def fit_clock(go, gl):
    """A v1 trace's clock from the creations both saw: the median offset first, then a
    least-squares line through the creations that offset puts within 1 ms."""
    pairs = []
    for goid, trs in go.tr.items():
        if goid in gl.spans and trs[0][1] == "NotExist":
            pairs.append((trs[0][0], gl.spans[goid][0][0]))
    check(len(pairs) >= 2, "too few goroutine creations (%d) to align the v1 clock"
          % len(pairs))
    clock = line(pairs, Clock(1.0, median([b - a for a, b in pairs])), 1e6)
    # Then the same through every transition's nearest gotl span of its state, closer
    # each time: two numbers fitted to thousands of points, they cannot make a match.
    for within in (1e6, 300e3):
        pairs = []
        for goid, trs in go.tr.items():
            spans, starts = gl.spans.get(goid), gl.starts.get(goid)
            for t, old, new, reason, _ in (trs if spans else ()):
                if old in ("Undetermined", new) or new not in STATES:
                    continue
                tt = clock(t)
                lo = bisect.bisect_left(starts, tt - within)
                near = [spans[k][0] for k in range(lo, bisect.bisect_right(starts, tt + within))
                        if same_state(new, reason, spans[k])]
                if near:
                    pairs.append((t, min(near, key=lambda x: abs(x - tt))))
        clock = line(pairs, clock, within)
    return clock


def line(pairs, clock, within):
    """The least-squares line through the pairs that clock puts within `within`."""
    near = [(a, b) for a, b in pairs if abs(b - clock(a)) < within]
    if len(near) < 2 or max(a for a, _ in near) - min(a for a, _ in near) < 1e6:
        return clock
    n = len(near)
    ma, mb = sum(a for a, _ in near) / n, sum(b for _, b in near) / n
    var = sum((a - ma) ** 2 for a, _ in near)
    rate = sum((a - ma) * (b - mb) for a, b in near) / var
    return Clock(rate, mb - rate * ma)


def reason_ok(go_reason, gotl_reason):
    return gotl_reason in WAIT_REASONS.get(go_reason, ())


def same_state(new, reason, span):
    if span[1] != new:
        return False
    return new != "Waiting" or reason_ok(reason, span[2])


class Figures:
    def __init__(self):
        self.n = {"spawn": [0, 0], "wake": [0, 0], "transitions": [0, 0]}
        self.misses = {k: [] for k in self.n}

    def count(self, fig, ok, why=None):
        self.n[fig][1] += 1
        if ok:
            self.n[fig][0] += 1
        elif why is not None:
            self.misses[fig].append(why)

    def add(self, other):
        for k, (m, t) in other.n.items():
            self.n[k][0] += m
            self.n[k][1] += t

    def pct(self, fig):
        m, t = self.n[fig]
        return 100.0 * m / t if t else 100.0

    def line(self):
        return "  ".join("%s %d/%d %.2f%%" % (k, m, t, self.pct(k))
                         for k, (m, t) in self.n.items())


def around(gl, goid, t, n=3):
    """gotl's spans of goid around time t, for a miss report."""
    v = gl.spans.get(goid, [])
    i = bisect.bisect_left(gl.starts.get(goid, []), t)
    return ", ".join("%s@%+.1fus" % (x[2] or x[1], (x[0] - t) / 1000.0)
                     for x in v[max(0, i - n):i + n])


def in_order(want):
    """The most Go transitions that can each have a gotl span of their own among their
    candidates, in order: a longest increasing subsequence over (transition, span) pairs.
    Returns the indexes of the transitions in one such matching."""
    tails, tail_pair, pred = [], [], {}
    for i, (_, cands) in enumerate(want):
        for k in sorted(cands, reverse=True):   # one span per transition at most
            n = bisect.bisect_left(tails, k)
            pred[(i, k)] = tail_pair[n - 1] if n else None
            if n == len(tails):
                tails.append(k)
                tail_pair.append((i, k))
            else:
                tails[n] = k
                tail_pair[n] = (i, k)
    out, p = set(), tail_pair[-1] if tail_pair else None
    while p is not None:
        out.add(p[0])
        p = pred[p]
    return out


def compare(go, gl, clock, v1):
    """The three figures of one run."""
    f = Figures()
    for goid in sorted(go.tr):
        trs = go.tr[goid]
        have = goid in gl.spans
        # spawn
        if trs[0][1] == "NotExist":
            t, _, _, _, by = trs[0]
            if not have:
                f.count("spawn", False, "G%d (created by G%d at %d): no gotl track"
                        % (goid, by, t))
            else:
                first = gl.spans[goid][0][3]
                parent = first["args"].get("parent_goid") or -1
                arrow = by < 0 or gl.flow_from(first, "GoCreate", by)
                f.count("spawn", parent == by and arrow,
                        "G%d: Go says created by G%d, gotl parent_goid %s%s" %
                        (goid, by, parent, "" if arrow else ", no GoCreate arrow from it"))
        else:
            f.count("spawn", have, "G%d (there when Go's tracer started): no gotl track"
                    % goid)
        if not have:
            for t, old, new, reason, by in trs:
                if old != "Undetermined" and new in STATES:
                    f.count("transitions", False)
                if old == "Waiting" and new == "Runnable" and by >= 0 and by != goid:
                    f.count("wake", False)
            continue
        spans, starts = gl.spans[goid], gl.starts[goid]
        want = []           # (Go transition, its gotl candidates)
        prev = None
        for t, old, new, reason, by in trs:
            tt = clock(t)
            synthetic = v1 and old == "Syscall" and new == "Running" and prev is not None \
                and prev[1] == "Running" and prev[2] == "Syscall" and t - prev[0] <= 1
            prev = (t, old, new)
            lo = bisect.bisect_left(starts, tt - TOL)
            near = range(lo, bisect.bisect_right(starts, tt + TOL))
            # wake
            if old == "Waiting" and new == "Runnable" and by >= 0 and by != goid:
                hit = [spans[k] for k in near if spans[k][1] == "Runnable"]
                ok = any(s[3]["args"].get("woken_by") == by and
                         gl.flow_from(s[3], "GoUnblock", by) for s in hit)
                f.count("wake", ok, "G%d woken by G%d at %d: gotl %s" % (
                    goid, by, t, "; ".join("Runnable woken_by %s" % s[3]["args"].get("woken_by")
                                           for s in hit) or "no Runnable span near: " +
                    around(gl, goid, tt)))
            # transitions
            if old in ("Undetermined", new) or new not in STATES or synthetic:
                continue
            want.append(((t, old, new, reason), [k for k in near
                                                  if same_state(new, reason, spans[k])]))
        matched = in_order(want)
        for i, ((t, old, new, reason), _) in enumerate(want):
            f.count("transitions", i in matched, "G%d %s->%s%s at %d: gotl %s" % (
                goid, old, new, " (%s)" % reason if reason else "", t,
                around(gl, goid, clock(t))))
    return f


# ---------------------------------------------------------------- building and running

def goroot(gobin):
    r = run([gobin, "env", "GOROOT"], env=toolchains.go_env(toolchains.go_version(gobin)))
    check(r.returncode == 0, "%s env GOROOT failed" % gobin)
    return r.stdout.decode().strip()


def build(label, gobin, name, out):
    """The program's binary and the directory to run it in."""
    kind, what, _, _ = PROGRAMS[name]
    version = toolchains.go_version(gobin)
    env = toolchains.go_env(version, {"CGO_ENABLED": "0"}, out)
    safe = name.replace("/", "_")
    if kind == "sample":
        binary = os.path.join(out, label, safe)
        os.makedirs(os.path.dirname(binary), exist_ok=True)
        r = run([gobin, "build", "-o", binary, "./" + what], cwd=os.path.join(ROOT, "samples"),
                env=env, timeout=600)
        check(r.returncode == 0, "go build %s: %s" % (what, r.stderr.decode()[-800:]))
        return binary, os.path.join(ROOT, "samples")
    # Test binaries of a release's standard library (or of a pinned module) never
    # change: built once into the cache.
    binary = os.path.join(CACHE, version, safe + ".test")
    if kind == "std":
        cwd = os.path.join(goroot(gobin), "src", what)
    else:
        mod = os.path.join(CACHE, version, "mod")
        cwd = None
    if not os.access(binary, os.X_OK):
        os.makedirs(os.path.dirname(binary), exist_ok=True)
        tmp = binary + ".tmp"
        if kind == "std":
            r = run([gobin, "test", "-c", "-o", tmp, what], cwd=cwd, env=env, timeout=900)
        else:
            os.makedirs(mod, exist_ok=True)
            with open(os.path.join(mod, "go.mod"), "w") as f:
                f.write("module fidelity\n")
            r = run([gobin, "get", "%s@%s" % XSYNC], cwd=mod, env=env, timeout=600)
            if r.returncode == 0:
                r = run([gobin, "test", "-c", "-o", tmp, what], cwd=mod, env=env, timeout=900)
        check(r.returncode == 0, "go test -c %s: %s" % (what, r.stderr.decode()[-800:]))
        os.rename(tmp, binary)
    if kind == "module":
        r = run([gobin, "list", "-f", "{{.Dir}}", what], cwd=os.path.join(CACHE, version, "mod"),
                env=env)
        check(r.returncode == 0, "go list %s: %s" % (what, r.stderr.decode()[-400:]))
        cwd = r.stdout.decode().strip()
    return binary, cwd


def record(gotl, binary, cwd, args, base):
    trace, gotrace, raw = base + ".json", base + ".gotrace", base + ".gotl"
    for p in (trace, gotrace, raw):
        if os.path.exists(p):
            os.unlink(p)
    argv = [a.replace("{trace}", gotrace) for a in args]
    if binary.endswith(".test"):
        argv += ["-test.trace", gotrace, "-test.count", "1", "-test.timeout", "120s",
                 "-test.v"]
    r = run([gotl, "record", "--no-progress", "-o", trace, "-r", raw, "--", binary] + argv,
            cwd=cwd, timeout=300)
    check(r.returncode == 0, "gotl record %s exited %d: %s%s" % (
        os.path.basename(binary), r.returncode, r.stdout.decode(errors="replace")[-600:],
        r.stderr.decode(errors="replace")[-600:]))
    if binary.endswith(".test"):
        ran = r.stdout.count(b"--- PASS")
        check(ran > 0, "%s ran no test" % binary)
    check(os.path.getsize(gotrace) > 0, "Go's tracer wrote nothing")
    return trace, gotrace


def one(gotl, parser_go, label, gobin, name, out, verbose):
    t0 = time.time()
    binary, cwd = build(label, gobin, name, out)
    base = os.path.join(out, label, name.replace("/", "_"))
    os.makedirs(os.path.dirname(base), exist_ok=True)
    trace, gotrace = record(gotl, binary, cwd, PROGRAMS[name][2], base)
    go = parse_go_trace(parser_go, gotrace)
    gl = Gotl(trace)
    minor = toolchains.minor_of(toolchains.go_version(gobin))
    v1 = minor <= 21
    if minor <= 25:
        go.drop_lostp_exits()
    clock = fit_clock(go, gl) if v1 else Clock()
    f = compare(go, gl, clock, v1)
    f.p_switches, f.lostp_exits = go.p_switches, go.lostp_exits
    return f, clock, time.time() - t0


def releases(wanted):
    """[(label, go path)]: --go ones, or every minor from 1.17 to the newest."""
    if wanted:
        return [(l, os.path.abspath(p)) for l, p in (w.split("=", 1) for w in wanted)]
    tcs, _ = toolchains.matrix_toolchains("full")
    return [(label, path) for label, path, _ in tcs]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gotl", default=os.path.join(ROOT, "gotl"))
    ap.add_argument("--go", action="append", help="LABEL=PATH (repeatable); default: every "
                    "release from 1.17 to the newest")
    ap.add_argument("--programs", help="comma-separated, of: " + ",".join(PROGRAMS))
    ap.add_argument("--threshold", type=float, default=99.5)
    ap.add_argument("--program-threshold", type=float, default=98.0)
    ap.add_argument("--misses", type=int, default=5, help="misses to print per figure")
    ap.add_argument("--out", default=os.path.join(ROOT, ".output", "e2e-fidelity"))
    ap.add_argument("--keep", action="store_true", help="keep the traces")
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("FAIL: run_fidelity.py needs root", file=sys.stderr)
        return 1
    gotl = os.path.abspath(a.gotl)
    rel = releases(a.go)
    missing = [l for l, p in rel if not p or not os.access(p, os.X_OK)]
    if missing:
        print("FAIL: no toolchain for %s" % ", ".join(missing), file=sys.stderr)
        return 1
    # Go's newest parser reads every trace format (-d=parsed: Go 1.23+; the machine's 1.26
    # is one).
    parser_go = max([p for _, p in rel] + [toolchains.GO126],
                    key=lambda p: toolchains.minor_of(toolchains.go_version(p)))
    names = a.programs.split(",") if a.programs else list(PROGRAMS)
    bad = [n for n in names if n not in PROGRAMS]
    if bad:
        print("run_fidelity.py: no program %s" % ", ".join(bad), file=sys.stderr)
        return 2
    os.makedirs(a.out, exist_ok=True)
    t_all, failed, cells = time.time(), 0, 0
    for label, gobin in rel:
        minor = toolchains.minor_of(toolchains.go_version(gobin))
        total = Figures()
        ok_release = True
        for name in names:
            if minor < PROGRAMS[name][3]:
                continue
            cells += 1
            # A gotl bug misses the same transitions run after run; the machine's misses
            # do not repeat: a program below its threshold runs once more, and fails if
            # that run is below it too.
            for attempt in (1, 2):
                try:
                    f, clock, secs = one(gotl, parser_go, label, gobin, name, a.out, a.misses)
                except (Failure, subprocess.TimeoutExpired, OSError) as ex:
                    print("FAIL go%-5s %-9s %s" % (label, name, str(ex)[:1500]), flush=True)
                    f = None
                    break
                # Below --program-threshold with 3 misses or more (one miss in a program
                # of 60 transitions is not a trend).
                low = [k for k in f.n if f.pct(k) < a.program_threshold and
                       f.n[k][1] - f.n[k][0] >= 3]
                notes = ["%.1f s" % secs]
                if f.p_switches:
                    notes.append("%d tracer Gosched not counted" % f.p_switches)
                if f.lostp_exits:
                    notes.append("%d tracer P-lost syscall exits counted as Syscall -> "
                                 "Running" % f.lostp_exits)
                if minor <= 21:
                    notes.append("clock %s" % clock)
                if attempt == 2:
                    notes.append("second run")
                verdict = "FAIL" if low and attempt == 2 else "low " if low else "ok  "
                print("%s go%-5s %-9s %s  (%s)" % (verdict, label, name, f.line(),
                                                   ", ".join(notes)), flush=True)
                for k, ms in f.misses.items():
                    for m in ms[:a.misses]:
                        print("       miss %-11s %s" % (k, m))
                    if len(ms) > a.misses:
                        print("       miss %-11s ... %d more" % (k, len(ms) - a.misses))
                if not low:
                    break
            if f is None or low:
                failed += 1
                ok_release = False
            if f is None:
                continue
            total.add(f)
        short = [k for k in total.n if total.pct(k) < a.threshold]
        print("%s go%-5s %-9s %s" % ("FAIL" if short else "ok  ", label, "all", total.line()),
              flush=True)
        if short and ok_release:
            failed += 1
    if not a.keep:
        for label, _ in rel:
            shutil.rmtree(os.path.join(a.out, label), ignore_errors=True)
    print("fidelity: %d passed, %d failed (%d runs, %.0f s)" % (
        max(cells - failed, 0), failed, cells, time.time() - t_all))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
