#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""End-to-end tests: real Go toolchains, real uprobes, real Perfetto traces.

For each Go toolchain, binary shape and sample in samples/: build it, run it once
without gotl (to know what it does on its own), record it with
`gotl record`, and check
  - gotl passed the program's exit status and stdout through unchanged;
  - ../shared/tools/pfcheck finds 0 errors and 0 warnings in the trace;
  - the trace agrees with the ground truth the sample printed about itself
    (its goroutine ids, what they blocked on, who created whom, ...);
  - `gotl convert` of the raw log gives the same trace byte for byte, and a
    log cut in the middle still converts into a valid trace;
  - `gotl convert -o X.json` of the raw log is valid trace-event JSON
    (tests/e2e/jsontrace.py) that passes the same checks against the ground
    truth and tells the same story as the protobuf trace; `gotl record -f json`
    too (case json-record).

Needs root (BPF). It fails, never skips, when root or a toolchain is
missing.

  run_e2e.py [--go LABEL=PATH]... [--shapes S,...]   the given toolchains and shapes
  run_e2e.py --matrix ci|full [--readme]              a version x shape matrix
             (ci: 1.19 1.21 1.23 1.25 1.26 and the newest release, default,
             stripped and PIE, plus cgo and static on the newest; full: every
             minor from 1.17, every shape), printed as a table at the end;
             --readme also writes the table into README.md.
"""
import argparse
import datetime
import importlib.machinery
import importlib.util
import json
import os
import pty
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOINSPECT = os.path.join(os.path.dirname(ROOT), "shared", "tools", "goinspect")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jsontrace  # noqa: E402
import toolchains  # noqa: E402
import tpq  # noqa: E402
from tracemodel import (Failure, Model, PFCHECK, check, check_held_at_exec,  # noqa: E402
                        check_threads, check_tracks, pfcheck, processes, status_of,
                        trace_metadata)

DEFAULT_GOS = ["1.26=" + toolchains.GO126, "1.19=" + toolchains.GO119]

# Binary shapes: (environment, go build flags).
SHAPES = {
    "default": ({}, []),
    "stripped": ({}, ["-ldflags=-s -w"]),
    "pie": ({}, ["-buildmode=pie"]),
    "pie-stripped": ({}, ["-buildmode=pie", "-ldflags=-s -w"]),
    "cgo": ({"CGO_ENABLED": "1"}, ["-ldflags=-linkmode=external"]),
    "cgo-pie-stripped": ({"CGO_ENABLED": "1"}, ["-buildmode=pie",
                                               "-ldflags=-s -w -linkmode=external"]),
    "static": ({"CGO_ENABLED": "0"}, []),
    "trimpath": ({}, ["-trimpath"]),
}


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def truth_of(stdout):
    lines = [l for l in stdout.decode(errors="replace").splitlines() if l.strip()]
    check(lines and lines[-1].startswith("gotl-truth "), "no gotl-truth line at the end of stdout")
    return json.loads(lines[-1][len("gotl-truth "):])


# ---------------------------------------------------------------- generic checks

def check_generic(model, pid):
    procs = [t for t in model.m["tracks"] if t["kind"] == "process"]
    check(len(procs) == 1 and procs[0].get("pid") == pid,
          "want one process track with pid %d, got %s" % (pid, procs))
    counters = {t.get("name") for t in model.m["tracks"] if t["kind"] == "counter"}
    for c in ("Goroutines alive", "Goroutines runnable", "Goroutines blocked"):
        check(c in counters, "no counter track %r" % c)
    check(1 in model.by_goid, "no track for goroutine 1")
    check(model.track(1)["name"] == "G1 runtime.main", "G1 is named %r" % model.track(1)["name"])
    check_tracks(model)
    check_threads(model)
    check_runtime_group(model)
    # Allocations (when recorded): what the goroutines' Running slices carry is part of
    # what the heap counter says was allocated.
    heap = [t["uuid"] for t in model.m["tracks"] if t.get("name") == "Heap allocated"]
    if heap:
        top = max(c["value"] for c in model.m["counters"] if c["track"] == heap[0])
        mine = sum(s["args"].get("alloc_bytes", 0) for v in model.slices.values() for s in v)
        check(0 < mine <= top, "goroutines allocated %d bytes, the heap counter says %d"
              % (mine, top))
    # The main goroutine runs on the main thread first, whose tid is the pid.
    first_run = [s for s in model.states(1) if s["name"] == "Running"][0]
    check(first_run["args"]["thread"] == pid, "G1 first ran on thread %s, not %d"
          % (first_run["args"]["thread"], pid))


# Start functions in package runtime that run the program's code (Go's isSystemGoroutine).
PROGRAM_STARTS = ("runtime.main", "runtime.corostart", "runtime.handleAsyncEvent")


def check_runtime_group(model):
    """The runtime's own goroutines (as go tool trace tells them: start function in package
    runtime, but those running the program's code) are under "Runtime goroutines", a group in
    "Goroutines"; the program's are not (protobuf: JSON has no groups)."""
    if model.m.get("format") == "json":
        return
    groups = [t for t in model.m["tracks"] if t.get("name") == "Runtime goroutines" and
              model.root_of(t) == model.process]
    check(len(groups) <= 1, "%d Runtime goroutines groups" % len(groups))
    for goid, t in model.by_goid.items():
        fn = t["name"].split(" ", 1)[1] if " " in t["name"] else ""
        runtime = fn.startswith("runtime.") and fn not in PROGRAM_STARTS
        up, x = [], t
        while x.get("parent") in model.tracks and len(up) < 8:
            x = model.tracks[x["parent"]]
            up.append(x)
        check(runtime == any(a is g for a in up for g in groups),
              "%s is %sunder Runtime goroutines" % (t["name"], "not " if runtime else ""))
    if groups:
        top = model.tracks[groups[0]["parent"]]
        check(top.get("name") == "Goroutines", "Runtime goroutines is in %r" % top.get("name"))


def clock_readings():
    return {c: time.clock_gettime_ns(getattr(time, "CLOCK_" + c))
            for c in ("BOOTTIME", "MONOTONIC", "REALTIME")}


def check_metadata(trace, model, binary, args, before, after):
    """The trace says where, when and how it was recorded (checked with tracemodel's own
    wire decoder), and its clock is BOOTTIME, linked to MONOTONIC and REALTIME by one
    snapshot that agrees with the clocks this script read around the recording."""
    attrs, snaps, first = trace_metadata(trace)
    check(first == "clock_snapshot", "the first packet is %s, not the clock snapshot" % first)
    # The second declares the default clock, BOOTTIME as deltas from 0 (convert/pftrace.c).
    check(len(snaps) == 2 and snaps[1]["clocks"] == {6: 0, 64: 0} and
          snaps[1]["primary"] is None, "clock snapshots %s" % snaps)
    snap = snaps[0]
    check(snap["primary"] == 6, "primary trace clock %r, not BOOTTIME (6)" % snap["primary"])
    boot, mono, real = snap["clocks"].get(6), snap["clocks"].get(3), snap["clocks"].get(1)
    check(boot and mono and real, "snapshot clocks %s: want BOOTTIME, MONOTONIC, REALTIME"
          % sorted(snap["clocks"]))
    check(before["BOOTTIME"] <= boot <= after["BOOTTIME"], "snapshot BOOTTIME %d not within "
          "the recording [%d, %d]" % (boot, before["BOOTTIME"], after["BOOTTIME"]))
    for name, v in (("MONOTONIC", mono), ("REALTIME", real)):
        # Each clock's offset from BOOTTIME, as the snapshot says and as read here (it
        # moves only if the machine suspends or the wall clock is stepped: allow 50 ms).
        ours = after[name] - after["BOOTTIME"]
        check(abs((v - boot) - ours) < 50000000, "snapshot %s - BOOTTIME = %d, here %d"
              % (name, v - boot, ours))
    first_ts = min((s["ts"] for s in model.m["slices"]), default=boot)
    last_ts = max((s["ts"] + s["dur"] for s in model.m["slices"]), default=boot)
    check(boot <= first_ts and last_ts <= after["BOOTTIME"], "slices [%d, %d] outside the "
          "recording [%d, %d]" % (first_ts, last_ts, boot, after["BOOTTIME"]))
    check(attrs.get("go.binary") == binary, "go.binary %r" % attrs.get("go.binary"))
    check(attrs.get("gotl.command") == binary, "gotl.command %r" % attrs.get("gotl.command"))
    check(attrs.get("host.kernel", "").startswith("Linux %s " % os.uname().release),
          "host.kernel %r" % attrs.get("host.kernel"))
    if "--no-hostname" in args:
        check("host.name" not in attrs, "host.name %r with --no-hostname" % attrs.get("host.name"))
        # (A short name like "vm" could be any two bytes of a trace.)
        check(len(socket.gethostname()) < 6 or
              socket.gethostname().encode() not in open(trace, "rb").read(),
              "the host name is in the trace despite --no-hostname")
    else:
        check(attrs.get("host.name") == socket.gethostname(), "host.name %r, want %r"
              % (attrs.get("host.name"), socket.gethostname()))
    opts = attrs.get("gotl.options", "")
    for a in args:
        if a == "--alloc-counters":
            continue            # how to convert, not how it was recorded
        check(a.replace("=", " ") in opts, "gotl.options %r lacks %r" % (opts, a))
    start = attrs.get("gotl.start_time", "")
    try:
        t = datetime.datetime.strptime(start, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=datetime.timezone.utc).timestamp() * 1e9
    except ValueError:
        t = 0
    check(before["REALTIME"] - 1e6 <= t <= after["REALTIME"], "gotl.start_time %r not within "
          "the recording" % start)
    check(attrs.get("gotl.version"), "no gotl.version")


def last(model, goid):
    return model.states(goid)[-1]


def check_blocked_at_end(model, goid, reason, long_lived=False):
    """goid's last span: blocked in reason to the end, marked still blocked (what a leak
    looks like) or, long_lived, marked long-lived instead (record -p)."""
    s = last(model, goid)
    check(s["name"] == reason, "G%d ends in %r, want %r" % (goid, s["name"], reason))
    mark, other = (("long_lived", "still_blocked_at_end") if long_lived else
                   ("still_blocked_at_end", "long_lived"))
    check(s["args"].get(mark) is True and other not in s["args"], "G%d: %r not marked %s: %s"
          % (goid, reason, mark, s["args"]))
    check(s["args"].get("wait_reason") == reason, "G%d: wait_reason arg %r"
          % (goid, s["args"].get("wait_reason")))
    check(s["ts"] + s["dur"] == model.end, "G%d: blocked slice does not reach the end" % goid)


def check_exited(model, goid):
    s = last(model, goid)
    check(not s["args"].get("open_at_end"), "G%d still alive at the end (%r)" % (goid, s["name"]))


def check_created_by(model, child, parent, go_file=None, go_line=None):
    first = model.states(child)[0]
    check(first["name"] == "Runnable", "G%d starts %r, not Runnable" % (child, first["name"]))
    check(first["args"].get("parent_goid") == parent, "G%d parent_goid %r, want %d"
          % (child, first["args"].get("parent_goid"), parent))
    flows = [f for f in model.flows_into(child) if f[2] is first]
    check(len(flows) == 1 and flows[0][0] == parent and flows[0][1]["name"] == "GoCreate",
          "G%d: want one GoCreate flow from G%d into its first slice, got %s"
          % (child, parent, [(f[0], f[1]["name"]) for f in flows]))
    check(flows[0][1]["ts"] == first["ts"], "G%d: spawn flow leaves its parent at another time"
          % child)
    if go_file:
        site = first["args"].get("created_at", "")
        check(site.endswith("%s:%d" % (go_file, go_line)), "G%d created_at %r, want ...%s:%d"
              % (child, site, go_file, go_line))


def has_state(model, goid, name):
    return any(s["name"] == name for s in model.states(goid))


def wake_sources(model, goid):
    return [f[0] for f in model.flows_into(goid) if f[1]["name"] == "GoUnblock"]


# ---------------------------------------------------------------- per sample

def s_leaky(model, t, ctx):
    for w in t["workers"]:
        check_created_by(model, w, t["gather_goid"], t["go_file"], t["go_line"])
        # Go 1.22+ records which closure a `go func(i int){...}(i)` wrapper calls;
        # before, the track keeps the wrapper's name (main.Gather·dwrap·1 on 1.17).
        if ctx["minor"] >= 22:
            want = "G%d main.Gather.func1" % w
        elif ctx["minor"] >= 18:
            want = "G%d main.Gather.func" % w
        else:
            want = "G%d main.Gather·dwrap·" % w
        check(model.track(w)["name"].startswith(want),
              "worker track named %r, want %r" % (model.track(w)["name"], want))
    for g in t["leaked"]:
        check_blocked_at_end(model, g, t["wait_reason"])
    check_exited(model, t["winner"])
    check(len(t["leaked"]) == len(t["workers"]) - 1 >= 3, "the sample leaked %d goroutines of %d"
          % (len(t["leaked"]), len(t["workers"])))


def s_gather_fixed(model, t, ctx):
    for w in t["workers"]:
        check_created_by(model, w, t["gather_goid"], t["go_file"], t["go_line"])
        check_exited(model, w)
    check(t["leaked"] == [], "fixed gather leaked")


def s_mutex(model, t, ctx):
    blocked = [w for w in t["workers"] if has_state(model, w, t["wait_reason"])]
    check(blocked, "no worker ever blocked on %r" % t["wait_reason"])
    woken = [w for w in blocked if set(wake_sources(model, w)) & set(t["workers"])]
    check(woken, "no worker was woken by another worker's Unlock")
    for w in t["workers"]:
        check_created_by(model, w, t["main_goid"])
        check_exited(model, w)


def s_pipeline(model, t, ctx):
    g, sq, sk = t["generator_goid"], t["square_goid"], t["sink_goid"]
    check(has_state(model, sq, "chan receive"), "square never waited to receive")
    check(has_state(model, sk, "chan receive"), "sink never waited to receive")
    pairs = set()
    for a, b in ((g, sq), (sq, g), (sq, sk), (sk, sq)):
        if a in wake_sources(model, b):
            pairs.add((a, b))
    check({(g, sq), (sq, g)} & pairs, "no wake-up between generator and square")
    check({(sq, sk), (sk, sq)} & pairs, "no wake-up between square and sink")
    for x in (g, sq, sk):
        check_exited(model, x)


def s_sleep(model, t, ctx):
    for s in t["sleepers"]:
        sl = [x for x in model.states(s["goid"]) if x["name"] == "sleep"]
        check(sl, "G%d has no sleep slice" % s["goid"])
        # time.Sleep computes its deadline before parking, so the parked span is a
        # few microseconds shorter than the request: allow 2%.
        check(max(x["dur"] for x in sl) >= s["ms"] * 1000000 * 0.98,
              "G%d slept %d ns, asked %d ms" % (s["goid"], max(x["dur"] for x in sl), s["ms"]))
        check_exited(model, s["goid"])
        # One clock: the trace's timestamps are the CLOCK_BOOTTIME the program read.
        for x in sl:
            check(t["boottime_before_ns"] <= x["ts"] and
                  x["ts"] + x["dur"] <= t["boottime_after_ns"],
                  "G%d's sleep [%d, %d] is not within the program's CLOCK_BOOTTIME readings "
                  "[%d, %d]" % (s["goid"], x["ts"], x["ts"] + x["dur"], t["boottime_before_ns"],
                                t["boottime_after_ns"]))


def s_echo(model, t, ctx):
    check(has_state(model, t["server_goid"], "IO wait"), "the accept loop never waited on IO")
    check(has_state(model, t["handler_goid"], "IO wait"), "the handler never waited on IO")
    check(has_state(model, t["client_goid"], "Syscall"), "the client made no syscalls")
    check(has_state(model, t["handler_goid"], "Syscall"), "the handler made no syscalls")
    check_created_by(model, t["handler_goid"], t["server_goid"])


def s_exitcode(model, t, ctx):
    check_blocked_at_end(model, t["blocked_goid"], t["wait_reason"])


def s_panicker(model, t, ctx):
    s = last(model, t["panic_goid"])
    check(s["args"].get("open_at_end"), "the panicking goroutine is not alive at the end")


def s_signal(model, t, ctx):
    check(t["worker_goid"] in model.by_goid, "no track for the worker")


def s_coro(model, t, ctx):
    if t.get("skip"):
        return
    c = t["coro_goid"]
    states = [s["name"] for s in model.states(c)]
    check(states.count("coroutine") >= t["values"], "G%d blocked in a coroutine switch %d times,"
          " want >= %d" % (c, states.count("coroutine"), t["values"]))
    check(states.count("Running") >= t["values"], "the coroutine ran %d times"
          % states.count("Running"))
    check(has_state(model, t["main_goid"], "coroutine"), "main never waited for the coroutine")
    handoffs = [f for f in model.flows_into(c) if f[0] == t["main_goid"]]
    check(len(handoffs) >= t["values"], "%d handoffs main -> coroutine" % len(handoffs))


def s_spawn(model, t, ctx):
    seen = set()
    for wave in t["waves"]:
        for g in wave:
            check(g not in seen, "goid %d in two waves" % g)
            seen.add(g)
            check_created_by(model, g, t["parents"][str(g)])
            check_exited(model, g)
    check(len(seen) == t["total"], "%d goroutines, want %d" % (len(seen), t["total"]))


def s_cgo(model, t, ctx):
    for g in t["callers"]:
        calls = [x["dur"] for x in model.states(g) if x["name"] == "Syscall"]
        check(calls and max(calls) >= t["call_us"] * 1000,
              "G%d: no Syscall span as long as its C call (%s)" % (g, calls))
        check_created_by(model, g, t["main_goid"])
        check_exited(model, g)
    runs = 0
    for g in t["callback_goids"]:
        check(model.track(g)["name"] == "G%d (cgo callback)" % g,
              "callback goroutine named %r" % model.track(g)["name"])
        states = model.states(g)
        check(all(x["args"].get("cgo_callback") for x in states), "G%d: not marked cgo" % g)
        runs += sum(1 for x in states if x["name"] == "Running")
    check(runs >= t["callbacks"], "%d Running spans for %d callbacks" % (runs, t["callbacks"]))
    calls = [x["dur"] for x in model.states(t["main_goid"]) if x["name"] == "Syscall"]
    check(calls and max(calls) >= 3 * 1000 * 1000, "main was not in C while the thread ran")


def s_pingpong(model, t, ctx):
    a, b = t["main_goid"], t["pong_goid"]
    # Each unbuffered handoff parks whichever side arrives first and the other
    # wakes it: two wake-ups per round, in whichever direction.
    ab = sum(1 for g in wake_sources(model, b) if g == a)
    ba = sum(1 for g in wake_sources(model, a) if g == b)
    check(ab + ba >= 2 * t["rounds"] - 2,
          "%d wake-ups main -> pong and %d back for %d rounds" % (ab, ba, t["rounds"]))
    check_created_by(model, b, a)


def check_leaked(model, g, t, what):
    """G<g> was created by main at the sample's go line and ends blocked at its block line."""
    check_created_by(model, g, t["main_goid"], t["go_file"], t["go_line"])
    check_blocked_at_end(model, g, t["wait_reason"])
    site = last(model, g)["args"].get("blocked_at", "")
    check(site.endswith("%s:%d" % (t["block_file"], t["block_line"])),
          "G%d blocked_at %r, want the %s line %d" % (g, site, what, t["block_line"]))


def s_workerpool(model, t, ctx):
    for w in t["workers"]:
        check_leaked(model, w, t, "range")


def s_lockleak(model, t, ctx):
    check_leaked(model, t["blocked_goid"], t, "Lock")


def s_sleeper(model, t, ctx):
    reasons = sorted(last(model, g)["name"] for g in t["waiter_goids"])
    check(reasons == ["IO wait", "sleep"], "the waiters end in %s" % reasons)


# ---------------------------------------------------------------- allocations and the GC

_classes = {}


def size_classes(gobin):
    """Go's size classes, read from the toolchain's own source (ground truth per version)."""
    if gobin not in _classes:
        v = toolchains.go_version(gobin)
        r = run([gobin, "env", "GOROOT"], env=toolchains.go_env(v, {}, None))
        root = r.stdout.decode().strip()
        for rel in ("src/internal/runtime/gc/sizeclasses.go", "src/runtime/sizeclasses.go"):
            path = os.path.join(root, rel)
            if os.path.exists(path):
                with open(path) as f:
                    m = re.search(r"var (?:class_to_size|SizeClassToSize) = "
                                  r"\[[^\]]*\]uint16\{([^}]*)\}", f.read())
                _classes[gobin] = [int(x) for x in m.group(1).split(",") if x.strip()]
                break
        check(gobin in _classes, "no sizeclasses.go under %s" % root)
    return _classes[gobin]


def heap_bytes(size, pointers, minor, classes):
    """What the runtime accounts for an allocation of size bytes (MemStats.TotalAlloc)."""
    if not pointers and size < 16:
        return size                     # tiny: shares a 16-byte block
    header = minor >= 22                # malloc headers
    if size > (32768 - 8 if header else 32768):
        return (size + 8191) // 8192 * 8192
    if header and pointers and size > 512:
        size += 8
    return min(c for c in classes if c >= size)


def allocated_types(model):
    """The trace's list of allocated types: name -> (count, bytes)."""
    tr = [t["uuid"] for t in model.m["tracks"]
          if (t.get("name") or "").startswith("Allocated types (")]
    check(len(tr) == 1, "want one 'Allocated types' track, got %d" % len(tr))
    out = {}
    for i in model.instants:
        if i["track"] == tr[0]:
            check(i["name"] not in out, "type %r listed twice" % i["name"])
            out[i["name"]] = (i["args"]["count"], i["args"]["bytes"])
    return out


def expected_types(t, minor, classes):
    """The sample's ground truth as name -> (count, heap bytes)."""
    want = {}
    for ty in t["types"]:
        want[ty["name"]] = (ty["count"], ty["count"] * heap_bytes(ty["size"], ty["pointers"], minor,
                                                                  classes))
    want[t["level_name"]] = (t["levels"], sum(heap_bytes(100 + i, False, minor, classes)
                                              for i in range(t["levels"])))
    want[t["string_class"]] = (t["strings"], t["strings"] * heap_bytes(t["string_size"], False,
                                                                      minor, classes))
    return want


def check_alloc_types(model, t, ctx):
    got, want = allocated_types(model), expected_types(t, ctx["minor"], ctx["classes"])
    for name, (count, nbytes) in want.items():
        check(name in got, "type %r not in the trace's list (%d types)" % (name, len(got)))
        check(got[name] == (count, nbytes), "%s: %d allocations of %d bytes in the trace, "
              "want %d of %d" % (name, got[name][0], got[name][1], count, nbytes))
    # Every allocation of the worker shows on its Running slices, and little else does.
    mine = sum(s["args"].get("alloc_bytes", 0) for s in model.states(t["alloc_goid"]))
    total = sum(b for _, b in want.values())
    check(total <= mine <= total + 16384, "G%d allocated %d bytes in its Running slices, want "
          "%d (+ at most 16 KiB of the sample's own bookkeeping)" % (t["alloc_goid"], mine, total))
    heap = [x["uuid"] for x in model.m["tracks"] if x.get("name") == "Heap allocated"]
    vals = [c["value"] for c in model.m["counters"] if heap and c["track"] == heap[0]]
    check(vals and max(vals) == sum(b for _, b in got.values()),
          "'Heap allocated' ends at %s, the types add up to %d"
          % (vals[-1:], sum(b for _, b in got.values())))
    return got


def check_gc(model, t, ctx):
    gc = [x["uuid"] for x in model.m["tracks"] if x.get("name") == "GC"]
    check(len(gc) == 1, "no GC track")
    slices = model.slices.get(gc[0], [])
    cycles = [s for s in slices if s["depth"] == 0]
    check(len(cycles) == t["num_gc"], "%d GC cycles in the trace, the runtime counted %d"
          % (len(cycles), t["num_gc"]))
    forced = [s for s in cycles if s["args"].get("trigger") == "runtime.GC"]
    check(len(forced) == t["num_forced_gc"] == t["forced_gcs"],
          "%d cycles triggered by runtime.GC, the sample called it %d times (runtime: %d)"
          % (len(forced), t["forced_gcs"], t["num_forced_gc"]))
    check(all(s["args"].get("trigger") in ("heap", "runtime.GC") for s in cycles),
          "unexpected triggers: %s" % sorted({s["args"].get("trigger") for s in cycles}))
    for c in cycles:
        inner = [s["name"] for s in slices if s["depth"] == 1 and c["ts"] <= s["ts"] and
                 s["ts"] + s["dur"] <= c["ts"] + c["dur"]]
        check(inner == ["sweep termination (STW)", "mark", "mark termination (STW)"],
              "%s has phases %s" % (c["name"], inner))
    stw = [x["uuid"] for x in model.m["tracks"] if x.get("name") == "Stop the world"]
    pauses = [s["name"] for s in model.slices.get(stw[0], [])] if stw else []
    check(pauses.count("GC sweep termination") == len(cycles) and
          pauses.count("GC mark termination") >= len(cycles),
          "stop-the-world pauses %s for %d cycles" % (sorted(set(pauses)), len(cycles)))
    if ctx["minor"] >= 21:      # the runtime names its pauses
        check("read mem stats" in pauses, "no 'read mem stats' pause: %s" % sorted(set(pauses)))
    # Mark workers ran in every cycle: named as such on every Go (before 1.20 the runtime
    # sets no reason there, and gotl names it from the call site).
    check(any(has_state(model, g, "GC worker (active)") for g in model.by_goid),
          "no goroutine in 'GC worker (active)' over %d GC cycles" % len(cycles))
    if t["assist_s"] > 0:       # the runtime says goroutines assisted: where?
        check(any(has_state(model, g, "GC assist marking") for g in model.by_goid),
              "the runtime spent %.6f s in GC assists, no 'GC assist marking' span"
              % t["assist_s"])


def s_allocs(model, t, ctx):
    check_alloc_types(model, t, ctx)
    check_gc(model, t, ctx)
    # --alloc=all: every allocation is an instant with its stack, on its goroutine's track.
    track = model.track(t["alloc_goid"])["uuid"]
    nodes = [i for i in model.instants if i["track"] == track and i["name"] == "main.Node"]
    check(len(nodes) == t["types"][0]["count"], "%d main.Node allocations on G%d's track, want %d"
          % (len(nodes), t["alloc_goid"], t["types"][0]["count"]))
    # --alloc-counters: the goroutine's heap bytes as a counter under its track, ending at
    # the sum of what its Running slices carry.
    mine = sum(s["args"].get("alloc_bytes", 0) for s in model.states(t["alloc_goid"]))
    ctr = [x for x in model.m["tracks"] if x.get("name") == "G%d heap allocated" % t["alloc_goid"]]
    # (Trace-event JSON has counters of processes only: there it is the process's.)
    parent = model.process if model.m.get("format") == "json" else track
    check(len(ctr) == 1 and ctr[0].get("parent") == parent, "no heap counter under G%d: %s"
          % (t["alloc_goid"], ctr))
    vals = [c["value"] for c in model.m["counters"] if c["track"] == ctr[0]["uuid"]]
    check(vals and vals[-1] == mine, "G%d's heap counter ends at %s, its slices say %d"
          % (t["alloc_goid"], vals[-1:], mine))
    for i in nodes:
        fr = [f["function"] for f in i.get("callstack") or []]
        check(any(f == "main.allocNodes" for f in fr), "a main.Node allocation "
              "without main.allocNodes in its stack: %s" % fr)
        check(i["args"].get("site", "").startswith("main.allocNodes "), "site %r"
              % i["args"].get("site"))


CHECKS = {
    "leaky": s_leaky, "gather_fixed": s_gather_fixed, "mutex": s_mutex, "pipeline": s_pipeline,
    "sleep": s_sleep, "echo": s_echo, "exitcode": s_exitcode, "panicker": s_panicker,
    "signal": s_signal, "coro": s_coro, "spawn": s_spawn, "cgo": s_cgo,
    "pingpong": s_pingpong, "workerpool": s_workerpool, "lockleak": s_lockleak,
    "sleeper": s_sleeper, "allocs": s_allocs,
}

# Options a sample is recorded with: allocations sampled everywhere (the default is off,
# which alloc-modes checks), so their accounting meets every kind of transition; every
# allocation for allocs.
RECORD_ARGS = {"allocs": ["--alloc=all", "--alloc-counters"],
               "echo": ["--alloc=sampled", "--no-hostname"]}
DEFAULT_RECORD_ARGS = ["--alloc=sampled"]


# ---------------------------------------------------------------- gotl report

def leak_groups(rep):
    return {g["wait_reason"]: g for g in rep["leak_suspects"]}


def one_leak(rep, t, goids, go_line, block_line, reason):
    groups = rep["leak_suspects"]
    check(len(groups) == 1, "want one leak group, got %s" % groups)
    g = groups[0]
    check(sorted(g["goids"]) == sorted(goids) and g["count"] == len(goids),
          "leak goids %s, want %s" % (g["goids"], sorted(goids)))
    check(g["wait_reason"] == reason, "leak wait reason %r, want %r" % (g["wait_reason"], reason))
    check(g["created_at"].endswith("%s:%d" % (t["go_file"], go_line)),
          "leak created_at %r, want line %d" % (g["created_at"], go_line))
    check(g["blocked_at"].endswith("%s:%d" % (t["block_file"], block_line)),
          "leak blocked_at %r, want line %d" % (g["blocked_at"], block_line))
    check(g["blocked_min_ns"] > 0 and g["blocked_max_ns"] >= g["blocked_min_ns"],
          "leak blocked durations %s" % g)


def r_leaky(rep, t, ctx):
    one_leak(rep, t, t["leaked"], t["go_line"], t["block_line"], t["wait_reason"])


def r_workerpool(rep, t, ctx):
    one_leak(rep, t, t["workers"], t["go_line"], t["block_line"], t["wait_reason"])


def r_lockleak(rep, t, ctx):
    one_leak(rep, t, [t["blocked_goid"]], t["go_line"], t["block_line"], t["wait_reason"])


def r_no_leaks(rep, t, ctx):
    check(rep["leak_suspects"] == [], "leak suspects: %s" % rep["leak_suspects"])


def r_gather_fixed(rep, t, ctx):
    r_no_leaks(rep, t, ctx)
    check(rep["lifetime"]["n"] >= len(t["workers"]), "lifetimes of %d exited goroutines"
          % rep["lifetime"]["n"])


def r_sleeper(rep, t, ctx):
    r_no_leaks(rep, t, ctx)
    allw = ctx["report"]("--all-waits")
    goids = {g for grp in allw["leak_suspects"] for g in grp["goids"]}
    check(set(t["waiter_goids"]) <= goids, "--all-waits lists %s, not the waiters %s"
          % (sorted(goids), t["waiter_goids"]))
    reasons = {grp["wait_reason"] for grp in allw["leak_suspects"]}
    check({"sleep", "IO wait"} <= reasons, "--all-waits reasons %s" % reasons)


def r_exitcode(rep, t, ctx):
    hit = [g for g in rep["leak_suspects"] if t["blocked_goid"] in g["goids"]]
    check(hit and hit[0]["wait_reason"] == t["wait_reason"] and
          hit[0]["blocked_at"].endswith("%s:%d" % (t["block_file"], t["block_line"])),
          "the goroutine blocked at exit is not a suspect at its line: %s" % rep["leak_suspects"])


def r_sleep(rep, t, ctx):
    sl = rep["sleep"]
    check(sl["n"] >= len(t["sleepers"]), "%d sleeps, want >= %d" % (sl["n"], len(t["sleepers"])))
    longest = max(x["ms"] for x in t["sleepers"]) * 1000000
    check(sl["max"] >= longest * 0.98, "longest sleep %d ns, want ~%d" % (sl["max"], longest))
    b = {x["from_ns"]: x["count"] for x in sl["buckets"]}
    check(b[10000000] >= sum(1 for x in t["sleepers"] if 10 <= x["ms"] < 100),
          "the 10-100 ms bucket has %d sleeps" % b[10000000])


def r_spawn(rep, t, ctx):
    nodes = {n["id"]: n for n in rep["tree"]}
    wave_goids = {g for w in t["waves"] for g in w}
    wave_nodes = [n for n in nodes.values() if n["goids"] and set(n["goids"]) <= wave_goids]
    by_parent = sorted(n["count"] for n in wave_nodes)
    check(by_parent == [50, 100], "the waves are collapsed into %s, want [50, 100]" % by_parent)
    spawner = [n for n in nodes.values() if t["spawner_goid"] in n["goids"]]
    check(spawner and any(n["parent"] == spawner[0]["id"] and n["count"] == 50
                          for n in wave_nodes), "wave 2 is not under the spawner")
    sites = [x for x in rep["spawn_sites"] if x["count"] == t["total"]]
    check(sites, "no spawn site with %d goroutines: %s" % (t["total"], rep["spawn_sites"][:3]))
    check(rep["goroutines"]["peak_alive"] >= 50, "peak %d" % rep["goroutines"]["peak_alive"])


def r_pingpong(rep, t, ctx):
    check(rep["runnable_to_running"]["n"] >= t["rounds"], "%d runnable->running for %d rounds"
          % (rep["runnable_to_running"]["n"], t["rounds"]))


def r_mutex(rep, t, ctx):
    by = {x["wait_reason"]: x for x in rep["blocked_by_reason"]}
    check(t["wait_reason"] in by, "no %r in blocked time by reason" % t["wait_reason"])
    sites = [x for x in rep["blocked_by_site"] if x["wait_reason"] == t["wait_reason"]]
    check(any(x["site"].endswith("%s:%d" % (t["lock_file"], t["lock_line"])) for x in sites),
          "no %r site at the Lock line %d: %s" % (t["wait_reason"], t["lock_line"], sites))
    r_no_leaks(rep, t, ctx)


def r_echo(rep, t, ctx):
    by = {x["wait_reason"] for x in rep["blocked_by_reason"]}
    check("IO wait" in by, "no IO wait in blocked time by reason")


def r_allocs(rep, t, ctx):
    a = rep["allocations"]
    check(a["mode"] == "all", "report: allocation mode %r" % a["mode"])
    by_type = {x["type"]: (x["count"], x["bytes"]) for x in a["by_type"]}
    want = expected_types(t, ctx["minor"], ctx["classes"])
    for name, cb in want.items():
        check(by_type.get(name) == cb, "report: %s is %s, want %s" % (name, by_type.get(name), cb))
    check(a["count"] == sum(c for c, _ in by_type.values()) and
          a["bytes"] == sum(b for _, b in by_type.values()),
          "report: totals %d/%d, the types add up to %d/%d" % (a["count"], a["bytes"],
          sum(c for c, _ in by_type.values()), sum(b for _, b in by_type.values())))
    check(a["recorded"] == a["count"], "report: %d allocations recorded of %d with --alloc=all"
          % (a["recorded"], a["count"]))
    sites = {x["site"].split(" ")[0]: x for x in a["by_site"]}
    check(sites.get("main.allocNodes", {}).get("recorded") == t["types"][0]["count"],
          "report: main.allocNodes site %s" % sites.get("main.allocNodes"))
    g = [x for x in a["by_goroutine"] if x["goid"] == t["alloc_goid"]]
    check(g and g[0]["bytes"] >= sum(b for _, b in want.values()), "report: G%d allocated %s"
          % (t["alloc_goid"], g))
    gc = rep["gc"]
    check(gc["cycles"] == t["num_gc"] and gc["by_trigger"]["runtime.GC"] == t["num_forced_gc"],
          "report: %d cycles (%d runtime.GC), runtime: %d (%d)" % (gc["cycles"],
          gc["by_trigger"]["runtime.GC"], t["num_gc"], t["num_forced_gc"]))


REPORT_CHECKS = {
    "leaky": r_leaky, "workerpool": r_workerpool, "lockleak": r_lockleak,
    "gather_fixed": r_gather_fixed, "sleeper": r_sleeper, "exitcode": r_exitcode,
    "sleep": r_sleep, "spawn": r_spawn, "pingpong": r_pingpong, "mutex": r_mutex,
    "echo": r_echo, "pipeline": r_no_leaks, "allocs": r_allocs,
}


def check_report(gotl, raw, trace, model, truth, status, ctx, vs_trace=True):
    """gotl report on the raw log agrees with the sample, with the trace, and with the
    report gotl makes from the trace alone."""
    def report(*flags, path=raw):
        r = run([gotl, "report", "--json"] + list(flags) + [path])
        check(r.returncode == 0, "gotl report %s: %s" % (" ".join(flags), r.stderr.decode()))
        return json.loads(r.stdout)
    rep = report()
    from_trace = report(path=trace) if vs_trace else {}
    for k in (rep if vs_trace else ()):
        if k not in ("source", "stack_bytes"):
            check(rep[k] == from_trace.get(k), "report from the trace differs in %r:\n%s\n%s"
                  % (k, str(rep[k])[:400], str(from_trace.get(k))[:400]))
    check(rep["events_lost"] == 0, "report counts %d lost events" % rep["events_lost"])
    for k in ("binary", "command", "gotl_version", "kernel", "options", "start_time"):
        check(rep.get(k), "report has no %r: %s" % (k, str(rep)[:300]))
    check(rep.get("exit_status") == status, "report exit status %s, want %d"
          % (rep.get("exit_status"), status))
    # The trace's list of suspects is the report's.
    in_trace = sorted(i["args"]["goid"] for i in model.listed("Leak suspects"))
    in_report = sorted(g for grp in rep["leak_suspects"] for g in grp["goids"])
    check(in_trace == in_report, "trace suspects %s, report %s" % (in_trace, in_report))
    r = run([gotl, "report", "--fail-on-leak", raw])
    check(r.returncode == (1 if in_report else 0), "--fail-on-leak: exit %d with %d suspects"
          % (r.returncode, len(in_report)))
    check(r.stdout.decode().startswith("gotl report: "), "text report: %r" % r.stdout[:100])
    st = rep["stack_bytes"]
    check(st["n"] > 0 and st["min"] >= 2048, "stack sizes %s" % st)
    fn = REPORT_CHECKS.get(truth["sample"])
    if fn:
        fn(rep, truth, dict(ctx, report=report))


# ---------------------------------------------------------------- special cases

def build(label, gobin, sample, out, shape="default", experiment=None, flags=()):
    d = os.path.join(out, label, shape + ("-" + experiment if experiment else ""))
    os.makedirs(d, exist_ok=True)
    binary = os.path.join(d, sample)
    env, shape_flags = SHAPES[shape]
    if experiment:
        env = dict(env, GOEXPERIMENT=experiment)
    r = run([gobin, "build", "-o", binary] + shape_flags + list(flags) + ["./" + sample],
            cwd=os.path.join(ROOT, "samples"),
            env=toolchains.go_env(toolchains.go_version(gobin), env, out))
    check(r.returncode == 0, "build failed: " + r.stderr.decode()[-1000:])
    return binary


def test_ctrl_c(gotl, label, gobin, out):
    """Ctrl-C typed at a terminal reaches the program as without gotl; the trace is written."""
    binary = build(label, gobin, "interrupt", out)
    trace = binary + ".pftrace"
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(gotl, [gotl, "record", "-o", trace, "--", binary])
    data, sent, t0 = b"", False, time.time()
    while time.time() - t0 < 30:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        if not sent and b"gotl-truth" in data:
            time.sleep(0.3)
            os.write(fd, b"\x03")      # what the terminal sends for Ctrl-C
            sent = True
    _, st = os.waitpid(pid, 0)
    os.close(fd)
    text = data.decode(errors="replace")
    check(sent, "the program never got ready: " + text[-500:])
    check(os.waitstatus_to_exitcode(st) == 130, "exit status %d after Ctrl-C, want 130: %s"
          % (os.waitstatus_to_exitcode(st), text[-500:]))
    check("wrote %s" % trace in text, "no trace written after Ctrl-C: " + text[-500:])
    line = [l for l in text.splitlines() if l.startswith("gotl-truth ")][0]
    t = json.loads(line[len("gotl-truth "):])
    model = Model(pfcheck(trace))
    check_blocked_at_end(model, t["main_goid"], t["wait_reason"])
    check_blocked_at_end(model, t["sleeper_goid"], "sleep")
    return "exit 130, trace written"


def proc_state(pid):
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def test_job_control(gotl, label, gobin, out):
    """Ctrl-Z stops gotl and the program together, SIGCONT resumes both; SIGTERM sent to
    gotl from outside reaches the program (143, as without gotl); the trace is written."""
    binary = build(label, gobin, "interrupt", out)
    trace = binary + ".tstp.pftrace"
    shell, fd = pty.fork()
    if shell == 0:
        # A shell's job control: gotl in its own foreground process group (a group
        # whose parent is in the session, so the terminal's Ctrl-Z is not discarded).
        job = os.fork()
        if job == 0:
            os.setpgid(0, 0)
            signal.signal(signal.SIGTTOU, signal.SIG_IGN)
            os.tcsetpgrp(0, os.getpgrp())
            signal.signal(signal.SIGTTOU, signal.SIG_DFL)
            os.execv(gotl, [gotl, "record", "-o", trace, "--", binary])
        while True:
            _, st = os.waitpid(job, os.WUNTRACED)
            if os.WIFSTOPPED(st):
                os.write(1, b"[job stopped]\r\n")
                continue
            os._exit(os.waitstatus_to_exitcode(st) & 0xff)
    data, t0 = b"", time.time()

    def read_some(secs):
        nonlocal data
        end = time.time() + secs
        while time.time() < end:
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    return False
                if not chunk:
                    return False
                data += chunk
        return True

    while b"gotl-truth" not in data and time.time() - t0 < 30:
        if not read_some(0.1):
            break
    check(b"gotl-truth" in data, "the program never got ready: %r" % data[-300:])
    with open("/proc/%d/task/%d/children" % (shell, shell)) as f:
        pid = int(f.read().split()[0])
    with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
        prog = int(f.read().split()[0])
    read_some(0.3)
    os.write(fd, b"\x1a")          # what the terminal sends for Ctrl-Z
    for _ in range(50):
        if proc_state(pid) == "T" and proc_state(prog) == "T":
            break
        time.sleep(0.05)
    check(proc_state(prog) == "T", "Ctrl-Z did not stop the program (%s)" % proc_state(prog))
    check(proc_state(pid) == "T", "Ctrl-Z did not stop gotl (%s)" % proc_state(pid))
    read_some(0.2)
    check(b"[job stopped]" in data, "the shell did not see gotl stop")
    os.killpg(os.getpgid(pid), 18)  # SIGCONT, as a shell's fg does
    read_some(0.3)
    check(proc_state(prog) != "T" and proc_state(pid) != "T", "SIGCONT did not resume both")
    os.kill(pid, 15)                # SIGTERM to gotl alone, from outside
    while read_some(0.2):
        pass
    _, st = os.waitpid(shell, 0)
    os.close(fd)
    text = data.decode(errors="replace")
    check(os.waitstatus_to_exitcode(st) == 143, "exit status %d after SIGTERM, want 143: %s"
          % (os.waitstatus_to_exitcode(st), text[-500:]))
    check("wrote %s" % trace in text, "no trace written: " + text[-500:])
    line = [l for l in text.splitlines() if l.startswith("gotl-truth ")][0]
    t = json.loads(line[len("gotl-truth "):])
    model = Model(pfcheck(trace))
    check_blocked_at_end(model, t["sleeper_goid"], "sleep")
    return "stopped and resumed together, SIGTERM -> 143"


def log_records(raw):
    """(type, record bytes) of every whole record of a raw event log (include/gotl/event.h)."""
    with open(raw, "rb") as f:
        data = f.read()
    check(data[:8] == b"GOTL-LOG", "%s is not a gotl event log" % raw)
    off = struct.unpack_from("<I", data, 12)[0]
    while off + 16 <= len(data):
        typ, size = struct.unpack_from("<HH", data, off)
        if size < 16 or off + size > len(data):
            break
        yield typ, data[off:off + size]
        off += size


GOTL_REC_FRAMES, GOTL_FRAMES_NAMES_CUT = 7, 1


def log_frames(raw):
    """{pc: (flags, [(func, file, line)])} from a raw log's GOTL_REC_FRAMES records."""
    out = {}
    for typ, rec in log_records(raw):
        if typ != GOTL_REC_FRAMES:
            continue
        pc, n, flags = struct.unpack_from("<QHH", rec, 16)
        fr = [struct.unpack_from("<IHH", rec, 32 + 8 * i) for i in range(n)]
        s, frames = 32 + 8 * n, []
        for line, fl, sl in fr:
            frames.append((rec[s:s + fl].decode(errors="replace"),
                           rec[s + fl:s + fl + sl].decode(errors="replace"), line))
            s += fl + sl
        out[pc] = (flags, frames)
    return out


def generic_names(binary, printed):
    """The names in a binary's function name table (NUL-terminated strings) that the runtime
    prints as `printed`, type arguments elided as [...]."""
    head, tail = printed.split("[...]", 1)
    with open(binary, "rb") as f:
        data = f.read()
    pat = re.escape(head.encode()) + rb"\[[^\x00]*\]" + re.escape(tail.encode()) + rb"\x00"
    return sorted({m.group(0)[:-1].decode() for m in re.finditer(pat, data)})


def test_deep_inline(gotl, label, gobin, out):
    """samples/deepinline built with more inlining than the default: its workers park under
    a chain of ~40 inlined frames with long names (a deep package; a generic function from
    Go 1.21), a dozen or more for one pc. The recording ends as the program does; each
    worker's blocked span has the stack the runtime's own traceback shows, in order, names
    as `go tool nm` has them, cut to 400 bytes where longer, which the log's frames record
    says (GOTL_FRAMES_NAMES_CUT)."""
    binary = build(label, gobin, "deepinline", out, flags=["-gcflags=all=-l=4"])
    trace, raw = binary + ".pftrace", binary + ".gotl"
    rec = run([gotl, "record", "-o", trace, "-r", raw, "--", binary], timeout=120)
    err = rec.stderr.decode(errors="replace")
    check(rec.returncode == 0, "gotl record exited %d: %s" % (rec.returncode, err[-500:]))
    check("wrote %s" % trace in err and " 0 lost" in err, "after the recording: " + err[-500:])
    t = truth_of(rec.stdout)
    stack = t["stack"]      # the runtime's traceback of the first worker, innermost first
    check(len(stack) > 40, "the runtime shows %d frames, want the whole chain" % len(stack))
    frames = log_frames(raw)
    model = Model(pfcheck(trace))
    # blocked_at is the first frame outside the standard library, for which a module path
    # without a dot ("gotl/samples") passes: main's.
    at = [f for f in stack if f["func"].startswith("main.")][0]
    cut = 0
    for g in t["workers"]:
        check_blocked_at_end(model, g, t["wait_reason"])
        s = last(model, g)
        check(s["args"].get("blocked_at") == "%s %s:%d" % (at["func"], at["file"], at["line"]),
              "G%d blocked_at %r, want %s at %s:%d" % (g, s["args"].get("blocked_at"),
                                                     at["func"], at["file"], at["line"]))
        # Innermost first, as the runtime prints it; each frame's file and line are the
        # frame's source location, not part of its name.
        user = [f for f in s.get("callstack") or [] if not f["function"].startswith("runtime.")]
        want = stack
        check(len(user) == len(want), "G%d: %d frames outside the runtime, the runtime's "
              "traceback has %d" % (g, len(user), len(want)))
        for f, w in zip(user, want):
            name = got = f["function"]
            check((f.get("file"), f.get("line")) == (w["file"], w["line"]),
                  "G%d: frame %s at %s:%s, want %s at %s:%d" % (
                      g, name, f.get("file"), f.get("line"), w["func"], w["file"], w["line"]))
            if "[...]" not in w["func"]:
                check(name == w["func"], "G%d: frame %r, want %s" % (g, name, w["func"]))
                continue
            # The runtime prints type arguments as [...]; the binary's name spells them out.
            full = generic_names(binary, w["func"])
            check(len(full) == 1, "G%d: %s is %s in the binary" % (g, w["func"], full))
            check(name == full[0][:400], "G%d: frame %r, want the first 400 bytes of %r"
                  % (g, name, full[0]))
            cut += len(full[0]) > 400
    if int(label.split(".")[1]) >= 21:
        check(cut, "no frame name over 400 bytes: the generic receive is not in the stacks")
    named = [fl for fl, fr in frames.values() if any(len(f[0]) == 400 for f in fr)]
    check(all(fl & GOTL_FRAMES_NAMES_CUT for fl in named), "a frames record with a cut name "
          "lacks GOTL_FRAMES_NAMES_CUT")
    deepest = max(len(fr) for _, fr in frames.values())
    check(deepest >= 12, "at most %d frames for one pc: the chain was not inlined" % deepest)
    return "%d frames, up to %d for one pc, %d names cut" % (len(stack), deepest, cut)


def test_lost(gotl, label, gobin, out):
    """A ring buffer too small to keep up: loss is counted, reported, and in the trace."""
    binary = build(label, gobin, "pingpong", out)
    trace = binary + ".tiny.pftrace"
    # Ping-pong rounds keep both CPUs busy: a 4K ring (a few dozen records) usually
    # overflows. Whether it does is up to the scheduler, so try harder before giving up.
    for rounds in ("5000", "20000", "60000"):
        r = run([gotl, "record", "--ring-size", "4K", "-o", trace, "--", binary, rounds],
                timeout=300)
        err = r.stderr.decode(errors="replace")
        check(r.returncode == 0, "exit status %d: %s" % (r.returncode, err[-500:]))
        lost = [l for l in err.splitlines() if " lost, " in l]
        if lost and " 0 lost" not in lost[-1]:
            break
    check(lost and " 0 lost" not in lost[-1], "no loss reported with a 4K ring: " + err[-500:])
    check(re.search(r"events were lost \(\d+ status", err),
          "no warning about lost events by kind: " + err[-500:])
    model = Model(pfcheck(trace))
    ctr = [t["uuid"] for t in model.m["tracks"] if t.get("name") == "gotl events lost"]
    vals = [c["value"] for c in model.m["counters"] if c["track"] in ctr]
    check(vals and max(vals) > 0, "the trace's 'gotl events lost' counter never moved")
    return lost[-1].split("gotl: ")[-1]


def check_alloc_entries(gotl, binary):
    """No allocation path escapes: every direct call or jump into a runtime.mallocgc* function
    from outside that family (objdump, an independent disassembler) lands on one gotl probes."""
    r = run(["objdump", "-d", "--no-show-raw-insn", binary])
    check(r.returncode == 0, "objdump failed: " + r.stderr.decode()[-300:])
    cur, targets = None, set()
    for line in r.stdout.decode(errors="replace").splitlines():
        m = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
        if m:
            cur = m.group(1)
            continue
        m = re.search(r"\s(?:call|jmp)\s+[0-9a-f]+ <(runtime\.mallocgc[^>+]*)>", line)
        if m and cur and not cur.startswith("runtime.mallocgc"):
            targets.add(m.group(1))
    r = run([gotl, "inspect", "-v", binary])
    check(r.returncode == 0, "gotl inspect: " + r.stderr.decode())
    probed = set(re.findall(r"^  (runtime\.mallocgc\S*) ", r.stdout.decode(), re.M))
    check("runtime.mallocgc" in probed, "gotl does not probe runtime.mallocgc")
    check(targets and targets <= probed, "allocation entries gotl does not probe: %s"
          % sorted(targets - probed))
    return len(probed)


def test_alloc_modes(gotl, label, gobin, out):
    """--alloc=sampled counts as exactly as all; without --alloc (off) nothing is recorded."""
    binary = build(label, gobin, "allocs", out)
    nprobed = check_alloc_entries(gotl, binary)
    ctx = {"minor": int(label.split(".")[1]), "classes": size_classes(gobin)}
    trace = binary + ".sampled.pftrace"
    r = run([gotl, "record", "--alloc=sampled", "--alloc-sample", "64K", "-o", trace, "--",
             binary], timeout=120)
    check(r.returncode == 0, "sampled: exit %d: %s" % (r.returncode, r.stderr.decode()[-500:]))
    t = truth_of(r.stdout)
    model = Model(pfcheck(trace))
    got = check_alloc_types(model, t, ctx)
    check_gc(model, t, ctx)
    # The samples' weights add up to what was allocated, but for each CPU's tail.
    samples = [i for i in model.instants if i.get("category") == "alloc" and "site" in i["args"]]
    weight, total = sum(i["args"]["bytes"] for i in samples), sum(b for _, b in got.values())
    tail = os.cpu_count() * 96 * 1024
    check(samples and total - tail <= weight <= total, "%d samples weigh %d bytes of %d allocated"
          % (len(samples), weight, total))
    check(all(i.get("callstack") for i in samples), "a sample without its stack")
    note = "%d allocation functions probed; sampled: %d samples for %d allocations" % (
        nprobed, len(samples), sum(c for c, _ in got.values()))

    trace = binary + ".off.pftrace"
    r = run([gotl, "record", "-o", trace, "--", binary], timeout=120)
    check(r.returncode == 0, "off: exit %d: %s" % (r.returncode, r.stderr.decode()[-500:]))
    t = truth_of(r.stdout)
    model = Model(pfcheck(trace))
    names = {x.get("name") or "" for x in model.m["tracks"]}
    check(not any(n.startswith("Allocated types") or n == "Heap allocated" for n in names),
          "--alloc=off: allocation tracks in the trace")
    check(not any(s["args"].get("alloc_bytes") for v in model.slices.values() for s in v),
          "--alloc=off: alloc_bytes on slices")
    check_gc(model, t, ctx)
    return note + "; off (the default): none, GC still there"


def test_sizespec(gotl, label, gobin, out):
    """Go 1.26 with GOEXPERIMENT=sizespecializedmalloc: small new(T) calls one of 66
    size-specialised functions directly, and mallocgc dispatches into them too. Each
    allocation must be counted once."""
    binary = build(label, gobin, "allocs", out, experiment="sizespecializedmalloc")
    nprobed = check_alloc_entries(gotl, binary)
    check(nprobed > 60, "only %d allocation functions probed" % nprobed)
    trace = binary + ".pftrace"
    r = run([gotl, "record"] + RECORD_ARGS["allocs"] + ["-o", trace, "--", binary], timeout=120)
    check(r.returncode == 0, "exit %d: %s" % (r.returncode, r.stderr.decode()[-500:]))
    t = truth_of(r.stdout)
    model = Model(pfcheck(trace))
    s_allocs(model, t, {"minor": int(label.split(".")[1]), "classes": size_classes(gobin)})
    return "%d allocation functions probed, counts exact" % nprobed


def test_bad_input(gotl, out):
    """What gotl cannot trace gets one clear line on stderr and status 2."""
    cases = [
        ([gotl, "record", "-o", os.path.join(out, "x.pftrace"), "--", "/bin/true"],
         2, "is not a Go binary"),
        ([gotl, "record", "--", os.path.join(out, "no-such-program")], 2, "cannot find"),
        ([gotl, "record", "--bogus"], 2, "invalid option '--bogus'"),
        ([gotl, "convert", "/etc/hostname"], 1, "is not a gotl event log"),
    ]
    for cmd, want, text in cases:
        r = run(cmd)
        err = r.stderr.decode()
        check(r.returncode == want,
              "%s: exit %d, want %d" % (" ".join(cmd[1:]), r.returncode, want))
        check(err.count("\n") == 1 and err.startswith("gotl: ") and text in err,
              "%s: want one line with %r, got %r" % (" ".join(cmd[1:]), text, err))
        check(not r.stdout, "%s wrote to stdout" % " ".join(cmd[1:]))
    return "%d cases" % len(cases)


def patched_copy(src, dst, old, new, near=None):
    """Copy src to dst replacing bytes old by new (same length), first hit after near."""
    with open(src, "rb") as f:
        data = bytearray(f.read())
    start = data.find(near) if near else 0
    i = data.find(old, max(start, 0))
    check(i >= 0 and len(old) == len(new), "cannot patch %r in %s" % (old, src))
    data[i:i + len(old)] = new
    with open(dst, "wb") as f:
        f.write(data)
    os.chmod(dst, 0o755)
    return dst


def inspect(gotl, binary):
    r = run([gotl, "inspect", binary])
    return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")


def test_refusals(gotl, label, gobin, out):
    """inspect explains what it can read; what gotl cannot trace is refused in one line."""
    d = os.path.join(out, "refusals")
    os.makedirs(d, exist_ok=True)
    minor = int(label.split(".")[1])
    leaky = build(label, gobin, "leaky", out, "default")
    stripped = build(label, gobin, "leaky", out, "stripped")
    version = toolchains.go_version(gobin)

    # Go older than 1.17, built for real by go1.16.
    old = toolchains.fetch("go1.16.15")
    check(old, "cannot fetch go1.16.15")
    prog = os.path.join(d, "old")
    os.makedirs(prog, exist_ok=True)
    with open(os.path.join(prog, "go.mod"), "w") as f:
        f.write("module old\n\ngo 1.16\n")
    with open(os.path.join(prog, "main.go"), "w") as f:
        f.write("package main\n\nfunc main() {}\n")
    r = run([old, "build", "-o", os.path.join(d, "go116")], cwd=prog,
            env=toolchains.go_env("go1.16.15", None, out))
    check(r.returncode == 0, "go1.16 build failed: " + r.stderr.decode()[-300:])
    # Another architecture, built for real.
    r = run([gobin, "build", "-o", os.path.join(d, "arm64"), "./leaky"],
            cwd=os.path.join(ROOT, "samples"),
            env=toolchains.go_env(version, {"GOARCH": "arm64"}, out))
    check(r.returncode == 0, "arm64 build failed: " + r.stderr.decode()[-300:])
    # A Go newer than gotl knows: this release's binary with its version string bumped.
    newer = "go1.99." + version.split(".")[2] if version.count(".") == 2 else None
    check(newer and len(newer) == len(version), "cannot make a newer version from %s" % version)
    fut = patched_copy(leaky, os.path.join(d, "future"), version.encode(), newer.encode(),
                       b"\xff Go buildinf:")
    futs = patched_copy(stripped, os.path.join(d, "future-stripped"), version.encode(),
                        newer.encode(), b"\xff Go buildinf:")
    # A runtime without the function gotl probes: its pclntab name changed.
    nofn = patched_copy(stripped, os.path.join(d, "no-casgstatus"), b"runtime.casgstatus\0",
                        b"runtime.casgstatuX\0")

    refusals = [
        ("/etc/hostname", "is not an ELF file"),
        ("/bin/true", "is not a Go binary"),
        (os.path.join(d, "go116"), "gotl needs Go 1.17 or newer"),
        (os.path.join(d, "arm64"), "is for aarch64, gotl supports x86-64 only"),
        (futs, "newer than the Go versions gotl knows"),
        (nofn, "has no runtime.casgstatus"),
    ]
    for path, text in refusals:
        rc, outp, err = inspect(gotl, path)
        check(rc == 2 and err.count("\n") == 1 and err.startswith("gotl: ") and text in err,
              "inspect %s: exit %d, stderr %r, want one line with %r"
              % (os.path.basename(path), rc, err, text))
        r = run([gotl, "record", "-o", os.path.join(d, "x.pftrace"), "--", path])
        rerr = r.stderr.decode()
        check(r.returncode == 2 and rerr.count("\n") == 1 and text in rerr,
              "record %s: exit %d, stderr %r" % (os.path.basename(path), r.returncode, rerr))
        check(not r.stdout, "record %s wrote to stdout" % os.path.basename(path))

    # The newer version with DWARF: traced, from the binary's own facts, and said so.
    rc, outp, err = inspect(gotl, fut)
    check(rc == 0 and "newer than gotl knows" in outp and "offsets       from DWARF" in outp,
          "inspect of a newer Go with DWARF: exit %d: %s" % (rc, outp[-600:]))
    r = run([gotl, "record", "-o", os.path.join(d, "future.pftrace"), "--", fut], timeout=60)
    rerr = r.stderr.decode()
    check(r.returncode == 0 and "note: %s is newer" % newer in rerr and "wrote " in rerr,
          "record of a newer Go: exit %d: %s" % (r.returncode, rerr[-600:]))
    model = Model(pfcheck(os.path.join(d, "future.pftrace")))
    t = truth_of(r.stdout)
    for g in t["leaked"]:
        check_blocked_at_end(model, g, "chan send")

    # And inspect of a traceable binary explains it.
    rc, outp, err = inspect(gotl, stripped)
    for want in ("go version    %s" % version, "DWARF no (stripped)",
                 "offsets       from table for go1.%d" % minor, "runtime.casgstatus",
                 "pclntab", "moduledata", "wait reasons"):
        check(rc == 0 and want in outp, "inspect of %s lacks %r:\n%s" % (stripped, want, outp))
    return "%d refusals, newer Go traced from its DWARF" % len(refusals)


_GI = None


def goinspect_facts(binary, funcs):
    """What ../shared/tools/goinspect (an independent reader) says about a binary."""
    global _GI
    if _GI is None:
        loader = importlib.machinery.SourceFileLoader("goinspect", GOINSPECT)
        spec = importlib.util.spec_from_loader("goinspect", loader)
        _GI = importlib.util.module_from_spec(spec)
        loader.exec_module(_GI)

        class Elf(_GI.Elf):
            # goinspect reads 256 bytes for a function name; generic instantiations
            # in real binaries have longer ones. Give its reads a larger window.
            def read(self, va, n):
                return super().read(va, 4096 if n == 256 else n)
        _GI.LongNameElf = Elf
    gi = _GI
    e = gi.LongNameElf(binary)
    vers = gi.buildinfo(e)[0]
    pcaddr, _ = gi.find_pclntab(e)
    p = gi.parse_pcln(e, pcaddr)
    mdaddr, _ = gi.find_moduledata(e, pcaddr)
    text = e.ptr(mdaddr + gi.mdlayout(vers)["text"]) if mdaddr else None
    text = p["textStart"] if p["textStart"] else text
    if p["ver"] in ("1.2", "1.16"):
        text = 0
    rx = re.compile("^(%s)$" % "|".join(re.escape(f) for f in funcs))
    found = {}
    for name, entry, fname in gi.funcs(e, p, text, rx):
        if name not in found or found[name][1] == "<autogenerated>":
            found[name] = (entry, fname)
    _, wr = gi.wait_reasons(e)
    return vers, {n: v[0] for n, v in found.items()}, len(wr)


def test_inspect_vs_goinspect(gotl, binary):
    """gotl's reader and ../shared/tools/goinspect agree on a binary of the matrix."""
    rc, outp, err = inspect(gotl, binary)
    check(rc == 0, "inspect %s: %s" % (binary, err))
    probed = {}
    for line in outp.splitlines():
        m = re.match(r"\s+(runtime\.\S+)\s+(0x[0-9a-f]+)\+", line)
        if m:
            probed[m.group(1)] = int(m.group(2), 16)
    check("runtime.casgstatus" in probed, "inspect shows no casgstatus probe")
    vers, funcs, nwr = goinspect_facts(binary, list(probed))
    check(("go version    %s " % vers) in outp, "go version differs: goinspect says %s" % vers)
    for fn, entry in probed.items():
        check(funcs.get(fn) == entry, "%s: gotl says 0x%x, goinspect %s"
              % (fn, entry, hex(funcs[fn]) if fn in funcs else "nothing"))
    check(("wait reasons  %d," % nwr) in outp, "wait-reason count differs: goinspect %d" % nwr)


# ---------------------------------------------------------------- driver

class Service:
    """samples/service running on its own (stdin a pipe), its truth line read."""

    def __init__(self, binary, env=None, argv=None):
        self.p = subprocess.Popen(argv or [binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=env)
        line, t0 = b"", time.time()
        while not line.endswith(b"\n") and time.time() - t0 < 30:
            r, _, _ = select.select([self.p.stdout], [], [], 0.5)
            if r:
                c = os.read(self.p.stdout.fileno(), 1)
                if not c:
                    break
                line += c
        text = line.decode(errors="replace")
        if not text.startswith("gotl-truth "):
            self.p.kill()
            raise Failure("the service never got ready: %r" % text)
        self.truth = json.loads(text[len("gotl-truth "):])
        self.pid = self.p.pid

    def alive(self):
        return self.p.poll() is None

    def stop(self):
        """Close its stdin: it exits 0 saying it served requests. Returns (status, stdout)."""
        try:
            self.p.stdin.close()
            rest = self.p.stdout.read()
            self.p.wait(timeout=30)
        finally:
            if self.p.poll() is None:
                self.p.kill()
                self.p.wait()
        return self.p.returncode, rest.decode(errors="replace")


def check_served(status, rest):
    """What Service.stop returned: the service ran on unharmed after gotl."""
    check(status == 0 and "served requests; exiting" in rest,
          "the service after gotl: status %d, output %r" % (status, rest[-300:]))


LOCK_REASONS = ("sync.Mutex.Lock", "semacquire")


def check_attached(model, t, minor):
    """A trace recorded with -p of samples/service: the snapshot, then what happened."""
    start = min(s["ts"] for v in model.slices.values() for s in v)
    groups = [(t["chan_send"], ("chan send",), t["send_line"]),
              (t["lock_wait"], LOCK_REASONS, t["lock_line"]),
              (t["select_wait"], ("select",), t["select_line"])]
    for goids, reasons, line in groups:
        for g in goids:
            states = model.states(g)
            first = states[0]
            check(first["name"] in reasons, "G%d starts in %r, want %s"
                  % (g, first["name"], reasons))
            check(first["ts"] == start, "G%d: its first slice starts after the recording's"
                  % g)
            check(first["args"].get("existed_at_attach") is True,
                  "G%d: first slice not marked existed_at_attach" % g)
            check(len(states) == 1, "G%d: a leaked goroutine moved: %s"
                  % (g, [s["name"] for s in states]))
            # There before gotl attached, in a group that did not grow: long-lived.
            check_blocked_at_end(model, g, first["name"], long_lived=True)
            at = first["args"].get("blocked_at", "")
            check(at.endswith("service/main.go:%d" % line), "G%d blocked_at %r, want main.go:%d"
                  % (g, at, line))
            check(first["args"].get("created_at", "").split(":")[-1].isdigit(),
                  "G%d: no creation site from the snapshot: %r" % (g, first["args"]))
    check(last(model, t["sleeper"])["name"] == "sleep", "the sleeper is in %r"
          % last(model, t["sleeper"])["name"])
    check(model.track(1)["name"] == "G1 runtime.main", "G1 is named %r" % model.track(1)["name"])
    # While recording: request goroutines created (with spawn flows) and exited.
    snap = {g for g, tr in model.by_goid.items()
            if model.states(g)[0]["args"].get("existed_at_attach")}
    new = [g for g in model.by_goid if g not in snap]
    check(len(new) >= 10, "only %d goroutines created during the recording" % len(new))
    spawned = [g for g in new if any(f[1]["name"] == "GoCreate" for f in model.flows_into(g))]
    check(len(spawned) >= len(new) - 2, "%d of %d new goroutines have a spawn flow"
          % (len(spawned), len(new)))
    check_tracks(model)


def check_verdict(gotl, model, raw, trace, t, end, minor):
    """The leak verdict of a recording attached to samples/service: the suspects are exactly
    the growing leak's goroutines blocked at the end, those there at the attach too (their
    group grew); the long-lived are every group of the service that was blocked before gotl
    attached and did not grow (the leaks of long ago, the idle pool, the signal.Notify and
    ticker loops), with the goids and sites the service printed. The trace says the same
    (long_lived on their last span, the suspects marked and listed), the report of the
    trace too, and Perfetto's importer takes it without an error."""
    def report(path, *flags):
        r = run([gotl, "report", "--json"] + list(flags) + [path])
        check(r.returncode == 0, "gotl report %s: %s" % (path, r.stderr.decode()[-300:]))
        return json.loads(r.stdout)
    rep, rep_trace = report(raw), report(trace)
    for k in ("leak_suspects", "long_lived"):
        check(rep.get(k) == rep_trace.get(k), "report of the trace differs in %r:\n%s\n%s"
              % (k, str(rep.get(k))[:600], str(rep_trace.get(k))[:600]))
    snap = {g for g in model.by_goid if model.states(g)[0]["args"].get("existed_at_attach")}
    grown = [g for g in end["grown"] if g in model.by_goid]
    blocked = {g for g in grown if last(model, g)["name"] == "chan send" and
               last(model, g)["ts"] + last(model, g)["dur"] == model.end}
    check(set(t["grown"]) <= blocked and set(t["grown"]) <= snap, "the growing leak's first "
          "goroutines %s are not all there at the attach and blocked at the end" % t["grown"])
    check(len(blocked - snap) >= 10 and len(set(grown) - blocked) <= 2, "the leak did not grow "
          "while gotl recorded: %d new, %d not blocked at the end"
          % (len(blocked - snap), len(set(grown) - blocked)))
    sus = rep["leak_suspects"]
    # Go 1.17 starts `go f(args)` in a wrapper, which names it: main.main.func1·dwrap·8.
    start = "main.leakGrow" if minor >= 18 else "dwrap"
    check(len(sus) == 1 and set(sus[0]["goids"]) == blocked and sus[0]["count"] == len(blocked)
          and sus[0]["wait_reason"] == "chan send" and start in sus[0]["start_function"] and
          sus[0]["blocked_at"].endswith("service/main.go:%d" % t["grow_line"]),
          "want one suspect group, the growing leak's %d goroutines at main.go:%d: %s"
          % (len(blocked), t["grow_line"], str(sus)[:800]))
    for g in blocked:
        check_blocked_at_end(model, g, "chan send")
    lived = {g for grp in rep["long_lived"] for g in grp["goids"]}
    check(lived <= snap, "long-lived goroutines not there at the attach: %s" % (lived - snap))
    groups = [(t["chan_send"], ("chan send",), t["send_line"]),
              (t["lock_wait"], LOCK_REASONS, t["lock_line"]),
              (t["select_wait"], ("select",), t["select_line"]),
              (t["pool"], ("chan receive",), t["pool_line"]),
              ([t["hup_loop"]], ("chan receive",), t["hup_line"])]
    if last(model, t["ticker_loop"])["name"] == "chan receive":     # not caught awake
        groups.append(([t["ticker_loop"]], ("chan receive",), t["ticker_line"]))
    for goids, reasons, line in groups:
        grp = [x for x in rep["long_lived"] if sorted(x["goids"]) == sorted(goids)]
        check(len(grp) == 1 and grp[0]["wait_reason"] in reasons and
              grp[0]["blocked_at"].endswith("service/main.go:%d" % line),
              "report: no long-lived group of %s at line %d: %s"
              % (goids, line, str(rep["long_lived"])[:800]))
        for g in goids:
            check_blocked_at_end(model, g, grp[0]["wait_reason"], long_lived=True)
    # The trace's list of suspects is the report's; the long-lived are on no list.
    listed = sorted(i["args"]["goid"] for i in model.listed("Leak suspects"))
    check(listed == sorted(blocked), "the trace lists %d suspects, want the leak's %d"
          % (len(listed), len(blocked)))
    marked = {i["track"] for i in model.instants if i["name"] == "leak suspect"}
    check(not {model.track(g)["uuid"] for g in lived} & marked, "a long-lived one is marked")
    r = run([gotl, "report", "--fail-on-leak", raw])
    check(r.returncode == 1 and b"\nLong-lived: " in r.stdout, "--fail-on-leak: exit %d, %r"
          % (r.returncode, r.stdout[:300]))
    return "%d suspects (the growing leak), %d long-lived" % (len(blocked), len(lived))


def attach_record(gotl, pid, trace, raw, extra=(), timeout=60):
    r = run([gotl, "record", "-p", str(pid), "-o", trace, "-r", raw] + list(extra),
            timeout=timeout)
    err = r.stderr.decode(errors="replace")
    check(r.returncode == 0, "gotl record -p exited %d: %s" % (r.returncode, err[-800:]))
    check(" 0 lost" in err, "events were lost: " + err[-800:])
    return err


def test_attach(gotl, label, gobin, out, shape="default", deleted=False):
    """record -p: a running service, its existing goroutines, 1 s of its life; it runs on."""
    binary = build(label, gobin, "service", out, shape)
    if deleted:             # the file it runs from is gone: gotl reads /proc/PID/exe
        copy = binary + ".deleted"
        shutil.copy(binary, copy)
        svc = Service(copy)
        os.unlink(copy)
    else:
        svc = Service(binary)
    try:
        trace, raw = binary + ".attach.pftrace", binary + ".attach.gotl"
        err = attach_record(gotl, svc.pid, trace, raw, ["-d", "1s"])
        check("detached, it runs on" in err, "gotl did not say it detached: " + err[-500:])
        check(svc.alive(), "the service died while or after gotl recorded it")
        time.sleep(0.2)     # it keeps serving without probes
        model = Model(pfcheck(trace))
        procs = [t for t in model.m["tracks"] if t["kind"] == "process"]
        check(procs and procs[0].get("pid") == svc.pid, "process track %s, want pid %d"
              % (procs, svc.pid))
        check_attached(model, svc.truth, int(label.split(".")[1]))
    finally:
        status, rest = svc.stop()
    check_served(status, rest)
    end = [l for l in rest.splitlines() if l.startswith("gotl-truth-end ")]
    check(end, "the service printed no gotl-truth-end line: %r" % rest[-300:])
    note = check_verdict(gotl, model, raw, trace, svc.truth,
                         json.loads(end[0][len("gotl-truth-end "):]), int(label.split(".")[1]))
    return "%d goroutines at attach, %s" % (sum(
        1 for g in model.by_goid if model.states(g)[0]["args"].get("existed_at_attach")), note)


def test_attach_busy(gotl, label, gobin, out):
    """record -p while goroutines change state as gotl reads them: samples/service with
    SERVICE_BUSY (2000 idle goroutines, then 3 that work and sleep 20 us in turn). Each
    attach's census sees some of them after they moved, or a g after it was reused; the
    trace has no unobserved transition and every Running span its thread. Three attaches
    (the race is not in every one: about half failed before the fix)."""
    binary = build(label, gobin, "service", out)
    svc = Service(binary, env=dict(os.environ, SERVICE_BUSY="3"))
    try:
        for i in range(3):
            trace, raw = binary + ".busy%d.pftrace" % i, binary + ".busy%d.gotl" % i
            attach_record(gotl, svc.pid, trace, raw, ["-d", "0.2s"])
            check(svc.alive(), "the service died while or after gotl recorded it")
            model = Model(pfcheck(trace))
            check_attached(model, svc.truth, int(label.split(".")[1]))
            unobserved = trace_metadata(trace)[0].get("gotl.unobserved_transitions")
            check(not unobserved, "attach %d: %s unobserved transitions" % (i, unobserved))
            os.unlink(raw)
    finally:
        status, rest = svc.stop()
    check_served(status, rest)
    return "3 attaches, %d goroutines at the last" % sum(
        1 for g in model.by_goid if model.states(g)[0]["args"].get("existed_at_attach"))


def test_attach_follow(gotl, label, gobin, out):
    """record -p --follow: the Go programs a running service starts (a copy of itself every
    200 ms) are recorded from their first goroutine, each a process of the trace; they and
    the service run as they would without gotl."""
    binary = build(label, gobin, "service", out)
    env = dict(os.environ, SERVICE_CHILDREN="1")
    svc = Service(binary, env=env)
    trace, raw = binary + ".follow.pftrace", binary + ".follow.gotl"
    try:
        r = run([gotl, "record", "--follow", "-p", str(svc.pid), "-d", "3s", "-o", trace,
                 "-r", raw], timeout=60)
        err = r.stderr.decode(errors="replace")
        check(r.returncode == 0, "gotl exited %d: %s" % (r.returncode, err[-600:]))
        check(svc.alive(), "the service died while gotl followed its children")
    finally:
        status, rest = svc.stop()
    rest = rest.decode(errors="replace") if isinstance(rest, bytes) else rest
    check(status == 0 and "served requests" in rest, "service status %d: %r" % (status, rest))
    m = re.search(r"children: (\d+) ok, (\d+) failed", rest)
    check(m and int(m.group(1)) >= 5 and m.group(2) == "0", "the children: %r" % rest)
    dec = pfcheck(trace)
    procs = processes(dec)
    check(procs[0]["pid"] == svc.pid, "the first process is %d, not the service %d"
          % (procs[0]["pid"], svc.pid))
    kids = procs[1:]
    check(len(kids) >= 3, "%d children in 3 s, want >= 3 (one every 200 ms, each held ~0.1 s)"
          % len(kids))
    n = len(re.findall(r"^gotl: following process", err, re.M))
    check(n == len(kids), "gotl said it followed %d, the trace has %d" % (n, len(kids)))
    for i, p in enumerate(kids):
        mo = Model(dec, p["uuid"])
        check_tracks(mo)
        check_threads(mo)
        check(p.get("cmdline", [])[1:] == ["child"], "a child's command line %r"
              % p.get("cmdline"))
        if i == len(kids) - 1:
            continue    # the last may have been cut anywhere by the end of the recording
        # go func(i int){...}(i): main.child.func1, or on Go <= 1.21 the wrapper's name.
        workers = [t for t in mo.by_goid.values() if " main.child." in t["name"]]
        check(len(workers) == 5, "child %d: %d goroutines started in main.child, want 5: %s"
              % (p["pid"], len(workers), sorted(t["name"] for t in mo.by_goid.values())))
        check_held_at_exec(mo, "child %d" % p["pid"])
        # Each ran (it handed its value over).
        for t in workers:
            check(any(x["name"] == "Running" for x in mo.slices.get(t["uuid"], [])),
                  "child %d: %s never ran" % (p["pid"], t["name"]))
    # As trace-event JSON: every program followed is a process of it too, as in the protobuf.
    js = raw + ".json"
    r = run([gotl, "convert", raw, "-o", js])
    err = r.stderr.decode(errors="replace")
    check(r.returncode == 0 and "%d Go processes" % len(procs) in err,
          "gotl convert to JSON: %d, %s" % (r.returncode, err[-600:]))
    doc = jsontrace.load(js)
    jsontrace.check_doc(doc)
    jsontrace.compare_processes(dec, doc, trace_metadata(trace)[0])
    tpq.compare(js, jsontrace.model(doc))
    return "%d children followed (JSON too), the service ran on" % len(kids)


def test_attach_ends(gotl, label, gobin, out):
    """record -p stops by itself when the process exits, and on SIGINT; both traces valid."""
    binary = build(label, gobin, "service", out)
    # 1. the process exits while gotl records it
    svc = Service(binary)
    trace, raw = binary + ".exit.pftrace", binary + ".exit.gotl"
    g = subprocess.Popen([gotl, "record", "-p", str(svc.pid), "-o", trace, "-r", raw],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(3.0)  # attaching may wait for an earlier run's probes to go (~1 s)
    status, rest = svc.stop()
    try:
        gout, gerr = g.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        g.kill()
        raise Failure("gotl record -p did not end when the process exited")
    gerr = gerr.decode(errors="replace")
    check(g.returncode == 0, "gotl exited %d: %s" % (g.returncode, gerr[-500:]))
    check("it exited" in gerr, "gotl did not notice the exit: " + gerr[-500:])
    check(status == 0 and "served requests" in rest, "service status %d" % status)
    model = Model(pfcheck(trace))
    check(any(not last(model, gg)["args"].get("open_at_end") for gg in model.by_goid),
          "no goroutine exited in the trace")
    # 2. SIGINT to gotl: it stops, the process runs on
    svc = Service(binary)
    try:
        trace2 = binary + ".int.pftrace"
        g = subprocess.Popen([gotl, "record", "-p", str(svc.pid), "-o", trace2],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(3.0)
        g.send_signal(2)
        gout, gerr = g.communicate(timeout=30)
        gerr = gerr.decode(errors="replace")
        check(g.returncode == 0, "gotl exited %d after SIGINT: %s" % (g.returncode, gerr[-500:]))
        check("detached" in gerr and "wrote " + trace2 in gerr, "after SIGINT: " + gerr[-500:])
        check(svc.alive(), "the service died when gotl got SIGINT")
        check_attached(Model(pfcheck(trace2)), svc.truth, int(label.split(".")[1]))
        # 3. on a terminal: the live status line, erased at the end
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(gotl, [gotl, "record", "-p", str(svc.pid), "-d", "2.5s", "-o",
                            binary + ".tty.pftrace"])
        data = b""
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        _, st = os.waitpid(pid, 0)
        os.close(fd)
        text = data.decode(errors="replace")
        check(os.waitstatus_to_exitcode(st) == 0, "gotl on a terminal: " + text[-300:])
        check(re.search(r"\rgotl: \d+ events \(\d+/s\), \d+ goroutines, 0 lost", text),
              "no live status line on the terminal: %r" % text[:300])
        check("\r\x1b[K" in text, "the status line was not erased at the end")
        check(svc.alive(), "the service died")
    finally:
        status, rest = svc.stop()
    check(status == 0 and "served requests" in rest, "service status %d after gotl" % status)
    return "ends on exit, on SIGINT; status line on a terminal"


POLL_SHIM = r"""
/* LD_PRELOAD into gotl: its wait loop's poll (2+ fds, a timeout) fails with
 * ENOMEM from call GOTL_TEST_POLL_FAIL_AFTER + 1 on; nothing else changes. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>

static int after = -1, calls;

__attribute__((constructor)) static void init(void)
{
	const char *s = getenv("GOTL_TEST_POLL_FAIL_AFTER");

	after = s ? atoi(s) : -1;
	unsetenv("LD_PRELOAD");		/* not for the programs gotl starts */
	unsetenv("GOTL_TEST_POLL_FAIL_AFTER");
}

int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	static int (*real)(struct pollfd *, nfds_t, int);

	if (!real)
		real = (int (*)(struct pollfd *, nfds_t, int))dlsym(RTLD_NEXT, "poll");
	if (after >= 0 && n >= 2 && timeout > 0 && ++calls > after) {
		errno = ENOMEM;
		return -1;
	}
	return real(fds, n, timeout);
}
"""

GOTL_REC_END, GOTL_END_EXITED, GOTL_END_DETACHED, GOTL_END_FAILED = 6, 1, 2, 8


def log_end(raw):
    """(flags, status) of a raw log's END record, or None."""
    ends = [struct.unpack_from("<II", rec, 16) for typ, rec in log_records(raw)
            if typ == GOTL_REC_END]
    check(len(ends) <= 1, "%d END records in %s" % (len(ends), raw))
    return (ends[0][1], ends[0][0]) if ends else None


def poll_shim(out):
    src, so = os.path.join(out, "pollfail.c"), os.path.join(out, "pollfail.so")
    with open(src, "w") as f:
        f.write(POLL_SHIM)
    r = run(["gcc", "-shared", "-fPIC", "-O2", "-Wall", "-o", so, src, "-ldl"])
    check(r.returncode == 0, "cannot build the poll shim: " + r.stderr.decode())
    return so


def read_until(f, what, timeout):
    """Read a pipe until `what` appears in what was read (or EOF, or timeout)."""
    data, t0 = b"", time.time()
    while what not in data and time.time() - t0 < timeout:
        r, _, _ = select.select([f], [], [], 0.1)
        if r:
            chunk = os.read(f.fileno(), 4096)
            if not chunk:
                break
            data += chunk
    return data


def ppid_of(pid):
    with open("/proc/%d/stat" % pid) as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def check_failed_log(gotl, raw, err, what):
    """A log whose recording broke off: said once on stderr, its END says so, it converts."""
    lines = [l for l in err.splitlines() if "poll" in l]
    check(len(lines) == 1 and "cannot wait for events" in lines[0] and raw in lines[0],
          "%s: want one line on the poll error naming the log: %r" % (what, err[-600:]))
    end = log_end(raw)
    check(end and end[0] == GOTL_END_DETACHED | GOTL_END_FAILED and end[1] == 0,
          "%s: the log ends with %s, want DETACHED|FAILED and no status" % (what, end))
    r = run([gotl, "convert", raw, "-o", raw + ".pftrace"])
    check(r.returncode == 0, "%s: the log does not convert: %s" % (what, r.stderr.decode()))
    return Model(pfcheck(raw + ".pftrace"))


def test_poll_error(gotl, label, gobin, out):
    """The recorder's poll fails (an LD_PRELOAD shim makes it, in gotl only): the error is
    said once, the log's END says the recording broke off (not a clean exit); a launched
    program is not orphaned: gotl waits for it, forwards signals, exits with its real
    status (1 for 0); an attached process runs on and gotl exits 1."""
    binary = build(label, gobin, "service", out)
    env = dict(os.environ, LD_PRELOAD=poll_shim(out), GOTL_TEST_POLL_FAIL_AFTER="30")
    notes = []
    # Launch mode, twice: SIGTERM to gotl reaches the program (it exits 0: gotl 1), then
    # the program killed on its own: gotl exits with its status, 137.
    for how, want in (("sigterm", 1), ("killed", 137)):
        raw = binary + ".pollerr-%s.gotl" % how
        g = subprocess.Popen([gotl, "record", "-r", raw, "-o", raw + ".x", "--", binary],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env)
        try:
            line = g.stdout.readline().decode(errors="replace")
            check(line.startswith("gotl-truth "), "the service never got ready: %r" % line)
            svc = json.loads(line[len("gotl-truth "):])["pid"]
            err = read_until(g.stderr, b"cannot wait for events", 30)
            time.sleep(0.5)
            check(g.poll() is None, "gotl exited %s after the poll error, the program left "
                  "behind: %s" % (g.returncode, err.decode(errors="replace")[-500:]))
            check(ppid_of(svc) == g.pid, "the program's parent is %d, not gotl" % ppid_of(svc))
            with open("/proc/%d/environ" % svc, "rb") as f:
                check(b"LD_PRELOAD" not in f.read(), "the shim reached the program")
            if how == "sigterm":
                g.send_signal(signal.SIGTERM)
            else:
                os.kill(svc, signal.SIGKILL)
            rest, more = g.communicate(timeout=30)
        finally:
            if g.poll() is None:
                g.kill()
                g.wait()
        err = (err + more).decode(errors="replace")
        check(g.returncode == want, "%s: gotl exited %d, want %d: %s"
              % (how, g.returncode, want, err[-500:]))
        if how == "sigterm":
            check(b"served requests; exiting" in rest, "the program did not get the SIGTERM "
                  "sent to gotl: %r" % rest[-300:])
        check_failed_log(gotl, raw, err, how)
        notes.append("%s -> %d" % (how, want))
    # Attach mode: gotl stops at once, the process runs on.
    svc = Service(binary)
    try:
        raw = binary + ".pollerr-attach.gotl"
        r = run([gotl, "record", "-p", str(svc.pid), "-r", raw, "-o", raw + ".x"], env=env,
                timeout=60)
        err = r.stderr.decode(errors="replace")
        check(r.returncode == 1, "attached: gotl exited %d, want 1: %s"
              % (r.returncode, err[-500:]))
        time.sleep(0.2)
        check(svc.alive(), "the attached service died")
        model = check_failed_log(gotl, raw, err, "attached")
        check(model.by_goid, "no goroutine in the trace of the log up to the error")
    finally:
        status, rest = svc.stop()
    check(status == 0 and "served requests" in rest, "service status %d after gotl" % status)
    notes.append("attached -> 1")
    return ", ".join(notes)


def uprobes_on(pid):
    """The uprobes some process holds on /proc/PID/exe (what attach mode puts there)."""
    r = run(["bpftool", "perf", "-j"])
    check(r.returncode == 0, "bpftool perf: " + r.stderr.decode()[-300:])
    return [e for e in json.loads(r.stdout or b"[]")
            if e.get("filename") == "/proc/%d/exe" % pid]


def no_core():
    import resource
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def test_attach_signals(gotl, label, gobin, out):
    """record -p and signals: SIGTERM and SIGHUP stop the recording as SIGINT does (trace
    written, exit 0); a second SIGINT or SIGTERM while gotl stops ends it at once: exit
    128+N, one line naming the raw log, which is kept and converts, and the probes gone;
    SIGQUIT, SIGUSR1 and SIGUSR2 are no stop (gotl dies of them, no trace). The process
    runs on through all of it."""
    binary = build(label, gobin, "service", out)
    svc = Service(binary)
    notes = []

    def record(name, env=None):
        trace, raw = binary + ".sig-%s.pftrace" % name, binary + ".sig-%s.gotl" % name
        g = subprocess.Popen([gotl, "record", "-p", str(svc.pid), "-o", trace, "-r", raw],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=out,
                             env=dict(os.environ, **(env or {})), preexec_fn=no_core)
        time.sleep(3.0)     # attaching may wait for an earlier run's probes to go (~1 s)
        if g.poll() is not None:
            raise Failure("%s: gotl ended before the signal: %s"
                          % (name, g.stderr.read().decode(errors="replace")[-300:]))
        return g, trace, raw

    try:
        for sig in (signal.SIGTERM, signal.SIGHUP):
            g, trace, raw = record(sig.name)
            g.send_signal(sig)
            _, err = g.communicate(timeout=30)
            err = err.decode(errors="replace")
            check(g.returncode == 0, "%s: gotl exited %d: %s" % (sig.name, g.returncode,
                                                                 err[-400:]))
            check("detached" in err and "wrote " + trace in err, "%s: %s" % (sig.name, err))
            check(svc.alive(), "the service died when gotl got %s" % sig.name)
            check_attached(Model(pfcheck(trace)), svc.truth, int(label.split(".")[1]))
            notes.append("%s stops" % sig.name)
        # perf_event uprobes take ~1 s to remove: the second signal comes while they go.
        for sig in (signal.SIGINT, signal.SIGTERM):
            g, trace, raw = record("twice-" + sig.name, {"GOTL_NO_UPROBE_MULTI": "1"})
            g.send_signal(signal.SIGINT)
            time.sleep(0.15)
            t0 = time.time()
            g.send_signal(sig)
            _, err = g.communicate(timeout=30)
            secs = time.time() - t0
            err = err.decode(errors="replace").strip()
            check(g.returncode == 128 + sig, "SIGINT then %s: gotl exited %d, want %d: %s"
                  % (sig.name, g.returncode, 128 + sig, err[-400:]))
            check(len(err.splitlines()) == 1 and "stopped at once" in err and raw in err,
                  "SIGINT then %s: want one line naming %s: %r" % (sig.name, raw, err))
            check(not os.path.exists(trace), "a trace was written after a second signal")
            r = run([gotl, "convert", raw, "-o", trace])
            check(r.returncode == 0, "the raw log left by a second signal does not convert: "
                  + r.stderr.decode())
            pfcheck(trace)
            for _ in range(50):
                if not uprobes_on(svc.pid):
                    break
                time.sleep(0.1)
            check(not uprobes_on(svc.pid), "uprobes left on the service: %s"
                  % uprobes_on(svc.pid))
            check(svc.alive(), "the service died when gotl got a second %s" % sig.name)
            notes.append("SIGINT+%s: %d in %.2f s" % (sig.name, 128 + sig, secs))
        for sig in (signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
            g, trace, raw = record(sig.name)
            g.send_signal(sig)
            _, err = g.communicate(timeout=30)
            err = err.decode(errors="replace")
            check(g.returncode == -sig, "%s: gotl exited %d, want death by the signal (no "
                  "stop): %s" % (sig.name, g.returncode, err[-400:]))
            check(not os.path.exists(trace), "%s: a trace was written" % sig.name)
            time.sleep(0.2)
            check(svc.alive(), "the service died when gotl got %s" % sig.name)
        notes.append("QUIT/USR1/USR2 no stop")
    finally:
        status, rest = svc.stop()
    check(status == 0 and "served requests" in rest, "service status %d after gotl" % status)
    return ", ".join(notes)


def test_kill9(gotl, label, gobin, out):
    """kill -9 of gotl: the program runs on unharmed; the raw log converts into a valid trace."""
    binary = build(label, gobin, "service", out)
    raw = binary + ".k9.gotl"
    # Launch mode: the service is gotl's child.
    p = subprocess.Popen([gotl, "record", "-r", raw, "-o", raw + ".pftrace", "--", binary],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = p.stdout.readline().decode(errors="replace")
    check(line.startswith("gotl-truth "), "the service under gotl never got ready: %r" % line)
    t = json.loads(line[len("gotl-truth "):])
    time.sleep(0.5)
    p.kill()                # SIGKILL to gotl only
    p.wait()
    check(os.path.exists("/proc/%d" % t["pid"]), "the program died with gotl")
    p.stdin.close()         # now stop the orphaned service through its stdin
    rest = p.stdout.read().decode(errors="replace")
    for _ in range(300):
        if not os.path.exists("/proc/%d" % t["pid"]):
            break
        time.sleep(0.1)
    check("served requests; exiting" in rest, "the program did not finish on its own: %r" % rest)
    r = run([gotl, "convert", raw, "-o", raw + ".pftrace"])
    check(r.returncode == 0, "converting the log of a killed gotl failed: " + r.stderr.decode())
    model = Model(pfcheck(raw + ".pftrace"))
    for g in t["chan_send"]:
        check(model.states(g)[-1]["name"] == "chan send", "G%d not blocked in the log" % g)
    # Attach mode: the same, the probes leave with gotl.
    svc = Service(binary)
    try:
        raw2 = binary + ".k9a.gotl"
        g = subprocess.Popen([gotl, "record", "-p", str(svc.pid), "-r", raw2, "-o", raw2 + ".x"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(3.0)
        g.kill()
        g.wait()
        time.sleep(0.2)
        check(svc.alive(), "the attached service died with gotl")
        r = run([gotl, "convert", raw2, "-o", raw2 + ".pftrace"])
        check(r.returncode == 0, "converting the attach log of a killed gotl failed: "
              + r.stderr.decode())
        check_attached(Model(pfcheck(raw2 + ".pftrace")), svc.truth, int(label.split(".")[1]))
    finally:
        status, rest = svc.stop()
    check(status == 0 and "served requests" in rest, "service status %d after kill -9 of gotl"
          % status)
    return "program unharmed, logs convert"


def test_attach_bad(gotl, label, gobin, out):
    """record -p of no process, of a process that is not Go: one line, status 2."""
    cases = []
    r = run([gotl, "record", "-p", "999999999", "-o", os.path.join(out, "x.pftrace")])
    cases.append(("no such pid", r, "no process 999999999"))
    dead = subprocess.Popen(["true"])
    dead.wait()
    r = run([gotl, "record", "-p", str(dead.pid), "-o", os.path.join(out, "x.pftrace")])
    cases.append(("exited pid", r, "no process %d" % dead.pid))
    sl = subprocess.Popen(["sleep", "30"])
    try:
        r = run([gotl, "record", "-p", str(sl.pid), "-o", os.path.join(out, "x.pftrace")])
        cases.append(("not Go", r, "not a Go"))
        check(sl.poll() is None, "sleep died when gotl refused it")
    finally:
        sl.kill()
        sl.wait()
    r = run([gotl, "record", "-p", "1", "-o", os.path.join(out, "x.pftrace"), "--", "true"])
    cases.append(("pid and program", r, "not both"))
    for what, r, want in cases:
        err = r.stderr.decode(errors="replace").strip()
        check(r.returncode == 2, "%s: exit %d, want 2 (%s)" % (what, r.returncode, err))
        check(len(err.splitlines()) == 1 and want in err, "%s: want one line with %r, got %r"
              % (what, want, err))
    return "%d refusals" % len(cases)


def test_sudo_user(gotl, label, gobin, out):
    """Under sudo the program runs as the invoking user; --as-root keeps root."""
    binary = build(label, gobin, "whoami", out)
    os.chmod(os.path.dirname(binary), 0o755)
    d = os.path.dirname(binary)
    while d != "/":
        os.chmod(d, os.stat(d).st_mode | 0o005) if os.stat(d).st_uid == 0 else None
        d = os.path.dirname(d)
    env = dict(os.environ, SUDO_UID="65534", SUDO_GID="65534", SUDO_USER="nobody")
    res = {}
    for flag in ([], ["--as-root"]):
        trace = binary + (".root" if flag else ".user") + ".pftrace"
        r = run([gotl, "record", "-o", trace] + flag + ["--", binary], env=env, timeout=60)
        check(r.returncode == 0, "exit %d: %s" % (r.returncode, r.stderr.decode()[-500:]))
        res[bool(flag)] = truth_of(r.stdout)
        pfcheck(trace)
        check(os.stat(trace).st_uid == 65534, "the trace is not given to the sudo user")
    user, root = res[False], res[True]
    check(user["uid"] == 65534 and user["euid"] == 65534 and user["gid"] == 65534,
          "under sudo the program ran as %s" % user)
    check(0 not in user["groups"], "the program kept root's groups: %s" % user["groups"])
    check(root["uid"] == 0 and root["euid"] == 0, "--as-root ran as %s" % root)
    # An id sudo cannot have given is refused, never read as another one: 2^32 was
    # cut to 0 (root), "-1" wrapped around.
    for bad in ("4294967296", "-1", " 65534", "4294967295", ""):
        env = dict(os.environ, SUDO_UID=bad, SUDO_GID="65534", SUDO_USER="nobody")
        r = run([gotl, "record", "-o", binary + ".bad.pftrace", "--", binary], env=env,
                timeout=60)
        err = r.stderr.decode(errors="replace")
        check(r.returncode != 0 and not r.stdout and "SUDO_UID" in err,
              "SUDO_UID %r: exit %d, program output %r: %s" % (bad, r.returncode,
                                                              r.stdout[:200], err[-300:]))
    return "uid %d, --as-root uid %d, bad SUDO_UIDs refused" % (user["uid"], root["uid"])


def test_one(gotl, label, gobin, sample, out, shape="default"):
    binary = build(label, gobin, sample, out, shape)
    if sample == "leaky":
        test_inspect_vs_goinspect(gotl, binary)

    plain = run([binary], timeout=60)
    expect_truth = truth_of(plain.stdout)
    trace, raw = binary + ".pftrace", binary + ".gotl"
    args = RECORD_ARGS.get(sample, DEFAULT_RECORD_ARGS)
    clocks = clock_readings()
    rec = run([gotl, "record", "-o", trace, "-r", raw] + args + ["--", binary], timeout=120)
    clocks_after = clock_readings()
    err = rec.stderr.decode(errors="replace")
    check(status_of(rec.returncode) == status_of(plain.returncode),
          "exit status %d under gotl, %d without (stderr: %s)"
          % (status_of(rec.returncode), status_of(plain.returncode), err[-800:]))
    truth = truth_of(rec.stdout)
    for k in truth:
        # Fields holding goroutine ids differ from run to run; the rest must not.
        if not (k.endswith("goid") or k.endswith("goids") or k in ("workers", "leaked", "winner",
                "waves", "parents", "sleepers", "callers", "num_gc", "assist_s") or
                k.endswith("_ns")):
            check(truth[k] == expect_truth.get(k), "field %r differs under gotl: %r vs %r"
                  % (k, truth[k], expect_truth.get(k)))
    check("wrote %s" % trace in err, "no 'wrote' line on stderr: " + err[-800:])
    check(" 0 lost" in err, "events were lost: " + err[-800:])
    model = Model(pfcheck(trace))
    procs = [t for t in model.m["tracks"] if t["kind"] == "process"]
    pid = procs[0]["pid"] if procs else -1
    check_generic(model, pid)
    check_metadata(trace, model, binary, args, clocks, clocks_after)
    ctx = {"go": label, "minor": int(label.split(".")[1])}
    if sample == "allocs":
        ctx["classes"] = size_classes(gobin)
    CHECKS[sample](model, truth, ctx)
    check_report(gotl, raw, trace, model, truth, status_of(plain.returncode), ctx,
                 shape == "default")
    if shape != "default":
        return "%d goroutines" % len(model.by_goid)

    # What does not depend on the binary's shape is checked once, on the default build.
    again = trace + ".again"
    conv = [x for x in RECORD_ARGS.get(sample, DEFAULT_RECORD_ARGS) if x == "--alloc-counters"]
    r = run([gotl, "convert", raw, "-o", again] + conv)
    check(r.returncode == 0, "gotl convert failed: " + r.stderr.decode())
    with open(trace, "rb") as a, open(again, "rb") as b:
        check(a.read() == b.read(), "gotl convert of the raw log differs from the recorded trace")
    # Compressed (compressed_packets): both readers see what they see in the plain trace.
    packed = trace + ".z"
    r = run([gotl, "convert", "--compress", raw, "-o", packed] + conv)
    check(r.returncode == 0, "gotl convert --compress failed: " + r.stderr.decode())
    zm = pfcheck(packed)
    for k in ("tracks", "slices", "instants", "counters", "flows"):
        check(len(zm[k]) == len(model.m[k]), "the compressed trace has %d %s, the plain one %d"
              % (len(zm[k]), k, len(model.m[k])))
    cut = raw + ".cut"
    with open(raw, "rb") as a, open(cut, "wb") as b:
        data = a.read()
        b.write(data[:len(data) * 2 // 3 + 5])
    r = run([gotl, "convert", cut, "-o", cut + ".pftrace"])
    check(r.returncode == 0, "converting a cut log failed: " + r.stderr.decode())
    check("cut short" in r.stderr.decode(), "a cut log was not reported as cut")
    pfcheck(cut + ".pftrace")
    check_json(gotl, raw, model, truth, ctx, sample, pid, conv)
    # A cut log gives a complete JSON document too.
    r = run([gotl, "convert", cut, "-f", "json", "-o", cut + ".trace"])
    check(r.returncode == 0, "converting a cut log to JSON failed: " + r.stderr.decode())
    doc = jsontrace.load(cut + ".trace")
    jsontrace.check_doc(doc)
    tpq.compare(cut + ".trace", jsontrace.model(doc))
    return "%d goroutines, JSON too" % len(model.by_goid)


def check_json(gotl, raw, model, truth, ctx, sample, pid, conv=()):
    """The raw log as trace-event JSON (the .json name picks the format): valid, the
    sample's checks pass on it, and it tells the protobuf trace's story."""
    js = raw + ".json"
    r = run([gotl, "convert", raw, "-o", js] + list(conv))
    err = r.stderr.decode(errors="replace")
    check(r.returncode == 0, "gotl convert to JSON failed: " + err[-800:])
    check("trace-event JSON" in err, "the .json output was not written as JSON: " + err[-300:])
    doc = jsontrace.load(js)
    jsontrace.check_doc(doc)
    jm = Model(jsontrace.model(doc))
    tpq.compare(js, jm.m)
    check_generic(jm, pid)
    CHECKS[sample](jm, truth, ctx)
    return jsontrace.compare(model, jm)


def test_long_list(gotl, label, gobin, out):
    """A list longer than Perfetto's importer nests on one track (512): samples/leaky with
    700 workers leaks 699. Recorded as JSON and converted to protobuf, both read by
    trace_processor with nothing dropped (tpq), every suspect listed (in parts of 500:
    child tracks, or threads of their own), and the report read back from the trace the
    same as from the log."""
    binary = build(label, gobin, "leaky", out)
    trace, raw = binary + ".long.json", binary + ".long.gotl"
    rec = run([gotl, "record", "-f", "json", "-o", trace, "-r", raw, "--", binary],
              env=dict(os.environ, LEAKY_WORKERS="700"), timeout=120)
    err = rec.stderr.decode(errors="replace")
    check(rec.returncode == 0 and " 0 lost" in err, "gotl record: %d %s" % (rec.returncode,
                                                                            err[-800:]))
    truth = truth_of(rec.stdout)
    leaked = sorted(truth["leaked"])
    check(len(leaked) == 699, "the sample leaked %d, want 699" % len(leaked))
    doc = jsontrace.load(trace)
    jsontrace.check_doc(doc)
    jm = Model(jsontrace.model(doc))
    tpq.compare(trace, jm.m)
    CHECKS["leaky"](jm, truth, {"go": label, "minor": int(label.split(".")[1])})
    pb = raw + ".pftrace"
    r = run([gotl, "convert", "-o", pb, raw])
    check(r.returncode == 0, "gotl convert failed: " + r.stderr.decode())
    pf = Model(pfcheck(pb))
    for what, m in (("JSON", jm), ("protobuf", pf)):
        listed = [i["args"].get("goid") for i in m.listed("Leak suspects")]
        check(sorted(listed) == leaked, "%s: %d suspects listed, want the %d leaked"
              % (what, len(listed), len(leaked)))
    parts = [t.get("name") for t in pf.m["tracks"] if t.get("name") in ("1-500", "501-699")]
    check(parts == ["1-500", "501-699"], "protobuf list parts %s" % parts)

    def report(path):
        rr = run([gotl, "report", "--json", path])
        check(rr.returncode == 0, "gotl report %s: %s" % (path, rr.stderr.decode()[-300:]))
        return json.loads(rr.stdout)
    a, b = report(raw), report(pb)
    check(a["leak_suspects"] == b["leak_suspects"], "report of the trace lists other suspects")
    return "699 suspects in JSON and protobuf, lists in 2 parts"


def test_json_record(gotl, label, gobin, out):
    """`gotl record -f json`: the trace is JSON whatever its name; checked against the
    sample's truth and against the protobuf trace `gotl convert` makes of the same log."""
    notes = []
    for sample in ("pingpong", "leaky"):
        binary = build(label, gobin, sample, out)
        trace, raw = binary + ".rec-json.trace", binary + ".rec-json.gotl"
        rec = run([gotl, "record", "-f", "json", "-o", trace, "-r", raw, "--", binary],
                  timeout=120)
        err = rec.stderr.decode(errors="replace")
        check("wrote %s" % trace in err and "trace-event JSON" in err,
              "no 'wrote ... trace-event JSON' line: " + err[-800:])
        check(" 0 lost" in err, "events were lost: " + err[-800:])
        truth = truth_of(rec.stdout)
        doc = jsontrace.load(trace)
        n = jsontrace.check_doc(doc)
        jm = Model(jsontrace.model(doc))
        tpq.compare(trace, jm.m)
        pid = doc["metadata"]["gotl.pid"]
        check_generic(jm, pid)
        ctx = {"go": label, "minor": int(label.split(".")[1])}
        CHECKS[sample](jm, truth, ctx)
        # -f wins over the name: a protobuf trace called .json.
        r = run([gotl, "convert", raw, "-f", "perfetto", "-o", raw + ".pb.json"])
        check(r.returncode == 0, "gotl convert failed: " + r.stderr.decode())
        pf = Model(pfcheck(raw + ".pb.json"))
        jsontrace.compare(pf, jm)
        notes.append("%s %d events" % (sample, n))
    return ", ".join(notes)


def test_attach_kinds(gotl, label, gobin, out):
    """The probes are uprobe_multi links on this kernel (-v says so), and the perf_event
    uprobes gotl falls back to on older kernels (GOTL_NO_UPROBE_MULTI=1 forces them here)
    record the same truth."""
    notes = []
    for kind, env in (("uprobe_multi links", {}),
                      ("perf_event uprobes", {"GOTL_NO_UPROBE_MULTI": "1"})):
        for sample in ("pingpong", "leaky"):
            binary = build(label, gobin, sample, out)
            trace = binary + ".%s.pftrace" % kind.split()[0]
            rec = run([gotl, "record", "-v", "-o", trace, "--", binary], timeout=120,
                      env=dict(os.environ, **env))
            err = rec.stderr.decode(errors="replace")
            check("uprobes attached as " + kind in err,
                  "-v does not say %r: %s" % (kind, err[-800:]))
            check(" 0 lost" in err, "events were lost: " + err[-800:])
            m = Model(pfcheck(trace))
            procs = [t for t in m.m["tracks"] if t["kind"] == "process"]
            check_generic(m, procs[0]["pid"] if procs else -1)
            CHECKS[sample](m, truth_of(rec.stdout),
                           {"go": label, "minor": int(label.split(".")[1])})
        notes.append(kind.split()[0])
    return "pingpong and leaky with " + " and ".join(notes)


def cells_for(preset, gos, shapes):
    """[(label, go path, shape)] to run; the specials run on each label's default cell."""
    if preset == "ci":
        tcs, newest = toolchains.matrix_toolchains("ci")
        cells = [(l, p, sh) for l, p, _ in tcs for sh in ("default", "stripped", "pie")]
        cells += [(l, p, sh) for l, p, _ in tcs if l == newest for sh in ("cgo", "static")]
        return cells, [(l, p, n) for l, p, n in tcs]
    if preset == "full":
        tcs, newest = toolchains.matrix_toolchains("full")
        return [(l, p, sh) for l, p, _ in tcs for sh in SHAPES], [(l, p, n) for l, p, n in tcs]
    return [(l, p, sh) for l, p in gos for sh in shapes], [(l, p, "") for l, p in gos]


def table(results, labels, shapes):
    """The version x shape table: 'ok 12/12', 'FAIL 11/12' or '-' (not run)."""
    cell = {}
    for label, shape, name, status, note in results:
        if shape is None:
            continue
        ok, total = cell.get((label, shape), (0, 0))
        cell[(label, shape)] = (ok + (status == "ok"), total + 1)
    used = [sh for sh in shapes if any((l, sh) in cell for l in labels)]
    lines = ["| Go | " + " | ".join(used) + " |", "|---|" + "---|" * len(used)]
    for l in labels:
        row = []
        for sh in used:
            if (l, sh) not in cell:
                row.append("-")
            else:
                ok, total = cell[(l, sh)]
                row.append("%s %d/%d" % ("pass" if ok == total else "**FAIL**", ok, total))
        lines.append("| %s | %s |" % (l, " | ".join(row)))
    return "\n".join(lines)


def write_readme(text, when):
    path = os.path.join(ROOT, "README.md")
    with open(path) as f:
        readme = f.read()
    begin, end = "<!-- matrix:begin -->", "<!-- matrix:end -->"
    check(begin in readme and end in readme, "README.md has no matrix markers")
    block = "%s\n%s\n\n%s\n%s" % (begin, when, text, end)
    readme = readme[:readme.index(begin)] + block + readme[readme.index(end) + len(end):]
    with open(path, "w") as f:
        f.write(readme)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gotl", default=os.path.join(ROOT, "gotl"))
    ap.add_argument("--go", action="append", help="LABEL=PATH of a go command")
    ap.add_argument("--shapes", default="default", help="comma-separated: " + ",".join(SHAPES))
    ap.add_argument("--matrix", choices=("ci", "full"))
    ap.add_argument("--readme", action="store_true", help="write the matrix table into README.md")
    ap.add_argument("--only", help="comma-separated samples")
    ap.add_argument("--cases", help="comma-separated special cases only (attach, kill-9, ...)")
    ap.add_argument("--out", default=os.path.join(ROOT, ".output", "e2e"))
    a = ap.parse_args()
    a.gotl = os.path.abspath(a.gotl)     # some cases run gotl from another directory
    gos = [(l, os.path.abspath(p)) for l, p in (g.split("=", 1) for g in (a.go or DEFAULT_GOS))]
    shapes = a.shapes.split(",")
    samples = a.only.split(",") if a.only else [] if a.cases else sorted(CHECKS)

    problems = [("unknown shape %r" % sh) for sh in shapes if sh not in SHAPES]
    if os.geteuid() != 0:
        problems.append("the end-to-end tests need root (BPF uprobes); run them as root")
    if not os.access(a.gotl, os.X_OK):
        problems.append("no gotl binary at %s (run make)" % a.gotl)
    if not os.access(PFCHECK, os.X_OK):
        problems.append("no pfcheck at %s" % PFCHECK)
    try:
        tpq.available()     # outside CI, it says once that traces get pfcheck alone
    except Failure as e:
        problems.append(str(e))
    cells, tcs = cells_for(a.matrix, gos, shapes)
    for label, path, note in tcs:
        if not path or not os.access(path, os.X_OK):
            problems.append("Go %s not available (%s): make deps installs Go 1.19, other "
                            "releases come through the Go module proxy" % (label, note or path))
            continue
        v = toolchains.go_version(path) or "?"
        if "go%s." % label not in v and "go%s" % label != v:
            problems.append("%s is not Go %s: %s" % (path, label, v))
    if problems:
        for p in problems:
            print("FAIL: " + p, file=sys.stderr)
        return 1

    shutil.rmtree(a.out, ignore_errors=True)
    os.makedirs(a.out)
    results = []
    cases = []
    for label, path, shape in cells:
        for sample in samples:
            if sample == "cgo" and SHAPES[shape][0].get("CGO_ENABLED") == "0":
                continue        # the cgo sample needs cgo
            cases.append((label, shape, sample, lambda l=label, p=path, s=sample, sh=shape:
                          test_one(a.gotl, l, p, s, a.out, sh)))
    if not a.only:
        # Special cases: (name, test, extra arguments) on every toolchain, then on the newest.
        every = [("ctrl-c", test_ctrl_c, ()), ("ctrl-z-sigterm", test_job_control, ()),
                 ("lost-events", test_lost, ()), ("deep-inline", test_deep_inline, ()),
                 ("alloc-modes", test_alloc_modes, ()), ("attach", test_attach, ()),
                 ("json-record", test_json_record, ()),
                 ("attach-stripped", test_attach, ("pie-stripped",))]
        newest = [("attach-deleted", test_attach, ("pie", True)),
                  ("attach-ends", test_attach_ends, ()),
                  ("attach-busy", test_attach_busy, ()),
                  ("long-list", test_long_list, ()),
                  ("attach-signals", test_attach_signals, ()),
                  ("attach-bad", test_attach_bad, ()), ("attach-follow", test_attach_follow, ()),
                  ("probe-kinds", test_attach_kinds, ()), ("kill-9", test_kill9, ()),
                  ("poll-error", test_poll_error, ()), ("sudo-user", test_sudo_user, ()),
                  ("refusals", test_refusals, ())]

        def special(label, path, name, fn, extra):
            return (label, None, name,
                    lambda: fn(a.gotl, label, path, a.out, *extra))
        for label, path, _ in tcs:
            cases += [special(label, path, *c) for c in every]
            if label == "1.26":
                cases.append(special(label, path, "sizespec-malloc", test_sizespec, ()))
        cases.append(("-", None, "bad-input", lambda: test_bad_input(a.gotl, a.out)))
        nl, np_, _ = tcs[-1]
        cases += [special(nl, np_, *c) for c in newest]
    if a.cases:
        cases = [c for c in cases if c[2] in a.cases.split(",")]
    t_all = time.time()
    for label, shape, name, fn in cases:
        t0 = time.time()
        try:
            note = fn()
            results.append((label, shape, name, "ok", note))
        except (Failure, subprocess.TimeoutExpired, json.JSONDecodeError, IndexError) as e:
            results.append((label, shape, name, "FAIL", "%s: %s" % (type(e).__name__, e)))
        print("%-4s go%-5s %-16s %-13s %5.1fs  %s" % (results[-1][3], label, shape or "", name,
                                                       time.time() - t0, results[-1][4][:300]),
              flush=True)
    failed = sum(r[3] != "ok" for r in results)
    labels = [l for l, _, _ in tcs]
    text = table(results, labels, list(SHAPES))
    print()
    print(text)
    for l, p, note in tcs:
        print("  go%s: %s%s" % (l, toolchains.go_version(p), " (%s)" % note if note else ""))
    print("e2e: %d passed, %d failed (%.0f s)"
          % (len(results) - failed, failed, time.time() - t_all))
    if a.readme:
        when = ("Latest `make test-matrix` (%s, kernel %s): every sample recorded in every "
                "cell, each cell `passed/samples`." % (time.strftime("%Y-%m-%d"),
                                                          os.uname().release))
        vers = ", ".join("go%s = %s" % (l, toolchains.go_version(p)) for l, p, _ in tcs)
        write_readme(text + "\n\nToolchains: " + vers + ".", when)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
