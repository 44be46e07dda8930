# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""What the end-to-end scripts share: failures, pfcheck, the decoded trace.

run_e2e.py and run_stress.py both decode gotl's traces with the independent
checker (../shared/tools/pfcheck --json) and check goroutine tracks the same
way; this module is that one way. It must not know about samples or cases.
"""
import gzip
import json
import os
import subprocess
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PFCHECK = os.path.join(os.path.dirname(ROOT), "shared", "tools", "pfcheck")


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def status_of(rc):
    """What a shell shows: Python says -N for death by signal N."""
    return 128 - rc if rc < 0 else rc


class Model:
    """The decoded trace (pfcheck --json), indexed by goroutine."""

    def __init__(self, m, process=None):
        """The goroutines of one process: `process` (a process track's uuid), by default
        the first one in the trace, the traced program (record --follow adds others)."""
        self.m = m
        self.tracks = {t["uuid"]: t for t in m["tracks"]}
        procs = processes(m)
        self.process = process if process is not None else (procs[0]["uuid"] if procs else None)
        self.by_goid = {}
        for t in m["tracks"]:
            name = t.get("name") or ""
            if self.process is not None and self.root_of(t) != self.process:
                continue
            if t["kind"] == "track" and name.startswith("G") and name[1:2].isdigit():
                goid = int(name[1:].split(" ")[0])
                check(goid not in self.by_goid, "two tracks for goroutine %d" % goid)
                self.by_goid[goid] = t
        self.slices = {}
        for s in m["slices"]:
            self.slices.setdefault(s["track"], []).append(s)
        for v in self.slices.values():
            v.sort(key=lambda s: s["ts"])
        self.instants = m["instants"]
        self.refs = {s["ref"]: s for s in m["slices"]}
        self.refs.update({i["ref"]: i for i in m["instants"]})
        self.end = max((s["ts"] + s["dur"] for s in m["slices"]), default=0)

    def root_of(self, t):
        seen = 0
        while t.get("parent") and t["parent"] in self.tracks and seen < 64:
            t = self.tracks[t["parent"]]
            seen += 1
        return t["uuid"]

    def track(self, goid):
        check(goid in self.by_goid, "no track for goroutine %d" % goid)
        return self.by_goid[goid]

    def states(self, goid):
        return self.slices.get(self.track(goid)["uuid"], [])

    def flows_into(self, goid):
        """(source track goid, source instant, target slice) of flows ending on goid's track."""
        uuid = self.track(goid)["uuid"]
        out = []
        for f in self.m["flows"]:
            src, dst = self.refs[f["from"]], self.refs[f["to"]]
            if dst["track"] == uuid:
                sname = self.tracks[src["track"]].get("name", "")
                sgoid = int(sname[1:].split(" ")[0]) if sname[1:2].isdigit() else None
                out.append((sgoid, src, dst))
        return out

    def counter(self, name):
        uu = [t["uuid"] for t in self.m["tracks"]
              if t["kind"] == "counter" and t.get("name") == name]
        check(len(uu) == 1, "want one counter %r, got %d" % (name, len(uu)))
        return [c["value"] for c in self.m["counters"] if c["track"] == uu[0]]


def _varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7f) << shift
        shift += 7
        if c < 0x80:
            return v, i


def _fields(b):
    """(field number, wire type, value) of one protobuf message, by the wire format."""
    i = 0
    while i < len(b):
        key, i = _varint(b, i)
        f, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(b, i)
        elif wt == 1:
            v, i = int.from_bytes(b[i:i + 8], "little"), i + 8
        elif wt == 2:
            n, i = _varint(b, i)
            v, i = b[i:i + n], i + n
        elif wt == 5:
            v, i = int.from_bytes(b[i:i + 4], "little"), i + 4
        else:
            raise ValueError("wire type %d" % wt)
        yield f, wt, v


def trace_metadata(path):
    """What pfcheck does not decode: the trace attributes ({key: value}, the last of a key
    wins, as in the importer), the clock snapshots ([{primary, clocks: {id: ts}}]) and
    what the first packet is. Read with this module's own wire decoder, not gotl's."""
    def packets(data):
        for f, wt, pkt in _fields(data):
            if f != 1 or wt != 2:
                continue
            inner = [v for pf, pwt, v in _fields(pkt) if pf == 50 and pwt == 2]
            if inner:                           # compressed_packets: a zlib'd Trace
                for blob in inner:
                    yield from packets(zlib.decompress(blob))
            else:
                yield pkt

    data = open(path, "rb").read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    attrs, snaps, first = {}, [], None
    for pkt in packets(data):
        kinds = [pf for pf, _, _ in _fields(pkt)]
        if first is None:
            first = "clock_snapshot" if 6 in kinds else "other: fields %s" % kinds
        for pf, pwt, v in _fields(pkt):
            if pf == 126 and pwt == 2:          # TracePacket.trace_attributes
                for af, _, a in _fields(v):
                    if af != 1:
                        continue
                    kv = {k: x for k, _, x in _fields(a)}
                    key = kv.get(1, b"").decode()
                    attrs[key] = kv[3].decode() if 3 in kv else kv.get(2)
            elif pf == 6 and pwt == 2:          # TracePacket.clock_snapshot
                snap = {"primary": None, "clocks": {}}
                for cf, _, c in _fields(v):
                    if cf == 1:
                        kv = {k: x for k, _, x in _fields(c)}
                        snap["clocks"][kv.get(1)] = kv.get(2)
                    elif cf == 2:
                        snap["primary"] = c
                snaps.append(snap)
    return attrs, snaps, first


def processes(m):
    """The process tracks of a decoded trace, in the order they were declared."""
    return [t for t in m["tracks"] if t["kind"] == "process"]


def pfcheck(trace):
    """Decode the trace with the independent checker: 0 errors and 0 warnings, or fail."""
    r = subprocess.run([PFCHECK, "--json", trace], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    check(r.returncode in (0, 1), "pfcheck failed: " + r.stderr.decode()[-1000:])
    m = json.loads(r.stdout)
    check(not m["errors"] and not m["warnings"], "pfcheck: %s" % (m["errors"] + m["warnings"])[:10])
    return m


def check_tracks(model):
    """Every goroutine track: depth-0 state slices carrying its goid, back to back (a cgo
    callback's lives leave gaps), Running ones with a thread, none after unobserved
    transitions."""
    for goid, t in model.by_goid.items():
        states = model.slices.get(t["uuid"], [])
        check(states, "goroutine %d has a track but no slices" % goid)
        prev = None
        for s in states:
            check(s["depth"] == 0, "G%d: state slice %r at depth %d" % (goid, s["name"], s["depth"]))
            check(s["args"].get("goid") == goid, "G%d: slice %r has goid arg %r"
                  % (goid, s["name"], s["args"].get("goid")))
            check(not s["args"].get("unobserved_transitions"),
                  "G%d: %r at %d follows unobserved transitions" % (goid, s["name"], s["ts"]))
            if s["name"] == "Running":
                check(s["args"].get("thread", 0) > 0, "G%d: Running without a thread" % goid)
            if prev is not None:
                gap_ok = s["args"].get("cgo_callback") and prev["ts"] + prev["dur"] < s["ts"]
                check(gap_ok or prev["ts"] + prev["dur"] == s["ts"],
                      "G%d: gap or overlap between %r and %r" % (goid, prev["name"], s["name"]))
            prev = s
