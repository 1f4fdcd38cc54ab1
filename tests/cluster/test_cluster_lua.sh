#!/bin/bash
# test_cluster_lua.sh - the cluster ACD's Lua script (server/ctid/cluster.lua) against a real
# redis-server started by the test: longest-idle and best-skill selection with skill levels across
# hosts, queue priority, VIP, no answer, abandon, wrap-up, overflow, stats, host leases and
# restarts, agent ownership, and atomicity (three clients racing for 40 agents).
set -u
cd "$(dirname "$0")/../.."
. tests/cluster/lib.sh
need_redis
LUA=$PWD/server/ctid/cluster.lua
T=$(mktemp -d)
P=$(free_port)
trap 'stop_redis $P; rm -rf "$T"' EXIT
check "redis-server on port $P" start_redis "$T" "$P"

R() { redis-cli -p "$P" "$@"; }
# L OP HOST ARGS...: one operation of the script, as ctid runs it
L() { redis-cli -p "$P" --eval "$LUA" , "$@"; }
field() { R hget "cti:agent:$1" "$2"; }
# the agent the last deliver event of call HOST/ID names
delivered() { R xrevrange cti:events + - | awk -v h="$1" -v c="$2" '
	/^ev$/ {getline; ev=$0} /^host$/ {getline; host=$0} /^call$/ {getline; call=$0}
	/^agent$/ {getline; agent=$0}
	/^t$/ { if (ev == "deliver" && host == h && call == c && !found) { print agent; found=1 } ev=""; host=""; call=""; agent="" }'; }

is "hello" "$(L hello hA 60000 e1)" 0
# queue NAME PRIO STRATEGY SL WRAP OVF OVF_TO MAX MAX_TO SKILLS
L queue hA sales 0 longest-idle 20000 0 0 "" 0 "" sales:1 >/dev/null
L queue hA expert 0 longest-idle 20000 0 0 "" 0 "" sales:3 >/dev/null
L queue hA tech 0 best-skill 20000 0 0 "" 0 "" tech:1 >/dev/null
L queue hA vipq 5 longest-idle 20000 0 0 "" 0 "" sales:1 >/dev/null
# agent HOST ID POS SKILLS STATE REASON IDLE CALL REJOIN: Ready with a given idle-since, so the order is exact
L agent hA x1 3001 sales:1 1 0 1000 "" 0 >/dev/null
L hello hB 60000 e1 >/dev/null
L agent hB x2 3002 sales:5 1 0 2000 "" 0 >/dev/null
L agent hB x3 3003 tech:2,sales:2 1 0 3000 "" 0 >/dev/null
L agent hA x4 3004 tech:9 1 0 4000 "" 0 >/dev/null
is "4 agents ready, longest idle first" "$(R zrange cti:ready 0 -1 | tr '\n' ' ')" "x1 x2 x3 x4 "

# Level: expert needs sales >= 3: x1 (longest idle, level 1) does not qualify, x2 (hB) does.
is "enqueue on hA" "$(L enqueue hA 1 expert 0301 0)" 0
is "expert call -> x2 on the other host (skill level 3 needed, x1 has 1)" "$(delivered hA 1)" x2
is "x2 Ringing with call hA/1" "$(field x2 state)/$(field x2 call)" "3/hA/1"
# Longest idle: the sales call goes to x1 (idle since 1000).
L enqueue hB 1 sales 0302 0 >/dev/null
is "sales call from hB -> x1 on hA, the longest idle" "$(delivered hB 1)" x1
# Best skill: tech with best-skill picks x4 (tech 9) over the longer idle x3 (tech 2).
L enqueue hA 2 tech 0303 0 >/dev/null
is "best-skill: tech call -> x4 (level 9) over the longer idle x3" "$(delivered hA 2)" x4
is "ready left: x3" "$(R zrange cti:ready 0 -1 | tr '\n' ' ')" "x3 "

# Answer, end without wrap-up: Ready again with idle = now (back of the line).
is "answered" "$(L answered hA 1)" 0
is "x2 Talking" "$(field x2 state)" 4
is "stats: answered 1 (answer counted once)" "$(L stats hA expert | sed -n 2p)" 1
is "end" "$(L end hA 1)" 0
is "x2 Ready again, at the back" "$(R zrange cti:ready 0 -1 | tr '\n' ' ')" "x3 x2 "
is "call hA/1 gone" "$(R exists cti:call:hA/1)" 0
is "end of an ended call: no such call" "$(L end hA 1)" -1
# No answer: the agent goes NotReady 9999, the call back to the head of its queue and to the next agent.
is "x1 no answer" "$(L noanswer hB 1)" 0
is "x1 NotReady reason 9999" "$(field x1 state)/$(field x1 reason)" "2/9999"
is "the call went on to x3, now the longest idle" "$(delivered hB 1)" x3
# Abandon while ringing: the agent gets its place in line back.
idle_x3=$(field x3 idle)
is "abandon while ringing" "$(L abandon hB 1)" 0
is "x3 Ready with its old idle-since" "$(field x3 state)/$(R zscore cti:ready x3)" "1/$idle_x3"
is "stats sales: offered 1 abandoned 1" "$(L stats hA sales | sed -n '1p;4p' | tr '\n' ' ')" "1 1 "
is "answered of a call that is not ringing: wrong state" "$(L answered hA 2 && L answered hA 2)" "$(printf '0\n-3')"
L end hA 2 >/dev/null

# Priority and VIP: nobody ready, three calls wait; x1 becomes ready and gets the priority-5 call, which
# arrived last; then the VIP call of sales before the earlier ordinary one.
L notready hA x2 5 >/dev/null; L notready hA x3 5 >/dev/null; L notready hA x4 5 >/dev/null
is "nobody ready" "$(R zcard cti:ready)" 0
L enqueue hA 10 sales 0310 0 >/dev/null
L enqueue hB 11 sales 0311 1 >/dev/null
L enqueue hA 12 vipq 0312 0 >/dev/null
is "3 waiting" "$(( $(R zcard cti:q:sales) + $(R zcard cti:q:vipq) ))" 3
is "ready x1" "$(L ready hA x1)" 0
is "priority-5 queue first, though it arrived last" "$(delivered hA 12)" x1
L ready hA x2 >/dev/null
is "then the VIP caller of sales before the earlier ordinary one" "$(delivered hB 11)" x2
L ready hA x3 >/dev/null
is "then the ordinary one" "$(delivered hA 10)" x3
for c in "hA 10" "hB 11" "hA 12"; do L answered $c >/dev/null; done

# Agent commands check the state machine.
is "logout while talking refused" "$(L logout hA x1)" -3
is "login of an unknown agent" "$(L login hA nobody)" -1
is "login when logged in refused" "$(L login hA x4)" -3

# Wrap-up: a queue with 300 ms wrap-up; after it a tick makes the agent Ready, idle from the wrap-up's end.
L queue hA sales 0 longest-idle 20000 300 0 "" 0 "" sales:1 >/dev/null
L end hA 10 >/dev/null
is "x3 WorkingAfterCall after its call" "$(field x3 state)" 5
sleep 0.4
L tick hA 60000 e1 0 >/dev/null
is "wrap-up over: Ready, idle since the wrap-up's end" "$(field x3 state)/$(R zscore cti:ready x3)" "1/$(field x3 wrap)"

# Overflow: 200 ms in 'slow' then into 'sales'; max wait 200 ms in 'gone' then out to ivr:main.
L queue hA slow 0 longest-idle 20000 0 200 sales 0 "" nothere:1 >/dev/null
L queue hA gone 0 longest-idle 20000 0 0 "" 200 ivr:main nothere:1 >/dev/null
L notready hA x3 1 >/dev/null
L enqueue hA 20 slow 0320 0 >/dev/null
L enqueue hA 21 gone 0321 0 >/dev/null
sleep 0.3
L tick hA 60000 e1 0 >/dev/null
is "overflow: hA/20 now in sales" "$(R hget cti:call:hA/20 queue)/$(R zscore cti:q:sales hA/20 | cut -c1-2)" "sales/17"
is "max wait: hA/21 left for ivr:main (leave event)" \
	"$(R xrevrange cti:events + - count 5 | grep -A1 -x target | tail -1)" "ivr:main"
is "stats: slow overflowed 1, gone timed out 1" "$(L stats hA slow | sed -n 6p) $(L stats hA gone | sed -n 7p)" "1 1"

# Ownership: an agent of a live host cannot be claimed by another.
out=$(L agent hC x1 3001 sales:1 0 0 0 "" 0 2>&1)
check "agent owned by live hB refused for hC ($out)" grep -q "owned by host hA" <<<"$out"

# Lease: hB stops refreshing; after its lease hA's full tick releases hB's agents and forgets its calls.
L hello hB 300 e1 >/dev/null
L enqueue hB 30 slow 0330 0 >/dev/null
sleep 0.4
is "hB's lease expired" "$(R exists cti:lease:hB)" 0
L tick hA 60000 e1 1 >/dev/null
is "hB's agent x2 (Talking on hB/11) released: LoggedOut" "$(field x2 state)" 0
is "hB's calls forgotten" "$(R exists cti:call:hB/30)/$(R zscore cti:q:slow hB/30)" "0/"
is "hB no longer a member" "$(R sismember cti:hosts hB)" 0
check "host event 'lease expired' in the stream" bash -c "redis-cli -p $P xrange cti:events - + | grep -qx 'lease expired'"
# A released host ticks again: told to republish (1); its agent comes back with REJOIN.
is "hB's next tick says: rejoin" "$(L tick hB 60000 e1 1)" 1
L hello hB 60000 e1 >/dev/null
L agent hB x2 3002 sales:5 2 7 0 "" 1 >/dev/null
is "x2 back as NotReady 7 (REJOIN)" "$(field x2 state)/$(field x2 reason)" "2/7"
# Restart within the lease (new epoch): the previous life's agents and calls are released first.
L enqueue hB 31 slow 0331 0 >/dev/null
L hello hB 60000 e2 >/dev/null
is "new epoch: hB's old call gone, x2 LoggedOut" "$(R exists cti:call:hB/31)/$(field x2 state)" "0/0"
out=$(L tick hB 60000 e1 0 2>&1)
check "a second ctid with the same host name (old epoch) is told ($out)" grep -q "used by another ctid" <<<"$out"

# Republish after Redis lost a call: 'call' recreates it, 'calls' drops the ones the host no longer has.
L call hA 40 sales 0340 0 1000 1000 waiting "" 0 >/dev/null
is "republished waiting call in its queue" "$(R zscore cti:q:sales hA/40)" 1000
L calls hA hA/12 hA/40 >/dev/null
is "calls: hA/20 not listed is dropped, 12 and 40 kept" "$(R smembers cti:calls:hA | sort | tr '\n' ' ')" "hA/12 hA/40 "

# Atomicity: 40 ready agents, three clients enqueue 30 calls each at once: 40 deliveries to 40 different agents.
R flushall >/dev/null
L hello hA 60000 e1 >/dev/null
L queue hA q 0 longest-idle 20000 0 0 "" 0 "" "" >/dev/null
for i in $(seq 40); do L agent hA "r$i" "40$i" "" 1 0 "$i" "" 0 >/dev/null; done
for h in h1 h2 h3; do (L hello $h 60000 e1 >/dev/null; for i in $(seq 30); do L enqueue $h "$i" q 0 0 >/dev/null; done) & done
wait
is "40 deliveries" "$(R xrange cti:events - + | grep -cx deliver)" 40
is "to 40 different agents" "$(R xrange cti:events - + | grep -A1 -x agent | grep -v -e '^agent$' -e '^--$' | sort | uniq | grep -c '^r')" 40
is "50 calls still waiting, nobody ready" "$(R zcard cti:q:q)/$(R zcard cti:ready)" "50/0"
echo "1..$n"
