// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_cdr.c - ctid's CDR store (server/ctid/cdr.c) in SQLite: rows read
 * back column by column with SQL, WAL journal, NULL for absent values, rows
 * survive the writer being killed with SIGKILL, bad stores get a message
 * naming the path.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "cdr.h"

static char dir[64], db[128], uri[160];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_cdr.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(db, sizeof(db), "%s/cdr.db", dir);
	snprintf(uri, sizeof(uri), "sqlite:%s", db);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static sqlite3 *reader(void)
{
	sqlite3 *r;
	assert_int_equal(sqlite3_open_v2(db, &r, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	return r;
}

static int64_t query_int(sqlite3 *r, const char *sql)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(r, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void test_rows(void **state)
{
	(void)state;
	char err[512];
	cdr_t *c = cdr_open(uri, err, sizeof(err));
	if (!c)
		fail_msg("%s", err);
	struct cdr_leg caller = {
		.call_id = "c-1", .leg = 1, .direction = "in", .start_ms = 1764800000000, .answer_ms = 1764800001000,
		.end_ms = 1764800095000, .ani = "0301234567", .dnis = "800100", .digits = "12", .queue = "billing",
		.agent = "1001", .cause = 16, .recording = "/var/spool/ctid/c-1.wav", .fax_pages = 0,
	};
	struct cdr_leg agent = {
		.call_id = "c-1", .leg = 2, .direction = "out", .start_ms = 1764800030000, .answer_ms = 1764800034000,
		.end_ms = 1764800095000, .ani = "0301234567", .dnis = "3001", .queue = "billing", .agent = "1001",
		.cause = 16,
	};
	struct cdr_leg fax = {
		.call_id = "c-2", .leg = 1, .start_ms = 1764800100000, .end_ms = 1764800160000, .ani = "089",
		.dnis = "800100", .digits = "9", .cause = 16, .fax_pages = 3,
	};
	assert_int_equal(cdr_write(c, &caller, err, sizeof(err)), 0);
	assert_int_equal(cdr_write(c, &agent, err, sizeof(err)), 0);
	assert_int_equal(cdr_write(c, &fax, err, sizeof(err)), 0);
	struct cdr_leg nameless = { .leg = 1 };
	assert_int_equal(cdr_write(c, &nameless, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "leg without call id"));

	/* Read back while the writer is still open (WAL: readers do not block). */
	sqlite3 *r = reader();
	assert_int_equal(query_int(r, "SELECT count(*) FROM cdr"), 3);
	assert_int_equal(query_int(r, "SELECT count(*) FROM cdr WHERE call_id = 'c-1'"), 2);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(r,
					    "SELECT leg, direction, start_ms, answer_ms, end_ms, ani, dnis, digits, queue,"
					    " agent, cause, recording, fax_pages FROM cdr WHERE call_id='c-1' AND leg=1",
					    -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 1);
	assert_string_equal((const char *)sqlite3_column_text(s, 1), "in");
	assert_int_equal(sqlite3_column_int64(s, 2), 1764800000000);
	assert_int_equal(sqlite3_column_int64(s, 3), 1764800001000);
	assert_int_equal(sqlite3_column_int64(s, 4), 1764800095000);
	assert_string_equal((const char *)sqlite3_column_text(s, 5), "0301234567");
	assert_string_equal((const char *)sqlite3_column_text(s, 6), "800100");
	assert_string_equal((const char *)sqlite3_column_text(s, 7), "12");
	assert_string_equal((const char *)sqlite3_column_text(s, 8), "billing");
	assert_string_equal((const char *)sqlite3_column_text(s, 9), "1001");
	assert_int_equal(sqlite3_column_int(s, 10), 16);
	assert_string_equal((const char *)sqlite3_column_text(s, 11), "/var/spool/ctid/c-1.wav");
	assert_int_equal(sqlite3_column_int(s, 12), 0);
	sqlite3_finalize(s);
	/* Absent values are NULL, not 0 or "". */
	assert_int_equal(query_int(r, "SELECT count(*) FROM cdr WHERE call_id='c-2' AND answer_ms IS NULL"
				      " AND queue IS NULL AND agent IS NULL AND recording IS NULL AND fax_pages = 3"
				      " AND direction = 'in'"), 1);
	/* Talk time of the agent leg, as a report would compute it. */
	assert_int_equal(query_int(r, "SELECT (end_ms - answer_ms) / 1000 FROM cdr WHERE call_id='c-1' AND leg=2"), 61);
	sqlite3_close(r);

	r = reader();
	sqlite3_stmt *jm;
	assert_int_equal(sqlite3_prepare_v2(r, "PRAGMA journal_mode", -1, &jm, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(jm), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(jm, 0), "wal");
	sqlite3_finalize(jm);
	assert_int_equal(query_int(r, "PRAGMA user_version"), 1);
	sqlite3_close(r);
	cdr_close(c);

	/* Reopening appends to the same table. */
	c = cdr_open(uri, err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(cdr_write(c, &fax, err, sizeof(err)), 0);
	cdr_close(c);
	r = reader();
	assert_int_equal(query_int(r, "SELECT count(*) FROM cdr"), 4);
	sqlite3_close(r);
}

/* A writer killed with SIGKILL after writing loses none of the rows written. */
static void test_survives_kill9(void **state)
{
	(void)state;
	char kdb[160], kuri[180];
	snprintf(kdb, sizeof(kdb), "%s/kill.db", dir);
	snprintf(kuri, sizeof(kuri), "sqlite:%s", kdb);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[512];
		cdr_t *c = cdr_open(kuri, err, sizeof(err));
		if (!c)
			_exit(3);
		for (int i = 0; i < 500; i++) {
			struct cdr_leg l = { .leg = 1, .cause = 16, .start_ms = i };
			snprintf(l.call_id, sizeof(l.call_id), "k-%d", i);
			if (cdr_write(c, &l, err, sizeof(err)))
				_exit(4);
		}
		raise(SIGKILL);	/* no close, no checkpoint */
		_exit(5);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	sqlite3 *r;
	assert_int_equal(sqlite3_open(kdb, &r), SQLITE_OK);
	assert_int_equal(query_int(r, "SELECT count(*) FROM cdr"), 500);
	assert_int_equal(query_int(r, "SELECT sum(start_ms) FROM cdr"), 499 * 500 / 2);
	sqlite3_close(r);
}

static void test_bad_store(void **state)
{
	(void)state;
	char err[512];
	assert_null(cdr_open("mysql:x", err, sizeof(err)));
	assert_string_equal(err, "cdr 'mysql:x': unsupported store (accepted: sqlite:PATH, postgresql:CONNINFO)");
	assert_null(cdr_open("sqlite:", err, sizeof(err)));
	/* No server on that socket directory: the libpq message is passed on. */
	assert_null(cdr_open("postgresql:host=/nonexistent dbname=x connect_timeout=2", err, sizeof(err)));
	assert_non_null(strstr(err, "cdr postgresql: cannot connect: "));
	assert_non_null(strstr(err, "/nonexistent"));
	assert_null(cdr_open("sqlite:/nonexistent/dir/cdr.db", err, sizeof(err)));
	assert_non_null(strstr(err, "cdr /nonexistent/dir/cdr.db: cannot open: unable to open database file"));
	/* A file that is not a database. */
	char junk[160];
	snprintf(junk, sizeof(junk), "%s/junk.db", dir);
	FILE *f = fopen(junk, "w");
	for (int i = 0; i < 200; i++)
		fputs("this is not an SQLite database\n", f);
	fclose(f);
	char juri[180];
	snprintf(juri, sizeof(juri), "sqlite:%s", junk);
	assert_null(cdr_open(juri, err, sizeof(err)));
	assert_non_null(strstr(err, junk));
	assert_non_null(strstr(err, "not a database"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_survives_kill9),
		cmocka_unit_test(test_bad_store),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
