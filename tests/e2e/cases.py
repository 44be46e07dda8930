# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""How the e2e suites with named cases (run_census.py, run_watch.py, run_flight.py) run
them: each case a (name, label, fn) whose fn returns what it found or raises; one line a
case, "ok" or "FAIL", its name, label, time and what it returned or why it failed; then
"<suite> e2e: N passed, M failed (T s)". It must not know what a case checks.
"""
import subprocess
import time

from tracemodel import Failure

# What a case raises when it fails: a check, a command that hung, a file or a JSON field
# that is not there.
FAILURES = (Failure, subprocess.TimeoutExpired, OSError, ValueError, KeyError)


def run(suite, cases, only=None, widths=(8, 0)):
    """Run cases (those named in only, a comma-separated list, if given); the exit status.
    widths: of the name and label columns (a label column of 0 is not printed)."""
    if only:
        cases = [c for c in cases if c[0] in only.split(",")]
    failed = 0
    t_all = time.time()
    for name, label, fn in cases:
        t0 = time.time()
        try:
            detail, ok = fn(), "ok  "
        except FAILURES as ex:
            detail, ok = ("%s: %s" % (type(ex).__name__, ex))[:1500], "FAIL"
            failed += 1
        cols = "%-*s" % (widths[0], name) + (" %-*s" % (widths[1], label) if widths[1] else "")
        print("%s %s %5.1fs  %s" % (ok, cols, time.time() - t0, detail), flush=True)
    print("%s e2e: %d passed, %d failed (%.0f s)" % (suite, len(cases) - failed, failed,
                                                     time.time() - t_all))
    return 1 if failed else 0
