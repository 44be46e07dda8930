#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The README's pictures of a trace in the real Perfetto UI (`make screenshots`, as root):
# builds samples/leaky with $GO126, records it with ./gotl, and shoots the trace with
# perfetto-ui-shot ($PFUI_SHOT: the Perfetto UI in headless Chromium, offline) into
# doc/trace-*.png. It writes nothing else but .output/shots/. Exits non-zero with the
# reason if it cannot.
set -eu
cd "$(dirname "$0")/.."
out=.output/shots
shot=${PFUI_SHOT:-../shared/tools/perfetto-ui-shot}
go=${GO126:-go}

if [ "$(id -u)" != 0 ]; then
	echo "screenshots: recording needs root: run 'sudo make screenshots'" >&2
	exit 1
fi
[ -x "$shot" ] || { echo "screenshots: no perfetto-ui-shot at $shot (PFUI_SHOT=...)" >&2; exit 1; }
[ -x ./gotl ] || { echo "screenshots: no ./gotl (run make)" >&2; exit 1; }
mkdir -p "$out"
# -trimpath: the pictures show module paths (gotl/samples/leaky/main.go), not this checkout's.
(cd samples && "$go" build -trimpath -o "../$out/leaky" ./leaky)
./gotl record -o "$out/leaky.pftrace" -- "$out/leaky" >/dev/null

# 1. The program's goroutines, their states over time, the counters and the threads.
"$shot" "$out/leaky.pftrace" doc/trace-goroutines.png --size 1400x820 --hide-sidebar \
	--expand leaky --expand Goroutines
# 2. A leaked worker's blocked span, selected: its args, its stack, its arrows.
"$shot" "$out/leaky.pftrace" doc/trace-leak.png --size 1400x820 --hide-sidebar \
	--expand leaky --expand Goroutines --click-slice 'chan send'
# 3. The same, its details panel maximized (its button, where v58.2 puts it at this size).
"$shot" "$out/leaky.pftrace" doc/trace-details.png --size 1400x820 --hide-sidebar \
	--expand leaky --expand Goroutines --click-slice 'chan send' --click 1362,475
echo "screenshots: wrote doc/trace-goroutines.png doc/trace-leak.png doc/trace-details.png"
