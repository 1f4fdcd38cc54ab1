#!/bin/bash
# abi-check.sh BUILD_DIR - TAP: libcti.so.1 is ABI compatible with the stored
# baseline tests/abi/libcti.abi (abidiff, from abigail-tools).
#
# Added functions are compatible (--no-added-syms); removed functions, changed
# signatures and changed structs fail, except a growable struct gaining
# fields at its end (tests/abi/libcti.suppr). After a deliberate change,
# update the baseline: make abi-baseline (docs/api.md).
set -uo pipefail
B=${1:-build/std}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
base=tests/abi/libcti.abi
supp=tests/abi/libcti.suppr
so=$B/lib/libcti.so.1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0; failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; }
ABIDIFF=(abidiff --no-added-syms --suppressions "$supp")

if ! command -v abidiff >/dev/null || ! command -v abidw >/dev/null; then
	fail "abidiff and abidw installed (Debian abigail-tools: run make deps)"
	echo "1..$n"; exit 1
fi
ok "abidiff and abidw installed"

# The checker itself: toy libraries with the same options and suppressions.
# An added function passes; a removed one, a changed signature, a field
# inserted at the front of a growable struct fail; a field at its end passes.
toy() {	# toy NAME 'struct body' 'extra C'
	printf 'struct cti_term { %s };\nint cti_play(struct cti_term *t) { return (int)sizeof(*t); }\n%s\n' \
		"$2" "$3" >"$tmp/$1.c"
	gcc -g -shared -fPIC -o "$tmp/lib$1.so" "$tmp/$1.c"
}
toy v1 'unsigned size; int a;' 'int cti_stop(int op) { return op; }'
toy add 'unsigned size; int a;' 'int cti_stop(int op) { return op; } int cti_new(void) { return 0; }'
toy rm 'unsigned size; int a;' ''
toy sig 'unsigned size; int a;' 'int cti_stop(long op, int x) { return (int)op + x; }'
toy front 'unsigned size; int b; int a;' 'int cti_stop(int op) { return op; }'
toy end 'unsigned size; int a; int b;' 'int cti_stop(int op) { return op; }'
abidw --no-corpus-path --out-file "$tmp/v1.abi" "$tmp/libv1.so"
expect_rc() {	# expect_rc WANT(0|nonzero) WHAT LIB
	"${ABIDIFF[@]}" "$tmp/v1.abi" "$tmp/lib$3.so" >/dev/null 2>&1
	local rc=$?
	if [[ $1 == 0 && $rc -eq 0 || $1 != 0 && $rc -ne 0 && $rc -ne 1 && $rc -ne 2 ]]; then
		ok "checker: $2 (abidiff exit $rc)"
	else
		fail "checker: $2 (abidiff exit $rc)"
	fi
}
expect_rc 0 "an added function is compatible" add
expect_rc x "a removed function fails" rm
expect_rc x "a changed signature fails" sig
expect_rc x "a field inserted at the front of a growable struct fails" front
expect_rc 0 "a field added at the end of a growable struct is compatible" end

if [[ ! -f $base ]]; then
	fail "baseline $base exists (make abi-baseline)"
elif [[ ! -f $so ]]; then
	fail "$so built"
else
	"${ABIDIFF[@]}" --headers-dir2 include --drop-private-types "$base" "$so" >"$tmp/report" 2>&1
	rc=$?
	if [[ $rc -eq 0 ]]; then
		ok "libcti.so.1 is ABI compatible with $base (added functions allowed)"
	else
		fail "libcti.so.1 is ABI compatible with $base (abidiff exit $rc; if deliberate: make abi-baseline)"
		sed 's/^/# /' "$tmp/report" | head -60
	fi
fi
echo "1..$n"
exit $failed
