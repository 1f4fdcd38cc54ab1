# tests/threads: libcti from several threads, and libpri's clock vs the application's.
#   test_threads  real clock: dispatcher + hammer threads on live calls (std, ASan, TSan)
#   test_clock    libpri's T303 in virtual time while the application's own gettimeofday
#                 (defined by the test) sees the real time and is never called by libcti
THREAD_TEST_NAMES := test_threads test_clock

$(B)/tests/threads/%: $(B)/tests/threads/%.o $(CTI_A) $(FW_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(CTI_LINK) $(CMOCKA_LIBS) -ldl

UNIT_TESTS += $(THREAD_TEST_NAMES:%=$(B)/tests/threads/%)
TSAN_TESTS += $(THREAD_TEST_NAMES:%=$(B)/tests/threads/%)
SCRIPT_TESTS += tests/threads/test_symbols.sh
