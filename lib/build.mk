# lib/: libcti, static and shared, from every module's sources
# (lib/core, lib/media, lib/fax, lib/maint). The firmware engine is linked in.
LIB_SRCS := $(sort $(wildcard lib/*.c lib/*/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
CTI_A := $(B)/lib/libcti.a
CTI_SO := $(B)/lib/libcti.so.1
# Programs of this tree (tools, examples, tests) link the static library.
CTI_LINK = $(CTI_A) $(FW_LIB) $(LIB_LIBS) $(PROG_LIBS)

# libpri is linked into libcti (Debian's libpri-dev ships a PIC libpri.a) with
# its one clock reference, gettimeofday, renamed to libcti's hidden
# cti__pri_gettimeofday (lib/core/ctx.c): libpri's Q.921/Q.931 timers follow
# the context's clock (virtual or real) and the process's gettimeofday stays
# libc's. The shared library exports none of libpri's symbols
# (--exclude-libs); the static libcti.a carries libpri's members as
# libpri_<name>.o.
# (Debian's path when libpri-dev is not installed yet: make deps installs it before the build.)
PRI_A := $(or $(filter /%,$(shell $(CC) -print-file-name=libpri.a)),/usr/lib/libpri.a)
PRI_CTI_A := $(B)/lib/pri/libpri-cti.a
PRI_STAMP := $(B)/lib/pri/members.stamp

$(PRI_CTI_A): $(PRI_A)
	@mkdir -p $(@D)
	objcopy --redefine-sym gettimeofday=cti__pri_gettimeofday $< $@
	@if nm $@ | grep -qw 'U gettimeofday'; then echo "$@: libpri still calls gettimeofday" >&2; rm -f $@; exit 1; fi

$(PRI_STAMP): $(PRI_CTI_A)
	rm -rf $(B)/lib/pri/o && mkdir -p $(B)/lib/pri/o
	cd $(B)/lib/pri/o && ar x $(abspath $<) && for f in *.o; do mv "$$f" "libpri_$$f"; done
	touch $@

$(CTI_A): $(LIB_OBJS) $(FW_OBJS) $(PRI_STAMP)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $(LIB_OBJS) $(FW_OBJS) $(B)/lib/pri/o/libpri_*.o

# Exports: the objects are compiled with -fvisibility=hidden (Makefile), the
# version script generated from the CTI_API declarations of cti.h exports
# those functions as CTI_1.0 and makes everything else local, and
# --exclude-libs,ALL hides whatever static archives (libpri) bring in.
CTI_MAP := $(B)/lib/libcti.map

$(CTI_MAP): include/cti.h scripts/cti-symbols.sh
	@mkdir -p $(@D)
	scripts/cti-symbols.sh --map include/cti.h >$@

$(CTI_SO): $(LIB_OBJS) $(FW_LIB) $(PRI_CTI_A) $(CTI_MAP)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,libcti.so.1 -Wl,--version-script=$(CTI_MAP) -Wl,--exclude-libs,ALL $(LDFLAGS) \
		-o $@ $(LIB_OBJS) $(FW_LIB) $(PRI_CTI_A) $(LIB_LIBS)
	ln -sf libcti.so.1 $(B)/lib/libcti.so

ALL_TARGETS += $(CTI_A) $(if $(LIB_OBJS),$(CTI_SO))
