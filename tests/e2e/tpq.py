# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Perfetto's own importer as the second reader of every trace the tests write.

../shared/tools/trace_processor_shell is Perfetto's trace processor, the importer
the Perfetto UI runs. compare(trace, model) imports a trace with it, in one run of one
query file, and fails (Failure) when
  - its stats table has a row of severity error or data_loss with a value (or one
    of the info-level stats that mean dropped events), naming each;
  - an importer artifact a user cannot use shows among the slices' args
    (legacy_event.*: thread descriptors on the events' own sequence);
  - what it read disagrees with what the independent checker read (model: pfcheck
    --json of a protobuf trace, or jsontrace.model of a trace-event JSON one): the
    events on each track, the counter values on each counter track, the flows, the
    threads that carry slices, and the args of a sample goroutine's first slices.
It returns the facts it read. run(trace, sql) runs other tagged queries beside the
stats check (run_watch.py's).

Where the binary is missing (a machine outside CI) it says so once on stderr and
the callers go on with pfcheck alone; in CI ($CI set, as .ci/run does) that is a
failure. It must not know about samples or cases.
"""
import csv
import io
import os
import subprocess
import sys
import tempfile

from tracemodel import Failure, check

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TRACE_PROCESSOR = os.path.join(os.path.dirname(ROOT), "shared", "tools", "trace_processor_shell")

_said = []

# Stats that drop events without being of severity error or data_loss.
DROPPING = ("track_event_parser_errors", "track_event_tokenizer_errors",
            "track_hierarchy_missing_uuid", "interned_data_tokenizer_errors",
            "packet_skipped_seq_needs_incremental_state_invalid",
            "interned_data_skipped_incremental_state_invalid")

STATS_SQL = """
select 'stat', name, idx, severity, value from stats where value > 0 and
  (severity in ('error', 'data_loss') or name in (%s));
""" % ", ".join("'%s'" % n for n in DROPPING)

# A track's key: "pid:tid" of a thread's track (every track of a JSON trace), else its
# descriptor's uuid.
FACTS_SQL = """
create perfetto table _tpq_key as
  select t.id as track_id,
    coalesce((select p.pid || ':' || th.tid from thread_track tt join thread th using (utid)
              join process p using (upid) where tt.id = t.id),
             cast(extract_arg(t.source_arg_set_id, 'trace_id') as text)) as k,
    t.name as name
  from track t;
select 'events', k.k, k.name, count(*) from slice s join _tpq_key k using (track_id)
  group by s.track_id;
select 'counter', k.k, k.name, count(*), sum(c.value) from counter c
  join _tpq_key k using (track_id) group by c.track_id;
select 'flows', count(*) from flow;
select 'thread', th.tid, count(*) from slice s join thread_track tt on s.track_id = tt.id
  join thread th using (utid) group by th.utid;
select 'artifact', key, count(*) from args where key glob 'legacy_event.*' group by key;
"""

# How many goroutine tracks have slices (for a trace too big for pfcheck's model).
GOROUTINES_SQL = """
select 'goroutines', count(distinct s.track_id) from slice s join track t on s.track_id = t.id
  where t.name glob 'G[0-9]*';
"""

SAMPLE_SQL = """
select 'arg', x.ts, x.id, a.key, a.display_value from
  (select s.ts, s.id, s.arg_set_id from slice s join _tpq_key k using (track_id)
   where k.k = '%s' and s.depth = 0 and s.dur != 0 order by s.ts limit %d) x
  join args a on a.arg_set_id = x.arg_set_id;
"""
SAMPLE_SLICES = 8


def available():
    """Is the binary there? Outside CI, say once that it is not; in CI, fail."""
    if os.access(TRACE_PROCESSOR, os.X_OK):
        return True
    check(not os.environ.get("CI"), "no trace_processor_shell at %s: CI checks every trace "
          "with it" % TRACE_PROCESSOR)
    if not _said:
        print("note: no trace_processor_shell at %s: traces are checked with pfcheck alone"
              % TRACE_PROCESSOR, file=sys.stderr)
        _said.append(True)
    return False


def start(trace, sql=""):
    """run() in the background: finish(start(...)) is its result."""
    if not available():
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(STATS_SQL + sql)
    p = subprocess.Popen([TRACE_PROCESSOR, "-q", f.name, trace], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    return (p, f.name, trace)


def finish(job):
    if job is None:
        return None
    p, sqlfile, trace = job
    try:
        out, err = p.communicate(timeout=600)
    finally:
        os.unlink(sqlfile)
    check(p.returncode == 0, "trace_processor_shell on %s: %s"
          % (trace, err.decode(errors="replace")[-800:]))
    # Each result set: a header (its first column the tag, quoted: 'tag'), rows, a blank line.
    rows = [x for x in csv.reader(io.StringIO(out.decode(errors="replace")))
            if x and not x[0].startswith("'")]
    bad = [x[1:] for x in rows if x[0] == "stat"]
    check(not bad, "trace_processor_shell on %s: stats %s" % (os.path.basename(trace), bad[:10]))
    return rows


def run(trace, sql=""):
    """The stats check and sql (queries whose rows start with a tag) in one import of
    trace: the rows (lists of strings, tags first) or None without the binary."""
    return finish(start(trace, sql))


def _arg_text(v):
    """What trace_processor's display_value shows for an arg's value."""
    if v is True or v is False:
        return "true" if v else "false"
    return str(v)


def compare(trace, m, sample=None):
    """trace imported by trace_processor agrees with m (pfcheck --json, or
    jsontrace.model), see the module's doc. sample: the key of a track whose first
    slices' args are compared (default: the first process's G1). Returns the facts,
    or None without the binary."""
    from tracemodel import Model
    if not available():
        return None
    is_json = m.get("format") == "json"
    if sample is None:
        try:
            sample = Model(m).track(1)["uuid"]
        except Failure:
            sample = None
    sql = FACTS_SQL
    if sample is not None:      # (a goroutine's track: keyed by its uuid, or "pid:tid" in JSON)
        sql += SAMPLE_SQL % (str(sample).replace("'", ""), SAMPLE_SLICES)
    rows = run(trace, sql)
    name = os.path.basename(trace)
    art = [x[1:] for x in rows if x[0] == "artifact"]
    check(not art, "%s: importer artifacts among the args: %s" % (name, art))

    # Keys as in FACTS_SQL (a JSON trace's tracks are all keyed "pid:tid" already).
    key = {t["uuid"]: ("%d:%d" % (t["pid"], t["tid"]) if t["kind"] == "thread" and not is_json
                       else str(t["uuid"])) for t in m["tracks"]}
    tracks = {key[t["uuid"]]: t for t in m["tracks"]}
    # Events (slices and instants) on each track.
    ours = {}
    for s in m["slices"] + m["instants"]:
        k = key.get(s["track"], str(s["track"]))
        ours[k] = ours.get(k, 0) + 1
    theirs = {}
    for x in rows:
        if x[0] == "events":
            theirs[x[1]] = theirs.get(x[1], 0) + int(x[3])
    diff = sorted((k, (tracks.get(k) or {}).get("name"), ours.get(k), theirs.get(k))
                  for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k))
    check(not diff, "%s: events per track (key, name, pfcheck, trace_processor) differ: %s"
          % (name, diff[:8]))
    # Counter tracks: the values on each (the JSON model leaves out repeated values).
    ours = {}
    for c in m["counters"]:
        v = ours.setdefault(key.get(c["track"], str(c["track"])), [0, 0])
        v[0] += 1
        v[1] += c["value"]
    theirs = {x[1]: (int(x[3]), float(x[4])) for x in rows if x[0] == "counter"}
    if is_json:
        names = {key[t["uuid"]]: t["name"] for t in m["tracks"] if t["kind"] == "counter"}
        a = sorted(names[k] for k in ours)
        b = sorted(x[2] for x in rows if x[0] == "counter")
        check(a == b, "%s: counter tracks differ: ours %s, trace_processor %s" % (name, a, b))
    else:
        diff = sorted((k, (tracks.get(k) or {}).get("name"), ours.get(k), theirs.get(k))
                      for k in set(ours) | set(theirs)
                      if k not in ours or k not in theirs or ours[k][0] != theirs[k][0] or
                      abs(ours[k][1] - theirs[k][1]) > 1e-6 * max(1, abs(ours[k][1])))
        check(not diff, "%s: counter values (key, name, pfcheck [n, sum], trace_processor) "
              "differ: %s" % (name, diff[:8]))
    flows = [int(x[1]) for x in rows if x[0] == "flows"]
    check(flows == [len(m["flows"])], "%s: %d flows, trace_processor %s"
          % (name, len(m["flows"]), flows))
    # OS threads that carry slices, by tid (in JSON, every goroutine is a thread too).
    with_slices = {s["track"] for s in m["slices"] + m["instants"]}
    a = sorted(int(str(t["uuid"]).split(":")[1]) if is_json else t["tid"] for t in m["tracks"]
               if (t["kind"] == "thread" or is_json) and t["uuid"] in with_slices)
    b = sorted(int(x[1]) for x in rows if x[0] == "thread")
    check(a == b, "%s: threads with slices: ours %s, trace_processor %s" % (name, a[:10], b[:10]))
    # The sample track's first slices: the same args (debug.NAME, args.NAME in JSON).
    if sample is not None:
        # (Spans, not instants: at the time a span ends, the readers nest an instant apart.)
        mine = sorted((s for s in m["slices"] if s["track"] == sample and s["depth"] == 0 and
                       s["dur"]), key=lambda s: s["ts"])[:SAMPLE_SLICES]
        got = {}
        for x in rows:
            if x[0] == "arg":
                got.setdefault((int(x[1]), int(x[2])), {})[x[3].split(".", 1)[1]] = x[4]
        seen = [got[t] for t in sorted(got)]
        want = [{k: _arg_text(v) for k, v in s["args"].items() if not isinstance(v, (list, dict))}
                for s in mine]
        if is_json:     # the callstack is an arg there ("stack": jsontrace's callstack)
            seen = [{k: v for k, v in x.items() if k != "stack"} for x in seen]
        # (A slice without args has no row.)
        want = [x for x in want if x]
        check(seen == want, "%s: args of %s's first slices: ours %s, trace_processor %s"
              % (name, (tracks.get(key.get(sample)) or {}).get("name"), want[:3], seen[:3]))
    return {"tracks": len({x[1] for x in rows if x[0] == "events"}),
            "counter_tracks": sum(1 for x in rows if x[0] == "counter"),
            "flows": flows[0], "threads": len(b)}
