// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_customer.c - the caller's customer record (server/ctid/customer.c)
 * against a real SQLite file and a small HTTP server in this test (a thread
 * on a loopback port): a row becomes a JSON object with typed values; no row
 * falls through to the URL; 404 is "no record"; HTTP errors, a body that is
 * not a JSON object and a server slower than the timeout are reported with
 * no record; the caller's number is escaped into the URL; lookups come back
 * in order with their call ids.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "customer.h"

static char tmpdir[64], db[128];
static int srv_fd, srv_port;
static pthread_t srv_thread;
static char last_path[256];	/* the last request line's path */
static pthread_mutex_t srv_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * One connection (a thread each, so a slow answer delays no other): by path
 * /c/0302... a JSON record, /c/0500... status 500, /c/0600... not JSON,
 * /c/0700... a record after 1.5 s, anything else 404.
 */
static void *answer(void *arg)
{
	int c = (int)(intptr_t)arg;
	{
		char req[2048];
		ssize_t n = read(c, req, sizeof(req) - 1);
		req[n > 0 ? n : 0] = 0;
		char path[256] = "";
		sscanf(req, "GET %255s", path);
		pthread_mutex_lock(&srv_lock);
		snprintf(last_path, sizeof(last_path), "%s", path);
		pthread_mutex_unlock(&srv_lock);
		const char *status = "404 Not Found", *body = "";
		if (!strncmp(path, "/c/0302", 7)) {
			status = "200 OK";
			body = "{\"name\": \"Zhang Min\", \"vip\": true, \"open\": 2}";
		} else if (!strncmp(path, "/c/0500", 7)) {
			status = "500 Internal Server Error";
			body = "oops";
		} else if (!strncmp(path, "/c/0600", 7)) {
			status = "200 OK";
			body = "<html>not json</html>";
		} else if (!strncmp(path, "/c/0700", 7)) {
			struct timespec ts = { 1, 500 * 1000 * 1000 };
			nanosleep(&ts, NULL);
			status = "200 OK";
			body = "{}";
		}
		char resp[512];
		int len = snprintf(resp, sizeof(resp),
				   "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
				   "Connection: close\r\n\r\n%s", status, strlen(body), body);
		if (send(c, resp, (size_t)len, MSG_NOSIGNAL) < 0) {
			/* the client gave up (timeout case) */
		}
		close(c);
	}
	return NULL;
}

static void *serve(void *arg)
{
	(void)arg;
	for (;;) {
		int c = accept(srv_fd, NULL, NULL);
		if (c < 0)
			return NULL;
		pthread_t t;
		if (pthread_create(&t, NULL, answer, (void *)(intptr_t)c))
			close(c);
		else
			pthread_detach(t);
	}
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_customer.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(db, sizeof(db), "%s/crm.db", tmpdir);
	char cmd[512];
	snprintf(cmd, sizeof(cmd),
		 "sqlite3 %s \"CREATE TABLE customer (ani TEXT, name TEXT, balance REAL, visits INTEGER, note TEXT);"
		 " INSERT INTO customer VALUES ('0301', 'Li Wei', -152.5, 7, NULL);\"", db);
	if (system(cmd))
		return -1;
	srv_fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	if (bind(srv_fd, (struct sockaddr *)&a, sizeof(a)) || listen(srv_fd, 16) ||
	    getsockname(srv_fd, (struct sockaddr *)&a, &alen))
		return -1;
	srv_port = ntohs(a.sin_port);
	return pthread_create(&srv_thread, NULL, serve, NULL) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	shutdown(srv_fd, SHUT_RDWR);
	close(srv_fd);
	pthread_join(srv_thread, NULL);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Wait (up to 5 s) for the next finished lookup. */
static void next(customer_t *cu, unsigned *id, json_t **rec, char *err, size_t errlen)
{
	for (int i = 0; i < 500; i++) {
		if (customer_next(cu, id, rec, err, errlen))
			return;
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	fail_msg("no lookup finished within 5 s");
}

static void test_sqlite_then_url(void **state)
{
	(void)state;
	char url[128], err[300];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/c/{ani}", srv_port);
	customer_t *cu = customer_start(db, NULL, url, 1000, err, sizeof(err));
	assert_non_null(cu);
	customer_lookup(cu, 11, "0301");	/* in the table */
	customer_lookup(cu, 12, "0302");	/* not in the table: the URL */
	customer_lookup(cu, 13, "0303");	/* nowhere: 404 */
	unsigned id;
	json_t *rec;

	next(cu, &id, &rec, err, sizeof(err));
	assert_int_equal(id, 11);
	assert_string_equal(err, "");
	assert_non_null(rec);
	assert_string_equal(json_string_value(json_object_get(rec, "name")), "Li Wei");
	assert_true(json_is_real(json_object_get(rec, "balance")));
	assert_true(json_real_value(json_object_get(rec, "balance")) == -152.5);
	assert_int_equal(json_integer_value(json_object_get(rec, "visits")), 7);
	assert_true(json_is_null(json_object_get(rec, "note")));
	assert_string_equal(json_string_value(json_object_get(rec, "ani")), "0301");
	json_decref(rec);

	next(cu, &id, &rec, err, sizeof(err));
	assert_int_equal(id, 12);
	assert_string_equal(err, "");
	assert_non_null(rec);
	assert_string_equal(json_string_value(json_object_get(rec, "name")), "Zhang Min");
	assert_true(json_is_true(json_object_get(rec, "vip")));
	json_decref(rec);

	next(cu, &id, &rec, err, sizeof(err));
	assert_int_equal(id, 13);
	assert_null(rec);
	assert_string_equal(err, "");	/* 404: simply no record */
	customer_stop(cu);
}

static void test_http_failures(void **state)
{
	(void)state;
	char url[128], err[300];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/c/{ani}?x=1", srv_port);
	customer_t *cu = customer_start(NULL, NULL, url, 500, err, sizeof(err));
	assert_non_null(cu);
	customer_lookup(cu, 1, "0500");
	customer_lookup(cu, 2, "0600");
	customer_lookup(cu, 3, "0700");
	customer_lookup(cu, 4, "+49 30/1");	/* escaped into the URL */
	unsigned id;
	json_t *rec;
	next(cu, &id, &rec, err, sizeof(err));
	assert_int_equal(id, 1);
	assert_null(rec);
	assert_non_null(strstr(err, "/c/0500?x=1: HTTP status 500"));
	next(cu, &id, &rec, err, sizeof(err));
	assert_int_equal(id, 2);
	assert_null(rec);
	assert_non_null(strstr(err, "the answer is not a JSON object"));
	next(cu, &id, &rec, err, sizeof(err));
	assert_int_equal(id, 3);
	assert_null(rec);
	assert_non_null(strstr(err, "imeout"));	/* libcurl: "Timeout was reached" */
	next(cu, &id, &rec, err, sizeof(err));
	assert_int_equal(id, 4);
	assert_null(rec);
	pthread_mutex_lock(&srv_lock);
	assert_string_equal(last_path, "/c/%2B49%2030%2F1?x=1");
	pthread_mutex_unlock(&srv_lock);
	customer_stop(cu);
}

static void test_bad_setup(void **state)
{
	(void)state;
	char err[600];
	assert_null(customer_start("/nonexistent/crm.db", NULL, NULL, 1000, err, sizeof(err)));
	assert_non_null(strstr(err, "customer database '/nonexistent/crm.db': cannot open"));
	assert_null(customer_start(db, "SELECT name FROM customer", NULL, 1000, err, sizeof(err)));
	assert_non_null(strstr(err, "expected exactly one parameter"));
	assert_null(customer_start(NULL, NULL, "gopher://x/{ani}", 1000, err, sizeof(err)));
	assert_non_null(strstr(err, "expected http://... or https://..."));
	assert_int_equal(customer_check_sql(db, "SELECT name FROM customer WHERE ani = ?", err, sizeof(err)), 0);
	assert_int_equal(customer_check_url("https://crm/x?ani={ani}", err, sizeof(err)), 0);
	/* Stopping with lookups still queued frees them. */
	customer_t *cu = customer_start(db, NULL, NULL, 1000, err, sizeof(err));
	assert_non_null(cu);
	for (unsigned i = 0; i < 50; i++)
		customer_lookup(cu, i, "0301");
	customer_stop(cu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqlite_then_url),
		cmocka_unit_test(test_http_failures),
		cmocka_unit_test(test_bad_setup),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
