/*
 * tests/qemu-fax/qemu_fax.c - fax over DAHDI spans of the ctitdm board, inside
 * the QEMU guest: libcti on spans 1 (network) and 2 (user), E1 EuroISDN,
 * ports cabled together, real clock. Span 1 calls span 2, the caller sends a
 * generated document, the called side receives it; the received pages are
 * compared pel by pel with the sent ones (tests/fax/testdoc.c, libtiff).
 * Same case as tests/fax/test_fax_sim.c (caller_sends_3_pages), but the audio
 * goes through dahdi.ko and ctitdm.ko in real time. Prints TAP lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cti.h"
#include "../fax/testdoc.h"
#include "../qemu/tap.h"

struct side {
	cti_call_t *call;
	int fax_op, op_done, op_reason, op_error;
	int phase_b, bit_rate, ecm, compression;
	int pages, done, result, done_pages, bad_rows;
	char result_text[64], remote_ident[21];
	int answered, connected, hangup, released;
	uint64_t page_ms[8];
};

struct run {
	int dchan_up;
	struct side out, in;		/* caller (sends), called (receives) */
	cti_fax_params_t tx, rx;
	cti_fax_doc_t tx_docs[1];
	int start_err;
};

static struct side *side_of(struct run *r, cti_call_t *c)
{
	if (c && c == r->out.call)
		return &r->out;
	if (c && c == r->in.call)
		return &r->in;
	return NULL;
}

static void start_fax(struct run *r, struct side *s, int sender)
{
	int rc = sender ? cti_fax_send(s->call, &r->tx) : cti_fax_receive(s->call, &r->rx);

	if (rc <= 0) {
		printf("# fax %s start failed: %s\n", sender ? "send" : "receive", cti_last_error());
		r->start_err = rc ? rc : -1;
		return;
	}
	s->fax_op = rc;
}

static void handler(cti_ctx_t *ctx, const cti_event_t *ev, void *user)
{
	struct run *r = user;
	struct side *s = side_of(r, ev->call);

	(void)ctx;
	switch (ev->type) {
	case CTI_EV_DCHAN_UP:
		r->dchan_up++;
		break;
	case CTI_EV_CALL_OFFERED:
		if (ev->span == 2 && !r->in.call) {
			r->in.call = ev->call;
			cti_call_answer(ev->call);
		}
		break;
	case CTI_EV_CALL_ANSWERED:
		if (s == &r->out) {
			s->answered = 1;
			start_fax(r, s, 1);
		}
		break;
	case CTI_EV_CALL_CONNECTED:
		if (s == &r->in) {
			s->connected = 1;
			start_fax(r, s, 0);
		}
		break;
	case CTI_EV_FAX_PHASE_B:
		if (s) {
			s->phase_b++;
			s->bit_rate = ev->u.fax.bit_rate;
			s->ecm = ev->u.fax.ecm;
			s->compression = ev->u.fax.compression;
			snprintf(s->remote_ident, sizeof(s->remote_ident), "%s", ev->u.fax.remote_ident);
			printf("# %s: phase B at %llu ms: %d bit/s ecm %d compression %d remote '%s'\n",
			       s == &r->out ? "caller" : "called", (unsigned long long)ev->time_ms, ev->u.fax.bit_rate,
			       ev->u.fax.ecm, ev->u.fax.compression, ev->u.fax.remote_ident);
		}
		break;
	case CTI_EV_FAX_PAGE:
		if (s) {
			if (s->pages < 8)
				s->page_ms[s->pages] = ev->time_ms;
			s->pages++;
			s->bad_rows += ev->u.fax.bad_rows;
			printf("# %s: page %d at %llu ms, bad rows %d\n", s == &r->out ? "caller" : "called",
			       ev->u.fax.page, (unsigned long long)ev->time_ms, ev->u.fax.bad_rows);
		}
		break;
	case CTI_EV_FAX_DONE:
		if (s) {
			s->done++;
			s->result = ev->u.fax.result;
			s->done_pages = ev->u.fax.page;
			snprintf(s->result_text, sizeof(s->result_text), "%s", ev->u.fax.result_text);
			printf("# %s: fax done at %llu ms: %d %s, %d pages\n", s == &r->out ? "caller" : "called",
			       (unsigned long long)ev->time_ms, ev->u.fax.result, ev->u.fax.result_text, ev->u.fax.page);
		}
		break;
	case CTI_EV_OP_DONE:
		if (s && ev->u.op.kind == CTI_OP_FAX && ev->u.op.id == s->fax_op) {
			s->op_done++;
			s->op_reason = ev->u.op.reason;
			s->op_error = ev->u.op.error;
		}
		break;
	case CTI_EV_CALL_HANGUP:
		if (s) {
			s->hangup = 1;
			cti_call_release(ev->call);
		}
		break;
	case CTI_EV_CALL_RELEASED:
		if (s) {
			s->released = 1;
			s->call = NULL;
		}
		break;
	default:
		break;
	}
}

/* Real clock: dispatch until cond(r) or ms of wall time passed. */
static int run_until(cti_ctx_t *ctx, struct run *r, int (*cond)(struct run *), int ms)
{
	uint64_t end = cti_now_ms(ctx) + (uint64_t)ms;

	while (!cond(r) && cti_now_ms(ctx) < end && !r->start_err)
		cti_dispatch(ctx, 100);
	return cond(r);
}

static int dchans_up(struct run *r)
{
	return r->dchan_up >= 2;
}

static int call_up(struct run *r)
{
	return r->out.answered && r->in.connected;
}

static int both_done(struct run *r)
{
	return r->out.op_done && r->in.op_done;
}

static int both_released(struct run *r)
{
	return r->out.released && r->in.released;
}

struct fax_case {
	const char *name;
	int pages, seed, ecm, modems, max_rate;
	int want_rate;
};

static void fax_case(cti_ctx_t *ctx, struct run *r, const struct fax_case *fc)
{
	struct testdoc d;
	cti_call_params_t p;
	char doc[64], rx[64], msg[200];
	uint64_t t0;

	memset(&r->out, 0, sizeof(r->out));
	memset(&r->in, 0, sizeof(r->in));
	r->start_err = 0;
	snprintf(doc, sizeof(doc), "/tmp/%s.tif", fc->name);
	snprintf(rx, sizeof(rx), "/tmp/%s-rx.tif", fc->name);
	unlink(rx);
	testdoc_defaults(&d, fc->pages, fc->seed);
	if (testdoc_write(doc, &d) != 0) {
		ok(0, "%s: write test document %s", fc->name, doc);
		return;
	}
	cti_fax_params_init(&r->tx);
	r->tx.docs = r->tx_docs;
	cti_fax_params_init(&r->rx);
	strcpy(r->tx.ident, "+49 30 5555 0001");
	strcpy(r->rx.ident, "+49 30 5555 0002");
	r->tx.ndocs = 1;
	r->tx_docs[0].path = doc;
	r->rx.receive_path = rx;
	r->tx.ecm = r->rx.ecm = fc->ecm;
	r->tx.modems = r->rx.modems = fc->modems;
	r->tx.max_rate = r->rx.max_rate = fc->max_rate;

	cti_call_params_init(&p);
	p.span = 1;
	strcpy(p.called.number, "2000");
	strcpy(p.calling.number, "1000");
	t0 = cti_now_ms(ctx);
	r->out.call = cti_call_place(ctx, &p);
	if (!r->out.call) {
		ok(0, "%s: place call: %s", fc->name, cti_last_error());
		return;
	}
	ok(run_until(ctx, r, call_up, 30000), "%s: call up span 1 -> span 2 (answered, connected)", fc->name);
	/* 3 pages at 14400 are ~35 s of audio; T.30 timeouts end a broken session well before. */
	run_until(ctx, r, both_done, 240000);
	printf("# %s: fax session %.1f s of wall time\n", fc->name, (double)(cti_now_ms(ctx) - t0) / 1000);
	ok(!r->start_err && r->out.fax_op > 0 && r->in.fax_op > 0, "%s: fax send and receive started", fc->name);
	ok(r->out.phase_b >= 1 && r->in.phase_b >= 1 && r->out.bit_rate == fc->want_rate &&
	   r->in.bit_rate == fc->want_rate && r->out.ecm == fc->ecm && r->in.ecm == fc->ecm,
	   "%s: phase B seen on both ends: %d / %d bit/s, ECM %d / %d", fc->name, r->out.bit_rate, r->in.bit_rate,
	   r->out.ecm, r->in.ecm);
	ok(!strcmp(r->out.remote_ident, r->rx.ident) && !strcmp(r->in.remote_ident, r->tx.ident),
	   "%s: idents exchanged ('%s' / '%s')", fc->name, r->out.remote_ident, r->in.remote_ident);
	for (int i = 1; i <= fc->pages; i++)
		ok(r->in.pages >= i && r->out.pages >= i, "%s: page %d received (%llu ms after the call)", fc->name,
		   i, r->in.pages >= i && i <= 8 ? (unsigned long long)(r->in.page_ms[i - 1] - t0) : 0ULL);
	ok(r->out.done && r->in.done && r->out.result == 0 && r->in.result == 0 &&
	   r->out.op_reason == CTI_TERM_EOD && r->in.op_reason == CTI_TERM_EOD,
	   "%s: result 0 on both ends (sender %d '%s', receiver %d '%s', %d pages)", fc->name, r->out.result,
	   r->out.result_text, r->in.result, r->in.result_text, r->in.done_pages);
	ok(r->in.bad_rows == 0, "%s: no bad rows reported (%d)", fc->name, r->in.bad_rows);
	{
		int got = testdoc_pages(rx), same;

		snprintf(msg, sizeof(msg), "%d pages in %s", got, rx);
		same = got == fc->pages && testdoc_compare(doc, 1, rx, 1, fc->pages, 0, msg, sizeof(msg)) == 0;
		ok(same, "%s: %d received pages pel-identical to the sent ones%s%s", fc->name, fc->pages,
		   same ? "" : ": ", same ? "" : msg);
	}
	if (r->out.call && !r->out.hangup)
		cti_call_hangup(r->out.call, 16, CTI_LOC_DEFAULT);
	if (r->in.call && !r->in.hangup && !r->out.call)
		cti_call_hangup(r->in.call, 16, CTI_LOC_DEFAULT);
	ok(run_until(ctx, r, both_released, 30000), "%s: call released on both spans", fc->name);
}

int main(int argc, char **argv)
{
	static const struct fax_case cases[] = {
		{ "ecm-v17-3pages", 3, 201, 1, CTI_FAX_V17 | CTI_FAX_V29 | CTI_FAX_V27TER, 14400, 14400 },
		{ "noecm-v29-1page", 1, 202, 0, CTI_FAX_V29, 9600, 9600 },
	};
	int ncases = argc > 1 ? atoi(argv[1]) : 2;
	cti_config_t *cfg = cti_config_new();
	struct run r;
	cti_ctx_t *ctx;

	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&r, 0, sizeof(r));
	for (int port = 1; port <= 2; port++) {
		cti_span_config_t sc;

		cti_span_config_init(&sc, CTI_LINE_E1);
		snprintf(sc.name, sizeof(sc.name), port == 1 ? "e1net" : "e1usr");
		sc.transport = CTI_TRANSPORT_DAHDI;
		sc.port = port;
		sc.switchtype = CTI_SWITCH_EUROISDN;
		sc.role = port == 1 ? CTI_ROLE_NETWORK : CTI_ROLE_USER;
		if (cti_config_add_span(cfg, &sc) < 0)
			printf("# add span %s: %s\n", sc.name, cti_last_error());
	}
	ctx = cti_open(cfg);
	cti_config_free(cfg);
	ok(ctx != NULL, "cti_open over DAHDI spans 1-2%s%s", ctx ? "" : ": ", ctx ? "" : cti_last_error());
	if (!ctx)
		return tap_done();
	cti_set_event_handler(ctx, handler, &r);
	{
		int up = run_until(ctx, &r, dchans_up, 60000);

		ok(up, "D-channels up on both spans (%d)", r.dchan_up);
	}
	for (int i = 0; i < ncases && i < (int)(sizeof(cases) / sizeof(cases[0])); i++)
		fax_case(ctx, &r, &cases[i]);
	cti_close(ctx);
	return tap_done();
}
