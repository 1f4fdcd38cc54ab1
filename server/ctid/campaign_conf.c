/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * campaign_conf.c - [campaign NAME] keys and CSV contact lists (see campaign_conf.h).
 */
#include "campaign_conf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tts.h"

static const char *const result_names[CR__COUNT] = { "none", "voice", "machine", "fax", "busy", "no_answer", "sit",
						     "congestion", "silence", "fax_failed", "error",
						     "skipped" };

const char *camp_result_name(enum camp_result r)
{
	return (unsigned)r < CR__COUNT ? result_names[r] : "?";
}

void campaign_conf_init(struct ctid_campaign *c, const char *name, int line)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->line = line;
	c->gap_ms = 1000;
	c->max_channels = 4;
	c->no_answer_s = 30;
	c->preview_timeout_s = 30;
	c->machine_message = true;
	c->retry[CR_BUSY] = (struct camp_retry){ 2, 300 };
	c->retry[CR_NO_ANSWER] = (struct camp_retry){ 2, 1800 };
	c->retry[CR_CONGESTION] = (struct camp_retry){ 2, 60 };
	c->retry[CR_ERROR] = (struct camp_retry){ 1, 60 };
}

static const char *const keys[] = { "contacts", "trunk", "mode", "queue", "message", "fax", "caller_id", "cps",
				    "max_channels", "window", "no_answer", "machine", "retry",
				    "preview_timeout" };
#define NKEYS ((int)(sizeof(keys) / sizeof(keys[0])))

static bool number_ok(const char *s)
{
	return *s && strlen(s) < CAMP_NUMBER_MAX && strspn(s, "0123456789*#") == strlen(s);
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);
	return n && n < CAMP_NAME_MAX && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") == n;
}

static bool int_in(const char *v, long min, long max, int *out)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < min || n > max)
		return false;
	*out = (int)n;
	return true;
}

/* "HH:MM" -> minutes of the day */
static bool hhmm(const char *s, size_t len, int *out)
{
	int h, m;
	char buf[8];
	if (len != 5 || s[2] != ':')
		return false;
	memcpy(buf, s, 5);
	buf[5] = 0;
	buf[2] = 0;
	if (!int_in(buf, 0, 24, &h) || !int_in(buf + 3, 0, 59, &m) || (h == 24 && m))
		return false;
	*out = h * 60 + m;
	return true;
}

static int bad(char *err, size_t esize, const char *key, const char *v, const char *accepted)
{
	snprintf(err, esize, "bad value '%s' for %s (accepted: %s)", v, key, accepted);
	return -1;
}

static int parse_retry(struct ctid_campaign *c, const char *v, char *err, size_t esize)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", v);
	struct camp_retry r[CR__COUNT];
	memcpy(r, c->retry, sizeof(r));
	for (char *save, *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		while (*item == ' ' || *item == '\t')
			item++;
		char *e = item + strlen(item);
		while (e > item && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = 0;
		char *c1 = strchr(item, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		int res = -1, n, d;
		if (c1 && c2) {
			*c1 = *c2 = 0;
			for (int i = 1; i < CR__COUNT; i++)
				if (!strcasecmp(item, result_names[i]))
					res = i;
		}
		if (res < 0 || res == CR_VOICE || res == CR_FAX || res == CR_SKIPPED || !int_in(c1 + 1, 0, 20, &n) ||
		    !int_in(c2 + 1, 1, 7 * 86400, &d)) {
			if (c1)
				*c1 = ':';
			if (c2)
				*c2 = ':';
			snprintf(err, esize,
				 "bad retry '%s' (write RESULT:RETRIES:DELAY_S, RESULT one of busy, no_answer, machine, sit, "
				 "congestion, silence, fax_failed, error; RETRIES 0-20, DELAY_S 1-604800)",
				 item);
			return -1;
		}
		r[res] = (struct camp_retry){ n, d };
	}
	memcpy(c->retry, r, sizeof(r));
	return 0;
}

int campaign_conf_key(struct ctid_campaign *c, const char *key, const char *v, int line, char *err, size_t esize)
{
	int k = -1;
	for (int i = 0; i < NKEYS; i++)
		if (!strcasecmp(key, keys[i]))
			k = i;
	if (k < 0) {
		size_t n = (size_t)snprintf(err, esize, "unknown key '%s' in [campaign] (accepted: ", key);
		for (int i = 0; i < NKEYS && n < esize; i++)
			n += (size_t)snprintf(err + n, esize - n, "%s%s", keys[i], i + 1 < NKEYS ? ", " : ")");
		return -1;
	}
	if (c->seen & (1u << k)) {
		snprintf(err, esize, "duplicate key '%s' in [campaign %s]", key, c->name);
		return -1;
	}
	c->seen |= 1u << k;
	char voice[TTS_VOICE_MAX];
	const char *text;
	double cps;
	char *end;
	switch (k) {
	case 0:
		if (strlen(v) >= sizeof(c->contacts))
			return bad(err, esize, key, v, "a CSV file name");
		snprintf(c->contacts, sizeof(c->contacts), "%s", v);
		c->contacts_line = line;
		return 0;
	case 1:
		if (!name_ok(v))
			return bad(err, esize, key, v, "the name of a [trunk] with role = outbound");
		snprintf(c->trunk, sizeof(c->trunk), "%s", v);
		c->trunk_line = line;
		return 0;
	case 2:
		if (!strcasecmp(v, "broadcast"))
			c->mode = CAMP_BROADCAST;
		else if (!strcasecmp(v, "progressive"))
			c->mode = CAMP_PROGRESSIVE;
		else if (!strcasecmp(v, "preview"))
			c->mode = CAMP_PREVIEW;
		else
			return bad(err, esize, key, v, "broadcast, progressive, preview");
		return 0;
	case 3:
		if (!name_ok(v))
			return bad(err, esize, key, v, "a queue name");
		snprintf(c->queue, sizeof(c->queue), "%s", v);
		c->queue_line = line;
		return 0;
	case 4:
	case 5: {
		char *dst = k == 4 ? c->message : c->fax;
		if (strlen(v) >= CAMP_PATH_MAX)
			return bad(err, esize, key, v, k == 4 ? "a WAV file or tts:VOICE:TEXT" : "a TIFF file");
		if (k == 4 && tts_is_spec(v) && tts_parse(v, voice, &text, err, esize))
			return -1;
		snprintf(dst, CAMP_PATH_MAX, "%s", v);
		*(k == 4 ? &c->message_line : &c->fax_line) = line;
		return 0;
	}
	case 6:
		if (!number_ok(v))
			return bad(err, esize, key, v, "up to 31 of 0-9 * #");
		snprintf(c->caller_id, sizeof(c->caller_id), "%s", v);
		return 0;
	case 7:
		errno = 0;
		cps = strtod(v, &end);
		if (!*v || *end || errno || !(cps >= 0.01 && cps <= 100))
			return bad(err, esize, key, v, "calls per second 0.01-100");
		c->gap_ms = (int)(1000.0 / cps + 0.5);
		return 0;
	case 8:
		if (!int_in(v, 1, 1000, &c->max_channels))
			return bad(err, esize, key, v, "1-1000");
		return 0;
	case 9: {
		const char *dash = strchr(v, '-');
		if (!dash || !hhmm(v, (size_t)(dash - v), &c->window_from) ||
		    !hhmm(dash + 1, strlen(dash + 1), &c->window_to))
			return bad(err, esize, key, v, "HH:MM-HH:MM, e.g. 09:00-20:00");
		return 0;
	}
	case 10:
		if (!int_in(v, 5, 300, &c->no_answer_s))
			return bad(err, esize, key, v, "seconds 5-300");
		return 0;
	case 11:
		if (!strcasecmp(v, "message"))
			c->machine_message = true;
		else if (!strcasecmp(v, "hangup"))
			c->machine_message = false;
		else
			return bad(err, esize, key, v, "message (after the greeting), hangup");
		return 0;
	case 12:
		return parse_retry(c, v, err, esize);
	case 13:
		if (!int_in(v, 5, 600, &c->preview_timeout_s))
			return bad(err, esize, key, v, "seconds 5-600");
		return 0;
	}
	return 0;
}

int campaign_conf_done(const struct ctid_campaign *c, char *err, size_t esize)
{
	if (!c->contacts[0])
		snprintf(err, esize, "[campaign %s] has no contacts = FILE.csv", c->name);
	else if (!c->trunk[0])
		snprintf(err, esize, "[campaign %s] has no trunk = NAME (a [trunk] with role = outbound)", c->name);
	else if (c->mode != CAMP_BROADCAST && !c->queue[0])
		snprintf(err, esize, "[campaign %s]: mode %s needs queue = NAME (the agents who take the calls)", c->name,
			 c->mode == CAMP_PROGRESSIVE ? "progressive" : "preview");
	else
		return 0;
	return -1;
}

/* ---- CSV ---- */

struct errs {
	char *buf;
	size_t len;
	int n;
};

__attribute__((format(printf, 4, 5)))
static void add_err(struct errs *e, const char *path, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	char full[1400];
	int n = snprintf(full, sizeof(full), "%s:%d: %s\n", path, line, msg);
	if (n < 0)
		return;
	char *p = realloc(e->buf, e->len + (size_t)n + 1);
	if (!p)
		return;
	e->buf = p;
	memcpy(e->buf + e->len, full, (size_t)n + 1);
	e->len += (size_t)n;
	e->n++;
}

#define MAX_FIELDS 16

/* Split one line into fields (in place). Returns the count, or -1 with why. */
static int split(char *s, char **f, const char **why)
{
	int n = 0;
	for (;;) {
		if (n == MAX_FIELDS) {
			*why = "more than 16 fields";
			return -1;
		}
		char *out = s;
		f[n++] = out;
		if (*s == '"') {
			s++;
			for (;;) {
				if (!*s) {
					*why = "unterminated quote";
					return -1;
				}
				if (*s == '"' && s[1] == '"') {
					*out++ = '"';
					s += 2;
				} else if (*s == '"') {
					s++;
					break;
				} else {
					*out++ = *s++;
				}
			}
			if (*s && *s != ',') {
				*why = "text after a closing quote (quote a whole field: \"a, b\")";
				return -1;
			}
		} else {
			while (*s && *s != ',') {
				if (*s == '"') {
					*why = "a quote inside an unquoted field (quote the field and double the quote)";
					return -1;
				}
				*out++ = *s++;
			}
		}
		char *next = *s ? s + 1 : NULL;
		*out = 0;
		/* trim blanks of unquoted ends */
		while (*f[n - 1] == ' ' || *f[n - 1] == '\t')
			f[n - 1]++;
		for (char *e = f[n - 1] + strlen(f[n - 1]); e > f[n - 1] && (e[-1] == ' ' || e[-1] == '\t');)
			*--e = 0;
		if (!next)
			return n;
		s = next;
	}
}

enum { COL_NUMBER, COL_NAME, COL_MESSAGE, COL_FAX, NCOLS };
static const char *const col_names[NCOLS] = { "number", "name", "message", "fax" };

struct seen_number {
	char number[CAMP_NUMBER_MAX];
	int line;
};

int campaign_contacts_read(const char *path, const struct ctid_campaign *c,
			   void (*fn)(void *user, const struct camp_contact *row), void *user, char **errors)
{
	*errors = NULL;
	FILE *fp = fopen(path, "r");
	if (!fp) {
		char msg[CAMP_PATH_MAX + 128];
		snprintf(msg, sizeof(msg), "%s: cannot open the contact list: %s\n", path, strerror(errno));
		*errors = strdup(msg);
		return -1;
	}
	struct errs e = { 0 };
	int col[NCOLS];
	int ncol = 0, line = 0, rows = 0;
	bool header = false;
	struct seen_number *seen = NULL;
	int nseen = 0, capseen = 0;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&buf, &cap, fp)) >= 0) {
		line++;
		if ((size_t)len != strlen(buf)) {
			add_err(&e, path, line, "NUL byte in the line (not a text file?)");
			continue;
		}
		while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = 0;
		char *s = buf;
		if (line == 1 && !strncmp(s, "\xef\xbb\xbf", 3))
			s += 3;	/* UTF-8 byte order mark */
		if (!*s || strspn(s, " \t") == strlen(s))	/* blank lines only: a number may start with # */
			continue;
		char *f[MAX_FIELDS];
		const char *why = "";
		int nf = split(s, f, &why);
		if (nf < 0) {
			add_err(&e, path, line, "%s", why);
			continue;
		}
		if (!header) {
			header = true;
			for (int i = 0; i < NCOLS; i++)
				col[i] = -1;
			ncol = nf;
			for (int i = 0; i < nf; i++) {
				int k = -1;
				for (int j = 0; j < NCOLS; j++)
					if (!strcasecmp(f[i], col_names[j]))
						k = j;
				if (k < 0)
					add_err(&e, path, line, "unknown column '%s' in the header (accepted: number, name, "
								"message, fax)", f[i]);
				else if (col[k] >= 0)
					add_err(&e, path, line, "column '%s' given twice", f[i]);
				else
					col[k] = i;
			}
			if (col[COL_NUMBER] < 0)
				add_err(&e, path, line, "the header has no 'number' column (first line: the column names, "
							"e.g. number,name,message)");
			continue;
		}
		if (nf != ncol) {
			add_err(&e, path, line, "%d fields, the header has %d", nf, ncol);
			continue;
		}
		if (col[COL_NUMBER] < 0)
			continue;	/* reported with the header */
		struct camp_contact r;
		memset(&r, 0, sizeof(r));
		r.line = line;
		const char *num = f[col[COL_NUMBER]];
		bool ok = true;
		if (!number_ok(num)) {
			add_err(&e, path, line, "bad number '%s' (1-31 of 0-9 * #)", num);
			ok = false;
		} else {
			snprintf(r.number, sizeof(r.number), "%s", num);
		}
		struct {
			int c;
			char *dst;
			size_t size;
		} cols[] = { { COL_NAME, r.name, sizeof(r.name) },
			     { COL_MESSAGE, r.message, sizeof(r.message) },
			     { COL_FAX, r.fax, sizeof(r.fax) } };
		for (size_t i = 0; i < 3; i++) {
			if (col[cols[i].c] < 0)
				continue;
			const char *v = f[col[cols[i].c]];
			if (strlen(v) >= cols[i].size) {
				add_err(&e, path, line, "%s too long (%zu bytes, at most %zu)", col_names[cols[i].c],
					strlen(v), cols[i].size - 1);
				ok = false;
			} else {
				snprintf(cols[i].dst, cols[i].size, "%s", v);
			}
		}
		char voice[TTS_VOICE_MAX], msg[512];
		const char *text;
		if (ok && r.message[0] && tts_is_spec(r.message) &&
		    (tts_parse(r.message, voice, &text, msg, sizeof(msg)) || tts_check_voice(voice, msg, sizeof(msg)))) {
			add_err(&e, path, line, "%s", msg);
			ok = false;
		}
		if (ok && r.message[0] && r.fax[0]) {
			add_err(&e, path, line, "contact %s has both a message and a fax (one of them per contact)", num);
			ok = false;
		}
		if (ok && !r.message[0] && !r.fax[0] && !c->message[0] && !c->fax[0] && c->mode == CAMP_BROADCAST) {
			add_err(&e, path, line,
				"contact %s has no message or fax, and [campaign %s] gives no message = or fax = either", num,
				c->name);
			ok = false;
		}
		if (ok) {
			for (int i = 0; i < nseen; i++)
				if (!strcmp(seen[i].number, r.number)) {
					add_err(&e, path, line, "number %s is already on line %d", r.number, seen[i].line);
					ok = false;
					break;
				}
		}
		if (!ok)
			continue;
		if (nseen == capseen) {
			capseen = capseen ? capseen * 2 : 64;
			struct seen_number *p = realloc(seen, (size_t)capseen * sizeof(*seen));
			if (!p) {
				add_err(&e, path, line, "out of memory");
				break;
			}
			seen = p;
		}
		snprintf(seen[nseen].number, sizeof(seen[nseen].number), "%s", r.number);
		seen[nseen++].line = line;
		rows++;
		if (fn)
			fn(user, &r);
	}
	bool rerr = ferror(fp);
	free(buf);
	free(seen);
	fclose(fp);
	if (rerr)
		add_err(&e, path, line, "read error");
	if (!header)
		add_err(&e, path, line ? line : 1, "empty contact list (first line: the column names, e.g. number,message)");
	else if (!rows && !e.n)
		add_err(&e, path, line, "no contacts after the header");
	*errors = e.buf;
	return e.n;
}
