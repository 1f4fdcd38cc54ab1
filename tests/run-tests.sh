#!/bin/bash
# run-tests.sh RESULTS KIND TEST...
# Runs cmocka binaries (KIND=unit) or shell tests (KIND=script, each gets the
# build dir as $1), prints each test's output, appends "passed failed" to
# RESULTS and prints the running total. Exits 1 if anything failed.
set -uo pipefail
results=$1; kind=$2; shift 2
mkdir -p "$(dirname "$results")"
total_pass=0; total_fail=0; failed_names=()
build_dir=$(dirname "$results")
for t in "$@"; do
	log=$(mktemp)
	start=$(date +%s)
	if [[ $kind == unit ]]; then
		"$t" >"$log" 2>&1; rc=$?
	else
		bash "$t" "$build_dir" >"$log" 2>&1; rc=$?
	fi
	secs=$(( $(date +%s) - start ))
	cat "$log"
	if [[ $kind == unit ]]; then
		pass=$(grep -c '^\[       OK \]' "$log")
		fail=$(grep '^\[  FAILED  \] [A-Za-z_]' "$log" | grep -v 'test(s)' | sort -u | wc -l)
	else
		pass=$(grep -c '^ok ' "$log")
		fail=$(grep -c '^not ok ' "$log")
	fi
	if [[ $rc -ne 0 && $fail -eq 0 ]]; then fail=1; fi
	if [[ $rc -eq 0 && $pass -eq 0 && $fail -eq 0 ]]; then pass=1; fi
	total_pass=$((total_pass + pass)); total_fail=$((total_fail + fail))
	if [[ $rc -ne 0 ]]; then failed_names+=("$t"); fi
	printf '== %s: %d passed, %d failed (%ds)\n' "$t" "$pass" "$fail" "$secs"
	rm -f "$log"
done
echo "$total_pass $total_fail" >>"$results"
if [[ ${#failed_names[@]} -gt 0 ]]; then
	echo "FAILED: ${failed_names[*]}"
fi
echo "$kind: $total_pass passed, $total_fail failed"
[[ $total_fail -eq 0 ]]
