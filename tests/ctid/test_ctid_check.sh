#!/bin/bash
# test_ctid_check.sh BUILD_DIR - `ctid --check FILE`: 0 and a summary for a valid file,
# 1 and every problem as FILE:LINE: message on stderr for a bad one, 2 for a bad command line.
set -u
B=${1:-build/std}
CTID=$B/server/ctid/ctid
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
run() { OUT=$("$CTID" "$@" 2>"$T/err"); RC=$?; ERR=$(cat "$T/err"); }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir "$T/prompts"
for f in welcome.wav tariffs.tif leave-message.wav billing-welcome.wav music.wav; do echo x >"$T/prompts/$f"; done
cp server/ctid/ctid.conf.sample "$T/ctid.conf"

run --check "$T/ctid.conf"
if [[ $RC -eq 0 && $OUT == "$T/ctid.conf: OK: 2 trunks, 3 routes, 3 queues, 3 agents, 2 IVR flows, 2 VIP numbers" && -z $ERR ]]
then ok "sample file is valid"; else not_ok "sample file is valid (exit $RC, out: $OUT, err: $ERR)"; fi

# A prompt file goes missing: the line that names it is reported.
rm "$T/prompts/music.wav"
run --check "$T/ctid.conf"
line=$(grep -n '^moh = music.wav' "$T/ctid.conf" | head -1 | cut -d: -f1)
if [[ $RC -eq 1 && $ERR == *"$T/ctid.conf:$line: queue 'billing': cannot read '$T/prompts/music.wav': No such file or directory"* && -z $OUT ]]
then ok "missing prompt reported with its line ($line)"; else not_ok "missing prompt (exit $RC, err: $ERR)"; fi
echo x >"$T/prompts/music.wav"

# Several errors at once, in file order.
sed -e 's/^priority = 5 /priority = high /' -e 's/^800200 = queue:billing/800200 = queue:bling/' \
	"$T/ctid.conf" >"$T/bad.conf"
run --check "$T/bad.conf"
l1=$(grep -n '^800200' "$T/bad.conf" | cut -d: -f1)
l2=$(grep -n '^priority = high' "$T/bad.conf" | cut -d: -f1)
if [[ $RC -eq 1 && $ERR == *"$T/bad.conf:$l2: bad value 'high' for priority (accepted: 0-100, higher is served first)"* &&
	$ERR == *"$T/bad.conf:$l1: route 800200: no [queue bling]"* && $(wc -l <<<"$ERR") -eq 2 ]]
then ok "two errors, both reported"; else not_ok "two errors (exit $RC, err: $ERR)"; fi

# cti_conf: the libcti file is checked too.
printf '[ctid]\ncti_conf = %s/cti.conf\n[trunk t]\nspan = pstn\n' "$T" >"$T/real.conf"
printf '[span pstn]\ntransport = sim\nport = 1\ncolour = red\n' >"$T/cti.conf"
run --check "$T/real.conf"
if [[ $RC -eq 1 && $ERR == *"$T/real.conf: cti_conf $T/cti.conf: "*"colour"* ]]
then ok "errors of the libcti file named in cti_conf"; else not_ok "cti_conf errors (exit $RC, err: $ERR)"; fi
sed -i '/colour/d' "$T/cti.conf"
run --check "$T/real.conf"
if [[ $RC -eq 0 && $OUT == *"OK: 1 trunks"* ]]; then ok "valid cti_conf"; else not_ok "valid cti_conf (exit $RC, err: $ERR)"; fi

run --check "$T/nonexistent.conf"
if [[ $RC -eq 1 && $ERR == "$T/nonexistent.conf: cannot open: No such file or directory" ]]
then ok "missing file"; else not_ok "missing file (exit $RC, err: $ERR)"; fi

run --bogus
if [[ $RC -eq 2 && $ERR == *"usage: ctid"* ]]; then ok "unknown option exits 2"; else not_ok "unknown option (exit $RC)"; fi
run --check "$T/ctid.conf" extra
if [[ $RC -eq 2 && $ERR == *"unexpected argument 'extra'"* ]]; then ok "extra argument exits 2"; else not_ok "extra argument (exit $RC, err: $ERR)"; fi
run --help
if [[ $RC -eq 0 && $OUT == *"--check FILE"* ]]; then ok "--help"; else not_ok "--help (exit $RC)"; fi
echo "1..$n"
