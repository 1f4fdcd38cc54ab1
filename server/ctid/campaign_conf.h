/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * campaign_conf.h - outbound campaigns as configured ([campaign NAME] in
 * ctid.conf) and their contact lists (CSV). No I/O besides reading the CSV,
 * no dependency on the rest of ctid: config.c parses the section through
 * campaign_conf_key(), campaign.c runs the campaigns (docs/ctid.md).
 */
#ifndef CTID_CAMPAIGN_CONF_H
#define CTID_CAMPAIGN_CONF_H

#include <stdbool.h>
#include <stddef.h>

#define CAMP_NAME_MAX 32
#define CAMP_PATH_MAX 256
#define CAMP_NUMBER_MAX 32

enum camp_mode {
	CAMP_BROADCAST,		/* no agent: the message (or fax) is delivered to whoever answers */
	CAMP_PROGRESSIVE,	/* dial when an agent of the queue is Ready; an answered person goes to the queue */
	CAMP_PREVIEW,		/* a Ready agent gets the contact first (PreviewEvent) and accepts it, then ctid dials */
};

/* What one attempt came to (also the "result" column; camp_result_name()). */
enum camp_result {
	CR_NONE,
	CR_VOICE,	/* a person answered: message played / fax sent / handed to an agent */
	CR_MACHINE,	/* answering machine */
	CR_FAX,		/* a fax machine answered (CED) */
	CR_BUSY,
	CR_NO_ANSWER,
	CR_SIT,		/* special information tone, or the network said the number does not exist */
	CR_CONGESTION,	/* network congestion tone or cause */
	CR_SILENCE,	/* answered, nothing heard */
	CR_FAX_FAILED,	/* fax contact: T.30 failed or no fax machine */
	CR_ERROR,	/* ctid could not place the call or play the message */
	CR_SKIPPED,	/* preview: the agent rejected the contact */
	CR__COUNT
};
const char *camp_result_name(enum camp_result r);

struct camp_retry {
	int retries;	/* further attempts after this result (0: final) */
	int delay_s;	/* between them */
};

struct ctid_campaign {
	char name[CAMP_NAME_MAX];
	char contacts[CAMP_PATH_MAX];	/* CSV (relative: to the configuration file's directory) */
	char trunk[CAMP_NAME_MAX];	/* a [trunk] with role = outbound */
	enum camp_mode mode;
	char queue[CAMP_NAME_MAX];	/* progressive, preview: the agents' queue */
	char message[CAMP_PATH_MAX];	/* default voice message: WAV (under prompts) or tts:VOICE:TEXT */
	char fax[CAMP_PATH_MAX];	/* default fax document (TIFF, under prompts) */
	char caller_id[CAMP_NUMBER_MAX];
	int gap_ms;			/* 1000 / cps: at least this long between two dials */
	int max_channels;		/* calls of this campaign at once */
	int window_from, window_to;	/* minutes of the day [from, to); from == to: always */
	int no_answer_s;		/* ring this long: no answer */
	int preview_timeout_s;		/* preview: the agent accepts or rejects within this */
	bool machine_message;		/* answering machine: leave the message after the greeting (else hang up) */
	struct camp_retry retry[CR__COUNT];
	int line;
	int contacts_line, trunk_line, queue_line, message_line, fax_line;
	unsigned seen;			/* keys given (duplicate check) */
};

/* Defaults for a new [campaign NAME]. */
void campaign_conf_init(struct ctid_campaign *c, const char *name, int line);
/* One key = value of the section. 0, or -1 with a message (naming key and value) in err. */
int campaign_conf_key(struct ctid_campaign *c, const char *key, const char *value, int line, char *err,
		      size_t esize);
/* After the section: what must be there. 0, or -1 with a message. */
int campaign_conf_done(const struct ctid_campaign *c, char *err, size_t esize);

/* One contact of a CSV list. */
struct camp_contact {
	int line;			/* in the CSV */
	char number[CAMP_NUMBER_MAX];
	char name[64];
	char message[CAMP_PATH_MAX];	/* "" = the campaign's */
	char fax[CAMP_PATH_MAX];	/* "" = the campaign's */
};

/*
 * Read a contact list: a header line naming the columns (number required;
 * name, message, fax), then one contact per line; RFC 4180 quoting ("a, b",
 * "" for a quote). Every bad row is an error "FILE:LINE: ..." (wrong number
 * of fields, bad or duplicate number, unknown column, value too long, no
 * message or fax when the campaign has neither); each good row goes to fn.
 * Returns the number of errors (messages in *errors, one per line, to free),
 * -1 if the file cannot be read.
 */
int campaign_contacts_read(const char *path, const struct ctid_campaign *c,
			   void (*fn)(void *user, const struct camp_contact *row), void *user, char **errors);

#endif
