#!/bin/bash
# test_ctitdm.sh BUILD_QEMU_DIR - QEMU test of the ctitdm DAHDI driver.
# Builds an initramfs (busybox, dahdi.ko, dahdi_echocan_mg2.ko, ctitdm.ko,
# DAHDI tools, ctitdm-test), boots Debian's kernel once in QEMU (software
# emulation) and relays the TAP lines the guest script prints.
set -uo pipefail
out=${1:-build/qemu}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
kdir=$top/build/kernel
drv=$kdir/dahdi/modules/dahdi/drivers/dahdi
mkdir -p "$out"
mods=("$drv/dahdi.ko" "$drv/dahdi_echocan_mg2.ko" "$kdir/dahdi/modules/dahdi/drivers/staging/echo/echo.ko"
	"$drv/dahdi_echocan_oslec.ko" "$kdir/ctitdm/ctitdm.ko")
for f in "${mods[@]}" "$out/ctitdm-test" "$out/pri-test"; do
	[[ -f $f ]] || { echo "not ok 1 - missing $f (run make)"; exit 1; }
done
kvers=$(modinfo -F vermagic "$kdir/ctitdm/ctitdm.ko" | awk '{print $1}')
kernel=/boot/vmlinuz-$kvers
[[ -r $kernel ]] || { echo "not ok 1 - kernel image $kernel not readable"; exit 1; }
img=$out/ctitdm-initramfs.cpio.gz
"$here/mkinitramfs.sh" "$img" "$here/guest-ctitdm.sh" "${mods[@]}" -- "$out/ctitdm-test" "$out/pri-test" ||
	{ echo "not ok 1 - initramfs build failed"; exit 1; }
log=$out/ctitdm-console.log
echo "# booting $kernel in QEMU (log: $log)"
start=$(date +%s)
timeout 300 qemu-system-x86_64 -m 512 -smp 2 -nographic -no-reboot \
	-kernel "$kernel" -initrd "$img" \
	-append "console=ttyS0 quiet panic=-1 oops=panic" </dev/null >"$log" 2>&1
rc=$?
tr -d '\r' <"$log" | grep -E '^(ok|not ok|#|1\.\.)' 
echo "# VM ran $(( $(date +%s) - start )) s, qemu exit $rc"
if ! grep -q 'GUEST-DONE' "$log"; then
	echo "not ok - guest did not finish (timeout, panic or crash); last console lines:"
	tr -d '\r' <"$log" | tail -30 | sed 's/^/#   /'
	exit 1
fi
grep -q '^not ok' <(tr -d '\r' <"$log") && exit 1
exit 0
