#!/bin/bash
# test_cdr_pg.sh BUILD_DIR - ctid's PostgreSQL CDR store against a real local PostgreSQL server
# started by the test (initdb + pg_ctl in a temporary directory, Unix socket only): two calls on
# the emulated board, the rows read back with psql match the calls.
set -u
B=${1:-build/std}
CTID=$PWD/$B/server/ctid/ctid
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [[ -z $PGBIN || ! -x $PGBIN/initdb ]] || ! id postgres >/dev/null 2>&1; then
	echo "ok 1 # SKIP no PostgreSQL server binaries (postgresql package)"; echo "1..1"; exit 0
fi
# The server refuses to run as root: run it as the postgres user when we are root.
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

T=$(mktemp -d)
chmod 755 "$T"
[[ $(id -u) -eq 0 ]] && chown postgres "$T"
cleanup() { as_pg "$PGBIN/pg_ctl" -D "$T/data" -m immediate stop >/dev/null 2>&1; rm -rf "$T"; }
trap cleanup EXIT
as_pg "$PGBIN/initdb" -D "$T/data" -A trust -U ctid >"$T/initdb.log" 2>&1
check "initdb" test -f "$T/data/PG_VERSION"
as_pg "$PGBIN/pg_ctl" -D "$T/data" -l "$T/pg.log" -w -o "-k $T -c listen_addresses=''" start >/dev/null 2>&1
check "PostgreSQL started on a Unix socket in $T" test -S "$T/.s.PGSQL.5432"

mkdir "$T/prompts"
sox -n -r 8000 -c 1 -b 16 "$T/prompts/welcome.wav" synth 1 sine 440 2>/dev/null
cat >"$T/ctid.conf" <<CONF
[ctid]
sim = 2 e1 euroisdn
clock = virtual
listen = none
cdr = postgresql:host=$T user=ctid dbname=postgres
prompts = prompts
[trunk pstn]
span = sim2
[trunk desks]
span = sim3
role = positions
[routes]
800100 = ivr:main
[ivr main]
hello = play welcome.wav
menu  = digits 1 timeout=5
pick  = branch 1=queue:billing default=menu
[queue billing]
wrapup = 1
[agent 1001]
position = 3001
CONF
"$CTID" --login-all --sim-calls 2 --sim-digits 1 --sim-interval 1000 --sim-talk 2000 "$T/ctid.conf" >/dev/null 2>"$T/log"
rc=$?
check "ctid with the PostgreSQL store exits 0 (got $rc)" test $rc -eq 0
got=$(psql -h "$T" -U ctid -d postgres -Atc "SELECT string_agg(call_id || ':' || leg || ':' || ani || ':' || dnis || ':' ||
	coalesce(digits, '-') || ':' || queue || ':' || agent || ':' || cause, ' ' ORDER BY call_id, leg) FROM cdr" 2>&1)
want="1:1:0301000001:800100:1:billing:1001:16 1:2:0301000001:3001:-:billing:1001:16 2:1:0301000002:800100:1:billing:1001:16 2:2:0301000002:3001:-:billing:1001:16"
check "4 rows, one per leg, matching the calls (got: $got)" test "$got" = "$want"
check "talk time of the agent legs is the phone's 2 s" test "$(psql -h "$T" -U ctid -d postgres -Atc \
	"SELECT count(*) FROM cdr WHERE leg = 2 AND end_ms - answer_ms BETWEEN 2000 AND 2100")" = 2
# The server goes away: ctid refuses to start, naming the store.
# QueryCallHistory reads the agent's calls back from PostgreSQL (the web desktop's history).
sed -e 's/^listen = none/listen = 127.0.0.1:0/' -e 's/^clock = virtual/clock = real/' "$T/ctid.conf" >"$T/ws.conf"
printf 'token = token-of-1001\n' >>"$T/ws.conf"
"$CTID" --max-time 30 "$T/ws.conf" >/dev/null 2>"$T/ws.log" &
ctid_pid=$!
port=
for _ in $(seq 50); do
	port=$(sed -n 's/.*WebSocket interface on port \([0-9]*\).*/\1/p' "$T/ws.log")
	[[ -n $port ]] && break
	sleep 0.1
done
hist=$(timeout 20 "$PWD/server/ctid/ctictl" --url "ws://127.0.0.1:$port" --token token-of-1001 --count 1 \
	'{"command": "QueryCallHistory", "limit": 5}' 2>&1 | /usr/bin/python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("response") == "QueryCallHistory":
        print(" ".join(c["callID"] + ":" + c["callingDevice"] + ":" + c["calledDevice"] + ":" + c["userData"] + ":" + str(c["cause"])
                       for c in m["calls"]))' 2>&1)
kill "$ctid_pid" 2>/dev/null; wait "$ctid_pid" 2>/dev/null
check "QueryCallHistory from PostgreSQL: agent 1001's calls, newest first (got: $hist)" \
	test "$hist" = "2:0301000002:800100:1:16 1:0301000001:800100:1:16"
as_pg "$PGBIN/pg_ctl" -D "$T/data" -m fast -w stop >/dev/null 2>&1
"$CTID" --login-all --sim-calls 1 "$T/ctid.conf" >/dev/null 2>"$T/err"
rc=$?
check "no server: exit 1 with 'cdr postgresql: cannot connect'" test $rc -eq 1 -a -n "$(grep 'cdr postgresql: cannot connect' "$T/err")"
echo "1..$n"
