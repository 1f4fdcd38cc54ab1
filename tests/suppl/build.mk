# tests/suppl: ISDN supplementary services (hold/retrieve, transfer, deflection,
# keypad, display) on the sim board, libpri through libcti on both ends.
SUPPL_TEST_NAMES := test_suppl

$(B)/tests/suppl/%: $(B)/tests/suppl/%.o $(CTI_A) $(FW_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(CTI_LINK) $(CMOCKA_LIBS)

$(B)/tests/suppl/test_suppl.o: tests/core/simcalls.h

UNIT_TESTS += $(SUPPL_TEST_NAMES:%=$(B)/tests/suppl/%)
SCRIPT_TESTS += tests/suppl/tshark-suppl.sh
# `cti hold` / `cti transfer` on the emulated board (uses tests/tools/lib.sh)
SCRIPT_TESTS += tests/suppl/test_cti_suppl.sh
SAN_SCRIPT_TESTS += tests/suppl/test_cti_suppl.sh
