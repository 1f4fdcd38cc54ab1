/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cluster.c - the ACD of several ctid hosts in Redis (see cluster.h and
 * cluster.lua, which holds the data model and every decision).
 *
 * Main thread: one synchronous round trip per ACD operation (EVALSHA of
 * cluster.lua), 200 ms timeout. Reader thread: XREAD BLOCK on cti:events
 * with a connection of its own; entries go through a mutex-protected list,
 * a byte in a pipe wakes the main loop.
 *
 * Mirror: the host's own calls (queue, state, agent, times) and its own
 * agents (state as the stream reported it) are kept here too, so that when
 * Redis comes back empty (restart without persistence) the host republishes
 * them, and when Redis kept its data the host corrects what changed while it
 * could not tell (calls that ended meanwhile are dropped there).
 */
#include "cluster.h"

#include <errno.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* cluster.lua, made a C string by the build (xxd -i) */
#include "cluster_lua.h"

#define OP_TIMEOUT_MS 200
#define RETRY_MS 1000
#define FULL_TICK_MS 1000

struct magent {	/* an agent this host owns, or a remote one whose position we learnt */
	char id[ACD_NAME_MAX];
	char pos[ACD_NAME_MAX];
	char skills[ACD_MAX_SKILLS * (ACD_NAME_MAX + 5)];
	bool mine;
	int state, reason;
	uint64_t idle;
	char call[2 * ACD_NAME_MAX + 24];	/* HOST/ID while ringing or talking */
};

struct mcall {	/* a call of this host */
	struct mcall *next;
	uint64_t id;
	char queue[ACD_NAME_MAX], ani[ACD_ANI_MAX];
	int vip;
	uint64_t arrived, queued;
	char state[8];			/* waiting, ringing, talking */
	char agent[ACD_NAME_MAX];
	int answered;
};

struct entry {	/* one stream entry, decoded by the reader */
	struct entry *next;
	char ev[12], host[ACD_NAME_MAX], owner[ACD_NAME_MAX], agent[ACD_NAME_MAX];
	char queue[ACD_NAME_MAX], target[ACD_TARGET_MAX], from[ACD_NAME_MAX], pos[ACD_NAME_MAX], what[32], why[16];
	uint64_t call, idle;
	int old, new, reason;
};

struct cluster {
	acd_t *acd;
	struct acd_backend be;
	char host[ACD_NAME_MAX];
	char call_prefix[ACD_NAME_MAX + 24];
	char addr[CTID_PATH_MAX];
	int lease_ms;
	char epoch[32];
	redisContext *rc;
	char sha[41];
	uint64_t next_retry, next_full, ops;
	char (*queues)[ACD_NAME_MAX];
	int nqueues;
	struct magent **agents;
	int nagents, cap_agents;
	struct mcall *calls;
	uint64_t next_call;
	/* reader */
	pthread_t reader;
	bool reader_started;
	pthread_mutex_t lock;
	struct entry *head, *tail;
	int pipe[2];
	volatile int stop;
	char last_id[64];
};

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t real_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static redisContext *connect_to(const char *addr, int timeout_ms)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	redisContext *rc;
	if (addr[0] == '/') {
		rc = redisConnectUnixWithTimeout(addr, tv);
	} else {
		char host[CTID_PATH_MAX];
		const char *colon = strrchr(addr, ':');
		snprintf(host, sizeof(host), "%.*s", (int)(colon - addr), addr);
		rc = redisConnectWithTimeout(host, atoi(colon + 1), tv);
	}
	if (rc && rc->err) {
		redisFree(rc);
		return NULL;
	}
	if (rc)
		redisSetTimeout(rc, tv);
	return rc;
}

static void drop_connection(struct cluster *cl, const char *why)
{
	if (!cl->rc)
		return;
	fprintf(stderr, "ctid: cluster: Redis at %s lost (%s); running on this host's own state, retrying\n",
		cl->addr, why);
	redisFree(cl->rc);
	cl->rc = NULL;
	cl->next_retry = mono_ms() + RETRY_MS;
}

static bool load_script(struct cluster *cl)
{
	redisReply *r = redisCommand(cl->rc, "SCRIPT LOAD %s", (const char *)cluster_lua);
	cl->ops++;
	if (!r) {
		drop_connection(cl, cl->rc->errstr);
		return false;
	}
	bool ok = r->type == REDIS_REPLY_STRING && r->len == 40;
	if (ok)
		memcpy(cl->sha, r->str, 41);
	else
		fprintf(stderr, "ctid: cluster: SCRIPT LOAD: %s\n", r->type == REDIS_REPLY_ERROR ? r->str : "bad reply");
	freeReplyObject(r);
	return ok;
}

/*
 * Run one operation of cluster.lua: op, this host, then args. NULL when the
 * connection is gone (dropped here). The caller frees the reply.
 */
static redisReply *run(struct cluster *cl, const char *op, int argc, const char **args)
{
	if (!cl->rc)
		return NULL;
	const char **argv = malloc(((size_t)argc + 5) * sizeof(*argv));
	if (!argv)
		return NULL;
	int n = 0;
	argv[n++] = "EVALSHA";
	argv[n++] = cl->sha;
	argv[n++] = "0";
	argv[n++] = op;
	argv[n++] = cl->host;
	for (int i = 0; i < argc; i++)
		argv[n++] = args[i];
	redisReply *r = NULL;
	for (int attempt = 0; attempt < 2; attempt++) {
		r = redisCommandArgv(cl->rc, n, argv, NULL);
		cl->ops++;
		if (!r) {
			drop_connection(cl, cl->rc->errstr);
			break;
		}
		if (r->type == REDIS_REPLY_ERROR && !strncmp(r->str, "NOSCRIPT", 8) && attempt == 0) {
			freeReplyObject(r);	/* Redis restarted under the same connection? load again */
			r = NULL;
			if (!load_script(cl))
				break;
			continue;
		}
		break;
	}
	free(argv);
	return r;
}

/* An operation whose reply is an acd.h code; errors are logged. */
static int run_code(struct cluster *cl, const char *op, int argc, const char **args)
{
	redisReply *r = run(cl, op, argc, args);
	if (!r)
		return ACD_EUNAVAIL;
	int rc = ACD_EINVAL;
	if (r->type == REDIS_REPLY_INTEGER)
		rc = (int)r->integer;
	else if (r->type == REDIS_REPLY_ERROR)
		fprintf(stderr, "ctid: cluster: %s %s: %s\n", op, argc ? args[0] : "", r->str);
	freeReplyObject(r);
	return rc;
}

/* ---- mirror ---- */

static struct magent *agent_find(struct cluster *cl, const char *id)
{
	for (int i = 0; i < cl->nagents; i++)
		if (!strcmp(cl->agents[i]->id, id))
			return cl->agents[i];
	return NULL;
}

static struct magent *agent_add(struct cluster *cl, const char *id)
{
	if (cl->nagents == cl->cap_agents) {
		int n = cl->cap_agents ? cl->cap_agents * 2 : 16;
		struct magent **p = realloc(cl->agents, (size_t)n * sizeof(*p));
		if (!p)
			return NULL;
		cl->agents = p;
		cl->cap_agents = n;
	}
	struct magent *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	snprintf(a->id, sizeof(a->id), "%s", id);
	cl->agents[cl->nagents++] = a;
	return a;
}

static struct mcall *call_find(struct cluster *cl, uint64_t id)
{
	for (struct mcall *c = cl->calls; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

static void call_remove(struct cluster *cl, uint64_t id)
{
	for (struct mcall **pp = &cl->calls; *pp; pp = &(*pp)->next)
		if ((*pp)->id == id) {
			struct mcall *c = *pp;
			*pp = c->next;
			free(c);
			return;
		}
}

/* This host's agents from the configuration (again at a reload: position and skills follow the file). */
static int add_agents(struct cluster *cl, const struct ctid_config *cfg)
{
	for (int i = 0; i < cfg->nagents; i++) {
		const struct ctid_agent *ca = &cfg->agents[i];
		if (ca->supervisor)
			continue;	/* supervisors take no calls: not ACD agents in Redis */
		struct magent *m = agent_find(cl, ca->acd.id);
		if (!m && !(m = agent_add(cl, ca->acd.id)))
			return -1;
		m->mine = true;
		snprintf(m->pos, sizeof(m->pos), "%s", ca->acd.position);
		m->skills[0] = 0;
		for (int k = 0; k < ca->acd.nskills; k++)
			snprintf(m->skills + strlen(m->skills), sizeof(m->skills) - strlen(m->skills), "%s%s:%d",
				 k ? "," : "", ca->acd.skills[k].name, ca->acd.skills[k].level);
	}
	return 0;
}

/* ---- joining, and again after Redis came back ---- */

static int publish_call(struct cluster *cl, const struct mcall *c)
{
	char id[24], vip[4], arrived[24], queued[24], answered[4];
	snprintf(id, sizeof(id), "%" PRIu64, c->id);
	snprintf(vip, sizeof(vip), "%d", c->vip);
	snprintf(arrived, sizeof(arrived), "%" PRIu64, c->arrived);
	snprintf(queued, sizeof(queued), "%" PRIu64, c->queued);
	snprintf(answered, sizeof(answered), "%d", c->answered);
	const char *a[] = { id, c->queue, c->ani, vip, arrived, queued, c->state, c->agent, answered };
	return run_code(cl, "call", 9, a);
}

/* hello, queues, agents, calls. 0, or -1 (connection lost or refused: err says why). */
static int reconcile(struct cluster *cl, bool rejoin, char *err, size_t errlen)
{
	char lease[16];
	snprintf(lease, sizeof(lease), "%d", cl->lease_ms);
	const char *h[] = { lease, cl->epoch };
	if (!load_script(cl) || run_code(cl, "hello", 2, h)) {
		snprintf(err, errlen, "cluster: cannot join through Redis at %s", cl->addr);
		return -1;
	}
	for (int i = 0; i < cl->nqueues; i++) {
		struct acd_queue_cfg q;
		if (acd_queue_config(cl->acd, cl->queues[i], &q))
			continue;
		char prio[16], sl[24], wrap[24], ovf[24], mx[24], skills[sizeof(((struct magent *)0)->skills)] = "";
		snprintf(prio, sizeof(prio), "%d", q.priority);
		snprintf(sl, sizeof(sl), "%" PRIu64, q.service_level_ms);
		snprintf(wrap, sizeof(wrap), "%" PRIu64, q.wrapup_ms);
		snprintf(ovf, sizeof(ovf), "%" PRIu64, q.overflow_ms);
		snprintf(mx, sizeof(mx), "%" PRIu64, q.max_wait_ms);
		for (int k = 0; k < q.nskills; k++)
			snprintf(skills + strlen(skills), sizeof(skills) - strlen(skills), "%s%s:%d", k ? "," : "",
				 q.skills[k].name, q.skills[k].level);
		const char *a[] = { q.name, prio, q.strategy == ACD_BEST_SKILL ? "best-skill" : "longest-idle", sl, wrap,
				    ovf, q.overflow_to, mx, q.max_wait_to, skills };
		if (run_code(cl, "queue", 10, a)) {
			snprintf(err, errlen, "cluster: cannot publish queue %s", q.name);
			return -1;
		}
	}
	for (int i = 0; i < cl->nagents; i++) {
		struct magent *m = cl->agents[i];
		if (!m->mine)
			continue;
		char st[8], reason[16], idle[24];
		snprintf(st, sizeof(st), "%d", m->state);
		snprintf(reason, sizeof(reason), "%d", m->reason);
		snprintf(idle, sizeof(idle), "%" PRIu64, m->idle ? m->idle : real_ms());
		const char *a[] = { m->id, m->pos, m->skills, st, reason, idle, m->call, rejoin ? "1" : "0" };
		redisReply *r = run(cl, "agent", 8, a);
		if (!r) {
			snprintf(err, errlen, "cluster: Redis at %s lost while joining", cl->addr);
			return -1;
		}
		if (r->type == REDIS_REPLY_ERROR) {
			snprintf(err, errlen, "cluster: %s", r->str);
			freeReplyObject(r);
			return -1;
		}
		freeReplyObject(r);
	}
	int ncalls = 0;
	for (struct mcall *c = cl->calls; c; c = c->next)
		ncalls++;
	char (*keybuf)[2 * ACD_NAME_MAX + 24] = calloc((size_t)ncalls + 1, sizeof(*keybuf));
	const char **keys = calloc((size_t)ncalls + 1, sizeof(*keys));
	int nkeys = 0;
	for (struct mcall *c = cl->calls; c && keybuf && keys; c = c->next) {
		if (publish_call(cl, c) == ACD_EUNAVAIL)
			break;
		snprintf(keybuf[nkeys], sizeof(keybuf[nkeys]), "%s/%" PRIu64, cl->host, c->id);
		keys[nkeys] = keybuf[nkeys];
		nkeys++;
	}
	if (keybuf && keys && nkeys == ncalls)	/* Redis forgets our calls that ended meanwhile */
		run_code(cl, "calls", nkeys, keys);
	free(keybuf);
	free(keys);
	if (!cl->rc || nkeys != ncalls) {
		snprintf(err, errlen, "cluster: Redis at %s lost while joining", cl->addr);
		return -1;
	}
	return 0;
}

void cluster_reload(cluster_t *cl, const struct ctid_config *cfg)
{
	/* Queue settings and this host's agents as the new file has them (agents removed stay until restart). */
	int nq = 0;
	char (*q)[ACD_NAME_MAX] = calloc((size_t)cfg->nqueues + 1, sizeof(*q));
	if (!q)
		return;
	for (int i = 0; i < cfg->nqueues; i++)
		snprintf(q[nq++], ACD_NAME_MAX, "%s", cfg->queues[i].acd.name);
	free(cl->queues);
	cl->queues = q;
	cl->nqueues = nq;
	add_agents(cl, cfg);
	char err[256];
	if (cl->rc && reconcile(cl, false, err, sizeof(err)))
		fprintf(stderr, "ctid: %s\n", err);
}

static void try_reconnect(struct cluster *cl)
{
	uint64_t now = mono_ms();
	if (cl->rc || now < cl->next_retry)
		return;
	cl->next_retry = now + RETRY_MS;
	cl->rc = connect_to(cl->addr, OP_TIMEOUT_MS);
	if (!cl->rc)
		return;
	char err[256];
	if (reconcile(cl, true, err, sizeof(err))) {
		fprintf(stderr, "ctid: %s\n", err);
		drop_connection(cl, "reconcile failed");
		return;
	}
	fprintf(stderr, "ctid: cluster: Redis at %s back; republished this host's agents and calls\n", cl->addr);
}

/* ---- the backend (acd.h) ---- */

static int be_agent(void *ctx, enum acd_agent_op op, const char *agent, int reason)
{
	struct cluster *cl = ctx;
	static const char *const ops[] = { "login", "logout", "ready", "notready" };
	char r[16];
	snprintf(r, sizeof(r), "%d", reason);
	const char *a[] = { agent, r };
	return run_code(cl, ops[op], 2, a);
}

static int be_agent_state(void *ctx, const char *agent, enum acd_agent_state *state, int *reason, uint64_t *call)
{
	struct cluster *cl = ctx;
	const char *a[] = { agent };
	redisReply *r = run(cl, "state", 1, a);
	if (!r) {
		struct magent *m = agent_find(cl, agent);
		if (!m || !m->mine)
			return ACD_EUNAVAIL;
		if (state)
			*state = (enum acd_agent_state)m->state;
		if (reason)
			*reason = m->reason;
		if (call)
			*call = 0;
		return ACD_OK;
	}
	int rc = ACD_ENOENT;
	if (r->type == REDIS_REPLY_ARRAY && r->elements == 4) {
		rc = ACD_OK;
		if (state)
			*state = (enum acd_agent_state)r->element[0]->integer;
		if (reason)
			*reason = (int)r->element[1]->integer;
		if (call) {
			/* HOST/ID: our own call's id, 0 for another host's */
			const char *k = r->element[2]->str ? r->element[2]->str : "";
			size_t hl = strlen(cl->host);
			*call = !strncmp(k, cl->host, hl) && k[hl] == '/' ? strtoull(k + hl + 1, NULL, 10) : 0;
		}
	}
	freeReplyObject(r);
	return rc;
}

static const char *be_agent_position(void *ctx, const char *agent)
{
	struct cluster *cl = ctx;
	struct magent *m = agent_find(cl, agent);
	if (m && m->pos[0])
		return m->pos;
	const char *a[] = { agent };
	redisReply *r = run(cl, "state", 1, a);
	const char *pos = NULL;
	if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 4 && r->element[3]->str) {
		if (!m)
			m = agent_add(cl, agent);
		if (m) {
			snprintf(m->pos, sizeof(m->pos), "%s", r->element[3]->str);
			pos = m->pos;
		}
	}
	if (r)
		freeReplyObject(r);
	return pos;
}

static int64_t be_enqueue(void *ctx, const char *queue, const char *ani, int vip)
{
	struct cluster *cl = ctx;
	struct mcall *c = calloc(1, sizeof(*c));
	if (!c)
		return ACD_ENOMEM;
	c->id = ++cl->next_call;
	snprintf(c->queue, sizeof(c->queue), "%s", queue);
	snprintf(c->ani, sizeof(c->ani), "%s", ani ? ani : "");
	c->vip = vip;
	c->arrived = c->queued = real_ms();
	snprintf(c->state, sizeof(c->state), "waiting");
	c->next = cl->calls;
	cl->calls = c;
	char id[24], v[4];
	snprintf(id, sizeof(id), "%" PRIu64, c->id);
	snprintf(v, sizeof(v), "%d", vip);
	const char *a[] = { id, queue, c->ani, v };
	int rc = run_code(cl, "enqueue", 4, a);
	if (rc && rc != ACD_EUNAVAIL) {	/* refused (no such queue there): not ours to keep */
		call_remove(cl, c->id);
		return rc;
	}
	return (int64_t)c->id;	/* without Redis: waits here and is published when Redis is back */
}

static int be_call(void *ctx, enum acd_call_op op, uint64_t call, const char *to)
{
	struct cluster *cl = ctx;
	static const char *const ops[] = { "answered", "noanswer", "abandon", "end", "transfer" };
	struct mcall *c = call_find(cl, call);
	if (!c)
		return ACD_ENOENT;
	char id[24];
	snprintf(id, sizeof(id), "%" PRIu64, call);
	const char *a[] = { id, to ? to : "" };
	int rc = run_code(cl, ops[op], op == ACD_OP_TRANSFER ? 2 : 1, a);
	if (op == ACD_OP_TRANSFER && rc)
		return rc;	/* needs the other agent's state: only what Redis says counts */
	/* The rest happened on this host's trunks whatever Redis said (it may not
	 * know the call yet, after a restart): the mirror follows the host. */
	switch (op) {
	case ACD_OP_ANSWERED:
		snprintf(c->state, sizeof(c->state), "talking");
		c->answered = 1;
		break;
	case ACD_OP_NO_ANSWER:
		snprintf(c->state, sizeof(c->state), "waiting");
		c->agent[0] = 0;
		break;
	case ACD_OP_ABANDON:
	case ACD_OP_END:
		call_remove(cl, call);
		break;
	case ACD_OP_TRANSFER:
		snprintf(c->state, sizeof(c->state), "ringing");
		snprintf(c->agent, sizeof(c->agent), "%s", to);
		break;
	}
	return rc == ACD_EUNAVAIL ? ACD_OK : rc;
}

static const char *be_call_queue(void *ctx, uint64_t call)
{
	struct mcall *c = call_find(ctx, call);
	return c ? c->queue : NULL;
}

static int be_queue_stats(void *ctx, const char *queue, struct acd_queue_stats *st)
{
	struct cluster *cl = ctx;
	const char *a[] = { queue };
	redisReply *r = run(cl, "stats", 1, a);
	if (!r)
		return ACD_EUNAVAIL;
	int rc = ACD_ENOENT;
	if (r->type == REDIS_REPLY_ARRAY && r->elements == 11) {
		long long v[11];
		for (int i = 0; i < 11; i++)
			v[i] = r->element[i]->integer;
		memset(st, 0, sizeof(*st));
		st->offered = (unsigned)v[0];
		st->answered = (unsigned)v[1];
		st->answered_in_sl = (unsigned)v[2];
		st->abandoned = (unsigned)v[3];
		st->abandoned_in_sl = (unsigned)v[4];
		st->overflowed = (unsigned)v[5];
		st->timed_out = (unsigned)v[6];
		st->total_answer_wait_ms = (uint64_t)v[7];
		st->waiting = (unsigned)v[8];
		st->ringing = (unsigned)(v[9] > 0 ? v[9] : 0);
		st->longest_wait_ms = (uint64_t)v[10];
		unsigned den = st->answered + st->abandoned - st->abandoned_in_sl;
		st->service_level_permille = den ? (unsigned)((uint64_t)st->answered_in_sl * 1000 / den) : 1000;
		rc = ACD_OK;
	}
	freeReplyObject(r);
	return rc;
}

static void be_tick(void *ctx)
{
	struct cluster *cl = ctx;
	if (!cl->rc) {
		try_reconnect(cl);
		return;
	}
	uint64_t now = mono_ms();
	bool full = now >= cl->next_full;
	if (full)
		cl->next_full = now + FULL_TICK_MS;
	char lease[16];
	snprintf(lease, sizeof(lease), "%d", cl->lease_ms);
	const char *a[] = { lease, cl->epoch, full ? "1" : "0" };
	redisReply *r = run(cl, "tick", 3, a);
	if (!r)
		return;
	bool lost = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
	if (r->type == REDIS_REPLY_ERROR)
		fprintf(stderr, "ctid: cluster: tick: %s\n", r->str);
	freeReplyObject(r);
	if (lost) {	/* Redis no longer knows this host (restarted, or our lease ran out): join again */
		char err[256];
		fprintf(stderr, "ctid: cluster: Redis does not know host %s any more: republishing\n", cl->host);
		if (reconcile(cl, true, err, sizeof(err)))
			fprintf(stderr, "ctid: %s\n", err);
	}
}

/* ---- the stream reader ---- */

static void field(struct entry *e, const char *k, const char *v)
{
#define F(name)                                                    \
	if (!strcmp(k, #name)) {                                   \
		snprintf(e->name, sizeof(e->name), "%s", v);       \
		return;                                            \
	}
	F(ev) F(host) F(owner) F(agent) F(queue) F(target) F(from) F(pos) F(what) F(why)
#undef F
	if (!strcmp(k, "call"))
		e->call = strtoull(v, NULL, 10);
	else if (!strcmp(k, "idle"))
		e->idle = strtoull(v, NULL, 10);
	else if (!strcmp(k, "old"))
		e->old = atoi(v);
	else if (!strcmp(k, "new"))
		e->new = atoi(v);
	else if (!strcmp(k, "reason"))
		e->reason = atoi(v);
}

static void *reader_main(void *arg)
{
	struct cluster *cl = arg;
	redisContext *rc = NULL;
	while (!cl->stop) {
		if (!rc) {
			rc = connect_to(cl->addr, 1000);
			if (!rc) {
				usleep(200 * 1000);
				continue;
			}
			struct timeval tv = { 3, 0 };	/* longer than the BLOCK below */
			redisSetTimeout(rc, tv);
		}
		redisReply *r = redisCommand(rc, "XREAD COUNT 200 BLOCK 500 STREAMS cti:events %s", cl->last_id);
		if (!r) {
			redisFree(rc);
			rc = NULL;
			usleep(200 * 1000);
			continue;
		}
		struct entry *first = NULL, **tailp = &first;
		if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element[0]->elements == 2) {
			redisReply *list = r->element[0]->element[1];
			for (size_t i = 0; i < list->elements; i++) {
				redisReply *item = list->element[i];
				if (item->elements != 2)
					continue;
				snprintf(cl->last_id, sizeof(cl->last_id), "%s", item->element[0]->str);
				redisReply *kv = item->element[1];
				struct entry *e = calloc(1, sizeof(*e));
				if (!e)
					continue;
				for (size_t k = 0; k + 1 < kv->elements; k += 2)
					field(e, kv->element[k]->str, kv->element[k + 1]->str);
				*tailp = e;
				tailp = &e->next;
			}
		}
		freeReplyObject(r);
		if (first) {
			pthread_mutex_lock(&cl->lock);
			if (cl->tail)
				cl->tail->next = first;
			else
				cl->head = first;
			struct entry *t = first;
			while (t->next)
				t = t->next;
			cl->tail = t;
			pthread_mutex_unlock(&cl->lock);
			char b = 1;
			if (write(cl->pipe[1], &b, 1) < 0 && errno != EAGAIN)
				break;
		}
	}
	if (rc)
		redisFree(rc);
	return NULL;
}

static void handle(struct cluster *cl, const struct entry *e)
{
	struct acd_event ev;
	memset(&ev, 0, sizeof(ev));
	bool mine = !strcmp(e->host, cl->host);
	if (!strcmp(e->ev, "state")) {
		struct magent *m = agent_find(cl, e->agent);
		if (m && m->mine) {
			m->state = e->new;
			m->reason = e->reason;
			m->idle = e->idle;
			if (e->new != ACD_RINGING && e->new != ACD_TALKING)
				m->call[0] = 0;
		}
		ev.type = ACD_EV_AGENT_STATE;
		snprintf(ev.agent, sizeof(ev.agent), "%s", e->agent);
		ev.old_state = (enum acd_agent_state)e->old;
		ev.new_state = (enum acd_agent_state)e->new;
		ev.reason_code = e->reason;
		acd_post_event(cl->acd, &ev);
	} else if (!strcmp(e->ev, "deliver")) {
		struct magent *m = agent_find(cl, e->agent);
		if (!m)
			m = agent_add(cl, e->agent);
		if (m) {
			if (!m->mine)
				snprintf(m->pos, sizeof(m->pos), "%s", e->pos);
			else
				snprintf(m->call, sizeof(m->call), "%s/%" PRIu64, e->host, e->call);
		}
		struct mcall *c = mine ? call_find(cl, e->call) : NULL;
		if (c) {
			snprintf(c->state, sizeof(c->state), "ringing");
			snprintf(c->agent, sizeof(c->agent), "%s", e->agent);
			ev.type = ACD_EV_DELIVER;
			ev.call = e->call;
			snprintf(ev.agent, sizeof(ev.agent), "%s", e->agent);
			snprintf(ev.queue, sizeof(ev.queue), "%s", e->queue);
			acd_post_event(cl->acd, &ev);
		}
	} else if (!strcmp(e->ev, "moved") && mine) {
		struct mcall *c = call_find(cl, e->call);
		if (c) {
			snprintf(c->queue, sizeof(c->queue), "%s", e->queue);
			c->queued = real_ms();
			ev.type = ACD_EV_MOVED;
			ev.call = e->call;
			snprintf(ev.queue, sizeof(ev.queue), "%s", e->queue);
			snprintf(ev.target, sizeof(ev.target), "%s", e->from);
			acd_post_event(cl->acd, &ev);
		}
	} else if (!strcmp(e->ev, "leave") && mine) {
		if (call_find(cl, e->call)) {
			call_remove(cl, e->call);
			ev.type = ACD_EV_LEAVE;
			ev.call = e->call;
			snprintf(ev.queue, sizeof(ev.queue), "%s", e->queue);
			snprintf(ev.target, sizeof(ev.target), "%s", e->target);
			ev.reason = !strcmp(e->why, "max_wait") ? ACD_LEAVE_MAX_WAIT : ACD_LEAVE_OVERFLOW;
			acd_post_event(cl->acd, &ev);
		}
	} else if (!strcmp(e->ev, "host")) {
		fprintf(stderr, "ctid: cluster: host %s: %s\n", e->host, e->what);
	}
}

void cluster_process(cluster_t *cl)
{
	char buf[256];
	while (read(cl->pipe[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&cl->lock);
	struct entry *e = cl->head;
	cl->head = cl->tail = NULL;
	pthread_mutex_unlock(&cl->lock);
	while (e) {
		struct entry *next = e->next;
		handle(cl, e);
		free(e);
		e = next;
	}
}

int cluster_fd(const cluster_t *cl)
{
	return cl->pipe[0];
}

const char *cluster_call_prefix(const cluster_t *cl)
{
	return cl->call_prefix;
}

uint64_t cluster_ops(const cluster_t *cl)
{
	return cl->ops;
}

static void free_all(struct cluster *cl)
{
	if (cl->reader_started) {
		cl->stop = 1;
		pthread_join(cl->reader, NULL);
	}
	if (cl->rc)
		redisFree(cl->rc);
	for (int i = 0; i < cl->nagents; i++)
		free(cl->agents[i]);
	free(cl->agents);
	while (cl->calls)
		call_remove(cl, cl->calls->id);
	while (cl->head) {
		struct entry *e = cl->head;
		cl->head = e->next;
		free(e);
	}
	free(cl->queues);
	if (cl->pipe[0] >= 0) {
		close(cl->pipe[0]);
		close(cl->pipe[1]);
	}
	pthread_mutex_destroy(&cl->lock);
	free(cl);
}

cluster_t *cluster_start(const struct ctid_config *cfg, acd_t *acd, char *err, size_t errlen)
{
	struct cluster *cl = calloc(1, sizeof(*cl));
	if (!cl) {
		snprintf(err, errlen, "cluster: out of memory");
		return NULL;
	}
	cl->pipe[0] = cl->pipe[1] = -1;
	pthread_mutex_init(&cl->lock, NULL);
	cl->acd = acd;
	snprintf(cl->host, sizeof(cl->host), "%s", cfg->cluster_host);
	snprintf(cl->addr, sizeof(cl->addr), "%s", cfg->cluster_redis);
	cl->lease_ms = cfg->cluster_lease_s * 1000;
	snprintf(cl->epoch, sizeof(cl->epoch), "%ld-%" PRIu64, (long)getpid(), real_ms());
	snprintf(cl->call_prefix, sizeof(cl->call_prefix), "%s-%" PRIu64, cl->host, real_ms() / 1000);
	cl->queues = calloc((size_t)cfg->nqueues + 1, sizeof(*cl->queues));
	if (!cl->queues || pipe(cl->pipe)) {
		snprintf(err, errlen, "cluster: %s", strerror(errno));
		free_all(cl);
		return NULL;
	}
	fcntl(cl->pipe[0], F_SETFL, O_NONBLOCK);
	fcntl(cl->pipe[1], F_SETFL, O_NONBLOCK);
	for (int i = 0; i < cfg->nqueues; i++)
		snprintf(cl->queues[cl->nqueues++], ACD_NAME_MAX, "%s", cfg->queues[i].acd.name);
	if (add_agents(cl, cfg)) {
		snprintf(err, errlen, "cluster: out of memory");
		free_all(cl);
		return NULL;
	}
	cl->rc = connect_to(cl->addr, 2000);
	if (!cl->rc) {
		snprintf(err, errlen, "cluster: cannot connect to Redis at %s (redis = in [cluster], line %d)", cl->addr,
			 cfg->cluster_line);
		free_all(cl);
		return NULL;
	}
	/* Events from now on: the stream's current end. */
	redisReply *r = redisCommand(cl->rc, "XREVRANGE cti:events + - COUNT 1");
	snprintf(cl->last_id, sizeof(cl->last_id), "0-0");
	if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 1)
		snprintf(cl->last_id, sizeof(cl->last_id), "%s", r->element[0]->element[0]->str);
	if (r)
		freeReplyObject(r);
	if (pthread_create(&cl->reader, NULL, reader_main, cl)) {
		snprintf(err, errlen, "cluster: cannot start the stream reader");
		free_all(cl);
		return NULL;
	}
	cl->reader_started = true;
	if (reconcile(cl, false, err, errlen)) {
		free_all(cl);
		return NULL;
	}
	cl->be = (struct acd_backend){ .ctx = cl,
				       .agent = be_agent,
				       .agent_state = be_agent_state,
				       .agent_position = be_agent_position,
				       .enqueue = be_enqueue,
				       .call = be_call,
				       .call_queue = be_call_queue,
				       .queue_stats = be_queue_stats,
				       .tick = be_tick };
	acd_set_backend(acd, &cl->be);
	fprintf(stderr, "ctid: cluster: host %s joined through Redis at %s (lease %d s)\n", cl->host, cl->addr,
		cl->lease_ms / 1000);
	return cl;
}

void cluster_stop(cluster_t *cl)
{
	if (!cl)
		return;
	acd_set_backend(cl->acd, NULL);
	if (cl->rc)
		run_code(cl, "bye", 0, NULL);
	free_all(cl);
}
