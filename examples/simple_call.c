/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * simple_call.c - the first libcti program: one call over an E1 PRI.
 *
 * The built-in emulated board ("sim" transport) gives us two E1 ports joined
 * by an emulated cable: port 1 is the network side of an ISDN PRI, port 2
 * the user side. We place a call from the network side, answer it on the
 * user side, talk for two seconds and hang up. Time is virtual: the whole
 * run takes a few milliseconds of CPU.
 *
 *   cc simple_call.c $(pkg-config --cflags --libs libcti) -o simple_call
 *   ./simple_call          # exit status 0 when the call went through
 *   ./simple_call --real   # the same on the real clock: takes 3 s
 *
 * Everything libcti reports arrives as an event through one handler, called
 * from cti_dispatch() in our own thread.
 */
#include <cti.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

struct app {
	int dchan_up;		/* spans whose D-channel is up */
	int answered;		/* the caller saw CONNECT */
	int hangup_cause;	/* cause the callee saw */
	int released;		/* calls whose last event arrived */
};

static void on_event(cti_ctx_t *ctx, const cti_event_t *ev, void *user)
{
	struct app *app = user;

	printf("%6llu ms  span %d ch %2d  %s", (unsigned long long)ev->time_ms, ev->span, ev->channel,
	       cti_event_name(ev->type));

	switch (ev->type) {
	case CTI_EV_DCHAN_UP:
		app->dchan_up++;
		break;
	case CTI_EV_CALL_OFFERED:
		/* A new call: ring, then answer at once. */
		printf("  from %s to %s", ev->u.offered.calling.number, ev->u.offered.called.number);
		cti_call_alerting(ev->call);
		cti_call_answer(ev->call);
		break;
	case CTI_EV_CALL_ANSWERED:
		/* Our outgoing call was answered: hang up in two seconds. */
		app->answered = 1;
		cti_timer_start(ctx, 2000, ev->call);
		break;
	case CTI_EV_TIMER:
		cti_call_hangup(ev->u.timer.user, 16, CTI_LOC_DEFAULT);
		break;
	case CTI_EV_CALL_HANGUP:
		/* Cleared on the line: free the call object. */
		printf("  cause %d (%s)%s", ev->u.hangup.cause, cti_cause_text(ev->u.hangup.cause),
		       ev->u.hangup.remote ? " by the far end" : "");
		if (ev->u.hangup.remote)
			app->hangup_cause = ev->u.hangup.cause;
		cti_call_release(ev->call);
		break;
	case CTI_EV_CALL_RELEASED:
		app->released++;
		break;
	}
	printf("\n");
}

/*
 * Let the line run for up to ms milliseconds, delivering events. Virtual
 * clock: cti_dispatch() itself moves time. Real clock: a library thread
 * runs the line; we wait on cti_fd() like on any other descriptor of our
 * own event loop, then dispatch what is waiting.
 */
static int run(cti_ctx_t *ctx, int real, int ms)
{
	if (!real)
		return cti_dispatch(ctx, ms);
	struct pollfd pfd = { .fd = cti_fd(ctx), .events = POLLIN };
	if (poll(&pfd, 1, ms) < 0)
		return -1;
	return cti_dispatch(ctx, 0);
}

int main(int argc, char **argv)
{
	struct app app;
	memset(&app, 0, sizeof(app));
	int real = argc > 1 && !strcmp(argv[1], "--real");

	/* One cabled port pair: span 1 "sim1" network side, span 2 "sim2" user side. */
	cti_config_t *cfg = cti_config_new();
	if (!cfg || cti_config_sim_pairs(cfg, 1, CTI_LINE_E1, CTI_SWITCH_EUROISDN) < 0 ||
	    cti_config_set_clock(cfg, real ? CTI_CLOCK_REAL : CTI_CLOCK_VIRTUAL) < 0) {
		fprintf(stderr, "simple_call: configuration: %s\n", cti_last_error());
		return 1;
	}
	cti_ctx_t *ctx = cti_open(cfg);
	cti_config_free(cfg);
	if (!ctx) {
		fprintf(stderr, "simple_call: cti_open: %s\n", cti_last_error());
		return 1;
	}
	cti_set_event_handler(ctx, on_event, &app);

	/* Wait (up to 10 s) for both D-channels (Q.921 multiple frame established). */
	uint64_t start = cti_now_ms(ctx);
	while (app.dchan_up < 2 && cti_now_ms(ctx) - start < 10000)
		if (run(ctx, real, 100) < 0)
			break;
	if (app.dchan_up < 2) {
		fprintf(stderr, "simple_call: D-channels did not come up\n");
		cti_close(ctx);
		return 1;
	}

	/* Place the call on span 1; any free B-channel. */
	cti_call_params_t p;
	cti_call_params_init(&p);
	strcpy(p.called.number, "5551234");
	strcpy(p.calling.number, "5550001");
	p.span = 1;
	if (!cti_call_place(ctx, &p)) {
		fprintf(stderr, "simple_call: cti_call_place: %s\n", cti_last_error());
		cti_close(ctx);
		return 1;
	}

	/* Run until both ends of the call are released (or 60 s). */
	start = cti_now_ms(ctx);
	while (app.released < 2 && cti_now_ms(ctx) - start < 60000)
		if (run(ctx, real, 1000) < 0) {
			fprintf(stderr, "simple_call: cti_dispatch: %s\n", cti_last_error());
			break;
		}
	cti_close(ctx);

	int ok = app.answered && app.hangup_cause == 16 && app.released == 2;
	printf("simple_call: %s (answered %d, cause at the callee %d, released %d)\n", ok ? "OK" : "FAILED",
	       app.answered, app.hangup_cause, app.released);
	return ok ? 0 : 1;
}
