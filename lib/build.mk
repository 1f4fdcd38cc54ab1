# lib/: libcti, static and shared, from every module's sources
# (lib/core, lib/media, lib/fax, lib/maint). The firmware engine is linked in.
LIB_SRCS := $(sort $(wildcard lib/*.c lib/*/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
CTI_A := $(B)/lib/libcti.a
CTI_SO := $(B)/lib/libcti.so.1
# Programs of this tree (tools, examples, tests) link the static library.
CTI_LINK = $(CTI_A) $(FW_LIB) $(LIB_LIBS) $(PROG_LIBS)

$(CTI_A): $(LIB_OBJS) $(FW_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# Exports: the objects are compiled with -fvisibility=hidden (Makefile), the
# version script generated from the CTI_API declarations of cti.h exports
# those functions as CTI_1.0, and --exclude-libs,ALL hides whatever static
# archives bring in. See scripts/cti-symbols.sh for the one exception.
CTI_MAP := $(B)/lib/libcti.map

$(CTI_MAP): include/cti.h scripts/cti-symbols.sh
	@mkdir -p $(@D)
	scripts/cti-symbols.sh --map include/cti.h >$@

$(CTI_SO): $(LIB_OBJS) $(FW_LIB) $(CTI_MAP)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,libcti.so.1 -Wl,--version-script=$(CTI_MAP) -Wl,--exclude-libs,ALL $(LDFLAGS) \
		-o $@ $(LIB_OBJS) $(FW_LIB) $(LIB_LIBS)
	ln -sf libcti.so.1 $(B)/lib/libcti.so

ALL_TARGETS += $(CTI_A) $(if $(LIB_OBJS),$(CTI_SO))
