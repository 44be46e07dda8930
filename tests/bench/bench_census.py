"""make bench section `census`: what one census (probes/census.c, the reader
behind gotl dump, top, watch and record -p's snapshot) costs gotl, for 1k,
10k and 100k goroutines, without stacks and with 16-frame stacks.

samples/census runs with -idle N: N goroutines blocked in chan receive,
each under 16 frames of a recursive function (about 20 with the runtime's).
tests/bench/censusbench opens the process once, as top and watch do, and
takes --census-runs censuses in a row; each reports its wall and CPU time
(struct census_cost), bytes and system calls, then the time to symbolize
every stack as Go prints it (cached per pc), and gotl's resident memory.
The first census of a process also fills the symbol cache and grows the
buffers: it is shown apart from the median of the others (the steady
state of a census every second).
"""
import os
import statistics
import subprocess

import benchlib as bl
import toolchains
from run_bench import ROOT, die


def add_args(ap):
    ap.add_argument("--census-runs", type=int, default=11, help="censuses per configuration")


def build_sample(gobin, out):
    v = toolchains.go_version(gobin)
    r = subprocess.run([gobin, "build", "-o", out, "."],
                       cwd=os.path.join(ROOT, "samples", "census"),
                       env=toolchains.go_env(v, {}, None), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=900)
    if r.returncode:
        die("cannot build samples/census: %s" % r.stdout.decode()[-500:])
    return out


def censuses(tool, pid, frames, runs):
    r = subprocess.run([tool, str(pid), str(frames), str(runs)], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=900)
    if r.returncode:
        die("censusbench: %s" % r.stderr.decode()[-300:])
    out = []
    for line in r.stdout.decode().splitlines():
        f = line.split()
        out.append({f[i]: int(f[i + 1]) for i in range(2, len(f) - 1, 2)})
    return out


def census(b, gobin):
    tool = os.path.join(ROOT, ".output", "bench", "censusbench")
    if not os.access(tool, os.X_OK):
        die("missing %s (make .output/bench/censusbench)" % tool)
    prog = build_sample(gobin, os.path.join(b.tmp, "census"))
    runs = b.a.census_runs
    rows, rss = [], []
    goal = {}
    for n in (1000, 10000, 100000):
        p = subprocess.Popen([prog, "-nozoo", "-idle", str(n), "-depth", "16"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            if not p.stdout.readline().startswith(b"ready "):
                die("samples/census -idle %d did not start" % n)
            for frames in (0, 16):
                rs = censuses(tool, p.pid, frames, runs)
                first, rest = rs[0], rs[1:] or rs
                med = {k: statistics.median(r[k] for r in rest) for k in rest[0]}
                rows.append(["%d" % n,
                             "none" if not frames else "%d frames" % frames,
                             "%.1f" % (med["wall_ns"] / 1e6), "%.1f" % (med["cpu_ns"] / 1e6),
                             "%.1f / %.1f" % (first["wall_ns"] / 1e6, first["cpu_ns"] / 1e6),
                             "%.1f" % (med["sym_ns"] / 1e6) if frames else "-",
                             "%.1f" % (med["bytes"] / 1e6), "%d" % med["syscalls"],
                             "%d" % (med["goroutines"])])
                rss.append((n, frames, first["rss_kb"], rs[-1]["rss_kb"]))
                goal[(n, frames)] = med
            if n == 10000:
                # a census every second for a long time: memory must not grow
                long = censuses(tool, p.pid, 16, 300)
                drift = (long[0]["rss_kb"], long[9]["rss_kb"], long[-1]["rss_kb"])
        finally:
            p.kill()
            p.wait()
    g0, g16 = goal[(100000, 0)], goal[(100000, 16)]
    lines = ["## Census: every goroutine read from the process's memory", "",
             __doc__.split("\n\n", 1)[1].strip().replace("\n", " "), "",
             "| goroutines | stacks | wall ms | CPU ms | first census wall / CPU ms | "
             "symbolize all ms | MB read | read calls | goroutines read |",
             "|---|---|---|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines += ["",
              "Goal (issue 15): 100k goroutines in at most 50 ms without stacks and 250 ms "
              "with 16-frame stacks. Reached here: **%.1f ms wall (%.1f ms CPU) without "
              "stacks, %.1f ms wall (%.1f ms CPU) with**, steady state. Most of the CPU "
              "time is the kernel copying the bytes (process_vm_readv; the g's that sit "
              "side by side are read as one range) and pinning the pages; the stacks "
              "are the used part of each (a 2 KiB window from the saved SP, larger only "
              "for deeper ones)." % (g0["wall_ns"] / 1e6, g0["cpu_ns"] / 1e6,
                                     g16["wall_ns"] / 1e6, g16["cpu_ns"] / 1e6), "",
              "gotl's resident memory after the first and the last census of each "
              "configuration (KiB): " + ", ".join(
                  "%dk %s %d -> %d" % (n // 1000, "stacks" if f else "no stacks", a, z)
                  for n, f, a, z in rss) + ". 300 censuses in a row of 10k goroutines with "
              "stacks: %d KiB after the 1st, %d after the 10th, %d after the 300th." % drift,
              ""]
    return lines


SECTIONS = [("census", census)]
