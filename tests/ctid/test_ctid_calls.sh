#!/bin/bash
# test_ctid_calls.sh BUILD_DIR - ctid's call control commands (AnswerCall, MakeCall, ConsultationCall,
# TransferCall, ConferenceCall, ReconnectCall, network hold) driven by a real WebSocket client
# (tests/ctid/test_ctid_calls.py, python3-websockets) against ctid on the emulated board.
B=${1:-build/std}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
exec /usr/bin/python3 "$(dirname "$0")/test_ctid_calls.py" "$PWD/$B/server/ctid/ctid" "$T"
