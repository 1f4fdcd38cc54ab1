#!/bin/bash
# test_ctid_tts.sh BUILD_DIR - text-to-speech prompts in ctid (espeak-ng, cached as 8 kHz WAV).
# The synthesized WAVs are real speech (8 kHz mono 16 bit, duration and level in bounds, pauses
# between words), English and Mandarin; a second start finds them in the cache and runs espeak-ng
# no more (a wrapper first in PATH counts its runs); the same text in another voice is another
# file; a missing voice and a malformed step are errors naming file, line and voice. The played
# prompt reaching a caller is checked by test_ctid_campaign.sh (the far end records it).
set -u
B=${1:-build/std}
CTID=$PWD/$B/server/ctid/ctid
WAVSTAT=$PWD/tests/ctid/wavstat.py
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir "$T/bin"
real=$(command -v espeak-ng)
cat >"$T/bin/espeak-ng" <<WRAP
#!/bin/sh
echo "\$*" >>"$T/espeak.runs"
exec "$real" "\$@"
WRAP
chmod +x "$T/bin/espeak-ng"
export PATH="$T/bin:$PATH"
synth_runs() { grep -c -- ' -w ' "$T/espeak.runs" 2>/dev/null || echo 0; }

conf() {	# conf GREETING-STEP
	cat <<CONF
[ctid]
sim = 1 e1 euroisdn
clock = virtual
cdr = sqlite:cdr.db
tts_cache = cache/tts
listen = none

[trunk pstn]
span = sim2
role = inbound

[routes]
800100 = ivr:main

[ivr main]
greet = $1
cn    = play tts:cmn:您好，您的账户已欠费，请尽快缴费。
bye   = say en: Goodbye
CONF
}
cd "$T"
conf "say en: Your balance is overdue. Please call us back." >ctid.conf
"$CTID" --max-time 1 ctid.conf >out 2>log
check "ctid starts and stops with TTS prompts" test $? -eq 0
check "three prompts synthesized (espeak-ng run three times)" test "$(synth_runs)" = 3
check "three WAVs in the cache directory" test "$(ls cache/tts/*.wav 2>/dev/null | wc -l)" = 3
en=$(grep -o 'tts:en:Your[^>]*-> .*' log | sed 's/.*-> //')
cmn=$(grep -o 'tts:cmn:.*-> .*' log | sed 's/.*-> //')
check "English file named by voice and hash" sh -c "case '$en' in cache/tts/en-????????????????.wav) true;; *) false;; esac"
check "Mandarin file named by voice and hash" sh -c "case '$cmn' in cache/tts/cmn-????????????????.wav) true;; *) false;; esac"
read -r rate ch bits dur span frac level < <(python3 "$WAVSTAT" "$en")
check "English: 8000 Hz mono 16 bit ($rate $ch $bits)" test "$rate $ch $bits" = "8000 1 16"
check "English: 1.5-5 s of sound ($span s of $dur s)" python3 -c "import sys; sys.exit(not 1.5 <= $span <= 5.0)"
check "English: speech level -35..-6 dBFS ($level)" python3 -c "import sys; sys.exit(not -35 <= $level <= -6)"
check "English: pauses between words (active share $frac < 0.97) and mostly sound (> 0.5)" \
	python3 -c "import sys; sys.exit(not 0.5 < $frac < 0.97)"
read -r rate ch bits dur span frac level < <(python3 "$WAVSTAT" "$cmn")
check "Mandarin: 8000 Hz mono 16 bit" test "$rate $ch $bits" = "8000 1 16"
check "Mandarin: 2-8 s of sound ($span s), level -35..-6 dBFS ($level), pauses ($frac)" \
	python3 -c "import sys; sys.exit(not (2.0 <= $span <= 8.0 and -35 <= $level <= -6 and 0.5 < $frac < 0.97))"

# a second start: everything from the cache
before=$(synth_runs)
"$CTID" --max-time 1 ctid.conf >out 2>log2
check "second start exits 0" test $? -eq 0
check "cache hit: no second espeak-ng synthesis" test "$(synth_runs)" = "$before"
check "cache hit: nothing logged as synthesized" sh -c '! grep -q "text to speech:" log2'
# same text, another voice: another file
conf "say en-us: Your balance is overdue. Please call us back." >ctid.conf
"$CTID" --max-time 1 ctid.conf >out 2>log3
check "same text in voice en-us: synthesized once more, as another file" \
	test "$(synth_runs)" = $((before + 1)) -a "$(ls cache/tts/*.wav | wc -l)" = 4

# errors
conf "say xx: Hello" >ctid.conf
"$CTID" --check ctid.conf >out 2>err
check "missing voice: ctid --check exits 1" test $? -eq 1
check "missing voice: the error names file, line, step and voice" \
	grep -q "ctid.conf:16: step 'greet': espeak-ng has no voice 'xx'" err
"$CTID" --max-time 1 ctid.conf >out 2>err
check "missing voice: ctid does not start" test $? -eq 1
conf "say Hello there" >ctid.conf
"$CTID" --check ctid.conf >out 2>err
check "say without VOICE: names the line" grep -q "ctid.conf:16: step 'greet': say needs VOICE: TEXT" err
conf "play tts:en:" >ctid.conf
"$CTID" --check ctid.conf >out 2>err
check "tts: without text names the line" grep -q "ctid.conf:16: step 'greet': text-to-speech prompt 'tts:en:' has no text" err
conf "say e\$n: Hello" >ctid.conf
"$CTID" --check ctid.conf >out 2>err
check "bad voice name names the line" grep -q "ctid.conf:16: step 'greet': bad voice name" err
echo "1..$n"
