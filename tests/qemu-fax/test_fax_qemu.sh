#!/bin/bash
# test_fax_qemu.sh BUILD_QEMU_DIR - fax over DAHDI spans of the ctitdm board in QEMU: an
# E1 EuroISDN call span 1 -> span 2, a 3-page G4 document sent with ECM at V.17 and a
# 1-page one without ECM at V.29, pages compared pel by pel (qemu_fax, guest-fax.sh),
# on the shared harness tests/qemu/run-vm.sh.
here=$(cd "$(dirname "$0")" && pwd)
top=$here/../..
drv=$top/build/kernel/dahdi/modules/dahdi/drivers/dahdi
QEMU_OUT=${1:-build/qemu} exec "$top/tests/qemu/run-vm.sh" fax "$here/guest-fax.sh" 600 768 \
	"$drv/dahdi.ko" "$top/build/kernel/ctitdm/ctitdm.ko" -- "$top/build/std/tests/qemu-fax/qemu_fax"
