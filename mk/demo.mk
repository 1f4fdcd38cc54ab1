# mk/demo.mk - `make demo`: the fax-on-demand call center on the emulated
# board (examples/demo.sh; artifacts in demo-output/<timestamp>, demo-output/latest).
.PHONY: demo-run
demo-run: all
	@$(if $(EX_DEMO_MISSING),echo "demo: cannot run yet: lib/ does not define $(EX_DEMO_MISSING)" >&2; exit 1)
	examples/demo.sh $(B)

DEMO_TARGETS += demo-run
