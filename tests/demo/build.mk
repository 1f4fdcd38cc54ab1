# tests/demo: `make demo`'s own tools (examples/ctid-demo).
#   test_report.sh   report.py on a fixture CDR database with hostile values: rows, waits, escaping,
#                    links only to files inside the folder, clear errors on bad input
#   test_ctid_sim_far_ends.sh  ctid's --sim-* far ends the demo uses: digit lists, a fax machine
#                    receiving pixel-exact, callers and agents talking (recordings), --sim-start, --trace
SCRIPT_TESTS += tests/demo/test_report.sh
SCRIPT_TESTS += tests/demo/test_ctid_sim_far_ends.sh
SAN_SCRIPT_TESTS += tests/demo/test_ctid_sim_far_ends.sh
