#!/bin/bash
# test_ctitdm.sh BUILD_QEMU_DIR - QEMU test of the ctitdm DAHDI driver: one boot of
# Debian's kernel with dahdi.ko, the echo cancellers (mg2, OSLEC), ctitdm.ko, the DAHDI
# tools, ctitdm-test and pri-test; guest-ctitdm.sh prints the TAP lines.
out=${1:-build/qemu}
here=$(cd "$(dirname "$0")" && pwd)
kdir=$here/../../build/kernel
drv=$kdir/dahdi/modules/dahdi/drivers/dahdi
QEMU_OUT=$out exec "$here/run-vm.sh" ctitdm "$here/guest-ctitdm.sh" 300 512 \
	"$drv/dahdi.ko" "$drv/dahdi_echocan_mg2.ko" "$kdir/dahdi/modules/dahdi/drivers/staging/echo/echo.ko" \
	"$drv/dahdi_echocan_oslec.ko" "$kdir/ctitdm/ctitdm.ko" -- "$out/ctitdm-test" "$out/pri-test"
