/*
 * assets.c - the table of web files and the handler that serves them.
 *
 * Files are sent by reference from the binary's read-only data, with a
 * strong ETag (304 on If-None-Match) and the gzip copy when the client
 * accepts it.  HTML pages get a strict Content-Security-Policy: scripts
 * and styles only from this origin, never inline, so a comment that got
 * past every other defence still cannot run.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "assets.h"
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
/* The demo article: the widget from this origin, talking to it. */
#define CSP_DEMO \
	"default-src 'none'; script-src 'self'; style-src 'self'; " \
	"connect-src 'self'; img-src 'self' data:; base-uri 'none'; " \
	"form-action 'self'"

/* Revalidated on every use: a new build is picked up at once. */
#define CC_REVALIDATE	"no-cache"
/* The widget is included by other sites' pages: cached briefly, then
 * revalidated by ETag in the background. */
#define CC_WIDGET	"public, max-age=300, stale-while-revalidate=86400"

#define HTML	"text/html; charset=utf-8"
#define JS	"text/javascript; charset=utf-8"
#define CSS	"text/css; charset=utf-8"

static struct asset assets[] = {
	{ "/admin", "index.html", HTML, CC_REVALIDATE, CSP_ADMIN },
	{ "/admin/", "index.html", HTML, CC_REVALIDATE, CSP_ADMIN },
	{ "/admin/admin.js", "admin.js", JS, CC_REVALIDATE, NULL },
	{ "/admin/admin.css", "admin.css", CSS, CC_REVALIDATE, NULL },
	{ "/admin/i18n.js", "i18n.js", JS, CC_REVALIDATE, NULL },
	{ "/admin/dom.js", "dom.js", JS, CC_REVALIDATE, NULL },
	{ "/admin/api.js", "api.js", JS, CC_REVALIDATE, NULL },
	{ "/admin/ui.js", "ui.js", JS, CC_REVALIDATE, NULL },
	{ "/admin/live.js", "live.js", JS, CC_REVALIDATE, NULL },
	{ "/admin/queue.js", "queue.js", JS, CC_REVALIDATE, NULL },
	{ "/admin/comment-panel.js", "comment-panel.js", JS, CC_REVALIDATE, NULL },
	{ "/admin/articles.js", "articles.js", JS, CC_REVALIDATE, NULL },
	{ "/admin/stats.js", "stats.js", JS, CC_REVALIDATE, NULL },
	{ "/admin/moderators.js", "moderators.js", JS, CC_REVALIDATE, NULL },
	{ "/embed.js", "embed.js", JS, CC_WIDGET, NULL },
	{ "/embed.css", "embed.css", CSS, CC_WIDGET, NULL },
	{ "/", "demo-ar.html", HTML, CC_REVALIDATE, CSP_DEMO },
	{ "/en", "demo-en.html", HTML, CC_REVALIDATE, CSP_DEMO },
	{ "/demo.css", "demo.css", CSS, CC_REVALIDATE, NULL },
};

static const struct embedded_file *
assets_embedded(const char *name)
{
	const struct embedded_file	*f;

	for (f = embedded_assets; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			return f;
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

int
assets_init(void)
{
	const struct embedded_file	*f, *gz;
	char				 gzname[128];
	size_t				 i;

	for (i = 0; i < sizeof assets / sizeof assets[0]; i++) {
		if ((f = assets_embedded(assets[i].file)) == NULL) {
			log_error("assets: %s is not in the binary",
			    assets[i].file);
			return -1;
		}
		assets[i].data = f->data;
		assets[i].len = f->len;
		assets_etag(f->data, f->len, "", assets[i].etag);
		snprintf(gzname, sizeof gzname, "%s.gz", assets[i].file);
		/* Worth sending only when it is smaller. */
		if ((gz = assets_embedded(gzname)) != NULL &&
		    gz->len < f->len) {
			assets[i].gz = gz->data;
			assets[i].gz_len = gz->len;
			assets_etag(f->data, f->len, "-gz",
			    assets[i].gz_etag);
		}
	}
	return 0;
}

const struct asset *
assets_find(const char *path)
{
	size_t	i;

	for (i = 0; i < sizeof assets / sizeof assets[0]; i++)
		if (strcmp(assets[i].path, path) == 0)
			return &assets[i];
	return NULL;
}

/* True if Accept-Encoding lists gzip without q=0. */
static bool
assets_accepts_gzip(const char *ae)
{
	const char	*p;

	if (ae == NULL)
		return false;
	for (p = ae; (p = strcasestr(p, "gzip")) != NULL; p += 4) {
		const char	*q = p + 4;

		if ((p != ae && p[-1] != ' ' && p[-1] != ',') ||
		    (*q != '\0' && *q != ',' && *q != ';' && *q != ' '))
			continue;
		while (*q == ' ')
			q++;
		if (*q == ';') {
			q++;
			while (*q == ' ')
				q++;
			/* "gzip;q=0" (or 0.0...) refuses it. */
			if (strncmp(q, "q=", 2) == 0 && strtod(q + 2, NULL) == 0)
				return false;
		}
		return true;
	}
	return false;
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
	req_add_header(r, "X-Content-Type-Options", "nosniff");
	if (a->gz != NULL)
		req_add_header(r, "Vary", "Accept-Encoding");
	if (a->csp != NULL) {
		req_add_header(r, "Content-Security-Policy", a->csp);
		req_add_header(r, "Referrer-Policy", "same-origin");
	}
	if (gz) {
		req_add_header(r, "Content-Encoding", "gzip");
		req_reply_bytes(r, a->type, a->gz_etag, a->gz, a->gz_len);
	} else
		req_reply_bytes(r, a->type, a->etag, a->data, a->len);
}
