#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Stress tests: gotl must not change what a hard-to-trace Go program does.

Each program in samples/stress/ is built (Go 1.26, and Go 1.19 for most), run once
directly and once under `gotl record -r LOG -o TRACE` with the same environment,
working directory and stdin, and the two runs are compared:
  - stdout byte for byte, but for the fields of the final `gotl-truth {...}` line
    that hold goroutine ids or thread ids (they differ from run to run anyway);
  - stderr once gotl's own lines ("gotl: ...") are taken out of the recorded
    run's: exactly, or for panics and crashes with addresses and goroutine ids
    masked, or (for dumps of every goroutine, whose order and states vary) the
    first line and the crashing goroutine's header only;
  - the exit status: gotl exits with what a shell shows for the direct run (the
    code, or 128+N for death by signal N), and that is what the case expects;
then the recording: no event lost, `gotl report --json LOG` agrees on the exit
status, ../shared/tools/pfcheck finds 0 errors and 0 warnings in the trace, and
cheap facts from the trace match the program's truth line.

The 100,000-goroutine trace is ~180 MB, which pfcheck (pure Python) takes
minutes to check: it is checked in the background while the other cases run,
its facts come from `gotl report --json` on the log and on the trace, and a
2,000-goroutine run of the same program has its decoded trace checked goroutine
by goroutine.

Needs root (BPF), gcc (the cgo case) and both toolchains: it fails, never skips,
when one is missing. It must not edit anything outside its --out directory.

  run_stress.py [--gotl ./gotl] [--only CASE,...] [--no-go119] [--out DIR]
"""
import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import jsontrace  # noqa: E402
import toolchains  # noqa: E402
import tpq  # noqa: E402
from tracemodel import (Failure, Model, PFCHECK, check, check_held_at_exec, check_threads,
                        check_tracks, pfcheck,  # noqa: E402
                        processes, status_of, trace_metadata)

# Truth fields that legitimately differ between two runs.
VOLATILE = ("goid", "goids", "goid_sum", "tids")


def no_core():
    # A program that aborts must not leave core files around (or wait for a
    # core-dump handler); the same limit for both runs.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run(cmd, env=None, timeout=120, cwd=None):
    t0 = time.time()
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, cwd=cwd, timeout=timeout,
                       preexec_fn=no_core)
    return r, time.time() - t0


# ---------------------------------------------------------------- the cases

class Case:
    def __init__(self, name, sample=None, args=(), env=None, status=0, stderr="exact",
                 record=(), check=None, cgo=False, go119=True):
        self.name, self.sample = name, sample or name
        self.args, self.env, self.status = list(args), env or {}, status
        self.stderr, self.record, self.check = stderr, list(record), check
        self.cgo, self.go119 = cgo, go119


# ---------------------------------------------------------------- decoded traces

def pfcheck_summary(out):
    """Problems in pfcheck's plain output (its last line: 'N errors, M warnings')."""
    m = re.search(r"^(\d+) errors?, (\d+) warnings?$", out, re.M)
    if not m:
        return "pfcheck printed no summary: " + out[-500:]
    if m.group(1) != "0" or m.group(2) != "0":
        return "pfcheck: " + out[-1500:]
    return None


def report(gotl, path):
    r = subprocess.run([gotl, "report", "--json", path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    check(r.returncode == 0, "gotl report %s: %s" % (path, r.stderr.decode()[-800:]))
    return json.loads(r.stdout)


# ---------------------------------------------------------------- per-case trace checks

def c_many(ctx, truth, rep):
    site = "%s:%d" % (truth["go_file"], truth["go_line"])
    sites = [s for s in rep["spawn_sites"] if s["site"].endswith(site)]
    check(len(sites) == 1 and sites[0]["count"] == truth["created"],
          "spawn site %s: %s, want %d goroutines" % (site, sites, truth["created"]))
    seen = rep["goroutines"]["seen"]
    check(truth["created"] < seen <= truth["created"] + 50,
          "%d goroutines seen for %d created by the program" % (seen, truth["created"]))
    check(rep["goroutines"]["peak_alive"] >= 10000, "peak %d alive, the waves had 10000"
          % rep["goroutines"]["peak_alive"])
    # gotl's own reading of the trace it wrote agrees with the log.
    trep = report(ctx["gotl"], ctx["trace"])
    check(trep["goroutines"]["seen"] == seen, "report on the trace: %d goroutines, on the log %d"
          % (trep["goroutines"]["seen"], seen))
    ctx["bg_pfcheck"] = True


def c_many_small(ctx, truth, rep):
    model = ctx["model"]()
    site = "%s:%d" % (truth["go_file"], truth["go_line"])
    mine = [g for g, t in model.by_goid.items()
            if (model.states(g) or [{"args": {}}])[0]["args"].get("created_at", "").endswith(site)]
    check(len(mine) == truth["created"], "%d tracks created at %s, want %d"
          % (len(mine), site, truth["created"]))
    check(sum(mine) == truth["goid_sum"], "their goids add up to %d, the program says %d"
          % (sum(mine), truth["goid_sum"]))
    for g in mine:
        check(model.states(g)[0]["args"].get("parent_goid") == truth["main_goid"],
              "G%d not created by main" % g)


def c_deeprec(ctx, truth, rep):
    model = ctx["model"]()
    deep = 0
    for g in truth["worker_goids"]:
        st = model.states(g)
        check(not st[-1]["args"].get("open_at_end"), "G%d still alive at the end" % g)
        for s in st:
            a = s["args"]
            if a.get("wait_reason") and a.get("blocked_at", "").startswith("main.rec "):
                deep += 1
    check(deep >= len(truth["worker_goids"]), "%d blocked spans at main.rec for %d workers"
          % (deep, len(truth["worker_goids"])))
    # Blocked at depth: stacks of (depth - every) frames of at least frame_min bytes.
    want = (truth["depth"] - 500) * truth["frame_min"]
    check(rep["stack_bytes"]["max"] >= want, "largest stack seen %d bytes, want >= %d"
          % (rep["stack_bytes"]["max"], want))


def c_gomaxprocs(ctx, truth, rep):
    model = ctx["model"]()
    check(truth["gomaxprocs"] == int(ctx["case"].env["GOMAXPROCS"]), "GOMAXPROCS %d"
          % truth["gomaxprocs"])
    running = model.counter("Goroutines running")
    check(running and max(running) <= truth["gomaxprocs"],
          "up to %d goroutines running at once with GOMAXPROCS=%d"
          % (max(running or [0]), truth["gomaxprocs"]))


def c_panics(ctx, truth, rep):
    model = ctx["model"]()
    last = model.states(truth["panic_goid"])[-1]
    check(last["args"].get("open_at_end"), "the panicking goroutine is not alive at the end")
    blocked = sum(1 for t in model.by_goid.values()
                  if model.slices[t["uuid"]][-1]["args"].get("still_blocked_at_end"))
    check(blocked >= truth["blocked"], "%d goroutines blocked at the end, want >= %d"
          % (blocked, truth["blocked"]))


def c_killed(ctx, truth, rep):
    model = ctx["model"]()
    check(model.track(truth["main_goid"])["name"].endswith("runtime.main"), "no G1 runtime.main")


def c_execs(ctx, truth, rep):
    model = ctx["model"]()
    # Two Go runtimes ran in this process, one after the other: gotl records the
    # first up to its exec and says so; the second (same goids, other goroutines)
    # must not be mixed into the first's tracks.
    check(model.track(1)["name"].endswith("runtime.main"), "no G1 runtime.main")
    check(re.search(r"^gotl: .*exec'd", ctx["gotl_lines"], re.M),
          "gotl did not say the program exec'd: " + ctx["gotl_lines"][-800:])
    stage2 = [t["name"] for t in model.by_goid.values() if "main.stage2" in t["name"]]
    check(not stage2, "goroutines of the exec'd program in the trace: %s" % stage2[:5])
    stage1 = [g for g, t in model.by_goid.items() if "main.stage1" in t["name"]]
    check(len(stage1) == 4, "%d goroutines of stage1, want 4" % len(stage1))


def c_execs_follow(ctx, truth, rep):
    # --follow: the Go programs started are processes of the same trace. execs runs two
    # copies of itself (`execs child`: only runtime goroutines) and /bin/echo twice (not
    # Go: not followed), then exec's itself as stage2 (same pid: a second process in
    # the trace, with stage2's 50 goroutines), which exec's /bin/sh (not Go).
    m = pfcheck(ctx["trace"])
    procs = processes(m)
    check(len(procs) == 4, "%d processes in the trace, want 4 (the program, 2 copies, stage2): "
          "%s" % (len(procs), [(p["pid"], p.get("cmdline")) for p in procs]))
    models = [Model(m, p["uuid"]) for p in procs]
    for mo in models:
        check_tracks(mo)
        check_threads(mo)
        check(mo.track(1)["name"].endswith("runtime.main"), "no G1 runtime.main in process %r"
              % mo.tracks[mo.process].get("cmdline"))

    def count(mo, fn):
        return sum(1 for t in mo.by_goid.values() if fn in t["name"])

    main, stage2 = models[0], models[-1]
    children = models[1:-1]
    check(count(main, "main.stage1") == 4 and not count(main, "main.stage2"),
          "the program: %d stage1 and %d stage2 goroutines, want 4 and 0"
          % (count(main, "main.stage1"), count(main, "main.stage2")))
    check(count(stage2, "main.stage2") == 50 and not count(stage2, "main.stage1"),
          "stage2: %d stage2 and %d stage1 goroutines, want 50 and 0"
          % (count(stage2, "main.stage2"), count(stage2, "main.stage1")))
    check(procs[0]["pid"] == procs[-1]["pid"], "stage2 is pid %d, the program %d: an exec keeps "
          "the pid" % (procs[-1]["pid"], procs[0]["pid"]))
    for p, mo in zip(procs[1:-1], children):
        check(p.get("cmdline", [])[1:] == ["child"], "a copy's command line: %r"
              % p.get("cmdline"))
        check(p["pid"] != procs[0]["pid"], "a copy has the program's pid")
        check(not count(mo, "main.stage"), "a copy has stage goroutines")
        # Held at its exec, it is recorded from its first instruction: the goroutines the
        # runtime starts before main are there, each from its creation (none was found
        # already running, as when attaching).
        names = [t["name"] for t in mo.by_goid.values()]
        for fn in ("runtime.forcegchelper", "runtime.bgsweep", "runtime.bgscavenge"):
            check(any(n.endswith(" " + fn) for n in names), "a copy has no %s: its start was "
                  "missed (%s)" % (fn, names))
        check_held_at_exec(mo, "a copy")
    check(re.search(r"^gotl: 4 Go processes", ctx["gotl_lines"], re.M),
          "gotl did not count 4 processes: " + ctx["gotl_lines"][-800:])
    check(len(re.findall(r"^gotl: following process", ctx["gotl_lines"], re.M)) == 3,
          "gotl did not say it followed 3 programs: " + ctx["gotl_lines"][-800:])
    raw = ctx["trace"][:-len(".pftrace")] + ".gotl"
    logs = [f for f in os.listdir(os.path.dirname(raw))
            if f.startswith(os.path.basename(raw) + ".")]
    check(len(logs) == 3, "follow logs next to %s: %s" % (raw, logs))
    # As trace-event JSON: the same 4 processes (stage2 apart from the program, same pid).
    r = subprocess.run([ctx["gotl"], "convert", raw, "-f", "json", "-o", raw + ".json"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(r.returncode == 0, "gotl convert -f json: " + r.stderr.decode(errors="replace")[-600:])
    doc = jsontrace.load(raw + ".json")
    jsontrace.check_doc(doc)
    jsontrace.compare_processes(m, doc, trace_metadata(ctx["trace"])[0])
    tpq.compare(raw + ".json", jsontrace.model(doc))


def c_cgo(ctx, truth, rep):
    model = ctx["model"]()
    for g in truth["caller_goids"]:
        calls = sum(1 for s in model.states(g) if s["name"] == "Syscall")
        check(calls >= 500, "G%d: %d Syscall spans for 500 cgo calls" % (g, calls))
    runs = 0
    for g in truth["thread_goids"]:
        check(model.track(g)["name"] == "G%d (cgo callback)" % g, "callback goroutine named %r"
              % model.track(g)["name"])
        runs += sum(1 for s in model.states(g) if s["name"] == "Running")
    check(runs >= truth["thread_callbacks"], "%d Running spans for %d callbacks from C threads"
          % (runs, truth["thread_callbacks"]))


def c_threads(ctx, truth, rep):
    model = ctx["model"]()
    for g in truth["locked_goids"]:
        runs = [s for s in model.states(g) if s["name"] == "Running"]
        tid = truth["locked_tids"][str(g)]
        check(runs and runs[-1]["args"]["thread"] == tid, "G%d locked to thread %d last ran on %s"
              % (g, tid, runs[-1]["args"]["thread"] if runs else None))
        check(not model.states(g)[-1]["args"].get("open_at_end"), "G%d alive at the end" % g)
    insys = sum(1 for t in model.by_goid.values() for s in model.slices.get(t["uuid"], [])
                if s["name"] == "Syscall" and s["dur"] > 1000000)
    check(insys >= truth["readers"], "%d Syscall spans over 1 ms, %d goroutines blocked in read"
          % (insys, truth["readers"]))


CASES = [
    Case("many", check=c_many, go119=False),
    Case("many-2k", sample="many", args=["2", "1000"], check=c_many_small, go119=False),
    Case("deeprec", check=c_deeprec),
    Case("gomaxprocs-1", sample="gomaxprocs", env={"GOMAXPROCS": "1"}, check=c_gomaxprocs),
    Case("gomaxprocs-16", sample="gomaxprocs", env={"GOMAXPROCS": "16"}, check=c_gomaxprocs,
         go119=False),
    Case("panics", status=2, stderr="panic", check=c_panics),
    Case("killed-term", sample="killed", args=["term"], status=128 + 15, check=c_killed),
    Case("killed-kill", sample="killed", args=["kill"], status=128 + 9, check=c_killed),
    Case("killed-abort", sample="killed", args=["abort"], status=128 + 6, stderr="crash",
         check=c_killed),
    Case("killed-segv", sample="killed", args=["segv"], status=2, stderr="crash",
         check=c_killed),
    Case("execs", status=7, check=c_execs),
    Case("execs-follow", sample="execs", status=7, record=["--follow"], check=c_execs_follow),
    Case("cgo", cgo=True, check=c_cgo),
    Case("threads", check=c_threads),
]


# ---------------------------------------------------------------- comparing the two runs

def mask(text):
    """Addresses and goroutine ids out of a panic or crash dump."""
    text = re.sub(r"0x[0-9a-f]+", "0x?", text)
    text = re.sub(r"\bm=\d+", "m=N", text)        # which M (Go 1.26 headers, crash dumps)
    return re.sub(r"goroutine \d+", "goroutine N", text)


def compare_stderr(mode, plain, traced):
    if mode == "exact":
        check(plain == traced, "stderr differs:\n--- direct\n%s\n--- under gotl\n%s"
              % (plain[-1500:], traced[-1500:]))
    elif mode == "panic":
        check(mask(plain) == mask(traced), "stderr differs (addresses and goids masked):\n"
              "--- direct\n%s\n--- under gotl\n%s" % (plain[-1500:], traced[-1500:]))
        check(re.search(r"^panic: ", plain, re.M) and re.search(r"^goroutine \d+ \[running\]:$",
              plain, re.M), "no panic line and running goroutine in:\n" + plain[-1500:])
    elif mode == "crash":
        pl, tl = plain.splitlines(), traced.splitlines()
        check(pl and tl and pl[0] == tl[0], "first stderr line %r under gotl, %r without"
              % (tl[:1], pl[:1]))
        # "goroutine 1 [running]:", or from Go 1.23 "goroutine 1 gp=0x... m=0 ... [running]:"
        ph = [mask(l) for l in pl if re.match(r"goroutine \d+ .*\[.*\]:$", l)][:1]
        th = [mask(l) for l in tl if re.match(r"goroutine \d+ .*\[.*\]:$", l)][:1]
        check(ph and ph == th, "crashing goroutine %s under gotl, %s without" % (th, ph))


def compare_stdout(plain, traced):
    pl, tl = plain.split(b"\n"), traced.split(b"\n")
    check(len(pl) == len(tl) and pl[:-2] == tl[:-2] and pl[-1] == tl[-1] == b"",
          "stdout differs:\n--- direct\n%s\n--- under gotl\n%s"
          % (plain[-1500:].decode(errors="replace"), traced[-1500:].decode(errors="replace")))
    check(pl[-2].startswith(b"gotl-truth "), "stdout does not end with a gotl-truth line")
    pt, tt = json.loads(pl[-2][11:]), json.loads(tl[-2][11:])
    for k in set(pt) | set(tt):
        if not k.endswith(VOLATILE):
            check(pt.get(k) == tt.get(k), "truth field %r: %r under gotl, %r without"
                  % (k, tt.get(k), pt.get(k)))
    return tt


def strip_gotl(err):
    return "".join(l for l in err.splitlines(True) if not l.startswith("gotl: "))


def build(gobin, label, sample, out, cgo):
    d = os.path.join(out, label)
    os.makedirs(d, exist_ok=True)
    binary = os.path.join(d, sample)
    if os.path.exists(binary):
        return binary
    env = toolchains.go_env(toolchains.go_version(gobin), {"CGO_ENABLED": "1"} if cgo else {},
                            out)
    r = subprocess.run([gobin, "build", "-o", binary, "./stress/" + sample],
                       cwd=os.path.join(ROOT, "samples"), env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(r.returncode == 0, "go build %s: %s" % (sample, r.stderr.decode()[-1500:]))
    return binary


def test_one(gotl, case, label, gobin, out, background):
    t0 = time.time()
    binary = build(gobin, label, case.sample, out, case.cgo)
    t_build = time.time() - t0
    env = dict(os.environ)
    for k in ("GOMAXPROCS", "GOTRACEBACK", "GODEBUG", "GOGC", "GOMEMLIMIT"):
        env.pop(k, None)
    env.update(case.env)
    base = os.path.join(out, label, case.name)
    trace, raw = base + ".pftrace", base + ".gotl"
    cwd = os.path.join(out, label)

    plain, t_plain = run([binary] + case.args, env=env, cwd=cwd, timeout=120)
    rec, t_rec = run([gotl, "record", "-r", raw, "-o", trace] + case.record + ["--", binary] +
                     case.args, env=env, cwd=cwd, timeout=300)
    t1 = time.time()
    perr, rerr = plain.stderr.decode(errors="replace"), rec.stderr.decode(errors="replace")
    gotl_lines = "".join(l for l in rerr.splitlines(True) if l.startswith("gotl: "))

    check(status_of(plain.returncode) == case.status, "the program exited %d on its own, the "
          "case expects %d (stderr: %s)" % (status_of(plain.returncode), case.status, perr[-800:]))
    check(rec.returncode == status_of(plain.returncode), "gotl exited %d, the program alone %d "
          "(a shell shows %d); gotl said: %s" % (rec.returncode, plain.returncode,
                                                 status_of(plain.returncode), gotl_lines[-800:]))
    truth = compare_stdout(plain.stdout, rec.stdout)
    compare_stderr(case.stderr, perr, strip_gotl(rerr))
    check(re.search(r"^gotl: \d+ events, 0 lost", rerr, re.M),
          "events were lost (or no summary): " + gotl_lines[-800:])
    check("wrote %s" % trace in rerr, "no trace written: " + gotl_lines[-800:])

    rep = report(gotl, raw)
    check(rep["events_lost"] == 0 and not rep["truncated"], "report: %d lost, truncated %s"
          % (rep["events_lost"], rep["truncated"]))
    check(rep["exit_status"] == case.status, "report: exit status %r, want %d"
          % (rep["exit_status"], case.status))

    models = []

    def model():
        if not models:
            m = Model(pfcheck(trace))
            check_tracks(m)
            check_threads(m)
            models.append(m)
        return models[0]

    ctx = {"gotl": gotl, "trace": trace, "case": case, "model": model,
           "gotl_lines": gotl_lines}
    case.check(ctx, truth, rep)
    if ctx.get("bg_pfcheck"):
        # Too big to decode in the foreground: checked while the other cases run, by
        # pfcheck and by Perfetto's importer (its stats: no error, no data loss).
        background.append((label, case.name, trace, subprocess.Popen(
            [PFCHECK, trace], stdout=subprocess.PIPE, stderr=subprocess.STDOUT),
            tpq.start(trace, tpq.GOROUTINES_SQL), rep["goroutines"]["seen"], time.time()))
    else:
        model()
    summary = re.search(r"^gotl: (\d+ events, .*)$", rerr, re.M)
    return "build %.1fs, direct %.1fs, gotl %.1fs, checks %.1fs; %s" % (
        t_build, t_plain, t_rec, time.time() - t1, summary.group(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gotl", default=os.path.join(ROOT, "gotl"))
    ap.add_argument("--only", help="comma-separated case names")
    ap.add_argument("--no-go119", action="store_true", help="Go 1.26 only")
    ap.add_argument("--out", default=os.path.join(ROOT, ".output", "stress"))
    a = ap.parse_args()
    gotl = os.path.abspath(a.gotl)
    cases = [c for c in CASES if not a.only or c.name in a.only.split(",")]
    gos = [("1.26", toolchains.GO126)] + ([] if a.no_go119 else [("1.19", toolchains.GO119)])

    problems = []
    if a.only:
        problems += ["unknown case %r" % n for n in a.only.split(",")
                     if n not in [c.name for c in CASES]]
    if os.geteuid() != 0:
        problems.append("the stress tests need root (BPF uprobes); run them as root")
    if not os.access(gotl, os.X_OK):
        problems.append("no gotl binary at %s (run make)" % gotl)
    if not os.access(PFCHECK, os.X_OK):
        problems.append("no pfcheck at %s" % PFCHECK)
    if any(c.cgo for c in cases) and not shutil.which("gcc"):
        problems.append("the cgo case needs gcc")
    for label, path in gos:
        v = toolchains.go_version(path) if os.access(path, os.X_OK) else None
        if not v or not v.startswith("go%s" % label):
            problems.append("Go %s not available at %s (%s): make deps installs it"
                            % (label, path, v))
    if problems:
        for p in problems:
            print("FAIL: " + p, file=sys.stderr)
        return 1

    shutil.rmtree(a.out, ignore_errors=True)
    os.makedirs(a.out)
    results, background = [], []
    t_all = time.time()
    for label, gobin in gos:
        for case in cases:
            if label != "1.26" and not case.go119:
                continue
            t0 = time.time()
            try:
                note, ok = test_one(gotl, case, label, os.path.abspath(gobin), a.out,
                                    background), "ok"
            except (Failure, subprocess.TimeoutExpired, json.JSONDecodeError, KeyError,
                    IndexError) as e:
                note, ok = "%s: %s" % (type(e).__name__, e), "FAIL"
            results.append(ok)
            print("%-4s go%-5s %-14s %6.1fs  %s" % (ok, label, case.name, time.time() - t0,
                                                   note), flush=True)
    for label, name, trace, proc, tp, seen, t0 in background:
        outp = proc.communicate()[0].decode(errors="replace")
        problem = pfcheck_summary(outp)
        try:
            rows = tpq.finish(tp)
            n = [int(x[1]) for x in rows or [] if x[0] == "goroutines"]
            check(rows is None or n == [seen], "trace_processor_shell: %s goroutine tracks, "
                  "gotl report %d goroutines" % (n, seen))
        except Failure as e:
            problem = (problem + "; " if problem else "") + str(e)
        results.append("FAIL" if problem else "ok")
        print("%-4s go%-5s %-14s %6.1fs  pfcheck of %s (%d MB) in the background%s"
              % (results[-1], label, name + "/pfcheck", time.time() - t0, os.path.basename(trace),
                 os.path.getsize(trace) >> 20, ": " + problem if problem else ""), flush=True)
    failed = sum(r != "ok" for r in results)
    print("stress: %d passed, %d failed (%.0f s)" % (len(results) - failed, failed,
                                                     time.time() - t_all))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
