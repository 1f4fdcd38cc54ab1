#!/bin/bash
# test_cti_dahdi.sh BUILD_QEMU_DIR - `cti` on DAHDI spans: dahdi.ko and ctitdm.ko (2 ports
# cabled together), spans configured by dahdi_cfg, then the line tests of cti against them
# (status, cable faults through the driver's sysfs, alarms, loopbacks, error injection, BERT
# over DAHDI_MAINT_PRBS) and PRI test calls between the two spans (call, DTMF echo,
# milliwatt level, Q.931 trace, fax send to fax receive in two programs), on the shared
# harness tests/qemu/run-vm.sh.
# GUEST=script replaces the guest script (for experiments).
here=$(cd "$(dirname "$0")" && pwd)
top=$here/../..
drv=$top/build/kernel/dahdi/modules/dahdi/drivers/dahdi
out=${1:-build/qemu}
mkdir -p "$out"
# the fax the guest sends and receives: 2 pages G4 at fax width (1728 at R8), made here
# because the guest has no ghostscript; it lands in the guest's /bin with the programs. The page
# is 842 pt high at 196 dpi: the marks stay below that, so the pages are not blank and differ
tif=$out/cti-fax-2p.tif
gs -q -dNOPAUSE -dBATCH -sDEVICE=tiffg4 -r204x196 -g1728x2292 -sOutputFile="$tif" \
	-c "/Helvetica findfont 40 scalefont setfont 72 700 moveto (cti fax over DAHDI) show showpage" \
	-c "72 400 moveto (page 2) show 72 72 moveto 500 700 lineto stroke showpage" \
	>/dev/null 2>&1 || { echo "not ok 1 - ghostscript could not make $tif"; exit 1; }
QEMU_OUT=$out exec "$top/tests/qemu/run-vm.sh" cti "${GUEST:-$here/guest-cti.sh}" 300 512 \
	"$drv/dahdi.ko" "$top/build/kernel/ctitdm/ctitdm.ko" -- "$top/build/std/tools/cti" /usr/bin/tiffinfo "$tif"
