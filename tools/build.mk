# tools/: the `cti` line-testing command ($(B)/tools/cti), written against include/cti.h only.
# -Wformat=2: no non-literal printf format (a file name used as a format crashed the tool).
CTI_TOOL := $(B)/tools/cti
CTI_TOOL_SRCS := $(sort $(wildcard tools/cti/*.c))
CTI_TOOL_OBJS := $(CTI_TOOL_SRCS:tools/cti/%.c=$(B)/tools/obj/%.o)

$(B)/tools/obj/%.o: tools/cti/%.c | $(B)/generated/cticonfig.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LIB_CFLAGS) -Wformat=2 -MMD -MP -c -o $@ $<

$(CTI_TOOL): $(CTI_TOOL_OBJS) $(CTI_A) $(FW_LIB)
	$(CC) $(LDFLAGS) -o $@ $(CTI_TOOL_OBJS) $(CTI_LINK)

ALL_TARGETS += $(CTI_TOOL)
