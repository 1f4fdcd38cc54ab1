#!/bin/bash
# test_cti_dahdi.sh BUILD_QEMU_DIR - `cti` on DAHDI spans: dahdi.ko and ctitdm.ko (2 ports
# cabled together), spans configured by dahdi_cfg, then the line tests of cti against them
# (status, cable faults through the driver's sysfs, alarms, loopbacks, error injection, BERT
# over DAHDI_MAINT_PRBS) and PRI test calls between the two spans (call, DTMF echo,
# milliwatt level, Q.931 trace), on the shared harness tests/qemu/run-vm.sh.
# GUEST=script replaces the guest script (for experiments).
here=$(cd "$(dirname "$0")" && pwd)
top=$here/../..
drv=$top/build/kernel/dahdi/modules/dahdi/drivers/dahdi
QEMU_OUT=${1:-build/qemu} exec "$top/tests/qemu/run-vm.sh" cti "${GUEST:-$here/guest-cti.sh}" 300 512 \
	"$drv/dahdi.ko" "$top/build/kernel/ctitdm/ctitdm.ko" -- "$top/build/std/tools/cti"
