#!/bin/bash
# test_symbols.sh BUILD_DIR - libpri is inside libcti, with its clock renamed:
# no gettimeofday and no libpri symbol exported by libcti.so, no libpri.so
# needed, libpri's members in libcti.a calling cti__pri_gettimeofday only, and
# the pkg-config template lists no -lpri. TAP output.
set -uo pipefail
B=${1:-build/std}
SO=$B/lib/libcti.so.1
A=$B/lib/libcti.a
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what" "failed: $*"; fi; }

check "$SO exists" test -f "$SO"
check "$A exists" test -f "$A"
exported=$(nm -D --defined-only "$SO" | awk '{print $3}' | sed 's/@.*//')	# cti_open@@CTI_1.0 -> cti_open
bad=$(grep -E '^(gettimeofday|pri_|q931_|q921_|rose_|asn1_|libpri_)' <<<"$exported" | head -5 | tr '\n' ' ')
if [[ -z $bad ]]; then ok "libcti.so exports no gettimeofday and no libpri symbol"
else not_ok "libcti.so exports no gettimeofday and no libpri symbol" "exported: $bad"; fi
check "libcti.so still exports the API (cti_open)" grep -qx cti_open <<<"$exported"
needed=$(readelf -d "$SO" | grep NEEDED)
if grep -q libpri <<<"$needed"; then not_ok "libcti.so needs no libpri.so" "$needed"
else ok "libcti.so needs no libpri.so"; fi
# libpri's scheduler is in, and calls libcti's clock
und=$(nm -D --undefined-only "$SO" | awk '{print $2}')
if grep -q '^gettimeofday' <<<"$und"; then not_ok "libcti.so calls no gettimeofday (libpri's is renamed)" "imports gettimeofday"
else ok "libcti.so calls no gettimeofday (libpri's is renamed)"; fi
members=$(ar t "$A" | grep -c '^libpri_' || true)
if [[ $members -gt 10 ]]; then ok "libcti.a carries libpri's members ($members)"
else not_ok "libcti.a carries libpri's members" "found $members libpri_*.o"; fi
sched=$(nm "$A" 2>/dev/null | awk '/^libpri_prisched.o:/{f=1; next} /:$/{f=0} f')
check "libpri_prisched.o defines pri_schedule_run" grep -q ' T pri_schedule_run$' <<<"$sched"
check "libpri_prisched.o calls cti__pri_gettimeofday" grep -q ' U cti__pri_gettimeofday$' <<<"$sched"
if nm "$A" 2>/dev/null | grep -q ' [UT] gettimeofday$'; then
	not_ok "no object of libcti.a defines or calls gettimeofday" "$(nm -A "$A" | grep ' [UT] gettimeofday$' | head -3)"
else ok "no object of libcti.a defines or calls gettimeofday"; fi
if grep -v '^#' libcti.pc.in | grep -q -- '-lpri'; then not_ok "libcti.pc.in lists no -lpri" "$(grep -- -lpri libcti.pc.in)"
else ok "libcti.pc.in lists no -lpri"; fi
echo "1..$n"
