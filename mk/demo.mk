# mk/demo.mk - `make demo`: the fax-on-demand help desk through ctid on the emulated
# board (examples/demo.sh; artifacts and report.html in demo-output/<timestamp>, demo-output/latest).
.PHONY: demo-run
demo-run: all
	examples/demo.sh $(B)

DEMO_TARGETS += demo-run
