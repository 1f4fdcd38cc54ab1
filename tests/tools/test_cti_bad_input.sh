#!/bin/bash
# test_cti_bad_input.sh BUILD_DIR - `cti` under bad input.
#  1. The table bad-cli.tsv: every bad command line exits 2 or 3 with a message naming the problem,
#     never a crash (signal, sanitizer report), a hang (timeout) or a PASS.
#  2. Behaviour that used to be wrong: format strings in file names, false PASS results (silent
#     tone, SIGINT), batch lines over 1023 bytes, negative numbers, the responder mode of a batch.
source "$(dirname "$0")/lib.sh"
TABLE="$(dirname "$0")/bad-cli.tsv"
CASE_TIMEOUT=${CASE_TIMEOUT:-30}
# ASan build: LeakSanitizer's list of used suppressions is not a message of cti's
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}print_suppressions=0"

# ---- fixtures
mkdir -p "$TMP/dir"
mkfifo "$TMP/fifo"
TENK=$(printf 'x%.0s' $(seq 10000))
printf '[span a]\nport = 1\n[span b]\nport = 2\n[group g]\nspans = a, ghost\n' >"$TMP/ghost.conf"
printf '[span a]\nport = 1\n[span b]\nport = 1\n' >"$TMP/twoport.conf"
printf '[span a]\nport = 1\nbchannels = 1-20\n' >"$TMP/dch.conf"
printf '[general]\nclock = real\0\n' >"$TMP/nul.conf"
{ printf '[general]\n# '; printf 'y%.0s' $(seq 2000); printf '\n'; } >"$TMP/long.conf"
printf 'wait 0.001\nwa\0it 1\n' >"$TMP/nul.batch"
{ printf 'status'; for i in $(seq 100); do printf ' w%d' "$i"; done; printf '\n'; } >"$TMP/words.batch"
printf '# %%s%%n%%s%%s\nwait 0.001\n%%s%%n status\n' >"$TMP/fmt.batch"
gs -q -dNOPAUSE -dBATCH -sDEVICE=tiffg4 -r204x196 -g1728x2292 -sOutputFile="$TMP/page.tif" \
	-c "/Helvetica findfont 40 scalefont setfont 100 700 moveto (page) show showpage" >/dev/null 2>&1

subst() {
	local s=$1
	s=${s//@TMP@/$TMP}
	s=${s//@DIR@/$TMP/dir}
	s=${s//@FIFO@/$TMP/fifo}
	s=${s//@10K@/$TENK}
	printf '%s' "$s"
}

# ---- 1. the table
cases=0
while IFS= read -r line || [[ -n $line ]]; do
	[[ -z $line || $line == \#* ]] && continue
	fields=()
	rest=$line
	while [[ $rest == *$'\t'* ]]; do
		fields+=("${rest%%$'\t'*}")
		rest=${rest#*$'\t'}
	done
	fields+=("$rest")
	want=${fields[0]}
	re=$(subst "${fields[1]}")
	args=()
	for a in "${fields[@]:2}"; do args+=("$(subst "$a")"); done
	cases=$((cases + 1))
	timeout -k 5 "$CASE_TIMEOUT" "$CTI" "${args[@]}" >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	show="cti ${fields[*]:2}"
	show=${show//$'\t'/ }
	show=${show:0:160}
	why=""
	if [[ $rc -eq 124 || $rc -eq 137 ]]; then why="hung (killed after ${CASE_TIMEOUT} s)"
	elif [[ $rc -ge 128 ]]; then why="crashed (signal $((rc - 128)))"
	elif [[ $rc -ne $want ]]; then why="exit $rc, expected $want"
	elif grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:' "$TMP/err"; then why="sanitizer report"
	elif grep -q 'PASS' "$TMP/out"; then why="reported PASS"
	elif ! grep -Eq -- "$re" "$TMP/err"; then why="stderr does not match /$re/"
	elif [[ $(grep -c . "$TMP/err") -gt 3 ]]; then why="more than 3 lines on stderr"
	fi
	if [[ -z $why ]]; then
		ok "bad input: $show -> exit $want"
	else
		not_ok "bad input: $show: $why"
		diag "stderr: $(head -c 600 "$TMP/err")"
		diag "stdout: $(tail -c 300 "$TMP/out")"
	fi
done <"$TABLE"
[[ $cases -ge 100 ]] && ok "the table has $cases cases" || not_ok "the table has only $cases cases"

# ---- 2. behaviour

# A file name is never a printf format: %s, %n stay in the name; %d is the call number.
run --sim call 1 --responder record --peer-file "$TMP/%s%n%s%d.wav" --hold 1
expect "call --peer-file with %s%n in the name: no crash, exit 0" 0
sz=$(stat -c %s "$TMP/%s%n%s1.wav" 2>/dev/null || echo 0)
[[ $sz -gt 8000 ]] && ok "responder recorded to '%s%n%s1.wav' literally ($sz bytes)" ||
	not_ok "responder recorded to '%s%n%s1.wav' literally ($sz bytes; $(ls "$TMP" | tr "\n" " "))"

# A recording that can be made passes (the checks above are not simply refusing everything).
run --sim record 1 "$TMP/ok.wav" --seconds 1
expect "record to a writable file: exit 0" 0
sz=$(stat -c %s "$TMP/ok.wav" 2>/dev/null || echo 0)
[[ $sz -gt 8000 ]] && ok "record: 1 s recorded ($sz bytes)" || not_ok "record: 1 s recorded ($sz bytes)"

# call --tone checks that the tone comes back.
run --sim --json call 1 --tone --responder silent
expect "call --tone, silent far end: FAIL (exit 1)" 1
check "call --tone, silent far end: failed tone, rx level measured below -20 dBm0" \
	'J[-1]["failed"] == "tone" and J[-1]["levels"]["rx_dbm0"] < -20 and not J[-1]["pass"]'
run --sim call 1 --tone --responder silent
[[ $OUT == *"tone: received -"*"expected at least -20 dBm0 - FAIL"* && $OUT == *"result: FAIL"* ]] &&
	ok "call --tone, silent far end: the measured level is printed with FAIL" ||
	not_ok "call --tone, silent far end: the measured level is printed with FAIL ($OUT)"
run --sim --json call 1 --tone
expect "call --tone, milliwatt far end: PASS" 0

# The responder mode is per command: silent for the first call, the default (echo) for the next.
batch $'call 1 --responder silent\ndtmf 1 123\ncall 1 --tone' --json --force
expect "batch: the responder mode does not stick to the next command" 0
check "batch: dtmf after a silent responder gets its digits back, --tone its tone" \
	'len(J) == 3 and J[1]["dtmf"]["received"] == "123" and J[2]["pass"] and J[2]["levels"]["rx_dbm0"] > -3'

# A batch line over 1023 bytes is one line: the tail of a long comment is not a command.
{ printf '#'; printf 'x%.0s' $(seq 1022); printf 'cable cut 1\nwait 5\nstatus\n'; } >"$TMP/long.batch"
run --sim --batch "$TMP/long.batch"
expect "batch: a 1034-byte comment line runs nothing (no cable cut, status without alarm)" 0
{ printf 'wait 0.001 '; printf '%.0s ' $(seq 30); printf '\n'; printf 'cable ppm 2 %s\n' "-$(printf '0%.0s' $(seq 2000))5"; } >"$TMP/longcmd.batch"
run --sim --json --batch "$TMP/longcmd.batch"
expect "batch: a 2000-character argument on one line is one argument" 0
check "batch: cable ppm 2 -000...0005 is -5 ppm" 'J[-1]["faults"]["ppm"] == -5'

# Negative numbers are arguments, not options; options may still follow them.
run --sim --json cable ppm 2 -100
expect "cable ppm 2 -100: accepted" 0
check "cable ppm 2 -100: -100 ppm set" 'J[0]["faults"]["ppm"] == -100'
run --sim --json cable ber 2 1e-4 --burst 4
expect "cable ber 2 1e-4 --burst 4: options after the arguments still work" 0
check "cable ber: 1e-4 in bursts of 4" 'J[0]["faults"]["ber"] == 1e-4 and J[0]["faults"]["burst_bits"] == 4'
run --sim --json cable ppm 2 -- -7
check "cable ppm 2 -- -7: -- ends the options" 'J[0]["faults"]["ppm"] == -7'

# SIGINT during a call: cleared with cause 16, reported as interrupted, exit 4 (never PASS).
"$CTI" --sim call 1 --hold 86400 >"$TMP/int.out" 2>"$TMP/int.err" &
pid=$!
for _ in $(seq 200); do grep -q '^answered' "$TMP/int.out" && break; sleep 0.1; done
kill -INT "$pid"
( sleep 30; kill -KILL "$pid" 2>/dev/null ) &
wd=$!
wait "$pid"
rc=$?
kill "$wd" 2>/dev/null
wait "$wd" 2>/dev/null
OUT=$(cat "$TMP/int.out")
[[ $rc -eq 4 ]] && ok "SIGINT during a call: exit 4" || not_ok "SIGINT during a call: exit $rc, expected 4 ($OUT $(cat "$TMP/int.err"))"
[[ $OUT == *"cleared by us: cause 16 (Normal Clearing)"* && $OUT == *"result: INTERRUPTED"* && $OUT != *PASS* ]] &&
	ok "SIGINT during a call: cleared by us with cause 16, result INTERRUPTED" ||
	not_ok "SIGINT during a call: cleared by us with cause 16, result INTERRUPTED ($OUT)"

# SIGTERM while answering: exit 4, said so.
"$CTI" --sim answer --timeout 86400 >"$TMP/term.out" 2>"$TMP/term.err" &
pid=$!
for _ in $(seq 200); do grep -q '^answering' "$TMP/term.out" && break; sleep 0.1; done
kill -TERM "$pid"
( sleep 30; kill -KILL "$pid" 2>/dev/null ) &
wd=$!
wait "$pid"
rc=$?
kill "$wd" 2>/dev/null
wait "$wd" 2>/dev/null
[[ $rc -eq 4 && $(cat "$TMP/term.err") == *"interrupted"* ]] && ok "SIGTERM while answering: exit 4, interrupted" ||
	not_ok "SIGTERM while answering: exit $rc, expected 4 ($(cat "$TMP/term.err"))"

# -q is documented.
run --help
[[ $OUT == *"-q, --quiet"* ]] && ok "--help documents -q, --quiet" || not_ok "--help documents -q, --quiet"
grep -q 'quiet' "$(dirname "$0")/../../docs/man/cti.1" && ok "cti.1 documents --quiet" || not_ok "cti.1 documents --quiet"
batch $'wait 0.001' -q
[[ $RC -eq 0 && $OUT != *"cti>"* ]] && ok "-q: batch commands are not echoed" || not_ok "-q: batch commands are not echoed ($OUT)"

done_testing
