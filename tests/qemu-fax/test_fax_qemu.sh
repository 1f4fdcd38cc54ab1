#!/bin/bash
# test_fax_qemu.sh BUILD_QEMU_DIR - fax over DAHDI spans of the ctitdm board in
# QEMU: an E1 EuroISDN call span 1 -> span 2, a 3-page G4 document sent with
# ECM at V.17 and a 1-page one without ECM at V.29, pages compared pel by pel
# (qemu_fax). Reuses the kernel helper's initramfs tooling
# (tests/qemu/mkinitramfs.sh); the dynamically linked program's libraries are
# appended as a second cpio (as tests/qemu-core does).
set -uo pipefail
out=${1:-build/qemu}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
kdir=$top/build/kernel
drv=$kdir/dahdi/modules/dahdi/drivers/dahdi
bin=$top/build/std/tests/qemu-fax/qemu_fax
mkdir -p "$out"
mods=("$drv/dahdi.ko" "$kdir/ctitdm/ctitdm.ko")
for f in "${mods[@]}" "$bin"; do
	[[ -f $f ]] || { echo "not ok 1 - missing $f (run make)"; exit 1; }
done
kvers=$(modinfo -F vermagic "$kdir/ctitdm/ctitdm.ko" | awk '{print $1}')
kernel=/boot/vmlinuz-$kvers
[[ -r $kernel ]] || { echo "not ok 1 - kernel image $kernel not readable"; exit 1; }
img=$out/fax-initramfs.cpio.gz
"$top/tests/qemu/mkinitramfs.sh" "$img" "$here/guest-fax.sh" "${mods[@]}" -- "$bin" ||
	{ echo "not ok 1 - initramfs build failed"; exit 1; }
# second archive: the shared libraries qemu_calls needs (the kernel unpacks concatenated archives)
libs=$(mktemp -d)
trap 'rm -rf "$libs"' EXIT
ldd "$bin" | awk '/=> \//{print $3} /^\t\/lib64/{print $1}' | while read -r lib; do
	mkdir -p "$libs$(dirname "$lib")"
	cp -L "$lib" "$libs$lib"
done
(cd "$libs" && find . | cpio -o -H newc --quiet | gzip -1) >>"$img"
log=$out/fax-console.log
echo "# booting $kernel in QEMU (log: $log)"
start=$(date +%s)
timeout 600 qemu-system-x86_64 -m 768 -smp 2 -nographic -no-reboot \
	-kernel "$kernel" -initrd "$img" \
	-append "console=ttyS0 quiet panic=-1 oops=panic" </dev/null >"$log" 2>&1
rc=$?
tr -d '\r' <"$log" | grep -E '^(ok|not ok|#)'
echo "# VM ran $(( $(date +%s) - start )) s, qemu exit $rc"
if ! grep -q 'GUEST-DONE' "$log"; then
	echo "not ok - guest did not finish (timeout, panic or crash); last console lines:"
	tr -d '\r' <"$log" | tail -30 | sed 's/^/#   /'
	exit 1
fi
grep -q '^ok' <(tr -d '\r' <"$log") || { echo "not ok - no test ran"; exit 1; }
grep -q '^not ok' <(tr -d '\r' <"$log") && exit 1
exit 0
