# tools/: the `cti` line-testing command ($(B)/tools/cti), written against include/cti.h only.
#
# libcti is written module by module; every libcti/firmware function the
# tool or the library objects reference but the tree does not define yet
# gets a stand-in (tools/missing-syms.py -> $(B)/tools/cti-missing.c) that
# fails with "not available in this build", so the tool links at every step.
CTI_TOOL := $(B)/tools/cti
CTI_TOOL_SRCS := $(sort $(wildcard tools/cti/*.c))
CTI_TOOL_OBJS := $(CTI_TOOL_SRCS:tools/cti/%.c=$(B)/tools/obj/%.o)
CTI_TOOL_HDRS := include/cti.h lib/internal.h firmware/include/ctifw.h $(wildcard lib/media/media.h lib/fax/fax.h)

$(B)/tools/obj/%.o: tools/cti/%.c | $(B)/generated/cticonfig.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LIB_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/tools/cti-missing.c: $(CTI_TOOL_OBJS) $(CTI_A) $(FW_LIB) tools/missing-syms.py $(CTI_TOOL_HDRS)
	$(PY) tools/missing-syms.py $(CTI_TOOL_HDRS) -- $(CTI_TOOL_OBJS) $(CTI_A) $(FW_LIB) >$@.tmp
	mv $@.tmp $@

$(B)/tools/cti-missing.o: $(B)/tools/cti-missing.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(CTI_TOOL): $(CTI_TOOL_OBJS) $(B)/tools/cti-missing.o $(CTI_A) $(FW_LIB)
	$(CC) $(LDFLAGS) -o $@ $(CTI_TOOL_OBJS) $(B)/tools/cti-missing.o $(CTI_LINK)

ALL_TARGETS += $(CTI_TOOL)
