/*
 * h_health.c - liveness and readiness.
 *
 * /healthz answers from the loop alone: the process runs.  /readyz runs
 * a real statement through this worker's pool, so it says what a request
 * would meet: 200 when PostgreSQL answers, 503 when it does not.
 */
#include <jansson.h>

#include "ctx.h"
#include "db.h"
#include "req.h"
#include "routes.h"

static void	readyz_cb(const struct db_result *, void *);

void
h_healthz(struct req *r)
{
	req_add_header(r, "Cache-Control", "no-store");
	req_reply_json_new(r, 200, json_pack("{s:s}", "status", "ok"));
}

void
h_readyz(struct req *r)
{
	db_query(r->ctx->db, SQL_PING, NULL, 0, readyz_cb, r);
}

static void
readyz_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;

	req_add_header(r, "Cache-Control", "no-store");
	if (db_result_status(res) != DB_OK) {
		req_reply_unavailable(r, db_result_retry_after(res));
		return;
	}
	req_reply_json_new(r, 200, json_pack("{s:s}", "status", "ready"));
}
