# lib.sh - TAP helpers for the cti tool tests (sourced). $1 of the test = build dir.
BUILD=${1:-build/std}
CTI=$BUILD/tools/cti
n=0
failed=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - # SKIP $*"; }
done_testing() { echo "1..$n"; [[ $failed -eq 0 ]]; }

# run ARGS...: runs cti, output in $OUT / $ERR, exit status in $RC (never hangs: timeout 120 s)
run() {
	timeout 120 "$CTI" "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
}

# batch TEXT [GLOBAL OPTIONS...]: runs the lines of TEXT as one cti --batch on a single context
batch() {
	local text=$1
	shift
	printf '%s\n' "$text" >"$TMP/batch"
	run "$@" --batch "$TMP/batch"
}

# expect DESC CODE: checks $RC
expect() {
	if [[ $RC -eq $2 ]]; then ok "$1"; else not_ok "$1 (exit $RC, expected $2)"; echo "# stdout: $OUT"; echo "# stderr: $ERR"; fi
}

# check DESC PYEXPR: evaluates a python expression over J = list of the JSON lines of $OUT
check() {
	if printf '%s\n' "$OUT" | python3 -c '
import json, sys
J = [json.loads(l) for l in sys.stdin if l.strip().startswith("{")]
expr = sys.argv[1]
try:
    r = eval(expr)
except Exception as e:
    print("# error: %r" % e); r = False
sys.exit(0 if r else 1)' "$2"; then ok "$1"; else not_ok "$1"; echo "# expr: $2"; echo "# stdout: $OUT"; echo "# stderr: $ERR"; fi
}
