/*
 * routes.c - every route of the HTTP API, in one table.
 */
#include "routes.h"

const struct route route_table[] = {
	{ ROUTE_GET, "/healthz", 0, h_healthz },
	{ ROUTE_GET, "/readyz", 0, h_readyz },
	{ ROUTE_POST, "/api/v1/articles/:key/comments", ROUTE_JSON_BODY,
	    h_comment_submit },
	{ ROUTE_GET, "/api/v1/articles/:key/comments", 0, h_comments_list },
	{ ROUTE_GET, "/api/v1/counts", 0, h_counts },
	{ ROUTE_GET, "/api/v1/comments/:id", 0, h_comment_own },
};

const size_t route_count = sizeof route_table / sizeof route_table[0];
