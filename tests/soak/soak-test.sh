#!/bin/bash
# soak-test.sh BUILD_DIR - the short budget of the line fault soak for 'make check'
# (TAP from soak_faults). Under ASan (build/asan) fewer faults: it runs ~5x slower.
set -uo pipefail
b=${1:?usage: soak-test.sh BUILD_DIR}
n=12
[[ $b == *asan* ]] && n=4
exec "$b/tests/soak/soak_faults" --faults "$n" --seed 7
