/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * config.c - ctid.conf parser (see config.h and docs/ctid.md).
 *
 * INI like cti.conf: [section] or [section NAME], `key = value`, comments
 * start with # or ; at the start of a line or after white space when
 * followed by white space or the end of the line (so DTMF '#' can appear in
 * IVR steps: `terminator=#`, `#=hangup`). Keys and keywords are case
 * insensitive; names (queues, flows, agents, labels) are not.
 */
#include "config.h"
#include "customer.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tts.h"

struct errs {
	const char *name;
	char *buf;
	size_t len, cap;
	int n;
};

__attribute__((format(printf, 3, 4)))
static void err(struct errs *e, int line, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	char full[1024];
	int n = line > 0 ? snprintf(full, sizeof(full), "%s:%d: %s\n", e->name, line, msg)
			 : snprintf(full, sizeof(full), "%s: %s\n", e->name, msg);
	if (n < 0)
		return;
	size_t len = strlen(full);
	if (e->len + len + 1 > e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 1024;
		while (cap < e->len + len + 1)
			cap *= 2;
		char *p = realloc(e->buf, cap);
		if (!p)
			return;
		e->buf = p;
		e->cap = cap;
	}
	memcpy(e->buf + e->len, full, len + 1);
	e->len += len;
	e->n++;
}

static void *grow_array(void *arr, int n, size_t elem)
{
	/* Grow by doubling when n reaches a power of two (n = count before adding). */
	if (n && (n & (n - 1)))
		return arr;
	size_t cap = n ? (size_t)n * 2 : 4;
	void *p = realloc(arr, cap * elem);
	if (p)
		memset((char *)p + (size_t)n * elem, 0, (cap - (size_t)n) * elem);
	return p;
}

#define APPEND(arr, n) ((arr) = grow_array((arr), (n), sizeof(*(arr))), (arr) ? &(arr)[(n)++] : NULL)

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = 0;
	return s;
}

static void strip_comment(char *s)
{
	for (char *p = s; *p; p++) {
		if (*p != '#' && *p != ';')
			continue;
		bool at_start = p == s || isspace((unsigned char)p[-1]);
		bool before_space = !p[1] || isspace((unsigned char)p[1]);
		bool line_start = true;
		for (char *q = s; q < p; q++)
			if (!isspace((unsigned char)*q))
				line_start = false;
		if (line_start || (at_start && before_space)) {
			*p = 0;
			return;
		}
	}
}

static bool valid_name(const char *s)
{
	if (!*s || strlen(s) >= ACD_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return false;
	return true;
}

static bool valid_number(const char *s, bool allow_star)
{
	if (!*s || strlen(s) >= ACD_NAME_MAX)
		return false;
	if (allow_star && !strcmp(s, "*"))
		return true;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) && *s != '*' && *s != '#' && *s != '+')
			return false;
	return true;
}

static bool parse_int(const char *v, long min, long max, int *out)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < min || n > max)
		return false;
	*out = (int)n;
	return true;
}

static bool parse_bool(const char *v, bool *out)
{
	static const char *yes[] = { "yes", "true", "on", "1" }, *no[] = { "no", "false", "off", "0" };
	for (int i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = true;
			return true;
		}
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return true;
		}
	}
	return false;
}

static bool copy(char *dst, size_t size, const char *src)
{
	if (strlen(src) >= size)
		return false;
	memcpy(dst, src, strlen(src) + 1);
	return true;
}

/* "sales:3, english:1" */
static void parse_skills(struct errs *e, int line, const char *v, struct acd_skill *skills, int *n)
{
	char buf[512];
	if (!copy(buf, sizeof(buf), v)) {
		err(e, line, "skills list too long");
		return;
	}
	*n = 0;
	for (char *save, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		tok = trim(tok);
		char *colon = strchr(tok, ':');
		if (!colon) {
			err(e, line, "skill '%s' has no level (write NAME:LEVEL, level 1-100)", tok);
			continue;
		}
		*colon = 0;
		char *name = trim(tok), *lv = trim(colon + 1);
		int level;
		if (!valid_name(name)) {
			err(e, line, "bad skill name '%s' (letters, digits, _ - .)", name);
			continue;
		}
		if (!parse_int(lv, 1, 100, &level)) {
			err(e, line, "bad level '%s' for skill '%s' (accepted: 1-100)", lv, name);
			continue;
		}
		bool dup = false;
		for (int i = 0; i < *n; i++)
			dup |= !strcasecmp(skills[i].name, name);
		if (dup) {
			err(e, line, "skill '%s' listed twice", name);
			continue;
		}
		if (*n == ACD_MAX_SKILLS) {
			err(e, line, "more than %d skills", ACD_MAX_SKILLS);
			return;
		}
		copy(skills[*n].name, ACD_NAME_MAX, name);
		skills[(*n)++].level = level;
	}
}

/* queue:NAME | ivr:NAME | hangup; labels allowed inside IVR flows. */
static bool parse_target(const char *v, bool allow_label)
{
	if (!strcasecmp(v, "hangup"))
		return true;
	if (!strncasecmp(v, "queue:", 6))
		return valid_name(v + 6);
	if (!strncasecmp(v, "ivr:", 4))
		return valid_name(v + 4);
	return allow_label && valid_name(v);
}

enum section { S_NONE, S_CTID, S_RECORDING, S_TRUNK, S_ROUTES, S_QUEUE, S_AGENT, S_VIP, S_IVR, S_CLUSTER, S_CAMPAIGN,
	       S_CUSTOMER, S_BAD };

struct parser {
	struct errs e;
	struct ctid_config *cfg;
	enum section sec;
	int sec_line;
	unsigned seen;		/* keys seen in the current section (bit per key table index) */
	const char *base_dir;
	int ctid_line;
};

static int key_index(const char *key, const char *const *keys, int nkeys)
{
	for (int i = 0; i < nkeys; i++)
		if (!strcasecmp(key, keys[i]))
			return i;
	return -1;
}

static void unknown_key(struct parser *p, int line, const char *key, const char *sec, const char *const *keys, int nkeys)
{
	char list[512] = "";
	for (int i = 0; i < nkeys; i++) {
		strncat(list, keys[i], sizeof(list) - strlen(list) - 1);
		if (i + 1 < nkeys)
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
	}
	err(&p->e, line, "unknown key '%s' in [%s] (accepted: %s)", key, sec, list);
}

/* Look up key, complain about unknown and duplicate keys; -1 to skip the line. */
static int section_key(struct parser *p, int line, const char *key, const char *sec, const char *const *keys, int nkeys)
{
	int k = key_index(key, keys, nkeys);
	if (k < 0) {
		unknown_key(p, line, key, sec, keys, nkeys);
		return -1;
	}
	if (p->seen & (1u << k)) {
		err(&p->e, line, "duplicate key '%s' in [%s]", key, sec);
		return -1;
	}
	p->seen |= 1u << k;
	return k;
}

static void bad_value(struct parser *p, int line, const char *key, const char *v, const char *accepted)
{
	err(&p->e, line, "bad value '%s' for %s (accepted: %s)", v, key, accepted);
}

static void ctid_key(struct parser *p, int line, const char *key, char *v)
{
	static const char *const keys[] = { "cti_conf", "sim", "clock", "listen", "cdr", "prompts", "ring_timeout",
					    "tls_cert", "tls_key", "stats_interval", "tts_cache", "campaign_db", "web_root" };
	struct ctid_config *c = p->cfg;
	switch (section_key(p, line, key, "ctid", keys, 13)) {
	case 12:
		if (!copy(c->web_root, sizeof(c->web_root), v))
			bad_value(p, line, key, v, "a directory path shorter than 256, or none");
		c->web_root_line = line;
		break;
	case 10:
	case 11:
		if (!copy(!strcasecmp(key, "tts_cache") ? c->tts_cache : c->campaign_db, CTID_PATH_MAX, v))
			bad_value(p, line, key, v, "a path shorter than 256");
		break;
	case 9:
		if (!parse_int(v, 0, 3600, &c->stats_interval_s))
			bad_value(p, line, key, v, "0-3600 seconds (0: off)");
		break;
	case 7:
	case 8:
		if (!copy(!strcasecmp(key, "tls_cert") ? c->tls_cert : c->tls_key, CTID_PATH_MAX, v))
			bad_value(p, line, key, v, "a path shorter than 256");
		c->tls_line = line;
		break;
	case 0:
		if (!copy(c->cti_conf, sizeof(c->cti_conf), v))
			bad_value(p, line, key, v, "a path shorter than 256");
		break;
	case 1: {
		char line_s[16] = "", sw[32] = "";
		int pairs = 0, got = sscanf(v, "%d %15s %31s", &pairs, line_s, sw);
		if (got != 3 || pairs < 1 || pairs > 128 ||
		    (strcasecmp(line_s, "e1") && strcasecmp(line_s, "t1"))) {
			bad_value(p, line, key, v, "PAIRS e1|t1 SWITCHTYPE, e.g. '1 e1 euroisdn'");
			break;
		}
		static const char *sws[] = { "euroisdn", "ni2", "ni1", "dms100", "4ess", "5ess", "qsig" };
		bool ok = false;
		for (int i = 0; i < 7; i++)
			ok |= !strcasecmp(sw, sws[i]);
		if (!ok) {
			bad_value(p, line, "sim switchtype", sw, "euroisdn, ni2, ni1, dms100, 4ess, 5ess, qsig");
			break;
		}
		c->sim_pairs = pairs;
		copy(c->sim_line, sizeof(c->sim_line), line_s);
		copy(c->sim_switch, sizeof(c->sim_switch), sw);
		break;
	}
	case 2:
		if (!strcasecmp(v, "real"))
			c->virtual_clock = false;
		else if (!strcasecmp(v, "virtual"))
			c->virtual_clock = true;
		else
			bad_value(p, line, key, v, "real, virtual");
		break;
	case 3: {
		const char *colon = strrchr(v, ':');
		int port;
		if (!strcasecmp(v, "none"))
			copy(c->listen, sizeof(c->listen), "none");
		else if (!colon || colon == v || !parse_int(colon + 1, 0, 65535, &port) ||
			 !copy(c->listen, sizeof(c->listen), v))
			bad_value(p, line, key, v, "HOST:PORT, e.g. 127.0.0.1:8088 (port 0: any free one), or none");
		break;
	}
	case 4:
		if (((strncmp(v, "sqlite:", 7) || !v[7]) && (strncmp(v, "postgresql:", 11) || !v[11])) ||
		    !copy(c->cdr, sizeof(c->cdr), v))
			bad_value(p, line, key, v, "sqlite:PATH, postgresql:CONNINFO");
		break;
	case 5:
		if (!copy(c->prompts, sizeof(c->prompts), v))
			bad_value(p, line, key, v, "a path shorter than 256");
		break;
	case 6:
		if (!parse_int(v, 1, 600, &c->ring_timeout_s))
			bad_value(p, line, key, v, "1-600 seconds");
		break;
	}
}

static void recording_key(struct parser *p, int line, const char *key, char *v)
{
	static const char *const keys[] = { "policy", "mode", "dir" };
	struct ctid_config *c = p->cfg;
	switch (section_key(p, line, key, "recording", keys, 3)) {
	case 0:
		if (!strcasecmp(v, "none"))
			c->record_policy = CTID_POLICY_NONE;
		else if (!strcasecmp(v, "all"))
			c->record_policy = CTID_POLICY_ALL;
		else if (!strcasecmp(v, "queues"))
			c->record_policy = CTID_POLICY_QUEUES;
		else
			bad_value(p, line, key, v, "none, all, queues");
		break;
	case 1:
		if (!strcasecmp(v, "stereo"))
			c->record_mode = CTID_RECORD_STEREO;
		else if (!strcasecmp(v, "split"))
			c->record_mode = CTID_RECORD_SPLIT;
		else
			bad_value(p, line, key, v, "stereo, split");
		break;
	case 2:
		if (!copy(c->record_dir, sizeof(c->record_dir), v))
			bad_value(p, line, key, v, "a path shorter than 256");
		break;
	}
}

/* [cluster]: several ctid hosts as one call center on Redis (cluster.c). */
static void cluster_key(struct parser *p, int line, const char *key, char *v)
{
	static const char *const keys[] = { "redis", "host", "lease" };
	struct ctid_config *c = p->cfg;
	const char *colon = strrchr(v, ':');
	int port;
	switch (section_key(p, line, key, "cluster", keys, 3)) {
	case 0:
		if ((v[0] != '/' && (!colon || colon == v || !parse_int(colon + 1, 1, 65535, &port))) ||
		    !copy(c->cluster_redis, sizeof(c->cluster_redis), v))
			bad_value(p, line, key, v, "HOST:PORT (e.g. 10.0.0.5:6379) or the path of a unix socket");
		break;
	case 1:
		if (!valid_name(v) || strchr(v, '/') || !copy(c->cluster_host, sizeof(c->cluster_host), v))
			bad_value(p, line, key, v, "a name of letters, digits, _ - . (this host in the cluster)");
		break;
	case 2:
		if (!parse_int(v, 2, 3600, &c->cluster_lease_s))
			bad_value(p, line, key, v, "2-3600 seconds");
		break;
	}
}

static void trunk_key(struct parser *p, int line, const char *key, char *v)
{
	static const char *const keys[] = { "span", "group", "role", "outbound" };
	struct ctid_trunk *t = &p->cfg->trunks[p->cfg->ntrunks - 1];
	int k = section_key(p, line, key, "trunk", keys, 4);
	switch (k) {
	case 0:
	case 1:
		if (t->span[0]) {
			err(&p->e, line, "trunk '%s': give either span or group, not both", t->name);
			break;
		}
		if (!valid_name(v))
			bad_value(p, line, key, v, "a libcti span or group name");
		else {
			copy(t->span, sizeof(t->span), v);
			t->is_group = k == 1;
		}
		break;
	case 2:
		if (!strcasecmp(v, "inbound"))
			t->role = CTID_TRUNK_INBOUND;
		else if (!strcasecmp(v, "positions"))
			t->role = CTID_TRUNK_POSITIONS;
		else if (!strcasecmp(v, "outbound"))
			t->role = CTID_TRUNK_OUTBOUND;
		else
			bad_value(p, line, key, v, "inbound, positions, outbound");
		break;
	case 3:
		if (!parse_bool(v, &t->outbound))
			bad_value(p, line, key, v, "yes, no");
		break;
	}
}

static void queue_key(struct parser *p, int line, const char *key, char *v)
{
	static const char *const keys[] = { "priority", "strategy", "skills", "overflow", "max_wait",
					    "service_level", "wrapup", "announce", "announce_every", "moh", "record",
					    "announce_position", "announce_wait" };
	struct ctid_queue *q = &p->cfg->queues[p->cfg->nqueues - 1];
	int n;
	switch (section_key(p, line, key, "queue", keys, 13)) {
	case 0:
		if (!parse_int(v, 0, 100, &q->acd.priority))
			bad_value(p, line, key, v, "0-100, higher is served first");
		break;
	case 1:
		if (!strcasecmp(v, "longest-idle"))
			q->acd.strategy = ACD_LONGEST_IDLE;
		else if (!strcasecmp(v, "best-skill"))
			q->acd.strategy = ACD_BEST_SKILL;
		else
			bad_value(p, line, key, v, "longest-idle, best-skill");
		break;
	case 2:
		parse_skills(&p->e, line, v, q->acd.skills, &q->acd.nskills);
		break;
	case 3:
	case 4: {
		bool ovf = !strcasecmp(key, "overflow");
		char target[ACD_TARGET_MAX] = "";
		char extra[8] = "";
		int got = sscanf(v, "%d %63s %7s", &n, target, extra);
		if (got < (ovf ? 2 : 1) || got > 2 || n < 1 || n > 86400 || (got == 2 && !parse_target(target, false))) {
			bad_value(p, line, key, v, ovf ? "SECONDS queue:NAME|ivr:NAME|hangup"
						       : "SECONDS [queue:NAME|ivr:NAME|hangup]");
			break;
		}
		char *dst = ovf ? q->acd.overflow_to : q->acd.max_wait_to;
		/* The ACD knows queues by bare name; other targets stay as written. */
		copy(dst, ACD_TARGET_MAX, !strncasecmp(target, "queue:", 6) ? target + 6 : target);
		if (!strcasecmp(dst, "hangup"))
			copy(dst, ACD_TARGET_MAX, "hangup");
		if (ovf) {
			q->acd.overflow_ms = (uint64_t)n * 1000;
			q->overflow_line = line;
		} else {
			q->acd.max_wait_ms = (uint64_t)n * 1000;
			q->max_wait_line = line;
		}
		break;
	}
	case 5:
		if (!parse_int(v, 1, 3600, &n))
			bad_value(p, line, key, v, "1-3600 seconds");
		else
			q->acd.service_level_ms = (uint64_t)n * 1000;
		break;
	case 6:
		if (!parse_int(v, 0, 3600, &n))
			bad_value(p, line, key, v, "0-3600 seconds");
		else
			q->acd.wrapup_ms = (uint64_t)n * 1000;
		break;
	case 7:
		if (!copy(q->announce, sizeof(q->announce), v))
			bad_value(p, line, key, v, "a path shorter than 256");
		q->announce_line = line;
		break;
	case 8:
		if (!parse_int(v, 0, 3600, &q->announce_every_s))
			bad_value(p, line, key, v, "0-3600 seconds (0: only on entry)");
		break;
	case 9:
		if (!copy(q->moh, sizeof(q->moh), v))
			bad_value(p, line, key, v, "a path shorter than 256");
		q->moh_line = line;
		break;
	case 10:
		if (!parse_bool(v, &q->record))
			bad_value(p, line, key, v, "yes, no");
		break;
	case 11:
	case 12: {
		bool pos = !strcasecmp(key, "announce_position");
		if (!copy(pos ? q->announce_position : q->announce_wait, CTID_PATH_MAX, v))
			bad_value(p, line, key, v, "a path shorter than 256");
		*(pos ? &q->announce_position_line : &q->announce_wait_line) = line;
		break;
	}
	}
}

static void agent_key(struct parser *p, int line, const char *key, char *v)
{
	static const char *const keys[] = { "position", "skills", "name", "token", "supervisor", "answer" };
	struct ctid_agent *a = &p->cfg->agents[p->cfg->nagents - 1];
	switch (section_key(p, line, key, "agent", keys, 6)) {
	case 0:
		if (!valid_number(v, false))
			bad_value(p, line, key, v, "a number: digits, *, #");
		else
			copy(a->acd.position, sizeof(a->acd.position), v);
		break;
	case 1:
		parse_skills(&p->e, line, v, a->acd.skills, &a->acd.nskills);
		break;
	case 2:
		if (!copy(a->name, sizeof(a->name), v))
			bad_value(p, line, key, v, "up to 63 characters");
		break;
	case 3:
		if (strlen(v) < 8 || !copy(a->token, sizeof(a->token), v))
			bad_value(p, line, key, v, "8-127 characters");
		break;
	case 4:
		if (!parse_bool(v, &a->supervisor))
			bad_value(p, line, key, v, "yes, no");
		break;
	case 5:
		if (!strcasecmp(v, "phone"))
			a->answer_desktop = false;
		else if (!strcasecmp(v, "desktop"))
			a->answer_desktop = true;
		else
			bad_value(p, line, key, v, "phone (the position answers), desktop (auto-answer headset: AnswerCall connects)");
		break;
	}
}

static void route_key(struct parser *p, int line, const char *key, char *v)
{
	if (!valid_number(key, true)) {
		err(&p->e, line, "bad called number '%s' in [routes] (digits, or * for any other)", key);
		return;
	}
	for (int i = 0; i < p->cfg->nroutes; i++)
		if (!strcmp(p->cfg->routes[i].dnis, key)) {
			err(&p->e, line, "called number '%s' routed twice (first on line %d)", key,
			    p->cfg->routes[i].line);
			return;
		}
	if (!parse_target(v, false)) {
		bad_value(p, line, key, v, "queue:NAME, ivr:NAME, hangup");
		return;
	}
	struct ctid_route *r = APPEND(p->cfg->routes, p->cfg->nroutes);
	if (!r)
		return;
	copy(r->dnis, sizeof(r->dnis), key);
	copy(r->target, sizeof(r->target), v);
	r->line = line;
}

static void vip_key(struct parser *p, int line, const char *key, char *v)
{
	if (strcasecmp(key, "ani")) {
		err(&p->e, line, "unknown key '%s' in [vip] (accepted: ani)", key);
		return;
	}
	for (char *save, *tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		tok = trim(tok);
		if (!valid_number(tok, false) || strlen(tok) >= ACD_ANI_MAX) {
			bad_value(p, line, "ani", tok, "calling numbers: digits, *, #, +");
			continue;
		}
		char(*slot)[ACD_ANI_MAX] = APPEND(p->cfg->vips, p->cfg->nvips);
		if (slot)
			copy(*slot, ACD_ANI_MAX, tok);
	}
}

static const char *const ivr_ops[] = { "play", "digits", "branch", "fax", "queue", "record", "hangup", "goto" };

static void customer_key(struct parser *p, int line, const char *key, char *v)
{
	static const char *const keys[] = { "sqlite", "sql", "url", "timeout" };
	struct ctid_customer *cu = &p->cfg->customer;
	char e[600];
	switch (section_key(p, line, key, "customer", keys, 4)) {
	case 0:
		if (!copy(cu->sqlite, sizeof(cu->sqlite), v))
			bad_value(p, line, key, v, "a path shorter than 256");
		cu->sqlite_line = line;
		break;
	case 1:
		if (!copy(cu->sql, sizeof(cu->sql), v))
			bad_value(p, line, key, v, "a SELECT shorter than 512 with one ? (the caller's number)");
		cu->sql_line = line;
		break;
	case 2:
		if (!copy(cu->url, sizeof(cu->url), v))
			bad_value(p, line, key, v, "a URL shorter than 512 with {ani}");
		else if (customer_check_url(v, e, sizeof(e)))
			err(&p->e, line, "%s", e);
		cu->url_line = line;
		break;
	case 3:
		if (!parse_int(v, 100, 30000, &cu->timeout_ms))
			bad_value(p, line, key, v, "100-30000 milliseconds");
		break;
	}
}

const char *ivr_op_name(enum ivr_op op)
{
	return (unsigned)op < 8 ? ivr_ops[op] : "?";
}

/* option "name=value" of a step; returns false if the word is not one. */
static bool step_option(const char *word, const char *name, const char **val)
{
	size_t n = strlen(name);
	if (strncasecmp(word, name, n) || word[n] != '=')
		return false;
	*val = word + n + 1;
	return true;
}

static void ivr_key(struct parser *p, int line, const char *key, char *v)
{
	struct ivr_flow *f = &p->cfg->flows[p->cfg->nflows - 1];
	if (!valid_name(key)) {
		err(&p->e, line, "bad step label '%s' in [ivr %s] (letters, digits, _ - .)", key, f->name);
		return;
	}
	for (int i = 0; i < f->nsteps; i++)
		if (!strcmp(f->steps[i].label, key)) {
			err(&p->e, line, "step label '%s' used twice in [ivr %s] (first on line %d)", key, f->name,
			    f->steps[i].line);
			return;
		}
	/* say VOICE: TEXT and play tts:VOICE:TEXT: the text is the rest of the line (spaces and all). */
	bool say = !strncasecmp(v, "say", 3) && (v[3] == ' ' || v[3] == '\t');
	if (say || (!strncasecmp(v, "play", 4) && (v[4] == ' ' || v[4] == '\t') && tts_is_spec(trim(v + 5)))) {
		struct ivr_step s;
		char voice[TTS_VOICE_MAX], msg[512];
		const char *text;
		memset(&s, 0, sizeof(s));
		char *t = trim(v + (say ? 4 : 5)), *colon = strchr(t, ':');
		if (say && colon)
			snprintf(s.arg, sizeof(s.arg), "tts:%.*s:%s", (int)(colon - t), t, trim(colon + 1));
		else if (!say)
			copy(s.arg, sizeof(s.arg), t);
		if (say && !colon) {
			err(&p->e, line, "step '%s': say needs VOICE: TEXT (e.g. say en: Your balance is overdue)", key);
			return;
		}
		if (strlen(t) + 5 >= sizeof(s.arg)) {
			err(&p->e, line, "step '%s': text too long (at most %zu characters)", key, sizeof(s.arg) - 6);
			return;
		}
		if (tts_parse(s.arg, voice, &text, msg, sizeof(msg))) {
			err(&p->e, line, "step '%s': %s", key, msg);
			return;
		}
		copy(s.label, sizeof(s.label), key);
		s.op = IVR_PLAY;
		s.line = line;
		struct ivr_step *slot = APPEND(f->steps, f->nsteps);
		if (slot)
			*slot = s;
		return;
	}
	char *words[2 + CTID_IVR_MAX_BRANCHES];
	int nw = 0;
	for (char *save, *tok = strtok_r(v, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (nw == (int)(sizeof(words) / sizeof(words[0]))) {
			err(&p->e, line, "step '%s': too many words (at most %d branches)", key, CTID_IVR_MAX_BRANCHES);
			return;
		}
		words[nw++] = tok;
	}
	if (!nw) {
		err(&p->e, line, "step '%s' has no action (accepted: play, say, digits, branch, fax, queue, record, hangup, "
				 "goto)", key);
		return;
	}
	int op = key_index(words[0], ivr_ops, 8);
	if (op < 0) {
		err(&p->e, line, "unknown action '%s' in step '%s' (accepted: play, say, digits, branch, fax, queue, "
				 "record, hangup, goto)", words[0], key);
		return;
	}
	struct ivr_step s;
	memset(&s, 0, sizeof(s));
	copy(s.label, sizeof(s.label), key);
	s.op = (enum ivr_op)op;
	s.line = line;
	s.timeout_s = 5;
	s.max_s = 60;
	s.cause = 16;
	const char *val;
	bool ok = true;
	switch (s.op) {
	case IVR_PLAY:
	case IVR_FAX:
	case IVR_RECORD:
		if (nw < 2 || !copy(s.arg, sizeof(s.arg), words[1])) {
			err(&p->e, line, "step '%s': %s needs a file name", key, words[0]);
			return;
		}
		for (int i = 2; i < nw; i++) {
			if (s.op == IVR_RECORD && step_option(words[i], "max", &val) && parse_int(val, 1, 3600, &s.max_s))
				continue;
			err(&p->e, line, "step '%s': bad option '%s' for %s (accepted: %s)", key, words[i], words[0],
			    s.op == IVR_RECORD ? "max=1-3600" : "none");
			ok = false;
		}
		break;
	case IVR_DIGITS:
		if (nw < 2 || !parse_int(words[1], 1, 32, &s.max_digits)) {
			err(&p->e, line, "step '%s': digits needs the number of digits 1-32, got '%s'", key,
			    nw < 2 ? "" : words[1]);
			return;
		}
		for (int i = 2; i < nw; i++) {
			if (step_option(words[i], "timeout", &val) && parse_int(val, 1, 300, &s.timeout_s))
				continue;
			if (step_option(words[i], "terminator", &val) && strlen(val) == 1 && strchr("0123456789*#", *val)) {
				s.terminator = *val;
				continue;
			}
			err(&p->e, line, "step '%s': bad option '%s' for digits (accepted: timeout=1-300, "
					 "terminator=0-9*#)", key, words[i]);
			ok = false;
		}
		break;
	case IVR_BRANCH:
		for (int i = 1; i < nw; i++) {
			char *eq = strchr(words[i], '=');
			if (!eq || eq == words[i] || !parse_target(eq + 1, true)) {
				err(&p->e, line, "step '%s': bad branch '%s' (write DIGITS=TARGET or default=TARGET; "
						 "TARGET: a step label, queue:NAME, ivr:NAME, hangup)", key, words[i]);
				ok = false;
				continue;
			}
			*eq = 0;
			if (!strcasecmp(words[i], "default")) {
				copy(s.dflt, sizeof(s.dflt), eq + 1);
				continue;
			}
			if (!valid_number(words[i], false)) {
				err(&p->e, line, "step '%s': bad digits '%s' in branch (0-9 * #)", key, words[i]);
				ok = false;
				continue;
			}
			struct ivr_branch *b = &s.branches[s.nbranches++];
			copy(b->digits, sizeof(b->digits), words[i]);
			copy(b->target, sizeof(b->target), eq + 1);
		}
		if (!s.nbranches && !s.dflt[0] && ok) {
			err(&p->e, line, "step '%s': branch without any DIGITS=TARGET", key);
			ok = false;
		}
		break;
	case IVR_QUEUE:
		if (nw != 2 || !valid_name(words[1])) {
			err(&p->e, line, "step '%s': queue needs one queue name", key);
			return;
		}
		copy(s.arg, sizeof(s.arg), words[1]);
		break;
	case IVR_HANGUP:
		if (nw > 2 || (nw == 2 && !parse_int(words[1], 1, 127, &s.cause))) {
			err(&p->e, line, "step '%s': bad hangup cause '%s' (accepted: 1-127, default 16)", key,
			    nw > 1 ? words[1] : "");
			return;
		}
		break;
	case IVR_GOTO:
		if (nw != 2 || !parse_target(words[1], true)) {
			err(&p->e, line, "step '%s': goto needs one target (a step label, queue:NAME, ivr:NAME, hangup)",
			    key);
			return;
		}
		copy(s.arg, sizeof(s.arg), words[1]);
		break;
	}
	if (!ok)
		return;
	struct ivr_step *slot = APPEND(f->steps, f->nsteps);
	if (slot)
		*slot = s;
}

static void start_section(struct parser *p, int line, char *hdr)
{
	char *name = strpbrk(hdr, " \t");
	if (name) {
		*name++ = 0;
		name = trim(name);
	}
	static const char *const kinds[] = { "ctid", "recording", "trunk", "routes", "queue", "agent", "vip", "ivr",
					     "cluster", "campaign", "customer" };
	int k = key_index(hdr, kinds, 11);
	p->seen = 0;
	p->sec_line = line;
	p->sec = S_BAD;
	if (k < 0) {
		err(&p->e, line, "unknown section [%s] (accepted: ctid, recording, trunk NAME, routes, queue NAME, "
				 "agent ID, vip, ivr NAME, cluster, campaign NAME, customer)", hdr);
		return;
	}
	bool named = k == 2 || k == 4 || k == 5 || k == 7 || k == 9;
	if (named && (!name || !*name)) {
		err(&p->e, line, "section [%s] needs a name: [%s NAME]", kinds[k], kinds[k]);
		return;
	}
	if (!named && name && *name) {
		err(&p->e, line, "section [%s] takes no name, got '%s'", kinds[k], name);
		return;
	}
	if (named && !valid_name(name)) {
		err(&p->e, line, "bad name '%s' for [%s] (letters, digits, _ - ., up to %d)", name, kinds[k],
		    ACD_NAME_MAX - 1);
		return;
	}
	struct ctid_config *c = p->cfg;
	switch (k) {
	case 0:
		if (p->ctid_line) {
			err(&p->e, line, "section [ctid] given twice (first on line %d)", p->ctid_line);
			return;
		}
		p->ctid_line = line;
		p->sec = S_CTID;
		return;
	case 1:
		p->sec = S_RECORDING;
		return;
	case 3:
		p->sec = S_ROUTES;
		return;
	case 6:
		p->sec = S_VIP;
		return;
	case 8:
		if (c->cluster_line) {
			err(&p->e, line, "section [cluster] given twice (first on line %d)", c->cluster_line);
			return;
		}
		c->cluster_line = line;
		p->sec = S_CLUSTER;
		return;
	case 10:
		if (c->customer.line) {
			err(&p->e, line, "section [customer] given twice (first on line %d)", c->customer.line);
			return;
		}
		c->customer.line = line;
		p->sec = S_CUSTOMER;
		return;
	}
#define DUP_CHECK(arr, n, field, what)                                                                      \
	for (int i = 0; i < (n); i++)                                                                       \
		if (!strcmp((arr)[i].field, name)) {                                                        \
			err(&p->e, line, what " '%s' defined twice (first on line %d)", name, (arr)[i].line); \
			return;                                                                             \
		}
	if (k == 2) {
		DUP_CHECK(c->trunks, c->ntrunks, name, "trunk");
		struct ctid_trunk *t = APPEND(c->trunks, c->ntrunks);
		if (!t)
			return;
		copy(t->name, sizeof(t->name), name);
		t->line = line;
		p->sec = S_TRUNK;
	} else if (k == 4) {
		DUP_CHECK(c->queues, c->nqueues, acd.name, "queue");
		struct ctid_queue *q = APPEND(c->queues, c->nqueues);
		if (!q)
			return;
		copy(q->acd.name, sizeof(q->acd.name), name);
		q->acd.service_level_ms = 20000;
		q->line = line;
		p->sec = S_QUEUE;
	} else if (k == 5) {
		DUP_CHECK(c->agents, c->nagents, acd.id, "agent");
		struct ctid_agent *a = APPEND(c->agents, c->nagents);
		if (!a)
			return;
		copy(a->acd.id, sizeof(a->acd.id), name);
		a->line = line;
		p->sec = S_AGENT;
	} else if (k == 9) {
		DUP_CHECK(c->campaigns, c->ncampaigns, name, "campaign");
		struct ctid_campaign *cp = APPEND(c->campaigns, c->ncampaigns);
		if (!cp)
			return;
		campaign_conf_init(cp, name, line);
		p->sec = S_CAMPAIGN;
	} else {
		DUP_CHECK(c->flows, c->nflows, name, "ivr flow");
		struct ivr_flow *f = APPEND(c->flows, c->nflows);
		if (!f)
			return;
		copy(f->name, sizeof(f->name), name);
		f->line = line;
		p->sec = S_IVR;
	}
#undef DUP_CHECK
}

const struct ctid_queue *ctid_config_queue(const struct ctid_config *cfg, const char *name)
{
	for (int i = 0; i < cfg->nqueues; i++)
		if (!strcmp(cfg->queues[i].acd.name, name))
			return &cfg->queues[i];
	return NULL;
}

const struct ivr_flow *ctid_config_flow(const struct ctid_config *cfg, const char *name)
{
	for (int i = 0; i < cfg->nflows; i++)
		if (!strcmp(cfg->flows[i].name, name))
			return &cfg->flows[i];
	return NULL;
}

const struct ctid_campaign *ctid_config_campaign(const struct ctid_config *cfg, const char *name)
{
	for (int i = 0; i < cfg->ncampaigns; i++)
		if (!strcmp(cfg->campaigns[i].name, name))
			return &cfg->campaigns[i];
	return NULL;
}

const struct ctid_trunk *ctid_config_trunk(const struct ctid_config *cfg, const char *name)
{
	for (int i = 0; i < cfg->ntrunks; i++)
		if (!strcmp(cfg->trunks[i].name, name))
			return &cfg->trunks[i];
	return NULL;
}

const struct ctid_route *ctid_config_route(const struct ctid_config *cfg, const char *dnis)
{
	const struct ctid_route *any = NULL;
	for (int i = 0; i < cfg->nroutes; i++) {
		if (!strcmp(cfg->routes[i].dnis, dnis))
			return &cfg->routes[i];
		if (!strcmp(cfg->routes[i].dnis, "*"))
			any = &cfg->routes[i];
	}
	return any;
}

const struct ctid_agent *ctid_config_agent_by_token(const struct ctid_config *cfg, const char *token)
{
	if (!token || !*token)
		return NULL;
	for (int i = 0; i < cfg->nagents; i++)
		if (cfg->agents[i].token[0] && !strcmp(cfg->agents[i].token, token))
			return &cfg->agents[i];
	return NULL;
}

int ctid_config_apply(const struct ctid_config *cfg, acd_t *acd)
{
	int r;
	for (int i = 0; i < cfg->nqueues; i++) {
		r = acd_add_queue(acd, &cfg->queues[i].acd);
		if (r == ACD_EEXIST)
			r = acd_update_queue(acd, &cfg->queues[i].acd);
		if (r)
			return r;
	}
	for (int i = 0; i < cfg->nagents; i++) {
		r = acd_add_agent(acd, &cfg->agents[i].acd);
		if (r == ACD_EEXIST)
			r = acd_update_agent(acd, &cfg->agents[i].acd);
		if (r)
			return r;
	}
	acd_clear_vips(acd);
	for (int i = 0; i < cfg->nvips; i++)
		if ((r = acd_add_vip(acd, cfg->vips[i])))
			return r;
	return ACD_OK;
}

int ivr_step_index(const struct ivr_flow *flow, const char *label)
{
	for (int i = 0; i < flow->nsteps; i++)
		if (!strcmp(flow->steps[i].label, label))
			return i;
	return -1;
}

/* A target written in the file (queue:X, ivr:X, hangup, or a label when flow != NULL) must exist. */
static void check_target(struct parser *p, int line, const char *what, const char *t, const struct ivr_flow *flow)
{
	if (!strcasecmp(t, "hangup"))
		return;
	if (!strncasecmp(t, "queue:", 6)) {
		if (!ctid_config_queue(p->cfg, t + 6))
			err(&p->e, line, "%s: no [queue %s]", what, t + 6);
	} else if (!strncasecmp(t, "ivr:", 4)) {
		if (!ctid_config_flow(p->cfg, t + 4))
			err(&p->e, line, "%s: no [ivr %s]", what, t + 4);
	} else if (!flow || ivr_step_index(flow, t) < 0) {
		err(&p->e, line, "%s: no step '%s' in [ivr %s]", what, t, flow ? flow->name : "?");
	}
}

static void check_file(struct parser *p, int line, const char *what, const char *file)
{
	char path[3 * CTID_PATH_MAX + 4];
	if (tts_is_spec(file)) {	/* text to speech: the voice must exist */
		char voice[TTS_VOICE_MAX], msg[512];
		const char *text;
		if (tts_parse(file, voice, &text, msg, sizeof(msg)) || tts_check_voice(voice, msg, sizeof(msg)))
			err(&p->e, line, "%s: %s", what, msg);
		return;
	}
	/* Relative names are under prompts; a relative prompts is under the file's directory. */
	const char *dir = p->base_dir && *p->base_dir ? p->base_dir : ".";
	const char *prompts = p->cfg->prompts;
	if (file[0] == '/')
		snprintf(path, sizeof(path), "%s", file);
	else if (prompts[0] == '/')
		snprintf(path, sizeof(path), "%s/%s", prompts, file);
	else if (prompts[0])
		snprintf(path, sizeof(path), "%s/%s/%s", dir, prompts, file);
	else
		snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (access(path, R_OK))
		err(&p->e, line, "%s: cannot read '%s': %s", what, path, strerror(errno));
}

/* A file named relative to the configuration file's directory (not prompts). */
static void check_conf_file(struct parser *p, int line, const char *what, const char *file)
{
	char path[2 * CTID_PATH_MAX + 2];
	snprintf(path, sizeof(path), "%s%s%s", file[0] == '/' ? "" : (p->base_dir && *p->base_dir ? p->base_dir : "."),
		 file[0] == '/' ? "" : "/", file);
	if (access(path, R_OK))
		err(&p->e, line, "%s: cannot read '%s': %s", what, path, strerror(errno));
}

/* A campaign's references: its trunk, queue, message, fax and every row of its contact list. */
static void check_campaign(struct parser *p, const struct ctid_campaign *cp)
{
	char what[128], msg[512];
	snprintf(what, sizeof(what), "campaign '%s'", cp->name);
	if (campaign_conf_done(cp, msg, sizeof(msg))) {
		err(&p->e, cp->line, "%s", msg);
		return;
	}
	const struct ctid_trunk *t = ctid_config_trunk(p->cfg, cp->trunk);
	if (!t || t->role != CTID_TRUNK_OUTBOUND)
		err(&p->e, cp->trunk_line, "%s: %s", what,
		    t ? "its trunk does not have role = outbound" : "no such [trunk]");
	if (cp->queue[0] && !ctid_config_queue(p->cfg, cp->queue))
		err(&p->e, cp->queue_line, "%s: no [queue %s]", what, cp->queue);
	if (cp->message[0])
		check_file(p, cp->message_line, what, cp->message);
	if (cp->fax[0])
		check_file(p, cp->fax_line, what, cp->fax);
	char path[2 * CTID_PATH_MAX + 2], *errors = NULL;
	snprintf(path, sizeof(path), "%s%s%s",
		 cp->contacts[0] == '/' ? "" : (p->base_dir && *p->base_dir ? p->base_dir : "."),
		 cp->contacts[0] == '/' ? "" : "/", cp->contacts);
	int n = campaign_contacts_read(path, cp, NULL, NULL, &errors);
	if (n < 0)
		err(&p->e, cp->contacts_line, "%s: %s", what, errors ? errors : "cannot read the contact list");
	else if (n > 0) {	/* already "CSV:LINE: message" lines: add them as they are */
		for (char *save, *l = strtok_r(errors, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			err(&p->e, cp->contacts_line, "%s: %s", what, l);
	}
	free(errors);
}

/* A directory named relative to the configuration file's directory. */
static void check_conf_dir(struct parser *p, int line, const char *what, const char *dir)
{
	char path[2 * CTID_PATH_MAX + 2];
	struct stat st;
	snprintf(path, sizeof(path), "%s%s%s", dir[0] == '/' ? "" : (p->base_dir && *p->base_dir ? p->base_dir : "."),
		 dir[0] == '/' ? "" : "/", dir);
	if (stat(path, &st))
		err(&p->e, line, "%s: cannot use '%s': %s", what, path, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		err(&p->e, line, "%s: '%s' is not a directory", what, path);
}

static void cross_checks(struct parser *p)
{
	struct ctid_config *c = p->cfg;
	char what[128];
	if (!p->ctid_line)
		err(&p->e, 0, "no [ctid] section (it says where the trunks are: sim = ... or cti_conf = ...)");
	else if (!c->sim_pairs == !c->cti_conf[0])
		err(&p->e, p->ctid_line, "[ctid] needs exactly one of sim = PAIRS LINE SWITCHTYPE or cti_conf = PATH");
	if (!c->tls_cert[0] != !c->tls_key[0])
		err(&p->e, c->tls_line, "TLS needs both tls_cert and tls_key");
	else if (c->tls_cert[0]) {
		check_conf_file(p, c->tls_line, "tls_cert", c->tls_cert);
		check_conf_file(p, c->tls_line, "tls_key", c->tls_key);
	}
	if (c->web_root[0] && strcasecmp(c->web_root, "none"))
		check_conf_dir(p, c->web_root_line, "web_root", c->web_root);
	struct ctid_customer *cu = &c->customer;
	if (cu->sql[0] && !cu->sqlite[0])
		err(&p->e, cu->sql_line, "[customer] sql needs sqlite = DATABASE");
	else if (cu->sqlite[0]) {
		char path[2 * CTID_PATH_MAX + 2], e[1200];
		snprintf(path, sizeof(path), "%s%s%s",
			 cu->sqlite[0] == '/' ? "" : (p->base_dir && *p->base_dir ? p->base_dir : "."),
			 cu->sqlite[0] == '/' ? "" : "/", cu->sqlite);
		if (access(path, R_OK))
			err(&p->e, cu->sqlite_line, "[customer] sqlite: cannot read '%s': %s", path, strerror(errno));
		else if (customer_check_sql(path, cu->sql[0] ? cu->sql : NULL, e, sizeof(e)))
			err(&p->e, cu->sql[0] ? cu->sql_line : cu->sqlite_line, "%s", e);
	}
	if (c->virtual_clock && !c->sim_pairs)
		err(&p->e, p->ctid_line, "clock = virtual needs the emulated board (sim = ...)");
	if (c->cluster_line && (!c->cluster_redis[0] || !c->cluster_host[0]))
		err(&p->e, c->cluster_line, "[cluster] needs redis = HOST:PORT (or a socket path) and host = NAME");
	if (c->cluster_line && c->virtual_clock)
		err(&p->e, c->cluster_line, "[cluster] needs clock = real (the hosts share Redis' clock)");
	bool inbound = false, positions = false;
	int outbound_line = 0;
	for (int i = 0; i < c->ntrunks; i++) {
		if (!c->trunks[i].span[0])
			err(&p->e, c->trunks[i].line, "trunk '%s' has no span or group", c->trunks[i].name);
		if (c->trunks[i].outbound && outbound_line)
			err(&p->e, c->trunks[i].line, "trunk '%s': only one trunk may have outbound = yes (first on line %d)",
			    c->trunks[i].name, outbound_line);
		else if (c->trunks[i].outbound)
			outbound_line = c->trunks[i].line;
		inbound |= c->trunks[i].role == CTID_TRUNK_INBOUND;
		positions |= c->trunks[i].role == CTID_TRUNK_POSITIONS;
	}
	if (p->ctid_line && !inbound)
		err(&p->e, p->ctid_line, "no [trunk] with role = inbound: calls could not arrive");
	for (int i = 0; i < c->nroutes; i++) {
		snprintf(what, sizeof(what), "route %s", c->routes[i].dnis);
		check_target(p, c->routes[i].line, what, c->routes[i].target, NULL);
	}
	for (int i = 0; i < c->nqueues; i++) {
		struct ctid_queue *q = &c->queues[i];
		snprintf(what, sizeof(what), "queue '%s' overflow", q->acd.name);
		const char *ovf = q->acd.overflow_to;
		if (ovf[0] && strncmp(ovf, "ivr:", 4) && strcmp(ovf, "hangup")) {
			if (!strcmp(ovf, q->acd.name))
				err(&p->e, q->overflow_line, "%s: overflows into itself", what);
			else if (!ctid_config_queue(c, ovf))
				err(&p->e, q->overflow_line, "%s: no [queue %s]", what, ovf);
		} else if (ovf[0]) {
			check_target(p, q->overflow_line, what, ovf, NULL);
		}
		const char *mw = q->acd.max_wait_to;
		snprintf(what, sizeof(what), "queue '%s' max_wait", q->acd.name);
		if (mw[0] && strncmp(mw, "ivr:", 4) && strcmp(mw, "hangup")) {
			if (!ctid_config_queue(c, mw))
				err(&p->e, q->max_wait_line, "%s: no [queue %s]", what, mw);
		} else if (mw[0]) {
			check_target(p, q->max_wait_line, what, mw, NULL);
		}
		snprintf(what, sizeof(what), "queue '%s'", q->acd.name);
		if (q->announce[0])
			check_file(p, q->announce_line, what, q->announce);
		/* announce_position / announce_wait: a prompt, then a number said digit by digit */
		const char *said[2] = { q->announce_position, q->announce_wait };
		int said_line[2] = { q->announce_position_line, q->announce_wait_line };
		for (int k = 0; k < 2; k++) {
			if (!said[k][0])
				continue;
			const char *key = k ? "announce_wait" : "announce_position";
			if (!q->announce[0])
				err(&p->e, said_line[k], "%s: %s without announce", what, key);
			check_file(p, said_line[k], what, said[k]);
			for (int d = 0; d < 10 && (k == 0 || !q->announce_position[0]); d++) {
				char digit[16];
				snprintf(digit, sizeof(digit), CTID_DIGIT_PROMPT, d);
				check_file(p, said_line[k], what, digit);
			}
		}
		if (q->moh[0])
			check_file(p, q->moh_line, what, q->moh);
	}
	for (int i = 0; i < c->nagents; i++) {
		struct ctid_agent *a = &c->agents[i];
		if (!a->acd.position[0] && !a->supervisor)
			err(&p->e, a->line, "agent '%s' has no position (the number ctid calls to reach the agent)",
			    a->acd.id);
		else if (a->acd.position[0] && !positions && p->ctid_line)
			err(&p->e, a->line, "agent '%s' has a position but no [trunk] has role = positions", a->acd.id);
		if (a->answer_desktop && !a->acd.position[0])
			err(&p->e, a->line, "agent '%s': answer = desktop needs a position (the headset ctid calls)",
			    a->acd.id);
		for (int j = 0; j < i; j++) {
			if (a->acd.position[0] && !strcmp(a->acd.position, c->agents[j].acd.position))
				err(&p->e, a->line, "agent '%s': position %s is agent '%s''s too", a->acd.id,
				    a->acd.position, c->agents[j].acd.id);
			if (a->token[0] && !strcmp(a->token, c->agents[j].token))
				err(&p->e, a->line, "agent '%s': same token as agent '%s'", a->acd.id,
				    c->agents[j].acd.id);
		}
	}
	for (int i = 0; i < c->ncampaigns; i++)
		check_campaign(p, &c->campaigns[i]);
	for (int i = 0; i < c->nflows; i++) {
		struct ivr_flow *f = &c->flows[i];
		if (!f->nsteps)
			err(&p->e, f->line, "[ivr %s] has no steps", f->name);
		for (int j = 0; j < f->nsteps; j++) {
			struct ivr_step *s = &f->steps[j];
			snprintf(what, sizeof(what), "step '%s'", s->label);
			switch (s->op) {
			case IVR_PLAY:
			case IVR_FAX:
				check_file(p, s->line, what, s->arg);
				break;
			case IVR_QUEUE:
				if (!ctid_config_queue(c, s->arg))
					err(&p->e, s->line, "%s: no [queue %s]", what, s->arg);
				break;
			case IVR_BRANCH:
				for (int b = 0; b < s->nbranches; b++)
					check_target(p, s->line, what, s->branches[b].target, f);
				if (s->dflt[0])
					check_target(p, s->line, what, s->dflt, f);
				break;
			case IVR_GOTO:
				check_target(p, s->line, what, s->arg, f);
				break;
			default:
				break;
			}
		}
	}
}

void ctid_config_free(struct ctid_config *cfg)
{
	if (!cfg)
		return;
	for (int i = 0; i < cfg->nflows; i++)
		free(cfg->flows[i].steps);
	free(cfg->flows);
	free(cfg->trunks);
	free(cfg->routes);
	free(cfg->queues);
	free(cfg->agents);
	free(cfg->vips);
	free(cfg->campaigns);
	free(cfg);
}

int ctid_config_parse(const char *text, const char *name, const char *base_dir, struct ctid_config **out,
		      char **errors)
{
	struct parser p;
	memset(&p, 0, sizeof(p));
	p.e.name = name ? name : "ctid.conf";
	p.base_dir = base_dir;
	p.cfg = calloc(1, sizeof(*p.cfg));
	*out = NULL;
	*errors = NULL;
	char *copy_text = strdup(text ? text : "");
	if (!p.cfg || !copy_text) {
		free(p.cfg);
		free(copy_text);
		*errors = strdup("out of memory\n");
		return -1;
	}
	struct ctid_config *c = p.cfg;
	copy(c->path, sizeof(c->path), p.e.name);
	c->ring_timeout_s = 20;
	c->stats_interval_s = 5;
	c->cluster_lease_s = 10;
	c->customer.timeout_ms = 2000;
	copy(c->listen, sizeof(c->listen), "127.0.0.1:8088");
	copy(c->cdr, sizeof(c->cdr), "sqlite:/var/lib/ctid/cdr.db");
	copy(c->record_dir, sizeof(c->record_dir), "/var/spool/ctid");
	copy(c->tts_cache, sizeof(c->tts_cache), "/var/cache/ctid/tts");
	copy(c->campaign_db, sizeof(c->campaign_db), "/var/lib/ctid/campaign.db");

	int line = 0;
	for (char *ln = copy_text, *next; ln; ln = next) {
		next = strchr(ln, '\n');
		if (next)
			*next++ = 0;
		line++;
		strip_comment(ln);
		char *s = trim(ln);
		if (!*s)
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');
			if (!end || trim(end + 1)[0]) {
				err(&p.e, line, "bad section header '%s' (write [KIND] or [KIND NAME])", s);
				p.sec = S_BAD;
				continue;
			}
			*end = 0;
			start_section(&p, line, trim(s + 1));
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq) {
			err(&p.e, line, "expected 'key = value', got '%s'", s);
			continue;
		}
		*eq = 0;
		char *key = trim(s), *val = trim(eq + 1);
		if (!*key) {
			err(&p.e, line, "missing key before '='");
			continue;
		}
		if (!*val && p.sec != S_BAD && p.sec != S_NONE) {
			err(&p.e, line, "key '%s' has no value", key);
			continue;
		}
		switch (p.sec) {
		case S_NONE:
			err(&p.e, line, "key '%s' outside of any section", key);
			break;
		case S_BAD:
			break;	/* the section header was reported */
		case S_CTID:
			ctid_key(&p, line, key, val);
			break;
		case S_RECORDING:
			recording_key(&p, line, key, val);
			break;
		case S_TRUNK:
			trunk_key(&p, line, key, val);
			break;
		case S_ROUTES:
			route_key(&p, line, key, val);
			break;
		case S_QUEUE:
			queue_key(&p, line, key, val);
			break;
		case S_AGENT:
			agent_key(&p, line, key, val);
			break;
		case S_VIP:
			vip_key(&p, line, key, val);
			break;
		case S_IVR:
			ivr_key(&p, line, key, val);
			break;
		case S_CLUSTER:
			cluster_key(&p, line, key, val);
			break;
		case S_CAMPAIGN: {
			char msg[768];
			if (campaign_conf_key(&c->campaigns[c->ncampaigns - 1], key, val, line, msg, sizeof(msg)))
				err(&p.e, line, "%s", msg);
			break;
		}
		case S_CUSTOMER:
			customer_key(&p, line, key, val);
			break;
		}
	}
	free(copy_text);
	cross_checks(&p);
	if (p.e.n) {
		ctid_config_free(c);
		*errors = p.e.buf;
		return p.e.n;
	}
	free(p.e.buf);
	*out = c;
	return 0;
}

int ctid_config_load(const char *path, struct ctid_config **out, char **errors)
{
	*out = NULL;
	*errors = NULL;
	FILE *f = fopen(path, "r");
	if (!f) {
		char msg[CTID_PATH_MAX + 128];
		snprintf(msg, sizeof(msg), "%s: cannot open: %s\n", path, strerror(errno));
		*errors = strdup(msg);
		return -1;
	}
	size_t cap = 4096, len = 0;
	char *text = malloc(cap);
	size_t n;
	while (text && (n = fread(text + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 == cap) {
			char *p = realloc(text, cap *= 2);
			if (!p) {
				free(text);
				text = NULL;
			}
			text = p;
		}
	}
	bool bad = ferror(f);
	fclose(f);
	if (!text || bad) {
		free(text);
		char msg[CTID_PATH_MAX + 64];
		snprintf(msg, sizeof(msg), "%s: read error\n", path);
		*errors = strdup(msg);
		return -1;
	}
	text[len] = 0;
	if (memchr(text, 0, len)) {
		free(text);
		char msg[CTID_PATH_MAX + 64];
		snprintf(msg, sizeof(msg), "%s: binary file (NUL byte)\n", path);
		*errors = strdup(msg);
		return -1;
	}
	char dir[CTID_PATH_MAX];
	copy(dir, sizeof(dir), ".");
	const char *slash = strrchr(path, '/');
	if (slash && (size_t)(slash - path) < sizeof(dir)) {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = 0;
		if (!dir[0])
			copy(dir, sizeof(dir), "/");
	}
	int r = ctid_config_parse(text, path, dir, out, errors);
	free(text);
	return r;
}
