#!/bin/bash
# test_cluster.sh BUILD_DIR - three ctid hosts as one call center on Redis, in real time on the
# emulated board (each ctid its own board; every host's positions trunk reaches every agent's
# phone). A redis-server and a PostgreSQL server (the one CDR store of all hosts) started by the
# test. Callers are placed with SIGUSR1 (ctid --sim-serve).
#   1. longest idle across hosts: h3's callers go to h1's and h2's agents before its own;
#      skills: the support queue reaches only s2 on h2
#   2. kill -9 of h2 mid-call: h3's call with h2's agent a2 goes on to its end, h2's agents are
#      released after the lease, the others keep serving
#   3. h2 restarted: it rejoins and serves
#   4. redis-server restarted (empty) mid-call: every ctid reconnects and republishes its agents and
#      calls; a caller who came during the outage is served once Redis is back
#   every call on a surviving host has both CDR rows in PostgreSQL with its agent and cause 16.
set -u
B=${1:-build/std}
cd "$(dirname "$0")/../.."
. tests/cluster/lib.sh
need_redis
CTID=$PWD/$B/server/ctid/ctid
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [[ -z $PGBIN || ! -x $PGBIN/initdb ]] || ! id postgres >/dev/null 2>&1; then
	echo "ok 1 # SKIP no PostgreSQL server binaries (postgresql package)"; echo "1..1"; exit 0
fi
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

T=$(mktemp -d)
chmod 755 "$T"
[[ $(id -u) -eq 0 ]] && chown postgres "$T"
P=$(free_port)
declare -A PID
cleanup() {
	for h in "${!PID[@]}"; do kill -9 "${PID[$h]}" 2>/dev/null; done
	[[ -n $WALL ]] && kill "$WALL" 2>/dev/null
	stop_redis "$P"
	as_pg "$PGBIN/pg_ctl" -D "$T/data" -m immediate stop >/dev/null 2>&1
	[[ $fails -gt 0 ]] && for f in "$T"/h*.log; do echo "# --- $f"; sed 's/^/# /' "$f" | tail -60; done
	rm -rf "$T"
}
WALL=
trap cleanup EXIT
as_pg "$PGBIN/initdb" -D "$T/data" -A trust -U ctid >"$T/initdb.log" 2>&1
as_pg "$PGBIN/pg_ctl" -D "$T/data" -l "$T/pg.log" -w -o "-k $T -c listen_addresses=''" start >/dev/null 2>&1
check "PostgreSQL for the CDRs of all hosts" test -S "$T/.s.PGSQL.5432"
check "redis-server on port $P" start_redis "$T" "$P"
R() { redis-cli -p "$P" "$@"; }
SQL() { psql -h "$T" -U ctid -d postgres -Atc "$1" 2>&1; }

LEASE=2
# conf HOST ROUTE_TARGET AGENT-SECTIONS...
conf() {
	local h=$1 target=$2
	shift 2
	cat >"$T/$h.conf" <<CONF
[ctid]
sim = 2 e1 euroisdn
clock = real
listen = none
cdr = postgresql:host=$T user=ctid dbname=postgres
ring_timeout = 10
[trunk pstn]
span = sim2
[trunk desks]
span = sim3
role = positions
[routes]
800200 = $target
[queue sales]
skills = sales:1
[queue support]
priority = 1
skills = support:3
[cluster]
redis = 127.0.0.1:$P
host = $h
lease = $LEASE
CONF
	local a
	for a in "$@"; do printf '%b\n' "$a" >>"$T/$h.conf"; done
}
conf h1 queue:sales "[agent a1]\nposition = 3001\nskills = sales:5" \
	"[agent boss]\nsupervisor = yes\ntoken = supervisor-token-1"
sed -i 's/^listen = none$/listen = 127.0.0.1:0/' "$T/h1.conf"	# a supervisor's wallboard on h1
conf h2 queue:support "[agent a2]\nposition = 3002\nskills = sales:5" \
	"[agent s2]\nposition = 3102\nskills = support:5, sales:1"
conf h3 queue:sales "[agent a3]\nposition = 3003\nskills = sales:5"

start() {	# start HOST: with its agents logged in and Ready; waits until Redis has them Ready
	"$CTID" --login-all --sim-serve --sim-talk "${TALK:-10000}" "$T/$1.conf" >>"$T/$1.log" 2>&1 &
	PID[$1]=$!
}
state() { R hget "cti:agent:$1" state; }
is_state() { [[ $(state "$1") == "$2" ]]; }
call() { kill -USR1 "${PID[$1]}"; }	# one more caller on host $1
# agent of CDR leg 2 of call HOST-N (the agent leg), once written
leg_agent() { SQL "SELECT agent FROM cdr WHERE call_id = '$1' AND leg = 1"; }
# the agent a host's call was delivered to, from the host's log
delivered_to() { sed -n "s/.*call $2: delivered to agent \([^ ]*\).*/\1/p" "$T/$1.log" | tail -1; }

# ---- 1. longest idle across hosts, skills ----
start h1
check "h1 up: a1 Ready in Redis" wait_for 10 is_state a1 1
sleep 0.3
start h2
check "h2 up: a2 and s2 Ready" wait_for 10 bash -c "[[ \$(redis-cli -p $P hget cti:agent:a2 state)\$(redis-cli -p $P hget cti:agent:s2 state) == 11 ]]"
sleep 0.3
start h3
check "h3 up: a3 Ready" wait_for 10 is_state a3 1
WS=$(sed -n 's/.*WebSocket interface on port \([0-9]*\).*/\1/p' "$T/h1.log" | head -1)
CTICTL="/usr/bin/python3 $PWD/server/ctid/ctictl --url ws://127.0.0.1:$WS --token supervisor-token-1"
$CTICTL --timeout 25 >"$T/wallboard.json" 2>&1 &
WALL=$!
sleep 1
is "Redis knows the three hosts" "$(R smembers cti:hosts | sort | tr '\n' ' ')" "h1 h2 h3 "
is "longest idle first: a1 (h1), a2 and s2 (h2), a3 (h3)" "$(R zrange cti:ready 0 -1 | tr '\n' ' ' | sed 's/s2 a2/a2 s2/')" "a1 a2 s2 a3 "
sleep 1	# D-channels up
call h3
check "h3's first caller goes to a1 on h1 (longest idle), not h3's own a3" wait_for 5 bash -c "[[ \$(sed -n 's/.*call 1: delivered to agent \([^ ]*\).*/\1/p' $T/h3.log) == a1 ]]"
call h3
check "h3's second caller goes to a2 on h2 (sales: s2 is only level 1, but qualifies; a2 longer idle)" \
	wait_for 5 bash -c "[[ \$(sed -n 's/.*call 2: delivered to agent \([^ ]*\).*/\1/p' $T/h3.log) == a2 ]]"
call h2
check "h2's caller (support queue, support:3) goes to s2, the only agent with the skill" \
	wait_for 5 bash -c "[[ \$(sed -n 's/.*call 1: delivered to agent \([^ ]*\).*/\1/p' $T/h2.log) == s2 ]]"
call h1
check "h1's caller goes to a3 on h3, the last one Ready" \
	wait_for 5 bash -c "[[ \$(sed -n 's/.*call 1: delivered to agent \([^ ]*\).*/\1/p' $T/h1.log) == a3 ]]"
check "all four agents Talking" wait_for 5 bash -c "[[ \$(for a in a1 a2 s2 a3; do redis-cli -p $P hget cti:agent:\$a state; done | tr -d '\n') == 4444 ]]"
check "the stream says the same: deliver h3/1 -> a1" bash -c "redis-cli -p $P xrange cti:events - + | grep -A9 -x deliver | tr '\n' ' ' | grep -q 'host h3 call 1 agent a1'"

# the supervisor on h1 saw the agents of the other hosts, in order
agent_states() { python3 -c 'import json, sys
for l in open(sys.argv[1]):
    try: m = json.loads(l)
    except ValueError: continue
    if m.get("event") == "AgentStateEvent" and m["agent"] == sys.argv[2]: print(m["agentState"], end=" ")' "$T/wallboard.json" "$1"; }
check "wallboard on h1: AgentStateEvents of h2's a2 arrive" wait_for 5 bash -c "grep -q '\"agent\": \"a2\"' $T/wallboard.json"
is "wallboard on h1: a2 (owned by h2, call of h3) Ringing then Talking, in order" "$(agent_states a2)" "Ringing Talking "
is "wallboard on h1: s2 (h2's own call) Ringing then Talking" "$(agent_states s2)" "Ringing Talking "

# ---- 2. kill -9 h2 mid-call ----
is "mid-call: a2 (on h3's call) and s2 (on h2's own) still Talking" "$(state a2)$(state s2)" 44
kill -9 "${PID[h2]}"
wait "${PID[h2]}" 2>/dev/null
unset 'PID[h2]'
killed=$SECONDS
check "h2's agents released (LoggedOut) after the lease ($LEASE s)" wait_for $((LEASE + 5)) bash -c \
	"[[ \$(redis-cli -p $P hget cti:agent:a2 state)\$(redis-cli -p $P hget cti:agent:s2 state) == 00 ]]"
check "... not before the lease ran out ($((SECONDS - killed)) s)" test $((SECONDS - killed)) -ge $((LEASE - 1))
is "h2 left the hosts" "$(R smembers cti:hosts | sort | tr '\n' ' ')" "h1 h3 "
check "a1, a3 come back Ready when their calls end" wait_for 15 bash -c "[[ \$(redis-cli -p $P hget cti:agent:a1 state)\$(redis-cli -p $P hget cti:agent:a3 state) == 11 ]]"
call h1
check "survivors keep serving: h1's second caller delivered" wait_for 5 bash -c "grep -q 'call 2: delivered to agent a[13]' $T/h1.log"
check "h3's call 2 with h2's agent a2 ran to its end (CDR leg 1, agent a2, cause 16)" wait_for 10 bash -c \
	"[[ \$(psql -h $T -U ctid -d postgres -Atc \"SELECT agent || ':' || cause FROM cdr WHERE call_id ~ '^h3-[0-9]+-2\\$' AND leg = 1\") == a2:16 ]]"
is "... and its agent leg talked the full 10 s" "$(SQL "SELECT (end_ms - answer_ms) / 1000 FROM cdr WHERE call_id ~ '^h3-[0-9]+-2$' AND leg = 2")" 10

# ---- 3. h2 rejoins ----
TALK=15000 start h2	# its call talks through the Redis restart below
check "h2 rejoined: a2 and s2 Ready again" wait_for 10 bash -c "[[ \$(redis-cli -p $P hget cti:agent:a2 state)\$(redis-cli -p $P hget cti:agent:s2 state) == 11 ]]"
is "h2 a member again" "$(R smembers cti:hosts | sort | tr '\n' ' ')" "h1 h2 h3 "
sleep 1
call h2
check "h2 serves again: its caller (its own call 1 of this life) goes to s2" \
	wait_for 5 bash -c "[[ \$(sed -n 's/.*call 1: delivered to agent \([^ ]*\).*/\1/p' $T/h2.log | tail -1) == s2 ]]"

# ---- 4. redis-server restarted (no persistence: it comes back empty) mid-call ----
check "s2 Talking before the restart" wait_for 5 is_state s2 4
stop_redis "$P"
sleep 0.5
call h3	# a caller during the outage: waits on h3, published when Redis is back
out=$(/usr/bin/python3 server/ctid/ctictl --url ws://127.0.0.1:$WS --token supervisor-token-1 --timeout 5 --count 1 \
	'{"command": "QueryAgentState", "agent": "a3"}' 2>&1)
check "during the outage: the state of another host's agent is an error naming Redis" grep -q "cluster store (Redis) cannot be reached" <<<"$out"
echo "# $(tail -1 <<<"$out")"
sleep 1.5
check "redis-server restarted on the same port" start_redis "$T" "$P"
check "every host republished its agents (a1 a2 s2 a3 known again)" wait_for 8 bash -c \
	"[[ \$(for a in a1 a2 s2 a3; do redis-cli -p $P exists cti:agent:\$a; done | tr -d '\n') == 1111 ]]"
check "the three hosts joined again" wait_for 5 bash -c "[[ \$(redis-cli -p $P scard cti:hosts) == 3 ]]"
check "the caller from the outage (h3 call 3) was served after all" wait_for 8 bash -c "grep -q 'call 3: delivered to agent' $T/h3.log"
is "s2's call (h2/1) still in progress and republished: talking with s2, s2 Talking" \
	"$(R hget cti:call:h2/1 state)/$(R hget cti:call:h2/1 agent)/$(state s2)" "talking/s2/4"
check "after the calls end everybody is Ready again (reconciled state is right)" wait_for 25 bash -c \
	"[[ \$(for a in a1 a2 s2 a3; do redis-cli -p $P hget cti:agent:\$a state; done | tr -d '\n') == 1111 ]]"
call h1
check "a new caller after the restart is served" wait_for 5 bash -c "grep -q 'call 3: delivered to agent' $T/h1.log"
check "cluster ops: every ctid logged the Redis outage and its return" bash -c \
	"grep -l 'Redis at .* back; republished' $T/h1.log $T/h2.log $T/h3.log | wc -l | grep -qx 3"
# SIGHUP on h1: a changed queue setting and a new agent reach Redis
sed -i 's/^priority = 1$/priority = 7/' "$T/h1.conf"
printf '[agent b1]\nposition = 3011\nskills = sales:2\n' >>"$T/h1.conf"
kill -HUP "${PID[h1]}"
check "reload on h1: support's priority 7 published" wait_for 5 bash -c "[[ \$(redis-cli -p $P hget cti:queue:support prio) == 7 ]]"
is "reload on h1: new agent b1 known, owned by h1, LoggedOut" "$(R hget cti:agent:b1 host)/$(state b1)" "h1/0"
sleep 10	# the last calls end
for h in h1 h2 h3; do kill -TERM "${PID[$h]}"; done
for h in h1 h2 h3; do wait "${PID[$h]}"; rc=$?; is "$h stops cleanly (exit 0)" $rc 0; unset "PID[$h]"; done

# ---- the one CDR store ----
# call ids are HOST-START-N (START: that ctid's start time), unique across hosts and restarts
is "caller legs in the one store: h1 3, h2 1 (its second life; the first was killed mid-call), h3 3" \
	"$(SQL "SELECT string_agg(h || ':' || n, ' ' ORDER BY h) FROM (SELECT split_part(call_id, '-', 1) AS h, count(*) AS n FROM cdr WHERE leg = 1 GROUP BY 1) x")" \
	"h1:3 h2:1 h3:3"
is "every caller leg on h1 and h3 had an agent and ended normally (cause 16)" \
	"$(SQL "SELECT count(*) FROM cdr WHERE leg = 1 AND call_id ~ '^h[13]-' AND agent <> '' AND cause = 16")" 6
is "agents of h1's call 1 and h3's calls 1, 2 as routed" \
	"$(SQL "SELECT string_agg(split_part(call_id, '-', 1) || '-' || split_part(call_id, '-', 3) || '=' || agent, ' ' ORDER BY call_id) FROM cdr WHERE leg = 2 AND call_id ~ '^(h1-[0-9]+-1|h3-[0-9]+-[12])$'")" \
	"h1-1=a3 h3-1=a1 h3-2=a2"
echo "1..$n"
