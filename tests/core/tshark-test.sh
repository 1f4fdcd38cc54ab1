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

linktype=$(tshark -r "$tmp/call.pcap" -T fields -e frame.protocols -c 1 2>/dev/null)
case $linktype in *lapd*) ok "tshark sees LAPD ($linktype)";; *) notok "tshark sees LAPD (got '$linktype')";; esac

# Messages as sent by span 1 (direction 'sent' in the pseudo header): the capture holds both spans' frames.
msgs=$(tshark -r "$tmp/call.pcap" -Y q931 -T fields -e q931.message_type 2>/dev/null | tr '\n' ' ')
echo "# q931.message_type: $msgs"
# Hex codes: SETUP 0x05, CALL PROCEEDING 0x02, ALERTING 0x01, CONNECT 0x07, CONNECT ACK 0x0f,
# DISCONNECT 0x45, RELEASE 0x4d, RELEASE COMPLETE 0x5a; each appears twice (sent by one span, received by the other).
for m in 0x05 0x02 0x01 0x07 0x0f 0x45 0x4d 0x5a; do
	c=$(tr ' ' '\n' <<<"$msgs" | grep -cix "$m")
	if [[ $c -eq 2 ]]; then ok "message $m seen twice (tx + rx)"; else notok "message $m seen $c times"; fi
done
order=$(tr ' ' '\n' <<<"$msgs" | awk 'NF && !seen[$0]++' | tr '\n' ' ')
if [[ $order == "0x05 0x02 0x01 0x07 0x0f 0x45 0x4d 0x5a " ]]; then ok "call order SETUP..RELEASE COMPLETE"; else notok "order: $order"; fi

names=$(tshark -r "$tmp/call.pcap" -Y q931 -V 2>/dev/null | grep -c "Message type: SETUP")
if [[ $names -ge 2 ]]; then ok "tshark names SETUP"; else notok "tshark names SETUP ($names)"; fi
called=$(tshark -r "$tmp/call.pcap" -Y 'q931.message_type == 0x05' -T fields -e q931.called_party_number.digits 2>/dev/null | head -1)
if [[ $called == 4930123456 ]]; then ok "called number decoded ($called)"; else notok "called number '$called'"; fi
cause=$(tshark -r "$tmp/call.pcap" -Y 'q931.message_type == 0x45' -T fields -e q931.cause_value 2>/dev/null | head -1)
if [[ $cause == 16 ]]; then ok "DISCONNECT cause 16"; else notok "DISCONNECT cause '$cause'"; fi
dirs=$(tshark -r "$tmp/call.pcap" -T fields -e lapd.direction 2>/dev/null | sort -u | tr '\n' ' ')
echo "# lapd.direction values: $dirs"
exit $fail
