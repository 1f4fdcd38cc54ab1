#!/bin/bash
# tests/suppl/tshark-suppl.sh BUILD_DIR - the supplementary services of test_suppl
# as tshark decodes them from the D-channel pcaps (LAPD + Q.931 + Q.932 ROSE):
# HOLD/RETRIEVE and their acknowledgements, the ECT, 2BCT and rerouting invoke
# components with their operation codes, the network's returnError on a refused
# ECT, keypad facility and display IEs, QSIG message waiting. Each frame is captured twice (sent by one
# span of the sim board, received by the other).
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
if SUPPL_PCAP_DIR=$tmp "$B/tests/suppl/test_suppl" >"$tmp/log" 2>&1; then
	ok "test_suppl ran with captures"
else
	notok "test_suppl failed"; sed 's/^/# /' "$tmp/log"; exit 1
fi

# dir|message type|ROSE local opcode|ROSE global opcode|invoke|returnResult|returnError|keypad|display
fields() {
	tshark -r "$tmp/$1.pcap" -Y q931 -T fields -E separator='|' -e lapd.direction -e q931.message_type \
		-e q932.ros.local -e q932.ros.global -e q932.ros.invoke_element -e q932.ros.returnResult_element \
		-e q932.ros.returnError_element -e q931.keypad_facility -e q931.display_information 2>/dev/null
}
# count FILE AWK-CONDITION: frames matching
count() { fields "$1" | awk -F'|' "$2 { c++ } END { print c + 0 }"; }
expect() {	# DESC FILE CONDITION WANT
	local c
	c=$(count "$2" "$3")
	if [[ $c -eq $4 ]]; then ok "$1 ($c frames)"; else notok "$1: $c frames, expected $4"; fi
}

# Hold/retrieve (Q.931 message types HOLD 0x24, HOLD ACK 0x28, RETRIEVE 0x31, RETRIEVE ACK 0x33)
# (the test holds twice: once to retrieve, once to hang up while held)
expect "hold: HOLD from the user" hold '$2=="0x24" && $1=="0"' 4
expect "hold: HOLD ACKNOWLEDGE from the network" hold '$2=="0x28" && $1=="1"' 4
expect "hold: RETRIEVE from the user" hold '$2=="0x31" && $1=="0"' 2
expect "hold: RETRIEVE ACKNOWLEDGE from the network" hold '$2=="0x33" && $1=="1"' 2
order=$(fields hold | awk -F'|' '$2 ~ /0x24|0x28|0x31|0x33/ && !s[$2]++ { printf "%s ", $2 }')
[[ $order == "0x24 0x28 0x31 0x33 " ]] && ok "hold: order HOLD, ACK, RETRIEVE, ACK" || notok "hold order '$order'"
# ECT (EN 300 369): EctLinkIdRequest {0 4 0 369 1 4} invoke + result, ExplicitEctExecute {... 1 1} invoke
expect "ECT: EctLinkIdRequest invoke in FACILITY from the user" ect '$2=="0x62" && $1=="0" && $4=="0.4.0.369.1.4" && $5=="1"' 2
expect "ECT: EctLinkIdRequest result from the network" ect '$2=="0x62" && $1=="1" && $4=="0.4.0.369.1.4" && $6=="1"' 2
expect "ECT: ExplicitEctExecute invoke from the user" ect '$2=="0x62" && $1=="0" && $4=="0.4.0.369.1.1" && $5=="1"' 2
expect "ECT: both legs cleared by the network (DISCONNECT)" ect '$2=="0x45" && $1=="1"' 4
expect "ECT refused: returnError from the network" ect-refused '$2=="0x62" && $1=="1" && $7=="1"' 2
# the calls stay up: nothing is cleared between the refusal and the end of the test (cti_close)
expect "ECT refused: no clearing before the refusal" ect-refused '$7=="1" { e = 1 } $2=="0x45" && !e' 0
# 2BCT: NI2 InitiateTransfer {1 2 840 10005 0 8} invoke, then the network clears both legs
expect "2BCT: InitiateTransfer invoke from the user" 2bct '$2=="0x62" && $1=="0" && $4=="1.2.840.10005.0.8" && $5=="1"' 2
expect "2BCT: both legs cleared by the network" 2bct '$2=="0x45" && $1=="1"' 4
# Rerouting: ETSI CallRerouting local opcode 14, QSIG CallRerouting 19
expect "deflect: ETSI CallRerouting invoke (opcode 14)" deflect '$2=="0x62" && $1=="0" && $3=="14" && $5=="1"' 2
expect "deflect: call cleared by the network" deflect '$2=="0x45" && $1=="1"' 2
expect "deflect QSIG: CallRerouting invoke (opcode 19)" deflect-qsig '$2=="0x62" && $3=="19" && $5=="1"' 2
# Keypad facility and display in INFORMATION (0x7b)
expect "keypad: INFORMATION with keypad *21# from the user" keypad '$2=="0x7b" && $1=="0" && $8=="*21#"' 2
expect "display: INFORMATION with display text from the network" keypad '$2=="0x7b" && $1=="1" && $9=="Queue position 3"' 2
# Advice of charge (ETSI local opcodes AOCSCurrency 31, AOCDCurrency 33, AOCDChargingUnit 34, AOCEChargingUnit 36)
expect "AOC-S rates (per minute, flat) in FACILITY from the network" aoc '$2=="0x62" && $1=="1" && $3=="31" && $5=="1"' 4
expect "AOC-D charging units in FACILITY from the network" aoc '$2=="0x62" && $1=="1" && $3=="34" && $5=="1"' 2
expect "AOC-D currency in FACILITY from the network" aoc '$2=="0x62" && $1=="1" && $3=="33" && $5=="1"' 2
expect "AOC-E charging units in the DISCONNECT" aoc '$2=="0x45" && $1=="1" && $3=="36" && $5=="1"' 2
# User-user information (IA5) in SETUP, ALERTING and DISCONNECT
uui=$(tshark -r "$tmp/uui.pcap" -Y q931.user.string -T fields -E separator='|' -e lapd.direction -e q931.message_type \
	-e q931.user.string 2>/dev/null | awk '!s[$0]++' | tr '\n' ' ')
[[ $uui == "0|0x05|ACCT 4711 1|0x01|agent 12 ringing 1|0x45|bye " ]] && ok "UUI in SETUP, ALERTING, DISCONNECT" \
	|| notok "UUI frames: '$uui'"
# DMS100 RLT (libcti's network side answers what libpri's does not; tshark shows the DMS100 facility only as bytes):
# RLT_OperationInd invoke (11 be a1 .. 02 01 01 02 01 01) in the user's SETUP, the returnResult with the call id
# in the network's CALL PROCEEDING, RLT_ThirdParty invoke (id 2, op 2) in the user's FACILITY, both legs cleared.
rlt() { tshark -r "$tmp/rlt.pcap" -Y "$1" 2>/dev/null | wc -l; }
want() { if [[ $2 -eq $3 ]]; then ok "$1 ($2 frames)"; else notok "$1: $2 frames, expected $3"; fi; }
want "RLT: RLT_OperationInd invoke in the user's SETUP" \
	"$(rlt 'q931.message_type==0x05 && lapd.direction==0 && frame contains 11:be:a1:06:02:01:01:02:01:01')" 2
want "RLT: call id (returnResult) in the network's CALL PROCEEDING" \
	"$(rlt 'q931.message_type==0x02 && lapd.direction==1 && frame contains 11:be:a2:0c:02:01:01:30:07:02:01:01:80:02')" 2
want "RLT: RLT_ThirdParty invoke in a FACILITY from the user" \
	"$(rlt 'q931.message_type==0x62 && lapd.direction==0 && frame contains 11:be:a1:0e:02:01:02:02:01:02:30')" 2
want "RLT: both legs cleared by the network" "$(rlt 'q931.message_type==0x45 && lapd.direction==1')" 4

# Message waiting (QSIG, ECMA-242): MWIActivate (local opcode 80) / MWIDeactivate (81) invoke in the SETUP of a
# call-independent connection (channel id "D-channel indicated"). tshark 4.0's QSIG dissector names 80/81 after
# QSIG-MCM (mCMNewMsg/mCMNoNewMsg: the same opcodes); the servedUserNr it decodes is the mailbox.
# test_suppl sends 1 activate (net), 1 deactivate (user), 16 alternating from deactivate, 1 activate.
mwi() {
	tshark -r "$tmp/mwi.pcap" -Y q931 -T fields -E separator='|' -e lapd.direction -e q931.message_type \
		-e qsig.operation -e qsig.unknownPartyNumber -e q931.calling_party_number.digits \
		-e q931.channel.dchan -e q931.cause_value 2>/dev/null
}
mc() { mwi | awk -F'|' "$1 { c++ } END { print c + 0 }"; }
expect_mwi() { local c; c=$(mc "$2"); if [[ $c -eq $3 ]]; then ok "$1 ($c frames)"; else notok "$1: $c frames, expected $3"; fi; }
expect_mwi "MWI: activate for 2001 from centre 8000 by the network side, D-channel only" \
	'$1=="1" && $2=="0x05" && $3=="80" && $4=="2001" && $5=="8000" && $6=="1"' 2
expect_mwi "MWI: deactivate for 31# from the user side, no calling number" \
	'$1=="0" && $2=="0x05" && $3=="81" && $4=="31#" && $5=="" && $6=="1"' 2
expect_mwi "MWI: 10 activates in SETUP" '$2=="0x05" && $3=="80"' 20
expect_mwi "MWI: 9 deactivates in SETUP" '$2=="0x05" && $3=="81"' 18
expect_mwi "MWI: every SETUP is signalling only (D-channel indicated)" '$2=="0x05" && $6!="1"' 0
boxes=$(mwi | awk -F'|' '$2=="0x05" && $4 ~ /^30/ && !s[$4]++ { printf "%s ", $4 }')
[[ $boxes == "$(seq -s ' ' 3000 3015) " ]] && ok "MWI: mailboxes 3000-3015 sent in order" || notok "MWI mailboxes: '$boxes'"
expect_mwi "MWI: libpri's receiving side answers RELEASE COMPLETE cause 69 to each" '$2=="0x5a" && $7=="69"' 38
expect_mwi "MWI: no CONNECT, no call" '$2=="0x07" || $2=="0x01"' 0
exit $fail
