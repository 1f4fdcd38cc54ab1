# tests/ctid: ctid, the call-center server (server/ctid).
#   test_acd            cmocka: the ACD engine in virtual time (states, skills, overflow, VIP, abandon, wrap-up, stats)
#   test_ctid_config    cmocka: ctid.conf parser: the sample, a table of bad input (file:line messages), reload
#   test_ctid_check.sh  `ctid --check`: exit codes and messages on good and bad files
CTID_TEST_NAMES := test_acd test_ctid_config

$(CTID_TEST_NAMES:%=$(B)/tests/ctid/%): $(B)/tests/ctid/%: $(B)/tests/ctid/%.o $(CTID_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(CTID_LIB) $(CMOCKA_LIBS)

$(CTID_TEST_NAMES:%=$(B)/tests/ctid/%.o): CPPFLAGS += -Iserver/ctid
$(CTID_TEST_NAMES:%=$(B)/tests/ctid/%.o): server/ctid/acd.h server/ctid/config.h

UNIT_TESTS += $(CTID_TEST_NAMES:%=$(B)/tests/ctid/%)
SCRIPT_TESTS += tests/ctid/test_ctid_check.sh
SAN_SCRIPT_TESTS += tests/ctid/test_ctid_check.sh
