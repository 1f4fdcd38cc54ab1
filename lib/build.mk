# lib/: libcti, static and shared, from every module's sources
# (lib/core, lib/media, lib/fax, lib/maint). The firmware engine is linked in.
LIB_SRCS := $(sort $(wildcard lib/*.c lib/*/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
CTI_A := $(B)/lib/libcti.a
CTI_SO := $(B)/lib/libcti.so.1
CTI_LINK = $(CTI_A) $(FW_LIB) $(LIB_LIBS)

$(CTI_A): $(LIB_OBJS) $(FW_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(CTI_SO): $(LIB_OBJS) $(FW_LIB)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,libcti.so.1 $(LDFLAGS) -o $@ $(LIB_OBJS) $(FW_LIB) $(LIB_LIBS)
	ln -sf libcti.so.1 $(B)/lib/libcti.so

ALL_TARGETS += $(CTI_A) $(if $(LIB_OBJS),$(CTI_SO))
