#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""The "Converter" section of make bench: `gotl convert` on synthetic event
logs written by tests/bench/mklog (many goroutines through consistent state
machines, wait reasons, stacks, wake-ups, creations with their symbols):

  - throughput: events per second converting a large log on one core
    (taskset), writing the trace to a file, median of --runs;
  - output size: trace bytes per event, as gotl writes it by default
    (compressed packets) and with --no-compress, and what compression costs
    in time;
  - peak RSS (getrusage of the child) for a log of 1 M goroutines created
    and exited over time with a few thousand alive at once, where it must be
    bounded by the live goroutines, and for a log with 100 k alive at once.

Needs neither root nor Go: `python3 tests/bench/bench_convert.py` runs this
section alone and prints its markdown. run_bench.py imports it (SECTIONS).
It measures; it asserts nothing and leaves no log behind.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def fail(msg):
    print("bench: " + msg, file=sys.stderr)
    sys.exit(1)


def add_args(ap):
    ap.add_argument("--mklog", default=os.path.join(ROOT, ".output", "bench", "mklog"),
                    help="the synthetic log generator (make .output/bench/mklog)")
    ap.add_argument("--convert-events", type=int, default=5000000,
                    help="events in the throughput log")


def measure(cmd, out_path):
    """Run cmd; (wall s, cpu s, peak RSS KiB, stderr). Fails the bench on error."""
    if os.path.exists(out_path):
        os.unlink(out_path)     # not the previous run's truncation
    with open(out_path + ".err", "w+b") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        err.seek(0)
        text = err.read().decode(errors="replace")
    os.unlink(out_path + ".err")
    if status:
        fail("%s failed (status %d): %s" % (" ".join(cmd), status, text[-500:]))
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, text


def events_of(err):
    m = re.search(r"^gotl: (\d+) events, \d+ lost, (\d+) goroutines \(peak (\d+) alive\)",
                  err, re.M)
    if not m:
        fail("no event count in gotl's output: " + err[-300:])
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def mklog(a, path, args):
    rc = subprocess.run([a.mklog] + args + [path], stdout=subprocess.DEVNULL,
                        stderr=subprocess.PIPE)
    if rc.returncode:
        fail("mklog failed: " + rc.stderr.decode(errors="replace")[-300:])


def one_core():
    """Pin to one CPU when taskset is there (the figure is per core)."""
    return ["taskset", "-c", "0"] if shutil.which("taskset") else []


def converter(b, go=None):
    a = b.a
    tmp = os.path.join(b.tmp, "convert")
    os.makedirs(tmp, exist_ok=True)
    if not os.access(a.mklog, os.X_OK):
        fail("missing %s (make .output/bench/mklog)" % a.mklog)
    log, trace = os.path.join(tmp, "big.gotl"), os.path.join(tmp, "big.pftrace")
    pin = one_core()
    lines = ["## Converter", ""]
    try:
        n = a.convert_events
        mklog(a, log, ["-n", str(n), "-g", str(max(n // 250, 1)), "-a", "2000"])
        log_bytes = os.path.getsize(log)
        plain, z = [], []
        for _ in range(a.runs):
            wall, cpu, rss, err = measure(pin + [a.gotl, "convert", "--no-compress", log, "-o",
                                                 trace], trace)
            plain.append((wall, cpu, rss, os.path.getsize(trace)))
        events, gors, alive = events_of(err)
        for _ in range(max(1, a.runs // 2)):
            wall, cpu, rss, err = measure(pin + [a.gotl, "convert", log, "-o", trace], trace)
            z.append((wall, cpu, rss, os.path.getsize(trace)))
        os.unlink(trace)
        os.unlink(log)

        def med(rows, i):
            return statistics.median(r[i] for r in rows)

        lines += [
            "`gotl convert` on a synthetic log from tests/bench/mklog: %d events (%.0f MB), "
            "%d goroutines, at most %d alive, 30%% of parks and creations with a stack; "
            "pinned to one CPU%s, the trace written to a file. Median of %d runs "
            "(compressed: %d)." % (events, log_bytes / 1e6, gors, alive,
                                   "" if pin else " (no taskset here: not pinned)",
                                   len(plain), len(z)), "",
            "| output | events/s (wall clock) | events/s (CPU time) | fastest run (CPU time) "
            "| trace bytes per event | peak RSS |", "|---|---|---|---|---|---|"]
        for name, rows in (("default (compressed packets, zlib level 1)", z),
                           ("--no-compress", plain)):
            lines.append("| %s | %.2f M | %.2f M | %.2f M | %.1f | %.0f MiB |" % (
                name, events / med(rows, 0) / 1e6, events / med(rows, 1) / 1e6,
                events / min(r[1] for r in rows) / 1e6, med(rows, 3) / events,
                med(rows, 2) / 1024))
        lines += ["", "The same work takes up to ~1.6 times longer from one quarter of an hour "
                  "to the next on this VM (other guests on the host; CPU steal stays ~0): "
                  "the fastest run is the converter's own cost, the median what this machine "
                  "gave in that minute."]
        lines += ["", "Compression makes the trace %.1f x smaller for %.1f x the CPU time. "
                  "Plain packets already have timestamps as deltas (one clock, in file "
                  "order; a time before the previous packet's is written whole), frames "
                  "and names interned once; a trace is what one attaches to a bug report, "
                  "so it is compressed unless asked not to (`--no-compress`). Bytes per "
                  "event next to Go's own execution trace of the same run: Ping-pong, "
                  "Mutex handoff and Goroutine spawn below." % (
                      med(plain, 3) / med(z, 3), med(z, 1) / med(plain, 1)), ""]

        rows = []
        for label, args in (
                ("1 M goroutines, at most 2000 alive at once",
                 ["-n", "20000000", "-g", "1000000", "-a", "2000"]),
                ("100 k goroutines, all alive at once",
                 ["-n", "3000000", "-g", "100000", "-a", "100000"])):
            mklog(a, log, args)
            size = os.path.getsize(log)
            # The trace's size does not matter here: not kept, nor compressed.
            wall, cpu, rss, err = measure([a.gotl, "convert", "--no-compress", log, "-o",
                                           os.devnull], trace)
            os.unlink(log)
            events, gors, alive = events_of(err)
            rows.append("| %s | %d | %d | %.0f MB | %.0f MiB | %.1f s |" % (
                label, events, gors, size / 1e6, rss / 1024, cpu))
        lines += ["Peak memory (getrusage maxrss, the log is mapped and its pages given "
                  "back as they are read; the trace goes to /dev/null, --no-compress):", "",
                  "| log | events | goroutines | log size | peak RSS | CPU time |",
                  "|---|---|---|---|---|---|"] + rows + [""]
    finally:
        for p in (log, trace):
            if os.path.exists(p):
                os.unlink(p)
    return lines


SECTIONS = [("converter", converter)]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gotl", default=os.path.join(ROOT, "gotl"))
    ap.add_argument("--runs", type=int, default=5)
    add_args(ap)
    a = ap.parse_args()

    class B:
        pass
    b = B()
    b.a = a
    b.tmp = os.path.join(ROOT, ".output", "bench")
    print("\n".join(converter(b)))


if __name__ == "__main__":
    main()
