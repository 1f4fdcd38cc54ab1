#!/bin/bash
# test_ctid_sim.sh BUILD_DIR - ctid on the emulated board: callers dial, the IVR collects a digit,
# the ACD hands them to agents' phones, CDR rows in SQLite match call by call; SIGHUP reloads
# (a broken file is refused, calls stay up); SIGTERM clears calls with cause 16 and flushes the CDRs.
set -u
B=${1:-build/std}
CTID=$PWD/$B/server/ctid/ctid
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
q() { sqlite3 "$T/cdr.db" "$1"; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir "$T/prompts"
sox -n -r 8000 -c 1 -b 16 "$T/prompts/welcome.wav" synth 1 sine 440 2>/dev/null
sox -n -r 8000 -c 1 -b 16 "$T/prompts/music.wav" synth 2 sine 300 2>/dev/null

conf() {	# conf CLOCK
	cat <<CONF
[ctid]
sim = 2 e1 euroisdn
clock = $1
cdr = sqlite:$T/cdr.db
prompts = prompts
ring_timeout = 10
listen = none

[trunk pstn]
span = sim2
role = inbound

[trunk desks]
span = sim3
role = positions

[routes]
800100 = ivr:main
800200 = queue:outage

[ivr main]
hello = play welcome.wav
menu  = digits 1 timeout=5
pick  = branch 1=queue:billing 2=queue:outage default=menu

[queue billing]
skills = billing:1
wrapup = 2
moh = music.wav

[queue outage]
moh = music.wav

[agent 1001]
position = 3001
skills = billing:5

[agent 1002]
position = 3002
skills = billing:2

[agent 1003]
position = 3003
CONF
}

# ---- 1: three callers in virtual time, choice 1 (billing: agents 1001 and 1002 only) ----
conf virtual >"$T/ctid.conf"
"$CTID" --login-all --stats --sim-calls 3 --sim-digits 1 --sim-interval 2000 --sim-talk 5000 "$T/ctid.conf" \
	>"$T/out" 2>"$T/log"
rc=$?
check "virtual run exits 0" test $rc -eq 0
check "stats: billing offered 3 answered 3 service level 100%" \
	grep -q '{"queue":"billing","offered":3,"answered":3,"abandoned":0,"overflowed":0,"timed_out":0,"waiting":0,"service_level":1000}' "$T/out"
check "6 CDR rows (caller and agent leg of 3 calls)" test "$(q 'SELECT count(*) FROM cdr')" = 6
got=$(q "SELECT group_concat(ani || ':' || dnis || ':' || digits || ':' || queue || ':' || agent || ':' || cause, ' ')
	 FROM (SELECT * FROM cdr WHERE leg = 1 ORDER BY call_id)")
want="0301000001:800100:1:billing:1001:16 0301000002:800100:1:billing:1002:16 0301000003:800100:1:billing:1001:16"
check "caller legs: ANI, DNIS, IVR digit, queue, agent (longest idle; 1003 lacks billing), cause" test "$got" = "$want"
got=$(q "SELECT group_concat(ani || ':' || dnis || ':' || agent, ' ') FROM (SELECT * FROM cdr WHERE leg = 2 ORDER BY call_id)")
check "agent legs: caller's ANI presented at the agent's position" \
	test "$got" = "0301000001:3001:1001 0301000002:3002:1002 0301000003:3001:1001"
# Call 3 arrives while both billing agents talk: it waits until 1001's wrap-up (2 s) ends.
got=$(q "SELECT c.start_ms - a.end_ms FROM cdr c, cdr a WHERE c.call_id = '3' AND c.leg = 2 AND a.call_id = '1' AND a.leg = 2")
check "call 3 delivered when 1001's wrap-up ended (2000 ms after its previous call, got $got)" test "$got" -ge 2000 -a "$got" -le 2250
check "talk time of each agent leg is the phone's 5 s" \
	test "$(q 'SELECT count(*) FROM cdr WHERE leg = 2 AND end_ms - answer_ms BETWEEN 5000 AND 5100')" = 3
check "log shows the agent states" grep -q "agent 1001: Talking -> WorkingAfterCall" "$T/log"

# ---- 2: direct route to a queue without skills: agent 1003 (longest idle among all three) ----
rm -f "$T"/cdr.db*
"$CTID" --login-all --sim-calls 1 --sim-dnis 800200 --sim-talk 1000 "$T/ctid.conf" >/dev/null 2>"$T/log"
check "route 800200 -> queue outage -> first agent (1001)" \
	test "$(q "SELECT queue || ':' || agent || ':' || ifnull(digits, '-') FROM cdr WHERE leg = 1")" = "outage:1001:-"

# ---- recording policy: all calls, stereo (caller left, agent right) or split ----
for mode in stereo split; do
	rm -rf "$T"/cdr.db* "$T/rec"; mkdir "$T/rec"
	{ conf virtual; printf '[recording]\npolicy = all\nmode = %s\ndir = %s/rec\n' $mode "$T"; } >"$T/rec.conf"
	"$CTID" --login-all --sim-calls 1 --sim-digits 1 --sim-talk 3000 "$T/rec.conf" >/dev/null 2>"$T/log"
	if [[ $mode == stereo ]]; then
		f=$T/rec/call-1.wav
		check "stereo: CDR rows carry the recording path" test "$(q 'SELECT count(*) FROM cdr WHERE recording = '"'$f'"'')" = 2
		check "stereo: a 2-channel WAV of the 3 s conversation" \
			test "$(soxi -c "$f" 2>/dev/null)" = 2 -a "$(soxi -s "$f" 2>/dev/null)" -ge 24000 -a "$(soxi -s "$f" 2>/dev/null)" -le 24400
	else
		check "split: two mono WAVs (caller, agent)" test "$(soxi -c "$T/rec/call-1-caller.wav" 2>/dev/null)" = 1 -a \
			"$(soxi -c "$T/rec/call-1-agent.wav" 2>/dev/null)" = 1
		check "split: CDR names the caller file" test "$(q 'SELECT recording FROM cdr WHERE leg = 1')" = "$T/rec/call-1-caller.wav"
	fi
done
sed -i 's/^policy = all/policy = none/' "$T/rec.conf"; rm -rf "$T"/cdr.db* "$T/rec"; mkdir "$T/rec"
"$CTID" --login-all --sim-calls 1 --sim-digits 1 --sim-talk 1000 "$T/rec.conf" >/dev/null 2>"$T/log"
check "policy none: nothing recorded" test -z "$(ls "$T/rec")" -a "$(q 'SELECT count(*) FROM cdr WHERE recording IS NULL')" = 2

# ---- 3: real time: SIGHUP reload, SIGTERM during a call ----
rm -f "$T"/cdr.db*
conf real >"$T/ctid.conf"
"$CTID" --login-all --sim-calls 1 --sim-digits 1 --sim-talk 60000 "$T/ctid.conf" >/dev/null 2>"$T/log" &
pid=$!
for _ in $(seq 100); do grep -q "talking" "$T/log" && break; sleep 0.1; done
check "real time: call reaches an agent" grep -q "call 1: agent 1001 talking" "$T/log"
cp "$T/ctid.conf" "$T/good.conf"
sed -i 's/^wrapup = 2/wrapup = soon/' "$T/ctid.conf"
kill -HUP $pid
for _ in $(seq 50); do grep -q "reload of" "$T/log" && break; sleep 0.1; done
check "SIGHUP with a broken file: refused, with file:line" grep -q "$T/ctid.conf:[0-9]*: bad value 'soon' for wrapup" "$T/log"
cp "$T/good.conf" "$T/ctid.conf"
kill -HUP $pid
for _ in $(seq 50); do grep -q "reloaded" "$T/log" && break; sleep 0.1; done
check "SIGHUP with a good file: reloaded" grep -q "reloaded $T/ctid.conf" "$T/log"
check "the call is still up after the reloads" test "$(q 'SELECT count(*) FROM cdr')" = 0
kill -TERM $pid
wait $pid
rc=$?
check "SIGTERM: clean exit 0 (got $rc)" test $rc -eq 0
check "SIGTERM: calls cleared with cause 16" grep -q "shutting down: clearing calls with cause 16" "$T/log"
check "SIGTERM: both legs' CDR rows written, cause 16" \
	test "$(q 'SELECT count(*) FROM cdr WHERE cause = 16 AND end_ms >= answer_ms AND answer_ms IS NOT NULL')" = 2

# ---- bad command lines ----
"$CTID" --sim-calls x "$T/ctid.conf" 2>"$T/err"; rc=$?
check "--sim-calls x: exit 2 naming the value" test $rc -eq 2 -a "$(cat "$T/err")" = "ctid: --sim-calls 'x': expected a number 1-1000000"
"$CTID" 2>"$T/err"; rc=$?
check "no file: exit 2" grep -q "no configuration file" "$T/err"
echo "1..$n"
