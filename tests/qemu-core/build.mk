# tests/qemu-core: libcti's dahdi transport inside QEMU over the ctitdm board
# (make qemu-check). qemu_calls is linked dynamically; the test script puts
# its libraries into the initramfs.
ifeq ($(CONFIG_KERNEL_DRIVER),y)

$(B)/tests/qemu-core/qemu_calls: $(B)/tests/qemu-core/qemu_calls.o $(CTI_A) $(FW_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(CTI_LINK)

$(B)/tests/qemu-core/qemu_calls.o: tests/core/simcalls.h

ALL_TARGETS += $(B)/tests/qemu-core/qemu_calls
QEMU_TESTS += tests/qemu-core/test_core_qemu.sh

endif
