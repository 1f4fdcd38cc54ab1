# tests/cluster/lib.sh - shared by the cluster tests: TAP output, a redis-server of the test's own.
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
# is WHAT GOT WANT
is() { if [[ "$2" == "$3" ]]; then ok "$1"; else not_ok "$1 (got '$2', want '$3')"; fi; }

need_redis() {
	if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
		echo "ok 1 # SKIP no redis-server / redis-cli (redis-server package; make deps)"
		echo "1..1"
		exit 0
	fi
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_redis DIR PORT: no persistence (a restart loses everything, the hard case for reconcile).
start_redis() {
	redis-server --port "$2" --bind 127.0.0.1 --save "" --appendonly no --dir "$1" \
		--logfile "$1/redis-$2.log" --daemonize yes --pidfile "$1/redis.pid" >/dev/null
	local i
	for i in $(seq 50); do
		redis-cli -p "$2" ping 2>/dev/null | grep -q PONG && return 0
		sleep 0.1
	done
	return 1
}

stop_redis() { redis-cli -p "$1" shutdown nosave >/dev/null 2>&1; sleep 0.2; }

# wait_for SECONDS CMD...: poll until CMD succeeds
wait_for() {
	local t=$1
	shift
	local end=$((SECONDS + t))
	while ((SECONDS <= end)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
