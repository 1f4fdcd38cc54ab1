#!/bin/bash
# test_cti_sim.sh BUILD_DIR - `cti` line tests on the emulated board (--sim, virtual time):
# status, alarms following cable faults, loopbacks, loop codes, injection counters, BERT
# (clean, through a loop, and measuring an injected BER), slips, test calls, trace; --json parsed.
source "$(dirname "$0")/lib.sh"

# ---- status on a healthy trunk ----
run --sim --json status
expect "status: healthy trunk exits 0" 0
check "status --json: two spans sim1/sim2, no alarm, D-channel up" \
	'len(J[0]["spans"]) == 2 and [s["name"] for s in J[0]["spans"]] == ["sim1", "sim2"] and all(s["alarms"] == [] and s["dchan_up"] for s in J[0]["spans"])'
check "status --json: E1 crc4/hdb3, 31 channels, D-channel on 16" \
	'all(s["line"] == "E1" and s["framing"] == "crc4" and s["coding"] == "hdb3" and s["nchannels"] == 31 and s["channels"][15] == "D" and len(s["channels"]) == 31 for s in J[0]["spans"])'
check "status --json: exactly one timing source (the user side, sim2)" \
	'[s["timing_source"] for s in J[0]["spans"]] == [False, True]'
run --sim status sim1
expect "status (human) exits 0" 0
[[ $OUT == *"alarms: OK"* && $OUT == *"D-channel: up"* ]] && ok "status human output shows alarms OK and D-channel up" || not_ok "status human output (got: $OUT)"
run --sim --ports 4 --json status
check "--ports 4: four spans" 'len(J[0]["spans"]) == 4'
run --sim --line t1 --json status
check "--line t1: T1 esf/b8zs, 24 channels, D-channel on 24" \
	'all(s["line"] == "T1" and s["framing"] == "esf" and s["coding"] == "b8zs" and s["nchannels"] == 24 and s["channels"][23] == "D" for s in J[0]["spans"])'
run --sim --json status --watch --count 3 --interval 2
check "status --watch --count 3: three refreshes 2 s apart" 'len(J) == 3 and abs(J[2]["time"] - J[0]["time"] - 4.0) < 0.01'

# ---- alarms follow cable faults ----
batch $'cable cut 1\nwait 4\nstatus sim1 sim2' --json --force
check "cable cut: both ends RED with LOS" \
	'all("RED" in s["alarms"] and "LOS" in s["alarms"] for s in J[-1]["spans"])'
batch $'cable cut 1 --rx\nwait 4\nstatus sim1 sim2' --json --force
check "broken receive pair at port 1: sim1 RED/LOS, sim2 YELLOW only" \
	'"RED" in J[-1]["spans"][0]["alarms"] and "LOS" in J[-1]["spans"][0]["alarms"] and J[-1]["spans"][1]["alarms"] == ["YELLOW"]'
batch $'cable cut 1 --rx\nwait 4\ncable clear 1\nwait 10\nstatus' --json
expect "cable clear: alarms clear again (status exits 0)" 0
check "cable clear: no alarm, D-channel back up" 'all(s["alarms"] == [] and s["dchan_up"] for s in J[-1]["spans"])'
batch $'cable ais 2 on\nwait 4\nstatus' --json --force
check "AIS arriving at port 2: sim2 BLUE" '"BLUE" in J[-1]["spans"][1]["alarms"] and "RED" not in J[-1]["spans"][1]["alarms"]'
run --sim --json --batch - <<<$'cable cut 1\nwait 4\nstatus'
expect "status exits 1 when a span is in alarm" 1

# ---- cable show ----
run --sim --json cable show
check "cable show: port 1 <-> 2, no faults" 'J[0]["ports"][0]["peer"] == 2 and J[0]["ports"][1]["peer"] == 1 and J[0]["ports"][0]["faults"]["ber"] == 0'
batch $'cable ber 1 1e-5\ncable ppm 2 50\ncable show' --json
check "cable ber/ppm shown on the port they arrive at" 'J[-1]["ports"][0]["faults"]["ber"] == 1e-5 and J[-1]["ports"][1]["faults"]["ppm"] == 50'
batch $'cable connect 1 1\ncable show' --json
check "cable connect 1 1: a loop plug" 'J[-1]["ports"][0]["peer"] == 1 and J[-1]["ports"][1]["peer"] == 0'

# ---- loopbacks ----
batch $'loop sim2 line\nstatus sim2' --json
check "loop line: status shows loopback line" 'J[0]["loopback"] == "line" and J[-1]["spans"][0]["loopback"] == "line"'
batch $'loop sim2 payload\nloop sim2 off\nstatus sim2' --json
check "loop off: back to none" 'J[-1]["spans"][0]["loopback"] == "none"'
batch $'loop sim2 line\nbert sim1 --duration 5' --json
expect "BERT through a far-end line loop passes" 0
check "BERT via loop: far mode loop, sync, bits counted, no errors" \
	'J[-1]["far"] == "loop" and J[-1]["result"]["sync"] and J[-1]["result"]["bits"] > 0 and J[-1]["result"]["errors"] == 0'
batch $'loop sim1 local\nbert sim1 --far none --duration 3' --json
expect "BERT on a local loopback passes" 0

run --sim --line t1 --json bert sim1 --duration 3
check "T1 BERT: QRSS by default on the 23 B-channels, in sync, no errors" \
	'J[0]["pattern"] == "qrss" and J[0]["slots"] == "1-23" and J[0]["result"]["sync"] and J[0]["result"]["errors"] == 0 and J[0]["result"]["bits"] == 3 * 23 * 64000'

# ---- T1 loop codes ----
run --sim --line t1 --json loop sim1 up
expect "T1 loop-up code: the far end enters line loopback" 0
check "loop up --json: far_loopback line" 'J[0]["far_loopback"] == "line" and J[0]["followed"]'
batch $'loop sim1 up\nloop sim1 down' --line t1 --json
expect "T1 loop-down code: the far end leaves loopback" 0
check "loop down --json: far_loopback none" 'J[-1]["far_loopback"] == "none"'
run --sim loop sim1 up
[[ $RC -eq 3 && $ERR == *"T1 only"* ]] && ok "loop codes on E1 refused: T1 only" || not_ok "loop codes on E1 refused (exit $RC: $ERR)"

# ---- injection counters ----
for k in fas crc bpv; do
	run --sim --json inject sim1 $k --count 3
	expect "inject $k --count 3: far end counted 3" 0
	check "inject $k --json: far_counted == 3" 'J[0]["far_counted"] == 3 and J[0]["far_span"] == "sim2"'
done
run --sim --json inject sim1 crc --count 4
check "CRC-4 errors come back as E-bits" 'J[0]["ebit_back"] == 4'
run --sim --json inject sim1 fas --rate 100/s --duration 2
check "inject --rate 100/s for 2 s: about 200 FAS errors counted" '190 <= J[0]["far_counted"] <= 210'
run --sim --json --batch - <<<$'status --reset\ninject sim1 bpv --count 5\nstatus --reset sim2'
check "status --reset clears the counters" 'J[-1]["spans"][0]["counters"]["bpv"] == 0'

# ---- BERT ----
run --sim --json bert sim1 --duration 5
expect "BERT against the peer BERT on a clean line passes" 0
check "BERT --json: far peer, 5 s, 1920 kbit/s worth of bits, no errors, no ES" \
	'J[0]["far"] == "peer" and J[0]["duration"] == 5 and J[0]["result"]["errors"] == 0 and J[0]["result"]["es"] == 0 and J[0]["result"]["bits"] >= 4 * 1920000 and J[0]["far_result"]["errors"] == 0'
run --sim --json bert sim1 --duration 3 --slots 1-5 --pattern 2e11
check "BERT on timeslots 1-5 counts 320 kbit/s" 'J[0]["slots"] == "1-5" and 2 * 320000 <= J[0]["result"]["bits"] <= 3 * 320000'
run --sim --json bert sim1 --duration 3 --slots unframed --pattern qrss
check "BERT unframed QRSS syncs" 'J[0]["result"]["sync"] and J[0]["slots"] == "unframed"'
batch $'cable ber 1 1e-4\nbert sim1 --duration 20 --threshold 1e-3' --json
expect "BERT with BER 1e-4 on the line passes a 1e-3 threshold" 0
check "BERT measures the injected BER 1e-4 within statistical bounds (+-20%)" \
	'0.8e-4 <= J[-1]["result"]["ber"] <= 1.2e-4 and J[-1]["far_result"]["errors"] == 0'
check "BER 1e-4: every second errored (ES 100%), none severely (SES needs 1e-3)" \
	'J[-1]["result"]["es_percent"] > 90 and J[-1]["result"]["ses"] == 0'
batch $'cable ber 1 1e-4\nbert sim1 --duration 5' --json
expect "the same line fails the default 1e-6 threshold (exit 1)" 1
batch $'cable ber 1 5e-3\nbert sim1 --duration 15 --threshold 0.5' --json
check "BER 5e-3 for 15 s: every second SES, so unavailable from the first (10 consecutive SES, G.821)" \
	'J[-1]["result"]["unavailable_seconds"] == 15 and J[-1]["result"]["available_seconds"] == 0'
batch $'cable cut 2 --rx\nbert sim1 --duration 3' --json --force
expect "BERT with no signal at the far end fails" 1

run --sim --json bert sim1 --duration 3 --insert 7
expect "bert --insert 7 against the peer: passes" 0
check "bert --insert 7: the peer's checker counts exactly 7, ours 0" \
	'J[0]["inserted"] == 7 and J[0]["inserted_counted"] and J[0]["far_result"]["errors"] == 7 and J[0]["result"]["errors"] == 0'
batch $'loop sim2 line\nbert sim1 --duration 3 --insert 4' --json
check "bert --insert 4 through a far-end loop: our checker counts exactly 4" \
	'J[-1]["far"] == "loop" and J[-1]["result"]["errors"] == 4 and J[-1]["pass"]'
run --sim inject sim1 prbs
[[ $RC -eq 3 && $ERR == *"use 'cti bert sim1 --insert N'"* ]] && ok "inject prbs without a BERT points to bert --insert" || not_ok "inject prbs without a BERT (exit $RC: $ERR)"
run --sim --progress bert sim1 --duration 2
[[ $ERR == *"BERT sim1 2e15 1-15,17-31: 2/2 s  SYNC"* ]] && ok "bert --progress: live progress line per second on stderr" || not_ok "bert --progress: live progress line (stderr: $ERR)"
[[ $OUT == *"result: PASS"* && $OUT != *$'\r'* ]] && ok "bert: the report on stdout is free of progress lines" || not_ok "bert: the report on stdout is free of progress lines"
run --sim --verbose --batch - <<<$'cable cut 1\nwait 4'
[[ $ERR == *"ms] ALARM span 1 chan 0 alarms RED LOS LOF"* && $ERR == *"ms] ALARM span 2 chan 0 alarms RED LOS LOF"* ]] && ok "--verbose: the alarm events of both spans on stderr" || not_ok "--verbose: alarm events on stderr ($ERR)"

# ---- slips ----
batch $'cable ppm 1 100\nwait 10\nstatus sim1' --json
check "100 ppm clock offset: controlled slips counted" 'J[-1]["spans"][0]["counters"]["slips"] >= 3'

# ---- calls ----
run --sim --json call 5551234
expect "test call answered by the responder" 0
check "call --json: answered, normal clearing (16)" 'J[0]["answered"] and J[0]["cause"] == 16'
run --sim --json dtmf 5551234 '123#'
expect "DTMF echo comes back" 0
check "dtmf --json: received == sent" 'J[0]["dtmf"]["received"] == "123#"'
run --sim --json call 5551234 --tone --responder milliwatt
check "milliwatt responder: rx level about 0 dBm0" 'abs(J[0]["levels"]["rx_dbm0"]) < 1.5'
run --sim --json call 5551234 --responder none --timeout 3
expect "nobody answers: call fails (exit 1)" 1
run --sim --json levels 5551234 --duration 3
check "levels: three 1 s readings; the test call (span 1 ch 1) receives the milliwatt at 0 dBm0" \
	'len([j for j in J if "calls" in j]) == 3 and all(abs(c["rx_dbm0"]) < 1.5 and c["span"] == 1 and c["channel"] == 1 for j in J if "calls" in j for c in j["calls"] if c["role"] == "test call")'
check "levels: the responder (span 2) sends it: tx 0 dBm0" \
	'all(abs(c["tx_dbm0"]) < 1.5 and c["span"] == 2 for j in J if "calls" in j for c in j["calls"] if c["role"] == "responder") and all(len(j["calls"]) == 2 for j in J if "calls" in j)'
run --sim record 5551234 "$TMP/rec.wav" --seconds 2
expect "record: test call recorded" 0
# 2 s of 8 kHz PCM16 = 32000 bytes of samples after the WAV header
size=$(stat -c %s "$TMP/rec.wav" 2>/dev/null || echo 0)
[[ $size -ge 32000 && $size -le 33000 ]] && ok "record: 2 s of 8 kHz PCM16 ($size bytes)" || not_ok "record: 2 s of 8 kHz PCM16 ($size bytes)"
freq=$(sox "$TMP/rec.wav" -n stat 2>&1 | awk '/Rough +frequency/ {print $3}')
[[ -n $freq && $freq -ge 950 && $freq -le 1050 ]] && ok "record: the milliwatt tone is in the file (~1004 Hz: $freq)" || not_ok "record: the milliwatt tone is in the file (got '$freq')"
run --sim play 5551234 "$TMP/rec.wav"
expect "play: a WAV file played to the end on a test call" 0
[[ $OUT == *"ended (eod)"* ]] && ok "play: ended by end of data" || not_ok "play: ended by end of data ($OUT)"
# Two different, inked pages (a 2292-row page at 196 dpi is 842 pt high: text stays below that).
gs -q -dNOPAUSE -dBATCH -sDEVICE=tiffg4 -r204x196 -g1728x2292 -sOutputFile="$TMP/fax.tif" \
	-c "/Helvetica findfont 40 scalefont setfont 100 700 moveto (cti fax test) show 100 300 moveto (page 1 of 2) show showpage 200 600 moveto (page 2) show 50 100 moveto (second page, other text) show showpage" >/dev/null 2>&1
# Decoded image data of every page. Not tiffcmp: spandsp writes other tags (FillOrder, DateTime, ...)
# and at the first differing tag tiffcmp skips that page's pixels yet exits 0.
pixels() { tiffinfo -d "$1" 2>/dev/null | grep '^ [0-9a-f][0-9a-f] ' | tr -d ' \n' | md5sum; }
inked_rows() { tiffinfo -d "$1" 2>/dev/null | grep '^ [0-9a-f][0-9a-f] ' | grep -cv '^[ 0]*$'; }
run --sim --json fax send 5551234 "$TMP/fax.tif" --peer-file "$TMP/fax-rx.tif"
expect "fax send: two pages to the fax responder" 0
check "fax --json: result 0, 2 pages" 'J[-1]["fax"]["result"] == 0 and J[-1]["fax"]["pages"] == 2'
[[ $(inked_rows "$TMP/fax.tif") -gt 50 ]] && ok "fax: the test document is not blank" || not_ok "fax: the test document is not blank"
[[ $(pixels "$TMP/fax.tif") == "$(pixels "$TMP/fax-rx.tif")" ]] && ok "fax: received pages pixel-identical to the sent ones" ||
	not_ok "fax: received pages pixel-identical to the sent ones"
run --sim fax send 5551234 /etc/passwd
[[ $RC -eq 2 && $ERR == *passwd* ]] && ok "fax send: a non-TIFF refused naming the file" || not_ok "fax send: a non-TIFF refused naming the file (exit $RC: $ERR)"
run --sim --json answer --timeout 2
expect "answer: no call within the timeout exits 1" 1
check "answer --json: answered 0" 'J[0]["answered"] == 0'
run --sim --json trace --duration 5 --call 5551234
check "trace: SETUP and CONNECT decoded" 'any("SETUP" in j["decode"] for j in J) and any("CONNECT" in j["decode"] for j in J)'
run --sim trace sim1 -w "$TMP/d.pcap" --duration 3 --call 1234
if [[ -s $TMP/d.pcap && $(od -An -tu4 -j20 -N4 "$TMP/d.pcap" | tr -d ' ') == 177 ]]; then
	ok "trace -w: pcap written with LINKTYPE_LINUX_LAPD"
else
	not_ok "trace -w: pcap written with LINKTYPE_LINUX_LAPD"
fi

done_testing
