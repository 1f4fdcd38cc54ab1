#!/bin/bash
# test_fuzz.sh BUILD_DIR - 'make check' part of the fuzzing: builds the
# libFuzzer targets (build/fuzz, clang) and runs each for FUZZ_SECONDS
# (default 20) after replaying the kept corpus. TAP output.
set -uo pipefail
cd "$(dirname "$0")/../.."
if ! command -v clang >/dev/null; then
	echo "not ok 1 - clang not installed (scripts/deps.sh installs it)"
	exit 1
fi
if ! make -s fuzz-bin >/tmp/cti-fuzz-build.$$ 2>&1; then
	echo "not ok 1 - building the fuzz targets failed"
	tail -20 /tmp/cti-fuzz-build.$$ | sed 's/^/# /'
	rm -f /tmp/cti-fuzz-build.$$
	exit 1
fi
rm -f /tmp/cti-fuzz-build.$$
exec nice tests/fuzz/run-fuzz.sh build/fuzz "${FUZZ_SECONDS:-20}"
