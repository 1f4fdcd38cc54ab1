/*
 * tests/core/pcap_call.c - one complete call between sim1 (network) and sim2
 * (user) in virtual time, every D-channel frame captured to the pcap file
 * given as argv[1] (LINKTYPE_LINUX_LAPD). Used by tshark-test.sh.
 */
#include "simcalls.h"

static struct rec R;

int main(int argc, char **argv)
{
	cti_config_t *cfg;
	cti_ctx_t *ctx;
	cti_call_params_t p;
	cti_call_t *c;

	if (argc != 2) {
		fprintf(stderr, "usage: %s out.pcap\n", argv[0]);
		return 2;
	}
	cfg = cti_config_new();
	cti_config_set_clock(cfg, CTI_CLOCK_VIRTUAL);
	cti_config_sim_pairs(cfg, 1, CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	cti_config_set_trace(cfg, argv[1]);
	ctx = cti_open(cfg);
	cti_config_free(cfg);
	if (!ctx) {
		fprintf(stderr, "cti_open: %s\n", cti_last_error());
		return 1;
	}
	cti_set_event_handler(ctx, rec_handler, &R);
	R.auto_answer = 1;
	R.auto_release = 1;
	if (!run_until(ctx, &R.dchan_up, 2, 10000)) {
		fprintf(stderr, "D-channel not up\n");
		return 1;
	}
	cti_call_params_init(&p);
	strcpy(p.called.number, "4930123456");
	strcpy(p.calling.number, "8005551212");
	c = cti_call_place(ctx, &p);
	if (!c || !run_until(ctx, &R.connected, 1, 5000)) {
		fprintf(stderr, "call failed: %s\n", cti_last_error());
		return 1;
	}
	cti_call_hangup(c, 16, CTI_LOC_DEFAULT);
	if (!run_until(ctx, &R.released, 2, 5000)) {
		fprintf(stderr, "release failed\n");
		return 1;
	}
	cti_dispatch(ctx, 100);	/* last acknowledgements */
	cti_close(ctx);
	return 0;
}
