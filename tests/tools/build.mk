# tests/tools: TAP tests of the `cti` command on the emulated board (--sim, virtual time).
SCRIPT_TESTS += tests/tools/test_cti_args.sh tests/tools/test_cti_sim.sh
