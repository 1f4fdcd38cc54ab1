# mk/install.mk - `make install` [DESTDIR=/staging] [PREFIX=/usr/local]
#
#   $(PREFIX)/lib                libcti.a, libcti.so.1 + libcti.so symlink
#   $(PREFIX)/lib/pkgconfig      libcti.pc (pkg-config libcti)
#   $(PREFIX)/include            cti.h
#   $(PREFIX)/bin                cti (when tools/ builds it), ctid and ctictl (server/ctid)
#   $(PREFIX)/lib/systemd/system ctid.service (SYSTEMD_UNIT_DIR)
#   /usr/lib/sysusers.d, /usr/lib/tmpfiles.d  ctid.conf: user ctid, /var/spool/ctid (SYSUSERS_DIR, TMPFILES_DIR)
#   $(PREFIX)/share/man/man1     docs/man/*.1
#   $(PREFIX)/share/doc/libcti   README.md, docs/*.md, examples/*.c
#   $(PREFIX)/share/ctid/web     the web desktop and wallboard ctid serves (server/ctid/web)
#   /lib/modules/<kver>/extra    ctitdm.ko and the dahdi.ko it was built against (when built)
#
# Each step depends on `all`, so `make -j install` never copies a file that is still being built.

PREFIX ?= /usr/local
DESTDIR ?=
CTI_VERSION := $(shell sed -nE 's/^\#define CTI_VERSION_MAJOR ([0-9]+).*/\1/p' include/cti.h).$(shell \
	sed -nE 's/^\#define CTI_VERSION_MINOR ([0-9]+).*/\1/p' include/cti.h)
INST_LIB := $(DESTDIR)$(PREFIX)/lib
INST_INC := $(DESTDIR)$(PREFIX)/include
INST_BIN := $(DESTDIR)$(PREFIX)/bin
INST_MAN := $(DESTDIR)$(PREFIX)/share/man/man1
INST_DOC := $(DESTDIR)$(PREFIX)/share/doc/libcti
# The kernel modules, as named in kernel/build.mk (empty when the driver is configured out).
INST_KMODS = $(wildcard $(KERNEL_MODULES))

.PHONY: install-lib install-pc install-header install-tool install-man install-docs install-kmod

install-lib: all
	install -d $(INST_LIB)
	install -m 644 $(B)/lib/libcti.a $(INST_LIB)/libcti.a
	install -m 755 $(B)/lib/libcti.so.1 $(INST_LIB)/libcti.so.1
	ln -sf libcti.so.1 $(INST_LIB)/libcti.so
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then ldconfig; fi

install-pc: all libcti.pc.in
	install -d $(INST_LIB)/pkgconfig
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(CTI_VERSION)|' \
		-e 's|@LIBS_PRIVATE@|$(strip $(LIB_LIBS))|' libcti.pc.in >$(INST_LIB)/pkgconfig/libcti.pc
	chmod 644 $(INST_LIB)/pkgconfig/libcti.pc

install-header: all
	install -d $(INST_INC)
	install -m 644 include/cti.h $(INST_INC)/cti.h

install-tool: all
	@if [ -x $(B)/tools/cti ]; then \
		echo "install -m 755 $(B)/tools/cti $(INST_BIN)/cti"; \
		install -d $(INST_BIN) && install -m 755 $(B)/tools/cti $(INST_BIN)/cti; \
	else echo "install: no $(B)/tools/cti built: cti tool not installed"; fi

install-man: all
	@set -e; for m in $(wildcard docs/man/*.1); do \
		echo "install -m 644 $$m $(INST_MAN)/"; \
		install -d $(INST_MAN); install -m 644 $$m $(INST_MAN)/; done

install-docs: all
	install -d $(INST_DOC) $(INST_DOC)/examples
	install -m 644 README.md $(wildcard docs/*.md docs/*.sample) $(INST_DOC)/
	install -m 644 $(wildcard examples/*.c examples/*.h) $(INST_DOC)/examples/

# Modules go to the tree of the kernel they were built for (from their vermagic).
install-kmod: all
	@set -e; for ko in $(INST_KMODS); do \
		kver=$$(modinfo -F vermagic $$ko | cut -d' ' -f1); \
		dir=$(DESTDIR)/lib/modules/$$kver/extra; \
		echo "install -m 644 $$ko $$dir/"; \
		install -d $$dir; install -m 644 $$ko $$dir/; \
		if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then depmod -a $$kver; fi; \
	done; \
	[ -n "$(INST_KMODS)" ] || echo "install: no kernel modules built: none installed"

# ctid, its systemd unit (pointing at the installed binary), the user it runs as (sysusers.d), its
# recordings directory (tmpfiles.d) and its sample configuration. systemd reads sysusers.d and
# tmpfiles.d only below /usr/lib, /etc and /run, whatever PREFIX is.
SYSTEMD_UNIT_DIR ?= $(PREFIX)/lib/systemd/system
SYSUSERS_DIR ?= /usr/lib/sysusers.d
TMPFILES_DIR ?= /usr/lib/tmpfiles.d
.PHONY: install-ctid
install-ctid: all
	install -d $(INST_BIN) $(DESTDIR)$(SYSTEMD_UNIT_DIR) $(INST_DOC) $(DESTDIR)$(SYSUSERS_DIR) $(DESTDIR)$(TMPFILES_DIR)
	install -m 755 $(B)/server/ctid/ctid $(INST_BIN)/ctid
	install -m 755 server/ctid/ctictl $(INST_BIN)/ctictl
	sed -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@DOCDIR@|$(PREFIX)/share/doc/libcti|g' server/ctid/ctid.service.in \
		>$(DESTDIR)$(SYSTEMD_UNIT_DIR)/ctid.service
	chmod 644 $(DESTDIR)$(SYSTEMD_UNIT_DIR)/ctid.service
	install -m 644 server/ctid/ctid.sysusers $(DESTDIR)$(SYSUSERS_DIR)/ctid.conf
	install -m 644 server/ctid/ctid.tmpfiles $(DESTDIR)$(TMPFILES_DIR)/ctid.conf
	install -m 644 server/ctid/ctid.conf.sample $(INST_DOC)/ctid.conf.sample
	install -d $(DESTDIR)$(PREFIX)/share/ctid/web
	install -m 644 $(wildcard server/ctid/web/*.html server/ctid/web/*.js server/ctid/web/*.css) \
		$(DESTDIR)$(PREFIX)/share/ctid/web/
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && [ -d /run/systemd/system ]; then \
		systemd-sysusers ctid.conf && systemd-tmpfiles --create ctid.conf && systemctl daemon-reload; fi

INSTALL_TARGETS += install-lib install-pc install-header install-tool install-man install-docs install-kmod install-ctid

# `make uninstall [DESTDIR=..] [PREFIX=..]`: remove what install put there (kernel modules included).
.PHONY: uninstall
uninstall:
	rm -f $(INST_LIB)/libcti.a $(INST_LIB)/libcti.so.1 $(INST_LIB)/libcti.so $(INST_LIB)/pkgconfig/libcti.pc
	rm -f $(INST_BIN)/ctid $(INST_BIN)/ctictl $(DESTDIR)$(SYSTEMD_UNIT_DIR)/ctid.service
	rm -f $(DESTDIR)$(SYSUSERS_DIR)/ctid.conf $(DESTDIR)$(TMPFILES_DIR)/ctid.conf
	rm -rf $(DESTDIR)$(PREFIX)/share/ctid
	rm -f $(INST_INC)/cti.h $(INST_BIN)/cti $(addprefix $(INST_MAN)/,$(notdir $(wildcard docs/man/*.1)))
	rm -rf $(INST_DOC)
	@set -e; for ko in $(notdir $(INST_KMODS)); do \
		for f in $(DESTDIR)/lib/modules/*/extra/$$ko; do [ -e "$$f" ] && echo "rm -f $$f" && rm -f "$$f"; done; \
	done; true
