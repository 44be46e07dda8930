#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""convsame: does a changed converter write the same traces as before?

    convsame.py OLD_GOTL NEW_GOTL [LOG...] [-- CONVERT_OPTIONS...]

Converts each log (default: every file of tests/fuzz/corpus/log, real
recordings and odd inputs alike) with both binaries and compares the exit
status, the messages and the trace: byte for byte first; traces that differ
in bytes are compared by what they say (pfsame.py: pfcheck's decoded model).
Exit 0 if every log gives the same result. It changes nothing but a
temporary directory.
"""
import glob
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def convert(gotl, log, out, opts):
    r = subprocess.run([gotl, "convert"] + opts + [log, "-o", out], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    return r.returncode, r.stdout + r.stderr


def main():
    argv = sys.argv[1:]
    opts = []
    if "--" in argv:
        opts = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    old, new = argv[:2]
    logs = argv[2:] or sorted(glob.glob(os.path.join(ROOT, "tests", "fuzz", "corpus", "log", "*")))
    bad = same_bytes = same_model = 0
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "t.pftrace")    # one name: it is in the messages
        for log in logs:
            ra, ma = convert(old, log, out, opts)
            a = None
            if os.path.exists(out):
                os.rename(out, out + ".old")
                a = out + ".old"
            rb, mb = convert(new, log, out, opts)
            if (ra, ma) != (rb, mb):
                print("%s: status or messages differ:\n  %r\n  %r" % (log, (ra, ma), (rb, mb)))
                bad += 1
                continue
            if ra or a is None:
                same_bytes += 1
                continue
            with open(a, "rb") as fa, open(out, "rb") as fb:
                if fa.read() == fb.read():
                    same_bytes += 1
                    continue
            r = subprocess.run([sys.executable, os.path.join(HERE, "pfsame.py"), a, out],
                               stdout=subprocess.PIPE)
            if r.returncode:
                print("%s: the traces differ:\n%s" % (log, r.stdout.decode()[-1500:]))
                bad += 1
            else:
                same_model += 1
    print("convsame: %d logs: %d byte-identical, %d saying the same, %d different" % (
        len(logs), same_bytes, same_model, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
