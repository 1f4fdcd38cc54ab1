#!/bin/bash
# test-examples.sh BUILD_DIR - TAP: the tutorial programs run, the libcti call center program and
# make demo (through ctid, examples/demo.sh) pass all their checks.
# A program that was not built counts as a failure.
set -uo pipefail
B=${1:-build/std}
cd "$(dirname "$0")/.." || exit 1
n=0; failed=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if [[ -x $B/examples/simple_call ]]; then
	n=$((n + 1))
	if "$B/examples/simple_call" >"$tmp/simple.log" 2>&1 && grep -q '^simple_call: OK' "$tmp/simple.log"; then
		echo "ok $n - simple_call places, answers, clears and releases a call"
	else
		failed=1; echo "not ok $n - simple_call"; sed 's/^/# /' "$tmp/simple.log" | tail -20
	fi
	# Real clock: only that it completes (generous limits inside), never how fast.
	n=$((n + 1))
	if "$B/examples/simple_call" --real >"$tmp/simple.log" 2>&1 && grep -q '^simple_call: OK' "$tmp/simple.log"; then
		echo "ok $n - simple_call --real: the same call on the real clock (poll on cti_fd)"
	else
		failed=1; echo "not ok $n - simple_call --real"; sed 's/^/# /' "$tmp/simple.log" | tail -20
	fi
else
	n=$((n + 1)); failed=1; echo "not ok $n - simple_call: $B/examples/simple_call not built"
fi
if [[ -x $B/examples/demo ]]; then
	# The libcti call center program on its own (virtual time): IVR, fax, ACD, supervisor, ECT, reminders.
	n=$((n + 1))
	if examples/demo-prompts.sh "$tmp/lib" >"$tmp/lib.log" 2>&1 && "$B/examples/demo" "$tmp/lib" >>"$tmp/lib.log" 2>&1; then
		echo "ok $n - libcti call center program (examples/demo): $(grep -c '\[ ok \]' "$tmp/lib.log") checks passed"
	else
		failed=1; echo "not ok $n - libcti call center program (examples/demo)"; grep -E 'FAIL|demo:' "$tmp/lib.log" | sed 's/^/# /'
	fi
else
	n=$((n + 1)); failed=1; echo "not ok $n - libcti call center program: $B/examples/demo not built"
fi
# make demo: the help desk through ctid (real time, about a minute), artifacts and report checked.
n=$((n + 1))
if DEMO_OUT=$tmp/demo examples/demo.sh "$B" >"$tmp/demo.log" 2>&1; then
	echo "ok $n - make demo through ctid: $(grep -c '^ok' "$tmp/demo/checks.txt") checks passed, report.html written"
else
	failed=1; echo "not ok $n - make demo through ctid"; grep -E 'FAIL|demo:' "$tmp/demo.log" | sed 's/^/# /'
fi
echo "1..$n"
exit $failed
