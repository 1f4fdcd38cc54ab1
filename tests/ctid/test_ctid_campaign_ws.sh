#!/bin/bash
# test_ctid_campaign_ws.sh BUILD_DIR - campaigns through the WebSocket interface (start, pause, resume,
# snapshot, progress events, preview mode), tests/ctid/test_ctid_campaign_ws.py against ctid in real time.
B=${1:-build/std}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
exec /usr/bin/python3 "$(dirname "$0")/test_ctid_campaign_ws.py" "$PWD/$B/server/ctid/ctid" "$T"
