# tests/fax: lib/fax on its own (fake core/media harness, two fax sessions
# back to back through G.711) and, once lib/core exists, over the sim board.
FAX_LIB_OBJS := $(patsubst %.c,$(B)/%.o,$(sort $(wildcard lib/fax/*.c)))
# lib/abi.o: the growable-struct helpers (cti__abi_*) lib/fax uses.
FAX_HARNESS_OBJS := $(B)/tests/fax/harness.o $(B)/tests/fax/testdoc.o $(B)/lib/abi.o

$(B)/tests/fax/test_fax: $(B)/tests/fax/test_fax.o $(FAX_HARNESS_OBJS) $(FAX_LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIB_LIBS) $(CMOCKA_LIBS)

UNIT_TESTS += $(B)/tests/fax/test_fax

# The TIFF check against damaged documents (quick: no T.30 session).
$(B)/tests/fax/test_fax_tiff: $(B)/tests/fax/test_fax_tiff.o $(FAX_HARNESS_OBJS) $(FAX_LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIB_LIBS) $(CMOCKA_LIBS)

UNIT_TESTS += $(B)/tests/fax/test_fax_tiff

# A hostile application: garbage params, FIFOs and directories as files.
$(B)/tests/fax/test_fax_misuse: $(B)/tests/fax/test_fax_misuse.o $(FAX_HARNESS_OBJS) $(FAX_LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIB_LIBS) $(CMOCKA_LIBS)

UNIT_TESTS += $(B)/tests/fax/test_fax_misuse

# Fax through line bit errors, several seeds (FAX_BER_SEEDS overrides the count).
$(B)/tests/fax/test_fax_ber: $(B)/tests/fax/test_fax_ber.o $(FAX_HARNESS_OBJS) $(FAX_LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIB_LIBS) $(CMOCKA_LIBS)

UNIT_TESTS += $(B)/tests/fax/test_fax_ber

$(B)/tests/fax/bench_fax: $(B)/tests/fax/bench_fax.o $(FAX_HARNESS_OBJS) $(FAX_LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

BENCHES += $(B)/tests/fax/bench_fax

# fax.c compiled as with CONFIG_FAX=n (our cticonfig.h found first).
$(B)/tests/fax/nofax/fax.o: lib/fax/fax.c tests/fax/nofax/cticonfig.h | $(B)/generated/cticonfig.h
	@mkdir -p $(@D)
	$(CC) -Itests/fax/nofax $(CPPFLAGS) $(CFLAGS) $(LIB_CFLAGS) -c -o $@ $<

$(B)/tests/fax/test_fax_nofax: $(B)/tests/fax/test_fax_nofax.o $(B)/tests/fax/nofax/fax.o $(FAX_HARNESS_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIB_LIBS) $(CMOCKA_LIBS)

UNIT_TESTS += $(B)/tests/fax/test_fax_nofax

# Integration over the sim board: needs lib/core (call control, sim transport).
ifneq ($(wildcard lib/core/call.c),)
$(B)/tests/fax/test_fax_sim: $(B)/tests/fax/test_fax_sim.o $(B)/tests/fax/testdoc.o $(CTI_A) $(FW_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(B)/tests/fax/test_fax_sim.o $(B)/tests/fax/testdoc.o $(CTI_LINK) $(CMOCKA_LIBS)

UNIT_TESTS += $(B)/tests/fax/test_fax_sim
endif

# Built by 'make' too, so 'make bench' finds the benchmark.
ALL_TARGETS += $(B)/tests/fax/test_fax $(B)/tests/fax/test_fax_tiff $(B)/tests/fax/test_fax_ber $(B)/tests/fax/test_fax_nofax $(B)/tests/fax/bench_fax

# cti --sim fax send refuses a damaged TIFF before dialling.
ifneq ($(wildcard tools/cti/call.c),)
SCRIPT_TESTS += tests/fax/test_fax_tool.sh
endif
