"""make bench sections `flightrss`, `flightdump` and `flightcpu`: what `gotl record --flight`
costs.

`flightrss`: the flight recorder's resident memory over a long recording of a
steady service whose goroutines keep being replaced (tests/bench/go/churn:
5000 alive, 1000 new ones a second, 4 sites, a pool of 200), attached with
`record -p --flight 10s` (--flight-size 64M, the default), sampled every
second, for --flightrss-seconds (default 180; an hour: --flightrss-seconds
3600). The ring fills in the first seconds; after that the memory must stay
flat whatever the length. The slope is fitted on the second half.

`flightdump`: the time to write a dump of a 30 s window: the same service
recorded with --flight 30s and a --flight-size that holds 30 s of it, SIGUSR1
after 32 s; from the signal to gotl's line naming the trace written (the
window's log written, converted into a trace), with the window's events and
the trace's size. --flightdump-runs runs (default 3), the median kept.

`flightcpu`: gotl's own CPU time (utime + stime of the gotl process, from
/proc) over 20 s of recording the same service, from 2 s after the start to
22 s (before the end: no conversion in it), with `record -p` (the raw log to a
file) and `record -p --flight 10s` (into the ring), interleaved,
--flightdump-runs runs each, the median kept.
"""
import os
import re
import signal
import statistics
import subprocess
import threading
import time

import benchlib as bl
from bench_recorder import rss_of
from bench_watch import rss_table
from run_bench import build, die


def add_args(ap):
    ap.add_argument("--flightrss-seconds", type=float, default=180,
                    help="length of the flightrss run")
    ap.add_argument("--flightdump-runs", type=int, default=3, help="runs of flightdump")


def start_churn(b, gobin, secs):
    binary = build(gobin, "churn", os.path.join(b.tmp, "churn"))
    target = subprocess.Popen([binary, "-seconds", "%g" % secs], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    time.sleep(1)
    return target


class Stderr:
    """gotl's stderr lines, read as they come, each with when it came."""

    def __init__(self, f):
        self.lines = []
        self.t = threading.Thread(target=self._read, args=(f,), daemon=True)
        self.t.start()

    def _read(self, f):
        for line in iter(f.readline, b""):
            self.lines.append((time.time(), line.decode(errors="replace").rstrip()))

    def wait_for(self, pat, timeout):
        t0 = time.time()
        while time.time() - t0 < timeout:
            for t, line in self.lines:
                m = re.search(pat, line)
                if m:
                    return t, m
            time.sleep(0.01)
        die("flight: no line matching %r in %s" % (pat, [l for _, l in self.lines[-5:]]))


def flightrss(b, gobin):
    secs = b.a.flightrss_seconds
    target = start_churn(b, gobin, secs + 60)
    out = os.path.join(b.tmp, "flightrss.pftrace")
    cmd = [b.a.gotl, "record", "-p", str(target.pid), "--flight", "10s", "-o", out,
           "--no-progress", "-d", "%gs" % secs]
    t0 = time.time()
    g = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err = Stderr(g.stderr)
    samples = []
    while g.poll() is None:
        r = rss_of(g.pid)
        if r is not None:
            samples.append((time.time() - t0, r))
        time.sleep(1)
    g.wait()
    err.t.join(10)
    target.kill()
    target.wait()
    if g.returncode:
        die("%s failed (%d): %s" % (" ".join(cmd), g.returncode, err.lines[-3:]))
    _, m = err.wait_for(r"wrote \S+ \((\d+) bytes; ([\d.]+) s, (\d+) events", 1)
    if len(samples) < 10:
        die("flightrss: %d samples" % len(samples))
    return ["## gotl record --flight's memory over time", "",
            "The flight recorder's resident memory (VmRSS of the gotl process, sampled every "
            "second) while it records tests/bench/go/churn (5000 goroutines alive, 1000 ending "
            "and replaced by new ones every second, 4 sites, 200 that wait for good) for %g s "
            "with `record -p --flight 10s` (--flight-size 64M): every transition goes "
            "through the ring, the last 10 s are kept; the dump at the end held %s s, %s "
            "events (a %.1f MB trace). The slope is fitted on the second half of the "
            "samples; `BENCH_ARGS=\"--only flightrss --flightrss-seconds 3600\"` records for "
            "an hour." % (secs, m.group(2), m.group(3), int(m.group(1)) / 1e6), ""] + \
        rss_table(samples) + [""]


def flightdump(b, gobin):
    rows, times = [], []
    for i in range(b.a.flightdump_runs):
        target = start_churn(b, gobin, 120)
        out = os.path.join(b.tmp, "flightdump.pftrace")
        cmd = [b.a.gotl, "record", "-p", str(target.pid), "--flight", "30s", "--flight-size",
               "1G", "-o", out, "--no-progress"]
        g = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        err = Stderr(g.stderr)
        time.sleep(32)
        t_sig = time.time()
        g.send_signal(signal.SIGUSR1)
        t_done, m = err.wait_for(r"wrote (\S+-1\.pftrace) \((\d+) bytes; ([\d.]+) s, (\d+) "
                                 r"events, (\d+) goroutines", 300)
        g.send_signal(signal.SIGINT)
        g.wait(timeout=300)
        target.kill()
        target.wait()
        times.append(t_done - t_sig)
        rows.append(["%d" % (i + 1), m.group(3), m.group(4), m.group(5),
                     "%.1f" % (int(m.group(2)) / 1e6), "%.2f" % (t_done - t_sig)])
    return ["## Writing a dump of a 30 s window", "",
            "`gotl record -p --flight 30s --flight-size 1G` on tests/bench/go/churn, SIGUSR1 "
            "after 32 s: the time from the signal to gotl's line naming the trace (the "
            "window's log written from memory, then converted; the recording goes on "
            "meanwhile, the ring buffer holding the events). Median of %d runs: **%.2f s**."
            % (len(times), statistics.median(times)), ""] + \
        bl.table(["run", "window (s)", "events", "goroutines", "trace (MB)", "dump time (s)"],
                 rows) + [""]


def cpu_of(pid):
    """utime + stime of pid in seconds, or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def flightcpu(b, gobin):
    res = {"record -p": [], "record -p --flight 10s": []}
    for i in range(b.a.flightdump_runs):
        for name, extra in (("record -p", []), ("record -p --flight 10s", ["--flight", "10s"])):
            target = start_churn(b, gobin, 60)
            out = os.path.join(b.tmp, "flightcpu.pftrace")
            g = subprocess.Popen([b.a.gotl, "record", "-p", str(target.pid), "-o", out,
                                  "--no-progress"] + extra, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
            time.sleep(2)
            c0 = cpu_of(g.pid)
            time.sleep(20)
            c1 = cpu_of(g.pid)
            g.send_signal(signal.SIGINT)
            _, err = g.communicate(timeout=300)
            target.kill()
            target.wait()
            if g.returncode or c0 is None or c1 is None:
                die("flightcpu: %s failed (%d): %s" % (name, g.returncode, err[-300:]))
            res[name].append(c1 - c0)
    base = statistics.median(res["record -p"])
    fl = statistics.median(res["record -p --flight 10s"])
    return ["## gotl record --flight's CPU", "",
            "gotl's own CPU time (user + system, from /proc) over 20 s of recording "
            "tests/bench/go/churn, from 2 s after the start (before the end: no conversion in "
            "it); median of %d runs each, interleaved. The flight recorder keeps the events in "
            "memory and the goroutines' state at its window's start instead of writing "
            "the raw log to a file: **%.2f times** `record`'s CPU." % (len(res["record -p"]),
                                                                     fl / base if base else
                                                                     float("nan")), ""] + \
        bl.table(["recording", "CPU s over 20 s (median)", "runs"],
                 [[k, "%.2f" % statistics.median(v), " ".join("%.2f" % x for x in v)]
                  for k, v in res.items()]) + [""]


SECTIONS = [("flightrss", flightrss), ("flightdump", flightdump), ("flightcpu", flightcpu)]
