#!/bin/bash
# test_core_qemu.sh BUILD_QEMU_DIR - libcti's dahdi transport in QEMU: calls between
# DAHDI spans of the ctitdm board (E1 EuroISDN, T1 NI2, 10 at once, DTMF, cable cut),
# run by qemu_calls in the guest (guest-core.sh), on the shared harness tests/qemu/run-vm.sh.
here=$(cd "$(dirname "$0")" && pwd)
top=$here/../..
drv=$top/build/kernel/dahdi/modules/dahdi/drivers/dahdi
QEMU_OUT=${1:-build/qemu} exec "$top/tests/qemu/run-vm.sh" core "$here/guest-core.sh" 600 768 \
	"$drv/dahdi.ko" "$top/build/kernel/ctitdm/ctitdm.ko" -- "$top/build/std/tests/qemu-core/qemu_calls"
