#!/bin/bash
# run-vm.sh NAME GUEST_SCRIPT TIMEOUT_S MEM_MB MODULE... -- PROGRAM...
# The QEMU harness every kernel-side test shares: builds $QEMU_OUT/NAME-initramfs.cpio.gz
# (mkinitramfs.sh: busybox, the modules, DAHDI tools, the programs and their shared
# libraries, GUEST_SCRIPT as /test.sh), boots the Debian kernel the last module was
# built for under software emulation (no KVM), relays the guest's TAP lines and
# fails when the guest did not finish (no GUEST-DONE: timeout, panic), ran no test
# or printed a `not ok`. The console log stays in $QEMU_OUT/NAME-console.log.
set -uo pipefail
name=$1 guest=$2 limit=$3 mem=$4; shift 4
out=${QEMU_OUT:-build/qemu}
here=$(cd "$(dirname "$0")" && pwd)
mods=(); progs=()
while [[ $# -gt 0 && $1 != -- ]]; do mods+=("$1"); shift; done
[[ $# -gt 0 ]] && shift
progs=("$@")
mkdir -p "$out"
for f in "${mods[@]}" "${progs[@]}" "$guest"; do
	[[ -f $f ]] || { echo "not ok 1 - missing $f (run make)"; exit 1; }
done
kvers=$(modinfo -F vermagic "${mods[-1]}" | awk '{print $1}')
kernel=/boot/vmlinuz-$kvers
[[ -r $kernel ]] || { echo "not ok 1 - kernel image $kernel not readable"; exit 1; }
img=$out/$name-initramfs.cpio.gz
"$here/mkinitramfs.sh" "$img" "$guest" "${mods[@]}" -- "${progs[@]}" ||
	{ echo "not ok 1 - initramfs build failed"; exit 1; }
log=$out/$name-console.log
echo "# booting $kernel in QEMU (log: $log)"
start=$(date +%s)
timeout "$limit" qemu-system-x86_64 -m "$mem" -smp 2 -nographic -no-reboot \
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
grep -q '^ok' <(tr -d '\r' <"$log") || { echo "not ok - no test ran"; exit 1; }
grep -q '^not ok' <(tr -d '\r' <"$log") && exit 1
exit 0
