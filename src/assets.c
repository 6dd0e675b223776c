/*
 * assets.c - the web files and the handler that serves them.
 *
 * The build embeds each file under its path below web/ (the Makefile's
 * WEB_SRC and WEB_BUILT are the one list); here are only the rules that
 * turn a file into what is served: its URL path from its folder, its
 * type from its extension, its caching and CSP from its folder.
 *
 * Files are sent by reference from the binary's read-only data, with a
 * strong ETag (304 on If-None-Match) and the gzip copy when the client
 * accepts it.  HTML pages get a strict Content-Security-Policy: scripts
 * and styles only from this origin, never inline, so a comment that got
 * past every other defence still cannot run; and no page may be framed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "assets.h"
#include "cs.h"
#include "embedded.h"
#include "log.h"
#include "req.h"
#include "routes.h"
#include "token.h"

/* The admin client: its own origin only; no frames, no plug-ins. */
#define CSP_ADMIN \
	"default-src 'none'; script-src 'self'; style-src 'self'; " \
	"connect-src 'self'; img-src 'self' data:; font-src 'self'; " \
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
/* The demo article: the widget from this origin, talking to it.  Not
 * framed either: the widget mounts in the page's own DOM (news sites
 * load embed.js, never frame us), so nothing needs to frame a page of
 * ours, and a framed comment form could be clickjacked. */
#define CSP_DEMO \
	"default-src 'none'; script-src 'self'; style-src 'self'; " \
	"connect-src 'self'; img-src 'self' data:; base-uri 'none'; " \
	"form-action 'self'; frame-ancestors 'none'"

/* Revalidated on every use: a new build is picked up at once. */
#define CC_REVALIDATE	"no-cache"
/* The widget is included by other sites' pages: cached briefly, then
 * revalidated by ETag in the background. */
#define CC_WIDGET	"public, max-age=300, stale-while-revalidate=86400"

/* How each folder of web/ is served. */
static const struct asset_folder {
	const char	*dir;		/* embedded name prefix */
	const char	*url;		/* where its files are served */
	const char	*cache_control;
	const char	*csp;		/* of its HTML pages */
} asset_folders[] = {
	{ "admin/", "/admin/", CC_REVALIDATE, CSP_ADMIN },
	{ "embed/", "/", CC_WIDGET, NULL },
	{ "demo/", "/", CC_REVALIDATE, CSP_DEMO },
};

static const struct {
	const char	*ext;
	const char	*type;
} asset_types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
};

#define INDEX_PAGE	"index.html"
/* Paths served: the files and the folder paths of index pages. */
#define ASSETS_MAX	64

static struct asset	assets[ASSETS_MAX];
static size_t		nassets;

static const struct embedded_file *
assets_embedded(const char *name)
{
	const struct embedded_file	*f;

	for (f = embedded_assets; f->name != NULL; f++) {
		if (strcmp(f->name, name) == 0)
			return f;
	}
	return NULL;
}

static void
assets_etag(const void *data, size_t len, const char *suffix,
    char out[40])
{
	char	hex[33];

	token_digest_hex(data, len, hex);
	/* 16 hex digits are plenty to tell builds apart. */
	snprintf(out, 40, "\"%.16s%s\"", hex, suffix);
}

static bool
assets_has_suffix(const char *s, const char *suffix)
{
	size_t	n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Serves a at url too; -1 (logged) if there is no room. */
static int
assets_add(const struct asset *a, const char *url)
{
	if (nassets == ASSETS_MAX || strlen(url) >= sizeof a->path) {
		log_error("assets: no room for %s", url);
		return -1;
	}
	assets[nassets] = *a;
	snprintf(assets[nassets].path, sizeof assets[nassets].path, "%s",
	    url);
	nassets++;
	return 0;
}

/*
 * One embedded file, digested once and served at its folder's URL and
 * the rest of its name; an index page at its folder's path instead,
 * with and without the trailing slash ("/admin/" and "/admin"; "/" for
 * the root).
 */
static int
assets_add_file(const struct embedded_file *f)
{
	const struct asset_folder	*folder = NULL;
	const struct embedded_file	*gz;
	struct asset			 a;
	char				 url[128], gzname[128];
	size_t				 i, n;

	memset(&a, 0, sizeof a);
	for (i = 0; i < CS_NELEM(asset_folders) && folder == NULL; i++) {
		if (strncmp(f->name, asset_folders[i].dir,
		    strlen(asset_folders[i].dir)) == 0)
			folder = &asset_folders[i];
	}
	for (i = 0; i < CS_NELEM(asset_types) && a.type == NULL; i++) {
		if (assets_has_suffix(f->name, asset_types[i].ext))
			a.type = asset_types[i].type;
	}
	if (folder == NULL || a.type == NULL) {
		log_error("assets: no rule serves %s", f->name);
		return -1;
	}
	a.cache_control = folder->cache_control;
	a.csp = assets_has_suffix(f->name, ".html") ? folder->csp : NULL;
	a.data = f->data;
	a.len = f->len;
	assets_etag(f->data, f->len, "", a.etag);
	snprintf(gzname, sizeof gzname, "%s.gz", f->name);
	/* Worth sending only when it is smaller. */
	if ((gz = assets_embedded(gzname)) != NULL && gz->len < f->len) {
		a.gz = gz->data;
		a.gz_len = gz->len;
		assets_etag(f->data, f->len, "-gz", a.gz_etag);
	}

	snprintf(url, sizeof url, "%s%s", folder->url,
	    f->name + strlen(folder->dir));
	if (!assets_has_suffix(url, "/" INDEX_PAGE))
		return assets_add(&a, url);
	n = strlen(url) - strlen(INDEX_PAGE);
	url[n] = '\0';
	if (assets_add(&a, url) != 0)
		return -1;
	if (n == 1)
		return 0;
	url[n - 1] = '\0';
	return assets_add(&a, url);
}

int
assets_init(void)
{
	const struct embedded_file	*f;

	nassets = 0;
	for (f = embedded_assets; f->name != NULL; f++) {
		if (assets_has_suffix(f->name, ".gz"))
			continue;
		if (assets_add_file(f) != 0)
			return -1;
	}
	return 0;
}

const struct asset *
assets_find(const char *path)
{
	size_t	i;

	for (i = 0; i < nassets; i++) {
		if (strcmp(assets[i].path, path) == 0)
			return &assets[i];
	}
	return NULL;
}

/*
 * True if Accept-Encoding lists gzip without q=0: members at commas,
 * each a coding (any case) and parameters after ';', white space being
 * spaces or tabs; the first gzip member decides, refused by a "q" (any
 * case) of weight 0 among its parameters.
 */
bool
assets_accepts_gzip(const char *ae)
{
	const char	*p = ae;
	size_t		 n;

	if (ae == NULL)
		return false;
	for (;;) {
		p += strspn(p, " \t");
		n = strcspn(p, ",; \t");
		/* strchr finds the NUL too: "gzip" may end the header. */
		if (n == 4 && strncasecmp(p, "gzip", 4) == 0 &&
		    strchr(",;", p[4 + strspn(p + 4, " \t")]) != NULL) {
			p += 4 + strspn(p + 4, " \t");
			while (*p == ';') {
				p++;
				p += strspn(p, " \t");
				/* "gzip;q=0" (or 0.0...) refuses it. */
				if ((*p == 'q' || *p == 'Q') && p[1] == '=' &&
				    strtod(p + 2, NULL) == 0)
					return false;
				p += strcspn(p, ";,");
			}
			return true;
		}
		p += strcspn(p, ",");
		if (*p++ == '\0')
			return false;
	}
}

void
h_asset(struct req *r)
{
	const struct asset	*a;
	bool			 gz;

	if ((a = assets_find(r->path)) == NULL) {
		req_reply_error(r, 404, "not_found", "no such resource");
		return;
	}
	gz = a->gz != NULL &&
	    assets_accepts_gzip(req_header(r, "Accept-Encoding"));
	req_add_header(r, "Cache-Control", a->cache_control);
	if (a->gz != NULL)
		req_add_header(r, "Vary", "Accept-Encoding");
	/* Pages their folder's CSP; scripts and styles none (a CSP
	 * governs documents), nosniff for all (req.c). */
	r->csp = a->csp;
	if (a->csp != NULL)
		req_add_header(r, "Referrer-Policy", "same-origin");
	if (gz) {
		req_add_header(r, "Content-Encoding", "gzip");
		req_reply_bytes(r, a->type, a->gz_etag, a->gz, a->gz_len);
	} else
		req_reply_bytes(r, a->type, a->etag, a->data, a->len);
}
