#!/bin/bash
# tests/media/test_layering.sh BUILD_DIR - lib/media depends on no core module:
# its objects reference no lib/core symbol but cti__error() (lib/error.c,
# the library-wide error string), and its sources include no core header.
set -u
B=${1:-build/std}
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fail=1; echo "not ok $n - $*"; }

objs=$(ls "$B"/lib/media/*.o 2>/dev/null)
if [[ -z $objs ]]; then notok "no objects in $B/lib/media"; echo "1..$n"; exit 1; fi
# Symbols lib/media needs from elsewhere that lib/core defines.
core_defs=$(nm --defined-only -g "$B"/lib/core/*.o | awk 'NF == 3 {print $3}' | sort -u)
media_undef=$(nm -u $objs | awk '{print $NF}' | sort -u)
bad=$(comm -12 <(echo "$core_defs") <(echo "$media_undef") | grep -vx 'cti__error' | tr '\n' ' ')
if [[ -z $bad ]]; then ok "lib/media uses no lib/core symbol but cti__error"
else notok "lib/media calls into lib/core: $bad"; fi
inc=$(grep -l '#include "\.\./\(internal\|core/\)' lib/media/*.[ch] 2>/dev/null | tr '\n' ' ')
if [[ -z $inc ]]; then ok "lib/media includes no core header"; else notok "core headers included by: $inc"; fi
# One tone country list: lib/core keeps no copy of the names (its default "itu" aside).
pat='"us"\|"uk"\|"cn"\|itu, us'
if grep -n "$pat" lib/core/*.c >/dev/null; then
	notok "lib/core has its own tone country names: $(grep -n "$pat" lib/core/*.c | head -3 | tr '\n' ' ')"
else ok "tone country names live only in lib/media/tones.c"; fi
echo "1..$n"
exit $fail
