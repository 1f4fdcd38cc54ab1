#!/bin/bash
# test_cti_dahdi.sh BUILD_QEMU_DIR - `cti` on DAHDI spans: boots Debian's kernel in QEMU with
# dahdi.ko and ctitdm.ko (2 ports cabled together), configures the spans with dahdi_cfg and runs
# the line tests of cti against them (status, cable faults through the driver's sysfs, alarms,
# loopbacks, error injection, BERT over DAHDI_MAINT_PRBS) and test calls between the two spans
# as PRI (call, DTMF echo, milliwatt level, Q.931 trace). Relays the guest's TAP lines.
# GUEST=script replaces the guest script (for experiments).
set -uo pipefail
out=${1:-build/qemu}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
kdir=$top/build/kernel
drv=$kdir/dahdi/modules/dahdi/drivers/dahdi
cti=$top/build/std/tools/cti
mkdir -p "$out"
mods=("$drv/dahdi.ko" "$kdir/ctitdm/ctitdm.ko")
for f in "${mods[@]}" "$cti" "$top/tests/qemu/mkinitramfs.sh"; do
	[[ -f $f ]] || { echo "not ok 1 - missing $f (run make)"; exit 1; }
done
kvers=$(modinfo -F vermagic "$kdir/ctitdm/ctitdm.ko" | awk '{print $1}')
kernel=/boot/vmlinuz-$kvers
[[ -r $kernel ]] || { echo "not ok 1 - kernel image $kernel not readable"; exit 1; }

base=$out/cti-base.cpio.gz
img=$out/cti-initramfs.cpio.gz
"$top/tests/qemu/mkinitramfs.sh" "$base" "${GUEST:-$here/guest-cti.sh}" "${mods[@]}" -- ||
	{ echo "not ok 1 - initramfs build failed"; exit 1; }
# cti and the shared libraries it needs, as a second archive (the kernel unpacks both)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/lib64"
cp "$cti" "$root/bin/cti"
ldd "$cti" | awk '/=> \//{print $3} /^\t\/lib64/{print $1}' | while read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/cti-extra.cpio.gz"
cat "$base" "$out/cti-extra.cpio.gz" >"$img"

log=$out/cti-console.log
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
