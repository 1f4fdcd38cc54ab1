# server/ctid: the call-center server on libcti (docs/ctid.md).
#
#   acd.c      ACD engine: agents, queues, skills, routing, statistics (no I/O, time passed in)
#
# ctid uses only include/cti.h of libcti, plus its own headers.

CTID_SRCS := server/ctid/acd.c
CTID_OBJS := $(CTID_SRCS:%.c=$(B)/%.o)
CTID_LIB := $(B)/server/ctid/libctid.a

$(CTID_LIB): $(CTID_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(CTID_OBJS): server/ctid/acd.h
