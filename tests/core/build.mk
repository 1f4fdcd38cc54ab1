# tests/core: libcti core (config, event loop, calls over the sim board in
# virtual time for every switch type, trace/pcap, decode) and its benchmark.
CORE_TEST_NAMES := test_config test_calls test_trace test_faults test_leak test_abi test_transport

$(B)/tests/core/%: $(B)/tests/core/%.o $(CTI_A) $(FW_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(CTI_LINK) $(CMOCKA_LIBS)

$(B)/tests/core/test_calls.o $(B)/tests/core/test_faults.o $(B)/tests/core/test_leak.o $(B)/tests/core/test_trace.o $(B)/tests/core/test_abi.o $(B)/tests/core/bench_core.o: tests/core/simcalls.h

UNIT_TESTS += $(CORE_TEST_NAMES:%=$(B)/tests/core/%)
SCRIPT_TESTS += tests/core/tshark-test.sh tests/core/leak-test.sh tests/core/test_layering.sh
ALL_TARGETS += $(B)/tests/core/pcap_call
BENCHES += $(B)/tests/core/bench_core
ALL_TARGETS += $(B)/tests/core/bench_core
# test_calls also under ThreadSanitizer: its real-clock tests place calls from a second thread.
TSAN_TESTS += $(B)/tests/core/test_calls
