/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cdr.h - ctid's call detail records and recording index.
 *
 * One row per call leg (the caller's leg, each agent leg) in table `cdr`
 * (schema in docs/ctid.md). The store is an SQLite file by default: WAL
 * journal, every row committed when written, so a kill -9 loses nothing that
 * cdr_write() returned for.
 */
#ifndef CTID_CDR_H
#define CTID_CDR_H

#include <stddef.h>
#include <stdint.h>

typedef struct cdr cdr_t;

struct cdr_leg {
	char call_id[40];	/* shared by the legs of one call */
	int leg;		/* 1: caller, 2...: agent legs */
	char direction[8];	/* "in" | "out" */
	int64_t start_ms;	/* Unix time in ms; 0: none */
	int64_t answer_ms;
	int64_t end_ms;
	char ani[32];
	char dnis[32];
	char digits[64];	/* collected by the IVR */
	char queue[32];
	char agent[32];
	int cause;		/* Q.850 clearing cause */
	char recording[320];	/* file path, "" when not recorded */
	int fax_pages;
};

/* uri: "sqlite:PATH". On failure NULL and a message naming the problem in err. */
cdr_t *cdr_open(const char *uri, char *err, size_t errlen);
/* 0, or -1 with the message in err. */
int cdr_write(cdr_t *cdr, const struct cdr_leg *leg, char *err, size_t errlen);
void cdr_close(cdr_t *cdr);
/*
 * The agent legs (leg >= 2) of one agent, newest first, at most limit: fn gets
 * each with dnis and digits taken from the caller's leg of the call (empty
 * when that is not written yet). Returns the number of rows, or -1 with err.
 */
int cdr_history(cdr_t *cdr, const char *agent, int limit, void (*fn)(void *user, const struct cdr_leg *leg),
		void *user, char *err, size_t errlen);

#endif
