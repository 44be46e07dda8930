#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""End-to-end test of probes/gobin against real Go binaries.

Builds tests/e2e/gobin_prog with Go 1.26 and Go 1.19 in several shapes (default,
-s -w, PIE, PIE -s -w, cgo, cgo PIE, cgo PIE -s -w, static, -trimpath), reads
each with tests/tools/gobin_dump and checks it against the independent reader
/work/shared/tools/goinspect (version, function entries and file offsets,
wait-reason strings), against the program's own runtime.CallersFrames output
(symbolization with inlined frames), and stripped against unstripped builds
(table == DWARF). Then, for every Go toolchain in the module cache, checks the
built-in offsets table against DWARF field by field.

Run from the repo root: python3 tests/e2e/test_gobin.py
Exit status 0 when everything passed. Needs gcc, libelf, zlib; Go 1.26 at
/usr/local/go/bin/go and Go 1.19 at /usr/lib/go-1.19/bin/go are required (the
test fails without them); other toolchains are used when present in
$GOMODCACHE/golang.org/toolchain@*.
Stdlib only; it does not run anything as root and never touches BPF.
"""
import glob
import importlib.machinery
import importlib.util
import os
import re
import shutil
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import toolchains as tcmod  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, ".output", "e2e-gobin")
PROG = os.path.join(ROOT, "tests", "e2e", "gobin_prog")
DUMP = os.path.join(OUT, "gobin_dump")
GOINSPECT = os.environ.get("GOINSPECT", "/work/shared/tools/goinspect")
GO126 = os.environ.get("GO126", "/usr/local/go/bin/go")
GO119 = os.environ.get("GO119", "/usr/lib/go-1.19/bin/go")
with open(os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                       "probes", "gobin.h")) as _f:
    NEWEST_KNOWN = int(re.search(r"#define GOBIN_NEWEST_KNOWN_MINOR\s+(\d+)", _f.read()).group(1))
MODCACHE = os.environ.get("GOMODCACHE", os.path.expanduser("~/go/pkg/mod"))
WS_CACHE = os.environ.get("GOTL_GO_CACHE", os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), ".cache", "go"))

FUNCS = ["runtime.casgstatus", "runtime.newproc1", "runtime.reentersyscall",
         "runtime.exitsyscall", "runtime.preemptPark", "main.main"]
# The runtime fields gotl reads: the one list, probes/gooffsets.h (X(field, struct, ...)).
with open(os.path.join(ROOT, "probes", "gooffsets.h")) as _f:
    OFFSET_FIELDS = re.findall(r"^\s*X\((\w+),", _f.read(), re.M)
assert len(OFFSET_FIELDS) >= 21, "cannot read the offsets list from probes/gooffsets.h"

# shape name -> (extra environment, extra go build arguments, stripped?)
SHAPES = {
    "default": ({}, [], False),
    "s-w": ({}, ["-ldflags=-s -w"], True),
    "pie": ({}, ["-buildmode=pie"], False),
    "pie-s-w": ({}, ["-buildmode=pie", "-ldflags=-s -w"], True),
    "cgo": ({"CGO_ENABLED": "1"}, ["-tags", "gobincgo"], False),
    "cgo-pie": ({"CGO_ENABLED": "1"}, ["-tags", "gobincgo", "-buildmode=pie"], False),
    "cgo-pie-s-w": ({"CGO_ENABLED": "1"},
                    ["-tags", "gobincgo", "-buildmode=pie", "-ldflags=-s -w"], True),
    "static": ({"CGO_ENABLED": "0"}, [], False),
    "trimpath": ({}, ["-trimpath"], False),
}

results = []    # (test name, "PASS"/"FAIL"/"SKIP", detail)


def record(name, ok, detail=""):
    results.append((name, "PASS" if ok else "FAIL", detail))
    return ok


def skip(name, detail):
    results.append((name, "SKIP", detail))


def run(cmd, env=None, cwd=None, timeout=600):
    p = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def load_goinspect():
    loader = importlib.machinery.SourceFileLoader("goinspect", GOINSPECT)
    spec = importlib.util.spec_from_loader("goinspect", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def build_dump():
    os.makedirs(OUT, exist_ok=True)
    srcs = ["tests/tools/gobin_dump.c", "probes/gobin.c", "probes/gopcln.c",
            "probes/godwarf.c", "probes/gotable.c", "probes/gotypes.c"]
    cmd = ["gcc", "-std=gnu11", "-D_GNU_SOURCE", "-O2", "-g", "-Wall", "-Wextra", "-Werror",
           "-Wno-unused-parameter", "-Wno-missing-field-initializers", "-Iinclude", "-Iprobes"]
    cmd += srcs + ["-lelf", "-lz", "-o", DUMP]
    rc, out, err = run(cmd, cwd=ROOT)
    return record("build gobin_dump", rc == 0, err.strip()[:300])


def go_version(go):
    rc, out, err = run([go, "version"], env=go_env(go, None))
    m = re.search(r"go version (\S+)", out)
    return m.group(1) if rc == 0 and m else None


def minor_of(version):
    m = re.search(r"go1\.(\d+)", version or "")
    return int(m.group(1)) if m else 0


def go_env(go, version, extra=None):
    env = dict(os.environ)
    for k in ("GOROOT", "GOFLAGS", "GOOS", "GOARCH", "GOEXPERIMENT", "GOPATH", "GOMODCACHE"):
        env.pop(k, None)
    env["GOENV"] = "off"            # ignore the user's go env file (flags older Go rejects)
    env["GOTOOLCHAIN"] = "local"
    # GOROOT of a module-cache toolchain must not lie inside GOPATH (go1.19 breaks on it)
    env["GOPATH"] = os.path.join(OUT, "gopath")
    if version and minor_of(version) >= 18:
        env["GOFLAGS"] = "-buildvcs=false"
    env.update(extra or {})
    return env


def build(go, version, shape):
    extra_env, args, _ = SHAPES[shape]
    out = os.path.join(OUT, "bin", "%s-%s" % (version, shape))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    rc, _, err = run([go, "build", "-o", out] + args + ["."], env=go_env(go, version, extra_env),
                     cwd=PROG)
    if rc != 0:
        return None, err.strip()[-400:]
    return out, ""


def dump(binary, funcs=(), syms=(), table=False, types=()):
    cmd = [DUMP]
    if table:
        cmd.append("--table")
    for s in syms:
        cmd += ["--sym", "%x" % s]
    for t in types:
        cmd += ["--type", "%x" % t]
    cmd += [binary] + list(funcs)
    rc, out, err = run(cmd)
    d = {"rc": rc, "err": err.strip(), "offset": {}, "table": {}, "wr": [], "func": {},
         "frames": {}, "stw": [], "types": {}}
    for line in out.splitlines():
        f = line.split("\t")
        if f[0] in ("offset", "table"):
            d[f[0]][f[1]] = int(f[2])
        elif f[0] == "wait_reason":
            d["wr"].append(f[2] if len(f) > 2 else "")
        elif f[0] == "stw_reason":
            d["stw"].append(f[2] if len(f) > 2 else "")
        elif f[0] == "type":
            d["types"][int(f[1], 16)] = f[2]
        elif f[0] == "notype":
            d["types"][int(f[1], 16)] = None
        elif f[0] == "func":
            d["func"][f[1]] = (int(f[2], 16), int(f[3], 16), int(f[4], 16))
        elif f[0] == "frame":
            d["frames"].setdefault(int(f[1], 16), []).append((f[3], f[4], int(f[5])))
        elif f[0] == "sym":
            d["frames"].setdefault(int(f[1], 16), [])
        elif f[0] == "modinfo":
            d.setdefault("modinfo", []).append("\t".join(f[1:]))
        elif len(f) >= 2:
            d[f[0]] = f[1:] if len(f) > 2 else f[1]
    return d


def inspect(gi, binary):
    """What goinspect (the independent reader) says about a binary."""
    e = gi.Elf(binary)
    vers = gi.buildinfo(e)[0]
    pcaddr, _ = gi.find_pclntab(e)
    p = gi.parse_pcln(e, pcaddr)
    mdaddr, _ = gi.find_moduledata(e, pcaddr)
    lay = gi.mdlayout(vers)
    text = e.ptr(mdaddr + lay["text"]) if mdaddr else None
    text = p["textStart"] if p["textStart"] else text
    if p["ver"] in ("1.2", "1.16"):
        text = 0
    rx = re.compile("^(%s)$" % "|".join(re.escape(f) for f in FUNCS))
    funcs = {}
    for name, entry, fname in gi.funcs(e, p, text, rx):
        if fname == "<autogenerated>" and name in funcs:
            continue
        if name not in funcs or funcs[name][2] == "<autogenerated>":
            funcs[name] = (entry, e.off(entry), fname)
    _, wr = gi.wait_reasons(e)
    return {"version": vers, "funcs": funcs, "wr": wr}


def dwarf_types(binary, types):
    """Type descriptor address -> name from the binary's DWARF (readelf, an independent
    reader): a Go type's DIE has DW_AT_go_runtime_type (0x2904), the descriptor's offset
    from the start of the types (or, in older Go, its address). DWARF spells names with
    import paths and qualifies struct fields; only plain named types (with *, [] or [N]
    in front) are spelled as the runtime does once the paths are cut to package names."""
    r = subprocess.run(["readelf", "--debug-dump=info", binary], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    out, name = {}, None
    plain = re.compile(r"^(?:\*|\[\d*\])*[\w./-]+$")
    for line in r.stdout.decode(errors="replace").splitlines():
        if re.match(r"\s*<\d+><[0-9a-f]+>:", line):
            name = None
            continue
        m = re.search(r"DW_AT_name\s*:\s*(.*)$", line)
        if m:
            name = m.group(1).strip()
            continue
        m = re.search(r"Unknown AT value: 2904: (0x[0-9a-f]+)", line)
        if m and name and plain.match(name):
            v = int(m.group(1), 16)
            out[v if v >= types else types + v] = re.sub(r"(?:[\w.-]+/)+(\w+\.)", r"\1", name)
    return out


def check_types(gi, name, binary, twin=None):
    """Type names by address: gobin against goinspect over the binary's typelinks (Go <=
    1.26), and against the binary's DWARF where it has some."""
    e = gi.Elf(binary)
    vers = gi.buildinfo(e)[0]
    pcaddr, _ = gi.find_pclntab(e)
    mdaddr, _ = gi.find_moduledata(e, pcaddr)
    lay = gi.mdlayout(vers)
    want = {}
    if mdaddr and "typelinks" in lay:
        md = {"types_v": e.ptr(mdaddr + lay["types"])}
        tlp = e.ptr(mdaddr + lay["typelinks"])
        tln = struct.unpack("<Q", e.read(mdaddr + lay["typelinks"] + 8, 8))[0]
        for k in range(min(tln, 1500)):
            addr = md["types_v"] + struct.unpack("<i", e.read(tlp + 4 * k, 4))[0]
            n = gi.typename(e, md, addr)
            if len(n) < 250:        # goinspect reads 300 bytes of a name
                want[addr] = n
    if mdaddr and ".debug_info" in e.secs:
        want.update(dwarf_types(binary, e.ptr(mdaddr + lay["types"])))
    if not want and mdaddr and twin:
        # Stripped, no typelinks (Go 1.27+): the same build with symbols has the
        # descriptors at the same addresses, and DWARF to name them.
        t = gi.Elf(twin)
        tmd, _ = gi.find_moduledata(t, gi.find_pclntab(t)[0])
        if tmd and t.ptr(tmd + lay["types"]) == e.ptr(mdaddr + lay["types"]):
            want.update(dwarf_types(twin, t.ptr(tmd + lay["types"])))
    if not want:
        return record(name + " types", False, "no typelinks and no DWARF to compare")
    got = dump(binary, types=sorted(want))["types"]
    bad = ["%#x: gobin %r, goinspect %r" % (a, got.get(a), n) for a, n in want.items()
           if got.get(a) != n]
    return record(name + " types", want and not bad, "; ".join(bad[:3]) if bad else
                  "%d type names agree" % len(want))


def run_program(binary):
    rc, out, err = run([binary], timeout=60)
    if rc != 0:
        return None, []
    mainaddr = None
    pcs = []
    for line in out.splitlines():
        f = line.split("\t")
        if f[0] == "mainaddr":
            mainaddr = int(f[1], 16)
        elif f[0] == "pc":
            pcs.append((f[1], int(f[2], 16), (f[3], f[4], int(f[5]))))
    return mainaddr, pcs


def check_symbolize(name, binary, d):
    """Compare gobin's frames with what the runtime printed for the same PCs."""
    mainaddr, pcs = run_program(binary)
    if mainaddr is None or not pcs or "main.main" not in d["func"]:
        return record(name + " symbolize", False, "the program did not run or print PCs")
    bias = mainaddr - d["func"]["main.main"][0]
    link = [pc - 1 - bias for _, pc, _ in pcs]
    s = dump(binary, syms=link)
    bad = []
    deepest = 0
    for i, (tag, pc, want) in enumerate(pcs):
        chain = s["frames"].get(link[i], [])
        deepest = max(deepest, len(chain))
        if not chain or chain[0] != want:
            bad.append("pc %#x: gobin %s, runtime %s" % (pc, chain[:1], want))
            continue
        # runtime.Callers lists the outer frames of an inlined call as separate PCs
        for j in range(1, len(chain)):
            if i + j < len(pcs) and pcs[i + j][0] == tag and chain[j] != pcs[i + j][2]:
                bad.append("pc %#x frame %d: gobin %s, runtime %s" % (pc, j, chain[j],
                                                                     pcs[i + j][2]))
    if deepest < 3:
        bad.append("no PC expanded to 3+ inlined frames (deepest %d)" % deepest)
    return record(name + " symbolize", not bad,
                  "%d PCs, bias %#x" % (len(pcs), bias) if not bad else "; ".join(bad[:3]))


def check_binary(gi, go_version_str, shape, binary, go=None):
    name = "%s %s" % (go_version_str, shape)
    d = dump(binary, funcs=FUNCS)
    if d["rc"] != 0:
        return record(name, False, "gobin_dump failed: " + d["err"]), d
    ref = inspect(gi, binary)
    problems = []
    if d.get("version") != ref["version"]:
        problems.append("version %r != goinspect %r" % (d.get("version"), ref["version"]))
    if d.get("minor") != str(minor_of(go_version_str)):
        problems.append("minor %r" % d.get("minor"))
    for f in FUNCS:
        got = d["func"].get(f)
        want = ref["funcs"].get(f)
        if not want:
            problems.append("goinspect lacks %s" % f)
        elif not got:
            problems.append("gobin lacks %s" % f)
        elif (got[0], got[2]) != (want[0], want[1]):
            problems.append("%s: gobin entry %#x off %#x, goinspect %#x off %#x" %
                            (f, got[0], got[2], want[0], want[1]))
    if d["wr"] != ref["wr"]:
        problems.append("wait reasons: gobin %d %s..., goinspect %d %s..." %
                        (len(d["wr"]), d["wr"][1:3], len(ref["wr"]), ref["wr"][1:3]))
    stripped = SHAPES[shape][2]
    src = d.get("offsets_source", "")
    want_src = ("table for go1.%d" % min(minor_of(go_version_str), NEWEST_KNOWN)) if stripped \
        else "DWARF"
    if src != want_src:
        problems.append("offsets source %r, expected %r" % (src, want_src))
    if d.get("pie") != ("1" if "pie" in shape else "0"):
        problems.append("pie flag %r" % d.get("pie"))
    if d.get("symtab") != ("0" if stripped else "1") or d.get("dwarf") != ("0" if stripped
                                                                           else "1"):
        problems.append("symtab/dwarf flags %r/%r" % (d.get("symtab"), d.get("dwarf")))
    rc, out, _ = run([GO126, "tool", "buildid", binary], env=go_env(GO126, None))
    if rc == 0 and d.get("go_build_id") != out.strip():
        problems.append("Go build ID %r, go tool buildid says %r" % (d.get("go_build_id"),
                                                                     out.strip()))
    if shutil.which("readelf"):
        rc, out, _ = run(["readelf", "-n", binary])
        m = re.search(r"Build ID: ([0-9a-f]+)", out)
        if rc == 0 and d.get("gnu_build_id") != (m.group(1) if m else "-"):
            problems.append("GNU build ID %r, readelf says %r" % (d.get("gnu_build_id"),
                                                                  m and m.group(1)))
    mod = d.get("modinfo", [])
    if "path\tgobinprog" not in mod or not any(m.startswith("mod\tgobinprog\t") for m in mod):
        problems.append("modinfo %r" % mod[:2])
    record(name + " vs goinspect", not problems,
           "; ".join(problems[:3]) if problems else "%d funcs, %d wait reasons, offsets %s" %
           (len(FUNCS), len(d["wr"]), src))
    check_symbolize(name, binary, d)
    twin = None
    if shape.endswith("-s-w") or shape == "s-w":
        # the build of the same shape with symbols and DWARF, for the type names
        twin_shape = "default" if shape == "s-w" else shape[:-4]
        twin, _ = build(go or GO126, go_version_str, twin_shape) if go else (None, "")
    check_types(gi, name, binary, twin)
    return True, d


def shapes_for(go, required):
    version = go_version(go) if go and os.access(go, os.X_OK) else None
    if not version:
        if required:
            record("toolchain %s" % go, False, "required Go toolchain missing")
        else:
            skip("toolchain %s" % go, "not available")
        return
    byshape = {}
    for shape in SHAPES:
        binary, err = build(go, version, shape)
        if not binary:
            record("%s %s build" % (version, shape), False, err)
            continue
        ok, d = check_binary(GI, version, shape, binary, go)
        byshape[shape] = d
    # stripped and unstripped builds of the same program must agree (table == DWARF)
    for a, b in (("default", "s-w"), ("pie", "pie-s-w"), ("cgo-pie", "cgo-pie-s-w")):
        if a in byshape and b in byshape:
            oa, ob = byshape[a]["offset"], byshape[b]["offset"]
            diff = [k for k in OFFSET_FIELDS if oa.get(k) != ob.get(k)]
            record("%s %s == %s offsets" % (version, a, b),
                   not diff and len(oa) == len(OFFSET_FIELDS),
                   "differ: " + ", ".join("%s %s/%s" % (k, oa.get(k), ob.get(k))
                                          for k in diff[:4]) if diff else
                   "%d fields" % len(OFFSET_FIELDS))
            # stop-the-world reasons: found by symbol, and by pattern when stripped
            sa, sb = byshape[a]["stw"], byshape[b]["stw"]
            want = minor_of(version) >= 21
            record("%s %s == %s stw reasons" % (version, a, b),
                   sa == sb and (len(sa) > 10 if want else not sa) and
                   (not want or
                    sa[:3] == ["unknown", "GC mark termination", "GC sweep termination"]),
                   "%d / %d entries, first %s" % (len(sa), len(sb), sa[:2]))


def toolchains():
    """Every Go toolchain we can find: the two required ones, the module cache, and
    the workspace cache the matrix fetches into (tests/e2e/toolchains.py)."""
    found = {}
    # The newest release of every minor the table knows, fetched into the workspace
    # cache as the matrix does (a clean clone has none of them yet).
    latest, _ = tcmod.latest_per_minor()
    for minor in range(17, NEWEST_KNOWN + 1):
        if minor in latest and minor not in (19, 26):
            tcmod.fetch(latest[minor])
    cached = []
    for cache in (MODCACHE, WS_CACHE):
        cached += glob.glob(os.path.join(cache, "golang.org",
                                         "toolchain@v0.0.1-go1.*.linux-amd64", "bin", "go"))
    for go in [GO126, GO119] + sorted(cached):
        if os.access(go, os.X_OK):
            v = go_version(go)
            if v and v not in found:
                found[v] = go
    return found


def check_table(found):
    """Built-in table == DWARF for every field, for every toolchain available."""
    seen_minors = set()
    for version, go in sorted(found.items(), key=lambda kv: (minor_of(kv[0]), kv[0])):
        if minor_of(version) < 17:
            continue    # no register ABI: gotl refuses these (run_e2e.py checks the refusal)
        binary, err = build(go, version, "default")
        if not binary:
            record("table %s build" % version, False, err)
            continue
        d = dump(binary, table=True)
        if d.get("offsets_source") != "DWARF":
            record("table %s" % version, False, "no DWARF offsets: %s" % d.get("offsets_source"))
            continue
        diff = [k for k in OFFSET_FIELDS if d["offset"].get(k) != d["table"].get(k)]
        seen_minors.add(minor_of(version))
        record("table %s == DWARF" % version,
               not diff and len(d["table"]) == len(OFFSET_FIELDS),
               ("%s: " % d.get("table_source")) + (", ".join(
                   "%s DWARF %s table %s" % (k, d["offset"].get(k), d["table"].get(k))
                   for k in diff[:4]) if diff else "all %d fields" % len(OFFSET_FIELDS)))
        if go in (GO126, GO119):
            continue    # every shape of these was checked already
        # the other layouts (1.17 pointers, 1.18 entryoff, 1.20 inline tree, ...) get the
        # goinspect and symbolization checks too: internal link, and external-link PIE
        # stripped (pclntab found by magic scan, moduledata by pointer scan, table offsets)
        check_binary(GI, version, "default", binary)
        binary, err = build(go, version, "cgo-pie-s-w")
        if binary:
            check_binary(GI, version, "cgo-pie-s-w", binary, go)
        else:
            record("%s cgo-pie-s-w build" % version, False, err)
    for minor in range(17, NEWEST_KNOWN + 1):
        if minor not in seen_minors:
            name = "table go1.%d == DWARF" % minor
            why = ("no go1.%d toolchain here (fetch: GOTOOLCHAIN=go1.%d.x go version)"
                   % (minor, minor))
            if os.environ.get("CI"):
                record(name, False, why)    # CI fetches every release: a failure there
            else:
                skip(name, why)


def check_speed():
    """Opening and indexing a large Go binary must be fast."""
    big = os.path.join(os.path.dirname(os.path.dirname(GO126)), "pkg", "tool", "linux_amd64",
                       "compile")
    if not os.path.exists(big):
        skip("open speed", "no %s" % big)
        return
    best = None
    for _ in range(3):
        rc, out, err = run([DUMP, "--time", big, "runtime.casgstatus"])
        m = re.search(r"open: ([0-9.]+) ms", err)
        if rc == 0 and m:
            best = min(best or 1e9, float(m.group(1)))
    size = os.path.getsize(big) >> 20
    record("open speed", best is not None and best < 100,
           "%s (%d MB): %s ms" % (os.path.basename(big), size, best))


def check_errors():
    """Non-Go and non-ELF inputs give clean errors, not crashes."""
    os.makedirs(OUT, exist_ok=True)
    cases = [("/bin/ls", "not a Go binary"), (os.path.join(PROG, "main.go"), "not an ELF file")]
    for path, want in cases:
        rc, out, err = run([DUMP, path])
        record("error for %s" % os.path.basename(path), rc == 1 and want in err,
               err.strip()[:120])


def main():
    global GI
    t0 = time.time()
    os.makedirs(OUT, exist_ok=True)
    if not build_dump():
        report(t0)
        return 1
    try:
        GI = load_goinspect()
        record("load goinspect", True, GOINSPECT)
    except Exception as ex:  # noqa: BLE001 — any failure to load is a test failure
        record("load goinspect", False, "%s: %s" % (GOINSPECT, ex))
        report(t0)
        return 1
    check_errors()
    check_speed()
    shapes_for(GO126, True)
    shapes_for(GO119, True)
    check_table(toolchains())
    return report(t0)


def report(t0):
    width = max(len(r[0]) for r in results) if results else 10
    print("%-*s  %-4s  %s" % (width, "test", "", "detail"))
    for name, status, detail in results:
        print("%-*s  %-4s  %s" % (width, name, status, detail))
    npass = sum(1 for r in results if r[1] == "PASS")
    nfail = sum(1 for r in results if r[1] == "FAIL")
    nskip = sum(1 for r in results if r[1] == "SKIP")
    print("\ngobin e2e: %d passed, %d failed, %d skipped (%.0f s)" %
          (npass, nfail, nskip, time.time() - t0))
    return 1 if nfail else 0


GI = None

if __name__ == "__main__":
    sys.exit(main())
