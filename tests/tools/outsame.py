#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""outsame: does a restructured gotl write exactly the same outputs as before?

    outsame.py OLD_GOTL NEW_GOTL [--logs DIR]... [--bins DIR]... [-j N]

For every event log (default: tests/fuzz/corpus/log; --logs adds a
directory, searched recursively for *.gotl and follow logs *.gotl.PID) it
runs, with both binaries, every command that turns a log into an output:

    convert (protobuf), convert --no-compress, convert --alloc-counters,
    convert -f json, report, report --json, report --all-waits --top 3,
    and report / report --json of the protobuf trace;

and for every Go binary (default: tests/fuzz/corpus/gobin; --bins adds
one) `inspect` and `inspect -v`. It compares exit status, stdout, stderr
and every file written, byte for byte (no "says the same" fallback: a
restructuring must not change one byte). Paths in messages are the same
for both runs (one temporary name). Exit 0 if everything is identical;
else the first differences, one line each. Changes nothing but a
temporary directory.
"""
import argparse
import concurrent.futures
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

LOG_CMDS = [
    ("convert", ["convert", "{log}", "-o", "{dir}/t.pftrace"]),
    ("convert-plain", ["convert", "--no-compress", "{log}", "-o", "{dir}/t.pftrace"]),
    ("convert-ac", ["convert", "--alloc-counters", "{log}", "-o", "{dir}/t.pftrace"]),
    ("json", ["convert", "-f", "json", "{log}", "-o", "{dir}/t.json"]),
    ("report", ["report", "{log}"]),
    ("report-json", ["report", "--json", "{log}"]),
    ("report-all", ["report", "--all-waits", "--top", "3", "{log}"]),
    ("report-trace", ["convert", "{log}", "-o", "{dir}/r.pftrace", "&&", "report",
                      "{dir}/r.pftrace"]),
    ("report-trace-json", ["convert", "{log}", "-o", "{dir}/r.pftrace", "&&", "report",
                           "--json", "{dir}/r.pftrace"]),
]
BIN_CMDS = [
    ("inspect", ["inspect", "{log}"]),
    ("inspect-v", ["inspect", "-v", "{log}"]),
]


def run_one(gotl, argv, inp, work):
    """Run argv (with && between commands) in work; what came out, as bytes."""
    out = []
    for part in " ".join(argv).split(" && "):
        args = [a.replace("{log}", inp).replace("{dir}", work) for a in part.split(" ")]
        r = subprocess.run([gotl] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, timeout=600)
        out.append((r.returncode, r.stdout, r.stderr))
        if r.returncode:
            break
    files = {}
    for f in sorted(os.listdir(work)):
        with open(os.path.join(work, f), "rb") as fh:
            files[f] = fh.read()
    return out, files


def compare(old, new, name, argv, inp, tmp):
    # One input path for both runs: it appears in messages and in traces.
    res = []
    for gotl in (old, new):
        work = os.path.join(tmp, name)
        if os.path.exists(work):
            shutil.rmtree(work)
        os.makedirs(work)
        src = os.path.join(work, "in")
        os.symlink(os.path.abspath(inp), src)
        # Follow logs are named beside the log (META follow_log, by their own names).
        for sib in glob.glob(glob.escape(os.path.abspath(inp)) + ".*"):
            if re.search(r"\.\d+$", sib):
                os.symlink(sib, os.path.join(work, os.path.basename(sib)))
        out, files = run_one(gotl, argv, src, work)
        res.append((out, files))
        shutil.rmtree(work)
    (oa, fa), (ob, fb) = res
    if oa != ob:
        for (ra, sa, ea), (rb, sb, eb) in zip(oa, ob):
            if ra != rb:
                return "exit status %d != %d" % (ra, rb)
            if sa != sb:
                return "stdout differs: %s" % first_diff(sa, sb)
            if ea != eb:
                return "stderr differs: %s" % first_diff(ea, eb)
        return "a different number of commands ran"
    if fa.keys() != fb.keys():
        return "files written differ: %s != %s" % (sorted(fa), sorted(fb))
    for f in fa:
        if fa[f] != fb[f]:
            return "%s differs (%d vs %d bytes) at %s" % (f, len(fa[f]), len(fb[f]),
                                                       first_diff(fa[f], fb[f]))
    return None


def first_diff(a, b):
    n = min(len(a), len(b))
    i = next((i for i in range(n) if a[i] != b[i]), n)
    return "byte %d: %r vs %r" % (i, a[max(0, i - 20):i + 40], b[max(0, i - 20):i + 40])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--logs", action="append", default=[])
    ap.add_argument("--bins", action="append", default=[])
    ap.add_argument("--no-corpus", action="store_true", help="only --logs and --bins")
    ap.add_argument("--no-inspect", action="store_true", help="logs only, no binaries")
    ap.add_argument("-j", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    logs = [] if a.no_corpus else sorted(glob.glob(os.path.join(ROOT, "tests/fuzz/corpus/log/*")))
    for d in a.logs:
        if os.path.isfile(d):
            logs.append(d)
            continue
        for p in sorted(glob.glob(os.path.join(d, "**", "*"), recursive=True)):
            if os.path.isfile(p) and re.search(r"\.gotl$", p):
                logs.append(p)
    bins = [] if a.no_corpus or a.no_inspect else \
        sorted(glob.glob(os.path.join(ROOT, "tests/fuzz/corpus/gobin/*")))
    for d in a.bins:
        bins += [d] if os.path.isfile(d) else sorted(
            p for p in glob.glob(os.path.join(d, "**", "*"), recursive=True) if os.path.isfile(p))
    jobs = [(n, c, p) for p in logs for n, c in LOG_CMDS] + \
           [(n, c, p) for p in bins for n, c in BIN_CMDS]
    bad = 0
    with tempfile.TemporaryDirectory() as tmp, \
            concurrent.futures.ThreadPoolExecutor(max_workers=a.j) as ex:
        futs = {}
        for i, (name, argv, inp) in enumerate(jobs):
            futs[ex.submit(compare, a.old, a.new, "%d" % i, argv, inp, tmp)] = (name, inp)
        for f in concurrent.futures.as_completed(futs):
            name, inp = futs[f]
            why = f.result()
            if why:
                bad += 1
                if bad <= 30:
                    print("%s %s: %s" % (name, os.path.relpath(inp), why))
    print("outsame: %d logs, %d binaries, %d runs: %d identical, %d different" % (
        len(logs), len(bins), len(jobs), len(jobs) - bad, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
