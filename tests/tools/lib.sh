# lib.sh - TAP helpers for the cti tool tests (sourced). $1 of the test = build dir.
#
# Results are collected and printed by done_testing, which evaluates every JSON check in a
# single python3 run (python's start-up costs seconds on a loaded 2-core machine).
BUILD=${1:-build/std}
CTI=${CTI:-$BUILD/tools/cti}
n=0
TMP=$(mktemp -d)
# Only the test's own shell cleans up: a watchdog subshell killed right after
# its fork can still run an inherited EXIT trap (seen under load: $TMP vanished
# mid-run in test_cti_bad_input.sh).
trap '[[ $BASHPID == "'$$'" ]] && rm -rf "$TMP"' EXIT
: >"$TMP/results"

ok() { n=$((n + 1)); printf 'ok\t%s\n' "$*" >>"$TMP/results"; }
not_ok() { n=$((n + 1)); printf 'not ok\t%s\n' "$*" >>"$TMP/results"; }
skip() { n=$((n + 1)); printf 'ok\t# SKIP %s\n' "$*" >>"$TMP/results"; }
diag() { printf '#\t%s\n' "$*" | tr '\n' ' ' >>"$TMP/results"; echo >>"$TMP/results"; }

# run ARGS...: runs cti, output in $OUT / $ERR, exit status in $RC (never hangs: timeout 120 s)
run() {
	timeout 120 "$CTI" "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
	LAST="cti $*"
}

# batch TEXT [GLOBAL OPTIONS...]: runs the lines of TEXT as one cti --sim --batch on a single context
batch() {
	local text=$1
	shift
	printf '%s\n' "$text" >"$TMP/batch"
	run --sim "$@" --batch "$TMP/batch"
	LAST="batch: ${text//$'\n'/; }"
}

# expect DESC CODE: checks $RC
expect() {
	if [[ $RC -eq $2 ]]; then
		ok "$1"
	else
		not_ok "$1 (exit $RC, expected $2)"
		diag "command: $LAST"; diag "stdout: $OUT"; diag "stderr: $ERR"
	fi
}

# check DESC PYEXPR: a python expression over J = the JSON lines of $OUT (evaluated at the end)
check() {
	n=$((n + 1))
	printf '%s\n' "$OUT" >"$TMP/out.$n"
	printf '%s' "$2" >"$TMP/expr.$n"
	printf '%s' "$LAST" >"$TMP/cmd.$n"
	printf 'check\t%d\t%s\n' "$n" "$1" >>"$TMP/results"
}

done_testing() {
	python3 - "$TMP" <<'PY'
import json, os, sys
tmp = sys.argv[1]
num = 0
failed = 0
for line in open(os.path.join(tmp, "results")):
    line = line.rstrip("\n")
    kind, _, rest = line.partition("\t")
    if kind == "#":
        print("# " + rest)
        continue
    num += 1
    if kind == "check":
        idx, _, desc = rest.partition("\t")
        out = open(os.path.join(tmp, "out." + idx)).read()
        expr = open(os.path.join(tmp, "expr." + idx)).read()
        try:
            J = [json.loads(l) for l in out.splitlines() if l.strip().startswith("{")]
            good = bool(eval(expr, {"J": J}))
            err = ""
        except Exception as e:
            good, err = False, repr(e)
        if good:
            print("ok %d - %s" % (num, desc))
        else:
            failed += 1
            print("not ok %d - %s" % (num, desc))
            print("# command: " + open(os.path.join(tmp, "cmd." + idx)).read())
            print("# expr: " + expr + ((" -> " + err) if err else ""))
            for l in out.splitlines()[-6:]:
                print("# out: " + l[:600])
        continue
    if kind == "not ok":
        failed += 1
    print("%s %d - %s" % (kind, num, rest))
print("1..%d" % num)
sys.exit(1 if failed else 0)
PY
}
