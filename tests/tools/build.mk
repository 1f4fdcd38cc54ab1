# tests/tools: the `cti` command and lib/maint.
#   test_maint        cmocka: lib/maint over the sim board in virtual time (std and ASan)
#   test_cti_args.sh  command line handling: --help, bad arguments exit 2 with the accepted values
#   test_cti_sim.sh   every subcommand on the emulated board (--sim), --json parsed
#   test_cti_bad_input.sh  the bad-CLI table bad-cli.tsv (exit 2/3 + message, never crash/hang/PASS),
#                     SIGINT/SIGTERM, false PASS results, batch parsing (std and ASan)
$(B)/tests/tools/test_maint: $(B)/tests/tools/test_maint.o $(CTI_A) $(FW_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(CTI_LINK) $(CMOCKA_LIBS)

UNIT_TESTS += $(B)/tests/tools/test_maint
SCRIPT_TESTS += tests/tools/test_cti_args.sh tests/tools/test_cti_sim.sh tests/tools/test_cti_bad_input.sh
SAN_SCRIPT_TESTS += tests/tools/test_cti_sim.sh tests/tools/test_cti_bad_input.sh
