# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""What every gotl command owes a user who gets it wrong, or who is not root, checked
the same way by each suite (run_census.py, run_watch.py, run_flight.py):

  refused(argv, want)   a bad command line: exit status 2, nothing on stdout, one line
                        on stderr that starts with "gotl" and matches the regex want;
  as_nobody(argv, ptrace)  argv run as user nobody, with CAP_SYS_PTRACE as its only
                        capability or with none; returns the CompletedProcess.

It must not know about samples, cases or what a command prints when it works.
"""
import re
import subprocess

from tracemodel import check

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
PTRACE = ["--inh-caps=+sys_ptrace", "--ambient-caps=+sys_ptrace"]


def refused(argv, want=r"", timeout=60):
    """argv (gotl and its arguments) exits 2 with one line matching want on stderr."""
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    err = r.stderr.decode(errors="replace")
    one = err.count("\n") == 1 and err.endswith("\n")
    check(r.returncode == 2 and one and err.startswith("gotl") and not r.stdout and
          re.search(want, err.strip()),
          "%s: status %d, stdout %r, stderr %r (want status 2, one line matching %r)"
          % (" ".join(argv[1:]), r.returncode, r.stdout[:200], err[-300:], want))
    return err.strip()


def as_nobody(argv, ptrace, timeout=60):
    """argv as user nobody: with CAP_SYS_PTRACE alone (ptrace) or with no capability."""
    return subprocess.run(NOBODY + (PTRACE if ptrace else []) + argv, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout)
