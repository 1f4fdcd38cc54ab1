#!/bin/bash
# test_cluster_equiv.sh BUILD_DIR - the cluster ACD (cluster.c + cluster.lua on a redis-server the
# test starts, two hosts) decides every delivery exactly as the embedded engine (acd.c) does, on
# random scenarios (test_cluster_equiv: skills with levels, best skill, priorities, VIP, answer,
# no answer, abandon, end); three seeds.
set -u
B=${1:-build/std}
cd "$(dirname "$0")/../.."
. tests/cluster/lib.sh
need_redis
T=$(mktemp -d)
P=$(free_port)
trap 'stop_redis $P; rm -rf "$T"' EXIT
start_redis "$T" "$P" || { echo "not ok 1 - redis-server did not start"; echo "1..1"; exit 1; }
total=0
for seed in 1 2 3; do
	redis-cli -p "$P" flushall >/dev/null
	out=$("$B/tests/cluster/test_cluster_equiv" "$P" "$seed" 300 2>&1)
	rc=$?
	# renumber the program's TAP lines into this script's sequence
	while IFS= read -r line; do
		if [[ $line =~ ^(not\ )?ok\ [0-9]+\ -\ (.*)$ ]]; then
			if [[ -n ${BASH_REMATCH[1]} ]]; then not_ok "${BASH_REMATCH[2]}"; else ok "${BASH_REMATCH[2]}"; fi
		else
			echo "# $line"
		fi
	done <<<"$out"
	check "seed $seed: test_cluster_equiv exit 0 (got $rc)" test $rc -eq 0
done
echo "1..$n"
