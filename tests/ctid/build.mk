# tests/ctid: ctid, the call-center server (server/ctid).
#   test_acd           cmocka: the ACD engine in virtual time (states, skills, overflow, VIP, abandon, wrap-up, stats)
CTID_TEST_NAMES := test_acd

$(CTID_TEST_NAMES:%=$(B)/tests/ctid/%): $(B)/tests/ctid/%: $(B)/tests/ctid/%.o $(CTID_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(CTID_LIB) $(CMOCKA_LIBS)

$(CTID_TEST_NAMES:%=$(B)/tests/ctid/%.o): CPPFLAGS += -Iserver/ctid
$(CTID_TEST_NAMES:%=$(B)/tests/ctid/%.o): server/ctid/acd.h

UNIT_TESTS += $(CTID_TEST_NAMES:%=$(B)/tests/ctid/%)
