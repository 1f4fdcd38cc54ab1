# tests/qemu-suppl: supplementary services over the ctitdm DAHDI spans in QEMU
# (make qemu-check). qemu_suppl is linked dynamically; the test script puts
# its libraries into the initramfs.
ifeq ($(CONFIG_KERNEL_DRIVER),y)

$(B)/tests/qemu-suppl/qemu_suppl: $(B)/tests/qemu-suppl/qemu_suppl.o $(CTI_A) $(FW_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(CTI_LINK)

$(B)/tests/qemu-suppl/qemu_suppl.o: tests/core/simcalls.h

ALL_TARGETS += $(B)/tests/qemu-suppl/qemu_suppl
QEMU_TESTS += tests/qemu-suppl/test_suppl_qemu.sh

endif
