#!/bin/bash
# demo-prompts.sh DIR - the demo's prompts (DIR/prompts/*.wav) and fax document (DIR/fax-sent.tif).
#
# Prompts are spoken by espeak-ng when it is installed (make deps installs it), else made by sox
# (a chime, speech-like band-limited noise with a syllable rhythm: no tones, so no false DTMF/CPA).
# The fax document is examples/fax-doc.ps rendered by ghostscript as a 3-page G4 fax TIFF.
# Used by examples/demo.sh (make demo, through ctid) and examples/bench-demo.sh (the libcti demo).
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: demo-prompts.sh DIR" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
out=$1
P=$out/prompts
mkdir -p "$P"
for t in sox gs; do command -v $t >/dev/null || { echo "demo-prompts: $t is not installed (make deps installs it)" >&2; exit 1; }; done
SOX8K=(-r 8000 -c 1 -b 16 -e signed-integer)
sox() { command sox -R "$@"; }	# repeatable: same noise every run, so runs are identical
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
gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=tiffg4 -r204x196 -g1728x2292 -sOutputFile="$out/fax-sent.tif" "$top/examples/fax-doc.ps"
