/*
 * tests/qemu-suppl/qemu_suppl.c - supplementary services over DAHDI spans of
 * the ctitdm board (inside the QEMU guest, real clock): spans 1-2 E1 EuroISDN
 * (1 network, 2 user), 3-4 T1 NI2 (3 network, 4 user), cabled in pairs.
 * ECT and 2BCT transfers (consultative and blind) with the user side's
 * B-channels free afterwards, hold/retrieve with the channel free while held
 * and audio (DTMF) on the retrieved channel. Prints TAP lines.
 */
#include <poll.h>
#include "../core/simcalls.h"
#include "../qemu/tap.h"

static struct rec R;
static int xfer_requests;

/* The network side serves every request; the recorder does the rest. */
static void handler(cti_ctx_t *ctx, const cti_event_t *ev, void *user)
{
	rec_handler(ctx, ev, user);
	switch (ev->type) {
	case CTI_EV_HOLD_REQUEST: cti_call_hold_reply(ev->call, 0); break;
	case CTI_EV_RETRIEVE_REQUEST: cti_call_retrieve_reply(ev->call, 0); break;
	case CTI_EV_TRANSFER_REQUEST:
		xfer_requests++;
		cti_transfer_reply(ev->call, 1);
		break;
	default: break;
	}
}

static int count(int type, int span)
{
	return rec_count(&R, type, span);
}

static int wait_type(cti_ctx_t *ctx, int type, int span, int n, int ms)
{
	uint64_t end = cti_now_ms(ctx) + (uint64_t)ms;

	while (count(type, span) < n && cti_now_ms(ctx) < end)
		cti_dispatch(ctx, 50);
	return count(type, span) >= n;
}

static int wait_for(cti_ctx_t *ctx, const int *counter, int want, int ms)
{
	uint64_t end = cti_now_ms(ctx) + (uint64_t)ms;

	while (*counter < want && cti_now_ms(ctx) < end)
		cti_dispatch(ctx, 50);
	return *counter >= want;
}

static int busy(cti_ctx_t *ctx, int span)
{
	cti_span_status_t st;
	int n = 0;

	if (cti_span_status(ctx, span, &st) < 0)
		return -1;
	for (int i = 0; i < st.nchannels; i++)
		n += st.chan_state[i] == 'B';
	return n;
}

/* Call from `from` to number, answered; returns our handle, *far the answering side's. */
static cti_call_t *connect(cti_ctx_t *ctx, int from, const char *number, cti_call_t **far, int answer)
{
	cti_call_params_t p;
	cti_call_t *c;
	int offered = R.offered, answered = R.answered;

	R.auto_answer = answer;
	cti_call_params_init(&p);
	snprintf(p.called.number, sizeof(p.called.number), "%s", number);
	p.span = from;
	c = cti_call_place(ctx, &p);
	if (!c)
		return NULL;
	if (!(answer ? wait_for(ctx, &R.answered, answered + 1, 20000) : wait_for(ctx, &R.offered, offered + 1, 20000)))
		return NULL;
	*far = NULL;
	for (int i = R.n - 1; i >= 0; i--)
		if (R.ev[i].type == CTI_EV_CALL_OFFERED && !strcmp(R.ev[i].u.offered.called.number, number)) {
			*far = R.ev[i].call;
			break;
		}
	if (!answer && *far)
		cti_call_alerting(*far);
	R.auto_answer = 1;
	return c;
}

static void transfer(cti_ctx_t *ctx, int net, int usr, const char *what, int blind)
{
	cti_call_t *a = NULL, *b, *na, *nb = NULL;
	int rel = R.released, req = xfer_requests, done = count(CTI_EV_TRANSFER_DONE, usr);
	const cti_event_t *ev = NULL;

	/* a: the caller, from the network to the user side; b: the user side's call onward */
	na = connect(ctx, net, "200", &a, 1);
	if (!na)
		a = NULL;
	b = connect(ctx, usr, blind ? "301" : "300", &nb, !blind);
	ok(a && b && busy(ctx, usr) == 2, "%s: two calls up on the user span (%d B-channels busy)", what,
	   busy(ctx, usr));
	if (!a || !b)
		return;
	if (blind)
		wait_type(ctx, CTI_EV_CALL_ALERTING, usr, count(CTI_EV_CALL_ALERTING, usr) + 1, 5000);
	ok(cti_call_transfer(a, b) == 0, "%s: cti_call_transfer (%s)", what, cti_transfer_method(ctx, usr));
	wait_type(ctx, CTI_EV_TRANSFER_DONE, usr, done + 1, 20000);
	for (int i = R.n - 1; i >= 0; i--)
		if (R.ev[i].type == CTI_EV_TRANSFER_DONE && R.ev[i].span == usr) {
			ev = &R.ev[i];
			break;
		}
	ok(xfer_requests == req + 1, "%s: the network side got the transfer request", what);
	ok(ev && ev->u.suppl.result == 0 && ev->call == a && ev->u.suppl.other == b, "%s: TRANSFER_DONE result %d",
	   what, ev ? ev->u.suppl.result : -99);
	ok(wait_for(ctx, &R.released, rel + 4, 20000), "%s: both legs cleared on both sides", what);
	ok(busy(ctx, usr) == 0 && busy(ctx, net) == 0, "%s: B-channels free again (user %d, network %d busy)", what,
	   busy(ctx, usr), busy(ctx, net));
}

static void hold(cti_ctx_t *ctx)
{
	cti_call_t *u, *n;
	int ch, rel = R.released;
	char got[8] = "";
	size_t k = 0;

	u = connect(ctx, 2, "100", &n, 1);
	ch = u ? cti_call_channel(u) : 0;
	ok(u && n && ch > 0, "hold: call up on E1 channel %d", ch);
	if (!u || !n)
		return;
	ok(cti_call_hold(u) == 0, "hold: cti_call_hold");
	ok(wait_type(ctx, CTI_EV_CALL_HELD, 2, 1, 10000) && wait_type(ctx, CTI_EV_CALL_HELD, 1, 1, 10000),
	   "hold: CALL_HELD on both sides");
	ok(cti_call_held(u) && cti_call_channel(u) == 0 && busy(ctx, 2) == 0 && busy(ctx, 1) == 0,
	   "hold: B-channel free on both spans while held");
	ok(cti_call_retrieve(u) == 0, "hold: cti_call_retrieve");
	ok(wait_type(ctx, CTI_EV_CALL_RETRIEVED, 2, 1, 10000), "hold: CALL_RETRIEVED");
	ok(!cti_call_held(u) && cti_call_channel(u) > 0 && cti_call_channel(u) == cti_call_channel(n),
	   "hold: retrieved on channel %d", cti_call_channel(u));
	if (cti_send_dtmf(u, "42", 0, 0, 0) > 0) {
		uint64_t end = cti_now_ms(ctx) + 10000;
		int from = R.n;

		while (k < 2 && cti_now_ms(ctx) < end) {
			cti_dispatch(ctx, 50);
			for (int i = from; i < R.n; i++)
				if (R.ev[i].type == CTI_EV_DIGIT && R.ev[i].call == n && k < sizeof(got) - 1)
					got[k++] = R.ev[i].u.digit.digit;
			from = R.n;
		}
	}
	got[k] = 0;
	ok(!strcmp(got, "42"), "hold: DTMF through the DAHDI channel after retrieve (got '%s')", got);
	cti_call_hangup(u, 16, CTI_LOC_DEFAULT);
	ok(wait_for(ctx, &R.released, rel + 2, 20000), "hold: call released");
}

static void span(cti_config_t *cfg, const char *name, int port, enum cti_line line, enum cti_switchtype sw,
		 enum cti_role role)
{
	cti_span_config_t sc;

	cti_span_config_init(&sc, line);
	snprintf(sc.name, sizeof(sc.name), "%s", name);
	sc.transport = CTI_TRANSPORT_DAHDI;
	sc.port = port;
	sc.switchtype = sw;
	sc.role = role;
	if (cti_config_add_span(cfg, &sc) < 0)
		printf("# add span %s: %s\n", name, cti_last_error());
}

int main(void)
{
	cti_config_t *cfg = cti_config_new();
	cti_ctx_t *ctx;

	setvbuf(stdout, NULL, _IOLBF, 0);
	span(cfg, "e1net", 1, CTI_LINE_E1, CTI_SWITCH_EUROISDN, CTI_ROLE_NETWORK);
	span(cfg, "e1usr", 2, CTI_LINE_E1, CTI_SWITCH_EUROISDN, CTI_ROLE_USER);
	span(cfg, "t1net", 3, CTI_LINE_T1, CTI_SWITCH_NI2, CTI_ROLE_NETWORK);
	span(cfg, "t1usr", 4, CTI_LINE_T1, CTI_SWITCH_NI2, CTI_ROLE_USER);
	ctx = cti_open(cfg);
	cti_config_free(cfg);
	ok(ctx != NULL, "cti_open over 4 DAHDI spans%s%s", ctx ? "" : ": ", ctx ? "" : cti_last_error());
	if (!ctx)
		return tap_done();
	cti_set_event_handler(ctx, handler, &R);
	R.auto_answer = 1;
	R.auto_release = 1;
	{
		int r = wait_for(ctx, &R.dchan_up, 4, 60000);

		ok(r, "D-channels up on 4 DAHDI spans (%d)", R.dchan_up);
	}
	/* two T200 for the links to settle (crossed SABMEs, Q.921 5.5.1) */
	wait_for(ctx, &R.bad, 1000, 2500);
	transfer(ctx, 1, 2, "E1 EuroISDN ECT consultative", 0);
	transfer(ctx, 1, 2, "E1 EuroISDN ECT blind", 1);
	transfer(ctx, 3, 4, "T1 NI2 2BCT consultative", 0);
	hold(ctx);
	ok(cti_suppl_supported(ctx, 4, CTI_SUPPL_HOLD) == 0, "T1 NI2: hold not offered");
	cti_close(ctx);
	return tap_done();
}
