"""make bench sections `watch` and `watchrss`: what `gotl watch` costs.

`watch`: the HTTP server and worker pool workloads (tests/bench/go: httpload,
workerpool), each started with -wait so that gotl can attach to it before its
measured part, run untraced, under `gotl watch -p --every 1s` (a census a
second, stacks included), under `gotl record -p` (uprobes on every
transition) and under Go's own execution tracer, interleaved in one session.
The measured parts are sized to last ~10 s untraced, so that each watched run
holds ~10 censuses. Goal: >= 99% of the untraced throughput.

`watchrss`: gotl watch's resident memory over a long watch of a steady
service whose goroutines keep being replaced (tests/bench/go/churn: 5000
alive, 1000 new ones a second, 4 sites, a pool of 200), sampled every second:
--watchrss-seconds (default 180) at --watchrss-every (default 50ms: 3600
censuses, as many as an hour at 1 s); an hour of real time: --watchrss-seconds
3600 --watchrss-every 1s. The slope is fitted on the second half.
"""
import json
import os
import re
import statistics
import subprocess
import threading
import time

import benchlib as bl
from bench_recorder import rss_of
from run_bench import build, die


def add_args(ap):
    ap.add_argument("--watch-requests", type=int, default=300000,
                    help="requests of the watch section's HTTP runs (~10 s)")
    ap.add_argument("--watch-jobs", type=int, default=8000000,
                    help="jobs of the watch section's worker pool runs (~10 s)")
    ap.add_argument("--watchrss-seconds", type=float, default=180,
                    help="length of the watchrss run")
    ap.add_argument("--watchrss-every", default="50ms", help="--every of the watchrss run")


class Attached(bl.Config):
    """A workload started with -wait, gotl attached to it (or not), then let go."""

    def __init__(self, name, binary, wargs, gotl=None, ready=None, after=None):
        bl.Config.__init__(self, name, None, after=after)
        self.binary, self.wargs, self.gotl, self.ready = binary, wargs, gotl, ready

    def once(self, i):
        t0 = time.time()
        w = subprocess.Popen([self.binary, "-wait"] + self.wargs, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if w.stdout.readline().strip() != b"ready":
            w.kill()
            die("%s did not get ready: %s" % (self.binary, w.stderr.read()[-300:]))
        g, gerr = None, []
        if self.gotl:
            g = subprocess.Popen(self.gotl(w.pid), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            # gotl says when it holds the process: its first line that matches `ready`
            while True:
                line = g.stderr.readline().decode()
                if not line:
                    w.kill()
                    die("%s ended before attaching: %s" % (self.gotl(w.pid), "".join(gerr)))
                gerr.append(line)
                if self.ready in line:
                    break
            t = threading.Thread(target=lambda: gerr.append(g.stderr.read().decode()))
            t.start()
        w.stdin.write(b"go\n")
        w.stdin.flush()
        out, err = w.communicate(timeout=900)
        gout = ""
        if g:
            gout = g.communicate(timeout=300)[0].decode()
            t.join()
            if g.returncode:
                die("%s failed (%d): %s" % (self.gotl(w.pid), g.returncode, "".join(gerr)[-700:]))
        if w.returncode:
            die("%s failed (%d): %s" % (self.binary, w.returncode, err.decode()[-500:]))
        m = bl.metrics(out.decode())
        m["wall_s"] = time.time() - t0
        if self.after:
            m.update(self.after(gout, "".join(gerr)))
        self.runs.append(m)


def censuses(out, err):
    """How many censuses gotl watch -v took, and their median cost."""
    walls = [float(x) for x in re.findall(r"read in ([0-9.]+) ms", err)]
    cpus = [float(x) for x in re.findall(r"\(([0-9.]+) ms cpu\)", err)]
    return {"censuses": len(walls), "census_ms": statistics.median(walls) if walls else
            float("nan"), "census_cpu_ms": statistics.median(cpus) if cpus else float("nan")}


def throughput(b, gobin, title, pkg, wargs, unit, intro):
    binary = build(gobin, pkg, os.path.join(b.tmp, pkg))
    pf = os.path.join(b.tmp, pkg + "-attach.pftrace")
    gt = os.path.join(b.tmp, pkg + "-watch.gotrace")
    cfgs = [Attached("untraced", binary, wargs),
            Attached("gotl watch -p --every 1s", binary, wargs,
                     gotl=lambda pid: [b.a.gotl, "watch", "-v", "-p", str(pid), "--every", "1s"],
                     ready="census 1:", after=censuses),
            Attached("gotl record -p", binary, wargs,
                     gotl=lambda pid: [b.a.gotl, "record", "-v", "-p", str(pid), "-o", pf],
                     ready="goroutines (", after=lambda o, e: bl.gotl_summary(e)),
            Attached("Go execution tracer (runtime/trace)", binary, wargs + ["-trace", gt])]
    bl.interleave(cfgs, b.a.runs)
    base = cfgs[0].med("ns_per_op")
    rows = []
    for c in cfgs:
        v = c.med("ns_per_op")
        note = ""
        if c.med("censuses") == c.med("censuses"):
            note = "%.0f censuses of %.2f ms (%.2f ms CPU)" % (c.med("censuses"),
                                                               c.med("census_ms"),
                                                               c.med("census_cpu_ms"))
        elif c.med("events") == c.med("events"):
            note = "%.1f events per %s recorded, %.0f lost" % (c.med("events") / c.med("ops"),
                                                               unit, c.med("lost"))
        vals = sorted(1e9 / r["ns_per_op"] for r in c.runs)
        rows.append([c.name, bl.fmt(1e9 / v), "%.1f%%" % (100 * base / v),
                     "%s - %s" % (bl.fmt(vals[0]), bl.fmt(vals[-1])), note or "-"])
    return ["## %s under gotl watch" % title, "",
            intro + " Each configuration's throughput is the median of %d runs, its ratio to "
            "the untraced median, and the range of its runs (the spread between runs of the same "
            "configuration is the noise to read the ratio against)." % b.a.runs, ""] + \
        bl.table(["configuration", "%ss per second" % unit, "of untraced",
                  "range of the runs", "what gotl did"], rows) + [""]


def watch(b, gobin):
    lines = throughput(
        b, gobin, "HTTP server", "httpload",
        ["-n", str(b.a.watch_requests), "-c", "8"], "request",
        "The HTTP workload (tests/bench/go/httpload: a net/http server on 127.0.0.1 and 8 "
        "client goroutines in the same process, %d GET requests over keep-alive connections) "
        "started and left waiting, gotl attached to it, then let go." % b.a.watch_requests)
    lines += throughput(
        b, gobin, "Worker pool", "workerpool", ["-n", str(b.a.watch_jobs), "-w", "8"], "job",
        "The worker pool (tests/bench/go/workerpool: %d jobs over a channel to 8 hashing "
        "workers), started and left waiting, gotl attached, then let go." % b.a.watch_jobs)
    return lines


def slope(samples):
    """Least-squares slope of (t, v) samples, per hour."""
    n = len(samples)
    mt = sum(t for t, _ in samples) / n
    mv = sum(v for _, v in samples) / n
    d = sum((t - mt) ** 2 for t, _ in samples)
    return 3600 * sum((t - mt) * (v - mv) for t, v in samples) / d if d else float("nan")


def rss_table(samples):
    """The table of a memory-over-time section from its (t, MiB) samples: after 1 s, at each
    quarter, at the end, the maximum and the slope fitted on the second half."""
    second = samples[len(samples) // 2:]
    at = [samples[min(len(samples) - 1, int(len(samples) * q))][1] for q in (0.25, 0.5, 0.75)]
    mx = max(r for _, r in samples)
    return bl.table(["samples", "MiB after 1 s", "at 1/4", "at 1/2", "at 3/4", "at the end",
                     "max", "slope over the second half"],
                    [["%d" % len(samples), "%.1f" % samples[1][1]] + ["%.1f" % x for x in at] +
                     ["%.1f" % samples[-1][1], "%.1f" % mx,
                      "%+.2f MiB/hour" % slope(second)]])


def watchrss(b, gobin):
    binary = build(gobin, "churn", os.path.join(b.tmp, "churn"))
    secs = b.a.watchrss_seconds
    target = subprocess.Popen([binary, "-seconds", "%g" % (secs + 30)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    time.sleep(1)
    pf = os.path.join(b.tmp, "watchrss.pftrace")
    cmd = [b.a.gotl, "watch", "-p", str(target.pid), "--every", b.a.watchrss_every, "-d",
           "%gs" % secs, "-o", pf, "--json"]
    t0 = time.time()
    g = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    samples = []
    while g.poll() is None:
        r = rss_of(g.pid)
        if r is not None:
            samples.append((time.time() - t0, r))
        time.sleep(1)
    out, err = g.communicate()
    target.kill()
    target.wait()
    if g.returncode:
        die("%s failed (%d): %s" % (" ".join(cmd), g.returncode, err.decode()[-500:]))
    v = json.loads(out)
    if len(samples) < 10:
        die("watchrss: %d samples" % len(samples))
    return ["## gotl watch's memory over time", "",
            "gotl watch's resident memory (VmRSS of the gotl process, sampled every second) "
            "while it watches tests/bench/go/churn (5000 goroutines alive, 1000 ending and "
            "replaced by new ones every second, 4 sites, 200 that wait for good) for %g s with "
            "--every %s: %d censuses, as many as %.0f minutes at --every 1s, the trace "
            "written meanwhile (-o, %.0f KB). The slope is fitted on the second half of the "
            "samples; `BENCH_ARGS=\"--only watchrss --watchrss-seconds 3600 --watchrss-every "
            "1s\"` watches for an hour of real time." % (
                secs, b.a.watchrss_every, v["censuses"], v["censuses"] / 60.0,
                os.path.getsize(pf) / 1e3), ""] + \
        rss_table(samples) + [""]


SECTIONS = [("watch", watch), ("watchrss", watchrss)]
