#!/bin/bash
# run-bench.sh BENCH... : run every benchmark. Each prints lines
#   BENCH <name> <figure> <unit> <target> <better:higher|lower>
# among its own output; they are collected into one table at the end.
set -uo pipefail
table=$(mktemp)
rc=0
for b in "$@"; do
	echo "== $b"
	if [[ $b == *.sh ]]; then out=$(bash "$b" 2>&1); else out=$("$b" 2>&1); fi
	r=$?
	echo "$out"
	[[ $r -eq 0 ]] || { echo "bench $b failed ($r)"; rc=1; }
	grep '^BENCH ' <<<"$out" >>"$table"
done
echo
printf '%-44s %14s %-16s %12s %s\n' benchmark figure unit target status
while read -r _ name fig unit target better; do
	status=MISS
	if [[ $better == higher ]]; then
		awk -v a="$fig" -v b="$target" 'BEGIN{exit !(a>=b)}' && status=ok
	else
		awk -v a="$fig" -v b="$target" 'BEGIN{exit !(a<=b)}' && status=ok
	fi
	printf '%-44s %14s %-16s %12s %s\n' "$name" "$fig" "$unit" "$target" "$status"
done <"$table"
rm -f "$table"
exit $rc
