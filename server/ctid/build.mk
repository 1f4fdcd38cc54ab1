# server/ctid: the call-center server on libcti (docs/ctid.md).
#
#   acd.c      ACD engine: agents, queues, skills, routing, statistics (no I/O, time passed in)
#   config.c   ctid.conf parser with file:line errors
#   cdr.c      call detail records in SQLite (WAL), or PostgreSQL (libpq)
#   ws.c       WebSocket transport (libwebsockets thread), JSON messages handled in server.c
#   server.c   ctid at run time: calls, routing, IVR, ACD to agents' positions, CDRs, signals
#   commands.c the WebSocket commands (a table of handlers; server_int.h is shared with server.c)
#   sim.c      the built-in traffic's far ends beyond server.c's: digit lists, fax machines, talking
#   supervise.c supervisors' monitor/whisper/barge, on-demand recording, queue announcements
#   simphone.c --sim-phone: what the emulated far-end phones send (DTMF) and hear (logged)
#   cluster.c  several hosts as one call center: the ACD in Redis (cluster.lua, hiredis), events by stream
#   calls.c    call control: AnswerCall, MakeCall, network hold, consultation, transfer, conference
#   tts.c      text to speech: espeak-ng prompts cached as 8 kHz WAV
#   prompts.c  the configuration's tts: prompts in the cache at [ctid] tts_cache
#   campaign_conf.c  [campaign NAME] keys and CSV contact lists
#   campaign.c outbound campaigns at run time: contacts in SQLite, pacing, CPA, retries, reports
#   campaign_sim.c the emulated far end of the outbound trunks (--sim-outbound)
#   main.c     the ctid program (ctid --check FILE, ctid FILE)
#
# ctid uses only include/cti.h of libcti, plus its own headers.

CTID_SRCS := server/ctid/acd.c server/ctid/config.c server/ctid/cdr.c server/ctid/server.c server/ctid/commands.c server/ctid/ws.c \
	server/ctid/sim.c server/ctid/cluster.c server/ctid/calls.c server/ctid/tts.c server/ctid/prompts.c server/ctid/campaign_conf.c \
	server/ctid/campaign.c server/ctid/campaign_sim.c \
	server/ctid/customer.c server/ctid/webcmds.c \
	server/ctid/supervise.c server/ctid/simphone.c
# SQLite (libsqlite3-dev) and libpq (libpq-dev) for the CDR store, libwebsockets (libwebsockets-dev) and jansson for the interface.
CTID_LIBS := -lsqlite3 $(shell pkg-config --libs libwebsockets jansson libpq hiredis libcurl 2>/dev/null) -lpthread
# libpq (libpq-dev) for the optional PostgreSQL CDR store.
$(B)/server/ctid/cdr.o: CPPFLAGS += $(shell pkg-config --cflags libpq 2>/dev/null)
CTID_OBJS := $(CTID_SRCS:%.c=$(B)/%.o)
# cluster.lua (the Redis side of the cluster ACD) becomes a C string.
$(B)/server/ctid/cluster_lua.h: server/ctid/cluster.lua
	@mkdir -p $(@D)
	{ echo 'static const unsigned char cluster_lua[] = {'; xxd -i < $<; echo ', 0x00 };'; } > $@
$(B)/server/ctid/cluster.o: $(B)/server/ctid/cluster_lua.h server/ctid/cluster.h
$(B)/server/ctid/cluster.o: CPPFLAGS += -I$(B)/server/ctid
CTID_LIB := $(B)/server/ctid/libctid.a

$(CTID_LIB): $(CTID_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(CTID_OBJS): server/ctid/acd.h server/ctid/config.h server/ctid/cdr.h server/ctid/server.h server/ctid/server_int.h \
	server/ctid/ws.h server/ctid/customer.h server/ctid/webcmds.h server/ctid/tts.h server/ctid/prompts.h server/ctid/campaign_conf.h server/ctid/campaign.h server/ctid/campaign_sim.h

$(B)/server/ctid/main.o: server/ctid/acd.h server/ctid/config.h server/ctid/server.h

$(B)/server/ctid/ctid: $(B)/server/ctid/main.o $(CTID_LIB) $(CTI_A) $(FW_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(CTID_LIB) $(CTI_LINK) $(CTID_LIBS)

ALL_TARGETS += $(B)/server/ctid/ctid
