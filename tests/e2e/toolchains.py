#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Go toolchains for the tests: which releases exist, fetching them, and a
build environment every release from go1.17 on accepts.

Releases other than the two on the machine (Go 1.26 in /usr/local/go, Debian's
Go 1.19) are fetched through the Go module proxy with GOTOOLCHAIN into a cache
inside the workspace (.cache/go, or $GOTL_GO_CACHE), so CI downloads each
only once per workspace.

  toolchains.py fetch ci|full     fetch the matrix's toolchains, print LABEL=PATH lines
  toolchains.py list              the newest release of each minor on the proxy
"""
import functools
import json
import os
import re
import subprocess
import sys
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.environ.get("GOTL_GO_CACHE", os.path.join(ROOT, ".cache", "go"))
GO126 = os.environ.get("GO126", "/usr/local/go/bin/go")
GO119 = os.environ.get("GO119", "/usr/lib/go-1.19/bin/go")
FIRST_MINOR = 17
# Used when the proxy cannot be asked: the newest patch of each minor known to exist.
KNOWN_LATEST = {17: "go1.17.13", 18: "go1.18.10", 19: "go1.19.13", 20: "go1.20.14",
                21: "go1.21.13", 22: "go1.22.12", 23: "go1.23.12", 24: "go1.24.13",
                25: "go1.25.14", 26: "go1.26.11", 27: "go1.27.4"}


def minor_of(version):
    m = re.search(r"go1\.(\d+)", version or "")
    return int(m.group(1)) if m else 0


def go_env(version=None, extra=None, out=None):
    """An environment in which any Go from 1.17 on builds the samples."""
    env = dict(os.environ)
    for k in ("GOROOT", "GOFLAGS", "GOOS", "GOARCH", "GOEXPERIMENT", "GOPATH", "GOMODCACHE"):
        env.pop(k, None)
    env["GOENV"] = "off"            # the machine's go env file has flags go1.17 rejects
    env["GOTOOLCHAIN"] = "local"
    # GOROOT of a cached toolchain must not lie inside GOPATH (go1.19 breaks on it).
    env["GOPATH"] = os.path.join(out or os.path.join(ROOT, ".output"), "gopath")
    if minor_of(version) >= 18:
        env["GOFLAGS"] = "-buildvcs=false"
    env.update(extra or {})
    return env


@functools.lru_cache(maxsize=None)
def go_version(go):
    try:
        r = subprocess.run([go, "version"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=go_env(), timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"go version (\S+)", r.stdout.decode())
    return m.group(1) if r.returncode == 0 and m else None


def proxy_releases():
    """Stable releases on the module proxy, or None if it cannot be reached."""
    proxy = os.environ.get("GOPROXY", "https://proxy.golang.org").split(",")[0]
    if not proxy.startswith("http"):
        proxy = "https://proxy.golang.org"
    try:
        with urllib.request.urlopen(proxy.rstrip("/") + "/golang.org/toolchain/@v/list",
                                    timeout=20) as f:
            text = f.read().decode()
    except OSError:
        return None
    out = set()
    for line in text.split():
        m = re.match(r"v0\.0\.1-(go1\.\d+\.\d+)\.linux-amd64$", line)
        if m:
            out.add(m.group(1))
    return sorted(out, key=lambda v: tuple(int(x) for x in v[2:].split(".")))


def latest_per_minor():
    """{minor: newest release}, from the proxy when reachable; plus whether it was."""
    rel = proxy_releases()
    if not rel:
        return dict(KNOWN_LATEST), False
    latest = {}
    for v in rel:
        if minor_of(v) >= FIRST_MINOR:
            latest[minor_of(v)] = v
    return latest, True


def cached_path(release):
    return os.path.join(CACHE, "golang.org", "toolchain@v0.0.1-%s.linux-amd64" % release,
                        "bin", "go")


def fetch(release):
    """Path of the go command of release, downloading it if needed (None if impossible)."""
    path = cached_path(release)
    if os.access(path, os.X_OK):
        return path
    env = go_env(extra={"GOTOOLCHAIN": release, "GOMODCACHE": CACHE})
    try:
        subprocess.run([GO126, "version"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env, timeout=900)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return path if os.access(path, os.X_OK) else None


def matrix_toolchains(preset):
    """[(label, go path or None, note)] for a matrix preset: 'ci' or 'full'."""
    latest, online = latest_per_minor()
    newest = max(latest)
    if preset == "ci":
        minors = [19, 21, 23, 25, 26, newest]
    else:
        minors = list(range(FIRST_MINOR, newest + 1))
    out = []
    for m in sorted(set(minors)):
        if m == 26:
            out.append(("1.26", GO126, "preinstalled"))
        elif m == 19:
            out.append(("1.19", GO119, "Debian golang-1.19-go"))
        else:
            path = fetch(latest[m])
            out.append(("1.%d" % m, path, latest[m] + ("" if online else " (proxy offline)")))
    return out, "1.%d" % newest


def main(argv):
    if len(argv) == 3 and argv[1] == "fetch" and argv[2] in ("ci", "full"):
        tcs, newest = matrix_toolchains(argv[2])
        bad = 0
        for label, path, note in tcs:
            print("%s=%s" % (label, path or "MISSING"), "#", note)
            bad += path is None
        return 1 if bad else 0
    if len(argv) == 2 and argv[1] == "list":
        latest, online = latest_per_minor()
        print(json.dumps({"online": online, "latest": latest}, indent=1))
        return 0
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
