# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""What the end-to-end scripts share: failures, pfcheck, the decoded trace.

run_e2e.py and run_stress.py both decode gotl's traces with the independent
checker (../shared/tools/pfcheck --json), have Perfetto's importer read the
same trace (tpq.py), and check goroutine tracks the same way; this module is
that one way. It must not know about samples or cases.
"""
import gzip
import json
import os
import re
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

    def listed(self, prefix):
        """The instants of the list whose track's name starts with prefix ("Leak
        suspects"), in order: on its track or its parts' ("1-500", "501-647", child
        tracks in a protobuf trace; in a JSON one, threads "Leak suspects (647) 1-500"...)."""
        def first(t):
            m = re.search(r"(\d+)-\d+$", t.get("name") or "")
            return int(m.group(1)) if m else 0
        lists = [t for t in self.m["tracks"] if (t.get("name") or "").startswith(prefix) and
                 self.process in (None, self.root_of(t))]
        ids = {t["uuid"] for t in lists}
        parts = lists + [t for t in self.m["tracks"] if t.get("parent") in ids]
        order = {t["uuid"]: first(t) for t in parts}
        return sorted((i for i in self.instants if i["track"] in order),
                      key=lambda i: order[i["track"]])

    def counter(self, name):
        uu = [t["uuid"] for t in self.m["tracks"] if t["kind"] == "counter" and
              t.get("name") == name and self.process in (None, self.root_of(t))]
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
    """Decode the trace with the independent checker: 0 errors and 0 warnings, or fail;
    and Perfetto's own importer reads the same trace (tpq.compare: no error or data loss,
    the same facts)."""
    import tpq
    r = subprocess.run([PFCHECK, "--json", trace], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    check(r.returncode in (0, 1), "pfcheck failed: " + r.stderr.decode()[-1000:])
    m = json.loads(r.stdout)
    check(not m["errors"] and not m["warnings"], "pfcheck: %s" % (m["errors"] + m["warnings"])[:10])
    tpq.compare(trace, m)
    return m


def check_tracks(model):
    """Every goroutine track: depth-0 state slices, the first of each life carrying its goid
    (the others not: the track says it), back to back (a cgo callback's lives leave gaps),
    Running ones with a thread, none after unobserved transitions."""
    for goid, t in model.by_goid.items():
        states = model.slices.get(t["uuid"], [])
        check(states, "goroutine %d has a track but no slices" % goid)
        prev = None
        for s in states:
            check(s["depth"] == 0,
                  "G%d: state slice %r at depth %d" % (goid, s["name"], s["depth"]))
            # A new life (a cgo callback's, after a gap) says who it is again.
            life = prev is None or prev["ts"] + prev["dur"] < s["ts"]
            check(s["args"].get("goid") == (goid if life else None),
                  "G%d: slice %r at %d has goid arg %r" % (goid, s["name"], s["ts"],
                                                         s["args"].get("goid")))
            check(not s["args"].get("unobserved_transitions"),
                  "G%d: %r at %d follows unobserved transitions" % (goid, s["name"], s["ts"]))
            if s["name"] == "Running":
                check(s["args"].get("thread", 0) > 0, "G%d: Running without a thread" % goid)
            if prev is not None:
                gap_ok = s["args"].get("cgo_callback") and prev["ts"] + prev["dur"] < s["ts"]
                check(gap_ok or prev["ts"] + prev["dur"] == s["ts"],
                      "G%d: gap or overlap between %r and %r" % (goid, prev["name"], s["name"]))
            prev = s


def check_held_at_exec(model, what):
    """A program followed from its exec (record --follow): recorded from its first goroutine
    on, none of them found already there as when gotl attaches to a running process."""
    check(not any(x["args"].get("existed_at_attach") for t in model.by_goid.values()
                  for x in model.slices.get(t["uuid"], [])),
          "%s was attached to, not held at its exec" % what)


def check_threads(model):
    """OS thread tracks: real thread tracks of the program's process, one per thread that
    ran goroutines, whose slices (named by the goroutine's start function, "main.worker" or
    "main.worker (syscall)", its goid in the args) never overlap and lie within a Running or
    Syscall slice of that goroutine; every Running slice's thread has a track."""
    pid = model.tracks[model.process]["pid"] if model.process in model.tracks else None
    threads = {t["uuid"]: t for t in model.m["tracks"] if t["kind"] == "thread"}
    # gotl parents them to their process track (which Perfetto ignores: the pid places
    # them), which tells two processes of one pid apart (an exec, with --follow).
    mine = {u: t for u, t in threads.items()
            if t.get("pid") == pid and model.root_of(t) == model.process}
    by_tid = {}
    for u, t in mine.items():
        check(t.get("tid"), "thread track without a tid: %s" % t)
        by_tid.setdefault(t["tid"], []).append(u)
    ran = {s["args"]["thread"] for g in model.by_goid.values()
           for s in model.slices.get(g["uuid"], []) if s["name"] == "Running"}
    missing = ran - set(by_tid)
    check(not missing, "threads %s ran goroutines but have no track" % sorted(missing)[:5])
    for tid, uuids in by_tid.items():
        for u in uuids:
            prev = None
            for x in model.slices.get(u, []):
                check(x["depth"] == 0, "thread %d: nested slice %s" % (tid, x["name"]))
                check(prev is None or x["ts"] >= prev, "thread %d: overlapping slices" % tid)
                prev = x["ts"] + x["dur"]
                goid = x["args"].get("goid")
                if goid not in model.by_goid:
                    continue
                want = "Syscall" if x["name"].endswith(" (syscall)") else "Running"
                tname = model.by_goid[goid]["name"].split(" ", 1)
                fn = tname[1] if len(tname) > 1 and not tname[1].startswith("(") else "goroutine"
                check(x["name"] == fn + (" (syscall)" if want == "Syscall" else ""),
                      "thread slice %r for G%s %s" % (x["name"], goid, fn))
                hold = [s for s in model.states(goid) if s["name"] == want and
                        s["ts"] <= x["ts"] and x["ts"] + x["dur"] <= s["ts"] + s["dur"]]
                check(hold, "thread %d: %s [%d, +%d] is in no %s slice of G%d"
                      % (tid, x["name"], x["ts"], x["dur"], want, goid))
                if want == "Running":
                    check(hold[0]["args"].get("thread") == tid, "thread %d shows G%d running, "
                          "its Running slice says thread %s" % (tid, goid,
                                                                hold[0]["args"].get("thread")))

