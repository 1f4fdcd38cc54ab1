#!/bin/bash
# test_ctid_campaign.sh BUILD_DIR - outbound campaigns in ctid on the emulated board, virtual time.
# The far end of the outbound trunk (--sim-outbound) answers per number as a person, an answering
# machine (5 s greeting), a fax machine (CED), busy, no answer (ringback), SIT, congestion. Checked: each
# contact's result, status and attempts (report CSV and SQLite), retries at the configured delays,
# pacing (never more than max_channels calls at once, calls per second), the time-of-day window,
# the spoken message really heard at the far end (its recording has the TTS WAV's extent and level,
# English and Mandarin), the fax received pixel-exact, bad contact lists refused with file:line and
# nothing imported, progressive mode handing answered persons to the ACD queue one per Ready agent.
set -u
B=${1:-build/std}
CTID=$PWD/$B/server/ctid/ctid
WAVSTAT=$PWD/tests/ctid/wavstat.py
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir "$T/prompts" "$T/rec"
gs -q -dNOPAUSE -dBATCH -sDEVICE=tiffg4 -r204x196 -g1728x600 -sOutputFile="$T/prompts/notice.tif" \
	-c "/Helvetica findfont 60 scalefont setfont 100 300 moveto (Outage notice 42) show showpage"

conf() {	# conf EXTRA-CAMPAIGN-KEYS...
	cat <<CONF
[ctid]
sim = 3 e1 euroisdn
clock = virtual
cdr = sqlite:cdr.db
campaign_db = campaign.db
tts_cache = tts
prompts = prompts
listen = none

[trunk pstn]
span = sim2
role = inbound

[trunk desks]
span = sim3
role = positions

[trunk out]
span = sim6
role = outbound

[routes]
800100 = queue:billing

[queue billing]
wrapup = 2

[agent 1001]
position = 3001

[campaign arrears]
contacts = contacts.csv
trunk = out
message = tts:en:Your balance is overdue. Please call us back.
caller_id = 800100
CONF
	printf '%s\n' "$@"
}

# ---- 1: broadcast, every kind of far end ----
cd "$T"
cat >contacts.csv <<'CSV'
number,name,message,fax
5550001,Person One,,
5550002,Machine Two,,
5550003,Fax Three,,notice.tif
5550004,Busy Four,,
5550005,Nobody Five,,
5550006,Gone Six,,
5550007,"Wang, Li",tts:cmn:您的账户已欠费,
5550008,Jammed Eight,,
CSV
conf "cps = 2" "max_channels = 3" "no_answer = 20" "retry = busy:2:30, no_answer:1:60, congestion:0:1" >ctid.conf
check "ctid --check: the campaign and its list are valid" sh -c '"$0" --check ctid.conf | grep -q "OK: .*, 1 campaign$"' "$CTID"
"$CTID" --campaign arrears --max-time 900 --sim-record rec \
	--sim-outbound 5550001=person,5550002=machine,5550003=fax,5550004=busy/busy/person,5550005=noanswer,5550006=sit,5550007=person,5550008=congestion \
	ctid.conf >out 2>log
rc=$?
check "broadcast run exits 0 when the campaign is finished" test $rc -eq 0
check "log says the campaign finished" grep -q "campaign arrears finished" log
"$CTID" --campaign-report arrears ctid.conf >report.csv 2>report.err
check "ctid --campaign-report exits 0" test $? -eq 0
got=$(python3 -c '
import csv, sys
for r in csv.DictReader(open("report.csv")):
    print(r["number"], r["name"], r["status"], r["result"], r["attempts"], r["fax_pages"], sep="|")')
want="5550001|Person One|done|voice|1|0
5550002|Machine Two|done|machine|1|0
5550003|Fax Three|done|fax|1|1
5550004|Busy Four|done|voice|3|0
5550005|Nobody Five|failed|no_answer|2|0
5550006|Gone Six|failed|sit|1|0
5550007|Wang, Li|done|voice|1|0
5550008|Jammed Eight|failed|congestion|1|0"
check "report: each contact's status, result, attempts, fax pages (person, machine, fax, busy x2 then person, no answer, SIT, congestion)" \
	test "$got" = "$want"
[ "$got" = "$want" ] || { echo "# got:"; echo "$got" | sed 's/^/#   /'; }
check "report header" test "$(head -1 report.csv)" = "number,name,status,result,attempts,last_attempt_ms,cause,fax_pages,queue"
check "11 attempt rows in SQLite" test "$(sqlite3 campaign.db 'SELECT count(*) FROM attempt')" = 11
gaps() {	# gaps NUMBER: start of each retry minus the end of the attempt before it
	sqlite3 campaign.db "SELECT b.start_ms - a.end_ms FROM attempt a JOIN attempt b ON a.contact = b.contact
		AND b.attempt = a.attempt + 1 WHERE a.number = '$1' ORDER BY a.attempt" | tr '\n' ' '
}
in_range() {	# in_range LO HI VALUES...
	local lo=$1 hi=$2 v; shift 2
	[ $# -gt 0 ] || return 1
	for v; do [ "$v" -ge "$lo" ] && [ "$v" -le "$hi" ] || return 1; done
}
g4=$(gaps 5550004)
check "busy retried twice, 30 s after each attempt (${g4}ms)" in_range 30000 30200 $g4
check "busy: two retries" test "$(echo $g4 | wc -w)" = 2
g5=$(gaps 5550005)
check "no answer retried once, 60 s later (${g5}ms)" in_range 60000 60200 $g5
check "attempt results in order for 5550004: busy, busy, voice" \
	test "$(sqlite3 campaign.db "SELECT group_concat(result, ',') FROM (SELECT result FROM attempt WHERE number = '5550004' ORDER BY attempt)")" = "busy,busy,voice"
maxup=$(awk '$2 == "offered" { sub("up=", "", $6); if ($6 > m) m = $6 } END { print m + 0 }' rec/far.log)
check "pacing: at most max_channels = 3 calls at once at the far end, and 3 reached (max $maxup)" test "$maxup" = 3
mingap=$(awk '$2 == "offered" { if (p != "" && (m == "" || $1 - p < m)) m = $1 - p; p = $1 } END { print m }' rec/far.log)
check "pacing: cps = 2, offers at least 500 ms apart (closest $mingap ms)" test "$mingap" -ge 500
ntts=$(ls tts/*.wav | wc -l)
check "two TTS files in the cache (en message, cmn contact)" test "$ntts" = 2
en=$(ls tts/en-*.wav) cmn=$(ls tts/cmn-*.wav)
# heard: the far end's recording has the message's extent (within 0.2 s) and level (within 3 dB)
same_speech() {	# same_speech RECORDING TTS
	[ -f "$1" ] || return 1
	read -r _ _ _ _ rs _ rl < <(python3 "$WAVSTAT" "$1")
	read -r _ _ _ _ ts _ tl < <(python3 "$WAVSTAT" "$2")
	python3 -c "import sys; sys.exit(not (abs($rs - $ts) <= 0.2 and abs($rl - $tl) <= 3 and $ts > 1.0))"
}
check "person heard the English message" same_speech rec/5550001-1.wav "$en"
check "machine recorded the message after its greeting" same_speech rec/5550002-1.wav "$en"
check "busy number, third attempt (a person): heard the message" same_speech rec/5550004-3.wav "$en"
check "Mandarin contact heard its own cmn message" same_speech rec/5550007-1.wav "$cmn"
check "no recording where nobody answered (busy, no answer, SIT, congestion)" \
	test ! -e rec/5550004-1.wav -a ! -e rec/5550005-1.wav -a ! -e rec/5550006-1.wav -a ! -e rec/5550008-1.wav
check "fax received pixel-exact (tiffcmp)" sh -c "tiffcmp prompts/notice.tif rec/5550003-1.tif >/dev/null 2>&1"
check "fax: 1 page in the attempt row" \
	test "$(sqlite3 campaign.db "SELECT fax_pages || ':' || result FROM attempt WHERE number = '5550003'")" = "1:fax"
check "contact rows keep the CSV's lines" \
	test "$(sqlite3 campaign.db "SELECT group_concat(line, ',') FROM (SELECT line FROM contact ORDER BY id)")" = "2,3,4,5,6,7,8,9"
# started again: nothing is dialled twice (the database is the truth)
"$CTID" --campaign arrears --max-time 60 --sim-outbound 5550001=person ctid.conf >out2 2>log2
check "second start: finished at once, no call placed" \
	sh -c '! grep -q "calling" log2 && grep -q "campaign arrears finished" log2'

# real speech at the far end (espeak-ng): "Hello?" is a person, a 6.5 s greeting a machine
rm -f campaign.db* rec/*
printf 'number\n5559001\n5559002\n5559003\n' >contacts.csv
"$CTID" --campaign arrears --max-time 300 --sim-record rec \
	--sim-outbound 5559001=speaker,5559002=voicemail,5559003=announcement ctid.conf >out 2>log
check "spoken far ends: \"Hello?\" -> voice, a voicemail greeting -> machine, an announcement before answer -> sit" \
	test "$(sqlite3 campaign.db "SELECT group_concat(number || ':' || result || ':' || status, ' ') FROM (SELECT * FROM contact ORDER BY id)")" \
	= "5559001:voice:done 5559002:machine:done 5559003:sit:failed"
check "spoken person heard the message" same_speech rec/5559001-1.wav "$en"
check "spoken voicemail recorded the message after its greeting" same_speech rec/5559002-1.wav "$en"

# command-line mistakes are named
"$CTID" --campaign-report nope ctid.conf >out 2>err; rc=$?
check "report of an unknown campaign: exit 1, named" sh -c "test $rc -eq 1 && grep -q 'no .campaign nope. in' err"
"$CTID" --campaign nope --max-time 5 ctid.conf >out 2>err; rc=$?
check "--campaign of an unknown campaign: exit 1, named" sh -c "test $rc -eq 1 && grep -q 'campaign nope: no .campaign nope.' err"
"$CTID" --campaign arrears --max-time 5 --sim-outbound 5550001=robot ctid.conf >out 2>err; rc=$?
check "--sim-outbound with a bad kind: exit 1, kind named" sh -c "test $rc -eq 1 && grep -q \"bad kind 'robot'\" err"

# ---- 2: time-of-day window (virtual time 0 = 00:00): 00:01-00:02 ----
rm -f campaign.db* rec/*
cat >contacts.csv <<'CSV'
number
5550011
5550012
#315550013
CSV
conf "window = 00:01-00:02" "retry = busy:5:30" >ctid.conf
"$CTID" --campaign arrears --max-time 300 --sim-record rec --sim-outbound 5550011=person,5550012=busy ctid.conf \
	>out 2>log
first=$(awk '$2 == "offered" { print $1; exit }' rec/far.log)
last=$(awk '$2 == "offered" { l = $1 } END { print l }' rec/far.log)
check "window: first call at 00:01 or later ($first ms)" test "${first:-0}" -ge 60000
check "window: no call at 00:02 or later (last $last ms)" test "${last:-999999}" -lt 120000
check "window: busy number tried twice inside the window, still pending after it" \
	test "$(sqlite3 campaign.db "SELECT status || ':' || attempts FROM contact WHERE number = '5550012'")" = "pending:2"
check "window: the person was reached" \
	test "$(sqlite3 campaign.db "SELECT status || ':' || result FROM contact WHERE number = '5550011'")" = "done:voice"
check "a number starting with # is a contact, not a comment" \
	test "$(sqlite3 campaign.db "SELECT status || ':' || result FROM contact WHERE number = '#315550013'")" = "done:voice"

# ---- 3: bad contact lists: every bad row named with file:line, nothing imported ----
rm -f campaign.db* rec/*
cat >contacts.csv <<'CSV'
number,name,message
5550021,Good,
555-0022,Dash,
5550023,Too,many,fields
5550021,Again,
5550025,"Open,
5550026,Voice,tts:zz:hello
CSV
conf >ctid.conf
"$CTID" --check ctid.conf >out 2>err
rc=$?
check "ctid --check: bad contact list exits 1" test $rc -eq 1
check "bad number named with its line" grep -q "contacts.csv:3: bad number '555-0022'" err
check "wrong field count named with its line" grep -q "contacts.csv:4: 4 fields, the header has 3" err
check "duplicate number names the first line" grep -q "contacts.csv:5: number 5550021 is already on line 2" err
check "unterminated quote named with its line" grep -q "contacts.csv:6: unterminated quote" err
check "unknown TTS voice named with its line" grep -q "contacts.csv:7: espeak-ng has no voice 'zz'" err
"$CTID" --campaign arrears --max-time 60 --sim-outbound 5550021=person ctid.conf >out 2>log
check "ctid refuses to start with the bad list" test $? -eq 1
check "nothing imported" test "$(sqlite3 campaign.db 'SELECT count(*) FROM contact' 2>/dev/null || echo 0)" = 0
printf 'name,phone\nA,5550031\n' >contacts.csv
"$CTID" --check ctid.conf >out 2>err
check "unknown column and missing number column are errors" \
	sh -c 'grep -q "contacts.csv:1: unknown column '"'phone'"'" err && grep -q "contacts.csv:1: the header has no '"'number'"' column" err'

# ---- 4: progressive: one Ready agent, dial only when the agent is free ----
rm -f campaign.db* cdr.db* rec/*
cat >contacts.csv <<'CSV'
number,name
5551001,Ann
5551002,Bob
5551003,Cy
CSV
conf "mode = progressive" "queue = billing" "max_channels = 3" "cps = 10" >ctid.conf
"$CTID" --login-all --campaign arrears --max-time 600 --sim-record rec --sim-outbound 5551003=machine ctid.conf \
	>out 2>log
check "progressive run exits 0" test $? -eq 0
check "progressive: persons handed to the queue, the machine got the message" \
	test "$(sqlite3 campaign.db "SELECT group_concat(number || ':' || result || ':' || coalesce(queue, '-'), ' ') FROM (SELECT * FROM contact ORDER BY id)")" \
	= "5551001:voice:billing 5551002:voice:billing 5551003:machine:-"
check "progressive: CDR caller legs are outbound, to agent 1001, userData campaign:arrears" \
	test "$(sqlite3 cdr.db "SELECT group_concat(direction || ':' || ani || ':' || agent || ':' || digits, ' ') FROM (SELECT * FROM cdr WHERE leg = 1 ORDER BY call_id)")" \
	= "out:5551001:1001:campaign:arrears out:5551002:1001:campaign:arrears"
# never more calls than Ready agents: each dial starts after the agent's previous call and wrap-up ended
overlap=$(sqlite3 campaign.db "SELECT count(*) FROM attempt a JOIN attempt b ON b.id > a.id WHERE b.start_ms < a.end_ms")
check "progressive: one agent, never two campaign calls at once" test "$overlap" = 0
free_at=$(sqlite3 cdr.db "SELECT end_ms FROM cdr WHERE leg = 2 AND ani = '5551001'")
second=$(sqlite3 campaign.db "SELECT start_ms FROM attempt WHERE number = '5551002'")
check "progressive: second contact dialled after agent 1001's first call ($second >= $free_at + wrap-up 2 s)" \
	test "$second" -ge $((free_at + 2000))
echo "1..$n"
