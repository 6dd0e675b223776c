/*
 * fuzz_accept_language.c - i18n_pick_lang() on an arbitrary header
 * value.
 *
 * The answer must always be a language we have, and it can only differ
 * from the site's default when the header names it or has a "*".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"

/* The server's header limit (http_max_headers) is 8 KiB. */
#define FUZZ_MAX_HEADER	(8 * 1024)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	fuzz_pick(const char *, const char *);

static void
fuzz_pick(const char *header, const char *fallback)
{
	const char	*lang;

	lang = i18n_pick_lang(header, fallback);
	if (lang == NULL ||
	    (strcmp(lang, "ar") != 0 && strcmp(lang, "en") != 0)) {
		fprintf(stderr, "fuzz_accept_language: bad language\n");
		abort();
	}
	if (strcmp(lang, fallback) != 0 && strcasestr(header, lang) == NULL &&
	    strchr(header, '*') == NULL) {
		fprintf(stderr, "fuzz_accept_language: %s not asked for\n",
		    lang);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*header;

	if (size > FUZZ_MAX_HEADER)
		return 0;
	/* Headers reach i18n as C strings: cut at the first NUL. */
	if ((header = malloc(size + 1)) == NULL)
		abort();
	memcpy(header, data, size);
	header[size] = '\0';
	fuzz_pick(header, "ar");
	fuzz_pick(header, "en");
	free(header);
	return 0;
}
