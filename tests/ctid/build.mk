# tests/ctid: ctid, the call-center server (server/ctid).
#   test_acd            cmocka: the ACD engine in virtual time (states, skills, overflow, VIP, abandon, wrap-up, stats,
#                       a call for one agent: preview dialing)
#   test_ctid_config    cmocka: ctid.conf parser: the sample, a table of bad input (file:line messages), reload
#   test_cdr            cmocka: CDR rows in SQLite read back with SQL, WAL, rows survive kill -9
#   test_ws             cmocka: the WebSocket transport with real sockets: every queued message arrives
#                       in order under back-pressure, a client gone mid-stream, ws_stop flushes then 1001
#   test_customer       cmocka: customer records by ANI (SQLite, then a local HTTP server; errors, timeout)
#   test_ctid_check.sh  `ctid --check`: exit codes and messages on good and bad files
#   test_ctid_sim.sh    ctid on the emulated board: IVR, ACD, agents, CDR rows, SIGHUP, SIGTERM
#   test_cdr_pg.sh      the PostgreSQL CDR store against a local server the test starts (initdb, pg_ctl)
#   test_ctid_service.sh  the systemd unit: make install-ctid into a DESTDIR, systemd-analyze verify and
#                       security, sysusers/tmpfiles, ctid started as the unit says (user, read-only system,
#                       private /tmp), log format, ExecReload, SIGTERM within TimeoutStopSec, CDRs, recording
#   test_sim_wait.sh    --sim-wait-clients: calls wait for the WebSocket sessions (bench_ws), refused without
#   test_ctid_ws.sh     WebSocket interface with a real client (test_ctid_ws.py): hostile messages, 1000
#                       connections, agent flow with screen pop, authorization, CDR rows,
#                       close frame 1001 to connected clients on SIGTERM
#   test_ctid_supervise.sh  supervisors' listen/whisper/barge heard at the far-end phones (DTMF per party),
#                       MonitorEnded, on-demand recording (valid WAVs, CDR paths, kill -9), queue
#                       announcements with the caller's position (virtual time)
#   test_ctid_tts.sh    text-to-speech prompts: espeak-ng WAVs are speech (en, cmn), cached, voice errors
#   test_ctid_campaign.sh outbound campaigns on the emulated board: results per far end, retries, pacing,
#                       window, message heard, fax pixel-exact, bad CSV rows, progressive mode
#   test_ctid_campaign_ws.sh campaigns over WebSocket (test_ctid_campaign_ws.py): Start/Pause/Resume/
#                       SnapshotCampaign, CampaignProgressEvent, preview mode (PreviewEvent, Accept/RejectPreview)
#   test_ctid_calls.sh  call control (test_ctid_calls.py): AnswerCall, MakeCall, ConsultationCall, TransferCall
#                       (ECT in the pcap, DMS100 bridged, NI2 2BCT), ConferenceCall, ReconnectCall, network hold
CTID_TEST_NAMES := test_acd test_ctid_config test_cdr test_ws
CTID_TEST_NAMES += test_customer
$(B)/tests/ctid/test_customer.o: server/ctid/customer.h

$(CTID_TEST_NAMES:%=$(B)/tests/ctid/%): $(B)/tests/ctid/%: $(B)/tests/ctid/%.o $(CTID_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(CTID_LIB) $(CTID_LIBS) $(CMOCKA_LIBS)

$(CTID_TEST_NAMES:%=$(B)/tests/ctid/%.o): CPPFLAGS += -Iserver/ctid
$(CTID_TEST_NAMES:%=$(B)/tests/ctid/%.o): server/ctid/acd.h server/ctid/config.h server/ctid/cdr.h
$(B)/tests/ctid/test_ws.o: server/ctid/ws.h tests/ctid/wsclient.h

UNIT_TESTS += $(CTID_TEST_NAMES:%=$(B)/tests/ctid/%)
SCRIPT_TESTS += tests/ctid/test_ctid_check.sh tests/ctid/test_ctid_sim.sh tests/ctid/test_ctid_ws.sh tests/ctid/test_cdr_pg.sh
SCRIPT_TESTS += tests/ctid/test_ctid_tts.sh tests/ctid/test_ctid_campaign.sh tests/ctid/test_ctid_campaign_ws.sh
SAN_SCRIPT_TESTS += tests/ctid/test_ctid_check.sh tests/ctid/test_ctid_sim.sh tests/ctid/test_ctid_ws.sh tests/ctid/test_cdr_pg.sh
SCRIPT_TESTS += tests/ctid/test_ctid_service.sh tests/ctid/test_sim_wait.sh tests/ctid/test_ctid_calls.sh
SAN_SCRIPT_TESTS += tests/ctid/test_ctid_service.sh tests/ctid/test_sim_wait.sh tests/ctid/test_ctid_calls.sh
SAN_SCRIPT_TESTS += tests/ctid/test_ctid_tts.sh tests/ctid/test_ctid_campaign.sh tests/ctid/test_ctid_campaign_ws.sh
SCRIPT_TESTS += tests/ctid/test_ctid_supervise.sh
SAN_SCRIPT_TESTS += tests/ctid/test_ctid_supervise.sh

# bench_acd: the ACD engine with 1000 agents and a day of 200,000 calls (make bench).
$(B)/tests/ctid/bench_acd: $(B)/tests/ctid/bench_acd.o $(CTID_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(CTID_LIB) $(CTID_LIBS)
$(B)/tests/ctid/bench_acd.o: CPPFLAGS += -Iserver/ctid
$(B)/tests/ctid/bench_acd.o: server/ctid/acd.h
ALL_TARGETS += $(B)/tests/ctid/bench_acd
BENCHES += $(B)/tests/ctid/bench_acd

# bench_ctid.sh (make bench): whole calls through ctid on the emulated board, WebSocket events with the
# lean C client bench_ws (1000 agent and 50 supervisor sessions), memory per agent.
$(B)/tests/ctid/bench_ws: $(B)/tests/ctid/bench_ws.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $<
ALL_TARGETS += $(B)/tests/ctid/bench_ws
BENCHES += tests/ctid/bench_ctid.sh
# bench_campaign.sh: a campaign of 400 contacts through ctid on the emulated board, and the cost of TTS.
BENCHES += tests/ctid/bench_campaign.sh
