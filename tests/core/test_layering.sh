#!/bin/bash
# tests/core/test_layering.sh [BUILD_DIR] - libcti's layering (docs/architecture.md):
# core and lib/maint reach the lines only through the transport interface
# (lib/core/transport.h), no sim/dahdi branches outside the two transports,
# no calls from core into lib/maint, none from a transport into lib/maint or
# lib/media. Checks the sources: CTI_SRC=<dir> checks another tree.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${CTI_SRC:-$here/../..}
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fail=1; echo "not ok $n - $*"; }
# check DESCRIPTION PATTERN FILE... : no line of the files matches the (extended) pattern
check() {
	local what=$1 pat=$2 hits
	shift 2
	hits=$(cd "$src" && grep -nE "$pat" "$@" 2>&1)
	if [ -z "$hits" ]; then
		ok "$what"
	else
		notok "$what"
		echo "$hits" | sed 's/^/#   /'
	fi
}

# core: every lib/core source but the transports and config.c (whose sim_pairs helper builds sim spans)
core_files=""
for f in "$src"/lib/core/*.c; do
	case ${f##*/} in transport_*.c | config.c) ;; *) core_files="$core_files lib/core/${f##*/}" ;; esac
done
for f in lib/core/ctx.c lib/core/call.c lib/maint/maint.c lib/core/transport.h lib/core/transport_sim.c \
	lib/core/transport_dahdi.c; do
	[ -f "$src/$f" ] || { notok "source $f exists"; }
done

# 1. core and maint: no line hardware (firmware engine, DAHDI, ctitdm sysfs)
check "core and lib/maint use no firmware engine, DAHDI ioctl or ctitdm sysfs" \
	'ctifw_|CTIFW_|DAHDI_|ioctl\(|/dev/dahdi|/sys/|ctitdm_|CTI_CTITDM|#include <dahdi|#include "ctifw.h"' \
	$core_files lib/maint/maint.c
# 2. no branch on the transport kind outside the transports
check "no sim/dahdi branch outside the transports" \
	'transport *[!=]= *CTI_TRANSPORT_|has_sim|has_dahdi|core_sim_|core_dahdi_|cti__sim_port|cti__dahdi_ctl' \
	$core_files lib/maint/maint.c
# 3. lib/maint sees core only through internal.h and transport.h
check "lib/maint includes only internal.h and transport.h of libcti" \
	'#include "\.\./core/core\.h"|#include "core\.h"|struct core_span *\{|->tpriv|->ctx->' lib/maint/maint.c
# 4. core never calls lib/maint
check "lib/core does not call lib/maint" 'maint_[a-z_]*\(|struct maint_ctx|cti__maint_slot' \
	lib/core/*.c lib/core/*.h lib/internal.h
# 5. the transports call neither lib/maint nor lib/media
check "the transports call neither lib/maint nor lib/media" \
	'media_[a-z_]*\(|#include "\.\./media|#include "\.\./maint|cti_span_(status|reset_counters|loopback|loopcode|inject)\(|cti_bert_(start|stop|status)\(|cti_cable_[a-z_]*\(' \
	lib/core/transport_sim.c lib/core/transport_dahdi.c
# 6. each transport is one ops table
for t in sim dahdi; do
	if grep -q "^const struct cti_transport_ops core_transport_$t = {" "$src/lib/core/transport_$t.c" 2>/dev/null; then
		ok "transport_$t.c defines core_transport_$t"
	else
		notok "transport_$t.c defines core_transport_$t"
	fi
done
# 7. core calls the line only through the ops
if grep -q 'sp->ops->dframe_send' "$src/lib/core/call.c" 2>/dev/null &&
   grep -q 'ops->span_start' "$src/lib/core/ctx.c" 2>/dev/null; then
	ok "call.c and ctx.c call the line through sp->ops"
else
	notok "call.c and ctx.c call the line through sp->ops"
fi
echo "1..$n"
exit $fail
