# tests/ctid: ctid, the call-center server (server/ctid).
#   test_acd            cmocka: the ACD engine in virtual time (states, skills, overflow, VIP, abandon, wrap-up, stats)
#   test_ctid_config    cmocka: ctid.conf parser: the sample, a table of bad input (file:line messages), reload
#   test_cdr            cmocka: CDR rows in SQLite read back with SQL, WAL, rows survive kill -9
#   test_ctid_check.sh  `ctid --check`: exit codes and messages on good and bad files
#   test_ctid_sim.sh    ctid on the emulated board: IVR, ACD, agents, CDR rows, SIGHUP, SIGTERM
#   test_cdr_pg.sh      the PostgreSQL CDR store against a local server the test starts (initdb, pg_ctl)
#   test_ctid_ws.sh     WebSocket interface with a real client (test_ctid_ws.py): hostile messages, 1000
#                       connections, agent flow with screen pop, authorization, CDR rows,
#                       close frame 1001 to connected clients on SIGTERM
#   test_ctid_supervise.sh  supervisors' listen/whisper/barge heard at the far-end phones (DTMF per party),
#                       MonitorEnded, on-demand recording (valid WAVs, CDR paths, kill -9), queue
#                       announcements with the caller's position (virtual time)
CTID_TEST_NAMES := test_acd test_ctid_config test_cdr

$(CTID_TEST_NAMES:%=$(B)/tests/ctid/%): $(B)/tests/ctid/%: $(B)/tests/ctid/%.o $(CTID_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(CTID_LIB) $(CTID_LIBS) $(CMOCKA_LIBS)

$(CTID_TEST_NAMES:%=$(B)/tests/ctid/%.o): CPPFLAGS += -Iserver/ctid
$(CTID_TEST_NAMES:%=$(B)/tests/ctid/%.o): server/ctid/acd.h server/ctid/config.h server/ctid/cdr.h

UNIT_TESTS += $(CTID_TEST_NAMES:%=$(B)/tests/ctid/%)
SCRIPT_TESTS += tests/ctid/test_ctid_check.sh tests/ctid/test_ctid_sim.sh tests/ctid/test_ctid_ws.sh tests/ctid/test_cdr_pg.sh \
	tests/ctid/test_ctid_supervise.sh
SAN_SCRIPT_TESTS += tests/ctid/test_ctid_check.sh tests/ctid/test_ctid_sim.sh tests/ctid/test_ctid_ws.sh tests/ctid/test_cdr_pg.sh \
	tests/ctid/test_ctid_supervise.sh

# bench_acd: the ACD engine with 1000 agents and a day of 200,000 calls (make bench).
$(B)/tests/ctid/bench_acd: $(B)/tests/ctid/bench_acd.o $(CTID_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(CTID_LIB) $(CTID_LIBS)
$(B)/tests/ctid/bench_acd.o: CPPFLAGS += -Iserver/ctid
$(B)/tests/ctid/bench_acd.o: server/ctid/acd.h
ALL_TARGETS += $(B)/tests/ctid/bench_acd
BENCHES += $(B)/tests/ctid/bench_acd
