#!/bin/bash
# cti-symbols.sh [--map] [HEADER] - the functions libcti exports.
#
# Prints the name of every function declared CTI_API in include/cti.h, one a
# line, sorted. With --map, prints the linker version script instead: one
# CTI_1.0 node with those names global and everything else local (internals
# are compiled with -fvisibility=hidden anyway; libpri, linked in statically,
# is hidden by --exclude-libs and by `local: *`). The build generates
# $(B)/lib/libcti.map with it, so a function added to cti.h is exported
# without editing a second list.
set -euo pipefail
map=0
if [[ ${1:-} == --map ]]; then map=1; shift; fi
hdr=${1:-$(dirname "$0")/../include/cti.h}
[[ -r $hdr ]] || { echo "cti-symbols.sh: cannot read $hdr" >&2; exit 2; }

names=$(sed -nE 's/^CTI_API[^(]*[ *](cti_[A-Za-z0-9_]+)\(.*/\1/p' "$hdr" | sort -u)
if [[ -z $names ]]; then
	echo "cti-symbols.sh: $hdr: no CTI_API function declarations found" >&2
	exit 1
fi
if (( ! map )); then
	echo "$names"
	exit 0
fi
echo "/* Generated from $(basename "$hdr") by scripts/cti-symbols.sh --map: do not edit. */"
echo "CTI_1.0 {"
echo "global:"
for n in $names; do echo "	$n;"; done
echo "local:"
echo "	*;"
echo "};"
