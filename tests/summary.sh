#!/bin/bash
# summary.sh RESULTS... : add up the counts of every test phase and print the
# closing line. Exits 1 if anything failed or a phase recorded nothing.
set -uo pipefail
pass=0; fail=0
for f in "$@"; do
	if [[ ! -s $f ]]; then echo "summary: no results in $f" >&2; fail=$((fail + 1)); continue; fi
	while read -r p q; do pass=$((pass + p)); fail=$((fail + q)); done <"$f"
done
echo "check: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
