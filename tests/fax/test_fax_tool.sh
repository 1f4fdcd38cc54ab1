#!/bin/bash
# test_fax_tool.sh BUILD_DIR - 'cti --sim fax send' refuses a damaged TIFF
# before dialling: exit 2, one line on stderr naming file, page and problem,
# nothing on stdout (no call placed). TAP output.
set -uo pipefail
b=${1:-build/std}
cti=$b/tools/cti
seed=tests/fuzz/corpus/fuzz_tiff/g4-2pages.tif
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
n=0
fail=0
check() {	# name file needle
	local name=$1 f=$2 needle=$3 rc lines
	n=$((n + 1))
	"$cti" --sim fax send 2000 "$f" >"$d/out" 2>"$d/err"; rc=$?
	lines=$(wc -l <"$d/err")
	if [[ $rc -eq 2 && $lines -eq 1 && ! -s $d/out ]] && grep -qF "$f" "$d/err" && grep -qF "$needle" "$d/err"; then
		echo "ok $n - $name: $(cat "$d/err")"
	else
		echo "not ok $n - $name: rc $rc, $lines stderr lines, stdout $(wc -c <"$d/out") bytes"
		sed 's/^/# /' "$d/err" "$d/out"
		fail=1
	fi
}
size=$(stat -c %s "$seed")
head -c $((size / 2)) "$seed" >"$d/half.tif"
check "file cut to 50 %" "$d/half.tif" "truncated or corrupt"
head -c $((size * 9 / 10)) "$seed" >"$d/cut90.tif"
check "file cut to 90 %" "$d/cut90.tif" "page"
printf 'not a tiff\n' >"$d/text.tif"
check "not a TIFF" "$d/text.tif" "cannot open as TIFF"
echo "1..$n"
exit $fail
