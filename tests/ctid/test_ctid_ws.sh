#!/bin/bash
# test_ctid_ws.sh BUILD_DIR - ctid's WebSocket interface driven by a real client
# (tests/ctid/test_ctid_ws.py, python3-websockets) against ctid on the emulated board.
B=${1:-build/std}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ulimit -n 4096 2>/dev/null	# 1000 client connections on each side
exec /usr/bin/python3 "$(dirname "$0")/test_ctid_ws.py" "$PWD/$B/server/ctid/ctid" "$T"
