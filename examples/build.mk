# examples/: tutorial programs written only against include/cti.h.
#
#   simple_call   the first tutorial: one call over the emulated board
#   demo          fax-on-demand call center (demo.c + ivr.c + acd.c), run by `make demo`
#
# libcti is being written module by module (lib/core, lib/media, lib/fax, lib/maint).
# A program joins ALL_TARGETS only once every cti_* function its sources call
# is defined somewhere in lib/, so the tree always links; `make demo` says
# which functions are still missing. (This file is read before lib/build.mk,
# so library paths are spelled out here.)

EX_LIB_SRCS := $(wildcard lib/*/*.c lib/*.c)
# Public functions defined in lib/: a definition starts at column 0
# ("int cti_play(" or "int\ncti_play(").
EX_DEFINED := $(sort $(if $(EX_LIB_SRCS),$(shell grep -ohP '^(?:[A-Za-z_][\w *]*[ *])?\Kcti_[a-z0-9_]+(?=\s*\x28)' $(EX_LIB_SRCS))))
# cti_* functions called by some sources, and those of them lib/ lacks.
ex_needs = $(sort $(shell grep -ohP '\bcti_[a-z0-9_]+(?=\s*\x28)' $(1)))
ex_missing = $(strip $(filter-out $(wildcard $(1)),$(1)) \
	$(filter-out $(EX_DEFINED),$(call ex_needs,$(wildcard $(1)))))

EX_LINK = $(B)/lib/libcti.a $(B)/firmware/libctifw.a $(LIB_LIBS)

EX_SIMPLE_SRCS := examples/simple_call.c
EX_DEMO_SRCS := examples/demo.c examples/ivr.c examples/acd.c
EX_SIMPLE_MISSING := $(call ex_missing,$(EX_SIMPLE_SRCS))
EX_DEMO_MISSING := $(call ex_missing,$(EX_DEMO_SRCS))

$(B)/examples/simple_call: $(EX_SIMPLE_SRCS:%.c=$(B)/%.o) $(B)/lib/libcti.a $(B)/firmware/libctifw.a
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(EX_LINK)

$(B)/examples/demo: $(EX_DEMO_SRCS:%.c=$(B)/%.o) $(B)/lib/libcti.a $(B)/firmware/libctifw.a
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(EX_LINK)

$(EX_DEMO_SRCS:%.c=$(B)/%.o): examples/demo.h

ALL_TARGETS += $(if $(EX_SIMPLE_MISSING),,$(B)/examples/simple_call)
ALL_TARGETS += $(if $(EX_DEMO_MISSING),,$(B)/examples/demo)

# The examples compile against cti.h even while they cannot link yet.
.PHONY: examples-objs
examples-objs: $(EX_SIMPLE_SRCS:%.c=$(B)/%.o) $(EX_DEMO_SRCS:%.c=$(B)/%.o)
SCRIPT_TESTS += examples/test-examples.sh
BENCHES += $(if $(EX_DEMO_MISSING),,examples/bench-demo.sh)
