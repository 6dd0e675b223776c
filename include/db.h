/*
 * db.h - asynchronous PostgreSQL access for one worker's event loop.
 *
 * A pool of non-blocking libpq connections driven by libevent: connects
 * with PQconnectStartParams/PQconnectPoll, sends prepared statements with
 * PQsendQueryPrepared, flushes with PQflush and reads with
 * PQconsumeInput/PQisBusy, all on socket events.  Nothing here blocks.
 *
 * Handlers name a statement of sql.h and its text parameters and get a
 * callback; they never see libpq.  The contract:
 *  - db_query() never fails and never calls back synchronously: the
 *    callback runs exactly once, later, from the loop;
 *  - the result is valid only during the callback (copy what you keep);
 *  - a query waits at most queue_timeout_ms for a connection; when the
 *    wait queue is full or every connection is down it fails at once
 *    (DB_UNAVAILABLE) so the caller can answer 503 quickly;
 *  - a lost connection fails its query with DB_UNAVAILABLE (the statement
 *    may or may not have committed: callers answer 503, never 2xx) and
 *    reconnects with exponential backoff; the pool recovers by itself.
 */
#ifndef COMMENTD_DB_H
#define COMMENTD_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cs.h"
#include "sql.h"

struct event_base;
struct db_pool;
struct db_result;

enum db_status {
	DB_OK,			/* statement ran; rows may be read */
	DB_SQL_ERROR,		/* statement failed (constraint, ...) */
	DB_UNAVAILABLE,		/* no connection, lost, or queue full */
	DB_TIMEOUT,		/* statement_timeout or our hard timer */
	DB_SHUTDOWN,		/* the pool is being freed */
};

typedef void (*db_cb)(const struct db_result *res, void *arg);

struct db_pool_config {
	const char	*conninfo;		/* libpq connection string */
	int		 size;			/* connections */
	int		 queue_max;		/* waiting queries */
	int		 queue_timeout_ms;
	int		 connect_timeout_ms;
	int		 statement_timeout_ms;
	int		 retry_min_ms;
	int		 retry_max_ms;
	const char	*application_name;
};

struct db_pool	*db_pool_new(struct event_base *base,
		    const struct db_pool_config *cfg);
/* Fails every waiting and running query with DB_SHUTDOWN (callbacks run
 * from inside this call) and closes every connection.  NULL-safe. */
void		 db_pool_free(struct db_pool *pool);

/*
 * Runs statement id with nparams text parameters (NULL entries are SQL
 * NULL).  The parameters are copied: they need not outlive the call.
 */
void		 db_query(struct db_pool *pool, enum sql_id id,
		    const char *const *params, int nparams, db_cb cb,
		    void *arg);

/*
 * Listening: a dedicated connection, outside the query pool, that runs
 * SQL_LISTEN and hands every notification's payload to notify_cb on this
 * loop.  state_cb says when listening starts (true; after every
 * reconnect, so the caller can resync what it missed) and when the
 * connection is lost (false).  Reconnects with the pool's backoff.
 */
typedef void (*db_notify_cb)(const char *payload, void *arg);
typedef void (*db_listen_state_cb)(bool listening, void *arg);
void		 db_pool_listen(struct db_pool *pool, db_notify_cb notify_cb,
		    db_listen_state_cb state_cb, void *arg);

enum db_status	 db_result_status(const struct db_result *res);
int		 db_result_ntuples(const struct db_result *res);
/* The value at (row, col) as text, or NULL for SQL NULL. */
const char	*db_result_value(const struct db_result *res, int row,
		    int col);
/* Column number of a named column, -1 if none. */
int		 db_result_column(const struct db_result *res,
		    const char *name);
/* By column name: the value as a new JSON string (null for SQL NULL),
 * and as an integer (0 for NULL). */
struct json_t;
struct json_t	*db_result_json(const struct db_result *res, int row,
		    const char *col);
long long	 db_result_int(const struct db_result *res, int row,
		    const char *col);
/* SQLSTATE of a DB_SQL_ERROR, "" otherwise. */
const char	*db_result_sqlstate(const struct db_result *res);
/* A one-line description of what failed (for logs, not for clients). */
const char	*db_result_error(const struct db_result *res);
/* Seconds a client should wait before retrying a DB_UNAVAILABLE. */
int		 db_result_retry_after(const struct db_result *res);

const char	*db_status_name(enum db_status status);

/*
 * The wait before a reconnect: half the backoff plus a random share of
 * the other half (r uniform over 32 bits), so the connections of every
 * process that lost the database together do not all try again at the
 * same instant.  Between backoff_ms / 2 and backoff_ms.
 */
int		 db_retry_delay_ms(int backoff_ms, uint32_t r);

#endif
