# tests/firmware: cmocka tests and the throughput bench of the firmware engine.
FW_TEST_NAMES := crc e1 t1 hdlc prbs maint line
FW_TEST_BINS := $(FW_TEST_NAMES:%=$(B)/tests/firmware/test_fw_%)

$(B)/tests/firmware/test_fw_%: $(B)/tests/firmware/test_fw_%.o $(FW_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) -lm

UNIT_TESTS += $(FW_TEST_BINS)

FW_BENCH := $(B)/tests/firmware/bench_fw
$(FW_BENCH): $(B)/tests/firmware/bench_fw.o $(FW_LIB)
	$(CC) $(LDFLAGS) -o $@ $^

ALL_TARGETS += $(FW_BENCH)
BENCHES += $(FW_BENCH)
