#!/bin/bash
# test_ctid_sim_far_ends.sh BUILD_DIR - TAP: the far ends of ctid's built-in traffic that `make demo`
# uses, in virtual time: --sim-digits as a list (caller N sends item N, cycling), --sim-fax-digits
# (those callers are fax machines and receive the IVR's document pixel-exact), --sim-caller-voice and
# --sim-agent-voice (both legs of a recording carry their own sound; silent without them),
# --sim-start (first caller delayed), --sim-listener (a silent phone recording what it hears),
# --trace (a pcap tshark decodes), and bad option values.
set -u
B=${1:-build/std}
CTID=$PWD/$B/server/ctid/ctid
n=0; failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
q() { sqlite3 "$T/cdr.db" "$1"; }
[[ -x $CTID ]] || { echo "not ok 1 - $CTID not built"; echo "1..1"; exit 1; }

mkdir -p "$T/prompts" "$T/far" "$T/rec"
S8=(-r 8000 -c 1 -b 16 -e signed-integer)
sox -n "${S8[@]}" "$T/prompts/welcome.wav" synth 1 sine 440 gain -n -20
sox -n "${S8[@]}" "$T/prompts/music.wav" synth 2 sine 300 gain -n -20
# Two different voices: low band noise for callers, a high band for agents.
sox -R -n "${S8[@]}" "$T/caller.wav" synth 2 pinknoise sinc 300-1200 tremolo 3 60 gain -n -14
sox -R -n "${S8[@]}" "$T/agent.wav" synth 2 pinknoise sinc 2000-3400 tremolo 5 60 gain -n -14
gs -q -dNOPAUSE -dBATCH -dSAFER -dFirstPage=1 -dLastPage=1 -sDEVICE=tiffg4 -r204x196 -g1728x2292 \
	-sOutputFile="$T/prompts/doc.tif" examples/fax-doc.ps

cat >"$T/ctid.conf" <<CONF
[ctid]
sim = 2 e1 euroisdn
clock = virtual
cdr = sqlite:$T/cdr.db
prompts = prompts
listen = none

[recording]
policy = all
mode = stereo
dir = $T/rec

[trunk pstn]
span = sim2
role = inbound

[trunk desks]
span = sim3
role = positions

[routes]
8000 = ivr:main

[ivr main]
hello = play welcome.wav
menu  = digits 1 timeout=5
pick  = branch 1=fax 2=queue:help default=bye
fax   = fax doc.tif
bye   = hangup 16

[queue help]
moh = music.wav

[agent 201]
position = 201

[agent 202]
position = 202
CONF

"$CTID" --login-all --sim-calls 4 --sim-digits 1,2,2 --sim-fax-digits 1 --sim-dir "$T/far" \
	--sim-caller-voice "$T/caller.wav" --sim-agent-voice "$T/agent.wav" --sim-start 3000 --sim-interval 1000 \
	--sim-talk 4000 --trace "$T/d.pcap" "$T/ctid.conf" >"$T/out" 2>"$T/log"
rc=$?
check "ctid runs the 4 callers and exits 0 (exit $rc)" test $rc -eq 0
got=$(q "SELECT group_concat(ani || ':' || digits || ':' || fax_pages || ':' || ifnull(agent, '-'), ' ') FROM
	(SELECT * FROM cdr WHERE leg = 1 ORDER BY CAST(call_id AS INTEGER))")
check "--sim-digits 1,2,2 cycles: callers send 1 2 2 1; the 1s got the 1-page fax, the 2s an agent ($got)" \
	test "$got" = "0301000001:1:1:- 0301000002:2:0:201 0301000003:2:0:202 0301000004:1:1:-"
pixels() { tiffinfo -d "$1" 2>/dev/null | grep '^ [0-9a-f][0-9a-f] ' | tr -d ' \n' | md5sum; }
for c in 0301000001 0301000004; do
	f=$T/far/fax-$c.tif
	check "--sim-fax-digits: caller $c's fax machine received the page pixel-exact into --sim-dir" \
		test -s "$f" -a "$(tiffinfo "$f" 2>/dev/null | grep -c 'TIFF Directory')" = 1 -a \
		"$(pixels "$f")" = "$(pixels "$T/prompts/doc.tif")"
done
check "callers who did not send the fax digits received no fax" test "$(ls "$T/far" | wc -l)" = 2
start=$(q "SELECT start_ms FROM cdr WHERE call_id = '1' AND leg = 1")
check "--sim-start 3000: the first caller arrives 3 s after the trunks are up (at $start virtual ms)" \
	test -n "$start" -a "${start:-0}" -ge 3000 -a "${start:-0}" -le 4500
# Recordings: caller left, agent right; each leg is its own voice (low band vs high band).
level() { sox "$1" -n remix "$2" stats 2>&1 | awk '/RMS lev dB/ {print $4}'; }
band() { sox "$1" -n remix "$2" sinc "$3" stats 2>&1 | awk '/RMS lev dB/ {print $4}'; }
for id in 2 3; do
	r=$T/rec/call-$id.wav
	l=$(level "$r" 1); rr=$(level "$r" 2)
	l_lo=$(band "$r" 1 300-1200); l_hi=$(band "$r" 1 2000-3400); r_lo=$(band "$r" 2 300-1200); r_hi=$(band "$r" 2 2000-3400)
	check "call $id's recording: caller leg ($l dB) is the caller's voice (low band $l_lo > high $l_hi), agent leg ($rr dB) the agent's (high $r_hi > low $r_lo)" \
		awk -v a="$l" -v b="$rr" -v c="$l_lo" -v d="$l_hi" -v e="$r_lo" -v f="$r_hi" \
		'BEGIN { exit !(a > -40 && b > -40 && c > d + 10 && f > e + 10) }'
done
if command -v tshark >/dev/null; then
	setups=$(tshark -r "$T/d.pcap" -Y 'q931.message_type == 0x05' 2>/dev/null | wc -l)
	check "--trace: tshark decodes 12 SETUPs (4 callers + 2 agent legs, each seen on both ends), got $setups" \
		test "$setups" = 12
else
	check "--trace: pcap written" test -s "$T/d.pcap"
fi

# Control: without the voice options the same call's legs are silent, and digits stay one string for all.
rm -rf "$T"/cdr.db* "$T/rec" "$T/far"; mkdir "$T/rec" "$T/far"
"$CTID" --login-all --sim-calls 2 --sim-digits 2 --sim-talk 3000 "$T/ctid.conf" >/dev/null 2>"$T/log"
l=$(level "$T/rec/call-1.wav" 1); rr=$(level "$T/rec/call-1.wav" 2)
check "without --sim-*-voice both legs are silent ($l / $rr dB)" \
	awk -v a="$l" -v b="$rr" 'BEGIN { exit !((a == "-inf" || a < -60) && (b == "-inf" || b < -60)) }'
check "a single --sim-digits value goes to every caller" \
	test "$(q "SELECT group_concat(digits, ' ') FROM cdr WHERE leg = 1")" = "2 2"

# --sim-listener: the phone at 201 stays silent and records what it hears (the caller's voice).
rm -rf "$T"/cdr.db* "$T/rec" "$T/far"; mkdir "$T/rec" "$T/far"
"$CTID" --login-all --sim-calls 1 --sim-digits 2 --sim-talk 3000 --sim-dir "$T/far" --sim-listener 201 \
	--sim-caller-voice "$T/caller.wav" --sim-agent-voice "$T/agent.wav" "$T/ctid.conf" >/dev/null 2>"$T/log"
h=$T/far/heard-201-1.wav
hl=$(level "$h" 1); h_lo=$(band "$h" 1 300-1200); h_hi=$(band "$h" 1 2000-3400); d=$(soxi -D "$h" 2>/dev/null)
check "--sim-listener 201: heard-201-1.wav holds the caller's voice ($hl dB, low band $h_lo > high $h_hi, $d s)" \
	awk -v a="$hl" -v c="$h_lo" -v e="$h_hi" -v d="$d" 'BEGIN { exit !(a > -40 && c > e + 10 && d >= 2.9 && d <= 3.2) }'
rr=$(level "$T/rec/call-1.wav" 2)
check "--sim-listener: that phone said nothing (agent leg of the recording $rr dB)" \
	awk -v b="$rr" 'BEGIN { exit !(b == "-inf" || b < -60) }'

# Bad values: exit 2 (command line) or 1 (cannot open), with a message naming the option and value.
bad() {	# WANT-RC WANT-MESSAGE ARGS...
	local want_rc=$1 want=$2; shift 2
	"$CTID" "$@" "$T/ctid.conf" >/dev/null 2>"$T/err"
	local rc=$?
	if [[ $rc -eq $want_rc ]] && grep -qF -- "$want" "$T/err"; then ok "ctid $*: exit $rc, $want"
	else not_ok "ctid $*: exit $rc, $(head -c 200 "$T/err") (want $want_rc, $want)"; fi
}
bad 2 "--sim-digits '1,,2': expected a comma list" --sim-digits 1,,2
bad 2 "--sim-digits '1,x': expected a comma list" --sim-digits 1,x
bad 2 "--sim-digits ',1': expected a comma list" --sim-digits ,1
bad 2 "--sim-fax-digits '1,2': expected up to 31" --sim-fax-digits 1,2
bad 2 "--sim-start '-1': expected a number 0-3600000" --sim-start -1
bad 2 "--trace: expected a path" --trace ''
bad 2 "--sim-listener '20x': expected up to 31" --sim-listener 20x
bad 1 "/nonexistent/d.pcap: No such file or directory" --sim-calls 1 --trace /nonexistent/d.pcap
echo "1..$n"
exit $failed
