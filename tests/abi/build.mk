# tests/abi: libcti.so.1 against the stored ABI baseline (abidiff, abigail-tools).
#   make abi-baseline   store the current build's ABI as the new baseline (deliberate changes only)
SCRIPT_TESTS += tests/abi/abi-check.sh

.PHONY: abi-baseline
abi-baseline: $(CTI_SO)
	abidw --headers-dir include --drop-private-types --no-show-locs --no-corpus-path \
		--out-file tests/abi/libcti.abi $(CTI_SO)
	@echo "abi-baseline: wrote tests/abi/libcti.abi from $(CTI_SO): commit it with the reason"
