#!/bin/bash
# mk/run-bench.sh BUILD_DIR BENCH... - proposed replacement for tests/run-bench.sh
# (the top Makefile would call it as: mk/run-bench.sh $(B) $(BENCHES)).
#
# Differences from tests/run-bench.sh:
#   - scripts get the build dir as $1 (like SCRIPT_TESTS), so they find their binaries in build/asan too;
#   - a figure that is not a number, or a bench that prints no BENCH line, is reported, not silently skipped;
#   - the table names the bench each line came from, shows the direction (>= / <=) and the margin,
#     and ends with a count of missed targets; it is also saved to BUILD_DIR/bench.txt;
#   - exit status: 1 if a bench failed to run or printed nothing; missed targets are reported but
#     do not fail the run (the machine is shared, figures vary) unless BENCH_STRICT=1.
set -uo pipefail
B=${1:?usage: run-bench.sh BUILD_DIR BENCH...}; shift
table=$(mktemp); trap 'rm -f "$table"' EXIT
rc=0
for b in "$@"; do
	echo "== $b"
	start=$(date +%s.%N)
	if [[ $b == *.sh ]]; then out=$(bash "$b" "$B" 2>&1); else out=$("$b" 2>&1); fi
	r=$?
	secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
	echo "$out"
	echo "== $b: exit $r, ${secs} s"
	[[ $r -eq 0 ]] || { echo "bench $b FAILED (exit $r)"; rc=1; }
	lines=$(grep '^BENCH ' <<<"$out")
	if [[ -z $lines ]]; then
		echo "bench $b printed no BENCH line"; rc=1; continue
	fi
	while read -r _ name fig unit target better rest; do
		echo "$(basename "$b") $name $fig $unit $target $better"
	done <<<"$lines" >>"$table"
done

misses=0; bad=0
{
	echo
	printf '%-14s %-40s %14s %-12s %2s %12s %9s %s\n' bench benchmark figure unit "" target margin status
	while read -r bench name fig unit target better; do
		num='^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$'
		if ! [[ $fig =~ $num && $target =~ $num && ($better == higher || $better == lower) ]]; then
			printf '%-14s %-40s %14s %-12s %2s %12s %9s %s\n' "$bench" "$name" "$fig" "$unit" "?" \
				"$target" "-" "BAD LINE"
			bad=$((bad + 1)); continue
		fi
		op='>='; [[ $better == lower ]] && op='<='
		read -r status margin < <(awk -v a="$fig" -v t="$target" -v h="$better" 'BEGIN {
			ok = (h == "higher") ? (a >= t) : (a <= t)
			m = (t != 0) ? ((h == "higher") ? a / t : t / a) : 0
			printf "%s %s\n", ok ? "ok" : "MISS", (t != 0 && a != 0) ? sprintf("x%.2f", m) : "-" }')
		[[ $status == ok ]] || misses=$((misses + 1))
		printf '%-14s %-40s %14s %-12s %2s %12s %9s %s\n' "$bench" "$name" "$fig" "$unit" "$op" "$target" \
			"$margin" "$status"
	done <"$table"
	echo "$(wc -l <"$table") figures, $misses below target, $bad malformed"
} >"$B/bench.txt"
cat "$B/bench.txt"
[[ $bad -eq 0 ]] || rc=1
[[ ${BENCH_STRICT:-0} == 1 && $misses -gt 0 ]] && rc=1
exit $rc
