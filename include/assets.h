/*
 * assets.h - the web files commentd serves: the admin client, the embed
 * widget and the demo article pages.
 *
 * Their sources live under web/ and are compiled into the binary at build
 * time (tools/embed.c), each beside a gzip -9 copy; nothing is read from
 * disk at run time.  assets.c's rules give each its URL path, media type,
 * caching and Content-Security-Policy.
 */
#ifndef COMMENTD_ASSETS_H
#define COMMENTD_ASSETS_H

#include <stdbool.h>
#include <stddef.h>

struct asset {
	char			 path[64];	/* URL path, e.g. "/embed.js" */
	const char		*type;		/* Content-Type */
	const char		*cache_control;
	const char		*csp;		/* NULL: no CSP header */
	const unsigned char	*data, *gz;	/* gz NULL: not compressed */
	size_t			 len, gz_len;
	char			 etag[40];	/* quoted, of data */
	char			 gz_etag[40];	/* of the gzip copy */
};

/* Gives each embedded file its paths and digests it; call once before
 * the workers start.  -1 (logged) for a file no rule serves. */
int		 assets_init(void);
/* The asset served at path, or NULL. */
const struct asset *assets_find(const char *path);
/* True if an Accept-Encoding value lists gzip without q=0.  Exported
 * for its fuzz target. */
bool		 assets_accepts_gzip(const char *accept_encoding);

#endif
