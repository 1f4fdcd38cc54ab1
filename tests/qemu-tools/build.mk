# tests/qemu-tools/: the `cti` line tests on DAHDI spans of the ctitdm driver, in QEMU
# (make qemu-check). Reuses tests/qemu/mkinitramfs.sh; cti and its libraries are added as
# a second cpio archive appended to the initramfs.
ifeq ($(CONFIG_KERNEL_DRIVER),y)
QEMU_TESTS += tests/qemu-tools/test_cti_dahdi.sh
endif
