/*
 * tests/threads/test_threads.c - libcti used from several threads at once, on
 * the real clock (its clock thread running the 1 ms ticks). Run in the std and
 * ASan builds and, where it matters, under ThreadSanitizer (make check-tsan,
 * halt_on_error=1): any data race in the library fails the run.
 *
 * The main thread dispatches events and places, answers, hangs up and
 * releases calls; hammer threads meanwhile read every accessor of the live
 * calls, the clock, the span status, the levels, start timers and play tones. A call
 * handle is valid until the handler of its CTI_EV_CALL_RELEASED returns: the
 * dispatcher removes it from the shared live set (under the test's mutex)
 * inside that handler, and the hammers touch handles only under that mutex.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "cti.h"

#define NCALLS 24		/* calls placed span 1 -> span 2 */
#define CONCURRENT 4		/* outgoing calls in progress at once */
#define HOLD_MS 150		/* connected time before the caller hangs up */
#define NHAMMER 3
#define MAXLIVE 16
#define WALL_LIMIT_S 90		/* generous: TSan runs 5-15x slower */
#define HAMMER_TIMER ((void *)0x7417)

struct tag {			/* what cti_call_set_user gets for each call */
	cti_call_t *call;
	int outgoing;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;	/* guards live[] */
static cti_call_t *live[MAXLIVE];
static struct tag tags[MAXLIVE];
static cti_ctx_t *ctx;
static atomic_int stop;
static atomic_int hammer_timers_started, hammer_timers_fired;
static atomic_int tones_started;	/* cti_play_tone from the hammers */
static int ops_done;			/* CTI_EV_OP_DONE seen by the dispatcher */

/* dispatcher's counters (main thread only) */
static int dchan_up, placed, active_out, offered, answered, connected, hangups, released, hangup_timers;
static int bad_events;

/* what the hammers saw */
struct seen {
	unsigned states;	/* bit per enum cti_call_state */
	long reads, levels_ok, levels_loud, status_ok, timers_cancelled;
	int bad;		/* impossible values */
	char why[160];
};

static int live_add(cti_call_t *call, int outgoing)
{
	int rc = -1;

	pthread_mutex_lock(&mu);
	for (int i = 0; i < MAXLIVE; i++)
		if (!live[i]) {
			tags[i].call = call;
			tags[i].outgoing = outgoing;
			cti_call_set_user(call, &tags[i]);
			live[i] = call;
			rc = i;
			break;
		}
	pthread_mutex_unlock(&mu);
	return rc;
}

static void live_del(cti_call_t *call)
{
	pthread_mutex_lock(&mu);
	for (int i = 0; i < MAXLIVE; i++)
		if (live[i] == call)
			live[i] = NULL;
	pthread_mutex_unlock(&mu);
}

static int live_has(cti_call_t *call)
{
	int found = 0;

	pthread_mutex_lock(&mu);
	for (int i = 0; i < MAXLIVE; i++)
		if (live[i] == call)
			found = 1;
	pthread_mutex_unlock(&mu);
	return found;
}

static void on_event(cti_ctx_t *c, const cti_event_t *ev, void *user)
{
	(void)c;
	(void)user;
	switch (ev->type) {
	case CTI_EV_DCHAN_UP:
		dchan_up++;
		break;
	case CTI_EV_CALL_OFFERED:
		offered++;
		if (live_add(ev->call, 0) < 0 || cti_call_proceeding(ev->call) || cti_call_alerting(ev->call) ||
		    cti_call_answer(ev->call))
			bad_events++;
		break;
	case CTI_EV_CALL_ANSWERED:
		answered++;
		/* the caller hangs up after HOLD_MS, on the context's clock */
		if (cti_timer_start(ctx, HOLD_MS, ev->call) <= 0)
			bad_events++;
		break;
	case CTI_EV_CALL_CONNECTED:
		connected++;
		break;
	case CTI_EV_OP_DONE:
		ops_done++;
		break;
	case CTI_EV_TIMER:
		if (ev->u.timer.user == HAMMER_TIMER) {
			atomic_fetch_add(&hammer_timers_fired, 1);
		} else {
			cti_call_t *call = ev->u.timer.user;

			hangup_timers++;
			if (!live_has(call) || cti_call_hangup(call, 16, CTI_LOC_DEFAULT))
				bad_events++;
		}
		break;
	case CTI_EV_CALL_HANGUP:
		hangups++;
		if (ev->u.hangup.cause != 16 || cti_call_release(ev->call))
			bad_events++;
		break;
	case CTI_EV_CALL_RELEASED: {
		struct tag *t = cti_call_get_user(ev->call);

		released++;
		if (!t || t->call != ev->call || cti_call_state(ev->call) != CTI_CALL_CLEARED)
			bad_events++;
		else if (t->outgoing)
			active_out--;
		/* the handle dies when this handler returns: the hammers lose it first */
		live_del(ev->call);
		break;
	}
	default:
		break;
	}
}

static void seen_bad(struct seen *s, const char *what, long v)
{
	if (!s->bad++)
		snprintf(s->why, sizeof(s->why), "%s: %ld", what, v);
}

static void *hammer(void *arg)
{
	struct seen *s = arg;
	uint64_t last_now = 0;
	unsigned k = 0;

	while (!atomic_load(&stop)) {
		cti_span_status_t st;
		uint64_t now = cti_now_ms(ctx);
		int id;

		if (now < last_now)
			seen_bad(s, "cti_now_ms went back", (long)(last_now - now));
		last_now = now;
		for (int span = 1; span <= 2; span++) {
			memset(&st, 0, sizeof(st));
			if (cti_span_status(ctx, span, &st) == 0 && st.index == span && st.nchannels == 31)
				s->status_ok++;
			else
				seen_bad(s, "cti_span_status", span);
		}
		/* a timer cancelled at once, and now and then one that fires */
		id = cti_timer_start(ctx, 10000, NULL);
		if (id <= 0 || cti_timer_cancel(ctx, id) != 0)
			seen_bad(s, "timer start/cancel", id);
		else
			s->timers_cancelled++;
		if (k % 64 == 0) {
			if (cti_timer_start(ctx, 5, HAMMER_TIMER) > 0)
				atomic_fetch_add(&hammer_timers_started, 1);
			else
				seen_bad(s, "timer start", 0);
		}
		pthread_mutex_lock(&mu);
		for (int i = 0; i < MAXLIVE; i++) {
			cti_call_t *call = live[(i + k) % MAXLIVE];
			enum cti_call_state cs;
			struct tag *t;
			int span, ch, out;
			double rx, tx;

			if (!call)
				continue;
			cs = cti_call_state(call);
			span = cti_call_span(call);
			ch = cti_call_channel(call);
			out = cti_call_outgoing(call);
			t = cti_call_get_user(call);
			if ((unsigned)cs > CTI_CALL_CLEARED)
				seen_bad(s, "state", cs);
			else
				s->states |= 1u << cs;
			if (!t || t->call != call)
				seen_bad(s, "user pointer", (long)(t ? t - tags : -1));
			else
				cti_call_set_user(call, t);	/* writers race with the dispatcher's readers */
			if (out != (t ? t->outgoing : -1))
				seen_bad(s, "outgoing", out);
			/* outgoing calls leave span 1, incoming ones arrive on span 2 (0 once cleared) */
			if (span && span != (out ? 1 : 2))
				seen_bad(s, "span", span);
			if (ch && (ch < 1 || ch > 31 || ch == 16))
				seen_bad(s, "channel", ch);
			if (cs == CTI_CALL_CONNECTED && cti_levels(call, &rx, &tx) == 0) {
				if (rx > 3.2 || tx > 3.2 || rx < -99.5 || tx < -99.5)
					seen_bad(s, "levels", (long)rx);
				else
					s->levels_ok++;
				/* a milliwatt tone (0 dBm0) one of us plays on this call or its peer */
				if (rx > -10 || tx > -10)
					s->levels_loud++;
			}
			if (cs == CTI_CALL_CONNECTED && (k + (unsigned)i) % 16 == 0) {
				cti_term_t term;

				cti_term_init(&term);
				term.max_time_ms = 200;
				if (cti_play_tone(call, CTI_TONE_MILLIWATT, &term) > 0)
					atomic_fetch_add(&tones_started, 1);
			}
			s->reads++;
		}
		pthread_mutex_unlock(&mu);
		k++;
		nanosleep(&(struct timespec){ 0, 20000 }, NULL);	/* share the CPUs with the dispatcher */
	}
	return NULL;
}

static time_t wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void test_real_clock_threads(void **state)
{
	cti_config_t *cfg = cti_config_new();
	pthread_t th[NHAMMER];
	struct seen seen[NHAMMER];
	time_t t0;

	(void)state;
	assert_int_equal(cti_config_sim_pairs(cfg, 1, CTI_LINE_E1, CTI_SWITCH_EUROISDN), 0);
	assert_int_equal(cti_config_set_clock(cfg, CTI_CLOCK_REAL), 0);
	ctx = cti_open(cfg);
	cti_config_free(cfg);
	assert_non_null(ctx);
	cti_set_event_handler(ctx, on_event, NULL);
	memset(seen, 0, sizeof(seen));
	/* the hammers start before the links are up: status and timers while libpri brings them up */
	for (int i = 0; i < NHAMMER; i++)
		assert_int_equal(pthread_create(&th[i], NULL, hammer, &seen[i]), 0);
	t0 = wall_s();
	while (released < 2 * NCALLS && wall_s() - t0 < WALL_LIMIT_S) {
		while (dchan_up == 2 && placed < NCALLS && active_out < CONCURRENT) {
			cti_call_params_t p;
			cti_call_t *call;

			cti_call_params_init(&p);
			p.span = 1;
			snprintf(p.called.number, sizeof(p.called.number), "%d", 5000 + placed);
			strcpy(p.calling.number, "100");
			call = cti_call_place(ctx, &p);
			if (!call) {
				print_error("cti_call_place: %s\n", cti_last_error());
				bad_events++;
				break;
			}
			placed++;
			active_out++;
			assert_true(live_add(call, 1) >= 0);
		}
		cti_dispatch(ctx, 20);
	}
	/* the hammers' last timers fire within 5 ms: let them come */
	atomic_store(&stop, 1);
	for (int i = 0; i < NHAMMER; i++)
		pthread_join(th[i], NULL);
	t0 = wall_s();
	while ((atomic_load(&hammer_timers_fired) < atomic_load(&hammer_timers_started) ||
		ops_done < atomic_load(&tones_started)) && wall_s() - t0 < 10)
		cti_dispatch(ctx, 20);
	cti_close(ctx);

	assert_int_equal(dchan_up, 2);
	assert_int_equal(bad_events, 0);
	assert_int_equal(placed, NCALLS);
	assert_int_equal(offered, NCALLS);
	assert_int_equal(answered, NCALLS);
	assert_int_equal(connected, NCALLS);
	assert_int_equal(hangup_timers, NCALLS);
	assert_int_equal(hangups, 2 * NCALLS);
	assert_int_equal(released, 2 * NCALLS);
	assert_true(atomic_load(&hammer_timers_started) > 0);
	assert_int_equal(atomic_load(&hammer_timers_fired), atomic_load(&hammer_timers_started));
	/* every tone a hammer started ended with exactly one OP_DONE (max time, stopped or hangup) */
	assert_true(atomic_load(&tones_started) > 0);
	assert_int_equal(ops_done, atomic_load(&tones_started));
	for (int i = 0; i < MAXLIVE; i++)
		assert_null(live[i]);
	{
		unsigned states = 0;
		long reads = 0, levels = 0, loud = 0;

		for (int i = 0; i < NHAMMER; i++) {
			if (seen[i].bad)
				print_error("hammer %d: %d bad values, first %s\n", i, seen[i].bad, seen[i].why);
			assert_int_equal(seen[i].bad, 0);
			assert_true(seen[i].status_ok > 0);
			assert_true(seen[i].timers_cancelled > 0);
			states |= seen[i].states;
			reads += seen[i].reads;
			levels += seen[i].levels_ok;
			loud += seen[i].levels_loud;
		}
		print_message("calls %d, accessor rounds %ld, levels %ld (loud %ld), tones %d, timers %d, states 0x%x\n",
			      placed, reads, levels, loud, atomic_load(&tones_started), atomic_load(&hammer_timers_fired),
			      states);
		/* the hammers caught calls in flight and connected, and read their levels */
		assert_true(states & (1u << CTI_CALL_CONNECTED));
		assert_true(states & ((1u << CTI_CALL_DIALING) | (1u << CTI_CALL_OFFERED) | (1u << CTI_CALL_PROCEEDING) |
				      (1u << CTI_CALL_ALERTING)));
		assert_true(reads > 2 * NCALLS);
		assert_true(levels > 0);
		assert_true(loud > 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_clock_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
