# tests/qemu-fax: fax over DAHDI spans of the ctitdm board inside QEMU
# (make qemu-check): the E1 call and 3-page ECM fax of tests/fax/test_fax_sim.c,
# with the audio going through dahdi.ko and ctitdm.ko in real time, plus a
# 1-page fax without ECM at V.29. qemu_fax is linked dynamically; the test
# script puts its libraries into the initramfs.
ifeq ($(CONFIG_KERNEL_DRIVER),y)

$(B)/tests/qemu-fax/qemu_fax: $(B)/tests/qemu-fax/qemu_fax.o $(B)/tests/fax/testdoc.o $(CTI_A) $(FW_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(B)/tests/qemu-fax/qemu_fax.o $(B)/tests/fax/testdoc.o $(CTI_LINK)

ALL_TARGETS += $(B)/tests/qemu-fax/qemu_fax

QEMU_TESTS += tests/qemu-fax/test_fax_qemu.sh

endif
