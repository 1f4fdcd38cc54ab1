#!/bin/bash
# leak-test.sh BUILD_DIR - libcti hides no leak from its users: the shared
# library exports no LeakSanitizer suppression (issue 11 item 7; libpri's
# instances are pooled, see lib/core/call.c), and under valgrind 30
# cti_open/cti_close cycles (test_leak's) lose nothing. TAP output.
set -uo pipefail
B=${1:-build/std}
SO=$B/lib/libcti.so.1
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }

if [[ ! -f $SO ]]; then not_ok "$SO exists"; echo "1..$n"; exit 1; fi
if nm -D --defined-only "$SO" | grep -q '__lsan_default_suppressions'; then
	not_ok "libcti.so exports no __lsan_default_suppressions"
else
	ok "libcti.so exports no __lsan_default_suppressions"
fi
if nm "$B/lib/libcti.a" 2>/dev/null | grep -q ' T __lsan_default_suppressions$'; then
	not_ok "libcti.a defines no __lsan_default_suppressions"
else
	ok "libcti.a defines no __lsan_default_suppressions"
fi
if command -v valgrind >/dev/null && [[ $B != *asan* ]]; then
	log=$(mktemp)
	valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=9 \
		"$B/tests/core/test_leak" >"$log" 2>&1
	rc=$?
	lost=$(grep -o 'definitely lost: [0-9,]* bytes' "$log" | head -1)
	if [[ $rc -eq 0 ]]; then ok "valgrind: test_leak's cycles lose nothing (${lost:-no leak summary})"
	else not_ok "valgrind: test_leak's cycles lose nothing" "exit $rc, ${lost:-see below}" "$(tail -5 "$log")"; fi
	rm -f "$log"
else
	n=$((n + 1)); echo "ok $n # SKIP valgrind not installed (or ASan build)"
fi
echo "1..$n"
