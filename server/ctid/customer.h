/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * customer.h - the customer record of a caller, looked up by calling number
 * (ANI) for the agent's screen pop: a row of a SQLite table and/or a JSON
 * object from an HTTP(S) URL template ([customer] in ctid.conf, docs/ctid.md).
 *
 * Lookups run in a thread of their own (a slow CRM never stalls calls): the
 * main thread queues them (customer_lookup) and collects the results
 * (customer_next) from its loop.
 */
#ifndef CTID_CUSTOMER_H
#define CTID_CUSTOMER_H

#include <jansson.h>
#include <stddef.h>

#define CUSTOMER_DEFAULT_SQL "SELECT * FROM customer WHERE ani = ?"

typedef struct customer customer_t;

/*
 * Check a lookup query against its database (read only): the file opens, the
 * SQL is one read-only statement with exactly one parameter (the ANI).
 * 0, or -1 with a message naming the problem in err.
 */
int customer_check_sql(const char *db_path, const char *sql, char *err, size_t errlen);
/* Check a URL template: http:// or https://, with {ani}. 0 or -1 with err. */
int customer_check_url(const char *url, char *err, size_t errlen);

/*
 * Start the lookup thread. db_path/sql: SQLite lookup (NULL: none; sql NULL:
 * CUSTOMER_DEFAULT_SQL); url: template with {ani} (NULL: none), asked when
 * the database has no row; timeout_ms: per HTTP request. NULL and err on failure.
 */
customer_t *customer_start(const char *db_path, const char *sql, const char *url, int timeout_ms, char *err,
			   size_t errlen);
/* Queue a lookup for a call. */
void customer_lookup(customer_t *cu, unsigned call_id, const char *ani);
/*
 * 1: a finished lookup: *record (a JSON object, or NULL: no record; the
 * caller owns it) and err ("" or what went wrong); 0: none finished.
 */
int customer_next(customer_t *cu, unsigned *call_id, json_t **record, char *err, size_t errlen);
void customer_stop(customer_t *cu);

#endif
