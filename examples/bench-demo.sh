#!/bin/bash
# bench-demo.sh [BUILD_DIR] - how fast the libcti call center program (examples/demo) runs in virtual time.
# (tests/run-bench.sh passes no argument: build/std by default.)
set -uo pipefail
B=${1:-build/std}
cd "$(dirname "$0")/.." || exit 1
[[ -x $B/examples/demo ]] || { echo "bench-demo: $B/examples/demo not built"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# Prompts and fax document.
examples/demo-prompts.sh "$tmp/demo" >"$tmp/prep.log" 2>&1 || { tail -20 "$tmp/prep.log"; exit 1; }
start=$(date +%s.%N)
"$B/examples/demo" "$tmp/demo" >"$tmp/run.log" 2>&1 || { tail -20 "$tmp/run.log"; exit 1; }
end=$(date +%s.%N)
virt=$(sed -nE 's/^([0-9.]+) s of virtual time.*/\1/p' "$tmp/run.log")
awk -v s="$start" -v e="$end" -v v="$virt" 'BEGIN {
	w = e - s
	printf "demo: %.1f s of virtual time (12 calls, 3 fax pages, 5 recordings) in %.2f s wall\n", v, w
	printf "BENCH demo_wall_time %.2f s 60 lower\n", w
	printf "BENCH demo_virtual_speedup %.1f x 5 higher\n", v / w }'
