/*
 * migrate.h - schema migrations and start-up reads.
 *
 * These run before any event loop starts (the `migrate` command and the
 * start of `serve`), so they use libpq's blocking calls; nothing here is
 * ever called from a worker.
 */
#ifndef COMMENTD_MIGRATE_H
#define COMMENTD_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

#include "cs.h"

struct pg_conn;

/*
 * Applies the embedded migrations not yet recorded in schema_migrations,
 * in order, each in its own transaction, under an advisory lock so that
 * several processes starting at once apply each exactly once.
 * Returns the number applied, or -1 (reason logged), also when the
 * database is at a version newer than any this binary carries.
 */
int	migrate_run(const char *conninfo) CS_MUSTCHECK;

/* The newest embedded migration's version: the schema this binary
 * needs (`commentd --version` shows it). */
int	migrate_known(void);

/*
 * For `serve --no-migrate` and the account commands: 0 if the
 * database's schema is exactly the newest migration this binary
 * carries; -1 (logged) if it is behind
 * (run `commentd migrate`), newer (upgrade commentd), or unreadable.
 * migrate_run() refuses a newer schema the same way.
 */
int	migrate_check(const char *conninfo) CS_MUSTCHECK;
/* The same on an open connection (the command line's). */
int	migrate_check_conn(struct pg_conn *pg) CS_MUSTCHECK;

/* Reads the named server secret into out (up to max bytes). */
int	migrate_read_secret(const char *conninfo, const char *name,
	    unsigned char *out, size_t max, size_t *len) CS_MUSTCHECK;

/* A blocking connection with a connect timeout, or NULL (reason
 * logged).  For start-up and the command line only. */
struct pg_conn	*migrate_connect(const char *conninfo);

/* PostgreSQL's connection budget as a start-up sees it. */
struct migrate_budget {
	int	max_connections;
	int	reserved;	/* superuser_reserved_connections, ... */
	int	in_use;		/* client backends, not counting ours */
};

/*
 * Whether workers x (pool_size + 1) connections (each worker's pool and
 * its LISTEN connection) exceed what b leaves; if so, the warning that
 * names the numbers in buf (a line's worth) and true.
 */
bool	migrate_budget_exceeded(const struct migrate_budget *b, int workers,
	    int pool_size, char *buf, size_t size);

/*
 * Reads the budget and logs migrate_budget_exceeded()'s warning if the
 * process would exceed it (a second process, or an overlapped restart,
 * fails to connect then).  Never fails start-up: a budget it cannot
 * read is a warning too.
 */
void	migrate_warn_budget(const char *conninfo, int workers, int pool_size);

/* Waits up to timeout_s for the database to accept connections. */
int	migrate_wait_ready(const char *conninfo, int timeout_s) CS_MUSTCHECK;

#endif
