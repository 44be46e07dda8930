#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""End-to-end tests of `gotl watch` and `gotl top` on programs whose truth
they decide (samples/watch): a leak that grows (goroutines blocked forever in
a chan send, 5 a second), an idle worker pool, a signal.Notify loop and a
ticker loop (long-lived singletons), a burst that grows and then drains.
Short --every and --leak-after (200 ms, 2 s) keep the suite near a minute.

  verdict   go1.26: the JSON verdict names the leak (and only it) with its
            sites, goids and growth, the pool and the loops as long-lived,
            not the drained burst; SIGUSR1 prints it without stopping;
            --fail-on-leak exits 1; /metrics read during the run by the
            OpenMetrics parser of prometheus_client (PyPI), while 20 clients hang
            on the server, 404 elsewhere;
            the trace imported by trace_processor_shell (no error or loss)
            and checked by pfcheck: counters, an instant per census, the
            suspect's slice
  old-go    the same verdict from Go 1.17, 1.19 and 1.27 binaries, and a stripped PIE
  text      the verdict in text
  busy      a busy pool and no leak: no suspect, exit 0 with --fail-on-leak
  exit      the process exits during the watch (or top): one line, the verdict,
            status 0, at once (not at -d)
  top       plain blocks when stdout is a pipe; on a terminal (a pty, 80x24),
            no line wider than the screen (nor after a resize to 60 columns),
            Ctrl-Z gives the terminal back until fg, `q` quits and leaves it as found
  errors    no such process, not a Go program, bad options: one line, status 2
  caps      as nobody with CAP_SYS_PTRACE only (no CAP_BPF)

Needs root (process_vm_readv on another user's process, setpriv), Go 1.26
and 1.19 (1.17 and 1.27 are fetched into .cache/go), ../shared/tools.

  run_watch.py [--gotl ./gotl] [--cases verdict,old-go,...]
"""
import argparse
import fcntl
import json
import os
import pty
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import termios
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import toolchains  # noqa: E402
import tpq  # noqa: E402
from clicheck import as_nobody, refused  # noqa: E402
from cases import run as run_cases  # noqa: E402
from tracemodel import Failure, check  # noqa: E402  (tpq's failures are these)

SAMPLES = os.path.join(ROOT, "samples")
TOOLS = os.path.join(os.path.dirname(ROOT), "shared", "tools")
EVERY, AFTER = "200ms", "2s"
LEAK_RATE = 5


def go_for(minor):
    if minor == 26:
        return toolchains.GO126
    if minor == 19:
        return toolchains.GO119
    return toolchains.fetch(toolchains.KNOWN_LATEST[minor])


BUILT = {}


SHAPES = {"default": [], "pie-stripped": ["-buildmode=pie", "-ldflags=-s -w"]}


def build(minor, out, shape="default"):
    if (minor, shape) in BUILT:
        return BUILT[(minor, shape)]
    go = go_for(minor)
    check(go and os.access(go, os.X_OK), "no Go 1.%d toolchain" % minor)
    version = toolchains.go_version(go)
    binary = os.path.join(out, "watch-%s-%s" % (version, shape))
    r = subprocess.run([go, "build", "-o", binary] + SHAPES[shape] + ["./watch"], cwd=SAMPLES,
                       env=toolchains.go_env(version, {}, out), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=600)
    check(r.returncode == 0, "go build (%s): %s" % (version, r.stdout.decode()[-800:]))
    BUILT[(minor, shape)] = binary
    return binary


class Sample:
    """samples/watch running, once it printed its truth line."""

    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        line = self.p.stdout.readline().decode()
        if not line.startswith("gotl-truth "):
            self.p.kill()
            self.p.wait()
            raise Failure("%s: no truth line: %r %r" % (argv, line, self.p.stderr.read()[-300:]))
        self.t = json.loads(line[len("gotl-truth "):])
        self.pid = self.p.pid
        check(self.t["pid"] == self.pid, "the sample's pid")

    def stop(self):
        """SIGTERM; its final line (every leaked and burst goid)."""
        final = None
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            out, _ = self.p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            out, _ = self.p.communicate()
        for line in out.decode().splitlines():
            if line.startswith("gotl-final "):
                final = json.loads(line[len("gotl-final "):])
        check(self.p.returncode == 0, "the sample exited %s" % self.p.returncode)
        check(final is not None, "the sample printed no final line")
        return final


def site(frame, line):
    return frame is not None and frame["line"] == line and \
        frame["file"].endswith("/samples/watch/main.go")


def group_of(groups, goid):
    found = [g for g in groups if goid in g["goids"]]
    return found[0] if len(found) == 1 else None


def need_prometheus_client():
    """The OpenMetrics parser of prometheus_client, installed from PyPI if missing."""
    try:
        from prometheus_client.openmetrics import parser
        return parser
    except ImportError:
        pass
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "prometheus_client"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    check(r.returncode == 0, "pip install prometheus_client: %s" % r.stdout.decode()[-500:])
    from prometheus_client.openmetrics import parser
    return parser


def scrape(addr, path="/metrics"):
    try:
        with urllib.request.urlopen("http://%s%s" % (addr, path), timeout=10) as f:
            return f.status, f.headers.get("Content-Type"), f.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read().decode()


def check_metrics(parser, body, s):
    fams = {f.name: f for f in parser.text_string_to_metric_families(body)}
    for name in ("gotl_goroutines", "gotl_goroutines_by_state", "gotl_goroutines_waiting",
                 "gotl_group_goroutines", "gotl_leak_suspects", "gotl_leak_suspect_goroutines",
                 "gotl_census_duration_seconds", "gotl_censuses", "gotl_census_cpu_seconds",
                 "gotl_watch"):
        check(name in fams, "no %s in /metrics" % name)
    total = fams["gotl_goroutines"].samples[0].value
    by_state = sum(x.value for x in fams["gotl_goroutines_by_state"].samples)
    check(total == by_state, "/metrics: %s goroutines, %s by state" % (total, by_state))
    waiting = [x.value for x in fams["gotl_goroutines_by_state"].samples
               if x.labels["state"] == "waiting"][0]
    check(sum(x.value for x in fams["gotl_goroutines_waiting"].samples) == waiting,
          "/metrics: waiting by reason")
    check(fams["gotl_leak_suspects"].samples[0].value == 1, "/metrics: %s suspects" %
          fams["gotl_leak_suspects"].samples[0].value)
    sus = fams["gotl_leak_suspect_goroutines"].samples
    check(len(sus) == 1 and sus[0].labels["start_function"] == "main.leaker" and
          sus[0].labels["created_at"].endswith("/watch/main.go:%d" % s.t["leak_go"]) and
          sus[0].labels["blocked_at"].endswith("/watch/main.go:%d" % s.t["leak_block"]) and
          sus[0].labels["wait_reason"] == "chan send" and sus[0].value >= 20,
          "/metrics: the suspect series %s" % sus)
    pool = [x for x in fams["gotl_group_goroutines"].samples
            if x.labels["start_function"] == "main.worker"]
    check(len(pool) == 1 and pool[0].value == len(s.t["pool"]) and
          pool[0].labels["wait_reason"] == "chan receive", "/metrics: the pool %s" % pool)
    check(fams["gotl_censuses"].samples[0].value >= 20, "/metrics: censuses")
    check(fams["gotl_watch"].samples[0].labels["pid"] == str(s.pid), "/metrics: gotl_watch_info")
    return len(fams)


TP_SQL = """
select 'counter', t.name, count(*), min(c.value), max(c.value) from counter c
  join track t on c.track_id = t.id group by t.name;
select 'instant', count(*) from slice where name = 'census' and dur = 0;
select 'slice', s.name, s.ts, s.dur, (select max(ts) from slice where name = 'census')
  from slice s where s.dur > 0;
"""


def check_trace(path, s, verdict):
    """trace_processor_shell (tpq: no error or loss in its stats) and pfcheck on the watch's
    trace."""
    rows = tpq.run(path, TP_SQL)
    if rows is None:    # no trace_processor_shell (outside CI, tpq said so): pfcheck alone
        return check_pfcheck(path)
    counters = {x[1]: x[2:] for x in rows if x[0] == "counter"}
    n = verdict["censuses"]
    check(int(counters.get("Census time", ["0"])[0]) == n, "Census time: %s values, %d censuses"
          % (counters.get("Census time"), n))
    check("Goroutines" in counters and float(counters["Goroutines"][2]) >= 40,
          "Goroutines counter: %s" % counters.get("Goroutines"))
    check(float(counters.get("chan send", ["0", "0", "0"])[2]) >= 40, "chan send counter")
    pool = "main.worker \u2190 main.go:%d, chan receive at main.go:%d" % (s.t["pool_go"],
                                                                       s.t["pool_block"])
    check(pool in counters and counters[pool][1:] == ["8.000000", "8.000000"],
          "the pool's counter %r: %s" % (pool, counters.get(pool)))
    inst = [x for x in rows if x[0] == "instant"]
    check(inst and int(inst[0][1]) == n, "census instants: %s, %d censuses" % (inst, n))
    leak = "main.leaker \u2190 main.go:%d, chan send at main.go:%d" % (s.t["leak_go"],
                                                                    s.t["leak_block"])
    sl = [x for x in rows if x[0] == "slice" and x[1] == leak]
    check(len(sl) == 1 and int(sl[0][2]) + int(sl[0][3]) >= int(sl[0][4]),
          "the suspect's slice %r lasts to the end: %s" % (leak, sl))
    check_pfcheck(path)
    return "%d counter tracks" % len(counters)


def check_pfcheck(path):
    r = subprocess.run([os.path.join(TOOLS, "pfcheck"), path], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=300)
    check(r.returncode == 0 and re.search(rb"^0 errors", r.stdout, re.M),
          "pfcheck: %s" % r.stdout[-500:])
    return "pfcheck alone"


def verdict_case(gotl, out, minor, full, shape="default"):
    binary = build(minor, out, shape)
    parser = need_prometheus_client() if full else None
    s = Sample([binary, "-leak-rate", str(LEAK_RATE), "-burst", "30", "-burst-at", "500ms",
                "-burst-hold", "2500ms"])
    trace = os.path.join(out, "watch-%d.pftrace" % minor)
    dur = 9 if full else 6
    args = [gotl, "watch", "-p", str(s.pid), "--every", EVERY, "--leak-after", AFTER,
            "-d", "%ds" % dur, "--json", "--fail-on-leak"]
    if full:
        args += ["-o", trace, "--metrics", "127.0.0.1:0"]
    try:
        w = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        addr = None
        if full:
            line = w.stderr.readline().decode()
            m = re.match(r"gotl: metrics at http://(\S+)/metrics$", line.strip())
            check(m, "no metrics address: %r" % line)
            addr = m.group(1)
        err = []
        t = threading.Thread(target=lambda: err.append(w.stderr.read().decode()))
        t.start()
        metrics = "-"
        if full:
            time.sleep(4.5)
            w.send_signal(signal.SIGUSR1)	# a verdict now, without stopping
            # clients that never finish their request do not keep the scraper out
            host, port = addr.rsplit(":", 1)
            hung = [socket.create_connection((host, int(port))) for _ in range(20)]
            for k, c in enumerate(hung):
                if k % 2:
                    c.send(b"GET /metr")
            time.sleep(2.5)
            status, ctype, body = scrape(addr)
            for c in hung:
                c.close()
            check(status == 200 and ctype.startswith("application/openmetrics-text"),
                  "/metrics: %s %s" % (status, ctype))
            metrics = "%d metric families" % check_metrics(parser, body, s)
            check(scrape(addr, "/nope")[0] == 404, "/nope is not a 404")
        try:
            stdout, _ = w.communicate(timeout=dur + 60)
        except subprocess.TimeoutExpired:
            w.kill()
            raise Failure("gotl watch did not end at -d")
        t.join()
        final = s.stop()
    finally:
        if s.p.poll() is None:
            s.p.kill()
            s.p.wait()
    lines = stdout.decode().splitlines()
    check(w.returncode == 1, "--fail-on-leak with a leak: status %d (%s)" % (w.returncode, err))
    check(len(lines) == (2 if full else 1), "%d verdict lines" % len(lines))
    v = json.loads(lines[-1])
    if full:
        early = json.loads(lines[0])
        check(0 < early["censuses"] < v["censuses"], "SIGUSR1's verdict: %d censuses of %d" %
              (early["censuses"], v["censuses"]))
    check(v["pid"] == s.pid and v["exited"] is False, "pid, exited")
    check(v["censuses"] >= dur * 5 * 0.6, "%d censuses in %d s every %s" % (v["censuses"], dur,
                                                                           EVERY))
    # the leak, and only it
    check(len(v["suspects"]) == 1, "suspects: %s" % [(g["start_function"], g["count"])
                                                     for g in v["suspects"]])
    g = v["suspects"][0]
    leaked = set(final["leaked"])
    check(site(g["created_at"], s.t["leak_go"]) and site(g["blocked_at"], s.t["leak_block"]) and
          g["wait_reason"] == "chan send" and g["state"] == "waiting",
          "the suspect's sites: %s" % {k: g[k] for k in ("created_at", "blocked_at",
                                                         "wait_reason")})
    if minor >= 21:
        check(g["start_function"] == "main.leaker", "start function %s" % g["start_function"])
    check(set(g["goids"]) <= leaked and len(g["goids"]) == g["count"],
          "the suspect's goids are not all leakers: %s" % sorted(set(g["goids"]) - leaked))
    check(g["count"] >= LEAK_RATE * dur * 0.7, "%d leakers in the suspect after %d s" %
          (g["count"], dur))
    per_hour = LEAK_RATE * 3600
    check(per_hour * 0.6 < g["growth_per_hour"] < per_hour * 1.4, "growth %.0f an hour, the "
          "leak makes %d" % (g["growth_per_hour"], per_hour))
    check(g["oldest_wait_ns"] >= (dur - 1) * 1e9, "oldest wait %s" % g["oldest_wait_ns"])
    check(g["blocked_long"] >= LEAK_RATE * (dur - 2) * 0.7, "blocked long %d" % g["blocked_long"])
    # the pool and the loops are long-lived; the burst was drained and is nowhere
    ll = v["long_lived"]
    pool = group_of(ll, s.t["pool"][0])
    check(pool and sorted(pool["goids"]) == s.t["pool"] and site(pool["blocked_at"],
          s.t["pool_block"]) and pool["wait_reason"] == "chan receive",
          "the pool is not long-lived as a group of its 8: %s" % pool)
    for what in ("signals", "ticker"):
        x = group_of(ll, s.t[what + "_goid"])
        check(x and x["goids"] == [s.t[what + "_goid"]] and site(x["blocked_at"],
              s.t[what + "_block"]), "the %s loop is not long-lived alone: %s" % (what, x))
    # how long each has been blocked at least: the signal loop since before the watch; the
    # ticker wakes every 50 ms, so not longer than a census or two (1 s: room for a loaded
    # machine; without trackingSeq it would look blocked for the whole watch)
    sig = group_of(ll, s.t["signals_goid"])
    tick = group_of(ll, s.t["ticker_goid"])
    check(sig["oldest_wait_ns"] >= (dur - 1) * 1e9, "the signal loop blocked for only %s ns" %
          sig["oldest_wait_ns"])
    check(0 <= tick["oldest_wait_ns"] < 1e9, "the ticker blocked for %s ns" %
          tick["oldest_wait_ns"])
    check(final["drained"], "the burst was not drained before the end")
    burst = set(final["burst"])
    check(not any(set(x["goids"]) & burst for x in v["suspects"] + ll), "a burst goroutine")
    detail = "%d leakers suspect, growing %.0f/h (truth %d/h); pool, signal and ticker " \
             "long-lived; %d censuses" % (g["count"], g["growth_per_hour"], per_hour,
                                          v["censuses"])
    if full:
        detail += "; %s; trace: %s" % (metrics, check_trace(trace, s, v))
    return detail


def text(gotl, out):
    """The verdict as people read it."""
    binary = build(26, out)
    s = Sample([binary, "-burst", "0"])
    try:
        r = subprocess.run([gotl, "watch", "-p", str(s.pid), "--every", EVERY, "--leak-after",
                            "1s", "-d", "2500ms"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
    finally:
        s.stop()
    check(r.returncode == 0 and not r.stderr, "status %d, %r" % (r.returncode, r.stderr))
    t = r.stdout.decode()
    main_go = os.path.join(SAMPLES, "watch", "main.go")
    want = [r"^process %d \(watch-go1\.26\.\d+-?, go1\.26\.\d+\): \d+ goroutines at the "
            r"last of \d+ censuses over 2\.\ds, every 200ms$" % s.pid,
            r"^1 leak suspect: goroutines that keep piling up at one place, each blocked 1\.0s "
            r"or more on a channel, select, lock or cond$",
            r"^  \d+ goroutines  main\.leaker  chan send\n      created at %s:%d "
            r"\(main\.leakSpawner\)\n      blocked at %s:%d \(main\.leaker\)\n      growing by "
            r"\d+ an hour; \d+ blocked 1\.0s or more; the oldest for 2\.\ds\n      goroutines "
            r"((\d+ ){16}\.\.\. \(\d+ more\)|\d+( \d+)+)$" % (re.escape(main_go), s.t["leak_go"],
                                                re.escape(main_go), s.t["leak_block"]),
            r"^\d long-lived groups, not leaks: alive 1\.0s or more without growing",
            r"^  8 goroutines  main\.worker  chan receive\n      created at %s:%d \(main\.main\)"
            r"\n      blocked at %s:%d \(main\.worker\)\n      the oldest blocked for 2\.\ds\n"
            r"      goroutines %s$" % (re.escape(main_go), s.t["pool_go"], re.escape(main_go),
                                     s.t["pool_block"], " ".join(str(g) for g in s.t["pool"]))]
    for w in want:
        check(re.search(w, t, re.M), "no %r in:\n%s" % (w, t))
    return "%d lines" % len(t.splitlines())


def busy(gotl, out):
    binary = build(26, out)
    s = Sample([binary, "-leak-rate", "0", "-burst", "0", "-busy"])
    try:
        r = subprocess.run([gotl, "watch", "-p", str(s.pid), "--every", "100ms", "--leak-after",
                            "1s", "-d", "4s", "--json", "--fail-on-leak"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        s.stop()
    finally:
        if s.p.poll() is None:
            s.p.kill()
    check(r.returncode == 0 and not r.stderr, "status %d, %r" % (r.returncode, r.stderr))
    v = json.loads(r.stdout)
    check(not v["suspects"], "suspects in a busy pool: %s" % v["suspects"])
    x = group_of(v["long_lived"], s.t["signals_goid"])
    check(x is not None, "the signal loop is not long-lived")
    return "no suspect in %d censuses; %d long-lived groups" % (v["censuses"],
                                                                len(v["long_lived"]))


def exit_during(gotl, out):
    binary = build(26, out)
    s = Sample([binary, "-exit-after", "2s", "-burst", "0"])
    t0 = time.time()
    r = subprocess.run([gotl, "watch", "-p", str(s.pid), "--every", EVERY, "--leak-after", "1s",
                        "-d", "60s", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=90)
    took = time.time() - t0
    s.p.communicate(timeout=30)
    err = r.stderr.decode().strip()
    check(r.returncode == 0 and err == "gotl: process %d exited" % s.pid,
          "status %d, %r" % (r.returncode, err))
    check(took < 5, "watch ended %.1f s after the start; the process exited after 2 s" % took)
    v = json.loads(r.stdout)
    check(v["exited"] is True and v["censuses"] >= 5 and v["suspects"],
          "the verdict after the exit: %s" % {k: v[k] for k in ("exited", "censuses")})
    # top too
    s = Sample([binary, "-exit-after", "1s", "-burst", "0"])
    t0 = time.time()
    r = subprocess.run([gotl, "top", "-p", str(s.pid), "--every", EVERY], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    ttop = time.time() - t0
    s.p.communicate(timeout=30)
    err = r.stderr.decode().strip()
    check(r.returncode == 0 and err == "gotl: process %d exited" % s.pid and ttop < 3 and
          r.stdout.count(b"gotl top  pid") >= 3, "top: status %d, %r after %.1f s" % (
              r.returncode, err, ttop))
    return "watch ended %.1f s after the start (the process lived 2 s), %d censuses, %d " \
        "suspects; top %.1f s (1 s)" % (took, v["censuses"], len(v["suspects"]), ttop)


ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def screen_lines(data):
    """What a terminal shows of data: escape sequences out, one string per line."""
    text = ANSI.sub(b"", data).replace(b"\r", b"")
    return [ln.decode(errors="replace") for ln in text.split(b"\n")]


def top(gotl, out):
    binary = build(26, out)
    s = Sample([binary, "-burst", "0"])
    try:
        # plain: stdout is a pipe
        r = subprocess.run([gotl, "top", "-p", str(s.pid), "--every", "250ms", "-d", "1100ms",
                            "-n", "5"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        check(r.returncode == 0 and not r.stderr, "top | cat: status %d, %r" % (r.returncode,
                                                                                 r.stderr))
        text = r.stdout.decode()
        check(b"\x1b" not in r.stdout, "escape sequences in plain output")
        blocks = [b.strip("\n") for b in re.split(r"\n(?=gotl top  pid )", text)]
        check(len(blocks) >= 4, "%d plain blocks in 1.1 s every 250 ms" % len(blocks))
        for b in blocks:
            check(b.startswith("gotl top  pid %d " % s.pid), "block header: %r" % b[:80])
            m = re.search(r"^(\d+) goroutines: (\d+) running, (\d+) runnable, (\d+) syscall, "
                          r"(\d+) waiting", b, re.M)
            check(m and int(m.group(1)) == sum(int(m.group(k)) for k in range(2, 6)),
                  "the states line: %r" % b[:300])
            groups = [ln for ln in b.splitlines() if re.match(r"^ +\d+ +(-|[+-]\d+) ", ln)]
            check(len(groups) <= 5 and re.search(r"more groups?\)$", b), "-n 5: %d groups" %
                  len(groups))
        leak = r"main\.leaker <- main\.go:%d, main\.go:%d$" % (s.t["leak_go"], s.t["leak_block"])
        check(re.search(r"^ +\d+ +\+\d+ .* chan send +" + leak, blocks[-1], re.M),
              "the leak, growing, in the last block: %r" % blocks[-1])
        check(re.search(r"^ +8 +\+0 .* chan receive +main\.worker <-", blocks[-1], re.M),
              "the pool of 8, +0")

        # a terminal of 80x24: q quits
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(gotl, [gotl, "top", "-p", str(s.pid), "--every", "200ms"])
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        os.kill(pid, signal.SIGWINCH)
        data = read_pty(fd, 1.2)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 20, 60, 0, 0))
        os.kill(pid, signal.SIGWINCH)
        mark = len(data)
        data += read_pty(fd, 0.8)
        # Ctrl-Z: the terminal given back while stopped, taken again at fg
        os.kill(pid, signal.SIGTSTP)
        stop = len(data)
        for _ in range(100):
            data += read_pty(fd, 0.05)
            if proc_state(pid) == "T":
                break
        check(proc_state(pid) == "T", "top did not stop on SIGTSTP")
        check(data[stop:].endswith(b"\x1b[?25h\x1b[?1049l"), "the terminal was not given back "
              "at SIGTSTP: %r" % data[stop:][-40:])
        os.kill(pid, signal.SIGCONT)
        cont = len(data)
        data += read_pty(fd, 0.6)
        check(data[cont:].startswith(b"\x1b[?1049h") and b"gotl top  pid" in data[cont:],
              "no screen again after SIGCONT: %r" % data[cont:][:40])
        os.write(fd, b"q")
        t0 = time.time()
        data += read_pty(fd, 3, until_eof=True)
        took = time.time() - t0
        _, st = os.waitpid(pid, 0)
        os.close(fd)
        check(os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0, "top in a pty: status %s" % st)
        check(took < 2, "q took %.1f s to quit" % took)
        first = data[:mark]
        check(first.startswith(b"\x1b[?1049h") and data.endswith(b"\x1b[?25h\x1b[?1049l"),
              "the alternate screen is not left as found: %r ... %r" % (data[:20], data[-20:]))
        # each frame (from cursor home to the next) at most 24 rows of at most 80 columns
        frames = first.split(b"\x1b[H")[1:]
        check(len(frames) >= 3, "%d frames in 1.2 s every 200 ms" % len(frames))
        lines80 = [ln for f in frames for ln in screen_lines(f)]
        check(max(len(ln) for ln in lines80) <= 80, "a line wider than 80 columns: %r" %
              max(lines80, key=len))
        check(all(len(screen_lines(f)) <= 24 for f in frames), "a frame over 24 rows")
        check(any("q: quit" in ln for ln in lines80) and
              any("main.leaker <-" in ln for ln in lines80), "the screen: %r" % lines80[:12])
        after = data[mark:].split(b"\x1b[H")[1:]
        check(after and max(len(ln) for f in after[1:] or after for ln in screen_lines(f)) <= 60,
              "after the resize to 60 columns, a wider line")
        # --every 10s: one frame, and another one at once on space
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(gotl, [gotl, "top", "-p", str(s.pid), "--every", "10s"])
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        one = read_pty(fd, 0.7).count(b"\x1b[H")
        os.write(fd, b" ")
        two = read_pty(fd, 0.7).count(b"\x1b[H")
        os.write(fd, b"q")
        read_pty(fd, 3, until_eof=True)
        os.waitpid(pid, 0)
        os.close(fd)
        # (the first census's frame, and maybe one more for the resize's SIGWINCH)
        check(one in (1, 2) and two == 1, "space: %d frame(s) before, %d after" % (one, two))
    finally:
        s.stop()
    return "%d plain blocks; pty: %d frames in 80x24, then 60 columns; q quit in %.2f s; " \
        "space refreshes" % (len(blocks), len(frames), took)


def proc_state(pid):
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def read_pty(fd, secs, until_eof=False):
    data, end = b"", time.time() + secs
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if not r:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    else:
        if until_eof:
            raise Failure("top did not quit on q")
    return data


def errors(gotl, out):
    n = 0
    p = subprocess.Popen(["sleep", "30"])
    try:
        gone = 4194000
        while os.path.exists("/proc/%d" % gone):
            gone -= 1
        for cmd in ("watch", "top"):
            for args, want in (
                    (["-p", str(gone)], r"^gotl: no process %d$" % gone),
                    (["-p", str(p.pid)], r"^gotl: process %d is not a Go program$" % p.pid),
                    ([], r"no process given"),
                    (["-p", "1", "--every", "0"], r"invalid --every '0'"),
                    (["-p", "1", "-d", "soon"], r"invalid --duration 'soon'"),
                    (["-p", "1", "extra"], r"unexpected argument 'extra'"),
                    (["-p", "1", "--nope"], r"invalid option '--nope'")) + (
                    ((["-p", "1", "--leak-after", "x"], r"invalid --leak-after 'x'"),
                     (["-p", str(p.pid), "--metrics", "9464"], r"not a Go program"))
                    if cmd == "watch" else ()):
                refused([gotl, cmd] + args, want)
                n += 1
            r = subprocess.run([gotl, cmd, "--help"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
            check(r.returncode == 0 and b"usage: gotl " + cmd.encode() in r.stdout, "--help")
    finally:
        p.kill()
        p.wait()
    binary = build(26, out)
    s = Sample([binary, "-burst", "0"])
    try:
        refused([gotl, "watch", "-p", str(s.pid), "--metrics", "9464"],
                r"invalid --metrics address '9464'")
        n += 1
    finally:
        s.stop()
    r = subprocess.run([gotl, "--help"], stdout=subprocess.PIPE)
    check(re.search(rb"^  top ", r.stdout, re.M) and re.search(rb"^  watch ", r.stdout, re.M),
          "gotl --help lists top and watch")
    return "%d refusals, each one line, status 2" % n


def caps(gotl, out):
    binary = build(26, out)
    s = Sample([binary, "-burst", "0"])
    try:
        r = as_nobody([gotl, "watch", "-p", str(s.pid), "--every", EVERY, "-d", "1s", "--json"],
                      ptrace=True)
        check(r.returncode == 0 and not r.stderr, "as nobody with CAP_SYS_PTRACE: %d %r" % (
            r.returncode, r.stderr[-300:]))
        v = json.loads(r.stdout)
        check(v["censuses"] >= 3 and v["goroutines"] >= 10, "as nobody: %s" % v["censuses"])
        r = as_nobody([gotl, "watch", "-p", str(s.pid), "-d", "1s"], ptrace=False)
        err = r.stderr.decode().strip()
        check(r.returncode == 1 and "needs root or CAP_SYS_PTRACE" in err and "\n" not in err,
              "as nobody without it: %d %r" % (r.returncode, err))
    finally:
        s.stop()
    return "%d censuses as nobody with CAP_SYS_PTRACE only; refused without it" % v["censuses"]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gotl", default=os.path.join(ROOT, "gotl"))
    ap.add_argument("--cases", help="comma-separated: verdict,old-go,text,busy,exit,top,errors,"
                    "caps")
    ap.add_argument("--out", default=os.path.join(ROOT, ".output", "e2e-watch"))
    a = ap.parse_args()
    gotl = os.path.abspath(a.gotl)
    if os.geteuid() != 0:
        print("FAIL: run_watch.py needs root", file=sys.stderr)
        return 1
    os.makedirs(a.out, exist_ok=True)
    cases = [("verdict", "go1.26", lambda: verdict_case(gotl, a.out, 26, True)),
             ("old-go", "go1.19", lambda: verdict_case(gotl, a.out, 19, False)),
             ("old-go", "go1.17", lambda: verdict_case(gotl, a.out, 17, False)),
             ("old-go", "go1.27", lambda: verdict_case(gotl, a.out, 27, False)),
             ("old-go", "go1.26 pie-stripped", lambda: verdict_case(gotl, a.out, 26, False,
                                                                      "pie-stripped")),
             ("text", "go1.26", lambda: text(gotl, a.out)),
             ("busy", "go1.26", lambda: busy(gotl, a.out)),
             ("exit", "go1.26", lambda: exit_during(gotl, a.out)),
             ("top", "go1.26", lambda: top(gotl, a.out)),
             ("errors", "-", lambda: errors(gotl, a.out)),
             ("caps", "go1.26", lambda: caps(gotl, a.out))]
    return run_cases("watch", cases, a.cases, widths=(8, 19))


if __name__ == "__main__":
    sys.exit(main())
