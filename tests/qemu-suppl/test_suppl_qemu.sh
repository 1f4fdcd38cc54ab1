#!/bin/bash
# test_suppl_qemu.sh BUILD_QEMU_DIR - supplementary services over DAHDI spans of the ctitdm
# board in QEMU: ECT (E1 EuroISDN) and 2BCT (T1 NI2) transfers freeing the B-channels, hold and
# retrieve; run by qemu_suppl in the guest (guest-suppl.sh) on the shared tests/qemu/run-vm.sh.
here=$(cd "$(dirname "$0")" && pwd)
top=$here/../..
drv=$top/build/kernel/dahdi/modules/dahdi/drivers/dahdi
QEMU_OUT=${1:-build/qemu} exec "$top/tests/qemu/run-vm.sh" suppl "$here/guest-suppl.sh" 600 768 \
	"$drv/dahdi.ko" "$top/build/kernel/ctitdm/ctitdm.ko" -- "$top/build/std/tests/qemu-suppl/qemu_suppl"
