# examples/: tutorial programs written only against include/cti.h.
#
#   simple_call   the first tutorial: one call over the emulated board
#   demo          a whole call center on libcti alone (demo.c + ivr.c + acd.c); `make demo` runs
#                 ctid (examples/ctid-demo, examples/demo.sh) and this program for the reminders
#
# This file is read before lib/build.mk: prerequisites spell the library paths
# out; recipes expand $(CTI_LINK) later, when it is defined.

EX_SIMPLE_SRCS := examples/simple_call.c
EX_DEMO_SRCS := examples/demo.c examples/ivr.c examples/acd.c

$(B)/examples/simple_call: $(EX_SIMPLE_SRCS:%.c=$(B)/%.o) $(B)/lib/libcti.a $(B)/firmware/libctifw.a
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(CTI_LINK)

$(B)/examples/demo: $(EX_DEMO_SRCS:%.c=$(B)/%.o) $(B)/lib/libcti.a $(B)/firmware/libctifw.a
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(CTI_LINK)

$(EX_DEMO_SRCS:%.c=$(B)/%.o): examples/demo.h

ALL_TARGETS += $(B)/examples/simple_call $(B)/examples/demo
SCRIPT_TESTS += examples/test-examples.sh
# The whole demo under ASan+UBSan too: it drives every module of libcti.
SAN_SCRIPT_TESTS += examples/test-examples.sh
BENCHES += examples/bench-demo.sh
