#!/bin/bash
# test_cti_args.sh BUILD_DIR - command line handling of `cti`: every subcommand has --help,
# bad arguments exit 2 with a message naming the problem and the accepted values.
source "$(dirname "$0")/lib.sh"

run --help
expect "cti --help exits 0" 0
[[ $OUT == *"Commands:"* && $OUT == *bert* && $OUT == *cable* ]] && ok "global help lists the commands" || not_ok "global help lists the commands"

for c in status loop inject bert cable wait call answer dtmf record play fax levels trace; do
	run --sim "$c" --help
	if [[ $RC -eq 0 && $OUT == "Usage: cti [GLOBAL OPTIONS] $c"* ]]; then ok "cti $c --help"; else not_ok "cti $c --help (exit $RC)"; fi
done

# usage ERRORTEXT ARGS...: exit 2 and stderr contains ERRORTEXT
usage() {
	local want=$1
	shift
	run "$@"
	if [[ $RC -eq 2 && $ERR == *"$want"* ]]; then ok "cti $* -> exit 2: $want"; else not_ok "cti $* -> exit 2: $want (exit $RC, stderr: $ERR)"; fi
}
usage "unknown command 'frobnicate' (accepted: status" --sim frobnicate
usage "--ports 3: the board is cabled in pairs" --sim --ports 3 status
usage "--line 'e3' unknown (accepted: e1, t1)" --sim --line e3 status
usage "--switch 'x25' unknown (accepted: euroisdn" --sim --switch x25 status
usage "--ports, --line, --switch and --real-time need --sim" --ports 4 status
usage "--sim and --config exclude each other" --sim --config /dev/null status
usage "option '--bogus' unknown" --sim status --bogus
usage "option '--count' unknown or missing its value" --sim status --watch --count
usage "option '-z' unknown" --sim bert sim1 -z
usage "option '--pattern' unknown or missing its value" --sim bert sim1 --pattern
usage "--count needs --watch" --sim status --count 3
usage "--interval 0 out of range (accepted: 1-3600)" --sim status --watch --interval 0
usage "expects SPAN and a mode" --sim loop sim1
usage "mode 'sideways' unknown (accepted: off, local, line, payload, up, down)" --sim loop sim1 sideways
usage "error kind 'parity' unknown (accepted: fas, mfas, crc, cas, prbs, bpv)" --sim inject sim1 parity
usage "--count 'many' is not a number (accepted: 1-100000)" --sim inject sim1 fas --count many
usage "give --count or --rate, not both" --sim inject sim1 fas --count 2 --rate 10
usage "--rate 9000 out of range (accepted: 0-8000)" --sim inject sim1 fas --rate 9000/s
usage "--pattern '2e99' unknown (accepted: 2e11, 2e15, 2e20, qrss, 2e23)" --sim bert sim1 --pattern 2e99
usage "--slots '0-40' invalid (accepted: all, unframed" --sim bert sim1 --slots 0-40
usage "--threshold 2 out of range (accepted: 0 .. 0.5)" --sim bert sim1 --threshold 2
usage "--far 'moon' unknown (accepted: auto, loop, peer, none)" --sim bert sim1 --far moon
usage "expects one SPAN" --sim bert
usage "action 'splice' unknown (accepted: show, connect, cut, ais, ber, ppm, clear)" --sim cable splice 1
usage "connect expects 2 arguments" --sim cable connect 1
usage "BER 0.7 out of range (accepted: 0 .. 0.5)" --sim cable ber 1 0.7
usage "ppm 5000 out of range (accepted: -1000-1000)" --sim cable ppm 1 5000
usage "ais 'maybe' unknown (accepted: off, on)" --sim cable ais 1 maybe
usage "--rx goes with cut" --sim cable ais 1 on --rx
usage "NUMBER '12a4': digits 0-9 * # only" --sim call 12a4
usage "--dtmf '12X': digits 0-9 * # A-D only" --sim call 1234 --dtmf 12X
usage "--responder 'robot' unknown (accepted: none, echo, milliwatt, record, silent, fax)" --sim call 1 --responder robot
usage "expects NUMBER and DIGITS" --sim dtmf 1234
usage "--mode fax needs --file" --sim answer --mode fax
usage "direction 'forward' unknown (accepted: send, receive)" --sim fax forward
usage "FILE '/nonexistent.wav' cannot be read" --sim play 1234 /nonexistent.wav
usage "expects at most one SPAN" --sim trace sim1 sim2
usage "SECONDS 'soon' is not a number" --sim wait soon

# the man page renders without warnings
man_warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$(dirname "$0")/../../docs/man/cti.1" 2>&1 >/dev/null)
if ! command -v man >/dev/null; then skip "man not installed"
elif [[ -z $man_warn ]]; then ok "docs/man/cti.1 renders with man -l, no warnings"
else not_ok "docs/man/cti.1 renders with man -l, no warnings: $man_warn"; fi
for c in status loop inject bert cable wait call answer dtmf record play fax levels trace; do
	grep -q "^\.SS \"$c" "$(dirname "$0")/../../docs/man/cti.1" && ok "cti.1 documents $c" || not_ok "cti.1 documents $c"
done

# A bad configuration file is bad input (exit 2, naming file:line); a span that
# cannot be opened is "could not run" (exit 3) with the library's own message.
printf '[span x]\nline = e3\n' >"$TMP/bad.conf"
usage "bad.conf:2" --config "$TMP/bad.conf" status
printf '[span nodahdi]\ntransport = dahdi\nport = 250\n' >"$TMP/dahdi.conf"
run --config "$TMP/dahdi.conf" status
[[ $RC -eq 3 && $ERR == *"span 250"* && $ERR != *"configuration error"* ]] &&
	ok "missing DAHDI span -> exit 3 with the device error, not a configuration error" ||
	not_ok "missing DAHDI span -> exit 3 with the device error (exit $RC: $ERR)"
printf 'status --bogus\n' >"$TMP/b"
run --sim --batch "$TMP/b"
[[ $RC -eq 2 && $ERR == *":1: stopped (exit status 2)"* ]] && ok "--batch stops at a bad line and names it" || not_ok "--batch stops at a bad line and names it (exit $RC: $ERR)"

done_testing
