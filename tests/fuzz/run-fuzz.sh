#!/bin/bash
# run-fuzz.sh FUZZ_BUILD_DIR SECONDS - run every fuzz target, TAP output.
#
# For each target in build/fuzz: first every input kept in
# tests/fuzz/corpus/<target>/ once (the seeds and the regression inputs of
# crashes found before), then libFuzzer for SECONDS seconds, starting from
# the kept corpus plus what earlier runs found (build/fuzz/corpus/<target>,
# outside the tree). ok = no crash, leak, timeout or UBSan report. A crash
# leaves its input as build/fuzz/crash-<target>-*: fix the bug, then copy
# the input into tests/fuzz/corpus/<target>/ as a regression test.
set -uo pipefail
fb=${1:-build/fuzz}
secs=${2:-20}
top=$(cd "$(dirname "$0")/../.." && pwd)
n=0
failed=0
for t in fuzz_config fuzz_tiff; do
	bin=$fb/$t
	seeds=$top/tests/fuzz/corpus/$t
	work=$fb/corpus/$t
	mkdir -p "$work"
	args=(-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$fb/crash-$t-")
	[[ -f $top/tests/fuzz/$t.dict ]] && args+=(-dict="$top/tests/fuzz/$t.dict")
	if [[ ! -x $bin ]]; then
		n=$((n + 1)); echo "not ok $n - $t: $bin not built (make fuzz-bin)"; failed=1
		continue
	fi
	nseeds=$(find "$seeds" -type f | wc -l)
	log=$(mktemp)
	n=$((n + 1))
	if "$bin" "${args[@]}" $(find "$seeds" -type f | sort) >"$log" 2>&1; then
		echo "ok $n - $t: all $nseeds kept corpus inputs run clean"
	else
		echo "not ok $n - $t: a kept corpus input fails"; grep -E 'ERROR|SUMMARY|Running' "$log" | tail -5 | sed 's/^/# /'
		failed=1
	fi
	n=$((n + 1))
	if "$bin" "${args[@]}" -max_total_time="$secs" -print_final_stats=1 "$work" "$seeds" >"$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
		size=$(find "$work" -type f | wc -l)
		cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
		echo "ok $n - $t: ${secs} s, ${execs:-?} inputs tried, corpus $size files, ${cov:-cov: ?}, no crash"
	else
		echo "not ok $n - $t: crash within ${secs} s"
		grep -E 'ERROR|SUMMARY|artifact|runtime error' "$log" | head -8 | sed 's/^/# /'
		failed=1
	fi
	rm -f "$log"
done
echo "1..$n"
exit $failed
