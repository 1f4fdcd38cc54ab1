# server/ctid: the call-center server on libcti (docs/ctid.md).
#
#   acd.c      ACD engine: agents, queues, skills, routing, statistics (no I/O, time passed in)
#   config.c   ctid.conf parser with file:line errors
#   cdr.c      call detail records in SQLite (WAL), or PostgreSQL (libpq)
#   ws.c       WebSocket transport (libwebsockets thread), JSON messages handled in server.c
#   server.c   ctid at run time: calls, routing, IVR, ACD to agents' positions, CDRs, signals
#   commands.c the WebSocket commands (a table of handlers; server_int.h is shared with server.c)
#   supervise.c supervisors' monitor/whisper/barge, on-demand recording, queue announcements
#   simphone.c --sim-phone: what the emulated far-end phones send (DTMF) and hear (logged)
#   main.c     the ctid program (ctid --check FILE, ctid FILE)
#
# ctid uses only include/cti.h of libcti, plus its own headers.

CTID_SRCS := server/ctid/acd.c server/ctid/config.c server/ctid/cdr.c server/ctid/server.c server/ctid/commands.c server/ctid/ws.c \
	server/ctid/supervise.c server/ctid/simphone.c
# SQLite (libsqlite3-dev) and libpq (libpq-dev) for the CDR store, libwebsockets (libwebsockets-dev) and jansson for the interface.
CTID_LIBS := -lsqlite3 $(shell pkg-config --libs libwebsockets jansson libpq 2>/dev/null) -lpthread
# libpq (libpq-dev) for the optional PostgreSQL CDR store.
$(B)/server/ctid/cdr.o: CPPFLAGS += $(shell pkg-config --cflags libpq 2>/dev/null)
CTID_OBJS := $(CTID_SRCS:%.c=$(B)/%.o)
CTID_LIB := $(B)/server/ctid/libctid.a

$(CTID_LIB): $(CTID_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(CTID_OBJS): server/ctid/acd.h server/ctid/config.h server/ctid/cdr.h server/ctid/server.h server/ctid/server_int.h \
	server/ctid/ws.h

$(B)/server/ctid/main.o: server/ctid/acd.h server/ctid/config.h server/ctid/server.h

$(B)/server/ctid/ctid: $(B)/server/ctid/main.o $(CTID_LIB) $(CTI_A) $(FW_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(CTID_LIB) $(CTI_LINK) $(CTID_LIBS)

ALL_TARGETS += $(B)/server/ctid/ctid
