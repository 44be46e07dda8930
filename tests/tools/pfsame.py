#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""pfsame: do two Perfetto traces say the same thing?

    pfsame.py A.pftrace B.pftrace [--pfcheck PATH]

Decodes both with the independent checker (../shared/tools/pfcheck --json:
tracks, slices, instants, args, flows, counters) and compares the models.
pfcheck does not unpack TracePacket.compressed_packets (field 50), so a
trace that has them is first flattened here: each compressed packet's
zlib data is inflated and its framed packets put in its place, in order.
Exit 0 if both decode with 0 errors and the models are equal; else 1 with
the first differences. It must not judge anything pfcheck does not decode.
"""
import json
import os
import subprocess
import sys
import tempfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PFCHECK = os.path.join(os.path.dirname(ROOT), "shared", "tools", "pfcheck")


def varint(buf, pos):
    v = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        v |= (b & 0x7F) << shift
        if not b & 0x80:
            return v, pos
        shift += 7


def packets(data):
    """(start, end) of each framed top-level packet's bytes."""
    pos = 0
    while pos < len(data):
        if data[pos] != 0x0A:
            raise ValueError("top-level field is not Trace.packet at byte %d" % pos)
        n, pos = varint(data, pos + 1)
        yield pos, pos + n
        pos += n


def compressed(pkt):
    """The compressed_packets bytes of a packet that has only that field, or None."""
    if len(pkt) < 3 or pkt[0] != 0x92 or pkt[1] != 0x03:
        return None
    n, pos = varint(pkt, 2)
    return pkt[pos:pos + n] if pos + n == len(pkt) else None


def flatten(data):
    """The trace with every compressed_packets packet inflated in place; and how many."""
    out, count = bytearray(), 0
    for s, e in packets(data):
        z = compressed(data[s:e])
        if z is None:
            out += data[s - (len(encode_len(e - s)) + 1):e]
            continue
        inner = zlib.decompress(z)
        for _ in packets(inner):
            pass            # whole packets only
        out += inner
        count += 1
    return bytes(out), count


def encode_len(n):
    b = bytearray()
    while n >= 0x80:
        b.append((n & 0x7F) | 0x80)
        n >>= 7
    b.append(n)
    return bytes(b)


def model(path, pfcheck):
    with open(path, "rb") as f:
        data, count = flatten(f.read())
    with tempfile.NamedTemporaryFile(suffix=".pftrace") as t:
        t.write(data)
        t.flush()
        r = subprocess.run([pfcheck, "--json", t.name], stdout=subprocess.PIPE, check=False)
    m = json.loads(r.stdout)
    return m, count


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    pfcheck = PFCHECK
    if "--pfcheck" in sys.argv:
        pfcheck = sys.argv[sys.argv.index("--pfcheck") + 1]
        args.remove(pfcheck)
    if len(args) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    ok = True
    models = []
    for p in args:
        m, count = model(p, pfcheck)
        errs = m.get("errors") or []
        print("%s: %d tracks, %d slices, %d instants, %d counter values, %d flows, "
              "%d compressed packets, %d errors" % (
                  p, len(m["tracks"]), len(m["slices"]), len(m["instants"]),
                  len(m["counters"]), len(m["flows"]), count, len(errs)))
        for e in errs[:5]:
            print("  error: %s" % e)
        ok = ok and not errs
        m.pop("stats", None)    # packet counts differ with compression; the content may not
        models.append(m)
    a, b = models
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            ok = False
            va, vb = a.get(key), b.get(key)
            if isinstance(va, list) and isinstance(vb, list):
                print("%s differ: %d vs %d entries" % (key, len(va), len(vb)))
                for i, (x, y) in enumerate(zip(va, vb)):
                    if x != y:
                        print("  first difference at %d:\n    %s\n    %s" % (
                            i, json.dumps(x)[:300], json.dumps(y)[:300]))
                        break
            else:
                print("%s differ: %s vs %s" % (key, json.dumps(va)[:200], json.dumps(vb)[:200]))
    print("same" if ok else "DIFFERENT")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
