/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mix.c - routing between channels: bridges, conferences, supervisor monitor
 * (listen, whisper, barge).
 */
#include <stdlib.h>
#include <string.h>

#include "media_int.h"

void media_set_mon(struct media_chan *s, struct media_chan *t)
{
	s->m->monitors += (t != NULL) - (s->mon_target != NULL);
	s->mon_target = t;
}

void media_conf_drop(struct cti_conf *cf, struct media_chan *c)
{
	for (int i = 0; i < cf->n; i++)
		if (cf->mem[i] == c) {
			cf->mem[i] = cf->mem[--cf->n];
			break;
		}
	c->conf = NULL;
}

static void add16(int32_t *acc, const int16_t *x)
{
	for (int i = 0; i < MEDIA_BLOCK; i++)
		acc[i] += x[i];
}

static void add32(int32_t *acc, const int32_t *x)
{
	for (int i = 0; i < MEDIA_BLOCK; i++)
		acc[i] += sat16(x[i]);
}

/* Step 2b and 3 of the tick: bridged, conferenced and monitoring parties into each accumulator. */
void media_mix(struct media_engine *m)
{
	struct media_chan *c;

	for (c = m->chans; c; c = c->next) {
		if (c->bridge)
			add16(media_acc(c), c->bridge->rxl);
		if (c->conf)
			for (int i = 0; i < c->conf->n; i++)
				if (c->conf->mem[i] != c)
					add16(media_acc(c), c->conf->mem[i]->rxl);
	}
	/* 3. supervision: the supervisor hears what the target says and hears */
	if (m->monitors) {
		for (c = m->chans; c; c = c->next)
			if (c->mon_target) {
				struct media_chan *t = c->mon_target;
				if (t->acc_on)
					memcpy(t->base, t->acc, sizeof(t->acc));
				else
					memset(t->base, 0, sizeof(t->base));
			}
		for (c = m->chans; c; c = c->next) {
			struct media_chan *t = c->mon_target;
			if (!t)
				continue;
			add16(media_acc(c), t->rxl);
			add32(media_acc(c), t->base);
			if (c->mon_mode == CTI_MONITOR_LISTEN)
				continue;
			add16(media_acc(t), c->rxl);			/* whisper: the agent hears us */
			if (c->mon_mode != CTI_MONITOR_BARGE)
				continue;
			if (t->bridge && t->bridge != c)	/* barge: so does the other party */
				add16(media_acc(t->bridge), c->rxl);
			if (t->conf)
				for (int i = 0; i < t->conf->n; i++)
					if (t->conf->mem[i] != t && t->conf->mem[i] != c)
						add16(media_acc(t->conf->mem[i]), c->rxl);
		}
	}
}

/* ---------------------------------------------------------------- bridging */

void media_unroute(struct media_chan *c)
{
	if (c->bridge) {
		c->bridge->bridge = NULL;
		c->bridge = NULL;
	}
	if (c->conf)
		media_conf_drop(c->conf, c);
}

int cti_bridge(cti_call_t *a, cti_call_t *b)
{
	int err = 0;

	if (!a || !b || a == b)
		return cti__error(CTI_EINVAL, "cti_bridge: %s", a == b && a ? "a call cannot be bridged to itself" :
				  "call is NULL");
	if (media_call_engine(a) != media_call_engine(b))
		return cti__error(CTI_EINVAL, "cti_bridge: calls of different contexts");
	struct media_chan *ca = media_begin(a, "cti_bridge", &err);
	if (!ca)
		return err;
	struct media_chan *cb = ca->m->ops->call_chan(b);
	if (!cb)
		return media_end(ca, cti__error(CTI_ESTATE, "cti_bridge: the second call has no B-channel"));
	if (ca->bridge == cb)
		return media_end(ca, 0);
	media_unroute(ca);
	media_unroute(cb);
	ca->bridge = cb;
	cb->bridge = ca;
	return media_end(ca, 0);
}

int cti_unbridge(cti_call_t *call)
{
	int err = 0;
	struct media_chan *c = media_begin(call, "cti_unbridge", &err);

	if (!c)
		return err;
	if (!c->bridge)
		return media_end(c, cti__error(CTI_ENOENT, "cti_unbridge: the call is not bridged"));
	c->bridge->bridge = NULL;
	c->bridge = NULL;
	return media_end(c, 0);
}

cti_conf_t *cti_conf_new(cti_ctx_t *ctx)
{
	if (!ctx) {
		cti__error(CTI_EINVAL, "cti_conf_new: ctx is NULL");
		return NULL;
	}
	struct media_engine *m = media_core() ? media_core()->ctx_engine(ctx) : NULL;
	if (!m) {
		cti__error(CTI_ESTATE, "cti_conf_new: no media engine");
		return NULL;
	}
	media_lock(m);
	struct cti_conf *cf = calloc(1, sizeof(*cf));
	if (!cf) {
		media_unlock(m);
		cti__error(CTI_ENOMEM, "cti_conf_new: out of memory");
		return NULL;
	}
	cf->m = m;
	cf->next = m->confs;
	m->confs = cf;
	media_unlock(m);
	return cf;
}

int cti_conf_add(cti_conf_t *conf, cti_call_t *call)
{
	int err = 0;

	if (!conf)
		return cti__error(CTI_EINVAL, "cti_conf_add: conf is NULL");
	struct media_chan *c = media_begin(call, "cti_conf_add", &err);
	if (!c)
		return err;
	if (conf->m != c->m)
		return media_end(c, cti__error(CTI_EINVAL, "cti_conf_add: the call belongs to another context"));
	if (c->conf == conf)
		return media_end(c, 0);
	if (conf->n >= CONF_MAX)
		return media_end(c, cti__error(CTI_EBUSY, "cti_conf_add: conference full (%d members)", CONF_MAX));
	media_unroute(c);
	conf->mem[conf->n++] = c;
	c->conf = conf;
	return media_end(c, 0);
}

int cti_conf_remove(cti_conf_t *conf, cti_call_t *call)
{
	int err = 0;

	if (!conf)
		return cti__error(CTI_EINVAL, "cti_conf_remove: conf is NULL");
	struct media_chan *c = media_begin(call, "cti_conf_remove", &err);
	if (!c)
		return err;
	if (c->conf != conf)
		return media_end(c, cti__error(CTI_ENOENT, "cti_conf_remove: the call is not in this conference"));
	media_conf_drop(conf, c);
	return media_end(c, 0);
}

void cti_conf_free(cti_conf_t *conf)
{
	if (!conf)
		return;
	struct media_engine *m = conf->m;
	media_lock(m);
	while (conf->n)
		media_conf_drop(conf, conf->mem[0]);
	for (struct cti_conf **pp = &m->confs; *pp; pp = &(*pp)->next)
		if (*pp == conf) {
			*pp = conf->next;
			break;
		}
	media_unlock(m);
	free(conf);
}

int cti_monitor(cti_call_t *supervisor, cti_call_t *target, enum cti_monitor_mode mode)
{
	int err = 0;

	if (!supervisor || !target || supervisor == target)
		return cti__error(CTI_EINVAL, "cti_monitor: %s", supervisor == target && target ?
				  "a call cannot monitor itself" : "call is NULL");
	if ((unsigned)mode > CTI_MONITOR_BARGE)
		return cti__error(CTI_EINVAL, "cti_monitor: mode %d unknown", mode);
	if (media_call_engine(supervisor) != media_call_engine(target))
		return cti__error(CTI_EINVAL, "cti_monitor: calls of different contexts");
	struct media_chan *s = media_begin(supervisor, "cti_monitor", &err);
	if (!s)
		return err;
	struct media_chan *t = s->m->ops->call_chan(target);
	if (!t)
		return media_end(s, cti__error(CTI_ESTATE, "cti_monitor: the target call has no B-channel"));
	if (t->mon_target == s)
		return media_end(s, cti__error(CTI_EINVAL, "cti_monitor: the target is monitoring the supervisor"));
	if (s->mon_target != t)
		media_unroute(s);	/* a supervisor is in no bridge/conference while monitoring */
	media_set_mon(s, t);
	s->mon_mode = mode;
	return media_end(s, 0);
}

int cti_monitor_stop(cti_call_t *supervisor)
{
	int err = 0;
	struct media_chan *s = media_begin(supervisor, "cti_monitor_stop", &err);

	if (!s)
		return err;
	if (!s->mon_target)
		return media_end(s, cti__error(CTI_ENOENT, "cti_monitor_stop: the call monitors nobody"));
	media_set_mon(s, NULL);
	return media_end(s, 0);
}
