# tests/fax: lib/fax on its own (fake core/media harness, two fax sessions
# back to back through G.711) and, once lib/core exists, over the sim board.
FAX_LIB_OBJS := $(patsubst %.c,$(B)/%.o,$(sort $(wildcard lib/fax/*.c)))
FAX_HARNESS_OBJS := $(B)/tests/fax/harness.o $(B)/tests/fax/testdoc.o

$(B)/tests/fax/test_fax: $(B)/tests/fax/test_fax.o $(FAX_HARNESS_OBJS) $(FAX_LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIB_LIBS) $(CMOCKA_LIBS)

UNIT_TESTS += $(B)/tests/fax/test_fax

$(B)/tests/fax/bench_fax: $(B)/tests/fax/bench_fax.o $(FAX_HARNESS_OBJS) $(FAX_LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

BENCHES += $(B)/tests/fax/bench_fax
