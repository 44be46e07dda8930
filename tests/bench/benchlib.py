"""Helpers the bench_*.py sections of `make bench` share: run a set of
configurations of one workload interleaved (run 1 of each, run 2 of each, ...)
and keep each metric's median, read what `gotl record -v` says about its
traps, events and losses, size Go's execution trace, run the bpftrace
comparison, and format the tables. It measures nothing by itself and must not
hide a failure: a configuration that fails ends the bench with its error, and
an alternative that cannot run here is reported as "skipped: <reason>".
"""
import os
import re
import shutil
import statistics
import time

from run_bench import ROOT, die, run  # one copy of each helper

BENCH = os.path.join(ROOT, "tests", "bench")

# The runtime functions gotl probes for goroutine transitions; the floor for a
# workload is an empty uprobe on each of their probe sites (gotl inspect -v).
TRANSITION_FUNCS = r"runtime\.(casgstatus|reentersyscall|exitsyscall|preemptPark|coroswitch_m)$"


def metrics(out):
    """Every `name number` line a workload printed, as a dict."""
    return {k: float(v) for k, v in re.findall(r"^(\w+) (-?[0-9.]+)$", out, re.M)}


def gotl_summary(err):
    """What gotl record -v said at the end: traps (uprobe hits), events written, lost."""
    s = {}
    m = re.search(r"(\d+) uprobe hits", err)
    if m:
        s["traps"] = int(m.group(1))
    m = re.search(r"^gotl: (\d+) events, (\d+) lost", err, re.M)
    if m:
        s["events"], s["lost"] = int(m.group(1)), int(m.group(2))
    return s


class Config:
    """One way of running a workload: a name, a command (or a function of the
    run number returning one), and what to read from each run besides the
    workload's own metrics."""

    def __init__(self, name, cmd, key=None, after=None):
        self.name, self.cmd, self.key, self.after = name, cmd, key or name, after
        self.runs = []  # dicts: the workload's metrics plus what `after` adds

    def once(self, i):
        cmd = self.cmd(i) if callable(self.cmd) else self.cmd
        t0 = time.time()
        rc, out, err = run(cmd, timeout=900)
        if rc:
            die("%s failed (%d): %s%s" % (" ".join(cmd), rc, out[-300:], err[-700:]))
        m = metrics(out)
        m["wall_s"] = time.time() - t0
        if self.after:
            m.update(self.after(out, err))
        self.runs.append(m)

    def med(self, name):
        vals = [r[name] for r in self.runs if name in r]
        return statistics.median(vals) if vals else float("nan")


def interleave(configs, runs):
    for i in range(runs):
        for c in configs:
            c.once(i)


def fmt(v, spec="%.0f", none="-"):
    return none if v is None or v != v else spec % v


def table(head, rows):
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] + \
        ["| " + " | ".join(r) + " |" for r in rows]


# ---- Go's execution tracer --------------------------------------------------

def go_trace_events(gobin, path):
    """Events in a Go execution trace, from `go tool trace -d=footprint`."""
    rc, out, err = run([gobin, "tool", "trace", "-d=footprint", path], timeout=600)
    if rc:
        die("go tool trace -d=footprint %s: %s" % (path, err[-300:]))
    return sum(int(c) for c in
               re.findall(r"^\S.*?\s+\d+\s+[0-9.]+%\s+(\d+)\s+[0-9.]+%$", out, re.M))


# ---- bpftrace ---------------------------------------------------------------

_bpftrace = {}


def bpftrace_status():
    """(path, None) if bpftrace can put uprobes on a Go binary here, else (None, why)."""
    if "s" in _bpftrace:
        return _bpftrace["s"]
    bt = shutil.which("bpftrace")
    if not bt:
        _bpftrace["s"] = (None, "bpftrace is not installed (apt-get install bpftrace)")
        return _bpftrace["s"]
    _bpftrace["s"] = (bt, None)  # try_bpftrace's first run is the trial
    _bpftrace["version"] = run([bt, "--version"])[1].strip()
    return _bpftrace["s"]


def bpftrace_version():
    return _bpftrace.get("version", "")


def bpftrace_cmd(bt, binary, wargs):
    script = os.path.join(BENCH, "goroutines.bt")
    with open(script) as f:
        text = f.read().replace("BINARY", binary)
    path = os.path.join(ROOT, ".output", "bench", "goroutines.bt")
    with open(path, "w") as f:
        f.write(text)
    return [bt, path, "-c", " ".join([binary] + wargs)]


def bpftrace_counts(out):
    """Maps bpftrace printed at exit: {'created': n, 'parked': {reason: n}, ...}."""
    c = {"parked": {}}
    for name, key, v in re.findall(r"^@(\w+)(?:\[(\d+)\])?: (\d+)$", out, re.M):
        if key:
            c.setdefault(name, {})[int(key)] = int(v)
        else:
            c[name] = int(v)
    c["traps"] = sum(sum(v.values()) if isinstance(v, dict) else v
                     for k, v in c.items() if k in ("created", "exited", "parked", "readied"))
    return c


def try_bpftrace(binary, wargs):
    """Run the bpftrace script once; (counts, None) or (None, why it cannot run here)."""
    bt, why = bpftrace_status()
    if not bt:
        return None, why
    rc, out, err = run(bpftrace_cmd(bt, binary, wargs), timeout=900)
    c = bpftrace_counts(out)
    if rc or not c["traps"]:
        why = (err.strip().splitlines() or ["exit status %d" % rc])
        why = [ln for ln in why if "failed to detach" not in ln] or why
        _bpftrace["s"] = (None, "bpftrace failed: %s" % why[-1][:200])
        return None, _bpftrace["s"][1]
    return c, None


_reasons = {}


def wait_reasons(gobin):
    """runtime waitReason numbers to names, read from the toolchain's runtime2.go."""
    if gobin in _reasons:
        return _reasons[gobin]
    names = {}
    rc, goroot, _ = run([gobin, "env", "GOROOT"])
    try:
        with open(os.path.join(goroot.strip(), "src", "runtime", "runtime2.go")) as f:
            src = f.read()
        block = src[src.index("waitReasonZero"):]
        block = block[:block.index("\n)")]
        for i, line in enumerate(block.splitlines()):
            m = re.search(r'//\s*"([^"]*)"', line)
            names[i] = m.group(1) if m else line.split()[0]
    except (OSError, ValueError):
        pass
    _reasons[gobin] = names
    return names
