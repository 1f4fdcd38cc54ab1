#!/bin/bash
# tests/core/tshark-test.sh BUILD_DIR - a test call's D-channel pcap decoded
# by tshark (LAPD + Q.931): the Q.931 messages of a whole call, in order.
set -u
B=${1:-build/std}
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fail=1; echo "not ok $n - $*"; }

if ! command -v tshark >/dev/null; then
	echo "ok 1 - # SKIP tshark not installed"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if "$B/tests/core/pcap_call" "$tmp/call.pcap"; then ok "test call captured"; else notok "test call captured"; exit 1; fi

# One tshark pass: protocol stack, message type, called number, cause, LAPD direction per Q.931 frame.
tshark -r "$tmp/call.pcap" -Y q931 -T fields -E separator='|' -e frame.protocols -e q931.message_type \
	-e q931.called_party_number.digits -e q931.cause_value -e lapd.direction >"$tmp/fields" 2>/dev/null
protos=$(head -1 "$tmp/fields" | cut -d'|' -f1)
case $protos in *lapd*q931*) ok "tshark decodes LAPD + Q.931 ($protos)";; *) notok "protocols '$protos'";; esac
msgs=$(cut -d'|' -f2 "$tmp/fields" | tr '\n' ' ')
echo "# q931.message_type: $msgs"
# SETUP 0x05, CALL PROCEEDING 0x02, ALERTING 0x01, CONNECT 0x07, CONNECT ACK 0x0f, DISCONNECT 0x45,
# RELEASE 0x4d, RELEASE COMPLETE 0x5a: each twice (sent by one span, received by the other).
for m in 0x05 0x02 0x01 0x07 0x0f 0x45 0x4d 0x5a; do
	c=$(tr ' ' '\n' <<<"$msgs" | grep -cix "$m")
	if [[ $c -eq 2 ]]; then ok "message $m seen twice (tx + rx)"; else notok "message $m seen $c times"; fi
done
order=$(tr ' ' '\n' <<<"$msgs" | awk 'NF && !seen[$0]++' | tr '\n' ' ')
if [[ $order == "0x05 0x02 0x01 0x07 0x0f 0x45 0x4d 0x5a " ]]; then ok "call order SETUP..RELEASE COMPLETE"; else notok "order: $order"; fi
called=$(awk -F'|' '$2=="0x05"{print $3; exit}' "$tmp/fields")
if [[ $called == 4930123456 ]]; then ok "called number decoded ($called)"; else notok "called number '$called'"; fi
cause=$(awk -F'|' '$2=="0x45"{print $4; exit}' "$tmp/fields")
if [[ $cause == 16 ]]; then ok "DISCONNECT cause 16"; else notok "DISCONNECT cause '$cause'"; fi
dirs=$(cut -d'|' -f5 "$tmp/fields" | sort -u | tr '\n' ' ')
if [[ $dirs == "0 1 " ]]; then ok "both directions (pseudo header packet type) decoded"; else notok "directions '$dirs'"; fi
exit $fail
