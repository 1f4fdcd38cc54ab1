# tests/soak: line faults under calls (issue 11).
#   soak_faults   cuts, AIS, LOS, BER, slips and D-channel losses under calls on
#                 two E1 trunks in virtual time; TAP with the figures as comments.
# 'make check' runs a short budget (soak-test.sh: 12 faults, 4 under ASan);
# 'make soak' a long one (SOAK_FAULTS, default 400; SOAK_SEED, default 1).
SOAK_FAULTS ?= 400
SOAK_SEED ?= 1

$(B)/tests/soak/soak_faults: $(B)/tests/soak/soak_faults.o $(CTI_A) $(FW_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(CTI_LINK)

ALL_TARGETS += $(B)/tests/soak/soak_faults
SCRIPT_TESTS += tests/soak/soak-test.sh
SAN_SCRIPT_TESTS += tests/soak/soak-test.sh

.PHONY: soak
soak: $(B)/tests/soak/soak_faults
	nice $(B)/tests/soak/soak_faults --faults $(SOAK_FAULTS) --seed $(SOAK_SEED)
