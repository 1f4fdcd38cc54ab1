#!/bin/bash
# test_ctid_supervise.sh BUILD_DIR - supervisors' listen/whisper/barge, on-demand recording and queue
# announcements in ctid (tests/ctid/test_ctid_supervise.py, python3-websockets) on the emulated board.
B=${1:-build/std}
T=$(mktemp -d)
trap '[ -n "$KEEP" ] || rm -rf "$T"' EXIT
exec /usr/bin/python3 "$(dirname "$0")/test_ctid_supervise.py" "$PWD/$B/server/ctid/ctid" "$T"
