"""make bench sections `http`, `workerpool` and `allocheavy` (named to run
after bench_events.py and before bench_recorder.py): what gotl costs
programs that do real work between transitions (tests/bench/go: httpload, a
net/http server on loopback under a fixed count of requests from in-process
clients; workerpool, jobs through a channel to hashing workers; allocheavy,
text processing that allocates ~350 times per document). Each runs
untraced, with empty uprobes on gotl's probe sites (the trap floor), under
gotl record and under Go's execution tracer, interleaved in one session;
allocheavy runs gotl with each --alloc mode instead. Figures are throughput
and its ratio to the untraced run; it must not compare runs of different
sessions.
"""
import os

import benchlib as bl
from run_bench import build, offsets


def add_args(ap):
    ap.add_argument("--requests", type=int, default=10000, help="requests of the http section")
    ap.add_argument("--jobs", type=int, default=100000, help="jobs of the workerpool section")
    ap.add_argument("--docs", type=int, default=1000, help="documents of the allocheavy section")


NOTE = ("*time vs untraced* is over the workload's own timing of its measured part, *whole "
        "run* over the wall time from starting the command to its exit (gotl: start-up and "
        "writing the trace and detaching its probes included). The floor's traps are taken as "
        "gotl's with the same probes attached; *vs a bare trap* is gotl's added cost per trap "
        "over the floor's, shown only where the traps' floor cost is over a tenth of the "
        "untraced time. On a machine with few cores the recorder's own CPU time competes with "
        "the program's.")


def after_gotl(pf):
    def f(out, err):
        s = bl.gotl_summary(err)
        s["bytes"] = os.path.getsize(pf)
        return s
    return f


def throughput_section(b, gobin, title, pkg, wargs, intro, unit, gotl_modes, alloc=False):
    binary = build(gobin, pkg, os.path.join(b.tmp, pkg))
    offs = offsets(b.a.gotl, binary, bl.TRANSITION_FUNCS)
    if alloc:
        offs += offsets(b.a.gotl, binary, r"runtime\.mallocgc")
    pf = os.path.join(b.tmp, pkg + ".pftrace")
    gt = os.path.join(b.tmp, pkg + ".gotrace")
    cfgs = [bl.Config("untraced", [binary] + wargs),
            bl.Config("bare", b.bare(offs, binary, wargs))]
    for label, args in gotl_modes:
        cfgs.append(bl.Config(label, [b.a.gotl, "record", "-v", "-o", pf] + args + ["--", binary] +
                              wargs, after=after_gotl(pf)))
    if not alloc:
        cfgs.append(bl.Config("Go execution tracer (runtime/trace)",
                              [binary] + wargs + ["-trace", gt]))
    bl.interleave(cfgs, b.a.runs)
    base = cfgs[0].med("ns_per_op")
    ops = cfgs[0].med("ops")
    # The floor's traps: those of the gotl run with the most probes attached (same sites).
    ftraps = max(c.med("traps") for c in cfgs[2:] if c.med("traps") == c.med("traps")) / ops
    trap = (cfgs[1].med("ns_per_op") - base) / ftraps
    rows = []
    for c in cfgs:
        v = c.med("ns_per_op")
        traps = ftraps if c.key == "bare" else c.med("traps") / ops
        lost = c.med("lost")
        name = {"untraced": "untraced",
                "bare": "empty uprobes on gotl's %s probe sites (the floor)" %
                ("transition and allocation" if alloc else "transition")}.get(c.key, c.key)
        if lost == lost and lost:
            name += " (**%d events lost**)" % lost
        # Per-trap figures only where the traps could matter: their floor cost over 10% of
        # the untraced time; below that, run-to-run noise is what the division would show.
        per = (v - base) / traps if traps == traps and traps * trap > base / 10 else float("nan")
        rows.append([name, bl.fmt(1e9 / v), "%.2f x" % (v / base),
                     "%.2f x" % (c.med("wall_s") / cfgs[0].med("wall_s")),
                     bl.fmt(traps, "%.1f") + (" (as gotl)" if c.key == "bare" else ""),
                     "-" if c.key == "untraced" else "%.1f" % ((v - base) / 1000),
                     bl.fmt(per), bl.fmt(per / trap, "%.2f x")])
    lines = ["## %s" % title, "", intro % {"ops": ops} + " " + NOTE, ""]
    lines += bl.table(["configuration", "%ss per second" % unit, "time vs untraced",
                       "whole run vs untraced",
                       "traps per %s (gotl -v)" % unit, "added us per %s" % unit,
                       "added ns per trap", "vs a bare trap"], rows) + [""]
    return lines


def http(b, gobin):
    return throughput_section(
        b, gobin, "HTTP server", "httpload", ["-n", str(b.a.requests), "-c", "8"],
        "A net/http server on 127.0.0.1 and 8 client goroutines in the same process "
        "(tests/bench/go/httpload), %(ops)d GET requests over keep-alive connections, each "
        "answered with a small JSON document. Requests per second, each configuration's time "
        "over the untraced one's, and the traps gotl counted per request (goroutine "
        "transitions and syscalls of both server and client).",
        "request", [("gotl record", [])])


def workerpool(b, gobin):
    return throughput_section(
        b, gobin, "Worker pool", "workerpool", ["-n", str(b.a.jobs), "-w", "8"],
        "A producer sends %(ops)d jobs over a channel to 8 worker goroutines that each hash "
        "512 bytes and send the digest back (tests/bench/go/workerpool). Jobs per second, "
        "time over the untraced run's, and gotl's traps per job.",
        "job", [("gotl record", [])])


def allocheavy(b, gobin):
    lines = throughput_section(
        b, gobin, "Allocation-heavy program", "allocheavy", ["-n", str(b.a.docs), "-w", "4"],
        "4 goroutines split, count, sort, format and JSON-encode %(ops)d generated documents "
        "(tests/bench/go/allocheavy; about 350 allocations each), under gotl with each "
        "`--alloc` mode; the floor has empty uprobes on the allocation probe sites too. "
        "Documents per second, time over the untraced run's, and gotl's traps per document.",
        "document",
        [("gotl record --alloc=%s" % m, ["--alloc=" + m]) for m in ("off", "sampled", "all")],
        alloc=True)
    return lines + ["With `--alloc=off` (the default) only transitions trap; `sampled` and "
                    "`all` trap on every allocation, so this kind of program runs several times "
                    "slower with them.", ""]


SECTIONS = [("http", http), ("workerpool", workerpool), ("allocheavy", allocheavy)]
