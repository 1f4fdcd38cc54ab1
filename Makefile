# CTI E1/T1 PRI stack - top-level build.
#
#   make            build everything (fails naming missing Debian packages: make deps installs them)
#   make check      build and run every test: unit, integration, ABI, ASan+UBSan, TSan, QEMU kernel
#   make check-tsan ThreadSanitizer build (SAN=thread, build/tsan) running TSAN_TESTS
#   make demo       fax-on-demand help desk through ctid on the emulated board (report.html)
#   make bench      benchmarks with their targets
#
# Non-recursive: each directory contributes a build.mk fragment that appends
# to the lists below. Objects go to $(B) (build/std, build/asan with SAN=1, build/tsan with SAN=thread).

SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
# Keep objects make considers intermediate (test programs' .o): deleting them
# made make skip rebuilding a test after its source changed.
.SECONDARY:
.SUFFIXES:

TOP := $(CURDIR)
PY := /usr/bin/python3
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

SAN ?= 0
ifeq ($(SAN),1)
B := build/asan
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else ifeq ($(SAN),thread)
# ThreadSanitizer (libtsan2): data races between the clock thread, dispatching
# threads and application threads; make check-tsan runs TSAN_TESTS with it.
B := build/tsan
SANFLAGS := -fsanitize=thread -fno-omit-frame-pointer
else
B := build/std
SANFLAGS :=
endif

# ---- configuration (Kconfig) ----
ifeq ($(filter deps clean distclean,$(MAKECMDGOALS)),)
-include .config
endif

.config: | deps-check
	KCONFIG_CONFIG=.config $(PY) -m alldefconfig Kconfig >/dev/null
	@echo "config: wrote default .config (make menuconfig to change)"

$(B)/generated/cticonfig.h: .config Kconfig
	@mkdir -p $(@D)
	KCONFIG_CONFIG=.config $(PY) -m genconfig --header-path $@ Kconfig

.PHONY: defconfig olddefconfig menuconfig
defconfig: | deps-check
	KCONFIG_CONFIG=.config $(PY) -m alldefconfig Kconfig
olddefconfig: | deps-check
	KCONFIG_CONFIG=.config $(PY) -m olddefconfig Kconfig
menuconfig: | deps-check
	KCONFIG_CONFIG=.config $(PY) -m menuconfig Kconfig

# ---- toolchain ----
CC := gcc
# CONFIG_DEBUG: no optimisation, full debug info, and CTI_DEBUG (libcti logs
# every error it reports to stderr as "libcti: <code>: <message>").
OPT := $(if $(filter y,$(CONFIG_DEBUG)),-O0 -g3 -DCTI_DEBUG=1,-O2)
WARN := -Wall -Wextra -Werror
CPPFLAGS := -Iinclude -Ifirmware/include -I$(B)/generated -D_DEFAULT_SOURCE -D_GNU_SOURCE
# -fvisibility=hidden: libcti.so exports only what cti.h marks CTI_API (lib/build.mk).
CFLAGS := -std=c11 $(WARN) $(OPT) -g -fPIC -fvisibility=hidden $(SANFLAGS)
LDFLAGS := $(SANFLAGS)
# Freestanding flags for the firmware engine: it must not lean on libc.
FW_CFLAGS := -std=c11 $(WARN) $(OPT) -g -fPIC -fvisibility=hidden -ffreestanding $(SANFLAGS)

# Libraries libcti links (Debian packages; see scripts/deps.sh): libtiff only
# with CONFIG_FAX, libpcap only with CONFIG_PCAP. libpri is not among them:
# lib/build.mk links its static library into libcti.
LIB_PKGS = spandsp sndfile $(if $(filter y,$(CONFIG_FAX)),libtiff-4) $(if $(filter y,$(CONFIG_PCAP)),libpcap)
LIB_LIBS = $(shell pkg-config --libs $(LIB_PKGS) 2>/dev/null) -lpthread -lm
# What the programs of this tree use themselves besides libcti: jansson (the
# cti tool's --json), libtiff and libpcap (tests check the files libcti wrote).
PROG_PKGS := jansson libtiff-4 libpcap
PROG_LIBS = $(shell pkg-config --libs $(PROG_PKGS) 2>/dev/null)
LIB_CFLAGS = $(shell pkg-config --cflags $(LIB_PKGS) $(PROG_PKGS) 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

# Lists the fragments append to.
ALL_TARGETS :=		# built by 'make'
UNIT_TESTS :=		# cmocka binaries run by 'make test' (std and asan)
SCRIPT_TESTS :=		# shell tests run by 'make test' (std only), get $(B) as $$1
SAN_SCRIPT_TESTS :=	# shell tests also run against the ASan+UBSan build
TSAN_TESTS :=		# cmocka binaries also run by 'make check-tsan' (ThreadSanitizer build)
BENCHES :=		# binaries or scripts run by 'make bench'
QEMU_TESTS :=		# run by 'make qemu-check'
INSTALL_TARGETS :=	# phony install steps
DEMO_TARGETS :=		# phony steps of make demo

$(B)/%.o: %.c | $(B)/generated/cticonfig.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LIB_CFLAGS) -MMD -MP -c -o $@ $<

include $(sort $(wildcard firmware/build.mk lib/build.mk tools/build.mk examples/build.mk \
	kernel/build.mk server/*/build.mk tests/*/build.mk mk/*.mk))

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# ---- top-level targets ----
# The ThreadSanitizer variant builds only libcti and the tests it runs.
.PHONY: tsan-all
tsan-all: $(CTI_A) $(CTI_SO) $(TSAN_TESTS)

.PHONY: all deps deps-check test check check-std check-asan check-tsan qemu-check bench demo install clean distclean

deps:
	@scripts/deps.sh

# Plain make never runs apt: it names what is missing and stops.
deps-check:
	@scripts/deps.sh --check

all: | deps-check
all: $(ALL_TARGETS)

# Run the tests of the current variant; counts go to $(B)/results.
ifeq ($(SAN),thread)
# Under TSan only the tests that exercise threads (TSAN_TESTS); any report aborts the test.
test: tsan-all
	@rm -f $(B)/results
	@TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 $$TSAN_OPTIONS" \
		tests/run-tests.sh $(B)/results unit $(TSAN_TESTS)
else
test: all $(UNIT_TESTS)
	@rm -f $(B)/results
	@tests/run-tests.sh $(B)/results unit $(UNIT_TESTS)
	@$(if $(and $(SCRIPT_TESTS),$(filter 0,$(SAN))),tests/run-tests.sh $(B)/results script $(SCRIPT_TESTS),true)
	@$(if $(and $(SAN_SCRIPT_TESTS),$(filter 1,$(SAN))),tests/run-tests.sh $(B)/results script $(SAN_SCRIPT_TESTS),true)
endif

check-std:
	$(MAKE) -j$(JOBS) SAN=0 all
	$(MAKE) SAN=0 test

check-asan:
	$(MAKE) -j$(JOBS) SAN=1 all
	$(MAKE) SAN=1 test

# ThreadSanitizer: builds libcti and the TSAN_TESTS only (not every program).
check-tsan: | deps
	$(MAKE) -j$(JOBS) SAN=thread tsan-all
	$(MAKE) SAN=thread test

check: | deps
	$(MAKE) check-std
	$(MAKE) check-asan
	$(MAKE) check-tsan
ifeq ($(CONFIG_KERNEL_DRIVER),y)
	$(MAKE) qemu-check
endif
	@tests/summary.sh build/std/results build/asan/results build/tsan/results build/qemu/results

# QEMU tests are scripts (TAP) that get build/qemu as $$1; they find the
# userspace build in build/std and the kernel build in build/kernel.
qemu-check: all
	@rm -f build/qemu/results
	@tests/run-tests.sh build/qemu/results script $(QEMU_TESTS)

bench: all
	@tests/run-bench.sh $(B) $(BENCHES)

# libFuzzer targets (tests/fuzz): a bounded run (also in make check) and a long one.
.PHONY: fuzz fuzz-long
fuzz: fuzz-bin
	@tests/fuzz/run-fuzz.sh build/fuzz $(or $(FUZZ_SECONDS),20)
fuzz-long: fuzz-bin
	@tests/fuzz/run-fuzz.sh build/fuzz $(or $(FUZZ_SECONDS),1800)

demo: | deps
demo: all $(DEMO_TARGETS)

install: all $(INSTALL_TARGETS)

clean:
	rm -rf build

distclean: clean
	rm -f .config .config.old
