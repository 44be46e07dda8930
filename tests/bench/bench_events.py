"""make bench sections `pingpong`, `mutex` and `spawn`: what one goroutine
transition costs under gotl and under the alternatives, on workloads that do
nothing but transitions and know how many they make (tests/bench/go:
pingpong, mutex, spawn). Each runs untraced, with empty uprobes on the probe
sites gotl uses for transitions (the trap floor, tests/bench/bareprobe),
under gotl record with and without stacks, under Go's own execution tracer
(runtime/trace, the workload's -trace flag) and under a bpftrace script that
counts what a goroutine-leak script counts (tests/bench/goroutines.bt), all
interleaved in one session. It must not report a configuration that did not
run: a missing alternative gets a "skipped: <reason>" line.
"""
import os

import benchlib as bl
from run_bench import build, die, offsets


def add_args(ap):
    ap.add_argument("--events", type=int, default=30000,
                    help="rounds / goroutines of the pingpong, mutex and spawn sections")


def event_section(b, gobin, title, pkg, wargs, intro, unit):
    binary = build(gobin, pkg, os.path.join(b.tmp, pkg))
    offs = offsets(b.a.gotl, binary, bl.TRANSITION_FUNCS)
    pf = os.path.join(b.tmp, pkg + ".pftrace")
    gt = os.path.join(b.tmp, pkg + ".gotrace")

    def after_gotl(out, err):
        s = bl.gotl_summary(err)
        s["bytes"] = os.path.getsize(pf)
        return s

    gotl = [b.a.gotl, "record", "-v", "-o", pf]
    cfgs = [bl.Config("untraced", [binary] + wargs),
            bl.Config("bare", b.bare(offs, binary, wargs)),
            bl.Config("gotl0", gotl + ["--stack-depth", "0", "--", binary] + wargs,
                      after=after_gotl),
            bl.Config("gotl", gotl + ["--", binary] + wargs, after=after_gotl),
            bl.Config("gotrace", [binary] + wargs + ["-trace", gt],
                      after=lambda o, e: {"bytes": os.path.getsize(gt)})]
    counts, skipped = bl.try_bpftrace(binary, wargs)
    if counts:
        cfgs.append(bl.Config("bpftrace", bl.bpftrace_cmd(bl.bpftrace_status()[0], binary, wargs),
                              after=lambda o, e: {"traps": bl.bpftrace_counts(o)["traps"]}))
    bl.interleave(cfgs, b.a.runs)
    c = {x.key: x for x in cfgs}
    ops = c["untraced"].med("ops")
    known = c["untraced"].med("transitions_per_op")
    base = c["untraced"].med("ns_per_op")
    traps = c["gotl"].med("traps") / ops
    if traps != traps:
        die("gotl record -v printed no uprobe hit count for %s" % pkg)
    bare = c["bare"].med("ns_per_op")
    trap = (bare - base) / traps
    gevents = bl.go_trace_events(gobin, gt)
    wall = c["untraced"].med("wall_s")

    def whole(key):
        return "%.2f x" % (c[key].med("wall_s") / wall)
    rows = [["untraced", bl.fmt(base), "1.00 x", "1.00 x", "-", "-", "-", "-"],
            ["empty uprobes on gotl's transition probe sites (the floor)", bl.fmt(bare),
             "%.2f x" % (bare / base), whole("bare"), "%.2f (as gotl)" % traps, bl.fmt(trap),
             "1.00 x", "-"]]
    for key, label in (("gotl0", "gotl record --stack-depth 0"),
                       ("gotl", "gotl record (defaults: 16-frame stacks)")):
        v, t = c[key].med("ns_per_op"), c[key].med("traps") / ops
        lost = c[key].med("lost")
        rows.append([label + (" (**%d events lost**)" % lost if lost else ""), bl.fmt(v),
                     "%.2f x" % (v / base), whole(key), "%.2f" % t, bl.fmt((v - base) / t),
                     "%.2f x" % ((v - base) / t / trap),
                     "%.0f" % (c[key].med("bytes") / c[key].med("events"))])
    v = c["gotrace"].med("ns_per_op")
    ev = gevents / ops
    rows.append(["Go execution tracer (runtime/trace)", bl.fmt(v), "%.2f x" % (v / base),
                 whole("gotrace"), "%.2f events" % ev, "%.0f per event" % ((v - base) / ev), "-",
                 "%.1f" % (c["gotrace"].med("bytes") / gevents)])
    if counts:
        v, t = c["bpftrace"].med("ns_per_op"), c["bpftrace"].med("traps") / ops
        rows.append(["bpftrace goroutines.bt (counts only)", bl.fmt(v), "%.2f x" % (v / base),
                     whole("bpftrace"), "%.2f" % t, bl.fmt((v - base) / t),
                     "%.2f x" % ((v - base) / t / trap), "-"])
    lines = ["## %s" % title, "", (intro % {"ops": ops, "known": known, "traps": traps}) +
             " That is %.2f traps per transition. " % (traps / known) + NOTE, "",
             ] + bl.table(["configuration", "ns per %s" % unit, "vs untraced",
                           "whole run vs untraced",
                           "traps per %s" % unit,
                           "added ns per trap", "vs a bare trap", "bytes per event"], rows) + [""]
    if not counts:
        lines += ["bpftrace: skipped: %s." % skipped, ""]
    else:
        names = bl.wait_reasons(gobin)
        parked = sorted(counts["parked"].items(), key=lambda kv: -kv[1])[:4]
        lines += [BPFTRACE + " (" + bl.bpftrace_version() + ".) Its own counts (one run): "
                  "%d created, %d exited, %d readied, parks by "
                  "wait reason: %s." % (counts.get("created", 0), counts.get("exited", 0),
                                        counts.get("readied", 0),
                                        ", ".join("%s %d" % (names.get(k, str(k)), v)
                                                  for k, v in parked)), ""]
    return lines


NOTE = ("*vs untraced* compares the workload's own timing of its measured part; *whole run* "
        "the wall time from starting the command to its exit (gotl: start-up and writing the "
        "trace and detaching its probes included). The floor is an empty BPF program on the "
        "instructions gotl probes for transitions; *vs a bare trap* is each configuration's "
        "added cost per trap over it (gotl's target: 1.1 x or less). The Go tracer row counts "
        "the events it wrote (`go tool trace -d=footprint`); *bytes per event* is the "
        "output's size over its events (gotl: the .pftrace, stacks and names included).")
BPFTRACE = ("bpftrace's probes sit on the first instruction of `runtime.newproc1`, `gdestroy`, "
            "`gopark` and `ready`, Go's stack check `cmp 0x10(%r14),%rsp`, which the kernel "
            "cannot emulate, so each of its traps is single-stepped: that is what such a "
            "script costs, not a fault of this one.")


def pingpong(b, gobin):
    return event_section(b, gobin, "Ping-pong against the alternatives", "pingpong",
                         ["-n", str(b.a.events)],
                         "Channel ping-pong (tests/bench/go/pingpong), %(ops)d rounds of 6 "
                         "transitions; gotl counted %(traps).2f traps per round. ",
                         "round")


def mutex(b, gobin):
    return event_section(b, gobin, "Mutex handoff", "mutex", ["-n", str(b.a.events)],
                         "Two goroutines pass the turn through two `sync.Mutex` used as binary "
                         "semaphores (tests/bench/go/mutex), %(ops)d rounds: each round both "
                         "park on a mutex's semaphore and are readied by the other's Unlock, "
                         "%(known)d transitions by the workload's count; gotl counted "
                         "%(traps).2f traps per round. ", "round")


def spawn(b, gobin):
    return event_section(b, gobin, "Goroutine spawn and exit", "spawn", ["-n", str(b.a.events)],
                         "The main goroutine starts goroutines 100 at a time and waits for "
                         "them (tests/bench/go/spawn), %(ops)d in all: each is created, runs "
                         "and exits, %(known).2f transitions per goroutine with the main "
                         "goroutine's waits by the workload's count; gotl counted %(traps).2f "
                         "traps per goroutine. Creations record the creator's stack. ",
                         "goroutine")


SECTIONS = [("pingpong", pingpong), ("mutex", mutex), ("spawn", spawn)]
