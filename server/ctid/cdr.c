/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cdr.c - call detail records in SQLite (see cdr.h).
 *
 * journal_mode=WAL with synchronous=NORMAL: a committed row is in the WAL file
 * when sqlite3_step() returns, which survives the process being killed (only a
 * power loss may take the last transactions). Each leg is its own transaction:
 * at 20 calls/s that is a few dozen small commits per second.
 *
 * postgresql:CONNINFO (libpq) writes the same table to a PostgreSQL server
 * for sites that run one; each INSERT is its own (committed) statement.
 */
#include "cdr.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cdr {
	PGconn *pg;		/* postgresql: store, else SQLite */
	sqlite3 *db;
	sqlite3_stmt *insert;
	char path[512];
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS cdr ("
	" id INTEGER PRIMARY KEY,"
	" call_id TEXT NOT NULL,"
	" leg INTEGER NOT NULL,"
	" direction TEXT NOT NULL,"
	" start_ms INTEGER, answer_ms INTEGER, end_ms INTEGER,"
	" ani TEXT, dnis TEXT, digits TEXT, queue TEXT, agent TEXT,"
	" cause INTEGER, recording TEXT, fax_pages INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS cdr_call ON cdr(call_id);"
	"CREATE INDEX IF NOT EXISTS cdr_start ON cdr(start_ms);"
	"CREATE INDEX IF NOT EXISTS cdr_agent ON cdr(agent, id);"
	"PRAGMA user_version = 1;";

static void fail(char *err, size_t len, const char *path, const char *what, sqlite3 *db)
{
	if (err && len)
		snprintf(err, len, "cdr %s: %s: %s", path, what, db ? sqlite3_errmsg(db) : "out of memory");
}


static const char pg_schema[] =
	"CREATE TABLE IF NOT EXISTS cdr ("
	" id BIGSERIAL PRIMARY KEY,"
	" call_id TEXT NOT NULL,"
	" leg INTEGER NOT NULL,"
	" direction TEXT NOT NULL,"
	" start_ms BIGINT, answer_ms BIGINT, end_ms BIGINT,"
	" ani TEXT, dnis TEXT, digits TEXT, queue TEXT, agent TEXT,"
	" cause INTEGER, recording TEXT, fax_pages INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS cdr_call ON cdr(call_id);"
	"CREATE INDEX IF NOT EXISTS cdr_start ON cdr(start_ms);"
	"CREATE INDEX IF NOT EXISTS cdr_agent ON cdr(agent, id);";

static cdr_t *pg_open(const char *conninfo, char *err, size_t errlen)
{
	cdr_t *c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "cdr: out of memory");
		return NULL;
	}
	snprintf(c->path, sizeof(c->path), "postgresql");
	c->pg = PQconnectdb(conninfo);
	if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
		snprintf(err, errlen, "cdr postgresql: cannot connect: %s",
			 c->pg ? PQerrorMessage(c->pg) : "out of memory");
		goto bad;
	}
	PGresult *r = PQexec(c->pg, pg_schema);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		snprintf(err, errlen, "cdr postgresql: cannot set up the table: %s", PQerrorMessage(c->pg));
		PQclear(r);
		goto bad;
	}
	PQclear(r);
	return c;
bad:
	/* libpq messages end with a newline: drop it */
	if (err[0] && err[strlen(err) - 1] == '\n')
		err[strlen(err) - 1] = 0;
	cdr_close(c);
	return NULL;
}

static int pg_write(cdr_t *c, const struct cdr_leg *l, char *err, size_t errlen)
{
	char leg[16], start[24], answer[24], end[24], cause[16], pages[16];
	snprintf(leg, sizeof(leg), "%d", l->leg);
	snprintf(start, sizeof(start), "%lld", (long long)l->start_ms);
	snprintf(answer, sizeof(answer), "%lld", (long long)l->answer_ms);
	snprintf(end, sizeof(end), "%lld", (long long)l->end_ms);
	snprintf(cause, sizeof(cause), "%d", l->cause);
	snprintf(pages, sizeof(pages), "%d", l->fax_pages);
#define OPT(s) ((s)[0] ? (s) : NULL)
	const char *v[14] = { l->call_id, leg, l->direction[0] ? l->direction : "in", l->start_ms ? start : NULL,
			      l->answer_ms ? answer : NULL, l->end_ms ? end : NULL, OPT(l->ani), OPT(l->dnis),
			      OPT(l->digits), OPT(l->queue), OPT(l->agent), cause, OPT(l->recording), pages };
#undef OPT
	PGresult *r = PQexecParams(c->pg,
				   "INSERT INTO cdr (call_id, leg, direction, start_ms, answer_ms, end_ms, ani, dnis,"
				   " digits, queue, agent, cause, recording, fax_pages)"
				   " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)",
				   14, NULL, v, NULL, NULL, 0);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	if (!ok) {
		snprintf(err, errlen, "cdr postgresql: cannot write a row: %s", PQerrorMessage(c->pg));
		if (err[0] && err[strlen(err) - 1] == '\n')
			err[strlen(err) - 1] = 0;
		return -1;
	}
	return 0;
}

cdr_t *cdr_open(const char *uri, char *err, size_t errlen)
{
	if (uri && !strncmp(uri, "postgresql:", 11))
		return pg_open(uri + 11, err, errlen);
	if (!uri || strncmp(uri, "sqlite:", 7) || !uri[7]) {
		snprintf(err, errlen, "cdr '%s': unsupported store (accepted: sqlite:PATH, postgresql:CONNINFO)",
			 uri ? uri : "");
		return NULL;
	}
	cdr_t *c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "cdr: out of memory");
		return NULL;
	}
	snprintf(c->path, sizeof(c->path), "%s", uri + 7);
	if (sqlite3_open_v2(c->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		fail(err, errlen, c->path, "cannot open", c->db);
		goto bad;
	}
	sqlite3_busy_timeout(c->db, 2000);
	char *msg = NULL;
	if (sqlite3_exec(c->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(c->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "cdr %s: cannot set up the database: %s", c->path, msg ? msg : "?");
		sqlite3_free(msg);
		goto bad;
	}
	if (sqlite3_prepare_v2(c->db,
			       "INSERT INTO cdr (call_id, leg, direction, start_ms, answer_ms, end_ms, ani, dnis,"
			       " digits, queue, agent, cause, recording, fax_pages)"
			       " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			       -1, &c->insert, NULL) != SQLITE_OK) {
		fail(err, errlen, c->path, "cannot prepare the insert", c->db);
		goto bad;
	}
	return c;
bad:
	cdr_close(c);
	return NULL;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v[0])
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static void bind_time(sqlite3_stmt *s, int i, int64_t v)
{
	if (v)
		sqlite3_bind_int64(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

int cdr_write(cdr_t *c, const struct cdr_leg *l, char *err, size_t errlen)
{
	sqlite3_stmt *s = c->insert;
	if (!l->call_id[0] || l->leg < 1) {
		snprintf(err, errlen, "cdr %s: leg without call id or leg number", c->path);
		return -1;
	}
	if (c->pg)
		return pg_write(c, l, err, errlen);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	bind_text(s, 1, l->call_id);
	sqlite3_bind_int(s, 2, l->leg);
	sqlite3_bind_text(s, 3, l->direction[0] ? l->direction : "in", -1, SQLITE_TRANSIENT);
	bind_time(s, 4, l->start_ms);
	bind_time(s, 5, l->answer_ms);
	bind_time(s, 6, l->end_ms);
	bind_text(s, 7, l->ani);
	bind_text(s, 8, l->dnis);
	bind_text(s, 9, l->digits);
	bind_text(s, 10, l->queue);
	bind_text(s, 11, l->agent);
	sqlite3_bind_int(s, 12, l->cause);
	bind_text(s, 13, l->recording);
	sqlite3_bind_int(s, 14, l->fax_pages);
	if (sqlite3_step(s) != SQLITE_DONE) {
		fail(err, errlen, c->path, "cannot write a row", c->db);
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_reset(s);
	return 0;
}

void cdr_close(cdr_t *c)
{
	if (!c)
		return;
	if (c->pg)
		PQfinish(c->pg);
	sqlite3_finalize(c->insert);
	sqlite3_close(c->db);
	free(c);
}

/*
 * An agent's legs, newest first, with the called number and digits of the
 * caller's leg of the same call (call ids restart with ctid, so the caller's
 * leg is the one whose time span holds the agent leg's start).
 */
#define HISTORY_SQL(P1, P2)                                                                                    \
	"SELECT a.call_id, a.leg, a.start_ms, a.answer_ms, a.end_ms, a.ani, c.dnis, c.digits, a.queue, a.agent,"   \
	" a.cause, a.recording FROM cdr a LEFT JOIN cdr c ON c.call_id = a.call_id AND c.leg = 1"                \
	" AND c.start_ms <= a.start_ms AND (c.end_ms IS NULL OR c.end_ms >= a.start_ms)"                        \
	" WHERE a.agent = " P1 " AND a.leg >= 2 ORDER BY a.id DESC LIMIT " P2

static void copy_col(char *dst, size_t size, const char *v)
{
	snprintf(dst, size, "%s", v ? v : "");
}

int cdr_history(cdr_t *c, const char *agent, int limit, void (*fn)(void *user, const struct cdr_leg *leg),
		void *user, char *err, size_t errlen)
{
	struct cdr_leg l;
	int n = 0;
	if (c->pg) {
		char lim[16];
		snprintf(lim, sizeof(lim), "%d", limit);
		const char *v[2] = { agent, lim };
		PGresult *r = PQexecParams(c->pg, HISTORY_SQL("$1", "$2::int"), 2, NULL, v, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			snprintf(err, errlen, "cdr postgresql: cannot read the history: %s", PQerrorMessage(c->pg));
			if (err[0] && err[strlen(err) - 1] == '\n')
				err[strlen(err) - 1] = 0;
			PQclear(r);
			return -1;
		}
		for (int i = 0; i < PQntuples(r); i++, n++) {
			memset(&l, 0, sizeof(l));
			copy_col(l.call_id, sizeof(l.call_id), PQgetvalue(r, i, 0));
			l.leg = atoi(PQgetvalue(r, i, 1));
			l.start_ms = strtoll(PQgetvalue(r, i, 2), NULL, 10);
			l.answer_ms = strtoll(PQgetvalue(r, i, 3), NULL, 10);
			l.end_ms = strtoll(PQgetvalue(r, i, 4), NULL, 10);
			copy_col(l.ani, sizeof(l.ani), PQgetvalue(r, i, 5));
			copy_col(l.dnis, sizeof(l.dnis), PQgetvalue(r, i, 6));
			copy_col(l.digits, sizeof(l.digits), PQgetvalue(r, i, 7));
			copy_col(l.queue, sizeof(l.queue), PQgetvalue(r, i, 8));
			copy_col(l.agent, sizeof(l.agent), PQgetvalue(r, i, 9));
			l.cause = atoi(PQgetvalue(r, i, 10));
			copy_col(l.recording, sizeof(l.recording), PQgetvalue(r, i, 11));
			fn(user, &l);
		}
		PQclear(r);
		return n;
	}
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(c->db, HISTORY_SQL("?1", "?2"), -1, &s, NULL) != SQLITE_OK) {
		fail(err, errlen, c->path, "cannot read the history", c->db);
		return -1;
	}
	sqlite3_bind_text(s, 1, agent, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 2, limit);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&l, 0, sizeof(l));
		copy_col(l.call_id, sizeof(l.call_id), (const char *)sqlite3_column_text(s, 0));
		l.leg = sqlite3_column_int(s, 1);
		l.start_ms = sqlite3_column_int64(s, 2);
		l.answer_ms = sqlite3_column_int64(s, 3);
		l.end_ms = sqlite3_column_int64(s, 4);
		copy_col(l.ani, sizeof(l.ani), (const char *)sqlite3_column_text(s, 5));
		copy_col(l.dnis, sizeof(l.dnis), (const char *)sqlite3_column_text(s, 6));
		copy_col(l.digits, sizeof(l.digits), (const char *)sqlite3_column_text(s, 7));
		copy_col(l.queue, sizeof(l.queue), (const char *)sqlite3_column_text(s, 8));
		copy_col(l.agent, sizeof(l.agent), (const char *)sqlite3_column_text(s, 9));
		l.cause = sqlite3_column_int(s, 10);
		copy_col(l.recording, sizeof(l.recording), (const char *)sqlite3_column_text(s, 11));
		fn(user, &l);
		n++;
	}
	if (rc != SQLITE_DONE) {
		fail(err, errlen, c->path, "cannot read the history", c->db);
		n = -1;
	}
	sqlite3_finalize(s);
	return n;
}
