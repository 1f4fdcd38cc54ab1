#!/bin/sh
# Runs inside the QEMU guest (busybox sh) as /test.sh: loads dahdi.ko and
# ctitdm.ko, configures the spans with dahdi_cfg and checks the driver.
# Prints TAP lines ("ok N - ...", "not ok N - ...", "# ...") on the console.
M=/lib/modules
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
# check DESC CMD...: ok when CMD succeeds; its output becomes diagnostics.
# run CMD...: one argument is shell code (eval'ed, so the helper functions
# and && work in it); several are a command and its arguments.
run() { if [ $# -eq 1 ]; then eval "$1"; else "$@"; fi; }
check() {
	d=$1; shift
	if ( run "$@" ) >/tmp/out 2>&1; then ok "$d"; else nok "$d"; sed 's/^/#   /' /tmp/out | tail -15; diag; fi
}
# diag: state of spans and ports after a failure
diag() {
	for s in 1 2 3 4; do [ -e /sys/bus/dahdi_spans/devices/span-$s ] && echo "#   span $s alarms $(spanalarms $s)"; done
	for p in 1 2 3 4; do [ -d $P/port$p ] && echo "#   port$p: alarms $(cat $P/port$p/alarms) defects $(cat $P/port$p/defects) sync $(cat $P/port$p/in_sync) off $(cat $P/port$p/rx_bit_offset) peer $(cat $P/port$p/peer) loop $(cat $P/port$p/loopback) lc rx $(cat $P/port$p/rx_loopcode) tx $(cat $P/port$p/tx_loopcode)"; done
}
# until_true SECONDS CMD...: retry CMD until it succeeds (guest time is slow).
until_true() {
	t=$(( $1 * 5 )); shift
	while [ $t -gt 0 ]; do
		( run "$@" ) >/dev/null 2>&1 && return 0
		sleep 0.2; t=$((t - 1))
	done
	( run "$@" )
}
# retry3 CMD...: up to 3 attempts. Through a far-end loopback the far end's
# elastic store can slip when the emulator delivers ticks in bursts (the
# batch size varies), as a real loop would on a clock hiccup.
retry3() { "$@" || { echo "# retry: $*"; "$@"; } || { echo "# retry: $*"; "$@"; }; }
P=/sys/devices/platform/ctitdm.0
spanalarms() { cat /sys/bus/dahdi_spans/devices/span-$1/alarms; }
# has_alarm SPAN BIT / no_alarm SPAN: DAHDI alarm bits from the span's sysfs
has_alarm() { [ $(( $(spanalarms $1) & $2 )) -ne 0 ]; }
no_alarm() { [ $(( $(spanalarms $1) )) -eq 0 ]; }
only_alarm() { [ $(( $(spanalarms $1) )) -eq $(( $2 )) ]; }
RECOVER=0x1; LOOPBACK=0x2; YELLOW=0x4; RED=0x8; BLUE=0x10; LOS=0x100; LFA=0x200
# scan SPAN KEY: a field of dahdi_scan's block for SPAN
scan() { dahdi_scan | awk -v s="[$1]" -v k="$2" '/^\[/{in_=($0==s)} in_ && index($0,k"=")==1 {sub(k"=","");print}'; }
# counter PORT NAME: firmware counter from sysfs
counter() { awk -v k="$2" '$1==k{print $2}' $P/port$1/counters; }
prbsval() { awk -v k="$2" '$1==k{print $2}' $P/port$1/prbs; }
spanstat() { ctitdm-test spanstat $1 | tr ' ' '\n' | awk -F= -v k="$2" '$1==k{print $2}'; }
memavail() { awk '/^MemAvailable/{print $2}' /proc/meminfo; }

echo "# guest: $(uname -r), $(nproc) cpus"
insmod $M/dahdi.ko auto_assign_spans=0 || nok "insmod dahdi.ko"
insmod $M/dahdi_echocan_mg2.ko || nok "insmod dahdi_echocan_mg2.ko"
insmod $M/echo.ko && insmod $M/dahdi_echocan_oslec.ko || nok "insmod OSLEC"
# max_catchup_ms=1000: on a starved emulator, dropping ticks would make line
# time (which alarm, loop-code and counter timing follow) lag the guest clock
check "insmod ctitdm.ko (4 ports, short alarm timing)" \
	insmod $M/ctitdm.ko ports=4 alarm_set_ms=300 rai_set_ms=300 alarm_clear_ms=300 max_catchup_ms=1000
check "platform device exposes 4 ports" test -d $P/port1 -a -d $P/port4 -a ! -e $P/port5
check "platform driver ctitdm is bound to ctitdm.0" "[ \$(basename \$(readlink $P/driver)) = ctitdm ] && [ -e /sys/bus/platform/drivers/ctitdm/ctitdm.0 ]"
check "boards cannot be unbound by hand (no bind/unbind files)" "[ -d /sys/bus/platform/drivers/ctitdm ] && [ ! -e /sys/bus/platform/drivers/ctitdm/unbind ]"
check "the DAHDI device sits under the platform device" "[ \$(basename \$(readlink -f /sys/bus/dahdi_devices/devices/platform:ctitdm.0/..)) = ctitdm.0 ]"
check "driver messages name the board's device" "dmesg | grep -q 'ctitdm ctitdm.0: 1 board(s) x 4 E1 ports'"
DEV=$(ls -d /sys/bus/dahdi_devices/devices/* | head -n 1)
ST=$DEV/spantype; [ -e $ST ] || ST=$DEV/dahdi_spantype
check "device type and hardware id" "grep -qx 'CTI E1/T1 PRI (emulated)' $DEV/type && grep -q CTIEMU $DEV/hardware_id && grep -q 'Emulated Board 0' $DEV/location"

# ---- E1 <-> T1 switch before assignment (what dahdi_span_types does) ----
echo "3:T1" > $ST; echo "4:T1" > $ST
check "spantype switched ports 3,4 to T1" "grep -qx '3:T1' $ST && grep -qx '4:T1' $ST && grep -qx '1:E1' $ST"
check "bad spantype refused" "! echo '1:J1' > $ST"
echo "1:1:1" > $DEV/assign_span; echo "2:2:32" > $DEV/assign_span
echo "3:3:63" > $DEV/assign_span; echo "4:4:87" > $DEV/assign_span
check "spans assigned" test -e /sys/bus/dahdi_spans/devices/span-4
check "span 3 has 24 channels, span 1 has 31" "[ \$(cat /sys/bus/dahdi_spans/devices/span-3/channels) = 24 ] && [ \$(cat /sys/bus/dahdi_spans/devices/span-1/channels) = 31 ]"

# ---- dahdi_cfg ----
cat >/etc/dahdi/system.conf <<EOF
span=1,1,0,ccs,hdb3,crc4
span=2,2,0,ccs,hdb3,crc4
span=3,0,0,esf,b8zs
span=4,0,0,esf,b8zs
bchan=1-15,17-31
hardhdlc=16
bchan=32-46,48-62
hardhdlc=47
bchan=63-85
hardhdlc=86
bchan=87-109
hardhdlc=110
echocanceller=mg2,1-5
echocanceller=oslec,6-10
loadzone=us
defaultzone=us
EOF
check "dahdi_cfg configures E1 and T1 spans" dahdi_cfg -vv
check "spans come up without alarms" until_true 20 "no_alarm 1 && no_alarm 2 && no_alarm 3 && no_alarm 4"
dahdi_scan >/tmp/scan; sed 's/^/#   /' /tmp/scan | grep -E '^\#   (\[|type|framing|coding|alarms|devicetype)' | head -30
check "dahdi_scan: span 1 E1 CCS/CRC4 HDB3, no alarms" "[ \"\$(scan 1 type)\" = digital-E1 ] && scan 1 framing | grep -q CCS && scan 1 framing | grep -q CRC4 && [ \"\$(scan 1 coding)\" = HDB3 ] && [ \"\$(scan 1 alarms)\" = OK ]"
check "dahdi_scan: span 3 T1 ESF B8ZS, no alarms" "[ \"\$(scan 3 type)\" = digital-T1 ] && [ \"\$(scan 3 framing)\" = ESF ] && [ \"\$(scan 3 coding)\" = B8ZS ] && [ \"\$(scan 3 alarms)\" = OK ]"
check "dahdi_scan: devicetype" "scan 1 devicetype | grep -q 'CTI E1/T1 PRI (emulated)'"
cat /proc/dahdi/1 > /tmp/proc_dahdi_1
check "firmware config follows dahdi_cfg" "grep -q '^e1 crc4 hdb3 cas=0 dchan=16 running=1' $P/port1/config && grep -q '^t1 esf b8zs cas=0 dchan=24 running=1' $P/port3/config"

# ---- data: B-channels and HDLC ----
check "E1 B-channel bytes pass unchanged (chan 1 -> 32)" ctitdm-test bchan 1 32 4000
check "E1 B-channel bytes pass unchanged (chan 62 -> 31)" ctitdm-test bchan 62 31 2000
check "T1 B-channel bytes pass unchanged (chan 63 -> 87)" ctitdm-test bchan 63 87 4000
check "E1 HDLC frames pass on the D-channel (16 -> 47)" ctitdm-test hdlc 16 47 30
check "E1 HDLC frames pass the other way (47 -> 16)" ctitdm-test hdlc 47 16 10
check "T1 HDLC frames pass on the D-channel (86 -> 110)" ctitdm-test hdlc 86 110 20
d0=$(counter 1 hdlc_tx_dropped)
check "HDLC frame longer than 1024 bytes dropped whole, next one intact" ctitdm-test hdlcbig 16 47
check "oversized frame counted in hdlc_tx_dropped" "[ \$(counter 1 hdlc_tx_dropped) -eq $((d0 + 1)) ]"
check "PRI call over E1 (EuroISDN: network on span 1, CPE on span 2)" pri-test 16 47 e1 1234
check "PRI call over T1 (NI2: network on span 3, CPE on span 4)" pri-test 86 110 t1 5678

# ---- cable faults ----
echo 0 > $P/port1/tx
check "cut pair 1->2: RED on span 2" until_true 20 has_alarm 2 $RED
check "cut pair 1->2: YELLOW on span 1" until_true 20 has_alarm 1 $YELLOW
check "cut pair: span 2 reports LOS" has_alarm 2 $LOS
check "dahdi_scan shows RED/YELLOW" "scan 2 alarms | grep -q RED && scan 1 alarms | grep -q YEL"
echo 1 > $P/port1/tx
check "pair restored: alarms clear" until_true 20 "no_alarm 1 && no_alarm 2"
echo 1 > $P/port2/ais
check "AIS towards port 2: BLUE on span 2" until_true 20 has_alarm 2 $BLUE
check "AIS: span 1 gets YELLOW" until_true 20 has_alarm 1 $YELLOW
echo 0 > $P/port2/ais
check "AIS removed: alarms clear" until_true 20 "no_alarm 1 && no_alarm 2"
echo 0 > $P/port1/peer
check "cable cut (peer=0): RED on both spans" until_true 20 "has_alarm 1 $RED && has_alarm 2 $RED"
check "cable cut: peer reads 0" grep -qx 0 $P/port1/peer
echo 2 > $P/port1/peer
check "cable reconnected: peer 2, alarms clear" until_true 20 "grep -qx 2 $P/port1/peer && grep -qx 1 $P/port2/peer && no_alarm 1 && no_alarm 2"

# ---- sysfs validation ----
for a in "peer 9" "peer x" "tx 2" "ais maybe" "ber 2e0" "ber 2000000000000" "ber 1e-x" "ber -1" "ppm 1001" "ppm -2000" "bit_delay 70000" "burst -1"; do
	set -- $a
	if echo "$2" > $P/port1/$1 2>/dev/null; then nok "sysfs $1='$2' refused"; else ok "sysfs $1='$2' refused"; fi
done
check "refusal is logged naming device, attribute and value" "dmesg | grep -q \"ctitdm ctitdm.0: port1/ppm: invalid value '1001'\""
echo 1e-5 > $P/port2/ber
check "ber 1e-5 stored as 10000000 per 1e12" grep -qx 10000000 $P/port2/ber
echo 2.5e-6 > $P/port2/ber
check "ber 2.5e-6 stored as 2500000 per 1e12" grep -qx 2500000 $P/port2/ber
echo 0 > $P/port2/ber
echo 3e-4 > $P/port2/ber
check "HDLC with bit errors: bad FCS reported as events, only intact frames delivered" ctitdm-test hdlcerr 16 47 60
echo 0 > $P/port2/ber
check "HDLC bad frames counted in sysfs" "[ \$(counter 2 hdlc_crc_errors) -gt 0 ] || [ \$(counter 2 hdlc_aborts) -gt 0 ]"

# ---- maintenance: loopbacks ----
check "dahdi_maint local loopback" dahdi_maint -s 1 -l localhost
check "local loop: firmware in local loopback" grep -qx local $P/port1/loopback
check "local loop: span 1 shows LOOPBACK" until_true 10 has_alarm 1 $LOOPBACK
check "local loop: chan 1 hears itself" ctitdm-test bchan 1 1 2000
check "local loop: peer still receives (chan 2 -> 33)" ctitdm-test bchan 2 33 2000
# echo: in local loop span 1 hears everything it sends; dahdi_ec_span
# (fed with what went out as the reference) must let OSLEC cancel it
ctitdm-test echo 7 0 3 >/tmp/ec0 2>&1; sed 's/^/# /' /tmp/ec0
check "without echo canceller the echo comes back at full level" "awk '/returned power/{v=\$(NF-4) + 0; exit !(v >= -1)}' /tmp/ec0"
ctitdm-test echo 6 128 6 >/tmp/ec1 2>&1; sed 's/^/# /' /tmp/ec1
check "OSLEC via dahdi_ec_span cancels the echo by 6 dB or more" "awk '/returned power/{v=\$(NF-4) + 0; exit !(v <= -6)}' /tmp/ec1"
check "dahdi_maint loopback off" dahdi_maint -s 1 -l off
check "loopback off: firmware normal" grep -qx none $P/port1/loopback
check "dahdi_maint network line loopback on span 2" dahdi_maint -s 2 -l networkline
check "network line loop: chan 3 -> far end -> chan 3" retry3 ctitdm-test bchan 3 3 2000
dahdi_maint -s 2 -l off >/dev/null
check "dahdi_maint network payload loopback on span 2" dahdi_maint -s 2 -l networkpayload
check "payload loop: firmware in payload loopback" grep -qx network_payload $P/port2/loopback
check "network payload loop: chan 4 -> far end -> chan 4" retry3 ctitdm-test bchan 4 4 2000
dahdi_maint -s 2 -l off >/dev/null
check "loop codes refused on E1" "! ctitdm-test maint 1 loopup"
# dahdi_maint sends a loop code for exactly 5 s of wall time, then MAINT_NONE;
# the far end detects it after 4 s of line time. The driver applies both
# commands at the line time of their moment, so a lagging tick cannot shorten it.
check "T1 loopup accepted (dahdi_maint: 5 s of code)" dahdi_maint -s 3 -l loopup
check "T1 loopup: port 3 stops sending when dahdi_maint ends the code" until_true 5 grep -qx none $P/port3/tx_loopcode
check "T1 loopup: far end (port 4) enters line loopback" until_true 10 grep -qx network_line $P/port4/loopback
check "T1 loopup: far end span 4 reports LOOPBACK" has_alarm 4 $LOOPBACK
check "T1 loopdown accepted" dahdi_maint -s 3 -l loopdown
check "T1 loopdown: far end leaves loopback" until_true 10 grep -qx none $P/port4/loopback
check "T1 loopdown: span 4 LOOPBACK clears" until_true 10 "! has_alarm 4 $LOOPBACK"
# a loop code stopped after 2 s is too short to act on
check "2 s of loop-up (raw DAHDI_MAINT, then NONE)" "ctitdm-test maint 3 loopup && until_true 5 grep -qx up $P/port3/tx_loopcode && sleep 2 && ctitdm-test maint 3 none"
check "2 s of loop-up: far end stays out of loopback" "sleep 4; grep -qx none $P/port4/loopback && grep -qx none $P/port3/tx_loopcode"
# without MAINT_NONE the driver sends the code for DAHDI_LOOPCODE_TIME (10 s)
check "raw LOOPUP: far end loops" "ctitdm-test maint 3 loopup && until_true 20 grep -qx network_line $P/port4/loopback"
check "raw LOOPUP: port 3 ends the code by itself after 10 s" "grep -qx up $P/port3/tx_loopcode && until_true 30 grep -qx none $P/port3/tx_loopcode"
check "raw LOOPDOWN: far end leaves loopback, code ends after 10 s" "ctitdm-test maint 3 loopdown && until_true 20 grep -qx none $P/port4/loopback && until_true 30 grep -qx none $P/port3/tx_loopcode"
ctitdm-test maint 3 none >/dev/null

# ---- maintenance: error injection and counters ----
check "dahdi_maint reset counters span 2" dahdi_maint -s 2 -r
sleep 1.5
fe0=$(spanstat 2 fe); crc0=$(spanstat 2 crc4); cv0=$(spanstat 2 cv); eb0=$(spanstat 1 ebit)
for i in 1 2 3; do dahdi_maint -s 1 -i fas >/dev/null; done
for i in 1 2 3; do dahdi_maint -s 1 -i crc >/dev/null; done
for i in 1 2 3; do dahdi_maint -s 1 -i bipolar >/dev/null; done
check "multiframe defect accepted" dahdi_maint -s 1 -i multi
sleep 2.5
fe1=$(spanstat 2 fe); crc1=$(spanstat 2 crc4); cv1=$(spanstat 2 cv); eb1=$(spanstat 1 ebit)
echo "# span 2 fe $fe0->$fe1 crc4 $crc0->$crc1 cv $cv0->$cv1; span 1 ebit $eb0->$eb1"
check "FAS errors counted by the peer" test "$fe1" -ge $((fe0 + 3))
check "CRC-4 errors counted by the peer" test "$crc1" -ge $((crc0 + 3))
check "bipolar violations counted by the peer" test "$cv1" -ge $((cv0 + 3))
check "E-bits come back to the sender" test "$eb1" -ge $((eb0 + 1))
check "dahdi_maint shows the counters" "dahdi_maint -s 2 | grep -q 'Framing Errors'"
check "CAS defect refused on a CCS span" "! ctitdm-test maint 1 cas"
check "PRBS defect refused without PRBS" "! ctitdm-test maint 1 prbsdefect"
check "reset counters zeroes span 2" "dahdi_maint -s 2 -r >/dev/null && sleep 1.2 && [ \$(spanstat 2 fe) -lt $fe1 ]"

# ---- PRBS across the cable with a set BER ----
echo 1e-4 > $P/port2/ber
check "PRBS on span 1" ctitdm-test maint 1 prbs
check "PRBS on span 2" ctitdm-test maint 2 prbs
check "PRBS checker on port 2 syncs" until_true 20 'grep -qx "sync 1" $P/port2/prbs'
sleep 3
bits=$(prbsval 2 bits); errs=$(prbsval 2 errors)
echo "# port 2 PRBS: $errs errors in $bits bits at BER 1e-4"
check "PRBS counted bits" test "$bits" -gt 100000
check "PRBS error rate ~1e-4 (0.5e-4..2e-4)" "[ $errs -ge \$(( $bits / 20000 )) ] && [ $errs -le \$(( $bits / 5000 )) ]"
check "PRBS errors reach span->count.prbs" until_true 5 "[ \$(spanstat 2 prbs) -gt 0 ]"
echo 0 > $P/port2/ber
e0=$(prbsval 1 errors)
check "PRBS defect injected by span 2" ctitdm-test maint 2 prbsdefect
check "port 1 counts the injected PRBS error" until_true 10 "[ \$(prbsval 1 errors) -gt $e0 ]"
check "PRBS again on span 1 stops it (DAHDI filters NONE when no loop is set)" ctitdm-test maint 1 prbs
check "PRBS stopped on port 1" 'grep -qx "pattern 0" $P/port1/prbs'
ctitdm-test maint 2 prbs

# ---- alarm simulation ----
check "alarm simulation step 1 (RED)" ctitdm-test maint 1 alarmsim
check "simulated RED on span 1" until_true 20 has_alarm 1 $RED
check "alarm simulation step 2 (YELLOW)" "ctitdm-test maint 1 alarmsim && until_true 20 only_alarm 1 $YELLOW"
check "alarm simulation step 3 (BLUE)" "ctitdm-test maint 1 alarmsim && until_true 20 has_alarm 1 $BLUE"
check "alarm simulation step 4 (RED, LOS)" "ctitdm-test maint 1 alarmsim && until_true 20 has_alarm 1 $LOS"
check "alarm simulation step 5 ends it" "ctitdm-test maint 1 alarmsim && until_true 20 no_alarm 1"
check "unknown maint mode answers ENOSYS" "ctitdm-test maint 1 99 | grep -q 'not implemented'"

# ---- slips and line delay ----
echo 1000 > $P/port2/ppm
s0=$(counter 2 slips); sleep 3; s1=$(counter 2 slips)
echo "# port 2 slips at +1000 ppm: $s0 -> $s1"
check "clock offset causes controlled slips" test "$s1" -gt "$s0"
echo 0 > $P/port2/ppm
echo 37 > $P/port2/bit_delay
check "bit delay: port 2 realigns without alarm" until_true 10 "grep -qx 1 $P/port2/in_sync && no_alarm 2"
check "bit delay: data still passes (chan 5 -> 36)" ctitdm-test bchan 5 36 1000
echo 0 > $P/port2/bit_delay

# ---- reconfigure: E1 CAS without CRC-4, T1 D4/AMI, robbed bits ----
cat >/etc/dahdi/system.conf <<EOF
span=1,0,0,cas,hdb3
span=2,0,0,cas,hdb3
span=3,2,0,d4,ami
span=4,1,0,d4,ami
e&me1=1-15,17-31
e&me1=32-46,48-62
e&m=63-84
bchan=85
e&m=87-108
bchan=109
hardhdlc=86
hardhdlc=110
EOF
check "dahdi_cfg reconfigures running spans" dahdi_cfg
check "spans realign without alarms" until_true 20 "no_alarm 1 && no_alarm 2 && no_alarm 3 && no_alarm 4"
check "firmware: E1 double frame, CAS; T1 D4 AMI" "grep -q '^e1 df hdb3 cas=1' $P/port1/config && grep -q '^t1 d4 ami cas=1' $P/port3/config"
check "dahdi_scan: span 1 CAS HDB3, span 3 D4 AMI" "scan 1 framing | grep -q CAS && [ \"\$(scan 3 framing)\" = D4 ] && [ \"\$(scan 3 coding)\" = AMI ]"
check "timing source follows priority (span 4 first on its board)" "until_true 5 '[ \$(cat /sys/bus/dahdi_spans/devices/span-3/syncsrc) = 4 ]'"
check "E1 CAS: ABCD bits pass chan 1 -> 32" ctitdm-test rbs 1 32
check "T1 robbed bits pass chan 63 -> 87" ctitdm-test rbs 63 87
# robbed bits only on the E&M channels: the clear channel keeps all 8 bits (frames 6 and 12 too)
check "T1 D4/AMI clear channel on a CAS span passes all 8 bits (chan 85 -> 109)" ctitdm-test bchan 85 109 2000
check "T1 D4 HDLC frames pass (86 -> 110)" ctitdm-test hdlc 86 110 10
m0=$(counter 2 mfas)
check "CAS defect accepted on a CAS span" dahdi_maint -s 1 -i cas
check "peer counts the CAS multiframe error" until_true 10 "[ \$(counter 2 mfas) -gt $m0 ]"
check "echo cancellers mg2 on chans 1-5, oslec on 6-10 (first config)" "grep -q 'CTITDM/0/1/5 .*MG2' /tmp/proc_dahdi_1 && grep -q 'CTITDM/0/1/6 .*OSLEC' /tmp/proc_dahdi_1"

# ---- timing ----
dahdi_test -c 5 >/tmp/dt 2>&1
sed 's/^/#   /' /tmp/dt | tail -4
check "dahdi_test runs on the board's timing" grep -q '%' /tmp/dt

# ---- unload / reload ----
check "rmmod ctitdm with configured spans" rmmod ctitdm
dmesg | grep 'ctitdm.*: unloaded (' | tail -n 1 | sed 's/^.*: unloaded /# line time: unloaded /'
insmod $M/ctitdm.ko ports=8 >/dev/null 2>&1; rmmod ctitdm
sync; echo 3 > /proc/sys/vm/drop_caches
m0=$(memavail)
i=0; bad=0
while [ $i -lt 100 ]; do
	insmod $M/ctitdm.ko ports=8 boards=2 || bad=$((bad + 1))
	rmmod ctitdm || bad=$((bad + 1))
	i=$((i + 1))
done
sync; echo 3 > /proc/sys/vm/drop_caches
m1=$(memavail)
echo "# MemAvailable before $m0 kB after 100 load/unload cycles $m1 kB"
check "100 load/unload cycles (2 boards x 8 ports) succeed" test $bad -eq 0
check "no memory lost over 100 cycles (< 2 MB)" test $((m0 - m1)) -lt 2048
check "T1 at load time (linemode=t1)" "insmod $M/ctitdm.ko ports=2 linemode=t1 && echo 1:1:1 > \$(ls -d /sys/bus/dahdi_devices/devices/* | head -n1)/assign_span && dahdi_scan | grep -q digital-T1"
check "final rmmod" rmmod ctitdm
check "2 boards: port 5 is on ctitdm.1" "insmod $M/ctitdm.ko boards=2 ports=4 && [ -d /sys/devices/platform/ctitdm.1/port5 ]"
check "cable across boards (port 1 <-> port 5)" "echo 5 > $P/port1/peer && grep -qx 1 /sys/devices/platform/ctitdm.1/port5/peer && grep -qx 0 $P/port2/peer"
# Data and alarms across the boards: board 0's span 1 and board 1's span 2
# (port 5) run under two different board locks.
D0=/sys/bus/dahdi_devices/devices/platform:ctitdm.0; D1=/sys/bus/dahdi_devices/devices/platform:ctitdm.1
echo "1:1:1" > $D0/assign_span; echo "1:2:32" > $D1/assign_span
cat >/etc/dahdi/system.conf <<EOF
span=1,1,0,ccs,hdb3,crc4
span=2,0,0,ccs,hdb3,crc4
bchan=1-15,17-31
hardhdlc=16
bchan=32-46,48-62
hardhdlc=47
EOF
check "dahdi_cfg on spans of two boards" dahdi_cfg
check "two boards: span 1 (port 1) and span 2 (port 5) in sync, no alarms" until_true 20 "no_alarm 1 && no_alarm 2"
check "B-channel bytes pass across boards (chan 1 -> 32, chan 33 -> 2)" "ctitdm-test bchan 1 32 2000 && ctitdm-test bchan 33 2 2000"
check "HDLC frames pass across boards (chan 16 -> 47)" ctitdm-test hdlc 16 47 20
echo 0 > /sys/devices/platform/ctitdm.1/port5/tx
check "cut pair on board 1: RED on span 1 (board 0), YELLOW on span 2" until_true 20 "has_alarm 1 $RED && has_alarm 2 $YELLOW"
echo 1 > /sys/devices/platform/ctitdm.1/port5/tx
check "pair restored: alarms clear on both boards" until_true 20 "no_alarm 1 && no_alarm 2"
check "rmmod with 2 boards" rmmod ctitdm
check "bad module parameter refused" "! insmod $M/ctitdm.ko ports=3"
check "no oops or warning in the kernel log" "! dmesg | grep -E 'BUG|WARNING|Oops|Call Trace'"
dmesg | grep -E 'ctitdm|dahdi' | tail -8 | sed 's/^/#   dmesg: /'
echo "1..$n"
[ $fails -eq 0 ]
