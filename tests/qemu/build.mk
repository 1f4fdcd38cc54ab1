# tests/qemu/: QEMU tests of the ctitdm kernel driver (make qemu-check).
ifeq ($(CONFIG_KERNEL_DRIVER),y)

QEMU_OUT := build/qemu
CTITDM_TEST := $(QEMU_OUT)/ctitdm-test

# Static, so the guest needs no libraries for it; DAHDI's user.h from dahdi-linux.
$(CTITDM_TEST): tests/qemu/ctitdm-test.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(WARN) -O2 -static -o $@ $<

# libpri over the board's hardhdlc D-channels (Debian's static libpri).
PRI_TEST := $(QEMU_OUT)/pri-test
$(PRI_TEST): tests/qemu/pri-test.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(WARN) -O2 -static -o $@ $< /usr/lib/libpri.a -lm

ALL_TARGETS += $(CTITDM_TEST) $(PRI_TEST)
QEMU_TESTS += tests/qemu/test_ctitdm.sh

endif
