/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media.c - libcti media engine (first increment: channels, buffers,
 * silence on transmit; operations answer CTI_ENOTSUP until implemented).
 */
#include <stdlib.h>
#include <string.h>

#include "media.h"

struct media_engine {
	cti_ctx_t *ctx;
	int next_op;
};

struct media_chan {
	struct media_engine *m;
	cti_call_t *call;
	enum cti_law law;
	uint8_t rx[MEDIA_BLOCK];
	uint8_t tx[MEDIA_BLOCK];
	media_hook_fn hook;
	media_hook_end_fn hook_end;
	void *hook_user;
};

struct media_engine *media_engine_new(cti_ctx_t *ctx)
{
	struct media_engine *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->ctx = ctx;
	return m;
}

void media_engine_free(struct media_engine *m)
{
	free(m);
}

struct media_chan *media_chan_new(struct media_engine *m, cti_call_t *call, enum cti_law law)
{
	struct media_chan *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->m = m;
	c->call = call;
	c->law = law;
	memset(c->tx, law == CTI_LAW_ALAW ? 0xd5 : 0xff, MEDIA_BLOCK);
	return c;
}

void media_chan_free(struct media_chan *c)
{
	if (!c)
		return;
	if (c->hook_end)
		c->hook_end(c->hook_user, CTI_TERM_HANGUP);
	free(c);
}

uint8_t *media_chan_rx(struct media_chan *c)
{
	return c->rx;
}

const uint8_t *media_chan_tx(struct media_chan *c)
{
	return c->tx;
}

void media_engine_tick(struct media_engine *m)
{
	(void)m;
}

int media_chan_set_hook(struct media_chan *c, media_hook_fn fn, media_hook_end_fn end, void *user)
{
	if (c->hook_end)
		c->hook_end(c->hook_user, CTI_TERM_STOPPED);
	c->hook = fn;
	c->hook_end = end;
	c->hook_user = user;
	return 0;
}

int media_next_op_id(struct media_engine *m)
{
	return ++m->next_op;
}

void cti_term_init(cti_term_t *t)
{
	memset(t, 0, sizeof(*t));
	t->silence_dbm0 = -42;
}

const char *cti_term_reason_name(enum cti_term_reason r)
{
	(void)r;
	return "unknown";
}

#define NOTYET(fn) cti__error(CTI_ENOTSUP, fn ": not implemented yet")

int cti_play(cti_call_t *call, const cti_play_item_t *items, int n, const cti_term_t *term)
{ (void)call; (void)items; (void)n; (void)term; return NOTYET("cti_play"); }
int cti_play_file(cti_call_t *call, const char *path, const cti_term_t *term)
{ (void)call; (void)path; (void)term; return NOTYET("cti_play_file"); }
void cti_record_params_init(cti_record_params_t *p) { memset(p, 0, sizeof(*p)); }
int cti_record(cti_call_t *call, const cti_record_params_t *p, const cti_term_t *term)
{ (void)call; (void)p; (void)term; return NOTYET("cti_record"); }
int cti_record_pause(cti_call_t *call, int paused)
{ (void)call; (void)paused; return NOTYET("cti_record_pause"); }
int cti_get_digits(cti_call_t *call, const cti_term_t *term)
{ (void)call; (void)term; return NOTYET("cti_get_digits"); }
int cti_digits_read(cti_call_t *call, char *buf, size_t size)
{ (void)call; if (size) buf[0] = 0; return 0; }
void cti_digits_flush(cti_call_t *call) { (void)call; }
int cti_send_dtmf(cti_call_t *call, const char *digits, int on_ms, int off_ms, int level_dbm0)
{ (void)call; (void)digits; (void)on_ms; (void)off_ms; (void)level_dbm0; return NOTYET("cti_send_dtmf"); }
const char *cti_tone_name(enum cti_tone t) { (void)t; return "unknown"; }
int cti_play_tone(cti_call_t *call, enum cti_tone tone, const cti_term_t *term)
{ (void)call; (void)tone; (void)term; return NOTYET("cti_play_tone"); }
int cti_stop(cti_call_t *call, int op) { (void)call; (void)op; return NOTYET("cti_stop"); }
int cti_levels(cti_call_t *call, double *rx_dbm0, double *tx_dbm0)
{ (void)call; *rx_dbm0 = -99; *tx_dbm0 = -99; return 0; }
const char *cti_cpa_result_name(enum cti_cpa_result r) { (void)r; return "unknown"; }
void cti_cpa_params_init(cti_cpa_params_t *p)
{ p->no_answer_ms = 30000; p->voice_ms = 1500; p->max_ms = 45000; }
int cti_cpa_start(cti_call_t *call, const cti_cpa_params_t *p)
{ (void)call; (void)p; return NOTYET("cti_cpa_start"); }
int cti_bridge(cti_call_t *a, cti_call_t *b) { (void)a; (void)b; return NOTYET("cti_bridge"); }
int cti_unbridge(cti_call_t *call) { (void)call; return NOTYET("cti_unbridge"); }
cti_conf_t *cti_conf_new(cti_ctx_t *ctx) { (void)ctx; NOTYET("cti_conf_new"); return NULL; }
int cti_conf_add(cti_conf_t *conf, cti_call_t *call) { (void)conf; (void)call; return NOTYET("cti_conf_add"); }
int cti_conf_remove(cti_conf_t *conf, cti_call_t *call) { (void)conf; (void)call; return NOTYET("cti_conf_remove"); }
void cti_conf_free(cti_conf_t *conf) { (void)conf; }
int cti_monitor(cti_call_t *supervisor, cti_call_t *target, enum cti_monitor_mode mode)
{ (void)supervisor; (void)target; (void)mode; return NOTYET("cti_monitor"); }
int cti_monitor_stop(cti_call_t *supervisor) { (void)supervisor; return NOTYET("cti_monitor_stop"); }
