# tests/media: unit tests of lib/media against a fake core (harness.c),
# the media benchmark, and (once core is in) integration tests over libcti.
MEDIA_OBJS := $(patsubst %.c,$(B)/%.o,$(sort $(wildcard lib/media/*.c)))
# lib/abi.o: the growable-struct helpers (cti__abi_*) lib/media uses.
MEDIA_HARNESS := $(B)/tests/media/harness.o $(B)/lib/abi.o

$(B)/tests/media/test_media: $(B)/tests/media/test_media.o $(MEDIA_HARNESS) $(MEDIA_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LIB_LIBS)

$(B)/tests/media/bench_media: $(B)/tests/media/bench_media.o $(MEDIA_HARNESS) $(MEDIA_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

ALL_TARGETS += $(B)/tests/media/test_media $(B)/tests/media/bench_media
UNIT_TESTS += $(B)/tests/media/test_media

# Hostile application: garbage params, odd files (FIFO, /dev/full, lying WAVs), 200 recordings.
$(B)/tests/media/test_media_misuse: $(B)/tests/media/test_media_misuse.o $(MEDIA_HARNESS) $(MEDIA_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LIB_LIBS)

ALL_TARGETS += $(B)/tests/media/test_media_misuse
UNIT_TESTS += $(B)/tests/media/test_media_misuse
# Its close-while-stalled case leaves workers detached to free the engine: TSan checks that hand-over.
TSAN_TESTS += $(B)/tests/media/test_media_misuse
# The file I/O workers (lib/media/io.c) share rings and jobs with the tick: TSan checks them.
TSAN_TESTS += $(B)/tests/media/test_media
BENCHES += $(B)/tests/media/bench_media

# Integration: the real library (core + media) over the sim board in virtual time.
$(B)/tests/media/test_media_sim: $(B)/tests/media/test_media_sim.o $(CTI_A) $(FW_LIB)
	$(CC) $(LDFLAGS) -o $@ $< $(CTI_LINK) $(CMOCKA_LIBS)

ALL_TARGETS += $(B)/tests/media/test_media_sim
UNIT_TESTS += $(B)/tests/media/test_media_sim

# lib/media depends on no core module (symbols, headers, tone list).
SCRIPT_TESTS += tests/media/test_layering.sh
