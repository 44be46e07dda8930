# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""gotl's Chrome trace-event JSON output (`gotl convert -f json`): check it, decode it.

No JSON trace checker is installed, so this is one, written from the rules of
Perfetto's JSON importer: a thread is a (pid, tid) pair; X slices of a thread
nest or are disjoint, sorted by ts and the longest first at equal ts; a v1 flow
binds one "s" to one "f" by id, cat and name, the "f" ("bp":"e") to the slice
enclosing it.

  load(path)        strict UTF-8 and strict JSON (no NaN), the object form with
                    "traceEvents", "displayTimeUnit": "ns" and "metadata";
  check(doc)        every event well formed (X has ts, dur >= 0, pid, tid), every
                    thread and process named, X slices on one thread properly
                    nested or disjoint, every v1 flow id one "s" and one "f" (same
                    cat and name, "bp":"e", not backwards), each inside an X on its
                    thread;
  model(doc)        the same shape as pfcheck --json of a protobuf trace, so that
                    tracemodel.Model and every check written for the protobuf
                    trace run on the JSON one too (record --follow: one process
                    track per pid, Model(m, process) the goroutines of one);
  compare(pf, js)   the two Models tell the same story: goroutines, names, state
                    slices (times, names, args, stacks), flows, counters.

It must not know about samples or cases.
"""
import bisect
import json
from decimal import Decimal

from tracemodel import Failure, check

FLOW_MARKERS = ("GoCreate", "GoUnblock")


def ns(us):
    """A JSON time (µs, 3 decimals, read as a Decimal: exact) as integer ns."""
    check(isinstance(us, (int, Decimal)) and not isinstance(us, bool),
          "time %r is no number" % (us,))
    check(us * 1000 == int(us * 1000), "time %s is not whole ns" % us)
    return int(us * 1000)


def load(path):
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")       # strict: invalid UTF-8 fails here
    except UnicodeDecodeError as e:
        raise Failure("%s is not UTF-8: %s" % (path, e))

    def no_constant(c):
        raise Failure("%s: non-JSON constant %s" % (path, c))
    try:
        doc = json.loads(text, parse_constant=no_constant, parse_float=Decimal)
    except json.JSONDecodeError as e:
        raise Failure("%s is not valid JSON: %s" % (path, e))
    check(isinstance(doc, dict) and isinstance(doc.get("traceEvents"), list),
          "%s: want an object with a traceEvents array" % path)
    check(doc.get("displayTimeUnit") == "ns",
          "%s: displayTimeUnit %r" % (path, doc.get("displayTimeUnit")))
    check(isinstance(doc.get("metadata"), dict), "%s: no metadata object" % path)
    return doc


def _int(e, k):
    v = e.get(k)
    check(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2 ** 32,
          "event %s: %s %r is not a uint32" % (e, k, v))
    return v


def check_doc(doc):
    """The structural rules; returns the number of events checked."""
    evs = doc["traceEvents"]
    named = set()   # (pid, tid)
    xs = {}         # (pid, tid) -> [(ts, end)]
    flows = {}      # id -> {"s": [...], "f": [...]}
    pids, procs = set(), set()
    for e in evs:
        check(isinstance(e, dict), "event %r is no object" % (e,))
        ph = e.get("ph")
        check(ph in ("M", "X", "i", "s", "f", "C"), "event with phase %r: %s" % (ph, e))
        pids.add(_int(e, "pid"))
        check(isinstance(e.get("name"), str) and e["name"], "event without a name: %s" % e)
        if "args" in e:
            check(isinstance(e["args"], dict), "args of %s is no object" % e)
        if ph == "M":
            check(e["name"] in ("process_name", "process_labels", "thread_name",
                                "thread_sort_index"), "unknown metadata event %s" % e)
            if e["name"].startswith("thread"):
                _int(e, "tid")
            if e["name"] == "thread_name":
                check(isinstance(e["args"].get("name"), str), "thread_name without a name: %s" % e)
                named.add((e["pid"], e["tid"]))
            if e["name"] == "process_name":
                procs.add(e["pid"])
            continue
        t = ns(e.get("ts"))
        if ph == "C":
            check("tid" not in e, "counter with a tid: %s" % e)
            check(e.get("args") and all(isinstance(v, int) and not isinstance(v, bool)
                                        for v in e["args"].values()), "counter values: %s" % e)
            continue
        tid = (e["pid"], _int(e, "tid"))
        check(isinstance(e.get("cat"), str) and e["cat"], "event without a category: %s" % e)
        if ph == "X":
            d = ns(e.get("dur"))
            check(d >= 0, "X with a negative duration: %s" % e)
            xs.setdefault(tid, []).append((t, t + d))
        elif ph == "i":
            check(e.get("s") == "t", "instant not thread-scoped: %s" % e)
        else:
            check(isinstance(e.get("id"), int), "flow event without an integer id: %s" % e)
            if ph == "f":
                check(e.get("bp") == "e", "flow end without bp:e: %s" % e)
            flows.setdefault(e["id"], {"s": [], "f": []})[ph].append((tid, t, e))
    check(not pids - procs, "processes without a process_name: %s" % sorted(pids - procs))
    used = set(xs) | {v[0] for f in flows.values() for k in f.values() for v in k} | \
        {(e["pid"], e["tid"]) for e in evs if e.get("ph") == "i"}
    check(not used - named, "threads (pid, tid) without a thread_name: %s"
          % sorted(used - named)[:10])

    # Nesting, in the importer's order: by ts, the longest first at equal ts.
    for tid, v in xs.items():
        v.sort(key=lambda x: (x[0], -(x[1] - x[0])))
        stack = []
        for a, b in v:
            while stack and stack[-1][1] <= a and stack[-1][1] < b:
                stack.pop()
            check(not stack or b <= stack[-1][1], "thread %s: slice [%d, %d) overlaps [%d, %d) "
                  "without nesting" % (tid, a, b, stack[-1][0], stack[-1][1]) if stack else "")
            stack.append((a, b))

    # Is t inside a slice of tid: does a slice starting at or before t end at or after it?
    reach = {}
    for tid, v in xs.items():
        top, ends = None, []
        for a, b in v:
            top = b if top is None else max(top, b)
            ends.append(top)
        reach[tid] = ([a for a, _ in v], ends)

    def inside(tid, t):
        starts, ends = reach.get(tid, ((), ()))
        k = bisect.bisect_right(starts, t)
        return k > 0 and ends[k - 1] >= t
    for fid, f in flows.items():
        check(len(f["s"]) == 1 and len(f["f"]) == 1, "flow %d: %d s and %d f events"
              % (fid, len(f["s"]), len(f["f"])))
        (stid, st, se), (ftid, ft, fe) = f["s"][0], f["f"][0]
        check(se["cat"] == fe["cat"] and se["name"] == fe["name"],
              "flow %d: s and f differ in cat or name" % fid)
        check(st <= ft, "flow %d goes back in time" % fid)
        check(inside(stid, st), "flow %d: s at %d in no slice of thread %s" % (fid, st, stid))
        check(inside(ftid, ft), "flow %d: f at %d in no slice of thread %s" % (fid, ft, ftid))
    return len(evs)


def _callstack(args):
    """The "stack" arg ("function file:line" lines, innermost first) as pfcheck's callstack
    of the protobuf trace (innermost first too; its functions, the source location apart)."""
    s = args.pop("stack", None)
    if s is None:
        return None
    frames = s.split("\n")
    if frames[-1] == "...":
        frames.pop()    # cut at --stack-depth: the protobuf callstack just ends
    return [{"function": f.rsplit(" ", 1)[0] if " " in f else f} for f in frames]


TID_GOID = 1 << 22      # json.c: goroutine G is thread TID_GOID + G; real tids are below
PID_REPEAT = 1 << 22    # json.c: a pid seen again is pid + PID_REPEAT * (processes before with it)


def model(doc):
    """doc as pfcheck --json would decode the protobuf trace (absolute ns times). Tracks
    are keyed by pid: a process track "p<pid>" (its "pid" the real one), under it the
    threads "<pid>:<tid>" and the counters, as the protobuf trace has them."""
    md = doc["metadata"]
    ts0 = md["gotl.ts0_boottime_ns"]
    tracks, slices, instants, counters, flows = [], [], [], [], []
    names = {}

    def proc(pid):
        return "p%d" % pid

    def uuid(e):
        return "%d:%d" % (e["pid"], e["tid"])
    for e in doc["traceEvents"]:
        if e["ph"] == "M" and e["name"] == "thread_name":
            names[(e["pid"], e["tid"])] = e["args"]["name"]
        elif e["ph"] == "M" and e["name"] == "process_name":
            tracks.append({"uuid": proc(e["pid"]), "kind": "process", "pid": e["pid"] % PID_REPEAT,
                           "name": None, "process_name": e["args"]["name"]})
    for (pid, tid), name in names.items():
        u = "%d:%d" % (pid, tid)
        if tid < TID_GOID:      # a real OS thread: what the protobuf has as a thread track
            tracks.append({"uuid": u, "kind": "thread", "name": None, "parent": proc(pid),
                           "pid": pid % PID_REPEAT, "tid": tid, "thread_name": name})
        else:
            tracks.append({"uuid": u, "kind": "track", "name": name, "parent": proc(pid)})
    ctr = {}
    by_tid = {}
    last = {}
    for n, e in enumerate(doc["traceEvents"]):
        ph = e["ph"]
        if ph == "M":
            continue
        ts = ts0 + ns(e["ts"])
        args = dict(e.get("args") or {})
        if ph == "C":
            for k, v in args.items():
                name = e["name"] + " " + k
                key = (e["pid"], name)
                if key not in ctr:
                    ctr[key] = "C:%d:%s" % key
                    tracks.append({"uuid": ctr[key], "kind": "counter", "name": name,
                                   "parent": proc(e["pid"])})
                if last.get(key) == v:
                    continue    # the protobuf writes a counter only when it changes
                last[key] = v
                counters.append({"track": ctr[key], "ts": ts, "value": v})
            continue
        if ph in ("s", "f"):
            by_tid.setdefault(uuid(e), []).append((ph, ts, e, n))
            continue
        cs = _callstack(args)
        if ph == "i" or (ph == "X" and e["dur"] == 0 and e["name"] in FLOW_MARKERS):
            ev = {"ref": "i%d" % n, "track": uuid(e), "name": e["name"], "ts": ts,
                  "category": e["cat"], "args": args, "callstack": cs}
            instants.append(ev)
        else:
            ev = {"ref": n, "track": uuid(e), "name": e["name"], "ts": ts, "dur": ns(e["dur"]),
                  "category": e["cat"], "args": args, "callstack": cs}
            slices.append(ev)
        by_tid.setdefault(uuid(e), []).append((ph, ts, ev, n))
    # Depth: state slices on one thread are back to back; a 0-length one starts its own.
    per = {}
    for s in slices:
        per.setdefault(s["track"], []).append(s)
    for v in per.values():
        v.sort(key=lambda s: (s["ts"], s["dur"]))
        stack = []
        for s in v:
            while stack and stack[-1]["ts"] + stack[-1]["dur"] <= s["ts"]:
                stack.pop()
            s["depth"] = len(stack)
            stack.append(s)
    # Flows: s binds to the marker it is written in, f (bp:e) to the slice starting there.
    markers = {}
    for i in instants:
        markers.setdefault((i["track"], i["ts"], i["name"]), i)
    first_at = {}
    for v in per.values():
        for s in v:
            k = (s["track"], s["ts"])
            if k not in first_at or s["dur"] < first_at[k]["dur"]:
                first_at[k] = s
    starts, ends = {}, {}
    for tid, v in by_tid.items():
        for ph, ts, e, n in v:
            if ph == "s":
                m = markers.get((tid, ts, e["name"]))
                check(m, "flow %d starts in no %s marker" % (e["id"], e["name"]))
                starts[e["id"]] = m["ref"]
            elif ph == "f":
                m = first_at.get((tid, ts))
                if not m:
                    c = [s for s in per.get(tid, ()) if s["ts"] <= ts <= s["ts"] + s["dur"]]
                    m = max(c, key=lambda s: s["depth"]) if c else None
                check(m, "flow %d ends in no slice" % e["id"])
                ends[e["id"]] = m["ref"]
    for fid in sorted(starts):
        check(fid in ends, "flow %d never ends" % fid)
        flows.append({"id": fid, "from": starts[fid], "to": ends[fid]})
    return {"format": "json", "metadata": md, "tracks": tracks, "slices": slices,
            "instants": instants, "counters": counters, "flows": flows, "errors": [],
            "warnings": []}


def compare(pf, js, exact=True):
    """Two tracemodel.Models of one log, protobuf and JSON: the same goroutines with the
    same names, state slices (time, name, args, stack) and flows, and the same counters."""
    check(sorted(pf.by_goid) == sorted(js.by_goid), "goroutines differ: protobuf %s, JSON %s"
          % (sorted(set(pf.by_goid) ^ set(js.by_goid))[:10], "(symmetric difference)"))

    def flows_by_goid(m):
        """Model.flows_into for every goroutine at once: goid -> [(source goid, marker name,
        marker ts, target ts, target name)]."""
        goid_of = {t["uuid"]: g for g, t in m.by_goid.items()}
        out = {}
        for f in m.m["flows"]:
            src, dst = m.refs[f["from"]], m.refs[f["to"]]
            if dst["track"] in goid_of:
                out.setdefault(goid_of[dst["track"]], []).append(
                    (goid_of.get(src["track"]), src["name"], src["ts"], dst["ts"], dst["name"]))
        return out
    pflows, jflows = flows_by_goid(pf), flows_by_goid(js)

    def key(s):
        return (s["name"], s["ts"], s.get("dur"), json.dumps(s["args"], sort_keys=True),
                [f["function"] for f in s.get("callstack") or []])
    for goid in pf.by_goid:
        check(pf.track(goid)["name"] == js.track(goid)["name"], "G%d named %r in protobuf, %r "
              "in JSON" % (goid, pf.track(goid)["name"], js.track(goid)["name"]))
        a, b = pf.states(goid), js.states(goid)
        check(len(a) == len(b), "G%d: %d state slices in protobuf, %d in JSON"
              % (goid, len(a), len(b)))
        if exact:
            for x, y in zip(a, b):
                check(key(x) == key(y), "G%d: protobuf slice %s, JSON %s" % (goid, key(x), key(y)))

        a, b = pflows.get(goid, []), jflows.get(goid, [])
        check(sorted(a) == sorted(b), "G%d: flows differ: protobuf %s, JSON %s"
              % (goid, sorted(a)[:5], sorted(b)[:5]))
    check(len(pf.m["flows"]) == len(js.m["flows"]), "%d flows in protobuf, %d in JSON"
          % (len(pf.m["flows"]), len(js.m["flows"])))
    for name in ("Goroutines alive", "Goroutines running", "Goroutines runnable",
                 "Goroutines blocked", "Goroutines in syscall", "gotl events lost"):
        check(pf.counter(name) == js.counter(name), "counter %r differs" % name)

    def others(m):
        out = {}
        for t in m.m["tracks"]:
            if t["kind"] == "track" and t["uuid"] not in {x["uuid"] for x in m.by_goid.values()} \
                    and t.get("name") and m.slices.get(t["uuid"]) and \
                    m.root_of(t) == m.process:
                out[t["name"]] = sorted((s["name"], s["ts"], s["dur"]) for s in m.slices[t["uuid"]])
        return out
    po, jo = others(pf), others(js)
    for name in ("GC", "Stop the world"):
        check(po.get(name) == jo.get(name), "%r track differs" % name)
    return len(pf.by_goid)


def compare_processes(pf, doc, attrs=None):
    """A recording with several processes (record --follow) as a protobuf trace (pf, as
    pfcheck --json decodes it) and as JSON (doc): the same processes in the same order, each
    telling the same story (compare), "gotl.processes" their number; with attrs (the
    protobuf trace attributes), every one of them a metadata key with the same value (the
    followed programs' keys prefixed "proc.N." in both). Returns the number of processes."""
    from tracemodel import Model, processes
    jm = model(doc)
    a, b = processes(pf), processes(jm)
    pa = [(p["pid"], p.get("process_name")) for p in a]
    pb = [(p["pid"], p.get("process_name")) for p in b]
    check(pa == pb, "processes differ: protobuf %s, JSON %s" % (pa, pb))
    md = doc["metadata"]
    check(len(a) == 1 or md.get("gotl.processes") == len(a), "gotl.processes %r, %d processes"
          % (md.get("gotl.processes"), len(a)))
    for p, q in zip(a, b):
        compare(Model(pf, p["uuid"]), Model(jm, q["uuid"]))
    for k, v in (attrs or {}).items():
        check(md.get(k) == v, "trace attribute %s = %r, JSON metadata %r" % (k, v, md.get(k)))
    return len(a)
