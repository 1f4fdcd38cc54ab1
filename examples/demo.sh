#!/bin/bash
# demo.sh BUILD_DIR - `make demo`: a fax-on-demand help desk run by ctid on the emulated board, checked
# independently, with a one-page HTML report.
#
# ctid (examples/ctid-demo/ctid.conf) answers six callers on an E1 PRI trunk in real time with an IVR
# menu: caller 1 presses 1 and its fax machine receives the 3-page product sheet; callers 2-6 press 2
# and queue for the agents Bob, Carol and Alice, who log in over the WebSocket interface
# (examples/ctid-demo/agents.py) in that order, so longest-idle routing gives bob, carol, alice, bob,
# carol; callers 5 and 6 wait. Conversations are recorded in stereo; the supervisor watches every
# event and the queue statistics. Then the outbound reminder calls (call progress analysis: one person
# answers, one line is busy) run with the libcti demo program (examples/demo --reminders).
#
# Makes demo-output/<UTC timestamp>/ (demo-output/latest points to it) with
#   report.html          one page: calls, waits, agents, queue, recordings, fax pages, checks
#   cdr.db               ctid's CDR database (SQLite, one row per call leg)
#   recordings/call-N.wav  stereo recordings (caller left, agent right)
#   supervisor.wav       what the supervisor's headset heard listening in (once ctid has MonitorStart)
#   fax-sent.tif         the document (examples/fax-doc.ps by ghostscript); fax-received.tif/.pdf and
#   fax-page-N.png       what caller 1's fax machine received, and its pages as images
#   dchan.pcap           D-channel capture of ctid's 4 spans (Wireshark: LAPD/Q.931); dchan-reminders.pcap
#   events.jsonl         every WebSocket message the agents and the supervisor received
#   desktop.png, wallboard.png, wallboard-end.png  the agent desktop and the wallboard (headless Chromium,
#                        when the tree has ctid's web pages and make deps installed the browser driver)
#   ctid.log, ctid.conf, prompts/, reminders.txt, checks.txt, console.txt
# Exits non-zero on any failed check.
set -uo pipefail
stamp=
B=${1:-build/std}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
if [[ -n ${DEMO_OUT:-} ]]; then	# tests: a folder of their own
	out=$DEMO_OUT
else
	stamp=$(date -u +%Y%m%d-%H%M%S)
	out=demo-output/$stamp
fi
mkdir -p "$out" || exit 1
out=$(cd "$out" && pwd)
[[ -n ${DEMO_OUT:-} ]] || ln -sfn "$stamp" demo-output/latest
exec > >(tee "$out/console.txt") 2>&1

CTID=$top/$B/server/ctid/ctid
PY=/usr/bin/python3
nfail=0
: >"$out/checks.txt"
pass() { printf '  [ ok ] %s\n' "$*"; printf 'ok\t%s\n' "$*" >>"$out/checks.txt"; }
fail() { printf '  [FAIL] %s\n' "$*"; printf 'FAIL\t%s\n' "$*" >>"$out/checks.txt"; nfail=$((nfail + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
die() { echo "demo: FAILED: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || die "$1 is not installed (make deps installs it)"; }
for t in sox soxi gs tiff2pdf tiffinfo sqlite3; do need $t; done
[[ -x $PY ]] && $PY -c 'import websockets' 2>/dev/null || die "python3-websockets is not installed (make deps installs it)"
[[ -x $CTID ]] || die "$CTID not built"
[[ -x $B/examples/demo ]] || die "$B/examples/demo not built"
q() { sqlite3 "$out/cdr.db" "$1"; }

echo "== Preparing prompts and the fax document in $out"
examples/demo-prompts.sh "$out" || die "could not make the prompts and the fax document"
pages_sent=$(tiffinfo "$out/fax-sent.tif" 2>/dev/null | grep -c 'TIFF Directory')
echo "   $(ls "$out/prompts" | wc -l) prompts$(command -v espeak-ng >/dev/null && echo ' (espeak-ng)'), fax document of $pages_sent pages"
cp examples/ctid-demo/ctid.conf "$out/ctid.conf" && mkdir -p "$out/recordings" || die "cannot write $out"
# The agent desktop and the wallboard in headless Chromium, with the browser test's driver (tests/web),
# when this tree has ctid's web pages and `make deps` installed the driver.
screens=
if [[ -f server/ctid/web/agent.html && -f tests/web/node_modules/playwright-core/package.json ]] &&
	command -v node >/dev/null && [[ -x /usr/bin/chromium ]]; then
	screens=1
	sed -i "/^\[ctid\]/a web_root = $top/server/ctid/web" "$out/ctid.conf"
else
	echo "   (no screenshots: ctid's web pages or the browser driver (make deps: tests/web/node_modules) missing)"
fi
"$CTID" --check "$out/ctid.conf" || die "ctid --check refused examples/ctid-demo/ctid.conf"

echo "== ctid on the emulated board (real time); agents log in over the WebSocket"
start=$(date +%s)
DIGITS=1,2,2,2,2,2
(cd "$out" && exec "$CTID" --stats --max-time 240 --trace dchan.pcap \
	--sim-calls 6 --sim-digits $DIGITS --sim-fax-digits 1 --sim-start 5000 --sim-interval 2000 --sim-talk 8000 \
	--sim-caller-voice prompts/caller-voice.wav --sim-agent-voice prompts/agent-voice.wav --sim-listener 299 \
	ctid.conf >ctid-stats.json 2>ctid.log) &
ctid_pid=$!
port=
for _ in $(seq 100); do
	port=$(sed -nE 's/.*WebSocket interface on port ([0-9]+).*/\1/p' "$out/ctid.log" 2>/dev/null)
	[[ -n $port ]] && break
	kill -0 $ctid_pid 2>/dev/null || break
	sleep 0.1
done
if [[ -z $port ]]; then
	kill $ctid_pid 2>/dev/null; wait $ctid_pid
	tail -20 "$out/ctid.log"
	die "ctid did not start its WebSocket interface"
fi
echo "   ctid pid $ctid_pid, ws://127.0.0.1:$port"
$PY examples/ctid-demo/agents.py --url "ws://127.0.0.1:$port" --events "$out/events.jsonl" \
	--agent bob-demo-token-201 --agent carol-demo-token-202 --agent alice-demo-token-203 \
	--supervisor sam-demo-supervisor-token --monitor listen --timeout 260 &
agents_pid=$!
screens_pid=
if [[ -n $screens ]]; then
	node examples/ctid-demo/screens.js "http://127.0.0.1:$port" "$out" alice-demo-token-203 203 \
		sam-demo-supervisor-token helpdesk >"$out/screens.log" 2>&1 &
	screens_pid=$!
fi
echo "   callers from 5 s after the trunks are up; the fax takes about 45 s"
wait $ctid_pid; ctid_rc=$?
wait $agents_pid; agents_rc=$?
screens_rc=0
[[ -z $screens_pid ]] || { wait $screens_pid; screens_rc=$?; sed 's/^/   /' "$out/screens.log"; }
echo "   ($(( $(date +%s) - start )) s)"
grep -E 'offered from|delivered to|talking|receives a fax|error|failed|cannot' "$out/ctid.log" | sed 's/^/   /'

echo "== Outbound reminders (libcti demo program, virtual time; not yet a ctid campaign)"
"$B/examples/demo" --reminders "$out" >"$out/reminders.txt" 2>&1; rem_rc=$?
sed -n '/== Checks/,$p' "$out/reminders.txt" | sed 's/^/ /'

echo
echo "== Checking the artifacts"
check "ctid ran the 6 callers and exited 0 (exit $ctid_rc)" test $ctid_rc -eq 0
check "agents and supervisor logged in over the WebSocket and were served until ctid stopped (exit $agents_rc)" \
	test $agents_rc -eq 0
check "queue helpdesk at exit: 5 offered, 5 answered, none abandoned ($(tr -d '\n' <"$out/ctid-stats.json"))" \
	grep -q '"queue":"helpdesk","offered":5,"answered":5,"abandoned":0' "$out/ctid-stats.json"

# CDRs: one row per leg.
if [[ -s $out/cdr.db ]]; then
	rows=$(q 'SELECT count(*) FROM cdr')
	check "cdr.db: 11 rows: 6 caller legs, 5 agent legs (got $rows)" \
		test "$rows" = 11 -a "$(q 'SELECT count(*) FROM cdr WHERE leg = 1')" = 6
	got=$(q "SELECT group_concat(ani || ':' || digits || ':' || ifnull(queue, '-') || ':' || ifnull(agent, '-') || ':' || cause || ':' || fax_pages, ' ')
		 FROM (SELECT * FROM cdr WHERE leg = 1 ORDER BY CAST(call_id AS INTEGER))")
	want="0301000001:1:-:-:16:$pages_sent 0301000002:2:helpdesk:201:16:0 0301000003:2:helpdesk:202:16:0 0301000004:2:helpdesk:203:16:0 0301000005:2:helpdesk:201:16:0 0301000006:2:helpdesk:202:16:0"
	check "caller legs (ANI:digits:queue:agent:cause:fax pages): fax for caller 1, longest-idle bob, carol, alice, bob, carol" \
		test "$got" = "$want"
	[[ $got == "$want" ]] || echo "         got  $got"$'\n'"         want $want"
	got=$(q "SELECT group_concat(ani || '>' || dnis, ' ') FROM (SELECT * FROM cdr WHERE leg = 2 ORDER BY CAST(call_id AS INTEGER))")
	check "agent legs: the caller's number presented at the agent's position ($got)" \
		test "$got" = "0301000002>201 0301000003>202 0301000004>203 0301000005>201 0301000006>202"
	# Callers 5 and 6 waited: Bob's phone rang again when his 2 s of wrap-up after call 2 ended.
	gap=$(q "SELECT b.start_ms - a.end_ms FROM cdr a, cdr b WHERE a.call_id = '2' AND a.leg = 2 AND b.call_id = '5' AND b.leg = 2")
	check "caller 5 waited in the queue until Bob's wrap-up ended (delivered ${gap} ms after his call 2, want 2000-3500)" \
		test -n "$gap" -a "${gap:-0}" -ge 2000 -a "${gap:-0}" -le 3500
	check "every conversation lasted the phone's 8 s talk" \
		test "$(q 'SELECT count(*) FROM cdr WHERE leg = 2 AND end_ms - answer_ms BETWEEN 7900 AND 9000')" = 5
else
	fail "no cdr.db"
fi

# WebSocket events: each agent saw its own calls pop with the screen-pop fields; the supervisor saw all.
ev=$($PY - "$out/events.jsonl" "$out/cdr.db" <<'PY'
import json, sqlite3, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
db = sqlite3.connect(sys.argv[2])
cdr = {(a, c): ani for a, c, ani in db.execute("SELECT agent, call_id, ani FROM cdr WHERE leg = 2")}
for who in ("201", "202", "203", "super"):
    seen = {}
    for e in ev:
        m = e["msg"]
        if e["who"] == who and m.get("event") in ("DeliveredEvent", "EstablishedEvent", "ConnectionClearedEvent"):
            seen.setdefault((m["agent"], m["callID"], m["callingDevice"], m.get("userData")), []).append(m["event"])
    want = {(a, c, ani, "2") for (a, c), ani in cdr.items() if who in (a, "super")}
    full = all(v == ["DeliveredEvent", "EstablishedEvent", "ConnectionClearedEvent"] for v in seen.values())
    print(who, "ok" if set(seen) == want and full and want else "bad", len(want))
stats = [e["msg"] for e in ev if e["who"] == "super" and e["msg"].get("event") == "QueueStatsEvent"]
print("stats", len(stats), stats[-1]["offered"] if stats else -1, stats[-1]["answered"] if stats else -1)
PY
)
for a in 201 202 203; do
	n=$(awk -v a=$a '$1 == a {print $3}' <<<"$ev")
	check "agent $a's desktop: Delivered, Established, ConnectionCleared for each of its $n calls, ANI and IVR digits as in the CDR" \
		grep -qx "$a ok [1-9]" <<<"$ev"
done
check "supervisor saw every agent's call events (5 calls)" grep -qx "super ok 5" <<<"$ev"
check "supervisor's wallboard feed: QueueStatsEvents, the last one 5 offered, 5 answered ($(grep stats <<<"$ev"))" \
	grep -qE '^stats [1-9][0-9]* 5 5$' <<<"$ev"

# Supervisor: asked to listen in on the first answered call (MonitorStart); ctid called the supervisor's
# headset (position 299), which recorded what it heard.
mon=$($PY - "$out/events.jsonl" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    m = json.loads(l)["msg"]
    if m.get("invokeID") == "monitor":
        print(m.get("error") or "accepted")
        break
else:
    print("none")
PY
)
if [[ $mon == serviceNotSupported ]]; then
	echo "  [ -- ] supervisor listen-in: this ctid answers MonitorStart serviceNotSupported (not built in yet)"
else
	check "supervisor's MonitorStart (listen) on the first answered call accepted ($mon)" test "$mon" = accepted
	h=$out/heard-299-1.wav
	if [[ -s $h ]]; then
		mv "$h" "$out/supervisor.wav"
		lv=$(sox "$out/supervisor.wav" -n stats 2>&1 | awk '/RMS lev dB/ {print $4}'); dur=$(soxi -D "$out/supervisor.wav")
		check "supervisor.wav: what the supervisor's headset heard, $dur s at $lv dB (want >= 2 s, > -50 dB)" \
			awk -v l="$lv" -v d="$dur" 'BEGIN { exit !(l > -50 && d >= 2) }'
	else
		fail "the supervisor's headset (position 299) recorded nothing (no heard-299-1.wav)"
	fi
fi

# Screens: what the desktop and the wallboard showed, and the screenshots.
if [[ -n $screens ]]; then
	check "desktop and wallboard opened in headless Chromium and showed the expected states in time (exit $screens_rc)" \
		test $screens_rc -eq 0
	shots=$(for p in desktop wallboard wallboard-end; do $PY -c 'import struct,sys
d = open(sys.argv[1], "rb").read(24)
w, h = struct.unpack(">II", d[16:24]) if d[:8] == b"\x89PNG\r\n\x1a\n" else (0, 0)
print(sys.argv[2] if w >= 800 and h >= 600 else "")' "$out/$p.png" "$p" 2>/dev/null; done | tr '\n' ' ')
	check "screenshots desktop.png, wallboard.png, wallboard-end.png (PNG, at least 800x600): $shots" \
		test "$shots" = "desktop wallboard wallboard-end "
	sc=$($PY - "$out/screens.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
d, w, e = s.get("desktop", {}), s.get("wallboard", {}), s.get("wallboardEnd", {})
print("desk", d.get("agent-id"), d.get("agent-state"), d.get("pop-ani"), d.get("pop-digits"), d.get("pop-queue"))
print("wall", ",".join(f"{a}={st}" for a, st in sorted(w.get("agents", {}).items())))
print("end", " ".join(e.get("queue", [])))
PY
)
	check "Alice's desktop popped her call: $(grep ^desk <<<"$sc") (want 203 Talking 0301000004 2 helpdesk)" \
		grep -qx "desk 203 Talking 0301000004 2 helpdesk" <<<"$sc"
	check "wallboard at that moment: the three agents Talking ($(grep ^wall <<<"$sc"))" \
		grep -qE '^wall .*201=Talking,202=Talking,203=Talking' <<<"$sc"
	check "wallboard at the end: helpdesk row with 5 offered and 5 answered ($(grep ^end <<<"$sc"))" \
		grep -qE '^end helpdesk .*\b5\b.*\b5\b' <<<"$sc"
fi

# Received fax: every page pixel-identical to the page sent; PDF and page images.
fax=$out/fax-0301000001.tif
if [[ -s $fax ]]; then
	mv "$fax" "$out/fax-received.tif"
	pages_rx=$(tiffinfo "$out/fax-received.tif" 2>/dev/null | grep -c 'TIFF Directory')
	check "received fax has $pages_rx pages (sent $pages_sent)" test "$pages_rx" -eq "$pages_sent"
	# Compare decoded image data, page by page. Not tiffcmp: spandsp writes other tags
	# (FillOrder, DateTime, ...) and at the first differing tag tiffcmp skips the pixels.
	pixels() { tiffinfo -d "$1" 2>/dev/null | grep '^ [0-9a-f][0-9a-f] ' | tr -d ' \n' | md5sum; }
	inked=$(tiffinfo -d "$out/fax-sent.tif" 2>/dev/null | grep '^ [0-9a-f][0-9a-f] ' | grep -cv '^[ 0]*$')
	check "received pages pixel-identical to the sent pages (document not blank)" \
		test "$inked" -gt 0 -a "$(pixels "$out/fax-sent.tif")" = "$(pixels "$out/fax-received.tif")"
	if tiff2pdf -o "$out/fax-received.pdf" "$out/fax-received.tif" 2>/dev/null; then
		pdfpages=$(grep -aoE '/Type */Page([^s]|$)' "$out/fax-received.pdf" | wc -l)
		check "fax-received.pdf written by tiff2pdf ($pdfpages pages)" test "$pdfpages" -eq "$pages_sent"
		rm -f "$out"/fax-page-*.png
		gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pnggray -r100 -sOutputFile="$out/fax-page-%d.png" \
			"$out/fax-received.pdf" 2>/dev/null
		dims=$(for p in "$out"/fax-page-*.png; do [[ -e $p ]] && $PY -c 'import struct,sys
d = open(sys.argv[1], "rb").read(24)
print("%dx%d" % struct.unpack(">II", d[16:24]) if d[:8] == b"\x89PNG\r\n\x1a\n" else "bad")' "$p"; done | sort -u | tr '\n' ' ')
		npng=$(ls "$out"/fax-page-*.png 2>/dev/null | wc -l)
		check "fax pages as images: $npng PNG files ($dims), one per page (8.47 x 11.69 in at 100 dpi)" \
			test "$npng" -eq "$pages_sent" -a "$dims" = "847x1169 "
	else
		fail "tiff2pdf could not convert fax-received.tif"
	fi
else
	fail "caller 1's fax machine received nothing (no fax-0301000001.tif)"
fi

# Recordings: two-leg stereo, both legs audible and different, as long as the conversation.
level() { sox "$1" -n remix "$2" stats 2>&1 | awk '/RMS lev dB/ {print $4}'; }
recs=("$out"/recordings/call-*.wav)
[[ -e ${recs[0]} ]] || recs=()
check "5 conversations recorded (${#recs[@]} files in recordings/)" test ${#recs[@]} -eq 5
for r in "${recs[@]}"; do
	n=recordings/$(basename "$r")
	ch=$(soxi -c "$r" 2>/dev/null); rate=$(soxi -r "$r" 2>/dev/null); dur=$(soxi -D "$r" 2>/dev/null)
	left=$(level "$r" 1); right=$(level "$r" 2)
	diff=$(level "$r" 1,2v-1)	# left minus right: two different legs, not one mix twice
	inrow=$(q "SELECT count(*) FROM cdr WHERE recording = '$n'")
	if [[ $ch == 2 && $rate == 8000 && $inrow == 2 ]] && awk -v d="$dur" -v l="$left" -v r="$right" -v x="$diff" \
		'BEGIN { exit !(d >= 7.5 && l > -50 && r > -50 && x > -40) }'; then
		pass "$n: stereo, $dur s, caller leg $left dB, agent leg $right dB, legs differ ($diff dB), in both CDR rows"
	else
		fail "$n: channels $ch, rate $rate, $dur s, levels $left / $right dB, L-R $diff dB, CDR rows $inrow" \
			"(want stereo 8 kHz, >= 7.5 s, both legs > -50 dB and different, 2 CDR rows)"
	fi
done

# D-channel capture decoded by an independent dissector.
pcap_check() {	# FILE SETUPS CONNECTS WHAT
	if [[ ! -s $1 ]]; then fail "no $(basename "$1")"; return; fi
	if ! command -v tshark >/dev/null; then pass "$(basename "$1") written (tshark not installed to decode it)"; return; fi
	local setups connects bad frames
	setups=$(tshark -r "$1" -Y 'q931.message_type == 0x05' 2>/dev/null | wc -l)
	connects=$(tshark -r "$1" -Y 'q931.message_type == 0x07' 2>/dev/null | wc -l)
	bad=$(tshark -r "$1" -Y '_ws.malformed || _ws.expert.severity == error' 2>/dev/null | wc -l)
	frames=$(tshark -r "$1" 2>/dev/null | wc -l)
	# Each frame is captured on both ends of a cabled trunk.
	check "$(basename "$1"): $frames frames, $setups Q.931 SETUP, $connects CONNECT (want $2, $3: $4), none malformed (tshark)" \
		test "$setups" -eq "$2" -a "$connects" -eq "$3" -a "$bad" -eq 0
}
if [[ $mon == accepted ]]; then
	pcap_check "$out/dchan.pcap" 24 24 "6 callers + 5 agent legs + the supervisor's headset, seen on both ends"
else
	pcap_check "$out/dchan.pcap" 22 22 "6 callers + 5 agent legs, seen on both ends"
fi
pcap_check "$out/dchan-reminders.pcap" 4 2 "2 reminder calls, 1 answered"
check "reminders: CPA found a person (reminder played) and a busy line (examples/demo --reminders, exit $rem_rc)" \
	test $rem_rc -eq 0 -a "$(grep -c '\[ ok \] reminder' "$out/reminders.txt")" -eq 2

echo
echo "== Report"
report() {
	$PY examples/ctid-demo/report.py --dir "$out" --cdr cdr.db --conf ctid.conf --events events.jsonl \
	--checks checks.txt --fax-pages 'fax-page-*.png' --screenshot desktop.png --screenshot wallboard.png \
	--screenshot wallboard-end.png --audio supervisor.wav --title "CTI demo: help desk through ctid ${stamp:-}" \
	--file fax-received.pdf --file fax-received.tif --file fax-sent.tif --file dchan.pcap \
	--file dchan-reminders.pcap --file cdr.db --file ctid.log --file ctid.conf --file events.jsonl \
	--file reminders.txt --file console.txt
}
report || fail "report.py failed"
# Every link and image of the report resolves to a file in the folder (an independent parser).
links=$($PY - "$out/report.html" <<'PY'
import html.parser, os, sys, urllib.parse
class P(html.parser.HTMLParser):
    refs = []
    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "src"):
                self.refs.append(v)
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
d = os.path.dirname(os.path.abspath(sys.argv[1]))
bad = [r for r in p.refs if "://" in r or r.startswith("/") or not os.path.isfile(os.path.join(d, urllib.parse.unquote(r)))]
imgs = sum(1 for r in p.refs if r.startswith("fax-page-"))
print(len(p.refs), len(bad), imgs, " ".join(bad[:5]))
PY
)
read -r nlinks nbad nimg badlist <<<"$links"
check "report.html: $nlinks links and images, all relative and resolving to files in the folder${badlist:+ (bad: $badlist)}" \
	test "${nlinks:-0}" -ge 20 -a "${nbad:-1}" -eq 0
check "report.html shows the $pages_sent fax pages as images and one row per call (6)" \
	test "${nimg:-0}" -eq $((2 * pages_sent)) -a "$(grep -c '<tr class="call">' "$out/report.html")" -eq 6

# Once more, so the report lists these last checks too (same files, same links).
report >/dev/null || fail "report.py failed the second time"

echo
if [[ $nfail -eq 0 ]]; then
	echo "demo: OK - $(grep -c '^ok' "$out/checks.txt") checks; report: $out/report.html${stamp:+ (also demo-output/latest)}"
else
	echo "demo: FAILED ($nfail check(s)) - artifacts in $out" >&2
	exit 1
fi
