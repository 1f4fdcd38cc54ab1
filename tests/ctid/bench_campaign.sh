#!/bin/bash
# bench_campaign.sh BUILD_DIR - outbound campaigns and text to speech in ctid (make bench).
#  - campaign calls per CPU second: 400 contacts, 30 channels, every one a person who hears a TTS
#    message, through the whole server on the emulated board in virtual time (both ends of the
#    trunk, CPA, playback, SQLite rows) - target 200 (the peak of 20 calls/s with headroom x10);
#  - ms to synthesize one prompt with espeak-ng + sox (target 1000), and ms of a start when all
#    prompts are already cached (target 300: the cache makes a restart cheap).
set -u
B=${1:-build/std}
CTID=$PWD/$B/server/ctid/ctid
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
{ echo number; for i in $(seq 1 400); do printf '55%05d\n' "$i"; done; } >contacts.csv
head_conf() {
	cat <<CONF
[ctid]
sim = 3 e1 euroisdn
clock = virtual
cdr = sqlite:cdr.db
campaign_db = campaign.db
tts_cache = tts
listen = none
[trunk pstn]
span = sim2
role = inbound
[trunk desks]
span = sim3
role = positions
[trunk out]
span = sim6
role = outbound
CONF
}
{ head_conf; cat <<CONF
[campaign bulk]
contacts = contacts.csv
trunk = out
message = tts:en:Your power will be off on Monday from nine to noon.
cps = 100
max_channels = 30
CONF
} >ctid.conf
"$CTID" --max-time 1 ctid.conf 2>/dev/null	# synthesize the message first: not part of the figure
cpu() { awk '{ print $1 + $2 }' "$1"; }
/usr/bin/time -f "%U %S" -o time.txt "$CTID" --campaign bulk --sim-outbound 1=person --max-time 36000 ctid.conf \
	2>log >/dev/null || { echo "ctid failed"; tail -5 log; exit 1; }
done=$(sqlite3 campaign.db "SELECT count(*) FROM contact WHERE status = 'done' AND result = 'voice'")
secs=$(cpu time.txt)
echo "campaign: $done of 400 contacts reached in $secs CPU s (ctid and the emulated far end)"
[ "$done" = 400 ] || { echo "not all contacts reached"; exit 1; }
echo "BENCH campaign_calls_per_cpu_s $(awk -v n="$done" -v s="$secs" 'BEGIN { printf "%.0f", n / (s > 0.01 ? s : 0.01) }') calls/s 200 higher"

# text to speech: 10 different prompts, then the same start again from the cache
{ head_conf; echo "[routes]"; echo "800100 = ivr:main"; echo "[ivr main]"
  for i in $(seq 1 10); do echo "p$i = say en: Prompt number $i of the outage line, please hold."; done; } >tts.conf
rm -rf tts
start=$(date +%s%N)
"$CTID" --max-time 1 tts.conf 2>/dev/null || { echo "ctid failed"; exit 1; }
first=$(( ($(date +%s%N) - start) / 1000000 ))
start=$(date +%s%N)
"$CTID" --max-time 1 tts.conf 2>/dev/null || { echo "ctid failed"; exit 1; }
again=$(( ($(date +%s%N) - start) / 1000000 ))
echo "tts: 10 prompts synthesized in a $first ms start; the same start from the cache: $again ms"
echo "BENCH tts_ms_per_prompt $(( (first - again) / 10 )) ms 1000 lower"
echo "BENCH tts_cached_start_ms $again ms 300 lower"
