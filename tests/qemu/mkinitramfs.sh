#!/bin/bash
# mkinitramfs.sh OUT.cpio.gz GUEST_SCRIPT MODULE... -- FILE...
# Builds the initramfs of the ctitdm QEMU tests: busybox-static, an /init
# that mounts proc/sys/devtmpfs and /dev/shm and runs GUEST_SCRIPT as /test.sh,
# the kernel modules in /lib/modules, the DAHDI tools with the libraries
# ldd lists (and the loader), and any extra FILEs into /bin with the shared
# libraries they need.
set -euo pipefail
out=$1; guest=$2; shift 2
mods=(); extra=()
while [[ $# -gt 0 && $1 != -- ]]; do mods+=("$1"); shift; done
[[ $# -gt 0 ]] && shift
extra=("$@")

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/sbin,usr/bin,lib/modules,lib64,etc/dahdi,proc,sys,dev,tmp,root}
cp /bin/busybox "$root/bin/busybox"
for m in "${mods[@]}"; do cp "$m" "$root/lib/modules/"; done
# Copy a program's shared libraries (as ldd lists them) into the initramfs.
copy_libs() {
	{ ldd "$1" 2>/dev/null || true; } | awk '/=> \//{print $3} /^\t\/lib64/{print $1}' | while read -r lib; do
		dest="$root$lib"
		mkdir -p "$(dirname "$dest")"
		[[ -e $dest ]] || cp -L "$lib" "$dest"
	done
}
for f in "${extra[@]}"; do cp "$f" "$root/bin/"; copy_libs "$f"; done
cp "$guest" "$root/test.sh"
chmod +x "$root/test.sh"

tools=(dahdi_cfg dahdi_scan dahdi_test dahdi_maint)
for t in "${tools[@]}"; do
	src=$(command -v "$t" || echo "/usr/sbin/$t")
	cp "$src" "$root/usr/sbin/$t"
	copy_libs "$src"
done
cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
# libtonezone's zone data is compiled in; nothing else to copy.

cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/shm /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
echo "GUEST-START"
sh /test.sh
echo "GUEST-DONE rc=$?"
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
