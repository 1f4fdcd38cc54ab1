#!/bin/bash
# test_sim_wait.sh BUILD_DIR - ctid --sim-wait-clients N (TAP): the emulated board's callers wait until N
# WebSocket sessions have logged in, so a benchmark's or a desktop test's sessions see every call; under
# the virtual clock time stands still meanwhile; without a WebSocket interface the option is refused.
# The sessions are bench_ws's (tests/ctid/bench_ws.c).
set -u
B=${1:-build/std}
CTID=$PWD/$B/server/ctid/ctid
BWS=$PWD/$B/tests/ctid/bench_ws
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
val() { sed -n "s/^$1=//p" "$2"; }
T=$(mktemp -d)
trap 'kill -9 "${pid:-}" 2>/dev/null; rm -rf "$T"' EXIT

conf() {	# conf LISTEN
	cat <<CONF
[ctid]
sim = 2 e1 euroisdn
clock = virtual
listen = $1
cdr = sqlite:$T/cdr.db

[trunk pstn]
span = sim2
role = inbound

[trunk desks]
span = sim3
role = positions

[routes]
800100 = queue:q

[queue q]

[agent a1]
position = 3001
token = agent-token-1

[agent a2]
position = 3002
token = agent-token-2

[agent s1]
supervisor = yes
token = super-token-1
CONF
}

# ---- refused without the WebSocket interface ----
conf none >"$T/none.conf"
"$CTID" --sim-calls 1 --sim-wait-clients 1 "$T/none.conf" 2>"$T/none.err"
check "listen = none: exit 1" test $? -eq 1
check "... naming the option and the file" grep -q "sim-wait-clients needs the WebSocket interface (listen = none in $T/none.conf)" "$T/none.err"
"$CTID" --sim-calls 1 --sim-wait-clients 0 "$T/none.conf" 2>"$T/zero.err"
check "--sim-wait-clients 0: bad command line (exit 2)" test $? -eq 2

# ---- 3 sessions, 4 calls: every call's events reach them ----
conf 127.0.0.1:0 >"$T/ws.conf"
"$BWS" --log "$T/ws.log" --agents 2 --supervisors 1 --timeout 60 -- "$CTID" --login-all --sim-calls 4 \
	--sim-interval 2000 --sim-talk 5000 --sim-wait-clients 3 "$T/ws.conf" >"$T/ws.out"
check "bench_ws and ctid exit 0" test $? -eq 0 -a "$(val ctid_exit "$T/ws.out")" = 0
check "3 sessions logged in" test "$(val logged_in "$T/ws.out")" = 3
check "the supervisor got all 4 DeliveredEvents, the two agents 4 between them" \
	test "$(val event_DeliveredEvent "$T/ws.out")" = 4/4
check "... and all 4 ConnectionClearedEvents for the agent legs" test "$(val event_ConnectionClearedEvent "$T/ws.out")" = 4/4
first=$(grep -n "sim: 3 WebSocket sessions logged in, placing calls" "$T/ws.log" | cut -d: -f1)
offered=$(grep -n "call 1: offered" "$T/ws.log" | cut -d: -f1)
check "the first call is placed after the 3rd login" test -n "$first" -a -n "$offered" -a "${first:-0}" -lt "${offered:-0}"
logins=$(grep -c "logged in as" "$T/ws.log")
check "3 logins logged before the calls" test "$(head -n "${first:-0}" "$T/ws.log" | grep -c 'logged in as')" = 3 -a "$logins" = 3
check "4 calls, 8 CDR legs" test "$(sqlite3 "$T/cdr.db" 'SELECT count(*) FROM cdr')" = 8

# ---- nobody logs in: no call, and virtual time stands still ----
rm -f "$T/cdr.db"*
"$CTID" --login-all --sim-calls 2 --sim-wait-clients 1 "$T/ws.conf" 2>"$T/idle.log" &
pid=$!
sleep 1.5
kill -TERM $pid
wait $pid
check "SIGTERM while waiting: exit 0" test $? -eq 0
pid=
check "no call was placed" bash -c "! grep -q 'call 1: offered' '$T/idle.log'"
stop=$(sed -n 's/^ctid: \[\([0-9]*\)\] stopped$/\1/p' "$T/idle.log")
check "virtual time stood still while waiting (stopped at ${stop} ms)" test -n "$stop" -a "${stop:-99999}" -lt 10000
echo "1..$n"
