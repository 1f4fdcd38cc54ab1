# tools/: the `cti` line-testing command ($(B)/tools/cti), written against include/cti.h only.
CTI_TOOL := $(B)/tools/cti
CTI_TOOL_SRCS := $(sort $(wildcard tools/cti/*.c))
CTI_TOOL_OBJS := $(CTI_TOOL_SRCS:tools/cti/%.c=$(B)/tools/obj/%.o)

$(B)/tools/obj/%.o: tools/cti/%.c | $(B)/generated/cticonfig.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LIB_CFLAGS) -MMD -MP -c -o $@ $<

# Transitional: tools/cti/main.c and util.c still declare cti_tool_missing (the
# name of a libcti function the tree lacked; always NULL now that libcti is
# complete). Drop this object once they no longer refer to it.
$(B)/tools/cti-compat.o:
	@mkdir -p $(@D)
	printf 'const char *cti_tool_missing;\n' | $(CC) $(CFLAGS) -x c -c -o $@ -

$(CTI_TOOL): $(CTI_TOOL_OBJS) $(B)/tools/cti-compat.o $(CTI_A) $(FW_LIB)
	$(CC) $(LDFLAGS) -o $@ $(CTI_TOOL_OBJS) $(B)/tools/cti-compat.o $(CTI_LINK)

ALL_TARGETS += $(CTI_TOOL)
