# tests/fuzz: libFuzzer targets built with clang (Debian clang 14 +
# libclang-rt-14-dev), against a copy of libcti compiled with
# -fsanitize=fuzzer-no-link,address,undefined in build/fuzz. Not part of
# 'make all' (it would compile the library a second time for every build):
# 'make fuzz-bin' builds them, 'make fuzz' / 'make fuzz-long' run them, and
# the script test tests/fuzz/test_fuzz.sh builds and runs them in 'make check'.
FUZZ_B := build/fuzz
FUZZ_CC := clang
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CPPFLAGS := -Iinclude -Ifirmware/include -I$(FUZZ_B)/generated -D_DEFAULT_SOURCE -D_GNU_SOURCE
# The library is warning-clean under gcc -Werror (the real builds); clang may
# warn differently about others' code, which must not stop the fuzzers.
FUZZ_CFLAGS := -std=c11 -Wall -Wextra -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_TARGETS := $(FUZZ_B)/fuzz_config $(FUZZ_B)/fuzz_tiff
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_B)/%.o,$(LIB_SRCS))
FUZZ_FW_OBJS := $(patsubst %.c,$(FUZZ_B)/%.o,$(FW_SRCS))

$(FUZZ_B)/generated/cticonfig.h: .config Kconfig
	@mkdir -p $(@D)
	KCONFIG_CONFIG=.config $(PY) -m genconfig --header-path $@ Kconfig

$(FUZZ_FW_OBJS): FUZZ_EXTRA := -ffreestanding

$(FUZZ_B)/%.o: %.c | $(FUZZ_B)/generated/cticonfig.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) $(FUZZ_EXTRA) $(LIB_CFLAGS) -MMD -MP -c -o $@ $<

# The fuzz targets themselves: warning-free under clang too.
$(FUZZ_B)/tests/fuzz/%.o: tests/fuzz/%.c | $(FUZZ_B)/generated/cticonfig.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -Werror $(LIB_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_B)/libcti-fuzz.a: $(FUZZ_LIB_OBJS) $(FUZZ_FW_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# libpri: the copy lib/build.mk prepares for libcti (gettimeofday renamed to
# libcti's clock), not instrumented.
FUZZ_PRI := $(or $(PRI_CTI_A),-lpri)

$(FUZZ_B)/fuzz_%: $(FUZZ_B)/tests/fuzz/fuzz_%.o $(FUZZ_B)/libcti-fuzz.a $(PRI_CTI_A)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $(FUZZ_B)/tests/fuzz/fuzz_$*.o $(FUZZ_B)/libcti-fuzz.a \
		$(FUZZ_PRI) $(LIB_LIBS)

.PHONY: fuzz-bin
fuzz-bin: $(FUZZ_TARGETS)

SCRIPT_TESTS += tests/fuzz/test_fuzz.sh

ifneq ($(filter fuzz fuzz-bin fuzz-long,$(MAKECMDGOALS)),)
-include $(shell find $(FUZZ_B) -name '*.d' 2>/dev/null)
endif

# Seed corpus writer for fuzz_tiff (run by hand, see mkcorpus.c).
$(B)/tests/fuzz/mkcorpus: $(B)/tests/fuzz/mkcorpus.o $(B)/tests/fax/testdoc.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIB_LIBS)
