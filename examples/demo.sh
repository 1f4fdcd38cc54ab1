#!/bin/bash
# demo.sh BUILD_DIR - run the fax-on-demand call center demo and check its artifacts.
#
# Makes demo-output/<UTC timestamp>/ (demo-output/latest points to it) with
#   prompts/*.wav        prompts (espeak-ng if installed, else sox-made tones and speech-like sound)
#   fax-sent.tif         3-page G4 fax document rendered from examples/fax-doc.ps by ghostscript
#   fax-received.tif/.pdf   what the caller's fax machine received (tiff2pdf for the PDF)
#   rec-<caller>-<agent>.wav  two-leg stereo recordings of the agent conversations
#                        (not of caller 9: transferred to a remote agent by the network)
#   supervisor.wav       what the supervisor heard while listening in
#   dchan.pcap           D-channel capture of the 6 spans (Wireshark: LAPD/Q.931, ECT facilities)
#   report.txt           the demo's output: event log, call table, checks
# then checks the files independently of libcti. Exits non-zero on any failure.
set -uo pipefail
stamp=
B=${1:-build/std}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
if [[ -n ${DEMO_OUT:-} ]]; then	# tests: a folder of their own
	out=$DEMO_OUT
else
	stamp=$(date -u +%Y%m%d-%H%M%S)
	out=demo-output/$stamp
fi
mkdir -p "$out/prompts" || exit 1
[[ -n ${DEMO_OUT:-} ]] || ln -sfn "$stamp" demo-output/latest

nfail=0
pass() { printf '  [ ok ] %s\n' "$*"; }
fail() { printf '  [FAIL] %s\n' "$*"; nfail=$((nfail + 1)); }
die() { echo "demo: FAILED: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || die "$1 is not installed (make deps installs it)"; }
for t in sox gs tiff2pdf tiffinfo; do need $t; done

echo "== Preparing prompts and the fax document in $out"
P=$out/prompts
SOX8K=(-r 8000 -c 1 -b 16 -e signed-integer)
sox() { command sox -R "$@"; }	# repeatable: same noise every run, so runs are identical
# Speech-like sound: band-limited noise with a syllable rhythm (no tones, so no false DTMF/CPA tones).
speech() { sox -n "${SOX8K[@]}" "$P/$1.wav" synth "$2" pinknoise sinc "$3" tremolo "$4" 60 gain -n -14; }
chime() {	# three rising notes
	for f in 523 659 784; do sox -n "${SOX8K[@]}" "$P/note$f.wav" synth 0.15 sine $f gain -n -14; done
	sox "$P"/note523.wav "$P"/note659.wav "$P"/note784.wav "$1" && rm -f "$P"/note*.wav
}
say() {	# say NAME SECONDS BAND RHYTHM TEXT: espeak-ng when available
	if command -v espeak-ng >/dev/null; then
		espeak-ng -s 150 -w "$P/$1.tmp.wav" "$5" && sox "$P/$1.tmp.wav" "${SOX8K[@]}" "$P/$1.wav" gain -n -14 &&
			rm -f "$P/$1.tmp.wav" && return
	fi
	speech "$1" "$2" "$3" "$4"
}
set -e
chime "$P/chime.wav"
say menu-words 2.5 300-3000 4 "For our product sheet by fax, press 1. To speak to an agent, press 2."
sox "$P/chime.wav" "$P/menu-words.wav" "$P/menu.wav"
say fax 1.5 300-3000 4 "Press the start button of your fax machine now."
say hold 1.0 300-3000 4 "Please hold."
say bye 1.0 300-3000 4 "Goodbye."
say greeting 1.0 300-3000 5 "Hello?"
say reminder 2.0 300-3000 4 "This is a reminder of your appointment tomorrow."
say caller-voice 3.0 250-2500 3 "I would like to ask about my order."
say agent-voice 3.0 400-3400 5 "Hello, this is the help desk, how can I help you?"
sox -n "${SOX8K[@]}" "$P/music.wav" synth 6 sine 392 tremolo 1 40 gain -n -20
rm -f "$P/chime.wav" "$P/menu-words.wav"
gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=tiffg4 -r204x196 -g1728x2292 -sOutputFile="$out/fax-sent.tif" examples/fax-doc.ps
set +e
pages_sent=$(tiffinfo "$out/fax-sent.tif" 2>/dev/null | grep -c 'TIFF Directory')
echo "   $(ls "$P" | wc -l) prompts, fax document of $pages_sent pages"

echo "== Running $B/examples/demo"
[[ -x $B/examples/demo ]] || die "$B/examples/demo not built"
start=$(date +%s)
"$B/examples/demo" "$out" 2>&1 | tee "$out/report.txt"
rc=${PIPESTATUS[0]}
echo "   ($(( $(date +%s) - start )) s of CPU time on this machine)"
[[ $rc -eq 0 ]] || fail "demo program checks (exit $rc; see above)"

echo
echo "== Checking the artifacts"
# Received fax: every page pixel-identical to the page sent.
if [[ -s $out/fax-received.tif ]]; then
	pages_rx=$(tiffinfo "$out/fax-received.tif" 2>/dev/null | grep -c 'TIFF Directory')
	[[ $pages_rx -eq $pages_sent ]] && pass "received fax has $pages_rx pages" ||
		fail "received fax has $pages_rx pages, sent $pages_sent"
	# Compare decoded image data, page by page. Not tiffcmp: spandsp writes other tags
	# (FillOrder, DateTime, ...) and at the first differing tag tiffcmp skips the pixels.
	pixels() { tiffinfo -d "$1" 2>/dev/null | grep '^ [0-9a-f][0-9a-f] ' | tr -d ' \n' | md5sum; }
	inked=$(tiffinfo -d "$out/fax-sent.tif" 2>/dev/null | grep '^ [0-9a-f][0-9a-f] ' | grep -cv '^[ 0]*$')
	if [[ $inked -gt 0 && $(pixels "$out/fax-sent.tif") == "$(pixels "$out/fax-received.tif")" ]]; then
		pass "received pages pixel-identical to the sent pages (document not blank)"
	else
		fail "received pages differ from the sent pages, or the sent document is blank"
	fi
	if tiff2pdf -o "$out/fax-received.pdf" "$out/fax-received.tif" 2>/dev/null; then
		pdfpages=$(grep -aoE '/Type */Page([^s]|$)' "$out/fax-received.pdf" | wc -l)
		[[ $pdfpages -eq $pages_sent ]] && pass "fax-received.pdf written by tiff2pdf ($pdfpages pages)" ||
			fail "fax-received.pdf has $pdfpages pages, want $pages_sent"
	else
		fail "tiff2pdf could not convert fax-received.tif"
	fi
else
	fail "no received fax (fax-received.tif)"
fi

# Recordings: two-leg stereo, both legs audible, long enough.
level() { sox "$1" -n remix "$2" stats 2>&1 | awk '/RMS lev dB/ {print $4}'; }
recs=("$out"/rec-*.wav)
[[ -e ${recs[0]} ]] || recs=()
[[ ${#recs[@]} -eq 7 ]] && pass "7 agent conversations recorded (the 8th was transferred)" ||
	fail "${#recs[@]} agent recordings, want 7"
for r in "${recs[@]}"; do
	n=$(basename "$r")
	ch=$(soxi -c "$r" 2>/dev/null); rate=$(soxi -r "$r" 2>/dev/null); dur=$(soxi -D "$r" 2>/dev/null)
	left=$(level "$r" 1); right=$(level "$r" 2)
	diff=$(level "$r" 1,2v-1)	# left minus right: two different legs, not one mix twice
	if [[ $ch == 2 && $rate == 8000 ]] && awk -v d="$dur" -v l="$left" -v r="$right" -v x="$diff" \
		'BEGIN { exit !(d >= 4 && l > -50 && r > -50 && x > -40) }'; then
		pass "$n: stereo, $dur s, caller leg $left dB, agent leg $right dB, legs differ ($diff dB)"
	else
		fail "$n: channels $ch, rate $rate, $dur s, levels $left / $right dB, L-R $diff dB" \
			"(want stereo, >= 4 s, both legs > -50 dB and different)"
	fi
done
if [[ -s $out/supervisor.wav ]]; then
	lv=$(level "$out/supervisor.wav" 1); dur=$(soxi -D "$out/supervisor.wav")
	awk -v l="$lv" 'BEGIN { exit !(l > -55) }' && pass "supervisor.wav: $dur s, level $lv dB" ||
		fail "supervisor.wav is silent ($lv dB)"
else
	fail "no supervisor.wav"
fi

# D-channel capture decoded by an independent dissector.
if [[ -s $out/dchan.pcap ]]; then
	if command -v tshark >/dev/null; then
		setups=$(tshark -r "$out/dchan.pcap" -Y 'q931.message_type == 0x05' 2>/dev/null | wc -l)
		connects=$(tshark -r "$out/dchan.pcap" -Y 'q931.message_type == 0x07' 2>/dev/null | wc -l)
		bad=$(tshark -r "$out/dchan.pcap" -Y '_ws.malformed || _ws.expert.severity == error' 2>/dev/null | wc -l)
		frames=$(tshark -r "$out/dchan.pcap" 2>/dev/null | wc -l)
		tshark -r "$out/dchan.pcap" -Y q931 >"$out/dchan.txt" 2>/dev/null
		# The transfer of caller 9: ECT EctLinkIdRequest {0 4 0 369 1 4} and ExplicitEctExecute {... 1 1}
		# invokes from the call center (each frame captured on both ends of the trunk).
		ect=$(tshark -r "$out/dchan.pcap" -Y 'q931.message_type == 0x62' -T fields -e q932.ros.global \
			-e q932.ros.invoke_element 2>/dev/null | awk '$2 == 1 { c[$1]++ } END { print c["0.4.0.369.1.4"] + 0, c["0.4.0.369.1.1"] + 0 }')
		[[ $ect == "2 2" ]] && pass "dchan.pcap: caller 9's transfer: ECT EctLinkIdRequest and ExplicitEctExecute invokes (tshark)" ||
			fail "dchan.pcap: ECT invokes (LinkIdRequest, ExplicitEctExecute) seen '$ect', want '2 2'"
		# 12 calls placed, 11 answered (the busy reminder is not); each end of a trunk is captured.
		[[ $setups -ge 12 && $connects -ge 11 && $bad -eq 0 ]] &&
			pass "dchan.pcap: $frames frames, $setups Q.931 SETUP, $connects CONNECT, none malformed (tshark)" ||
			fail "dchan.pcap: $setups SETUP (want >= 12), $connects CONNECT (want >= 11), $bad malformed frames"
	else
		pass "dchan.pcap written ($(stat -c %s "$out/dchan.pcap") bytes; tshark not installed to decode it)"
	fi
else
	fail "no dchan.pcap"
fi

echo
if [[ $nfail -eq 0 ]]; then
	echo "demo: OK - artifacts in $out${stamp:+ (also demo-output/latest)}"
else
	echo "demo: FAILED ($nfail check(s)) - artifacts in $out" >&2
	exit 1
fi
