/*
 * migrate.c - schema migrations and start-up reads (see migrate.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "embedded.h"
#include "log.h"
#include "migrate.h"
#include "sql.h"

/* connect_timeout unless the connection string names its own. */
#define MIGRATE_CONNECT_TIMEOUT_S	"10"

static int	 migrate_exec_text(PGconn *, const char *, const char *);
static int	 migrate_exec(PGconn *, enum sql_blocking_id, const char *);
static int	 migrate_version(const char *);
static int	 migrate_db_version(PGconn *);
static int	 migrate_refuse_newer(int, int);

PGconn *
migrate_connect(const char *conninfo)
{
	/* conninfo is expanded; a connect_timeout it names wins over ours,
	 * which keeps an unreachable host from hanging start-up. */
	const char *const	 keys[] = { "connect_timeout", "dbname", NULL };
	const char *const	 vals[] = { MIGRATE_CONNECT_TIMEOUT_S, conninfo,
	    NULL };
	PGconn			*pg;
	const char		*enc;

	pg = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(pg) != CONNECTION_OK) {
		log_error("database: %s", PQerrorMessage(pg));
		PQfinish(pg);
		return NULL;
	}
	/* Text is Arabic: folding, search and the JSON writer (jsonout.h,
	 * which trusts the database's text to be valid UTF-8) need a UTF8
	 * database; SQL_ASCII stores any bytes unchecked. */
	enc = PQparameterStatus(pg, "server_encoding");
	if (enc == NULL || strcmp(enc, "UTF8") != 0) {
		log_error("database: its encoding is %s, commentd needs UTF8 "
		    "(createdb -E UTF8 -T template0 ...)",
		    enc != NULL ? enc : "unknown");
		PQfinish(pg);
		return NULL;
	}
	return pg;
}

/* Runs SQL text without parameters: 0, or -1 (logged, with what). */
static int
migrate_exec_text(PGconn *pg, const char *sql, const char *what)
{
	PGresult	*r;
	int		 ok;

	r = PQexec(pg, sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
	    PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		log_error("migrate: %s: %s", what, PQresultErrorMessage(r));
	PQclear(r);
	return ok ? 0 : -1;
}

static int
migrate_exec(PGconn *pg, enum sql_blocking_id id, const char *what)
{
	return migrate_exec_text(pg, sql_blocking_text(id), what);
}

/* "0001_init.sql" -> 1; -1 unless the name is NNNN_name.sql. */
static int
migrate_version(const char *name)
{
	size_t	i, n = strlen(name);

	if (n < 10 || strcmp(name + n - 4, ".sql") != 0 || name[4] != '_')
		return -1;
	for (i = 0; i < 4; i++) {
		if (!isdigit((unsigned char)name[i]))
			return -1;
	}
	for (i = 5; i < n - 4; i++) {
		if (!islower((unsigned char)name[i]) &&
		    !isdigit((unsigned char)name[i]) && name[i] != '_')
			return -1;
	}
	return atoi(name);
}

int
migrate_known(void)
{
	const struct embedded_file	*f;
	int				 v, known = 0;

	for (f = embedded_migrations; f->name != NULL; f++) {
		if ((v = migrate_version(f->name)) > known)
			known = v;
	}
	return known;
}

/* The newest version recorded (0: never migrated), or -1 (logged). */
static int
migrate_db_version(PGconn *pg)
{
	PGresult	*r;
	int		 v = -1;

	r = PQexec(pg, sql_blocking_text(SQLB_MIGRATIONS_EXIST));
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		log_error("migrate: schema version: %s",
		    PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	if (strcmp(PQgetvalue(r, 0, 0), "t") != 0) {
		PQclear(r);
		return 0;
	}
	PQclear(r);
	r = PQexec(pg, sql_blocking_text(SQLB_MIGRATION_LATEST));
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		log_error("migrate: schema version: %s",
		    PQresultErrorMessage(r));
	else
		v = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

/*
 * A schema newer than this binary has tables, columns and triggers it
 * does not know (a rollback to an older release, or a newer process on
 * the same database): refuse rather than run against them.
 */
static int
migrate_refuse_newer(int db, int known)
{
	if (db <= known)
		return 0;
	log_error("database schema is at version %d, this binary knows up "
	    "to %d: upgrade commentd", db, known);
	return -1;
}

int
migrate_check_conn(struct pg_conn *pg)
{
	int	db, known = migrate_known();

	if ((db = migrate_db_version(pg)) < 0 ||
	    migrate_refuse_newer(db, known) != 0)
		return -1;
	if (db < known) {
		log_error("database schema is at version %d, this binary "
		    "needs %d: run `commentd migrate` first", db, known);
		return -1;
	}
	return 0;
}

int
migrate_check(const char *conninfo)
{
	PGconn	*pg;
	int	 rc;

	if ((pg = migrate_connect(conninfo)) == NULL)
		return -1;
	rc = migrate_check_conn(pg);
	PQfinish(pg);
	return rc;
}

int
migrate_run(const char *conninfo)
{
	const struct embedded_file	*f;
	PGconn				*pg;
	PGresult			*r;
	char				 vbuf[16];
	const char			*params[2];
	int				 version, applied = 0, last = 0;

	if ((pg = migrate_connect(conninfo)) == NULL)
		return -1;
	if (migrate_exec(pg, SQLB_QUIET, "settings") != 0 ||
	    migrate_exec(pg, SQLB_MIGRATE_LOCK, "lock") != 0 ||
	    migrate_exec(pg, SQLB_MIGRATIONS_TABLE, "schema_migrations") != 0)
		goto fail;
	/* Under the lock: a newer binary may have migrated just before. */
	if ((version = migrate_db_version(pg)) < 0 ||
	    migrate_refuse_newer(version, migrate_known()) != 0)
		goto fail;

	for (f = embedded_migrations; f->name != NULL; f++) {
		if ((version = migrate_version(f->name)) <= last) {
			log_error("migrate: %s: name must be NNNN_name.sql, "
			    "numbered in increasing order", f->name);
			goto fail;
		}
		last = version;
		snprintf(vbuf, sizeof vbuf, "%d", version);
		params[0] = vbuf;
		r = PQexecParams(pg, sql_blocking_text(SQLB_MIGRATION_APPLIED),
		    1, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			log_error("migrate: %s", PQresultErrorMessage(r));
			PQclear(r);
			goto fail;
		}
		if (PQntuples(r) > 0) {
			PQclear(r);
			continue;
		}
		PQclear(r);

		if (migrate_exec(pg, SQLB_BEGIN, f->name) != 0)
			goto fail;
		/* A migration file: several statements, none with values. */
		if (migrate_exec_text(pg, (const char *)f->data,
		    f->name) != 0) {
			(void)migrate_exec(pg, SQLB_ROLLBACK, f->name);
			goto fail;
		}
		params[1] = f->name;
		r = PQexecParams(pg, sql_blocking_text(SQLB_MIGRATION_RECORD),
		    2, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			log_error("migrate: %s", PQresultErrorMessage(r));
			PQclear(r);
			(void)migrate_exec(pg, SQLB_ROLLBACK, f->name);
			goto fail;
		}
		PQclear(r);
		if (migrate_exec(pg, SQLB_COMMIT, f->name) != 0)
			goto fail;
		log_info("migrate: applied %s", f->name);
		applied++;
	}
	(void)migrate_exec(pg, SQLB_MIGRATE_UNLOCK, "unlock");
	PQfinish(pg);
	return applied;
fail:
	PQfinish(pg);		/* ends the session: the lock goes with it */
	return -1;
}

int
migrate_read_secret(const char *conninfo, const char *name,
    unsigned char *out, size_t max, size_t *len)
{
	PGconn		*pg;
	PGresult	*r;
	const char	*params[1] = { name };
	int		 rc = -1;

	if ((pg = migrate_connect(conninfo)) == NULL)
		return -1;
	/* Binary result: the bytea arrives as raw bytes. */
	r = PQexecParams(pg, sql_blocking_text(SQLB_SECRET), 1, NULL, params,
	    NULL, NULL, 1);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		log_error("database: server secret \"%s\" missing: %s", name,
		    PQresultErrorMessage(r));
	} else if ((size_t)PQgetlength(r, 0, 0) > max) {
		log_error("database: server secret \"%s\" too long", name);
	} else {
		*len = (size_t)PQgetlength(r, 0, 0);
		memcpy(out, PQgetvalue(r, 0, 0), *len);
		rc = 0;
	}
	PQclear(r);
	PQfinish(pg);
	return rc;
}

bool
migrate_budget_exceeded(const struct migrate_budget *b, int workers,
    int pool_size, char *buf, size_t size)
{
	long	need = (long)workers * (pool_size + 1);
	long	left = (long)b->max_connections - b->reserved - b->in_use;

	if (need <= left)
		return false;
	snprintf(buf, size, "database connections: this process opens %d "
	    "worker(s) x (db-pool-size %d + 1) = %ld, but PostgreSQL has %ld "
	    "left (max_connections %d - %d reserved - %d in use): lower "
	    "COMMENTD_WORKERS or COMMENTD_DB_POOL_SIZE, or raise "
	    "max_connections (a second process, or an overlapped restart, "
	    "needs as many again)", workers, pool_size, need,
	    left > 0 ? left : 0, b->max_connections, b->reserved, b->in_use);
	return true;
}

void
migrate_warn_budget(const char *conninfo, int workers, int pool_size)
{
	struct migrate_budget	 b;
	PGconn			*pg;
	PGresult		*r;
	char			 msg[512];

	if ((pg = migrate_connect(conninfo)) == NULL)
		return;
	r = PQexec(pg, sql_blocking_text(SQLB_CONN_BUDGET));
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		log_warn("database connections: could not read "
		    "max_connections: %s", PQresultErrorMessage(r));
	} else {
		b.max_connections = atoi(PQgetvalue(r, 0, 0));
		b.reserved = atoi(PQgetvalue(r, 0, 1));
		/* This connection closes before the workers open theirs. */
		b.in_use = atoi(PQgetvalue(r, 0, 2)) - 1;
		if (migrate_budget_exceeded(&b, workers, pool_size, msg,
		    sizeof msg))
			log_warn("%s", msg);
	}
	PQclear(r);
	PQfinish(pg);
}

int
migrate_wait_ready(const char *conninfo, int timeout_s)
{
	int	i;

	for (i = 0; i <= timeout_s * 2; i++) {
		if (PQping(conninfo) == PQPING_OK)
			return 0;
		if (i == 0)
			log_info("waiting for the database to accept "
			    "connections");
		usleep(500000);
	}
	log_error("database not reachable after %d s", timeout_s);
	return -1;
}
