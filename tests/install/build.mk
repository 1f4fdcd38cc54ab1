# tests/install: `make install` into a temporary DESTDIR, then build and run
# examples/simple_call.c against the installed header and library found with
# pkg-config (shared and static).
SCRIPT_TESTS += tests/install/install-test.sh
