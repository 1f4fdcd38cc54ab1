#!/bin/bash
# bench_cluster.sh BUILD_DIR - the cluster ACD through a real redis-server (make bench):
# 3 hosts x 100 agents, 3 x 3000 calls, each queued, delivered through the stream, answered and
# ended as fast as the ACD allows (bench_cluster). Prints Redis operations per call (round trips of
# a host, Redis commands inside the scripts), Redis CPU per call, and calls/s across the 3 hosts.
# Targets: the paper model of docs/scale.md (200,000 calls a day, peak factor 10 = 23 calls/s;
# 1000 agents: a 10x margin would be 230 calls/s).
set -u
B=${1:-build/std}
cd "$(dirname "$0")/../.."
. tests/cluster/lib.sh
if ! command -v redis-server >/dev/null; then echo "bench_cluster: no redis-server (make deps)"; exit 1; fi
T=$(mktemp -d)
P=$(free_port)
trap 'stop_redis $P; rm -rf "$T"' EXIT
start_redis "$T" "$P" || { echo "bench_cluster: redis-server did not start"; exit 1; }
HOSTS=3 AGENTS=${BENCH_CLUSTER_AGENTS:-100} CALLS=${BENCH_CLUSTER_CALLS:-3000}
cpu() { redis-cli -p "$P" info cpu | awk -F: '/^used_cpu_(sys|user):/ { s += $2 } END { printf "%.3f", s }'; }
cmds() { redis-cli -p "$P" info stats | awk -F: '/^total_commands_processed:/ { print $2 + 0 }'; }
cpu0=$(cpu)
cmd0=$(cmds)
out=$("$B/tests/cluster/bench_cluster" "$P" $HOSTS $AGENTS "$CALLS") || { echo "$out"; echo "bench_cluster failed"; exit 1; }
echo "$out"
cpu1=$(cpu)
cmd1=$(cmds)
# commands executed inside scripts are counted per command in commandstats (not in total_commands_processed)
inner=$(redis-cli -p "$P" info commandstats | awk -F'[:=,]' '!/evalsha|xread|script|info|ping|xrevrange/ && /^cmdstat_/ { s += $3 } END { print s + 0 }')
awk -v cpu="$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { print b - a }')" -v cmds=$((cmd1 - cmd0)) -v inner="$inner" '
	{ calls += $4; if ($6 > secs) secs = $6; ops += $8 }
	END {
		printf "calls %d in %.2f s (slowest host), round trips %d, Redis commands %d (+%d inside scripts), Redis CPU %.2f s\n",
			calls, secs, ops, cmds, inner, cpu
		printf "BENCH cluster_calls_per_s_3_hosts %.0f calls/s 230 higher\n", calls / secs
		printf "BENCH cluster_round_trips_per_call %.2f ops 10 lower\n", ops / calls
		printf "BENCH cluster_redis_cmds_in_scripts_per_call %.0f cmds 200 lower\n", inner / calls
		printf "BENCH cluster_redis_cpu_per_call %.0f us 4000 lower\n", cpu * 1e6 / calls
	}' <<<"$out"
