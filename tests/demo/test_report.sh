#!/bin/bash
# test_report.sh [BUILD_DIR] - TAP: examples/ctid-demo/report.py on a fixture CDR database with
# hostile values: one row per call, waits and talk times, agents' names, every value HTML-escaped,
# links only to files inside the folder (URL-quoted), fax pages, checks, clear errors on bad input.
set -u
cd "$(dirname "$0")/../.." || exit 1
PY=/usr/bin/python3
REPORT=$PWD/examples/ctid-demo/report.py
n=0; failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
T=$(mktemp -d)
[[ -n ${KEEP_TMP:-} ]] || trap 'rm -rf "$T"' EXIT
D=$T/out
mkdir -p "$D/recordings"
: >"$D/recordings/call-1.wav"
: >"$D/recordings/a b&c.wav"
: >"$T/outside.wav"
printf '\x89PNG\r\n\x1a\n' >"$D/fax-page-1.png"
printf '\x89PNG\r\n\x1a\n' >"$D/fax-page-2.png"
: >"$D/dchan.pcap"
: >"$D/heard.wav"

# The table as ctid creates it (server/ctid/cdr.c, docs/ctid.md), rows as a run would leave them.
sqlite3 "$D/cdr.db" <<'SQL'
CREATE TABLE cdr (id INTEGER PRIMARY KEY, call_id TEXT NOT NULL, leg INTEGER NOT NULL, direction TEXT NOT NULL,
  start_ms INTEGER, answer_ms INTEGER, end_ms INTEGER, ani TEXT, dnis TEXT, digits TEXT, queue TEXT, agent TEXT,
  cause INTEGER, recording TEXT, fax_pages INTEGER NOT NULL DEFAULT 0);
-- call 1: fax on demand, no agent
INSERT INTO cdr VALUES (1, '1', 1, 'in', 100000, 100010, 145000, '0301000001', '8000', '1', NULL, NULL, 16, NULL, 3);
-- call 2: hostile ANI and digits, answered by agent 201 after 3 s, 8 s of talk
INSERT INTO cdr VALUES (2, '2', 2, 'out', 102500, 103010, 111010, '<script>alert("x")</script>', '201', NULL, 'help', '201', 16, 'recordings/call-1.wav', 0);
INSERT INTO cdr VALUES (3, '2', 1, 'in', 100000, 100010, 111020, '<script>alert("x")</script>', '8000&amp;', '"''><img src=x onerror=alert(1)>', 'help', '201', 16, 'recordings/call-1.wav', 0);
-- call 3: recording outside the folder (relative and absolute), a ring-no-answer leg then agent 202
INSERT INTO cdr VALUES (4, '3', 2, 'out', 104000, NULL, 119000, '0301000003', '201', NULL, 'help', '201', 16, NULL, 0);
INSERT INTO cdr VALUES (5, '3', 2, 'out', 119000, 120000, 130000, '0301000003', '202', NULL, 'help', '202', 16, '../outside.wav', 0);
INSERT INTO cdr VALUES (6, '3', 1, 'in', 103000, 103010, 130010, '0301000003', '8000', '2', 'help', '202', 16, '/etc/passwd', 0);
-- call 4: a name needing URL quoting; call 5: a scheme and a missing file; abandoned (cause 17)
INSERT INTO cdr VALUES (7, '4', 1, 'in', 105000, 105010, 115000, '0301000004', '8000', '2', 'help', '203', 16, 'recordings/a b&c.wav', 0);
INSERT INTO cdr VALUES (8, '10', 1, 'in', 106000, 106010, 107000, '0301000005', '8000', '2', 'help<i>', NULL, 17, 'javascript:alert(1)', 0);
SQL
cat >"$D/ctid.conf" <<'CONF'
[agent 201]
name = Eve <b>"&'        # a comment
position = 201
[agent 202]
name = Bob
[queue help]
name = not an agent
CONF
printf 'ok\tfirst <check>\nok\tsecond\nFAIL\tthird & last\n' >"$D/checks.txt"
cat >"$D/events.jsonl" <<'EV'
{"t": 1.0, "who": "201", "msg": {"event": "AgentStateEvent", "agent": "201", "agentState": "Ready"}}
{"t": 2.0, "who": "super", "msg": {"event": "QueueStatsEvent", "queue": "help<i>", "offered": 4, "answered": 3, "abandoned": 1, "waiting": 0, "longestWaitMs": 2500, "serviceLevelPermille": 750}}
{"t": 3.0, "who": "201", "msg": {"event": "AgentStateEvent", "agent": "201", "agentState": "WorkingAfterCall"}}
EV

$PY "$REPORT" --dir "$D" --conf ctid.conf --events events.jsonl --checks checks.txt --fax-pages 'fax-page-*.png' \
	--file dchan.pcap --file missing.pcap --audio heard.wav --audio 'gone<.wav' --title 'Run <1>' >"$T/stdout" 2>"$T/stderr"
rc=$?
H=$D/report.html
check "report.py exits 0 and says what it wrote (5 calls, 8 CDR rows)" \
	test $rc -eq 0 -a "$(cat "$T/stdout")" = "report.py: $D/report.html: 5 calls, 8 CDR rows"
check "one table row per call (5), in call order 1 2 3 4 10" \
	test "$(grep -o '<tr class="call"><td>[0-9]*</td>' "$H" | grep -o '[0-9]*' | tr '\n' ' ')" = "1 2 3 4 10 "
check "summary: 5 calls, 8 CDR rows, 2 answered by agents, 3 fax pages, 2 of 3 checks passed" \
	grep -q '5 calls (5 caller legs, 8 CDR rows), 2 answered by agents, 3 fax pages sent, 5 recordings. .*2 of 3 checks passed' "$H"
row() { grep -o "<tr class=\"call\"><td>$1</td>.*</tr>" "$H"; }
rowhas() { row "$1" | grep -qF -- "$2"; }
check "call 2: wait 3.0 s (IVR answer to agent answer), talk 8.0 s, agent with name" \
	rowhas 2 "<td>201 Eve &lt;b&gt;&quot;&amp;&#x27;</td><td>3.0 s</td><td>8.0 s</td>"
check "call 3: the answered leg counts (agent 202 after a ring-no-answer at 201): wait 17.0 s, talk 10.0 s" \
	rowhas 3 "<td>202 Bob</td><td>17.0 s</td><td>10.0 s</td>"
check "call 10: cause 17 with its text" rowhas 10 "<td>17 User busy</td>"
check "no raw markup from the database, the config or the checks" \
	bash -c "! grep -qiE '<script|<img src=x|<b>\"|<i>|<check>|<1>' '$H'"
check "hostile values shown escaped" bash -c "grep -qF '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;' '$H' &&
	grep -qF '&quot;&#x27;&gt;&lt;img src=x onerror=alert(1)&gt;' '$H' && grep -qF '8000&amp;amp;' '$H' &&
	grep -qF 'help&lt;i&gt;' '$H' && grep -qF '<title>Run &lt;1&gt;</title>' '$H' && grep -qF 'first &lt;check&gt;' '$H'"
# Links, by an HTML parser: every href/src, and whether each resolves inside the folder.
$PY - "$H" >"$T/links" <<'PY'
import html.parser, os, sys, urllib.parse
class P(html.parser.HTMLParser):
    refs = []
    def handle_starttag(self, tag, attrs):
        self.refs += [(tag, v) for k, v in attrs if k in ("href", "src")]
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
d = os.path.dirname(os.path.realpath(sys.argv[1]))
for tag, r in p.refs:
    f = os.path.realpath(os.path.join(d, urllib.parse.unquote(r)))
    inside = os.path.commonpath([f, d]) == d and os.path.isfile(f) and "://" not in r and ":" not in r
    print(tag, r, "inside" if inside else "OUTSIDE")
PY
check "every link and image resolves to a file inside the folder ($(wc -l <"$T/links") refs)" \
	bash -c "test -s '$T/links' && ! grep -q OUTSIDE '$T/links'"
check "recordings linked URL-quoted: call-1.wav x3, 'a b&c.wav' x3 (calls table, list, audio)" \
	test "$(grep -c ' recordings/call-1.wav inside' "$T/links")" = 3 -a "$(grep -c ' recordings/a%20b%26c.wav inside' "$T/links")" = 3
check "files outside the folder, absolute paths, schemes and missing files are text, not links" \
	bash -c "grep -qF '<span class=\"missing\" title=\"not in the artifacts folder\">../outside.wav</span>' '$H' &&
	grep -qF '>/etc/passwd</span>' '$H' && grep -qF '>javascript:alert(1)</span>' '$H' &&
	! grep -qE 'href=\"(\\.\\./|/|javascript)' '$H' && ! grep -q missing.pcap '$H'"
check "--audio: an existing extra recording listed with a player, a missing one as escaped text" \
	bash -c "grep -qF '<li><a href=\"heard.wav\">heard.wav</a> <audio controls preload=\"none\" src=\"heard.wav\"></audio></li>' '$H' &&
	grep -qF '<li><span class=\"missing\" title=\"not in the artifacts folder\">gone&lt;.wav</span></li>' '$H'"
check "fax pages as images, in order" \
	test "$(grep -o '<img class="fax" src="[^"]*"' "$H" | tr '\n' ' ')" = '<img class="fax" src="fax-page-1.png" <img class="fax" src="fax-page-2.png" '
check "agents table: 201, 202, 203 (CDR), names from ctid.conf only for [agent] sections, last state from the events" \
	bash -c "test \"\$(grep -o '<tr class=\"agent\"><td>[^<]*</td><td>[^<]*</td>' '$H' | sed 's/<[^>]*>/|/g' | tr -s '|' | tr '\n' ' ')\" = \
	'|201|Eve &lt;b&gt;&quot;&amp;&#x27;| |202|Bob| |203| ' && grep -q '<td>WorkingAfterCall</td></tr>' '$H'"
check "queue statistics from the last QueueStatsEvent (75.0 %, longest wait 2.5 s)" \
	grep -qF '<tr><td>help&lt;i&gt;</td><td>4</td><td>3</td><td>1</td><td>0</td><td>2.5 s</td><td>75.0 %</td></tr>' "$H"
check "timeline: one bar group per call (5), an agent bar for each answered agent leg (2)" \
	test "$(grep -o '<g class="call">' "$H" | wc -l)" = 5 -a "$(grep -o 'fill="#48c"' "$H" | wc -l)" = 2
check "checks listed with their status (2 ok, 1 FAIL)" \
	test "$(grep -c '<li class="ok">\[ok\]' "$H")" = 2 -a "$(grep -c '<li class="fail">\[FAIL\] third &amp; last' "$H")" = 1

# Bad input: exit 1 and a message naming the file (and line); the previous report is left as it was.
cp "$H" "$T/before.html"
bad() {	# WHAT EXPECTED-MESSAGE ARGS...
	local what=$1 want=$2; shift 2
	$PY "$REPORT" --dir "$D" "$@" >/dev/null 2>"$T/err"
	local rc=$?
	if [[ $rc -eq 1 ]] && grep -qF -- "$want" "$T/err" && cmp -s "$H" "$T/before.html"; then
		ok "$what: exit 1, $want"
	else
		not_ok "$what: exit $rc, $(head -c 300 "$T/err") (want 1, $want)"
	fi
}
bad "missing CDR database" "$D/nope.db: no such CDR database" --cdr nope.db
printf 'not a database at all, not at all, not at all, not at all, not at all, not at all, not at all, not at all' >"$D/junk.db"
bad "file that is not SQLite" "$D/junk.db: file is not a database" --cdr junk.db
printf 'ok\tfine\nmaybe\tnot a status\n' >"$D/bad-checks.txt"
bad "checks line without ok/FAIL" "$D/bad-checks.txt:2: expected 'ok' or 'FAIL'" --checks bad-checks.txt
printf '{"t": 1}\n{broken\n' >"$D/bad.jsonl"
bad "events line that is not JSON" "$D/bad.jsonl:2: not JSON" --events bad.jsonl
bad "missing events file" "$D/none.jsonl: No such file or directory" --events none.jsonl
bad "missing folder" "$T/nowhere: not a directory" --dir "$T/nowhere"
echo "1..$n"
exit $failed
