#!/usr/bin/env bash
# check_samples.sh: build every gotl sample with each Go toolchain, run it
# RUNS times normally and RUNS times with GOMAXPROCS=1, and check that it
# exits with the intended status in under 2 s and that its last stdout line
# is a valid, self-consistent "gotl-truth {json}" line whose stable fields
# do not change between runs. Exits non-zero on any failure.
#
#   samples/check_samples.sh            # both toolchains, 5 runs each
#   RUNS=20 GO_TOOLCHAINS=/usr/local/go/bin/go samples/check_samples.sh
set -u
cd "$(dirname "$0")"

GO_TOOLCHAINS=${GO_TOOLCHAINS:-"/usr/local/go/bin/go /usr/lib/go-1.19/bin/go"}
RUNS=${RUNS:-5}
SAMPLES="leaky gather_fixed mutex pipeline sleep echo exitcode panicker signal coro spawn cgo"
SAMPLES="$SAMPLES pingpong workerpool lockleak sleeper allocs deepinline"
LIMIT_MS=2000

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# Validates one run: argv = sample goversion rc elapsed_ms stdout stderr state.
# The state file keeps the stable fields of the first run of this build.
read -r -d '' VALIDATE <<'PY'
import json, os, re, sys

name, gover, rc, ms, out_path, err_path, state_path = sys.argv[1:]
rc, ms = int(rc), int(ms)
out = open(out_path, errors="replace").read()
err = open(err_path, errors="replace").read()
problems = []

def need(cond, what):
    if not cond:
        problems.append(what)
    return cond

m = re.search(r"go1\.(\d+)", gover)
minor = int(m.group(1)) if m else 99

want_rc = {"exitcode": 3, "panicker": 2, "signal": 128 + 15}.get(name, 0)
need(rc == want_rc, "exit status %d, want %d" % (rc, want_rc))
need(ms < 2000, "took %d ms, limit 2000" % ms)

lines = out.splitlines()
truth_lines = [l for l in lines if l.startswith("gotl-truth ")]
need(len(truth_lines) == 1, "%d gotl-truth lines on stdout, want 1" % len(truth_lines))
if not (lines and lines[-1].startswith("gotl-truth ")):
    print("  last stdout line is not a gotl-truth line: %r" % (lines[-1:] or ""))
    print("  stderr: %s" % err[-500:])
    sys.exit(1)
try:
    t = json.loads(lines[-1][len("gotl-truth "):])
except ValueError as e:
    print("  invalid truth JSON: %s" % e)
    sys.exit(1)
if not isinstance(t, dict):
    print("  truth is not a JSON object")
    sys.exit(1)

def goid(key):
    v = t.get(key)
    need(isinstance(v, int) and not isinstance(v, bool) and v > 0,
         "%s is not a goroutine id: %r" % (key, v))
    return v

def goids(key, n):
    v = t.get(key)
    if not need(isinstance(v, list) and all(isinstance(x, int) and x > 0 for x in v),
                "%s is not a list of goids" % key):
        return []
    need(len(v) == n, "%s has %d entries, want %d" % (key, len(v), n))
    need(len(set(v)) == len(v), "%s has duplicates" % key)
    return v

def source_line(fkey, lkey, text):
    f, l = t.get(fkey), t.get(lkey)
    if not need(isinstance(f, str) and os.path.isfile(f) and isinstance(l, int),
                "bad %s/%s" % (fkey, lkey)):
        return
    src = open(f).read().splitlines()
    need(0 < l <= len(src) and text in src[l - 1], "%s:%s is not %r" % (fkey, lkey, text))

def eq(key, want):
    need(t.get(key) == want, "%s = %r, want %r" % (key, t.get(key), want))

eq("sample", name)
main = goid("main_goid")

if name == "leaky":
    w = goids("workers", 4)
    need(main not in w, "main among workers")
    eq("gather_goid", main)
    need(t.get("winner") in w, "winner not a worker")
    eq("leaked", sorted(x for x in w if x != t.get("winner")))
    goids("leaked", 3)
    eq("wait_reason", "chan send")
    source_line("go_file", "go_line", "go func(i int)")
    source_line("block_file", "block_line", "ch <- r")
elif name == "gather_fixed":
    w = goids("workers", 4)
    need(main not in w, "main among workers")
    eq("gather_goid", main)
    need(t.get("winner") in w, "winner not a worker")
    eq("leaked", [])
    source_line("go_file", "go_line", "go func(i int)")
elif name == "mutex":
    w = goids("workers", 4)
    need(main not in w, "main among workers")
    eq("iterations", 50)
    eq("counter", 4 * 50)
    eq("hold_us", 200)
    eq("holder_sleeps", True)
    eq("wait_reason", "sync.Mutex.Lock" if minor >= 20 else "semacquire")
    source_line("lock_file", "lock_line", "mu.Lock()")
elif name == "pipeline":
    ids = [goid(k) for k in ("generator_goid", "square_goid", "sink_goid")]
    need(len(set(ids + [main])) == 4, "stage goids not distinct")
    eq("items", 100)
    eq("sum", sum(i * i for i in range(1, 101)))
elif name == "sleep":
    s = t.get("sleepers") or []
    need([x.get("ms") for x in s] == [20, 40, 60], "sleeper durations %r" % s)
    ids = [x.get("goid") for x in s]
    need(all(isinstance(x, int) and x > 0 for x in ids) and len(set(ids + [main])) == 4,
         "sleeper goids %r" % ids)
    eq("wait_reason", "sleep")
    source_line("sleep_file", "sleep_line", "time.Sleep(")
elif name == "echo":
    eq("client_goid", main)
    ids = [goid("server_goid"), goid("handler_goid")]
    need(len(set(ids + [main])) == 3, "echo goids not distinct")
    eq("messages", 20)
elif name == "exitcode":
    eq("exit_status", 3)
    ids = [goid("blocked_goid"), goid("worker_goid")]
    need(len(set(ids + [main])) == 3, "exitcode goids not distinct")
    eq("wait_reason", "chan receive")
    source_line("block_file", "block_line", "<-never")
elif name == "panicker":
    eq("exit_status", 2)
    p = goid("panic_goid")
    need(p != main, "main panicked")
    source_line("panic_file", "panic_line", "panic(msg)")
    need("panic: %s" % t.get("panic_value") in err, "stderr lacks the panic message")
    need("goroutine %s [running]" % p in err, "stderr lacks the panicking goroutine")
elif name == "signal":
    eq("signal", 15)
    need(goid("worker_goid") != main, "worker is main")
elif name == "coro":
    if minor >= 23:
        need("skip" not in t, "skipped on go1.%d" % minor)
        need(goid("coro_goid") != main, "coroutine is main")
        eq("values", 10)
        eq("sum", 55)
    else:
        eq("skip", True)
elif name == "spawn":
    waves = t.get("waves")
    need(isinstance(waves, list) and len(waves) == 3 and
         all(isinstance(w, list) and len(w) == 50 for w in waves), "waves is not 3 x 50")
    waves = waves if isinstance(waves, list) else []
    flat = [x for w in waves for x in w]
    sp = goid("spawner_goid")
    need(len(set(flat)) == 150 and not {main, sp} & set(flat), "wave goids not distinct")
    need(sp != main, "spawner is main")
    eq("total", 150)
    eq("per_wave", 50)
    want = {}
    for i, w in enumerate(waves):
        for x in w:
            want[str(x)] = sp if i == 1 else main
    eq("parents", want)
elif name == "cgo":
    callers = t.get("callers") or []
    need(len(callers) == 3 and main not in callers, "callers is not 3 goroutines besides main")
    eq("call_us", 5000)
    eq("callbacks", 3)
    need(len(t.get("callback_goids") or []) >= 1, "no callback goroutine")
elif name == "workerpool":
    need(len(t.get("workers") or []) == 3, "not 3 workers")
    eq("jobs", 10)
    eq("sum", 385)
    eq("wait_reason", "chan receive")
    source_line("go_file", "go_line", "go worker(")
    source_line("block_file", "block_line", "range jobs")
elif name == "lockleak":
    need(goid("blocked_goid") != main, "the blocked goroutine is main")
    eq("wait_reason", "sync.Mutex.Lock" if minor >= 20 else "semacquire")
    source_line("go_file", "go_line", "go update(")
    source_line("block_file", "block_line", "mu.Lock()")
elif name == "sleeper":
    need(len(set(t.get("waiter_goids") or [])) == 2, "not 2 waiters")
elif name == "pingpong":
    eq("rounds", 500)
    need(goid("pong_goid") != main, "pong is main")
elif name == "allocs":
    need(goid("alloc_goid") != main, "the allocating goroutine is main")
    sizes = {x.get("name"): (x.get("count"), x.get("size"), x.get("pointers"))
             for x in t.get("types", [])}
    need(sizes == {"main.Node": (1000, 32, True), "main.Vec3": (700, 24, False),
                   "main.Mid": (50, 640, True), "main.Big": (20, 40000, False)}, "types %r" % sizes)
    eq("levels", 300)
    eq("strings", 200)
    eq("string_size", 40)
    need(t.get("num_forced_gc") == t.get("forced_gcs") == 4,
         "forced GCs %r/%r" % (t.get("num_forced_gc"), t.get("forced_gcs")))
    need(isinstance(t.get("num_gc"), int) and t["num_gc"] > 4,
         "no heap-triggered GC: num_gc %r" % t.get("num_gc"))
    need((t.get("assist_s", -1) >= 0) == (minor >= 20),
         "assist_s %r on go1.%d" % (t.get("assist_s"), minor))
elif name == "deepinline":
    w = goids("workers", 3)
    need(main not in w, "main among workers")
    eq("wait_reason", "chan receive")
    source_line("go_file", "go_line", "go func()")
    st = t.get("stack") or []
    need(len(st) > 40, "a stack of %d frames, want the whole chain" % len(st))
    inner = "ReceiveFromTheUpstreamQueue[...]" if minor >= 21 else "receiveTheNextWorkItem"
    need(st and st[0].get("func", "").endswith("handlers." + inner), "innermost frame %r" % st[:1])
    need(st and st[-1].get("func") == "main.main.func1", "outermost frame %r" % st[-1:])
else:
    problems.append("unknown sample")

# Fields that must be the same in every run of one build: everything but
# goroutine ids (the main goroutine's id included: it is always 1) and clock
# readings.
volatile = {"workers", "leaked", "winner", "sleepers", "waves", "parents", "callers",
            "callback_goids", "waiter_goids", "num_gc", "assist_s", "boottime_before_ns",
            "boottime_after_ns"}
stable = {k: v for k, v in t.items()
          if k not in volatile and not (k.endswith("_goid") and k != "main_goid")}
stable["sleepers_ms"] = [x.get("ms") for x in t.get("sleepers", [])]
if os.path.exists(state_path):
    first = json.load(open(state_path))
    for k in sorted(set(first) | set(stable)):
        need(first.get(k) == stable.get(k),
             "%s changed between runs: %r -> %r" % (k, first.get(k), stable.get(k)))
else:
    json.dump(stable, open(state_path, "w"))

for p in problems:
    print("  " + p)
sys.exit(1 if problems else 0)
PY

for go in $GO_TOOLCHAINS; do
	if ! [ -x "$go" ]; then
		fail "no Go toolchain at $go"
		continue
	fi
	ver=$("$go" env GOVERSION)
	echo "== $ver ($go)"
	bin="$tmp/$ver"
	mkdir -p "$bin"
	unformatted=$("$(dirname "$go")/gofmt" -l . 2>&1)
	[ -z "$unformatted" ] || fail "$ver: gofmt: $unformatted"
	"$go" vet ./... || fail "$ver: go vet"
	for s in $SAMPLES; do
		if ! "$go" build -o "$bin/$s" "./$s"; then
			fail "$ver $s: build"
			continue
		fi
		ok=0 total=0 max=0
		for procs in "" 1; do
			for i in $(seq "$RUNS"); do
				total=$((total + 1))
				t0=$(date +%s%N)
				# In a subshell, so that its "Terminated" notice for the
				# signal sample goes to the err file, not to our output.
				(env ${procs:+GOMAXPROCS=$procs} timeout 10 "$bin/$s"; exit $?) >"$bin/out" 2>"$bin/err"
				rc=$?
				ms=$((($(date +%s%N) - t0) / 1000000))
				[ "$ms" -gt "$max" ] && max=$ms
				if python3 -c "$VALIDATE" "$s" "$ver" "$rc" "$ms" "$bin/out" "$bin/err" "$bin/$s.state"; then
					ok=$((ok + 1))
				else
					fail "$ver $s run $i${procs:+ (GOMAXPROCS=$procs)}"
				fi
			done
		done
		printf '  %-13s %2d/%d runs ok, slowest %4d ms   %s\n' "$s" "$ok" "$total" "$max" \
			"$(tail -n 1 "$bin/out" | cut -c 1-100)"
	done
done

if [ "$failures" -ne 0 ]; then
	echo "check_samples: $failures failure(s)"
	exit 1
fi
echo "check_samples: all samples OK"
