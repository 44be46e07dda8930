#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""The gotl command line, run as a user runs it (no root, no BPF, no Go).

    test_cli.py [--gotl ./gotl]

numbers   every numeric option of every command, given values that overflow,
          truncate, are negative, out of range, empty or followed by junk:
          exactly one line on stderr that names the option, nothing on stdout,
          status 2; and the values the help promises are accepted.

Prints one line per part and "N passed, N failed" at the end; exit 1 on
any failure.
"""
import argparse
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def run(argv, **kw):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, timeout=30, **kw)


# What follows the option under test, so that a value gotl wrongly accepts
# ends in a different error (no program, no file) rather than in a recording.
NOPROG = "/nonexistent/gotl-test/prog"
NOLOG = "/nonexistent/gotl-test/x.gotl"
TAIL = {"record": ["--", NOPROG], "convert": [NOLOG], "report": [NOLOG]}

# Ways to write a number wrongly, whatever the option.
JUNK = ["", " 16", "16 ", "+16", "16x", "0x10", "1e3", "١٦"]

# command, option, its long name (for the message), bad values, good values.
NUMBERS = [
    ("record", "--ring-size", "--ring-size",
     ["17179869185G", "18446744073709551616", "18446744073709551617", "4294967296G",
      "-16M", "-0", "0", "3000", "4G", "2049M", "16Q", "16MiBx", "16iB", "16BB", "1.5M",
      "1T"] + JUNK,
     ["4K", "4096", "16M", "16m", "16MiB", "16MB", "16Mi", "2G", "1048576K"]),
    ("record", "--stack-depth", "--stack-depth",
     ["4294967297", "4294967312", "18446744073709551616", "-1", "17", "1.5", "-4294967295"]
     + JUNK, ["0", "1", "16", "016"]),
    ("record", "--alloc-sample", "--alloc-sample",
     ["17179869185G", "18446744073709551616", "0", "1025M", "2G", "-512K", "512KK"] + JUNK,
     ["1", "512K", "1G", "64KiB"]),
    ("record", "--compress=", "--compress",
     ["0", "10", "-1", "4294967297", "18446744073709551617", "1.0"] + JUNK, ["1", "9"]),
    ("convert", "--compress=", "--compress",
     ["0", "10", "-1", "4294967297", "18446744073709551617", "1.0"] + JUNK, ["1", "9"]),
    ("record", "-p", "--pid",
     ["0", "-1", "4294967297", "2147483648", "18446744073709551616", "1.0"] + JUNK,
     ["4194304", "2147483647"]),
    ("record", "-d", "--duration",
     ["0", "-1", "-1s", "0s", "nan", "inf", "infs", "1e400", "1e-12s", "0.0000000001s",
      "1s5", "5ss", "5S", "10d", "1000000000000h", "0x1p3", "1.", ".5.5"] + JUNK,
     ["30", "1.5s", "500ms", "2m", "1h", "100us", "0.5", "100000h"]),
    ("report", "--top", "--top",
     ["4294967306", "4294967297", "2147483648", "18446744073709551616", "0", "-1",
      "-4294967286", "1.5"] + JUNK, ["1", "10", "2147483647"]),
]


def argv_for(gotl, cmd, opt, value):
    o = [opt + value] if opt.endswith("=") else [opt, value]
    if cmd == "record" and opt == "-p":
        return [gotl, cmd, "-o", os.devnull] + o      # -p takes no program
    return [gotl, cmd] + o + TAIL[cmd]


def test_numbers(gotl):
    bad = good = 0
    wrong = []
    for cmd, opt, name, bads, goods in NUMBERS:
        for v in bads:
            r = run(argv_for(gotl, cmd, opt, v))
            err = r.stderr.decode(errors="replace")
            what = "gotl %s %s%s%r" % (cmd, opt, "" if opt.endswith("=") else " ", v)
            if r.returncode != 2:
                wrong.append("%s: exit %d, want 2 (%r)" % (what, r.returncode, err))
            elif err.count("\n") != 1 or not err.endswith("\n") or not err.startswith("gotl: "):
                wrong.append("%s: want one line on stderr, got %r" % (what, err))
            elif ("invalid %s '%s'" % (name, v)) not in err and \
                    ("invalid %s level '%s'" % (name, v)) not in err:
                wrong.append("%s: taken, then %r" % (what, err.strip()))
            elif r.stdout:
                wrong.append("%s wrote to stdout: %r" % (what, r.stdout))
            bad += 1
        for v in goods:
            r = run(argv_for(gotl, cmd, opt, v))
            err = r.stderr.decode(errors="replace")
            if "invalid %s" % name in err:
                wrong.append("gotl %s %s %r refused a good value: %r" % (cmd, opt, v, err))
            good += 1
    check(not wrong, "%d of %d values handled wrongly:\n  %s"
          % (len(wrong), bad + good, "\n  ".join(wrong)))
    return "%d bad values refused, %d good ones taken" % (bad, good)


TESTS = [("numbers", test_numbers)]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gotl", default=os.path.join(ROOT, "gotl"))
    a = ap.parse_args()
    gotl = os.path.abspath(a.gotl)
    passed = failed = 0
    for name, fn in TESTS:
        try:
            note = fn(gotl)
            print("ok   %-12s %s" % (name, note), flush=True)
            passed += 1
        except (Failure, subprocess.TimeoutExpired) as e:
            print("FAIL %-12s %s" % (name, e), flush=True)
            failed += 1
    print("cli: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
