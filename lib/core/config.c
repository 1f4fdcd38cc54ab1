/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * config.c - configuration: INI file parser and the equal programmatic API.
 * Every error names file:line, the bad value and the accepted values.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core.h"
#include "cticonfig.h"
#include "../media/media.h"

#ifndef CONFIG_SIM_PORTS
#define CONFIG_SIM_PORTS 8
#endif

struct kw {
	const char *name;
	int value;
};

static const struct kw kw_transport[] = { { "sim", CTI_TRANSPORT_SIM }, { "dahdi", CTI_TRANSPORT_DAHDI }, { 0, 0 } };
static const struct kw kw_line[] = { { "e1", CTI_LINE_E1 }, { "t1", CTI_LINE_T1 }, { 0, 0 } };
static const struct kw kw_framing[] = { { "crc4", CTI_FRAMING_CRC4 }, { "nocrc4", CTI_FRAMING_NOCRC4 },
					 { "esf", CTI_FRAMING_ESF }, { "d4", CTI_FRAMING_D4 }, { 0, 0 } };
static const struct kw kw_coding[] = { { "hdb3", CTI_CODING_HDB3 }, { "ami", CTI_CODING_AMI },
					{ "b8zs", CTI_CODING_B8ZS }, { 0, 0 } };
static const struct kw kw_signalling[] = { { "pri", CTI_SIG_PRI }, { "none", CTI_SIG_NONE }, { 0, 0 } };
static const struct kw kw_role[] = { { "network", CTI_ROLE_NETWORK }, { "user", CTI_ROLE_USER }, { 0, 0 } };
static const struct kw kw_switch[] = {
	{ "euroisdn", CTI_SWITCH_EUROISDN }, { "ni2", CTI_SWITCH_NI2 }, { "ni1", CTI_SWITCH_NI1 },
	{ "dms100", CTI_SWITCH_DMS100 }, { "4ess", CTI_SWITCH_4ESS }, { "5ess", CTI_SWITCH_5ESS },
	{ "qsig", CTI_SWITCH_QSIG }, { 0, 0 } };
static const struct kw kw_law[] = { { "alaw", CTI_LAW_ALAW }, { "ulaw", CTI_LAW_ULAW }, { 0, 0 } };
static const struct kw kw_yesno[] = { { "yes", 1 }, { "no", 0 }, { "1", 1 }, { "0", 0 }, { "true", 1 },
				       { "false", 0 }, { 0, 0 } };
static const struct kw kw_clock[] = { { "real", CTI_CLOCK_REAL }, { "virtual", CTI_CLOCK_VIRTUAL }, { 0, 0 } };
static const struct kw kw_hunt[] = { { "first-free", CTI_HUNT_FIRST_FREE }, { "round-robin", CTI_HUNT_ROUND_ROBIN },
				      { 0, 0 } };

const char *core_switch_name(enum cti_switchtype sw)
{
	for (const struct kw *k = kw_switch; k->name; k++)
		if (k->value == (int)sw)
			return k->name;
	return "?";
}

static void kw_list(const struct kw *k, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = 0;
	if (k == kw_yesno) {
		snprintf(buf, size, "yes, no");
		return;
	}
	for (; k->name && n < size; k++)
		n += snprintf(buf + n, size - n, "%s%s", n ? ", " : "", k->name);
}

static int kw_find(const struct kw *k, const char *s, int *out)
{
	for (; k->name; k++)
		if (!strcasecmp(k->name, s)) {
			*out = k->value;
			return 0;
		}
	return -1;
}

int core_span_max_chan(enum cti_line line)
{
	return line == CTI_LINE_T1 ? 24 : 31;
}

int core_default_dchan(enum cti_line line)
{
	return line == CTI_LINE_T1 ? 24 : 16;
}

int cti_parse_channels(const char *list, int max, uint32_t *mask)
{
	uint32_t m = 0;
	const char *p = list;

	if (!list || !mask || max < 1 || max > 31)
		return cti__error(CTI_EINVAL, "cti_parse_channels: no list, no mask or max %d outside 1-31", max);
	for (;;) {
		char *end;
		long a, b;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!isdigit((unsigned char)*p))
			goto bad;
		a = strtol(p, &end, 10);
		b = a;
		p = end;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				goto bad;
			b = strtol(p, &end, 10);
			p = end;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (a < 1 || b > max || a > b)
			return cti__error(CTI_EINVAL, "channel range %ld-%ld outside 1-%d", a, b, max);
		for (long i = a; i <= b; i++)
			m |= 1u << i;
		if (*p != ',')
			break;
		p++;
	}
	if (*p)
		goto bad;
	*mask = m;
	return 0;
bad:
	return cti__error(CTI_EINVAL, "bad channel list '%s' (expected ranges like 1-15,17-31)", list);
}

int core_parse_channels(const char *s, uint32_t *mask, char *err, size_t errsize)
{
	if (cti_parse_channels(s, 31, mask) == 0)
		return 1;
	snprintf(err, errsize, "%s", cti_last_error());
	return 0;
}

void cti_span_config_init_sized(cti_span_config_t *app, size_t size, enum cti_line line)
{
	cti_span_config_t full, *sc = &full;

	if (!app)
		return;
	memset(sc, 0, sizeof(*sc));
	sc->transport = CTI_TRANSPORT_SIM;
	sc->port = 1;
	sc->line = line == CTI_LINE_T1 ? CTI_LINE_T1 : CTI_LINE_E1;
	sc->signalling = CTI_SIG_PRI;
	sc->role = CTI_ROLE_USER;
	if (sc->line == CTI_LINE_T1) {
		sc->framing = CTI_FRAMING_ESF;
		sc->coding = CTI_CODING_B8ZS;
		sc->switchtype = CTI_SWITCH_NI2;
		sc->law = CTI_LAW_ULAW;
	} else {
		sc->framing = CTI_FRAMING_CRC4;
		sc->coding = CTI_CODING_HDB3;
		sc->switchtype = CTI_SWITCH_EUROISDN;
		sc->law = CTI_LAW_ALAW;
	}
	sc->dchannel = 0;
	sc->overlap = 0;
	cti__abi_init(app, size, sc, sizeof(*sc));
}

cti_config_t *cti_config_new(void)
{
	cti_config_t *cfg = calloc(1, sizeof(*cfg));

	if (!cfg) {
		cti__error(CTI_ENOMEM, "cti_config_new: out of memory");
		return NULL;
	}
	cfg->clock = CTI_CLOCK_REAL;
	cfg->sim_ports = CONFIG_SIM_PORTS;
	strcpy(cfg->tones, "itu");
	return cfg;
}

void cti_config_free(cti_config_t *cfg)
{
	free(cfg);
}

/* Checks a span configuration; where = "file:line: " or "cti_config_add_span: ". */
static int check_span(const cti_config_t *cfg, const cti_span_config_t *sc, const char *where)
{
	uint32_t mask;
	char err[160];
	int maxc = core_span_max_chan(sc->line);
	int dch = sc->dchannel ? sc->dchannel : core_default_dchan(sc->line);

	if (!core_transport_ops(sc->transport))
		return cti__error(CTI_ECONFIG, "%sspan '%s': bad transport %d (accepted: sim, dahdi)", where,
				  sc->name, sc->transport);
	if ((unsigned)sc->line > CTI_LINE_T1)
		return cti__error(CTI_ECONFIG, "%sspan '%s': bad line %d (accepted: e1, t1)", where, sc->name,
				  sc->line);
	if (sc->line == CTI_LINE_E1 && sc->framing != CTI_FRAMING_CRC4 && sc->framing != CTI_FRAMING_NOCRC4)
		return cti__error(CTI_ECONFIG, "%sspan '%s': framing %d does not fit line e1 (accepted: crc4, nocrc4)",
				  where, sc->name, sc->framing);
	if (sc->line == CTI_LINE_T1 && sc->framing != CTI_FRAMING_ESF && sc->framing != CTI_FRAMING_D4)
		return cti__error(CTI_ECONFIG, "%sspan '%s': framing %d does not fit line t1 (accepted: esf, d4)",
				  where, sc->name, sc->framing);
	if (sc->line == CTI_LINE_E1 && sc->coding == CTI_CODING_B8ZS)
		return cti__error(CTI_ECONFIG, "%sspan '%s': coding b8zs does not fit line e1 (accepted: hdb3, ami)",
				  where, sc->name);
	if (sc->line == CTI_LINE_T1 && sc->coding == CTI_CODING_HDB3)
		return cti__error(CTI_ECONFIG, "%sspan '%s': coding hdb3 does not fit line t1 (accepted: b8zs, ami)",
				  where, sc->name);
	if ((unsigned)sc->coding > CTI_CODING_B8ZS || (unsigned)sc->signalling > CTI_SIG_NONE ||
	    (unsigned)sc->role > CTI_ROLE_USER || (unsigned)sc->switchtype > CTI_SWITCH_QSIG ||
	    (unsigned)sc->law > CTI_LAW_ULAW)
		return cti__error(CTI_ECONFIG, "%sspan '%s': value out of range (coding/signalling/role/switchtype/law)",
				  where, sc->name);
	{
		const struct cti_transport_ops *ops = core_transport_ops(sc->transport);

		if (sc->port < 1 || sc->port > ops->max_port)
			return cti__error(CTI_ECONFIG, "%sspan '%s': %s %d outside 1-%d", where, sc->name,
					  ops->port_noun, sc->port, ops->max_port);
	}
	if (dch < 1 || dch > maxc)
		return cti__error(CTI_ECONFIG, "%sspan '%s': dchannel %d outside 1-%d", where, sc->name, dch, maxc);
	if (sc->bchannels[0]) {
		if (!core_parse_channels(sc->bchannels, &mask, err, sizeof(err)))
			return cti__error(CTI_ECONFIG, "%sspan '%s': bchannels: %s", where, sc->name, err);
		if ((uint64_t)mask >> (maxc + 1))
			return cti__error(CTI_ECONFIG, "%sspan '%s': bchannels '%s' beyond channel %d of a%s line",
					  where, sc->name, sc->bchannels, maxc, sc->line == CTI_LINE_T1 ? " T1" : "n E1");
		if (sc->signalling == CTI_SIG_PRI && (mask & (1u << dch)))
			return cti__error(CTI_ECONFIG, "%sspan '%s': bchannels '%s' include the D-channel %d", where,
					  sc->name, sc->bchannels, dch);
	}
	for (int i = 0; i < cfg->nspans; i++)
		if (!strcmp(cfg->spans[i].name, sc->name))
			return cti__error(CTI_ECONFIG, "%sspan '%s' defined twice", where, sc->name);
	for (int i = 0; i < cfg->nspans; i++)
		if (cfg->spans[i].transport == sc->transport && cfg->spans[i].port == sc->port)
			return cti__error(CTI_ECONFIG, "%sspan '%s': %s %d is already used by span '%s'", where, sc->name,
					  sc->transport == CTI_TRANSPORT_SIM ? "sim port" : "DAHDI span", sc->port,
					  cfg->spans[i].name);
	return 0;
}

int cti_config_add_span(cti_config_t *cfg, const cti_span_config_t *sc)
{
	cti_span_config_t s;
	int rc;

	if (!cfg || !sc)
		return cti__error(CTI_EINVAL, "cti_config_add_span: NULL argument");
	if (cfg->nspans >= CORE_MAX_SPANS)
		return cti__error(CTI_ECONFIG, "cti_config_add_span: more than %d spans", CORE_MAX_SPANS);
	cti_span_config_init(&s, CTI_LINE_E1);
	if ((rc = cti__abi_in(&s, sizeof(s), sc, "cti_config_add_span", "cti_span_config")) < 0)
		return rc;
	s.name[CTI_NAME_MAX - 1] = 0;
	s.bchannels[sizeof(s.bchannels) - 1] = 0;
	if (!s.name[0])
		snprintf(s.name, sizeof(s.name), "span%d", cfg->nspans + 1);
	rc = check_span(cfg, &s, "cti_config_add_span: ");
	if (rc)
		return rc;
	cfg->spans[cfg->nspans++] = s;
	return cfg->nspans;
}

int cti_config_add_group(cti_config_t *cfg, const char *name, enum cti_hunt hunt, const char *spans)
{
	struct core_group_cfg *g;

	if (!cfg || !name || !spans || !name[0])
		return cti__error(CTI_EINVAL, "cti_config_add_group: NULL or empty argument");
	if ((unsigned)hunt > CTI_HUNT_ROUND_ROBIN)
		return cti__error(CTI_ECONFIG, "cti_config_add_group: group '%s': bad hunt %d (accepted: first-free, "
				  "round-robin)", name, hunt);
	if (strlen(name) >= CTI_NAME_MAX)
		return cti__error(CTI_ECONFIG, "cti_config_add_group: group name '%s' longer than %d", name,
				  CTI_NAME_MAX - 1);
	if (strlen(spans) >= sizeof(g->spans))
		return cti__error(CTI_ECONFIG, "cti_config_add_group: group '%s': span list too long", name);
	for (int i = 0; i < cfg->ngroups; i++)
		if (!strcmp(cfg->groups[i].name, name))
			return cti__error(CTI_ECONFIG, "cti_config_add_group: group '%s' defined twice", name);
	if (cfg->ngroups >= CORE_MAX_GROUPS)
		return cti__error(CTI_ECONFIG, "cti_config_add_group: more than %d groups", CORE_MAX_GROUPS);
	g = &cfg->groups[cfg->ngroups++];
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->hunt = hunt;
	snprintf(g->spans, sizeof(g->spans), "%s", spans);
	return cfg->ngroups;
}

int cti_config_set_clock(cti_config_t *cfg, enum cti_clock clock)
{
	if (!cfg || (unsigned)clock > CTI_CLOCK_VIRTUAL)
		return cti__error(CTI_EINVAL, "cti_config_set_clock: bad clock %d (accepted: real, virtual)",
				  cfg ? (int)clock : -1);
	cfg->clock = clock;
	return 0;
}

int cti_config_set_sim_ports(cti_config_t *cfg, int ports)
{
	if (!cfg || ports < 1 || ports > 256)
		return cti__error(CTI_EINVAL, "cti_config_set_sim_ports: %d ports outside 1-256", ports);
	cfg->sim_ports = ports;
	return 0;
}

int cti_config_set_tones(cti_config_t *cfg, const char *country)
{
	if (!cfg || !country)
		return cti__error(CTI_EINVAL, "cti_config_set_tones: NULL argument");
	const char *canon;

	if (media_tone_country_ok(country, &canon)) {
		snprintf(cfg->tones, sizeof(cfg->tones), "%s", canon);
		return 0;
	}
	return cti__error(CTI_ECONFIG, "cti_config_set_tones: unknown tone table '%s' (accepted: %s)",
			  country, media_tone_countries());
}

int cti_config_set_trace(cti_config_t *cfg, const char *pcap_path)
{
	if (!cfg)
		return cti__error(CTI_EINVAL, "cti_config_set_trace: NULL config");
	if (pcap_path && strlen(pcap_path) >= sizeof(cfg->trace))
		return cti__error(CTI_ECONFIG, "cti_config_set_trace: path too long");
	snprintf(cfg->trace, sizeof(cfg->trace), "%s", pcap_path ? pcap_path : "");
	return 0;
}

int cti_config_sim_pairs(cti_config_t *cfg, int pairs, enum cti_line line, enum cti_switchtype sw)
{
	int first;

	if (!cfg || pairs < 1 || pairs > 128)
		return cti__error(CTI_EINVAL, "cti_config_sim_pairs: %d pairs outside 1-128", pairs);
	if ((unsigned)sw > CTI_SWITCH_QSIG || (unsigned)line > CTI_LINE_T1)
		return cti__error(CTI_EINVAL, "cti_config_sim_pairs: bad line %d or switchtype %d", line, sw);
	first = 1;
	/* continue after the sim ports already used */
	for (int i = 0; i < cfg->nspans; i++)
		if (cfg->spans[i].transport == CTI_TRANSPORT_SIM && cfg->spans[i].port >= first)
			first = cfg->spans[i].port + 1;
	if (first % 2 == 0)
		first++;
	if (first + 2 * pairs - 1 > 256)
		return cti__error(CTI_EINVAL, "cti_config_sim_pairs: ports beyond 256");
	for (int p = first; p < first + 2 * pairs; p++) {
		cti_span_config_t sc;
		int rc;

		cti_span_config_init(&sc, line);
		snprintf(sc.name, sizeof(sc.name), "sim%d", p);
		sc.port = p;
		sc.switchtype = sw;
		sc.role = (p % 2) ? CTI_ROLE_NETWORK : CTI_ROLE_USER;
		rc = cti_config_add_span(cfg, &sc);
		if (rc < 0)
			return rc;
	}
	if (cfg->sim_ports < first + 2 * pairs - 1)
		cfg->sim_ports = first + 2 * pairs - 1;
	return 0;
}

int cti_config_dahdi_scan(cti_config_t *cfg)
{
	if (!cfg)
		return cti__error(CTI_EINVAL, "cti_config_dahdi_scan: NULL config");
	return core_dahdi_scan(cfg);
}

/* ---------------- file parser ---------------- */

enum { SEC_NONE, SEC_GENERAL, SEC_SPAN, SEC_GROUP };

/* span keys set explicitly (others take line dependent defaults) */
#define SET_FRAMING 1
#define SET_CODING 2
#define SET_SWITCH 4
#define SET_LAW 8
#define SET_PORT 16

struct parser {
	cti_config_t *cfg;
	const char *name;
	int sec;
	int sec_line;
	int first_group;		/* groups from index first_group on come from this text */
	int group_line[CORE_MAX_GROUPS];	/* their [group] lines */
	cti_span_config_t span;
	int span_set;
	struct core_group_cfg group;
	int group_has_spans;
};

static int perr(struct parser *ps, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "file:line: message" as CTI_ECONFIG. */
static int perr(struct parser *ps, int line, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cti__error(CTI_ECONFIG, "%s:%d: %s", ps->name, line, msg);
}

static int finish_section(struct parser *ps)
{
	char where[300];
	int rc = 0;

	snprintf(where, sizeof(where), "%s:%d: ", ps->name, ps->sec_line);
	if (ps->sec == SEC_SPAN) {
		cti_span_config_t *s = &ps->span;
		cti_span_config_t d;

		cti_span_config_init(&d, s->line);
		if (!(ps->span_set & SET_FRAMING))
			s->framing = d.framing;
		if (!(ps->span_set & SET_CODING))
			s->coding = d.coding;
		if (!(ps->span_set & SET_SWITCH))
			s->switchtype = d.switchtype;
		if (!(ps->span_set & SET_LAW))
			s->law = d.law;
		if (!(ps->span_set & SET_PORT))
			s->port = ps->cfg->nspans + 1;
		if (ps->cfg->nspans >= CORE_MAX_SPANS)
			return cti__error(CTI_ECONFIG, "%smore than %d spans", where, CORE_MAX_SPANS);
		rc = check_span(ps->cfg, s, where);
		if (!rc)
			ps->cfg->spans[ps->cfg->nspans++] = *s;
	} else if (ps->sec == SEC_GROUP) {
		if (!ps->group_has_spans)
			return cti__error(CTI_ECONFIG, "%sgroup '%s' has no 'spans = ...' line", where, ps->group.name);
		rc = cti_config_add_group(ps->cfg, ps->group.name, ps->group.hunt, ps->group.spans);
		if (rc < 0)
			return cti__error(CTI_ECONFIG, "%s%s", where, cti_last_error() + strlen("cti_config_add_group: "));
		ps->group_line[rc - 1] = ps->sec_line;
		rc = 0;
	}
	ps->sec = SEC_NONE;
	return rc;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

static int set_kw(struct parser *ps, int line, const char *key, const char *val, const struct kw *k, int *out)
{
	char list[200];

	if (kw_find(k, val, out) == 0)
		return 0;
	kw_list(k, list, sizeof(list));
	return perr(ps, line, "bad value '%s' for %s (accepted: %s)", val, key, list);
}

static int parse_int(struct parser *ps, int line, const char *key, const char *val, int lo, int hi, int *out)
{
	char *end;
	long v;
	char range[64];

	errno = 0;
	v = strtol(val, &end, 10);
	if (errno || end == val || *end || v < lo || v > hi) {
		snprintf(range, sizeof(range), "a number %d-%d", lo, hi);
		return perr(ps, line, "bad value '%s' for %s (accepted: %s)", val, key, range);
	}
	*out = (int)v;
	return 0;
}

static int parse_line(struct parser *ps, int line, char *s)
{
	char *eq, *key, *val;
	int v, rc;

	s = trim(s);
	if (!*s || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		char *end = strchr(s, ']');
		char *name;

		rc = finish_section(ps);
		if (rc)
			return rc;
		if (!end || trim(end + 1)[0])
			return perr(ps, line, "bad section header '%s' (expected [general], [span NAME] or [group NAME])",
				    s);
		*end = 0;
		s = trim(s + 1);
		ps->sec_line = line;
		if (!strcasecmp(s, "general")) {
			ps->sec = SEC_GENERAL;
			return 0;
		}
		name = s;
		while (*name && !isspace((unsigned char)*name))
			name++;
		if (*name)
			*name++ = 0;
		name = trim(name);
		if (!strcasecmp(s, "span") || !strcasecmp(s, "group")) {
			if (!*name || strlen(name) >= CTI_NAME_MAX || strpbrk(name, " \t,"))
				return perr(ps, line, "bad %s name '%s' (1-31 characters, no spaces or commas)", s, name);
		}
		if (!strcasecmp(s, "span")) {
			ps->sec = SEC_SPAN;
			cti_span_config_init(&ps->span, CTI_LINE_E1);
			snprintf(ps->span.name, sizeof(ps->span.name), "%s", name);
			ps->span_set = 0;
			return 0;
		}
		if (!strcasecmp(s, "group")) {
			ps->sec = SEC_GROUP;
			memset(&ps->group, 0, sizeof(ps->group));
			snprintf(ps->group.name, sizeof(ps->group.name), "%s", name);
			ps->group_has_spans = 0;
			return 0;
		}
		return perr(ps, line, "unknown section '[%s]' (accepted: [general], [span NAME], [group NAME])", s);
	}
	eq = strchr(s, '=');
	if (!eq)
		return perr(ps, line, "expected 'key = value', got '%s'", s);
	*eq = 0;
	key = trim(s);
	val = eq + 1;
	/* strip a trailing comment */
	{
		char *h = strchr(val, '#');

		if (h)
			*h = 0;
	}
	val = trim(val);
	for (char *p = key; *p; p++)
		*p = (char)tolower((unsigned char)*p);

	switch (ps->sec) {
	case SEC_NONE:
		return perr(ps, line, "key '%s' outside a section (start with [general], [span NAME] or [group NAME])",
			    key);
	case SEC_GENERAL:
		if (!strcmp(key, "clock")) {
			rc = set_kw(ps, line, key, val, kw_clock, &v);
			if (!rc)
				ps->cfg->clock = v;
			return rc;
		}
		if (!strcmp(key, "sim_ports"))
			return parse_int(ps, line, key, val, 1, 256, &ps->cfg->sim_ports);
		if (!strcmp(key, "tones")) {
			const char *canon;

			if (media_tone_country_ok(val, &canon)) {
				snprintf(ps->cfg->tones, sizeof(ps->cfg->tones), "%s", canon);
				return 0;
			}
			return perr(ps, line, "bad value '%s' for tones (accepted: %s)", val, media_tone_countries());
		}
		if (!strcmp(key, "trace")) {
			if (strlen(val) >= sizeof(ps->cfg->trace))
				return perr(ps, line, "trace path '%s' too long", val);
			strcpy(ps->cfg->trace, val);
			return 0;
		}
		return perr(ps, line, "unknown key '%s' in [general] (accepted: %s)", key,
			    "clock, sim_ports, tones, trace");
	case SEC_SPAN: {
		cti_span_config_t *sp = &ps->span;

		if (!strcmp(key, "transport"))
			{ if (!(rc = set_kw(ps, line, key, val, kw_transport, &v))) sp->transport = v; }
		else if (!strcmp(key, "port")) {
			rc = parse_int(ps, line, key, val, 1, 1024, &sp->port);
			ps->span_set |= SET_PORT;
		} else if (!strcmp(key, "line"))
			{ if (!(rc = set_kw(ps, line, key, val, kw_line, &v))) sp->line = v; }
		else if (!strcmp(key, "framing")) {
			{ if (!(rc = set_kw(ps, line, key, val, kw_framing, &v))) sp->framing = v; }
			ps->span_set |= SET_FRAMING;
		} else if (!strcmp(key, "coding")) {
			{ if (!(rc = set_kw(ps, line, key, val, kw_coding, &v))) sp->coding = v; }
			ps->span_set |= SET_CODING;
		} else if (!strcmp(key, "signalling") || !strcmp(key, "signaling"))
			{ if (!(rc = set_kw(ps, line, key, val, kw_signalling, &v))) sp->signalling = v; }
		else if (!strcmp(key, "role"))
			{ if (!(rc = set_kw(ps, line, key, val, kw_role, &v))) sp->role = v; }
		else if (!strcmp(key, "switchtype")) {
			{ if (!(rc = set_kw(ps, line, key, val, kw_switch, &v))) sp->switchtype = v; }
			ps->span_set |= SET_SWITCH;
		} else if (!strcmp(key, "bchannels")) {
			uint32_t m;
			char err[160];

			if (!core_parse_channels(val, &m, err, sizeof(err)))
				return perr(ps, line, "bad value '%s' for bchannels: %s", val, err);
			if (strlen(val) >= sizeof(sp->bchannels))
				return perr(ps, line, "bad value '%s' for bchannels: longer than %zu characters", val,
					    sizeof(sp->bchannels) - 1);
			strcpy(sp->bchannels, val);
			rc = 0;
		} else if (!strcmp(key, "dchannel"))
			rc = parse_int(ps, line, key, val, 1, 31, &sp->dchannel);
		else if (!strcmp(key, "law")) {
			{ if (!(rc = set_kw(ps, line, key, val, kw_law, &v))) sp->law = v; }
			ps->span_set |= SET_LAW;
		} else if (!strcmp(key, "overlap"))
			{ if (!(rc = set_kw(ps, line, key, val, kw_yesno, &v))) sp->overlap = v; }
		else
			return perr(ps, line, "unknown key '%s' in [span %s] (accepted: %s)", key, sp->name,
				    "transport, port, line, framing, coding, signalling, role, switchtype, bchannels, "
				    "dchannel, law, overlap");
		return rc;
	}
	case SEC_GROUP:
		if (!strcmp(key, "spans")) {
			if (strlen(val) >= sizeof(ps->group.spans) || !val[0])
				return perr(ps, line, "bad value '%s' for spans (a comma separated list of span names)",
					    val);
			strcpy(ps->group.spans, val);
			ps->group_has_spans = 1;
			return 0;
		}
		if (!strcmp(key, "hunt"))
		{
			rc = set_kw(ps, line, key, val, kw_hunt, &v);
			if (!rc)
				ps->group.hunt = v;
			return rc;
		}
		return perr(ps, line, "unknown key '%s' in [group %s] (accepted: %s)", key, ps->group.name,
			    "spans, hunt");
	}
	return 0;
}

/*
 * Once the whole text is read (a group may come before its spans): every
 * span of a group of this text exists and has PRI signalling.
 */
static int check_groups(struct parser *ps)
{
	const cti_config_t *cfg = ps->cfg;

	for (int g = ps->first_group; g < cfg->ngroups; g++) {
		char list[sizeof(cfg->groups[g].spans)], *save = NULL, *tok;

		snprintf(list, sizeof(list), "%s", cfg->groups[g].spans);
		for (tok = strtok_r(list, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
			const cti_span_config_t *sc = NULL;

			for (int i = 0; i < cfg->nspans; i++)
				if (!strcmp(cfg->spans[i].name, tok))
					sc = &cfg->spans[i];
			if (!sc)
				return perr(ps, ps->group_line[g], "group '%s': no span named '%s'", cfg->groups[g].name,
					    tok);
			if (sc->signalling != CTI_SIG_PRI)
				return perr(ps, ps->group_line[g], "group '%s': span '%s' has signalling none",
					    cfg->groups[g].name, tok);
		}
	}
	return 0;
}

int cti_config_parse(cti_config_t *cfg, const char *text, const char *name)
{
	struct parser ps;
	const char *p;
	int line = 0, rc;

	if (!cfg || !text)
		return cti__error(CTI_EINVAL, "cti_config_parse: NULL argument");
	memset(&ps, 0, sizeof(ps));
	ps.cfg = cfg;
	ps.name = name ? name : "<string>";
	ps.first_group = cfg->ngroups;
	p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char buf[1024];

		line++;
		if (n >= sizeof(buf))
			return cti__error(CTI_ECONFIG, "%s:%d: line longer than %zu characters", ps.name, line,
					  sizeof(buf) - 1);
		memcpy(buf, p, n);
		buf[n] = 0;
		if (n && buf[n - 1] == '\r')
			buf[n - 1] = 0;
		rc = parse_line(&ps, line, buf);
		if (rc)
			return rc;
		p += n;
		if (*p == '\n')
			p++;
	}
	rc = finish_section(&ps);
	if (rc)
		return rc;
	return check_groups(&ps);
}

int cti_config_load(cti_config_t *cfg, const char *path)
{
	FILE *f;
	struct stat st;
	char *text;
	long n;
	int rc, fd;

	if (!cfg || !path)
		return cti__error(CTI_EINVAL, "cti_config_load: NULL argument");
	if (!path[0])
		return cti__error(CTI_ECONFIG, "cti_config_load: empty file name");
	/* never block: a FIFO or a device is refused before anything is read */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return cti__error(CTI_ECONFIG, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		rc = errno;
		close(fd);
		return cti__error(CTI_ECONFIG, "%s: %s", path, strerror(rc));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return cti__error(CTI_ECONFIG, "%s: not a regular file (%s)", path,
				  S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO"
				  : S_ISCHR(st.st_mode) ? "a character device" : S_ISBLK(st.st_mode) ? "a block device"
				  : S_ISSOCK(st.st_mode) ? "a socket" : "special file");
	}
	if (st.st_size > 1 << 20) {
		close(fd);
		return cti__error(CTI_ECONFIG, "%s: larger than 1 MiB (%lld bytes)", path, (long long)st.st_size);
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return cti__error(CTI_ENOMEM, "%s: %s", path, strerror(errno));
	}
	n = (long)st.st_size;
	text = malloc((size_t)n + 1);
	if (!text) {
		fclose(f);
		return cti__error(CTI_ENOMEM, "%s: out of memory", path);
	}
	n = (long)fread(text, 1, (size_t)n, f);
	if (ferror(f)) {
		rc = errno;
		free(text);
		fclose(f);
		return cti__error(CTI_ECONFIG, "%s: read error: %s", path, strerror(rc));
	}
	text[n] = 0;
	fclose(f);
	if (strlen(text) != (size_t)n) {
		int line = 1;

		for (const char *q = text; *q; q++)
			line += *q == '\n';
		free(text);
		return cti__error(CTI_ECONFIG, "%s:%d: NUL byte in the file", path, line);
	}
	rc = cti_config_parse(cfg, text, path);
	free(text);
	return rc;
}
