#!/bin/bash
# test_cti_suppl.sh BUILD_DIR - `cti hold`, `cti transfer` and `cti mwi` on the emulated board (--sim):
# what each switch type supports, the B-channels freed, refusals naming the switch type,
# --json parsed, bad arguments exit 2.
source "$(dirname "$0")/../tools/lib.sh"

for c in hold transfer mwi; do
	run --sim "$c" --help
	if [[ $RC -eq 0 && $OUT == "Usage: cti [GLOBAL OPTIONS] $c"* ]]; then ok "cti $c --help"; else not_ok "cti $c --help (exit $RC)"; fi
done

# ---- hold ----
run --sim --json hold 100 --seconds 1
expect "hold on EuroISDN E1 passes" 0
check "hold: acknowledged, channel free while held, retrieved on a channel" \
	'J[0]["supported"] and J[0]["held"] and J[0]["channel_freed"] and J[0]["retrieved_channel"] > 0 and J[0]["pass"]'
run --sim hold 100
[[ $OUT == *"hold: acknowledged, channel 1 free while held"* && $OUT == *"retrieve: acknowledged on channel"* && $OUT == *"result: PASS"* ]] \
	&& ok "hold: human output" || not_ok "hold: human output (got: $OUT)"
for sw in ni2 dms100 5ess qsig; do
	run --sim --line t1 --switch $sw --json hold 100
	expect "hold on $sw: exit 1 (not supported)" 1
	check "hold on $sw: refused naming the switch type" "not J[0][\"supported\"] and not J[0][\"held\"] and \"$sw\" in J[0][\"error\"]"
done

# ---- transfer ----
run --sim --json transfer 100 200
expect "ECT consultative passes" 0
check "ECT consultative: first call held, transferred, no B-channel busy after" \
	'J[0]["method"] == "ECT" and J[0]["held"] and J[0]["transferred"] and J[0]["busy_before"] == 1 and J[0]["busy_after"] == 0'
run --sim --json transfer 100 200 --blind
check "ECT blind: transferred while ringing, 2 channels freed" \
	'J[0]["blind"] and J[0]["transferred"] and J[0]["busy_before"] == 2 and J[0]["busy_after"] == 0'
for sw in ni2 5ess 4ess; do
	run --sim --line t1 --switch $sw --json transfer 100 200
	expect "2BCT on $sw passes" 0
	check "2BCT on $sw: both B-channels freed" \
		'J[0]["method"] == "2BCT" and J[0]["transferred"] and J[0]["busy_before"] == 2 and J[0]["busy_after"] == 0'
done
run --sim --switch qsig --json transfer 100 200
expect "QSIG transfer passes" 0
check "QSIG: joined here, both channels stay busy" 'J[0]["method"] == "QSIG" and J[0]["transferred"] and J[0]["busy_after"] == 2'
run --sim --line t1 --switch dms100 --json transfer 100 200
expect "RLT on dms100 passes (the emulated network gives the RLT call id)" 0
check "RLT on dms100: both B-channels freed" 'J[0]["method"] == "RLT" and J[0]["transferred"] and J[0]["busy_before"] == 2 and J[0]["busy_after"] == 0'
run --sim --line t1 --switch ni1 transfer 100 200
expect "ni1 transfer: exit 1" 1
[[ $OUT == *"switch type ni1 has no call transfer"* ]] && ok "ni1: message names the switch type" || not_ok "ni1 message (got: $OUT)"

# ---- message waiting (QSIG) ----
run --sim --switch qsig --json mwi 2001 on --centre 8000
expect "mwi on QSIG passes" 0
check "mwi on: sent on sim2, the far span received it for 2001 from 8000, libpri cleared with 69" \
	'J[0]["span"] == 2 and J[0]["supported"] and J[0]["answered"] and J[0]["cause"] == 69 and J[0]["received"] and J[0]["received_active"] and J[0]["received_mailbox"] == "2001" and J[0]["received_centre"] == "8000" and J[0]["pass"]'
run --sim --switch qsig --json mwi 2001 off --span sim1
check "mwi off from sim1: received as off, no centre" \
	'J[0]["span"] == 1 and not J[0]["active"] and J[0]["received"] and not J[0]["received_active"] and J[0]["received_centre"] == ""'
run --sim --switch qsig mwi 31# on
[[ $RC -eq 0 && $OUT == *"far end: cleared with cause 69"* && $OUT == *"far span received: on for 31#"* && $OUT == *"result: PASS"* ]] \
	&& ok "mwi: human output" || not_ok "mwi: human output (exit $RC, got: $OUT)"
for sw in euroisdn ni2 dms100; do
	run --sim --line t1 --switch $sw --json mwi 2001 on
	expect "mwi on $sw: exit 1 (not supported)" 1
	check "mwi on $sw: refused naming the switch type" "not J[0][\"supported\"] and not J[0][\"received\"] and \"$sw\" in J[0][\"error\"]"
done
run --sim --switch qsig mwi 20x1 on
[[ $RC -eq 2 && $ERR == *"mailbox '20x1': digits 0-9 * # only"* ]] && ok "mwi bad mailbox: exit 2" || not_ok "mwi bad mailbox (exit $RC, $ERR)"
run --sim --switch qsig mwi 2001 maybe
[[ $RC -eq 2 && $ERR == *"state 'maybe' unknown (accepted: off, on)"* ]] && ok "mwi bad state: exit 2" || not_ok "mwi bad state (exit $RC, $ERR)"
run --sim --switch qsig mwi 2001 on --centre 8-0
[[ $RC -eq 2 && $ERR == *"--centre '8-0'"* ]] && ok "mwi bad --centre: exit 2" || not_ok "mwi bad --centre (exit $RC, $ERR)"
run --sim --switch qsig mwi 2001 on --span sim9
[[ $RC -eq 2 && $ERR == *"no span 'sim9'"* ]] && ok "mwi unknown span: exit 2" || not_ok "mwi unknown span (exit $RC, $ERR)"

# ---- arguments ----
run --sim transfer 100
[[ $RC -eq 2 && $ERR == *"expected NUMBER1 NUMBER2"* ]] && ok "transfer with one number: exit 2" || not_ok "transfer one number (exit $RC, $ERR)"
run --sim hold 12x
[[ $RC -eq 2 && $ERR == *"number '12x': digits 0-9 * # only"* ]] && ok "hold bad number: exit 2" || not_ok "hold bad number (exit $RC, $ERR)"
run --sim hold 100 --blind
[[ $RC -eq 2 && $ERR == *"--blind: only for cti transfer"* ]] && ok "hold --blind: exit 2" || not_ok "hold --blind (exit $RC, $ERR)"
done_testing
