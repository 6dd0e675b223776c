/*
 * cors.h - cross-origin use of the public API.
 *
 * The widget runs on the news site's pages and calls the API on another
 * origin.  Public reads are anyone's (Access-Control-Allow-Origin: *,
 * no credentials are ever involved).  Writes (a comment, a report) and
 * preflighted reads (a reader's own comment, with X-Submitter-Token)
 * from another origin must come from one listed in
 * COMMENTD_ALLOWED_ORIGINS; others get 403 origin_not_allowed.  The
 * admin API is same-origin only: it never answers CORS.
 */
#ifndef COMMENTD_CORS_H
#define COMMENTD_CORS_H

#include <stdbool.h>

struct req;

/*
 * May a page of origin use the API?  allowed is the setting ("" none,
 * "*" any, or comma-separated origins); host is the request's Host
 * header: an origin naming it is this server's own.
 */
bool	cors_origin_allowed(const char *allowed, const char *origin,
	    const char *host);

/* True for paths of the public API (/api/v1/..., not /api/v1/admin). */
bool	cors_public_path(const char *path);

/*
 * Before a public route's handler: adds the CORS headers, or answers
 * 403 for a write from an origin not allowed.  False if it replied.
 */
bool	cors_check(struct req *r);

/* Answers an OPTIONS preflight of a public path: 204 or 403. */
void	cors_preflight(struct req *r);

#endif
