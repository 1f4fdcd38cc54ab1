/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * customer.c - the caller's customer record by ANI (see customer.h): SQLite
 * (read-only connection of the lookup thread) first, then the HTTP URL
 * template (libcurl) when the table has no row.
 *
 * A row becomes a JSON object: column name -> value (integer, real, text,
 * null; blobs are left out). An HTTP answer must be 200 with a JSON object
 * (404: no record). Every failure is reported with the call it belongs to.
 */
#include "customer.h"

#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HTTP_MAX_BODY (256 * 1024)

struct job {
	struct job *next;
	unsigned call_id;
	char ani[32];
	json_t *record;
	char err[256];
};

struct customer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
	struct job *todo, *todo_tail, *done, *done_tail;
	sqlite3 *db;
	sqlite3_stmt *stmt;
	char db_path[512];
	char *url;
	int timeout_ms;
	CURL *curl;
};

static int open_query(const char *db_path, const char *sql, sqlite3 **db, sqlite3_stmt **stmt, char *err,
		      size_t errlen)
{
	*stmt = NULL;
	if (sqlite3_open_v2(db_path, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "customer database '%s': cannot open: %s", db_path,
			 *db ? sqlite3_errmsg(*db) : "out of memory");
		return -1;
	}
	sqlite3_busy_timeout(*db, 1000);
	const char *tail = NULL;
	if (sqlite3_prepare_v2(*db, sql, -1, stmt, &tail) != SQLITE_OK) {
		snprintf(err, errlen, "customer database '%s': sql '%s': %s", db_path, sql, sqlite3_errmsg(*db));
		return -1;
	}
	while (tail && (*tail == ' ' || *tail == '\t' || *tail == ';' || *tail == '\n'))
		tail++;
	if (!*stmt || (tail && *tail)) {
		snprintf(err, errlen, "customer sql '%s': expected one SELECT statement", sql);
		return -1;
	}
	if (!sqlite3_stmt_readonly(*stmt) || !sqlite3_column_count(*stmt)) {
		snprintf(err, errlen, "customer sql '%s': expected a read-only SELECT that returns columns", sql);
		return -1;
	}
	if (sqlite3_bind_parameter_count(*stmt) != 1) {
		snprintf(err, errlen, "customer sql '%s': expected exactly one parameter (?, the caller's number), got %d",
			 sql, sqlite3_bind_parameter_count(*stmt));
		return -1;
	}
	return 0;
}

int customer_check_sql(const char *db_path, const char *sql, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	int r = open_query(db_path, sql ? sql : CUSTOMER_DEFAULT_SQL, &db, &stmt, err, errlen);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return r;
}

int customer_check_url(const char *url, char *err, size_t errlen)
{
	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) {
		snprintf(err, errlen, "customer url '%s': expected http://... or https://...", url);
		return -1;
	}
	if (!strstr(url, "{ani}")) {
		snprintf(err, errlen, "customer url '%s': no {ani} (where the caller's number goes)", url);
		return -1;
	}
	return 0;
}

static json_t *row_object(sqlite3_stmt *s)
{
	json_t *o = json_object();
	for (int i = 0; o && i < sqlite3_column_count(s); i++) {
		const char *name = sqlite3_column_name(s, i);
		json_t *v = NULL;
		switch (sqlite3_column_type(s, i)) {
		case SQLITE_INTEGER:
			v = json_integer(sqlite3_column_int64(s, i));
			break;
		case SQLITE_FLOAT:
			v = json_real(sqlite3_column_double(s, i));
			break;
		case SQLITE_TEXT:
			v = json_stringn((const char *)sqlite3_column_text(s, i), (size_t)sqlite3_column_bytes(s, i));
			break;
		case SQLITE_NULL:
			v = json_null();
			break;
		default:
			break;	/* blobs are not shown */
		}
		if (v && name)
			json_object_set_new(o, name, v);
		else
			json_decref(v);
	}
	return o;
}

static void from_db(struct customer *cu, struct job *j)
{
	sqlite3_stmt *s = cu->stmt;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, j->ani, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		j->record = row_object(s);
	else if (rc != SQLITE_DONE)
		snprintf(j->err, sizeof(j->err), "customer database '%.160s': %s", cu->db_path, sqlite3_errmsg(cu->db));
	sqlite3_reset(s);
}

struct body {
	char *buf;
	size_t len;
	bool too_big;
};

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
	struct body *b = user;
	size_t len = size * n;
	if (b->len + len > HTTP_MAX_BODY) {
		b->too_big = true;
		return 0;
	}
	char *nb = realloc(b->buf, b->len + len + 1);
	if (!nb)
		return 0;
	memcpy(nb + b->len, data, len);
	b->buf = nb;
	b->len += len;
	nb[b->len] = 0;
	return len;
}

static void from_url(struct customer *cu, struct job *j)
{
	char *ani = curl_easy_escape(cu->curl, j->ani, 0);
	size_t cap = strlen(cu->url) + (ani ? strlen(ani) : 0) * 4 + 1;
	char *url = malloc(cap);
	if (!ani || !url) {
		curl_free(ani);
		free(url);
		snprintf(j->err, sizeof(j->err), "customer url: out of memory");
		return;
	}
	url[0] = 0;
	for (const char *p = cu->url; *p;) {
		if (!strncmp(p, "{ani}", 5)) {
			strcat(url, ani);
			p += 5;
		} else {
			strncat(url, p, 1);
			p++;
		}
	}
	curl_free(ani);
	struct body b = { 0 };
	curl_easy_reset(cu->curl);
	curl_easy_setopt(cu->curl, CURLOPT_URL, url);
	curl_easy_setopt(cu->curl, CURLOPT_TIMEOUT_MS, (long)cu->timeout_ms);
	curl_easy_setopt(cu->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(cu->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(cu->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(cu->curl, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(cu->curl, CURLOPT_HTTPHEADER, NULL);
	CURLcode rc = curl_easy_perform(cu->curl);
	long status = 0;
	curl_easy_getinfo(cu->curl, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK) {
		snprintf(j->err, sizeof(j->err), "customer url %s: %s", url,
			 b.too_big ? "answer over 256 KiB" : curl_easy_strerror(rc));
	} else if (status == 404) {
		/* no such customer */
	} else if (status != 200) {
		snprintf(j->err, sizeof(j->err), "customer url %s: HTTP status %ld", url, status);
	} else {
		json_error_t je;
		json_t *o = b.buf ? json_loadb(b.buf, b.len, 0, &je) : NULL;
		if (json_is_object(o)) {
			j->record = o;
		} else {
			snprintf(j->err, sizeof(j->err), "customer url %s: the answer is not a JSON object%s%s", url,
				 o ? "" : ": ", o ? "" : b.buf ? je.text : "empty");
			json_decref(o);
		}
	}
	free(b.buf);
	free(url);
}

static void *run(void *arg)
{
	struct customer *cu = arg;
	/* A CRM that closes early must not kill ctid: writes from this thread get EPIPE instead. */
	sigset_t pipe;
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, NULL);
	pthread_mutex_lock(&cu->lock);
	for (;;) {
		while (!cu->todo && !cu->stop)
			pthread_cond_wait(&cu->cond, &cu->lock);
		if (cu->stop)
			break;
		struct job *j = cu->todo;
		cu->todo = j->next;
		if (!cu->todo)
			cu->todo_tail = NULL;
		pthread_mutex_unlock(&cu->lock);
		j->next = NULL;
		if (cu->stmt)
			from_db(cu, j);
		if (!j->record && !j->err[0] && cu->url)
			from_url(cu, j);
		pthread_mutex_lock(&cu->lock);
		if (cu->done_tail)
			cu->done_tail->next = j;
		else
			cu->done = j;
		cu->done_tail = j;
	}
	pthread_mutex_unlock(&cu->lock);
	return NULL;
}

customer_t *customer_start(const char *db_path, const char *sql, const char *url, int timeout_ms, char *err,
			   size_t errlen)
{
	struct customer *cu = calloc(1, sizeof(*cu));
	if (!cu) {
		snprintf(err, errlen, "customer: out of memory");
		return NULL;
	}
	pthread_mutex_init(&cu->lock, NULL);
	pthread_cond_init(&cu->cond, NULL);
	cu->timeout_ms = timeout_ms > 0 ? timeout_ms : 2000;
	if (db_path) {
		snprintf(cu->db_path, sizeof(cu->db_path), "%s", db_path);
		if (open_query(db_path, sql ? sql : CUSTOMER_DEFAULT_SQL, &cu->db, &cu->stmt, err, errlen))
			goto bad;
	}
	if (url) {
		if (customer_check_url(url, err, errlen))
			goto bad;
		curl_global_init(CURL_GLOBAL_DEFAULT);	/* once, before the thread */
		cu->url = strdup(url);
		cu->curl = curl_easy_init();
		if (!cu->url || !cu->curl) {
			snprintf(err, errlen, "customer url: cannot set up libcurl");
			goto bad;
		}
	}
	if (pthread_create(&cu->thread, NULL, run, cu)) {
		snprintf(err, errlen, "customer: cannot start the lookup thread");
		goto bad;
	}
	return cu;
bad:
	sqlite3_finalize(cu->stmt);
	sqlite3_close(cu->db);
	if (cu->curl)
		curl_easy_cleanup(cu->curl);
	free(cu->url);
	pthread_cond_destroy(&cu->cond);
	pthread_mutex_destroy(&cu->lock);
	free(cu);
	return NULL;
}

void customer_lookup(customer_t *cu, unsigned call_id, const char *ani)
{
	struct job *j = calloc(1, sizeof(*j));
	if (!j)
		return;
	j->call_id = call_id;
	snprintf(j->ani, sizeof(j->ani), "%s", ani);
	pthread_mutex_lock(&cu->lock);
	if (cu->todo_tail)
		cu->todo_tail->next = j;
	else
		cu->todo = j;
	cu->todo_tail = j;
	pthread_cond_signal(&cu->cond);
	pthread_mutex_unlock(&cu->lock);
}

int customer_next(customer_t *cu, unsigned *call_id, json_t **record, char *err, size_t errlen)
{
	pthread_mutex_lock(&cu->lock);
	struct job *j = cu->done;
	if (j) {
		cu->done = j->next;
		if (!cu->done)
			cu->done_tail = NULL;
	}
	pthread_mutex_unlock(&cu->lock);
	if (!j)
		return 0;
	*call_id = j->call_id;
	*record = j->record;
	snprintf(err, errlen, "%s", j->err);
	free(j);
	return 1;
}

static void free_jobs(struct job *j)
{
	while (j) {
		struct job *n = j->next;
		json_decref(j->record);
		free(j);
		j = n;
	}
}

void customer_stop(customer_t *cu)
{
	if (!cu)
		return;
	pthread_mutex_lock(&cu->lock);
	cu->stop = true;
	pthread_cond_signal(&cu->cond);
	pthread_mutex_unlock(&cu->lock);
	pthread_join(cu->thread, NULL);	/* a running HTTP request ends within its timeout */
	free_jobs(cu->todo);
	free_jobs(cu->done);
	sqlite3_finalize(cu->stmt);
	sqlite3_close(cu->db);
	if (cu->curl)
		curl_easy_cleanup(cu->curl);
	free(cu->url);
	pthread_cond_destroy(&cu->cond);
	pthread_mutex_destroy(&cu->lock);
	free(cu);
}
