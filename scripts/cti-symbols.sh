#!/bin/bash
# cti-symbols.sh [--map] [HEADER] - the functions libcti exports.
#
# Prints the name of every function declared CTI_API in include/cti.h, one a
# line, sorted. With --map, prints the linker version script instead: one
# CTI_1.0 node with those names global. The build generates
# $(B)/lib/libcti.map with it, so a function added to cti.h is exported
# without editing a second list.
#
# Not in the node, so left unversioned: gettimeofday, the virtual clock's
# replacement that libpri 1.6 (a shared library) must find (lib/core/ctx.c).
# libpri asks for gettimeofday@GLIBC_2.2.5; the dynamic linker accepts an
# unversioned definition for that but not a CTI_1.0 one. It is the only
# symbol with default visibility outside cti.h (everything is compiled with
# -fvisibility=hidden, and lib/build.mk links with --exclude-libs,ALL so
# static archives linked in, e.g. libpri one day, stay hidden). It goes once
# libpri is linked into libcti statically. tests/install checks the list.
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
echo "	__lsan_*;"
echo "};"
